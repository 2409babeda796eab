/*
 * uring-register.c - a ring's registered files and buffers
 * (uring-ring.h): io_uring_register as captured, the tables of a ring
 * set up before capture, and its ior:fixed files.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ior.h"
#include "buffers.h"
#include "fdtab.h"
#include "issue.h"
#include "paths.h"
#include "program.h"
#include "shared.h"
#include "uring-ring.h"

void uring_free_bufs(struct replay_ring *u)
{
	if (u->bufmem)
		munmap(u->bufmem, u->bufmem_len);
	u->bufmem = NULL;
	free(u->bufs);
	free(u->buflens);
	u->bufs = NULL;
	u->buflens = NULL;
	u->nbufs = 0;
}

/*
 * The tables of a ring set up before capture (its ior:fd, made a setup):
 * a registered file table of op->mask empty slots, which its ior:fixed
 * records fill, and buffers of the lengths of op->name (op->iovcnt; a
 * length 0 is an empty slot).
 */
int ring_tables(struct replay_ring *u, const struct prog_op *op)
{
	struct iovec *iov;
	int r;

	if (op->mask && (r = io_uring_register_files_sparse(&u->ring, op->mask)) < 0)
		return r;
	if (!op->iovcnt || !op->name)
		return 0;
	iov = bufs_of(u, op);
	for (uint32_t i = 0; i < op->iovcnt; i++)
		if (!iov[i].iov_len)
			iov[i].iov_base = NULL;		/* an empty slot */
	r = io_uring_register_buffers(&u->ring, iov, op->iovcnt);
	free(iov);
	return r < 0 ? r : 0;
}

/* The n numbers of a list kept by list_of. */
static void list_read(const char *s, int64_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, s = strchr(s, ',') + 1)
		v[i] = strtoll(s, NULL, 10);
}

/*
 * The replay's descriptors for a file registration: each vfd's (ior-map's
 * vfds, else the captured numbers' current vfds; both renumbered as they
 * were loaded). An empty slot stays empty (-1), and a slot an update
 * skips is skipped; an unknown descriptor is an empty slot too, unless
 * the captured call failed: then one never open, to fail again.
 */
static int *files_of(const struct prog_op *op)
{
	int64_t *c = calloc(op->iovcnt + 1, sizeof(*c));
	int64_t *v = calloc(op->iovcnt + 1, sizeof(*v));
	int *fds = calloc(op->iovcnt + 1, sizeof(*fds));

	if (!c || !v || !fds)
		fatal("calloc");
	list_read(str(op->path), c, op->iovcnt);
	if (op->path2)
		list_read(str(op->path2), v, op->iovcnt);
	for (uint32_t i = 0; i < op->iovcnt; i++) {
		/* c[i]: -1 an empty slot, -2 a number above FD_MAX */
		int32_t vfd = op->path2 ? v[i] : c[i] >= 0 ?
			__atomic_load_n(&thread_fds->numvfd[c[i]], __ATOMIC_RELAXED) : -1;

		if (c[i] == FILES_SKIP) {
			fds[i] = IORING_REGISTER_FILES_SKIP;
			continue;
		}
		fds[i] = c[i] == -1 ? -1 : real_fd(vfd);
		if (c[i] != -1 && fds[i] < 0)
			fds[i] = op->cret < 0 ? INT32_MAX : -1;
	}
	free(c);
	free(v);
	return fds;
}

/*
 * Buffers of the captured lengths (REGBUF_MAX in all, as loaded), holding
 * what writes write: each on pages of its own in one mapping, so that as
 * many buffers as the kernel takes cost one mapping.
 */
struct iovec *bufs_of(struct replay_ring *u, const struct prog_op *op)
{
	uint64_t pg = sysconf(_SC_PAGESIZE), at = 0;
	int64_t *len = calloc(op->iovcnt + 1, sizeof(*len));
	struct iovec *iov = calloc(op->iovcnt + 1, sizeof(*iov));

	if (!len || !iov)
		fatal("calloc");
	list_read(str(op->name), len, op->iovcnt);
	uring_free_bufs(u);
	u->bufs = calloc(op->iovcnt + 1, sizeof(*u->bufs));
	u->buflens = calloc(op->iovcnt + 1, sizeof(*u->buflens));
	if (!u->bufs || !u->buflens)
		fatal("calloc");
	for (uint32_t i = 0; i < op->iovcnt; i++)
		at += (len[i] + pg - 1) & ~(pg - 1);
	u->bufmem_len = at ? at : pg;
	u->bufmem = map_buf(u->bufmem_len);
	at = 0;
	for (uint32_t i = 0; i < op->iovcnt; i++) {
		char *b = u->bufmem + at;
		size_t n = (uint64_t)len[i] < prog.maxwrite ? (size_t)len[i] : prog.maxwrite;

		if (n)
			memcpy(b, wdata, n);
		u->bufs[i] = b;
		u->buflens[i] = len[i];
		iov[i] = (struct iovec){ b, len[i] };
		at += (len[i] + pg - 1) & ~(pg - 1);
	}
	u->nbufs = op->iovcnt;
	free(len);
	return iov;
}

/*
 * ior:fixed: its file, opened beneath the root with its flags, in slot
 * op->fixed of ring u's table; the ring holds the file, the descriptor
 * is closed.
 */
int64_t uring_fixed(struct replay_ring *u, const struct prog_op *op)
{
	int fd = ior_root_openat(&root, str(op->path), (op->flags &
				 ~(O_CREAT | O_EXCL | O_TRUNC)) | O_CLOEXEC, 0);
	int64_t r;

	if (fd < 0)
		return fd;
	r = io_uring_register_files_update(&u->ring, op->fixed, &fd, 1);
	close(fd);
	return r < 0 ? r : 0;
}

/*
 * io_uring_register: files and buffers as captured, on the replay's
 * descriptors and buffers of the captured sizes; the harmless opcodes as
 * they were; an opcode this kernel does not know, to fail again. Others
 * are not issued (*skip).
 */
int64_t uring_register(struct replay_ring *u, const struct prog_op *op, int *skip)
{
	unsigned opc = op->cmd & ~REGISTER_USE_RING;
	int fd = u->ring.ring_fd, *fds = NULL;
	struct iovec *iov = NULL;
	int64_t r;

	switch (opc) {
	case IORING_REGISTER_FILES: case IORING_REGISTER_FILES2:
	case IORING_REGISTER_FILES_UPDATE: case IORING_REGISTER_FILES_UPDATE2: {
		uint32_t n = op->path ? op->iovcnt : op->count;
		struct io_uring_rsrc_register rr = { .nr = n };
		struct io_uring_files_update up = { .offset = op->offset };
		struct io_uring_rsrc_update2 up2 = { .offset = op->offset, .nr = n };

		if (op->path)
			fds = files_of(op);
		else
			rr.flags = IORING_RSRC_REGISTER_SPARSE;
		rr.data = up.fds = up2.data = (uintptr_t)fds;
		r = opc == IORING_REGISTER_FILES ?
			syscall(SYS_io_uring_register, fd, opc, fds, n) :
			opc == IORING_REGISTER_FILES2 ?
			syscall(SYS_io_uring_register, fd, opc, &rr, sizeof(rr)) :
			opc == IORING_REGISTER_FILES_UPDATE ?
			syscall(SYS_io_uring_register, fd, opc, &up, n) :
			syscall(SYS_io_uring_register, fd, opc, &up2, sizeof(up2));
		free(fds);
		return neg(r);
	}
	case IORING_REGISTER_BUFFERS: case IORING_REGISTER_BUFFERS2: {
		struct io_uring_rsrc_register rr = { .nr = op->iovcnt };

		iov = bufs_of(u, op);
		rr.data = (uintptr_t)iov;
		r = opc == IORING_REGISTER_BUFFERS ?
			syscall(SYS_io_uring_register, fd, opc, iov, op->iovcnt) :
			syscall(SYS_io_uring_register, fd, opc, &rr, sizeof(rr));
		free(iov);
		if (r < 0) {
			r = -errno;
			uring_free_bufs(u);
		}
		return r;
	}
	case IORING_UNREGISTER_BUFFERS:
		r = neg(syscall(SYS_io_uring_register, fd, opc, NULL, 0));
		if (r == 0)
			uring_free_bufs(u);
		return r;
	case IORING_UNREGISTER_FILES: case IORING_REGISTER_ENABLE_RINGS:
		return neg(syscall(SYS_io_uring_register, fd, opc, NULL, 0));
	case IORING_REGISTER_PROBE: {
		unsigned n = op->count < 256 ? op->count : 256;
		struct io_uring_probe *p = calloc(1, sizeof(*p) +
						  n * sizeof(p->ops[0]));

		if (!p)
			fatal("calloc");
		r = neg(syscall(SYS_io_uring_register, fd, opc, p, n));
		free(p);
		return r;
	}
	case IORING_REGISTER_RING_FDS:	/* liburing enters by the index then */
		return io_uring_register_ring_fd(&u->ring);
	case IORING_UNREGISTER_RING_FDS:
		return io_uring_unregister_ring_fd(&u->ring);
	default:
		for (const struct ior_flag *t = ior_uring_register_ops; t->name; t++)
			if (t->value == opc) {
				*skip = SKIP_UNSUPPORTED;
				return 0;
			}
		return neg(syscall(SYS_io_uring_register, fd, opc, NULL, 0));
	}
}
