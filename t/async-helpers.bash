# async-helpers.bash - helpers of the asynchronous I/O tests (t/async.bats,
# fio in t/apps.bats): the requests of a stream counted per CALL, the
# batches they were submitted in, and the batches a replay submits, seen
# by strace. Load after helpers and e2e-helpers (records, has_record).

# key_of KEY: the value of KEY in the record on standard input.
key_of() {
	awk -v k="$1=" '{ for (i = 8; i <= NF; i++) if (index($i, k) == 1) {
		print substr($i, length(k) + 1); exit } }'
}

# request_counts FILE: "CALL COUNT FAILED INFLIGHT BYTES" for each aio:
# and uring: CALL of FILE: how many requests, how many failed (RET < 0),
# how many were never reaped (inflight=1), and the bytes its reads and
# writes transferred. Requests the replay skipped (skip=) are left out:
# they were not issued.
request_counts() {
	awk '
		/^#/ || $5 !~ /^(aio|uring):/ || / skip=/ { next }
		{
			n[$5]++
			if ($6 < 0)
				f[$5]++
			else if ($5 ~ /read|write/)
				b[$5] += $6
			if (/ inflight=1( |$)/)
				i[$5]++
		}
		END { for (c in n) print c, n[c], f[c] + 0, i[c] + 0, b[c] + 0 }' "$1" |
		LC_ALL=C sort
}

# requests_match CAPTURE RESULT: the replay's result stream holds the
# capture's requests, CALL for CALL, with the same failures and bytes.
requests_match() {
	request_counts "$1" > "$1.requests"
	request_counts "$2" > "$2.requests"
	echo "# step: compare the requests (captured vs replayed)"
	if [ ! -s "$1.requests" ]; then
		echo "# no aio: or uring: record in $1"
		return 1
	fi
	diff -u "$1.requests" "$2.requests"
}

# outcomes FILE REGEX: "CALL ok" or "CALL RET" (RET < 0) for each record
# whose CALL matches REGEX, in order: which of the calls failed, and how.
outcomes() {
	awk -v re="^($2)\$" '!/^#/ && $5 ~ re { print $5, ($6 < 0 ? $6 : "ok") }' "$1"
}

# unmeasured_lines FILE: the result lines of FILE without what a replay
# measures (TIME, DUR) or what differs from one run to the next (the
# address a mapping got): what two replays of one program write alike.
unmeasured_lines() {
	awk '!/^#/ { $1 = ""; $7 = ""; if ($5 ~ /^m(re)?map$/) $6 = ""; print }' "$1"
}

# capture_batches FILE: the number of requests of each io_submit and
# io_uring_enter of a capture that submitted any, as "CALL N", sorted.
capture_batches() {
	awk '
		/^#/ { next }
		$5 == "io_submit" || $5 == "io_uring_enter" {
			for (i = 8; i <= NF; i++)
				if ($i ~ /^(nr|to_submit)=/) {
					n = substr($i, index($i, "=") + 1)
					if (n > 0)
						print $5, n
				}
		}' "$1" | LC_ALL=C sort
}

# strace_batches FILE: the same from strace's output (the second argument
# of io_submit and io_uring_enter).
strace_batches() {
	awk '
		/ resumed>/ { next }
		match($0, /(io_submit|io_uring_enter)\(/) {
			call = substr($0, RSTART, RLENGTH - 1)
			split(substr($0, RSTART + RLENGTH), a, ", ")
			if (a[2] > 0)
				print call, a[2] + 0
		}' "$1" | LC_ALL=C sort
}

# replay_under_strace: replay $S/prog.replay again, into a fresh root,
# under strace -f, keeping the async I/O calls in $S/replay.strace.
replay_under_strace() {
	local root=$S/root-strace
	mkdir -p "$root"
	step "ior-init" ior-init -C "$root" "$S/prog.replay"
	echo "# step: strace ior-replay"
	run timeout 120 sh -c 'o=$1; shift; exec "$@" > "$o"' - "$S/result-strace.ior" \
		strace -f -qq -o "$S/replay.strace" \
		-e trace=io_setup,io_submit,io_getevents,io_pgetevents,io_cancel,io_destroy,io_uring_setup,io_uring_enter,io_uring_register \
		env "$(no_leak_check)" ior-replay -C "$root" "$S/prog.replay"
	replayed_or_diverged
}

# replay_batches_match: the replay submits its requests in the batches of
# the capture: as many io_submit and io_uring_enter calls, each with as
# many requests (strace of ior-replay against the capture's calls).
replay_batches_match() {
	replay_under_strace
	capture_batches "$S/cap.ior" > "$S/cap.batches"
	strace_batches "$S/replay.strace" > "$S/replay.batches"
	echo "# step: compare the batches (captured vs replayed under strace)"
	if [ ! -s "$S/cap.batches" ]; then
		echo "# no batch in the capture"
		return 1
	fi
	diff -u "$S/cap.batches" "$S/replay.batches"
}

# async_replayed SCENARIO: replay_matches_capture (with replay_complete),
# then the replay program and the replay's result stream both have the
# capture's requests (requests_match): the first tells a request ior-gen
# dropped from one ior-replay did not issue.
async_replayed() {
	replay_matches_capture "$1"
	echo "# ior-gen: the replay program keeps every request"
	requests_match "$S/cap.ior" "$S/prog.replay"
	echo "# ior-replay: the result stream has every request"
	requests_match "$S/cap.ior" "$S/result.ior"
}

# async_captured SCENARIO: trace the scenario's run phase into $S/cap.ior;
# sets S and D.
async_captured() {
	local scen=$1
	S=$(scratch)
	D=$S/work
	step "ior-workload setup" ior-workload setup "$scen" "$D"
	step "ior-trace" ior-trace -o "$S/cap.ior" -- ior-workload run "$scen" "$D"
}

# async_mapped SCENARIO: async_captured, then ior-map into $S/map.ior.
async_mapped() {
	async_captured "$1"
	step "ior-map" sh -c 'ior-map "$1" > "$2"' - "$S/cap.ior" "$S/map.ior"
}

# held_captured: the scenario async-held, its rings and AIO context set
# up before ior-trace -p attaches: run it, wait until it is ready, attach,
# wait until ior-trace is tracing, then let it do its I/O; ior-trace stops
# once it is gone. Its capture is $S/cap.ior. Sets S and D.
held_captured() {
	local pid tracer
	S=$(scratch)
	D=$S/work
	step "ior-workload setup" ior-workload setup async-held "$D"
	ior-workload run async-held "$D" 3>&- &	# waits for SIGUSR1
	pid=$!
	for _ in $(seq 300); do
		if [ -e "$D/async-held.ready" ]; then
			break
		fi
		sleep 0.1
	done
	[ -e "$D/async-held.ready" ]
	(timeout 120 ior-trace -p "$pid" -o "$S/cap.ior" 2> "$S/trace.err" 3>&-) &
	tracer=$!
	wait_for_line "$S/trace.err" '^ior-trace: tracing'
	kill -USR1 "$pid"
	wait "$pid"
	wait "$tracer"
	cat "$S/trace.err"
}

# held_replayed [IOR-MAP OPTION...]: held_captured, then ior-map (with
# the options given), ior-gen, ior-init under the fresh root $S/root and
# ior-replay as fast as possible into $S/result.ior. Sets ROOT.
held_replayed() {
	held_captured
	ROOT=$S/root
	mkdir "$ROOT"
	step "ior-map" sh -c 'out=$1; shift; ior-map "$@" > "$out"' - "$S/map.ior" "$@" "$S/cap.ior"
	step "ior-gen" sh -c 'ior-gen < "$1" > "$2"' - "$S/map.ior" "$S/prog.replay"
	step "ior-init" ior-init -C "$ROOT" "$S/prog.replay"
	replay_step "$ROOT" "$S/prog.replay" "$S/result.ior"
	grep '^#stat ' "$S/prog.replay" "$S/result.ior"
}

# ring_records FILE RING: FILE with only the records of requests on the
# ring whose descriptor is RING (ring=RING), and its metadata.
ring_records() {
	awk -v r="ring=$2" '/^#/ { print; next }
		{ for (i = 8; i <= NF; i++) if ($i == r) { print; next } }' "$1"
}

# mean_dur FILE CALL: the mean DUR, in ns, of the CALL records of FILE
# that were issued (no skip=).
mean_dur() {
	awk -v call="$2" '!/^#/ && $5 == call && !/ skip=/ { n++; t += $7 }
		END { printf "%d\n", n ? t / n : -1 }' "$1"
}

# peak_depth FILE: the most async requests in flight at once in FILE
# (the largest PEAK of ior-stats' depth table), 0 when it has none.
peak_depth() {
	local out
	out=$(ior-stats -t -r depth "$1") || true
	awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		    NF && $c["peak"] > m { m = $c["peak"] }
		    END { print m + 0 }' <<< "$out"
}

# depth_p99 FILE: the 99th percentile, over the async requests of FILE
# that were issued and completed (no skip=, no inflight=1), of the number
# in flight as each was submitted, itself included: the depth the
# workload keeps, where the peak is one burst's, set by how fast the
# device answered it.
depth_p99() {
	submission_depths "$1" | awk '{ v[NR] = $1 } END { print NR ? v[int((NR - 1) * 0.99) + 1] : 0 }'
}

# submission_depths FILE [cdur]: for each async request of FILE issued and
# completed, the number in flight as it was submitted, itself included,
# sorted; each lasting its DUR, or with cdur its captured one (cdur=).
submission_depths() {
	awk -v key="${2:-}" '!/^#/ && $5 ~ /^(aio|uring):/ && !/ skip=/ && !/ inflight=1/ {
		d = key == "" ? $7 : ""
		for (i = 8; key != "" && i <= NF; i++)
			if (index($i, key "=") == 1) d = substr($i, length(key) + 2)
		if (d != "") printf "%.9f 1\n%.9f 0\n", $1, $1 + d / 1e9 }' "$1" |
		sort -k1,1n -k2,2n |
		awk '$2 == 1 { print ++d; next } { d-- }' | sort -n
}

# offered_depth FILE: of a replay's result FILE, the 99th percentile and
# the peak (on one line) of the depth at submission as depth_p99 counts
# it, had each request taken as long as it took in the capture (its
# cdur=): the depth the replay's submissions offer the device, which
# does not hang on how fast the replay's device answers them.
offered_depth() {
	submission_depths "$1" cdur |
		awk '{ v[NR] = $1 }
		     END { print NR ? v[int((NR - 1) * 0.99) + 1] " " v[NR] : "0 0" }'
}

# within_pct A B PCT: B is within PCT percent of A (A > 0).
within_pct() {
	local a=$1 b=$2 pct=$3 d
	d=$((b > a ? b - a : a - b))
	if [ "$a" -le 0 ]; then
		echo "# within_pct: nothing to compare with ($a)"
		return 1
	fi
	if [ $((d * 100)) -gt $((a * pct)) ]; then
		echo "# $b is not within $pct% of $a"
		return 1
	fi
}
