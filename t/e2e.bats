#!/usr/bin/env bats
# e2e.bats - end-to-end: trace each scenario of ior-workload, map it,
# generate a replay program, build its tree, replay it under a root, and
# compare with what the workload did: the tree it left, and the calls of
# the capture on its files, call by call with their outcomes and bytes
# (replay_matches_capture); and compare the capture's per-call counts with
# strace -c on an identical run.
load helpers
load e2e-helpers

@test "ior-workload lists every scenario the end-to-end tests use" {
	run ior-workload list
	assert_success
	for scen in threads-share-fd fork-dup2 dirfd-chdir rename-over \
		    unlink-open read-whole read-chunks read-random lseek-zero \
		    truncate big-offset stat-family dup-family mixed \
		    access-family chmod-chown close-range copy-range fcntl-locks \
		    fcntl-rw-hint \
		    flock fallocate-fadvise getdents links through-links mknod-fifo utimes \
		    xattrs statfs getcwd handles memfd mmap-msync unshare \
		    fork-inherit clone-files clone-fs thread-exit fd-reuse \
		    rename-open hardlinks scm-rights held-open held-pipes held-anon vfork-exec exec-cloexec \
		    aio-setup aio-submit aio-batch aio-cancel aio-destroy aio-reaper vec-wide \
		    uring-setup uring-files uring-link uring-fixed uring-buffers \
		    uring-fsync uring-statx uring-sqpoll umask all; do
		assert_line "$scen"
	done
}

@test "the count helpers read strace -c tables and captures alike" {
	s=$(scratch)
	cat > "$s/strace.txt" <<'TABLE'
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 40.00    0.000400          10        40           read
 30.00    0.000300          10         3         1 openat
 20.00    0.000200          10        12           mmap
  0.00    0.000000           0         2           sendfile
  0.00    0.000000           0         1           execve
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000          18        55         1 total
TABLE
	cat >> "$s/strace.txt" <<'CALLS'
77 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f8f292f4000
77 mmap(NULL, 43439, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f8f292e9000
78 openat(AT_FDCWD, "total", O_RDONLY) = 3
79 syscall_0x1c4(0x3, 0x55d0e12a1f86, 0x184, 0, 0x7433772f706d742f, 0x7433772f706d742f) = 0
CALLS
	{
		echo '#ior 1 trace'
		echo '0.000001000 9 9 ior-trace read 8 100 fd=5 count=8'
		echo '0.000002000 9 9 app sched:exec 0 0 path=/bin/app'
		for i in $(seq 40); do echo "0.000003000 9 9 app read 1 100 fd=3 count=1"; done
		echo '0.000004000 9 9 app openat 3 100 dirfd=AT_FDCWD path=a flags=O_RDONLY mode=0'
		echo '0.000004000 9 9 app openat 4 100 dirfd=AT_FDCWD path=b flags=O_RDONLY mode=0'
		echo '0.000004000 9 9 app openat -2 100 dirfd=AT_FDCWD path=c flags=O_RDONLY mode=0 err=ENOENT'
		echo '0.000005000 9 9 app mmap 140253 100 addr=0x0 len=43439 prot=PROT_READ flags=MAP_PRIVATE fd=3 offset=0'
		echo '0.000006000 9 9 app sendfile64 10 100 fd2=4 fd=3 count=10'
		echo '0.000006000 9 9 app sendfile64 10 100 fd2=4 fd=3 count=10'
		echo '0.000007000 9 9 app fchmodat2 0 100 dirfd=3 path=d mode=0604 flags=0'
		echo '#stat ior-trace events=44'
	} > "$s/cap.ior"
	run strace_counts "$s/strace.txt"
	assert_line "read 40"
	assert_line "openat 3"
	assert_line "close 0"
	assert_line "mmap 1"
	assert_line "sendfile64 2"
	assert_line "execve 1"
	assert_line "fchmodat2 1"
	refute_line --partial "mprotect"
	diff <(strace_counts "$s/strace.txt") <(capture_counts "$s/cap.ior")
}

@test "tree_xattrs keeps each user xattr with its file and its value" {
	s=$(scratch)
	mkdir "$s/a" "$s/b" "$s/c"
	touch "$s/a/x" "$s/a/y" "$s/b/x" "$s/b/y" "$s/c/x" "$s/c/y"
	setfattr -n user.p -v one "$s/a/x" || skip_or_fail "no user xattrs here"
	setfattr -n user.q -v two "$s/a/y"
	# b: the attributes swapped between the files; c: their values
	setfattr -n user.q -v two "$s/b/x"
	setfattr -n user.p -v one "$s/b/y"
	setfattr -n user.p -v two "$s/c/x"
	setfattr -n user.q -v one "$s/c/y"
	run tree_xattrs "$s/a"
	assert_success
	assert_output "$(printf 'x user.p=0x6f6e65\ny user.q=0x74776f')"
	a=$output
	# over 1024 bytes, a value is not captured: its length stands for it
	setfattr -n user.big -v "$(printf '%2000s' '')" "$s/c/y"
	run tree_xattrs "$s/c"
	assert_line "y user.big=len=2000"
	run tree_xattrs "$s/b"
	assert_success
	[ "$output" != "$a" ]
	run tree_xattrs "$s/c"
	assert_success
	[ "$output" != "$a" ]
}

# The starting tree of truncate (files truncated by path only) and
# stat-family (a symlink's target) is not in the capture: not compared.
@test "fork-dup2: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup fork-dup2
}

@test "dirfd-chdir: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup dirfd-chdir
}

@test "rename-over: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup rename-over
}

@test "unlink-open: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup unlink-open
}

@test "read-whole: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup read-whole
}

@test "read-chunks: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup read-chunks
}

@test "read-random: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup read-random
}

@test "lseek-zero: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup lseek-zero
}

@test "mixed: ior-init rebuilds the tree the workload started from" {
	need_bpf
	init_matches_setup mixed
}

@test "threads-share-fd: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture threads-share-fd
}

@test "threads-share-fd: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace threads-share-fd
}

@test "fork-dup2: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture fork-dup2
}

@test "fork-dup2: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace fork-dup2
}

@test "dirfd-chdir: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture dirfd-chdir
}

@test "dirfd-chdir: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace dirfd-chdir
}

@test "rename-over: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture rename-over
}

@test "rename-over: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace rename-over
}

@test "unlink-open: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture unlink-open
}

@test "unlink-open: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace unlink-open
}

@test "read-whole: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture read-whole
}

@test "read-whole: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace read-whole
}

@test "read-chunks: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture read-chunks
}

@test "read-chunks: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace read-chunks
}

@test "read-random: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture read-random
}

@test "read-random: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace read-random
}

@test "lseek-zero: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture lseek-zero
}

@test "lseek-zero: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace lseek-zero
}

@test "truncate: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture truncate
}

@test "truncate: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace truncate
}

@test "big-offset: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture big-offset
}

@test "big-offset: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace big-offset
}

@test "stat-family: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture stat-family
}

@test "stat-family: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace stat-family
}

@test "dup-family: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture dup-family
}

@test "dup-family: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace dup-family
}

@test "mixed: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture mixed
}

@test "mixed: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace mixed
}

@test "all: the replay rebuilds the tree the workload left and repeats its calls" {
	need_bpf
	replay_matches_capture all
}

@test "all: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace all
}

# ---- issue 3: the rest of the file-I/O surface and the process model ----
# Each scenario: the replay rebuilds the tree the workload left (entries,
# types, sizes, link counts, modes, symlink targets, user xattrs) and
# repeats the capture's calls on its files, the capture holds the records
# that say what happened, and it counts each file call as strace -c does.

@test "access-family: access and faccessat* are captured with their modes and replayed" {
	need_bpf
	replay_matches_capture access-family
	has_record "$S/cap.ior" access amode='R_OK|W_OK'
	has_record "$S/cap.ior" access amode=F_OK err=ENOENT
	has_record "$S/cap.ior" faccessat2 amode=F_OK flags=AT_SYMLINK_NOFOLLOW
}

@test "access-family: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace access-family
}

@test "chmod-chown: the replay gives each file the captured mode and owner" {
	need_bpf
	replay_matches_capture chmod-chown
	has_record "$S/cap.ior" fchmodat2 mode=0604
	has_record "$S/cap.ior" lchown uid=4 gid=4
	has_record "$S/cap.ior" fchown uid=2 gid=2
	find "$D" -printf '%P %U %G\n' | LC_ALL=C sort > "$S/captured.owners"
	find "$ROOT$D" -printf '%P %U %G\n' | LC_ALL=C sort > "$S/replayed.owners"
	diff -u "$S/captured.owners" "$S/replayed.owners"
}

@test "chmod-chown: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace chmod-chown
}

@test "close-range: descriptors closed by close_range are closed in the map and the replay" {
	need_bpf
	replay_matches_capture close-range
	has_record "$S/cap.ior" close_range flags=CLOSE_RANGE_CLOEXEC
	has_record "$S/map.ior" write count=10 err=EBADF
	has_record "$S/map.ior" write count=10 file="$D/r4.dat"
	# The replay closes the descriptors it opened for r1..r3 at the first
	# close_range, r0's at the last, r4's at its close (the write that
	# failed on a closed descriptor is dropped): strace of a second replay.
	need_cmd strace
	mkdir "$S/root2"
	step "ior-init" ior-init -C "$S/root2" "$S/prog.replay"
	step "strace ior-replay" env "$(no_leak_check)" strace -f -qq -y -e trace=close,write \
		-o "$S/replay.strace" ior-replay -C "$S/root2" "$S/prog.replay"
	run awk -v d="$S/root2$D/" '
		match($0, / (close|write)\([0-9]+</) && index($0, d) {
			call = substr($0, RSTART + 1, index(substr($0, RSTART + 1), "(") - 1)
			file = substr($0, index($0, d) + length(d))
			file = substr(file, 1, index(file, ">") - 1)
			print call, file, $NF
		}' "$S/replay.strace"
	assert_output "$(printf '%s\n' 'write r0.dat 100' 'write r1.dat 200' \
		'write r2.dat 300' 'write r3.dat 400' 'write r4.dat 500' \
		'close r1.dat 0' 'close r2.dat 0' 'close r3.dat 0' \
		'write r4.dat 10' 'write r4.dat 10' 'close r0.dat 0' \
		'close r4.dat 0')"
}

@test "close-range: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace close-range
}

@test "copy-range: copy_file_range, sendfile and splice copy the same bytes in the replay" {
	need_bpf
	replay_matches_capture copy-range
	has_record "$S/cap.ior" copy_file_range offset=50000 offset2=60000 count=10000
	has_record "$S/cap.ior" sendfile64 offset=0 count=20000
	has_record "$S/cap.ior" splice offset=8192 count=8192
	has_record "$S/map.ior" copy_file_range file="$D/src.dat" file2="$D/copy.dat"
}

@test "copy-range: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace copy-range
}

@test "fcntl-locks: lock kinds, dups and flags of fcntl are captured and replayed" {
	need_bpf
	replay_matches_capture fcntl-locks
	has_record "$S/cap.ior" fcntl cmd=F_OFD_SETLK ltype=F_WRLCK offset=1000 len=10
	has_record "$S/cap.ior" fcntl cmd=F_SETLKW ltype=F_RDLCK offset=200 len=50
	has_record "$S/cap.ior" fcntl cmd=F_SETLK err=EAGAIN
	# the parent holds the lock: the child's attempt fails in the replay too
	run records "$S/result.ior" fcntl cmd=F_SETLK err=EAGAIN
	assert_output --regexp '^[0-9.]+ [0-9]+ [0-9]+ [^ ]+ fcntl -11 '
	has_record "$S/cap.ior" fcntl cmd=F_SETFL arg=O_APPEND
	has_record "$S/map.ior" write count=24 file="$D/locked.db"
}

@test "fcntl-locks: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace fcntl-locks
}

@test "fcntl-rw-hint: a write-life hint, as RocksDB gives its files, is captured and replayed with it" {
	need_bpf
	replay_matches_capture fcntl-rw-hint
	has_record "$S/cap.ior" fcntl cmd=F_SET_RW_HINT hint=RWH_WRITE_LIFE_SHORT
	has_record "$S/result.ior" fcntl cmd=F_SET_RW_HINT hint=RWH_WRITE_LIFE_SHORT
	# the kernel keeps the hint the replay gave the file
	assert_equal "$(rw-hint "$ROOT$D/000042.sst")" 2
}

@test "fcntl-rw-hint: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace fcntl-rw-hint
}

@test "flock: flock operations and their conflicts are captured and replayed" {
	need_bpf
	replay_matches_capture flock
	has_record "$S/cap.ior" flock op='LOCK_EX|LOCK_NB' err=EAGAIN
	has_record "$S/cap.ior" flock op=LOCK_UN
	# the conflicts happen in the replay too
	run records "$S/result.ior" flock err=EAGAIN
	assert_line --regexp " flock -11 [0-9]+ .* op=LOCK_EX\|LOCK_NB "
	assert_line --regexp " flock -11 [0-9]+ .* op=LOCK_SH\|LOCK_NB "
	[ "${#lines[@]}" -eq 2 ]
}

@test "flock: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace flock
}

@test "fallocate-fadvise: allocation, hints and syncs are captured and replayed" {
	need_bpf
	replay_matches_capture fallocate-fadvise
	has_record "$S/cap.ior" fallocate flags='FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE' offset=4096 len=8192
	has_record "$S/cap.ior" fadvise64 offset=100000 len=50000 advice=POSIX_FADV_WILLNEED
	has_record "$S/cap.ior" readahead offset=0 count=65536
	has_record "$S/cap.ior" sync
}

@test "fallocate-fadvise: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace fallocate-fadvise
}

@test "getdents: a listed directory and the entries stat'ed come back" {
	need_bpf
	replay_matches_capture getdents
	has_record "$S/map.ior" getdents64 count=4096 file="$D/list"
}

@test "getdents: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace getdents
}

@test "links: hard and symbolic links are made again with their targets and link counts" {
	need_bpf
	replay_matches_capture links
	has_record "$S/cap.ior" readlinkat path2=target.txt
	has_record "$S/cap.ior" symlinkat path=nowhere
	has_record "$S/cap.ior" linkat flags=AT_SYMLINK_FOLLOW
	[ "$(readlink "$ROOT$D/dangling")" = nowhere ]
}

@test "links: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace links
}

@test "mknod-fifo: FIFOs made by mknod and mknodat are made again" {
	need_bpf
	replay_matches_capture mknod-fifo
	has_record "$S/cap.ior" mknodat mode=010600
	[ -p "$ROOT$D/fifo1" ]
}

@test "mknod-fifo: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace mknod-fifo
}

# What the workload's umask (027) gave each entry: the directories it
# asked 0777 for 0750, the files and FIFOs it asked 0666 for 0640.
@test "umask: each call that creates records the application's umask, and only those" {
	need_bpf
	S=$(scratch)
	step "ior-workload setup" ior-workload setup umask "$S/work"
	step "ior-trace" ior-trace -o "$S/cap.ior" -- ior-workload run umask "$S/work"
	for c in mkdir mkdirat creat openat2 mknod mknodat uring:openat; do
		has_record "$S/cap.ior" "$c" umask=0027
	done
	has_record "$S/cap.ior" openat flags=O_WRONLY\|O_CREAT\|O_EXCL mode=0666 umask=0027 fmode=0640
	has_record "$S/cap.ior" openat flags=O_WRONLY\|O_TMPFILE mode=0666 umask=0027
	has_record "$S/cap.ior" mknod mode=010666 umask=0027
	# the directory it opens to work in creates nothing
	has_record "$S/cap.ior" openat flags=O_RDONLY\|O_DIRECTORY
	run records "$S/cap.ior" openat flags=O_RDONLY\|O_DIRECTORY umask=*
	assert_output ""
}

@test "umask: the replay gives each entry the mode the application's umask gave it, whatever the caller's umask" {
	need_bpf
	replay_matches_capture umask
	assert_equal "$(cd "$ROOT$D" && stat -c '%n %a' d d/e f g d/h p d/q d/u)" "d 750
d/e 750
f 640
g 640
d/h 640
p 640
d/q 640
d/u 640"
	for u in 077 000; do
		rm -rf "$ROOT"
		mkdir "$ROOT"
		umask "$u"
		step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
		step "ior-replay" sh -c 'ior-replay -C "$1" "$2" > "$3"' - "$ROOT" "$S/prog.replay" "$S/result.ior"
		tree_list "$ROOT$D" > "$S/replayed-$u.tree"
		diff -u "$S/captured.tree" "$S/replayed-$u.tree"
		replay_complete
	done
}

@test "umask: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace umask
}

@test "utimes: the replay sets the captured times" {
	need_bpf
	replay_matches_capture utimes
	has_record "$S/cap.ior" utimes atime=1100000000.250000000 mtime=1100000001.500000000
	has_record "$S/cap.ior" utimensat flags=AT_SYMLINK_NOFOLLOW atime=now mtime=1300000000.000000000
	# u1, u2, u5 and ul end with fixed modification times, u1, u2, u3
	# and u5 with fixed access times, to the nanosecond; the others are
	# the time of the call, or of the setup. Nothing reads the files after.
	for t in y:u1 y:u2 y:u5 y:ul x:u1 x:u2 x:u3 x:u5; do
		f=${t#*:}
		replayed=$(stat -c "%${t%:*}" "$ROOT$D/$f")
		captured=$(stat -c "%${t%:*}" "$D/$f")
		echo "# $f: %${t%:*} $replayed, captured $captured"
		[ "$replayed" = "$captured" ]
	done
}

@test "utimes: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace utimes
}

@test "xattrs: the replay leaves the user xattrs the workload left" {
	need_bpf
	replay_matches_capture xattrs
	has_record "$S/cap.ior" fsetxattr name=user.keep count=4
	has_record "$S/cap.ior" fsetxattr name=user.none err=ENODATA
	# user.a, user.b and user.gone were removed: user.keep ("kept") stays
	# on x.dat, and on x.dat only
	run cat "$S/replayed.xattrs"
	assert_output "x.dat user.keep=0x6b657074"
}

@test "xattrs: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace xattrs
}

@test "statfs: statfs and fstatfs are captured and replayed" {
	need_bpf
	replay_matches_capture statfs
	has_record "$S/cap.ior" statfs err=ENOENT
	has_record "$S/map.ior" fstatfs file="$D/f.dat"
}

@test "statfs: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace statfs
}

@test "getcwd: getcwd is captured with the directory it returned" {
	need_bpf
	replay_matches_capture getcwd
	has_record "$S/cap.ior" getcwd path="$D/sub"
	has_record "$S/cap.ior" getcwd count=1 err=ERANGE
}

@test "getcwd: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace getcwd
}

# A file handle is only valid on the file system it was made on: the
# replay opens the file by the path ior-trace read for it.
@test "handles: a file opened by handle is captured with its path and replayed" {
	need_bpf
	replay_matches_capture handles
	has_record "$S/cap.ior" open_by_handle_at path="$D/handled.dat"
	has_record "$S/map.ior" read count=2000 file="$D/handled.dat"
}

@test "handles: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace handles
}

# vector_bytes: "CALL BYTES" for each readv, writev, preadv and pwritev
# that strace -f printed on standard input, in order: the bytes each
# moved, its RET.
vector_bytes() {
	awk 'match($0, /(p?readv|p?writev)\(/) && / = [0-9]+$/ {
		print substr($0, RSTART, RLENGTH - 1), $NF }'
}

@test "vec-wide: the count of a vector of 32 or 1024 iovecs is every byte the kernel moved, as strace says" {
	need_bpf
	need_cmd strace
	s=$(scratch)
	step "ior-workload setup" ior-workload setup vec-wide "$s/a"
	step "ior-workload setup" ior-workload setup vec-wide "$s/b"
	step "ior-trace" ior-trace -o "$s/cap.ior" -- ior-workload run vec-wide "$s/a"
	step "strace" strace -f -qq -e trace=readv,writev,preadv,pwritev -o "$s/strace.txt" ior-workload run vec-wide "$s/b"
	vector_bytes < "$s/strace.txt" > "$s/strace.bytes"
	awk '$5 ~ /^p?(read|write)v$/ { for (i = 8; i <= NF; i++)
		if ($i ~ /^count=/) print $5, substr($i, 7) }' "$s/cap.ior" > "$s/cap.bytes"
	assert_equal "$(wc -l < "$s/strace.bytes")" 5
	diff -u "$s/strace.bytes" "$s/cap.bytes"
	has_record "$s/cap.ior" pwritev iovcnt=32 count=262144
	has_record "$s/cap.ior" pwritev iovcnt=1024 count=262144
	has_record "$s/cap.ior" aio:pwritev iovcnt=64 count=262144
	has_record "$s/cap.ior" aio:preadv iovcnt=1024 count=524288
}

@test "vec-wide: the replay writes and reads every iovec of each vector, leaving the same file" {
	need_bpf
	replay_matches_capture vec-wide
	assert_equal "$(records "$S/result.ior" pwritev | awk '{ print $6 }' | sort -u)" 262144
}

@test "memfd: a memfd file is captured and replayed" {
	need_bpf
	replay_matches_capture memfd
	has_record "$S/cap.ior" memfd_create path=ior-buffer flags=MFD_CLOEXEC
}

@test "memfd: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace memfd
}

@test "mmap-msync: file mappings, msync and madvise are captured with their file" {
	need_bpf
	replay_matches_capture mmap-msync
	has_record "$S/cap.ior" mmap len=65536 prot='PROT_READ|PROT_WRITE' flags=MAP_SHARED offset=0
	has_record "$S/map.ior" msync len=4096 flags=MS_SYNC file="$D/map.dat"
	has_record "$S/map.ior" madvise advice=MADV_SEQUENTIAL file="$D/map.dat"
}

@test "mmap-msync: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace mmap-msync
}

@test "unshare: a thread's close after unshare(CLONE_FILES) leaves the fd open in the others" {
	need_bpf
	replay_matches_capture unshare
	has_record "$S/cap.ior" unshare flags=CLONE_FILES
	has_record "$S/map.ior" write count=200 file="$D/main.dat"
}

@test "unshare: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace unshare
}

@test "fork-inherit: a forked child writes through the inherited descriptor" {
	need_bpf
	replay_matches_capture fork-inherit
	has_record "$S/map.ior" write count=200 file="$D/shared.log"
}

@test "fork-inherit: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace fork-inherit
}

@test "clone-files: a close in a process sharing the fd table closes it for its parent" {
	need_bpf
	replay_matches_capture clone-files
	grep -q ' clone [0-9].* flags=[^ ]*CLONE_FILES' "$S/cap.ior"
	has_record "$S/map.ior" write count=10 err=EBADF
	has_record "$S/map.ior" write count=500 file="$D/from-child.dat"
}

@test "clone-files: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace clone-files
}

@test "clone-fs: a thread's chdir moves the working directory of its process" {
	need_bpf
	replay_matches_capture clone-fs
	has_record "$S/map.ior" openat path="$D/sub/by-main.txt"
}

@test "clone-fs: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace clone-fs
}

@test "thread-exit: descriptors a thread opened outlive the thread" {
	need_bpf
	replay_matches_capture thread-exit
	has_record "$S/map.ior" write count=1000 file="$D/from-thread.dat"
}

@test "thread-exit: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace thread-exit
}

@test "fd-reuse: a reused descriptor number names the file opened last" {
	need_bpf
	replay_matches_capture fd-reuse
	has_record "$S/map.ior" write count=500 file="$D/second.dat"
	has_record "$S/map.ior" read count=4096 file="$D/first.dat"
}

@test "fd-reuse: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace fd-reuse
}

@test "rename-open: a reader of a file renamed over reads the old file to its end" {
	need_bpf
	replay_matches_capture rename-open
	has_record "$S/result.ior" read cret=4000
	grep -q ' read 4000 .* cret=4000' "$S/result.ior"
}

@test "rename-open: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace rename-open
}

@test "hardlinks: a pre-existing hard-linked pair comes back as one file with two names" {
	need_bpf
	replay_matches_capture hardlinks
	has_record "$S/cap.ior" newfstatat nlink=2
	[ "$(stat -c %i "$ROOT$D/orig.dat")" = "$(stat -c %i "$ROOT$D/alias.dat")" ]
}

@test "hardlinks: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace hardlinks
}

# A descriptor received over a unix socket is reported (recvmsg rights=,
# then ior:fd) so that the child's reads through it have a file.
@test "scm-rights: a descriptor passed over a unix socket is detected and its reads replayed" {
	need_bpf
	replay_matches_capture scm-rights
	has_record "$S/cap.ior" recvmsg rights='*'
	has_record "$S/cap.ior" ior:fd path="$D/passed.dat"
	has_record "$S/map.ior" read count=4096 file="$D/passed.dat"
}

@test "scm-rights: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace scm-rights
}

@test "vfork-exec: a vforked child that executes a program is followed" {
	need_bpf
	replay_matches_capture vfork-exec
	has_record "$S/cap.ior" vfork
	has_record "$S/map.ior" openat path="$D/by-child.txt"
}

@test "vfork-exec: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace vfork-exec
}

@test "exec-cloexec: exec closes O_CLOEXEC descriptors and keeps the others" {
	need_bpf
	replay_matches_capture exec-cloexec
	has_record "$S/map.ior" write count=10 err=EBADF
	has_record "$S/map.ior" write count=900 file="$D/kept.dat"
}

@test "exec-cloexec: the capture counts each file call as strace -c does" {
	need_bpf
	counts_match_strace exec-cloexec
}

# ior-trace -p on a workload that opened and positioned its files, then
# waits for SIGUSR1: the replay must start each descriptor at its
# captured offset (held-b.dat grows only when written at 4950, the read of
# held-a.dat at 9000 gets the last 1000 bytes); priv/held-c.dat and priv,
# named by no call of the capture, get their modes and owners from its
# ior:fd and the ior:lstat of its directory.
@test "held-open: a capture started on a running program replays its open files from their offsets" {
	need_bpf
	S=$(scratch)
	D=$S/work
	ROOT=$S/root
	mkdir "$ROOT"
	step "ior-workload setup" ior-workload setup held-open "$D"
	ior-workload run held-open "$D" &	# ends on the SIGUSR1 below
	pid=$!
	for _ in $(seq 200); do
		if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q held.log; then
			break
		fi
		sleep 0.05
	done
	ls -l "/proc/$pid/fd" | grep -q held.log
	timeout 60 ior-trace -p "$pid" -o "$S/cap.ior" &
	tracer=$!
	for _ in $(seq 200); do
		if grep -q 'ior:fd.*held.log' "$S/cap.ior" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	grep -q 'ior:fd.*held.log' "$S/cap.ior"
	kill -USR1 "$pid"
	wait "$pid"
	wait "$tracer"
	has_record "$S/cap.ior" ior:fd path="$D/held-a.dat" offset=9000
	has_record "$S/cap.ior" ior:fd path="$D/held-b.dat" offset=4950
	tree_list "$D" > "$S/captured.tree"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$S/cap.ior" "$S/map.ior"
	has_record "$S/map.ior" read count=4096 file="$D/held-a.dat"
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$S/map.ior" "$S/prog.replay"
	step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
	replay_step "$ROOT" "$S/prog.replay" "$S/result.ior"
	tree_list "$ROOT$D" > "$S/replayed.tree"
	diff -u "$S/captured.tree" "$S/replayed.tree"
	grep -q ' read 1000 .* cret=1000' "$S/result.ior"
	assert_equal "$(stat -c '%F %a %u:%g' "$ROOT$D/priv" "$ROOT$D/priv/held-c.dat")" \
		"$(printf '%s\n' 'directory 700 65534:65534' 'regular file 600 65534:65534')"
	calls_match_capture "$D" "$S/cap.ior" "$S/map.ior" "$S/result.ior"
	step "ior-stats --compare" ior-stats --compare "$S/prog.replay" "$S/result.ior"
}

# The pipe and socket pair the workload holds when ior-trace attaches are
# pseudo files: their ior:fd records are dropped, and so is every call
# on them, in the parent and in each child that inherited them (the
# first child's close is not their last), so that the unfiltered
# pipeline replays only what it can and --compare finds no difference.
@test "held-pipes: calls on a pipe and a socket held before capture are dropped in every process" {
	need_bpf
	replay_attached held-pipes held-pipes.log
	# its own (and any the test's shell left it)
	[ "$(records "$S/cap.ior" ior:fd fs=pipefs | grep -c ' path=pipe:')" -ge 2 ]
	[ "$(records "$S/cap.ior" ior:fd fs=sockfs | grep -c ' path=socket:')" -ge 2 ]
	# closed by the first child (4), the parent (4), the second child (2)
	assert_equal "$(records "$S/map.ior" close | grep -vc ' file=')" 10
	run awk '($5 == "close" || $5 == "read") && !/ file=/' "$S/prog.replay"
	assert_output ""
	diff -u "$S/captured.tree" "$S/replayed.tree"
	calls_match_capture "$D" "$S/cap.ior" "$S/map.ior" "$S/result.ior"
	replay_complete
	step "ior-stats --compare" ior-stats --compare "$S/prog.replay" "$S/result.ior"
}

# The workload holds an O_TMPFILE file and one it unlinked when ior-trace
# attaches: each is replayed as an anonymous file in its directory, as
# long as it was, never by the name the kernel gives it
# ("DIR/#INO (deleted)"), which is no file of the tree.
@test "held-anon: files without a name held before capture are replayed as anonymous files" {
	need_bpf
	replay_attached held-anon held-anon.log
	has_record "$S/cap.ior" ior:fd flags='O_RDWR|O_LARGEFILE|O_TMPFILE' offset=1000 size=5000 nlink=0
	grep -qF " path=$D/gone.dat\\x20(deleted) flags=O_RDONLY|O_LARGEFILE offset=0 size=3000 " "$S/cap.ior"
	run grep -c 'init:.*deleted' "$S/prog.replay"
	assert_output 0
	diff -u "$S/captured.tree" "$S/replayed.tree"
	calls_match_capture "$D" "$S/cap.ior" "$S/map.ior" "$S/result.ior"
	replay_complete
	step "ior-stats --compare" ior-stats --compare "$S/prog.replay" "$S/result.ior"
}

# The workload reads through a directory symlink, a file symlink and one
# with an absolute target, made before the capture: the replay's tree has
# them as symlinks, the files beneath their targets (no hard link between
# two names of one file), and the directory only the links lead to with
# its mode and owner.
@test "through-links: paths through symlinks are replayed through symlinks" {
	need_bpf
	replay_matches_capture through-links
	assert_equal "$(stat -c '%F %a %u:%g' "$ROOT$D/lnk" "$ROOT$D/priv" "$ROOT$D/priv/f")" \
		"$(printf '%s\n' 'symbolic link 777 0:0' 'directory 700 65534:65534' 'regular file 600 65534:65534')"
	run awk '$5 == "init:link"' "$S/prog.replay"
	assert_output ""
}

@test "mixed: a second replay after ior-init on the used root issues every operation with its captured result again" {
	need_bpf
	replay_matches_capture mixed
	mv "$S/result.ior" "$S/result1.ior"
	# on the used root as the first replay left it, the replay diverges
	run timeout 120 sh -c 'ior-replay -C "$1" "$2" > "$3"' - "$ROOT" "$S/prog.replay" "$S/used.ior"
	assert_failure 1
	assert_line --regexp '^ior-replay: diverged from the capture: '
	step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
	step "ior-replay" sh -c 'ior-replay -C "$1" "$2" > "$3"' - "$ROOT" "$S/prog.replay" "$S/result.ior"
	replay_complete
	tree_list "$ROOT$D" > "$S/replayed2.tree"
	diff -u "$S/captured.tree" "$S/replayed2.tree"
}

@test "share/ior-demo, the README's main job, replays the sample and the async samples into equal trees" {
	need_bpf
	s=$(scratch)
	run timeout 600 "$TOP/share/ior-demo" "$s/demo"
	assert_success
	assert_output --partial "replayed tree equals the original ("
	assert_equal "$(printf '%s\n' "$output" | grep -c '^replayed tree equals the original')" 3
	assert_output --partial "uring:write"
	assert_output --partial "aio:pwrite"
	assert_output --partial "async requests in flight"
}
