#!/usr/bin/env bats
# ior-stats: per-call tables and capture-vs-replay comparison.

load helpers
load streams
bats_require_minimum_version 1.5.0

setup() {
	D=$(scratch)
}

# The -t row of CALL in the output of the last `run`.
tab_row() {
	printf '%s\n' "$output" | awk -F'\t' -v c="$1" '$1 == c'
}

# Field N (1 = call) of CALL's -t row.
tab_field() {
	tab_row "$1" | cut -f"$2"
}

# A capture with known counts, errors and bytes.
capture() {
	stream map
	echo "#meta ior-map cwd.1=/srv"
	rec 1 1 openat 3 1000 dirfd=AT_FDCWD path=/srv/x flags=O_RDONLY mode=0
	rec 1 1 openat -2 3000 dirfd=AT_FDCWD path=/srv/y flags=O_RDONLY err=ENOENT
	rec 1 1 read 4096 200 fd=3 count=4096
	rec 1 1 read 10 100 fd=3 count=4096
	rec 1 1 read 0 50 fd=3 count=4096
	rec 1 1 read -9 20 fd=9 count=4096 err=EBADF
	rec 1 1 pwrite64 512 700 fd=3 count=512 offset=0
	rec 1 1 writev 300 400 fd=3 iovcnt=2 count=300
	rec 1 1 close 0 10 fd=3
}

@test "counts, errors and bytes are exact per call" {
	capture > "$D/c.ior"
	run ior-stats -t "$D/c.ior"
	assert_success
	assert_equal "$(tab_row read | cut -f2-5)" "$(printf '4\t1\t4106\t0')"
	assert_equal "$(tab_row openat | cut -f2-5)" "$(printf '2\t1\t0\t0')"
	assert_equal "$(tab_row pwrite64 | cut -f2-5)" "$(printf '1\t0\t0\t512')"
	assert_equal "$(tab_row writev | cut -f2-5)" "$(printf '1\t0\t0\t300')"
	assert_equal "$(tab_row TOTAL | cut -f2-6)" "$(printf '9\t2\t4106\t812\t5480')"
}

@test "aio and io_uring reads and writes count as bytes read and written" {
	{
		stream trace
		rec 1 1 aio:pread 100 1
		rec 1 1 aio:preadv 20 1
		rec 1 1 uring:read_fixed 3 1
		rec 1 1 aio:pwrite 1000 1
		rec 1 1 uring:writev 7 1
		rec 1 1 uring:fsync 0 1
	} > "$D/a.ior"
	run ior-stats -t "$D/a.ior"
	assert_success
	assert_equal "$(tab_field aio:preadv 4)" 20
	assert_equal "$(tab_field uring:read_fixed 4)" 3
	assert_equal "$(tab_field uring:writev 5)" 7
	assert_equal "$(tab_field uring:fsync 4)$(tab_field uring:fsync 5)" 00
	assert_equal "$(tab_row TOTAL | cut -f4-5)" "$(printf '123\t1007')"
}

@test "io_uring reads and writes the replay does not issue count their bytes too" {
	{
		stream trace
		rec 1 1 uring:read_multishot 10 1
		rec 1 1 uring:readv_fixed 200 1
		rec 1 1 uring:writev_fixed 3000 1
		rec 1 1 uring:recv 40000 1
	} > "$D/a.ior"
	run ior-stats -t "$D/a.ior"
	assert_success
	assert_equal "$(tab_field uring:read_multishot 4)" 10
	assert_equal "$(tab_field uring:readv_fixed 4)" 200
	assert_equal "$(tab_field uring:writev_fixed 5)" 3000
	# A socket's receive moves no file's bytes.
	assert_equal "$(tab_field uring:recv 4)$(tab_field uring:recv 5)" 00
	assert_equal "$(tab_row TOTAL | cut -f4-5)" "$(printf '210\t3000')"
}

@test "time, mean and max are exact, and the top percentile is the maximum" {
	{
		stream trace
		rec 1 1 fsync 0 1000
		rec 1 1 fsync 0 3000
	} > "$D/f.ior"
	run ior-stats -t "$D/f.ior"
	assert_success
	assert_equal "$(tab_row fsync | cut -f6,7,11)" "$(printf '4000\t2000\t3000')"
	# The top percentile of two samples is the exact maximum.
	assert_equal "$(tab_field fsync 10)" 3000
}

@test "percentiles of DUR 1..1000 are within the histogram's error" {
	{
		stream trace
		for i in $(seq 1 1000); do rec 1 1 fsync 0 "$((i * 1000))"; done
	} > "$D/p.ior"
	run ior-stats -t "$D/p.ior"
	assert_success
	p50=$(tab_field fsync 8) p95=$(tab_field fsync 9) p99=$(tab_field fsync 10)
	within() { awk -v v="$1" -v t="$2" 'BEGIN { e = (v - t) / t; exit !(e < 0.07 && e > -0.07) }'; }
	within "$p50" 500000 || fail "p50 $p50 is not within 7% of 500000"
	within "$p95" 950000 || fail "p95 $p95 is not within 7% of 950000"
	within "$p99" 990000 || fail "p99 $p99 is not within 7% of 990000"
	assert_equal "$(tab_field fsync 7)" 500500
	assert_equal "$(tab_field fsync 11)" 1000000
}

@test "-t writes exact integers in every numeric column and a named header" {
	capture > "$D/c.ior"
	run ior-stats -t "$D/c.ior"
	assert_success
	assert_line --index 0 "$(printf 'call\tcount\terrors\tread_bytes\twritten_bytes\ttime_ns\tmean_ns\tp50_ns\tp95_ns\tp99_ns\tmax_ns')"
	bad=$(printf '%s\n' "$output" | sed 1d | cut -f2- | tr '\t' '\n' | grep -cv '^[0-9][0-9]*$' || true)
	assert_equal "$bad" 0
}

@test "the default table uses human units, aligned under a header" {
	{
		stream trace
		rec 1 1 read 1048576 1500000 fd=3 count=1048576
		rec 1 1 write 2048 2500 fd=3 count=2048
	} > "$D/h.ior"
	run ior-stats "$D/h.ior"
	assert_success
	assert_line --index 0 --regexp '^CALL +COUNT +ERRORS +READ +WRITTEN +TIME +MEAN +P50 +P95 +P99 +MAX$'
	assert_line --regexp '^read +1 +0 +1\.00MiB +- +1\.50ms '
	assert_line --regexp '^write +1 +0 +- +2\.00KiB +2\.50us '
	assert_line --regexp '^TOTAL +2 +0 +1\.00MiB +2\.00KiB +1\.50ms '
	# Every table line is as long as the header: the columns align.
	w=$(printf '%s\n' "${lines[@]:0:4}" | awk '{ print length($0) }' | sort -u | wc -l)
	assert_equal "$w" 1
}

@test "rows are sorted by total time by default, and by -s count, bytes or name" {
	{
		stream trace
		rec 1 1 fsync 0 900
		rec 1 1 read 10 10
		rec 1 1 read 10 10
		rec 1 1 read 10 10
		rec 1 1 write 1000 100
		rec 1 1 write 1000 100
	} > "$D/s.ior"
	order() { printf '%s\n' "$output" | sed '1d;$d' | cut -f1 | tr '\n' ' '; }
	run ior-stats -t "$D/s.ior"
	assert_equal "$(order)" "fsync write read "
	run ior-stats -t -s count "$D/s.ior"
	assert_equal "$(order)" "read write fsync "
	run ior-stats -t -s bytes "$D/s.ior"
	assert_equal "$(order)" "write read fsync "
	run ior-stats -t --sort=name "$D/s.ior"
	assert_equal "$(order)" "fsync read write "
}

@test "several files are summed into one table" {
	capture > "$D/c1.ior"
	capture > "$D/c2.ior"
	run ior-stats -t "$D/c1.ior" "$D/c2.ior"
	assert_success
	assert_equal "$(tab_row read | cut -f2-4)" "$(printf '8\t2\t8212')"
	assert_equal "$(tab_field TOTAL 2)" 18
}

@test "standard input is read when no file is named" {
	capture > "$D/c.ior"
	run ior-stats -t < "$D/c.ior"
	assert_success
	assert_equal "$(tab_field TOTAL 2)" 9
}

@test "init and process records are not counted as calls" {
	{
		stream replay
		init init:dir path=/srv mode=0755
		init init:file path=/srv/x size=10 mode=0644
		rec 1 1 sched:fork 0 0 child=2 cpid=1 flags=CLONE_VM
		rec 1 1 ior:fd 0 0 fd=0 path=/dev/null flags=O_RDONLY offset=0
		rec 1 1 read 10 5 fd=3 count=10
		rec 1 1 sched:exit 0 0 code=0 group=1
	} > "$D/r.ior"
	run ior-stats -t "$D/r.ior"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$(tab_field TOTAL 2)" 1
	refute_output --partial init:
	refute_output --partial sched:
	run ior-stats "$D/r.ior"
	assert_success
	assert_line "not timed: ior:fd 1, sched:exit 1, sched:fork 1"
}

@test "a stream without operations has nothing to report and exits 1" {
	{ stream trace; echo '#stat ior-trace events=0'; } > "$D/e.ior"
	run ior-stats "$D/e.ior"
	assert_failure 1
	assert_output --partial "nothing to report"
	{
		stream replay
		init init:dir path=/srv mode=0755
	} > "$D/i.ior"
	run ior-stats "$D/i.ior"
	assert_failure 1
}

@test "--compare of equal streams exits 0 and marks nothing" {
	capture > "$D/a.ior"
	capture | sed 's/^#ior 1 map/#ior 1 result/' > "$D/b.ior"
	run ior-stats --compare "$D/a.ior" "$D/b.ior"
	assert_success
	assert_line --index 0 "A: $D/a.ior"
	assert_line --index 2 --regexp '^CALL +COUNT-A +COUNT-B +BYTES-A +BYTES-B +MEAN-A +MEAN-B +P50-A +P50-B +P99-A +P99-B +B/A +DIFF$'
	refute_output --partial '*'
	assert_line --regexp '^read +4 +4 +4\.01KiB +4\.01KiB .* 1\.00$'
}

@test "--compare reports the ratio of mean latencies B/A" {
	{ stream replay; rec 1 1 fsync 0 1000; rec 1 1 fsync 0 3000; } > "$D/a.ior"
	{ stream result; rec 1 1 fsync 0 5000; rec 1 1 fsync 0 3000; } > "$D/b.ior"
	run ior-stats -t --compare "$D/a.ior" "$D/b.ior"
	assert_success
	assert_equal "$(tab_row fsync | cut -f2-3,6-7,12-13)" \
		"$(printf '2\t2\t2000\t4000\t2.0000\t0')"
}

@test "--compare with a missing call exits 1 and marks its row and the total" {
	capture > "$D/a.ior"
	capture | grep -v ' writev ' > "$D/b.ior"
	run ior-stats --compare "$D/a.ior" "$D/b.ior"
	assert_failure 1
	assert_line --regexp '^writev +1 +0 +300B +- .* \*$'
	assert_line --regexp '^TOTAL +9 +8 .* \*$'
	assert_line --regexp '^read +4 +4 .* 1\.00$'
}

@test "--compare with different bytes exits 1 and marks the row" {
	capture > "$D/a.ior"
	capture | sed 's/ pwrite64 512 / pwrite64 511 /' > "$D/b.ior"
	run ior-stats -t --compare "$D/a.ior" "$D/b.ior"
	assert_failure 1
	assert_equal "$(tab_row pwrite64 | cut -f2-5,13)" "$(printf '1\t1\t512\t511\t1')"
	assert_equal "$(tab_field read 13)" 0
}

@test "--compare shows a call only in B" {
	capture > "$D/a.ior"
	{ capture; rec 1 1 fsync 0 10 fd=3; } > "$D/b.ior"
	run ior-stats -t --compare "$D/a.ior" "$D/b.ior"
	assert_failure 1
	assert_equal "$(tab_row fsync | cut -f2,3,6,7,13)" "$(printf '0\t1\t-\t10\t1')"
}

@test "-h prints usage to stdout, --version the version" {
	run ior-stats -h
	assert_success
	assert_line --index 0 --partial "usage: ior-stats"
	run ior-stats --version
	assert_success
	assert_output --regexp '^ior-stats \(ior\) [0-9]'
}

@test "bad usage exits 2 with usage on stderr" {
	capture > "$D/a.ior"
	run ior-stats -x "$D/a.ior"
	assert_failure 2
	run ior-stats -s size "$D/a.ior"
	assert_failure 2
	assert_output --partial 'unknown sort key "size"'
	run ior-stats --compare "$D/a.ior"
	assert_failure 2
	assert_output --partial usage:
	run ior-stats --compare - -
	assert_failure 2
}

@test "a missing file is a system error" {
	run ior-stats "$D/nope.ior"
	assert_failure 4
	assert_output --partial "$D/nope.ior"
}

@test "more distinct calls than the cap is refused as bad input" {
	{
		stream trace
		for i in $(seq 1 4097); do rec 1 1 "c$i" 0 1; done
	} > "$D/many.ior"
	run ior-stats "$D/many.ior"
	assert_failure 3
	assert_output "ior-stats: $D/many.ior:4098: CALL: more than 4096 distinct calls"
}

# Bad input: each case is checked in both modes; the error is one line
# naming input and line, exit 3, nothing on stdout.
bad_input() {
	local f=$1 want=$2
	capture > "$D/good.ior"
	for mode in stats compare; do
		if [ $mode = stats ]; then
			run --separate-stderr timeout 10 ior-stats "$D/good.ior" "$f"
		else
			run --separate-stderr timeout 10 ior-stats --compare "$D/good.ior" "$f"
		fi
		assert_failure 3
		assert_equal "$output" ""
		assert_equal "${#stderr_lines[@]}" 1
		[[ $stderr == "ior-stats: $f:"* ]] || fail "error does not name the input: $stderr"
		[[ $stderr == *"$want"* ]] || fail "expected \"$want\" in: $stderr"
	done
}

@test "random bytes are refused" {
	head -c 4096 /dev/urandom > "$D/rand"
	bad_input "$D/rand" ":1: "
}

@test "a truncated last line is refused" {
	capture | head -c -1 > "$D/trunc.ior"
	bad_input "$D/trunc.ior" ":11: truncated line"
}

@test "a non-numeric DUR is refused naming the field" {
	{ stream trace; rec 1 1 read 10 1x0; } > "$D/dur.ior"
	bad_input "$D/dur.ior" ":2: DUR: not a number"
}

@test "a non-numeric RET is refused naming the field" {
	{ stream trace; rec 1 1 read 10 10; rec 1 1 read ten 10; } > "$D/ret.ior"
	bad_input "$D/ret.ior" ":3: RET: not a number"
}

@test "a NUL byte is refused" {
	{ stream trace; rec 1 1 read 10 10; printf '0.1 1 1 a\0b read 1 1\n'; } > "$D/nul.ior"
	bad_input "$D/nul.ior" ":3: NUL byte"
}

@test "a 1 MiB field is refused" {
	{ stream trace; printf '0.1 1 1 app read 1 1 path='; head -c 1048576 /dev/zero | tr '\0' a; echo; } > "$D/big.ior"
	bad_input "$D/big.ior" ":2: line longer than"
}

@test "empty input is refused" {
	: > "$D/empty.ior"
	bad_input "$D/empty.ior" "empty input"
}

@test "a stream of an unknown format version is refused" {
	{ echo "#ior 2 trace"; rec 1 1 read 1 1; } > "$D/v2.ior"
	bad_input "$D/v2.ior" ":1: format version 2"
}

@test "replay results that were not issued (skip=) are neither counted nor timed" {
	stream result - > "$D/r" <<-EOF
	0.000001000 1 1 app write 10 500 seq=1 fd=3 count=10 cret=10 cdur=400
	0.000002000 1 1 app write 0 0 seq=2 fd=4 count=10 skip=nofd cret=10 cdur=400
	EOF
	run ior-stats -t "$D/r"
	assert_success
	assert_line --regexp '^write	1	0	0	10	'
	# Time, mean, p50 and max are the issued write's alone (500 ns): the
	# skipped one's 0 is not among them.
	assert_equal "$(tab_row write | cut -f6-8,11)" "$(printf '500\t500\t500\t500')"
	run ior-stats "$D/r"
	assert_success
	assert_line 'not issued (skip=): 1'
}

@test "copy_file_range, sendfile64 and splice count their bytes as read and written" {
	stream trace - > "$D/c" <<-EOF
	0.000001000 1 1 app copy_file_range 4096 500 fd=3 fd2=4 count=4096 flags=0
	0.000002000 1 1 app sendfile64 100 500 fd2=4 fd=3 count=100
	0.000003000 1 1 app splice -22 500 fd=3 fd2=5 count=10 flags=0 err=EINVAL
	EOF
	run ior-stats -t "$D/c"
	assert_success
	assert_line --regexp '^copy_file_range	1	0	4096	4096	'
	assert_line --regexp '^sendfile64	1	0	100	100	'
	assert_line --regexp '^splice	1	1	0	0	'
	assert_line --regexp '^TOTAL	3	1	4196	4196	'
}

# ---- async requests: per-op latency and in-flight depth over time ----

# The depth table of the last `run` with -t: the lines after the header
# whose first field is time_ns.
depth_rows() {
	printf '%s\n' "$output" | awk -F'\t' 'f { print } $1 == "time_ns" { f = 1 }'
}

@test "async requests are rows of their own after the system calls, timed from submission to completion" {
	{
		stream trace
		rec 1 1 io_uring_enter 2 1000 fd=5 to_submit=2 min_complete=0 flags=0 sub=1
		rec_at 0.000010000 1 1 uring:read 4096 7000 ring=5 fd=3 offset=0 count=4096 exec=inline sub=1
		rec_at 0.000010000 1 1 uring:read 4096 9000 ring=5 fd=3 offset=4096 count=4096 exec=iowq sub=1
		rec 1 1 fsync 0 500 fd=3
	} > "$D/u.ior"
	run ior-stats -t "$D/u.ior"
	assert_success
	# DUR is the latency: mean and max of the two requests.
	assert_equal "$(tab_row uring:read | cut -f2,4,7,11)" "$(printf '2\t8192\t8000\t9000')"
	# Sorted by time, but after every system call, as a block.
	assert_equal "$(printf '%s\n' "$output" | sed '1d' | cut -f1 | sed -n 1,4p | tr '\n' ' ')" \
		"io_uring_enter fsync uring:read TOTAL "
}

@test "requests in flight at the end (inflight=1) are counted apart, without bytes or latency" {
	{
		stream trace
		rec_at 0.000001000 1 1 aio:pwrite 4096 2000 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 0.000002000 1 1 aio:pwrite 0 0 fd=3 offset=4096 count=4096 ctx=0x1 sub=1 iocb=0x2 inflight=1
		rec_at 0.000002000 1 1 uring:read 0 0 ring=5 fd=3 offset=0 count=4096 sub=2 inflight=1
	} > "$D/i.ior"
	run ior-stats -t -r calls "$D/i.ior"
	assert_success
	assert_equal "$(tab_row aio:pwrite | cut -f2,5,7,11)" "$(printf '1\t4096\t2000\t2000')"
	assert_equal "$(tab_row uring:read | cut -f2,7)" "$(printf '0\t-')"
	run ior-stats -r calls "$D/i.ior"
	assert_success
	assert_line "in flight at end (inflight=1): aio:pwrite 1, uring:read 1"
}

@test "the depth table is the time-weighted mean and the peak of requests in flight, in any record order" {
	# [0,4ms) [1,3ms) [2,6ms) [5,6ms), written in order of completion.
	{
		stream trace
		rec_at 0.001000000 1 1 aio:pread 4096 2000000 fd=3 offset=0 count=4096 ctx=0x1 sub=2 iocb=0x2
		rec_at 0.000000000 1 1 aio:pread 4096 4000000 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 0.005000000 1 1 uring:write 4096 1000000 ring=5 fd=3 offset=0 count=4096 sub=4
		rec_at 0.002000000 1 1 uring:write 4096 4000000 ring=5 fd=3 offset=0 count=4096 sub=3
	} > "$D/d.ior"
	run ior-stats -t -i 0.002 "$D/d.ior"
	assert_success
	# Per 2ms: submitted, busy/2ms (3ms, 5ms, 3ms), peak (2, 3, 2).
	assert_equal "$(depth_rows)" "$(printf '0\t2\t1.5000\t2\n2000000\t1\t2.5000\t3\n4000000\t1\t1.5000\t2')"
}

@test "four requests overlapping pairwise are a depth of 2, mean and peak" {
	{
		stream trace
		rec_at 0.010000000 1 1 uring:write 4096 10000000 ring=5 fd=3 offset=0 count=4096 sub=2
		rec_at 0.000000000 1 1 aio:pwrite 4096 10000000 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 0.000000000 1 1 aio:pwrite 4096 10000000 fd=3 offset=4096 count=4096 ctx=0x1 sub=1 iocb=0x2
		rec_at 0.010000000 1 1 uring:write 4096 10000000 ring=5 fd=3 offset=4096 count=4096 sub=2
	} > "$D/p.ior"
	run ior-stats -r depth "$D/p.ior"
	assert_success
	assert_line --index 0 "async requests in flight, per 1.00ms:"
	assert_line --index 1 --regexp '^ *TIME +SUBMITTED +DEPTH +PEAK$'
	assert_line --index 2 --regexp '^0\.000 +2 +2\.00 +2$'
	assert_line --index 12 --regexp '^0\.010 +2 +2\.00 +2$'
	# 20 rows of 1ms, every one at depth 2.
	assert_equal "${#lines[@]}" 22
	assert_equal "$(printf '%s\n' "${lines[@]:2}" | awk '$3 != "2.00" || $4 != 2' | wc -l)" 0
}

@test "the depth table is printed only when the stream has async requests" {
	capture > "$D/c.ior"
	run ior-stats "$D/c.ior"
	assert_success
	refute_output --partial "in flight"
	{ capture; rec_at 0.000002000 1 1 aio:fsync 4096 100 fd=3 offset=0 count=0 ctx=0x1 sub=1 iocb=0x1; } > "$D/a.ior"
	run ior-stats "$D/a.ior"
	assert_success
	assert_line --regexp '^async requests in flight, per [0-9]+ns:$'
	run ior-stats -r calls "$D/a.ior"
	refute_output --partial "in flight"
	run ior-stats -r depth "$D/a.ior"
	assert_success
	refute_output --partial "TOTAL"
	run ior-stats -r depth "$D/c.ior"
	assert_failure 1
	assert_output --partial "no aio: or uring: requests"
}

@test "a long span is coarsened to at most 32 rows of 1, 2 or 5 times a power of ten" {
	{
		stream trace
		for i in $(seq 0 99); do
			rec_at "$((i * 10)).000000000" 1 1 aio:pread 4096 500000000 fd=3 offset=0 count=4096 ctx=0x1 sub=$i iocb=0x1
		done
	} > "$D/l.ior"
	run ior-stats -t -r depth "$D/l.ior"
	assert_success
	assert_equal "$(depth_rows | wc -l)" 20
	assert_equal "$(depth_rows | sed -n 2p | cut -f1)" 50000000000
	# Every request is counted once; each row holds 5 of 0.5s: 2.5s/50s.
	assert_equal "$(depth_rows | awk -F'\t' '{ n += $2 } END { print n }')" 100
	assert_equal "$(depth_rows | cut -f3,4 | sort -u)" "$(printf '0.0500\t1')"
}

@test "an interval too short for the span is doubled, and the title says so" {
	{
		stream trace
		rec_at 0.000000000 1 1 aio:pread 4096 1000 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 10.000000000 1 1 aio:pread 4096 1000 fd=3 offset=0 count=4096 ctx=0x1 sub=2 iocb=0x2
	} > "$D/s.ior"
	run ior-stats -r depth -i 0.001 "$D/s.ior"
	assert_success
	assert_line --index 0 "async requests in flight, per 0.016s (the interval given, doubled to fit):"
	assert_equal "${#lines[@]}" "$((10000 / 16 + 1 + 2))"
	run ior-stats -r depth -i 1 "$D/s.ior"
	assert_line --index 0 "async requests in flight, per 1s:"
	assert_equal "${#lines[@]}" 13
}

@test "requests whose starts go back in time are each counted once" {
	{
		stream trace
		for i in $(seq 99 -1 0); do
			rec_at "5.$(printf '%09d' $((i * 1000)))" 1 1 uring:read 4096 1000 ring=5 fd=3 offset=0 count=4096 sub=$i
		done
	} > "$D/r.ior"
	run ior-stats -t -r depth "$D/r.ior"
	assert_success
	assert_equal "$(depth_rows | awk -F'\t' '{ n += $2 } END { print n }')" 100
	# Back to back: one in flight all the time.
	assert_equal "$(depth_rows | cut -f3,4 | sort -u)" "$(printf '1.0000\t1')"
	assert_equal "$(depth_rows | head -1 | cut -f1)" 5000000000
}

@test "a request in flight at the end counts as in flight until the stream's last time" {
	{
		stream trace
		rec_at 0.000000000 1 1 aio:pwrite 4096 4000 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 0.000002000 1 1 aio:pwrite 0 0 fd=3 offset=4096 count=4096 ctx=0x1 sub=1 iocb=0x2 inflight=1
	} > "$D/f.ior"
	run ior-stats -t -i 0.000002 "$D/f.ior"
	assert_success
	assert_equal "$(depth_rows)" "$(printf '0\t1\t1.0000\t1\n2000\t1\t2.0000\t2')"
}

@test "--compare puts the depth of capture and replay side by side" {
	{
		stream replay
		rec_at 0.000000000 1 1 aio:pwrite 4096 2000000 seq=1 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 0.000000000 1 1 aio:pwrite 4096 2000000 seq=2 fd=3 offset=4096 count=4096 ctx=0x1 sub=1 iocb=0x2
	} > "$D/a.ior"
	{
		stream result
		rec_at 0.000000000 1 1 aio:pwrite 4096 1000000 seq=1 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1 cret=4096 cdur=2000000
		rec_at 0.001000000 1 1 aio:pwrite 4096 1000000 seq=2 fd=3 offset=4096 count=4096 ctx=0x1 sub=1 iocb=0x2 cret=4096 cdur=2000000
	} > "$D/b.ior"
	run ior-stats -t -i 0.001 --compare "$D/a.ior" "$D/b.ior"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -A3 '^time_ns')" \
		"$(printf 'time_ns\tsubmitted_a\tsubmitted_b\tdepth_a\tdepth_b\tpeak_a\tpeak_b\n0\t2\t1\t2.0000\t1.0000\t2\t1\n1000000\t0\t1\t2.0000\t1.0000\t2\t1')"
	run ior-stats -r depth -i 0.001 --compare "$D/a.ior" "$D/b.ior"
	assert_success
	assert_line --index 1 --regexp '^ *TIME +SUBMITTED-A +SUBMITTED-B +DEPTH-A +DEPTH-B +PEAK-A +PEAK-B$'
	assert_line --index 2 --regexp '^0\.000 +2 +1 +2\.00 +1\.00 +2 +1$'
}

@test "--compare counts each stream's time from its first requests" {
	# The capture's requests start 7s into the trace, the replay's at once.
	{
		stream trace
		rec_at 7.000000000 1 1 uring:write 4096 2000000 ring=5 fd=3 offset=0 count=4096 sub=1
		rec_at 7.002000000 1 1 uring:write 4096 1000000 ring=5 fd=3 offset=4096 count=4096 sub=2
	} > "$D/a.ior"
	{
		stream result
		rec_at 0.000000000 1 1 uring:write 4096 2000000 seq=1 ring=5 fd=3 offset=0 count=4096 sub=1 cret=4096 cdur=2000000
		rec_at 0.002000000 1 1 uring:write 4096 1000000 seq=2 ring=5 fd=3 offset=4096 count=4096 sub=2 cret=4096 cdur=1000000
	} > "$D/b.ior"
	run ior-stats -t -r depth -i 0.001 --compare "$D/a.ior" "$D/b.ior"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | sed 1d | awk '$2 != $3 || $4 != $5 || $6 != $7' | wc -l)" 0
	assert_equal "$(printf '%s\n' "$output" | sed -n 2p | cut -f1,2,3)" "$(printf '0\t1\t1')"
	assert_equal "${#lines[@]}" 4
}

@test "--compare lists requests in flight at the end of either stream" {
	{
		stream trace
		rec_at 0.000000000 1 1 aio:pwrite 4096 1000 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 0.000002000 1 1 aio:pwrite 0 0 fd=3 offset=4096 count=4096 ctx=0x1 sub=1 iocb=0x2 inflight=1
	} > "$D/a.ior"
	{
		stream result
		rec_at 0.000000000 1 1 aio:pwrite 4096 1000 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 0.000002000 1 1 uring:read 0 0 ring=5 fd=3 offset=0 count=4096 sub=2 inflight=1
	} > "$D/b.ior"
	run ior-stats -r calls --compare "$D/a.ior" "$D/b.ior"
	assert_failure 1
	assert_line "in flight at end (inflight=1), A/B: aio:pwrite 1/0, uring:read 0/1"
	# Both rows differ: in flight in one stream only.
	assert_line --regexp '^aio:pwrite +1 +1 .* \*$'
	assert_line --regexp '^uring:read +0 +0 .* \*$'
}

@test "a bad interval or table exits 2 with usage" {
	capture > "$D/a.ior"
	for v in 0 -1 abc 1e3 0.000000005 0.0000000001 . ""; do
		run ior-stats -i "$v" "$D/a.ior"
		assert_failure 2
		assert_line --index 0 "ior-stats: bad interval \"$v\": want seconds, a positive multiple of 0.00000001 (10ns)"
	done
	run ior-stats --interval=0.5x "$D/a.ior"
	assert_failure 2
	run ior-stats -r latency "$D/a.ior"
	assert_failure 2
	assert_line --index 0 'ior-stats: unknown table "latency"'
	assert_line --index 1 --partial usage:
}

@test "a bad async record after good ones is refused with nothing written" {
	{
		stream trace
		rec_at 0.000000000 1 1 aio:pwrite 4096 1000 fd=3 offset=0 count=4096 ctx=0x1 sub=1 iocb=0x1
		rec_at 0.000002000 1 1 uring:read 10 1x0 ring=5 fd=3 offset=0 count=4096 sub=2
	} > "$D/b.ior"
	bad_input "$D/b.ior" ":3: DUR: not a number"
}

@test "a capture that lost events is said on stderr; --compare then exits 1 even with equal counts, -t without the line" {
	{
		capture
		echo '#stat ior-trace events=9 drops=0 unpaired=2 missed=0 aio_lost=1'
	} > "$D/c.ior"
	run -0 --separate-stderr ior-stats "$D/c.ior"
	assert_equal "$stderr" "ior-stats: $D/c.ior:12: the capture is incomplete: 3 events lost (unpaired=2 aio_lost=1), 9 written"
	capture > "$D/b.ior"
	run -1 --separate-stderr ior-stats -t --compare "$D/c.ior" "$D/b.ior"
	assert_equal "$stderr" "ior-stats: $D/c.ior:12: the capture is incomplete: 3 events lost (unpaired=2 aio_lost=1), 9 written"
	refute_output --partial incomplete
	assert_equal "$(tab_field TOTAL 13)" 0
	# B, a program or result of it, carries the trailer: said of B
	run -1 --separate-stderr ior-stats --compare "$D/b.ior" "$D/c.ior"
	assert_line 'incomplete capture (B): 3 events lost (unpaired=2 aio_lost=1)'
}

# ---- by file, process and time; histograms; flame graphs; live view ----

# A map stream of two processes and three files: descriptors name their
# file with file=, as ior-map adds it; a path call with path=.
by_file() {
	stream map
	rec_at 0.100000000 1 1 openat 3 1000 dirfd=AT_FDCWD path=/srv/a flags=O_RDWR mode=0 vfd=1 ofd=1 file=/srv/a
	rec_at 0.200000000 1 1 pread64 4096 2000 fd=3 count=4096 offset=0 vfd=1 ofd=1 file=/srv/a
	rec_at 1.300000000 1 1 pwrite64 512 3000 fd=3 count=512 offset=0 vfd=1 ofd=1 file=/srv/a
	rec_at 1.400000000 1 1 read -9 10 fd=9 count=10 err=EBADF
	rec_at 2.500000000 2 2 write 100 500 fd=4 count=100 vfd=2 ofd=2 file=/srv/b\;c
	rec_at 2.600000000 2 2 write 28 500 fd=4 count=28 vfd=2 ofd=2 file=/srv/b\;c
	rec_at 3.700000000 2 2 unlink 0 7000 dirfd=AT_FDCWD path=/srv/d
	rec_at 3.800000000 2 2 sched:exit 0 0
}

# The sum of field N of the rows of the last output but its first (the
# header) and its last (TOTAL).
col_sum() {
	printf '%s\n' "$output" | sed '1d;$d' | awk -F'\t' -v n="$1" '{ s += $n } END { print s + 0 }'
}

@test "-r files sums calls, errors, bytes and time per path: a descriptor's file=, else path=" {
	by_file > "$D/f.ior"
	run -0 ior-stats -t -r files "$D/f.ior"
	assert_line --index 0 "$(printf 'file\tcount\terrors\tread_bytes\twritten_bytes\ttime_ns')"
	assert_equal "$(tab_row /srv/a)" "$(printf '/srv/a\t3\t0\t4096\t512\t6000')"
	assert_equal "$(tab_row '/srv/b;c')" "$(printf '/srv/b;c\t2\t0\t0\t128\t1000')"
	assert_equal "$(tab_row /srv/d)" "$(printf '/srv/d\t1\t0\t0\t0\t7000')"
	# a record that names no file has a row of its own
	assert_equal "$(tab_row '(none)')" "$(printf '(none)\t1\t1\t0\t0\t10')"
	assert_equal "$(tab_row TOTAL)" "$(printf 'TOTAL\t7\t1\t4096\t640\t14010')"
	# sorted by time, largest first
	assert_equal "$(printf '%s\n' "$output" | sed '1d;$d' | cut -f1 | tr '\n' ' ')" "/srv/d /srv/a /srv/b;c (none) "
}

@test "-r files -n keeps the first rows, and TOTAL sums them all" {
	by_file > "$D/f.ior"
	run -0 ior-stats -r files -s bytes -n 1 "$D/f.ior"
	assert_equal "${#lines[@]}" 4
	assert_line --index 1 --regexp '^/srv/a +3 +0 +4\.00KiB +512B +6\.00us$'
	assert_line --index 2 --regexp '^TOTAL +7 +1 +4\.00KiB +640B +14\.0us$'
	assert_line --index 3 "3 more files in TOTAL"
	run -0 ior-stats -t -r files -n 2 "$D/f.ior"
	assert_equal "${#lines[@]}" 4
	assert_equal "$(tab_field TOTAL 2)" 7
}

@test "-r procs sums per process and command" {
	by_file | sed 's/^\(2\.[0-9]* 2 2\) app /\1 db /' > "$D/f.ior"
	run -0 ior-stats -t -r procs "$D/f.ior"
	assert_line --index 0 "$(printf 'comm\tpid\tcount\terrors\tread_bytes\twritten_bytes\ttime_ns')"
	assert_line "$(printf 'app\t1\t4\t1\t4096\t512\t6010')"
	# a process that changes its COMM (an exec) is a row per command
	assert_line "$(printf 'db\t2\t2\t0\t0\t128\t1000')"
	assert_line "$(printf 'app\t2\t1\t0\t0\t0\t7000')"
	assert_line "$(printf 'TOTAL\t-\t7\t1\t4096\t640\t14010')"
}

@test "-r time: the intervals sum to the total, which is the per-call table's" {
	{
		stream trace
		for i in $(seq 0 99); do
			rec_at "$((i / 10)).$((i % 10))00000000" 1 1 pread64 $((i + 1)) $((i * 100 + 1)) fd=3 count=4096 offset=0
		done
		rec_at 12.000000000 1 1 fsync -5 40 fd=3 err=EIO
	} > "$D/t.ior"
	run -0 ior-stats -t -r time -i 1 "$D/t.ior"
	assert_line --index 0 "$(printf 'time_ns\tcount\terrors\tread_bytes\twritten_bytes\tp50_ns\tp99_ns\tmax_ns')"
	# 0 s to 12 s: 13 rows of 1 s, then TOTAL
	assert_equal "${#lines[@]}" 15
	assert_equal "$(printf '%s\n' "${lines[1]}" | cut -f1-5,7,8)" "$(printf '0\t10\t0\t55\t0\t901\t901')"
	# the 5th of 1, 101 .. 901, within the histogram's error
	awk -v v="$(printf '%s\n' "${lines[1]}" | cut -f6)" 'BEGIN { exit !(v > 401 * 0.93 && v < 401 * 1.07) }' ||
		fail "p50 $(printf '%s\n' "${lines[1]}" | cut -f6) is not within 7% of 401"
	assert_line --index 11 "$(printf '10000000000\t0\t0\t0\t0\t-\t-\t-')"
	assert_equal "$(col_sum 2)" 101
	assert_equal "$(col_sum 4)" 5050
	assert_equal "$(tab_row TOTAL | cut -f2-5,8)" "$(printf '101\t1\t5050\t0\t9901')"
	run -0 ior-stats -t -r calls "$D/t.ior"
	assert_equal "$(tab_row TOTAL | cut -f2-4)" "$(printf '101\t1\t5050')"
	# without -i, at most 32 rows of 1, 2 or 5 times a power of ten ns
	run -0 ior-stats -r time "$D/t.ior"
	assert_line --index 0 "operations per 500ms:"
	assert_equal "${#lines[@]}" 28
}

@test "-r time keeps a fixed grid: a span too long for -i doubles its rows, and records back in time are counted once" {
	{
		stream trace
		rec_at 5000.000000000 1 1 fsync 0 10 fd=3
		rec_at 0.000000000 1 1 fsync 0 10 fd=3
		rec_at 2500.000000000 1 1 fsync 0 10 fd=3
	} > "$D/t.ior"
	run -0 ior-stats -r time -i 1 "$D/t.ior"
	assert_line --index 0 "operations per 8s (the interval given, doubled to fit):"
	run -0 ior-stats -t -r time -i 1 "$D/t.ior"
	assert_equal "$(col_sum 2)" 3
	assert_equal "$(tab_field TOTAL 2)" 3
}

@test "-r hist draws each call's log2 histogram as biolatency does, and its counts sum to the call's" {
	{
		stream trace
		for i in $(seq 1 1000); do rec 1 1 fsync 0 "$i"; done
		rec 1 1 read 0 0 fd=3 count=1
	} > "$D/h.ior"
	run -0 ior-stats -r hist "$D/h.ior"
	assert_line "call = fsync"
	assert_line --regexp '^ +nsecs +: count +distribution$'
	assert_line --regexp '^ +0 -> 1 +: 1 +\|\* +\|$'
	assert_line --regexp '^ +256 -> 511 +: 256 +\|\*{21} {19}\|$'
	assert_line --regexp '^ +512 -> 1023 +: 489 +\|\*{40}\|$'
	run -0 ior-stats -t -r hist "$D/h.ior"
	assert_line --index 0 "$(printf 'call\tlow_ns\thigh_ns\tcount')"
	assert_equal "$(printf '%s\n' "$output" | awk -F'\t' '$1 == "fsync" { s += $4 } END { print s }')" 1000
	assert_equal "$(printf '%s\n' "$output" | awk -F'\t' '$1 == "fsync"' | wc -l)" 10
	assert_line "$(printf 'read\t0\t1\t1')"
}

@test "--compare puts capture and replay side by side by file, process, time and histogram" {
	by_file > "$D/a.ior"
	by_file | sed 's/ write 28 500 / write 20 900 /' > "$D/b.ior"
	run -1 ior-stats -t -r files --compare "$D/a.ior" "$D/b.ior"
	assert_line --index 0 "$(printf 'file\tcount_a\tcount_b\tread_a\tread_b\twritten_a\twritten_b\ttime_a_ns\ttime_b_ns\tdiffers')"
	assert_equal "$(tab_row '/srv/b;c')" "$(printf '/srv/b;c\t2\t2\t0\t0\t128\t120\t1000\t1400\t1')"
	assert_equal "$(tab_row /srv/a | cut -f10)" 0
	assert_equal "$(tab_row TOTAL | cut -f10)" 1
	run -1 ior-stats -t -r procs --compare "$D/a.ior" "$D/b.ior"
	assert_line "$(printf 'app\t2\t3\t3\t0\t0\t128\t120\t8000\t8400\t1')"
	run -0 ior-stats -t -r time -i 1 --compare "$D/a.ior" "$D/b.ior"
	assert_line --index 0 "$(printf 'offset_ns\tcount_a\tcount_b\tbytes_a\tbytes_b\tp50_a_ns\tp50_b_ns\tp99_a_ns\tp99_b_ns\tmax_a_ns\tmax_b_ns')"
	assert_equal "$(tab_row TOTAL | cut -f2-5)" "$(printf '7\t7\t4736\t4728')"
	run -0 ior-stats -t -r hist --compare "$D/a.ior" "$D/b.ior"
	assert_line "$(printf 'write\t256\t511\t2\t1')"
	assert_line "$(printf 'write\t512\t1023\t0\t1')"
	run -0 ior-stats -r hist --compare "$D/a.ior" "$D/b.ior"
	assert_line --regexp '^ +256 -> 511 +: 2 +1 +\|\*{20}\|\|\*{10} +\|$'
}

@test "--compare of a stream with operations and one without has a row per interval, file, process and bucket of the first" {
	by_file > "$D/a.ior"
	{
		stream trace
		rec 1 1 sched:exit 0 0
	} > "$D/e.ior"
	for r in time files procs hist; do
		run -1 ior-stats -t -r "$r" --compare "$D/e.ior" "$D/e.ior"
		assert_output "ior-stats: nothing to report: no operation records in either stream"
	done
	run -0 ior-stats -t -r time -i 1 --compare "$D/a.ior" "$D/e.ior"
	assert_equal "$(tab_row TOTAL | cut -f2,3)" "$(printf '7\t0')"
	run -0 ior-stats -t -r time -i 1 --compare "$D/e.ior" "$D/a.ior"
	assert_equal "$(tab_row TOTAL | cut -f2,3)" "$(printf '0\t7')"
	run -1 ior-stats -t -r files --compare "$D/e.ior" "$D/a.ior"
	assert_equal "$(tab_row TOTAL | cut -f2,3,10)" "$(printf '0\t7\t1')"
	run -1 ior-stats -t -r procs --compare "$D/a.ior" "$D/e.ior"
	assert_equal "$(tab_row TOTAL | cut -f3,4,11)" "$(printf '7\t0\t1')"
	run -0 ior-stats -t -r hist --compare "$D/a.ior" "$D/e.ior"
	assert_line "$(printf 'unlink\t4096\t8191\t1\t0')"
}

@test "-r flame writes collapsed stacks: process, call, directory, file; the weights sum to the records, the bytes, the time" {
	by_file > "$D/f.ior"
	run -0 ior-stats -r flame "$D/f.ior"
	assert_output "app;openat;/srv;a 1
app;pread64;/srv;a 1
app;pwrite64;/srv;a 1
app;read 1
app;unlink;/srv;d 1
app;write;/srv;b\\x3bc 2"
	# no frame holds a space; ';' in a name is written \x3b
	assert_equal "$(printf '%s\n' "$output" | awk '{ print NF }' | sort -u)" 2
	sum() { printf '%s\n' "$output" | awk '{ s += $2 } END { print s }'; }
	assert_equal "$(sum)" 7
	run -0 ior-stats -r flame -W bytes "$D/f.ior"
	assert_equal "$(sum)" 4736
	# stacks that moved no bytes are left out
	refute_output --partial unlink
	run -0 ior-stats -r flame --weight time "$D/f.ior"
	assert_equal "$(sum)" 14010
}

@test "flame and per-file bytes of a traced workload are the bytes it moved" {
	need_bpf
	mkdir "$D/w"
	cp "$IOR_T/trace-bytes" "$D/w/bytes"
	run -0 timeout 30 env -C "$D/w" ior-trace -o "$D/b.ior" -- ./bytes
	ior-map "$D/b.ior" > "$D/b.map"
	run -0 ior-stats -t -r files "$D/b.map"
	assert_equal "$(tab_row "$D/w/data" | cut -f4,5)" "$(printf '12288\t12288')"
	assert_equal "$(tab_row "$D/w/log" | cut -f4,5)" "$(printf '0\t1000')"
	run -0 ior-stats -r flame -W bytes "$D/b.map"
	assert_line "bytes;pwrite64;$D/w;data 12288"
	assert_line "bytes;pread64;$D/w;data 8192"
	assert_line "bytes;read;$D/w;data 4096"
	assert_line "bytes;write;$D/w;log 1000"
	flame_sum=$(printf '%s\n' "$output" | awk '{ s += $2 } END { print s }')
	run -0 ior-stats -t "$D/b.map"
	assert_equal "$flame_sum" "$(($(tab_field TOTAL 4) + $(tab_field TOTAL 5)))"
	run -0 ior-stats -r flame "$D/b.map"
	flame_sum=$(printf '%s\n' "$output" | awk '{ s += $2 } END { print s }')
	run -0 ior-stats -t "$D/b.map"
	assert_equal "$flame_sum" "$(tab_field TOTAL 2)"
}

@test "--svg draws a well-formed SVG flame graph with a frame, hover title and zoom per stack frame" {
	need_cmd xmllint
	by_file > "$D/f.ior"
	ior-stats -r flame --svg "$D/f.ior" > "$D/f.svg"
	run -0 xmllint --noout "$D/f.svg"
	# all, app, 6 calls, /srv under 5 of them, a file under each /srv
	run -0 xmllint --xpath 'count(//*[local-name()="g"][@class="frame"])' "$D/f.svg"
	assert_output 18
	run -0 xmllint --xpath 'string(//*[local-name()="g"][@data-name="write"]/*[local-name()="title"])' "$D/f.svg"
	assert_output "write (2 calls, 28.57%)"
	run -0 xmllint --xpath 'string(//*[local-name()="g"][@data-name="b\x3bc"]/@onclick)' "$D/f.svg"
	assert_output "zoom(this)"
	run -0 grep -c 'function zoom' "$D/f.svg"
}

# The pixels of PNG $1 of a flame graph frame's colours (red above 200,
# blue below 60), counted with python3's zlib: 8-bit RGB or RGBA, not
# interlaced, as Chromium writes its screenshots.
frame_pixels() {
	python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype, _, _, lace = struct.unpack('>IIBBBBB', body)
        assert depth == 8 and ctype in (2, 6) and lace == 0
        bpp = 3 if ctype == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw, stride, prev, count = zlib.decompress(idat), w * bpp, None, 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i] if prev else 0
        c = prev[i - bpp] if prev and i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(w):
        r, g, bl = line[x * bpp:x * bpp + 3]
        if r > 200 and bl < 60:
            count += 1
    prev = line
print(count)
PY
}

@test "a headless Chromium screenshot of the SVG flame graph shows its frames" {
	need_cmd chromium python3
	by_file > "$D/f.ior"
	ior-stats -r flame --svg "$D/f.ior" > "$D/f.svg"
	run -0 timeout 120 env HOME="$D" chromium --headless --no-sandbox --disable-gpu \
		--screenshot="$D/f.png" --window-size=1200,800 "file://$D/f.svg"
	n=$(frame_pixels "$D/f.png")
	# 18 frames 15 px high: the root, the process and the calls are
	# 1180 px wide together, each deeper row at least half that
	[ "$n" -gt 40000 ] || fail "only $n pixels of frame colours"
	# and an empty page has none
	echo '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"/>' > "$D/e.svg"
	run -0 timeout 120 env HOME="$D" chromium --headless --no-sandbox --disable-gpu \
		--screenshot="$D/e.png" --window-size=1200,800 "file://$D/e.svg"
	assert_equal "$(frame_pixels "$D/e.png")" 0
}

# The DOM of SVG $1 once Chromium has run it, with script $2 run at its
# end (as a click would, after the graph's own init), one element a line.
svg_dom() {
	sed "s|</svg>|<script>init(null); $2</script></svg>|" "$1" > "$1.js.svg"
	timeout 120 env HOME="$(dirname "$1")" chromium --headless --no-sandbox --disable-gpu \
		--dump-dom "file://$1.js.svg" 2>/dev/null | sed 's/<g /\n<g /g'
}

@test "clicking a frame of the SVG flame graph zooms on it, and Reset Zoom goes back" {
	need_cmd chromium
	by_file > "$D/f.ior"
	ior-stats -r flame --svg "$D/f.ior" > "$D/f.svg"
	click='document.querySelector("g[data-name=unlink]").dispatchEvent(new MouseEvent("click"));'
	run -0 svg_dom "$D/f.svg" "$click"
	# the frame clicked, its ancestors and its descendants across the width
	for f in all app unlink d; do
		assert_line --regexp "data-name=\"$f\".*<rect x=\"10.00\" y=\"[0-9]+\" width=\"1180.00\""
	done
	# the rest hidden
	assert_line --regexp 'data-name="write".*style="display: none;"'
	assert_line --regexp 'id="unzoom".*style="opacity: 1;"'
	run -0 svg_dom "$D/f.svg" "$click"' document.getElementById("unzoom").dispatchEvent(new MouseEvent("click"));'
	assert_line --regexp 'data-name="unlink".*<rect x="[0-9.]+" y="[0-9]+" width="168.57"'
	refute_line --regexp 'data-name="write".*display: none'
}

# Wait until command "$@" prints a line matching $WANT, at most 30 s.
until_shows() {
	for _ in $(seq 300); do
		if "$@" 2>/dev/null | grep -q -- "$WANT"; then
			return 0
		fi
		sleep 0.1
	done
	"$@" >&2 || true
	return 1
}

# A producer of a slow stream: one read, then two more once $D/go
# exists, then the end of the stream once $D/end exists.
slow_producer() {
	{
		stream trace
		rec 1 1 read 10 100 fd=3 count=10
	} > "$D/one.ior"
	rec 1 1 read 10 100 fd=3 count=10 > "$D/two.ior"
	rec 1 1 read 10 100 fd=3 count=10 >> "$D/two.ior"
	cat > "$D/producer" <<PRODUCER
#!/bin/sh
cat "$D/one.ior"
until [ -e "$D/go" ]; do sleep 0.1; done
cat "$D/two.ior"
until [ -e "$D/end" ]; do sleep 0.1; done
PRODUCER
	chmod +x "$D/producer"
}

@test "-w on a terminal redraws the table while the stream flows, in tmux" {
	need_cmd tmux
	slow_producer
	sock="$D/tmux"
	tmux -S "$sock" new-session -d -x 120 -y 40 "$D/producer | $(command -v ior-stats) -w 0.2; sleep 60"
	WANT='^read  *1  ' until_shows tmux -S "$sock" capture-pane -p
	run -0 tmux -S "$sock" capture-pane -p
	assert_line --regexp '^ior-stats [0-9T:-]+Z: 1 records$'
	assert_line --regexp '^CALL +COUNT +ERRORS'
	touch "$D/go"
	WANT='^read  *3  ' until_shows tmux -S "$sock" capture-pane -p
	run -0 tmux -S "$sock" capture-pane -p
	# redrawn over the last one, before the end of the stream
	refute_line --regexp '^read  *1  '
	refute_output --partial "end of input"
	assert_equal "$(printf '%s\n' "$output" | grep -c '^CALL ')" 1
	touch "$D/end"
	WANT='end of input' until_shows tmux -S "$sock" capture-pane -p
	tmux -S "$sock" kill-server
}

@test "-w elsewhere prints a table under a time line every interval, and the last at the end" {
	slow_producer
	"$D/producer" | ior-stats -w 0.2 -r files > "$D/out" &
	WANT='^(none)  *1 ' until_shows cat "$D/out"
	touch "$D/go" "$D/end"
	wait
	run -0 cat "$D/out"
	assert_line --index 0 --regexp '^--- [0-9T:-]+Z: [0-9]+ records$'
	assert_line --regexp '^--- [0-9T:-]+Z: 1 records$'
	assert_line --regexp '^--- [0-9T:-]+Z: 3 records, end of input$'
	assert_equal "${lines[-1]}" "$(printf '%s\n' "${lines[@]}" | grep '^TOTAL' | tail -1)"
	assert_line --regexp '^TOTAL +3 +0 +30B '
}

@test "bad uses of the new tables exit 2 with usage" {
	capture > "$D/a.ior"
	run -2 ior-stats --svg "$D/a.ior"
	assert_line --index 0 "ior-stats: --svg draws only the flame graph (-r flame)"
	run -2 ior-stats -r flame --compare "$D/a.ior" "$D/a.ior"
	assert_line --index 0 "ior-stats: --compare has no flame graph"
	run -2 ior-stats -w 1 --compare "$D/a.ior" "$D/a.ior"
	assert_line --index 0 "ior-stats: -w reads one stream, not --compare"
	run -2 ior-stats -w 1 -r hist "$D/a.ior"
	assert_line --index 0 "ior-stats: -w draws the per-call table, or -r files or procs"
	run -2 ior-stats -r flame -W size "$D/a.ior"
	assert_line --index 0 'ior-stats: unknown weight "size"'
	for n in 0 -1 x 1x ""; do
		run -2 ior-stats -r files -n "$n" "$D/a.ior"
		assert_line --index 0 "ior-stats: bad number of rows \"$n\""
	done
}

# ---- several hosts ----

# The result of a replay on host $1 of a capture on db01: reads of 4096
# and 10 bytes, a pwrite64 of $2 bytes, an aio:pread of 100.
host_result() {
	stream result
	echo "#meta ior-trace host=db01 kernel=6.18.44 epoch=1763764907.123456789"
	echo "#meta ior-replay host=$1 root=/mnt/test start=1763851200.000000000 cache=cold"
	rec 1 1 read 4096 200 fd=3 count=4096
	rec 1 1 read 10 100 fd=3 count=4096
	rec 1 1 pwrite64 "$2" 700 fd=3 count="$2" offset=0
	rec_at 0.000002000 1 1 aio:pread 100 50 fd=3 offset=0 count=100 ctx=0x1 sub=1 iocb=0x1
}

# The -t row of CALL of HOST in the output of the last `run`.
host_row() {
	printf '%s\n' "$output" | awk -F'\t' -v h="$1" -v c="$2" '$1 == h && $2 == c'
}

@test "streams of several hosts give rows per host, the replay's, and of all" {
	host_result c1 512 > "$D/a.ior"
	host_result c2 100 > "$D/b.ior"
	host_result c1 1 > "$D/c.ior"
	run -0 ior-stats -t -r calls "$D/a.ior" "$D/b.ior" "$D/c.ior"
	assert_line -n 0 "$(printf 'host\tcall\tcount\terrors\tread_bytes\twritten_bytes\ttime_ns\tmean_ns\tp50_ns\tp95_ns\tp99_ns\tmax_ns')"
	# c1's two streams summed, c2 apart, then all three; no row of db01
	assert_equal "$(host_row c1 read | cut -f3-7)" "$(printf '4\t0\t8212\t0\t600')"
	assert_equal "$(host_row c1 pwrite64 | cut -f3-6)" "$(printf '2\t0\t0\t513')"
	assert_equal "$(host_row c2 pwrite64 | cut -f3-6)" "$(printf '1\t0\t0\t100')"
	assert_equal "$(host_row c2 TOTAL | cut -f3-7)" "$(printf '4\t0\t4206\t100\t1050')"
	assert_equal "$(host_row '*' TOTAL | cut -f3-7)" "$(printf '12\t0\t12618\t613\t3150')"
	assert_equal "$(host_row '*' aio:pread | cut -f3-5)" "$(printf '3\t0\t300')"
	assert_equal "${#lines[@]}" 13
	refute_line --regexp "^db01"
	# Aligned: a table under each host's name, then one of all.
	run -0 ior-stats -r calls "$D/a.ior" "$D/b.ior" "$D/c.ior"
	assert_line -n 0 "host c1:"
	assert_line -n 6 "host c2:"
	assert_line -n 12 "all 2 hosts:"
	assert_line --regexp "^TOTAL +12 +0 +12.3KiB +613B "
}

@test "the depth table of several hosts is per host, with -t one table of them" {
	host_result c1 512 > "$D/a.ior"
	host_result c2 100 > "$D/b.ior"
	run -0 ior-stats -t -r depth -i 0.00000001 "$D/a.ior" "$D/b.ior"
	assert_line -n 0 "$(printf 'host\ttime_ns\tsubmitted\tdepth\tpeak')"
	# each request of 50ns in flight over 5 rows of 10ns
	assert_line -n 1 "$(printf 'c1\t2000\t1\t1.0000\t1')"
	assert_line -n 6 "$(printf 'c2\t2000\t1\t1.0000\t1')"
	assert_line -n 10 "$(printf 'c2\t2040\t0\t1.0000\t1')"
	assert_equal "${#lines[@]}" 11
	run -0 ior-stats "$D/a.ior" "$D/b.ior"
	assert_line "host c1:"
	assert_equal "$(printf '%s\n' "$output" | grep -c '^async requests in flight')" 2
}

@test "streams of one host, or of none, make the one table they always made" {
	host_result c1 512 > "$D/a.ior"
	host_result c1 1 > "$D/c.ior"
	run -0 ior-stats -t "$D/a.ior" "$D/c.ior"
	assert_line -n 0 --regexp "^call	count	"
	assert_equal "$(tab_row TOTAL | cut -f2-5)" "$(printf '8\t0\t8412\t513')"
	capture > "$D/x.ior"
	capture > "$D/y.ior"
	run -0 ior-stats -t "$D/x.ior" "$D/y.ior"
	assert_line -n 0 --regexp "^call	count	"
	assert_equal "$(tab_row TOTAL | cut -f2-6)" "$(printf '18\t4\t8212\t1624\t10960')"
	# A stream without a host beside one with: its rows are host -.
	run -0 ior-stats -t -r calls "$D/a.ior" "$D/x.ior"
	assert_equal "$(host_row - TOTAL | cut -f3-4)" "$(printf '9\t2')"
	assert_equal "$(host_row '*' TOTAL | cut -f3-4)" "$(printf '13\t2')"
}

@test "a host name longer than 255 bytes is refused as malformed" {
	{
		stream trace
		echo "#meta ior-trace host=$(printf 'h%.0s' {1..256})"
		rec 1 1 read 1 1 fd=3 count=1
	} > "$D/h.ior"
	capture > "$D/x.ior"
	run -3 ior-stats "$D/x.ior" "$D/h.ior"
	assert_output "ior-stats: $D/h.ior:2: host: longer than 255 bytes"
}

# ---- storage next to the replay ----

# A result of host $1 whose root's device (7:0, loop0) did, in 2 s, 10
# reads of 80 sectors in 30 ms and 30 writes of 800 in 170 ms, 5 flushes,
# busy 500 ms with 1000 ms of queue time.
disk_result() {
	stream result
	echo "#meta ior-replay host=$1 root=/mnt/test start=1763851200.000000000 cache=cold"
	echo "#disk ior-replay at=start time=1763851200.000000000 dev=7:0 name=loop0 reads=100 reads_merged=0 read_sectors=1000 read_ms=70 writes=5 writes_merged=0 write_sectors=40 write_ms=30 in_flight=0 io_ms=4000 queue_ms=900 discards=0 discards_merged=0 discard_sectors=0 discard_ms=0 flushes=1 flush_ms=2"
	rec 1 1 fsync 0 4000000 fd=3
	echo "#stat ior-replay ops=1 errors=0 mismatched=0 skipped=0"
	echo "#disk ior-replay at=end time=1763851202.000000000 dev=7:0 name=loop0 reads=110 reads_merged=0 read_sectors=1080 read_ms=100 writes=35 writes_merged=3 write_sectors=840 write_ms=200 in_flight=0 io_ms=4500 queue_ms=1900 discards=0 discards_merged=0 discard_sectors=0 discard_ms=0 flushes=6 flush_ms=9"
}

@test "the storage table shows what the replay's device did beside its latencies" {
	disk_result c1 > "$D/r.ior"
	run -0 ior-stats -t "$D/r.ior"
	assert_line -n 3 "$(printf 'device\treads\twrites\tflushes\tread_sectors\twrite_sectors\tawait_ns\taqu_sz\tutil_pct')"
	# await (30 + 170 ms) / 40 I/Os; queue 1000 ms and busy 500 ms in 2 s
	assert_line -n 4 "$(printf 'loop0\t10\t30\t5\t80\t800\t5000000\t0.50\t25.00')"
	assert_equal "${#lines[@]}" 5
	run -0 ior-stats "$D/r.ior"
	assert_line "storage under the root, during the replay (2.00s):"
	assert_line --regexp "^DEVICE +READS +WRITES +FLUSHES +READ +WRITTEN +AWAIT +AQU-SZ +UTIL$"
	assert_line --regexp "^loop0 +10 +30 +5 +40.0KiB +400KiB +5.00ms +0.50 +25.0%$"
}

@test "the storage of several hosts is a table per host, with -t one with the host" {
	disk_result c1 > "$D/a.ior"
	disk_result c2 > "$D/b.ior"
	disk_result c1 > "$D/c.ior"
	run -0 ior-stats -t "$D/a.ior" "$D/b.ior" "$D/c.ior"
	# c1's two runs summed: their counts, and 4 s
	assert_line "$(printf 'c1\tloop0\t20\t60\t10\t160\t1600\t5000000\t0.50\t25.00')"
	assert_line "$(printf 'c2\tloop0\t10\t30\t5\t80\t800\t5000000\t0.50\t25.00')"
	assert_equal "$(printf '%s\n' "$output" | grep -c '^host	device	')" 1
	run -0 ior-stats "$D/a.ior" "$D/b.ior"
	assert_equal "$(printf '%s\n' "$output" | grep -c '^storage under the root')" 2
}

@test "a root on no block device is said; a run that did not end shows nothing" {
	{
		stream result
		echo "#disk ior-replay at=start time=1.000000000 dev=0:40 name=-"
		rec 1 1 fsync 0 100 fd=3
		echo "#disk ior-replay at=end time=2.000000000 dev=0:40 name=-"
	} > "$D/t.ior"
	run -0 ior-stats "$D/t.ior"
	assert_line "storage: none (the root is on no block device)"
	run -0 ior-stats -t "$D/t.ior"
	refute_output --partial storage
	disk_result c1 | grep -v 'at=end' > "$D/r.ior"
	run -0 ior-stats "$D/r.ior"
	refute_output --partial storage
}

@test "a malformed #disk line is refused with its line and field" {
	disk_result c1 | sed 's/at=end time=1763851202.000000000/at=end time=x/' > "$D/r.ior"
	bad_input "$D/r.ior" ':6: time: not a number: "x"'
	disk_result c1 | sed 's/at=start/at=middle/' > "$D/r.ior"
	bad_input "$D/r.ior" ":3: at: not start or end: \"middle\""
	disk_result c1 | sed 's/ reads=110 / reads=-1 /' > "$D/r.ior"
	bad_input "$D/r.ior" ":6: reads: not a number"
}

# An aggregate capture (ior-trace -a): two intervals of process 1, one
# of process 2.
agg_capture() {
	stream trace
	echo "#meta ior-trace host=h kernel=k epoch=1.000000000 aggregate=1.000000000"
	rec_at 0.000000000 1 1 pread64 0 1000000000 count=3 errors=1 bytes=8192 lat_total=7000 lat_min=1000 lat_max=4000 hist=9:1,10:1,11:1 | sed 's/ pread64 / agg:pread64 /'
	rec_at 0.000000000 2 2 pread64 0 1000000000 count=1 errors=0 bytes=100 lat_total=500 lat_min=500 lat_max=500 hist=8:1 | sed 's/ pread64 / agg:pread64 /'
	rec_at 1.000000000 1 1 fdatasync 0 500000000 count=2 errors=0 bytes=0 lat_total=3000000 lat_min=1000000 lat_max=2000000 hist=19:1,20:1 | sed 's/ fdatasync / agg:fdatasync /'
	echo "#stat ior-trace events=3 drops=0 unpaired=0 missed=0 agg_lost=0"
}

@test "agg: records add their counts, errors, bytes and latencies to their call's row" {
	agg_capture > "$D/agg.ior"
	run -0 ior-stats -t "$D/agg.ior"
	assert_equal "$(tab_row pread64)" "$(printf 'pread64\t4\t1\t8292\t0\t7500\t1875\t1007\t4000\t4000\t4000')"
	assert_equal "$(tab_row fdatasync)" "$(printf 'fdatasync\t2\t0\t0\t0\t3000000\t1500000\t1000000\t2000000\t2000000\t2000000')"
	assert_equal "$(tab_field TOTAL 2)" 6
}

@test "a #sample line's exact totals replace the counts of its call's records, whose row is marked" {
	{
		stream trace
		echo "#meta ior-trace host=h kernel=k epoch=1.000000000 sample=pread64:10"
		rec 1 1 pread64 4096 1000 fd=3 count=4096 offset=0
		rec 1 1 pread64 4096 3000 fd=3 count=4096 offset=0
		rec 1 1 fsync 0 500 fd=3
		echo "#stat ior-trace events=3 drops=0 unpaired=0 missed=0"
		echo "#sample ior-trace call=pread64 every=10 count=15 errors=1 bytes=57344 written=2"
	} > "$D/s.ior"
	run -0 ior-stats -t "$D/s.ior"
	assert_equal "$(tab_row 'pread64*')" "$(printf 'pread64*\t15\t1\t57344\t0\t30000\t2000\t1007\t3000\t3000\t3000')"
	assert_equal "$(tab_field fsync 2)" 1
	run -0 ior-stats "$D/s.ior" "$D/s.ior"
	assert_line --regexp '^pread64\*  +30  +2 '
	assert_line "* sampled (#sample): COUNT, ERRORS, READ and WRITTEN exact; TIME from the mean of the records written, latencies from them"
}

@test "a malformed agg: record or #sample line is refused naming input, line and key" {
	agg_capture | sed '3s/hist=9:1,10:1,11:1/hist=9:1,10:1/' > "$D/short.ior"
	bad_input "$D/short.ior" ":3: hist: 2 latencies, not count=3"
	agg_capture | sed '3s/hist=9:1,10:1,11:1/hist=9:1,10:1,11:2/' > "$D/long.ior"
	bad_input "$D/long.ior" ":3: hist: more latencies than count=3"
	agg_capture | sed '3s/hist=9:1,10:1,11:1/hist=99:3/' > "$D/big.ior"
	bad_input "$D/big.ior" ":3: hist: not B:N with B from 0 to 63"
	agg_capture | sed '3s/ lat_min=1000//' > "$D/nomin.ior"
	bad_input "$D/nomin.ior" ":3: lat_min: missing in an agg: record"
	agg_capture | sed '3s/errors=1/errors=4/' > "$D/errs.ior"
	bad_input "$D/errs.ior" ":3: errors: more than count=3"
	agg_capture | sed '4s/ agg:pread64 / agg:sched:fork /' > "$D/proc.ior"
	bad_input "$D/proc.ior" ":4: CALL: no call: agg:sched:fork"
	agg_capture | sed '4s/ agg:pread64 / agg: /' > "$D/empty.ior"
	bad_input "$D/empty.ior" ":4: CALL: agg: names no call"
	{
		agg_capture
		echo "#sample ior-trace call=pread64 every=0 count=1 errors=0 bytes=0 written=1"
	} > "$D/every.ior"
	bad_input "$D/every.ior" ":7: every: not from 1 to 4294967295"
	{
		agg_capture
		echo "#sample ior-trace call=pread64 every=2 errors=0 bytes=0"
	} > "$D/nocount.ior"
	bad_input "$D/nocount.ior" ":7: count: missing in a #sample line"
}
