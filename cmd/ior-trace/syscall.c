/*
 * syscall.c - the record of a system call, from its row of the table of
 * calls (lib/calls.h).
 *
 * A row lists its arguments in the order they are written, each with
 * its key and type; write_syscall writes them so, then err=. A key the
 * row marks X(key) means something of the call's own (the file an open
 * opened, what a stat found, a link's target, an xattr's value, fcntl's
 * argument ...): a handler below writes it, or one that AIO and io_uring
 * own. A new call needs a row, and a handler only for such a key.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aio.h"
#include "decode.h"
#include "output.h"
#include "pathinfo.h"
#include "procfs.h"
#include "procview.h"
#include "syscall.h"
#include "uring.h"

#define CSIGNAL_MASK 0xffull	/* exit signal in clone's flags: not a flag */
#define I386_F_GETLK64 12	/* i386's fcntl64 lock commands */
#define I386_F_SETLKW64 14
#define I386_PAGE 4096		/* the unit of mmap2's offset */

/* The handler of each X key of each row, found once. */
static put_code_fn *code_fns[IOR_NCALLS][IOR_ARGS_MAX];

/*
 * The attributes of the file a successful path call named (dirfd, path),
 * as it is now, right after the call: with stat(2) when the call follows
 * a final symbolic link, else lstat(2). Keys the call already has as
 * arguments (skip) are left out.
 */
static void put_path_attrs(const struct ior_event *e, int dirfd,
			   const char *path, bool follow, int skip)
{
	char where[64 + IOR_PATH_MAX];
	struct stat st;

	if (e->ret < 0 || !path[0] ||
	    where_is(e->pid, dirfd, path, where, sizeof(where)) < 0 ||
	    (follow ? stat(where, &st) : lstat(where, &st)) < 0)
		return;
	put_attrs(st.st_size, st.st_mode, st.st_nlink, st.st_uid, st.st_gid,
		  st.st_ino, st.st_dev, skip);
}

/*
 * path2 of a stat that found a symbolic link (it did not follow it): the
 * link's target, read now, through the process's view of the file system:
 * its root, its working directory or its descriptor dirfd.
 */
static void put_link_target(const struct ior_event *e, int dirfd,
			    const char *path)
{
	char where[64 + IOR_PATH_MAX], target[IOR_PATH_MAX];
	ssize_t n;

	if (!S_ISLNK(e->mode) || !path[0] ||
	    where_is(e->pid, dirfd, path, where, sizeof(where)) < 0 ||
	    (n = readlink(where, target, sizeof(target) - 1)) < 0)
		return;
	target[n] = 0;
	ior_put_kv_esc(&trace_out, "path2", target);
}

/* X(attrs): the named file's attributes after the call (see above). */
static void put_x_attrs(const struct call_rec *c)
{
	put_path_attrs(c->e, call_dirfd(c), call_path(c), call_follows(c),
		       c->info->skip);
}

/*
 * X(file): what an open opened. A call that names no path (by a handle)
 * has the file's path too: found in the kernel; else, if it is still
 * open, in /proc.
 */
static void put_x_file(const struct call_rec *c)
{
	const struct ior_event *e = c->e;
	char target[IOR_PATH_MAX];

	if (!c->ok)
		return;
	if (c->info->path < 0) {
		if (c->str[0][0])
			ior_put_kv_esc(&trace_out, "path", c->str[0]);
		else if (fd_target(e->pid, e->ret, e->ino, target,
				   sizeof(target)) == 0)
			ior_put_kv_esc(&trace_out, "path", target);
	}
	put_file(e);
}

/* X(stat): what a stat found, and the target of a link it found. */
static void put_x_stat(const struct call_rec *c)
{
	if (!c->ok)
		return;
	put_stat(c->e);
	if (c->info->path >= 0)
		put_link_target(c->e, call_dirfd(c), call_path(c));
}

/* X(path): the path a call returned (getcwd), on success. */
static void put_x_path(const struct call_rec *c)
{
	if (c->ok)
		ior_put_kv_esc(&trace_out, "path", c->str[0]);
}

/* X(path2): the target a readlink returned, on success, when read. */
static void put_x_path2(const struct call_rec *c)
{
	if (c->ok && c->e->len2)
		ior_put_kv_esc(&trace_out, "path2", c->str[1]);
}

/* X(value): the value a setxattr set, when it was small enough to read. */
static void put_x_value(const struct call_rec *c)
{
	const struct ior_event *e = c->e;

	if (!e->has_value)
		return;
	ior_puts(&trace_out, " value=");
	ior_put_esc(&trace_out, e->data + e->len1 + e->len2, e->len3);
}

/*
 * X(times): atime and mtime, from the user structure BPF read, when one
 * was given (the register after the path's): a struct utimbuf, struct
 * timeval[2] or struct timespec[2].
 */
static void put_x_times(const struct call_rec *c)
{
	const __s64 *v = c->e->val;

	if (!call_reg(c, c->info->after_path))
		return;
	switch (c->row->native) {
	case IOR_C_utime:
		put_utime("atime", v[0], 0);
		put_utime("mtime", v[1], 0);
		break;
	case IOR_C_utimes:
	case IOR_C_futimesat:
		put_utime("atime", v[0], v[1] * 1000);
		put_utime("mtime", v[2], v[3] * 1000);
		break;
	default:
		put_utime("atime", v[0], v[1]);
		put_utime("mtime", v[2], v[3]);
		break;
	}
}

/*
 * X(cmd): fcntl's cmd, and its argument in the form its row of the
 * commands (ior.h: IOR_FCNTL_CMDS) gives it; a command the uapi does
 * not name, as a number, with its argument as a number.
 */
static void put_x_fcntl(const struct call_rec *c)
{
	const struct ior_event *e = c->e;
	uint64_t cmd = (uint32_t)call_reg(c, 1), arg = call_reg(c, 2);
	const struct ior_fcntl_cmd *row;
	char buf[512];
	bool skip;

	/* i386's F_GETLK64, F_SETLK64, F_SETLKW64: x86_64's lock commands */
	if (call_i386(c) && cmd >= I386_F_GETLK64 && cmd <= I386_F_SETLKW64)
		cmd = cmd - I386_F_GETLK64 + F_GETLK;
	put_flags("cmd", ior_fcntl_cmds, cmd);
	row = ior_fcntl_cmd(cmd);
	switch (row ? row->arg : IOR_FCNTL_ARG_INT) {
	case IOR_FCNTL_ARG_NONE: case IOR_FCNTL_ARG_PTR:
		break;
	case IOR_FCNTL_ARG_FDFL:
		put_flags("arg", ior_fd_flags, (uint32_t)arg);
		break;
	case IOR_FCNTL_ARG_FL:
		/* it ignores the access mode: no O_RDONLY for a 0 there */
		ior_flags_format(buf, sizeof(buf), ior_open_flags, (uint32_t)arg);
		skip = (arg & O_ACCMODE) == 0 && !strncmp(buf, "O_RDONLY|", 9);
		ior_put_kv(&trace_out, "arg", buf + (skip ? 9 : 0));
		break;
	case IOR_FCNTL_ARG_LOCK:
		put_flags("ltype", ior_lock_types, (uint16_t)e->val[0]);
		put_flags("whence", ior_whence_names, (uint16_t)e->val[1]);
		ior_put_kv_i64(&trace_out, "offset", e->val[2]);
		ior_put_kv_i64(&trace_out, "len", e->val[3]);
		break;
	case IOR_FCNTL_ARG_HINT:	/* read at entry, when it could be */
		if (e->val[1])
			put_flags("hint", ior_rw_hints, (uint64_t)e->val[0]);
		break;
	default:
		ior_put_kv_i64(&trace_out, "arg", call_long(c, 2));
		break;
	}
}

/*
 * X(umask): the umask the call applied, read at its entry, when it may
 * create a file: always for mkdir, mknod and creat, for the other opens
 * when their flags have O_CREAT or O_TMPFILE (openat2's, from its how).
 */
static void put_x_umask(const struct call_rec *c)
{
	if (c->info->flags >= 0 &&
	    !ior_open_creates(call_arg(c, c->info->flags)))
		return;
	put_umask(c->e);
}

/* X(rights): rights=A,B,C, the descriptors a recvmsg received. */
static void put_x_rights(const struct call_rec *c)
{
	const struct ior_event *e = c->e;

	if (!e->len1)
		return;
	ior_puts(&trace_out, " rights=");
	for (unsigned i = 0; i < e->len1 / sizeof(int); i++) {
		int fd;

		memcpy(&fd, e->data + i * sizeof(fd), sizeof(fd));
		if (i)
			ior_putc(&trace_out, ',');
		ior_put_i64(&trace_out, fd);
	}
}

/* X(flags) of clone and clone3: CLONE_* without the exit signal. */
static void put_x_clone_flags(const struct call_rec *c)
{
	put_flags("flags", ior_clone_flags, call_reg(c, 0) & ~CSIGNAL_MASK);
}

/* X(offset) of i386's _llseek: 64 bits in two registers, high first. */
static void put_x_llseek_offset(const struct call_rec *c)
{
	ior_put_kv_i64(&trace_out, "offset",
		       (int64_t)(call_reg(c, 1) << 32 | call_reg(c, 2)));
}

/* X(offset) of i386's mmap2: its offset in pages, written in bytes. */
static void put_x_mmap2_offset(const struct call_rec *c)
{
	ior_put_kv_i64(&trace_out, "offset",
		       (int64_t)(call_reg(c, 5) * I386_PAGE));
}

/* An owner of i386's 16-bit chown calls: 0xffff is -1, "unchanged". */
static int64_t id16(uint64_t v)
{
	return (v & 0xffff) == 0xffff ? -1 : (int64_t)(v & 0xffff);
}

/* X(uid), X(gid): the owners of the 16-bit chown calls, registers 1, 2. */
static void put_x_uid16(const struct call_rec *c)
{
	ior_put_kv_i64(&trace_out, "uid", id16(call_reg(c, 1)));
}

static void put_x_gid16(const struct call_rec *c)
{
	ior_put_kv_i64(&trace_out, "gid", id16(call_reg(c, 2)));
}

/*
 * The handler of key X(key): of any row (call -1), or of one row's
 * (a key that means another thing for another call).
 */
static const struct {
	const char *key;
	int call;
	put_code_fn *fn;
} code_keys[] = {
	{ "file", -1, put_x_file },
	{ "stat", -1, put_x_stat },
	{ "attrs", -1, put_x_attrs },
	{ "path", -1, put_x_path },
	{ "path2", -1, put_x_path2 },
	{ "value", -1, put_x_value },
	{ "times", -1, put_x_times },
	{ "cmd", -1, put_x_fcntl },
	{ "rights", -1, put_x_rights },
	{ "umask", -1, put_x_umask },
	{ "flags", IOR_C_clone, put_x_clone_flags },
	{ "flags", IOR_C_clone3, put_x_clone_flags },
	{ "ctx", -1, aio_put_ctx },
	{ "timeout", -1, aio_put_timeout },
	{ "sigmask", -1, aio_put_sigmask },
	{ "reap", -1, aio_put_reap },
	{ "flags", IOR_C_io_uring_setup, uring_put_setup },
	{ "sub", -1, uring_put_sub },
	{ "nr", -1, uring_put_register },
	{ "offset", IOR_C__llseek, put_x_llseek_offset },
	{ "offset", IOR_C_mmap2, put_x_mmap2_offset },
	{ "uid", -1, put_x_uid16 },
	{ "gid", -1, put_x_gid16 },
};

static put_code_fn *find_code(const struct ior_call *row, const char *key)
{
	int id = row - ior_calls;

	for (size_t k = 0; k < sizeof(code_keys) / sizeof(code_keys[0]); k++)
		if (!strcmp(code_keys[k].key, key) &&
		    (code_keys[k].call < 0 || code_keys[k].call == id))
			return code_keys[k].fn;
	return NULL;
}

void syscall_init(void)
{
	for (int id = 0; id < IOR_NCALLS; id++) {
		const struct ior_call *row = &ior_calls[id];

		if (row->nr64 < 0 && !row->abi32)
			continue;	/* a record, no system call */
		for (int i = 0; i < row->nargs; i++) {
			if (row->args[i].form != IOR_FORM_CODE)
				continue;
			if (!(code_fns[id][i] = find_code(row, row->args[i].key)))
				ior_errx(IOR_EXIT_SYS, "calls.h: %s: no code "
					 "writes X(%s)", row->name,
					 row->args[i].key);
		}
	}
}

/*
 * A FLAGS register as the kernel reads it: an int, but for the tables of
 * 64-bit words (clone's flags, openat2's resolve).
 */
static uint64_t flag_word(const struct ior_flag *t, uint64_t v)
{
	return t == ior_clone_flags || t == ior_resolve_flags ? v : (uint32_t)v;
}

/* Argument i of c's row, as its type says. */
static void put_arg(const struct call_rec *c, int i)
{
	const struct ior_arg *a = &c->row->args[i];
	size_t klen = c->info->keylen[i];	/* measured once, per row */
	uint64_t v;

	if (a->form == IOR_FORM_CODE) {
		code_fns[c->row - ior_calls][i](c);
		return;
	}
	if (a->form == IOR_FORM_OPT &&
	    !call_reg(c, call_i386(c) ? c->info->reg32[i] : a->reg))
		return;		/* no pointer, no value */
	v = call_arg(c, i);
	switch (a->type) {
	case IOR_ARG_FD:
	case IOR_ARG_INT:
		ior_put_kv_i64n(&trace_out, a->key, klen, (int)v);
		break;
	case IOR_ARG_UINT:
		ior_put_kv_i64n(&trace_out, a->key, klen, (uint32_t)v);
		break;
	case IOR_ARG_DIRFD:
		put_dirfd(a->key, v);
		break;
	case IOR_ARG_PATH:
	case IOR_ARG_LINK:
	case IOR_ARG_NAME:
		ior_put_kv_esc(&trace_out, a->key, call_str(c, i));
		break;
	case IOR_ARG_FLAGS:
		put_flags(a->key, a->flags, flag_word(a->flags, v));
		break;
	case IOR_ARG_MODE:
		put_octal(a->key, v);
		break;
	case IOR_ARG_DEV:
		put_dev(a->key, (uint32_t)v);
		break;
	case IOR_ARG_HEX:
		put_hex(a->key, v);
		break;
	default:		/* LONG, SIZE, RBUF, WBUF, LOFF */
		ior_put_kv_i64n(&trace_out, a->key, klen, (int64_t)v);
		break;
	}
}

void write_syscall(const struct call_rec *c)
{
	const struct ior_event *e = c->e;

	describe_call(c);	/* ior:lstat records first */
	put_head(rel_time(e->time), e->pid, e->tid, e->comm, c->row->name,
		 e->ret, e->dur);
	for (int i = 0; i < c->row->nargs; i++)
		put_arg(c, i);
	put_err(e->ret);
	ior_putc(&trace_out, '\n');
}
