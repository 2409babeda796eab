# db-helpers.bash - helpers of the real-database tests (t/db.bats):
# PostgreSQL 15, MariaDB 10.11 and fio, each started by the test in its
# own scratch directory (its own data directory, socket and port, no
# TCP), driven by its own clients while `ior-trace -p` is attached to
# it, then mapped, generated, initialised under a fresh root and
# replayed as fast as possible; and the numbers the tests compare,
# read from ior-gen's and ior-replay's trailers and from ior-stats -t.
# Load after helpers, e2e-helpers (step) and async-helpers.
#
# Everything a test starts is named in DB_PIDS (a process to kill) or
# DB_STOP (a command that stops a server), and db_teardown, the test
# file's teardown, ends them all, also when the test failed half-way.

PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=54329
# pgbench -i's scale (100,000 accounts each) and the transactions of the
# pgbench run: enough for new WAL segments, temp files of the index
# builds and a checkpoint, little enough for a test of a minute or two.
PG_SCALE=${PG_SCALE:-2}
PG_CLIENTS=2
PG_TX=${PG_TX:-250}

DB_PIDS=()
DB_STOP=()

# db_teardown: stop what the test started (db_stop). With DB_KEEP=DIR in
# the environment, the streams and logs of the test (not the data
# directories or the root) are kept in DIR/N-NAME, N the test's number
# and NAME what it ran, for whoever fixes what it found.
db_teardown() {
	local f keep
	if [ -n "${DB_KEEP:-}" ] && [ -n "${S:-}" ] && [ -d "$S" ]; then
		keep=$DB_KEEP/$BATS_TEST_NUMBER-${DB_NAME:-test}
		mkdir -p "$keep"
		for f in "$S"/*; do
			if [ -f "$f" ]; then
				cp "$f" "$keep/"
			fi
		done
	fi
	db_stop
}

# db_stop: stop the servers (DB_STOP, in order), then kill what is left
# of DB_PIDS: tracers, clients, and a server that did not stop.
db_stop() {
	local c p
	for c in "${DB_STOP[@]}"; do
		eval "$c" > /dev/null 2>&1 || true
	done
	for p in "${DB_PIDS[@]}"; do
		kill -TERM "$p" 2> /dev/null || true
	done
	for p in "${DB_PIDS[@]}"; do
		for _ in $(seq 100); do
			if ! kill -0 "$p" 2> /dev/null; then
				break
			fi
			sleep 0.1
		done
		kill -KILL "$p" 2> /dev/null || true
	done
	DB_PIDS=()
	DB_STOP=()
}

# wait_for_line FILE REGEX [SECONDS]: wait until a line of FILE matches
# REGEX (grep -E), at most SECONDS (30); fail, saying so, after that.
wait_for_line() {
	local i
	for i in $(seq $((${3:-30} * 10))); do
		if grep -q -E -- "$2" "$1" 2> /dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "# timed out waiting for /$2/ in $1"
	return 1
}

# let_in USER DIR: USER may reach DIR: o+x on DIR and each directory
# above it that lacks it (a bats run's directory is private to root);
# DIR itself belongs to USER.
let_in() {
	local d
	chown "$1:" "$2"
	d=$(dirname "$2")
	while [ "$d" != / ]; do
		if [ "$(( 0$(stat -c %a "$d") & 1 ))" = 0 ]; then
			chmod o+x "$d"
		fi
		d=$(dirname "$d")
	done
}

# detached CMD...: exec CMD with no descriptor but 0, 1 and 2, for a
# server or a tracer started in the background: bats waits for whatever
# holds its descriptor 3, and the others are its own files, which a
# server's capture would then show as the server's.
detached() {
	local fd
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		if [ "$fd" -gt 2 ]; then
			eval "exec $fd>&-"
		fi
	done
	exec "$@"
}

# regex_quote STRING: STRING as a PCRE2 pattern that matches it alone.
regex_quote() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# ---- capture ----

# trace_start PID: start `ior-trace -p PID` into $S/cap.ior and wait
# until it has attached (it says "tracing N processes" on stderr once
# the probes are in place and the descriptors written). Sets TRACER.
trace_start() {
	echo "# step: ior-trace -p $1"
	(detached ior-trace -p "$1" -o "$S/cap.ior" 2> "$S/trace.err") &
	TRACER=$!
	DB_PIDS+=("$TRACER")
	wait_for_line "$S/trace.err" '^ior-trace: tracing'
}

# trace_stop: stop the capture (SIGINT) and wait for its trailer.
trace_stop() {
	local rc=0
	echo "# step: stop ior-trace"
	kill -INT "$TRACER"
	wait "$TRACER" || rc=$?
	cat "$S/trace.err"
	if [ "$rc" != 0 ]; then
		echo "# FAILED: ior-trace exited $rc"
		return 1
	fi
	grep '^#stat ior-trace ' "$S/cap.ior"
}

# trace_for PID SECONDS: capture PID and its children for SECONDS
# (ior-trace -p PID -d SECONDS) into $S/cap.ior, while it runs.
trace_for() {
	echo "# step: ior-trace -p $1 -d $2"
	if ! timeout $(($2 + 60)) ior-trace -p "$1" -d "$2" -o "$S/cap.ior" 2> "$S/trace.err"; then
		cat "$S/trace.err"
		echo "# FAILED: ior-trace"
		return 1
	fi
	cat "$S/trace.err"
	grep '^#stat ior-trace ' "$S/cap.ior"
}

# replay_capture [REGEX]: the pipeline on $S/cap.ior: ior-map (with -i
# REGEX: the application's files only) into $S/map.ior, ior-gen into
# $S/prog.replay, ior-init under the fresh root $S/root, and ior-replay
# into $S/result.ior, as fast as possible, or timed (-T) when
# REPLAY_TIMED is set. ior-replay's exit status is
# left in REPLAY_STATUS, its standard error in $S/replay.err: a replay
# that refuses its program is what some tests check. Sets ROOT.
#
# The application and its clients are stopped first (db_stop): the
# replay is to run on a machine they no longer load. Left running,
# InnoDB went on flushing the pages sysbench dirtied, and fio on
# writing, on the disk and the two CPUs the replay ran on: MariaDB's
# io_uring_enter calls took 1.65 times as long in the replay as in the
# capture (mean 25 us against 15), its submissions ran 0.7-1.8 ms late
# in the threads that wrote pages, and their depth came out 64 against
# 83 captured; replayed again with the server stopped, 80.
replay_capture() {
	db_stop
	ROOT=$S/root
	mkdir -p "$ROOT"
	if [ -n "${1:-}" ]; then
		step "ior-map -i" sh -c 'ior-map -i "$1" "$2" > "$3"' - "$1" "$S/cap.ior" "$S/map.ior"
	else
		step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$S/cap.ior" "$S/map.ior"
	fi
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$S/map.ior" "$S/prog.replay"
	grep '^#stat ior-gen ' "$S/prog.replay"
	step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
	echo "# step: ior-replay"
	REPLAY_STATUS=0
	SECONDS=0
	timeout 120 ior-replay ${REPLAY_TIMED:+-T} -C "$ROOT" "$S/prog.replay" > "$S/result.ior" \
		2> "$S/replay.err" || REPLAY_STATUS=$?
	echo "# ior-replay exited $REPLAY_STATUS after ${SECONDS}s;" \
		"the capture spans $(span "$S/cap.ior")s"
	head -5 "$S/replay.err"
	grep '^#stat ior-replay ' "$S/result.ior" || true
}

# replay_ran: ior-replay ran the program through: it exited 0, every
# operation as captured, or 1, having said on stderr ($S/replay.err) how
# the replay diverged from the capture. The divergence a test allows, it
# checks in the trailer.
replay_ran() {
	if [ "$REPLAY_STATUS" -ne 0 ]; then
		assert_equal "$REPLAY_STATUS" 1
		grep '^ior-replay: diverged from the capture: ' "$S/replay.err"
	fi
}

# span FILE: seconds from the first operation of FILE to the end of the
# last one (TIME plus DUR), the ior:fd and ior:cwd records left out.
span() {
	awk '!/^#/ && $5 !~ /^ior:/ {
		if (first == "" || $1 < first) first = $1
		if ($1 + $7 / 1e9 > last) last = $1 + $7 / 1e9
	} END { printf "%.3f\n", last - first }' "$1"
}

# ---- numbers ----

# trailer_key TOOL KEY FILE: KEY's value in the "#stat TOOL" trailer of
# FILE, or nothing when there is none (a replay that refused to run).
trailer_key() {
	awk -v t="$1" -v k="$2=" '
		$1 == "#stat" && $2 == t {
			for (i = 3; i <= NF; i++)
				if (index($i, k) == 1)
					print substr($i, length(k) + 1)
		}' "$3"
}

# total_written FILE: the bytes the records of FILE wrote, as ior-stats
# counts them (its TOTAL row).
total_written() {
	ior-stats -t -r calls "$1" |
		awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			    $1 == "TOTAL" { print $c["written_bytes"] }'
}

# async_requests FILE: the aio: and uring: requests of FILE that were
# issued (the replay skipped none of them: no skip=).
async_requests() {
	awk '!/^#/ && $5 ~ /^(aio|uring):/ && !/ skip=/ { n++ } END { print n + 0 }' "$1"
}

# async_counts FILE: "CALL COUNT BYTES" for each aio: and uring: CALL of
# FILE: the requests issued (no skip=), and the bytes moved by those
# that have a captured result: a request in flight when the capture
# ended has none (inflight=1 in a capture, cinflight=1 in a result, RET
# 0), but one the replay left unreaped (inflight=1 in a result) counts
# its RET 0.
async_counts() {
	awk '
		/^#/ || $5 !~ /^(aio|uring):/ || / skip=/ { next }
		{ n[$5]++ }
		/ cinflight=1( |$)/ || (!/ cret=/ && / inflight=1( |$)/) { next }
		$6 > 0 && $5 ~ /read|write/ { b[$5] += $6 }
		END { for (c in n) print c, n[c], b[c] + 0 }' "$1" | LC_ALL=C sort
}

# ---- PostgreSQL ----

# pg_sql SQL...: run each SQL statement with psql on the test's cluster.
pg_sql() {
	local q
	for q; do
		"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" \
			-U postgres -d postgres -c "$q"
	done
}

# pg_start: a cluster of the test's own in $S/pgdata, its socket in
# $S/pgsock on port PG_PORT and no TCP, run by user postgres; index
# builds may use two parallel workers, and with 1 MB of
# maintenance_work_mem they sort in temp files. Sets PG_DATA, PG_SOCK
# and PG_PID (the postmaster).
pg_start() {
	PG_DATA=$S/pgdata
	PG_SOCK=$S/pgsock
	mkdir -p "$PG_DATA" "$PG_SOCK"
	let_in postgres "$S"
	chown postgres: "$PG_DATA" "$PG_SOCK"
	step "initdb" runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" \
		-U postgres -A trust --no-sync --no-instructions
	cat >> "$PG_DATA/postgresql.conf" <<-CONF
		listen_addresses = ''
		port = $PG_PORT
		unix_socket_directories = '$PG_SOCK'
		shared_buffers = 16MB
		max_parallel_maintenance_workers = 2
		maintenance_work_mem = 1MB
		log_temp_files = 0
	CONF
	DB_STOP+=("runuser -u postgres -- '$PG_BIN/pg_ctl' -D '$PG_DATA' -m immediate -w -t 30 stop")
	echo "# step: pg_ctl start"
	(detached runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" \
		-l "$S/pg.log" -w -t 60 start > /dev/null)
	PG_PID=$(head -n 1 "$PG_DATA/postmaster.pid")
	DB_PIDS+=("$PG_PID")
}

# pg_workload: what the capture of the PostgreSQL test holds: pgbench -i
# (tables, a COPY, their primary keys), a pgbench run of PG_TX
# transactions on each of PG_CLIENTS clients, a CREATE INDEX on two
# parallel workers (the table's parallel_workers sets them, whatever
# the memory), a WAL segment switch and a checkpoint.
pg_workload() {
	local pgb=("$PG_BIN/pgbench" -h "$PG_SOCK" -p "$PG_PORT" -U postgres)
	echo "# step: pgbench -i -s $PG_SCALE"
	"${pgb[@]}" -i -q -s "$PG_SCALE" postgres > "$S/pgbench-i.out" 2>&1
	tail -n 1 "$S/pgbench-i.out"
	echo "# step: pgbench -c $PG_CLIENTS -t $PG_TX"
	"${pgb[@]}" -c "$PG_CLIENTS" -j "$PG_CLIENTS" -t "$PG_TX" postgres > "$S/pgbench.out" 2>&1
	grep -E '^(tps|number of transactions actually)' "$S/pgbench.out"
	echo "# step: CREATE INDEX, pg_switch_wal(), CHECKPOINT"
	pg_sql 'ALTER TABLE pgbench_accounts SET (parallel_workers = 2)' \
		'CREATE INDEX accounts_abalance ON pgbench_accounts (abalance, bid)' \
		'SELECT pg_switch_wal()' \
		'CHECKPOINT'
}

# pg_captured: start a cluster, attach ior-trace -p to its postmaster,
# run pg_workload, stop the capture and replay it (replay_capture) with
# the data directory's files only. Sets S, PG_* and ROOT.
pg_captured() {
	S=$(scratch)
	DB_NAME=postgresql
	pg_start
	trace_start "$PG_PID"
	pg_workload
	trace_stop
	replay_capture "^$(regex_quote "$PG_DATA")/"
}

# ---- MariaDB ----

# The server's own sizes: a buffer pool smaller than sysbench's tables,
# so pages are read and flushed while it runs; a small redo log.
MY_OPTS=(--innodb-buffer-pool-size=8M --innodb-log-file-size=16M)
MY_TABLES=2
MY_ROWS=${MY_ROWS:-30000}
MY_THREADS=2
# how long the capture lasts, sysbench running before and after it
MY_SECS=${MY_SECS:-6}

# my_sql SQL: run SQL with the mariadb client on the test's server.
my_sql() {
	mariadb --no-defaults -S "$MY_SOCK" -u root -e "$1"
}

# my_sysbench: sysbench oltp_read_write on the test's server, as an
# array: "${MY_SB[@]}" prepare.
my_sysbench() {
	MY_SB=(sysbench oltp_read_write --db-driver=mysql --mysql-socket="$MY_SOCK"
		--mysql-user=root --mysql-db=sbtest --tables="$MY_TABLES"
		--table-size="$MY_ROWS")
}

# my_start ENGINE: a server of the test's own, datadir $S/mydata, socket
# $S/my.sock, no networking, run as root (--user=root), its InnoDB on
# ENGINE: io_uring (its default) or aio (libaio, chosen with
# innodb_linux_aio, which MariaDB 10.11 has); the error log must say
# that InnoDB uses that one. Sets MY_DATA, MY_SOCK, MY_LOG and MY_PID.
my_start() {
	local engine=$1 says
	MY_DATA=$S/mydata
	MY_SOCK=$S/my.sock
	MY_LOG=$S/mariadbd.err
	case $engine in
	io_uring) says='InnoDB: Using io_uring' ;;
	aio) says='InnoDB: Using Linux native AIO' ;;
	esac
	mkdir -p "$MY_DATA"
	step "mariadb-install-db" mariadb-install-db --no-defaults --user=root \
		--datadir="$MY_DATA" --auth-root-authentication-method=normal \
		--skip-test-db "${MY_OPTS[@]}"
	echo "# step: mariadbd, InnoDB on $engine"
	(detached /usr/sbin/mariadbd --no-defaults --user=root \
		--datadir="$MY_DATA" --socket="$MY_SOCK" --skip-networking \
		--pid-file="$S/mariadbd.pid" --log-error="$MY_LOG" \
		--innodb-use-native-aio=1 --innodb-linux-aio="$engine" \
		"${MY_OPTS[@]}" > "$S/mariadbd.out" 2>&1) &
	MY_PID=$!
	DB_PIDS+=("$MY_PID")
	DB_STOP+=("timeout 60 mariadb-admin --no-defaults -S '$MY_SOCK' -u root shutdown")
	wait_for_line "$MY_LOG" 'ready for connections|\[ERROR\]' 120
	grep -E 'InnoDB: Using|\[ERROR\]' "$MY_LOG"
	grep -q -F "$says" "$MY_LOG"
	grep -q 'ready for connections' "$MY_LOG"
}

# my_captured ENGINE: start a server on ENGINE, fill sysbench's tables,
# start sysbench oltp_read_write and, once it reports its first second,
# attach ior-trace -p to the server for MY_SECS seconds; then replay the
# capture (replay_capture, unfiltered, as the README runs it), timed:
# the depth it keeps is the claim, and replayed as fast as possible the
# think time between InnoDB's bursts goes, and their requests meet.
# Sets S, MY_* and ROOT.
my_captured() {
	local sb REPLAY_TIMED=1
	S=$(scratch)
	DB_NAME=mariadb-$1
	my_start "$1"
	my_sql 'CREATE DATABASE sbtest'
	echo "# step: sysbench prepare ($MY_TABLES tables of $MY_ROWS rows)"
	my_sysbench
	"${MY_SB[@]}" prepare > "$S/sysbench-prepare.out" 2>&1
	echo "# step: sysbench run"
	(detached "${MY_SB[@]}" --threads="$MY_THREADS" --time=$((MY_SECS + 4)) \
		--report-interval=1 run > "$S/sysbench.out" 2>&1) &
	sb=$!
	DB_PIDS+=("$sb")
	wait_for_line "$S/sysbench.out" '^\[ 1s '
	trace_for "$MY_PID" "$MY_SECS"
	wait "$sb"
	grep -E '^ *(transactions|queries):' "$S/sysbench.out"
	replay_capture
}

# ---- fio ----

FIO_SECS=${FIO_SECS:-3}
# fio's job, random reads and writes of 4 KiB with O_DIRECT (so that the
# requests wait for the device: a depth to keep) at queue depth 16,
# submitting 8 at a time and reaping 1 to 16, for longer than any
# capture: the test stops it.
FIO_JOB=(--name=job --filename=fio.dat --size=16M --bs=4k --rw=randrw
	--direct=1 --iodepth=16 --iodepth_batch_submit=8
	--iodepth_batch_complete_min=1 --iodepth_batch_complete_max=16
	--randrepeat=1 --time_based --runtime=120)

# has_async PID: a process of PID's tree holds an io_uring ring or an AIO
# context (its ring mapping, /[aio]).
has_async() {
	local p
	for p in "$1" $(pgrep -P "$1"); do
		if ls -l "/proc/$p/fd" 2> /dev/null | grep -q 'anon_inode:\[io_uring\]'; then
			return 0
		fi
		if grep -q '/\[aio\]' "/proc/$p/maps" 2> /dev/null; then
			return 0
		fi
	done
	return 1
}

# fio_captured ENGINE [OPTION...]: start fio's job on ENGINE (libaio or
# io_uring, with its OPTIONs) over a file made beforehand, wait until
# its job holds its ring or context, attach ior-trace -p to fio for
# FIO_SECS seconds, stop fio and replay the capture (replay_capture).
# Sets S, W and ROOT.
fio_captured() {
	local fio i
	S=$(scratch)
	DB_NAME=fio-$1$(printf '%s' "${*:2}" | tr -c 'a-z0-9_' -)
	W=$S/work
	mkdir -p "$W"
	head -c 16M /dev/zero > "$W/fio.dat"
	echo "# step: fio --ioengine=$1 ${*:2}"
	(detached env -C "$W" fio "${FIO_JOB[@]}" --ioengine="$1" "${@:2}" \
		--output-format=json --output="$S/fio.json" > "$S/fio.out" 2>&1) &
	fio=$!
	DB_PIDS+=("$fio")
	for i in $(seq 300); do
		if has_async "$fio"; then
			break
		fi
		sleep 0.1
	done
	has_async "$fio"
	trace_for "$fio" "$FIO_SECS"
	kill -INT "$fio"
	wait "$fio" || echo "# fio exited $? when stopped"
	replay_capture
}
