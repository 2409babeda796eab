#!/usr/bin/env bats
# ior-trace: capture of file system calls with eBPF.

load helpers
bats_require_minimum_version 1.5.0

# Workloads compiled once: "work" does a known sequence of calls in its
# working directory; "hold" keeps data open at offset 123 until SIGUSR1.
setup_file() {
	cat > "$BATS_FILE_TMPDIR/work.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void *reader(void *arg)
{
	char b[10];
	int fd = open("data", O_RDONLY);

	read(fd, b, sizeof(b));
	close(fd);
	return arg;
}

int main(void)
{
	char b[100];
	struct iovec iov[2] = { { b, 10 }, { b + 10, 20 } };
	pthread_t t[2];
	pid_t pid;
	int fd, st;

	fd = open("data", O_RDONLY);
	pread(fd, b, 100, 7);
	lseek(fd, 5, SEEK_SET);
	readv(fd, iov, 2);
	dup2(fd, 9);
	open("missing", O_RDONLY);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pid = fork();
	if (pid == 0) {
		fd = open("new", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		write(fd, "hello", 5);
		_exit(3);
	}
	waitpid(pid, &st, 0);
	mkdir("d", 0755);
	rename("new", "d/moved");
	unlink("d/moved");
	rmdir("d");
	return 7;
}
EOF
	cat > "$BATS_FILE_TMPDIR/hold.c" <<'EOF'
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

int main(int argc, char **argv)
{
	char b[10];
	int fd = open(argv[1], O_RDWR);

	(void)argc;
	signal(SIGUSR1, on_usr1);
	lseek(fd, 123, SEEK_SET);
	close(creat(argv[2], 0644));	/* tells the test we are ready */
	while (!go)
		pause();
	read(fd, b, sizeof(b));
	return 0;
}
EOF
	cc -O2 -pthread -o "$BATS_FILE_TMPDIR/work" "$BATS_FILE_TMPDIR/work.c"
	cc -O2 -o "$BATS_FILE_TMPDIR/hold" "$BATS_FILE_TMPDIR/hold.c"
}

setup() {
	dir=$(scratch)
	cd "$dir"
	head -c 1000 /dev/zero > data
}

# Trace the work program into trace.txt; its exit status is in $status.
trace_work() {
	run timeout 30 ior-trace -o trace.txt -- "$BATS_FILE_TMPDIR/work"
}

# The records of trace.txt whose CALL is $1 and that mention data ($2).
calls() {
	awk -v c="$1" -v m="${2:-}" '$5 == c && index($0, m)' trace.txt
}

# The descriptor the work program's main thread got for data.
data_fd() {
	calls openat path=data | awk 'NR == 1 { print $6 }'
}

# Wait until file $1 exists (or contains $2), at most 10 s.
wait_for() {
	for _ in $(seq 200); do
		if [ -n "${2:-}" ]; then
			grep -q -- "$2" "$1" 2>/dev/null && return 0
		else
			[ -e "$1" ] && return 0
		fi
		sleep 0.05
	done
	return 1
}

@test "--help prints usage to stdout and exits 0" {
	run --separate-stderr ior-trace --help
	assert_success
	assert_output --partial "usage: ior-trace [-o FILE] [-p PID]"
	[ -z "$stderr" ]
}

@test "--version prints the version and exits 0" {
	run ior-trace --version
	assert_success
	assert_output --regexp '^ior-trace \(ior\) [0-9]+\.[0-9]+'
}

@test "an unknown option is a usage error" {
	run ior-trace --bogus
	assert_failure 2
	assert_output --partial "usage:"
}

@test "a pid that is not a number is a usage error" {
	run ior-trace -p 12abc
	assert_failure 2
	assert_output --partial "bad pid: 12abc"
}

@test "a duration that is not positive is a usage error" {
	run ior-trace -d 0
	assert_failure 2
	assert_output --partial "bad duration"
}

@test "a malformed comm regex is a usage error" {
	run ior-trace -c '('
	assert_failure 2
	assert_output --partial "bad regex"
}

@test "a pid of no process is refused before tracing" {
	run ior-trace -p 2147483646
	assert_failure 4
	assert_output --partial "no such process: 2147483646"
}

@test "the stream starts with the magic line and the capture's facts" {
	need_bpf
	trace_work
	run sed -n 1,2p trace.txt
	assert_line -n 0 "#ior 1 trace"
	assert_line -n 1 --regexp "^#meta ior-trace host=$(hostname) kernel=$(uname -r) epoch=[0-9]+\.[0-9]{9} argv=.*ior-trace\\\\x20-o\\\\x20trace.txt"
}

@test "the exit status of the command is passed on" {
	need_bpf
	trace_work
	assert_failure 7
	run timeout 30 ior-trace -o t2.txt -- sh -c 'kill -TERM $$'
	assert_failure 143
}

@test "capture starts at the command's exec, after its inherited descriptors and cwd" {
	need_bpf
	trace_work
	first=$(awk '!/^#/ && $5 !~ /^ior:/ { print $5; exit }' trace.txt)
	[ "$first" = sched:exec ]
	calls ior:cwd | grep -q " path=$dir\$"
	calls ior:fd | grep -q ' fd=0 .*flags=O_RDONLY'
	# the launcher's own calls (waiting for the probes) never appear
	[ -z "$(awk '!/^#/ && $4 == "ior-trace" && $5 !~ /^ior:/' trace.txt)" ]
}

@test "an open of an existing file records path, flags, inode, size and fs" {
	need_bpf
	trace_work
	ino=$(stat -c %i data)
	run calls openat path=data
	assert_line --regexp "^[0-9.]+ [0-9]+ [0-9]+ work openat [0-9]+ [0-9]+ dirfd=AT_FDCWD path=data flags=O_RDONLY mode=0 ino=$ino size=1000 ft=reg fs=[a-z0-9]+\$"
}

@test "a failing open records the negative errno and its name" {
	need_bpf
	trace_work
	run calls openat path=missing
	assert_output --regexp " openat -2 [0-9]+ dirfd=AT_FDCWD path=missing flags=O_RDONLY mode=0 err=ENOENT\$"
}

@test "pread64, lseek and readv record counts and offsets" {
	need_bpf
	trace_work
	fd=$(data_fd)
	run calls pread64 fd=$fd
	assert_output --regexp " pread64 100 [0-9]+ fd=$fd count=100 offset=7\$"
	run calls lseek
	assert_output --regexp " lseek 5 [0-9]+ fd=$fd offset=5 whence=SEEK_SET\$"
	run calls readv
	assert_output --regexp " readv 30 [0-9]+ fd=$fd iovcnt=2 count=30\$"
}

@test "dup2 records both descriptors" {
	need_bpf
	trace_work
	run calls dup2
	assert_output --regexp " dup2 9 [0-9]+ fd=$(data_fd) fd2=9\$"
}

@test "mkdir, rename, unlink and rmdir record their paths" {
	need_bpf
	trace_work
	run calls mkdir
	assert_output --regexp " mkdir 0 [0-9]+ path=d mode=0755\$"
	run calls rename
	assert_output --regexp " rename 0 [0-9]+ path=new path2=d/moved\$"
	run calls unlink
	assert_output --regexp " unlink 0 [0-9]+ path=d/moved\$"
	run calls rmdir
	assert_output --regexp " rmdir 0 [0-9]+ path=d\$"
}

@test "a forked child's records follow the sched:fork that names it" {
	need_bpf
	trace_work
	child=$(calls openat path=new | awk '{ print $3 }')
	[ -n "$child" ]
	fork_line=$(grep -n " sched:fork .* child=$child cpid=$child " trace.txt | cut -d: -f1)
	first_line=$(awk -v c="$child" '$3 == c { print NR; exit }' trace.txt)
	[ -n "$fork_line" ] && [ "$fork_line" -lt "$first_line" ]
	calls openat path=new | grep -q " flags=O_WRONLY|O_CREAT|O_TRUNC mode=0600 ino="
	calls write | grep -q "^[0-9.]* $child $child work write 5 [0-9]* fd=[0-9]* count=5\$"
	calls sched:exit | grep -q "^[0-9.]* $child $child work sched:exit 0 0 code=3 group=1\$"
}

@test "execve records the program's path, on success and on failure" {
	need_bpf
	run timeout 30 ior-trace -o trace.txt -- sh -c '/nonexistent/prog; exec /bin/true'
	assert_success
	calls execve | grep -q " execve -2 [0-9]* path=/nonexistent/prog err=ENOENT\$"
	calls execve | grep -q " true execve 0 [0-9]* path=/bin/true\$"
	calls sched:exec | grep -q " true sched:exec 0 0 path=/bin/true\$"
	run tail -n 1 trace.txt
	assert_output --regexp 'drops=0 unpaired=0 '
}

@test "threads have their own TIDs under the process's PID" {
	need_bpf
	trace_work
	pid=$(calls sched:exec | awk '{ print $2 }')
	run awk -v p="$pid" '$5 == "read" && $2 == p && $3 != p && / count=10$/ { print $3 }' trace.txt
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" != "${lines[1]}" ]
	calls sched:fork | grep -q "flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD\$"
}

@test "the trailer reports no loss for a small workload" {
	need_bpf
	trace_work
	events=$(grep -vc '^#' trace.txt)
	run tail -n 1 trace.txt
	assert_output --regexp "^#stat ior-trace events=$events drops=0 unpaired=0 "
}

@test "counts of openat, read, write and close equal strace's" {
	need_bpf
	command -v strace >/dev/null || skip "needs strace"
	trace_work
	strace -f -c -o strace.txt "$BATS_FILE_TMPDIR/work" || true
	for c in openat read write close; do
		ours=$(calls "$c" | wc -l)
		theirs=$(awk -v c="$c" '$NF == c { print $4 }' strace.txt)
		echo "$c: ior-trace $ours strace $theirs"
		[ "$ours" -eq "$theirs" ]
	done
}

@test "the command's stdout does not mix with a trace written to stdout" {
	need_bpf
	run --separate-stderr timeout 30 ior-trace -- echo hello-from-command
	assert_success
	[ "${lines[0]}" = "#ior 1 trace" ]
	refute_line "hello-from-command"
	[[ "$stderr" == *hello-from-command* ]]
}

@test "-p reports the descriptors a running process holds, with their offsets" {
	need_bpf
	"$BATS_FILE_TMPDIR/hold" data ready &
	pid=$!
	wait_for ready
	timeout 30 ior-trace -p "$pid" -o trace.txt 2>err.txt &
	tracer=$!
	wait_for trace.txt ior:fd
	kill -USR1 "$pid"
	wait "$tracer"	# stops by itself once the process is gone
	calls ior:cwd | grep -q "^[0-9.]* $pid $pid hold ior:cwd 0 0 path=$dir\$"
	calls ior:fd | grep -q " fd=[0-9]* path=$dir/data flags=O_RDWR|O_LARGEFILE offset=123 size=1000 ino=$(stat -c %i data) ft=reg fs="
	calls read | grep -q "^[0-9.]* $pid $pid hold read 10 [0-9]* fd=[0-9]* count=10\$"
	# the descriptors come before any event of the process
	[ "$(grep -n ' ior:fd ' trace.txt | tail -n 1 | cut -d: -f1)" -lt \
	  "$(grep -n ' read ' trace.txt | cut -d: -f1)" ]
}

@test "-c follows processes whose command name matches" {
	need_bpf
	ior-trace -c '^hold$' -d 30 -o trace.txt 2>err.txt &
	tracer=$!
	wait_for trace.txt '^#meta'
	"$BATS_FILE_TMPDIR/hold" data ready &
	pid=$!
	wait_for ready
	sleep 0.5	# the race after exec: let ior-trace add the process
	kill -USR1 "$pid"
	wait "$pid"
	sleep 0.2
	kill -INT "$tracer"
	wait "$tracer"
	calls sched:exec | grep -q "^[0-9.]* $pid $pid hold sched:exec 0 0 path=.*hold\$"
	calls read | grep -q "^[0-9.]* $pid $pid hold read 10 [0-9]* fd=[0-9]* count=10\$"
	tail -n 1 trace.txt | grep -q '^#stat ior-trace events='
}

@test "-d stops the capture and writes the trailer" {
	need_bpf
	SECONDS=0
	timeout 30 ior-trace -d 1 -o trace.txt -- sleep 6 >/dev/null 2>&1
	[ "$SECONDS" -lt 5 ]
	run tail -n 1 trace.txt
	assert_output --regexp '^#stat ior-trace events=[0-9]+ drops=0 unpaired=0'
}

@test "SIGINT stops the capture and writes the trailer" {
	need_bpf
	ior-trace -o trace.txt -- sleep 20 &	# bounded by the sleep
	tracer=$!
	wait_for trace.txt sched:exec
	kill -INT "$tracer"
	wait "$tracer"
	tail -n 1 trace.txt | grep -q '^#stat ior-trace events=[0-9]* drops=0'
}

@test "a system-wide capture leaves out its own pipeline" {
	need_bpf
	( for _ in $(seq 20); do cat data > /dev/null; sleep 0.05; done ) &
	timeout 30 ior-trace -d 1.5 2>err.txt | sh -c 'echo $$ > reader.pid; exec cat > trace.txt'
	reader=$(cat reader.pid)
	grep -q 'tracing system-wide' err.txt
	grep -q "^[0-9.]* [0-9]* [0-9]* cat openat [0-9]* .* path=data " trace.txt
	[ -z "$(awk -v p="$reader" '$2 == p' trace.txt)" ]
	tail -n 1 trace.txt | grep -q '^#stat ior-trace events='
}

@test "without privileges ior-trace fails with exit 4 and says why" {
	need_bpf
	command -v setpriv >/dev/null || skip "needs setpriv"
	run timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$IOR_BIN/ior-trace" -d 1 -o /dev/null
	assert_failure 4
	assert_line --partial "ior-trace: cannot load the BPF programs"
	assert_line --partial "needs root and a kernel with BTF"
}

@test "a stat that did not follow a symlink records the link's target as path2" {
	need_bpf
	ln -s data lnk
	cat > stat.c <<'EOC'
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct stat st;

	syscall(SYS_lstat, "lnk", &st);
	syscall(SYS_stat, "lnk", &st);
	return 0;
}
EOC
	cc -o stat stat.c
	run timeout 30 ior-trace -o trace.txt -- ./stat
	assert_success
	run calls lstat
	assert_output --regexp ' lstat 0 [0-9]+ path=lnk size=4 ft=lnk path2=data$'
	run calls stat
	assert_output --regexp ' stat 0 [0-9]+ path=lnk size=1000 ft=reg$'
}

@test "a closed reader stops the capture and the loss counters still go to stderr" {
	need_bpf
	run --separate-stderr timeout 30 bash -c '
		ior-trace -- sh -c "echo \$\$ > cmd.pid; while :; do cat data > /dev/null; done" |
			head -c 100 > /dev/null
		echo "status=${PIPESTATUS[0]}"'
	kill "$(cat cmd.pid)"	# left running, as after -d
	assert_output "status=0"
	[[ $stderr == *"ior-trace: the reader went away: capture stopped"* ]]
	[[ $stderr == *"ior-trace: lost events: drops=0 unpaired=0 missed=0"* ]]
}
