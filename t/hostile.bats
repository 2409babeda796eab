#!/usr/bin/env bats
# hostile: what a hostile program, stream or local user tries, and what
# ior does about it.  One test per attack; each says the attack in its
# name and checks the defence, not merely that nothing crashed.  The
# local user is uid 65534 (setpriv --reuid=65534); races run a bounded
# number of rounds.

load helpers
load streams
bats_require_minimum_version 1.5.0

setup() {
	S=$(scratch)
	R=$S/root
}

# as_nobody CMD...: run CMD as the unprivileged local user 65534.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

# ---- escapes from the root (ior-init, ior-replay) ----

# ---- privilege gained inside the root ----

# ---- ior-trace and itself ----

# ---- memory set by the input ----

# -- ior-map, ior-gen, ior-stats --

# no_quarantine: ASAN_OPTIONS for a command whose memory is measured:
# AddressSanitizer holds freed memory back for a while (its quarantine),
# which would count as the tool's; off, in the sanitizer pass only.
no_quarantine() {
	echo "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
}

# max_rss FILE: the max RSS (KB) that /usr/bin/time -o FILE wrote, after
# its "Command exited with non-zero status" line, if any.
max_rss() {
	tail -n 1 "$1"
}

@test "ids, a descriptor and a vfd near their limits cost ior-map and ior-gen little memory, or are refused naming the field" {
	# A kernel pid and tid of 2^28 - 1, descriptor 2^20 - 1: ior-map's
	# tables were indexed by descriptor, ior-gen's by virtual id.
	stream trace - > "$S/t" <<-'EOF'
	0.000001000 268435455 268435455 app openat 1048575 100 dirfd=AT_FDCWD path=/a flags=O_RDONLY mode=0
	0.000002000 268435455 268435455 app read 10 100 fd=1048575 count=10
	EOF
	run -0 /usr/bin/time -f %M -o "$S/rss" ior-map "$S/t"
	assert_line '0.000002000 1 1 app read 10 100 fd=1048575 count=10 vfd=1 ofd=1 file=/a'
	(( $(max_rss "$S/rss") < 16000 )) || fail "ior-map: max RSS $(max_rss "$S/rss") KB"
	# The largest virtual ids and vfd a replay program may hold.
	stream map - > "$S/m" <<-'EOF'
	0.000001000 4194303 4194303 app openat 3 100 dirfd=AT_FDCWD path=/a flags=O_RDONLY mode=0 vfd=268435455 ofd=268435455 file=/a
	0.000002000 4194303 4194303 app read 10 100 fd=3 count=10 vfd=268435455 ofd=268435455 file=/a
	EOF
	run -0 /usr/bin/time -f %M -o "$S/rss" ior-gen "$S/m"
	assert_line --partial '0.000002000 4194303 4194303 app read 10 100 seq=2 fd=3 count=10 vfd=268435455 '
	(( $(max_rss "$S/rss") < 16000 )) || fail "ior-gen: max RSS $(max_rss "$S/rss") KB"
	# Beyond them, what ior-replay would refuse: refused first.
	sed 's/ 4194303 4194303 / 268435455 268435455 /' "$S/m" > "$S/pid"
	run -3 ior-gen "$S/pid"
	assert_output "ior-gen: $S/pid:2: PID: virtual id out of range 1..4194303"
	sed 's/ 4194303 4194303 / 1 4194304 /' "$S/m" > "$S/tid"
	run -3 ior-gen "$S/tid"
	assert_output "ior-gen: $S/tid:2: TID: virtual id out of range 1..4194303"
	sed 's/vfd=268435455/vfd=268435456/' "$S/m" > "$S/vfd"
	run -3 ior-gen "$S/vfd"
	assert_output "ior-gen: $S/vfd:2: vfd: out of range 0..268435455"
}

# short_lived N: a trace of N processes one after another, each forked,
# opening and closing a file, and gone.
short_lived() {
	awk -v n="$1" 'BEGIN {
		print "#ior 1 trace"
		for (p = 1000; p < 1000 + n; p++) {
			printf "0.000000001 100 100 a sched:fork 0 0 child=%d cpid=%d flags=0\n", p, p
			printf "0.000000002 %d %d a openat 3 10 dirfd=AT_FDCWD path=/d/f flags=O_RDONLY mode=0\n", p, p
			printf "0.000000003 %d %d a close 0 10 fd=3\n", p, p
			printf "0.000000004 %d %d a sched:exit 0 0 code=0 group=1\n", p, p
		} }'
}

@test "many short-lived processes: the memory of ior-map and ior-gen does not grow with their number" {
	local n
	for n in 10000 100000; do
		short_lived "$n" > "$S/t$n"
		env "$(no_quarantine)" /usr/bin/time -f %M -o "$S/map$n" \
			ior-map "$S/t$n" > "$S/m$n"
		env "$(no_quarantine)" /usr/bin/time -f %M -o "$S/gen$n" \
			ior-gen "$S/m$n" > "$S/p$n"
	done
	run -0 grep -c ' sched:exit ' "$S/p100000"
	assert_output 100000
	(( $(max_rss "$S/map100000") - $(max_rss "$S/map10000") < 1000 )) ||
		fail "ior-map: max RSS $(max_rss "$S/map10000") KB for 10000 processes, $(max_rss "$S/map100000") KB for 100000"
	(( $(max_rss "$S/gen100000") - $(max_rss "$S/gen10000") < 1000 )) ||
		fail "ior-gen: max RSS $(max_rss "$S/gen10000") KB for 10000 processes, $(max_rss "$S/gen100000") KB for 100000"
}

@test "long call names cannot make ior-stats keep megabytes each: a name over 64 bytes is refused" {
	local name
	name=$(head -c 64 /dev/zero | tr '\0' c)
	stream trace - > "$S/t" <<-EOF
	0.000001000 1 1 app $name 0 100
	0.000001000 1 1 app ${name}x 0 100
	EOF
	run -3 ior-stats "$S/t"
	assert_output "ior-stats: $S/t:3: CALL: longer than 64 bytes"
}

# ---- signals, stalls and resource limits (ior-replay) ----

# ---- streams later tools would refuse (ior-map, ior-gen) ----

@test "a RET of INT64_MIN is kept, negated nowhere; a sub with no room for its mark is refused" {
	stream map - > "$S/m" <<-'EOF'
	0.000001000 1 1 app openat -9223372036854775808 100 dirfd=AT_FDCWD path=/a flags=O_RDONLY mode=0
	EOF
	run -0 ior-gen "$S/m"
	assert_line '0.000001000 1 1 app openat -9223372036854775808 100 seq=1 dirfd=AT_FDCWD path=/a flags=O_RDONLY mode=0'
	# a request orders by -(sub + 1): sub=2^63 - 1 has none
	stream map - > "$S/m" <<-'EOF'
	0.000001000 1 1 app io_uring_enter 1 100 fd=5 to_submit=1 min_complete=0 flags=0 sub=9223372036854775807 vfd=1 ofd=1
	0.000001000 1 1 app uring:nop 0 100 ring=5 sub=9223372036854775807
	EOF
	run -3 ior-gen "$S/m"
	assert_output "ior-gen: $S/m:2: sub: out of range 0..9223372036854775806"
}

@test "malformed escapes: ior-gen refuses a lone backslash, a short hex escape and a NUL byte, naming line and field" {
	local v
	for v in '/a\' '/a\x4' '/a\x00'; do
		{
			stream map
			rec 1 1 openat 3 100 dirfd=AT_FDCWD path=/a flags=O_RDONLY mode=0 vfd=1 ofd=1 "file=$v"
		} > "$S/m"
		run -3 ior-gen "$S/m"
		if [ "$v" = '/a\x00' ]; then
			assert_output "ior-gen: $S/m:2: file: value holds a NUL byte"
		else
			assert_output "ior-gen: $S/m:2: file: malformed escape in \"$v\""
		fi
	done
	{
		stream map
		rec 1 1 stat 0 100 'path=/a\x4'
	} > "$S/m"
	run -3 ior-gen "$S/m"
	assert_output "ior-gen: $S/m:2: path: malformed escape in \"/a\\x4\""
}

@test "what ior-gen accepts ior-init and ior-replay accept: a TID, a vfd, flags or a key they refuse, ior-gen refuses first" {
	mkdir "$R"
	# the largest virtual id, and keys as the replay reads them
	stream map - > "$S/m" <<-'EOF'
	0.000001000 4194303 4194303 app openat 3 100 dirfd=AT_FDCWD path=/d/f flags=O_RDWR|O_CREAT mode=0644 vfd=7 ofd=1 file=/d/f
	0.000002000 4194303 4194303 app write 10 100 fd=3 count=10 vfd=7 ofd=1 file=/d/f
	0.000003000 4194303 4194303 app close 0 100 fd=3 vfd=7 ofd=1 file=/d/f
	EOF
	ior-gen "$S/m" > "$S/p"
	run -0 ior-init -C "$R" "$S/p"
	run -0 timeout 20 ior-replay -C "$R" "$S/p"
	run -0 stat -c %s "$R/d/f"
	assert_output 10
	# one class each of what the replay refuses
	sed '2s/ 4194303 4194303 / 4194303 4194304 /' "$S/m" > "$S/tid"
	run -3 ior-gen "$S/tid"
	assert_output "ior-gen: $S/tid:2: TID: virtual id out of range 1..4194303"
	sed '3s/vfd=7/vfd=268435456/' "$S/m" > "$S/vfd"
	run -3 ior-gen "$S/vfd"
	assert_output "ior-gen: $S/vfd:3: vfd: out of range 0..268435455"
	sed '2s/flags=O_RDWR|O_CREAT/flags=O_RDWR|O_BOGUS/' "$S/m" > "$S/flags"
	run -3 ior-gen "$S/flags"
	assert_output "ior-gen: $S/flags:2: flags: bad flags \"O_RDWR|O_BOGUS\""
	sed '3s/ count=10//' "$S/m" > "$S/count"
	run -3 ior-gen "$S/count"
	assert_output "ior-gen: $S/count:3: count: missing for write"
}

@test "a PCRE2 match that hits its limit stops ior-map, naming the pattern and the line, never taken for no match" {
	local a
	a=$(head -c 40 /dev/zero | tr '\0' a)
	{
		stream trace
		rec 5 5 openat 3 100 dirfd=AT_FDCWD "path=/${a}b" flags=O_RDONLY mode=0
	} > "$S/t"
	run -2 --separate-stderr ior-map -i '(a+)+$' "$S/t"
	assert_equal "${stderr%%\": *}" "ior-map: $S/t:2: path: -i \"(a+)+\$"
	refute_output --partial ' openat '
}

@test "a capture that lost events: ior-map, ior-gen and ior-stats --compare each say so; --compare exits 1" {
	stream trace - > "$S/t" <<-'EOF'
	0.000001000 5 5 app openat 3 100 dirfd=AT_FDCWD path=/a flags=O_RDONLY mode=0
	#stat ior-trace events=1 drops=9 unpaired=0 missed=0
	EOF
	run -0 --separate-stderr ior-map "$S/t"
	assert_equal "$stderr" "ior-map: $S/t:3: the capture is incomplete: 9 events lost (drops=9), 1 written"
	printf '%s\n' "$output" > "$S/m"
	run -0 --separate-stderr ior-gen "$S/m"
	assert_equal "$stderr" "ior-gen: $S/m:4: the capture is incomplete: 9 events lost (drops=9), 1 written"
	run -1 --separate-stderr ior-stats --compare "$S/t" "$S/m"
	assert_equal "$stderr" "ior-stats: $S/t:3: the capture is incomplete: 9 events lost (drops=9), 1 written"
	assert_line 'incomplete capture (A): 9 events lost (drops=9)'
}
