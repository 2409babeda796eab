#!/usr/bin/env bats
# ior-replay: running replay programs beneath a root, and the result stream.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	D=$(scratch)
	R=$D/root
	mkdir "$R"
	SEQ=0
}

# op PID TID CALL RET [key=value ...]: the next operation of a program.
op() {
	local pid=$1 tid=$2 call=$3 ret=$4
	shift 4
	SEQ=$((SEQ + 1))
	echo "0.000001000 $pid $tid app $call $ret 1000 seq=$SEQ${*:+ $*}"
}

# add_vfds: give a hand-written program the vfd and vfd2 keys that
# ior-map writes (the replay's descriptor table is keyed by them):
# per process, a new vfd for each descriptor an open, dup or ior:fd makes,
# copied into a forked child's table.
add_vfds() {
	awk '
	function key(k,   i) {
		for (i = 8; i <= NF; i++)
			if (index($i, k "=") == 1)
				return substr($i, length(k) + 2)
		return ""
	}
	/^#/ || $5 ~ /^init:/ { print; next }
	{
		pid = $2; call = $5; ret = $6 + 0; extra = ""
		if (call == "sched:fork" && key("flags") !~ /CLONE_THREAD|CLONE_FILES/)
			for (k in tab) {
				split(k, a, SUBSEP)
				if (a[1] == pid)
					tab[key("cpid"), a[2]] = tab[k]
			}
		if (key("vfd") != "") { print; next }
		fd = key("fd")
		if (fd != "" && call != "ior:fd" && ((pid, fd) in tab))
			extra = extra " vfd=" tab[pid, fd]
		if (call ~ /^(open|openat|openat2|creat)$/ && ret >= 0) {
			tab[pid, ret] = ++n; extra = extra " vfd=" n
		}
		if (call == "ior:fd") {
			tab[pid, fd] = ++n; extra = extra " vfd=" n
		}
		if (call ~ /^dup[23]?$/ && ret >= 0 && key("fd2") != fd) {
			tab[pid, ret] = ++n; extra = extra " vfd2=" n
		}
		if (call == "close" && fd != "")
			delete tab[pid, fd]
		print $0 extra
	}'
}

# Replay $D/p.replay under $R.
replay() {
	mkdir -p "$D/vfd"
	if [ -n "$(tail -c 1 "$D/p.replay")" ]; then	# keep a truncated line
		cp "$D/p.replay" "$D/vfd/p.replay"
	else
		add_vfds < "$D/p.replay" > "$D/vfd/p.replay"
	fi
	run timeout 20 ior-replay -C "$R" "$D/vfd/p.replay"
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
		echo "#ior 1 replay"
		echo "#meta ior-gen note=kept"
		echo "0 0 0 - init:dir 0 0 path=/d mode=0755"
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDWR\|O_CREAT mode=0644 vfd=1 ofd=1 file=/f
		op 1 1 write 100 fd=3 count=100 vfd=1 ofd=1 file=/f
		op 1 1 read 0 fd=3 count=4096 vfd=1 ofd=1 file=/f
		op 1 1 lseek 0 fd=3 offset=0 whence=SEEK_SET vfd=1 ofd=1 file=/f
		op 1 1 read 77 fd=3 count=4096 vfd=1 ofd=1 file=/f
		op 1 1 close 0 fd=3 vfd=1 ofd=1 file=/f
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 100
	assert_equal "${lines[0]}" "#ior 1 result"
	assert_line "#meta ior-gen note=kept"
	assert_line --regexp "^#meta ior-replay root=.*/root start=[0-9]+\.[0-9]{9}$"
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
	assert_equal "$(stat_of mismatched)" 1
	assert_equal "$(stat_of ops)" 6
	assert_equal "$(stat_of errors)" 0
}

@test "the result keeps program order and has no init records" {
	{
		echo "#ior 1 replay"
		echo "0 0 0 - init:file 0 0 path=/a size=10 mode=0644"
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
		echo "#ior 1 replay"
		op 1 1 open 3 path=/big flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 pwrite64 1 fd=3 count=1 offset=3221225472
		op 1 1 pread64 1 fd=3 count=1 offset=3221225472
		op 1 1 close 0 fd=3
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/big")" 3221225473
	[ "$(du -k "$R/big" | cut -f1)" -lt 1024 ]
	assert_equal "$(res 2 6)" 1
	# Opened write-only: the read fails as it must.
	assert_equal "$(res 3 6)" -9
}

@test "mkdir, rename over an existing file and unlink change the tree" {
	echo old > "$R/target"
	{
		echo "#ior 1 replay"
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
	assert_equal "$(stat_of mismatched)" 0
}

@test "dup2 onto a descriptor number then a write through it lands in the file" {
	{
		echo "#ior 1 replay"
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 dup2 7 fd=3 fd2=7
		op 1 1 close 0 fd=3
		op 1 1 write 42 fd=7 count=42
		op 1 1 dup 4 fd=7
		op 1 1 write 8 fd=4 count=8
		op 1 1 write -9 fd=3 count=1 err=EBADF
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/f")" 50
	assert_equal "$(res 4 6)" 42
	assert_equal "$(res 6 6)" 8
	# fd 3 was closed: there is nothing to issue the write on.
	assert_equal "$(res_key 7 skip)" nofd
	assert_equal "$(stat_of skipped)" 1
}

@test "readv and writev spread count bytes over iovcnt buffers" {
	{
		echo "#ior 1 replay"
		op 1 1 open 3 path=/v flags=O_RDWR\|O_CREAT mode=0644
		op 1 1 writev 1000 fd=3 iovcnt=3 count=1000
		op 1 1 preadv 600 fd=3 iovcnt=4 count=600 offset=100
		op 1 1 pwritev 10 fd=3 iovcnt=2 count=10 offset=2000
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 2 6)" 1000
	assert_equal "$(res 3 6)" 600
	assert_equal "$(stat -c %s "$R/v")" 2010
}

@test "written data does not compress" {
	{
		echo "#ior 1 replay"
		op 1 1 open 3 path=/r flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 write 65536 fd=3 count=65536
	} > "$D/p.replay"
	replay
	assert_success
	[ "$(gzip -c "$R/r" | wc -c)" -gt 65000 ]
}

@test "a thread waits for the operation named by after= before its own" {
	{
		echo "#ior 1 replay"
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

@test "threads of one process run at the same time" {
	{
		echo "#ior 1 replay"
		op 1 1 mkdir 0 path=/d mode=0755
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_VM\|CLONE_FILES\|CLONE_THREAD
		op 1 2 openat 4 dirfd=AT_FDCWD path=/d/b flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/a flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 write 10 fd=3 count=10
		op 1 2 write 20 fd=4 count=20
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(stat -c %s "$R/d/a")" 10
	assert_equal "$(stat -c %s "$R/d/b")" 20
	assert_equal "$(stat_of skipped)" 0
}

@test "a forked child process writes through the descriptor it inherited" {
	{
		echo "#ior 1 replay"
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

@test "a process that runs without a sched:fork is started at the beginning" {
	{
		echo "#ior 1 replay"
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
		echo "#ior 1 replay"
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_WRONLY\|O_CREAT mode=0644
		op 1 2 write 7 fd=3 count=7 after=1
		op 2 3 write -9 fd=3 count=7 after=1 err=EBADF
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 2 6)" 7
	# Another process has its own table, without fd 3.
	assert_equal "$(res_key 3 skip)" nofd
	assert_equal "$(stat -c %s "$R/f")" 7
}

@test "sched:exec closes descriptors opened with O_CLOEXEC and keeps the others" {
	{
		echo "#ior 1 replay"
		op 1 1 openat 3 dirfd=AT_FDCWD path=/c flags=O_WRONLY\|O_CREAT\|O_CLOEXEC mode=0644
		op 1 1 openat 4 dirfd=AT_FDCWD path=/k flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 dup3 5 fd=4 fd2=5 flags=O_CLOEXEC
		op 1 1 sched:exec 0 path=/bin/true
		op 1 1 write -9 fd=3 count=1 err=EBADF
		op 1 1 write 2 fd=4 count=2
		op 1 1 write -9 fd=5 count=1 err=EBADF
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res_key 5 skip)" nofd
	assert_equal "$(res 6 6)" 2
	assert_equal "$(res_key 7 skip)" nofd
	assert_equal "$(stat -c %s "$R/c")" 0
	assert_equal "$(stat -c %s "$R/k")" 2
}

@test "a descriptor open before capture is reopened at its offset" {
	printf '0123456789' > "$R/pre"
	{
		echo "#ior 1 replay"
		op 1 1 ior:fd 0 fd=5 path=/pre flags=O_RDWR\|O_CREAT\|O_TRUNC offset=4
		op 1 1 read 6 fd=5 count=100
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 2 6)" 6
	# O_TRUNC is not replayed: the file was already open.
	assert_equal "$(stat -c %s "$R/pre")" 10
}

@test "a failed captured open fails the same way and is not a mismatch" {
	{
		echo "#ior 1 replay"
		op 1 1 openat -2 dirfd=AT_FDCWD path=/no/such flags=O_RDONLY err=ENOENT
		op 1 1 stat -2 path=/no err=ENOENT
		op 1 1 truncate -2 path=/no size=5 err=ENOENT
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 1 6)" -2
	assert_equal "$(stat_of errors)" 3
	assert_equal "$(stat_of mismatched)" 0
}

@test "an open that fails on replay but not in the capture is a mismatch" {
	{
		echo "#ior 1 replay"
		op 1 1 openat 3 dirfd=AT_FDCWD path=/missing flags=O_RDONLY
		op 1 1 read 10 fd=3 count=10
	} > "$D/p.replay"
	replay
	assert_success
	assert_equal "$(res 1 6)" -2
	assert_equal "$(stat_of mismatched)" 1
	assert_equal "$(stat_of skipped)" 1
}

@test "an empty path is not taken for the root" {
	{
		echo "#ior 1 replay"
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
	before=$(cd "$out" && find . -printf '%p %s %m %y\n' | sort)
	{
		echo "#ior 1 replay"
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
	assert_equal "$(cd "$out" && find . -printf '%p %s %m %y\n' | sort)" "$before"
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
		echo "#ior 1 replay"
		op 1 1 openat 3 dirfd=AT_FDCWD path=/t/inside-$$ flags=O_WRONLY\|O_CREAT mode=0644
	} > "$D/p.replay"
	replay
	assert_success
	[ -e "$R/tmp/inside-$$" ]
	[ ! -e "/tmp/inside-$$" ]
}

@test "-n checks the program and runs nothing" {
	{
		echo "#ior 1 replay"
		op 1 1 mkdir 0 path=/d mode=0755
	} > "$D/p.replay"
	run timeout 20 ior-replay -n -C "$R" "$D/p.replay"
	assert_success
	assert_output ""
	[ ! -e "$R/d" ]
}

@test "the program is read from stdin without FILE" {
	{
		echo "#ior 1 replay"
		op 1 1 mkdir 0 path=/d mode=0755
	} > "$D/p.replay"
	run timeout 20 ior-replay -C "$R" < "$D/p.replay"
	assert_success
	[ -d "$R/d" ]
}

@test "a stream that is not a replay program is refused" {
	{
		echo "#ior 1 map"
		op 1 1 mkdir 0 path=/d mode=0755
	} > "$D/p.replay"
	replay
	refused "p.replay:1: a map stream is not a replay program"
	[ ! -e "$R/d" ]
}

@test "an unknown call is refused before anything runs" {
	{
		echo "#ior 1 replay"
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
		echo "#ior 1 replay"
		op 1 1 pread64 0 fd=3 count=1
	} > "$D/p.replay"
	replay
	refused "p.replay:2: offset: missing for pread64"
}

@test "an operation without seq is refused" {
	{
		echo "#ior 1 replay"
		echo "0.000001000 1 1 app mkdir 0 1 path=/d mode=0755"
	} > "$D/p.replay"
	replay
	refused "p.replay:2: seq: missing"
}

@test "after= naming no earlier operation is refused" {
	{
		echo "#ior 1 replay"
		op 1 1 mkdir 0 path=/d mode=0755 after=7
	} > "$D/p.replay"
	replay
	refused "p.replay:2: after: names a later operation"
}

@test "a sched:fork of a task that already ran is refused" {
	{
		echo "#ior 1 replay"
		op 1 2 mkdir 0 path=/d mode=0755
		op 1 1 sched:fork 0 child=2 cpid=1 flags=CLONE_THREAD
	} > "$D/p.replay"
	replay
	refused "p.replay:3: child: task 2 already exists"
}

@test "bad flags and modes are refused" {
	{
		echo "#ior 1 replay"
		op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_BOGUS mode=0644
	} > "$D/p.replay"
	replay
	refused "p.replay:2: flags: bad flags"
	{
		echo "#ior 1 replay"
		op 1 1 mkdir 0 path=/d mode=0999
	} > "$D/p.replay"
	replay
	refused "p.replay:2: mode: not an octal mode"
}

@test "random bytes are refused" {
	head -c 4096 /dev/urandom > "$D/p.replay"
	replay
	refused "p.replay:1:"
}

@test "a truncated last line is refused" {
	{
		echo "#ior 1 replay"
		op 1 1 mkdir 0 path=/d mode=0755
		printf '0.000001000 1 1 app mkdir 0 1 seq=9 path=/e'
	} > "$D/p.replay"
	replay
	refused "p.replay:3: truncated line"
	[ ! -e "$R/d" ]
}

@test "a non-numeric field is refused" {
	{
		echo "#ior 1 replay"
		op 1 1 pwrite64 0 fd=3 count=ten offset=0
	} > "$D/p.replay"
	replay
	refused "p.replay:2: count: not a number"
}

@test "a NUL byte is refused" {
	{
		echo "#ior 1 replay"
		printf '0.000001000 1 1 app mkdir 0 1 seq=1 path=/\0 mode=0755\n'
	} > "$D/p.replay"
	replay
	refused "p.replay:2: NUL byte"
}

@test "an escaped NUL in a path is refused" {
	{
		echo "#ior 1 replay"
		op 1 1 mkdir 0 'path=/a\x00b' mode=0755
	} > "$D/p.replay"
	replay
	refused "p.replay:2: path: value holds a NUL byte"
}

@test "a 1 MiB field is refused" {
	{
		echo "#ior 1 replay"
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
	echo "#ior 1 replay" > "$D/p.replay"
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
		echo "#ior 1 replay"
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
		echo "#ior 1 replay"
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
