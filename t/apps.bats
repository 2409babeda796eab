#!/usr/bin/env bats
# apps.bats - real applications from Debian packages, captured with
# ior-trace, counted against strace -f -c, and replayed under a fresh root
# into the tree they left (entries, types, sizes, link counts, modes,
# symlink targets).
load helpers
load e2e-helpers
load apps-helpers
load async-helpers

bats_require_minimum_version 1.5.0

SQLITE='sqlite3 db.sqlite < ../script.sql'
TAR='tar czf out.tgz src && mkdir ex && tar xzf out.tgz -C ex'
GIT='git init -q . && git add . && git -c user.name=ior -c user.email=ior@example.org commit -q -m init'
CP='cp -a src dst'
# fio, randrw at queue depth 16, submitting 8 requests at a time and
# reaping 1 to 16; its JSON report goes next to the work directory.
FIO_JOB='--name=job --filename=fio.dat --size=4M --bs=4k --rw=randrw --iodepth=16 --iodepth_batch_submit=8 --iodepth_batch_complete_min=1 --iodepth_batch_complete_max=16 --randrepeat=1 --output-format=json --output=../fio.json'
FIO_LIBAIO="fio --ioengine=libaio --direct=1 $FIO_JOB"
FIO_URING="fio --ioengine=io_uring $FIO_JOB"
COREUTILS='chmod 600 a && touch -d "2021-02-03 04:05:06" b && ln a a.hard && ln -s b b.sym && mv c c.moved && rm -r junk && sort -n -o sorted.txt unsorted.txt && find . -name "*.txt" -print0 | xargs -0 wc -c > wc.out'

@test "sqlite3: a transaction, an update and a vacuum replay into the same database files" {
	need_bpf
	need_cmd sqlite3
	app_captured setup_sqlite "$SQLITE"
	grep -q ' fdatasync \| fsync ' "$S/cap.ior"
}

@test "sqlite3: the capture counts each file call as strace -c does" {
	need_bpf
	need_cmd sqlite3
	app_counts setup_sqlite "$SQLITE"
}

@test "tar with gzip: an archive made and extracted elsewhere replays into the same tree" {
	need_bpf
	need_cmd tar
	need_cmd gzip
	app_captured setup_tree "$TAR"
	[ -L "$ROOT$W/ex/src/sub/numbers.link" ]
}

# tar writes the archive into a pipe to gzip: see PIPE_CALLS.
@test "tar with gzip: the capture counts each file call as strace -c does" {
	need_bpf
	need_cmd tar
	need_cmd gzip
	app_counts setup_tree "$TAR" "$PIPE_CALLS"
}

@test "git: init, add and commit replay into the same repository tree" {
	need_bpf
	need_cmd git
	app_captured setup_git "$GIT"
	[ -f "$ROOT$W/.git/HEAD" ]
}

@test "git: the capture counts each file call as strace -c does" {
	need_bpf
	need_cmd git
	app_counts setup_git "$GIT"
}

@test "cp -a: a copy with a symlink, a hard link and modes replays into the same tree" {
	need_bpf
	app_captured setup_cp "$CP"
	[ "$(stat -c %h "$ROOT$W/dst/numbers.txt")" = 2 ]
}

@test "cp -a: the capture counts each file call as strace -c does" {
	need_bpf
	app_counts setup_cp "$CP"
}

@test "coreutils: chmod, touch, ln, mv, rm -r, sort and find | xargs replay into the same tree" {
	need_bpf
	app_captured setup_coreutils "$COREUTILS"
	[ "$(stat -c %Y "$ROOT$W/b")" = "$(stat -c %Y "$W/b")" ]
}

# find writes names into a pipe to xargs: see PIPE_CALLS.
@test "coreutils: the capture counts each file call as strace -c does" {
	need_bpf
	app_counts setup_coreutils "$COREUTILS" "$PIPE_CALLS"
}

# fio's libaio engine: one aio:pread or aio:pwrite per I/O fio counted,
# in the capture and in the replay's results.
@test "fio libaio: each read and write fio counts is one aio: request, captured and replayed" {
	need_bpf
	need_cmd fio
	need_cmd jq
	need_direct_io "${BATS_TEST_TMPDIR:-/tmp}"
	app_captured setup_fio "$FIO_LIBAIO"
	read -r reads writes < <(fio_ios "$S/fio.json")
	[ "$reads" -gt 0 ]
	[ "$writes" -gt 0 ]
	assert_equal "$(count_requests "$S/cap.ior" aio:pread)" "$reads"
	assert_equal "$(count_requests "$S/cap.ior" aio:pwrite)" "$writes"
	assert_equal "$(count_requests "$S/result.ior" aio:pread)" "$reads"
	assert_equal "$(count_requests "$S/result.ior" aio:pwrite)" "$writes"
	requests_match "$S/cap.ior" "$S/result.ior"
}

@test "fio libaio: the replay submits fio's requests through io_submit in fio's batches" {
	need_bpf
	need_cmd fio
	need_cmd jq
	need_cmd strace
	need_direct_io "${BATS_TEST_TMPDIR:-/tmp}"
	app_captured setup_fio "$FIO_LIBAIO"
	read -r reads writes < <(fio_ios "$S/fio.json")
	replay_batches_match
	assert_equal "$(strace_submitted "$S/replay.strace" io_submit)" $((reads + writes))
}

# fio's io_uring engine (buffered: no O_DIRECT needed): uring:read and
# uring:write, or their vector forms, one per I/O fio counted.
@test "fio io_uring: each read and write fio counts is one uring: request, captured and replayed" {
	need_bpf
	need_cmd fio
	need_cmd jq
	app_captured setup_fio "$FIO_URING"
	read -r reads writes < <(fio_ios "$S/fio.json")
	[ "$reads" -gt 0 ]
	[ "$writes" -gt 0 ]
	assert_equal "$(count_requests "$S/cap.ior" 'uring:readv?')" "$reads"
	assert_equal "$(count_requests "$S/cap.ior" 'uring:writev?')" "$writes"
	assert_equal "$(count_requests "$S/result.ior" 'uring:readv?')" "$reads"
	assert_equal "$(count_requests "$S/result.ior" 'uring:writev?')" "$writes"
	requests_match "$S/cap.ior" "$S/result.ior"
}

@test "fio io_uring: the replay submits fio's requests through io_uring_enter in fio's batches" {
	need_bpf
	need_cmd fio
	need_cmd jq
	need_cmd strace
	app_captured setup_fio "$FIO_URING"
	read -r reads writes < <(fio_ios "$S/fio.json")
	replay_batches_match
	assert_equal "$(strace_submitted "$S/replay.strace" io_uring_enter)" $((reads + writes))
}

@test "fio io_uring: the replay holds no more requests in flight than fio's iodepth of 16" {
	need_bpf
	need_cmd fio
	need_cmd jq
	app_captured setup_fio "$FIO_URING"
	# the result stream's times are the replay's own account: a capture
	# of a second replay tells from the kernel's side
	mkdir "$S/root2"
	step "ior-init" ior-init -C "$S/root2" "$S/prog.replay"
	echo "# step: ior-trace -- ior-replay"
	run timeout 120 ior-trace -o "$S/replay-cap.ior" -- \
		sh -c 'ior-replay -C "$1" "$2" > "$3"' - "$S/root2" "$S/prog.replay" "$S/result2.ior"
	replayed_or_diverged
	assert_equal "$(count_requests "$S/replay-cap.ior" 'uring:(read|write)v?')" \
		"$(count_requests "$S/cap.ior" 'uring:(read|write)v?')"
	for f in cap.ior result.ior replay-cap.ior; do
		run --separate-stderr ior-stats -t -r depth "$S/$f"
		assert_success
		peak=$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 && $4 > m { m = $4 } END { print m + 0 }')
		echo "# $f: peak depth $peak"
		[ "$peak" -ge 1 ]
		[ "$peak" -le 16 ]
	done
}
