#!/usr/bin/env bats
# ior-gen: starting tree inference, dropped records, seq and after=.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	D=$(scratch)
}

# rec TID CALL RET [key=value ...]: one record of process 1 in a map stream.
rec() {
	local tid=$1 call=$2 ret=$3
	shift 3
	echo "0.000001000 1 $tid app $call $ret 100${*:+ $*}"
}

# map: a map stream from the records on stdin.
map() {
	echo "#ior 1 map"
	cat
}

# The init:* records of the last `run`.
tree() {
	printf '%s\n' "$output" | awk '$5 ~ /^init:/'
}

# Value of KEY in the #stat ior-gen trailer of the last `run`.
stat_of() {
	printf '%s\n' "$output" | awk -v k="$1" '/^#stat ior-gen / {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'
}

# open of PATH on fd 3 as vfd/ofd N, with FLAGS and SIZE at open.
open_rec() {	# TID N PATH FLAGS SIZE
	rec "$1" openat 3 dirfd=AT_FDCWD path="$3" flags="$4" mode=0644 \
		ino=7 size="$5" ft=reg fs=ext4 vfd="$2" ofd="$2" file="$3"
}

@test "a file opened read-only is in the tree with the size seen at open" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/a.db O_RDONLY 8192)
	$(rec 1 close 0 fd=3 vfd=1 ofd=1 file=/srv/a.db)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_line '0.000000000 0 0 - init:file 0 0 path=/srv/a.db size=8192 mode=0644'
}

@test "a pread beyond the size seen at open grows the file to its end" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/a.db O_RDONLY 100)
	$(rec 1 pread64 4096 fd=3 count=4096 offset=1048576 vfd=1 ofd=1 file=/srv/a.db)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_line --partial "init:file 0 0 path=/srv/a.db size=$((1048576 + 4096)) "
}

@test "sequential reads are sized through the file position, lseek included" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/a O_RDONLY 10)
	$(rec 1 read 4096 fd=3 count=4096 vfd=1 ofd=1 file=/srv/a)
	$(rec 1 readv 4000 fd=3 iovcnt=2 count=4096 vfd=1 ofd=1 file=/srv/a)
	$(rec 1 lseek 0 fd=3 offset=0 whence=SEEK_SET vfd=1 ofd=1 file=/srv/a)
	$(rec 1 read 100 fd=3 count=100 vfd=1 ofd=1 file=/srv/a)
	EOF
	run ior-gen "$D/in"
	assert_success
	# 4096 + 4000; the read after lseek 0 ends at 100, not at 8196.
	assert_line --partial "init:file 0 0 path=/srv/a size=8096 "
}

@test "reads after the trace wrote the file do not size it" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/a O_RDWR 10)
	$(rec 1 write 5 fd=3 count=5 vfd=1 ofd=1 file=/srv/a)
	$(rec 1 pread64 4096 fd=3 count=4096 offset=0 vfd=1 ofd=1 file=/srv/a)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_line --partial "init:file 0 0 path=/srv/a size=10 "
}

@test "a file created with O_CREAT|O_EXCL is not in the tree, its directory is" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/new O_WRONLY\|O_CREAT\|O_EXCL 0)
	$(rec 1 write 10 fd=3 count=10 vfd=1 ofd=1 file=/srv/new)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(tree)" '0.000000000 0 0 - init:dir 0 0 path=/srv mode=0755'
}

@test "O_CREAT without O_EXCL pre-creates only a file that had data" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/old O_WRONLY\|O_CREAT 50)
	$(open_rec 1 2 /srv/empty O_WRONLY\|O_CREAT 0)
	$(open_rec 1 3 /srv/trunc O_WRONLY\|O_CREAT\|O_TRUNC 50)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(tree | awk '$5 == "init:file" { print $8, $9 }')" \
		'path=/srv/old size=50'
}

@test "a path whose open failed with ENOENT is not in the tree" {
	map <<-EOF > "$D/in"
	$(rec 1 openat -2 dirfd=AT_FDCWD path=/etc/none/x.conf flags=O_RDONLY err=ENOENT)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(tree)" ""
	assert_line --partial 'openat -2 100 seq=1 '
}

@test "a file the trace deletes is in the tree" {
	map <<-EOF > "$D/in"
	$(rec 1 unlink 0 path=/srv/tmp/old.log)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_line '0.000000000 0 0 - init:file 0 0 path=/srv/tmp/old.log size=0 mode=0644'
	assert_line '0.000000000 0 0 - init:dir 0 0 path=/srv/tmp mode=0755'
}

@test "a renamed file is in the tree under its old name only" {
	map <<-EOF > "$D/in"
	$(rec 1 rename 0 path=/srv/a.tmp path2=/srv/b/a)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_line --partial 'init:file 0 0 path=/srv/a.tmp '
	assert_line --partial 'init:dir 0 0 path=/srv/b '
	refute_line --partial 'path=/srv/b/a '
}

@test "parent directories come first, with '/' sorting before every byte" {
	map <<-EOF > "$D/in"
	$(rec 1 stat 0 path=/d/a-b size=1 ft=reg)
	$(rec 1 stat 0 path=/d/a/z size=2 ft=reg)
	$(rec 1 stat 0 path=/d/a ft=dir)
	$(rec 1 stat 0 path=/d/a.c size=3 ft=reg)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(tree | awk '{ print $5, $8 }')" "$(printf '%s\n' \
		'init:dir path=/d' 'init:dir path=/d/a' 'init:file path=/d/a/z' \
		'init:file path=/d/a-b' 'init:file path=/d/a.c')"
}

@test "a directory the trace makes is not in the tree, its parent is" {
	map <<-EOF > "$D/in"
	$(rec 1 mkdir 0 path=/srv/out mode=0755)
	$(open_rec 1 1 /srv/out/f O_WRONLY\|O_CREAT\|O_TRUNC 0)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(tree)" '0.000000000 0 0 - init:dir 0 0 path=/srv mode=0755'
}

@test "directories seen by stat, O_DIRECTORY and chdir are in the tree" {
	map <<-EOF > "$D/in"
	$(rec 1 stat 0 path=/s size=4096 ft=dir)
	$(rec 1 openat 3 dirfd=AT_FDCWD path=/o flags=O_RDONLY\|O_DIRECTORY mode=0 vfd=1 ofd=1 file=/o)
	$(rec 1 chdir 0 path=/c)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(tree | awk '{ print $5, $8 }')" "$(printf '%s\n' \
		'init:dir path=/c' 'init:dir path=/o' 'init:dir path=/s')"
}

@test "a descriptor open at capture start is kept and its file pre-created" {
	map <<-EOF > "$D/in"
	$(rec 1 ior:fd 0 fd=5 path=/srv/log flags=O_RDONLY offset=1000 size=10 ft=reg fs=ext4 vfd=1 ofd=1 file=/srv/log)
	$(rec 1 read 500 fd=5 count=500 vfd=1 ofd=1 file=/srv/log)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_line --partial 'ior:fd 0 100 seq=1 fd=5 '
	assert_line --partial 'init:file 0 0 path=/srv/log size=1500 '
}

@test "pseudo files, pipes and unknown descriptors are dropped and counted" {
	map <<-EOF > "$D/in"
	$(rec 1 openat 3 dirfd=AT_FDCWD path=/proc/self/stat flags=O_RDONLY size=0 ft=reg fs=proc vfd=1 ofd=1 file=/proc/self/stat)
	$(rec 1 read 300 fd=3 count=1024 vfd=1 ofd=1 file=/proc/self/stat)
	$(rec 1 close 0 fd=3 vfd=1 ofd=1 file=/proc/self/stat)
	$(rec 1 ior:fd 0 fd=4 path=/x flags=O_RDONLY offset=0 ft=fifo fs=pipefs vfd=2 ofd=2)
	$(rec 1 read 10 fd=4 count=10 vfd=2 ofd=2)
	$(rec 1 stat 0 path=/dev/null ft=chr)
	$(rec 1 write 5 fd=1 count=5)
	$(rec 1 close 0 fd=0)
	$(open_rec 1 3 /srv/kept O_RDONLY 1)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(stat_of dropped.pseudo)" 6
	assert_equal "$(stat_of dropped.unknown_fd)" 2
	assert_equal "$(stat_of ops)" 1
	refute_line --partial /proc/
	refute_line --partial 'ofd=2'
	assert_line --partial 'seq=1 dirfd=AT_FDCWD path=/srv/kept'
}

@test "process syscalls are dropped, sched records are kept" {
	map <<-EOF > "$D/in"
	$(rec 1 clone 2 flags=CLONE_VM)
	$(rec 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_THREAD)
	$(rec 2 execve 0 path=/bin/true)
	$(rec 2 sched:exec 0 path=/bin/true)
	$(rec 2 exit_group 0 code=0)
	$(rec 2 sched:exit 0 code=0 group=1)
	$(rec 1 ior:cwd 0 path=/srv)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(stat_of dropped.process)" 3
	assert_equal "$(stat_of dropped.cwd)" 1
	assert_equal "$(printf '%s\n' "$output" | awk '!/^#/ { print $5, $8 }')" \
		"$(printf '%s\n' 'sched:fork seq=1' 'sched:exec seq=2' 'sched:exit seq=3')"
}

@test "calls outside the replayable set and unreplayable failures are counted" {
	map <<-EOF > "$D/in"
	$(rec 1 getdents64 100 fd=3 count=4096 vfd=1 ofd=1 file=/srv)
	$(rec 1 access 0 path=/srv/x mode=0)
	$(rec 1 openat -4 dirfd=AT_FDCWD path=/srv/y flags=O_RDONLY err=EINTR)
	$(rec 1 read -11 fd=3 count=1 vfd=1 ofd=1 file=/srv err=EAGAIN)
	$(rec 1 openat -13 dirfd=AT_FDCWD path=/srv/z flags=O_RDONLY err=EACCES)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(stat_of dropped.unsupported)" 2
	assert_equal "$(stat_of dropped.failed_unreplayable)" 2
	assert_line --partial 'openat -13 100 seq=1 '
}

@test "operations are numbered and another thread's operation is waited for" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/f O_RDWR 10)
	$(rec 2 stat 0 path=/srv/f size=10 ft=reg)
	$(rec 2 stat 0 path=/srv/f size=10 ft=reg)
	$(rec 1 write 5 fd=3 count=5 vfd=1 ofd=1 file=/srv/f)
	$(rec 3 stat 0 path=/srv/other size=1 ft=reg)
	$(rec 3 read 5 fd=3 count=5 vfd=1 ofd=1 file=/srv/f)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | awk '!/^#/ && $5 !~ /^init:/ { print $3, $8, $9 }')" \
		"$(printf '%s\n' '1 seq=1 dirfd=AT_FDCWD' '2 seq=2 after=1' \
			'2 seq=3 path=/srv/f' '1 seq=4 after=3' '3 seq=5 path=/srv/other' \
			'3 seq=6 after=4')"
}

@test "every input record is written or counted as dropped" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/f O_RDWR 10)
	$(rec 1 read 5 fd=3 count=5 vfd=1 ofd=1 file=/srv/f)
	$(rec 1 read 5 fd=0 count=5)
	$(rec 1 stat 0 path=/sys/kernel ft=dir)
	$(rec 1 fork 2)
	$(rec 1 mmap 0 fd=3 vfd=1 ofd=1 file=/srv/f)
	$(rec 1 close 0 fd=3 vfd=1 ofd=1 file=/srv/f)
	EOF
	run ior-gen "$D/in"
	assert_success
	local ops dropped written
	ops=$(stat_of ops) dropped=$(stat_of dropped)
	written=$(printf '%s\n' "$output" | awk '!/^#/ && $5 !~ /^init:/' | wc -l)
	assert_equal "$ops" "$written"
	assert_equal "$((ops + dropped))" "$(grep -vc '^#' "$D/in")"
	assert_equal "$(stat_of records)" "$(grep -vc '^#' "$D/in")"
	assert_equal "$dropped" 4
}

@test "metadata passes through: header first, later lines in place" {
	map <<-EOF > "$D/in"
	#meta ior-trace host=db01 epoch=1.000000000
	#meta ior-map cwd.1=/srv
	$(open_rec 1 1 /srv/f O_RDONLY 1)
	# a comment
	$(rec 1 close 0 fd=3 vfd=1 ofd=1 file=/srv/f)
	#stat ior-map records=2
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | awk '{ print /^#/ ? $1 " " $2 : $5 }')" \
		"$(printf '%s\n' '#ior 1' '#meta ior-trace' '#meta ior-map' \
			'#meta ior-gen' init:dir init:file openat '# a' close \
			'#stat ior-map' '#stat ior-gen')"
}

@test "several inputs are read as one stream" {
	map <<-EOF > "$D/a"
	$(open_rec 1 1 /srv/f O_RDONLY 1)
	EOF
	map <<-EOF > "$D/b"
	$(rec 1 close 0 fd=3 vfd=1 ofd=1 file=/srv/f)
	EOF
	run ior-gen "$D/a" "$D/b"
	assert_success
	assert_equal "$(grep -c '^#ior' <<< "$output")" 1
	assert_line --partial 'close 0 100 seq=2 '
	run ior-gen < "$D/a"
	assert_success
	assert_line --partial 'openat 3 100 seq=1 '
}

@test "the spool file goes to TMPDIR" {
	map <<-EOF > "$D/in"
	$(rec 1 stat 0 path=/srv/f size=1 ft=reg)
	EOF
	TMPDIR=$D/missing run ior-gen "$D/in"
	assert_failure 4
	assert_output --partial "$D/missing"
	TMPDIR=$D run ior-gen "$D/in"
	assert_success
	assert_equal "$(ls -A "$D")" in
}

@test "output appended to a file is the same as output to a pipe" {
	map <<-EOF > "$D/in"
	#meta ior-map cwd.1=/srv
	$(open_rec 1 1 /srv/f O_RDONLY 7)
	$(rec 1 close 0 fd=3 vfd=1 ofd=1 file=/srv/f)
	EOF
	# sendfile(2) refuses O_APPEND: the copy must fall back to read/write.
	ior-gen "$D/in" >> "$D/appended"
	ior-gen "$D/in" | cat > "$D/piped"
	run cmp "$D/appended" "$D/piped"
	assert_success
	run grep -c 'seq=' "$D/appended"
	assert_output 2
}

@test "a stream that is not a map stream is refused" {
	printf '#ior 1 trace\n' > "$D/in"
	run --separate-stderr ior-gen "$D/in"
	assert_failure 3
	assert_equal "$stderr" "ior-gen: $D/in:1: a trace stream: ior-gen reads a map stream (from ior-map)"
}

# bad_input NAME: run ior-gen on $D/in; expect exit 3, one line naming the
# input and LINE on stderr, and no half-made program on stdout.
bad_input() {
	run --separate-stderr timeout 10 ior-gen "$D/in"
	assert_failure 3
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
	[[ $stderr == "ior-gen: $D/in:$1: "* ]] || fail "stderr: $stderr"
	assert_equal "$output" ""
}

@test "bad input: random bytes" {
	head -c 4096 /dev/urandom > "$D/in"
	bad_input 1
}

@test "bad input: a truncated last line" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/f O_RDONLY 1)
	EOF
	printf '0.000002000 1 1 app close 0 1 fd=3' >> "$D/in"
	bad_input 3
}

@test "bad input: a non-numeric field" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/f O_RDONLY 1)
	$(rec 1 read 5 fd=3 count=5 vfd=1 ofd=x1 file=/srv/f)
	EOF
	bad_input 3
	assert_equal "$stderr" "ior-gen: $D/in:3: ofd: not a number: \"x1\""
}

@test "bad input: a non-numeric size" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/f O_RDONLY 12k)
	EOF
	bad_input 2
	[[ $stderr == *": size: "* ]] || fail "stderr: $stderr"
}

@test "bad input: a NUL byte" {
	map <<-EOF > "$D/in"
	$(rec 1 stat 0 path=/srv/f size=1 ft=reg)
	EOF
	printf '0.000002000 1 1 app stat 0 1 path=/a\0b\n' >> "$D/in"
	bad_input 3
}

@test "bad input: a 1 MiB field" {
	{
		echo "#ior 1 map"
		printf '0.000001000 1 1 app stat 0 1 path=/'
		head -c 1048576 /dev/zero | tr '\0' a
		echo
	} > "$D/in"
	bad_input 2
}

@test "bad input: empty input" {
	: > "$D/in"
	bad_input 0
}

@test "-h prints usage and exits 0, a bad option exits 2, --version names ior" {
	run --separate-stderr ior-gen -h
	assert_success
	assert_output --partial 'usage: ior-gen'
	run --separate-stderr ior-gen --bogus
	assert_failure 2
	assert_equal "$output" ""
	[[ $stderr == *'usage: ior-gen'* ]] || fail "stderr: $stderr"
	run ior-gen --version
	assert_success
	assert_output --regexp '^ior-gen \(ior\) [0-9]'
}

@test "a file replaced by a rename keeps the size it had before the capture" {
	map <<-EOF > "$D/in"
	$(open_rec 1 1 /srv/config.json O_RDONLY 5000)
	$(rec 1 close 0 fd=3 vfd=1 ofd=1 file=/srv/config.json)
	$(rec 1 rename 0 path=/srv/config.tmp path2=/srv/config.json)
	$(open_rec 1 2 /srv/config.json O_RDONLY 7000)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_line --partial 'init:file 0 0 path=/srv/config.json size=5000 '
}

@test "a symlink an lstat found, with its target, is in the tree as init:symlink" {
	map <<-EOF > "$D/in"
	$(rec 1 lstat 0 path=/srv/cur size=9 ft=lnk path2=releases/2)
	$(rec 1 lstat 0 path=/srv/old size=4 ft=lnk)
	EOF
	run ior-gen "$D/in"
	assert_success
	assert_line '0.000000000 0 0 - init:symlink 0 0 path=/srv/cur path2=releases/2'
	refute_line --partial 'init:symlink 0 0 path=/srv/old'
	assert_equal "$(stat_of tree.symlinks)" 1
	assert_equal "$(stat_of tree.symlinks_skipped)" 1
}
