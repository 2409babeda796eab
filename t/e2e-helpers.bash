# e2e-helpers.bash - helpers of the end-to-end tests (t/e2e.bats): tree
# listings and per-syscall counts from strace -c tables and from captures.
# Load after helpers: load helpers; load e2e-helpers

# The file system calls whose counts a capture must share with strace -c.
# mmap is counted for file mappings only (a capture holds no anonymous
# ones), from the calls strace prints; see strace_counts.
FILE_CALLS="open openat openat2 creat close read write pread64 pwrite64
readv writev preadv pwritev lseek fsync fdatasync stat lstat fstat newfstatat
statx mkdir mkdirat rmdir unlink unlinkat rename renameat renameat2 truncate
ftruncate dup dup2 dup3 chdir fchdir
access faccessat faccessat2 chmod fchmod fchmodat fchmodat2 chown fchown
fchownat lchown close_range copy_file_range sendfile64 splice fcntl flock
fallocate fadvise64 readahead sync syncfs sync_file_range getdents64 link
linkat symlink symlinkat readlink readlinkat mknod mknodat utime utimes
utimensat futimesat setxattr lsetxattr fsetxattr getxattr lgetxattr
fgetxattr listxattr llistxattr flistxattr removexattr lremovexattr
fremovexattr statfs fstatfs getcwd name_to_handle_at open_by_handle_at
memfd_create mmap munmap msync madvise unshare clone clone3 vfork execve
execveat"

# tree_list DIR: every entry below DIR as "PATH TYPE SIZE LINKS MODE",
# and a symbolic link's target after it, sorted; the size of a directory
# depends on the file system's history, so it is "-".
tree_list() {
	local list
	list=$(find "$1" -mindepth 1 -printf '%P %y %s %n %m %l\n')
	awk 'NF { if ($2 == "d") $3 = "-"; $1 = $1; print }' <<< "$list" |
		LC_ALL=C sort
}

# tree_xattrs DIR: the user.* extended attributes below DIR, one a line as
# "PATH NAME=VALUE" (the value in hex), sorted: each attribute stays with
# its file, so attributes swapped between two files differ. The capture
# holds a value set of at most 1024 bytes and the replay sets that value;
# a longer one is replayed as as many pseudo-random bytes, so only its
# length is compared ("NAME=len=N").
tree_xattrs() {
	local list
	list=$(env -C "$1" getfattr -R -h -d -e hex -m '^user\.' .)
	awk '
		/^# file: / { file = substr($0, 9); next }
		NF {
			e = index($0, "=")
			if (e == 0) {
				print file, $0 "="
				next
			}
			v = substr($0, e + 1)
			if (length(v) > 2 + 2 * 1024)
				v = "len=" (length(v) - 2) / 2
			print file, substr($0, 1, e - 1) "=" v
		}' <<< "$list" | LC_ALL=C sort
}

# strace_counts FILE: "CALL COUNT" for each of FILE_CALLS, from the output
# of strace -C (COUNT includes failed calls; 0 when the call is absent).
# The table names sendfile64 "sendfile". Two calls are counted from the
# calls strace prints instead: mmap, for the calls with a descriptor (the
# 5th argument is not -1), the file mappings; and fchmodat2, which strace
# 6.1 of Debian 12 prints as syscall_0x1c4 and leaves out of its table.
strace_counts() {
	awk -v calls="$FILE_CALLS" '
		BEGIN { split(calls, c); for (i in c) want[c[i]] = 1 }
		$2 ~ /^mmap\(/ {
			split(substr($0, index($0, "mmap(") + 5), a, ", ")
			if (a[5] != "-1") printed["mmap"]++
			next
		}
		$2 ~ /^(fchmodat2|syscall_0x1c4)\(/ { printed["fchmodat2"]++; next }
		$1 !~ /^[0-9]+\.[0-9]+$/ || $NF == "total" { next }
		{ call = $NF == "sendfile" ? "sendfile64" : $NF }
		call in want { n[call] = $4 }
		END {
			n["mmap"] = printed["mmap"]
			n["fchmodat2"] = printed["fchmodat2"]
			for (k in want) print k, n[k] + 0
		}' "$1" | LC_ALL=C sort
}

# capture_counts FILE: the same from a capture of `ior-trace -- CMD`. The
# records of the launched task before its exec belong to ior-trace, not to
# CMD (strace -c does not see them either), so counting starts at the
# first sched:exec, when there is one. strace counts the execve that
# started CMD; when the capture holds no execve record for it (the task's
# next record after its sched:exec), the sched:exec stands for it.
capture_counts() {
	awk -v calls="$FILE_CALLS" '
		BEGIN { split(calls, c); for (i in c) want[c[i]] = 1 }
		FNR == NR { if ($5 == "sched:exec") has_exec = 1; next }
		/^#/ { next }
		has_exec && !started {
			if (started = $5 == "sched:exec")
				first = $3
			next
		}
		first != "" && $3 == first {
			if ($5 != "execve")
				n["execve"]++
			first = ""
		}
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

# replayed_or_diverged: the last `run` of ior-replay (or of a command
# that exits with its status) exited 0, every operation as captured, or
# 1 with the line that says how the replay diverged from the capture.
replayed_or_diverged() {
	if [ "$status" -ne 0 ]; then
		printf '%s\n' "$output" | head -20
		assert_equal "$status" 1
		assert_line --regexp '^ior-replay: diverged from the capture: '
	fi
}

# replay_step ROOT PROGRAM RESULT [OPTION...]: the step "ior-replay" of
# a pipeline whose replay may diverge from the capture (exit 1, said on
# stderr); what it must match, the test checks.
replay_step() {
	echo "# step: ior-replay"
	run timeout 120 sh -c 'r=$1 p=$2 o=$3; shift 3; exec ior-replay "$@" -C "$r" "$p" > "$o"' - "$@"
	replayed_or_diverged
}

# replay_matches_capture SCENARIO: capture the scenario's run phase, turn
# the capture into a replay program, build its tree and replay it under a
# root; the directory the workload left must come back under the root
# (entries, types, sizes, link counts, modes, symlink targets, user
# xattrs with their values), the replay must make the capture's calls on
# the workload's files with the capture's results and byte counts
# (own_counts), ior-stats --compare must find the program's calls in
# the result, and the replay must have issued every operation with its
# captured outcome (replay_complete). Sets S (the scratch directory), D (the workload's directory)
# and ROOT for further checks.
replay_matches_capture() {
	local scen=$1
	S=$(scratch)
	D=$S/work
	ROOT=$S/root
	mkdir "$ROOT"
	step "ior-workload setup" ior-workload setup "$scen" "$D"
	step "ior-trace" ior-trace -o "$S/cap.ior" -- ior-workload run "$scen" "$D"
	tree_list "$D" > "$S/captured.tree"
	tree_xattrs "$D" > "$S/captured.xattrs"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$S/cap.ior" "$S/map.ior"
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$S/map.ior" "$S/prog.replay"
	step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
	step "ior-replay" sh -c 'ior-replay -C "$1" "$2" > "$3"' - "$ROOT" "$S/prog.replay" "$S/result.ior"
	if [ ! -d "$ROOT$D" ]; then
		echo "# ior-replay: $ROOT$D was not created"
		return 1
	fi
	tree_list "$ROOT$D" > "$S/replayed.tree"
	tree_xattrs "$ROOT$D" > "$S/replayed.xattrs"
	echo "# step: compare the trees (captured vs replayed)"
	diff -u "$S/captured.tree" "$S/replayed.tree"
	echo "# step: compare the user xattrs (captured vs replayed)"
	diff -u "$S/captured.xattrs" "$S/replayed.xattrs"
	calls_match_capture "$D" "$S/cap.ior" "$S/map.ior" "$S/result.ior"
	step "ior-stats --compare" ior-stats --compare "$S/prog.replay" "$S/result.ior"
	replay_complete
}

# replay_complete: the replay of $S/prog.replay issued every operation
# (skipped=0) and each had the captured outcome (mismatched=0).
replay_complete() {
	echo "# step: the replay issued every operation, each as captured"
	grep '^#stat ior-replay ' "$S/result.ior"
	grep -q '^#stat ior-replay .* mismatched=0 skipped=0 ' "$S/result.ior"
}

# calls_match_capture DIR CAPTURE MAPPED RESULT: the replay's result
# stream makes the calls of the capture on the workload's files in DIR,
# each with the capture's outcome and bytes (own_counts of both). The
# mapped stream names the files of the capture's descriptors: it must hold
# the capture's records one for one (CALL and RET, in order), so what is
# counted is the capture. A call the replay program dropped, or one the
# replay skipped or issued with another outcome, is a difference.
calls_match_capture() {
	local dir=$1 cap=$2 map=$3 res=$4
	echo "# step: ior-map keeps the capture's records"
	awk '!/^#/ { print $5, $6 }' "$cap" > "$cap.calls"
	awk '!/^#/ { print $5, $6 }' "$map" > "$map.calls"
	diff -u "$cap.calls" "$map.calls"
	own_counts "$dir" "$map" > "$cap.own"
	own_counts "$dir" "$res" > "$res.own"
	echo "# step: compare the calls on the workload's files (captured vs replayed)"
	if [ ! -s "$cap.own" ]; then
		echo "# no call on $dir in $cap"
		return 1
	fi
	diff -u "$cap.own" "$res.own"
}

# own_counts DIR FILE: "CALL OUTCOME COUNT BYTES" for the records of a
# mapped or result stream that are the workload's own, by CALL and
# OUTCOME ("ok" or the negative errno of RET); BYTES sums the RET of the
# calls that move data (reads, writes, their AIO and io_uring requests,
# copy_file_range, sendfile64, splice). A record the replay skipped
# (skip=) was not issued: it is left out. The workload's own records:
# - those naming DIR or a path below it (path, path2, file, file2);
# - those on a descriptor whose description memfd_create or
#   io_uring_setup made (ofd): the replay makes its own;
# - those naming no file and no descriptor: sched:fork and sched:exit,
#   sync, unshare, vfork, the AIO calls on a context, close_range (its fd
#   is the first of a range of numbers);
# but not
# - those naming only absolute paths outside DIR: the loader's libraries,
#   /etc, the program itself (sched:exec), /dev, /proc, /, the test's
#   standard streams: not the workload's files;
# - those on other descriptors without a file: pipes, sockets and
#   descriptors ior-map did not know (inherited, or already closed);
# - clone, clone3, fork, execve, execveat and exit_group, which the
#   replay's processes stand for (sched:fork, sched:exit), ior:cwd
#   (the replay resolves no relative path) and ior:lstat (the starting
#   tree's, no call);
# - anonymous memory: mmap, munmap, msync and madvise without a file.
own_counts() {
	awk -v d="$1" '
		function key(k,  i) {
			for (i = 8; i <= NF; i++)
				if (index($i, k "=") == 1)
					return substr($i, length(k) + 2)
			return ""
		}
		BEGIN { split("path path2 file file2", names, " ") }
		/^#/ || / skip=/ { next }
		{
			own = outside = 0
			for (j = 1; j <= 4; j++) {
				v = key(names[j])
				if (v == d || index(v, d "/") == 1)
					own = 1
				else if (substr(v, 1, 1) == "/")
					outside = 1
			}
			ofd = key("ofd")
			if (ofd != "" && ($5 == "memfd_create" || $5 == "io_uring_setup"))
				made[ofd] = 1
			if (!own) {
				if (outside)
					next
				if (ofd != "" && !(ofd in made))
					next
				if (ofd == "" && $5 != "close_range" &&
				    (key("fd") != "" || key("fd2") != "" || key("fixed") != ""))
					next
				if ($5 ~ /^(mmap|munmap|msync|madvise)$/ && ofd == "")
					next
			}
			if ($5 ~ /^(clone|clone3|fork|execve|execveat|exit_group|ior:cwd|ior:lstat)$/)
				next
			k = $5 " " ($6 < 0 ? $6 : "ok")
			n[k]++
			if ($6 > 0 && $5 ~ /^((aio|uring):)?p?(read|write)(v|64|_fixed)?$|^(copy_file_range|sendfile64|splice)$/)
				b[k] += $6
		}
		END { for (k in n) print k, n[k], b[k] + 0 }' "$2" | LC_ALL=C sort
}

# counts_match_strace SCENARIO: the capture counts each file system call
# as often as strace -c does on an identical run (strace -C: the table and
# the calls, for the file mappings).
counts_match_strace() {
	local scen=$1 s
	s=$(scratch)
	step "ior-workload setup" ior-workload setup "$scen" "$s/a"
	step "ior-workload setup" ior-workload setup "$scen" "$s/b"
	step "ior-trace" ior-trace -o "$s/cap.ior" -- ior-workload run "$scen" "$s/a"
	step "strace" strace -f -qq -C -o "$s/strace.txt" ior-workload run "$scen" "$s/b"
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
	if [ ! -d "$root$d" ]; then
		echo "# ior-init: $root$d was not created"
		return 1
	fi
	tree_list "$root$d" > "$s/init.tree"
	echo "# step: compare the trees (before capture vs ior-init)"
	diff -u "$s/setup.tree" "$s/init.tree"
}

# records FILE CALL [KEY=VALUE ...]: the CALL records of FILE with every
# KEY=VALUE given (a value of * matches any value of the key).
records() {
	local file=$1 call=$2
	shift 2
	awk -v call="$call" -v want="$*" '
		BEGIN { nw = split(want, w, " ") }
		/^#/ || $5 != call { next }
		{
			delete kv
			for (i = 8; i <= NF; i++) {
				e = index($i, "=")
				kv[substr($i, 1, e - 1)] = substr($i, e + 1)
			}
			for (i = 1; i <= nw; i++) {
				e = index(w[i], "=")
				k = substr(w[i], 1, e - 1)
				v = substr(w[i], e + 1)
				if (!(k in kv) || (v != "*" && kv[k] != v))
					next
			}
			print
		}' "$file"
}

# has_record FILE CALL [KEY=VALUE ...]: FILE holds such a record.
has_record() {
	if [ -z "$(records "$@" | head -n 1)" ]; then
		echo "# no record: $2 ${*:3} in $1"
		return 1
	fi
}

# replay_attached SCENARIO FILE: the run phase of a scenario that waits
# for SIGUSR1 (held-*), captured with ior-trace -p once its descriptor
# on FILE (a name in its directory) is open and ior-trace has written
# it; then mapped, generated, initialised and replayed under a root as
# replay_matches_capture does, with no filter anywhere. Sets S, D and
# ROOT for further checks; $S/captured.tree is the workload's directory
# after the run, $S/replayed.tree the root's.
replay_attached() {
	local scen=$1 file=$2 pid tracer
	S=$(scratch)
	D=$S/work
	ROOT=$S/root
	mkdir "$ROOT"
	step "ior-workload setup" ior-workload setup "$scen" "$D"
	ior-workload run "$scen" "$D" &	# ends on the SIGUSR1 below
	pid=$!
	for _ in $(seq 200); do
		if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q -- "$file"; then
			break
		fi
		sleep 0.05
	done
	ls -l "/proc/$pid/fd" | grep -q -- "$file"
	timeout 60 ior-trace -p "$pid" -o "$S/cap.ior" &
	tracer=$!
	for _ in $(seq 200); do
		if grep -q "ior:fd.*$file" "$S/cap.ior" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	grep -q "ior:fd.*$file" "$S/cap.ior"
	kill -USR1 "$pid"
	wait "$pid"
	wait "$tracer"
	tree_list "$D" > "$S/captured.tree"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$S/cap.ior" "$S/map.ior"
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$S/map.ior" "$S/prog.replay"
	step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
	replay_step "$ROOT" "$S/prog.replay" "$S/result.ior"
	tree_list "$ROOT$D" > "$S/replayed.tree"
}
