# helpers.bash - shared set-up for the bats tests; load it with
#   load helpers
# IOR_BIN names the directory of the tools under test (make test sets it),
# IOR_T the directory of the compiled test helpers (t/helper/*.c).

T_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$T_DIR/.." && pwd)
IOR_BIN=${IOR_BIN:-$TOP/bin}
IOR_T=${IOR_T:-$TOP/build/t}
PATH=$IOR_BIN:$IOR_T:$PATH
export IOR_BIN IOR_T PATH

for lib in /usr/lib/bats/bats-support /usr/lib/bats/bats-assert \
	   /usr/lib/bats-support /usr/lib/bats-assert; do
	if [ -f "$lib/load.bash" ]; then
		load "$lib/load.bash"
	fi
done

# A command substitution runs with set -e too, so a helper called as
# x=$(helper) fails the test at its first failing step, not only at its
# last.
shopt -s inherit_errexit

# LeakSanitizer cannot run under ptrace, so a tool of the sanitizer build
# run under strace takes the pass's options with leak checks off: strace
# here does that itself, and where strace is run by another command,
#   env "$(no_leak_check)" timeout 20 strace ... ior-replay ...
no_leak_check() {
	echo "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}
strace() {
	env "$(no_leak_check)" strace "$@"
}

# skip_or_fail WHY: skip this test, saying why; under CI, where every
# test must run, fail it instead.  Call it as "COND || skip_or_fail WHY".
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		echo "CI must not skip: $1" >&2
		return 1
	fi
	skip "$1"
}

# Skip (or, under CI, fail) unless we are root on a kernel with BTF:
# tests of the tracer need both.
need_bpf() {
	local why=
	[ "$(id -u)" = 0 ] || why="needs root"
	[ -r /sys/kernel/btf/vmlinux ] || why="${why:+$why, }needs a kernel with BTF"
	[ -x "$IOR_BIN/ior-trace" ] || why="${why:+$why, }ior-trace is not built"
	if [ -n "$why" ]; then
		skip_or_fail "$why"
	fi
}

# need_root WHY: skip (or, under CI, fail) unless we are root.
need_root() {
	[ "$(id -u)" = 0 ] || skip_or_fail "needs root: $1"
}

# need_cmd CMD...: skip (or, under CI, fail) unless each command is here.
need_cmd() {
	local c
	for c; do
		command -v "$c" >/dev/null || skip_or_fail "needs $c"
	done
}

# need_cpus N: skip (or, under CI, fail) on a machine with fewer CPUs.
need_cpus() {
	[ "$(nproc)" -ge "$1" ] || skip_or_fail "needs $1 CPUs"
}

# A fresh scratch directory per test.
scratch() {
	mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/ior.XXXXXX"
}
