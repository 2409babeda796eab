/*
 * uring.c - io_uring rings and their registered files (uring.h), and
 * what io_uring_setup, io_uring_register and the uring: requests do to
 * them. A ring's files belong to the ring's description: they go with
 * its last descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "files.h"
#include "proc.h"
#include "record.h"
#include "uring.h"

#define REGISTER_FILES_SKIP (-2)	/* an update leaves the slot alone */

/* Slot i of g, or NULL when it is empty or out of range. */
static struct fd_slot *ring_get(const struct ring_files *g, int64_t i)
{
	return g ? slot_get(&g->files, i) : NULL;
}

static void ring_clear_slot(struct ring_files *g, int64_t i)
{
	if (g)
		slot_clear(&g->files, i);
}

/*
 * Register o (from descriptor vfd) at slot i. A ring's own description
 * is never held by a slot (the kernel refuses it): no reference cycles.
 */
static void ring_set(struct ring_files *g, int64_t i, uint64_t vfd,
		     struct ofd *o)
{
	if (i < 0 || o->ring)
		return;
	if (i >= RING_SLOTS_MAX) {
		counts.fixed_overflow++;
		return;
	}
	slot_set(&g->files, i, vfd, o, 0);
}

static void ring_clear(struct ring_files *g)
{
	slots_clear_if(&g->files, 0, INT64_MAX, NULL);
}

struct ring_files *ring_new(void)
{
	return ior_xcalloc(1, sizeof(struct ring_files));
}

void ring_free(struct ring_files *g)
{
	slots_free(&g->files);
	free(g);
}

/* The ring of descriptor fd of t, or NULL. */
static struct ring_files *ring_of(const struct task *t, int64_t fd)
{
	const struct fd_slot *s = fd_get(t->files, fd);

	return s ? s->ofd->ring : NULL;
}

int ring_fd_is_index(const struct ior_in *in, const struct ior_rec *r,
		     const struct recinfo *ri, enum ior_map c)
{
	if (c == IOR_MAP_URING_REGISTER)
		return (ior_kv_flags(in, r, ior_find(r, "opcode"),
				     ior_uring_register_ops) & 0x80000000u) != 0;
	return kv_has_flag(in, r, ri->flags, ior_uring_enter_flags,
			   0x10);	/* IORING_ENTER_REGISTERED_RING */
}

/* fds= of io_uring_register: its descriptors, into list; how many. */
static size_t parse_fds(const struct ior_in *in, const char *val,
			int64_t *list)
{
	static char buf[PATH_BUF];
	size_t n = 0;
	char *p, *comma;

	ior_val_unescape(in, "fds", val, buf, sizeof(buf));
	if (!buf[0])
		return 0;
	for (p = buf;; p = comma + 1) {
		if ((comma = strchr(p, ',')))
			*comma = '\0';
		list[n++] = ior_int(in, "fds", p);
		if (!comma)
			return n;
	}
}

/*
 * io_uring_register: the record gets vfds for its fds (when the line has
 * room), and a success changes the ring's files as the kernel does.
 */
static void do_register(const struct ior_in *in, const struct ior_rec *r,
			struct recinfo *ri, const struct task *t)
{
	static int64_t fds[IOR_LINE_MAX / 2];
	static char vfds[PATH_BUF];
	int i = ior_find(r, "fds");
	struct ring_files *g = ri->ofd ? ri->ofd->ring : NULL;
	size_t n = i < 0 ? 0 : parse_fds(in, r->kv[i].val, fds), len = 0;
	size_t room = IOR_LINE_MAX - 64 - in->linelen;
	int64_t op, off;

	op = ior_kv_flags(in, r, ior_find(r, "opcode"),
			  ior_uring_register_ops) & 0x7fffffff;
	off = ior_get_int(in, r, "offset", 0);
	/* beyond the slots followed, each counted (ring_set), no overflow */
	if (off < 0 || off > RING_SLOTS_MAX)
		off = RING_SLOTS_MAX;
	for (size_t k = 0; i >= 0 && k < n && len < room; k++) {
		const struct fd_slot *s = fd_get(t->files, fds[k]);

		len += snprintf(vfds + len, sizeof(vfds) - len, "%s%lld",
				k ? "," : "", s ? (long long)s->vfd : -1LL);
	}
	if (i >= 0 && len < room)
		ri->vfds = vfds;
	else if (i >= 0)
		counts.fixed_overflow++;
	if (r->ret < 0 || !g)
		return;
	switch (op) {
	case 2:		/* IORING_REGISTER_FILES */
	case 13:	/* IORING_REGISTER_FILES2 */
	case 3:		/* IORING_UNREGISTER_FILES */
		ring_clear(g);
		off = 0;
		break;
	case 6:		/* IORING_REGISTER_FILES_UPDATE */
	case 14:	/* IORING_REGISTER_FILES_UPDATE2 */
		if ((uint64_t)r->ret < n)	/* it updated the first RET */
			n = r->ret;
		break;
	default:
		return;
	}
	for (size_t k = 0; op != 3 && k < n; k++) {
		const struct fd_slot *s = fd_get(t->files, fds[k]);

		if (fds[k] == REGISTER_FILES_SKIP)
			continue;
		if (s)
			ring_set(g, off + k, s->vfd, s->ofd);
		else
			ring_clear_slot(g, off + k);
	}
}

struct ring_files *uring_request(const struct ior_in *in,
				 const struct ior_rec *r, struct recinfo *ri,
				 const struct task *t)
{
	int i = ri->at[K_RING], k = ri->at[K_FIXED];
	struct ring_files *g = i < 0 ? NULL : ring_of(t, ior_kv_int(in, r, i));
	const struct fd_slot *f;

	if (k < 0)
		return g;
	ri->fixed = ior_kv_int(in, r, k);
	if ((f = ring_get(g, ri->fixed))) {
		ri->ofd = f->ofd;
		ri->vfd = f->vfd;
	} else
		counts.unknown_fd++;
	return g;
}

/*
 * uring:openat and openat2: without slot, a descriptor as openat opens
 * one; with slot, a registered file of the ring, from no descriptor.
 */
static void do_ring_open(const struct ior_in *in, const struct ior_rec *r,
			 struct recinfo *ri, struct task *t,
			 struct ring_files *g)
{
	const char *path = ri->path[0] >= 0 ? ri->raw[0] : "";
	int i = ri->at[K_SLOT];
	uint64_t vfd = vfd_peek();
	int64_t slot;
	struct ofd *o;

	if (r->ret < 0)
		return;
	if (i < 0) {
		add_open(ri, t, r->ret, path,
			 kv_has_flag(in, r, ri->flags, ior_open_flags, O_CLOEXEC));
		return;
	}
	slot = ior_kv_int(in, r, i);
	if (!g) {
		counts.unknown_fd++;
		return;
	}
	o = ofd_new(path, strlen(path), path[0] == '/');
	ring_set(g, slot, vfd, o);
	if (!o->refs) {		/* out of the table's bounds */
		ofd_discard(o);
		return;
	}
	ri->ofd = o;
	ri->vfd = vfd_new();
}

/*
 * ior:fixed: a file registered in ring= at slot fixed= before capture
 * began. Like uring:openat into a slot: a description of its own, from
 * no descriptor, with a new vfd.
 */
static void do_fixed(const struct ior_in *in, const struct ior_rec *r,
		     struct recinfo *ri, const struct task *t)
{
	const char *path = ri->path[0] >= 0 ? ri->raw[0] : "";
	struct ring_files *g = ring_of(t, ior_get_int(in, r, "ring", -1));
	int64_t slot = ior_get_int(in, r, "fixed", -1);
	uint64_t vfd = vfd_peek();
	struct ofd *o;

	if (!g) {
		counts.unknown_fd++;
		return;
	}
	o = ofd_new(path, strlen(path), path[0] == '/');
	ring_set(g, slot, vfd, o);
	if (!o->refs) {		/* out of the table's bounds */
		ofd_discard(o);
		return;
	}
	ri->ofd = o;
	ri->vfd = vfd_new();
}

void do_uring(const struct ior_in *in, const struct ior_rec *r,
	      struct recinfo *ri, struct task *t, struct ring_files *g,
	      enum ior_map c)
{
	switch (c) {
	case IOR_MAP_URING_SETUP:
		/* The ring is a descriptor: close, dup, fork, exec act on it. */
		if (r->ret >= 0) {
			add_open(ri, t, r->ret, "anon_inode:[io_uring]", 1);
			if (ri->ofd)
				ri->ofd->ring = ring_new();
		}
		break;
	case IOR_MAP_URING_REGISTER:
		do_register(in, r, ri, t);
		break;
	case IOR_MAP_URING_OPEN:
		do_ring_open(in, r, ri, t, g);
		break;
	case IOR_MAP_URING_CLOSE:
		/* As close(2) for a descriptor; a registered file on success. */
		if (ri->fd >= 0 && r->ret != -EBADF)
			fd_close(t->files, ior_kv_int(in, r, ri->fd));
		else if (ri->fixed >= 0 && r->ret == 0)
			ring_clear_slot(g, ri->fixed);
		break;
	case IOR_MAP_URING_INSTALL:
		/* A descriptor on a registered file (O_CLOEXEC by default). */
		if (r->ret >= 0 && ri->ofd)
			add_dup(ri, t, r->ret, 1, 1);
		break;
	case IOR_MAP_URING_FIXED:
		do_fixed(in, r, ri, t);
		break;
	default:
		break;
	}
}
