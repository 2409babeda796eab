#!/usr/bin/env bats
# ior-trace: capture of file system calls with eBPF.

load helpers
bats_require_minimum_version 1.5.0

# The programs traced, built by make from t/helper/trace-*.c, each
# copied under the name its records carry as COMM: "work" does a known
# sequence of calls in its working directory; "hold" keeps data open at
# offset 123 until SIGUSR1; "calls" makes each call of the rest of the
# file-I/O surface once; "turn-a" and "turn-b" take turns at preads on
# one CPU; "reuse" forks children one after another; "aio", "uring" and
# "ring" make the AIO and io_uring calls; "reap" reaps AIO in ways that
# test the pairing of completions with requests.
setup_file() {
	for p in work hold calls aio uring ring reap; do
		cp "$IOR_T/trace-$p" "$BATS_FILE_TMPDIR/$p"
	done
	cp "$IOR_T/trace-turn" "$BATS_FILE_TMPDIR/turn-a"
	cp "$IOR_T/trace-turn" "$BATS_FILE_TMPDIR/turn-b"
	cp "$IOR_T/trace-forks" "$BATS_FILE_TMPDIR/reuse"
	cp "$IOR_T/trace-counts" "$BATS_FILE_TMPDIR/counts"
}

# The calls of the counts program whose counts are known: two threads
# of $CN preads, one failed pread, $CM pwrites, $CK fdatasyncs, each of
# $CS bytes (t/helper/trace-counts.c).
CN=300 CM=120 CK=6 CS=4096

# "CALLS ERRORS" of call $2 in strace -c's table, file $1 (0 0: none).
strace_row() {
	awk -v c="$2" '$NF == c { e = NF == 6 ? $5 : 0; print $4, e; f = 1 }
		END { if (!f) print 0, 0 }' "$1"
}

# "COUNT ERRORS READ WRITTEN" of call $2 in ior-stats -t's table of $1.
stats_row() {
	ior-stats -t "$1" | awk -F'\t' -v c="$2" '$1 == c { print $2, $3, $4, $5 }'
}

# The counts program run under strace -f -c, into strace.txt.
strace_counts() {
	strace -f -qq -c -o strace.txt "$BATS_FILE_TMPDIR/counts" "$CN" "$CM" "$CK" "$CS"
}

# "CALL COUNT" of each record of file $1 (sorted).
call_counts() {
	awk '!/^#/ { n[$5]++ } END { for (c in n) print c, n[c] }' "$1" | sort
}

setup() {
	dir=$(scratch)
	cd "$dir"
	head -c 1000 /dev/zero > data
}

# Trace the work program into trace.txt; its exit status is in $status.
trace_work() {
	run timeout 30 ior-trace -o trace.txt -- "$BATS_FILE_TMPDIR/work"
}

# The records of trace.txt whose CALL is $1 and that mention data ($2).
calls() {
	awk -v c="$1" -v m="${2:-}" '$5 == c && index($0, m)' trace.txt
}

# Trace the calls program once, in $BATS_FILE_TMPDIR/calls.d, for the
# tests that read its records: ccalls prints those whose CALL is $1.
trace_calls() {
	if [ -s "$BATS_FILE_TMPDIR/calls.txt" ]; then
		return 0
	fi
	mkdir -p "$BATS_FILE_TMPDIR/calls.d"
	umask 022
	timeout 30 env -C "$BATS_FILE_TMPDIR/calls.d" \
		ior-trace -o ../calls.txt -- ../calls
}

ccalls() {
	awk -v c="$1" '$5 == c && $4 == "calls"' "$BATS_FILE_TMPDIR/calls.txt"
}

# reap_check FILE: each aio: record of FILE that is neither in flight nor
# of unknown pairing has the TIME of the io_submit its sub names and ends
# (TIME + DUR) when the io_getevents its reap names did, and comes after
# that io_submit and before that io_getevents, unless the io_submit's
# record comes after the io_getevents' (it returned later): then right
# after it; prints "N requests", and a line for each that does not.
reap_check() {
	awk '
	function ns(t,  p) { split(t, p, "."); return p[1] * 1000000000 + p[2] }
	function key(k,  i) {
		for (i = 8; i <= NF; i++)
			if (index($i, k "=") == 1)
				return substr($i, length(k) + 2)
		return ""
	}
	FNR == NR {
		if ($5 == "io_submit") {
			sub_t[key("sub")] = ns($1)
			sub_at[key("sub")] = FNR
		}
		if ($5 ~ /^io_p?getevents$/ && key("reap") != "") {
			end[key("reap")] = ns($1) + $7
			at[key("reap")] = FNR
		}
		next
	}
	$5 == "io_submit" { last_submit = FNR }
	$5 ~ /^aio:/ && !/ inflight=1/ && !/ pair=/ {
		r = key("reap"); s = key("sub")
		if (r == "" || ns($1) != sub_t[s] || ns($1) + $7 != end[r] ||
		    FNR < sub_at[s] ||
		    (sub_at[s] < at[r] ? FNR > at[r] : last_submit != sub_at[s]))
			print "bad: " $0
		n++
	}
	END { print n " requests" }' "$1" "$1"
}

# Trace the aio program once, for the tests that read its records:
# acalls prints those whose CALL is $1.
trace_aio() {
	if [ -s "$BATS_FILE_TMPDIR/aio.txt" ]; then
		return 0
	fi
	timeout 30 env -C "$BATS_FILE_TMPDIR" ior-trace -o aio.txt -- ./aio aio.data
}

acalls() {
	awk -v c="$1" '$5 == c' "$BATS_FILE_TMPDIR/aio.txt"
}

# The descriptors of the calls program: f and g (files), dfd (directory
# d). Not constants: it inherits the test's descriptors.
calls_fds() {
	fd_of() {
		ccalls openat | awk -v p=" path=$1 " 'index($0, p) { print $6; exit }'
	}
	f=$(fd_of f)
	g=$(fd_of g)
	dfd=$(fd_of d)
	[ -n "$f" ]
	[ -n "$g" ]
	[ -n "$dfd" ]
}

# What a successful path call says of its file: $A all of it, $AO all
# but the owner (the chown calls have their own uid and gid).
A=' size=[0-9]+ ft=[a-z]+ fmode=0[0-7]* nlink=[0-9]+ uid=[0-9]+ gid=[0-9]+ ino=[0-9]+ dev=[0-9]+:[0-9]+'
AO=' size=[0-9]+ ft=[a-z]+ fmode=0[0-7]* nlink=[0-9]+ ino=[0-9]+ dev=[0-9]+:[0-9]+'

# The descriptor the work program's main thread got for data.
data_fd() {
	calls openat path=data | awk 'NR == 1 { print $6 }'
}

# Wait until file $1 exists (or contains $2), at most 10 s.
wait_for() {
	for _ in $(seq 200); do
		if [ -n "${2:-}" ]; then
			if grep -q -- "$2" "$1" 2>/dev/null; then
				return 0
			fi
		elif [ -e "$1" ]; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

@test "--help prints usage to stdout and exits 0" {
	run --separate-stderr ior-trace --help
	assert_success
	assert_output --partial "usage: ior-trace [-o FILE] [-p PID]"
	[ -z "$stderr" ]
}

@test "--help lists every option, after the usage line of the man page's SYNOPSIS" {
	run -0 --separate-stderr ior-trace --help
	assert_line -n 0 "usage: ior-trace [-o FILE] [-p PID] [-c REGEX] [-d SECONDS] [-e [trace=][!]CALLS] [-a SECONDS] [--sample CALL=N[,CALL=N ...]] [--host NAME] [-- COMMAND [ARG ...]]"
	for o in -o,\ --output -p,\ --pid -c,\ --comm -d,\ --duration \
	    -e,\ --trace -a,\ --aggregate --sample --host -h,\ --help \
	    -V,\ --version; do
		assert_line --partial "  $o"
	done
	run -0 sh -c "MANWIDTH=400 man -l '$BATS_TEST_DIRNAME/../man/ior-trace.1' 2>/dev/null | sed -n '/^SYNOPSIS/{n;p;}' | tr -s ' ' | sed 's/^ //'"
	assert_output "ior-trace [-o file] [-p pid] [-c regex] [-d seconds] [-e [trace=][!]calls] [-a seconds] [--sample call=n[,call=n ...]] [--host name] [-- command [arg ...]]"
}

@test "bad -e, -a and --sample values are one-line usage errors" {
	run -2 ior-trace -e trace=nosuchcall
	assert_output "ior-trace: -e: bad call: 'nosuchcall' (a call of ior-format(5), or a family: files, metadata, aio, uring, process)"
	run -2 ior-trace -e 'trace=pread64,%nosuch'
	assert_output "ior-trace: -e: bad call: '%nosuch' (a call of ior-format(5), or a family: files, metadata, aio, uring, process)"
	run -2 ior-trace -e 'trace=,'
	assert_output "ior-trace: -e: bad list: ',' (a call of ior-format(5), or a family: files, metadata, aio, uring, process)"
	run -2 ior-trace -e signal=all
	assert_output "ior-trace: -e: bad qualifier: 'signal=all' (only trace= is known)"
	run -2 ior-trace -e sched:fork
	assert_output --partial "ior-trace: -e: bad call: 'sched:fork'"
	for a in 0 -1 0.0001 86401 inf nan 1x ''; do
		run -2 ior-trace -a "$a"
		assert_output "ior-trace: -a: bad interval: '$a' (seconds, from 0.001 to 86400)"
	done
	run -2 ior-trace --sample pread64
	assert_output "ior-trace: --sample: bad sample: 'pread64' (CALL=N, N from 1 to 2147483647)"
	run -2 ior-trace --sample nosuch=2
	assert_output "ior-trace: --sample: bad call: 'nosuch' (a call of ior-format(5), or a family: files, metadata, aio, uring, process)"
	for n in 0 -3 2147483648 x ''; do
		run -2 ior-trace --sample "pread64=$n"
		assert_output "ior-trace: --sample: bad rate: '$n' (N from 1 to 2147483647)"
	done
	run -2 ior-trace -a 1 --sample pread64=2
	assert_line -n 0 "ior-trace: -a and --sample exclude each other: an aggregate writes no call"
}

# A kernel without a private BPF stack refuses a program whose chain of
# calls has frames of more than 512 bytes in all; one with it loads the
# same program. So the frames the verifier counted (IOR_TRACE_VERIFIER_
# STATS), each rounded up to 16 bytes as the kernel rounds them, are
# added up for each program and all it calls: more than any chain.
@test "the BPF programs load on a kernel without a private BPF stack: each one's frames, added up, within 512 bytes" {
	need_bpf
	IOR_TRACE_VERIFIER_STATS=$PWD/stats run -0 timeout 60 ior-trace -o t.txt -- true
	# every program the capture loads
	assert_equal "$(awk '{ print $1 }' stats | sort | tr '\n' ' ')" \
		"ior_exec ior_exit ior_fork ior_sys_enter ior_sys_exit ior_uring_async ior_uring_complete ior_uring_submit "
	run -0 awk '{ n = split($2, d, "+"); t = 0
		for (i = 1; i <= n; i++) t += int((d[i] + 15) / 16) * 16
		if (t > 512) print $1, $2, "=", t }' stats
	assert_output ""
}

@test "-e trace=pread64 keeps only pread64 records, and the process records" {
	need_bpf
	run -0 timeout 60 ior-trace -o t.txt -e trace=pread64 -- "$BATS_FILE_TMPDIR/counts" "$CN" "$CM" "$CK" "$CS"
	run -0 sh -c "awk '!/^#/ { print \$5 }' t.txt | sort -u | grep -v -e '^sched:' -e '^ior:'"
	assert_output pread64
	run -0 awk -v c=" count=$CS " '$5 == "pread64" && index($0, c) { n++ } END { print n }' t.txt
	assert_output "$((2 * CN + 2))"
	run -0 grep -c ' sched:exec ' t.txt
	assert_output 1
	run -0 grep -c ' sched:exit ' t.txt
	assert_output 2
}

@test "-e selects by family, with or without %, and ! keeps all but those" {
	need_bpf
	run -0 timeout 60 ior-trace -o f.txt -e trace=%files -- "$BATS_FILE_TMPDIR/counts" 3 2 1 100
	run -0 call_counts f.txt
	assert_line "pread64 8"
	assert_line "pwrite64 4"
	assert_line "fdatasync 2"
	assert_line "openat 1"
	refute_line --regexp '^(execve|exit_group|newfstatat|statx|fstat) '
	run -0 timeout 60 ior-trace -o m.txt -e 'process,metadata' -- "$BATS_FILE_TMPDIR/counts" 3 2 1 100
	run -0 call_counts m.txt
	assert_line "exit_group 1"
	refute_line --regexp '^(pread64|pwrite64|fdatasync|openat|write|close|mmap) '
	run -0 timeout 60 ior-trace -o n.txt -e 'trace=!%files,fdatasync' -- "$BATS_FILE_TMPDIR/counts" 3 2 1 100
	run -0 call_counts n.txt
	assert_line "exit_group 1"
	refute_line --regexp '^(pread64|pwrite64|fdatasync|openat|write|close|mmap) '
}

@test "-a: ior-stats of an aggregate capture counts as strace -c does, with the workload's bytes, from agg: records alone" {
	need_bpf
	run -0 timeout 60 ior-trace -o agg.txt -a 0.05 -- "$BATS_FILE_TMPDIR/counts" "$CN" "$CM" "$CK" "$CS"
	run -0 sed -n 2p agg.txt
	assert_output --regexp ' aggregate=0\.050000000$'
	run -1 grep -v -e '^#' -e '^[0-9.]* [0-9]* [0-9]* counts agg:[a-z0-9_]* 0 [0-9]* count=[0-9]* errors=[0-9]* bytes=[0-9]* lat_total=[0-9]* lat_min=[0-9]* lat_max=[0-9]* hist=[0-9:,]*$' agg.txt
	run -0 tail -1 agg.txt
	assert_output --regexp '^#stat ior-trace events=[0-9]+ drops=0 unpaired=0 missed=0 agg_lost=0$'
	strace_counts
	run -0 strace_row strace.txt pread64
	assert_output "$((2 * CN + 2)) 2"
	run -0 stats_row agg.txt pread64
	assert_output "$((2 * CN + 2)) 2 $((2 * CN * CS)) 0"
	run -0 strace_row strace.txt pwrite64
	assert_output "$((2 * CM)) 0"
	run -0 stats_row agg.txt pwrite64
	assert_output "$((2 * CM)) 0 0 $((2 * CM * CS))"
	run -0 strace_row strace.txt fdatasync
	assert_output "$((2 * CK)) 0"
	run -0 stats_row agg.txt fdatasync
	assert_output "$((2 * CK)) 0 0 0"
}

@test "-a: each interval is written as its own delta, the intervals following each other from TIME 0" {
	need_bpf
	run -0 timeout 60 ior-trace -o agg.txt -a 0.1 -e trace=pread64,pwrite64,fdatasync -- sh -c "$BATS_FILE_TMPDIR/counts $CN $CM $CK $CS; sleep 0.5; $BATS_FILE_TMPDIR/counts $CN $CM $CK $CS"
	# "TIME DUR" of each interval, in order: at least the two runs'
	awk '!/^#/ { print $1, $7 }' agg.txt | uniq > intervals
	# each starts at a multiple of 0.1 s, where the one before ended or
	# later (an interval without a call has no record)
	run -0 awk '{ t = $1; sub(/\./, "", t); t += 0 }
		t % 100000000 { print "not on the interval: " $1 }
		NR > 1 && t < end { print "overlap at " $1 }
		{ end = t + $2 } END { print NR >= 2 ? "ok" : "one interval" }' intervals
	assert_output ok
	# every call of both runs counted once: none lost or counted twice
	run -0 awk '$4 == "counts" && $5 == "agg:pread64" { for (i = 8; i <= NF; i++) if ($i ~ /^count=/) n += substr($i, 7) } END { print n }' agg.txt
	assert_output "$((2 * (2 * CN + 2)))"
	run -0 awk '$4 == "counts" && $5 == "agg:fdatasync" { for (i = 8; i <= NF; i++) if ($i ~ /^count=/) n += substr($i, 7) } END { print n }' agg.txt
	assert_output "$((4 * CK))"
	# both runs' processes, each with its own records
	run -0 awk '$4 == "counts" && $5 == "agg:pread64" { print $2 }' agg.txt
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 2
}

@test "-a: a process's calls on two CPUs make one record per call, with the calls of both" {
	need_bpf
	need_cpus 2
	seq 200 > lines
	# the same shell reads the file a byte a call on CPU 0, then on CPU 1:
	# its pair takes a slot on each, which the drain adds up
	run -0 timeout 60 ior-trace -o agg.txt -a 30 -e trace=read -- sh -c 'taskset -pc 0 $$ >/dev/null; while read l; do :; done < lines; taskset -pc 1 $$ >/dev/null; while read l; do :; done < lines'
	run -0 awk '!/^#/ { print $2, $5 }' agg.txt
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort | uniq -d)" ""
	run -0 awk '$4 == "sh" && $5 == "agg:read" { for (i = 8; i <= NF; i++) if ($i ~ /^count=/) n += substr($i, 7) } END { print n + 0 }' agg.txt
	[ "$output" -ge "$((2 * $(wc -c < lines)))" ]
}

@test "-a: the per-call table of an aggregate stream is a full capture's, count for count and byte for byte" {
	need_bpf
	run -0 timeout 60 ior-trace -o full.txt -- "$BATS_FILE_TMPDIR/counts" "$CN" "$CM" "$CK" "$CS"
	run -0 timeout 60 ior-trace -o agg.txt -a 1 -- "$BATS_FILE_TMPDIR/counts" "$CN" "$CM" "$CK" "$CS"
	ior-stats -t full.txt | cut -f1-5 | sort > full.tab
	ior-stats -t agg.txt | cut -f1-5 | sort > agg.tab
	run -0 grep -c . agg.tab
	[ "$output" -gt 5 ]
	run -0 diff full.tab agg.tab
}

@test "--sample: about one in N records written, and ior-stats reports strace -c's counts and the workload's bytes, marked sampled" {
	need_bpf
	run -0 timeout 60 ior-trace -o s.txt --sample pread64=10,pwrite64=10 -- "$BATS_FILE_TMPDIR/counts" "$CN" "$CM" "$CK" "$CS"
	run -0 sed -n 2p s.txt
	assert_output --regexp ' sample=pread64:10,pwrite64:10$'
	strace_counts
	run -0 strace_row strace.txt pread64
	assert_output "$((2 * CN + 2)) 2"
	run -0 strace_row strace.txt pwrite64
	assert_output "$((2 * CM)) 0"
	np=$((2 * CN + 2)) nw=$((2 * CM))
	# the first of each 10 on each CPU: a tenth, and one more at most
	# for each CPU
	cpus=$(nproc)
	run -0 awk '$5 == "pread64" { n++ } END { print n + 0 }' s.txt
	[ "$output" -ge $((np / 10)) ]
	[ "$output" -le $((np / 10 + cpus)) ]
	written=$output
	run -0 awk '$5 == "pwrite64" { n++ } END { print n + 0 }' s.txt
	[ "$output" -ge $((nw / 10)) ]
	[ "$output" -le $((nw / 10 + cpus)) ]
	run -0 grep '^#sample ' s.txt
	assert_line -n 0 "#sample ior-trace call=pread64 every=10 count=$np errors=2 bytes=$((2 * CN * CS)) written=$written"
	assert_line -n 1 --regexp "^#sample ior-trace call=pwrite64 every=10 count=$nw errors=0 bytes=$((2 * CM * CS)) written=[0-9]+\$"
	run -0 stats_row s.txt pread64*
	assert_output "$np 2 $((2 * CN * CS)) 0"
	run -0 stats_row s.txt pwrite64*
	assert_output "$nw 0 0 $((2 * CM * CS))"
	run -0 stats_row s.txt fdatasync
	assert_output "$((2 * CK)) 0 0 0"
	run -0 ior-stats s.txt
	assert_line --partial "* sampled (#sample): COUNT, ERRORS, READ and WRITTEN exact"
}

@test "--version prints the version and exits 0" {
	run ior-trace --version
	assert_success
	assert_output --regexp '^ior-trace \(ior\) [0-9]+\.[0-9]+'
}

@test "an unknown option is a usage error" {
	run ior-trace --bogus
	assert_failure 2
	assert_output --partial "usage:"
}

@test "a pid that is not a number is a usage error" {
	run ior-trace -p 12abc
	assert_failure 2
	assert_output "ior-trace: -p: bad pid: '12abc' (a process id, from 1 to 2147483647)"
}

@test "a pid with a sign, a space or beyond an int is a usage error" {
	for p in +5 -5 ' 5' 0 2147483648 99999999999999999999; do
		run -2 ior-trace -p "$p"
		assert_output --regexp "^ior-trace: -p: bad pid: '.*' \\(a process id, from 1 to 2147483647\\)\$"
	done
}

@test "a duration that is not positive is a usage error" {
	run ior-trace -d 0
	assert_failure 2
	assert_output "ior-trace: -d: bad duration: '0' (seconds, above 0 and at most 31536000)"
}

@test "a malformed comm regex is a usage error" {
	run ior-trace -c '('
	assert_failure 2
	assert_output --partial "bad regex"
}

@test "a pid of no process is refused before tracing" {
	run ior-trace -p 2147483646
	assert_failure 4
	assert_output --partial "no such process: 2147483646"
}

@test "the stream starts with the magic line and the capture's facts" {
	need_bpf
	trace_work
	run sed -n 1,2p trace.txt
	assert_line -n 0 "#ior 1 trace"
	assert_line -n 1 --regexp "^#meta ior-trace host=$(hostname) kernel=$(uname -r) epoch=[0-9]+\.[0-9]{9} argv=.*ior-trace\\\\x20-o\\\\x20trace.txt"
}

@test "--host names the capture's host in the header instead of the node name" {
	need_bpf
	run timeout 30 ior-trace --host db01 -o trace.txt -- true
	assert_success
	run sed -n 2p trace.txt
	assert_output --regexp "^#meta ior-trace host=db01 kernel=$(uname -r) epoch="
	run ior-trace --host "" -- true
	assert_failure 2
	assert_output "ior-trace: --host: an empty name"
}

@test "the exit status of the command is passed on" {
	need_bpf
	trace_work
	assert_failure 7
	run timeout 30 ior-trace -o t2.txt -- sh -c 'kill -TERM $$'
	assert_failure 143
}

@test "capture starts at the command's exec, after its inherited descriptors and cwd" {
	need_bpf
	trace_work
	first=$(awk '!/^#/ && $5 !~ /^ior:/ { print $5; exit }' trace.txt)
	[ "$first" = sched:exec ]
	calls ior:cwd | grep -q " path=$dir\$"
	calls ior:fd | grep -q ' fd=0 .*flags=O_RDONLY'
	# the cwd and the descriptors come first, all of them before the exec
	before=$(awk '$5 == "sched:exec" { exit } $5 ~ /^ior:(cwd|fd)$/' trace.txt | wc -l)
	all=$(awk '$5 ~ /^ior:(cwd|fd)$/' trace.txt | wc -l)
	[ "$before" -ge 4 ]
	[ "$before" -eq "$all" ]
	# the launcher's own calls (waiting for the probes) never appear
	[ -z "$(awk '!/^#/ && $4 == "ior-trace" && $5 !~ /^ior:/' trace.txt)" ]
}

@test "an open of an existing file records path, flags and the file as stat(1) sees it" {
	need_bpf
	chmod 0604 data
	chown 12:34 data
	trace_work
	seen=$(stat -c 'ino=%i size=%s ft=reg fs=FS fmode=0%a nlink=%h uid=%u gid=%g dev=%Hd:%Ld' data)
	seen=${seen/FS/[a-z0-9]+}
	run calls openat path=data
	assert_line --regexp "^[0-9.]+ [0-9]+ [0-9]+ work openat [0-9]+ [0-9]+ dirfd=AT_FDCWD path=data flags=O_RDONLY mode=0 $seen\$"
}

@test "a failing open records the negative errno and its name" {
	need_bpf
	trace_work
	run calls openat path=missing
	assert_output --regexp " openat -2 [0-9]+ dirfd=AT_FDCWD path=missing flags=O_RDONLY mode=0 err=ENOENT\$"
}

@test "pread64, lseek and readv record counts and offsets" {
	need_bpf
	trace_work
	fd=$(data_fd)
	run calls pread64 fd=$fd
	assert_output --regexp " pread64 100 [0-9]+ fd=$fd count=100 offset=7\$"
	run calls lseek
	assert_output --regexp " lseek 5 [0-9]+ fd=$fd offset=5 whence=SEEK_SET\$"
	run calls readv
	assert_output --regexp " readv 30 [0-9]+ fd=$fd iovcnt=2 count=30\$"
}

@test "dup2 records both descriptors" {
	need_bpf
	trace_work
	run calls dup2
	assert_output --regexp " dup2 9 [0-9]+ fd=$(data_fd) fd2=9\$"
}

@test "mkdir, rename, unlink and rmdir record their paths, and mkdir the caller's umask" {
	need_bpf
	umask 027
	trace_work
	run calls mkdir
	assert_output --regexp " mkdir 0 [0-9]+ path=d mode=0755 umask=0027\$"
	run calls rename
	assert_output --regexp " rename 0 [0-9]+ path=new path2=d/moved\$"
	run calls unlink
	assert_output --regexp " unlink 0 [0-9]+ path=d/moved\$"
	run calls rmdir
	assert_output --regexp " rmdir 0 [0-9]+ path=d\$"
}

@test "a forked child's records follow the sched:fork that names it" {
	need_bpf
	umask 022
	trace_work
	child=$(calls openat path=new | awk '{ print $3 }')
	[ -n "$child" ]
	fork_line=$(grep -n " sched:fork .* child=$child cpid=$child " trace.txt | cut -d: -f1)
	first_line=$(awk -v c="$child" '$3 == c { print NR; exit }' trace.txt)
	[ -n "$fork_line" ]
	[ "$fork_line" -lt "$first_line" ]
	calls openat path=new | grep -q " flags=O_WRONLY|O_CREAT|O_TRUNC mode=0600 umask=0022 ino="
	calls write | grep -q "^[0-9.]* $child $child work write 5 [0-9]* fd=[0-9]* count=5\$"
	calls sched:exit | grep -q "^[0-9.]* $child $child work sched:exit 0 0 code=3 group=1\$"
}

@test "execve records the program's path, on success and on failure" {
	need_bpf
	run timeout 30 ior-trace -o trace.txt -- sh -c '/nonexistent/prog; exec /bin/true'
	assert_success
	calls execve | grep -q " execve -2 [0-9]* path=/nonexistent/prog err=ENOENT\$"
	calls execve | grep -q " true execve 0 [0-9]* path=/bin/true\$"
	calls sched:exec | grep -q " true sched:exec 0 0 path=/bin/true\$"
	run tail -n 1 trace.txt
	assert_output --regexp 'drops=0 unpaired=0 '
}

@test "threads have their own TIDs under the process's PID" {
	need_bpf
	trace_work
	pid=$(calls sched:exec | awk '{ print $2 }')
	run awk -v p="$pid" '$5 == "read" && $2 == p && $3 != p && / count=10$/ { print $3 }' trace.txt
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" != "${lines[1]}" ]
	calls sched:fork | grep -q "flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD\$"
}

@test "processes taking turns on one CPU at every call each have their own PID, TID and command in their records" {
	need_bpf
	run timeout 30 ior-trace -o trace.txt -- taskset -c 0 sh -c \
	    '"$0"-a 1001 300 & "$0"-b 1002 300 & wait' "$BATS_FILE_TMPDIR/turn"
	assert_success
	for t in a:1001 b:1002; do
		pid=$(awk -v p="/turn-${t%:*}" '$5 == "sched:exec" &&
		      substr($0, length($0) - 6) == p { print $2 }' trace.txt)
		[ -n "$pid" ]
		run awk -v c=" count=${t#*:} " '$5 == "pread64" && index($0, c) {
			print $2, $3, $4 }' trace.txt
		[ "${#lines[@]}" -eq 300 ]
		run uniq <<< "$output"
		assert_output "$pid $pid turn-${t%:*}"
	done
}

@test "a process on the kernel stack of one gone is not taken for it on the CPU that one left" {
	need_bpf
	need_cpus 2
	# children that read on CPU 1 and exit on CPU 0, where the next one
	# is forked, likely on the stack the last one freed
	run timeout 60 taskset -c 0 ior-trace -o trace.txt -- \
	    "$BATS_FILE_TMPDIR/reuse" 30
	assert_success
	awk '$5 == "sched:fork" { sub("child=", "", $8); print $8 }' \
	    trace.txt | sort > forks
	[ "$(wc -l < forks)" -eq 30 ]
	awk '$5 == "pread64" && $9 ~ /^count=10[0-9][0-9]$/ {
		print $2, $3, $9 }' trace.txt | sort -u > reads
	[ "$(wc -l < reads)" -eq 30 ]
	run awk '$1 != $2' reads
	assert_output ""
	awk '{ print $1 }' reads | sort | diff - forks
}

@test "the trailer reports no loss for a small workload" {
	need_bpf
	trace_work
	events=$(grep -vc '^#' trace.txt)
	run tail -n 1 trace.txt
	assert_output --regexp "^#stat ior-trace events=$events drops=0 unpaired=0 "
}

@test "counts of openat, read, write and close equal strace's" {
	need_bpf
	need_cmd strace
	trace_work
	strace -f -c -o strace.txt "$BATS_FILE_TMPDIR/work" || true
	for c in openat read write close; do
		ours=$(calls "$c" | wc -l)
		theirs=$(awk -v c="$c" '$NF == c { print $4 }' strace.txt)
		echo "$c: ior-trace $ours strace $theirs"
		[ "$ours" -eq "$theirs" ]
	done
}

@test "the command's stdout does not mix with a trace written to stdout" {
	need_bpf
	run --separate-stderr timeout 30 ior-trace -- echo hello-from-command
	assert_success
	[ "${lines[0]}" = "#ior 1 trace" ]
	refute_line "hello-from-command"
	[[ "$stderr" == *hello-from-command* ]]
}

@test "-p reports the descriptors a running process holds, with their offsets" {
	need_bpf
	"$BATS_FILE_TMPDIR/hold" data ready &
	pid=$!
	wait_for ready
	timeout 30 ior-trace -p "$pid" -o trace.txt 2>err.txt &
	tracer=$!
	wait_for trace.txt ior:fd
	kill -USR1 "$pid"
	wait "$tracer"	# stops by itself once the process is gone
	calls ior:cwd | grep -q "^[0-9.]* $pid $pid hold ior:cwd 0 0 path=$dir\$"
	calls ior:fd | grep -q " fd=[0-9]* path=$dir/data flags=O_RDWR|O_LARGEFILE offset=123 size=1000 ino=$(stat -c %i data) ft=reg fs="
	calls read | grep -q "^[0-9.]* $pid $pid hold read 10 [0-9]* fd=[0-9]* count=10\$"
	# the descriptors come before any event of the process
	[ "$(grep -n ' ior:fd ' trace.txt | tail -n 1 | cut -d: -f1)" -lt \
	  "$(grep -n ' read ' trace.txt | cut -d: -f1)" ]
}

@test "-p reports the mode, owner, link count and device of each file a process holds" {
	need_bpf
	chmod 0640 data
	chown 65534:65534 data
	"$BATS_FILE_TMPDIR/hold" data ready &
	pid=$!
	wait_for ready
	timeout 30 ior-trace -p "$pid" -o trace.txt 2>err.txt &
	tracer=$!
	wait_for trace.txt ior:fd
	kill -USR1 "$pid"
	wait "$tracer"
	run calls ior:fd " path=$dir/data "
	assert_output --regexp " ino=$(stat -c %i data) ft=reg fs=[a-z0-9]+ fmode=0640 nlink=1 uid=65534 gid=65534 dev=$(stat -c %Hd:%Ld data)\$"
}

@test "ior:lstat describes once each directory and symbolic link on the way to a file, before the record that names it" {
	need_bpf
	mkdir -m 0700 real
	mkdir real/sub
	echo hello > real/sub/f
	ln -s real lnk
	ln -s sub/f real/flink
	chown 65534:65534 real
	run timeout 30 ior-trace -o trace.txt -- cat lnk/sub/f lnk/flink lnk/sub/f
	assert_success
	A='size=[0-9]+ ft=[a-z]+ fmode=0[0-7]+ nlink=[0-9]+ uid=[0-9]+ gid=[0-9]+ ino=[0-9]+ dev=[0-9]+:[0-9]+'
	run calls ior:lstat " path=$dir/"
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 --regexp " cat ior:lstat 0 0 path=$dir/lnk $A path2=real\$"
	assert_line --index 0 --partial " ft=lnk fmode=0777 "
	assert_line --index 1 --regexp " cat ior:lstat 0 0 path=$dir/real $A\$"
	assert_line --index 1 --partial " ft=dir fmode=0700 nlink=3 uid=65534 gid=65534 ino=$(stat -c %i real) dev=$(stat -c %Hd:%Ld real)"
	assert_line --index 2 --regexp " cat ior:lstat 0 0 path=$dir/real/sub $A\$"
	assert_line --index 2 --partial " ft=dir fmode=0$(stat -c %a real/sub) nlink=2 uid=0 gid=0 "
	assert_line --index 3 --regexp " cat ior:lstat 0 0 path=$dir/real/flink $A path2=sub/f\$"
	# each comes before the first record that named it
	first() { grep -n -m 1 -- "$1" trace.txt | cut -d: -f1; }
	[ "$(first " ior:lstat .* path=$dir/real/sub ")" -lt "$(first " openat .* path=lnk/sub/f ")" ]
	[ "$(first " ior:lstat .* path=$dir/real/flink ")" -lt "$(first " openat .* path=lnk/flink ")" ]
	[ "$(first " ior:lstat .* path=$dir/real/flink ")" -gt "$(first " openat .* path=lnk/sub/f ")" ]
}

@test "ior:lstat describes nothing of a path a call found missing: it may be there by the time ior-trace looks" {
	need_bpf
	mkdir sub
	run timeout 30 ior-trace -o trace.txt -- sh -c 'cat sub/x d/x 2>/dev/null; mkdir d; touch d/f'
	assert_success
	run calls openat " path=d/x "
	assert_output --partial " err=ENOENT"
	run calls openat " path=sub/x "
	assert_output --partial " err=ENOENT"
	# sub is on no path a call reached
	run calls ior:lstat " path=$dir/sub "
	assert_output ""
	# d is described once, by the open that reached it, after the mkdir
	run calls ior:lstat " path=$dir/d "
	assert_equal "${#lines[@]}" 1
	first() { grep -n -m 1 -- "$1" trace.txt | cut -d: -f1; }
	[ "$(first " ior:lstat .* path=$dir/d ")" -gt "$(first " mkdir 0 .* path=d ")" ]
	[ "$(first " ior:lstat .* path=$dir/d ")" -lt "$(first " openat .* path=d/f ")" ]
}

@test "-c follows processes whose command name matches" {
	need_bpf
	cp "$BATS_FILE_TMPDIR/hold" holdx	# its command name does not match
	ior-trace -c '^hold$' -d 30 -o trace.txt 2>err.txt &
	tracer=$!
	wait_for trace.txt '^#meta'
	"$BATS_FILE_TMPDIR/hold" data ready &
	pid=$!
	./holdx data readyx &
	other=$!
	wait_for ready
	wait_for readyx
	# ior-trace adds a process when it sees its exec: then it is traced
	wait_for trace.txt "^[0-9.]* $pid $pid hold sched:exec "
	kill -USR1 "$pid" "$other"
	wait "$pid"
	wait "$other"
	wait_for trace.txt "^[0-9.]* $pid $pid hold sched:exit "
	kill -INT "$tracer"
	wait "$tracer"
	calls sched:exec | grep -q "^[0-9.]* $pid $pid hold sched:exec 0 0 path=.*hold\$"
	calls read | grep -q "^[0-9.]* $pid $pid hold read 10 [0-9]* fd=[0-9]* count=10\$"
	# holdx made the same calls at the same time: none is in the trace
	run awk -v p="$other" '!/^#/ && ($2 == p || $4 != "hold")' trace.txt
	assert_output ""
	tail -n 1 trace.txt | grep -q '^#stat ior-trace events='
}

@test "-d stops the capture and writes the trailer" {
	need_bpf
	timeout 30 ior-trace -d 1 -o trace.txt -- \
		sh -c 'echo $$ > cmd.pid; exec sleep 60' >/dev/null 2>&1
	# stopped while the command still runs (left running, as it was)
	wait_for cmd.pid '^[0-9]'
	kill "$(cat cmd.pid)"
	run tail -n 1 trace.txt
	assert_output --regexp '^#stat ior-trace events=[0-9]+ drops=0 unpaired=0'
}

@test "SIGINT stops the capture and writes the trailer" {
	need_bpf
	ior-trace -o trace.txt -- sleep 20 &	# bounded by the sleep
	tracer=$!
	wait_for trace.txt sched:exec
	kill -INT "$tracer"
	wait "$tracer"
	tail -n 1 trace.txt | grep -q '^#stat ior-trace events=[0-9]* drops=0'
}

@test "a system-wide capture leaves out its own pipeline" {
	need_bpf
	# a reader of data all through the capture, outside the pipeline
	( while [ ! -e stop ]; do cat data > /dev/null; sleep 0.05; done ) &
	worker=$!
	# The pipeline: timeout and ior-trace, tee, and a stage that echoes
	# the first line itself and then forks a cat for the rest. Each
	# writes its pid; ior-trace finds its pipeline when it starts, so it
	# starts once the other stages run. The cat is forked during the
	# capture: a child of the pipeline.
	timeout 30 sh -c 'while [ ! -s tee.pid ] || [ ! -s stage.pid ]; do sleep 0.01; done
		echo $PPID > timeout.pid
		echo $$ > tracer.pid
		exec ior-trace -d 1.5' 2>err.txt |
		sh -c 'echo $$ > tee.pid; exec tee raw.txt' |
		sh -c 'echo $$ > stage.pid
			IFS= read -r first
			printf "%s\n" "$first"
			sh -c "echo \$\$ > cat.pid; exec cat"' > trace.txt
	touch stop
	wait "$worker"
	grep -q 'tracing system-wide, without the 4 processes of this pipeline' err.txt
	grep -q "^[0-9.]* [0-9]* [0-9]* cat openat [0-9]* .* path=data " trace.txt
	cmp raw.txt trace.txt
	for p in timeout tracer tee stage cat; do
		pid=$(cat $p.pid)
		echo "# $p: $pid"
		run awk -v p="$pid" '!/^#/ && ($2 == p || $3 == p || index($0, " cpid=" p " "))' trace.txt
		assert_output ""
	done
	tail -n 1 trace.txt | grep -q '^#stat ior-trace events='
}

@test "without privileges ior-trace fails with exit 4 and says why" {
	need_bpf
	need_cmd setpriv
	run timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$IOR_BIN/ior-trace" -d 1 -o /dev/null
	assert_failure 4
	assert_line --partial "ior-trace: cannot load the BPF programs"
	assert_line --partial "needs root and a kernel with BTF"
}

@test "a stat that did not follow a symlink records the link's target as path2" {
	need_bpf
	ln -s data lnk
	cp "$IOR_T/trace-lstat" stat
	run timeout 30 ior-trace -o trace.txt -- ./stat
	assert_success
	run calls lstat
	assert_output --regexp ' lstat 0 [0-9]+ path=lnk size=4 ft=lnk fmode=0777 .* path2=data$'
	run calls stat
	assert_output --regexp ' stat 0 [0-9]+ path=lnk size=1000 ft=reg fmode=[0-7]+ nlink=1 uid=[0-9]+ gid=[0-9]+ ino=[0-9]+ dev=[0-9]+:[0-9]+$'
}

@test "a closed reader stops the capture and the loss counters still go to stderr" {
	need_bpf
	run --separate-stderr timeout 30 bash -c '
		ior-trace -- sh -c "echo \$\$ > cmd.pid; while :; do cat data > /dev/null; done" |
			head -c 100 > /dev/null
		echo "status=${PIPESTATUS[0]}"'
	wait_for cmd.pid '^[0-9]'
	kill "$(cat cmd.pid)"	# left running, as after -d
	assert_output "status=0"
	[[ $stderr == *"ior-trace: the reader went away: capture stopped"* ]]
	[[ $stderr == *"ior-trace: lost events: drops=0 unpaired=0 missed=0"* ]]
}

@test "stat, lstat, fstat, newfstatat and statx record the file as stat(1) sees it" {
	need_bpf
	trace_calls
	seen=$(stat -c 'size=%s ft=reg fmode=0%a nlink=%h uid=%u gid=%g ino=%i dev=%Hd:%Ld' "$BATS_FILE_TMPDIR/calls.d/g")
	for c in stat lstat fstat newfstatat statx; do
		run ccalls $c
		assert_output --regexp " $c 0 [0-9]+ .* $seen\$"
	done
	run ccalls statx
	assert_output --partial " mask=STATX_TYPE|STATX_MODE|"
}

@test "access, chmod and chown calls record modes, owners and flags" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls access
	assert_line --regexp " access 0 [0-9]+ path=f amode=R_OK\|W_OK$A$"
	run ccalls faccessat
	assert_output --regexp " faccessat 0 [0-9]+ dirfd=AT_FDCWD path=f amode=F_OK$A$"
	run ccalls faccessat2
	assert_output --regexp " faccessat2 -13 [0-9]+ dirfd=AT_FDCWD path=f amode=X_OK flags=AT_EACCESS err=EACCES$"
	run ccalls chmod
	assert_output --regexp " chmod 0 [0-9]+ path=f mode=0600$A$"
	run ccalls fchmod
	assert_output --regexp " fchmod 0 [0-9]+ fd=$f mode=0604$"
	run ccalls fchmodat
	assert_output --regexp " fchmodat 0 [0-9]+ dirfd=AT_FDCWD path=f mode=0640$A$"
	run ccalls fchmodat2
	assert_output --regexp " fchmodat2 0 [0-9]+ dirfd=AT_FDCWD path=f mode=0644 flags=AT_SYMLINK_NOFOLLOW$A$"
	run ccalls chown
	assert_output --regexp " chown 0 [0-9]+ path=f uid=1 gid=2$AO$"
	run ccalls fchown
	assert_output --regexp " fchown 0 [0-9]+ fd=$f uid=-1 gid=3$"
	run ccalls lchown
	assert_output --regexp " lchown 0 [0-9]+ path=f uid=4 gid=-1$AO$"
	run ccalls fchownat
	assert_output --regexp " fchownat 0 [0-9]+ dirfd=AT_FDCWD path=f uid=0 gid=0 flags=AT_SYMLINK_NOFOLLOW$AO$"
}

@test "copy_file_range, sendfile64 and splice record the offsets given, as they were at entry" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls copy_file_range
	assert_line -n 0 --regexp " copy_file_range 300 [0-9]+ fd=$f offset=100 fd2=$g offset2=200 count=300 flags=0$"
	assert_line -n 1 --regexp " copy_file_range 0 [0-9]+ fd=$f fd2=$g count=10 flags=0$"
	run ccalls sendfile64
	assert_output --regexp " sendfile64 20 [0-9]+ fd2=$g fd=$f offset=50 count=20$"
	run ccalls splice
	assert_line -n 0 --regexp " splice 30 [0-9]+ fd=$f offset=7 fd2=[0-9]+ count=30 flags=SPLICE_F_MOVE$"
	assert_line -n 1 --regexp " splice 30 [0-9]+ fd=[0-9]+ fd2=$g count=30 flags=0$"
}

@test "fcntl records lock ranges as given and each command's argument" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls fcntl
	assert_line -n 0 --regexp " fcntl 0 [0-9]+ fd=$f cmd=F_SETLK ltype=F_WRLCK whence=SEEK_SET offset=0 len=100$"
	# the kernel answers F_OFD_GETLK in the struct: the query is kept
	assert_line -n 1 --regexp " fcntl 0 [0-9]+ fd=$f cmd=F_OFD_GETLK ltype=F_RDLCK whence=SEEK_CUR offset=10 len=20$"
	assert_line -n 2 --regexp " fcntl 0 [0-9]+ fd=$f cmd=F_SETFD arg=FD_CLOEXEC$"
	assert_line -n 3 --regexp " fcntl 0 [0-9]+ fd=$f cmd=F_SETFL arg=O_NONBLOCK$"
	assert_line -n 4 --regexp " fcntl 20 [0-9]+ fd=$f cmd=F_DUPFD_CLOEXEC arg=20$"
	assert_line -n 5 --regexp " fcntl [0-9]+ [0-9]+ fd=$f cmd=F_GETFL$"
	# a write-life hint is read where the argument points, as RocksDB
	# gives it; the kernel writes the one F_GET_RW_HINT asks for
	assert_line -n 6 --regexp " fcntl 0 [0-9]+ fd=$f cmd=F_SET_RW_HINT hint=RWH_WRITE_LIFE_SHORT$"
	assert_line -n 7 --regexp " fcntl 0 [0-9]+ fd=$f cmd=F_GET_RW_HINT$"
}

@test "flock, fallocate, fadvise64, readahead, the syncs and getdents64 record their arguments" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls flock
	assert_line -n 0 --regexp " flock 0 [0-9]+ fd=$f op=LOCK_EX\|LOCK_NB$"
	assert_line -n 1 --regexp " flock 0 [0-9]+ fd=$f op=LOCK_UN$"
	run ccalls fallocate
	assert_output --regexp " fallocate 0 [0-9]+ fd=$f flags=FALLOC_FL_KEEP_SIZE offset=0 len=8192$"
	run ccalls fadvise64
	assert_output --regexp " fadvise64 0 [0-9]+ fd=$f offset=0 len=4096 advice=POSIX_FADV_SEQUENTIAL$"
	run ccalls readahead
	assert_output --regexp " readahead 0 [0-9]+ fd=$f offset=0 count=4096$"
	run ccalls sync
	assert_output --regexp " sync 0 [0-9]+$"
	run ccalls syncfs
	assert_output --regexp " syncfs 0 [0-9]+ fd=$f$"
	run ccalls sync_file_range
	assert_output --regexp " sync_file_range 0 [0-9]+ fd=$f offset=0 len=4096 flags=SYNC_FILE_RANGE_WRITE$"
	run ccalls getdents64
	assert_output --regexp " getdents64 48 [0-9]+ fd=$dfd count=8192$"
}

@test "link, symlink and readlink calls record both paths, and the target read" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls link
	assert_output --regexp " link 0 [0-9]+ path=f path2=hard$A$"
	run ccalls linkat
	assert_output --regexp " linkat 0 [0-9]+ dirfd=AT_FDCWD path=f dirfd2=$dfd path2=hard2 flags=0$A$"
	run ccalls symlink
	assert_output --regexp " symlink 0 [0-9]+ path=f path2=soft$"
	run ccalls symlinkat
	assert_output --regexp " symlinkat 0 [0-9]+ path=../f dirfd2=$dfd path2=soft2$"
	run ccalls readlink
	assert_output --regexp " readlink 1 [0-9]+ path=soft count=8192 path2=f$A$"
	# a buffer too small: the RET bytes read, not the whole target
	run ccalls readlinkat
	assert_output --regexp " readlinkat 3 [0-9]+ dirfd=$dfd path=soft2 count=3 path2=\.\./$A$"
}

@test "mknod records the file type with the mode, the caller's umask and the device" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls mknod
	assert_output --regexp " mknod 0 [0-9]+ path=fifo mode=010644 umask=0022 rdev=0:0$"
	run ccalls mknodat
	assert_output --regexp " mknodat 0 [0-9]+ dirfd=$dfd path=null mode=020600 umask=0022 rdev=1:3$"
}

@test "utime calls record the times given, now and omit, and none for a NULL pointer" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls utime
	assert_line -n 0 --regexp " utime 0 [0-9]+ path=f atime=1000000000.000000000 mtime=1100000000.000000000$A$"
	assert_line -n 1 --regexp " utime 0 [0-9]+ path=f$A$"
	run ccalls utimes
	assert_output --regexp " utimes 0 [0-9]+ path=f atime=1200000000.000005000 mtime=1300000000.000007000$A$"
	run ccalls futimesat
	assert_output --regexp " futimesat 0 [0-9]+ dirfd=$dfd path=hard2 atime=1200000000.000005000 mtime=1300000000.000007000$A$"
	run ccalls utimensat
	assert_line -n 0 --regexp " utimensat 0 [0-9]+ dirfd=AT_FDCWD path=f flags=AT_SYMLINK_NOFOLLOW atime=1400000000.123456789 mtime=omit$A$"
	assert_line -n 1 --regexp " utimensat 0 [0-9]+ dirfd=$f path= flags=0 atime=now mtime=1500000000.000000001$"
}

@test "xattr calls record the attribute's name, sizes and flags" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls setxattr
	assert_output --regexp " setxattr 0 [0-9]+ path=f name=user.a count=2 flags=XATTR_CREATE value=va$A$"
	run ccalls lsetxattr
	assert_output --regexp " lsetxattr 0 [0-9]+ path=f name=user.b count=2 flags=0 value=vb$A$"
	run ccalls fsetxattr
	assert_output --regexp " fsetxattr 0 [0-9]+ fd=$f name=user.c count=2 flags=XATTR_CREATE value=vc$"
	run ccalls getxattr
	assert_output --regexp " getxattr 2 [0-9]+ path=f name=user.a count=8192$A$"
	run ccalls lgetxattr
	assert_output --regexp " lgetxattr 2 [0-9]+ path=f name=user.b count=64$A$"
	run ccalls fgetxattr
	assert_output --regexp " fgetxattr 2 [0-9]+ fd=$f name=user.c count=64$"
	run ccalls listxattr
	assert_output --regexp " listxattr [0-9]+ [0-9]+ path=f count=8192$A$"
	run ccalls llistxattr
	assert_output --regexp " llistxattr [0-9]+ [0-9]+ path=f count=100$A$"
	run ccalls flistxattr
	assert_output --regexp " flistxattr [0-9]+ [0-9]+ fd=$f count=200$"
	run ccalls removexattr
	assert_output --regexp " removexattr 0 [0-9]+ path=f name=user.a$A$"
	run ccalls lremovexattr
	assert_output --regexp " lremovexattr 0 [0-9]+ path=f name=user.b$A$"
	run ccalls fremovexattr
	assert_output --regexp " fremovexattr 0 [0-9]+ fd=$f name=user.c$"
}

@test "statfs, getcwd, handles and memfd_create record their paths" {
	need_bpf
	trace_calls
	calls_fds
	d=$BATS_FILE_TMPDIR/calls.d
	run ccalls statfs
	assert_output --regexp " statfs 0 [0-9]+ path=f$"
	run ccalls fstatfs
	assert_output --regexp " fstatfs 0 [0-9]+ fd=$f$"
	run ccalls getcwd
	assert_output --regexp " getcwd $((${#d} + 1)) [0-9]+ count=8192 path=$d$"
	run ccalls name_to_handle_at
	assert_output --regexp " name_to_handle_at 0 [0-9]+ dirfd=AT_FDCWD path=g flags=0$"
	# the file opened, read back from /proc, with its facts as an open's
	seen=$(stat -c 'ino=%i size=%s ft=reg fs=[a-z0-9]+ fmode=0%a nlink=%h uid=%u gid=%g dev=%Hd:%Ld' "$d/g")
	run ccalls open_by_handle_at
	assert_output --regexp " open_by_handle_at [0-9]+ [0-9]+ fd=$dfd flags=O_RDONLY path=$d/g $seen$"
	run ccalls memfd_create
	assert_output --regexp " memfd_create [0-9]+ [0-9]+ path=scratch flags=MFD_CLOEXEC$"
}

@test "mmap records file mappings only, and munmap, msync and madvise their ranges" {
	need_bpf
	trace_calls
	calls_fds
	run ccalls mmap
	refute_output --partial MAP_ANONYMOUS
	assert_line --regexp " mmap [0-9]+ [0-9]+ addr=0x0 len=8192 prot=PROT_READ\|PROT_WRITE flags=MAP_SHARED fd=$f offset=4096$"
	addr=$(printf '%#x' "$(ccalls mmap | awk '/ len=8192 /{ print $6 }')")
	run ccalls msync
	assert_output --regexp " msync 0 [0-9]+ addr=$addr len=8192 flags=MS_SYNC$"
	run ccalls madvise
	assert_output --regexp " madvise 0 [0-9]+ addr=$addr len=8192 advice=MADV_WILLNEED$"
	run ccalls munmap
	assert_line --regexp " munmap 0 [0-9]+ addr=$addr len=8192$"
}

@test "recvmsg is recorded only when descriptors arrive, each followed by its ior:fd" {
	need_bpf
	trace_calls
	d=$BATS_FILE_TMPDIR/calls.d
	run ccalls recvmsg
	assert_output --regexp " recvmsg 1 [0-9]+ fd=[0-9]+ rights=[0-9]+,[0-9]+$"
	rights=$(ccalls recvmsg | sed 's/.* rights=//')
	run grep -A2 ' recvmsg ' "$BATS_FILE_TMPDIR/calls.txt"
	assert_line -n 1 --regexp " calls ior:fd 0 0 fd=${rights%,*} path=$d/f flags=O_RDWR\|O_NONBLOCK\|O_LARGEFILE offset=4096 size=4096 "
	assert_line -n 2 --regexp " calls ior:fd 0 0 fd=${rights#*,} path=$d/g flags=O_RDWR\|O_LARGEFILE offset=50 size=500 "
}

@test "close_range, vfork and unshare record their arguments" {
	need_bpf
	trace_calls
	run ccalls close_range
	assert_output --regexp " close_range 0 [0-9]+ fd=100 maxfd=4294967295 flags=CLOSE_RANGE_CLOEXEC$"
	run ccalls vfork
	assert_output --regexp " vfork [1-9][0-9]* [0-9]+$"
	child=$(ccalls vfork | awk '{ print $6 }')
	grep -q " sched:fork 0 0 child=$child cpid=$child flags=CLONE_VM$" "$BATS_FILE_TMPDIR/calls.txt"
	run ccalls unshare
	assert_output --regexp " unshare 0 [0-9]+ flags=CLONE_FS\|CLONE_FILES$"
}

@test "counts of the file calls beyond open, read and write equal strace's" {
	need_bpf
	need_cmd strace
	trace_calls
	mkdir s
	cd s
	strace -f -c -o ../strace.txt "$BATS_FILE_TMPDIR/calls"
	cd ..
	# strace 6.1 does not count fchmodat2; mmap and recvmsg are counted
	# only for files and for passed descriptors
	for c in access faccessat faccessat2 chmod fchmod fchmodat chown fchown \
		 fchownat lchown close_range copy_file_range sendfile64 splice \
		 fcntl flock fallocate fadvise64 readahead sync syncfs \
		 sync_file_range getdents64 link linkat symlink symlinkat \
		 readlink readlinkat mknod mknodat utime utimes utimensat \
		 futimesat setxattr lsetxattr fsetxattr getxattr lgetxattr \
		 fgetxattr listxattr llistxattr flistxattr removexattr \
		 lremovexattr fremovexattr statfs fstatfs getcwd \
		 name_to_handle_at open_by_handle_at memfd_create munmap msync \
		 madvise unshare vfork stat lstat fstat newfstatat statx; do
		ours=$(awk -v c="$c" '$5 == c' "$BATS_FILE_TMPDIR/calls.txt" | wc -l)
		theirs=$(awk -v c="${c%64}" -v d="$c" '$NF == c || $NF == d { print $4 }' strace.txt)
		echo "$c: ior-trace $ours strace $theirs"
		[ "$ours" -eq "${theirs:-0}" ]
	done
}

# A file is named from what the kernel said at the recvmsg, and so is a
# pipe, by its inode: not from /proc, where the descriptor may be closed
# and its number reused by then.
@test "a received file or pipe closed and reused at once is named from the kernel, never misnamed" {
	need_bpf
	echo passed > passed
	echo other > other
	cp "$IOR_T/trace-rights-reuse" reuse
	run timeout 30 ior-trace -o trace.txt -- ./reuse
	assert_success
	run calls recvmsg
	assert_output --regexp " recvmsg 1 [0-9]+ fd=[0-9]+ rights=[0-9]+,[0-9]+$"
	rights=$(calls recvmsg | sed 's/.* rights=//')
	file=${rights%,*}
	pipe=${rights#*,}
	run calls ior:fd
	refute_output --partial "path=$dir/other"
	assert_line --regexp " ior:fd 0 0 fd=$file path=$dir/passed "
	assert_line --regexp " ior:fd 0 0 fd=$pipe path=pipe:\[[0-9]+\] flags=O_RDONLY offset=0 size=0 ino=[0-9]+ ft=fifo fs=pipefs "
	run tail -n 1 trace.txt
	refute_output --partial rights_lost
}

@test "path calls record the file named, after the call, following links only when the call does" {
	need_bpf
	mkdir d
	echo hello > d/t
	ln -s t d/l
	echo moved > d/r
	cp "$IOR_T/trace-attrs" attrs
	run timeout 30 ior-trace -o trace.txt -- ./attrs
	assert_success
	st() { stat -c "$1" "d/$2"; }
	run calls fchmodat
	assert_output --regexp " fchmodat 0 [0-9]+ dirfd=[0-9]+ path=l mode=0640 $(st 'size=[0-9]+ ft=reg fmode=0640 nlink=%h uid=%u gid=%g ino=%i dev=%Hd:%Ld' t)$"
	# ior-trace looks at the file when it reads the record, after the
	# call: the link made later may have been made by then, or not.
	run calls faccessat2
	assert_output --regexp " path=l amode=F_OK flags=AT_SYMLINK_NOFOLLOW $(st 'size=1 ft=lnk fmode=0777 nlink=[12] uid=%u gid=%g ino=%i dev=%Hd:%Ld' l)$"
	run calls fchownat
	assert_output --regexp " uid=-1 gid=-1 flags=0 size=[0-9]+ ft=reg fmode=0640 nlink=1 ino=$(st %i t) dev=[0-9:]+$"
	run calls readlink
	assert_output --regexp " path=l count=64 path2=t size=1 ft=lnk fmode=0777 nlink=[12] uid=[0-9]+ gid=[0-9]+ ino=$(st %i l) "
	# truncate's own size is the length given: no second one
	run calls truncate
	assert_output --regexp " truncate 0 [0-9]+ path=t size=3 ft=reg fmode=0640 nlink=1 uid=[0-9]+ gid=[0-9]+ ino=$(st %i t) dev=[0-9:]+$"
	# rename and link: the file is found through path2
	run calls link
	assert_output --regexp " path=l path2=h size=1 ft=lnk .* ino=$(st %i l) "
	run calls rename
	assert_output --regexp " path=r path2=u size=6 ft=reg .* ino=$(st %i u) "
}

@test "a path relative to a directory descriptor closed at once, or to a cwd left, is still resolved" {
	need_bpf
	mkdir d
	ln -s target d/lnk
	cp "$IOR_T/trace-dirfd" dirfd
	run timeout 30 ior-trace -o trace.txt -- ./dirfd
	assert_success
	run calls newfstatat
	assert_output --regexp " dirfd=50 path=lnk flags=AT_SYMLINK_NOFOLLOW size=6 ft=lnk .* path2=target$"
	run calls lstat
	assert_output --regexp " path=lnk size=6 ft=lnk .* path2=target$"
}

@test "setxattr calls record the value set, escaped, unless it is over 1024 bytes" {
	need_bpf
	touch f
	setfattr -n user.probe f 2>/dev/null || skip_or_fail "no user xattrs here"
	cp "$IOR_T/trace-setxattr" value
	run timeout 30 ior-trace -o trace.txt -- ./value
	assert_success
	run calls setxattr
	assert_output --regexp " name=user.bin count=5 flags=0 value=a\\\\x20b\\\\x01\\\\x5c size="
	run calls fsetxattr
	assert_output --regexp " name=user.empty count=0 flags=0 value=$"
	run calls lsetxattr
	assert_output --regexp " name=user.big count=2000 flags=0 size="
	refute_output --partial "value="
}

@test "descriptors received and closed at once, and handles opened, are named from the kernel" {
	need_bpf
	echo passed > passed
	mkdir sub
	cp "$IOR_T/trace-kpath" kpath
	run timeout 30 ior-trace -o trace.txt -- ./kpath
	assert_success
	run calls ior:fd
	assert_line --regexp " kpath ior:fd 0 0 fd=[0-9]+ path=$dir/passed flags=O_RDWR\|O_LARGEFILE\|O_CLOEXEC offset=3 size=7 ino=$(stat -c %i passed) ft=reg fs=[a-z0-9]+ fmode=0$(stat -c %a passed) nlink=1 uid=$(id -u) gid=$(id -g) dev=$(stat -c %Hd:%Ld passed)$"
	assert_line --regexp " kpath ior:fd 0 0 fd=[0-9]+ path=/dev/null flags=O_WRONLY\|O_LARGEFILE\|O_CLOEXEC offset=0 size=0 ino=[0-9]+ ft=chr fs=[a-z0-9]+ fmode=0666 nlink=1 uid=0 gid=0 dev=[0-9]+:[0-9]+$"
	assert_line --regexp " kpath ior:fd 0 0 fd=[0-9]+ path=$dir/sub flags=.*O_DIRECTORY.* ft=dir "
	run calls open_by_handle_at
	assert_output --regexp " flags=O_RDONLY path=$dir/passed ino=$(stat -c %i passed) "
	refute_line --partial rights_lost
	run tail -n 1 trace.txt
	refute_output --partial rights_lost
}

@test "io_setup records nr_events and the context it returned, or the error" {
	need_bpf
	trace_aio
	run acalls io_setup
	assert_line --index 0 --regexp ' io_setup -22 [0-9]+ nr=4294967295 err=EINVAL$'
	assert_line --index 1 --regexp ' io_setup 0 [0-9]+ nr=8 ctx=0x[0-9a-f]+$'
}

@test "io_submit records context, nr and sub, and RET counts the iocbs accepted" {
	need_bpf
	trace_aio
	ctx=$(acalls io_setup | awk -F'ctx=' 'NF == 2 { print $2 }')
	run acalls io_submit
	assert_line --index 0 --regexp " io_submit 3 [0-9]+ ctx=$ctx nr=3 sub=[0-9]+$"
	assert_line --index 1 --regexp " io_submit 2 [0-9]+ ctx=$ctx nr=3 sub=[0-9]+$"
	assert_line --index 2 --regexp " io_submit 1 [0-9]+ ctx=$ctx nr=1 sub=[0-9]+$"
	[ "$(acalls io_submit | awk '{ print $NF }' | sort -u | wc -l)" -eq 3 ]
}

@test "each reaped AIO write records fd, offset, bytes, flags and its result" {
	need_bpf
	trace_aio
	sub=$(acalls io_submit | awk -F'sub=' 'NR == 1 { print $2 }')
	fd=$(acalls openat | awk '/path=aio.data/ { print $6 }')
	run acalls aio:pwrite
	assert_output --regexp "^[0-9.]+ [0-9]+ [0-9]+ aio aio:pwrite 4096 [1-9][0-9]* fd=$fd offset=0 count=4096 ctx=0x[0-9a-f]+ sub=$sub iocb=0x[0-9a-f]+ reap=[0-9]+$"
	run acalls aio:pwritev
	assert_output --regexp " aio:pwritev 400 [1-9][0-9]* fd=$fd offset=4096 count=400 iovcnt=2 flags=RWF_DSYNC ctx=0x[0-9a-f]+ sub=$sub iocb=0x[0-9a-f]+ reap=[0-9]+$"
	run acalls aio:fdsync
	assert_output --regexp " aio:fdsync 0 [1-9][0-9]* fd=$fd offset=0 count=0 ctx=0x[0-9a-f]+ sub=$sub iocb="
}

@test "AIO reads reaped by io_pgetevents come before it, naming it, and it records its timeout and signal mask" {
	need_bpf
	trace_aio
	sub=$(acalls io_submit | awk -F'sub=' 'NR == 2 { print $2 }')
	run acalls io_pgetevents
	assert_output --regexp ' io_pgetevents 2 [0-9]+ ctx=0x[0-9a-f]+ min_nr=2 nr=8 timeout=1.000000500 sigmask=1 reap=([0-9]+)$'
	reap=${output##*reap=}
	run acalls io_getevents
	assert_output --regexp ' io_getevents 3 [0-9]+ ctx=0x[0-9a-f]+ min_nr=3 nr=8 reap=[0-9]+$'
	run awk '$5 == "io_pgetevents" { print b; print a; exit } { b = a; a = $0 }' "$BATS_FILE_TMPDIR/aio.txt"
	assert_line --index 0 --regexp " aio:pread 4096 [1-9][0-9]* fd=[0-9]+ offset=0 count=4096 ctx=0x[0-9a-f]+ sub=$sub iocb=0x[0-9a-f]+ reap=$reap$"
	assert_line --index 1 --regexp " aio:preadv 400 [1-9][0-9]* fd=[0-9]+ offset=4096 count=400 iovcnt=1 ctx=0x[0-9a-f]+ sub=$sub iocb=0x[0-9a-f]+ reap=$reap$"
}

@test "an AIO request's TIME is its io_submit's and TIME+DUR is when the reap it names returned" {
	need_bpf
	trace_aio
	run reap_check "$BATS_FILE_TMPDIR/aio.txt"
	assert_output "5 requests"
}

@test "an iocb the kernel refused has no aio record" {
	need_bpf
	trace_aio
	run grep -c ' aio:pread .* fd=-1 ' "$BATS_FILE_TMPDIR/aio.txt"
	assert_output 0
	run acalls aio:pread
	assert_success
	[ "${#lines[@]}" -eq 1 ]
}

@test "io_cancel of a finished iocb records its context and address and fails" {
	need_bpf
	trace_aio
	iocb=$(acalls aio:pread | awk -F'iocb=' '{ split($2, v, " "); print v[1] }')
	run acalls io_cancel
	assert_output --regexp " io_cancel -22 [0-9]+ ctx=0x[0-9a-f]+ iocb=$iocb err=EINVAL$"
}

@test "io_destroy writes the requests of its context still in flight with inflight=1" {
	need_bpf
	trace_aio
	sub=$(acalls io_submit | awk -F'sub=' 'NR == 3 { print $2 }')
	run awk '$5 == "io_destroy" { print; getline; print }' "$BATS_FILE_TMPDIR/aio.txt"
	assert_line --index 0 --regexp ' io_destroy 0 [0-9]+ ctx=0x[0-9a-f]+$'
	assert_line --index 1 --regexp " aio:poll 0 0 fd=[0-9]+ offset=0 count=0 ctx=0x[0-9a-f]+ sub=$sub iocb=0x[0-9a-f]+ inflight=1$"
}

@test "io_uring_setup, io_uring_register and io_uring_enter record their arguments" {
	need_bpf
	trace_aio
	run acalls io_uring_setup
	assert_line --index 0 --regexp ' io_uring_setup -22 [0-9]+ entries=0 flags=0 err=EINVAL$'
	assert_line --index 1 --regexp ' io_uring_setup ([0-9]+) [0-9]+ entries=5 flags=IORING_SETUP_CLAMP sq=8 cq=16$'
	ring=$(acalls io_uring_setup | awk '$6 >= 0 { print $6 }')
	fd=$(acalls openat | awk '/path=aio.data/ { print $6 }')
	run acalls io_uring_register
	assert_output --regexp " io_uring_register 0 [0-9]+ fd=$ring opcode=IORING_REGISTER_FILES nr=2 fds=$fd,[0-9]+$"
	run acalls io_uring_enter
	assert_output --regexp " io_uring_enter 0 [0-9]+ fd=$ring to_submit=0 min_complete=0 flags=IORING_ENTER_GETEVENTS$"
}

@test "counts of the AIO and io_uring calls equal strace's" {
	need_bpf
	need_cmd strace
	trace_aio
	strace -f -c -o strace.txt "$BATS_FILE_TMPDIR/aio" aio.data
	for c in io_setup io_destroy io_submit io_getevents io_pgetevents \
	    io_cancel io_uring_setup io_uring_enter io_uring_register; do
		ours=$(acalls "$c" | wc -l)
		theirs=$(awk -v c="$c" '$NF == c { print $4 }' strace.txt)
		echo "$c: ior-trace $ours strace $theirs"
		[ "$ours" -eq "$theirs" ]
	done
}

@test "a request still in flight when the capture ends is written at its end with inflight=1" {
	need_bpf
	run timeout 30 ior-trace -o trace.txt -- "$BATS_FILE_TMPDIR/aio" aio.data leave
	assert_success
	run grep -c ' io_destroy ' trace.txt
	assert_output 0
	run tail -n 2 trace.txt
	assert_line --index 0 --regexp ' aio:poll 0 0 fd=[0-9]+ offset=0 count=0 ctx=0x[0-9a-f]+ sub=[0-9]+ iocb=0x[0-9a-f]+ inflight=1$'
	assert_line --index 1 --regexp '^#stat ior-trace events=[0-9]+ drops=0 unpaired=0 '
}

@test "an io_getevents of 300 events writes every request it reaped, before it, naming it" {
	need_bpf
	run timeout 30 ior-trace -o trace.txt -- "$BATS_FILE_TMPDIR/reap" many reap.data
	assert_success
	refute_output --partial aio_
	run calls io_submit
	assert_output --regexp " io_submit 300 [0-9]+ ctx=0x[0-9a-f]+ nr=300 sub=[0-9]+$"
	run calls io_getevents
	assert_output --regexp " io_getevents 300 [0-9]+ ctx=0x[0-9a-f]+ min_nr=300 nr=300 reap=[0-9]+$"
	run reap_check trace.txt
	assert_output "300 requests"
	run calls aio:pwrite
	assert_equal "$(printf '%s\n' "$output" | grep -c ' aio:pwrite 100 [0-9]* fd=[0-9]* offset=[0-9]* count=100 ctx=')" 300
	run tail -n 1 trace.txt
	refute_output --partial aio_
}

@test "an io_getevents already waiting when ior-trace -p attaches is written with early=1, and every later request pairs with its own completion" {
	need_bpf
	"$BATS_FILE_TMPDIR/reap" blocked reap.data > ids &
	prog=$!
	wait_for ids ' '
	read -r pid tid < ids
	for _ in $(seq 100); do
		if grep -q '^208 ' "/proc/$pid/task/$tid/syscall"; then
			break
		fi
		sleep 0.1
	done
	grep -q '^208 ' "/proc/$pid/task/$tid/syscall"	# in io_getevents
	timeout 30 ior-trace -p "$pid" -o trace.txt 2> err.txt &
	tracer=$!
	wait_for err.txt 'tracing'
	kill -USR1 "$pid"
	wait "$prog"
	wait "$tracer"
	run calls io_getevents
	assert_line --index 0 --regexp "^0\.000000000 $pid $tid reap io_getevents 4 [0-9]+ ctx=0x[0-9a-f]+ min_nr=4 nr=4 reap=[0-9]+ early=1$"
	assert_equal "${#lines[@]}" 5
	run reap_check trace.txt
	assert_output "15 requests"
	run grep -c ' aio:' trace.txt
	assert_output 15
	run tail -n 1 trace.txt
	assert_output --regexp ' aio_lost=0 aio_unknown=1 aio_unpaired=0$'
	run cat err.txt
	assert_line "ior-trace: 1 AIO completion of a request submitted before the capture began: not written (aio_unknown)"
}

@test "a request reaped before its io_submit returned is written right after the io_submit, naming the reap before it" {
	need_bpf
	run timeout 30 ior-trace -o trace.txt -- "$BATS_FILE_TMPDIR/reap" race reap.data
	assert_success
	refute_output --partial aio_
	run awk '$5 ~ /^(io_submit|io_getevents|aio:pwrite)$/ { print $5, $6 }' trace.txt
	assert_output "$(printf '%s\n' 'io_getevents 1' 'io_submit 2' 'aio:pwrite 4096' 'aio:pwrite 4096' 'io_getevents 1')"
	run reap_check trace.txt
	assert_output "2 requests"
}

@test "an io_submit still in the kernel when the capture ends is not written, nor its requests" {
	need_bpf
	"$BATS_FILE_TMPDIR/reap" stuck reap.data > ids &
	prog=$!
	wait_for ids '[0-9]'
	read -r pid < ids
	timeout 30 ior-trace -p "$pid" -o trace.txt 2> err.txt &
	tracer=$!
	wait_for err.txt 'tracing'
	kill -USR1 "$pid"
	for _ in $(seq 100); do
		if grep -q '^209 ' "/proc/$pid/syscall"; then
			break
		fi
		sleep 0.1
	done
	grep -q '^209 ' "/proc/$pid/syscall"	# in io_submit
	kill -INT "$tracer"
	wait "$tracer"
	kill -KILL "$prog"
	run wait "$prog"
	run grep -c -E ' (io_submit|aio:pwrite) ' trace.txt
	assert_output 0
	run tail -n 1 trace.txt
	assert_output --regexp '^#stat ior-trace events=[0-9]+ drops=0 unpaired=0 missed=0$'
}

@test "an iocb submitted again while in flight: both requests are written with pair=unknown, neither claiming a completion" {
	need_bpf
	run timeout 30 ior-trace -o trace.txt -- "$BATS_FILE_TMPDIR/reap" twice reap.data
	assert_success
	assert_line "ior-trace: 2 AIO requests whose completion could not be told from another's: written with pair=unknown (aio_unpaired)"
	assert_line "ior-trace: 1 AIO completion of a request submitted before the capture began: not written (aio_unknown)"
	run calls aio:poll
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp " aio:poll 0 0 fd=[0-9]+ offset=0 count=0 ctx=0x[0-9a-f]+ sub=[0-9]+ iocb=0x[0-9a-f]+ pair=unknown$"
	assert_line --index 1 --regexp " aio:poll [1-9][0-9]* [0-9]+ fd=[0-9]+ offset=0 count=0 ctx=0x[0-9a-f]+ sub=[0-9]+ iocb=0x[0-9a-f]+ reap=[0-9]+ pair=unknown$"
	run tail -n 1 trace.txt
	assert_output --regexp ' aio_lost=0 aio_unknown=1 aio_unpaired=2$'
}

# Trace the uring program once: ucalls prints the records whose CALL is $1.
trace_uring() {
	if [ -s "$BATS_FILE_TMPDIR/uring.txt" ]; then
		return 0
	fi
	timeout 30 env -C "$BATS_FILE_TMPDIR" \
		ior-trace -o uring.txt -- ./uring uring.data
}

ucalls() {
	awk -v c="$1" '$5 == c' "$BATS_FILE_TMPDIR/uring.txt"
}

@test "each io_uring request records its ring, fd, offset, count, user_data, result and latency" {
	need_bpf
	trace_uring
	ring=$(ucalls io_uring_setup | awk '{ print $6 }')
	fd=$(ucalls openat | awk '/path=uring.data/ { print $6 }')
	[ -n "$ring" ]
	[ -n "$fd" ]
	run ucalls uring:write
	assert_line --index 0 --regexp "^[0-9.]+ [0-9]+ [0-9]+ uring uring:write 4096 [1-9][0-9]* ring=$ring fd=$fd offset=8192 count=4096 sqe_flags=0 user_data=0x1234 exec=(inline|iowq) sub=[0-9]+$"
	run ucalls uring:read
	assert_line --index 0 --regexp "^[0-9.]+ [0-9]+ [0-9]+ uring uring:read 100 [1-9][0-9]* ring=$ring fd=$fd offset=8200 count=100 sqe_flags=0 user_data=0x5678 exec=(inline|iowq) sub=[0-9]+$"
}

@test "every io_uring request of a batch is recorded once, with its link flag" {
	need_bpf
	trace_uring
	run awk '$5 == "uring:write" && / count=512 / { n++; match($0, / offset=[0-9]+/); o[substr($0, RSTART, RLENGTH)]++ }
	    END { print n, length(o) }' "$BATS_FILE_TMPDIR/uring.txt"
	assert_output "16 16"
	run ucalls uring:write
	assert_line --regexp " uring:write 512 [1-9][0-9]* ring=[0-9]+ fd=[0-9]+ offset=16384 count=512 sqe_flags=IOSQE_IO_LINK user_data=0x64 exec=(inline|iowq) sub=[0-9]+$"
	run awk '$5 ~ /^uring:/ { n++ } END { print n }' "$BATS_FILE_TMPDIR/uring.txt"
	assert_output 19
	run tail -n 1 "$BATS_FILE_TMPDIR/uring.txt"
	assert_output --regexp '^#stat ior-trace events=[0-9]+ drops=0 unpaired=0 missed=0$'
}

@test "a request on a registered file records its index as fixed" {
	need_bpf
	trace_uring
	run ucalls uring:read
	assert_line --index 1 --regexp " uring:read 10 [1-9][0-9]* ring=[0-9]+ fixed=0 offset=0 count=10 sqe_flags=IOSQE_FIXED_FILE user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
}

@test "an io_uring request's TIME is within the io_uring_enter of its thread that submitted it" {
	need_bpf
	trace_uring
	run awk '
	function ns(t,  p) { split(t, p, "."); return p[1] * 1000000000 + p[2] }
	$5 == "io_uring_enter" && $6 > 0 { e[++ne] = ns($1); d[ne] = $7; tid[ne] = $3 }
	$5 ~ /^uring:/ { r[++nr] = ns($1); rt[nr] = $3 }
	END {
		for (i = 1; i <= nr; i++) {
			ok = 0
			for (j = 1; j <= ne; j++)
				if (r[i] >= e[j] && r[i] <= e[j] + d[j] && rt[i] == tid[j])
					ok = 1
			if (!ok)
				print "not within an io_uring_enter: request " i
		}
		print nr " requests"
	}' "$BATS_FILE_TMPDIR/uring.txt"
	assert_output "19 requests"
}

# Trace the ring program once: rcalls prints the records whose CALL is $1.
trace_ring() {
	if [ -s "$BATS_FILE_TMPDIR/ring.txt" ]; then
		return 0
	fi
	umask 022
	timeout 30 env -C "$BATS_FILE_TMPDIR" ior-trace -o ring.txt -- ./ring
}

rcalls() {
	awk -v c="$1" '$5 == c' "$BATS_FILE_TMPDIR/ring.txt"
}

# The ring program's rings: the first, and the SQPOLL one.
ring_fds() {
	ring=$(rcalls io_uring_setup | awk 'NR == 1 { print $6 }')
	sqring=$(rcalls io_uring_setup | awk '/SQPOLL/ { print $6 }')
	[ -n "$ring" ]
	[ -n "$sqring" ]
}

@test "an openat through the ring records dirfd, path, flags, mode and umask, and its descriptor is used, closed and refused" {
	need_bpf
	trace_ring
	ring_fds
	run rcalls uring:openat
	assert_line --index 0 --regexp "^[0-9.]+ [0-9]+ [0-9]+ ring uring:openat ([0-9]+) [1-9][0-9]* ring=$ring dirfd=AT_FDCWD path=ring.data flags=O_RDWR\|O_CREAT\|O_TRUNC mode=0640 umask=0022 sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
	fd=$(rcalls uring:openat | awk 'NR == 1 { print $6 }')
	run rcalls uring:read
	assert_line --index 0 --regexp " uring:read 100 [1-9][0-9]* ring=$ring fd=$fd offset=10 count=100 sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
	assert_line --index 1 --regexp " uring:read -9 [0-9]+ ring=$ring fd=$fd offset=0 count=10 sqe_flags=0 user_data=0x0 exec=inline sub=[0-9]+ err=EBADF$"
	run rcalls uring:close
	assert_line --index 0 --regexp " uring:close 0 [1-9][0-9]* ring=$ring fd=$fd sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
}

@test "fsync with datasync, fallocate and statx through the ring record their keys" {
	need_bpf
	trace_ring
	ring_fds
	fd=$(rcalls uring:openat | awk 'NR == 1 { print $6 }')
	run rcalls uring:fsync
	assert_output --regexp " uring:fsync 0 [1-9][0-9]* ring=$ring fd=$fd datasync=1 sqe_flags=IOSQE_IO_LINK user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
	run rcalls uring:fallocate
	assert_output --regexp " uring:fallocate 0 [1-9][0-9]* ring=$ring fd=$fd offset=0 len=16384 mode=0 sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
	run rcalls uring:statx
	assert_output --regexp " uring:statx 0 [1-9][0-9]* ring=$ring dirfd=AT_FDCWD path=ring.data flags=AT_SYMLINK_NOFOLLOW mask=STATX_SIZE sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
}

@test "a batch of linked requests shares the sub of the io_uring_enter that submitted it" {
	need_bpf
	trace_ring
	run awk '$5 == "io_uring_enter" && $6 == 3 { print $NF }' "$BATS_FILE_TMPDIR/ring.txt"
	assert_output --regexp '^sub=[0-9]+$'
	sub=$output
	run awk -v s="$sub" '$5 ~ /^uring:/ && $NF == s { print $5 }' "$BATS_FILE_TMPDIR/ring.txt"
	assert_output "$(printf 'uring:write\nuring:fsync\nuring:fallocate')"
}

@test "each io_uring_enter that submits has a sub, named by exactly as many requests as it submitted" {
	need_bpf
	trace_ring
	trace_uring
	ring_fds
	for f in ring uring; do
		# the SQPOLL ring's enters submit nothing themselves
		sq=-1
		if [ $f = ring ]; then
			sq=$sqring
		fi
		run awk -v sq="$sq" '
		$5 == "io_uring_enter" && $6 > 0 && $0 !~ " fd=" sq " " {
			if (!match($0, / sub=[0-9]+/)) { print "no sub: " $0; next }
			want[substr($0, RSTART + 5, RLENGTH - 5)] = $6; tid[substr($0, RSTART + 5, RLENGTH - 5)] = $3
		}
		$5 ~ /^uring:/ && match($0, / sub=[0-9]+/) {
			s = substr($0, RSTART + 5, RLENGTH - 5); got[s]++
			if (rt[s] == "") rt[s] = $3
		}
		END {
			for (s in want) {
				n++
				if (got[s] != want[s] || rt[s] != tid[s])
					print "sub " s ": " got[s] " requests, enter submitted " want[s]
			}
			for (s in got) if (!(s in want)) print "sub " s ": no enter"
			print n " enters"
		}' "$BATS_FILE_TMPDIR/$f.txt"
		assert_output --regexp '^[1-9][0-9]* enters$'
	done
}

@test "an openat into a registered-file slot records the slot, and requests on it and its close record fixed" {
	need_bpf
	trace_ring
	ring_fds
	run rcalls uring:openat
	assert_line --index 1 --regexp " uring:openat 0 [1-9][0-9]* ring=$ring dirfd=AT_FDCWD path=ring.data flags=O_RDWR mode=0 slot=1 sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
	run rcalls uring:write
	assert_line --regexp " uring:write 100 [1-9][0-9]* ring=$ring fixed=1 offset=4096 count=100 sqe_flags=IOSQE_FIXED_FILE user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
	run rcalls uring:close
	assert_line --index 1 --regexp " uring:close 0 [1-9][0-9]* ring=$ring fixed=1 sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
}

@test "io_uring_register records the files and buffers registered, and an update's first slot" {
	need_bpf
	trace_ring
	ring_fds
	pfd=$(rcalls openat | awk '/path=ring.data flags=O_RDONLY / { print $6 }')
	[ -n "$pfd" ]
	run rcalls io_uring_register
	assert_line --index 0 --regexp " io_uring_register 0 [0-9]+ fd=$ring opcode=IORING_REGISTER_FILES2 nr=4 fds=-1,-1,-1,-1$"
	assert_line --index 1 --regexp " io_uring_register 1 [0-9]+ fd=$ring opcode=IORING_REGISTER_FILES_UPDATE nr=1 offset=2 fds=$pfd$"
	assert_line --index 2 --regexp " io_uring_register 0 [0-9]+ fd=$ring opcode=IORING_REGISTER_BUFFERS nr=2 lens=4096,8192$"
	run rcalls uring:read
	assert_line --regexp " uring:read 10 [1-9][0-9]* ring=$ring fixed=2 offset=0 count=10 sqe_flags=IOSQE_FIXED_FILE "
}

@test "requests on registered buffers record the buffer's index" {
	need_bpf
	trace_ring
	ring_fds
	wfd=$(rcalls openat | awk '/path=ring.data flags=O_RDWR / { print $6 }')
	[ -n "$wfd" ]
	run rcalls uring:write_fixed
	assert_output --regexp " uring:write_fixed 512 [1-9][0-9]* ring=$ring fd=$wfd offset=0 count=512 buf=1 sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
	run rcalls uring:read_fixed
	assert_output --regexp " uring:read_fixed 1000 [1-9][0-9]* ring=$ring fd=$wfd offset=0 count=1000 buf=0 sqe_flags=0 user_data=0x0 exec=(inline|iowq) sub=[0-9]+$"
}

@test "a failing io_uring_register records its arguments and error" {
	need_bpf
	trace_ring
	ring_fds
	run rcalls io_uring_register
	assert_line --index 3 --regexp " io_uring_register -22 [0-9]+ fd=$ring opcode=0xff nr=0 err=EINVAL$"
	assert_line --index 4 --regexp " io_uring_register -9 [0-9]+ fd=1000 opcode=IORING_REGISTER_FILES nr=1 fds=[0-9]+ err=EBADF$"
}

@test "requests of an SQPOLL ring are the process's, each with its thread's batch and no sub, and its enters have none" {
	need_bpf
	trace_ring
	ring_fds
	pid=$(rcalls io_uring_setup | awk 'NR == 1 { print $2 }')
	run awk -v r="ring=$sqring" '$5 ~ /^uring:/ && $8 == r' "$BATS_FILE_TMPDIR/ring.txt"
	assert_line --index 0 --regexp "^[0-9.]+ $pid $pid ring uring:write 300 [1-9][0-9]* ring=$sqring fd=[0-9]+ offset=8192 count=300 sqe_flags=0 user_data=0x0 exec=(sqpoll|iowq) batch=[1-9][0-9]*$"
	assert_line --index 1 --regexp "^[0-9.]+ $pid $pid ring uring:read 200 [1-9][0-9]* ring=$sqring fd=[0-9]+ offset=8192 count=200 sqe_flags=0 user_data=0x0 exec=sqpoll batch=[1-9][0-9]*$"
	[ "${#lines[@]}" -eq 2 ]
	# submitted one after the other: two passes of the thread
	[ "${lines[0]##* batch=}" != "${lines[1]##* batch=}" ]
	run awk -v f="fd=$sqring" '$5 == "io_uring_enter" && $8 == f && / sub=/' "$BATS_FILE_TMPDIR/ring.txt"
	assert_output ""
}

@test "a request that posts no completion is counted as uring_lost" {
	need_bpf
	trace_ring
	ring_fds
	run awk -v r="ring=$sqring" '$5 ~ /^uring:/ && $8 == r && / count=10 /' "$BATS_FILE_TMPDIR/ring.txt"
	assert_output ""
	run tail -n 1 "$BATS_FILE_TMPDIR/ring.txt"
	assert_output --regexp '^#stat ior-trace events=[0-9]+ drops=0 unpaired=0 missed=0 uring_lost=1$'
}

@test "counts of io_uring_setup, io_uring_enter and io_uring_register through liburing equal strace's" {
	need_bpf
	need_cmd strace
	trace_ring
	# one run: how often liburing enters depends on timing
	run timeout 60 ior-trace -o trace.txt -- strace -f -c -o strace.txt "$BATS_FILE_TMPDIR/ring"
	assert_success
	for c in io_uring_setup io_uring_enter io_uring_register; do
		ours=$(awk -v c="$c" '$5 == c && $4 == "ring"' trace.txt | wc -l)
		theirs=$(awk -v c="$c" '$NF == c { print $4 }' strace.txt)
		echo "$c: ior-trace $ours strace $theirs"
		[ "$ours" -eq "$theirs" ]
	done
}
