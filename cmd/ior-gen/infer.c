/*
 * infer.c - what a record tells of the starting tree (infer.h). Only
 * the first sighting of a path decides its fate (tree.c); later ones add
 * what the first did not show: a size read further, a mode, an owner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "ior.h"
#include "desc.h"
#include "infer.h"
#include "record.h"
#include "tree.h"

/*
 * A description's position moved n bytes on (a read, a write): past
 * 2^63 - 1, where no file position can be (after an lseek to the last
 * offset, say), it is one ior-gen no longer knows, as after O_APPEND.
 */
static void pos_add(struct ofd_ent *o, int64_t n)
{
	o->pos = n > INT64_MAX - o->pos ? -1 : o->pos + n;
}

/*
 * A successful open or stat shows what e was: its mode, owner and inode,
 * taken from the first sighting before the trace changed them. A sighting
 * of the link itself (ft=lnk) beats one through it.
 */
static void saw_attrs(const struct ior_in *in, struct path_ent *e,
		      const struct args *a)
{
	int lnk = type_of(a->ft, TY_UNKNOWN) == TY_LNK;
	int took = 0;

	if (!e || e->state != ST_EXISTED)
		return;
	if (a->fmode && !e->mode_lock &&
	    (!e->has_mode || (lnk && !e->attr_lnk))) {
		e->mode = ior_mode(in, "fmode", a->fmode) & 07777;
		e->has_mode = took = 1;
	}
	if (a->uid && a->gid && !e->owner_lock &&
	    (!e->has_owner || (lnk && !e->attr_lnk))) {
		e->uid = ior_owner(in, "uid", a->uid, 0);
		e->gid = ior_owner(in, "gid", a->gid, 0);
		e->has_owner = took = 1;
	}
	if (lnk && took)
		e->attr_lnk = 1;
	/* Only files: directories and links are never hard-linked here. */
	if (a->ino && a->dev && !e->ino_lock && !e->has_ino &&
	    type_of(a->ft, TY_UNKNOWN) == TY_FILE)
		saw_inode(e, ior_dev(in, "dev", a->dev),
			  ior_uint(in, "ino", a->ino));
}

/*
 * Whether the call resolved its path: it succeeded, or failed on what it
 * found at its end. One that failed with ENOENT, ENOTDIR... may have
 * found missing a symbolic link that ior-trace, looking later, saw.
 */
static int reached(const struct ior_rec *r, enum ior_tree op)
{
	return r->ret >= 0 || r->ret == -EEXIST || r->ret == -EISDIR ||
		r->ret == -ENOTEMPTY ||
		(r->ret == -EINVAL && op == IOR_TREE_READLINK);
}

void infer_open(const struct ior_in *in, const struct ior_rec *r,
		enum ior_tree op, const struct args *a, struct ofd_ent *o)
{
	const char *p = a->path ? a->path : a->file;
	struct path_ent *e;
	uint64_t fl, size;

	if (!p)
		return;
	/* a ring's flags and a memfd's are no O_* (ior_check_rec_vals) */
	fl = op == IOR_TREE_CREAT ? (uint64_t)(O_CREAT | O_WRONLY | O_TRUNC) :
		op == IOR_TREE_RING || op == IOR_TREE_MEMFD ? 0 :
		ior_flags(in, "flags", a->flags, ior_open_flags);
	if (op == IOR_TREE_HANDLE)
		fl &= ~(uint64_t)(O_CREAT | O_TRUNC);	/* it opens, never creates */
	/* The file it opened, through the symlinks the tree knows. */
	e = path_resolve(in, a->path ? "path" : "file", p,
			 !(fl & O_NOFOLLOW) &&
			 (fl & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL),
			 reached(r, op));
	if (r->ret < 0) {
		if (r->ret == -ENOENT)
			absent(e);
		else if (r->ret == -EEXIST)
			existed(e, TY_UNKNOWN);
		else if (r->ret == -EISDIR)
			existed(e, TY_DIR);
		return;
	}
	size = arg_off(in, a, ARG_size);
	if (op == IOR_TREE_IORFD) {
		existed(e, type_of(a->ft, TY_FILE));
		saw_size(e, size);
		saw_attrs(in, e, a);
		if (o) {
			o->file = e;
			o->pos = arg_off(in, a, ARG_offset);
		}
		return;
	}
	if ((fl & O_TMPFILE) == O_TMPFILE) {
		/* An unnamed file in directory p. */
		existed(e, TY_DIR);
		return;
	}
	if (!(fl & O_CREAT))
		existed(e, type_of(a->ft, fl & O_DIRECTORY ? TY_DIR : TY_FILE));
	else if (!(fl & O_EXCL) && size > 0 && !(fl & O_TRUNC))
		existed(e, TY_FILE);
	else
		created(e);
	saw_size(e, size);
	saw_attrs(in, e, a);
	if (fl & O_TRUNC)
		freeze(e);
	if (o) {
		o->file = e;
		if (fl & O_APPEND)
			o->pos = -1;	/* writes go to an end we do not know */
	}
}

/*
 * rename, link, chmod, access, the utime and xattr calls... carry what
 * their file was right after the call: its type and size hold from before
 * (but a truncate's), its mode and owner too (but chmod's and chown's), so
 * a file the application never opened or stat'ed gets them in the tree.
 */
static void saw_after(const struct ior_in *in, enum ior_tree op,
		      struct path_ent *e, const struct args *a)
{
	enum ent_type t = type_of(a->ft, TY_UNKNOWN);

	existed(e, t);
	if (t == TY_FILE && op != IOR_TREE_TRUNCATE && a->size)
		saw_size(e, arg_off(in, a, ARG_size));
	if (op != IOR_TREE_CHMOD && op != IOR_TREE_CHOWN)
		saw_attrs(in, e, a);
}

void infer_path(const struct ior_in *in, const struct ior_rec *r,
		enum ior_tree op, const struct args *a, int follow)
{
	struct path_ent *e = a->path ?
		path_resolve(in, "path", a->path, follow, reached(r, op)) : NULL;
	struct path_ent *e2 = a->path2 ?
		path_resolve(in, "path2", a->path2, 0, reached(r, op)) : NULL;
	uint64_t fl;

	if (op == IOR_TREE_SYMLINK && e2) {
		/* path is the link's content: only path2 is an entry */
		if (r->ret >= 0)
			created(e2);
		else if (r->ret == -EEXIST)
			existed(e2, TY_UNKNOWN);
		else if (r->ret == -ENOENT)
			absent(e2);
		return;
	}
	if (!e)
		return;
	if (r->ret < 0) {
		if (r->ret == -ENOENT)
			absent(e);
		else if (r->ret == -EEXIST && op == IOR_TREE_MKDIR)
			existed(e, TY_DIR);
		else if (r->ret == -EEXIST && op == IOR_TREE_MKNOD)
			existed(e, TY_UNKNOWN);
		else if (r->ret == -EEXIST && (op == IOR_TREE_RENAME ||
					       op == IOR_TREE_LINK) && e2)
			existed(e2, TY_UNKNOWN);
		else if (r->ret == -ENOTEMPTY && op == IOR_TREE_RMDIR)
			existed(e, TY_DIR);
		else if (r->ret == -EISDIR && op == IOR_TREE_UNLINK)
			existed(e, TY_DIR);
		else if (r->ret == -EINVAL && op == IOR_TREE_READLINK)
			existed(e, TY_UNKNOWN);	/* there, not a symlink */
		return;
	}
	/* What a path call's file was right after it (ior-format(5)). */
	if (a->ft && op != IOR_TREE_STAT)
		saw_after(in, op, e, a);
	switch (op) {
	case IOR_TREE_STAT:
		existed(e, type_of(a->ft, TY_UNKNOWN));
		/* an existing symlink, with its target (ior-format(5)) */
		if (type_of(a->ft, TY_UNKNOWN) == TY_LNK)
			saw_link(in, e, a->target);
		if (type_of(a->ft, TY_FILE) == TY_FILE)
			saw_size(e, arg_off(in, a, ARG_size));
		saw_attrs(in, e, a);
		break;
	case IOR_TREE_READLINK:
		existed(e, TY_LNK);
		saw_link(in, e, a->target);
		break;
	case IOR_TREE_TOUCH:
	case IOR_TREE_CHMOD:
	case IOR_TREE_CHOWN:
		existed(e, TY_UNKNOWN);
		attr_changed(op, e);
		break;
	case IOR_TREE_LINK:
		existed(e, TY_FILE);
		if (e2)
			created(e2);
		break;
	case IOR_TREE_MKDIR:
	case IOR_TREE_MKNOD:
		created(e);
		break;
	case IOR_TREE_GETCWD:
		existed(e, TY_DIR);
		break;
	case IOR_TREE_RMDIR:
	case IOR_TREE_CHDIR:
		existed(e, TY_DIR);
		if (op == IOR_TREE_RMDIR)
			replaced(e);
		break;
	case IOR_TREE_UNLINK:
		fl = ior_flags(in, "flags", a->flags, ior_at_flags);
		existed(e, fl & 0x200 ? TY_DIR : TY_FILE);	/* AT_REMOVEDIR */
		replaced(e);
		break;
	case IOR_TREE_TRUNCATE:
		existed(e, TY_FILE);
		freeze(e);
		break;
	case IOR_TREE_RENAME:
		existed(e, TY_UNKNOWN);
		replaced(e);
		if (!e2)
			break;
		fl = ior_flags(in, "flags", a->flags, ior_rename_flags);
		if (fl & 2)		/* RENAME_EXCHANGE: both existed */
			existed(e2, TY_UNKNOWN);
		else
			created(e2);
		/* Replaced: later sizes are the new file's, not the old. */
		replaced(e2);
		break;
	default:
		break;
	}
}

void infer_lstat(const struct ior_in *in, const struct args *a, int lnk)
{
	struct path_ent *e = path_get(in, "path", a->path);
	unsigned mode = 0;
	uint32_t uid = 0, gid = 0;
	int owner = a->uid && a->gid;

	if (a->fmode)
		mode = ior_mode(in, "fmode", a->fmode) & 07777;
	if (owner) {
		uid = ior_owner(in, "uid", a->uid, 0);
		gid = ior_owner(in, "gid", a->gid, 0);
	}
	saw_lstat(in, e, lnk ? a->target : NULL, a->fmode != NULL, mode,
		  owner, uid, gid);
}

/* A file= of a description ior-gen lost that was of a file without a name. */
static int anon_name(const char *file)
{
	static const char deleted[] = "\\x20(deleted)";
	size_t n = strlen(file), d = sizeof(deleted) - 1;

	return n > d && !strcmp(file + n - d, deleted);
}

void infer_anon(const struct ior_in *in, const struct args *a,
		struct ofd_ent *o)
{
	const char *slash = strrchr(a->path, '/');

	if (o) {
		o->anon = 1;
		o->pos = arg_off(in, a, ARG_offset);
	}
	if (slash > a->path)
		existed(path_get_n(in, "path", a->path, slash - a->path),
			TY_DIR);
}

struct path_ent *file_ent(const struct ior_in *in, const char *key,
			  const char *file, const struct ofd_ent *o)
{
	if (!file || (o && (o->memfd || o->anon)) || (!o && anon_name(file)))
		return NULL;
	if (o && o->file && !strcmp(o->file->path, file))
		return o->file;
	/* a descriptor's file is what its open reached */
	return path_resolve(in, key, file, 1, 1);
}

void infer_fd(const struct ior_in *in, const struct ior_rec *r,
	      enum ior_tree op, const struct args *a, struct ofd_ent *o,
	      struct path_ent *fe)
{
	struct path_ent *e;
	uint64_t off;

	if (fe && r->ret >= 0) {
		existed(fe, op == IOR_TREE_GETDENTS ? TY_DIR : TY_UNKNOWN);
		if (op == IOR_TREE_CHMOD || op == IOR_TREE_CHOWN)
			attr_changed(op, fe);
	}
	if (r->ret < 0)
		return;
	if (!o) {
		/*
		 * A description ior-gen no longer follows: a registered file
		 * whose descriptor was closed. No position, but its file.
		 */
		if (op == IOR_TREE_PREAD && r->ret > 0)
			saw_size(fe, ior_off_end(in, "offset",
						 arg_off(in, a, ARG_offset),
						 r->ret));
		else if (op == IOR_TREE_WRITE || op == IOR_TREE_PWRITE ||
			 op == IOR_TREE_FTRUNCATE)
			freeze(fe);
		return;
	}
	e = o->file;
	switch (op) {
	case IOR_TREE_READ:
		if (o->pos >= 0)
			pos_add(o, r->ret);
		if (o->pos >= 0)
			saw_size(e, o->pos);
		break;
	case IOR_TREE_WRITE:
		if (o->pos >= 0)
			pos_add(o, r->ret);
		freeze(e);
		break;
	case IOR_TREE_PREAD:
		off = arg_off(in, a, ARG_offset);
		if (r->ret > 0)
			saw_size(e, ior_off_end(in, "offset", off, r->ret));
		break;
	case IOR_TREE_PWRITE:
	case IOR_TREE_FTRUNCATE:
		freeze(e);
		break;
	case IOR_TREE_LSEEK:
		o->pos = r->ret;
		break;
	case IOR_TREE_FSTAT:
		if (e && type_of(a->ft, TY_FILE) == TY_FILE)
			saw_size(e, arg_off(in, a, ARG_size));
		else if (e)
			existed(e, type_of(a->ft, TY_UNKNOWN));
		saw_attrs(in, e, a);
		break;
	case IOR_TREE_FCHDIR:
	case IOR_TREE_GETDENTS:
		if (e)
			existed(e, TY_DIR);
		break;
	default:
		if (is_dup(in, r, op, a))
			o->refs++;
		break;
	}
}

void infer_xfer(const struct ior_in *in, const struct ior_rec *r,
		const struct args *a, struct ofd_ent *o, struct path_ent *fe,
		struct ofd_ent *o2, struct path_ent *fe2)
{
	if (r->ret < 0)
		return;
	if (fe)
		existed(fe, TY_UNKNOWN);
	if (fe2)
		existed(fe2, TY_UNKNOWN);
	if (o && a->offset) {
		saw_size(o->file, ior_off_end(in, "offset",
					      arg_off(in, a, ARG_offset),
					      r->ret));
	} else if (o && o->pos >= 0) {
		pos_add(o, r->ret);
		if (o->pos >= 0)
			saw_size(o->file, o->pos);
	}
	if (o2 && !a->offset2 && o2->pos >= 0)
		pos_add(o2, r->ret);
	if (o2)
		freeze(o2->file);
}
