# e2e-helpers.bash - helpers of the end-to-end tests (t/e2e.bats): tree
# listings and per-syscall counts from strace -c tables and from captures.
# Load after helpers: load helpers; load e2e-helpers

# The file system calls whose counts a capture must share with strace -c.
FILE_CALLS="open openat openat2 creat close read write pread64 pwrite64
readv writev preadv pwritev lseek fsync fdatasync stat lstat fstat newfstatat
statx mkdir mkdirat rmdir unlink unlinkat rename renameat renameat2 truncate
ftruncate dup dup2 dup3 chdir fchdir"

# tree_list DIR: every entry below DIR as "PATH TYPE SIZE", sorted; the
# size of a directory depends on the file system's history, so it is "-".
tree_list() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %s\n') |
		awk '$2 == "d" { $3 = "-" } { print }' | LC_ALL=C sort
}

# strace_counts FILE: "CALL COUNT" for each of FILE_CALLS, from the table
# of strace -c (COUNT includes failed calls; 0 when the call is absent).
strace_counts() {
	awk -v calls="$FILE_CALLS" '
		BEGIN { split(calls, c); for (i in c) want[c[i]] = 1 }
		/^(%|-)/ || $NF == "total" { next }
		$NF in want { n[$NF] = $4 }
		END { for (k in want) print k, n[k] + 0 }' "$1" | LC_ALL=C sort
}

# capture_counts FILE: the same from a capture of `ior-trace -- CMD`. The
# records of the launched task before its exec belong to ior-trace, not to
# CMD (strace -c does not see them either), so counting starts at the
# first sched:exec, when there is one.
capture_counts() {
	awk -v calls="$FILE_CALLS" '
		BEGIN { split(calls, c); for (i in c) want[c[i]] = 1 }
		FNR == NR { if ($5 == "sched:exec") has_exec = 1; next }
		/^#/ { next }
		has_exec && !started { started = $5 == "sched:exec"; next }
		$5 in want { n[$5]++ }
		END { for (k in want) print k, n[k] + 0 }' "$1" "$1" | LC_ALL=C sort
}

# Run one step of the pipeline, named for the failure message: the
# failing tool is what the reader of a failed test needs first.
step() {
	local name=$1
	shift
	echo "# step: $name"
	run timeout 120 "$@"
	if [ "$status" -ne 0 ]; then
		echo "# FAILED: $name (exit $status):"
		printf '%s\n' "$output" | head -20
		return 1
	fi
}

# replay_matches_capture SCENARIO: capture the scenario's run phase, turn
# the capture into a replay program, build its tree and replay it under a
# root; the directory the workload left must come back under the root, and
# the replay must make the program's calls with the program's byte counts.
replay_matches_capture() {
	local scen=$1 s d root
	s=$(scratch)
	d=$s/work
	root=$s/root
	mkdir "$root"
	step "ior-workload setup" ior-workload setup "$scen" "$d"
	step "ior-trace" ior-trace -o "$s/cap.ior" -- ior-workload run "$scen" "$d"
	tree_list "$d" > "$s/captured.tree"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$s/cap.ior" "$s/map.ior"
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$s/map.ior" "$s/prog.replay"
	step "ior-init" ior-init -C "$root" "$s/prog.replay"
	step "ior-replay" sh -c 'ior-replay -C "$1" "$2" > "$3"' - "$root" "$s/prog.replay" "$s/result.ior"
	[ -d "$root$d" ] || { echo "# ior-replay: $root$d was not created"; return 1; }
	tree_list "$root$d" > "$s/replayed.tree"
	echo "# step: compare the trees (captured vs replayed)"
	diff -u "$s/captured.tree" "$s/replayed.tree"
	step "ior-stats --compare" ior-stats --compare "$s/prog.replay" "$s/result.ior"
}

# counts_match_strace SCENARIO: the capture counts each file system call
# as often as strace -c does on an identical run.
counts_match_strace() {
	local scen=$1 s
	s=$(scratch)
	step "ior-workload setup" ior-workload setup "$scen" "$s/a"
	step "ior-workload setup" ior-workload setup "$scen" "$s/b"
	step "ior-trace" ior-trace -o "$s/cap.ior" -- ior-workload run "$scen" "$s/a"
	step "strace" strace -f -qq -c -o "$s/strace.txt" ior-workload run "$scen" "$s/b"
	strace_counts "$s/strace.txt" > "$s/strace.counts"
	capture_counts "$s/cap.ior" > "$s/capture.counts"
	echo "# step: compare counts (strace vs ior-trace)"
	diff -u "$s/strace.counts" "$s/capture.counts"
}

# init_matches_setup SCENARIO: ior-init, given the replay program of a
# capture, rebuilds the tree the workload started from (for scenarios
# whose pre-existing files are all opened or stat'ed, so their sizes are
# in the capture).
init_matches_setup() {
	local scen=$1 s d root
	s=$(scratch)
	d=$s/work
	root=$s/root
	mkdir "$root"
	step "ior-workload setup" ior-workload setup "$scen" "$d"
	tree_list "$d" > "$s/setup.tree"
	step "ior-trace" ior-trace -o "$s/cap.ior" -- ior-workload run "$scen" "$d"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$s/cap.ior" "$s/map.ior"
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$s/map.ior" "$s/prog.replay"
	step "ior-init" ior-init -C "$root" "$s/prog.replay"
	[ -d "$root$d" ] || { echo "# ior-init: $root$d was not created"; return 1; }
	tree_list "$root$d" > "$s/init.tree"
	echo "# step: compare the trees (before capture vs ior-init)"
	diff -u "$s/setup.tree" "$s/init.tree"
}
