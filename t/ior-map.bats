#!/usr/bin/env bats
# ior-map: virtual ids, fd tables, cwd and path resolution, filters.
load helpers
load streams
bats_require_minimum_version 1.5.0

setup() {
	d=$(scratch)
}

# The records of the last run's output (no metadata).
records() {
	printf '%s\n' "$output" | grep -v '^#'
}

@test "PID and TID become virtual ids in order of first appearance" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a getpid 500 10
	0.000000002 900 901 b getpid 900 10
	0.000000003 900 900 b getpid 900 10
	0.000000004 500 502 a gettid 502 10
	EOF
	run ior-map "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f2,3)" "$(printf '1 1\n2 3\n2 2\n1 4')"
}

@test "a kernel tid reused after its task exited gets a new virtual id" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a getpid 500 10
	0.000000002 500 500 a sched:exit 0 0 code=0 group=1
	0.000000003 500 500 b getpid 500 10
	EOF
	run ior-map "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f2,3,4)" "$(printf '1 1 a\n1 1 a\n2 2 b')"
}

@test "a thread's kernel tid reused after the thread exited gets a new virtual tid in the same process" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a getpid 500 10
	0.000000002 500 501 a gettid 501 10
	0.000000003 500 501 a sched:exit 0 0 code=0 group=0
	0.000000004 500 501 a gettid 501 10
	EOF
	run ior-map "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f2,3)" "$(printf '1 1\n1 2\n1 2\n1 3')"
}

@test "sched:fork maps child and cpid to virtual ids and keeps the kernel id as kchild" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a sched:fork 0 0 child=777 cpid=777 flags=0
	0.000000002 500 500 a sched:fork 0 0 child=501 cpid=500 flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD
	0.000000003 777 777 a getpid 777 10
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000001 1 1 a sched:fork 0 0 child=2 cpid=2 flags=0 kchild=777'
	assert_line '0.000000002 1 1 a sched:fork 0 0 child=3 cpid=1 flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD kchild=501'
	assert_line '0.000000003 2 2 a getpid 777 10'
}

@test "a relative path is made absolute against the ior:cwd of the process" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/srv/db
	0.000000002 500 500 a openat 3 10 dirfd=AT_FDCWD path=data/x flags=O_RDONLY
	0.000000003 500 500 a stat 0 10 path=./y
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a openat 3 10 dirfd=AT_FDCWD path=/srv/db/data/x flags=O_RDONLY vfd=1 ofd=1 file=/srv/db/data/x'
	assert_line '0.000000003 1 1 a stat 0 10 path=/srv/db/y'
}

@test "chdir changes the base of later relative paths, a failed chdir does not" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/
	0.000000002 500 500 a chdir 0 10 path=home/u
	0.000000003 500 500 a chdir -2 10 path=nowhere err=ENOENT
	0.000000004 500 500 a open 3 10 path=notes flags=O_RDONLY
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a chdir 0 10 path=/home/u'
	assert_line '0.000000004 1 1 a open 3 10 path=/home/u/notes flags=O_RDONLY vfd=1 ofd=1 file=/home/u/notes'
}

@test "fchdir moves the cwd to the descriptor's directory" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a openat 4 10 dirfd=AT_FDCWD path=/var/lib flags=O_RDONLY|O_DIRECTORY
	0.000000002 500 500 a fchdir 0 10 fd=4
	0.000000003 500 500 a unlink 0 10 path=stale
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a unlink 0 10 path=/var/lib/stale'
}

@test "an openat relative to a directory descriptor is resolved against that directory" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/tmp
	0.000000002 500 500 a openat 7 10 dirfd=AT_FDCWD path=/etc flags=O_RDONLY|O_DIRECTORY
	0.000000003 500 500 a openat 8 10 dirfd=7 path=ssh/sshd_config flags=O_RDONLY
	0.000000004 500 500 a renameat 0 10 dirfd=7 path=a dirfd2=AT_FDCWD path2=b
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a openat 8 10 dirfd=7 path=/etc/ssh/sshd_config flags=O_RDONLY vfd=2 ofd=2 file=/etc/ssh/sshd_config'
	assert_line '0.000000004 1 1 a renameat 0 10 dirfd=7 path=/etc/a dirfd2=AT_FDCWD path2=/tmp/b'
}

@test "dot and dot-dot components are normalised, never above the root" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/srv/app
	0.000000002 500 500 a stat 0 10 path=../lib/./x//y/../z
	0.000000003 500 500 a stat 0 10 path=/../../etc/./passwd
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a stat 0 10 path=/srv/lib/x/z'
	assert_line '0.000000003 1 1 a stat 0 10 path=/etc/passwd'
}

@test "a path made longer than 4095 bytes by its directory is refused, as ior-gen would refuse it, naming the line" {
	local dir rel
	dir=/$(head -c 4000 /dev/zero | tr '\0' a)
	rel=$(head -c 200 /dev/zero | tr '\0' b)
	stream trace - > "$d/in" <<-EOF
	0.000000001 500 500 a ior:cwd 0 0 path=$dir
	0.000000002 500 500 a stat 0 10 path=$rel
	EOF
	run -3 --separate-stderr ior-map "$d/in"
	assert_equal "$stderr" "ior-map: $d/in:3: path: value longer than 4095 bytes"
}

@test "a metadata line of 65536 bytes, the most a line holds, passes through whole after the magic line" {
	local head="#meta x=" long
	long=$(head -c $((65536 - ${#head})) /dev/zero | tr '\0' a)
	stream trace - > "$d/in" <<-EOF
	$head$long
	0.000000001 500 500 a getpid 500 10
	EOF
	run -0 ior-map "$d/in"
	assert_line "$head$long"
}

@test "a relative path with an unknown cwd or dirfd is kept as captured and counted" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=rel/x flags=O_RDONLY
	0.000000002 500 500 a openat -2 10 dirfd=9 path=y flags=O_RDONLY err=ENOENT
	0.000000003 500 500 a open 4 10 path=/abs flags=O_RDONLY
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000001 1 1 a open 3 10 path=rel/x flags=O_RDONLY vfd=1 ofd=1'
	assert_line '0.000000002 1 1 a openat -2 10 dirfd=9 path=y flags=O_RDONLY err=ENOENT'
	assert_line --partial 'unknown_cwd=2'
}

@test "a forked child's table is a copy: same vfd, ofd and file, and its close leaves the parent's" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/d/f flags=O_RDWR
	0.000000002 500 500 p sched:fork 0 0 child=600 cpid=600 flags=0
	0.000000003 600 600 p read 10 10 fd=3 count=10
	0.000000004 600 600 p close 0 10 fd=3
	0.000000005 500 500 p write 10 10 fd=3 count=10
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 2 2 p read 10 10 fd=3 count=10 vfd=1 ofd=1 file=/d/f'
	assert_line '0.000000004 2 2 p close 0 10 fd=3 vfd=1 ofd=1 file=/d/f'
	assert_line '0.000000005 1 1 p write 10 10 fd=3 count=10 vfd=1 ofd=1 file=/d/f'
	assert_line --partial 'unknown_fd=0'
}

@test "a thread created with CLONE_FILES shares the table: its close is seen by the process" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/d/f flags=O_RDWR
	0.000000002 500 500 p sched:fork 0 0 child=501 cpid=500 flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD
	0.000000003 500 501 p close 0 10 fd=3
	0.000000004 500 500 p read -9 10 fd=3 count=10 err=EBADF
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 2 p close 0 10 fd=3 vfd=1 ofd=1 file=/d/f'
	assert_line '0.000000004 1 1 p read -9 10 fd=3 count=10 err=EBADF'
	assert_line --partial 'unknown_fd=1'
}

@test "a child without CLONE_FS keeps its own cwd, one with CLONE_FS shares it" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p ior:cwd 0 0 path=/a
	0.000000002 500 500 p sched:fork 0 0 child=600 cpid=600 flags=0
	0.000000003 500 500 p sched:fork 0 0 child=700 cpid=700 flags=CLONE_FS
	0.000000004 600 600 p chdir 0 10 path=/b
	0.000000005 700 700 p chdir 0 10 path=/c
	0.000000006 500 500 p stat 0 10 path=x
	0.000000007 600 600 p stat 0 10 path=x
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000006 1 1 p stat 0 10 path=/c/x'
	assert_line '0.000000007 2 2 p stat 0 10 path=/b/x'
}

@test "exec closes the O_CLOEXEC descriptors and keeps the others" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/keep flags=O_RDONLY
	0.000000002 500 500 p open 4 10 path=/drop flags=O_RDONLY|O_CLOEXEC
	0.000000003 500 500 p sched:exec 0 0 path=/bin/true
	0.000000004 500 500 true read 0 10 fd=3 count=1
	0.000000005 500 500 true read -9 10 fd=4 count=1 err=EBADF
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 1 true read 0 10 fd=3 count=1 vfd=1 ofd=1 file=/keep'
	assert_line '0.000000005 1 1 true read -9 10 fd=4 count=1 err=EBADF'
}

@test "exec in a task sharing its table with another process does not close the other's descriptors" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 4 10 path=/x flags=O_RDONLY|O_CLOEXEC
	0.000000002 500 500 p sched:fork 0 0 child=600 cpid=600 flags=CLONE_FILES
	0.000000003 600 600 p sched:exec 0 0 path=/bin/sh
	0.000000004 500 500 p read 0 10 fd=4 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 1 p read 0 10 fd=4 count=1 vfd=1 ofd=1 file=/x'
}

@test "a thread that executes keeps its virtual tid and takes its leader's kernel tid" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p sched:fork 0 0 child=501 cpid=500 flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD
	0.000000002 500 500 p sched:exit 0 0 code=0 group=0
	0.000000003 500 500 sh sched:exec 0 0 path=/bin/sh otid=501
	0.000000004 500 500 sh getpid 500 10
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 2 sh sched:exec 0 0 path=/bin/sh otid=2'
	assert_line '0.000000004 1 2 sh getpid 500 10'
}

@test "dup2 makes a new vfd on the same ofd and closes the target" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/log flags=O_WRONLY
	0.000000002 500 500 p open 1 10 path=/old flags=O_WRONLY
	0.000000003 500 500 p dup2 1 10 fd=3 fd2=1
	0.000000004 500 500 p write 5 10 fd=1 count=5
	0.000000005 500 500 p dup 5 10 fd=3
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 p dup2 1 10 fd=3 fd2=1 vfd=1 ofd=1 file=/log vfd2=3'
	assert_line '0.000000004 1 1 p write 5 10 fd=1 count=5 vfd=3 ofd=1 file=/log'
	assert_line '0.000000005 1 1 p dup 5 10 fd=3 vfd=1 ofd=1 file=/log vfd2=4'
	assert_line --partial 'implicit_close=0'
}

@test "dup3 with O_CLOEXEC makes a descriptor that exec closes" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/f flags=O_RDONLY
	0.000000002 500 500 p dup3 9 10 fd=3 fd2=9 flags=O_CLOEXEC
	0.000000003 500 500 p sched:exec 0 0 path=/bin/x
	0.000000004 500 500 x read 1 10 fd=3 count=1
	0.000000005 500 500 x read -9 10 fd=9 count=1 err=EBADF
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 1 x read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/f'
	assert_line '0.000000005 1 1 x read -9 10 fd=9 count=1 err=EBADF'
}

@test "an fd number reused after close gets a new vfd and ofd" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 p close 0 10 fd=3
	0.000000003 500 500 p open 3 10 path=/b flags=O_RDONLY
	0.000000004 500 500 p read 1 10 fd=3 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 1 p read 1 10 fd=3 count=1 vfd=2 ofd=2 file=/b'
}

@test "an open onto a descriptor still in the table replaces it and counts an implicit close" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 p open 3 10 path=/b flags=O_RDONLY
	0.000000003 500 500 p read 1 10 fd=3 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 p read 1 10 fd=3 count=1 vfd=2 ofd=2 file=/b'
	assert_line --partial 'implicit_close=1'
}

@test "ior:fd adds an already-open descriptor; a pipe name is kept and not written as file" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p ior:fd 0 0 fd=5 path=/var/log/x flags=O_WRONLY|O_APPEND offset=100
	0.000000002 500 500 p ior:fd 0 0 fd=0 path=pipe:[42] flags=O_RDONLY offset=0
	0.000000003 500 500 p write 10 10 fd=5 count=10
	0.000000004 500 500 p read 10 10 fd=0 count=10
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000001 1 1 p ior:fd 0 0 fd=5 path=/var/log/x flags=O_WRONLY|O_APPEND offset=100 vfd=1 ofd=1 file=/var/log/x'
	assert_line '0.000000003 1 1 p write 10 10 fd=5 count=10 vfd=1 ofd=1 file=/var/log/x'
	assert_line '0.000000004 1 1 p read 10 10 fd=0 count=10 vfd=2 ofd=2'
	assert_line --partial 'unknown_cwd=0'
}

@test "a descriptor not in the table gets no extra keys and is counted" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p read 1 10 fd=7 count=1
	0.000000002 500 500 p fstat 0 10 fd=8
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000001 1 1 p read 1 10 fd=7 count=1'
	assert_line '#stat ior-map records=2 written=2 filtered=0 unknown_fd=2 unknown_cwd=0 implicit_close=0 fixed_overflow=0'
}

@test "include and exclude keep file records by path, file or path2; others stay" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/data/a flags=O_RDONLY
	0.000000002 500 500 p open 4 10 path=/etc/b flags=O_RDONLY
	0.000000003 500 500 p read 1 10 fd=3 count=1
	0.000000004 500 500 p read 1 10 fd=4 count=1
	0.000000005 500 500 p rename 0 10 path=/tmp/t path2=/data/c
	0.000000006 500 500 p getpid 500 10
	0.000000007 500 500 p read 1 10 fd=3 count=1
	EOF
	run ior-map -i '^/data/' -x 'c$' "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f1)" "$(printf '0.000000001\n0.000000003\n0.000000006\n0.000000007')"
	assert_line --partial 'records=7 written=4 filtered=3'
	assert_line '#meta ior-map version=0.1.0 include=^/data/ exclude=c$'
}

@test "filters only choose what is written: the model sees every record" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/etc/skip flags=O_RDONLY
	0.000000002 500 500 p close 0 10 fd=3
	0.000000003 500 500 p open 3 10 path=/data/k flags=O_RDONLY
	0.000000004 500 500 p read 1 10 fd=3 count=1
	EOF
	run ior-map -x '^/etc' "$d/in"
	assert_success
	assert_line '0.000000004 1 1 p read 1 10 fd=3 count=1 vfd=2 ofd=2 file=/data/k'
	refute_line --partial '/etc/skip'
}

@test "comm filters drop other commands' records but never process structure" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 web\x20app ior:cwd 0 0 path=/
	0.000000002 500 500 web\x20app sched:fork 0 0 child=600 cpid=600 flags=0
	0.000000003 600 600 web\x20app sched:exec 0 0 path=/bin/gzip
	0.000000004 600 600 gzip read 1 10 fd=0 count=1
	0.000000005 500 500 web\x20app write 1 10 fd=1 count=1
	0.000000006 600 600 gzip sched:exit 0 0 code=0 group=1
	EOF
	run ior-map -c '^web app$' "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f1)" "$(printf '0.000000001\n0.000000002\n0.000000003\n0.000000005\n0.000000006')"
	run ior-map -X gzip "$d/in"
	assert_success
	refute_line --partial ' read '
	assert_line --partial 'filtered=1'
}

@test "escaped paths with spaces and backslashes survive mapping" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p ior:cwd 0 0 path=/home/my\x20docs
	0.000000002 500 500 p openat 3 10 dirfd=AT_FDCWD path=a\x5cb\x20c.txt flags=O_RDONLY
	0.000000003 500 500 p read 1 10 fd=3 count=1
	EOF
	run ior-map -i 'docs/a\\b c' "$d/in"
	assert_success
	assert_line '0.000000003 1 1 p read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/home/my\x20docs/a\x5cb\x20c.txt'
}

@test "metadata, unknown keys and unknown calls pass through; the magic line becomes map" {
	stream trace - > "$d/in" <<-'EOF'
	#meta ior-trace host=h1 kernel=6.18
	# a comment
	0.000000001 500 500 p frobnicate 0 10 colour=blue path=/x
	0.000000002 500 500 p open 3 10 path=/y flags=O_RDONLY zz=1
	#stat ior-trace events=2 drops=0
	EOF
	run ior-map "$d/in"
	assert_success
	assert_equal "${lines[0]}" '#ior 1 map'
	assert_equal "${lines[1]}" '#meta ior-trace host=h1 kernel=6.18'
	assert_equal "${lines[2]}" '# a comment'
	assert_equal "${lines[3]}" '#meta ior-map version=0.1.0'
	assert_line '0.000000001 1 1 p frobnicate 0 10 colour=blue path=/x'
	assert_line '0.000000002 1 1 p open 3 10 path=/y flags=O_RDONLY zz=1 vfd=1 ofd=1 file=/y'
	assert_line '#stat ior-trace events=2 drops=0'
	assert_equal "${lines[-1]}" '#stat ior-map records=2 written=2 filtered=0 unknown_fd=0 unknown_cwd=0 implicit_close=0 fixed_overflow=0'
}

@test "several files are one stream: the model carries over and repeated magic lines are dropped" {
	stream trace - > "$d/a" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/f flags=O_RDONLY
	EOF
	stream trace - > "$d/b" <<-'EOF'
	0.000000002 500 500 p read 1 10 fd=3 count=1
	EOF
	run ior-map "$d/a" "$d/b"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | grep -c '^#ior ')" 1
	assert_line '0.000000002 1 1 p read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/f'
	run ior-map < "$d/a"
	assert_success
	assert_line --partial 'records=1 '
}

@test "a map stream is refused" {
	stream map > "$d/m"
	run ior-map "$d/m"
	assert_failure 3
	assert_output --partial "$d/m:1:"
}

@test "usage: -h prints help and exits 0; a bad option or regex exits 2" {
	run ior-map -h
	assert_success
	assert_output --partial 'usage: ior-map'
	run ior-map --bogus
	assert_failure 2
	run ior-map -i '(' /dev/null
	assert_failure 2
	assert_output --partial '-i: missing closing parenthesis'
	run ior-map --version
	assert_success
	assert_output --partial 'ior-map (ior)'
}

@test "a missing file is a system error" {
	run ior-map "$d/nope"
	assert_failure 4
	assert_output --partial "$d/nope"
}

# ---- bad input: one line naming input and line, exit 3, earlier output kept ----

# Run ior-map on $1: it must exit 3 with one stderr line matching $2.
bad_input() {
	run --separate-stderr timeout 10 ior-map "$1"
	assert_failure 3
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" =~ ^ior-map:\ $1:$2 ]] || fail "stderr: $stderr"
}

@test "bad input: empty input" {
	: > "$d/in"
	bad_input "$d/in" '0: empty input'
	assert_output ''
}

@test "bad input: random bytes" {
	head -c 4096 /dev/urandom > "$d/in"
	bad_input "$d/in" '[0-9]+: '
}

@test "bad input: a truncated last line, after output for the lines before it" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p open 3 10 path=/f flags=O_RDONLY
	EOF
	printf '0.000000002 500 500 p read 1 10 fd=3' >> "$d/in"
	bad_input "$d/in" '3: truncated line'
	assert_line '0.000000001 1 1 p open 3 10 path=/f flags=O_RDONLY vfd=1 ofd=1 file=/f'
}

@test "bad input: a non-numeric fd, dirfd, child or bad flags" {
	for rec in 'read 1 10 fd=three count=1' 'openat 3 10 dirfd=x path=a' \
		   'sched:fork 0 0 child=q flags=0' 'open 3 10 path=/a flags=O_BOGUS'; do
		stream trace - > "$d/in" <<-EOF
		0.000000001 500 500 p getpid 500 10
		0.000000002 500 500 p $rec
		EOF
		bad_input "$d/in" '3: (fd|dirfd|child|flags): '
		assert_line '0.000000001 1 1 p getpid 500 10'
	done
}

@test "bad input: a NUL byte" {
	{ stream trace; printf '0.000000001 500 500 p read 1 10 fd=3\0 count=1\n'; } > "$d/in"
	bad_input "$d/in" '2: NUL byte in line'
	assert_output '#ior 1 map'
}

@test "bad input: a 1 MiB field" {
	{ stream trace; printf '0.000000001 500 500 p stat 0 10 path=/'; head -c 1048576 /dev/zero | tr '\0' a; echo; } > "$d/in"
	bad_input "$d/in" '2: line longer than [0-9]+ bytes$'
}

@test "bad input: a malformed escape in a path" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p stat 0 10 path=a\x4
	EOF
	bad_input "$d/in" '2: path: malformed escape'
}

@test "fstat done as newfstatat(fd, \"\", AT_EMPTY_PATH) is attributed to the descriptor" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/w
	0.000000002 500 500 a openat 3 10 dirfd=AT_FDCWD path=x flags=O_RDONLY mode=0
	0.000000003 500 500 a newfstatat 0 10 dirfd=3 path= flags=AT_EMPTY_PATH size=4 ft=reg
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a newfstatat 0 10 dirfd=3 path= flags=AT_EMPTY_PATH size=4 ft=reg vfd=1 ofd=1 file=/w/x'
}

@test "the link target a stat found (path2) is kept as captured" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/w
	0.000000002 500 500 a newfstatat 0 10 dirfd=AT_FDCWD path=link flags=AT_SYMLINK_NOFOLLOW size=10 ft=lnk path2=exists.txt
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line --partial 'path=/w/link flags=AT_SYMLINK_NOFOLLOW size=10 ft=lnk path2=exists.txt'
}

# ---- the rest of the file-I/O surface (issue 3) ----

@test "fcntl F_DUPFD makes a new vfd on the same ofd, F_DUPFD_CLOEXEC one that exec closes" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/f flags=O_RDWR
	0.000000002 500 500 a fcntl 10 10 fd=3 cmd=F_DUPFD arg=10
	0.000000003 500 500 a fcntl 11 10 fd=3 cmd=F_DUPFD_CLOEXEC arg=10
	0.000000004 500 500 a sched:exec 0 0 path=/bin/x
	0.000000005 500 500 x read 1 10 fd=10 count=1
	0.000000006 500 500 x read 1 10 fd=11 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a fcntl 10 10 fd=3 cmd=F_DUPFD arg=10 vfd=1 ofd=1 file=/f vfd2=2'
	assert_line '0.000000003 1 1 a fcntl 11 10 fd=3 cmd=F_DUPFD_CLOEXEC arg=10 vfd=1 ofd=1 file=/f vfd2=3'
	assert_line '0.000000005 1 1 x read 1 10 fd=10 count=1 vfd=2 ofd=1 file=/f'
	assert_line '0.000000006 1 1 x read 1 10 fd=11 count=1'
	assert_line --partial 'unknown_fd=1 '
}

@test "dup or F_DUPFD returning a descriptor still in the table counts an implicit close; dup2 onto one does not" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 a open 4 10 path=/b flags=O_RDONLY
	0.000000003 500 500 a dup2 4 10 fd=3 fd2=4
	0.000000004 500 500 a fcntl 4 10 fd=3 cmd=F_DUPFD arg=0
	0.000000005 500 500 a dup 4 10 fd=3
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 1 a fcntl 4 10 fd=3 cmd=F_DUPFD arg=0 vfd=1 ofd=1 file=/a vfd2=4'
	assert_line --partial ' implicit_close=2'
}

@test "fcntl F_SETFD sets and clears close-on-exec; F_SETFL and failed calls change nothing" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/keep flags=O_RDONLY|O_CLOEXEC
	0.000000002 500 500 a open 4 10 path=/gone flags=O_RDONLY
	0.000000003 500 500 a fcntl 0 10 fd=3 cmd=F_SETFD arg=0
	0.000000004 500 500 a fcntl 0 10 fd=4 cmd=F_SETFD arg=FD_CLOEXEC
	0.000000005 500 500 a fcntl 0 10 fd=4 cmd=F_SETFL arg=O_NONBLOCK
	0.000000006 500 500 a fcntl -9 10 fd=4 cmd=F_SETFD arg=0 err=EBADF
	0.000000007 500 500 a sched:exec 0 0 path=/bin/x
	0.000000008 500 500 x read 1 10 fd=3 count=1
	0.000000009 500 500 x read 1 10 fd=4 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000005 1 1 a fcntl 0 10 fd=4 cmd=F_SETFL arg=O_NONBLOCK vfd=2 ofd=2 file=/gone'
	assert_line '0.000000008 1 1 x read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/keep'
	assert_line '0.000000009 1 1 x read 1 10 fd=4 count=1'
}

@test "descriptors above 1023 are followed as the others: dup, fork, close_range, exec" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 a dup2 5000 10 fd=3 fd2=5000
	0.000000003 500 500 a dup3 6000 10 fd=3 fd2=6000 flags=O_CLOEXEC
	0.000000004 500 500 a sched:fork 0 0 child=501 cpid=501 flags=0
	0.000000005 500 500 a close_range 0 10 fd=4000 maxfd=5500 flags=0
	0.000000006 500 500 a read 1 10 fd=5000 count=1
	0.000000007 500 500 a read 1 10 fd=6000 count=1
	0.000000008 501 501 a read 1 10 fd=5000 count=1
	0.000000009 501 501 a sched:exec 0 0 path=/bin/true
	0.000000010 501 501 a read 1 10 fd=6000 count=1
	0.000000011 501 501 a read 1 10 fd=5000 count=1
	0.000000012 500 500 a close_range 0 10 fd=5999 maxfd=4294967295 flags=0
	0.000000013 500 500 a read 1 10 fd=6000 count=1
	EOF
	run -0 ior-map "$d/in"
	assert_line '0.000000006 1 1 a read 1 10 fd=5000 count=1'
	assert_line '0.000000007 1 1 a read 1 10 fd=6000 count=1 vfd=3 ofd=1 file=/a'
	assert_line '0.000000008 2 2 a read 1 10 fd=5000 count=1 vfd=2 ofd=1 file=/a'
	assert_line '0.000000010 2 2 a read 1 10 fd=6000 count=1'
	assert_line '0.000000011 2 2 a read 1 10 fd=5000 count=1 vfd=2 ofd=1 file=/a'
	assert_line '0.000000013 1 1 a read 1 10 fd=6000 count=1'
}

@test "close_range closes fd..maxfd, also with maxfd ~0U, and keeps the descriptors below" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 a open 4 10 path=/b flags=O_RDONLY
	0.000000003 500 500 a open 5 10 path=/c flags=O_RDONLY
	0.000000004 500 500 a open 9 10 path=/d flags=O_RDONLY
	0.000000005 500 500 a close_range 0 10 fd=4 maxfd=4 flags=0
	0.000000006 500 500 a close_range 0 10 fd=5 maxfd=4294967295 flags=0
	0.000000007 500 500 a read 1 10 fd=3 count=1
	0.000000008 500 500 a read 1 10 fd=4 count=1
	0.000000009 500 500 a read 1 10 fd=5 count=1
	0.000000010 500 500 a read 1 10 fd=9 count=1
	0.000000011 500 500 a open 4 10 path=/e flags=O_RDONLY
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000005 1 1 a close_range 0 10 fd=4 maxfd=4 flags=0'
	assert_line '0.000000007 1 1 a read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/a'
	assert_line '0.000000008 1 1 a read 1 10 fd=4 count=1'
	assert_line '0.000000009 1 1 a read 1 10 fd=5 count=1'
	assert_line '0.000000010 1 1 a read 1 10 fd=9 count=1'
	assert_line --partial 'unknown_fd=3 unknown_cwd=0 implicit_close=0'
}

@test "close_range with CLOSE_RANGE_CLOEXEC marks the descriptors for exec instead of closing them" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 a open 4 10 path=/b flags=O_RDONLY
	0.000000003 500 500 a close_range 0 10 fd=4 maxfd=4294967295 flags=CLOSE_RANGE_CLOEXEC
	0.000000004 500 500 a read 1 10 fd=4 count=1
	0.000000005 500 500 a sched:exec 0 0 path=/bin/x
	0.000000006 500 500 x read 1 10 fd=3 count=1
	0.000000007 500 500 x read 1 10 fd=4 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 1 a read 1 10 fd=4 count=1 vfd=2 ofd=2 file=/b'
	assert_line '0.000000006 1 1 x read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/a'
	assert_line '0.000000007 1 1 x read 1 10 fd=4 count=1'
}

@test "close_range with CLOSE_RANGE_UNSHARE closes only in the caller's own copy of a shared table" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 a sched:fork 0 0 child=501 cpid=500 flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD
	0.000000003 500 501 a close_range 0 10 fd=3 maxfd=4294967295 flags=CLOSE_RANGE_UNSHARE
	0.000000004 500 501 a read 1 10 fd=3 count=1
	0.000000005 500 500 a read 1 10 fd=3 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 2 a read 1 10 fd=3 count=1'
	assert_line '0.000000005 1 1 a read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/a'
}

@test "unshare(CLONE_FILES) gives a thread its own table, unshare(CLONE_FS) its own cwd" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/w
	0.000000002 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000003 500 500 a sched:fork 0 0 child=501 cpid=500 flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD
	0.000000004 500 501 a unshare 0 10 flags=CLONE_FILES|CLONE_FS
	0.000000005 500 501 a close 0 10 fd=3
	0.000000006 500 501 a chdir 0 10 path=/t
	0.000000007 500 500 a read 1 10 fd=3 count=1
	0.000000008 500 500 a stat 0 10 path=x
	0.000000009 500 501 a stat 0 10 path=x
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000007 1 1 a read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/a'
	assert_line '0.000000008 1 1 a stat 0 10 path=/w/x'
	assert_line '0.000000009 1 2 a stat 0 10 path=/t/x'
}

@test "a failed unshare shares as before" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 a sched:fork 0 0 child=501 cpid=500 flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD
	0.000000003 500 501 a unshare -1 10 flags=CLONE_FILES err=EPERM
	0.000000004 500 501 a close 0 10 fd=3
	0.000000005 500 500 a read 1 10 fd=3 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000005 1 1 a read 1 10 fd=3 count=1'
}

@test "memfd_create adds a descriptor with vfd and ofd but no file; its name is not joined" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/w
	0.000000002 500 500 a memfd_create 3 10 path=buf flags=MFD_CLOEXEC
	0.000000003 500 500 a write 5 10 fd=3 count=5
	0.000000004 500 500 a memfd_create 4 10 path=keep flags=0
	0.000000005 500 500 a sched:exec 0 0 path=/bin/x
	0.000000006 500 500 x write 5 10 fd=3 count=5
	0.000000007 500 500 x write 5 10 fd=4 count=5
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a memfd_create 3 10 path=buf flags=MFD_CLOEXEC vfd=1 ofd=1'
	assert_line '0.000000003 1 1 a write 5 10 fd=3 count=5 vfd=1 ofd=1'
	assert_line '0.000000006 1 1 x write 5 10 fd=3 count=5'
	assert_line '0.000000007 1 1 x write 5 10 fd=4 count=5 vfd=2 ofd=2'
}

@test "filters see a memfd's descriptor as memfd:NAME" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a memfd_create 3 10 path=buf flags=0
	0.000000002 500 500 a write 5 10 fd=3 count=5
	0.000000003 500 500 a open 4 10 path=/f flags=O_RDONLY
	0.000000004 500 500 a read 5 10 fd=4 count=5
	EOF
	run ior-map -x '^memfd:buf$' "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f5)" "$(printf 'open\nread')"
}

@test "open_by_handle_at adds a descriptor on its path; the mount descriptor gets no keys" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a openat 3 10 dirfd=AT_FDCWD path=/mnt flags=O_RDONLY|O_DIRECTORY
	0.000000002 500 500 a open_by_handle_at 4 10 fd=3 flags=O_RDONLY|O_CLOEXEC path=/mnt/data/x ino=12 size=3 ft=reg fs=ext4
	0.000000003 500 500 a read 3 10 fd=4 count=3
	0.000000004 500 500 a open_by_handle_at -116 10 fd=3 flags=O_RDONLY err=ESTALE
	0.000000005 500 500 a sched:exec 0 0 path=/bin/x
	0.000000006 500 500 x read 3 10 fd=4 count=3
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a open_by_handle_at 4 10 fd=3 flags=O_RDONLY|O_CLOEXEC path=/mnt/data/x ino=12 size=3 ft=reg fs=ext4 vfd=2 ofd=2 file=/mnt/data/x'
	assert_line '0.000000003 1 1 a read 3 10 fd=4 count=3 vfd=2 ofd=2 file=/mnt/data/x'
	assert_line '0.000000004 1 1 a open_by_handle_at -116 10 fd=3 flags=O_RDONLY err=ESTALE'
	assert_line '0.000000006 1 1 x read 3 10 fd=4 count=3'
}

@test "recvmsg with rights passes; the ior:fd records after it add the received descriptors" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:fd 0 0 fd=5 path=socket:[77] flags=O_RDWR offset=0
	0.000000002 500 500 a recvmsg 1 10 fd=5 rights=6
	0.000000003 500 500 a ior:fd 0 0 fd=6 path=/srv/shared flags=O_RDONLY offset=0
	0.000000004 500 500 a read 4 10 fd=6 count=4
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a recvmsg 1 10 fd=5 rights=6 vfd=1 ofd=1'
	assert_line '0.000000004 1 1 a read 4 10 fd=6 count=4 vfd=2 ofd=2 file=/srv/shared'
}

@test "a vfork child gets a copy of the table like a forked one" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 a sched:fork 0 0 child=600 cpid=600 flags=CLONE_VM
	0.000000003 600 600 a close 0 10 fd=3
	0.000000004 500 500 a vfork 600 10
	0.000000005 500 500 a read 1 10 fd=3 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 2 2 a close 0 10 fd=3 vfd=1 ofd=1 file=/a'
	assert_line '0.000000004 1 1 a vfork 600 10'
	assert_line '0.000000005 1 1 a read 1 10 fd=3 count=1 vfd=1 ofd=1 file=/a'
}

@test "copy_file_range, sendfile64 and splice get vfd2, ofd2 and file2 for fd2" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/src flags=O_RDONLY
	0.000000002 500 500 a open 4 10 path=/dst flags=O_WRONLY|O_CREAT mode=0644
	0.000000003 500 500 a copy_file_range 100 10 fd=3 fd2=4 count=100 flags=0
	0.000000004 500 500 a sendfile64 100 10 fd2=4 fd=3 offset=0 count=100
	0.000000005 500 500 a splice 100 10 fd=3 offset=0 fd2=9 count=100 flags=0
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a copy_file_range 100 10 fd=3 fd2=4 count=100 flags=0 vfd=1 ofd=1 file=/src vfd2=2 ofd2=2 file2=/dst'
	assert_line '0.000000004 1 1 a sendfile64 100 10 fd2=4 fd=3 offset=0 count=100 vfd=1 ofd=1 file=/src vfd2=2 ofd2=2 file2=/dst'
	assert_line '0.000000005 1 1 a splice 100 10 fd=3 offset=0 fd2=9 count=100 flags=0 vfd=1 ofd=1 file=/src'
	assert_line --partial 'unknown_fd=1 '
}

@test "dup2's vfd2 stays the new descriptor's: no ofd2 or file2" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY
	0.000000002 500 500 a open 4 10 path=/b flags=O_RDONLY
	0.000000003 500 500 a dup2 4 10 fd=3 fd2=4
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a dup2 4 10 fd=3 fd2=4 vfd=1 ofd=1 file=/a vfd2=3'
}

@test "the include filter keeps a copy by its destination file" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/src flags=O_RDONLY
	0.000000002 500 500 a open 4 10 path=/keep/dst flags=O_WRONLY
	0.000000003 500 500 a copy_file_range 100 10 fd=3 fd2=4 count=100 flags=0
	EOF
	run ior-map -i '^/keep/' "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f5)" "$(printf 'open\ncopy_file_range')"
}

# 0x7f0000000000 is 139637976727552.
@test "munmap, msync and madvise get the keys of the file mapping their range starts in" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/db flags=O_RDWR
	0.000000002 500 500 a mmap 139637976727552 10 addr=0 len=16384 prot=PROT_READ|PROT_WRITE flags=MAP_SHARED fd=3 offset=0
	0.000000003 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	0.000000004 500 500 a madvise 0 10 addr=7f0000003000 len=100 advice=MADV_DONTNEED
	0.000000005 500 500 a msync 0 10 addr=0x7f0000004000 len=4096 flags=MS_SYNC
	0.000000006 500 500 a madvise 0 10 addr=0x7effffffe000 len=12288 advice=MADV_WILLNEED
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a mmap 139637976727552 10 addr=0 len=16384 prot=PROT_READ|PROT_WRITE flags=MAP_SHARED fd=3 offset=0 vfd=1 ofd=1 file=/db'
	assert_line '0.000000003 1 1 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/db'
	assert_line '0.000000004 1 1 a madvise 0 10 addr=7f0000003000 len=100 advice=MADV_DONTNEED vfd=1 ofd=1 file=/db'
	assert_line '0.000000005 1 1 a msync 0 10 addr=0x7f0000004000 len=4096 flags=MS_SYNC'
	assert_line '0.000000006 1 1 a madvise 0 10 addr=0x7effffffe000 len=12288 advice=MADV_WILLNEED vfd=1 ofd=1 file=/db'
}

@test "filters treat munmap, msync and madvise in a file mapping as records of its file" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/other flags=O_RDWR
	0.000000002 500 500 a mmap 139637976727552 10 addr=0 len=4096 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0
	0.000000003 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	0.000000004 500 500 a munmap 0 10 addr=0x10000 len=4096
	EOF
	run ior-map -i '^/keep' "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f5)" munmap
}

@test "munmap of the middle of a mapping splits it; a full munmap removes it" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/db flags=O_RDWR
	0.000000002 500 500 a mmap 139637976727552 10 addr=0 len=16384 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0
	0.000000003 500 500 a munmap 0 10 addr=0x7f0000001000 len=4096
	0.000000004 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	0.000000005 500 500 a msync 0 10 addr=0x7f0000001000 len=4096 flags=MS_SYNC
	0.000000006 500 500 a msync 0 10 addr=0x7f0000002000 len=8192 flags=MS_SYNC
	0.000000007 500 500 a munmap 0 10 addr=0x7f0000000000 len=16384
	0.000000008 500 500 a msync 0 10 addr=0x7f0000000000 len=16384 flags=MS_SYNC
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a munmap 0 10 addr=0x7f0000001000 len=4096 vfd=1 ofd=1 file=/db'
	assert_line '0.000000004 1 1 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/db'
	assert_line '0.000000005 1 1 a msync 0 10 addr=0x7f0000001000 len=4096 flags=MS_SYNC'
	assert_line '0.000000006 1 1 a msync 0 10 addr=0x7f0000002000 len=8192 flags=MS_SYNC vfd=1 ofd=1 file=/db'
	assert_line '0.000000007 1 1 a munmap 0 10 addr=0x7f0000000000 len=16384 vfd=1 ofd=1 file=/db'
	assert_line '0.000000008 1 1 a msync 0 10 addr=0x7f0000000000 len=16384 flags=MS_SYNC'
}

@test "a mapping outlives its descriptor's close; a mapping inside it (MAP_FIXED) replaces that part" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDWR
	0.000000002 500 500 a mmap 139637976727552 10 addr=0 len=12288 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0
	0.000000003 500 500 a close 0 10 fd=3
	0.000000004 500 500 a open 3 10 path=/b flags=O_RDWR
	0.000000005 500 500 a msync 0 10 addr=0x7f0000001000 len=4096 flags=MS_SYNC
	0.000000006 500 500 a mmap 139637976731648 10 addr=0x7f0000001000 len=4096 prot=PROT_READ flags=MAP_SHARED|MAP_FIXED fd=3 offset=0
	0.000000007 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	0.000000008 500 500 a msync 0 10 addr=0x7f0000001000 len=4096 flags=MS_SYNC
	0.000000009 500 500 a msync 0 10 addr=0x7f0000002000 len=4096 flags=MS_SYNC
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000005 1 1 a msync 0 10 addr=0x7f0000001000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
	assert_line '0.000000007 1 1 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
	assert_line '0.000000008 1 1 a msync 0 10 addr=0x7f0000001000 len=4096 flags=MS_SYNC vfd=2 ofd=2 file=/b'
	assert_line '0.000000009 1 1 a msync 0 10 addr=0x7f0000002000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
}

@test "the pieces of a split mapping keep its file after the descriptor and the other piece are gone" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDWR
	0.000000002 500 500 a mmap 139637976727552 10 addr=0 len=12288 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0
	0.000000003 500 500 a close 0 10 fd=3
	0.000000004 500 500 a munmap 0 10 addr=0x7f0000001000 len=4096
	0.000000005 500 500 a munmap 0 10 addr=0x7f0000002000 len=4096
	0.000000006 500 500 a open 3 10 path=/b flags=O_RDWR
	0.000000007 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000007 1 1 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
}

@test "munmap's length is rounded up to pages: unmapping 100 bytes unmaps the page" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDWR
	0.000000002 500 500 a mmap 139637976727552 10 addr=0 len=4096 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0
	0.000000003 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	0.000000004 500 500 a munmap 0 10 addr=0x7f0000000000 len=100
	0.000000005 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
	assert_line '0.000000005 1 1 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC'
}

@test "mappings belong to the process: threads share them, a forked child copies them, exec clears them" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDWR
	0.000000002 500 500 a mmap 139637976727552 10 addr=0 len=8192 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0
	0.000000003 500 500 a sched:fork 0 0 child=501 cpid=500 flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_THREAD
	0.000000004 500 501 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	0.000000005 500 500 a sched:fork 0 0 child=600 cpid=600 flags=0
	0.000000006 500 501 a munmap 0 10 addr=0x7f0000000000 len=8192
	0.000000007 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	0.000000008 600 600 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	0.000000009 600 600 a sched:exec 0 0 path=/bin/x
	0.000000010 600 600 x msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 2 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
	assert_line '0.000000007 1 1 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC'
	assert_line '0.000000008 3 3 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
	assert_line '0.000000010 3 3 x msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC'
}

@test "a failed mmap or munmap changes no mapping" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/a flags=O_RDWR
	0.000000002 500 500 a mmap -13 10 addr=0 len=8192 prot=PROT_WRITE flags=MAP_SHARED fd=3 offset=0 err=EACCES
	0.000000003 500 500 a msync 0 10 addr=0x0 len=4096 flags=MS_SYNC
	0.000000004 500 500 a mmap 139637976727552 10 addr=0 len=8192 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0
	0.000000005 500 500 a munmap -22 10 addr=0x7f0000000000 len=0 err=EINVAL
	0.000000006 500 500 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a msync 0 10 addr=0x0 len=4096 flags=MS_SYNC'
	assert_line '0.000000006 1 1 a msync 0 10 addr=0x7f0000000000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
}

@test "mappings at falling addresses cost each a few steps, not a move of all the others: 500000 end in seconds" {
	# each mmap below the others used to move them all (10^11 steps)
	awk 'BEGIN {
		print "#ior 1 trace"
		print "0.000000001 500 500 a open 3 10 path=/a flags=O_RDONLY"
		for (i = 500000; i > 0; i--)
			printf "0.000000002 500 500 a mmap %d 10 addr=0 len=4096 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0\n", i * 8192
		print "0.000000003 500 500 a msync 0 10 addr=2000 len=4096 flags=MS_SYNC"
	}' > "$d/in"
	timeout 60 ior-map "$d/in" > "$d/out"
	run -0 tail -n 2 "$d/out"
	assert_line '0.000000003 1 1 a msync 0 10 addr=2000 len=4096 flags=MS_SYNC vfd=1 ofd=1 file=/a'
}

# Max RSS in KB of ior-map on a stream of $1 open, mmap, close, munmap rounds.
map_rounds_rss() {
	{
		stream trace
		awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
			printf "0.000000001 500 500 a open 3 10 path=/data/file%d flags=O_RDWR\n", i
			printf "0.000000002 500 500 a mmap %d 10 addr=0 len=4096 prot=PROT_READ flags=MAP_SHARED fd=3 offset=0\n", 4096 * (i + 1)
			print "0.000000003 500 500 a close 0 10 fd=3"
			printf "0.000000004 500 500 a munmap 0 10 addr=%x len=4096\n", 4096 * (i + 1)
		} }'
	} > "$d/rounds"
	/usr/bin/time -f '%M' ior-map "$d/rounds" 2>&1 >/dev/null
}

@test "memory stays bounded by live mappings over many mmap and munmap pairs" {
	small=$(map_rounds_rss 1000)
	big=$(map_rounds_rss 100000)
	(( big - small < 2000 )) || fail "max RSS ${small} KB for 1000 rounds, ${big} KB for 100000"
}

@test "new calls resolve path2 against dirfd2; link targets, readlink results, getcwd and memfd names are not joined" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a ior:cwd 0 0 path=/w
	0.000000002 500 500 a openat 5 10 dirfd=AT_FDCWD path=/d flags=O_RDONLY|O_DIRECTORY
	0.000000003 500 500 a linkat 0 10 dirfd=AT_FDCWD path=a dirfd2=5 path2=b flags=0
	0.000000004 500 500 a symlinkat 0 10 path=../t dirfd2=5 path2=l
	0.000000005 500 500 a readlinkat 4 10 dirfd=5 path=l count=64 path2=../t
	0.000000006 500 500 a readlink 4 10 path=l count=64 path2=../t
	0.000000007 500 500 a getcwd 3 10 count=4096 path=/w
	0.000000008 500 500 a memfd_create 6 10 path=x flags=0
	0.000000009 500 500 a fchownat 0 10 dirfd=5 path=c uid=0 gid=-1 flags=0
	0.000000010 500 500 a mknodat 0 10 dirfd=AT_FDCWD path=p mode=010644 rdev=0:0
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 a linkat 0 10 dirfd=AT_FDCWD path=/w/a dirfd2=5 path2=/d/b flags=0'
	assert_line '0.000000004 1 1 a symlinkat 0 10 path=../t dirfd2=5 path2=/d/l'
	assert_line '0.000000005 1 1 a readlinkat 4 10 dirfd=5 path=/d/l count=64 path2=../t'
	assert_line '0.000000006 1 1 a readlink 4 10 path=/w/l count=64 path2=../t'
	assert_line '0.000000007 1 1 a getcwd 3 10 count=4096 path=/w'
	assert_line '0.000000008 1 1 a memfd_create 6 10 path=x flags=0 vfd=2 ofd=2'
	assert_line '0.000000009 1 1 a fchownat 0 10 dirfd=5 path=/d/c uid=0 gid=-1 flags=0'
	assert_line '0.000000010 1 1 a mknodat 0 10 dirfd=AT_FDCWD path=/w/p mode=010644 rdev=0:0'
	assert_line --partial 'unknown_cwd=0 '
}

@test "getcwd sets an unknown cwd and leaves a known one" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a getcwd 3 10 count=4096 path=/w
	0.000000002 500 500 a stat 0 10 path=x
	0.000000003 600 600 b ior:cwd 0 0 path=/v
	0.000000004 600 600 b getcwd 3 10 count=4096 path=/u
	0.000000005 600 600 b stat 0 10 path=x
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000002 1 1 a stat 0 10 path=/w/x'
	assert_line '0.000000005 2 2 b stat 0 10 path=/v/x'
}

@test "calls on a descriptor (fchmod, fchown, fsetxattr, fstatfs, fallocate, flock, getdents64, futimens) get its keys" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 a open 3 10 path=/f flags=O_RDWR
	0.000000002 500 500 a fchmod 0 10 fd=3 mode=0600
	0.000000003 500 500 a fchown 0 10 fd=3 uid=0 gid=0
	0.000000004 500 500 a fsetxattr 0 10 fd=3 name=user.k count=1 flags=0
	0.000000005 500 500 a fstatfs 0 10 fd=3
	0.000000006 500 500 a fallocate 0 10 fd=3 flags=0 offset=0 len=4096
	0.000000007 500 500 a flock 0 10 fd=3 op=LOCK_EX
	0.000000008 500 500 a getdents64 0 10 fd=3 count=4096
	0.000000009 500 500 a utimensat 0 10 dirfd=3 path= flags=0 atime=now mtime=now
	0.000000010 500 500 a fcntl 0 10 fd=3 cmd=F_SETLK ltype=F_WRLCK whence=SEEK_SET offset=0 len=0
	EOF
	run ior-map "$d/in"
	assert_success
	assert_equal "$(records | grep -c ' vfd=1 ofd=1 file=/f$')" 10
}

@test "bad input: a non-hex addr, a bad fcntl cmd, a close_range without maxfd" {
	for rec in 'msync 0 10 addr=0xzz len=1 flags=MS_SYNC' 'fcntl 0 10 fd=3 cmd=F_BOGUS' \
		   'close_range 0 10 fd=3 flags=0' 'munmap 0 10 addr=0x1 len=-4'; do
		stream trace - > "$d/in" <<-EOF
		0.000000001 500 500 p getpid 500 10
		0.000000002 500 500 p $rec
		EOF
		bad_input "$d/in" '3: (addr|cmd|maxfd|len): '
		assert_line '0.000000001 1 1 p getpid 500 10'
	done
}

@test "a path through /proc/self/fd/N names the descriptor's file" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 tar ior:cwd 0 0 path=/w
	0.000000002 500 500 tar openat 4 10 dirfd=AT_FDCWD path=out/dir flags=O_RDONLY|O_DIRECTORY mode=0
	0.000000003 500 500 tar chmod 0 10 path=/proc/self/fd/4 mode=0755
	0.000000004 500 500 tar openat 5 10 dirfd=AT_FDCWD path=/proc/thread-self/fd/4/f flags=O_RDONLY mode=0
	0.000000005 500 500 tar chmod -2 10 path=/proc/self/fd/9 mode=0755 err=ENOENT
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 tar chmod 0 10 path=/w/out/dir mode=0755'
	assert_line --partial 'openat 5 10 dirfd=AT_FDCWD path=/w/out/dir/f '
	# An unknown descriptor leaves the path as it was.
	assert_line '0.000000005 1 1 tar chmod -2 10 path=/proc/self/fd/9 mode=0755 err=ENOENT'
}

# ---- io_uring: the ring is a descriptor with a table of registered files ----

# The value of KEY on the records of the last run whose CALL is $2 (one per line).
key_of() {	# KEY CALL
	records | awk -v k="$1" -v c="$2" '$5 == c { v = "-"
		for (i = 8; i <= NF; i++) if (index($i, k "=") == 1) v = substr($i, length(k) + 2)
		print v }'
}

@test "io_uring_setup adds the ring as a descriptor without file; exec closes it; io_setup adds none" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p io_setup 0 10 nr=8 ctx=0x7f0000
	0.000000002 500 500 p io_uring_setup 3 10 entries=8 flags=0 sq=8 cq=16
	0.000000003 500 500 p io_uring_enter 1 10 fd=3 to_submit=1 min_complete=0 flags=0 sub=1
	0.000000004 500 500 p sched:exec 0 0 path=/bin/x
	0.000000005 500 500 p io_uring_enter 1 10 fd=3 to_submit=1 min_complete=0 flags=0 sub=2
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000001 1 1 p io_setup 0 10 nr=8 ctx=0x7f0000'
	assert_line '0.000000002 1 1 p io_uring_setup 3 10 entries=8 flags=0 sq=8 cq=16 vfd=1 ofd=1'
	assert_line '0.000000003 1 1 p io_uring_enter 1 10 fd=3 to_submit=1 min_complete=0 flags=0 sub=1 vfd=1 ofd=1'
	assert_line '0.000000005 1 1 p io_uring_enter 1 10 fd=3 to_submit=1 min_complete=0 flags=0 sub=2'
	assert_line --partial 'unknown_fd=1 '
}

@test "a registered file keeps its file after its descriptor is closed; register gets vfds" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p io_uring_setup 3 10 entries=8 flags=0
	0.000000002 500 500 p openat 4 10 dirfd=AT_FDCWD path=/srv/a flags=O_RDWR mode=0
	0.000000003 500 500 p openat 5 10 dirfd=AT_FDCWD path=/srv/b flags=O_RDWR mode=0
	0.000000004 500 500 p io_uring_register 0 10 fd=3 opcode=IORING_REGISTER_FILES nr=3 fds=4,-1,5
	0.000000005 500 500 p close 0 10 fd=4
	0.000000006 500 500 p uring:read 10 10 ring=3 fixed=0 offset=0 count=10 sqe_flags=IOSQE_FIXED_FILE user_data=0x1 exec=inline sub=1
	0.000000007 500 500 p uring:read 10 10 ring=3 fixed=2 offset=0 count=10 sqe_flags=IOSQE_FIXED_FILE user_data=0x2 exec=iowq sub=1
	0.000000008 500 500 p uring:read 10 10 ring=3 fixed=1 offset=0 count=10 sqe_flags=IOSQE_FIXED_FILE user_data=0x3 exec=inline sub=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000004 1 1 p io_uring_register 0 10 fd=3 opcode=IORING_REGISTER_FILES nr=3 fds=4,-1,5 vfd=1 ofd=1 vfds=2,-1,3'
	assert_equal "$(key_of file uring:read)" "$(printf '/srv/a\n/srv/b\n-')"
	assert_equal "$(key_of vfd uring:read)" "$(printf '2\n3\n-')"
	assert_line --partial 'unknown_fd=1 '
}

@test "a files update replaces the slots from offset, skips -2 and empties -1; a failed one changes nothing" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p io_uring_setup 3 10 entries=8 flags=0
	0.000000002 500 500 p openat 4 10 dirfd=AT_FDCWD path=/a flags=O_RDWR mode=0
	0.000000003 500 500 p openat 5 10 dirfd=AT_FDCWD path=/b flags=O_RDWR mode=0
	0.000000004 500 500 p io_uring_register 0 10 fd=3 opcode=IORING_REGISTER_FILES2 nr=3 fds=4,4,4
	0.000000005 500 500 p io_uring_register 3 10 fd=3 opcode=IORING_REGISTER_FILES_UPDATE nr=3 offset=0 fds=5,-2,-1
	0.000000006 500 500 p io_uring_register -9 10 fd=3 opcode=IORING_REGISTER_FILES_UPDATE2 nr=1 offset=1 fds=5 err=EBADF
	0.000000007 500 500 p uring:write 1 10 ring=3 fixed=0 offset=0 count=1 sqe_flags=IOSQE_FIXED_FILE user_data=0x1 exec=inline sub=1
	0.000000008 500 500 p uring:write 1 10 ring=3 fixed=1 offset=0 count=1 sqe_flags=IOSQE_FIXED_FILE user_data=0x1 exec=inline sub=1
	0.000000009 500 500 p uring:write 1 10 ring=3 fixed=2 offset=0 count=1 sqe_flags=IOSQE_FIXED_FILE user_data=0x1 exec=inline sub=1
	0.000000010 500 500 p io_uring_register 0 10 fd=3 opcode=IORING_UNREGISTER_FILES nr=0
	0.000000011 500 500 p uring:write 1 10 ring=3 fixed=0 offset=0 count=1 sqe_flags=IOSQE_FIXED_FILE user_data=0x1 exec=inline sub=2
	EOF
	run ior-map "$d/in"
	assert_success
	assert_equal "$(key_of file uring:write)" "$(printf '/b\n/a\n-\n-')"
	assert_equal "$(key_of vfds io_uring_register)" "$(printf '2,2,2\n3,-1,-1\n3\n-')"
}

@test "uring:openat and uring:close open and close descriptors: a number reused by openat gets the new file" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p ior:cwd 0 0 path=/srv
	0.000000002 500 500 p io_uring_setup 3 10 entries=8 flags=0
	0.000000003 500 500 p uring:openat 4 10 ring=3 dirfd=AT_FDCWD path=c flags=O_RDONLY|O_CLOEXEC mode=0 sqe_flags=0 user_data=0x1 exec=inline sub=1
	0.000000004 500 500 p uring:read 5 10 ring=3 fd=4 offset=0 count=5 sqe_flags=0 user_data=0x2 exec=inline sub=1
	0.000000005 500 500 p uring:close 0 10 ring=3 fd=4 sqe_flags=0 user_data=0x3 exec=inline sub=2
	0.000000006 500 500 p openat 4 10 dirfd=AT_FDCWD path=d flags=O_RDONLY mode=0
	0.000000007 500 500 p read 1 10 fd=4 count=1
	0.000000008 500 500 p close 0 10 fd=4
	0.000000009 500 500 p uring:openat 4 10 ring=3 dirfd=AT_FDCWD path=e flags=O_RDONLY mode=0 sqe_flags=0 user_data=0x4 exec=iowq sub=3
	0.000000010 500 500 p read 1 10 fd=4 count=1
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line '0.000000003 1 1 p uring:openat 4 10 ring=3 dirfd=AT_FDCWD path=/srv/c flags=O_RDONLY|O_CLOEXEC mode=0 sqe_flags=0 user_data=0x1 exec=inline sub=1 vfd=2 ofd=2 file=/srv/c'
	assert_equal "$(key_of file uring:read)" /srv/c
	assert_equal "$(key_of file read)" "$(printf '/srv/d\n/srv/e')"
	assert_line --partial 'unknown_fd=0 unknown_cwd=0 implicit_close=0 '
}

@test "uring:openat with slot installs a registered file; uring:close with fixed removes it" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p io_uring_setup 3 10 entries=8 flags=0
	0.000000002 500 500 p io_uring_register 0 10 fd=3 opcode=IORING_REGISTER_FILES nr=8 fds=-1,-1,-1,-1,-1,-1,-1,-1
	0.000000003 500 500 p uring:openat 0 10 ring=3 dirfd=AT_FDCWD path=/srv/e flags=O_RDWR mode=0 slot=5 sqe_flags=0 user_data=0x1 exec=inline sub=1
	0.000000004 500 500 p uring:read 3 10 ring=3 fixed=5 offset=0 count=3 sqe_flags=IOSQE_FIXED_FILE user_data=0x2 exec=inline sub=1
	0.000000005 500 500 p read 1 10 fd=4 count=1
	0.000000006 500 500 p uring:close 0 10 ring=3 fixed=5 sqe_flags=0 user_data=0x3 exec=inline sub=2
	0.000000007 500 500 p uring:read 3 10 ring=3 fixed=5 offset=0 count=3 sqe_flags=IOSQE_FIXED_FILE user_data=0x4 exec=inline sub=3
	EOF
	run ior-map "$d/in"
	assert_success
	assert_line --partial 'uring:openat 0 10 ring=3 dirfd=AT_FDCWD path=/srv/e flags=O_RDWR mode=0 slot=5 sqe_flags=0 user_data=0x1 exec=inline sub=1 vfd=2 ofd=2 file=/srv/e'
	assert_equal "$(key_of file uring:read)" "$(printf '/srv/e\n-')"
	assert_equal "$(key_of file uring:close)" /srv/e
	assert_equal "$(key_of vfd read)" -
	assert_line --partial 'unknown_fd=2 '
}

@test "closing the ring drops its table: a fixed request on a new ring at the same number has no file" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p io_uring_setup 3 10 entries=8 flags=0
	0.000000002 500 500 p openat 4 10 dirfd=AT_FDCWD path=/a flags=O_RDWR mode=0
	0.000000003 500 500 p io_uring_register 0 10 fd=3 opcode=IORING_REGISTER_FILES nr=1 fds=4
	0.000000004 500 500 p sched:fork 0 0 child=600 cpid=600 flags=0
	0.000000005 500 500 p close 0 10 fd=3
	0.000000006 600 600 p uring:read 1 10 ring=3 fixed=0 offset=0 count=1 sqe_flags=IOSQE_FIXED_FILE user_data=0x1 exec=inline sub=1
	0.000000007 600 600 p close 0 10 fd=3
	0.000000008 500 500 p io_uring_setup 3 10 entries=8 flags=0
	0.000000009 500 500 p uring:read 1 10 ring=3 fixed=0 offset=0 count=1 sqe_flags=IOSQE_FIXED_FILE user_data=0x2 exec=inline sub=2
	EOF
	run ior-map "$d/in"
	assert_success
	assert_equal "$(key_of file uring:read)" "$(printf '/a\n-')"
	assert_line --partial 'unknown_fd=1 '
}

@test "io_uring_setup, io_uring_enter and io_uring_register pass the path filters" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p io_uring_setup 3 10 entries=8 flags=0
	0.000000002 500 500 p openat 4 10 dirfd=AT_FDCWD path=/keep/a flags=O_RDWR mode=0
	0.000000003 500 500 p io_uring_register 0 10 fd=3 opcode=IORING_REGISTER_FILES nr=1 fds=4
	0.000000004 500 500 p uring:read 1 10 ring=3 fixed=0 offset=0 count=1 sqe_flags=IOSQE_FIXED_FILE user_data=0x1 exec=inline sub=1
	0.000000005 500 500 p io_uring_enter 1 10 fd=3 to_submit=1 min_complete=0 flags=0 sub=1
	0.000000006 500 500 p read 1 10 fd=4 count=1
	EOF
	run ior-map -i '^/keep/' -x '^/keep/a$' "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f5 | tr '\n' ' ')" 'io_uring_setup io_uring_register io_uring_enter '
}

@test "close_range passes the path filters, but for the comm filters: it closes the descriptors kept records are on" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p openat 3 10 dirfd=AT_FDCWD path=/keep/a flags=O_RDONLY mode=0
	0.000000002 500 500 p openat 4 10 dirfd=AT_FDCWD path=/other flags=O_RDONLY mode=0
	0.000000003 500 500 p close_range 0 10 fd=3 maxfd=4294967295 flags=0
	0.000000004 501 501 q close_range 0 10 fd=3 maxfd=4294967295 flags=0
	EOF
	run -0 ior-map -i '^/keep/' -X '^q$' "$d/in"
	assert_equal "$(records | cut -d' ' -f5 | tr '\n' ' ')" 'openat close_range '
}

# A ring set up before capture: its ior:fd (with entries) stands for its
# io_uring_setup, its ior:fixed records for its registered files.
@test "a ring's ior:fd is a ring that passes the path filters; ior:fixed fills its slot with a vfd of its own" {
	stream trace - > "$d/in" <<-'EOF'
	0.000000001 500 500 p ior:fd 0 0 fd=3 path=anon_inode:[io_uring] flags=O_RDWR|O_CLOEXEC offset=0 size=0 ino=9 fs=anon_inodefs entries=8 cq=16 setup=0 files=2
	0.000000001 500 500 p ior:fixed 0 0 ring=3 fixed=1 path=/keep/a flags=O_RDWR size=10 ino=7 ft=reg
	0.000000001 500 500 p ior:fd 0 0 fd=4 path=/keep/a flags=O_RDWR offset=0 size=10 ino=7 ft=reg fs=ext4
	0.000000001 500 500 p ior:aio 0 0 ctx=0x7f0000 nr=62
	0.000000004 500 500 p uring:read 1 10 ring=3 fixed=1 offset=0 count=1 sqe_flags=IOSQE_FIXED_FILE user_data=0x1 exec=inline sub=1
	0.000000005 500 500 p io_uring_enter 1 10 fd=3 to_submit=1 min_complete=0 flags=0 sub=1
	EOF
	run ior-map -i '^/keep/' "$d/in"
	assert_success
	assert_equal "$(records | cut -d' ' -f5 | tr '\n' ' ')" 'ior:fd ior:fixed ior:fd ior:aio uring:read io_uring_enter '
	assert_equal "$(key_of vfd ior:fixed)" 2
	assert_equal "$(key_of file ior:fixed)" /keep/a
	assert_equal "$(key_of vfd uring:read)" 2
	assert_equal "$(key_of file uring:read)" /keep/a
	assert_equal "$(key_of vfd io_uring_enter)" 1
	assert_line --partial 'unknown_fd=0 '
}

# Max RSS (KiB) of ior-map over $1 rounds of: a ring, a file registered
# at slot 65000 (a table of 1 MiB), both closed. Without ASan's quarantine,
# which would hold the freed tables.
ring_rounds_rss() {
	{
		stream trace
		awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
			print "0.000000001 500 500 p io_uring_setup 3 10 entries=8 flags=0"
			print "0.000000002 500 500 p openat 4 10 dirfd=AT_FDCWD path=/f flags=O_RDWR mode=0"
			print "0.000000003 500 500 p io_uring_register 1 10 fd=3 opcode=IORING_REGISTER_FILES_UPDATE nr=1 offset=65000 fds=4"
			print "0.000000004 500 500 p close 0 10 fd=4"
			print "0.000000005 500 500 p close 0 10 fd=3"
		} }'
	} > "$d/rounds"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0 \
		/usr/bin/time -f '%M' ior-map "$d/rounds" 2>&1 >/dev/null
}

@test "memory stays bounded by live rings over many setups, registrations and closes" {
	small=$(ring_rounds_rss 10)
	big=$(ring_rounds_rss 300)
	(( big - small < 20000 )) || fail "max RSS ${small} KB for 10 rounds, ${big} KB for 300"
}

@test "bad input: non-numeric fds, fixed, ring or slot, an unknown register opcode" {
	for rec in 'io_uring_register 0 10 fd=3 opcode=IORING_REGISTER_FILES nr=1 fds=abc' \
		   'io_uring_register 0 10 fd=3 opcode=IORING_REGISTER_FILES nr=2 fds=4,' \
		   'io_uring_register 0 10 fd=3 opcode=IORING_BOGUS nr=0' \
		   'uring:read 1 10 ring=3 fixed=x offset=0 count=1' \
		   'uring:read 1 10 ring=r3 fd=4 offset=0 count=1' \
		   'uring:openat 0 10 ring=3 dirfd=AT_FDCWD path=/a flags=O_RDONLY mode=0 slot=s'; do
		stream trace - > "$d/in" <<-EOF
		0.000000001 500 500 p io_uring_setup 3 10 entries=8 flags=0
		0.000000002 500 500 p $rec
		EOF
		bad_input "$d/in" '3: (fds|fixed|ring|slot|opcode): '
		assert_line '0.000000001 1 1 p io_uring_setup 3 10 entries=8 flags=0 vfd=1 ofd=1'
	done
}

@test "what is read goes out while the writer holds its pipe open, not only at its end" {
	# ior-trace | ior-map | ior-stats -w 1: the stages after ior-map see
	# each record once ior-map has nothing more to read, not once it has
	# filled its output buffer or its input ended.
	stream trace - > "$d/in" <<-'EOF2'
	0.000000001 500 500 a getpid 500 10
	EOF2
	mkfifo "$d/pipe"
	# the writer: the records, then it holds the pipe until told
	{ cat "$d/in"; while [ ! -e "$d/release" ]; do sleep 0.1; done; } > "$d/pipe" &
	ior-map < "$d/pipe" > "$d/out" &
	local map=$!
	for _ in $(seq 300); do
		if grep -q ' getpid ' "$d/out"; then
			break
		fi
		sleep 0.1
	done
	run grep -c ' getpid ' "$d/out"
	touch "$d/release"
	wait "$map"
	assert_output 1
}

@test "the columns ior-map keeps are written in canonical form: nine decimals, no leading zero, no -0" {
	stream trace - > "$d/in" <<-'EOF'
	1.5 500 500 a getpid 500 10
	2.00010779 500 500 a getpid 500 10
	02.000107791 500 500 a getpid 0500 010
	3. 500 500 a close -0 10 fd=9
	3.000000001 500 500 a getpid 500 10 x=1
	EOF
	run -0 ior-map "$d/in"
	assert_equal "$(records)" "$(printf '%s\n' \
		'1.500000000 1 1 a getpid 500 10' \
		'2.000107790 1 1 a getpid 500 10' \
		'2.000107791 1 1 a getpid 500 10' \
		'3.000000000 1 1 a close 0 10 fd=9' \
		'3.000000001 1 1 a getpid 500 10 x=1')"
}
