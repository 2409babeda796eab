#!/usr/bin/env bats
# 32-bit (ia32) processes: t/helper/ior-workload32.c, built with gcc -m32,
# traced by ior-trace, which must decode its calls with the i386 numbers
# and argument layouts and name them as strace does (ior-format(5),
# "i386 processes"); its capture, mapped, generated and replayed, must
# rebuild the tree it left.

load helpers
load e2e-helpers

setup() {
	need_bpf
	[ -x "$IOR_T/ior-workload32" ] ||
		skip_or_fail "ior-workload32 is not built (gcc -m32: gcc-multilib)"
	# A kernel without IA32 emulation, or a guest that turns it off (the
	# PVM guests CI runs on), starts no i386 program: execve fails with
	# ENOEXEC (126 from the shell), and there is no 32-bit process to
	# trace. A machine limit, not a missing set-up step: it skips under
	# CI too, saying so.
	if ia32_refused; then
		skip "this kernel runs no i386 program (execve: Exec format error)"
	fi
	S=$(scratch)
	D=$S/work
	mkdir "$D"
}

# ia32_refused: the kernel refuses to run ior-workload32 at all (without
# a directory it only fails its chdir).
ia32_refused() {
	local rc=0
	"$IOR_T/ior-workload32" > /dev/null 2>&1 || rc=$?
	[ "$rc" -eq 126 ]
}

# capture32: trace ior-workload32 in $D into $S/cap.ior.
capture32() {
	ior-trace -o "$S/cap.ior" -- ior-workload32 "$D"
}

# record CALL [REGEX]: the only record of the workload's CALL whose keys
# match the extended REGEX (the 6th field on, RET first).
record() {
	awk -v call="$1" '$4 == "ior-workload32" && $5 == call' "$S/cap.ior" |
		cut -d' ' -f6- | grep -E -- "${2:-.}"
}

@test "each call of a 32-bit process is named as strace names it, and counted as strace -c counts it" {
	need_cmd strace
	capture32
	rm -r "$D"
	mkdir "$D"
	strace -f -qq -o "$S/strace.txt" ior-workload32 "$D"
	# Every call strace printed, by name: mmap2 only for a file (its fifth
	# argument is not -1: ior-trace leaves anonymous memory out), and not
	# the execve that started the program (its capture starts at the
	# exec).
	awk '{
		call = substr($2, 1, index($2, "(") - 1)
		if (call == "mmap2") {
			split(substr($0, index($0, "(") + 1), a, ", ")
			if (a[5] == "-1")
				next
		}
		print call
	}' "$S/strace.txt" | LC_ALL=C sort | uniq -c > "$S/strace.counts"
	awk '$4 == "ior-workload32" && $5 !~ /:/ { print $5 }' "$S/cap.ior" |
		LC_ALL=C sort | uniq -c > "$S/capture.counts"
	# The calls strace saw that ior-trace does not trace: not file I/O.
	untraced='^ +[0-9]+ (execve|brk|mprotect|set_thread_area|set_tid_address|set_robust_list|rseq|ugetrlimit|prlimit64|getrandom|getuid32|getgid32|socketpair|sendmsg|arch_prctl)$'
	grep -Ev "$untraced" "$S/strace.counts" > "$S/strace.file"
	diff -u "$S/strace.file" "$S/capture.counts"
	# the calls only i386 has are among them
	for c in _llseek mmap2 ftruncate64 statfs64 fstatfs64 stat64 fcntl64 chown32 lchown; do
		grep -q " $c\$" "$S/capture.counts"
	done
}

@test "the arguments of a 32-bit process's calls are decoded as the kernel read them" {
	capture32
	# the descriptor of d/f: the RET of its openat
	run record openat 'path=d/f'
	assert_output --regexp '^[0-9]+ [0-9]+ dirfd=AT_FDCWD path=d/f flags=O_RDWR\|O_CREAT\|O_TRUNC\|O_LARGEFILE mode=0640 '
	fd=${output%% *}
	run record pwrite64
	assert_output --regexp "^3 [0-9]+ fd=$fd count=3 offset=5368709120\$"
	run record pread64
	assert_output --regexp "^3 [0-9]+ fd=$fd count=3 offset=5368709120\$"
	run record _llseek 'offset=4294967396'
	assert_output --regexp "^4294967396 [0-9]+ fd=$fd offset=4294967396 whence=SEEK_SET\$"
	run record fcntl64
	assert_output --regexp "^0 [0-9]+ fd=$fd cmd=F_SETLK ltype=F_WRLCK whence=SEEK_SET offset=4294967296 len=100\$"
	run record ftruncate64
	assert_output --regexp "^0 [0-9]+ fd=$fd size=8192\$"
	run record mmap2 "MAP_SHARED fd=$fd"
	assert_output --regexp "^[0-9]+ [0-9]+ addr=0x0 len=8192 prot=PROT_READ\|PROT_WRITE flags=MAP_SHARED fd=$fd offset=4096\$"
	run record msync
	assert_output --regexp '^0 [0-9]+ addr=0x[0-9a-f]+ len=4096 flags=MS_SYNC$'
	run record statfs64
	assert_output --regexp '^0 [0-9]+ path=d$'
	run record fstatfs64
	assert_output --regexp "^0 [0-9]+ fd=$fd\$"
	run record symlink
	assert_output --regexp '^0 [0-9]+ path=f path2=d/l$'
	run record lchown
	assert_output --regexp '^0 [0-9]+ path=d/l uid=1234 gid=-1( |$)'
	run record chown32
	assert_output --regexp '^0 [0-9]+ path=d/f uid=70000 gid=70001( |$)'
	run record readv
	assert_output --regexp "^17 [0-9]+ fd=$fd iovcnt=2 count=17\$"
	run record getdents64 '^[1-9]'
	assert_output --regexp '^[0-9]+ [0-9]+ fd=[0-9]+ count=[0-9]+$'
}

@test "a 32-bit process's struct stat and struct stat64 are read in their i386 layouts" {
	capture32
	ino=$(stat -c %i "$D/d/g")
	# the i386 stat (32-bit fields, 16-bit owners) and stat64 agree
	run record stat
	assert_output --regexp "^0 [0-9]+ path=d/f size=8192 ft=reg fmode=0640 nlink=1 uid=0 gid=0 ino=$ino dev=[0-9]+:[0-9]+\$"
	run record stat64
	assert_output --regexp "^0 [0-9]+ path=d/f size=8192 ft=reg fmode=0640 nlink=1 uid=0 gid=0 ino=$ino dev=[0-9]+:[0-9]+\$"
}

@test "descriptors a 32-bit process receives, by recvmsg or socketcall, are recorded as recvmsg with an ior:fd each" {
	capture32
	run awk '$4 == "ior-workload32" && ($5 == "recvmsg" || $5 == "ior:fd") { print $5, $8, $9 }' "$S/cap.ior"
	assert_line --index 0 --regexp '^recvmsg fd=[0-9]+ rights=[0-9]+$'
	assert_line --index 1 --regexp "^ior:fd fd=[0-9]+ path=$D/d/f\$"
	assert_line --index 2 --regexp '^recvmsg fd=[0-9]+ rights=[0-9]+$'
	assert_line --index 3 --regexp "^ior:fd fd=[0-9]+ path=$D/d/f\$"
	assert_equal "${#lines[@]}" 4
	run grep -c 'socketcall' "$S/cap.ior"
	assert_output 0
}

@test "a 32-bit process's capture replays to the tree it left, every call issued as captured" {
	ROOT=$S/root
	mkdir "$ROOT"
	step "ior-trace" ior-trace -o "$S/cap.ior" -- ior-workload32 "$D"
	tree_list "$D" > "$S/captured.tree"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$S/cap.ior" "$S/map.ior"
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$S/map.ior" "$S/prog.replay"
	# every call of the workload is kept: only the loader's on
	# pseudo files, its cwd and its exit are dropped
	run grep '^#stat ior-gen ' "$S/prog.replay"
	assert_output --partial ' dropped.unsupported=0 '
	step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
	step "ior-replay" sh -c 'ior-replay -C "$1" "$2" > "$3"' - "$ROOT" "$S/prog.replay" "$S/result.ior"
	tree_list "$ROOT$D" > "$S/replayed.tree"
	diff -u "$S/captured.tree" "$S/replayed.tree"
	run cat "$S/captured.tree"
	assert_line 'd d - 2 750'
	assert_line 'd/g f 8192 1 640'
	replay_complete
}
