# helpers.bash - shared set-up for the bats tests; load it with
#   load helpers
# IOR_BIN names the directory of the tools under test (make test sets it),
# IOR_T the directory of the compiled test helpers (t/*.c).

T_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$T_DIR/.." && pwd)
IOR_BIN=${IOR_BIN:-$TOP/bin}
IOR_T=${IOR_T:-$TOP/build/t}
PATH=$IOR_BIN:$IOR_T:$PATH
export IOR_BIN IOR_T PATH

for lib in /usr/lib/bats/bats-support /usr/lib/bats/bats-assert \
	   /usr/lib/bats-support /usr/lib/bats-assert; do
	[ -f "$lib/load.bash" ] && load "$lib/load.bash"
done

# Skip (or, under CI, fail) unless we are root on a kernel with BTF:
# tests of the tracer need both, and CI must never skip them.
need_bpf() {
	local why=
	[ "$(id -u)" = 0 ] || why="needs root"
	[ -r /sys/kernel/btf/vmlinux ] || why="${why:+$why, }needs a kernel with BTF"
	[ -x "$IOR_BIN/ior-trace" ] || why="${why:+$why, }ior-trace is not built"
	[ -z "$why" ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "CI must not skip: $why" >&2
		return 1
	fi
	skip "$why"
}

# A fresh scratch directory per test.
scratch() {
	mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/ior.XXXXXX"
}
