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
