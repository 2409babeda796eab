#!/usr/bin/env bats
# ior-init: building the starting tree of a replay program under a root.

load helpers
load streams
bats_require_minimum_version 1.5.0

setup() {
	S=$(scratch)
	R=$S/root
}

teardown() {
	if [ -n "${N:-}" ]; then rm -rf "$N"; fi
}

# type, size and octal mode of a path, without following a symlink
info() {
	stat -c '%F %s %a' "$1"
}

# every entry of the tree with its type, size, mode and mtime
snapshot() {
	find "$1" -printf '%p %y %s %m %T@\n' | sort
}


# made_root: R made by ior-init from nothing, with an empty program: a
# root a later run may bring back to its program's tree (ior-init(1)).
made_root() {
	stream replay | ior-init -C "$R"
}
@test "directories, files and symlinks are made with their types, sizes and modes" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/srv mode=0711
	init:dir path=/srv/data mode=0750
	init:file path=/srv/data/x.db size=8192 mode=0640
	init:file path=/srv/empty size=0 mode=0600
	init:symlink path=/srv/link path2=data/x.db
	EOF
	run ior-init -C "$R" "$S/p"
	assert_success
	assert_equal "$(info "$R/srv")" "directory 4096 711"
	assert_equal "$(info "$R/srv/data")" "directory 4096 750"
	assert_equal "$(info "$R/srv/data/x.db")" "regular file 8192 640"
	assert_equal "$(info "$R/srv/empty")" "regular empty file 0 600"
	assert_equal "$(stat -c %F "$R/srv/link")" "symbolic link"
	assert_equal "$(readlink "$R/srv/link")" "data/x.db"
}

@test "operations in the program are skipped" {
	{
		{ stream replay; inits; } <<-'EOF'
		init:file path=/a size=3 mode=0644
		EOF
		rec_at 0.000012000 1 1 openat 3 8123 seq=1 dirfd=AT_FDCWD path=/b 'flags=O_RDWR|O_CREAT' mode=0644 vfd=1 ofd=1 file=/b
	} > "$S/p"
	run ior-init -C "$R" "$S/p"
	assert_success
	assert [ -f "$R/a" ]
	assert [ ! -e "$R/b" ]
}

@test "missing parents are made as 0755 directories whatever the umask" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/a/b/c/f size=1 mode=0600
	init:dir path=/x/y mode=0700
	EOF
	umask 077
	run ior-init -C "$R" "$S/p"
	assert_success
	assert_equal "$(info "$R/a/b")" "directory 4096 755"
	assert_equal "$(info "$R/x")" "directory 4096 755"
	assert_equal "$(info "$R/x/y")" "directory 4096 700"
	assert_equal "$(info "$R/a/b/c/f")" "regular file 1 600"
}

@test "escaped paths and targets are unescaped" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/with\x20space\x0aand\\backslash size=5 mode=0644
	init:symlink path=/l\x20l path2=/with\x20space
	EOF
	run ior-init -C "$R" "$S/p"
	assert_success
	assert [ -f "$R/with space"$'\n''and\backslash' ]
	assert_equal "$(readlink "$R/l l")" "/with space"
}

@test "setuid and setgid bits of a file survive its content being written (--privileged)" {
	need_root "--privileged is root's"
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/suid size=4096 mode=06755
	EOF
	run ior-init --privileged -C "$R" "$S/p"
	assert_success
	assert_equal "$(info "$R/suid")" "regular file 4096 6755"
}

@test "random fill does not compress and differs between files" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/a size=1048576 mode=0644
	init:file path=/b size=1048576 mode=0644
	EOF
	run ior-init -C "$R" "$S/p"
	assert_success
	z=$(gzip -c "$R/a" | wc -c)
	assert [ "$z" -gt $((1048576 * 95 / 100)) ]
	run cmp -s "$R/a" "$R/b"
	assert_failure
	# no 4 KiB block repeats within or across the files
	n=$(cat "$R/a" "$R/b" | split -b 4096 --filter=md5sum | sort -u | wc -l)
	assert_equal "$n" 512
}

@test "random fill gives the same content for the same path" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/a size=100000 mode=0644
	EOF
	ior-init -C "$R" "$S/p"
	ior-init -C "$S/other" "$S/p"
	cmp "$R/a" "$S/other/a"
}

@test "zero fill writes zeros" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/z size=3000000 mode=0644
	EOF
	run ior-init -C "$R" --fill zero "$S/p"
	assert_success
	assert_equal "$(stat -c %s "$R/z")" 3000000
	cmp -n 3000000 "$R/z" /dev/zero
	# written, not holes
	assert [ "$(stat -c %b "$R/z")" -ge $((3000000 / 512)) ]
}

@test "sparse fill sets the size and allocates nothing" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/s size=104857600 mode=0644
	EOF
	run ior-init -C "$R" --fill sparse "$S/p"
	assert_success
	assert_equal "$(stat -c %s "$R/s")" 104857600
	assert [ "$(stat -c %b "$R/s")" -le 8 ]
}

@test "a second run changes nothing" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=0750
	init:file path=/d/f size=70000 mode=0640
	init:file path=/d/e/g size=10 mode=0600
	init:symlink path=/d/l path2=f uid=0 gid=0
	init:link path=/d/h path2=/d/f
	EOF
	ior-init -C "$R" "$S/p"
	before=$(snapshot "$R")
	sum=$(md5sum "$R/d/f")
	sleep 0.02
	run ior-init -v -C "$R" "$S/p"
	assert_success
	assert_output --partial "0 dirs, 0 files (0 bytes), 0 links, 0 symlinks created; 0 fixed; 5 already right"
	assert_equal "$(snapshot "$R")" "$before"
	assert_equal "$(md5sum "$R/d/f")" "$sum"
}

@test "a file of the wrong size is truncated or extended, its content made again as for a new file" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/long size=100 mode=0644
	init:file path=/short size=1048583 mode=0644
	EOF
	ior-init -C "$S/fresh" "$S/p"
	made_root
	head -c 5000 /dev/urandom > "$R/long"
	printf 'not ours' > "$R/short"
	run ior-init -C "$R" "$S/p"
	assert_success
	assert_output "ior-init: $R: back to the program's tree: 0 entries not in it removed, 2 files' contents restored"
	assert_equal "$(stat -c %s "$R/long")" 100
	cmp "$R/long" "$S/fresh/long"
	assert_equal "$(stat -c %s "$R/short")" 1048583
	cmp "$R/short" "$S/fresh/short"
	# the fill is random, not zeros
	z=$(gzip -c < "$R/short" | wc -c)
	assert [ "$z" -gt $((1048576 * 95 / 100)) ]
}

@test "wrong modes of existing directories and files are fixed" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=0700
	init:file path=/d/f size=3 mode=0604
	EOF
	mkdir -p "$R/d"
	chmod 0777 "$R/d"
	printf abc > "$R/d/f"
	chmod 0666 "$R/d/f"
	run ior-init -v -C "$R" "$S/p"
	assert_success
	assert_output --partial "2 fixed"
	assert_equal "$(info "$R/d")" "directory 4096 700"
	assert_equal "$(info "$R/d/f")" "regular file 3 604"
	# its content is the program's, as a new file's
	ior-init -C "$S/fresh" "$S/p"
	cmp "$R/d/f" "$S/fresh/d/f"
}

@test "a symlink with another target is replaced, one with the right target kept" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:symlink path=/right path2=t1
	init:symlink path=/wrong path2=t2
	EOF
	mkdir -p "$R"
	ln -s t1 "$R/right"
	ln -s old "$R/wrong"
	touch -h -d 2001-01-01 "$R/right"
	run ior-init -C "$R" "$S/p"
	assert_success
	assert_equal "$(readlink "$R/right")" t1
	assert_equal "$(stat -c %Y "$R/right")" "$(date -d 2001-01-01 +%s)"
	assert_equal "$(readlink "$R/wrong")" t2
}

@test "-j 4 makes 200 files in parallel" {
	for i in $(seq 200); do
		echo "init:file path=/d$((i % 7))/f$i size=$((i * 1000)) mode=0644"
	done | { stream replay; inits; } > "$S/p"
	# Each file ends with an fchmod, held 20 ms by strace: workers in
	# parallel are seen in it together (strace prints one <unfinished
	# ...> while another thread's call begins). (LeakSanitizer cannot run
	# under strace.)
	run env "$(no_leak_check)" timeout 60 strace -f -qq -o "$S/strace" \
		-e trace=fchmod -e inject=fchmod:delay_enter=20000 ior-init -j 4 -C "$R" "$S/p"
	assert_success
	assert_equal "$(grep -c ' fchmod(' "$S/strace")" 200
	# Made by 2 to 4 threads, never more than -j allows.
	threads=$(awk '/ fchmod\(/ { print $1 }' "$S/strace" | sort -u | wc -l)
	echo "# threads: $threads"
	[ "$threads" -ge 2 ]
	[ "$threads" -le 4 ]
	# Calls of one thread begun while another thread's was in progress.
	overlaps=$(awk '
		/ fchmod\(/ { for (t in busy) if (busy[t] && t != $1) { n++; break } }
		/ fchmod\(.*<unfinished \.\.\.>$/ { busy[$1] = 1 }
		/<\.\.\. fchmod resumed>/ { busy[$1] = 0 }
		END { print n + 0 }' "$S/strace")
	echo "# overlapping calls: $overlaps"
	[ "$overlaps" -gt 0 ]
	assert_equal "$(find "$R" -type f | wc -l)" 200
	for i in 1 77 200; do
		assert_equal "$(stat -c %s "$R/d$((i % 7))/f$i")" $((i * 1000))
	done
	total=$(find "$R" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
	assert_equal "$total" $(( 200 * 201 / 2 * 1000 ))
}

@test ".. chains in paths stay inside the root" {
	out=/tmp/ior-escape-$$
	rm -rf "$out"
	{ stream replay; inits; } > "$S/p" <<-EOF
	init:file path=/../../..$out size=10 mode=0644
	init:dir path=../../../..$out.d mode=0755
	init:symlink path=/../..$out.l path2=x
	EOF
	run ior-init -C "$R" "$S/p"
	assert_success
	assert [ ! -e "$out" ]
	assert [ ! -e "$out.d" ]
	assert [ ! -L "$out.l" ]
	assert [ -f "$R$out" ]
	assert [ -d "$R$out.d" ]
	assert [ -L "$R$out.l" ]
}

@test "a symlink planted in the root cannot lead a file outside it: it is removed" {
	outside=$S/outside
	mkdir -p "$outside"
	made_root
	ln -s "$outside" "$R/abs"
	ln -s ../../../../../../../../.."$outside" "$R/rel"
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/abs/f size=10 mode=0644
	init:dir path=/abs/d mode=0755
	init:file path=/rel/f size=10 mode=0644
	init:symlink path=/rel/l path2=/etc
	EOF
	run ior-init -C "$R" "$S/p"
	# where the tree has a directory, a symlink is not in the tree
	assert_success
	assert_equal "$(ls -A "$outside")" ""
	assert_equal "$(stat -c %F "$R/abs" "$R/rel")" "$(printf '%s\n' directory directory)"
	assert [ -f "$R/abs/f" ]
	assert [ -L "$R/rel/l" ]
}

@test "a symlink the program made cannot lead a later file outside the root" {
	outside=$S/outside
	mkdir -p "$outside"
	{ stream replay; inits; } > "$S/p1" <<-EOF
	init:symlink path=/esc path2=$outside
	init:symlink path=/up path2=../../../../../../../..
	EOF
	{ stream replay; inits; } > "$S/p2" <<-'EOF'
	init:file path=/esc/f size=10 mode=0644
	init:dir path=/esc/d mode=0755
	init:file path=/up/f size=1 mode=0644
	EOF
	run ior-init -C "$R" "$S/p1"
	assert_success
	# the symlinks are not in the second program's tree: removed
	run ior-init -C "$R" "$S/p2"
	assert_success
	assert_equal "$(ls -A "$outside")" ""
	assert [ ! -e "$(dirname "$R")/f" ]
	assert [ -f "$R/esc/f" ]
	assert [ -f "$R/up/f" ]
}

@test "an entry of the wrong type in the way is removed and the program's made" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/d size=10 mode=0644
	init:dir path=/f mode=0755
	init:symlink path=/d2 path2=x
	init:file path=/ok size=1 mode=0644
	EOF
	made_root
	mkdir -p "$R/d/sub" "$R/d2"
	touch "$R/f" "$R/d/sub/x"
	run ior-init -C "$R" "$S/p"
	assert_success
	assert_output "ior-init: $R: back to the program's tree: 5 entries not in it removed, 0 files' contents restored"
	assert_equal "$(info "$R/d")" "regular file 10 644"
	assert_equal "$(info "$R/f")" "directory 4096 755"
	assert_equal "$(readlink "$R/d2")" x
	assert [ -f "$R/ok" ]
}

@test "a file where the tree has a parent directory is removed, and the directory made" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/f/g size=1 mode=0644
	EOF
	made_root
	touch "$R/f"
	run ior-init -C "$R" "$S/p"
	assert_success
	assert_equal "$(info "$R/f")" "directory 4096 755"
	assert_equal "$(info "$R/f/g")" "regular file 1 644"
}

@test "-n prints what would be done and changes nothing" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=0750
	init:file path=/d/f size=8192 mode=0640
	init:file path=/d/g size=5 mode=0644
	init:symlink path=/d/l\x20x path2=f
	EOF
	made_root
	mkdir -p "$R/d"
	printf abc > "$R/d/g"
	chmod 0644 "$R/d/g"
	before=$(snapshot "$R")
	run ior-init -n -C "$R" "$S/p"
	assert_success
	assert_output "chmod /d 0750
create /d/f 8192 0640
resize /d/g 5
symlink /d/l\\x20x f"
	assert_equal "$(snapshot "$R")" "$before"
	ior-init -C "$R" "$S/p"
	run ior-init -n -C "$R" "$S/p"
	assert_success
	assert_output ""
}

@test "-n does not make a missing root" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/f size=1 mode=0644
	EOF
	run ior-init -n -C "$R" "$S/p"
	assert_success
	assert_line "mkdir $R 0755"
	assert_line "create /f 1 0644"
	assert [ ! -e "$R" ]
}

@test "-v reports progress and a summary on stderr" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=0755
	init:file path=/d/f size=1000 mode=0644
	init:symlink path=/l path2=d
	init:link path=/d/g path2=/d/f
	EOF
	run --separate-stderr ior-init -v -C "$R" "$S/p"
	assert_success
	assert_output ""
	[[ $stderr == *"ior-init: 1 dirs, 1 files (1000 bytes), 1 links, 1 symlinks created; 0 fixed; 0 already right; 0 removed; 0 contents restored; 0 failed"* ]]
}

@test "a hard link shares the inode of its first name: link count 2" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=0700
	init:file path=/d/a size=100 mode=0600
	init:link path=/e/b path2=/d/a
	EOF
	run ior-init -C "$R" "$S/p"
	assert_success
	assert_equal "$(stat -c %i "$R/e/b")" "$(stat -c %i "$R/d/a")"
	assert_equal "$(stat -c '%h %s %a' "$R/e/b")" "2 100 600"
	assert_equal "$(info "$R/d")" "directory 4096 700"
	# a second run keeps the link
	run ior-init -v -C "$R" "$S/p"
	assert_success
	assert_output --partial "0 links, 0 symlinks created; 0 fixed; 3 already right"
	assert_equal "$(stat -c %h "$R/d/a")" 2
}

@test "a file of its own at a link's path is relinked; a directory in the way is removed" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/a size=10 mode=0644
	init:link path=/b path2=/a
	init:link path=/c path2=/a
	EOF
	made_root
	mkdir -p "$R/c"
	echo other > "$R/b"
	run ior-init -n -C "$R" "$S/p"
	assert_success
	assert_output "remove /c
create /a 10 0644
link /b /a
link /c /a"
	run ior-init -C "$R" "$S/p"
	assert_success
	assert_equal "$(stat -c %i "$R/b")" "$(stat -c %i "$R/a")"
	assert_equal "$(stat -c %i "$R/c")" "$(stat -c %i "$R/a")"
	assert_equal "$(stat -c %s "$R/b")" 10
	assert_equal "$(stat -c %h "$R/a")" 3
	run ior-init -n -C "$R" "$S/p"
	assert_output ""
}

@test "a link to a missing name fails with both names" {
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:link path=/b path2=/no\x20such
	init:file path=/ok size=1 mode=0644
	EOF
	run ior-init -C "$R" "$S/p"
	assert_failure 1
	assert_line "ior-init: /b: cannot make link: /no\x20such: No such file or directory"
	assert [ -f "$R/ok" ]
	assert [ ! -e "$R/b" ]
}

@test "a link to a symlink links the symlink, never what it leads to outside the root" {
	outside=$S/outside
	mkdir -p "$outside"
	echo secret > "$outside/f"
	{ stream replay; inits; } > "$S/p1" <<-EOF
	init:symlink path=/esc path2=$outside/f
	EOF
	{ stream replay; inits; } > "$S/p2" <<-EOF
	init:link path=/h path2=/esc
	init:link path=/h2 path2=/../../..$outside/f
	init:symlink path=/esc path2=$outside/f
	EOF
	ior-init -C "$R" "$S/p1"
	run ior-init -C "$R" "$S/p2"
	assert_failure 1
	assert_line --partial "ior-init: /h2: cannot make link: "
	assert_equal "$(stat -c %F "$R/h")" "symbolic link"
	assert_equal "$(stat -c %h "$outside/f")" 1
	assert [ ! -e "$R/h2" ]
}

# used_program: $S/p, a replay program that creates, appends, writes
# into a file, truncates it, renames, chmods, unlinks and makes a
# directory: each would
# return another result on a root it has already used.
used_program() {
	SEQ=0
	{
		stream replay
		inits <<-'EOF'
		init:dir path=/d mode=0755
		init:file path=/d/a size=5000 mode=0644
		init:file path=/d/b size=3000 mode=0644
		init:file path=/d/c size=100 mode=0600
		init:file path=/d/gone size=10 mode=0644
		EOF
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/new flags=O_WRONLY\|O_CREAT\|O_EXCL mode=0644
		op 1 1 write 100 fd=3 count=100
		op 1 1 close 0 fd=3
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/a flags=O_RDWR\|O_APPEND
		op 1 1 pread64 4 fd=3 count=4 offset=4996
		op 1 1 write 50 fd=3 count=50
		op 1 1 pwrite64 4 fd=3 count=4 offset=0
		op 1 1 lseek 5054 fd=3 offset=0 whence=SEEK_END
		op 1 1 close 0 fd=3
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/b flags=O_RDWR
		op 1 1 read 3000 fd=3 count=4096
		op 1 1 pwrite64 4 fd=3 count=4 offset=2
		op 1 1 close 0 fd=3
		op 1 1 truncate 0 path=/d/b size=10
		op 1 1 rename 0 path=/d/c path2=/d/c2
		op 1 1 chmod 0 path=/d/a mode=0600
		op 1 1 unlink 0 path=/d/gone
		op 1 1 mkdir 0 path=/d/sub mode=0755
		op 1 1 openat 3 dirfd=AT_FDCWD path=/d/sub/f flags=O_WRONLY\|O_CREAT mode=0644
		op 1 1 close 0 fd=3
	} | add_vfds > "$S/p"
}

# SEQ RET of each result of the result stream $1, then its mismatched=
# and skipped=.
rets() {
	awk '!/^#/ { print $8, $6 }
	     /^#stat ior-replay/ { for (i = 3; i <= NF; i++)
		if ($i ~ /^(mismatched|skipped)=/) print $i }' "$1"
}

# type, size, mode and content of every entry beneath $1
tree_of() {
	find "$1" -printf '%P %y %s %m\n' | LC_ALL=C sort
	env -C "$1" find . -type f -exec sha1sum {} + | LC_ALL=C sort -k 2
}

@test "a second run on a root a replay used removes what it made and restores sizes, modes and contents" {
	used_program
	ior-init -C "$R" "$S/p"
	tree_of "$R" > "$S/tree.0"
	run -0 ior-replay -C "$R" "$S/p"
	assert [ -f "$R/d/new" ]
	assert_equal "$(stat -c %s "$R/d/b")" 10
	# in the order of the directory's entries: sorted
	run -0 sh -c 'ior-init -n -C "$1" "$2" | LC_ALL=C sort' - "$R" "$S/p"
	assert_output "$(printf '%s\n' 'remove /d/new' 'remove /d/sub' 'remove /d/c2' \
		'resize /d/a 5000' 'chmod /d/a 0644' 'resize /d/b 3000' \
		'create /d/c 100 0600' 'create /d/gone 10 0644' | LC_ALL=C sort)"
	run --separate-stderr ior-init -C "$R" "$S/p"
	assert_success
	assert_equal "$stderr" "ior-init: $R: back to the program's tree: 4 entries not in it removed, 1 files' contents restored"
	# the created file and directory are gone, the truncated file has its
	# size and content back, the overwritten one its content
	assert [ ! -e "$R/d/new" ]
	assert [ ! -e "$R/d/sub" ]
	assert_equal "$(stat -c %s "$R/d/b")" 3000
	tree_of "$R" > "$S/tree.1"
	diff -u "$S/tree.0" "$S/tree.1"
	# and a third run changes nothing
	run -0 --separate-stderr ior-init -C "$R" "$S/p"
	assert_equal "$stderr" ""
}

@test "a replay on a root ior-init brought back gives the first replay's results; without it, others" {
	used_program
	ior-init -C "$R" "$S/p"
	ior-replay -C "$R" "$S/p" > "$S/r1"
	rets "$S/r1" > "$S/rets.1"
	# no re-init: the create, the read, the rename, the unlink, the
	# mkdir and the lseek return something else
	run -1 ior-replay -C "$R" "$S/p"
	run -0 ior-init -C "$R" "$S/p"
	ior-replay -C "$R" "$S/p" > "$S/r2"
	rets "$S/r2" > "$S/rets.2"
	diff -u "$S/rets.1" "$S/rets.2"
	run grep -c '^seq=' "$S/rets.2"
	assert_output 20
	run grep -x -e 'mismatched=0' -e 'skipped=0' "$S/rets.2"
	assert_output "$(printf '%s\n' mismatched=0 skipped=0)"
}

@test "removing what a replay made follows no symlink: what one leads to outside the root is left" {
	outside=$S/outside
	mkdir -p "$outside/dir"
	echo keep > "$outside/f"
	echo keep > "$outside/dir/g"
	SEQ=0
	{
		stream replay
		inits <<-'EOF'
		init:dir path=/d mode=0755
		EOF
		op 1 1 symlink 0 path="$outside/f" path2=/d/l
		op 1 1 symlink 0 path="$outside/dir" path2=/d/ldir
		op 1 1 mkdir 0 path=/d/sub mode=0755
		op 1 1 symlink 0 path=../../../../../../../.. path2=/d/sub/up
	} | add_vfds > "$S/p"
	ior-init -C "$R" "$S/p"
	run -0 ior-replay -C "$R" "$S/p"
	assert [ -L "$R/d/ldir" ]
	run -0 ior-init -C "$R" "$S/p"
	assert_equal "$(ls -A "$R/d")" ""
	assert_equal "$(cat "$outside/f" "$outside/dir/g")" "$(printf '%s\n' keep keep)"
	assert [ -d "$R/d" ]
}

@test "a directory mounted where the tree has none is left, and said" {
	need_root "to mount"
	made_root
	mkdir -p "$S/elsewhere" "$R/d/bind"
	echo keep > "$S/elsewhere/f"
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=0755
	EOF
	run unshare -m --propagation private sh -c 'mount --bind "$1" "$2" || exit 99
		ior-init -C "$3" "$4"' - "$S/elsewhere" "$R/d/bind" "$R" "$S/p"
	assert_failure 1
	assert_output "ior-init: /d/bind: cannot remove: a mount point: left as it is
ior-init: 1 entries not in the program's tree could not be removed"
	assert_equal "$(cat "$S/elsewhere/f")" keep
}

@test "owners are set when running as root, and fixed on a second run (--privileged)" {
	need_root "needs root to set owners"
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=02750 uid=1234 gid=5678
	init:file path=/d/f size=10 mode=04755 uid=1234 gid=5678
	init:symlink path=/d/l path2=f uid=4321 gid=8765
	init:file path=/d/root size=1 mode=0644
	EOF
	run ior-init --privileged -C "$R" "$S/p"
	assert_success
	assert_equal "$(stat -c '%u:%g %a' "$R/d")" "1234:5678 2750"
	# chown clears setuid: the mode is set after it
	assert_equal "$(stat -c '%u:%g %a' "$R/d/f")" "1234:5678 4755"
	assert_equal "$(stat -c '%u:%g' "$R/d/l")" "4321:8765"
	assert_equal "$(stat -c '%u' "$R/d/root")" 0
	chown -h 0:0 "$R/d" "$R/d/f" "$R/d/l"
	run ior-init --privileged -n -C "$R" "$S/p"
	# chown clears setuid of files only
	assert_output "chown /d 1234:5678
chown /d/f 1234:5678
chmod /d/f 04755
chown /d/l 4321:8765"
	run ior-init --privileged -v -C "$R" "$S/p"
	assert_success
	assert_output --partial "3 fixed; 1 already right"
	assert_equal "$(stat -c '%u:%g %a' "$R/d/f")" "1234:5678 4755"
	assert_equal "$(stat -c '%u:%g' "$R/d/l")" "4321:8765"
}

@test "--privileged puts setuid back only on a file no other user may have written" {
	need_root "--privileged is root's"
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:file path=/a size=10 mode=04755
	init:file path=/b size=10 mode=04755
	EOF
	ior-init --privileged -C "$R" "$S/p"
	chmod 0755 "$R/a"
	chmod 0757 "$R/b"
	run -0 ior-init --privileged -v -C "$R" "$S/p"
	assert_output --partial "2 fixed"
	assert_line "ior-init: 1 modes without their setuid and setgid bits (--privileged keeps them)"
	assert_equal "$(stat -c %a "$R/a" "$R/b")" "4755
755"
}

@test "owners are ignored when not running as root" {
	need_root "needs root to become another user"
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=0755 uid=0 gid=0
	init:file path=/d/f size=10 mode=0644 uid=0 gid=0
	init:symlink path=/d/l path2=f uid=0 gid=0
	EOF
	# a root that nobody can reach: the test's own directory is private
	N=$(mktemp -d /tmp/ior-init-nobody.XXXXXX)
	chmod 0755 "$N"
	install -d -o 65534 -g 65534 "$N/root"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		ior-init -C "$N/root" < "$S/p"
	assert_success
	assert_equal "$(stat -c '%u:%g' "$N/root/d" "$N/root/d/f" "$N/root/d/l")" \
		"$(printf '65534:65534\n%.0s' 1 2 3)"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		ior-init -n -C "$N/root" < "$S/p"
	assert_success
	assert_output ""
}

@test "a stream that is not a replay program is refused" {
	{ stream trace; rec_at 0.000031000 4242 4242 pread64 4096 2210 fd=3 count=4096 offset=0; } > "$S/t"
	run ior-init -C "$R" "$S/t"
	assert_failure 3
	assert_output "ior-init: $S/t:1: a trace stream is not a replay program (ior-init reads the output of ior-gen)"
	assert [ ! -e "$R" ]
}

@test "a replay stream concatenated with another kind is refused" {
	{ stream replay; stream map; } > "$S/p"
	run ior-init -C "$R" "$S/p"
	assert_failure 3
	assert_output --partial "$S/p:2: a map stream is not a replay program"
}

@test "bad command lines exit 2 with usage; -h exits 0" {
	run ior-init
	assert_failure 2
	assert_line --partial "-C DIR is required"
	assert_line --partial "usage: ior-init"
	run ior-init -C "$R" -j 0
	assert_failure 2
	run ior-init -C "$R" -j 4x
	assert_failure 2
	run ior-init -C "$R" --fill ones
	assert_failure 2
	run ior-init -C "$R" a b
	assert_failure 2
	run --separate-stderr ior-init -h
	assert_success
	assert_output --partial "usage: ior-init -C DIR"
	assert [ ! -e "$R" ]
}

@test "an unreadable input file is a system error" {
	run ior-init -C "$R" "$S/missing"
	assert_failure 4
	assert_output --partial "$S/missing"
}

# Bad input: one line naming input and line, exit 3, and nothing made.
bad_input() {
	run timeout 10 ior-init -C "$R" "$S/bad"
	assert_failure 3
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^ior-init: $S/bad:$1: "
	assert [ ! -e "$R" ]
}

@test "bad input: random bytes" {
	head -c 4096 /dev/urandom > "$S/bad"
	bad_input '[0-9]+'
}

@test "bad input: empty input" {
	: > "$S/bad"
	bad_input 0
	assert_output --partial "empty input"
}

@test "bad input: truncated last line" {
	{ stream replay; inits; } <<-'EOF' | head -c -1 > "$S/bad"
	init:dir path=/d mode=0755
	init:file path=/d/f size=1 mode=0644
	EOF
	bad_input 3
	assert_output --partial "truncated"
}

@test "bad input: non-numeric size" {
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:dir path=/d mode=0755
	init:file path=/d/f size=12k mode=0644
	EOF
	bad_input 3
	assert_output --partial "size: not a number"
}

@test "bad input: mode not octal with a leading zero" {
	for m in 644 0648 012345 -0644 0x1ff ''; do
		{ stream replay; inits; } > "$S/bad" <<-EOF
		init:file path=/f size=1 mode=$m
		EOF
		bad_input 2
		assert_output --partial "mode: "
	done
}

@test "bad input: NUL byte, raw or escaped" {
	{ stream replay; printf '0 0 0 - init:file 0 0 path=/a\0b size=1 mode=0644\n'; } > "$S/bad"
	bad_input 2
	assert_output --partial "NUL"
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:file path=/a\x00b size=1 mode=0644
	EOF
	bad_input 2
	assert_output --partial "path: value holds a NUL byte"
}

@test "bad input: a 1 MiB field" {
	{ stream replay; printf '0 0 0 - init:file 0 0 size=1 mode=0644 path=/'
	  head -c 1048576 /dev/zero | tr '\0' a; echo; } > "$S/bad"
	bad_input 2
}

@test "bad input: missing key, empty path, bad escape, unknown init record" {
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:file path=/f mode=0644
	EOF
	bad_input 2
	assert_output --partial "size: missing"
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:dir path= mode=0755
	EOF
	bad_input 2
	assert_output --partial "path: empty path"
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:symlink path=/l path2=\xZZ
	EOF
	bad_input 2
	assert_output --partial "path2: malformed escape"
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:fifo path=/p mode=0644
	EOF
	bad_input 2
	assert_output --partial "unknown init record"
}

@test "bad input: a link without path2, an owner that is not a number" {
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:link path=/b
	EOF
	bad_input 2
	assert_output --partial "path2: missing"
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:file path=/f size=1 mode=0644 uid=root
	EOF
	bad_input 2
	assert_output --partial "uid: not a number"
	{ stream replay; inits; } > "$S/bad" <<-'EOF'
	init:dir path=/d mode=0755 gid=4294967295
	EOF
	bad_input 2
	assert_output --partial "gid: out of range"
}

@test "bad input late in the stream makes nothing at all" {
	{ stream replay; inits <<-'EOF'
	init:dir path=/d mode=0755
	init:file path=/d/f size=1 mode=0644
	EOF
	echo 'garbage'; } > "$S/bad"
	bad_input 4
}

@test "a root ior-init did not make from empty keeps what is not the program's, and says so" {
	mkdir -p "$R/mine"
	echo keep > "$R/mine/data"
	echo keep > "$R/f"
	{ stream replay; inits; } > "$S/p" <<-'EOF'
	init:dir path=/d mode=0755
	init:file path=/f size=3 mode=0644
	EOF
	run -0 --separate-stderr ior-init -C "$R" "$S/p"
	# its own /f is made as the program says; the rest is left
	assert_equal "$stderr" "ior-init: $R: holds entries, and no ior-init made a tree in it: nothing removed (give an empty directory to bring it back on later runs)
ior-init: $R: back to the program's tree: 0 entries not in it removed, 1 files' contents restored"
	assert_equal "$(cat "$R/mine/data")" keep
	assert [ -d "$R/d" ]
	# a second run still does not take it for its own
	run -0 --separate-stderr ior-init -C "$R" "$S/p"
	assert_equal "$(cat "$R/mine/data")" keep
}
