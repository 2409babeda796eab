#!/usr/bin/env bats
# async.bats - end-to-end: Linux AIO and io_uring. Each scenario of
# ior-workload is traced: the capture must hold its system calls and one
# record per request with the keys of ior-format(5), "Asynchronous I/O";
# ior-map must keep the descriptors of the ring's opens, closes and
# registered files; and the replay must rebuild the tree, issue the same
# requests under the same CALL names, and submit them in the captured
# batches through io_submit and io_uring_enter (strace of ior-replay).
load helpers
load e2e-helpers
load async-helpers
load apps-helpers
load db-helpers

# ---- aio-setup ----

@test "aio-setup: io_setup and io_destroy are captured with nr_events, the context and the refusals" {
	need_bpf
	async_captured aio-setup
	has_record "$S/cap.ior" io_setup nr=0 err=EINVAL
	has_record "$S/cap.ior" io_setup nr=64 ctx='*'
	has_record "$S/cap.ior" io_setup nr=8 err=EINVAL
	ctx=$(records "$S/cap.ior" io_setup nr=64 | key_of ctx)
	[ -n "$ctx" ]
	has_record "$S/cap.ior" io_submit ctx="$ctx" nr=0
	assert_equal "$(outcomes "$S/cap.ior" io_destroy)" "io_destroy ok
io_destroy -22"
}

@test "aio-setup: the replay makes and refuses the same contexts" {
	need_bpf
	replay_matches_capture aio-setup
	assert_equal "$(outcomes "$S/result.ior" 'io_setup|io_submit|io_destroy')" \
		"$(outcomes "$S/cap.ior" 'io_setup|io_submit|io_destroy')"
	[ "$(records "$S/result.ior" io_setup nr=64 | awk '{ print $6 }')" = 0 ]
}

# ---- aio-submit ----

@test "aio-submit: one pwrite is an aio:pwrite record naming its io_submit" {
	need_bpf
	async_mapped aio-submit
	sub=$(records "$S/cap.ior" io_submit nr=1 | key_of sub)
	[ -n "$sub" ]
	has_record "$S/cap.ior" aio:pwrite sub="$sub" offset=0 count=4096 fd='*' ctx='*' iocb='*'
	assert_equal "$(records "$S/cap.ior" aio:pwrite | awk '{ print $6 }')" 4096
	has_record "$S/map.ior" aio:pwrite count=4096 file="$D/one.dat" vfd='*' ofd='*'
}

@test "aio-submit: the replay writes the file through io_submit" {
	need_bpf
	async_replayed aio-submit
	replay_batches_match
	assert_equal "$(grep -c 'io_getevents(' "$S/replay.strace")" 1
}

# ---- aio-batch ----

@test "aio-batch: six iocbs of one io_submit are six records with its sub" {
	need_bpf
	async_captured aio-batch
	sub=$(records "$S/cap.ior" io_submit nr=6 | key_of sub)
	[ -n "$sub" ]
	assert_equal "$(records "$S/cap.ior" aio:pwrite sub="$sub" count=4096 | wc -l)" 4
	has_record "$S/cap.ior" aio:pwritev sub="$sub" offset=16384 count=4000 iovcnt=2
	has_record "$S/cap.ior" aio:fdsync sub="$sub" fd='*'
	has_record "$S/cap.ior" io_getevents min_nr=6 nr=16
	run records "$S/cap.ior" io_getevents timeout='*'
	assert_output ""
}

@test "aio-batch: reads reaped by io_pgetevents record its timeout and signal mask" {
	need_bpf
	async_captured aio-batch
	sub=$(records "$S/cap.ior" io_submit nr=2 | key_of sub)
	[ -n "$sub" ]
	has_record "$S/cap.ior" aio:pread sub="$sub" offset=0 count=16384
	has_record "$S/cap.ior" aio:preadv sub="$sub" offset=16384 count=6000 iovcnt=3
	assert_equal "$(records "$S/cap.ior" aio:preadv | awk '{ print $6 }')" 4000
	has_record "$S/cap.ior" io_pgetevents min_nr=2 nr=8 timeout=5.000000000 sigmask=1
}

@test "aio-batch: the replay issues the same requests in the same two batches" {
	need_bpf
	async_replayed aio-batch
	grep -qx 'aio:pwrite 4 0 0 16384' "$S/result.ior.requests"
	replay_batches_match
	assert_equal "$(grep -c 'io_pgetevents(' "$S/replay.strace")" 1
}

# ---- aio-cancel ----

@test "aio-cancel: io_cancel of a finished iocb is captured with its iocb and EINVAL" {
	need_bpf
	async_captured aio-cancel
	iocb=$(records "$S/cap.ior" aio:pwrite count=2048 | key_of iocb)
	[ -n "$iocb" ]
	has_record "$S/cap.ior" io_cancel iocb="$iocb" ctx='*' err=EINVAL
}

@test "aio-cancel: the replay cancels its own finished request and fails as the capture did" {
	need_bpf
	async_replayed aio-cancel
	assert_equal "$(outcomes "$S/result.ior" io_cancel)" "io_cancel -22"
	replay_batches_match
}

# ---- aio-destroy ----

@test "aio-destroy: requests never reaped before io_destroy are written in flight" {
	need_bpf
	async_mapped aio-destroy
	sub=$(records "$S/cap.ior" io_submit nr=2 | key_of sub)
	[ -n "$sub" ]
	run records "$S/cap.ior" aio:pwrite sub="$sub" count=1000 inflight=1
	assert_equal "${#lines[@]}" 2
	has_record "$S/cap.ior" aio:poll fd='*' ctx='*' sub='*' iocb='*' inflight=1
	assert_equal "$(records "$S/cap.ior" aio:poll | wc -l)" 1
	assert_equal "$(outcomes "$S/cap.ior" io_destroy)" "io_destroy ok"
	has_record "$S/map.ior" aio:poll file="$D/wait.fifo"
}

@test "aio-destroy: the replay destroys its context with the same requests in flight, and returns" {
	need_bpf
	async_replayed aio-destroy
	grep -qx 'aio:poll 1 0 1 0' "$S/result.ior.requests"
	assert_equal "$(outcomes "$S/result.ior" io_destroy)" "io_destroy ok"
	replay_batches_match
}

# ---- aio-reaper ----

@test "aio-reaper: each io_getevents of the reaper thread names the requests it reaped, which come before it" {
	need_bpf
	async_captured aio-reaper
	run records "$S/cap.ior" io_getevents min_nr=4 nr=4 reap='*'
	assert_equal "${#lines[@]}" 8
	run awk '
	function key(k,  i) {
		for (i = 8; i <= NF; i++)
			if (index($i, k "=") == 1)
				return substr($i, length(k) + 2)
	}
	$5 == "aio:pwrite" { n[key("reap")]++ }
	$5 == "io_getevents" { print $6, n[key("reap")] + 0, ($3 != $2) }' "$S/cap.ior"
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" "4 4 1"
}

@test "aio-reaper: the replay's reaps return what the capture's did, at the captured depth, nothing skipped" {
	need_bpf
	async_replayed aio-reaper
	echo "# peak depth: captured $(peak_depth "$S/cap.ior"), replayed $(peak_depth "$S/result.ior")"
	assert_equal "$(outcomes "$S/result.ior" 'io_submit|io_destroy')" \
		"$(outcomes "$S/cap.ior" 'io_submit|io_destroy')"
	assert_equal "$(awk '$5 == "io_getevents" { print $6 }' "$S/result.ior")" \
		"$(awk '$5 == "io_getevents" { print $6 }' "$S/cap.ior")"
	run grep -c ' inflight=1' "$S/result.ior"
	assert_output 0
	assert_equal "$(peak_depth "$S/cap.ior")" 4
	within_pct "$(peak_depth "$S/cap.ior")" "$(peak_depth "$S/result.ior")" 10
	replay_batches_match
}

# ---- AIO streamed (IOR_REPLAY_WINDOW) ----

@test "aio streamed: the AIO scenarios replayed through a window of 8 write the lines of a window that holds them" {
	need_bpf
	local scen
	for scen in aio-batch aio-cancel aio-destroy aio-reaper; do
		echo "# scenario $scen"
		replay_matches_capture "$scen"
		mkdir "$S/root-w8"
		step "ior-init" ior-init -C "$S/root-w8" "$S/prog.replay"
		IOR_REPLAY_WINDOW=8 replay_step "$S/root-w8" "$S/prog.replay" "$S/result-w8.ior" -v
		# streamed, not held whole
		assert_line --regexp '; a window of [0-9]+ ops$'
		assert_equal "$(unmeasured_lines "$S/result-w8.ior")" \
			"$(unmeasured_lines "$S/result.ior")"
	done
}

# ---- io_uring streamed (IOR_REPLAY_WINDOW) ----

# replay_streamed_and_held: $S/prog.replay replayed again through a
# window of 8, whose lines must be those of $S/result.ior (a window that
# holds it), and held whole (IOR_REPLAY_HOLD): its io_uring ties and
# queue depths must be those the streamed loader made.
replay_streamed_and_held() {
	mkdir "$S/root-w8" "$S/root-held"
	step "ior-init" ior-init -C "$S/root-w8" "$S/prog.replay"
	IOR_REPLAY_TIES=$S/ties-w8 IOR_REPLAY_WINDOW=8 \
		replay_step "$S/root-w8" "$S/prog.replay" "$S/result-w8.ior" -v
	# streamed, not held whole
	assert_line --regexp '; a window of [0-9]+ ops$'
	assert_equal "$(unmeasured_lines "$S/result-w8.ior")" \
		"$(unmeasured_lines "$S/result.ior")"
	step "ior-init" ior-init -C "$S/root-held" "$S/prog.replay"
	IOR_REPLAY_HOLD=1 IOR_REPLAY_TIES=$S/ties-held \
		replay_step "$S/root-held" "$S/prog.replay" "$S/result-held.ior" -v
	assert_line --regexp '; held whole: [0-9]+ ops$'
	diff -u "$S/ties-held" "$S/ties-w8"
}

@test "uring streamed: the io_uring scenarios replayed through a window of 8 write the lines of a window that holds them" {
	need_bpf
	local scen
	for scen in uring-setup uring-files uring-link uring-fixed uring-buffers uring-fsync uring-statx uring-sqpoll; do
		echo "# scenario $scen"
		replay_matches_capture "$scen"
		replay_streamed_and_held
	done
}

@test "uring streamed: rings set up before the capture, registered files and buffers, SQPOLL batches replay through a window of 8" {
	need_bpf
	need_direct_io "$BATS_TEST_TMPDIR"
	held_replayed
	replay_streamed_and_held
}

# ---- uring-setup ----

@test "uring-setup: io_uring_setup records entries, flags, the ring sizes and the refusals" {
	need_bpf
	async_captured uring-setup
	has_record "$S/cap.ior" io_uring_setup entries=0 err=EINVAL
	has_record "$S/cap.ior" io_uring_setup entries=8 flags=0x80000000 err=EINVAL
	has_record "$S/cap.ior" io_uring_setup entries=100000 flags=IORING_SETUP_CLAMP sq=32768 cq=65536
}

@test "uring-setup: io_uring_register and io_uring_enter record what was registered and entered" {
	need_bpf
	async_mapped uring-setup
	ring=$(records "$S/cap.ior" io_uring_setup entries=100000 | awk '{ print $6 }')
	fd=$(records "$S/cap.ior" openat path="$D/ring.dat" | awk '{ print $6 }')
	has_record "$S/cap.ior" io_uring_register fd="$ring" opcode=IORING_REGISTER_FILES nr=2 fds="$fd,999" err=EBADF
	has_record "$S/cap.ior" io_uring_register fd="$ring" opcode=IORING_REGISTER_FILES nr=1 fds="$fd"
	has_record "$S/cap.ior" io_uring_register fd="$ring" opcode=IORING_UNREGISTER_FILES
	has_record "$S/cap.ior" io_uring_register fd="$ring" opcode=IORING_REGISTER_BUFFERS nr=1 lens=4096
	has_record "$S/cap.ior" io_uring_enter fd="$ring" to_submit=0 min_complete=0 flags=IORING_ENTER_GETEVENTS
	has_record "$S/cap.ior" io_uring_enter fd="$ring" flags=0x80000000 err=EINVAL
	has_record "$S/cap.ior" io_uring_enter fd="$fd" err=EOPNOTSUPP
	vfd=$(records "$S/map.ior" openat path="$D/ring.dat" | key_of vfd)
	has_record "$S/map.ior" io_uring_register opcode=IORING_REGISTER_FILES nr=1 vfds="$vfd"
}

@test "uring-setup: the replay sets up, registers and enters, failing where the capture failed" {
	need_bpf
	replay_matches_capture uring-setup
	assert_equal "$(outcomes "$S/result.ior" 'io_uring_.*')" \
		"$(outcomes "$S/cap.ior" 'io_uring_.*')"
	replay_under_strace
	grep -q 'io_uring_setup(100000, {flags=IORING_SETUP_CLAMP' "$S/replay.strace"
	grep -q 'IORING_REGISTER_BUFFERS' "$S/replay.strace"
}

# ---- uring-files ----

@test "uring-files: openat, write, read and close through the ring are uring: records" {
	need_bpf
	async_captured uring-files
	ring=$(records "$S/cap.ior" io_uring_setup | awk '{ print $6 }')
	a=$(records "$S/cap.ior" uring:openat ring="$ring" dirfd=AT_FDCWD path="$D/ring-a.dat" \
		flags='O_RDWR|O_CREAT|O_TRUNC' mode=0644 sub='*' exec='*' user_data='*' | awk '{ print $6 }')
	[ -n "$a" ]
	[ "$a" -ge 0 ]
	has_record "$S/cap.ior" uring:write fd="$a" offset=0 count=5000 sqe_flags=IOSQE_IO_LINK
	has_record "$S/cap.ior" uring:read fd="$a" offset=4000 count=1000 sqe_flags=0
	has_record "$S/cap.ior" uring:close fd="$a"
	sub=$(records "$S/cap.ior" uring:read fd="$a" | key_of sub)
	has_record "$S/cap.ior" uring:write sub="$sub" count=5000
	has_record "$S/cap.ior" io_uring_enter fd="$ring" to_submit=2 min_complete=2 sub="$sub"
}

@test "uring-files: a number the ring's close freed, reused by a plain open, is the new file, and the reverse" {
	need_bpf
	async_mapped uring-files
	has_record "$S/map.ior" uring:write count=5000 file="$D/ring-a.dat"
	has_record "$S/map.ior" uring:close file="$D/ring-a.dat"
	has_record "$S/map.ior" write count=300 file="$D/plain-b.dat"
	has_record "$S/map.ior" uring:write count=700 file="$D/ring-d.dat"
	has_record "$S/map.ior" uring:close file="$D/ring-d.dat"
	grep -q '^#stat ior-map .* unknown_fd=0 .*implicit_close=0' "$S/map.ior"
}

@test "uring-files: the replay opens, writes, reads and closes through a ring, batch for batch" {
	need_bpf
	async_replayed uring-files
	grep -qx 'uring:openat 2 0 0 0' "$S/result.ior.requests"
	replay_batches_match
}

# ---- uring-link ----

@test "uring-link: linked requests keep IOSQE_IO_LINK, and a failing head cancels the next" {
	need_bpf
	async_captured uring-link
	has_record "$S/cap.ior" uring:write offset=0 count=4096 sqe_flags=IOSQE_IO_LINK
	has_record "$S/cap.ior" uring:write offset=4096 count=4096 sqe_flags=IOSQE_IO_LINK
	has_record "$S/cap.ior" uring:fsync fd='*' sqe_flags=0
	has_record "$S/cap.ior" uring:openat path="$D/missing.dat" flags=O_RDONLY sqe_flags=IOSQE_IO_LINK err=ENOENT
	assert_equal "$(records "$S/cap.ior" uring:write offset=8192 count=100 | awk '{ print $6 }')" -125
}

@test "uring-link: the replay links the requests: the cancelled write is cancelled again" {
	need_bpf
	async_replayed uring-link
	assert_equal "$(records "$S/result.ior" uring:write offset=8192 count=100 | awk '{ print $6 }')" -125
	replay_batches_match
}

# ---- uring-fixed ----

@test "uring-fixed: registered files are captured by index, with the descriptors registered" {
	need_bpf
	async_captured uring-fixed
	a=$(records "$S/cap.ior" openat path="$D/fixed-a.dat" | awk '{ print $6 }')
	b=$(records "$S/cap.ior" openat path="$D/fixed-b.dat" | awk '{ print $6 }')
	c=$(records "$S/cap.ior" openat path="$D/fixed-c.dat" | awk '{ print $6 }')
	has_record "$S/cap.ior" io_uring_register opcode=IORING_REGISTER_FILES nr=3 fds="$a,$b,-1"
	has_record "$S/cap.ior" io_uring_register opcode=IORING_REGISTER_FILES_UPDATE nr=1 offset=1 fds="$c"
	has_record "$S/cap.ior" uring:write fixed=0 count=3000 sqe_flags=IOSQE_FIXED_FILE\|IOSQE_IO_LINK
	has_record "$S/cap.ior" uring:read fixed=0 offset=1000 count=2000
	has_record "$S/cap.ior" uring:write fixed=1 count=1500
	run records "$S/cap.ior" uring:openat path="$D/fixed-d.dat" slot=2
	assert_output --partial " uring:openat 0 "
	has_record "$S/cap.ior" uring:write fixed=2 count=800
	has_record "$S/cap.ior" uring:close fixed=2
}

@test "uring-fixed: ior-map names the registered file of each request, after its descriptor is closed and reused" {
	need_bpf
	async_mapped uring-fixed
	has_record "$S/map.ior" io_uring_register opcode=IORING_REGISTER_FILES vfds='*'
	has_record "$S/map.ior" uring:write fixed=0 count=3000 file="$D/fixed-a.dat" vfd='*' ofd='*'
	has_record "$S/map.ior" uring:read fixed=0 file="$D/fixed-a.dat"
	has_record "$S/map.ior" uring:write fixed=1 count=1500 file="$D/fixed-b.dat"
	has_record "$S/map.ior" write count=50 file="$D/plain.dat"
	has_record "$S/map.ior" uring:write fixed=1 count=2500 file="$D/fixed-c.dat"
	has_record "$S/map.ior" uring:write fixed=2 count=800 file="$D/fixed-d.dat"
	grep -q '^#stat ior-map .* unknown_fd=0 .*implicit_close=0' "$S/map.ior"
}

@test "uring-fixed: the replay registers the files and writes through them by index" {
	need_bpf
	async_replayed uring-fixed
	replay_batches_match
	grep -q 'IORING_REGISTER_FILES' "$S/replay.strace"
	grep -q 'IORING_REGISTER_FILES_UPDATE' "$S/replay.strace"
}

# ---- uring-buffers ----

@test "uring-buffers: registered buffers and the fixed-buffer requests are captured with their index" {
	need_bpf
	async_captured uring-buffers
	has_record "$S/cap.ior" io_uring_register opcode=IORING_REGISTER_BUFFERS nr=2 lens=8192,4096
	has_record "$S/cap.ior" uring:write_fixed offset=0 count=8192 buf=0
	has_record "$S/cap.ior" uring:write_fixed offset=8192 count=4096 buf=1
	has_record "$S/cap.ior" uring:read_fixed offset=2048 count=4096 buf=1
	has_record "$S/cap.ior" io_uring_register opcode=IORING_UNREGISTER_BUFFERS
}

@test "uring-buffers: the replay registers buffers of the captured sizes and uses them" {
	need_bpf
	async_replayed uring-buffers
	replay_batches_match
	grep -q 'IORING_REGISTER_BUFFERS, \[{iov_base=.*, iov_len=8192}, {iov_base=.*, iov_len=4096}\], 2' "$S/replay.strace"
}

# ---- uring-fsync ----

@test "uring-fsync: fsync, a datasync of a range and fallocate are captured with their keys" {
	need_bpf
	async_captured uring-fsync
	has_record "$S/cap.ior" uring:fsync fd='*'
	has_record "$S/cap.ior" uring:fsync datasync=1 offset=4096 len=8192
	has_record "$S/cap.ior" uring:fallocate offset=65536 len=1048576 mode=0
}

@test "uring-fsync: the replay syncs and allocates: the file comes back at its size" {
	need_bpf
	async_replayed uring-fsync
	[ "$(stat -c %s "$ROOT$D/sync.dat")" = 1114112 ]
	replay_batches_match
}

# ---- uring-statx ----

@test "uring-statx: statx through the ring is captured with its path, and a missing file's ENOENT" {
	need_bpf
	async_captured uring-statx
	has_record "$S/cap.ior" uring:statx dirfd=AT_FDCWD path="$D/stat-me.dat" flags=0 mask='*'
	has_record "$S/cap.ior" uring:statx path="$D/missing.dat" flags=AT_SYMLINK_NOFOLLOW mask=STATX_SIZE err=ENOENT
}

@test "uring-statx: the replay stats the file it made, and misses the missing one" {
	need_bpf
	async_replayed uring-statx
	grep -qx 'uring:statx 2 1 0 0' "$S/result.ior.requests"
	replay_batches_match
}

# ---- uring-sqpoll ----

# The SQPOLL thread submits the requests: they name no io_uring_enter.
# It runs the read of cached data itself; the buffered writes it may hand
# to io-wq workers, so their exec is not asserted.
@test "uring-sqpoll: requests of an SQPOLL ring are captured as the process's, without sub" {
	need_bpf
	async_captured uring-sqpoll
	has_record "$S/cap.ior" io_uring_setup entries=8 flags=IORING_SETUP_SQPOLL
	assert_equal "$(records "$S/cap.ior" uring:write count=4096 | wc -l)" 4
	has_record "$S/cap.ior" uring:read exec=sqpoll offset=8192 count=4096
	run records "$S/cap.ior" uring:write sub='*'
	assert_output ""
	run records "$S/cap.ior" uring:write exec=inline
	assert_output ""
	# TID: the process's first thread
	run awk '$5 ~ /^uring:/ && $2 != $3' "$S/cap.ior"
	assert_output ""
}

@test "uring-sqpoll: the replay runs the requests on an SQPOLL ring" {
	need_bpf
	async_replayed uring-sqpoll
	replay_under_strace
	grep -q 'io_uring_setup(8, {flags=IORING_SETUP_SQPOLL' "$S/replay.strace"
}

# ---- async-held ----

# Rings and a context set up before the capture: the ring's ior:fd and
# the ior:fixed and ior:aio records stand for io_uring_setup,
# io_uring_register and io_setup (ior-format(5), "Asynchronous I/O").
@test "async-held: attached after its rings and AIO context were set up, the capture describes them" {
	need_bpf
	need_direct_io "$BATS_TEST_TMPDIR"
	held_captured
	has_record "$S/cap.ior" ior:fd path='anon_inode:[io_uring]' entries=16 cq=32 setup=0
	bufs=$(printf '4096,%.0s' $(seq 16))
	has_record "$S/cap.ior" ior:fd path='anon_inode:[io_uring]' entries=16 cq=32 \
		setup=IORING_SETUP_SQPOLL files=2 lens="${bufs%,}"
	sq=$(records "$S/cap.ior" ior:fd setup=IORING_SETUP_SQPOLL | key_of fd)
	has_record "$S/cap.ior" ior:fixed ring="$sq" fixed=0 path="$D/held-sq.dat" \
		flags='O_RDONLY|O_DIRECT|O_LARGEFILE' size=1048576 ft=reg
	# its descriptor closed after it was registered: flags not known
	has_record "$S/cap.ior" ior:fixed ring="$sq" fixed=1 path="$D/held-sqw.dat" flags=O_RDWR
	has_record "$S/cap.ior" ior:aio ctx='*' nr=62
	# every request names its ring, and its submission: an io_uring_enter,
	# or a batch of the SQPOLL thread (exec=iowq when it handed it on)
	assert_equal "$(records "$S/cap.ior" uring:write ring='*' sub='*' | wc -l)" 32
	assert_equal "$(records "$S/cap.ior" uring:read_fixed ring="$sq" fixed=0 batch='*' | wc -l)" 64
	assert_equal "$(records "$S/cap.ior" uring:write_fixed ring="$sq" fixed=1 batch='*' | wc -l)" 4
	run records "$S/cap.ior" uring:read_fixed sub='*'
	assert_output ""
	assert_equal "$(records "$S/cap.ior" aio:pwrite | wc -l)" 16
}

@test "async-held: the replay sets up the rings and the context and issues every request, with ior-map -i too" {
	need_bpf
	need_direct_io "$BATS_TEST_TMPDIR"
	held_replayed -i "^$(regex_quote "$D")/"
	has_record "$S/map.ior" ior:fd path='anon_inode:[io_uring]' setup=IORING_SETUP_SQPOLL
	has_record "$S/map.ior" ior:fixed fixed=1 file="$D/held-sqw.dat" vfd='*'
	has_record "$S/prog.replay" ior:aio ctx='*' nr=62
	grep -q '^#stat ior-gen .* dropped.orphan=0 ' "$S/prog.replay"
	requests_match "$S/cap.ior" "$S/prog.replay"
	requests_match "$S/cap.ior" "$S/result.ior"
	replay_complete
	assert_equal "$(stat -c %s "$ROOT$D/held-ring.dat")" 131072
	assert_equal "$(stat -c %s "$ROOT$D/held-sqw.dat")" 16384
	assert_equal "$(stat -c %s "$ROOT$D/held-aio.dat")" 65536
}

# The SQPOLL thread took the reads from the ring 8 or 16 at a time: the
# replay submits them in those batches, at the captured depth, where it
# once submitted each alone and waited for it. (The depth of that ring:
# as fast as possible, the plain ring's writes, which the workload
# reaped 20 ms later, are still in flight as the first reads go.)
@test "async-held: the replay keeps an SQPOLL ring's captured depth" {
	need_bpf
	need_direct_io "$BATS_TEST_TMPDIR"
	held_replayed
	sq=$(records "$S/cap.ior" ior:fd setup=IORING_SETUP_SQPOLL | key_of fd)
	ring_records "$S/cap.ior" "$sq" > "$S/cap-sq.ior"
	ring_records "$S/result.ior" "$sq" > "$S/result-sq.ior"
	captured=$(peak_depth "$S/cap-sq.ior")
	echo "# SQPOLL ring's peak depth: captured $captured, replayed $(peak_depth "$S/result-sq.ior")"
	[ "$captured" -gt 1 ]
	within_pct "$captured" "$(peak_depth "$S/result-sq.ior")" 10
}

# The plain ring's writes are reaped from the ring's memory 20 ms after
# they were submitted: the capture's DUR ends at the kernel's completion,
# and so must the replay's, timed (-T), where the next io_uring_enter
# comes 20 ms later. The kernel's view of that replay is ior-trace's;
# the bound is generous: a reaping at the next enter is 20 ms late.
@test "async-held: a timed replay measures a request's latency to its completion, as the kernel does" {
	need_bpf
	need_direct_io "$BATS_TEST_TMPDIR"
	held_replayed
	mkdir "$S/root-timed"
	step "ior-init" ior-init -C "$S/root-timed" "$S/prog.replay"
	echo "# step: ior-trace ior-replay -T"
	run timeout 120 ior-trace -o "$S/replay-cap.ior" -- \
		sh -c 'ior-replay -T -C "$1" "$2" > "$3"' - "$S/root-timed" "$S/prog.replay" "$S/timed.ior"
	replayed_or_diverged
	replayed=$(mean_dur "$S/timed.ior" uring:write)
	kernel=$(mean_dur "$S/replay-cap.ior" uring:write)
	echo "# uring:write mean DUR: captured $(mean_dur "$S/cap.ior" uring:write), replayed $replayed, the kernel's view of the replay $kernel"
	[ "$kernel" -gt 0 ]
	[ "$replayed" -le $((kernel + 5000000)) ]
}
