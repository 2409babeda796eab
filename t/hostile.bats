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
