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

@test "ior-trace refuses a duration that is not a finite number of seconds within its maximum" {
	for d in inf 2e10 nan -1 1e400 1e-400 0x10 ''; do
		run -2 ior-trace -d "$d" -o "$S/trace.txt"
		assert_output "ior-trace: -d: bad duration: '$d' (seconds, above 0 and at most 31536000)"
	done
	run -2 ior-trace -d ' 5' -o "$S/trace.txt"
	assert_output "ior-trace: -d: bad duration: '\\x205' (seconds, above 0 and at most 31536000)"
	refute [ -e "$S/trace.txt" ]
}

# ---- memory set by the input ----

# ---- signals, stalls and resource limits (ior-replay) ----

# ---- streams later tools would refuse (ior-map, ior-gen) ----
