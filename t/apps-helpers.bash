# apps-helpers.bash - helpers of the real-application tests (t/apps.bats):
# run a shell command of Debian tools over a prepared directory, under
# ior-trace and under strace, and replay the capture under a fresh root.
# Load after helpers and e2e-helpers.

# Reads and writes on pipes (tar | gzip, find | xargs) come in chunks that
# depend on how the two ends are scheduled: an application whose work
# goes through a pipe compares the counts of every file call but these
# with strace's, and these by the descriptors they use (strace_io,
# capture_io).
PIPE_CALLS="read write readv writev"

# Applications run with a fixed environment: no user or system git
# configuration, fixed commit dates, the C locale.
app_env() {
	env -i PATH=/usr/bin:/bin HOME="$1" LC_ALL=C TZ=UTC \
		GIT_CONFIG_NOSYSTEM=1 \
		GIT_AUTHOR_DATE='2020-01-02T03:04:05Z' \
		GIT_COMMITTER_DATE='2020-01-02T03:04:05Z' \
		"${@:2}"
}

# Every file below DIR gets one fixed time, so that runs on two copies
# behave alike (git rehashes files whose time is too close to its index).
age_tree() {
	find "$1" -exec touch -h -d '2020-01-01 00:00:00' {} +
}

# app_captured SETUP SCRIPT: prepare $S/work with the function SETUP, run
# `sh -c SCRIPT` in it under ior-trace, and replay the capture under
# $ROOT. The tree the application left must come back under the root:
# entries, types, sizes, link counts, modes and symlink targets. Sets S,
# W and ROOT.
app_captured() {
	local setup=$1 script=$2
	S=$(scratch)
	W=$S/work
	ROOT=$S/root
	mkdir -p "$W" "$S/home" "$ROOT"
	"$setup" "$W"
	age_tree "$W"
	echo "# step: ior-trace -- sh -c '$script'"
	if ! app_env "$S/home" timeout 120 env -C "$W" \
		"$IOR_BIN/ior-trace" -o "$S/cap.ior" -- sh -c "$script"; then
		echo "# FAILED: ior-trace or the application"
		return 1
	fi
	tree_list "$W" > "$S/captured.tree"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$S/cap.ior" "$S/map.ior"
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$S/map.ior" "$S/prog.replay"
	step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
	replay_step "$ROOT" "$S/prog.replay" "$S/result.ior"
	if [ ! -d "$ROOT$W" ]; then
		echo "# ior-init/ior-replay: $ROOT$W was not created"
		return 1
	fi
	tree_list "$ROOT$W" > "$S/replayed.tree"
	echo "# step: compare the trees (captured vs replayed)"
	diff -u "$S/captured.tree" "$S/replayed.tree"
}

# app_counts SETUP SCRIPT [EXCLUDED CALLS]: the capture of SCRIPT counts
# each file call as strace -f -c does on a fresh copy, but the excluded;
# and its reads and writes match strace's by descriptor (strace_io,
# capture_io), excluded or not.
app_counts() {
	local setup=$1 script=$2 skip=${3:-} s
	s=$(scratch)
	mkdir -p "$s/a" "$s/b" "$s/home-a" "$s/home-b"
	"$setup" "$s/a"
	"$setup" "$s/b"
	age_tree "$s/a"
	age_tree "$s/b"
	echo "# step: ior-trace -- sh -c '$script'"
	if ! app_env "$s/home-a" timeout 120 env -C "$s/a" \
		"$IOR_BIN/ior-trace" -o "$s/cap.ior" -- sh -c "$script" > /dev/null; then
		echo "# FAILED: ior-trace or the application"
		return 1
	fi
	echo "# step: strace"
	if ! app_env "$s/home-b" timeout 120 env -C "$s/b" \
		strace -f -qq -y -C -o "$s/strace.txt" sh -c "$script" > /dev/null; then
		echo "# FAILED: strace or the application"
		return 1
	fi
	strace_counts "$s/strace.txt" | drop_calls "$skip" > "$s/strace.counts"
	capture_counts "$s/cap.ior" | drop_calls "$skip" > "$s/capture.counts"
	echo "# step: compare counts (strace vs ior-trace)"
	diff -u "$s/strace.counts" "$s/capture.counts"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$s/cap.ior" "$s/map.ior"
	strace_io "$s/strace.txt" > "$s/strace.io"
	capture_io "$s/map.ior" > "$s/capture.io"
	echo "# step: compare reads and writes by descriptor (strace vs ior-trace)"
	if ! grep -q ' file ' "$s/strace.io"; then
		echo "# no read or write of a file in $s/strace.txt"
		return 1
	fi
	diff -u "$s/strace.io" "$s/capture.io"
}

# The reads and writes (read, write, readv, writev) of a run, in lines
#   CALL file OUTCOME COUNT BYTES	on a file (an absolute path)
#   CALL pipe OUTCOME COUNT BYTES	writes on anything else (pipes)
#   CALL pipe BYTES			reads on anything else
# sorted; OUTCOME is "ok" or the error's name, BYTES the sum of the
# returns. What a read of a pipe returns depends on how much the writer
# had written by then: those reads are compared by their bytes only. A
# write to a pipe blocks until it is all written: its count is the
# writer's own.
#
# strace_io FILE: from strace -f -y output, where a descriptor is followed
# by what it refers to (<PATH>, <pipe:[N]>); a call another process
# interrupted is two lines, "<unfinished ...>" then "<... CALL resumed>".
strace_io() {
	awk '
		function done(pid, call, class, line,  r, t) {
			r = substr(line, match(line, / = [^=]*$/) + 3)
			split(r, t, " ")
			if (t[1] == "?")
				return		# killed in the call: no return
			if (t[1] < 0)
				put(call, class, t[2], 0)
			else
				put(call, class, "ok", t[1])
		}
		function put(call, class, outcome, bytes,  k) {
			k = call " " class
			if (class == "file" || call ~ /^write/)
				k = k " " outcome
			n[k]++
			b[k] += bytes
		}
		match($0, /^[0-9]+ +(read|write|readv|writev)\(/) {
			call = substr($2, 1, index($2, "(") - 1)
			fd = substr($0, RSTART + RLENGTH)
			class = fd ~ /^[0-9]+<\// ? "file" : "pipe"
			if ($0 ~ /<unfinished \.\.\.>$/)
				pending[$1] = call " " class
			else
				done($1, call, class, $0)
			next
		}
		$2 == "<..." && $3 ~ /^(read|write|readv|writev)$/ && $4 ~ /^resumed>/ {
			split(pending[$1], p, " ")
			delete pending[$1]
			done($1, p[1], p[2], $0)
		}
		END {
			for (k in n)
				print k, (k ~ /^read/ && k ~ / pipe$/ ? "" : n[k] " ") b[k] + 0
		}' "$1" | LC_ALL=C sort
}

# capture_io FILE: the same from the mapped stream of a capture of
# `ior-trace -- CMD`, from CMD's exec on (see capture_counts): ior-map
# names the file of each descriptor it knows (file=); the others are
# pipes, or descriptors it did not know.
capture_io() {
	awk '
		function key(k,  i) {
			for (i = 8; i <= NF; i++)
				if (index($i, k "=") == 1)
					return substr($i, length(k) + 2)
			return ""
		}
		FNR == NR { if ($5 == "sched:exec") has_exec = 1; next }
		/^#/ { next }
		has_exec && !started { started = $5 == "sched:exec"; next }
		$5 ~ /^(read|write|readv|writev)$/ {
			class = substr(key("file"), 1, 1) == "/" ? "file" : "pipe"
			k = $5 " " class
			if (class == "file" || $5 ~ /^write/)
				k = k " " ($6 < 0 ? key("err") : "ok")
			n[k]++
			if ($6 > 0)
				b[k] += $6
		}
		END {
			for (k in n)
				print k, (k ~ /^read/ && k ~ / pipe$/ ? "" : n[k] " ") b[k] + 0
		}' "$1" "$1" | LC_ALL=C sort
}

# drop_calls "CALL ...": filter "CALL COUNT" lines, leaving out the calls.
drop_calls() {
	awk -v calls="$1" '
		BEGIN { split(calls, c); for (i in c) drop[c[i]] = 1 }
		!($1 in drop)'
}

# ---- the applications' starting directories ----

setup_sqlite() {
	cat > "$1/../script.sql" <<'SQL'
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000)
INSERT INTO t SELECT x, printf('%0200d', x) FROM c;
COMMIT;
UPDATE t SET b = 'short' WHERE a % 3 = 0;
DELETE FROM t WHERE a % 5 = 0;
VACUUM;
SQL
}

setup_tree() {
	mkdir -p "$1/src/sub/deeper"
	seq 1 5000 > "$1/src/numbers.txt"
	printf 'hello\n' > "$1/src/sub/hello.txt"
	head -c 30000 /dev/zero > "$1/src/sub/deeper/zeros.bin"
	chmod 0600 "$1/src/sub/hello.txt"
	ln -s ../numbers.txt "$1/src/sub/numbers.link"
}

# The .gitignore matches nothing present: a file the application never
# touches cannot be in its capture, so it cannot come back in a replay.
setup_git() {
	setup_tree "$1"
	printf '*.o\n' > "$1/.gitignore"
}

setup_cp() {
	setup_tree "$1"
	printf '#!/bin/sh\n' > "$1/src/run.sh"
	chmod 0755 "$1/src/run.sh"
	ln "$1/src/numbers.txt" "$1/src/numbers.hard"
	chmod 0700 "$1/src/sub/deeper"
}

setup_coreutils() {
	mkdir -p "$1/junk/inner"
	printf 'a\n' > "$1/a"
	printf 'bb\n' > "$1/b"
	printf 'ccc\n' > "$1/c"
	printf 'x\n' > "$1/junk/inner/x"
	seq 1000 -1 1 > "$1/unsorted.txt"
	printf 'one two\n' > "$1/words.txt"
}

# fio reads and writes a file made beforehand: it lays out nothing itself.
setup_fio() {
	head -c 4M /dev/zero > "$1/fio.dat"
}

# Skip (or, under CI, fail) when the file system of DIR refuses O_DIRECT
# (tmpfs does).
need_direct_io() {
	local ok=0
	dd if=/dev/zero of="$1/direct.probe" bs=4096 count=1 oflag=direct \
		status=none 2>/dev/null || ok=1
	rm -f "$1/direct.probe"
	[ "$ok" = 0 ] || skip_or_fail "the file system of $1 refuses O_DIRECT"
}

# fio_ios FILE: "READS WRITES": the I/O counts of fio's JSON report.
fio_ios() {
	jq -r '.jobs[0] | "\(.read.total_ios) \(.write.total_ios)"' "$1"
}

# count_requests FILE REGEX: the records of FILE whose CALL matches REGEX,
# but those the replay skipped.
count_requests() {
	awk -v re="^($2)\$" '!/^#/ && $5 ~ re && !/ skip=/ { n++ } END { print n + 0 }' "$1"
}

# strace_submitted FILE CALL: the requests strace saw CALL submit (the sum
# of the second arguments of io_submit or io_uring_enter).
strace_submitted() {
	strace_batches "$1" | awk -v c="$2" '$1 == c { n += $2 } END { print n + 0 }'
}
