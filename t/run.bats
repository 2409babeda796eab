#!/usr/bin/env bats
# The test command's own tests: t/run is run on a scratch copy of itself
# with planted test files (canaries), a stub install step and a Makefile
# that builds one canary tool, plainly and under the sanitizers.  It
# must fail on every way a test can fail or go unrun, and pass, with the
# exact count, when every canary passes.  t/lint is tried on each form
# it rejects and on the ones it must leave alone.

load helpers

setup() {
	P=$(scratch)/proj
	mkdir -p "$P/t" "$P/share"
	cp "$TOP/t/run" "$TOP/t/lint" "$P/t/"
	printf '#!/bin/sh\nexit 0\n' > "$P/share/install-deps"
	chmod +x "$P/share/install-deps"
	# The canary tool exits 1, the tools' "differences found"; asked
	# to, it first reads past the end of a heap block, which only the
	# sanitizer build notices.
	cat > "$P/canary.c" <<-'EOF'
	#include <stdlib.h>
	#include <string.h>
	int main(int argc, char **argv)
	{
		if (argc > 1 && strcmp(argv[1], "overflow") == 0) {
			char *p = malloc(8);
			volatile char c = p[argc + 6];
			(void)c;
			free(p);
		}
		return 1;
	}
	EOF
	printf '%s\n' 'all: bin/canary' 'bin/canary: canary.c' \
		'	mkdir -p bin; cc -o $@ canary.c' \
		'asan: build/asan/bin/canary' 'build/asan/bin/canary: canary.c' \
		'	mkdir -p build/asan/bin; cc -g -fsanitize=address,undefined -o $@ canary.c' \
		> "$P/Makefile"
	good | plant "$P/t/a.bats"
	good | plant "$P/t/b.bats"
}

# Bats reads "@test" lines anywhere in a file, here-documents too: the
# canaries are written with %test and planted by plant FILE (stdin).
plant() {
	sed 's/^%test /@test /' >> "$1"
}

# A canary file of three passing tests.
good() {
	cat <<-'EOF'
	%test "one" {
		true
	}
	%test "two" {
		[ 1 = 1 ]
	}
	%test "the canary exits 1" {
		run "$IOR_BIN/canary"
		[ "$status" -eq 1 ]
	}
	EOF
}

# run_tests: t/run in the scratch copy, as the suite would run it.
run_tests() {
	run env -u BATS_TEST_FILENAME -u BATS_TEST_NAME -u BATS_TMPDIR \
		-u BATS_RUN_TMPDIR -u BATS_FILE_TMPDIR -u BATS_TEST_TMPDIR \
		-u ASAN_OPTIONS -u UBSAN_OPTIONS "$P/t/run"
}

@test "t/run passes passing canaries with the exact count of both passes" {
	run_tests
	assert_success
	assert_line --index -1 "12 passed, 0 failed, 0 skipped, 0 broken (results of 6 tests in each of 2 passes, plain and sanitizer)"
}

@test "t/run fails on a failing test" {
	plant "$P/t/b.bats" <<-'EOF'
	%test "fails" {
		[ 1 = 2 ]
	}
	EOF
	run_tests
	assert_failure 1
	assert_line "not ok 4 fails"
	assert_line --index -1 --partial "12 passed, 2 failed, 0 skipped, 0 broken"
}

@test "t/run fails when a duplicate test name stops bats before any test ran" {
	plant "$P/t/b.bats" <<-'EOF'
	%test "one" {
		true
	}
	EOF
	run_tests
	assert_failure 1
	assert_line "t/run: plain: t/b.bats: bats printed no plan (exit 1)"
	assert_line "t/run: sanitizer: t/b.bats: bats printed no plan (exit 1)"
	assert_line --index -1 --partial "6 passed, 0 failed, 0 skipped, 2 broken"
}

@test "t/run fails when the bats process is killed in the middle of a file" {
	rm "$P/t/b.bats"
	plant "$P/t/b.bats" <<-'EOF'
	%test "one" {
		true
	}
	%test "kills the bats process running this file" {
		kill -KILL "$PPID"
	}
	%test "never runs" {
		true
	}
	EOF
	run_tests
	assert_failure 1
	assert_line "t/run: plain: t/b.bats: 2 results for a plan of 3 tests"
	assert_line --index -1 --partial "broken"
	refute_line --index -1 --partial ", 0 broken"
}

@test "t/run fails on a sanitizer report in a tool that a test expects to exit 1" {
	rm "$P/t/b.bats"
	plant "$P/t/b.bats" <<-'EOF'
	%test "the canary reads past a heap block and exits 1" {
		run "$IOR_BIN/canary" overflow
		[ "$status" -eq 1 ]
	}
	EOF
	run_tests
	assert_failure 1
	assert_line "ok 1 the canary reads past a heap block and exits 1"
	assert_line "not ok 1 the canary reads past a heap block and exits 1"
	assert_line --partial "t/run: sanitizer: 1 report(s)"
	assert_line --partial "heap-buffer-overflow"
}

@test "t/run fails on a sanitizer report even where a test ignores the status" {
	rm "$P/t/b.bats"
	plant "$P/t/b.bats" <<-'EOF'
	%test "the canary's status is ignored" {
		"$IOR_BIN/canary" overflow || true
	}
	EOF
	run_tests
	assert_failure 1
	refute_line --partial "not ok"
	assert_line --partial "t/run: sanitizer: 1 report(s)"
	assert_line --index -1 --partial "0 failed, 0 skipped, 1 broken"
}

@test "t/run fails when t/lint finds an unchecked assertion" {
	plant "$P/t/b.bats" <<-'EOF'
	%test "checks only its second half" {
		[ 1 = 2 ] && [ 1 = 1 ]
		true
	}
	EOF
	run_tests
	assert_failure 1
	assert_line "t/b.bats:12: only the last command of an && list fails a test: one assertion per line, or if for a guard"
	assert_line "t/run: t/lint found unchecked assertions (above)"
	assert_line --index -1 --partial "14 passed, 0 failed, 0 skipped, 1 broken"
}

@test "t/lint names each unchecked form with its line" {
	plant "$P/t/forms.bats" <<-'EOF'
	helper() {
		true
	}
	%test "forms" {
		[ a ] && [ b ]
		! false
		helper || return 1
		(cd / && true)
		if true; then [ a ] && [ b ]; fi
		grep -q x f && break
	}
	EOF
	run "$P/t/lint" t/forms.bats
	assert_failure 1
	assert_output - <<-'EOF'
	t/forms.bats:5: only the last command of an && list fails a test: one assertion per line, or if for a guard
	t/forms.bats:6: a statement negated with ! never fails: use run !, refute or assert_failure
	t/forms.bats:7: "|| return" turns set -e off in what it follows: call it plainly
	t/forms.bats:8: only the last command of an && list fails a test: one assertion per line, or if for a guard
	t/forms.bats:9: only the last command of an && list fails a test: one assertion per line, or if for a guard
	t/forms.bats:10: only the last command of an && list fails a test: one assertion per line, or if for a guard
	EOF
}

@test "t/lint leaves conditions, quotes, substitutions and here-documents alone" {
	plant "$P/t/fine.bats" <<-'EOF'
	%test "fine" {
		if [ a ] && [ b ]; then
			true
		fi
		while [ a ] && [ b ]; do break; done
		[[ a && b ]]
		x=$([ a ] && echo y)
		diff <(true && true) <(true)
		run ! false
		awk '
			a && b { print }
			!c
		' /dev/null
		echo "a && b" # a && b
		for ((i = 0; i < 1 && 1; i++)); do :; done
		cat <<'END' >/dev/null
	a && b
	! c
	END
		[ a ] ||
			false
	}
	EOF
	run "$P/t/lint" t/fine.bats
	assert_success
	assert_output ""
}
