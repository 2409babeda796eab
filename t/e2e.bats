#!/usr/bin/env bats
# e2e.bats - end-to-end: trace each scenario of ior-workload, map it,
# generate a replay program, build its tree, replay it under a root, and
# compare with what the workload did; and compare the capture's per-call
# counts with strace -c on an identical run.
load helpers
load e2e-helpers

@test "ior-workload lists every scenario the end-to-end tests use" {
	run ior-workload list
	assert_success
	for scen in threads-share-fd fork-dup2 dirfd-chdir rename-over \
		    unlink-open read-whole read-chunks read-random lseek-zero \
		    truncate big-offset stat-family dup-family mixed all; do
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
------ ----------- ----------- --------- --------- ----------------
100.00    0.001000          18        55         1 total
TABLE
	{
		echo '#ior 1 trace'
		echo '0.000001000 9 9 ior-trace read 8 100 fd=5 count=8'
		echo '0.000002000 9 9 app sched:exec 0 0 path=/bin/app'
		for i in $(seq 40); do echo "0.000003000 9 9 app read 1 100 fd=3 count=1"; done
		echo '0.000004000 9 9 app openat 3 100 dirfd=AT_FDCWD path=a flags=O_RDONLY mode=0'
		echo '0.000004000 9 9 app openat 4 100 dirfd=AT_FDCWD path=b flags=O_RDONLY mode=0'
		echo '0.000004000 9 9 app openat -2 100 dirfd=AT_FDCWD path=c flags=O_RDONLY mode=0 err=ENOENT'
		echo '#stat ior-trace events=44'
	} > "$s/cap.ior"
	run strace_counts "$s/strace.txt"
	assert_line "read 40"
	assert_line "openat 3"
	assert_line "close 0"
	refute_line --partial "mmap"
	diff <(strace_counts "$s/strace.txt") <(capture_counts "$s/cap.ior")
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
