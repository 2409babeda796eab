# streams.bash - writing ior streams (ior-format(5)) by hand in tests;
# load it after helpers with
#   load streams
#
# A stream is a magic line, "#ior 1 KIND", then records, one a line:
#   TIME PID TID COMM CALL RET DUR [KEY=VALUE ...]
# Each function here prints lines to stdout; a test collects them into
# its input file, with a here-document or a { } group:
#   {
#   	stream map
#   	rec 1 1 openat 3 100 dirfd=AT_FDCWD path=/a flags=O_RDONLY mode=0
#   } > "$D/in"
# Nothing here checks what it writes: malformed records (a RET of "ten")
# are written as given, for the tests of bad input.

# stream KIND [-]: the magic line of a stream of KIND (trace, map, replay
# or result); with -, then the lines of stdin as they are.
#   stream replay                 #ior 1 replay
#   stream trace - <<-'EOF' > "$d/in"
#   0.000000001 500 500 a getpid 500 10
#   EOF                           #ior 1 trace
#                                 0.000000001 500 500 a getpid 500 10
stream() {
	echo "#ior 1 $1"
	if [ "${2:-}" = - ]; then
		cat
	fi
}

# rec PID TID CALL RET DUR [KEY=VALUE ...]: a record of thread TID of
# process PID, command "app", at 0.000001000 s.
#   rec 1 2 pread64 100 500 fd=3 count=100 offset=0
#   0.000001000 1 2 app pread64 100 500 fd=3 count=100 offset=0
rec() {
	rec_at 0.000001000 "$@"
}

# rec_at TIME PID TID CALL RET DUR [KEY=VALUE ...]: the same at TIME
# seconds, for records whose order in time is the point.
#   rec_at 0.000010000 1 1 uring:read 4096 7000 ring=5 fd=3 sub=1
#   0.000010000 1 1 app uring:read 4096 7000 ring=5 fd=3 sub=1
rec_at() {
	local time=$1 pid=$2 tid=$3 call=$4 ret=$5 dur=$6
	shift 6
	echo "$time $pid $tid app $call $ret $dur${*:+ $*}"
}

# op PID TID CALL RET [KEY=VALUE ...]: the next operation of a replay
# program, numbered: a record of DUR 1000 whose first key is seq=N, N
# one more than the last op's.  SEQ holds N: set SEQ=0 before the
# program's first op (setup does it in t/ior-replay.bats).
#   SEQ=0
#   op 1 1 mkdir 0 path=/d mode=0755
#   op 1 2 rmdir 0 path=/d
#   0.000001000 1 1 app mkdir 0 1000 seq=1 path=/d mode=0755
#   0.000001000 1 2 app rmdir 0 1000 seq=2 path=/d
op() {
	op_at 0.000001000 "$@"
}

# op_at TIME PID TID CALL RET [KEY=VALUE ...]: the same at TIME seconds,
# for the replay's pacing (-T) and the order of its threads.
#   op_at 10.2 1 1 close 0 fd=3
#   10.2 1 1 app close 0 1000 seq=3 fd=3
op_at() {
	local time=$1 pid=$2 tid=$3 call=$4 ret=$5
	shift 5
	SEQ=$((SEQ + 1))
	rec_at "$time" "$pid" "$tid" "$call" "$ret" 1000 "seq=$SEQ" "$@"
}

# init CALL [KEY=VALUE ...]: an init record of a replay program: a part
# of the starting tree, outside any process (ior-gen writes them first).
#   init init:dir path=/srv mode=0755
#   0 0 0 - init:dir 0 0 path=/srv mode=0755
init() {
	local call=$1
	shift
	echo "0 0 0 - $call 0 0${*:+ $*}"
}

# inits: init records from stdin, one per line written "CALL KEY=VALUE
# ...", for the longer trees; the keys are copied as they are, escapes
# and all.
#   { stream replay; inits; } > "$S/p" <<-'EOF'
#   init:dir path=/srv mode=0711
#   init:file path=/srv/x.db size=8192 mode=0640
#   EOF
#   #ior 1 replay
#   0 0 0 - init:dir 0 0 path=/srv mode=0711
#   0 0 0 - init:file 0 0 path=/srv/x.db size=8192 mode=0640
inits() {
	local call args
	while read -r call args; do
		echo "0 0 0 - $call 0 0 $args"
	done
}

# add_vfds: copy a replay program from stdin to stdout with the vfd and
# vfd2 keys ior-map writes, which a hand-written program leaves out (the
# replay's descriptor table is keyed by them): per process, a new vfd
# for each descriptor an open, dup, fcntl F_DUPFD, memfd_create, ior:fd,
# io_uring_setup or uring:openat makes, copied into a forked child's
# table; vfd2 for the destination of copies; vfds for the descriptors
# io_uring_register registers.  A record that has a vfd already is
# copied as it is.
#   op 1 1 openat 3 dirfd=AT_FDCWD path=/f flags=O_RDONLY mode=0
#   op 1 1 dup 4 fd=3
#   op 1 1 read 10 fd=4 count=10
#   ... | add_vfds
#   0.000001000 1 1 app openat 3 1000 seq=1 dirfd=AT_FDCWD path=/f flags=O_RDONLY mode=0 vfd=1
#   0.000001000 1 1 app dup 4 1000 seq=2 fd=3 vfd=1 vfd2=2
#   0.000001000 1 1 app read 10 1000 seq=3 fd=4 count=10 vfd=2
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
		if (call ~ /^(copy_file_range|sendfile64|splice)$/ &&
		    ((pid, key("fd2")) in tab))
			extra = extra " vfd2=" tab[pid, key("fd2")]
		if (call ~ /^(open|openat|openat2|creat|memfd_create|open_by_handle_at|io_uring_setup)$/ && ret >= 0) {
			tab[pid, ret] = ++n; extra = extra " vfd=" n
		}
		if (call ~ /^uring:openat2?$/ && ret >= 0 && key("slot") == "") {
			tab[pid, ret] = ++n; extra = extra " vfd=" n
		}
		if (call == "io_uring_register" && key("fds") != "") {
			c = split(key("fds"), f, ",")
			v = ""
			for (i = 1; i <= c; i++)
				v = v (i > 1 ? "," : "") ((pid, f[i]) in tab ? tab[pid, f[i]] : -1)
			extra = extra " vfds=" v
		}
		if (call == "ior:fd") {
			tab[pid, fd] = ++n; extra = extra " vfd=" n
		}
		if ((call ~ /^dup[23]?$/ || key("cmd") ~ /^F_DUPFD/) && ret >= 0 &&
		    key("fd2") != fd) {
			tab[pid, ret] = ++n; extra = extra " vfd2=" n
		}
		if ((call == "close" || call == "uring:close") && fd != "")
			delete tab[pid, fd]
		print $0 extra
	}'
}
