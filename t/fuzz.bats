#!/usr/bin/env bats
# fuzz.bats - the fuzzer (fuzz/, make fuzz) finds what it is there to
# find: a canary reader (t/helper/fuzz-canary.c) with a bug planted on a
# record that mutants reach is run under ior-fuzz for a fixed number of
# runs with a fixed seed; each kind of bug is found, saved with its
# input, and reproduced by the one command the report names; without a
# bug the same run finds nothing and exits 0.
load helpers
bats_require_minimum_version 1.5.0

FUZZ=$TOP/build/fuzz/ior-fuzz

setup() {
	D=$(scratch)
	[ -x "$FUZZ" ] || skip_or_fail "build/fuzz/ior-fuzz is not built (make)"
}

# canary BUG [OPTION...]: fuzz the canary with bug BUG as a reader of
# map streams (ior-gen's seeds) from seed 1, up to its first finding or
# 400 runs; findings in $D/f.
canary() {
	local what=$1
	shift
	run --separate-stderr env FUZZ_CANARY="$what" "$FUZZ" -F -s 1 -n 400 -o "$D/f" \
		-x "$IOR_T/fuzz-canary" "$@" ior-gen
	printf '# %s\n' "${stderr_lines[@]}"
}

# found CLASS: the one finding in $D/f, of CLASS; its directory in F.
found() {
	local dirs
	dirs=$(cd "$D/f" && echo ior-gen-*)
	assert_equal "$(wc -w <<< "$dirs")" 1
	F=$D/f/$dirs
	assert_equal "$(cat "$F/reader")" ior-gen
	assert_equal "$(sed -n 's/^ior-gen: //p' "$F/report" | head -n 1)" "$1"
}

@test "ior-fuzz finds a reader's crash, saves its input and reproduces it with the command its report gives" {
	canary crash
	assert_failure 1
	found signal-SEGV
	assert_regex "${stderr_lines[*]}" "found signal-SEGV: $F"
	# the input holds the planted trigger: a number below -1000000
	run grep -E -c -e '(^| )-[0-9]{7}' -e '=-[0-9]{7}' "$F/in"
	assert_success
	refute_output 0
	cmd=$(sed -n 's/^reproduce: //p' "$F/report")
	assert_equal "$cmd" "$FUZZ -R $F"
	run env FUZZ_CANARY=crash $cmd
	assert_failure 1
	assert_line --index 0 "$F: ior-gen signal-SEGV "
}

@test "ior-fuzz finds a reader's memory error in the sanitizer build" {
	[ -x "$TOP/build/asan/t/fuzz-canary" ] || skip_or_fail "needs make asan"
	run --separate-stderr env FUZZ_CANARY=asan "$FUZZ" -F -s 1 -n 400 -o "$D/f" \
		-x "$TOP/build/asan/t/fuzz-canary" ior-gen
	assert_failure 1
	found asan-heap-buffer-overflow
	grep -q 'heap-buffer-overflow' "$F/report"
	grep -q 'in bug t/helper/fuzz-canary.c:' "$F/report"
}

@test "ior-fuzz finds a reader that hangs, killed at the timeout" {
	canary hang -t 1
	assert_failure 1
	found hang
	grep -q '^outcome: killed after the timeout of 1 s' "$F/report"
	# with what its threads were doing then
	grep -q '^[0-9]*/[0-9]* fuzz-canary S ' "$F/report"
}

@test "ior-fuzz finds an error of more than one line on exit 3" {
	canary message
	assert_failure 1
	found message
}

@test "ior-fuzz finds a reader whose memory grows past the bound" {
	canary memory -m 200
	assert_failure 1
	found memory
}

@test "ior-fuzz finds a reader that leaves a process running" {
	canary orphan
	assert_failure 1
	found orphans
	# and killed it: nothing of the canary's is left
	run pgrep -f "$IOR_T/fuzz-canary"
	assert_failure 1
}

@test "ior-fuzz finds a reader that makes a file outside its root, and removes it" {
	canary escape
	assert_failure 1
	found escape
	[ ! -e /tmp/ior-fuzz-escape ]
}

@test "ior-fuzz finds an output that the next tool refuses, and shows that tool's error" {
	# the canary as ior-gen takes a record that, as ior-init, it refuses;
	# the tools' directory must be one uid 65534 can reach
	B=$(mktemp -d /tmp/ior-fuzz-bin.XXXXXX)
	chmod 0755 "$B"
	for t in ior-gen ior-init ior-replay; do
		ln -s "$IOR_T/fuzz-canary" "$B/$t"
	done
	run --separate-stderr env FUZZ_CANARY=refuse "$FUZZ" -F -s 1 -n 400 -o "$D/f" -b "$B" ior-gen
	rm -r "$B"
	assert_failure 1
	found downstream
	grep -q '^ior-init: .*/next:[0-9]*: PID: refused by the canary$' "$F/report"
}

@test "ior-fuzz -M makes a finding's input smaller and it still reproduces" {
	canary crash
	assert_failure 1
	found signal-SEGV
	cp "$F/in" "$D/original"
	run env FUZZ_CANARY=crash "$FUZZ" -M "$F"
	assert_failure 1
	[ "$(wc -c < "$F/in")" -lt "$(wc -c < "$D/original")" ]
	cmp "$F/in.orig" "$D/original"
	# still a record with the trigger
	grep -q -E -e '(^| )-[0-9]{7}' -e '=-[0-9]{7}' "$F/in"
	run env FUZZ_CANARY=crash "$FUZZ" -R "$F"
	assert_failure 1
}

@test "ior-fuzz exits 0 and saves nothing when the reader has no bug" {
	canary crash
	assert_failure 1
	# the runs it took to find the crash ...
	runs=$(sed -n 's/^ior-fuzz: ior-gen: \([0-9]*\) runs in .*/\1/p' <<< "$stderr")
	[ "$runs" -gt 0 ]
	# ... are the same mutants from the same seed: without the bug,
	# nothing found
	rm -r "$D/f"
	run --separate-stderr env FUZZ_CANARY= "$FUZZ" -s 1 -n "$runs" -o "$D/f" \
		-x "$IOR_T/fuzz-canary" ior-gen
	assert_success
	assert_regex "${stderr_lines[-1]}" "^ior-fuzz: ior-gen: $runs runs in [0-9]+ s .*, 0 findings \(0 new\);"
	[ ! -e "$D/f" ]
}

@test "ior-fuzz -R of a finding that no longer happens says clean and exits 0" {
	canary crash
	assert_failure 1
	found signal-SEGV
	run env FUZZ_CANARY= "$FUZZ" -R "$F"
	assert_success
	assert_line --index 0 "$F: ior-gen clean"
}

@test "ior-fuzz makes the same mutants from the same seed" {
	canary crash
	found signal-SEGV
	first=$(cat "$F/in")
	rm -r "$D/f"
	canary crash
	found signal-SEGV
	assert_equal "$(cat "$F/in")" "$first"
}

@test "ior-fuzz refuses an unknown reader and a missing option value with exit 2" {
	run --separate-stderr "$FUZZ" ior-bogus
	assert_failure 2
	run --separate-stderr "$FUZZ" -d
	assert_failure 2
	run --separate-stderr "$FUZZ"
	assert_failure 2
}
