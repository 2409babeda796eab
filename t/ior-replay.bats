#!/usr/bin/env bats
# ior-replay: running replay programs beneath a root, and the result stream.

load helpers
load streams
bats_require_minimum_version 1.5.0

setup() {
	D=$(scratch)
	R=$D/root
	mkdir "$R"
	SEQ=0
}

# Replay $D/p.replay under $R, with options "$@".
replay() {
	mkdir -p "$D/vfd"
	if [ -n "$(tail -c 1 "$D/p.replay")" ]; then	# keep a truncated line
		cp "$D/p.replay" "$D/vfd/p.replay"
	else
		add_vfds < "$D/p.replay" > "$D/vfd/p.replay"
	fi
	run timeout 20 ior-replay "$@" -C "$R" "$D/vfd/p.replay"
}

# replay_strace CALLS: replay as replay does, under strace -f, which
# keeps the system calls CALLS (its -e trace=) in $D/strace: what the
# replay did as the kernel saw it, not as the result says. (LeakSanitizer
# cannot run under strace.)
replay_strace() {
	mkdir -p "$D/vfd"
	add_vfds < "$D/p.replay" > "$D/vfd/p.replay"
	run env "$(no_leak_check)" timeout 20 strace -f -qq -e trace="$1" \
		-o "$D/strace" ior-replay -C "$R" "$D/vfd/p.replay"
}

# The calls of $D/strace without their pid, one space before " = ".
straced() {
	sed -E 's/^[0-9]+ +//; s/\) +=/) =/' "$D/strace"
}

# The last replay diverged from the capture: it exited 1 and said how in
# one line on stderr, "ior-replay: diverged from the capture: " HOW.
diverged() {
	assert_failure 1
	assert_line "ior-replay: diverged from the capture: $1"
}

# diverged, with HOW an extended regular expression.
diverged_re() {
	assert_failure 1
	assert_line --regexp "^ior-replay: diverged from the capture: $1\$"
}

# Field N of the result record of operation SEQ in the last `run`.
res() {
	printf '%s\n' "$output" | awk -v s="seq=$1" -v f="$2" '
		!/^#/ { for (i = 8; i <= NF; i++) if ($i == s) print $f }'
}

# The value of KEY in the result record of operation SEQ.
res_key() {
	printf '%s\n' "$output" | awk -v s="seq=$1" -v k="$2" '
		!/^#/ && $8 == s { for (i = 8; i <= NF; i++) {
			split($i, kv, "="); if (kv[1] == k) print substr($i, length(k) + 2) } }'
}

# The value of KEY in the #stat ior-replay trailer.
stat_of() {
	printf '%s\n' "$output" | awk -v k="$1" '
		/^#stat ior-replay/ { for (i = 3; i <= NF; i++) {
			split($i, kv, "="); if (kv[1] == k) print kv[2] } }'
}

# Expect the last `run` to be refused as bad input with MESSAGE.
refused() {
	assert_failure 3
	assert_equal "${#lines[@]}" 1
	assert_output --partial "$1"
}

@test "write, lseek to 0 and read replay with their own RET next to the captured one" {
	{
		stream replay
		echo "#meta ior-gen note=kept"
		init init:dir path=/d mode=0755
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644 vfd=1 ofd=1 file=/f
		op 1 1 write 100 fd=3 count=100 vfd=1 ofd=1 file=/f
		op 1 1 read 0 fd=3 count=4096 vfd=1 ofd=1 file=/f
		op 1 1 lseek 0 fd=3 offset=0 whence=SEEK_SET vfd=1 ofd=1 file=/f
		op 1 1 read 77 fd=3 count=4096 vfd=1 ofd=1 file=/f
		op 1 1 close 0 fd=3 vfd=1 ofd=1 file=/f
	} > "$D/p.replay"
	replay
	diverged "0 skipped, 1 mismatched, 0 errors not captured"
	assert_equal "$(stat -c %s "$R/f")" 100
	assert_equal "${lines[0]}" "#ior 1 result"
	assert_line "#meta ior-gen note=kept"
	assert_line --regexp "^#meta ior-replay host=[^ ]+ root=.*/root start=[0-9]+\.[0-9]{9} cache=cold$"
	assert_equal "$(res 2 6)" 100
	assert_equal "$(res 3 6)" 0
	assert_equal "$(res 4 6)" 0
	assert_equal "$(res 5 6)" 100
	assert_equal "$(res_key 5 cret)" 77
	assert_equal "$(res_key 5 cdur)" 1000
	# The program's keys are kept as they were, then cret and cdur.
	assert_equal "$(res 4 8) $(res 4 9) $(res 4 10) $(res 4 11) $(res 4 14)" \
		"seq=4 fd=3 offset=0 whence=SEEK_SET file=/f"
	assert_equal "$(res 4 15) $(res 4 16)" "cret=0 cdur=1000"
	# Only the read that got 100 bytes instead of 77 differs.
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "1 0"
	assert_equal "$(stat_of ops)" 6
	assert_equal "$(stat_of errors)" 0
}

@test "the result keeps program order and has no init records" {
	{
		stream replay
		init init:file path=/a size=10 mode=0644
		op 1 1 stat -2 path=/x err=ENOENT
		op 1 1 mkdir 0 path=/d mode=0755
		op 1 1 stat 0 path=/d
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -v '^#' | awk '{print $5}' | tr '\n' ' ')" "stat mkdir stat "
}

@test "pwrite64 at 3 GiB makes a sparse file of that size" {
	{
		stream replay
		op 1 1 open 3 path=/big flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 pwrite64 1 fd=3 count=1 offset=3221225472
		op 1 1 pread64 1 fd=3 count=1 offset=3221225472
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	replay
	diverged "0 skipped, 1 mismatched, 1 errors not captured"
	assert_equal "$(stat -c %s "$R/big")" 3221225473
	[ "$(du -k "$R/big" | cut -f1)" -lt 1024 ]
	assert_equal "$(res 2 6)" 1
	# Opened write-only: the read fails as it must.
	assert_equal "$(res 3 6)" -9
}

@test "mkdir, rename over an existing file and unlink change the tree" {
	echo old > "$R/target"
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0700
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/new flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 write 5 fd=3 count=5
		op 1 1 close 0 fd=3
		op 1 1 rmdir -39 path=/d err=ENOTEMPTY
		op 1 1 rename 0 path=/d/new path2=/target
		op 1 1 creat 3 path=/gone mode=0600
		op 1 1 close 0 fd=3
		op 1 1 unlink 0 path=/gone
		op 1 1 renameat2 -17 dirfd=AT_FDCWD path=/target dirfd2=AT_FDCWD path2=/d flags=RENAME_NOREPLACE err=EEXIST
	} > "$D/p.replay"
	replay
	assert_success
	[ -d "$R/d" ]
	assert_equal "$(stat -c %a "$R/d")" 700
	[ ! -e "$R/d/new" ]
	assert_equal "$(stat -c %s "$R/target")" 5
	[ ! -e "$R/gone" ]
	assert_equal "$(res 5 6)" -39
	assert_equal "$(res 10 6)" -17
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "dup2 onto a descriptor number then a write through it lands in the file" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 dup2 7 fd=3 fd2=7
		op 1 1 close 0 fd=3
		op 1 1 write 42 fd=7 count=42
		op 1 1 dup 4 fd=7
		op 1 1 write 8 fd=4 count=8
		op 1 1 write -9 fd=3 count=1 err=EBADF
	} > "$D/p.replay"
	replay
	diverged "1 skipped (1 nofd), 0 mismatched, 0 errors not captured"
	assert_equal "$(stat -c %s "$R/f")" 50
	assert_equal "$(res 4 6)" 42
	assert_equal "$(res 6 6)" 8
	# fd 3 was closed: there is nothing to issue the write on.
	assert_equal "$(res_key 7 skip)" nofd
	assert_equal "$(stat_of skipped)" 1
}

@test "readv and writev spread count bytes over iovcnt buffers" {
	{
		stream replay
		op 1 1 open 3 path=/v flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 writev 1000 fd=3 iovcnt=3 count=1000
		op 1 1 preadv 600 fd=3 iovcnt=4 count=600 offset=100
		op 1 1 pwritev 10 fd=3 iovcnt=2 count=10 offset=2000
	} > "$D/p.replay"
	replay_strace readv,writev,preadv,pwritev,preadv2,pwritev2
	assert_success
	assert_equal "$(res 2 6)" 1000
	assert_equal "$(res 3 6)" 600
	assert_equal "$(stat -c %s "$R/v")" 2010
	# As issued: CALL, the iovecs, the sum of their lengths, RET.
	assert_equal "$(straced | awk '{
		call = $1; sub(/\(.*/, "", call); n = 0; sum = 0; rest = $0
		while (match(rest, /iov_len=[0-9]+/)) {
			n++; sum += substr(rest, RSTART + 8, RLENGTH - 8)
			rest = substr(rest, RSTART + RLENGTH)
		}
		print call, n, sum, $NF }')" "$(printf '%s\n' 'writev 3 1000 1000' \
		'preadv 4 600 600' 'pwritev 2 10 10')"
}

@test "a read or write of more than 16 MiB is issued in calls of 16 MiB at most and returns all they moved" {
	{
		stream replay
		op 1 1 open 3 path=/big flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 pwrite64 20971520 fd=3 count=20971520 offset=4096
		op 1 1 read 20975616 fd=3 count=33554432
	} > "$D/p.replay"
	replay_strace pwrite64,read
	assert_success
	assert_equal "$(stat -c %s "$R/big")" 20975616
	assert_equal "$(res 2 6)" 20971520
	assert_equal "$(res 3 6)" 20975616
	assert_equal "$(stat_of mismatched)" 0
	# As issued: CALL, count, offset, RET; the second read stops short.
	assert_equal "$(straced | sed -nE \
		-e 's/^pwrite64\(.*, ([0-9]+), ([0-9]+)\) = ([0-9-]+)$/pwrite64 \1 \2 \3/p' \
		-e 's/^read\(.*, ([0-9]+)\) = ([0-9-]+)$/read \1 - \2/p' |
		awk '$2 >= 4194304')" "$(printf '%s\n' 'pwrite64 16777216 4096 16777216' \
		'pwrite64 4194304 16781312 4194304' 'read 16777216 - 16777216' \
		'read 16777216 - 4198400')"
}

@test "written data does not compress" {
	{
		stream replay
		op 1 1 open 3 path=/r flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 write 65536 fd=3 count=65536
	} > "$D/p.replay"
	replay
	assert_success
	[ "$(gzip -c "$R/r" | wc -c)" -gt 65000 ]
}

@test "a thread waits for the operation named by after= before its own" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		# Thread 1 is busy for a while before it writes.
		for i in $(seq 300); do op 1 1 stat 0 path=/f; done
		op 1 1 write 4096 fd=3 count=4096
		w=$SEQ
		op 1 2 pread64 4096 fd=3 count=4096 offset=0 after=$w
		op 1 2 sched:exit 0 code=0 group=0
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res $((w + 1)) 6)" 4096
	# The read started after the write had ended.
	local wend rstart
	wend=$(res $w 1 | awk -v d="$(res $w 7)" '{ printf "%d", $1 * 1e9 + d }')
	rstart=$(res $((w + 1)) 1 | awk '{ printf "%d", $1 * 1e9 }')
	[ "$rstart" -ge "$((wend - 1))" ]
}

@test "the threads of a replay process open nothing the program does not: a descriptor's number is the same in every run" {
	# glibc's malloc, making a ninth arena for a new thread, counts the
	# CPUs by opening /sys/devices/system/cpu/online: for a moment that
	# descriptor takes the lowest free number, which an open of another
	# thread then does not get (a ring got 7 for 16 in one replay of two).
	# Fifteen threads live at once (each ends after thread 1's last op).
	local t last
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0755
		for t in $(seq 2 16); do
			op 1 1 sched:fork 0 child=$t cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		done
		for t in $(seq 2 16); do
			op 1 "$t" openat $((t + 10)) dirfd=AT_FDCWD path=/d/f$t flags=O_WRONLY\|O_CREAT mode=0644
		done
		for _ in $(seq 100); do op 1 1 stat 0 path=/d; done
		last=$SEQ
		for t in $(seq 2 16); do
			op 1 "$t" stat 0 path=/d after=$last
		done
	} > "$D/p.replay"
	replay_strace openat,openat2
	assert_success
	[ "$(find "$R/d" -type f | wc -l)" -eq 15 ]
	# ior-replay itself may look before it starts the replay processes
	local master
	master=$(awk 'NR == 1 { print $1 }' "$D/strace")
	run awk -v m="$master" '$1 != m && /cpu\/online/' "$D/strace"
	assert_output ''
}

@test "threads of one process run at the same time" {
	# Each thread's open of the FIFO blocks until the other thread's
	# begins: one thread at a time never gets past them (timeout ends it).
	mkfifo "$R/fifo"
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0755
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FILES\|CLONE_THREAD
		op 1 2 openat 4 dirfd=AT_FDCWD path=/d/b flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/a flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 write 10 fd=3 count=10
		op 1 2 write 20 fd=4 count=20
		op 1 1 openat 5 dirfd=AT_FDCWD path=/fifo flags=O_RDONLY
		op 1 2 openat 6 dirfd=AT_FDCWD path=/fifo flags=O_WRONLY
		op 1 2 write 7 fd=6 count=7
		op 1 1 read 7 fd=5 count=64
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/d/a")" 10
	assert_equal "$(stat -c %s "$R/d/b")" 20
	# Thread 1 read what thread 2 wrote through the FIFO.
	[ "$(res 7 6)" -ge 0 ]
	[ "$(res 8 6)" -ge 0 ]
	assert_equal "$(res 9 6) $(res 10 6)" "7 7"
	assert_equal "$(res 7 3) $(res 8 3)" "1 2"
	# Each open was in progress while the other began: TIME to TIME+DUR.
	local s7 e7 s8 e8
	s7=$(res 7 1 | awk '{ printf "%.0f", $1 * 1e9 }')
	s8=$(res 8 1 | awk '{ printf "%.0f", $1 * 1e9 }')
	e7=$((s7 + $(res 7 7)))
	e8=$((s8 + $(res 8 7)))
	echo "# thread 1 open: $s7-$e7, thread 2 open: $s8-$e8"
	[ "$s7" -le "$e8" ]
	[ "$s8" -le "$e7" ]
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "the threads of one process map their result slots once, before they start, not each thread again" {
	# Four readers of one file whose preads interleave: the slots of each
	# thread span those of every other. Each mapping them all, at once,
	# they slept on each other's page locks (500 times a replay of
	# bench/gen-parallel.c's).
	head -c 65536 /dev/zero > "$R/f"
	{
		stream replay
		for t in 1 2 3 4; do
			op 1 "$t" openat $((t + 2)) dirfd=AT_FDCWD path=/f flags=O_RDONLY
		done
		for i in $(seq 0 199); do
			for t in 1 2 3 4; do
				op 1 "$t" pread64 4096 fd=$((t + 2)) count=4096 offset=$(((i * 4 + t - 1) % 16 * 4096))
			done
		done
	} > "$D/p.replay"
	replay_strace madvise
	assert_success
	assert_equal "$(straced | grep -c MADV_POPULATE_WRITE)" 1
	assert_equal "$(printf '%s\n' "$output" | awk '$5 == "pread64" && $6 == 4096' | wc -l)" 800
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "a forked child process writes through the descriptor it inherited" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT\|O_APPEND mode=0644
		op 1 1 sched:fork 0 child=2 cpid=2 flags=
		op 2 2 write 30 fd=3 count=30
		op 2 2 close 0 fd=3
		op 2 2 sched:exit 0 code=0 group=1
		# The child's close left the parent's descriptor open.
		op 1 1 write 5 fd=3 count=5 after=4
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 3 6)" 30
	assert_equal "$(res 6 6)" 5
	assert_equal "$(stat -c %s "$R/f")" 35
}

@test "a process forked while its parent has threads is forked by ior-replay's own, single-threaded process, with the forking thread's descriptors" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT\|O_APPEND mode=0644
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op 1 2 openat 4 dirfd=AT_FDCWD path=/g flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 sched:fork 0 child=3 cpid=3 flags= after=3
		op 3 3 write 30 fd=3 count=30
		op 3 3 write 7 fd=4 count=7
		op 3 3 close 0 fd=3
		op 3 3 sched:exit 0 code=0 group=1
		# The child's close left the parent's descriptor open.
		op 1 2 write 5 fd=3 count=5 after=7
	} > "$D/p.replay"
	replay_strace clone,clone3,fork,vfork
	assert_success
	assert_equal "$(res 5 6) $(res 6 6) $(res 7 6) $(res 9 6)" "30 7 0 5"
	assert_equal "$(stat -c %s "$R/f") $(stat -c %s "$R/g")" "35 7"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	# Processes (clones without CLONE_THREAD): both forked by the first
	# process of the trace, ior-replay's, which forks the first. Only
	# the calls' lines: strace -f also writes a signal's delivery, and
	# the rest of a call another process's line cut short ("resumed").
	local master
	master=$(awk 'NR == 1 { print $1 }' "$D/strace")
	assert_equal "$(grep -E '^[0-9]+ +(clone3?|v?fork)\(' "$D/strace" | grep -v CLONE_THREAD | awk '{ print $1 }' | tr '\n' ' ')" \
		"$master $master "
}

@test "a process forked while its parent has threads leaves the parent its record locks" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/db flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 fcntl 0 fd=3 cmd=F_SETLK ltype=F_WRLCK whence=SEEK_SET offset=0 len=100
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op 1 2 stat 0 path=/db
		op 1 1 sched:fork 0 child=3 cpid=3 flags= after=4
		# The parent's lock is still held: the child's conflicts.
		op 3 3 fcntl -11 fd=3 cmd=F_SETLK ltype=F_WRLCK whence=SEEK_SET offset=0 len=10 err=EAGAIN
		op 3 3 sched:exit 0 code=0 group=1
		op 1 1 fcntl 0 fd=3 cmd=F_SETLK ltype=F_UNLCK whence=SEEK_SET offset=0 len=100 after=6
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 6 6)" -11
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "a process ends by its first thread, after its other threads are done, even when those end last" {
	{
		stream replay
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op 1 1 mkdir 0 path=/d mode=0755
		# Thread 2 goes on after thread 1's last operation.
		op 1 2 mkdir 0 path=/d/a mode=0755 after=2
		for i in $(seq 20); do op 1 2 stat 0 path=/d/a; done
	} > "$D/p.replay"
	replay_strace clone,clone3,exit_group
	assert_success
	assert_equal "$(stat_of skipped)" 0
	# The replay process is the one ior-replay's first clone made; its
	# first thread has its pid. (LeakSanitizer, at the exit of a last
	# thread, waited forever for a first thread that had ended before.)
	local master proc
	master=$(awk 'NR == 1 { print $1 }' "$D/strace")
	proc=$(awk 'NR == 1 { print $NF }' "$D/strace")
	run awk -v m="$master" '/exit_group\(/ && $1 != m { print $1 }' "$D/strace"
	assert_output "$proc"
}

@test "a process that runs without a sched:fork is started at the beginning" {
	{
		stream replay
		op 1 1 creat 3 path=/one mode=0644
		op 5 9 creat 3 path=/two mode=0644
		op 5 9 write 3 fd=3 count=3
		op 1 1 write 1 fd=3 count=1
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/one")" 1
	assert_equal "$(stat -c %s "$R/two")" 3
}

@test "threads already running when capture started share their process's descriptors" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT mode=0644
		op 1 2 write 7 fd=3 count=7 after=1
		op 2 3 write -9 fd=3 count=7 after=1 err=EBADF
	} > "$D/p.replay"
	replay
	diverged "1 skipped (1 nofd), 0 mismatched, 0 errors not captured"
	assert_equal "$(res 2 6)" 7
	# Another process has its own table, without fd 3.
	assert_equal "$(res_key 3 skip)" nofd
	assert_equal "$(stat -c %s "$R/f")" 7
}

@test "sched:exec closes descriptors opened with O_CLOEXEC and keeps the others" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/c flags=O_WRONLY\|O_CREAT\|O_CLOEXEC mode=0644
		op 1 1 openat 4 dirfd=AT_FDCWD path=/k flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 dup3 5 fd=4 fd2=5 flags=O_CLOEXEC
		op 1 1 sched:exec 0 path=/bin/true
		op 1 1 write -9 fd=3 count=1 err=EBADF
		op 1 1 write 2 fd=4 count=2
		op 1 1 write -9 fd=5 count=1 err=EBADF
	} > "$D/p.replay"
	replay
	diverged "2 skipped (2 nofd), 0 mismatched, 0 errors not captured"
	assert_equal "$(res_key 5 skip)" nofd
	assert_equal "$(res 6 6)" 2
	assert_equal "$(res_key 7 skip)" nofd
	assert_equal "$(stat -c %s "$R/c")" 0
	assert_equal "$(stat -c %s "$R/k")" 2
}

@test "a descriptor open before capture is reopened at its offset" {
	printf '0123456789' > "$R/pre"
	{
		stream replay
		op 1 1 ior:fd 0 fd=5 path=/pre flags=O_RDWR\|O_CREAT\|O_TRUNC offset=4
		op 1 1 read 6 fd=5 count=100
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 2 6)" 6
	# O_TRUNC is not replayed: the file was already open.
	assert_equal "$(stat -c %s "$R/pre")" 10
}

@test "an ior:fd with O_TMPFILE is an anonymous file in its path's directory, as long as the capture's, at its offset" {
	mkdir "$R/d"
	{
		stream replay
		op 1 1 ior:fd 0 fd=5 'path=/d/#7\x20(deleted)' 'flags=O_RDONLY|O_TMPFILE' offset=100 size=5000
		op 1 1 read 4900 fd=5 count=8192
		op 1 1 pread64 50 fd=5 count=100 offset=4950
		op 1 1 fstat 0 fd=5 size=5000 ft=reg
		op 1 1 close 0 fd=5
	} > "$D/p.replay"
	replay
	assert_success
	assert_line --regexp '^#stat ior-replay ops=5 errors=0 mismatched=0 skipped=0 '
	assert_equal "$(res 2 6)" 4900
	# no name was made, nor the one the kernel gave it
	assert_equal "$(ls -A "$R/d")" ""
}

@test "an anonymous file's size counts against the free space of the root's filesystem" {
	need_root "a tmpfs of 1 MiB as the root"
	{
		stream replay
		op 1 1 ior:fd 0 fd=5 path=/x 'flags=O_RDWR|O_TMPFILE' offset=0 size=1073741824
		op 1 1 close 0 fd=5
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/p"
	run --separate-stderr unshare --mount --propagation private sh -c '
		mount -t tmpfs -o size=1m tmpfs "$0" || exit 99
		exec "$@"' "$R" ior-replay -C "$R" "$D/p"
	assert_failure 4
	assert_equal "$stderr" "ior-replay: the program may add up to 1073741824 bytes (1.0 GiB) to the filesystem of $R, which has 1048576 bytes (1.0 MiB) free (--ignore-limits to go on)"
}

@test "a failed captured open fails the same way and is not a mismatch" {
	{
		stream replay
		op 1 1 openat -2 dirfd=AT_FDCWD path=/no/such flags=O_RDONLY err=ENOENT
		op 1 1 stat -2 path=/no err=ENOENT
		op 1 1 truncate -2 path=/no size=5 err=ENOENT
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 1 6)" -2
	assert_equal "$(stat_of errors)" 3
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "an open that fails on replay but not in the capture is a mismatch" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/missing flags=O_RDONLY
		op 1 1 read 10 fd=3 count=10
	} > "$D/p.replay"
	replay
	diverged "1 skipped (1 nofd), 1 mismatched, 1 errors not captured"
	assert_equal "$(res 1 6)" -2
	assert_equal "$(stat_of mismatched)" 1
	assert_equal "$(stat_of skipped)" 1
}

@test "an empty path is not taken for the root" {
	{
		stream replay
		op 1 1 openat -2 dirfd=AT_FDCWD path= flags=O_RDONLY err=ENOENT
		op 1 1 rmdir -2 path= err=ENOENT
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 1 6)" -2
	[ -d "$R" ]
}

@test "nothing outside the root changes, whatever the paths and symlinks say" {
	local out=$D/outside esc=ior-esc-$$-$RANDOM
	mkdir "$out" "$out/vdir"
	echo keep > "$out/victim"
	# The same names inside the root, where the program must land.
	mkdir -p "$R$out/vdir" "$R/tmp"
	echo inner > "$R$out/victim"
	ln -s "$out" "$R/link"
	ln -s / "$R/slash"
	ln -s ../../../../../.. "$R/up"
	before=$(find "$out" -printf '%P %s %m %y\n' | sort)
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/../../../../tmp/$esc flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 openat 4 dirfd=AT_FDCWD path=/link/new flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 openat 5 dirfd=AT_FDCWD path=/link/victim flags=O_WRONLY\|O_TRUNC mode=0
		op 1 1 write 10 fd=5 count=10
		op 1 1 open 6 path=/slash$out/victim flags=O_WRONLY\|O_TRUNC mode=0
		op 1 1 open 7 path=/up$out/victim flags=O_WRONLY\|O_TRUNC mode=0
		op 1 1 truncate 0 path=/up$out/victim size=0
		op 1 1 unlink 0 path=/link/victim
		op 1 1 rename 0 path=/link/vdir path2=/moved
		op 1 1 mkdir 0 path=/link/made mode=0755
		op 1 1 mkdir 0 path=/up$out/made2 mode=0755
		op 1 1 unlink -21 path=/.. err=EISDIR
		op 1 1 rename -16 path=/.. path2=/x err=EBUSY
		op 1 1 ior:fd 0 fd=8 path=/../link/new flags=O_RDWR\|O_TRUNC offset=0
		op 1 1 rename 0 path=/link path2=/link/into
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(find "$out" -printf '%P %s %m %y\n' | sort)" "$before"
	assert_equal "$(cat "$out/victim")" keep
	[ ! -e "/tmp/$esc" ]
	# What the program did, it did inside the root.
	[ -e "$R/tmp/$esc" ]
	[ -e "$R$out/new" ]
	[ ! -e "$R$out/victim" ]
	[ -d "$R/moved" ]
	[ -d "$R$out/made" ]
	[ -d "$R$out/made2" ]
	[ -L "$R$out/into" ]
	assert_equal "$(stat_of skipped)" 0
	assert_equal "$(stat_of mismatched)" 0
}

@test "an absolute symlink created in the root resolves inside it" {
	mkdir -p "$R/tmp"
	ln -s /tmp "$R/t"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/t/inside-$$ flags=O_WRONLY\|O_CREAT mode=0644
	} > "$D/p.replay"
	replay
	assert_success
	[ -e "$R/tmp/inside-$$" ]
	[ ! -e "/tmp/inside-$$" ]
}

@test "-n checks the program and runs nothing" {
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0755
	} > "$D/p.replay"
	run timeout 20 ior-replay -n -C "$R" "$D/p.replay"
	assert_success
	assert_output ""
	[ ! -e "$R/d" ]
}

@test "the program is read from stdin without FILE" {
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0755
	} > "$D/p.replay"
	run timeout 20 ior-replay -C "$R" < "$D/p.replay"
	assert_success
	[ -d "$R/d" ]
}

@test "a stream that is not a replay program is refused" {
	{
		stream map
		op 1 1 mkdir 0 path=/d mode=0755
	} > "$D/p.replay"
	replay
	refused "p.replay:1: a map stream is not a replay program"
	[ ! -e "$R/d" ]
}

@test "an unknown call is refused before anything runs" {
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0755
		op 1 1 ioctl 0 fd=3
	} > "$D/p.replay"
	replay
	refused "p.replay:3: CALL: \"ioctl\" cannot be replayed"
	assert_output --regexp "^ior-replay: "
	[ ! -e "$R/d" ]
}

@test "a missing argument is refused with its name" {
	{
		stream replay
		op 1 1 pread64 0 fd=3 count=1
	} > "$D/p.replay"
	replay
	refused "p.replay:2: offset: missing for pread64"
}

@test "an operation without seq is refused" {
	{
		stream replay
		rec 1 1 mkdir 0 1 path=/d mode=0755
	} > "$D/p.replay"
	replay
	refused "p.replay:2: seq: missing"
}

@test "after= naming no earlier operation is refused" {
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0755 after=7
	} > "$D/p.replay"
	replay
	refused "p.replay:2: after: names a later operation"
}

@test "a sched:fork of a task that already ran is refused" {
	{
		stream replay
		op 1 2 mkdir 0 path=/d mode=0755
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_THREAD
	} > "$D/p.replay"
	replay
	refused "p.replay:3: child: task 2 already exists"
}

@test "a call that creates gives its mode less the captured umask, an open with fmode that, and one without umask its mode as written" {
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0777 umask=0022
		op 1 1 mkdirat 0 dirfd=AT_FDCWD path=/d/e mode=0777 umask=0077
		op 1 1 mknod 0 path=/d/p mode=010666 umask=0027 rdev=0:0
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/f flags=O_WRONLY\|O_CREAT\|O_EXCL mode=0666 umask=0027
		op 1 1 close 0 fd=3
		# a default ACL gave the group write, not the umask: fmode says so
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/g flags=O_WRONLY\|O_CREAT\|O_EXCL mode=0666 umask=0022 fmode=0664
		op 1 1 close 0 fd=3
		op 1 1 creat 3 path=/d/c mode=0666 umask=0002
		op 1 1 close 0 fd=3
		# written by hand: it says what it means
		op 1 1 mkdir 0 path=/d/h mode=0777
	} > "$D/p.replay"
	umask 077
	replay
	assert_success
	assert_line --regexp '^#stat ior-replay ops=10 errors=0 mismatched=0 skipped=0 '
	assert_equal "$(cd "$R/d" && stat -c '%n %a' . e p f g c h)" ". 755
e 700
p 640
f 640
g 664
c 664
h 777"
}

# glibc's __O_TMPFILE holds O_DIRECTORY's bit: a directory's open is no
# O_TMPFILE, and openat2, unlike openat, refuses a mode it would ignore.
@test "an open of a directory ignores its mode, as openat does" {
	{
		stream replay
		init init:dir path=/d mode=0755
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d flags=O_RDONLY\|O_DIRECTORY mode=04755
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	ior-init -C "$R" "$D/p.replay"
	replay
	assert_success
	assert_line --regexp '^#stat ior-replay ops=2 errors=0 mismatched=0 skipped=0 .* setid_stripped=0 '
}

@test "bad flags and modes are refused" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_BOGUS mode=0644
	} > "$D/p.replay"
	replay
	refused "p.replay:2: flags: bad flags"
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0999
	} > "$D/p.replay"
	replay
	refused "p.replay:2: mode: not an octal mode like 0644"
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0777 umask=01000
	} > "$D/p.replay"
	replay
	refused 'p.replay:2: umask: not a umask, 0000 to 0777: "01000"'
	{
		stream replay
		op 1 1 mknod 0 path=/p mode=010666 umask=22 rdev=0:0
	} > "$D/p.replay"
	replay
	refused "p.replay:2: umask: not an octal mode like 0644"
}

@test "a count the kernel takes as 32 bits, and buffers of more than 1 GiB to register, are refused" {
	{
		stream replay
		op 1 1 io_setup 0 nr=4294967297 ctx=0x7f0000
	} > "$D/p.replay"
	replay
	refused "p.replay:2: nr: out of range 0..4294967295"
	{
		stream replay
		op 1 1 io_uring_setup 4 entries=4 flags=IORING_SETUP_CQSIZE sq=4 cq=4294967304
	} > "$D/p.replay"
	replay
	refused "p.replay:2: cq: out of range 0..4294967295"
	{
		stream replay
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_BUFFERS nr=2 lens=1073741824,4096
	} > "$D/p.replay"
	replay
	refused "p.replay:3: lens: more than 1073741824 bytes in all"
}

@test "random bytes are refused" {
	head -c 4096 /dev/urandom > "$D/p.replay"
	replay
	refused "p.replay:1:"
}

@test "a truncated last line is refused" {
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0755
		printf '0.000001000 1 1 app mkdir 0 1 seq=9 path=/e'
	} > "$D/p.replay"
	replay
	refused "p.replay:3: truncated line"
	[ ! -e "$R/d" ]
}

@test "a non-numeric field is refused" {
	{
		stream replay
		op 1 1 pwrite64 0 fd=3 count=ten offset=0
	} > "$D/p.replay"
	replay
	refused "p.replay:2: count: not a number"
}

@test "a NUL byte is refused" {
	{
		stream replay
		printf '0.000001000 1 1 app mkdir 0 1 seq=1 path=/\0 mode=0755\n'
	} > "$D/p.replay"
	replay
	refused "p.replay:2: NUL byte"
}

@test "an escaped NUL in a path is refused" {
	{
		stream replay
		op 1 1 mkdir 0 'path=/a\x00b' mode=0755
	} > "$D/p.replay"
	replay
	refused "p.replay:2: path: value holds a NUL byte"
}

@test "a 1 MiB field is refused" {
	{
		stream replay
		printf '0.000001000 1 1 app mkdir 0 1 seq=1 mode=0755 path=/'
		head -c 1048576 /dev/zero | tr '\0' a
		echo
	} > "$D/p.replay"
	replay
	refused "p.replay:2: line longer than"
}

@test "empty input is refused" {
	: > "$D/p.replay"
	replay
	refused "p.replay:0: empty input"
}

@test "-C is required, -h prints usage, a missing root is a system error" {
	run ior-replay
	assert_failure 2
	assert_output --partial "usage:"
	run ior-replay -h
	assert_success
	assert_output --partial "usage: ior-replay -C DIR"
	run ior-replay --bogus -C "$R"
	assert_failure 2
	stream replay > "$D/p.replay"
	run ior-replay -C "$D/none" "$D/p.replay"
	assert_failure 4
	assert_output --partial "run ior-init first"
	run ior-replay --version
	assert_success
	assert_output --partial "(ior)"
}

@test "descriptors are told apart by vfd, not by a number another thread reuses" {
	# Thread 2's open reuses number 3 before thread 1's close of its own
	# fd 3 runs: the close must not take thread 2's descriptor.
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/a flags=O_WRONLY\|O_CREAT mode=0644 vfd=1
		op 1 2 openat 3 dirfd=AT_FDCWD path=/b flags=O_WRONLY\|O_CREAT mode=0644 vfd=2 after=1
		op 1 1 close 0 fd=3 vfd=1 after=2
		op 1 2 write 10 fd=3 count=10 vfd=2 after=3
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 4 6)" 10
	assert_equal "$(stat -c %s "$R/b")" 10
}

@test "newfstatat with AT_EMPTY_PATH on a descriptor stats the descriptor" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644 vfd=1
		op 1 1 unlink 0 path=/f
		op 1 1 newfstatat 0 dirfd=3 path= flags=AT_EMPTY_PATH vfd=1
	} > "$D/p.replay"
	replay
	assert_success
	# The file is unlinked: only the descriptor can still be stat'ed.
	assert_equal "$(res 3 6)" 0
	refute_line --partial "skip="
}

@test "chmod, fchmod and fchmodat give the captured modes; access checks the file" {
	echo a > "$R/a"
	echo b > "$R/b"
	echo c > "$R/c"
	{
		stream replay
		op 1 1 chmod 0 path=/a mode=0600
		op 1 1 openat 3 dirfd=AT_FDCWD path=/b flags=O_RDONLY
		op 1 1 fchmod 0 fd=3 mode=0640
		op 1 1 fchmodat 0 dirfd=AT_FDCWD path=/c mode=0751
		op 1 1 access 0 path=/a amode=R_OK\|W_OK
		op 1 1 faccessat -2 dirfd=AT_FDCWD path=/none amode=F_OK err=ENOENT
		op 1 1 faccessat2 0 dirfd=AT_FDCWD path=/c amode=X_OK flags=AT_EACCESS
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %a "$R/a" "$R/b" "$R/c" | tr '\n' ' ')" "600 640 751 "
	assert_equal "$(res 6 6)" -2
	assert_equal "$(stat_of errors)" 1
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "chown, fchown and fchownat give the captured owners; lchown changes the link only" {
	need_root "only root gives files away"
	echo a > "$R/a"
	echo b > "$R/b"
	echo t > "$R/t"
	ln -s t "$R/l"
	{
		stream replay
		op 1 1 chown 0 path=/a uid=1234 gid=5678
		op 1 1 openat 3 dirfd=AT_FDCWD path=/b flags=O_RDONLY
		op 1 1 fchown 0 fd=3 uid=1235 gid=-1
		op 1 1 lchown 0 path=/l uid=1236 gid=1236
		op 1 1 fchownat 0 dirfd=AT_FDCWD path=/l uid=1237 gid=1237 flags=
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %u:%g "$R/a" "$R/b" "$R/l" "$R/t" | tr '\n' ' ')" \
		"1234:5678 1235:0 1236:1236 1237:1237 "
}

@test "the utime calls set the captured times; omit keeps one; nofollow sets the link's" {
	touch -d @100 "$R/a" "$R/b" "$R/c" "$R/t"
	ln -s t "$R/l"
	{
		stream replay
		op 1 1 utimensat 0 dirfd=AT_FDCWD path=/a flags= atime=1000000000.250000000 mtime=1200000000.500000000
		op 1 1 utimes 0 path=/b atime=1300000000.000000000 mtime=1400000000.000000000
		op 1 1 openat 3 dirfd=AT_FDCWD path=/c flags=O_WRONLY
		op 1 1 utimensat 0 dirfd=3 path= flags= atime=omit mtime=1500000000.000000000 vfd=1
		op 1 1 utimensat 0 dirfd=AT_FDCWD path=/l flags=AT_SYMLINK_NOFOLLOW atime=1600000000.000000000 mtime=1600000000.000000000
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c '%X %Y' "$R/a")" "1000000000 1200000000"
	assert_equal "$(stat -c '%X %Y' "$R/b")" "1300000000 1400000000"
	assert_equal "$(stat -c '%X %Y' "$R/c")" "100 1500000000"
	assert_equal "$(stat -c %Y "$R/l")" 1600000000
	assert_equal "$(stat -c %Y "$R/t")" 100
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "xattr calls set, get, list and remove the captured names with values of count bytes" {
	echo a > "$R/a"
	echo b > "$R/b"
	{
		stream replay
		op 1 1 setxattr 0 path=/a name=user.one count=100 flags=XATTR_CREATE
		op 1 1 getxattr 100 path=/a name=user.one count=4096
		op 1 1 listxattr 9 path=/a count=4096
		op 1 1 openat 3 dirfd=AT_FDCWD path=/b flags=O_RDONLY
		op 1 1 fsetxattr 0 fd=3 name=user.two count=10 flags=
		op 1 1 fgetxattr 10 fd=3 name=user.two count=64
		op 1 1 flistxattr 9 fd=3 count=64
		op 1 1 lsetxattr 0 path=/a name=user.three count=3 flags=
		op 1 1 lgetxattr 3 path=/a name=user.three count=64
		op 1 1 llistxattr 20 path=/a count=64
		op 1 1 removexattr 0 path=/a name=user.one
		op 1 1 lremovexattr 0 path=/a name=user.three
		op 1 1 getxattr -61 path=/a name=user.one count=4096 err=ENODATA
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	assert_equal "$(getfattr --absolute-names -d "$R/a")" ""
	assert_equal "$(getfattr --absolute-names --only-values -n user.two "$R/b" | wc -c)" 10
}

@test "link, linkat, symlink, symlinkat, readlink and mknod make the captured entries" {
	echo hello > "$R/a"
	{
		stream replay
		op 1 1 link 0 path=/a path2=/h1
		op 1 1 linkat 0 dirfd=AT_FDCWD path=/a dirfd2=AT_FDCWD path2=/h2 flags=
		op 1 1 symlink 0 path=a path2=/s1
		op 1 1 symlinkat 0 path=/a dirfd2=AT_FDCWD path2=/s2
		op 1 1 readlink 1 path=/s1 count=64 path2=a
		op 1 1 readlinkat 2 dirfd=AT_FDCWD path=/s2 count=64 path2=/a
		op 1 1 linkat 0 dirfd=AT_FDCWD path=/s2 dirfd2=AT_FDCWD path2=/h3 flags=AT_SYMLINK_FOLLOW
		op 1 1 linkat 0 dirfd=AT_FDCWD path=/s1 dirfd2=AT_FDCWD path2=/h4 flags=
		op 1 1 mknod 0 path=/fifo mode=010640 rdev=0:0
		op 1 1 mknodat 0 dirfd=AT_FDCWD path=/reg mode=0100600 rdev=0:0
		op 1 1 link -17 path=/a path2=/h1 err=EEXIST
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %h "$R/a")" 4
	assert_equal "$(readlink "$R/s1") $(readlink "$R/s2") $(readlink "$R/h4")" "a /a a"
	assert_equal "$(stat -c '%F %a' "$R/fifo")" "fifo 640"
	assert_equal "$(stat -c '%F %a' "$R/reg")" "regular empty file 600"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "an O_TMPFILE file is linked into the tree by linkat with AT_EMPTY_PATH" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/ flags=O_WRONLY\|O_TMPFILE mode=0600
		op 1 1 write 7 fd=3 count=7
		op 1 1 linkat 0 dirfd=3 path= dirfd2=AT_FDCWD path2=/named flags=AT_EMPTY_PATH vfd=1
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/named")" 7
}

@test "fcntl F_DUPFD binds the new descriptor, F_SETFL sets O_APPEND, F_SETFD marks close-on-exec" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 write 10 fd=3 count=10
		op 1 1 fcntl 5 fd=3 cmd=F_DUPFD arg=5
		op 1 1 lseek 0 fd=5 offset=0 whence=SEEK_SET
		op 1 1 fcntl 0 fd=5 cmd=F_SETFL arg=O_APPEND
		op 1 1 write 4 fd=5 count=4
		op 1 1 fcntl 0 fd=3 cmd=F_SETFD arg=FD_CLOEXEC
		op 1 1 fcntl 1 fd=3 cmd=F_GETFD
		op 1 1 fcntl 0 fd=3 cmd=F_SETOWN arg=1
		op 1 1 sched:exec 0 path=/bin/true
		op 1 1 write 1 fd=3 count=1
		op 1 1 write 1 fd=5 count=1
	} > "$D/p.replay"
	replay
	diverged "2 skipped (1 nofd, 1 unsafe), 0 mismatched, 0 errors not captured"
	# Appended after the 10 bytes, not written over them at 0.
	assert_equal "$(stat -c %s "$R/f")" 15
	assert_equal "$(res 8 6)" 1
	assert_equal "$(res_key 9 skip)" unsafe
	assert_equal "$(res_key 11 skip)" nofd
	assert_equal "$(res 12 6)" 1
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 2"
}

@test "fcntl F_SET_RW_HINT gives the file its captured write-life hint, as RocksDB does" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 fcntl 0 fd=3 cmd=F_SET_RW_HINT hint=RWH_WRITE_LIFE_SHORT
		op 1 1 fcntl 0 fd=3 cmd=F_GET_RW_HINT
		op 1 1 write 10 fd=3 count=10
		op 1 1 openat 4 dirfd=AT_FDCWD path=/g flags=O_RDWR\|O_CREAT mode=0644
		# as a capture made before F_SET_RW_HINT had a name wrote it
		op 1 1 fcntl 0 fd=4 cmd=0x40c hint=RWH_WRITE_LIFE_EXTREME
		# an invalid hint is the kernel's to refuse, as it did
		op 1 1 fcntl -22 fd=4 cmd=F_SET_RW_HINT hint=0x99 err=EINVAL
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 2 6) $(res 3 6) $(res 6 6) $(res 7 6)" "0 0 0 -22"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	# the kernel's own answer, asked afresh
	assert_equal "$(rw-hint "$R/f") $(rw-hint "$R/g")" "2 5"
}

@test "an fcntl command the replay cannot issue is skipped, and the rest of the program runs" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		# a command no uapi names, with its argument as a number
		op 1 1 fcntl 0 fd=3 cmd=0x7fff arg=1
		# a hint not captured (a capture older than hint=)
		op 1 1 fcntl 0 fd=3 cmd=F_SET_RW_HINT arg=140721971593568
		# its argument is a descriptor number of the capture
		op 1 1 fcntl 1 fd=3 cmd=F_DUPFD_QUERY arg=3
		op 1 1 fcntl 0 fd=3 cmd=F_SETSIG arg=10
		op 1 1 write 10 fd=3 count=10
	} > "$D/p.replay"
	replay
	diverged "4 skipped (1 unsafe, 3 unsupported), 0 mismatched, 0 errors not captured"
	assert_equal "$(res_key 2 skip) $(res_key 3 skip) $(res_key 4 skip) $(res_key 5 skip)" \
		"unsupported unsupported unsupported unsafe"
	assert_equal "$(res 6 6)" 10
	assert_equal "$(stat -c %s "$R/f")" 10
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 4"
}

@test "operations not issued are counted by reason in the trailer and said once on stderr; the replay exits 1" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 fcntl 0 fd=3 cmd=0x7fff arg=1
		op 1 1 fcntl 0 fd=3 cmd=0x7ffe arg=1
		op 1 1 fcntl 0 fd=3 cmd=F_SETSIG arg=10
		op 1 1 write 10 fd=9 count=10
		op 1 1 write 10 fd=3 count=10
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/p2.replay"
	run -1 --separate-stderr ior-replay -C "$R" "$D/p2.replay"
	assert_line --regexp '^#stat ior-replay ops=6 errors=0 mismatched=0 skipped=4 skipped.nofd=1 skipped.nomap=0 skipped.unsafe=1 skipped.unsupported=2 '
	assert_equal "$stderr" "ior-replay: diverged from the capture: 4 skipped (1 nofd, 1 unsafe, 2 unsupported), 0 mismatched, 0 errors not captured"
	assert_equal "$(stat -c %s "$R/f")" 10
	# none skipped: nothing said
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR mode=0644
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/p2.replay"
	run -0 --separate-stderr ior-replay -C "$R" "$D/p2.replay"
	assert_equal "$stderr" ""
	assert_line --regexp ' skipped=0 skipped.nofd=0 skipped.nomap=0 skipped.unsafe=0 skipped.unsupported=0 '
}

# Pages of FILE in the page cache (fincore, util-linux). These hosts'
# kernels run DAMON with a pageout scheme (kdamond), which may take a
# page of the page cache at any moment, one just read too: a count that
# must be whole is taken again after the step that made it, a few times,
# where a replay that did the wrong thing misses it every time.
resident() {
	fincore --raw --noheadings --output PAGES "$1"
}

@test "--cache cold, the default, leaves the tree's files out of the page cache at the start; warm reads them in; the header says which" {
	need_cmd fincore
	{
		stream replay
		inits <<-'EOF'
		init:dir path=/d mode=0755
		init:file path=/d/big size=1048576 mode=0644
		init:file path=/d/small size=10 mode=0600
		EOF
		op 1 1 openat 3 dirfd=AT_FDCWD path=/other flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	ior-init -C "$R" "$D/p.replay"
	# ior-init has just written it
	assert [ "$(resident "$R/d/big")" -gt 0 ]
	replay
	assert_success
	assert_line --regexp '^#meta ior-replay host=[^ ]+ root=.* start=[0-9.]+ cache=cold$'
	assert_equal "$(resident "$R/d/big") $(resident "$R/d/small")" "0 0"
	for _ in 1 2 3; do
		replay --cache warm
		assert_success
		if [ "$(resident "$R/d/big") $(resident "$R/d/small")" = "256 1" ]; then
			break
		fi
	done
	assert_line --regexp '^#meta ior-replay host=[^ ]+ root=.* start=[0-9.]+ cache=warm$'
	assert_equal "$(resident "$R/d/big") $(resident "$R/d/small")" "256 1"
	replay --cache cold
	assert_success
	assert_equal "$(resident "$R/d/big") $(resident "$R/d/small")" "0 0"
}

@test "--cache reads no file a symlink in the tree leads to, and opens no FIFO" {
	need_cmd fincore
	head -c 65536 /dev/urandom > "$D/outside"
	mkdir "$R/d"
	ln -s "$D/outside" "$R/d/lnk"
	ln -s "$D" "$R/d/dirlnk"
	mkfifo "$R/d/fifo"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/other flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	for _ in 1 2 3; do
		cat "$D/outside" > /dev/null
		replay --cache cold
		assert_success
		if [ "$(resident "$D/outside")" = 16 ]; then
			break
		fi
	done
	assert_equal "$(resident "$D/outside")" 16
	sync
	dd if="$D/outside" iflag=nocache count=0 status=none
	replay --cache warm
	assert_success
	assert_equal "$(resident "$D/outside")" 0
}

@test "--cache takes cold, cold-all or warm; cold-all, which drops the whole page cache, is root's" {
	need_root "to run ior-replay as another user"
	run ior-replay --cache hot -C "$R"
	assert_failure 2
	assert_line "ior-replay: --cache: expected cold, cold-all or warm: hot"
	run -2 setpriv --reuid=65534 --regid=65534 --clear-groups ior-replay --cache cold-all -C "$R"
	assert_line "ior-replay: --cache cold-all: only root may drop the whole page cache (--cache cold drops the tree's files)"
}

@test "a replay whose results all match the capture exits 0; one that returns another result exits 1 and says how" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 write 10 fd=3 count=10
		op 1 1 pread64 10 fd=3 count=10 offset=0
		op 1 1 openat -2 dirfd=AT_FDCWD path=/none flags=O_RDONLY err=ENOENT
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	refute_line --partial "diverged"
	# the read finds 10 bytes, the capture 4; /none is there this time
	touch "$R/none"
	sed -i 's/pread64 10/pread64 4/' "$D/p.replay"
	replay
	diverged "0 skipped, 2 mismatched, 0 errors not captured"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "2 0"
	# an error the capture did not have
	rm "$R/none"
	sed -i 's/openat -2 \(.*\) err=ENOENT$/openat 4 \1/' "$D/p.replay"
	replay
	diverged "0 skipped, 2 mismatched, 1 errors not captured"
}

@test "a malformed fcntl command or hint is still refused, naming line and key" {
	for line in "fcntl 0 fd=3 cmd=F_BOGUS|cmd: unknown value \"F_BOGUS\"" \
		"fcntl 0 fd=3 cmd=0x4zz|cmd: unknown value \"0x4zz\"" \
		"fcntl 0 fd=3 cmd=F_SET_RW_HINT hint=RWH_BOGUS|hint: bad flags \"RWH_BOGUS\"" \
		"fcntl 0 fd=3 cmd=F_SETFD|arg: missing for fcntl"; do
		{
			stream replay
			op 1 1 ${line%%|*}
		} > "$D/p.replay"
		replay
		refused "p.replay:2: ${line#*|}"
	done
}

@test "record locks and flock conflict between processes as they did in the capture" {
	echo data > "$R/f"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR
		op 1 1 fcntl 0 fd=3 cmd=F_SETLK ltype=F_WRLCK whence=SEEK_SET offset=0 len=10
		op 1 1 flock 0 fd=3 op=LOCK_EX
		op 2 2 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR after=3
		op 2 2 fcntl -11 fd=3 cmd=F_SETLK ltype=F_RDLCK whence=SEEK_SET offset=5 len=1 err=EAGAIN
		op 2 2 flock -11 fd=3 op=LOCK_SH\|LOCK_NB err=EAGAIN
		op 2 2 fcntl 0 fd=3 cmd=F_OFD_SETLK ltype=F_RDLCK whence=SEEK_SET offset=20 len=1
		op 1 1 fcntl 0 fd=3 cmd=F_SETLK ltype=F_UNLCK whence=SEEK_SET offset=0 len=0 after=7
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 5 6) $(res 6 6) $(res 7 6)" "-11 -11 0"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "fallocate, fadvise64, readahead, sync_file_range, syncfs, sync and getdents64 act on the file" {
	mkdir "$R/dir"
	touch "$R/dir/x" "$R/dir/y"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 fallocate 0 fd=3 flags= offset=0 len=65536
		op 1 1 fallocate 0 fd=3 flags=FALLOC_FL_KEEP_SIZE offset=65536 len=65536
		op 1 1 fadvise64 0 fd=3 offset=0 len=0 advice=POSIX_FADV_SEQUENTIAL
		op 1 1 readahead 0 fd=3 offset=0 count=4096
		op 1 1 sync_file_range 0 fd=3 offset=0 len=0 flags=SYNC_FILE_RANGE_WRITE
		op 1 1 syncfs 0 fd=3
		op 1 1 sync 0
		op 1 1 openat 4 dirfd=AT_FDCWD path=/dir flags=O_RDONLY\|O_DIRECTORY
		op 1 1 getdents64 96 fd=4 count=4096
		op 1 1 getdents64 0 fd=4 count=4096
		op 1 1 fadvise64 -22 fd=3 offset=0 len=0 advice=99 err=EINVAL
	} > "$D/p.replay"
	replay_strace openat2,fallocate,fadvise64,readahead,sync_file_range,syncfs,sync,getdents64
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 65536
	[ "$(stat -c %b "$R/f")" -ge 256 ]	# 128 KiB allocated
	# Each issued, with its arguments, on the descriptor of its file. The
	# tree dropped from the page cache first (--cache cold) is left out:
	# readdir's getdents64 of 32 KiB and a POSIX_FADV_DONTNEED a file.
	local f d
	f=$(straced | awk '/^openat2\([0-9]+, "f",/ { print $NF }')
	d=$(straced | awk '/^openat2\([0-9]+, "dir",/ { print $NF }')
	assert_equal "$(straced | grep -v '^openat2(' | sed -E 's/^(getdents64\([0-9]+, )0x[0-9a-f]+/\1BUF/' |
		grep -v -e 'POSIX_FADV_DONTNEED' -e '^getdents64([0-9]*, BUF [^,]*, 32768)')" \
		"fallocate($f, 0, 0, 65536) = 0
fallocate($f, FALLOC_FL_KEEP_SIZE, 65536, 65536) = 0
fadvise64($f, 0, 0, POSIX_FADV_SEQUENTIAL) = 0
readahead($f, 0, 4096) = 0
sync_file_range($f, 0, 0, SYNC_FILE_RANGE_WRITE) = 0
syncfs($f) = 0
sync() = 0
getdents64($d, BUF /* 4 entries */, 4096) = 96
getdents64($d, BUF /* 0 entries */, 4096) = 0
fadvise64($f, 0, 0, 0x63 /* POSIX_FADV_??? */) = -1 EINVAL (Invalid argument)"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "close_range closes the captured numbers it covers, and CLOSE_RANGE_CLOEXEC marks them" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/a flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 openat 4 dirfd=AT_FDCWD path=/b flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 openat 7 dirfd=AT_FDCWD path=/c flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 close_range 0 fd=4 maxfd=4294967295 flags=
		op 1 1 write 1 fd=3 count=1
		op 1 1 write -9 fd=4 count=1 err=EBADF
		op 1 1 write -9 fd=7 count=1 err=EBADF
		op 1 1 close_range 0 fd=0 maxfd=3 flags=CLOSE_RANGE_CLOEXEC
		op 1 1 write 1 fd=3 count=1
		op 1 1 sched:exec 0 path=/bin/true
		op 1 1 write -9 fd=3 count=1 err=EBADF
	} > "$D/p.replay"
	replay
	diverged "3 skipped (3 nofd), 0 mismatched, 0 errors not captured"
	assert_equal "$(res 5 6) $(res 9 6)" "1 1"
	assert_equal "$(res_key 6 skip) $(res_key 7 skip) $(res_key 11 skip)" "nofd nofd nofd"
	assert_equal "$(stat -c %s "$R/a")" 2
	# The result stream was still written: the replay's own stdout stayed.
	assert_line --regexp "^#stat ior-replay ops=11 "
}

@test "copy_file_range and sendfile64 copy between files; an unknown side does only the file's I/O" {
	head -c 10000 /dev/urandom > "$R/src"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/src flags=O_RDONLY
		op 1 1 openat 4 dirfd=AT_FDCWD path=/dst flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 copy_file_range 4000 fd=3 offset=0 fd2=4 count=4000 flags=0
		op 1 1 sendfile64 2000 fd2=4 fd=3 offset=4000 count=2000
		op 1 1 sendfile64 3000 fd2=9 fd=3 count=3000
		op 1 1 lseek 3000 fd=3 offset=0 whence=SEEK_CUR
		op 1 1 copy_file_range 500 fd=9 fd2=4 count=500 flags=0
		op 1 1 sendfile64 0 fd2=8 fd=9 count=10
	} > "$D/p.replay"
	replay
	diverged "1 skipped (1 nofd), 0 mismatched, 0 errors not captured"
	assert_equal "$(stat -c %s "$R/dst")" 6500
	cmp -n 6000 "$R/src" "$R/dst"
	assert_equal "$(res_key 8 skip)" nofd
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 1"
}

@test "splice between a file and a pipe the replay does not have moves the file side's bytes" {
	head -c 8192 /dev/urandom > "$R/src"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/src flags=O_RDONLY
		op 1 1 openat 4 dirfd=AT_FDCWD path=/dst flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 splice 8192 fd=3 offset=0 fd2=10 count=8192 flags=SPLICE_F_MOVE
		op 1 1 splice 5000 fd=11 fd2=4 count=5000 flags=
		op 1 1 splice 100 fd=11 fd2=4 offset2=10000 count=100 flags=
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 3 6) $(res 4 6) $(res 5 6)" "8192 5000 100"
	assert_equal "$(stat -c %s "$R/dst")" 10100
}

@test "memfd_create makes a descriptor the later calls use" {
	{
		stream replay
		op 1 1 memfd_create 3 path=buf flags=MFD_CLOEXEC
		op 1 1 write 100 fd=3 count=100
		op 1 1 lseek 0 fd=3 offset=0 whence=SEEK_SET
		op 1 1 read 100 fd=3 count=4096
		op 1 1 sched:exec 0 path=/bin/true
		op 1 1 read 0 fd=3 count=4096
	} > "$D/p.replay"
	replay
	diverged "1 skipped (1 nofd), 0 mismatched, 0 errors not captured"
	assert_equal "$(res 4 6)" 100
	assert_equal "$(res_key 6 skip)" nofd
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 1"
}

@test "mmap maps the file; munmap, msync and madvise act on the replay's mapping of the captured address" {
	head -c 16384 /dev/urandom > "$R/f"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR
		op 1 1 mmap 139637976727552 fd=3 addr=0 len=16384 prot=PROT_READ\|PROT_WRITE flags=MAP_SHARED offset=0
		op 1 1 mmap 4096 fd=3 addr=0x1000 len=4096 prot=PROT_READ flags=MAP_PRIVATE\|MAP_FIXED offset=4096
		op 1 1 close 0 fd=3
		op 1 1 msync 0 addr=0x7f0000000000 len=16384 flags=MS_SYNC
		op 1 1 madvise 0 addr=0x7f0000001000 len=4096 advice=MADV_WILLNEED
		op 1 1 munmap 0 addr=0x7f0000001000 len=4096
		op 1 1 msync 0 addr=0x7f0000000000 len=4096 flags=MS_ASYNC
		op 1 1 msync 0 addr=0x7f0000002000 len=8192 flags=MS_SYNC
		op 1 1 munmap 0 addr=0x7f0000000000 len=16384
		op 1 1 msync -12 addr=0x7f0000000000 len=4096 flags=MS_SYNC err=ENOMEM
		op 1 1 munmap 0 addr=0x1000 len=4096
	} > "$D/p.replay"
	replay
	diverged "1 skipped (1 nomap), 0 mismatched, 0 errors not captured"
	[ "$(res 2 6)" -gt 0 ]
	[ "$(res 3 6)" -ne 4096 ]	# MAP_FIXED was dropped
	assert_equal "$(res 5 6) $(res 6 6) $(res 7 6) $(res 8 6) $(res 9 6) $(res 10 6) $(res 12 6)" \
		"0 0 0 0 0 0 0"
	assert_equal "$(res_key 11 skip)" nomap
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 1"
}

@test "a private mapping is made without PROT_WRITE and populated by reading, never copied into memory" {
	head -c 16384 /dev/urandom > "$R/f"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR
		op 1 1 mmap 139637976727552 fd=3 addr=0 len=16384 prot=PROT_READ\|PROT_WRITE flags=MAP_PRIVATE\|MAP_POPULATE offset=0
		op 1 1 madvise 0 addr=0x7f0000000000 len=16384 advice=MADV_POPULATE_WRITE
		op 1 1 mmap 139637976743936 fd=3 addr=0 len=16384 prot=PROT_READ\|PROT_WRITE flags=MAP_SHARED offset=0
		op 1 1 madvise 0 addr=0x7f0000004000 len=16384 advice=MADV_POPULATE_WRITE
	} > "$D/p.replay"
	replay_strace mmap,madvise
	assert_success
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	# The mappings of the file, and the advice, as issued.
	assert_equal "$(straced | sed -nE \
		-e 's/^mmap\(NULL, 16384, ([^,]+), ([^,]+), [0-9]+, 0\) = .*/mmap \1 \2/p' \
		-e 's/^madvise\(0x[0-9a-f]+, 16384, (MADV_POPULATE_[A-Z]+)\) = (.*)/madvise \1 \2/p')" \
		"$(printf '%s\n' 'mmap PROT_READ MAP_PRIVATE|MAP_POPULATE' \
		'madvise MADV_POPULATE_READ 0' 'mmap PROT_READ|PROT_WRITE MAP_SHARED' \
		'madvise MADV_POPULATE_WRITE 0')"
}

@test "open_by_handle_at opens the file that name_to_handle_at named" {
	need_root "open_by_handle_at needs CAP_DAC_READ_SEARCH"
	# Files of other sizes: what a read of each returns tells them apart.
	head -c 100 /dev/zero > "$R/f"
	head -c 300 /dev/zero > "$R/g"
	{
		stream replay
		op 1 1 name_to_handle_at -75 dirfd=AT_FDCWD path=/f flags= err=EOVERFLOW
		op 1 1 name_to_handle_at 0 dirfd=AT_FDCWD path=/f flags=
		op 1 1 open_by_handle_at 3 fd=-100 flags=O_RDONLY path=/f
		op 1 1 read 100 fd=3 count=4096
		op 1 1 open_by_handle_at 4 fd=-100 flags=O_RDONLY path=/g
		op 1 1 read 300 fd=4 count=4096
		op 1 1 read 0 fd=3 count=4096
	} > "$D/p.replay"
	replay
	assert_success
	[ "$(res 3 6)" -ge 0 ]
	[ "$(res 5 6)" -ge 0 ]
	assert_equal "$(res 4 6) $(res 6 6) $(res 7 6)" "100 300 0"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "truncate of a FIFO fails with EINVAL, as truncate(2) does, without waiting for a reader" {
	mkfifo "$R/fifo"
	{
		stream replay
		op 1 1 truncate -22 path=/fifo size=0 err=EINVAL
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 1 6)" -22
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "unshare(CLONE_FILES) in a thread gives it a descriptor table of its own" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT mode=0644 vfd=1
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op 1 2 unshare 0 flags=CLONE_FILES
		op 1 2 close 0 fd=3 vfd=1
		op 1 1 write 5 fd=3 count=5 vfd=1 after=4
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 5 6)" 5
	assert_equal "$(stat -c %s "$R/f")" 5
}

@test "a vfork child is a process of its own, and the vfork record issues nothing" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 sched:fork 0 child=2 cpid=2 flags=CLONE_VM
		op 2 2 close 0 fd=3
		op 1 1 vfork 2
		op 1 1 write 4 fd=3 count=4 after=3
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 5 6)" 4
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "statfs, fstatfs and getcwd are issued; getcwd's length is not compared" {
	{
		stream replay
		op 1 1 statfs 0 path=/
		op 1 1 openat 3 dirfd=AT_FDCWD path=/ flags=O_RDONLY\|O_DIRECTORY
		op 1 1 fstatfs 0 fd=3
		op 1 1 statfs -2 path=/none err=ENOENT
		op 1 1 getcwd 7 count=4096 path=/srv/x
	} > "$D/p.replay"
	replay
	assert_success
	[ "$(res 5 6)" -gt 0 ]
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "chmod, chown, utimes, xattrs, link and symlink change nothing outside the root" {
	need_root "trusted xattrs and chown need root"
	local out=$D/outside
	mkdir "$out"
	echo keep > "$out/victim"
	chmod 0644 "$out/victim"
	setfattr -n user.keep -v 1 "$out/victim"
	touch -d @1000000000 "$out/victim"
	ln -s "$out/victim" "$R/abs"
	ln -s ../outside/victim "$R/rel"
	mkdir -p "$R$out"
	echo inner > "$R$out/victim"
	sleep 0.01
	before=$(stat -c '%a %u %g %X %Y %Z %h' "$out/victim"; getfattr --absolute-names -d -m - "$out/victim")
	{
		stream replay
		op 1 1 chmod 0 path=/abs mode=0777
		op 1 1 chmod -2 path=/rel mode=0777 err=ENOENT
		op 1 1 fchmodat 0 dirfd=AT_FDCWD path=/../../../..$out/victim mode=0700
		op 1 1 chown 0 path=/abs uid=4321 gid=4321
		op 1 1 lchown 0 path=/abs uid=4322 gid=4322
		op 1 1 fchownat 0 dirfd=AT_FDCWD path=/abs uid=4323 gid=4323 flags=
		op 1 1 utimes 0 path=/abs atime=5.000000000 mtime=5.000000000
		op 1 1 utimensat -2 dirfd=AT_FDCWD path=/rel flags= atime=now mtime=now err=ENOENT
		op 1 1 utimensat 0 dirfd=AT_FDCWD path=/abs flags=AT_SYMLINK_NOFOLLOW atime=6.000000000 mtime=6.000000000
		op 1 1 setxattr 0 path=/abs name=user.esc count=8 flags=
		op 1 1 lsetxattr 0 path=/abs name=trusted.esc count=8 flags=
		op 1 1 setxattr -2 path=/rel name=user.esc count=8 flags= err=ENOENT
		op 1 1 removexattr 0 path=/abs name=user.keep
		op 1 1 link 0 path=/abs path2=/hl
		op 1 1 linkat 0 dirfd=AT_FDCWD path=/abs dirfd2=AT_FDCWD path2=/hl2 flags=AT_SYMLINK_FOLLOW
		op 1 1 link 0 path=/..$out/victim path2=/../hl3
		op 1 1 symlink 0 path=$out/victim path2=/../../sneaky
		op 1 1 chmod 0 path=/sneaky mode=0711
		op 1 1 access 0 path=/abs amode=R_OK
	} > "$D/p.replay"
	# --privileged: a trusted attribute is set on the symlink itself
	replay --privileged
	diverged "0 skipped, 1 mismatched, 1 errors not captured"
	after=$(stat -c '%a %u %g %X %Y %Z %h' "$out/victim"; getfattr --absolute-names -d -m - "$out/victim")
	assert_equal "$after" "$before"
	[ ! -e "$D/sneaky" ]
	[ ! -e "$D/hl3" ]
	# What the program did, it did to the file of the same name inside.
	assert_equal "$(stat -c '%a %u %g %Y %h' "$R$out/victim")" "711 4323 4323 5 3"
	assert_equal "$(stat -c '%u %Y' "$R/abs")" "4322 6"
	assert_equal "$(getfattr --absolute-names --only-values -h -n trusted.esc "$R/abs" | wc -c)" 8
	[ -L "$R/hl" ]
	[ -L "$R/sneaky" ]
	# removexattr found no user.keep inside: ENODATA, where the capture had 0.
	assert_equal "$(res 13 6)" -61
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "1 0"
}

@test "device nodes, unknown advice, bad addresses, times and missing lock keys are refused" {
	for line in "mknod 0 path=/d mode=020644 rdev=1:3|mode: 020644: device nodes are not replayed" \
		"madvise 0 addr=0x1000 len=4096 advice=100|advice: unknown value" \
		"munmap 0 addr=0xzz len=1|addr: not a hexadecimal address" \
		"utimes 0 path=/a atime=1.5x mtime=now|atime: not a time" \
		"utimes 0 path=/a atime=now|mtime: missing for utimes" \
		"chown 0 path=/a uid=-2 gid=0|uid: not an owner" \
		"fcntl 0 fd=3 cmd=F_SETLK|ltype: missing for fcntl"; do
		{
			stream replay
			op 1 1 ${line%%|*}
		} > "$D/p.replay"
		replay
		refused "p.replay:2: ${line#*|}"
	done
}

@test "chmod with file type bits in its mode (as git does) sets the permission bits" {
	echo x > "$R/f"
	chmod 600 "$R/f"
	{
		stream replay
		op 1 1 chmod 0 path=/f mode=0100744
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %a "$R/f")" 744
}

@test "setxattr writes the captured value, NUL bytes included" {
	echo x > "$R/f"
	{
		stream replay
		op 1 1 setxattr 0 path=/f name=user.acl count=4 flags=0 'value=a\x00\x01b'
		op 1 1 lsetxattr 0 path=/f name=user.two count=3 flags=0 value=xyz
		op 1 1 setxattr 0 path=/f name=user.rand count=16 flags=0
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(getfattr --only-values -n user.acl "$R/f" | od -An -tx1 | tr -d ' \n')" 61000162
	assert_equal "$(getfattr --only-values -n user.two "$R/f")" xyz
	# Without a captured value: count bytes of the replay's own data.
	assert_equal "$(getfattr --only-values -n user.rand "$R/f" | wc -c)" 16
}

@test "batched AIO pwrite, pwritev and fdsync then preads replay through io_submit with the captured batches" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_setup 0 nr=16 ctx=0x7f0000
		op 1 1 io_submit 3 ctx=0x7f0000 nr=3 sub=1
		op 1 1 io_getevents 3 ctx=0x7f0000 min_nr=3 nr=16
		op 1 1 aio:pwrite 4096 fd=3 offset=0 count=4096 ctx=0x7f0000 sub=1 iocb=0x1000
		op 1 1 aio:pwritev 8192 fd=3 offset=4096 count=8192 iovcnt=2 ctx=0x7f0000 sub=1 iocb=0x1040
		op 1 1 aio:fdsync 0 fd=3 ctx=0x7f0000 sub=1 iocb=0x1080
		op 1 1 io_submit 2 ctx=0x7f0000 nr=2 sub=2
		op 1 1 io_pgetevents 2 ctx=0x7f0000 min_nr=2 nr=2 timeout=5.000000000 sigmask=1
		op 1 1 aio:pread 4096 fd=3 offset=8192 count=4096 ctx=0x7f0000 sub=2 iocb=0x1000
		op 1 1 aio:preadv 12288 fd=3 offset=0 count=16384 iovcnt=4 ctx=0x7f0000 sub=2 iocb=0x1040
		op 1 1 io_destroy 0 ctx=0x7f0000
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	replay_strace io_submit
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 12288
	# Two io_submit calls on one context, of the captured requests.
	assert_equal "$(straced | awk '{ split($0, a, ", "); s = "io_submit " a[2]
		n = split($0, op, /aio_lio_opcode=IOCB_CMD_/)
		for (i = 2; i <= n; i++) { sub(/,.*/, "", op[i]); s = s " " op[i] }
		print s, "=", $NF }')" "$(printf '%s\n' 'io_submit 3 PWRITE PWRITEV FDSYNC = 3' \
		'io_submit 2 PREAD PREADV = 2')"
	assert_equal "$(straced | cut -d, -f1 | sort -u | wc -l)" 1
	# io_submit's RET is the number of requests accepted: the batch size.
	assert_equal "$(res 3 6) $(res 8 6)" "3 2"
	assert_equal "$(res 4 6) $(res 9 6)" "3 2"
	assert_equal "$(res 5 6) $(res 6 6) $(res 7 6)" "4096 8192 0"
	assert_equal "$(res 10 6) $(res 11 6)" "4096 12288"
	# Results stay in program order: each request after what reaped it.
	assert_equal "$(printf '%s\n' "$output" | awk '!/^#/ { printf "%s ", $5 }')" \
		"openat io_setup io_submit io_getevents aio:pwrite aio:pwritev aio:fdsync io_submit io_pgetevents aio:pread aio:preadv io_destroy close "
	assert_equal "$(stat_of mismatched)" 0
	assert_equal "$(stat_of skipped)" 0
}

@test "an AIO request on an unknown descriptor is skipped, the rest of its batch submitted" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_setup 0 nr=4 ctx=0x7f0000
		op 1 1 io_submit 2 ctx=0x7f0000 nr=2 sub=1
		op 1 1 io_getevents 2 ctx=0x7f0000 min_nr=1 nr=2
		op 1 1 aio:pwrite 100 fd=3 offset=0 count=100 ctx=0x7f0000 sub=1 iocb=0x1000
		op 1 1 aio:pwrite 100 fd=9 offset=0 count=100 ctx=0x7f0000 sub=1 iocb=0x1040
	} > "$D/p.replay"
	replay_strace io_submit
	diverged "1 skipped (1 nofd), 2 mismatched, 0 errors not captured"
	# The batch as submitted: the one request whose descriptor is open.
	assert_equal "$(straced | awk '{ split($0, a, ", "); s = "io_submit " a[2]
		n = split($0, op, /aio_lio_opcode=IOCB_CMD_/)
		for (i = 2; i <= n; i++) { sub(/,.*/, "", op[i]); s = s " " op[i] }
		print s, "=", $NF }')" "io_submit 1 PWRITE = 1"
	assert_equal "$(stat -c %s "$R/f")" 100
	assert_equal "$(res 3 6)" 1
	assert_equal "$(res 5 6)" 100
	assert_equal "$(res_key 6 skip)" nofd
	assert_equal "$(stat_of skipped)" 1
}

@test "AIO requests nothing in the replay reaped are written in flight, at io_destroy or at the end; io_cancel of a finished one fails as captured" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_setup 0 nr=4 ctx=0x7f0000
		op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=1
		op 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=1
		op 1 1 aio:pwrite 10 fd=3 offset=0 count=10 ctx=0x7f0000 sub=1 iocb=0x1000
		op 1 1 io_cancel -22 ctx=0x7f0000 iocb=0x1000 err=EINVAL
		op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=2
		op 1 1 aio:pwrite 0 fd=3 offset=10 count=10 ctx=0x7f0000 sub=2 iocb=0x1000 inflight=1
		op 1 1 io_destroy 0 ctx=0x7f0000
		op 1 1 io_setup 0 nr=4 ctx=0x7f1000
		op 1 1 io_submit 1 ctx=0x7f1000 nr=1 sub=3
		op 1 1 aio:pwrite 0 fd=3 offset=20 count=10 ctx=0x7f1000 sub=3 iocb=0x2000 inflight=1
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 6 6)" -22
	assert_equal "$(res 7 6)" 1
	# In flight at io_destroy: written as the capture writes it.
	assert_equal "$(res 8 6) $(res 8 7)" "0 0"
	assert_equal "$(res_key 8 cinflight) $(res_key 8 inflight) $(res_key 5 inflight)" "1 1 "
	assert_equal "$(res 9 6)" 0
	# Never reaped, never destroyed: written in flight.
	assert_equal "$(res_key 12 inflight)" 1
	assert_equal "$(res 12 6) $(res 12 7)" "0 0"
	assert_equal "$(stat -c %s "$R/f")" 30
}

@test "an AIO request the capture reaped and the replay's reaps did not is reaped as its process ends" {
	# Buffered writes complete inside io_submit, in order: the replay's
	# reap takes the first, which was still in flight when the capture
	# ended, in place of the second, which the capture's reap returned.
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_setup 0 nr=8 ctx=0x7f0000
		op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=1
		op 1 1 aio:pwrite 0 fd=3 offset=0 count=100 ctx=0x7f0000 sub=1 iocb=0x1000 inflight=1
		op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=2
		op 1 1 aio:pwrite 100 fd=3 offset=100 count=100 ctx=0x7f0000 sub=2 iocb=0x2000 reap=1
		op 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=1 reap=1
	} > "$D/p.replay"
	replay
	diverged_re '0 skipped, [0-9]+ mismatched, [0-9]+ errors not captured'
	assert_equal "$(res 4 6) $(res 6 6) $(res 7 6)" "100 100 1"
	assert_equal "$(res_key 4 cinflight) $(res_key 4 inflight) $(res_key 6 inflight)" "1  "
	assert_equal "$(stat -c %s "$R/f")" 200
}

@test "a reap named by more requests than its nr takes no more events than nr" {
	# The events' buffer holds nr: four requests naming a reap of nr=1
	# (a malformed program) must not make it ask the kernel for four.
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_setup 0 nr=8 ctx=0x7f0000
		op 1 1 io_submit 4 ctx=0x7f0000 nr=4 sub=1
		op 1 1 aio:pwrite 100 fd=3 offset=0 count=100 ctx=0x7f0000 sub=1 iocb=0x1000 reap=1
		op 1 1 aio:pwrite 100 fd=3 offset=100 count=100 ctx=0x7f0000 sub=1 iocb=0x1040 reap=1
		op 1 1 aio:pwrite 100 fd=3 offset=200 count=100 ctx=0x7f0000 sub=1 iocb=0x1080 reap=1
		op 1 1 aio:pwrite 100 fd=3 offset=300 count=100 ctx=0x7f0000 sub=1 iocb=0x10c0 reap=1
		op 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=1 reap=1
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 8 6)" 1
	assert_equal "$(stat -c %s "$R/f")" 400
}

@test "io_getevents waits for no more events than the replay has in flight, and reaps as many as the capture's did" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_setup 0 nr=8 ctx=0x7f0000
		# Both complete inside io_submit here: the first reap could take both.
		op 1 1 io_submit 2 ctx=0x7f0000 nr=2 sub=1
		op 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=2
		op 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=2
		op 1 1 aio:pwrite 100 fd=3 offset=0 count=100 ctx=0x7f0000 sub=1 iocb=0x1000
		op 1 1 aio:pwrite 100 fd=3 offset=100 count=100 ctx=0x7f0000 sub=1 iocb=0x1040
		# One request of the batch is on a descriptor the replay never opened.
		op 1 1 io_submit 2 ctx=0x7f0000 nr=2 sub=2
		op 1 1 io_pgetevents 2 ctx=0x7f0000 min_nr=2 nr=2 sigmask=0
		op 1 1 aio:pwrite 100 fd=3 offset=200 count=100 ctx=0x7f0000 sub=2 iocb=0x1000
		op 1 1 aio:pwrite 100 fd=9 offset=0 count=100 ctx=0x7f0000 sub=2 iocb=0x1040
		op 1 1 io_destroy 0 ctx=0x7f0000
	} > "$D/p.replay"
	replay_strace io_getevents,io_pgetevents
	diverged_re '1 skipped \(1 nofd\), [0-9]+ mismatched, [0-9]+ errors not captured'
	# As issued: min_nr no more than the replay has in flight (1 in the
	# second batch), nr the captured RET.
	assert_equal "$(straced | sed -E 's/^(io_p?getevents)\(0x[0-9a-f]+, ([0-9]+), ([0-9]+), .* = (-?[0-9]+).*$/\1 \2 \3 = \4/')" \
		"$(printf '%s\n' 'io_getevents 1 1 = 1' 'io_getevents 1 1 = 1' 'io_pgetevents 1 2 = 1')"
	assert_equal "$(res 4 6) $(res 5 6)" "1 1"
	assert_equal "$(res 6 6) $(res 7 6)" "100 100"
	assert_equal "$(res 9 6) $(res 10 6) $(res_key 11 skip)" "1 100 nofd"
	assert_equal "$(stat -c %s "$R/f")" 300
}

@test "a wait for AIO events that never come ends after 5 s; io_destroy cancels the request, written in flight" {
	mkfifo "$R/fifo"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/fifo flags=O_RDONLY\|O_NONBLOCK mode=0
		op 1 1 io_setup 0 nr=4 ctx=0x7f0000
		op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=1
		# In the capture another process wrote to the FIFO; nobody does here.
		op 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=1
		op 1 1 aio:poll 1 fd=3 offset=0 count=0 ctx=0x7f0000 sub=1 iocb=0x1000
		op 1 1 io_destroy 0 ctx=0x7f0000
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/q.replay"
	SECONDS=0
	run env "$(no_leak_check)" timeout 60 strace -f -qq -e trace=io_getevents,io_destroy -o "$D/strace" \
		ior-replay -C "$R" "$D/q.replay"
	diverged_re '0 skipped, [0-9]+ mismatched, [0-9]+ errors not captured'
	cat "$D/strace"
	# One wait, bounded at 5 s, that timed out with nothing; then the
	# destroy. The replay waited that long: by its clock and by ours.
	assert_equal "$(grep -c 'io_getevents(' "$D/strace")" 1
	grep -Eq 'io_getevents\(0x[0-9a-f]+, 1, 1, \[\], \{tv_sec=5, tv_nsec=0\}\) += 0$' "$D/strace"
	grep -Eq 'io_destroy\(0x[0-9a-f]+\) += 0$' "$D/strace"
	[ "$(res 4 7)" -ge 5000000000 ]
	[ "$SECONDS" -ge 4 ]
	assert_equal "$(res 4 6) $(res 6 6)" "0 0"
	assert_equal "$(res 5 6) $(res 5 7) $(res_key 5 inflight)" "0 0 1"
}

@test "AIO calls on a context the replay destroyed fail as captured, and so does a refused io_setup" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_setup -22 nr=0 err=EINVAL
		op 1 1 io_setup 0 nr=64 ctx=0x7f0000
		# Refused for a context id that was not 0.
		op 1 1 io_setup -22 nr=8 err=EINVAL
		op 1 1 io_destroy 0 ctx=0x7f0000
		op 1 1 io_destroy -22 ctx=0x7f0000 err=EINVAL
		op 1 1 io_submit -22 ctx=0x7f0000 nr=1 sub=1 err=EINVAL
		op 1 1 aio:pwrite -22 fd=3 offset=0 count=10 ctx=0x7f0000 sub=1 iocb=0x1000 err=EINVAL
		op 1 1 io_getevents -22 ctx=0x7f0000 min_nr=1 nr=1 err=EINVAL
		op 1 1 io_cancel -22 ctx=0x7f0000 iocb=0x1000 err=EINVAL
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(printf '%s\n' "$output" | awk '!/^#/ { printf "%s %s%s|", $5, $6 < 0 ? $6 : "ok", / skip=/ ? " skip" : "" }')" \
		"openat ok|io_setup -22|io_setup ok|io_setup -22|io_destroy ok|io_destroy -22|io_submit -22|aio:pwrite -22|io_getevents -22|io_cancel -22|"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	assert_equal "$(stat -c %s "$R/f")" 0
}

@test "io_submit refused for want of room the capture had reaps first, then submits the rest" {
	# More requests in flight, never reaped, than this kernel has room for
	# in a context of nr_events 1 (it rounds nr_events up by the number of
	# CPUs): the capture's machine had more CPUs.
	n=6000
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_setup 0 nr=1 ctx=0x7f0000
		for i in $(seq 1 $n); do
			op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=$i
			op 1 1 aio:pwrite 0 fd=3 offset=$i count=1 ctx=0x7f0000 sub=$i iocb=0x1000 inflight=1
		done
		op 1 1 io_destroy 0 ctx=0x7f0000
	} > "$D/p.replay"
	replay
	diverged_re '0 skipped, [0-9]+ mismatched, [0-9]+ errors not captured'
	assert_equal "$(stat_of errors) $(stat_of skipped)" "0 0"
	assert_equal "$(printf '%s\n' "$output" | awk '$5 == "io_submit" && $6 == 1' | wc -l)" $n
	assert_equal "$(stat -c %s "$R/f")" $((n + 1))
}

@test "AIO calls on a context never set up in the replay are skipped with their requests" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=1
		op 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=1
		op 1 1 aio:pwrite 10 fd=3 offset=0 count=10 ctx=0x7f0000 sub=1 iocb=0x1000
	} > "$D/p.replay"
	replay
	diverged "3 skipped (3 nofd), 0 mismatched, 0 errors not captured"
	assert_equal "$(res_key 2 skip) $(res_key 3 skip) $(res_key 4 skip)" "nofd nofd nofd"
	assert_equal "$(stat -c %s "$R/f")" 0
}

@test "an AIO request without its thread's io_submit is skipped as an orphan; a bad context is refused" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 aio:pwrite 10 fd=3 offset=0 count=10 ctx=0x7f0000 sub=7 iocb=0x1000
		op 1 1 io_setup 0 nr=4 ctx=0x7f0000
		op 1 2 io_submit 1 ctx=0x7f0000 nr=1 sub=8
		op 1 1 aio:pwrite 10 fd=3 offset=0 count=10 ctx=0x7f0000 sub=8 iocb=0x1000
	} > "$D/p.replay"
	replay
	# thread 2's io_submit may come before the io_setup or after it
	diverged_re '[0-9]+ skipped \(([0-9]+ nofd, )?2 orphan\), [0-9]+ mismatched, 0 errors not captured'
	assert_equal "$(res_key 2 skip) $(res_key 5 skip)" "orphan orphan"
	assert_equal "$(res 2 6) $(res 5 6)" "0 0"
	assert_equal "$(stat -c %s "$R/f")" 0
	{
		stream replay
		op 1 1 io_setup 0 nr=4 ctx=0xzz
	} > "$D/p.replay"
	replay
	refused "p.replay:2: ctx: not a hexadecimal address"
}

@test "after= may name two operations, and both are waited for" {
	mkdir "$R/a" "$R/b"
	touch "$R/a/x" "$R/a/y" "$R/b/x" "$R/b/y"
	# Timed: each rmdir is due at once, each unlink later and never early.
	# For /a the second operation named is the last to end, for /b the
	# first: a directory is emptied only after both of its unlinks, so a
	# replay that waits for one of the two finds it not empty.
	{
		stream replay
		op_at 0.2 1 2 unlink 0 path=/a/x
		op_at 0.4 1 3 unlink 0 path=/a/y
		op_at 0.6 1 4 unlink 0 path=/b/x
		op_at 0.2 1 5 unlink 0 path=/b/y
		op_at 0.0 1 1 rmdir 0 path=/a after=1,2
		op_at 0.0 1 1 rmdir 0 path=/b after=3,4
	} > "$D/p.replay"
	replay -T
	assert_success
	assert_equal "$(res 1 6) $(res 2 6) $(res 3 6) $(res 4 6)" "0 0 0 0"
	assert_equal "$(res 5 6) $(res 6 6)" "0 0"
	[ ! -e "$R/a" ]
	[ ! -e "$R/b" ]
	# By the replay's clock too: each rmdir began after both had ended.
	local k end start
	for k in 1 2 3 4; do
		end=$(res $k 1 | awk -v d="$(res $k 7)" '{ printf "%.0f", $1 * 1e9 + d }')
		start=$(res $(((k + 1) / 2 + 4)) 1 | awk '{ printf "%.0f", $1 * 1e9 }')
		echo "# unlink $k ends at $end, its rmdir starts at $start"
		[ "$start" -ge "$((end - 1))" ]
	done
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

# ---- io_uring ----

# uring REQ RET SUB|- [key=value ...]: a request on ring 4 (sub - : none).
uring() {
	local call=$1 ret=$2 sub=$3
	shift 3
	op 1 1 "uring:$call" "$ret" ring=4 "$@" user_data=0x$SEQ exec=inline${sub#-}
}

@test "io_uring writes and reads replay through the ring under uring:write and uring:read, with cret and cdur" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=8 flags= sq=8 cq=16
		# Completed before the io_uring_enter that submitted it returned.
		uring write 4096 " sub=1" fd=3 offset=0 count=4096 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1
		op 1 1 io_uring_enter 2 fd=4 to_submit=2 min_complete=0 flags= sub=2
		op 1 1 io_uring_enter 0 fd=4 to_submit=0 min_complete=2 flags=IORING_ENTER_GETEVENTS
		uring readv 4000 " sub=2" fd=3 offset=96 count=4000 iovcnt=3 sqe_flags=
		uring writev 100 " sub=2" fd=3 offset=4096 count=100 iovcnt=2 sqe_flags=
		op 1 1 close 0 fd=4
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	replay_strace openat2,close,io_uring_enter,write,pwrite64,writev,pwritev,pwritev2,read,pread64,readv,preadv,preadv2
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 4196
	assert_equal "$(res 3 5) $(res 3 6) $(res_key 3 cret) $(res_key 3 cdur)" "uring:write 4096 4096 1000"
	assert_equal "$(res 4 6) $(res 5 6) $(res 6 6)" "1 2 0"
	assert_equal "$(res 7 5) $(res 7 6) $(res 8 5) $(res 8 6)" "uring:readv 4000 uring:writev 100"
	# DUR is the replay's own, submission to completion.
	[ "$(res 7 7)" -gt 0 ]
	[ "$(res 7 7)" != 1000 ]
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	# Through the ring: enters that submit 1, then 2, and no plain read
	# or write on the file's descriptor while it is open.
	assert_equal "$(straced | awk -F', ' '/^io_uring_enter\(/ && $2 > 0 { printf "%s ", $2 }')" "1 2 "
	straced > "$D/calls"
	run awk '/^openat2\([0-9]+, "f",/ { fd = $NF; next }
		fd != "" && $0 ~ "^close\\(" fd "\\)" { exit }
		fd != "" && $0 ~ "^p?(read|write)(v2?|64)?\\(" fd ", " { print }
		END { if (fd == "") print "no open of /f" }' "$D/calls"
	assert_output ""
}

@test "16 requests of one sub are submitted by one io_uring_enter with to_submit=16" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=16 flags= sq=16 cq=32
		for i in $(seq 0 15); do
			uring write 512 " sub=7" fd=3 offset=$((i * 512)) count=512 sqe_flags=
		done
		op 1 1 io_uring_enter 16 fd=4 to_submit=16 min_complete=16 flags=IORING_ENTER_GETEVENTS sub=7
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/q.replay"
	# (LeakSanitizer cannot run under strace.)
	run env "$(no_leak_check)" timeout 20 strace -f -qq -e trace=io_uring_enter -o "$D/strace" \
		ior-replay -C "$R" "$D/q.replay"
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 8192
	assert_equal "$(grep -c 'io_uring_enter(' "$D/strace")" 1
	grep -q 'io_uring_enter([0-9]*, 16, 16, IORING_ENTER_GETEVENTS' "$D/strace"
	assert_equal "$(res 19 6)" 16
	assert_equal "$(printf '%s\n' "$output" | grep -c '^[^#].* uring:write 512 ')" 16
}

@test "a thread waiting on a ring for completions lets another thread submit on it meanwhile" {
	# InnoDB's shape: one thread reaps the ring, waiting in the kernel
	# for a completion (min_complete=1), while another submits writes,
	# one io_uring_enter each. Here the request in flight as the wait
	# begins is a read of a FIFO, which completes only when the
	# submitter, after its next submission, writes to the FIFO: a
	# replay that held the submitter back until the wait ended would
	# stand still until the wait gave up.
	mkfifo "$R/fifo"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 openat 5 dirfd=AT_FDCWD path=/fifo flags=O_RDWR
		op 1 1 io_uring_setup 4 entries=8 flags= sq=8 cq=16
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		uring read 5 " sub=1" fd=5 offset=-1 count=5 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=0 flags= sub=1
		# The wait begins once the read is in flight.
		op 1 2 stat 0 path=/f after=$SEQ
		op 1 2 io_uring_enter 0 fd=4 to_submit=0 min_complete=1 flags=IORING_ENTER_GETEVENTS
		wait=$SEQ
		op 1 2 sched:exit 0 code=0 group=0
		# The submitter goes on once the other thread has begun, and is
		# busy for a while, so that the wait has begun.
		op 1 1 stat 0 path=/f after=$((wait - 1))
		for i in $(seq 300); do op 1 1 stat 0 path=/f; done
		uring write 4096 " sub=2" fd=3 offset=0 count=4096 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=0 flags= sub=2
		enter=$SEQ
		op 1 1 write 5 fd=5 count=5
		op 1 1 io_uring_enter 0 fd=4 to_submit=0 min_complete=1 flags=IORING_ENTER_GETEVENTS
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 4096
	assert_equal "$(res $enter 6) $(res $((enter - 1)) 6) $(res $((enter + 1)) 6)" "1 4096 5"
	assert_equal "$(res 5 6)" 5
	assert_equal "$(stat_of skipped)" 0
	# The write was submitted while the wait went on, which ended
	# with a completion, long before it would have given up.
	local wend estart
	wend=$(res $wait 1 | awk -v d="$(res $wait 7)" '{ printf "%d", $1 * 1e9 + d }')
	estart=$(res $enter 1 | awk '{ printf "%d", $1 * 1e9 }')
	[ "$estart" -lt "$wend" ]
	[ "$(res $wait 7)" -lt 4000000000 ]
}

@test "a thread with none of its own requests in flight is not held back by another thread's on a shared ring" {
	# Threads that share a ring (InnoDB's) each wait for their own
	# completions, never for another's. Thread 1's write went in alone
	# (a depth of 1), before thread 2 began its read of a FIFO, which
	# ended when thread 1 wrote to the FIFO. Replayed as fast as
	# possible, thread 2's read is in flight before thread 1, busy
	# first, submits: holding thread 1 to the depth of 1 it had would
	# wait for a read that only thread 1 can end.
	mkfifo "$R/fifo"
	{
		stream replay
		op_at 0.1 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op_at 0.1 1 1 openat 5 dirfd=AT_FDCWD path=/fifo flags=O_RDWR
		op_at 0.1 1 1 io_uring_setup 4 entries=8 flags= sq=8 cq=16
		op_at 0.1 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		for i in $(seq 300); do op_at 0.2 1 1 stat 0 path=/f; done
		op_at 1.0 1 1 uring:write 4096 ring=4 fd=3 offset=0 count=4096 sqe_flags= user_data=0x1 exec=inline sub=1
		op_at 1.0 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=0 flags= sub=1
		enter=$SEQ
		op_at 1.5 1 2 uring:read 5 ring=4 fd=5 offset=-1 count=5 sqe_flags= user_data=0x2 exec=inline sub=2
		read=$SEQ
		op_at 1.5 1 2 io_uring_enter 1 fd=4 to_submit=1 min_complete=0 flags= sub=2
		op_at 2.0 1 1 write 5 fd=5 count=5
		op_at 2.0 1 2 io_uring_enter 0 fd=4 to_submit=0 min_complete=1 flags=IORING_ENTER_GETEVENTS
		op_at 2.1 1 2 sched:exit 0 code=0 group=0
		op_at 3.0 1 1 uring:write 4096 ring=4 fd=3 offset=4096 count=4096 sqe_flags= user_data=0x3 exec=inline sub=3
		op_at 3.0 1 1 uring:write 4096 ring=4 fd=3 offset=8192 count=4096 sqe_flags= user_data=0x4 exec=inline sub=3
		op_at 3.0 1 1 io_uring_enter 2 fd=4 to_submit=2 min_complete=2 flags=IORING_ENTER_GETEVENTS sub=3
	} > "$D/times.replay"
	awk -v r="seq=$read" '$8 == r { $7 = 500000000 }
		$5 == "uring:write" && $11 ~ /^offset=[48]/ { $7 = 1000000 } { print }' \
		"$D/times.replay" > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 12288
	assert_equal "$(res $read 6) $(res $enter 6) $(stat_of skipped)" "5 1 0"
	# Thread 1 wrote to the FIFO without waiting for the read to end.
	[ "$(res $read 7)" -lt 4000000000 ]
}

@test "the replay keeps a ring's captured queue depth: one write at a time when the capture had one in flight" {
	# The replay's own times could be wrong: the kernel's are taken from
	# a trace of the replay.
	need_bpf
	# 32 writes of 256 KiB, each entered alone, forced to io-wq workers,
	# which would queue them; the capture had each done (DUR 0.1ms)
	# before the next (1ms later) was submitted: a depth of 1.
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=64 flags= sq=64 cq=128
		for i in $(seq 1 32); do
			uring write 262144 " sub=$i" fd=3 offset=$(((i - 1) * 262144)) count=262144 sqe_flags=IOSQE_ASYNC
			op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=0 flags= sub=$i
		done
	} | awk '$5 == "uring:write" { n++; $1 = sprintf("0.%03d000000", n); $7 = 100000 } { print }' > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/q.replay"
	timeout 60 ior-trace -o "$D/cap.ior" -- ior-replay -C "$R" "$D/q.replay" > "$D/result"
	assert_equal "$(stat -c %s "$R/f")" $((32 * 262144))
	output=$(cat "$D/result")
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	# As the kernel saw them: each write submitted after the last ended.
	assert_equal "$(grep -c ' uring:write 262144 ' "$D/cap.ior")" 32
	awk '$5 == "uring:write"' "$D/cap.ior" | LC_ALL=C sort -n > "$D/writes"
	run awk '{
		split($1, t, "."); start = t[1] * 1000000000 + t[2]
		if (NR > 1 && start < end) print "overlap: " $0
		end = start + $7 }' "$D/writes"
	assert_success
	assert_output ""
	run ior-stats -t -r depth -i 1 "$D/cap.ior"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | sed -n 2p | cut -f2,4)" "$(printf '32\t1')"
	# And as the replay wrote them.
	run ior-stats -t -r depth -i 1 "$D/result"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | sed -n 2p | cut -f2,4)" "$(printf '32\t1')"
}

@test "linked requests keep IOSQE_IO_LINK: a failing head cancels the next one, as captured" {
	echo data > "$R/f"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDONLY
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		uring write -9 " sub=1" fd=3 offset=0 count=10 sqe_flags=IOSQE_IO_LINK err=EBADF
		uring read -125 " sub=1" fd=3 offset=0 count=10 sqe_flags= err=ECANCELED
		op 1 1 io_uring_enter 2 fd=4 to_submit=2 min_complete=2 flags=IORING_ENTER_GETEVENTS sub=1
		uring read 5 " sub=2" fd=3 offset=0 count=5 sqe_flags=IOSQE_IO_LINK
		uring fsync 0 " sub=2" fd=3 sqe_flags=
		op 1 1 io_uring_enter 2 fd=4 to_submit=2 min_complete=2 flags=IORING_ENTER_GETEVENTS sub=2
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 3 6) $(res 4 6)" "-9 -125"
	assert_equal "$(res 6 6) $(res 7 6)" "5 0"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "registered files serve fixed requests after their descriptor is closed; an update empties a slot" {
	head -c 100 /dev/zero > "$R/f"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDONLY
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_FILES nr=2 fds=-1,3
		op 1 1 close 0 fd=3
		uring read 100 " sub=1" fixed=1 offset=0 count=4096 sqe_flags=IOSQE_FIXED_FILE
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1
		op 1 1 io_uring_register 1 fd=4 opcode=IORING_REGISTER_FILES_UPDATE nr=1 offset=1 fds=-1
		uring read -9 " sub=2" fixed=1 offset=0 count=4096 sqe_flags=IOSQE_FIXED_FILE err=EBADF
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=2
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_UNREGISTER_FILES nr=0
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res_key 3 vfds)" "-1,1"
	assert_equal "$(res 3 6) $(res 5 6) $(res 7 6) $(res 8 6) $(res 10 6)" "0 100 1 -9 0"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "a files update's -2 leaves its slot as it was: a fixed read through it still reads the file" {
	head -c 100 /dev/zero > "$R/f"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDONLY
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_FILES nr=2 fds=3,-1
		op 1 1 close 0 fd=3
		op 1 1 io_uring_register 2 fd=4 opcode=IORING_REGISTER_FILES_UPDATE nr=2 offset=0 fds=-2,-1
		uring read 100 " sub=1" fixed=0 offset=0 count=4096 sqe_flags=IOSQE_FIXED_FILE
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 5 6) $(res 6 6)" "2 100"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "registered buffers of the captured sizes serve write_fixed and read_fixed" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_BUFFERS nr=2 lens=4096,8192
		uring write_fixed 8192 " sub=1" fd=3 offset=0 count=8192 buf=1 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1
		uring read_fixed 4096 " sub=2" fd=3 offset=4096 count=4096 buf=0 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=2
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_UNREGISTER_BUFFERS nr=0
		uring read_fixed -14 " sub=3" fd=3 offset=0 count=4096 buf=0 sqe_flags= err=EFAULT
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=3
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 8192
	# What write_fixed wrote is the replay's data, not zeros.
	[ "$(tr -d '\0' < "$R/f" | wc -c)" -gt 4096 ]
	assert_equal "$(res 4 6) $(res 6 6) $(res 8 6) $(res 9 6)" "8192 4096 0 -14"
}

@test "openat and close through the ring keep the descriptor table; a direct open fills its slot" {
	mkdir "$R/d"
	{
		stream replay
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		uring openat 5 " sub=1" dirfd=AT_FDCWD path=/d/g flags=O_RDWR\|O_CREAT mode=0600 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1
		uring write 10 " sub=2" fd=5 offset=0 count=10 sqe_flags=IOSQE_IO_LINK
		uring close 0 " sub=2" fd=5 sqe_flags=
		op 1 1 io_uring_enter 2 fd=4 to_submit=2 min_complete=2 flags=IORING_ENTER_GETEVENTS sub=2
		# The number is free again: a plain open takes it.
		op 1 1 openat 5 dirfd=AT_FDCWD path=/d/h flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 write 3 fd=5 count=3
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_FILES nr=2 fds=-1,-1
		uring openat 0 " sub=3" dirfd=AT_FDCWD path=/d/slot flags=O_WRONLY\|O_CREAT mode=0644 slot=1 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=3
		uring write 7 " sub=4" fixed=1 offset=0 count=7 sqe_flags=IOSQE_FIXED_FILE\|IOSQE_IO_LINK
		uring close 0 " sub=4" fixed=1 sqe_flags=
		op 1 1 io_uring_enter 2 fd=4 to_submit=2 min_complete=2 flags=IORING_ENTER_GETEVENTS sub=4
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c '%s %a' "$R/d/g")" "10 600"
	assert_equal "$(stat -c %s "$R/d/h")" 3
	assert_equal "$(stat -c %s "$R/d/slot")" 7
	assert_equal "$(res 4 6) $(res 5 6) $(res 8 6) $(res 10 6) $(res 12 6) $(res 13 6)" "10 0 3 0 7 0"
	[ "$(res 2 6)" -ge 0 ]
	[ "$(res 7 6)" -ge 0 ]
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "statx through the ring stats the file beneath the root; paths that climb out stay inside" {
	echo data > "$R/f"
	ln -s / "$R/top"
	ln -s "$D" "$R/out"
	{
		stream replay
		op 1 1 io_uring_setup 4 entries=8 flags= sq=8 cq=16
		uring statx 0 " sub=1" dirfd=AT_FDCWD path=/f flags= mask=STATX_SIZE sqe_flags=
		uring statx -2 " sub=1" dirfd=AT_FDCWD path=/missing flags= mask=STATX_SIZE sqe_flags= err=ENOENT
		uring statx 0 " sub=1" dirfd=AT_FDCWD path=/top/etc/passwd flags= mask=STATX_SIZE sqe_flags=
		uring statx 0 " sub=1" dirfd=AT_FDCWD path=/top flags=AT_SYMLINK_NOFOLLOW mask=STATX_SIZE sqe_flags=
		op 1 1 io_uring_enter 4 fd=4 to_submit=4 min_complete=4 flags=IORING_ENTER_GETEVENTS sub=1
		uring openat 5 " sub=2" dirfd=AT_FDCWD path=/../escaped flags=O_WRONLY\|O_CREAT mode=0644 sqe_flags=
		uring openat 6 " sub=2" dirfd=AT_FDCWD path=/out/escaped2 flags=O_WRONLY\|O_CREAT mode=0644 sqe_flags=
		uring openat 7 " sub=2" dirfd=AT_FDCWD path=/top/etc/passwd flags=O_RDONLY sqe_flags=
		op 1 1 io_uring_enter 3 fd=4 to_submit=3 min_complete=3 flags=IORING_ENTER_GETEVENTS sub=2
	} > "$D/p.replay"
	replay
	diverged "0 skipped, 3 mismatched, 3 errors not captured"
	assert_equal "$(res 2 6) $(res 3 6)" "0 -2"
	# /top is / of the root: no /etc/passwd there.
	assert_equal "$(res 4 6) $(res 5 6)" "-2 0"
	[ -e "$R/escaped" ]
	[ ! -e "$D/escaped" ]
	[ ! -e "$D/escaped2" ]
	assert_equal "$(res 8 6) $(res 9 6)" "-2 -2"
}

@test "an SQPOLL ring is set up as captured; its requests without sub are submitted one by one" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=4 flags=IORING_SETUP_SQPOLL sq=4 cq=8
		uring write 100 - fd=3 offset=0 count=100 sqe_flags=
		uring write 100 - fd=3 offset=100 count=100 sqe_flags=
		uring fsync 0 - fd=3 datasync=1 sqe_flags=
		uring read 200 - fd=3 offset=0 count=4096 sqe_flags=
		op 1 1 close 0 fd=4
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/q.replay"
	run env "$(no_leak_check)" timeout 20 strace -f -qq -e trace=io_uring_setup -o "$D/strace" \
		ior-replay -C "$R" "$D/q.replay"
	assert_success
	grep -q 'IORING_SETUP_SQPOLL' "$D/strace"
	assert_equal "$(stat -c %s "$R/f")" 200
	assert_equal "$(res 3 6) $(res 4 6) $(res 5 6) $(res 6 6)" "100 100 0 200"
	assert_equal "$(stat_of uring_flags_dropped)" 0
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

# The SQPOLL thread took the four writes from the ring in one pass
# (batch=1): they are submitted together at the place of the first, all
# made before any completes, not one by one.
@test "an SQPOLL thread's batch is submitted whole at its first request's place" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=8 flags=IORING_SETUP_SQPOLL sq=8 cq=16
		uring write 100 " batch=1" fd=3 offset=0 count=100 sqe_flags=
		uring write 100 " batch=1" fd=3 offset=100 count=100 sqe_flags=
		uring write 100 " batch=1" fd=3 offset=200 count=100 sqe_flags=
		uring write 100 " batch=1" fd=3 offset=300 count=100 sqe_flags=
		uring write 100 " batch=2" fd=3 offset=400 count=100 sqe_flags=
		op 1 1 close 0 fd=4
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 500
	assert_equal "$(res 3 6) $(res 4 6) $(res 5 6) $(res 6 6) $(res 7 6)" "100 100 100 100 100"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	# every write was made (TIME) before the first one completed (TIME + DUR)
	run awk '!/^#/ && $5 == "uring:write" && / batch=1 / { s = $1 * 1e9; e = s + $7
		if (s > last) last = s; if (!first || e < first) first = e }
		END { print (last <= first ? "together" : "one by one") }' <<< "$output"
	assert_output together
}

# No count says how many requests an SQPOLL batch has, as an
# io_uring_enter's RET does: one that comes more than 8191 ops after its
# batch's first leads a batch of its own, streamed or held whole, so
# that the loader keeps the batches of the last 8191 ops, not all of a
# program's. Op 2 leads batch 1 and op 3 batch 2; 8189 stats later, op
# 8193 joins batch 1 and op 8194 batch 2 (8191 ops after their first),
# and op 8195, 8193 ops after, leads batch 1 again.
@test "a request of an SQPOLL batch that comes more than 8191 ops after the batch's first leads a batch of its own" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=8 flags=IORING_SETUP_SQPOLL sq=8 cq=16
		uring write 100 " batch=1" fd=3 offset=0 count=100 sqe_flags=
		uring write 100 " batch=2" fd=3 offset=100 count=100 sqe_flags=
		awk -v s="$SEQ" 'BEGIN { for (i = 1; i <= 8189; i++)
			printf "0.000001000 1 1 app newfstatat 0 1000 seq=%d dirfd=AT_FDCWD path=/f flags=\n", s + i }'
		SEQ=$((SEQ + 8189))
		uring write 100 " batch=1" fd=3 offset=200 count=100 sqe_flags=
		uring write 100 " batch=2" fd=3 offset=300 count=100 sqe_flags=
		uring write 100 " batch=1" fd=3 offset=400 count=100 sqe_flags=
		op 1 1 close 0 fd=4
	} > "$D/p.replay"
	IOR_REPLAY_TIES=$D/streamed replay
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 500
	assert_equal "$(res 3 6) $(res 4 6) $(res 8194 6) $(res 8195 6) $(res 8196 6)" "100 100 100 100 100"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	# each request: op, batch (the next of its batch), target (its lead),
	# alone (1: a lead); op 1 is the io_uring_setup
	assert_equal "$(awk '$2 == "req" && $1 > 1 { print $1, $3, $4, $6 }' "$D/streamed")" \
		"$(printf '%s\n' '2 8193 -1 1' '3 8194 -1 1' '8193 -1 2 0' '8194 -1 3 0' '8195 -1 -1 1')"
	rm -rf "$R"
	mkdir "$R"
	IOR_REPLAY_HOLD=1 IOR_REPLAY_TIES=$D/held replay -v
	assert_line --regexp 'held whole: [0-9]+ ops$'
	diff -u "$D/held" "$D/streamed"
}

# The loader ties a request to its call within LINK_REACH = 4194303 ops
# (16777216 / 4 - 1: the most a window can tie) of the first record of
# its sub, and lets the link go past that, so that requests whose call
# never comes, or calls whose requests never do, cost it no memory past
# that many ops. Op 2 is a request whose io_uring_enter (op 4194309)
# comes 4194307 ops after it; ops 3 and 5 are io_uring_enters whose
# requests (ops 4194307 and 4194308) come 4194304 and 4194303 ops after
# them. Checked without a run (-n): the ties as loaded.
@test "a request more than 4194303 ops from the first record of its sub, before or after its io_uring_enter, is an orphan" {
	awk -v reach=4194303 '
	function op(s) { n++; printf "0.000001000 1 1 app %s\n", s }
	function lseek() { op(sprintf("lseek 0 100 seq=%d fd=3 offset=0 whence=SEEK_SET vfd=1", n + 1)) }
	function enter(k) { op(sprintf("io_uring_enter 1 100 seq=%d fd=4 to_submit=1 min_complete=0 flags= sub=%d vfd=2", n + 1, k)) }
	function req(k) { op(sprintf("uring:read 1 100 seq=%d ring=4 fd=3 offset=0 count=1 sqe_flags= exec=inline sub=%d vfd=1", n + 1, k)) }
	BEGIN {
		print "#ior 1 replay"
		op("openat 3 100 seq=1 dirfd=AT_FDCWD path=/f flags=O_RDONLY mode=0 vfd=1")
		op("io_uring_setup 4 100 seq=2 entries=8 flags= sq=8 cq=16 vfd=2")
		req(3)
		enter(1)
		lseek()
		enter(2)
		while (n < 3 + reach + 1)
			lseek()
		req(1)
		req(2)
		enter(3)
	}' > "$D/p.replay"
	IOR_REPLAY_TIES=$D/streamed run ior-replay -n -v -C "$R" "$D/p.replay"
	assert_success
	assert_line --partial 'a window of'
	# each: op, batch (an enter's first request), target (a request's
	# enter), alone (2: an orphan); op 1 is the io_uring_setup
	assert_equal "$(awk '$1 > 1 { print $1, $2, $3, $4, $6 }' "$D/streamed")" \
		"$(printf '%s\n' '2 req -1 -1 2' '3 enter -1 -1 0' '5 enter 4194308 -1 0' \
			'4194307 req -1 -1 2' '4194308 req -1 5 0' '4194309 enter -1 -1 0')"
	IOR_REPLAY_HOLD=1 IOR_REPLAY_TIES=$D/held run ior-replay -n -v -C "$R" "$D/p.replay"
	assert_success
	assert_line --regexp 'held whole: [0-9]+ ops$'
	diff -u "$D/held" "$D/streamed"
}

# A ring and a context set up before capture: the ring's ior:fd sets up
# a ring with its registered file table and buffers, ior:fixed fills a
# slot with its file opened beneath the root, ior:aio makes a context.
@test "a ring's ior:fd, its ior:fixed and an ior:aio set up a ring, a registered file, buffers and a context" {
	touch "$R/f" "$R/g"
	{
		stream replay
		op 1 1 ior:fd 0 fd=3 path=/f flags=O_RDWR offset=0
		op 1 1 ior:fd 0 fd=4 path=anon_inode:[io_uring] flags=O_RDWR\|O_CLOEXEC offset=0 entries=8 cq=16 setup=0 files=2 lens=4096,0
		op 1 1 ior:fixed 0 ring=4 fixed=1 path=/g flags=O_RDWR
		op 1 1 ior:aio 0 ctx=0x7f0000 nr=62
		uring write_fixed 4096 " sub=1" fixed=1 offset=0 count=4096 buf=0 sqe_flags=IOSQE_FIXED_FILE
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1
		uring write 100 " sub=2" fd=3 offset=0 count=100 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=2
		op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=3
		op 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=1
		op 1 1 aio:pwrite 10 fd=3 offset=100 count=10 ctx=0x7f0000 sub=3 iocb=0x1000
		op 1 1 close 0 fd=4
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/g") $(stat -c %s "$R/f")" "4096 110"
	[ "$(res 2 6)" -ge 0 ]
	assert_equal "$(res 3 6) $(res 4 6) $(res 5 6) $(res 7 6) $(res 11 6)" "0 0 4096 100 10"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "an SQPOLL ring's io_uring_enter is issued with its to_submit, and returns it as captured" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=4 flags=IORING_SETUP_SQPOLL sq=4 cq=8
		uring write 100 - fd=3 offset=0 count=100 sqe_flags=
		uring write 100 - fd=3 offset=100 count=100 sqe_flags=
		# On an SQPOLL ring the kernel returns to_submit.
		op 1 1 io_uring_enter 2 fd=4 to_submit=2 min_complete=0 flags=IORING_ENTER_SQ_WAKEUP
		op 1 1 io_uring_enter 0 fd=4 to_submit=0 min_complete=2 flags=IORING_ENTER_GETEVENTS
		op 1 1 close 0 fd=4
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/q.replay"
	run env "$(no_leak_check)" timeout 20 strace -f -qq -e trace=io_uring_enter -o "$D/strace" \
		ior-replay -C "$R" "$D/q.replay"
	assert_success
	cat "$D/strace"
	grep -Eq 'io_uring_enter\([0-9]+, 2, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0\) += 2$' "$D/strace"
	assert_equal "$(stat -c %s "$R/f")" 200
	assert_equal "$(res 3 6) $(res 4 6) $(res 5 6) $(res 6 6)" "100 100 2 0"
	assert_equal "$(stat_of uring_flags_dropped) $(stat_of mismatched) $(stat_of skipped)" "0 0 0"
}

@test "setup flags the replay cannot honour are dropped and counted; a failed setup fails again" {
	{
		stream replay
		op 1 1 io_uring_setup 3 entries=4 flags=IORING_SETUP_ATTACH_WQ\|IORING_SETUP_CLAMP sq=4 cq=8
		op 1 1 io_uring_setup -22 entries=0 flags= err=EINVAL
		op 1 1 io_uring_setup -22 entries=4 flags=0x80000000 err=EINVAL
	} > "$D/p.replay"
	replay
	assert_success
	[ "$(res 1 6)" -ge 0 ]
	assert_equal "$(res 2 6) $(res 3 6)" "-22 -22"
	assert_equal "$(stat_of uring_flags_dropped) $(stat_of mismatched)" "1 0"
}

@test "io_uring calls and requests on a ring never set up are skipped with nofd; unsupported ones are skipped" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		uring write 10 " sub=1" fd=3 offset=0 count=10 sqe_flags=
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_PROBE nr=64
		uring write 10 - fd=3 offset=0 count=10 sqe_flags=
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_PROBE nr=64
		op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_EVENTFD nr=1
		op 1 1 io_uring_register -22 fd=4 opcode=0x63 nr=0 err=EINVAL
		uring poll_add 1 " sub=2" fd=3 sqe_flags=
		uring write 10 " sub=2" fd=9 offset=0 count=10 sqe_flags=
		uring read 0 " sub=2" fd=3 offset=0 count=10 sqe_flags=IOSQE_BUFFER_SELECT
		op 1 1 io_uring_enter 3 fd=4 to_submit=3 min_complete=0 flags= sub=2
	} > "$D/p.replay"
	replay
	diverged "8 skipped (5 nofd, 3 unsupported), 1 mismatched, 0 errors not captured"
	assert_equal "$(res_key 2 skip) $(res_key 3 skip) $(res_key 4 skip) $(res_key 5 skip)" "nofd nofd nofd nofd"
	assert_equal "$(res 7 6) $(res_key 8 skip) $(res 9 6)" "0 unsupported -22"
	assert_equal "$(res 10 5) $(res_key 10 skip)" "uring:poll_add unsupported"
	assert_equal "$(res_key 11 skip) $(res_key 12 skip)" "nofd unsupported"
	assert_equal "$(stat -c %s "$R/f")" 0
}

@test "io_uring_enter and io_uring_register on a descriptor that is no ring fail as captured, and so do unknown enter flags" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		op 1 1 io_uring_enter -95 fd=3 to_submit=0 min_complete=0 flags= err=EOPNOTSUPP
		op 1 1 io_uring_register -95 fd=3 opcode=IORING_REGISTER_PROBE nr=0 err=EOPNOTSUPP
		op 1 1 io_uring_enter -22 fd=4 to_submit=0 min_complete=0 flags=0x80000000 err=EINVAL
		op 1 1 io_uring_enter 0 fd=4 to_submit=0 min_complete=0 flags=IORING_ENTER_GETEVENTS
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 3 6) $(res 4 6) $(res 5 6) $(res 6 6)" "-95 -95 -22 0"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "a statx whose path is missing is submitted in its batch all the same, failing as captured and breaking its link" {
	echo data > "$R/f"
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR
		op 1 1 io_uring_setup 4 entries=8 flags= sq=8 cq=16
		uring statx 0 " sub=1" dirfd=AT_FDCWD path=/f flags= mask=STATX_SIZE sqe_flags=
		uring statx -2 " sub=1" dirfd=AT_FDCWD path=/missing flags=AT_SYMLINK_NOFOLLOW mask=STATX_SIZE sqe_flags=IOSQE_IO_LINK err=ENOENT
		uring write -125 " sub=1" fd=3 offset=0 count=100 sqe_flags= err=ECANCELED
		op 1 1 io_uring_enter 3 fd=4 to_submit=3 min_complete=3 flags=IORING_ENTER_GETEVENTS sub=1
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/q.replay"
	run env "$(no_leak_check)" timeout 20 strace -f -qq -e trace=io_uring_enter -o "$D/strace" \
		ior-replay -C "$R" "$D/q.replay"
	assert_success
	assert_equal "$(grep -c 'io_uring_enter(' "$D/strace")" 1
	grep -q 'io_uring_enter([0-9]*, 3, 3, IORING_ENTER_GETEVENTS' "$D/strace"
	assert_equal "$(res 3 6) $(res 4 6) $(res 5 6) $(res 6 6)" "0 -2 -125 3"
	assert_equal "$(stat -c %s "$R/f")" 5
}

@test "requests still in flight when their ring closes are reaped first" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		op 1 1 io_uring_enter 2 fd=4 to_submit=2 min_complete=0 flags= sub=1
		op 1 1 close 0 fd=4
		uring write 4096 " sub=1" fd=3 offset=0 count=4096 sqe_flags=
		uring fsync 0 " sub=1" fd=3 sqe_flags= inflight=1
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 4096
	assert_equal "$(res 5 6) $(res 6 6)" "4096 0"
	assert_equal "$(res_key 6 cinflight) $(res_key 6 inflight)" "1 "
	# Results stay in program order.
	assert_equal "$(printf '%s\n' "$output" | awk '!/^#/ { printf "%s ", $5 }')" \
		"openat io_uring_setup io_uring_enter close uring:write uring:fsync "
}

@test "a ring whose descriptor was duplicated lives on through the copy after the first is closed" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=4 flags= sq=4 cq=8
		op 1 1 dup 5 fd=4
		op 1 1 close 0 fd=4
		uring write 10 " sub=1" fd=3 offset=0 count=10 sqe_flags=
		op 1 1 io_uring_enter 1 fd=5 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=1
		op 1 1 close 0 fd=5
		op 1 1 io_uring_enter 0 fd=5 to_submit=0 min_complete=0 flags=
	} > "$D/p.replay"
	replay
	diverged "1 skipped (1 nofd), 0 mismatched, 0 errors not captured"
	assert_equal "$(res 5 6) $(res 6 6)" "10 1"
	assert_equal "$(res_key 8 skip)" nofd
	assert_equal "$(stat -c %s "$R/f")" 10
}

@test "an io_uring request naming no io_uring_enter of its thread is skipped as an orphan" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=8 flags= sq=8 cq=16
		uring write 10 " sub=9" fd=3 offset=0 count=10 sqe_flags=
		op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=1
		uring write 10 " sub=1" fd=3 offset=0 count=10 sqe_flags=
		uring write 10 " sub=2" fd=3 offset=0 count=10 sqe_flags=
		op 1 2 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=2
		op 1 1 io_uring_enter 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=3
		uring write 10 " sub=3" fd=3 offset=0 count=10 sqe_flags=
		op 1 1 close 0 fd=4
	} > "$D/p.replay"
	replay
	# thread 2's enter may come before the ring or after its requests
	diverged_re '[0-9]+ skipped \(([0-9]+ nofd, )?3 orphan\), [0-9]+ mismatched, 0 errors not captured'
	assert_equal "$(res_key 3 skip) $(res_key 5 skip) $(res_key 6 skip)" "orphan orphan orphan"
	assert_equal "$(res_key 9 skip) $(res 9 6)" " 10"
	assert_equal "$(res_key 8 skip) $(res 8 6)" " 1"
}

@test "an unknown io_uring operation or a bad list is refused" {
	for line in "uring:bogus 0 ring=4 fd=3 sqe_flags=|p.replay:2: CALL: \"uring:bogus\" cannot be replayed" \
		"uring:write 10 ring=4 fd=3 offset=0 count=10 sqe_flags=IOSQE_NOPE|p.replay:2: sqe_flags: bad flags" \
		"io_uring_register 0 fd=4 opcode=IORING_REGISTER_FILES nr=2 fds=3,x|p.replay:2: fds: not a number" \
		"io_uring_enter 1 fd=4 to_submit=x min_complete=0 flags=|p.replay:2: to_submit: not a number"; do
		{
			stream replay
			op 1 1 ${line%%|*}
		} > "$D/p.replay"
		replay
		refused "${line#*|}"
	done
}

# ---- timed mode ----

# Three operations of one thread, 200 ms apart in the capture.
spaced_program() {
	{
		stream replay
		op_at 10.0 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op_at 10.2 1 1 pwrite64 1 fd=3 count=1 offset=0
		op_at 10.4 1 1 close 0 fd=3
	} > "$D/p.replay"
}

# Milliseconds since the epoch.
ms() {
	echo $(($(date +%s%N) / 1000000))
}

# The lateness, in ns, of operation SEQ due at DUE seconds: its result
# TIME less DUE.
late_from_time() {
	res "$1" 1 | awk -v d="$2" '{ printf "%.0f\n", ($1 - d) * 1e9 }'
}

@test "timed mode issues each operation at its captured time after the first" {
	spaced_program
	local t0
	t0=$(ms)
	replay -T
	assert_success
	[ $(($(ms) - t0)) -ge 400 ]
	# Never early; late by far less than the spacing, even on a busy machine.
	for k in 1 2 3; do
		awk -v t="$(res $k 1)" -v d="0.$((2 * (k - 1)))" \
			'BEGIN { exit !(t >= d && t < d + 0.15) }'
	done
	assert_equal "$(res 2 6)" 1
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "each timed result carries late=, the ns from its deadline to its start" {
	spaced_program
	replay --timed
	assert_success
	for k in 1 2 3; do
		assert_equal "$(res_key $k late)" "$(late_from_time $k "0.$((2 * (k - 1)))")"
		[ "$(res_key $k late)" -ge 0 ]
	done
	assert_line --regexp "^#meta ior-replay host=[^ ]+ root=.* start=[0-9.]+ cache=cold speed=1$"
}

@test "timed, the first operation is on time however long the window takes to fill" {
	# 200,000 operations in one window: loading them took 0.3 s here
	# (more on the sanitizer build), which every operation was late by
	# when TIME 0 was set before the window was filled; filled first,
	# the first is late by its thread's start only
	{
		stream replay
		awk 'BEGIN { for (k = 1; k <= 200000; k++)
			printf "0.000001000 1 1 app access 0 1000 seq=%d path=/ amode=F_OK\n", k }'
	} > "$D/p.replay"
	local late
	IOR_REPLAY_WINDOW=1048576 timeout 60 ior-replay -T -C "$R" "$D/p.replay" > "$D/out"
	late=$(awk '!/^#/ { for (i = 8; i <= NF; i++) if ($i ~ /^late=/) print substr($i, 6); exit }' "$D/out")
	echo "# the first operation: late=$late ns"
	[ "$late" -lt 150000000 ]
}

@test "the timed trailer reports the p50, p99 and maximum lateness" {
	spaced_program
	replay -T
	assert_success
	local lates
	lates=$(for k in 1 2 3; do res_key $k late; done | sort -n | tr '\n' ' ')
	# Nearest rank of 3 values: p50 the 2nd, p99 and max the 3rd.
	assert_equal "$(stat_of late_p50) $(stat_of late_p99) $(stat_of late_max) " \
		"$(awk '{ print $2, $3, $3 }' <<< "$lates") "
	assert_equal "$(stat_of ops)" 3
}

@test "--speed 2 replays twice as fast, 0.5 half as fast" {
	spaced_program
	local t0
	t0=$(ms)
	replay -s 2
	assert_success
	[ $(($(ms) - t0)) -ge 200 ]
	awk -v a="$(res 2 1)" -v b="$(res 3 1)" \
		'BEGIN { exit !(a >= 0.1 && a < 0.2 && b >= 0.2 && b < 0.35) }'
	assert_equal "$(res_key 3 late)" "$(late_from_time 3 0.2)"
	assert_line --regexp " speed=2$"
	t0=$(ms)
	replay --speed=0.5
	assert_success
	[ $(($(ms) - t0)) -ge 800 ]
	assert_equal "$(res_key 3 late)" "$(late_from_time 3 0.8)"
}

@test "after= may name more than two operations, and every one is waited for" {
	mkdir "$R/a"
	touch "$R/a/x" "$R/a/y" "$R/a/z"
	# Timed: the rmdir is due at once, the unlinks later, the second
	# named the last to end: a replay that waits for fewer than the
	# three finds the directory not empty.
	{
		stream replay
		op_at 0.2 1 2 unlink 0 path=/a/x
		op_at 0.4 1 3 unlink 0 path=/a/y
		op_at 0.1 1 4 unlink 0 path=/a/z
		op_at 0.0 1 1 rmdir 0 path=/a after=1,2,3
	} > "$D/p.replay"
	replay -T
	assert_success
	assert_equal "$(res 1 6) $(res 2 6) $(res 3 6) $(res 4 6)" "0 0 0 0"
	[ ! -e "$R/a" ]
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "an io_submit first waits for what the after= of its requests names" {
	# Timed: thread 2 opens the file at 0.3 s; thread 1's io_submit is
	# due at once, but its request's after= names the open.
	{
		stream replay
		op_at 0.0 1 1 io_setup 0 nr=8 ctx=0x7f0000
		op_at 0.3 1 2 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op_at 0.0 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=1
		op_at 0.0 1 1 aio:pwrite 100 fd=3 offset=0 count=100 ctx=0x7f0000 sub=1 iocb=0x1000 reap=1 after=2
		op_at 0.0 1 1 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=8 reap=1
		op_at 0.0 1 1 io_destroy 0 ctx=0x7f0000
	} > "$D/p.replay"
	replay -T
	assert_success
	assert_equal "$(res 3 6) $(res 4 6) $(res 5 6)" "1 100 1"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	assert_equal "$(stat -c %s "$R/f")" 100
}

@test "an AIO request that another thread reaps after its submitting thread ended is reaped, not left in flight" {
	# Timed: thread 1 submits at once and has nothing more to do; thread
	# 2 reaps at 0.3 s, what the capture's reap= says it reaped.
	{
		stream replay
		op_at 0.0 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op_at 0.0 1 1 io_setup 0 nr=8 ctx=0x7f0000
		op_at 0.0 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=1
		op_at 0.0 1 1 aio:pwrite 100 fd=3 offset=0 count=100 ctx=0x7f0000 sub=1 iocb=0x1000 reap=1
		op_at 0.3 1 2 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=8 reap=1 after=3
	} > "$D/p.replay"
	replay -T
	assert_success
	assert_equal "$(res 4 6) $(res 5 6)" "100 1"
	refute_output --partial "inflight=1"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	assert_equal "$(stat -c %s "$R/f")" 100
}

@test "a reap that comes before the io_submit of a request it reaped waits for that request" {
	# The capture's reap returned before the io_submit of one of its
	# requests did, so the program has it first. Timed: thread 2 reaps at
	# once, thread 1 submits at 0.3 s.
	{
		stream replay
		op_at 0.0 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op_at 0.0 1 1 io_setup 0 nr=8 ctx=0x7f0000
		op_at 0.0 1 2 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=8 reap=1 after=2
		op_at 0.3 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=1
		op_at 0.3 1 1 aio:pwrite 100 fd=3 offset=0 count=100 ctx=0x7f0000 sub=1 iocb=0x1000 reap=1
	} > "$D/p.replay"
	replay -T
	assert_success
	assert_equal "$(res 3 6) $(res 5 6)" "1 100"
	refute_output --partial "inflight=1"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
}

@test "an SQPOLL batch is submitted after what the after= of each of its requests names" {
	# Timed: thread 2 opens /g at 0.3 s; thread 1's SQPOLL batch is due
	# at once, but its second request's after= names the open.
	{
		stream replay
		op_at 0.0 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op_at 0.0 1 1 io_uring_setup 4 entries=8 flags=IORING_SETUP_SQPOLL sq=8 cq=16
		op_at 0.3 1 2 openat 5 dirfd=AT_FDCWD path=/g flags=O_RDWR\|O_CREAT mode=0644
		op_at 0.0 1 1 uring:write 100 ring=4 batch=1 fd=3 offset=0 count=100 sqe_flags= user_data=0x1 exec=sqpoll
		op_at 0.0 1 1 uring:write 100 ring=4 batch=1 fd=5 offset=0 count=100 sqe_flags= user_data=0x2 exec=sqpoll after=3
		op_at 0.4 1 1 close 0 fd=4
	} > "$D/p.replay"
	replay -T
	assert_success
	assert_equal "$(res 4 6) $(res 5 6)" "100 100"
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	assert_equal "$(stat -c %s "$R/f") $(stat -c %s "$R/g")" "100 100"
}

@test "an operation whose after= finishes late is issued at once and counted late" {
	{
		stream replay
		op_at 0.0 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op_at 0.0 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op_at 0.3 1 1 pwrite64 1 fd=3 count=1 offset=0
		# Captured at 0.1, but it must wait for the write due at 0.3.
		op_at 0.1 1 2 pread64 1 fd=3 count=1 offset=0 after=3
		op_at 0.1 1 2 sched:exit 0 code=0 group=0
	} > "$D/p.replay"
	replay -T
	assert_success
	assert_equal "$(res 4 6)" 1
	[ "$(res_key 4 late)" -ge 200000000 ]
	[ "$(res_key 4 late)" -lt 350000000 ]
	# Its thread's next operation, due with it, is at least as late.
	[ "$(res_key 5 late)" -ge "$(res_key 4 late)" ]
	assert_equal "$(stat_of late_max)" "$(res_key 5 late)"
}

@test "the requests of a timed io_submit are as late as the call" {
	{
		stream replay
		op_at 0.0 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op_at 0.0 1 1 io_setup 0 nr=16 ctx=0x7f0000
		op_at 0.1 1 1 io_submit 2 ctx=0x7f0000 nr=2 sub=1
		op_at 0.1 1 1 io_getevents 2 ctx=0x7f0000 min_nr=2 nr=16
		# Captured when they completed, after the call.
		op_at 0.15 1 1 aio:pwrite 4096 fd=3 offset=0 count=4096 ctx=0x7f0000 sub=1 iocb=0x1000
		op_at 0.15 1 1 aio:pwrite 4096 fd=3 offset=4096 count=4096 ctx=0x7f0000 sub=1 iocb=0x1040
		op_at 0.2 1 1 io_destroy 0 ctx=0x7f0000
		op_at 0.2 1 1 close 0 fd=3
	} > "$D/p.replay"
	replay -T
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 8192
	assert_equal "$(res_key 5 late)" "$(res_key 3 late)"
	assert_equal "$(res_key 6 late)" "$(res_key 3 late)"
	awk -v t="$(res 3 1)" 'BEGIN { exit !(t >= 0.1 && t < 0.25) }'
}

@test "bad --speed values are refused with usage" {
	stream replay > "$D/p.replay"
	for v in 0 -1 abc "" 2x inf nan 1e999; do
		run ior-replay -s "$v" -C "$R" "$D/p.replay"
		assert_failure 2
		assert_output --partial "bad speed"
		assert_output --partial "usage: ior-replay -C DIR [-nTv] [-s FACTOR]"
	done
}

@test "bad --watchdog values are refused with usage; 0 turns it off" {
	stream replay > "$D/p.replay"
	for v in -1 abc "" 2x inf nan 1e999; do
		run ior-replay -W "$v" -C "$R" "$D/p.replay"
		assert_failure 2
		assert_output --partial "bad watchdog"
		assert_output --partial "[-W SECONDS]"
	done
	run ior-replay --watchdog=0 -C "$R" "$D/p.replay"
	assert_success
}

@test "timed, a wait for an operation's captured time is no stall for the watchdog" {
	{
		stream replay
		op_at 0.0 1 1 mkdir 0 path=/a mode=0755
		op_at 0.0 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op_at 3.0 1 1 mkdir 0 path=/b mode=0755
		# Waits for an operation that itself waits for its time.
		op_at 0.1 1 2 mkdir 0 path=/b/c mode=0755 after=3
	} > "$D/p.replay"
	replay -T -W 2
	assert_success
	refute_output --partial "interrupted="
	assert_equal "$(stat_of skipped)" 0
	[ -d "$R/b/c" ]
	# As fast as possible, the same wait for seq 3 never comes to an end.
	SEQ=0
	{
		stream replay
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op 1 1 mknod 0 path=/fifo mode=010600 rdev=0:0
		op 1 1 openat 3 dirfd=AT_FDCWD path=/fifo flags=O_RDONLY
		op 1 2 mkdir 0 path=/d mode=0755 after=3
	} > "$D/p.replay"
	replay -W 1
	assert_failure 1
	assert_line "ior-replay: stuck: seq=4 pid=1 tid=2 mkdir, waiting for seq=3"
}

@test "without -T operations run as fast as they can and carry no lateness" {
	spaced_program
	replay
	assert_success
	awk -v t="$(res 3 1)" 'BEGIN { exit !(t < 0.2) }'
	refute_output --partial "late="
	refute_output --partial "late_p99="
	refute_output --partial " speed="
}

# ---- many clients: the host, and --start-at ----

@test "the result header names the host the replay ran on and keeps the capture's" {
	{
		stream replay
		echo "#meta ior-trace host=db01 kernel=6.18.44 epoch=1763764907.123456789"
		op 1 1 mkdir 0 path=/d mode=0755
	} > "$D/p.replay"
	replay --host client1
	assert_success
	assert_line "#meta ior-trace host=db01 kernel=6.18.44 epoch=1763764907.123456789"
	assert_line --regexp "^#meta ior-replay host=client1 root=.*/root start=[0-9.]+ cache=cold$"
	rm -r "$R/d"
	replay
	assert_success
	assert_line --regexp "^#meta ior-replay host=$(uname -n) root="
	replay --host ""
	assert_failure 2
	assert_line "ior-replay: --host: an empty name"
}

# A program of one thread that writes and fsyncs a file.
one_write_program() {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 pwrite64 4096 fd=3 count=4096 offset=0
		op 1 1 fsync 0 fd=3
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
}

@test "replays started with one --start-at begin together, each saying its skew" {
	one_write_program
	mkdir -p "$D/vfd"
	add_vfds < "$D/p.replay" > "$D/vfd/p.replay"
	local at pids=() skews=() k
	# far enough ahead for four replays to load, even under ASan on a
	# busy machine: one that is ready late starts late (start= differs)
	at=$(date -d '+3 sec' +%s.%N)
	for k in 1 2 3 4; do
		mkdir "$D/r$k"
		timeout 20 ior-replay --start-at "$at" -C "$D/r$k" "$D/vfd/p.replay" \
			> "$D/out$k" 2> "$D/err$k" &
		pids+=($!)
	done
	for k in 1 2 3 4; do
		wait "${pids[k - 1]}"
	done
	for k in 1 2 3 4; do
		run cat "$D/out$k" "$D/err$k"
		# TIME 0 is the time asked, and nothing started before it.
		assert_line --regexp "^#meta ior-replay host=[^ ]+ root=.* start=${at} cache=cold$"
		assert_line --regexp "^#stat ior-replay ops=4 .* skew=[0-9]+$"
		# The skew is the first op's start after TIME 0.
		assert_equal "$(stat_of skew)" "$((10#$(res 1 1 | tr -d .)))"
		[ "$(stat_of skew)" -lt 50000000 ]
		assert_equal "$(stat -c %s "$D/r$k/f")" 4096
		skews+=("$(stat_of skew)")
	done
	# The actual starts, TIME plus skew, within 50 ms of each other
	# (bench/run measures the spread: under 1 ms on an idle machine).
	run sort -n <<< "$(printf '%s\n' "${skews[@]}")"
	[ $((lines[3] - lines[0])) -lt 50000000 ]
}

@test "--start-at HH:MM:SS is today's; a time past or not a time is refused" {
	one_write_program
	replay --start-at 1
	assert_failure 2
	assert_line --regexp "^ior-replay: --start-at: 1 is [0-9]+\.[0-9]{3} s in the past$"
	replay --start-at 00:00:00
	assert_failure 2
	assert_line --regexp "^ior-replay: --start-at: 00:00:00 is [0-9]+\.[0-9]{3} s in the past$"
	for t in 24:00:00 12:60:00 1:00:00 12:00:00x 12:00:00.1234567890 tomorrow 1e9 -5 ""; do
		replay --start-at "$t"
		assert_failure 2
		assert_line "ior-replay: --start-at: bad time: $t (seconds since the epoch, or HH:MM:SS[.frac] today)"
	done
	[ ! -e "$R/f" ]
}

@test "--start-at, timed, sets TIME 0 to that time and writes no result before it" {
	one_write_program
	local at
	at=$(date -d '+2 sec' +%s.%N)
	replay -T --start-at "$at"
	assert_success
	assert_line --regexp "^#meta ior-replay host=[^ ]+ root=.* start=${at} cache=cold speed=1$"
	assert_line --regexp "^#stat ior-replay .* late_max=[0-9]+ skew=[0-9]+$"
	assert_equal "$(stat_of skew)" "$(res_key 1 late)"
}

# ---- storage next to the replay ----

# KEY's value in the #disk line "at=$1" of $output.
disk_of() {
	printf '%s\n' "$output" | awk -v a="at=$1" -v k="$2" '
		/^#disk ior-replay / && $3 == a { for (i = 4; i <= NF; i++) {
			split($i, kv, "="); if (kv[1] == k) print kv[2] } }'
}

@test "the root's device is read at the start, in the header, and at the end, in the trailer" {
	one_write_program
	replay
	assert_success
	# right after the replay's #meta line, and last
	assert_line -n 2 --regexp "^#disk ior-replay at=start time=[0-9]+\.[0-9]{9} dev=$(stat -c '%Hd:%Ld' "$R") name=[^ ]+"
	assert_equal "${lines[-1]%% *}" "#disk"
	assert_line -n -1 --regexp "^#disk ior-replay at=end time=[0-9]+\.[0-9]{9} dev=$(stat -c '%Hd:%Ld' "$R") name="
	[ "$(disk_of end time | tr -d .)" -gt "$(disk_of start time | tr -d .)" ]
}

@test "a replay on ext4 on a loop device records the writes of its fsync" {
	need_root "a loop device mounted as the root"
	need_cmd mkfs.ext4
	one_write_program
	add_vfds < "$D/p.replay" > "$D/p"
	truncate -s 32M "$D/img"
	mkfs.ext4 -q -F "$D/img"
	# In a mount namespace of its own: the mount, and the loop device
	# with it (autoclear), go when the replay ends.
	run --separate-stderr unshare --mount --propagation private sh -c '
		mount -o loop "$1" "$0" || exit 99
		findmnt -n -o SOURCE "$0" > "$3.dev"
		ior-replay -C "$0" "$2" > "$3"' "$R" "$D/img" "$D/p" "$D/result"
	assert_success
	run cat "$D/result"
	local loop
	loop=$(basename "$(cat "$D/result.dev")")
	assert_equal "$(disk_of start name)" "$loop"
	assert_equal "$(disk_of end name)" "$loop"
	assert_equal "$(disk_of end dev)" "$(disk_of start dev)"
	[ "$(disk_of end writes)" -gt "$(disk_of start writes)" ]
	[ "$(disk_of end write_sectors)" -ge $(($(disk_of start write_sectors) + 8)) ]
	# ior-stats shows it beside the latencies
	run -0 ior-stats -t "$D/result"
	assert_line -n 6 "$(printf 'device\treads\twrites\tflushes\tread_sectors\twrite_sectors\tawait_ns\taqu_sz\tutil_pct')"
	[ "$(printf '%s\n' "$output" | awk -F'\t' -v d="$loop" '$1 == d { print $3 }')" -gt 0 ]
}

@test "a replay on tmpfs says its root is on no block device" {
	need_root "a tmpfs mounted as the root"
	one_write_program
	add_vfds < "$D/p.replay" > "$D/p"
	run --separate-stderr unshare --mount --propagation private sh -c '
		mount -t tmpfs tmpfs "$0" || exit 99
		ior-replay -C "$0" "$1"' "$R" "$D/p"
	assert_success
	assert_line -n 2 --regexp "^#disk ior-replay at=start time=[0-9.]+ dev=0:[0-9]+ name=-$"
	assert_line -n -1 --regexp "^#disk ior-replay at=end time=[0-9.]+ dev=0:[0-9]+ name=-$"
	printf '%s\n' "$output" > "$D/result"
	run -0 ior-stats "$D/result"
	assert_line "storage: none (the root is on no block device)"
}

# ---- the window (IOR_REPLAY_WINDOW): a program streamed through it ----

# The result lines of the last `run` without what a replay measures
# (TIME, RET's time-free twin stays, DUR): what any two replays of one
# program write alike.
unmeasured() {
	printf '%s\n' "$output" | awk '!/^#/ { $1 = ""; $7 = ""; print }'
}

# Each op of the last `run` with after= started once what it names ended.
after_kept() {
	printf '%s\n' "$output" | awk '
		!/^#/ {
			seq = ""; after = ""
			for (i = 8; i <= NF; i++) {
				if ($i ~ /^seq=/) seq = substr($i, 5)
				if ($i ~ /^after=/) after = substr($i, 7)
			}
			start[seq] = $1 * 1e9; end[seq] = $1 * 1e9 + $7
			if (after == "") next
			n = split(after, a, ",")
			for (k = 1; k <= n; k++)
				if (start[seq] < end[a[k]] - 1) {
					print "seq=" seq " began before seq=" a[k] " ended"
					bad = 1
				}
		}
		END { exit bad }'
}

@test "a program many times longer than its window replays as with a window that holds all of it" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op 1 1 sched:fork 0 child=3 cpid=3 flags=
		for k in $(seq 0 59); do
			op 1 1 pwrite64 1 fd=3 count=1 offset=$k
			a=$SEQ
			op 1 2 mkdir 0 path=/d$k mode=0755 after=$a
			b=$SEQ
			# a list of three, one of them long out of the window;
			# before the mkdir, the stat would fail
			op 3 3 newfstatat 0 dirfd=AT_FDCWD path=/d$k flags= after=1,$a,$b
		done
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	IOR_REPLAY_WINDOW=8 replay
	assert_success
	assert_equal "$(stat_of ops)" 184
	assert_equal "$(stat_of mismatched)" 0
	assert_equal "$(stat_of skipped)" 0
	assert_equal "$(stat -c %s "$R/f")" 60
	[ -d "$R/d59" ]
	local small
	small=$(unmeasured)
	run after_kept
	assert_success
	# again, on a new root, with a window larger than the program
	rm -rf "$R"
	mkdir "$R"
	replay
	assert_success
	assert_equal "$small" "$(unmeasured)"
	# in program order, one line an op
	assert_equal "$(printf '%s\n' "$output" | awk '!/^#/ { print $8 }' | tr '\n' ' ')" \
		"$(seq 1 184 | sed 's/^/seq=/' | tr '\n' ' ')"
}

@test "a streamed replay writes its results once it ended: a reader not reading them does not hold it" {
	local long pid
	long=$(printf 'x%.0s' $(seq 20000))
	mkfifo "$R/sync" "$D/out"
	{
		stream replay
		# 50 lines of 20 KB (a key the replay passes through): more
		# than the pipe and the output's buffer hold
		for k in $(seq 50); do
			op 1 1 mkdir 0 path=/d$k mode=0755 note=$long
		done
		# blocks until the test opens the FIFO to read
		op 1 1 openat 3 dirfd=AT_FDCWD path=/sync flags=O_WRONLY
	} > "$D/p.replay"
	mkdir -p "$D/vfd"
	add_vfds < "$D/p.replay" > "$D/vfd/p.replay"
	IOR_REPLAY_WINDOW=8 timeout 60 ior-replay -C "$R" "$D/vfd/p.replay" > "$D/out" &
	pid=$!
	exec 7< "$D/out"
	# the last op runs while not a byte of the results was read
	run -0 timeout 20 cat "$R/sync"
	run -0 cat <&7
	exec 7<&-
	wait "$pid"
	assert_equal "$(stat_of ops)" 51
	assert_equal "$(stat_of skipped)" 0
	assert_equal "$(stat_of mismatched)" 0
	[ -d "$R/d50" ]
	# every line, whole, in program order
	assert_equal "$(printf '%s\n' "$output" | grep -c " note=$long ")" 50
	assert_equal "$(printf '%s\n' "$output" | awk '!/^#/ { print $8 }' | tr '\n' ' ')" \
		"$(seq 1 51 | sed 's/^/seq=/' | tr '\n' ' ')"
}

@test "a program on standard input is streamed through the window" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		for k in $(seq 0 99); do
			op 1 1 pwrite64 1 fd=3 count=1 offset=$k
		done
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	add_vfds < "$D/p.replay" > "$D/in"
	IOR_REPLAY_WINDOW=8 run timeout 20 ior-replay -C "$R" < "$D/in"
	assert_success
	assert_equal "$(stat_of ops)" 102
	assert_equal "$(stat_of mismatched)" 0
	assert_equal "$(stat -c %s "$R/f")" 100
	assert_equal "$(printf '%s\n' "$output" | grep -c ' pwrite64 1 ')" 100
}

@test "a program with AIO batches larger than the window asked for gets a window that holds them, and replays its batches" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		for k in $(seq 0 9); do
			op 1 1 stat 0 path=/f
		done
		op 1 1 io_setup 0 nr=32 ctx=0x7f0000
		op 1 1 io_submit 12 ctx=0x7f0000 nr=12 sub=1
		op 1 1 io_getevents 12 ctx=0x7f0000 min_nr=12 nr=32
		for k in $(seq 0 11); do
			op 1 1 aio:pwrite 4096 fd=3 offset=$((4096 * k)) count=4096 ctx=0x7f0000 sub=1 iocb=$((4096 + 64 * k))
		done
		op 1 1 io_destroy 0 ctx=0x7f0000
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	IOR_REPLAY_WINDOW=8 replay_strace io_submit
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 49152
	# one io_submit of the twelve, as captured
	assert_equal "$(straced | awk '{ split($0, a, ", "); print a[2], $NF }')" "12 12"
	assert_equal "$(stat_of mismatched)" 0
	assert_equal "$(stat_of skipped)" 0
}

# An AIO program many times longer than a window of 8: a submitting
# thread whose requests come 6 ops after their io_submit, a reaper thread
# that reaps them 8 ops after it, reaps that come before the io_submit of
# their request, an io_cancel of a finished request and requests in
# flight at io_destroy and at the end.
aio_program() {
	local s g r k
	stream replay
	op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
	op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
	op 1 1 io_setup 0 nr=64 ctx=0x7f0000
	g=$SEQ
	for k in $(seq 1 30); do
		op 1 1 io_submit 2 ctx=0x7f0000 nr=2 sub=$k
		s=$SEQ
		for _ in 1 2 3 4; do
			op 1 1 newfstatat 0 dirfd=AT_FDCWD path=/f flags=
		done
		op 1 1 aio:pwrite 100 fd=3 offset=$((200 * k)) count=100 ctx=0x7f0000 sub=$k iocb=$((4096 + 128 * k)) reap=$k
		op 1 1 aio:pwrite 100 fd=3 offset=$((200 * k + 100)) count=100 ctx=0x7f0000 sub=$k iocb=$((4160 + 128 * k)) reap=$k
		op 1 2 io_getevents 2 ctx=0x7f0000 min_nr=2 nr=8 reap=$k after=$s
	done
	# reaped before its io_submit returned
	op 1 2 io_getevents 1 ctx=0x7f0000 min_nr=1 nr=8 reap=100 after=$g
	r=$SEQ
	op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=100
	op 1 1 aio:pwrite 100 fd=3 offset=0 count=100 ctx=0x7f0000 sub=100 iocb=0x1000 reap=100
	op 1 1 io_cancel -22 ctx=0x7f0000 iocb=0x1000 err=EINVAL
	op 1 1 io_submit 1 ctx=0x7f0000 nr=1 sub=101
	op 1 1 aio:pwrite 0 fd=3 offset=100 count=100 ctx=0x7f0000 sub=101 iocb=0x1000 inflight=1
	# once the reaper is done
	op 1 1 io_destroy 0 ctx=0x7f0000 after=$r
	op 1 1 io_setup 0 nr=4 ctx=0x7f1000
	op 1 1 io_submit 1 ctx=0x7f1000 nr=1 sub=102
	op 1 1 aio:pwrite 0 fd=3 offset=6200 count=100 ctx=0x7f1000 sub=102 iocb=0x2000 inflight=1
}

@test "an AIO program streamed through a small window replays as with a window that holds all of it" {
	aio_program > "$D/p.replay"
	IOR_REPLAY_WINDOW=8 replay
	assert_success
	assert_equal "$(stat_of ops)" 253
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	assert_equal "$(stat -c %s "$R/f")" 6300
	# each reap took its two, the late reap its one
	assert_equal "$(printf '%s\n' "$output" | awk '$5 == "io_getevents" { print $6 }' | sort | uniq -c | awk '{ print $1 "x" $2 }' | tr '\n' ' ')" "1x1 30x2 "
	assert_equal "$(res 247 6) $(res 248 6)" "-22 1"
	assert_equal "$(res_key 249 inflight) $(res_key 253 inflight)" "1 1"
	assert_equal "$(printf '%s\n' "$output" | grep -c ' inflight=1')" 2
	local small
	small=$(unmeasured)
	run after_kept
	assert_success
	# again, on a new root, with a window larger than the program
	rm -rf "$R"
	mkdir "$R"
	replay
	assert_success
	assert_equal "$small" "$(unmeasured)"
	# streamed, not held whole: in a window of 4 times the most ops
	# between tied ops and one (an io_submit and its last request, 6
	# apart), rounded up to a power of 2
	rm -rf "$R"
	mkdir "$R"
	IOR_REPLAY_WINDOW=8 replay -v
	assert_success
	assert_line "ior-replay: 253 ops, 2 threads, 1 initial processes; a window of 32 ops"
}

@test "a timed AIO program streamed through a small window gives each request its io_submit's lateness" {
	aio_program | awk '!/^#/ { $1 = sprintf("0.%06d", ++n * 100) } { print }' > "$D/p.replay"
	IOR_REPLAY_WINDOW=8 replay -T
	assert_success
	assert_equal "$(stat_of mismatched) $(stat_of skipped)" "0 0"
	run awk '
		function key(k,  i) {
			for (i = 8; i <= NF; i++)
				if (index($i, k "=") == 1)
					return substr($i, length(k) + 2)
		}
		$5 == "io_submit" { late[key("ctx") key("sub")] = key("late") }
		$5 ~ /^aio:/ && late[key("ctx") key("sub")] != key("late") {
			print "seq=" key("seq") " late=" key("late"); bad = 1
		}
		$5 ~ /^aio:/ { n++ }
		END { print n " requests"; exit bad }' <<< "$output"
	assert_success
	assert_output "63 requests"
}

# An io_uring program many times longer than a window of 8, with each
# request's TIME its submission and DUR its run (us_at): in each of 24
# rounds an io_uring_enter whose first write completed before it
# returned (its record comes first) and whose two others completed out
# of their submission order, ops apart; a write through a registered
# file and buffer, every third round; an SQPOLL thread's batch of three
# that completed out of order, every fourth; a request whose sub no
# io_uring_enter has, every fifth; one whose io_uring_enter is another
# thread's, every sixth; an open, then a write and a close, through the
# ring in round 7; and at the end a write still in flight.
us_at() {
	printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000))
}

# ur US DUR TID CALL RET RING [KEY=VALUE ...]: a request at US us.
ur() {
	local us=$1 dur=$2 tid=$3 call=$4 ret=$5 ring=$6
	shift 6
	SEQ=$((SEQ + 1))
	rec_at "$(us_at "$us")" 1 "$tid" "uring:$call" "$ret" "$dur" \
		"seq=$SEQ" ring="$ring" "$@" user_data=0x$SEQ exec=inline
}

# ent US TID RET [KEY=VALUE ...]: an io_uring_enter at US us.
ent() {
	local us=$1 tid=$2 ret=$3
	shift 3
	op_at "$(us_at "$us")" 1 "$tid" io_uring_enter "$ret" "$@"
}

uring_program() {
	local k b o n last2
	stream replay
	op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
	op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
	op 1 1 io_uring_setup 4 entries=16 flags= sq=16 cq=32
	op 1 1 io_uring_setup 5 entries=8 flags=IORING_SETUP_SQPOLL sq=8 cq=16
	op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_FILES nr=1 fds=3
	op 1 1 io_uring_register 0 fd=4 opcode=IORING_REGISTER_BUFFERS nr=1 lens=4096
	for k in $(seq 1 24); do
		b=$((k * 1000))
		o=$((k * 1000))
		n=3
		if [ $((k % 3)) = 0 ]; then
			n=4
		fi
		ur $((b + 2)) 50 1 write 100 4 fd=3 offset=$o count=100 sqe_flags= sub=$k
		ent $b 1 $n fd=4 to_submit=$n min_complete=0 flags= sub=$k
		op 1 1 newfstatat 0 dirfd=AT_FDCWD path=/f flags=
		op 1 1 newfstatat 0 dirfd=AT_FDCWD path=/f flags=
		ur $((b + 4)) 300 1 write 100 4 fd=3 offset=$((o + 200)) count=100 sqe_flags= sub=$k
		op 1 1 newfstatat 0 dirfd=AT_FDCWD path=/f flags=
		ur $((b + 3)) 400 1 write 100 4 fd=3 offset=$((o + 100)) count=100 sqe_flags= sub=$k
		if [ $((k % 3)) = 0 ]; then
			ur $((b + 5)) 500 1 write_fixed 100 4 fixed=0 offset=$((o + 300)) count=100 buf=0 sqe_flags=IOSQE_FIXED_FILE sub=$k
		fi
		if [ $((k % 4)) = 0 ]; then
			ur $((b + 20)) 100 1 write 100 5 fd=3 offset=$((o + 400)) count=100 sqe_flags= batch=$((1000 + k))
			op 1 1 newfstatat 0 dirfd=AT_FDCWD path=/f flags=
			ur $((b + 22)) 100 1 write 100 5 fd=3 offset=$((o + 600)) count=100 sqe_flags= batch=$((1000 + k))
			ur $((b + 21)) 200 1 write 100 5 fd=3 offset=$((o + 500)) count=100 sqe_flags= batch=$((1000 + k))
		fi
		if [ $((k % 5)) = 0 ]; then
			ur $((b + 30)) 100 1 write 100 4 fd=3 offset=$((o + 700)) count=100 sqe_flags= sub=$((500 + k))
		fi
		if [ $((k % 6)) = 0 ]; then
			ur $((b + 41)) 100 1 nop 0 4 sqe_flags= sub=$((700 + k))
			ent $((b + 40)) 2 0 fd=4 to_submit=1 min_complete=0 flags= sub=$((700 + k)) after=6
			last2=$SEQ
		fi
		if [ $k = 7 ]; then
			ur $((b + 51)) 100 1 openat 6 4 dirfd=AT_FDCWD path=/g flags=O_RDWR\|O_CREAT mode=0600 sqe_flags= sub=900
			ent $((b + 50)) 1 1 fd=4 to_submit=1 min_complete=1 flags=IORING_ENTER_GETEVENTS sub=900
			ur $((b + 61)) 100 1 write 10 4 fd=6 offset=0 count=10 sqe_flags=IOSQE_IO_LINK sub=901
			ent $((b + 60)) 1 2 fd=4 to_submit=2 min_complete=2 flags=IORING_ENTER_GETEVENTS sub=901
			ur $((b + 62)) 100 1 close 0 4 fd=6 sqe_flags= sub=901
		fi
	done
	ent 99000 1 1 fd=4 to_submit=1 min_complete=0 flags= sub=999
	ur 99001 100 1 write 0 4 fd=3 offset=0 count=100 sqe_flags= sub=999 inflight=1
	op_at 0.099500 1 1 close 0 fd=5
	# once the other thread's last io_uring_enter is done
	op_at 0.099600 1 1 close 0 fd=4 after=$last2
}

@test "an io_uring program streamed through a small window replays as with a window that holds all of it" {
	uring_program > "$D/p.replay"
	IOR_REPLAY_WINDOW=8 replay
	# the orphans: four whose sub no io_uring_enter has, four whose
	# io_uring_enter is another thread's; the write in flight at the end
	# completed in the replay
	diverged "8 skipped (8 orphan), 1 mismatched, 0 errors not captured"
	assert_equal "$(stat_of ops)" 227
	assert_equal "$(stat -c %s "$R/f") $(stat -c %s "$R/g")" "24700 10"
	assert_equal "$(printf '%s\n' "$output" | grep -c ' skip=orphan')" 8
	assert_equal "$(printf '%s\n' "$output" | grep -c ' cinflight=1')" 1
	local small
	small=$(unmeasured)
	# again, on a new root, with a window larger than the program
	rm -rf "$R"
	mkdir "$R"
	replay
	assert_equal "$small" "$(unmeasured)"
	# streamed, not held whole: in a window of 4 times the most ops
	# between tied ops and one, rounded up to a power of 2
	rm -rf "$R"
	mkdir "$R"
	IOR_REPLAY_WINDOW=8 replay -v
	assert_line 'ior-replay: 227 ops, 2 threads, 1 initial processes; a window of 32 ops'
}

# IOR_REPLAY_TIES writes each io_uring op's ties and queue depth as
# loaded; IOR_REPLAY_HOLD has the program held whole, tied by the
# passes over all of it.
@test "an io_uring program's ties and queue depths made as its records come are those of the program held whole" {
	uring_program > "$D/p.replay"
	IOR_REPLAY_TIES=$D/streamed IOR_REPLAY_WINDOW=8 replay -v
	assert_line --regexp 'a window of [0-9]+ ops$'
	rm -rf "$R"
	mkdir "$R"
	IOR_REPLAY_HOLD=1 IOR_REPLAY_TIES=$D/held replay -v
	assert_line --regexp 'held whole: [0-9]+ ops$'
	# every request and io_uring_enter, and depths kept
	assert_equal "$(wc -l < "$D/held")" 145
	[ "$(awk '$4 > 1' "$D/held" | wc -l)" -gt 10 ]
	diff -u "$D/held" "$D/streamed"
}

@test "a timed io_uring program streamed through a small window gives each request its io_uring_enter's lateness" {
	uring_program > "$D/p.replay"
	IOR_REPLAY_WINDOW=8 replay -T
	run awk '
		function key(k,  i) {
			for (i = 8; i <= NF; i++)
				if (index($i, k "=") == 1)
					return substr($i, length(k) + 2)
		}
		$5 == "io_uring_enter" { late[key("sub")] = key("late") }
		$5 ~ /^uring:/ && key("sub") != "" && key("skip") == "" { sub_of[key("seq")] = key("sub"); rl[key("seq")] = key("late") }
		END {
			for (s in sub_of) {
				if (!(sub_of[s] in late) || rl[s] == "")
					continue
				n++
				if (late[sub_of[s]] != rl[s]) { print "seq=" s " late=" rl[s]; bad = 1 }
			}
			print n " requests"; exit bad
		}' <<< "$output"
	assert_success
	assert_output "84 requests"
}

# A request submitted first whose record comes after 16400 others of
# its ring submitted later: more than the loader holds back to sweep
# the queue depths in submission order.
@test "an io_uring program whose requests come too far out of their submission order is held whole, its depths those of the passes over all of it" {
	{
		stream replay
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 io_uring_setup 4 entries=64 flags= sq=64 cq=128
		ent 1 1 1 fd=4 to_submit=1 min_complete=0 flags= sub=1
		awk -v seq="$SEQ" 'BEGIN {
			for (k = 2; k <= 16401; k++) {
				t = sprintf("0.%06d", 10 + k)
				printf "%s 1 1 app io_uring_enter 1 1000 seq=%d fd=4 to_submit=1 min_complete=0 flags= sub=%d\n", t, ++seq, k
				printf "%s 1 1 app uring:nop 0 500 seq=%d ring=4 sqe_flags= sub=%d\n", t, ++seq, k
			}
		}'
		SEQ=$((SEQ + 32800))
		ur 2 900000 1 write 100 4 fd=3 offset=0 count=100 sqe_flags= sub=1
		op_at 1.0 1 1 close 0 fd=4
	} | add_vfds > "$D/p.replay"
	# (its 32805 result lines to a file: bats reads output line by line)
	IOR_REPLAY_TIES=$D/streamed run timeout 60 sh -c 'ior-replay -v -C "$1" "$2" > "$3"' - \
		"$R" "$D/p.replay" "$D/streamed.ior"
	assert_success
	assert_line "ior-replay: io_uring requests more than 16384 out of their submission order: the program is held whole"
	assert_line --regexp 'held whole: 32805 ops$'
	rm -rf "$R"
	mkdir "$R"
	IOR_REPLAY_HOLD=1 IOR_REPLAY_TIES=$D/held run timeout 60 sh -c 'ior-replay -C "$1" "$2" > "$3"' - \
		"$R" "$D/p.replay" "$D/held.ior"
	assert_success
	# the late write (0.9 ms) was in flight as each of the others
	# submitted in its first 0.9 ms was
	assert_equal "$(awk '$2 == "enter" && $5 == 2' "$D/held" | wc -l)" 890
	diff -u "$D/held" "$D/streamed"
}

@test "IOR_REPLAY_WINDOW out of range is a usage error" {
	{
		stream replay
		op 1 1 mkdir 0 path=/d mode=0755
	} > "$D/p.replay"
	IOR_REPLAY_WINDOW=4 replay
	assert_failure 2
	assert_output 'ior-replay: IOR_REPLAY_WINDOW: "4": expected 8 to 16777216 ops'
	[ ! -e "$R/d" ]
}

@test "an op that waits for one further on than the window is long stalls, and the watchdog says the window is full" {
	{
		stream replay
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_THREAD
		op 1 1 mknod 0 path=/fifo mode=010600 rdev=0:0
		# blocks until thread 2 opens the FIFO to write, 21 ops later
		op 1 1 openat 3 dirfd=AT_FDCWD path=/fifo flags=O_RDONLY
		for k in $(seq 20); do
			op 1 2 mkdir 0 path=/d$k mode=0755
		done
		op 1 2 openat 4 dirfd=AT_FDCWD path=/fifo flags=O_WRONLY after=2
	} > "$D/p.replay"
	IOR_REPLAY_WINDOW=8 replay -W 1
	assert_failure 1
	assert_line "ior-replay: stuck: the window of 8 ops is full behind seq=3 pid=1 tid=1 openat (IOR_REPLAY_WINDOW)"
	assert_equal "$(stat_of interrupted)" stall
	# A window longer than the wait replays it.
	rm -rf "$R"
	mkdir "$R"
	replay -W 5
	assert_success
	assert_equal "$(stat_of skipped)" 0
	assert_equal "$(stat_of errors)" 0
	assert_equal "$(stat_of mismatched)" 0
	assert_equal "$(stat_of ops)" 24
}
