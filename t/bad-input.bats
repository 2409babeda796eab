#!/usr/bin/env bats
# bad-input.bats - every stream reader refuses malformed input the same
# way: exit 3, one line on stderr naming the input and its line, within
# 10 seconds, no crash; ior-init and ior-replay create nothing outside
# their root. Each input is a valid stream of the reader's kind
# (ior-format(5)) spoiled in one way.
load helpers
load streams
bats_require_minimum_version 1.5.0

# The kind of stream each reader reads (compare: the result, second).
kind_of() {
	case $1 in
	ior-map | ior-stats) echo trace ;;
	ior-gen) echo map ;;
	ior-init | ior-replay) echo replay ;;
	compare) echo result ;;
	esac
}

# valid KIND: a small valid stream. Its paths lie in the scratch directory
# $S, outside the root, so that a replay escaping its root would show.
valid() {
	local f=$S/escape.txt
	stream "$1"
	case $1 in
	trace)
		echo "#meta ior-trace host=t kernel=6.18.0 epoch=1763764907.000000000"
		rec_at 0.000001000 4242 4242 openat 3 8000 dirfd=AT_FDCWD "path=$f" "flags=O_RDWR|O_CREAT" mode=0644 ino=11 size=0 ft=reg fs=ext4
		rec_at 0.000002000 4242 4242 write 100 900 fd=3 count=100
		rec_at 0.000003000 4242 4242 close 0 300 fd=3
		;;
	map)
		rec_at 0.000001000 1 1 openat 3 8000 dirfd=AT_FDCWD "path=$f" "flags=O_RDWR|O_CREAT" mode=0644 ino=11 size=0 ft=reg fs=ext4 vfd=1 ofd=1 "file=$f"
		rec_at 0.000002000 1 1 write 100 900 fd=3 count=100 vfd=1 ofd=1 "file=$f"
		rec_at 0.000003000 1 1 close 0 300 fd=3 vfd=1 ofd=1 "file=$f"
		;;
	replay)
		init init:dir "path=$S/escape-dir" mode=0755
		init init:file "path=$S/escape-dir/f" size=100 mode=0644
		rec_at 0.000001000 1 1 openat 3 8000 seq=1 dirfd=AT_FDCWD "path=$f" "flags=O_RDWR|O_CREAT" mode=0644 vfd=1 ofd=1 "file=$f"
		rec_at 0.000002000 1 1 write 100 900 seq=2 fd=3 count=100 vfd=1 ofd=1 "file=$f"
		rec_at 0.000003000 1 1 close 0 300 seq=3 fd=3 vfd=1 ofd=1 "file=$f"
		;;
	result)
		rec_at 0.000001000 1 1 openat 3 5400 seq=1 dirfd=AT_FDCWD "path=$f" "flags=O_RDWR|O_CREAT" mode=0644 vfd=1 ofd=1 "file=$f" cret=3 cdur=8000
		rec_at 0.000002000 1 1 write 100 700 seq=2 fd=3 count=100 vfd=1 ofd=1 "file=$f" cret=100 cdur=900
		rec_at 0.000003000 1 1 close 0 200 seq=3 fd=3 vfd=1 ofd=1 "file=$f" cret=0 cdur=300
		;;
	esac
}

# A record of KIND with PID and COMM in place (a write, valid otherwise).
record() {
	case $1 in
	trace) printf '0.000004000 %s 4242 %b write 10 900 fd=3 count=10' "$2" "$3" ;;
	*) printf '0.000004000 %s 1 %b write 10 900 seq=4 fd=3 count=10' "$2" "$3" ;;
	esac
}

# spoiled KIND CASE: the input of a test; sets BAD_LINE to the line the
# error must name, or to a pattern when any line will do.
spoiled() {
	local kind=$1
	BAD_LINE=$(($(valid "$kind" | wc -l) + 1))
	case $2 in
	random)
		stream "$kind"
		perl -e 'srand(7); print map { chr(int(rand(256))) } 1 .. 4096'
		BAD_LINE='[0-9]+'
		;;
	truncated)
		valid "$kind"
		record "$kind" 4242 app | head -c 30
		;;
	pid)
		valid "$kind"
		record "$kind" 42x2 app
		echo
		record "$kind" 4242 app
		echo
		;;
	nul)
		valid "$kind"
		record "$kind" 4242 'a\0pp'
		echo
		;;
	huge)
		valid "$kind"
		record "$kind" 4242 app
		printf ' path=/'
		head -c 1048576 /dev/zero | tr '\0' a
		echo
		;;
	empty)
		BAD_LINE='[0-9]+'
		;;
	version)
		echo "#ior 9 $kind"
		valid "$kind" | tail -n +2
		BAD_LINE=1
		;;
	esac
}

# check_bad READER CASE: run READER on the spoiled input and check how it
# refuses it.
check_bad() {
	local reader=$1 prog=$1 kind rest want="in.ior root"
	kind=$(kind_of "$reader")
	S=$(scratch)
	mkdir "$S/root"
	spoiled "$kind" "$2" > "$S/in.ior"
	case $reader in
	ior-init | ior-replay)
		run --separate-stderr timeout 10 "$reader" -C "$S/root" "$S/in.ior" ;;
	compare)
		prog=ior-stats
		want="good.replay in.ior root"
		valid replay > "$S/good.replay"
		run --separate-stderr timeout 10 ior-stats --compare "$S/good.replay" "$S/in.ior" ;;
	*)
		run --separate-stderr timeout 10 "$reader" "$S/in.ior" ;;
	esac
	printf '# stderr: %s\n' "$stderr"
	assert_equal "$status" 3
	assert_equal "${#stderr_lines[@]}" 1
	rest=${stderr_lines[0]#"$prog: $S/in.ior:"}
	[ "$rest" != "${stderr_lines[0]}" ] ||
		fail "the error does not start with \"$prog: $S/in.ior:\""
	[[ $rest =~ ^$BAD_LINE:\ [^\ ] ]] ||
		fail "the error does not name line $BAD_LINE"
	# Nothing but the inputs and the root: nothing written outside it.
	assert_equal "$(cd "$S"; echo *)" "$want"
}

@test "ior-map refuses random bytes after the magic line with one line naming input and line" {
	check_bad ior-map random
}

@test "ior-map refuses a truncated last line with one line naming input and line" {
	check_bad ior-map truncated
}

@test "ior-map refuses a non-numeric PID with one line naming input and line" {
	check_bad ior-map pid
}

@test "ior-map refuses a NUL byte with one line naming input and line" {
	check_bad ior-map nul
}

@test "ior-map refuses a 1 MiB field with one line naming input and line" {
	check_bad ior-map huge
}

@test "ior-map refuses empty input with one line naming input and line" {
	check_bad ior-map empty
}

@test "ior-map refuses an unknown format version (#ior 9) with one line naming input and line" {
	check_bad ior-map version
}


@test "ior-gen refuses random bytes after the magic line with one line naming input and line" {
	check_bad ior-gen random
}

@test "ior-gen refuses a truncated last line with one line naming input and line" {
	check_bad ior-gen truncated
}

@test "ior-gen refuses a non-numeric PID with one line naming input and line" {
	check_bad ior-gen pid
}

@test "ior-gen refuses a NUL byte with one line naming input and line" {
	check_bad ior-gen nul
}

@test "ior-gen refuses a 1 MiB field with one line naming input and line" {
	check_bad ior-gen huge
}

@test "ior-gen refuses empty input with one line naming input and line" {
	check_bad ior-gen empty
}

@test "ior-gen refuses an unknown format version (#ior 9) with one line naming input and line" {
	check_bad ior-gen version
}


@test "ior-init refuses random bytes after the magic line with one line naming input and line" {
	check_bad ior-init random
}

@test "ior-init refuses a truncated last line with one line naming input and line" {
	check_bad ior-init truncated
}

@test "ior-init refuses a non-numeric PID with one line naming input and line" {
	check_bad ior-init pid
}

@test "ior-init refuses a NUL byte with one line naming input and line" {
	check_bad ior-init nul
}

@test "ior-init refuses a 1 MiB field with one line naming input and line" {
	check_bad ior-init huge
}

@test "ior-init refuses empty input with one line naming input and line" {
	check_bad ior-init empty
}

@test "ior-init refuses an unknown format version (#ior 9) with one line naming input and line" {
	check_bad ior-init version
}


@test "ior-replay refuses random bytes after the magic line with one line naming input and line" {
	check_bad ior-replay random
}

@test "ior-replay refuses a truncated last line with one line naming input and line" {
	check_bad ior-replay truncated
}

@test "ior-replay refuses a non-numeric PID with one line naming input and line" {
	check_bad ior-replay pid
}

@test "ior-replay refuses a NUL byte with one line naming input and line" {
	check_bad ior-replay nul
}

@test "ior-replay refuses a 1 MiB field with one line naming input and line" {
	check_bad ior-replay huge
}

@test "ior-replay refuses empty input with one line naming input and line" {
	check_bad ior-replay empty
}

@test "ior-replay refuses an unknown format version (#ior 9) with one line naming input and line" {
	check_bad ior-replay version
}


@test "ior-stats refuses random bytes after the magic line with one line naming input and line" {
	check_bad ior-stats random
}

@test "ior-stats refuses a truncated last line with one line naming input and line" {
	check_bad ior-stats truncated
}

@test "ior-stats refuses a non-numeric PID with one line naming input and line" {
	check_bad ior-stats pid
}

@test "ior-stats refuses a NUL byte with one line naming input and line" {
	check_bad ior-stats nul
}

@test "ior-stats refuses a 1 MiB field with one line naming input and line" {
	check_bad ior-stats huge
}

@test "ior-stats refuses empty input with one line naming input and line" {
	check_bad ior-stats empty
}

@test "ior-stats refuses an unknown format version (#ior 9) with one line naming input and line" {
	check_bad ior-stats version
}


@test "ior-stats --compare refuses random bytes after the magic line with one line naming input and line" {
	check_bad compare random
}

@test "ior-stats --compare refuses a truncated last line with one line naming input and line" {
	check_bad compare truncated
}

@test "ior-stats --compare refuses a non-numeric PID with one line naming input and line" {
	check_bad compare pid
}

@test "ior-stats --compare refuses a NUL byte with one line naming input and line" {
	check_bad compare nul
}

@test "ior-stats --compare refuses a 1 MiB field with one line naming input and line" {
	check_bad compare huge
}

@test "ior-stats --compare refuses empty input with one line naming input and line" {
	check_bad compare empty
}

@test "ior-stats --compare refuses an unknown format version (#ior 9) with one line naming input and line" {
	check_bad compare version
}

@test "ior-map writes the records before a malformed line before it stops" {
	S=$(scratch)
	spoiled trace pid > "$S/in.ior"
	run --separate-stderr timeout 10 ior-map "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$(printf '%s\n' "$output" | grep -c '^[^#]')" 3
}

# ---- found by the fuzzer (make fuzz, t/README) ----

@test "ior-map refuses a dup2 without fd with one line naming input, line and field" {
	S=$(scratch)
	{
		stream trace
		rec 4242 4242 dup2 3 100 fd2=3
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-map "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-map: $S/in.ior:2: fd: missing for dup2"
}

@test "ior-map and ior-gen say a capture's losses once the input is read: one refused after its trailer gets one line, its error" {
	S=$(scratch)
	{
		stream trace
		echo "#stat ior-trace events=1 drops=9 unpaired=0 missed=0"
		rec 4242 4242 close 0 100
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-map "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-map: $S/in.ior:3: fd: missing for close"
	{
		stream map
		echo "#stat ior-trace events=1 drops=9 unpaired=0 missed=0"
		rec 1 1 close 0 100
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-gen "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-gen: $S/in.ior:3: fd: missing for close"
}

# What ior-gen would refuse in what ior-map writes, ior-map refuses in
# its input (ior_check_rec_vals): the message names the user's file.

# map_refuses LINE MESSAGE: ior-map refuses the trace of the record LINE
# (PID and TID 4242) with "ior-map: INPUT:2: MESSAGE".
map_refuses() {
	S=$(scratch)
	{
		stream trace
		echo "$1"
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-map "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-map: $S/in.ior:2: $2"
}

@test "ior-map refuses a copy_file_range without fd2, as ior-gen would, with one line naming input, line and field" {
	map_refuses "$(rec 4242 4242 copy_file_range 10 100 fd=3 count=10 flags=0)" \
		"fd2: missing for copy_file_range"
}

@test "ior-map refuses an owner out of range in a file's facts, as ior-gen would, with one line naming input, line and field" {
	map_refuses "$(rec 4242 4242 openat 3 100 dirfd=AT_FDCWD path=/srv/f flags=O_RDONLY mode=0 ino=7 size=0 ft=reg fmode=0644 uid=-9223372036854775809 gid=0 dev=254:0)" \
		'uid: not a number: "-9223372036854775809"'
}

@test "ior-map refuses flags its call's table does not name, as ior-gen would, with one line naming input, line and field" {
	map_refuses "$(rec 4242 4242 mmap 140000 100 addr=0x0 len=4096 prot=PROT_READ 'flags=MAP_PRIVATE|MAP_NOPE' fd=-1 offset=0)" \
		'flags: bad flags "MAP_PRIVATE|MAP_NOPE"'
}

@test "ior-map refuses a sched:fork without cpid, as ior-gen would, with one line naming input, line and field" {
	# ior-map maps the keys a fork has, and adds none
	map_refuses "$(rec 4242 4242 sched:fork 0 0 child=4243 flags=0)" \
		"cpid: missing for sched:fork"
}

@test "ior-gen refuses a ring size beyond 32 bits and more registered buffers than the replay pins, as ior-replay would, with one line naming input, line and field" {
	S=$(scratch)
	{
		stream map
		rec 1 1 io_uring_setup 3 100 entries=8 flags=0 sq=8 cq=4294967296 vfd=1 ofd=1
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-gen "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-gen: $S/in.ior:2: cq: out of range 0..4294967295"
	{
		stream map
		rec 1 1 io_uring_register 0 100 fd=3 opcode=IORING_REGISTER_BUFFERS nr=2 lens=1073741824,1 vfd=1 ofd=1
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-gen "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-gen: $S/in.ior:2: lens: more than 1073741824 bytes in all"
}

@test "ior-map refuses an AIO request's malformed reap=, as ior-gen and ior-replay would, with one line naming input, line and field" {
	map_refuses "$(rec 4242 4242 aio:fsync 0 100 fd=0 ctx=0x7f0000 sub=1 iocb=0x1000 reap=)" \
		"reap: not a number: \"\""
}

@test "ior-map refuses a malformed ctx= on any call, as ior-gen would, with one line naming input, line and field" {
	map_refuses "$(rec 4242 4242 uring:nop 0 100 ring=8 sqe_flags=0 user_data=0x1 exec=inline batch=1 ctx=0x7_FILE)" \
		"ctx: not a hexadecimal address: \"0x7_FILE\""
}

@test "ior-map refuses a malformed vfd= or vfd2= on any call, as ior-gen's ordering reads it, with one line naming input, line and field" {
	map_refuses "$(rec 4242 4242 mkdirat 0 100 dirfd=3 path=gone vfd2= mode=0755)" \
		"vfd2: not a number: \"\""
	map_refuses "$(rec 4242 4242 sync 0 100 vfd=x)" \
		"vfd: not a number: \"x\""
}

@test "ior-gen refuses a malformed key of a record it drops, as ior-map refuses it, with one line naming input, line and field" {
	S=$(scratch)
	{
		stream map
		rec 1 1 read 10 100 fd=0 count=ten
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-gen "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-gen: $S/in.ior:2: count: not a number: \"ten\""
}

@test "ior-map refuses a record its keys take past a map stream's longest line, with one line naming input, line and field" {
	# 65216 bytes: room for ior-gen's seq= and after= and for the keys
	# of ior-replay's results, within the 65536 bytes any reader takes
	local head="0.000001000 4242 4242 app read 10 900 fd=3 count=10 x=" long
	S=$(scratch)
	long=$(head -c $((65217 - 18 - ${#head})) /dev/zero | tr '\0' a)
	{
		stream trace
		rec 4242 4242 openat 3 100 dirfd=AT_FDCWD path=/srv/f flags=O_RDONLY mode=0
		echo "$head$long"
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-map "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-map: $S/in.ior:3: line: 65217 bytes with the keys ior-map adds; at most 65216"
	# the records before it are written, not a part of it
	assert_equal "$(printf '%s\n' "$output" | grep -c '^[^#]')" 1
}

@test "ior-map refuses a record its keys take past a map stream's most arguments, with one line naming input, line and field" {
	# 24: room for ior-gen's seq= and after= and for the keys of
	# ior-replay's results, within the 32 arguments any reader takes
	S=$(scratch)
	{
		stream trace
		rec 4242 4242 openat 3 100 dirfd=AT_FDCWD path=/srv/f flags=O_RDONLY mode=0
		rec 4242 4242 read 10 900 fd=3 count=10 $(printf 'k%d=1 ' $(seq 20))
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-map "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-map: $S/in.ior:3: arguments: 25 with the keys ior-map adds; at most 24"
}

@test "ior-gen refuses a record with no room left for the keys it and ior-replay add, with one line naming input, line and field" {
	S=$(scratch)
	{
		stream map
		rec 1 1 sync 0 100 $(printf 'k%d=1 ' $(seq 25))
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-gen "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-gen: $S/in.ior:2: arguments: 25, with no room for the keys ior-gen adds; at most 24"
}

@test "ior-replay refuses an operation with no room left for the arguments of its result, with one line naming input, line and field" {
	S=$(scratch)
	mkdir "$S/root"
	{
		stream replay
		rec 1 1 sync 0 100 seq=1 $(printf 'k%d=1 ' $(seq 26))
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-replay -C "$S/root" "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-replay: $S/in.ior:2: arguments: 27, with no room for the keys ior-replay adds; at most 26"
}

@test "ior-replay refuses an operation with no room left for the keys of its result, with one line naming input, line and field" {
	local head="0.000001000 1 1 app sync 0 1000 seq=1 x=" long
	S=$(scratch)
	mkdir "$S/root"
	long=$(head -c $((65281 - ${#head})) /dev/zero | tr '\0' a)
	{
		stream replay
		echo "$head$long"
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-replay -C "$S/root" "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-replay: $S/in.ior:2: line: 65281 bytes, with no room for the keys ior-replay adds; at most 65280"
}

@test "ior-map and ior-gen refuse a sub two io_uring_enter calls share, as ior-replay would, with one line naming input, line and field" {
	local enter="io_uring_enter 1 100 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1"
	S=$(scratch)
	{
		stream trace
		rec 4242 4242 $enter
		rec 4242 4242 $enter
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-map "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-map: $S/in.ior:3: sub: sub=1 is used twice"
	{
		stream map
		rec 1 1 $enter
		rec 1 1 $enter
	} > "$S/in.ior"
	run --separate-stderr timeout 10 ior-gen "$S/in.ior"
	assert_equal "$status" 3
	assert_equal "$stderr" "ior-gen: $S/in.ior:3: sub: sub=1 is used twice"
}
