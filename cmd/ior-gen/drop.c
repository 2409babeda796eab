/* drop.c - which records are dropped, and the count of each reason. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "ior.h"
#include "desc.h"
#include "drop.h"
#include "record.h"
#include "tree.h"

static const char *const drop_names[NDROP] = {
	"pseudo", "unknown_fd", "failed_unreplayable", "process", "cwd",
	"unsupported", "device", "anon_mapping", "ipc", "orphan", "tree",
};
static unsigned long ndrop[NDROP];

static const char *const pseudo_fs[] = {
	"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs",
	"tracefs", "securityfs", "bpf", "pipefs", "sockfs", "anon_inodefs",
	"nsfs", NULL,
};
static const char *const special_ft[] = {
	"fifo", "sock", "chr", "blk", NULL,
};

void drop_count(enum drop why)
{
	ndrop[why]++;
}

void put_drops(struct ior_out *out)
{
	unsigned long dropped = 0;

	for (int i = 0; i < NDROP; i++)
		dropped += ndrop[i];
	ior_printf(out, " dropped=%lu", dropped);
	for (int i = 0; i < NDROP; i++)
		ior_printf(out, " dropped.%s=%lu", drop_names[i], ndrop[i]);
}

enum drop drop_by_call(const struct ior_in *in, const struct ior_call *row,
		       const struct args *a)
{
	enum ior_tree op = row ? row->tree : IOR_TREE_UNSUPPORTED;
	unsigned type;
	uint64_t cmd;

	switch (op) {
	case IOR_TREE_PROCESS: return DROP_PROCESS;
	case IOR_TREE_CWD: return DROP_CWD;
	case IOR_TREE_IPC: return DROP_IPC;
	case IOR_TREE_UNSUPPORTED: return DROP_UNSUPPORTED;
	case IOR_TREE_MMAP:
		if (!a->vfd && (!a->fd || !strcmp(a->fd, "-1")))
			return DROP_ANON_MAPPING;
		break;
	case IOR_TREE_MAPPING:
		if (!a->vfd && !a->file)
			return DROP_ANON_MAPPING;
		break;
	case IOR_TREE_MKNOD:
		type = a->mode ? ior_mode(in, "mode", a->mode) & S_IFMT : 0;
		if (type != 0 && type != S_IFREG && type != S_IFIFO)
			return DROP_DEVICE;
		break;
	case IOR_TREE_FCNTL:	/* a malformed cmd is the check's to refuse */
		if (a->cmd && ior_flags_parse(ior_fcntl_cmds, a->cmd, &cmd) == 0 &&
		    ior_fcntl_replay(ior_fcntl_cmd(cmd), a->hint != NULL) !=
		    IOR_FCNTL_ISSUE)
			return DROP_UNSUPPORTED;
		break;
	case IOR_TREE_RENAME:	/* a whiteout is a device node, 0:0 */
		if (a->flags && (ior_flags(in, "flags", a->flags,
					   ior_rename_flags) & RENAME_WHITEOUT))
			return DROP_DEVICE;
		break;
	default:
		break;
	}
	/* What ior-replay cannot issue is not kept: the two never disagree. */
	if (row->replay == IOR_REPLAY_NONE)
		return DROP_UNSUPPORTED;
	return DROP_NONE;
}

/* The first byte tells most names from each of the list's: no call. */
static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (s[0] == (*list)[0] && !strcmp(s, *list))
			return 1;
	return 0;
}

/*
 * Whether path is dir (n bytes) or below it. Asked of most records'
 * paths: a byte loop, that ends at the first difference (most often
 * the third byte), in place of a call to strncmp().
 */
static inline int under(const char *path, const char *dir, size_t n)
{
	size_t i = 0;

	while (i < n && path[i] == dir[i])
		i++;
	return i == n && (path[n] == 0 || path[n] == '/');
}

static inline __attribute__((always_inline)) int pseudo_path(const char *p)
{
	/* Looked at for most records: the second byte rules most paths out. */
	if (!p || p[0] != '/')
		return 0;
	switch (p[1]) {
	case 'p': return under(p, "/proc", 5);
	case 's': return under(p, "/sys", 4);
	case 'd': return under(p, "/dev", 4);
	}
	return 0;
}

/*
 * An open of a FIFO the capture made, without blocking: the replay makes
 * the FIFO too (mknod), and such an open neither waits for a peer nor
 * fares otherwise than in the capture.
 */
static int replayable_fifo(const struct ior_in *in, const struct args *a)
{
	uint64_t f;

	if (!a->ft || strcmp(a->ft, "fifo") || !a->path || !a->flags ||
	    ior_flags_parse(ior_open_flags, a->flags, &f) < 0 ||
	    !(f & O_NONBLOCK))
		return 0;
	return path_get(in, "path", a->path)->state == ST_CREATED;
}

/* Whether fs= or ft= (one at least present) is of a pseudo file. */
static __attribute__((noinline)) int pseudo_type(const struct ior_in *in,
						 const struct args *a)
{
	return (a->fs && in_list(a->fs, pseudo_fs)) ||
		(a->ft && in_list(a->ft, special_ft) &&
		 !replayable_fifo(in, a));
}

/*
 * Asked of every record: the names first, inline; the file system and
 * type, that only opens and stats have, in a call of their own.
 */
int is_pseudo(const struct ior_in *in, const struct args *a,
	      const struct ofd_ent *o)
{
	return pseudo_path(a->path) || pseudo_path(a->path2) ||
		(a->file && !(o && o->memfd) &&
		 (a->file[0] != '/' || pseudo_path(a->file))) ||
		((a->fs || a->ft) && pseudo_type(in, a)) ||
		(o && o->pseudo);
}

/*
 * ior-map writes file= on every record of a description that has a path;
 * one without is a pipe, a socket or an anonymous inode (an ior:fd of
 * one, a descriptor received), a memfd or a ring. ior-gen follows a
 * description from its open to the last close it counts, but a forked
 * child's copies are not counted: once the opener, or the first of its
 * children, closed it, the other copies' records find no description.
 * Those of a memfd or a ring could be replayed, but nothing tells them
 * from a pipe's any more: all are dropped, as the pipe's open was, but
 * io_uring_enter and io_uring_register, which only a ring can take.
 */
int lost_pathless(const struct ior_call *row, enum ior_tree op,
		  const struct args *a, const struct ofd_ent *o)
{
	if (o || !a->vfd || a->file)
		return 0;
	/* a ring's own calls: on a ring, whatever ior-gen saw of it */
	if (row && (row->map == IOR_MAP_URING_ENTER ||
		    row->map == IOR_MAP_URING_REGISTER))
		return 0;
	/* these make the description: a new one, not a lost one */
	return op != IOR_TREE_OPEN && op != IOR_TREE_CREAT &&
		op != IOR_TREE_IORFD && op != IOR_TREE_MEMFD &&
		op != IOR_TREE_HANDLE && op != IOR_TREE_RING;
}

int side_replayable(const char *vfd, const char *file,
		    const struct ofd_ent *o)
{
	if (!vfd || (o && o->pseudo))
		return 0;
	return (o && (o->memfd || o->anon)) ||
		(file && file[0] == '/' && !pseudo_path(file));
}

/* Failures that depend on the traced process, not on the file tree. */
int unreplayable_errno(int64_t ret)
{
	/* an errno is -4095..-1; INT64_MIN has no negation */
	if (ret >= 0 || ret < -4095)
		return 0;
	switch (-ret) {
	case EINTR: case EAGAIN: case EFAULT: case EBADF: case ENOMEM:
	case EIO: case ENOSPC: case EDQUOT:
	case 512: case 513: case 514: case 515: case 516:	/* ERESTART* */
		return 1;
	}
	return 0;
}

/*
 * A lock refused because another description holds it: a whole-file
 * lock with LOCK_NB, fcntl F_SETLK and F_OFD_SETLK failing with
 * EAGAIN. The replay reproduces it: the holder's lock and unlock touch
 * the same file, so they are ordered before and after the refused call
 * as in the capture.
 */
int lock_conflict(const struct ior_in *in, const struct ior_rec *r,
		  const struct ior_call *row, const struct args *a)
{
	uint64_t cmd;

	if (r->ret != -EAGAIN || !row)
		return 0;
	if (row->replay == IOR_REPLAY_FLOCK)
		return 1;
	if (row->tree != IOR_TREE_FCNTL || !a->cmd)
		return 0;
	cmd = ior_flags(in, "cmd", a->cmd, ior_fcntl_cmds);
	return cmd == F_SETLK || cmd == F_OFD_SETLK;
}
