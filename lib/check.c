/*
 * check.c - what ior-replay requires of an operation of a replay program
 * (ior.h: ior_check_op), and, one level up, what ior-gen requires of a
 * record of a map stream (ior_check_rec_vals): the same rules, and the
 * keys ior-gen reads itself. ior-gen checks each record it reads with
 * the latter, which implies the former for the records it keeps, and
 * ior-map each record it writes, so that a message names the user's file
 * and line, not an intermediate one; ior_check_op() states a program's
 * rules for a program written otherwise.
 *
 * The rules are ior-replay's loader's: the keys an operation needs come
 * from its call's row of the table (calls.h), the arguments' types and
 * keys (ior_row_need, here, which the loader reads too), and a few
 * calls' own keys; each is parsed with lib's parsers, within the limits
 * of ior.h (IOR_PROG_*). A change to what the loader
 * reads, or to what ior-gen reads, is a change here.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "ior.h"

/* The keys the loader reads (ior.h), K_* here. */
enum {
#define CHECK_KEY(k) K_##k = IOR_CK_##k,
	IOR_CHECK_KEYS(CHECK_KEY)
#undef CHECK_KEY
	NKEYS = IOR_CHECK_NKEYS
};
#define CHECK_NAME(k) #k,
static const char *const key_name[NKEYS] = { IOR_CHECK_KEYS(CHECK_NAME) };
#undef CHECK_NAME
_Static_assert(NKEYS <= IOR_KEYS_MAX, "the checked keys fit a key set");

/* The file offsets ior-gen reads as such (ior_check_rec_vals). */
enum { OFF_NONE, OFF_READ, OFF_XFER, OFF_IORFD };

struct need {
	struct ior_need call;		/* the loader's keys: ior_row_need */
	/* a record of a map stream: what ior-gen reads beyond the above */
	const struct ior_flag *rflags;	/* flags= of a call without: its tree's */
	uint8_t own_path, own_path2;	/* path, path2 not checked above */
	uint8_t own_creation;		/* fmode, umask not checked above */
	uint8_t offs;			/* OFF_*: how it reads offset= */
};

/* The flags of a call that takes a plain number (copy_file_range's). */
static const struct ior_flag no_names[] = { { NULL, 0, 0 } };

static int is_aio_request(unsigned kind)
{
	return kind >= IOR_REPLAY_AIO_PREAD && kind <= IOR_REPLAY_AIO_NOOP;
}

static int is_uring_request(unsigned kind)
{
	return kind >= IOR_REPLAY_UR_NOP && kind <= IOR_REPLAY_UR_OTHER;
}

/* A table of values, not of flags: a value it does not name is refused. */
static int is_value_table(const struct ior_flag *t)
{
	return t == ior_whence_names || t == ior_madvise_advice ||
		t == ior_fcntl_cmds || t == ior_lock_types;
}

/* One argument of a row: what it asks of the operation. */
static void need_arg(const struct ior_arg *a, struct ior_need *n)
{
	const char *k = a->key;

	switch (a->type) {
	case IOR_ARG_FD:
		n->bits |= !strcmp(k, "fd") ? IOR_NEED_FD :
			!strcmp(k, "fd2") ? IOR_NEED_FD2 : 0;
		break;
	case IOR_ARG_PATH: case IOR_ARG_LINK: case IOR_ARG_NAME:
		n->bits |= !strcmp(k, "path") ? IOR_NEED_PATH :
			!strcmp(k, "path2") ? IOR_NEED_PATH2 :
			!strcmp(k, "name") ? IOR_NEED_NAME : 0;
		break;
	case IOR_ARG_FLAGS:
		if (!a->flags)		/* a record's: its own keys */
			break;
		if (!strcmp(k, "flags"))
			n->flags = a->flags;
		else if (!strcmp(k, "mask"))
			n->bits |= IOR_NEED_MASK;
		else if (!strcmp(k, "amode"))
			n->bits |= IOR_NEED_AMODE;
		else if (!strcmp(k, "whence"))
			n->bits |= IOR_NEED_WHENCE;
		else if (!strcmp(k, "advice") || !strcmp(k, "op") ||
			 !strcmp(k, "prot")) {
			n->bits |= IOR_NEED_ARG;
			n->argt = a->flags;
			n->argkey = !strcmp(k, "advice") ? K_advice :
				!strcmp(k, "op") ? K_op : K_prot;
		}
		break;
	case IOR_ARG_MODE:
		n->bits |= IOR_NEED_MODE;
		break;
	case IOR_ARG_INT: case IOR_ARG_UINT:
		if (!strcmp(k, "uid") || !strcmp(k, "gid"))
			n->bits |= IOR_NEED_OWNER;
		else if (!strcmp(k, "iovcnt"))
			n->bits |= IOR_NEED_IOVCNT;
		else if (!strcmp(k, "flags"))
			n->flags = no_names;
		break;
	case IOR_ARG_LONG: case IOR_ARG_LOFF: case IOR_ARG_SIZE:
		if (!strcmp(k, "offset") || !strcmp(k, "offset2"))
			n->bits |= a->form == IOR_FORM_OPT ?
				IOR_NEED_OPTOFF : IOR_NEED_OFFSET;
		else if (!strcmp(k, "size"))
			n->bits |= IOR_NEED_SIZE;
		else if (!strcmp(k, "len"))
			n->bits |= IOR_NEED_LEN;
		else if (!strcmp(k, "count"))
			n->bits |= IOR_NEED_COUNT;
		break;
	case IOR_ARG_RBUF: case IOR_ARG_WBUF:
		n->bits |= IOR_NEED_COUNT;
		break;
	case IOR_ARG_HEX:
		n->bits |= !strcmp(k, "addr") ? IOR_NEED_ADDR : 0;
		break;
	case IOR_ARG_NONE:	/* written by ior-trace's own code */
		n->bits |= !strcmp(k, "times") ? IOR_NEED_TIMES : 0;
		break;
	default:
		break;
	}
}

/*
 * What row needs (ior.h). The keys come from its arguments; a few
 * kinds have keys of their own, which their checks below read.
 */
void ior_row_need(int row, struct ior_need *n)
{
	const struct ior_call *c = &ior_calls[row];
	unsigned kind = c->replay;
	int dirfd = 0;

	*n = (struct ior_need){ 0 };
	if (kind == IOR_REPLAY_FORK || kind == IOR_REPLAY_EXEC)
		return;
	if (is_uring_request(kind)) {
		n->bits = IOR_NEED_URING;
		return;
	}
	for (int i = 0; i < c->nargs; i++) {
		need_arg(&c->args[i], n);
		dirfd |= c->args[i].type == IOR_ARG_DIRFD &&
			!strcmp(c->args[i].key, "dirfd");
	}
	if (c->ret == IOR_RET_FD)
		n->bits |= IOR_NEED_RETFD;
	switch (kind) {
	case IOR_REPLAY_STAT: case IOR_REPLAY_STATX: case IOR_REPLAY_CHOWN:
	case IOR_REPLAY_LINK: case IOR_REPLAY_UTIMES:
		if (dirfd && n->flags == ior_at_flags)
			n->bits |= IOR_NEED_EMPTY;
		break;
	case IOR_REPLAY_MMAP:	/* where it maps is the kernel's choice */
		n->bits &= ~IOR_NEED_ADDR;
		break;
	case IOR_REPLAY_IORFD:
		n->bits |= IOR_NEED_FD;
		n->flags = ior_open_flags;
		break;
	case IOR_REPLAY_URING_SETUP:
		n->flags = ior_uring_setup_flags;
		break;
	case IOR_REPLAY_URING_FIXED:	/* a record's flags */
		n->flags = ior_open_flags;
		break;
	default:
		break;
	}
	/* Beside open flags, mode= matters with O_CREAT only: optional. */
	if (n->flags == ior_open_flags)
		n->bits &= ~IOR_NEED_MODE;
}

/*
 * What ior-gen reads of a record of row beyond its call's rules: the
 * paths those leave unchecked, the flags of the calls whose tree has
 * flags where the call has none, and offsets.
 */
static void need_own(int row, struct need *n)
{
	const struct ior_call *c = &ior_calls[row];
	unsigned kind = c->replay;

	if (kind == IOR_REPLAY_NONE || kind == IOR_REPLAY_FORK ||
	    kind == IOR_REPLAY_EXEC) {
		n->own_path = n->own_path2 = n->own_creation = 1;
	} else if (n->call.bits & IOR_NEED_URING) {
		n->own_path = kind != IOR_REPLAY_UR_OPENAT &&
			kind != IOR_REPLAY_UR_OPENAT2 &&
			kind != IOR_REPLAY_UR_STATX;
		n->own_path2 = 1;
		n->own_creation = kind != IOR_REPLAY_UR_OPENAT &&
			kind != IOR_REPLAY_UR_OPENAT2;
	} else {
		n->own_path = !(n->call.bits & IOR_NEED_PATH) &&
			kind != IOR_REPLAY_OPEN_BY_HANDLE;
		n->own_path2 = !(n->call.bits & IOR_NEED_PATH2);
	}
	if (!n->call.flags && c->tree == IOR_TREE_RENAME)
		n->rflags = ior_rename_flags;
	else if (!n->call.flags && c->tree == IOR_TREE_UNLINK)
		n->rflags = ior_at_flags;
	n->offs = c->tree == IOR_TREE_PREAD ? OFF_READ :
		c->tree == IOR_TREE_XFER ? OFF_XFER :
		c->tree == IOR_TREE_IORFD ? OFF_IORFD : OFF_NONE;
}

/* What each row needs, found once, at the first record checked. */
static struct need needs[IOR_NCALLS];
static int needs_known;

static void needs_init(void)
{
	for (int row = 0; row < IOR_NCALLS; row++) {
		ior_row_need(row, &needs[row].call);
		need_own(row, &needs[row]);
	}
	needs_known = 1;
}

static inline const struct need *need_of(int row)
{
	if (__builtin_expect(!needs_known, 0))
		needs_init();
	return &needs[row];
}

/* ---- the keys, each checked as the loader parses it ---- */

struct chk {
	const struct ior_in *in;
	const struct ior_rec *r;
	const char *const *val;
	int rec;		/* a record of a map stream, not an operation */
	struct ior_check_nums *nums;	/* each number parsed once */
};

static const char *need(const struct chk *c, int k)
{
	return c->val[k] ? c->val[k] : ior_need(c->in, c->r, key_name[k]);
}

/*
 * s as ior_int() reads most numbers (1 to 17 digits after an optional
 * '-', which cannot overflow), into *v; 0 for any other, which
 * ior_int() reads or refuses. Inline: a record's checks parse five
 * numbers or so, and the calls cost as much as the digits.
 */
static inline int small_int(const char *s, int64_t *v)
{
	size_t neg = *s == '-', n = neg;
	uint64_t x = 0;

	for (; (unsigned)(s[n] - '0') < 10 && n < 18; n++)
		x = x * 10 + (s[n] - '0');
	if (s[n] || n == neg)
		return 0;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return 1;
}

/* val[k] (present) as ior_int() reads it: parsed once, kept in nums. */
static inline int64_t c_num(const struct chk *c, int k)
{
	struct ior_check_nums *n = c->nums;
	uint64_t bit = 1ull << (k % 64);

	if (n->have[k / 64] & bit)
		return n->num[k];
	if (!small_int(c->val[k], &n->num[k]))
		n->num[k] = ior_int(c->in, key_name[k], c->val[k]);
	n->have[k / 64] |= bit;
	return n->num[k];
}

/*
 * c_int(), c_uint(), c_vfd() and c_path() are inline too: a record's
 * checks call them some ten times, each call's saving of registers
 * costing as much as the few digits it reads (9 KB more code).
 */
static inline int64_t c_int(const struct chk *c, int k)
{
	return c->val[k] ? c_num(c, k) :
		ior_int(c->in, key_name[k], need(c, k));
}

/* val[k] as ior_uint() reads it: parsed once, kept in nums. */
static inline uint64_t c_uint(const struct chk *c, int k)
{
	struct ior_check_nums *n = c->nums;
	uint64_t bit = 1ull << (k % 64);
	const char *v = need(c, k);

	int64_t x;

	if (n->uhave[k / 64] & bit)
		return n->unum[k];
	/* most are a few digits, as small_int() reads them: no call */
	if (*v != '-' && small_int(v, &x))
		n->unum[k] = x;
	else
		n->unum[k] = ior_uint(c->in, key_name[k], v);
	n->uhave[k / 64] |= bit;
	return n->unum[k];
}

/* val[k] (present) as ior_off() reads it (ior_uint(), within 2^63 - 1). */
static uint64_t c_off(const struct chk *c, int k)
{
	uint64_t v = c_uint(c, k);

	if (v > INT64_MAX)
		ior_bad(c->in, key_name[k], "out of range 0..%lld",
			(long long)INT64_MAX);
	return v;
}

static int64_t c_opt_int(const struct chk *c, int k)
{
	return c->val[k] ? c_num(c, k) : 0;
}

static void c_hex(const struct chk *c, int k)
{
	ior_hex(c->in, key_name[k], need(c, k));
}

/* Flags; an empty value ("flags=") is 0, as an absent one. */
static uint64_t c_opt_flags(const struct chk *c, int k,
			    const struct ior_flag *t)
{
	const char *v = c->val[k];

	return ior_flags(c->in, key_name[k], v && *v ? v : NULL, t);
}

static uint64_t c_flags(const struct chk *c, int k, const struct ior_flag *t)
{
	need(c, k);
	return c_opt_flags(c, k, t);
}

/* A value of a table of values: unknown ones are refused. */
static uint64_t c_value(const struct chk *c, int k, const struct ior_flag *t)
{
	const char *v = need(c, k);
	uint64_t x;

	if (ior_flags_parse(t, v, &x) == 0)
		for (; t->name; t++)
			if (t->value == x)
				return x;
	ior_bad(c->in, key_name[k], "unknown value \"%.40s\"", v);
}

/* A vfd, when there is one. */
static inline void c_vfd(const struct chk *c, int k)
{
	int64_t v;

	if (!c->val[k])
		return;
	v = c_num(c, k);
	if (v < 0 || v >= IOR_PROG_VFD_MAX)
		ior_bad(c->in, key_name[k], "out of range 0..%d",
			IOR_PROG_VFD_MAX - 1);
}

/*
 * A path or a name: the length of its bytes, unescaped. Most have no
 * escape: those are as long as they are written, and hold no NUL byte.
 */
static inline size_t c_path(const struct chk *c, int k)
{
	const char *v = need(c, k);
	size_t n = strlen(v);

	if (n < IOR_PROG_PATH_MAX && !memchr(v, '\\', n))
		return n;
	return ior_val_check(c->in, key_name[k], v, IOR_PROG_PATH_MAX);
}

/* setxattr's value: binary, NUL bytes allowed, bounded as written. */
static void c_xattr_value(const struct chk *c)
{
	const char *v = c->val[K_value];
	int nul;

	if (!v)
		return;
	if (strlen(v) >= IOR_PROG_VALUE_MAX)
		ior_bad(c->in, "value", "longer than %d bytes",
			IOR_PROG_VALUE_MAX - 1);
	if (ior_decode(NULL, IOR_PROG_VALUE_MAX, v, &nul) < 0)
		ior_bad(c->in, "value", "malformed escape in \"%.40s\"", v);
}

/* atime, mtime: seconds with up to nine decimals, "now" or "omit". */
static void c_time(const struct chk *c, int k)
{
	const char *v = need(c, k);

	if (strcmp(v, "now") && strcmp(v, "omit"))
		ior_time(c->in, key_name[k], v);
}

static void c_mode(const struct chk *c)
{
	ior_mode(c->in, "mode", need(c, K_mode));
}

/*
 * fmode and umask, which the replay reads of a call that creates: the
 * mode its file got, and the umask the call applied (0000 to 0777).
 */
static inline void check_creation(const struct chk *c)
{
	const char *v;

	if (c->val[K_fmode])
		ior_mode(c->in, "fmode", c->val[K_fmode]);
	if ((v = c->val[K_umask]) && ior_mode(c->in, "umask", v) > 0777)
		ior_bad(c->in, "umask", "not a umask, 0000 to 0777: \"%.40s\"",
			v);
}

/* RET, a new descriptor: one the replay can bind. */
static void c_retfd(const struct chk *c)
{
	if (c->r->ret >= IOR_PROG_FD_MAX)
		ior_bad(c->in, "RET", "descriptor above %d",
			IOR_PROG_FD_MAX - 1);
}

/*
 * A list of integers (fds, vfds, lens), each lo..hi: how many, and in
 * *sum the sum of those above 0.
 */
static uint32_t c_list(const struct chk *c, int k, int64_t lo, int64_t hi,
		       uint64_t *sum)
{
	const char *key = key_name[k], *v = c->val[k];
	char buf[24];
	uint32_t m = 0;

	*sum = 0;
	if (!v)
		return 0;
	for (const char *p = v, *e; ; p = e + 1) {
		int64_t x;

		e = strchrnul(p, ',');
		if ((size_t)(e - p) >= sizeof(buf) || m == IOR_PROG_LIST_MAX)
			ior_bad(c->in, key, "not a list of at most %d numbers",
				IOR_PROG_LIST_MAX);
		memcpy(buf, p, e - p);
		buf[e - p] = 0;
		x = ior_int(c->in, key, buf);
		if (x < lo || x > hi)
			ior_bad(c->in, key, "%lld out of range %lld..%lld",
				(long long)x, (long long)lo, (long long)hi);
		if (x > 0)
			*sum += x;
		m++;
		if (!*e)
			return m;
	}
}

/* A count the kernel takes as 32 bits (io_setup's nr, a ring's sizes). */
static void c_u32(const struct chk *c, int k)
{
	int64_t v = c_int(c, k);

	if (v < 0 || v > UINT32_MAX)
		ior_bad(c->in, key_name[k], "out of range 0..%u", UINT32_MAX);
}

/* A registered file index (fixed=, slot=). */
static void c_index(const struct chk *c, int k)
{
	int64_t v;

	if (!c->val[k])
		return;
	v = c_num(c, k);
	if (v < 0 || v > INT32_MAX)
		ior_bad(c->in, key_name[k], "not a registered file index");
}

/* ---- the calls that read keys of their own ---- */

/*
 * fcntl: its command a name or a number; a number the uapi names no
 * command by is not issued (skip=unsupported), and nothing else of it
 * is read.
 */
static void check_fcntl(const struct chk *c)
{
	const char *v = need(c, K_cmd);
	const struct ior_fcntl_cmd *row;
	uint64_t cmd;

	if (ior_flags_parse(ior_fcntl_cmds, v, &cmd) < 0)
		ior_bad(c->in, "cmd", "unknown value \"%.40s\"", v);
	if (!(row = ior_fcntl_cmd(cmd)))
		return;
	switch (row->arg) {
	case IOR_FCNTL_ARG_FDFL:
		c_flags(c, K_arg, ior_fd_flags);
		break;
	case IOR_FCNTL_ARG_FL:
		c_flags(c, K_arg, ior_open_flags);
		break;
	case IOR_FCNTL_ARG_LOCK:
		c_value(c, K_ltype, ior_lock_types);
		c_value(c, K_whence, ior_whence_names);
		c_int(c, K_offset);
		c_int(c, K_len);
		break;
	case IOR_FCNTL_ARG_HINT:
		c_opt_flags(c, K_hint, ior_rw_hints);
		break;
	case IOR_FCNTL_ARG_INT:
		if (cmd == F_ADD_SEALS || cmd == F_SETPIPE_SZ)
			c_int(c, K_arg);
		break;
	default:
		break;
	}
	if ((cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) && c->r->ret >= 0) {
		c_retfd(c);
		c_vfd(c, K_vfd2);
	}
}

static inline void check_special(const struct chk *c, unsigned kind)
{
	unsigned m;

	switch (kind) {
	case IOR_REPLAY_FCNTL:
		check_fcntl(c);
		break;
	case IOR_REPLAY_MKNOD:	/* ior-gen drops a device node */
		m = ior_mode(c->in, "mode", need(c, K_mode));
		if (!c->rec && (m & S_IFMT) != 0 && (m & S_IFMT) != S_IFREG &&
		    (m & S_IFMT) != S_IFIFO && (m & S_IFMT) != S_IFSOCK)
			ior_bad(c->in, "mode", "%s: device nodes are not replayed",
				c->val[K_mode]);
		break;
	case IOR_REPLAY_OPEN_BY_HANDLE:
		if (c->val[K_path])
			c_path(c, K_path);
		break;
	case IOR_REPLAY_CLOSE_RANGE:
		c_uint(c, K_fd);
		c_uint(c, K_maxfd);
		break;
	default:
		break;
	}
}

static inline void check_aio(const struct chk *c, unsigned kind)
{
	switch (kind) {
	case IOR_REPLAY_IO_SETUP:
		c_u32(c, K_nr);
		if (c->r->ret >= 0)
			c_hex(c, K_ctx);
		return;
	case IOR_REPLAY_IO_DESTROY:
		c_hex(c, K_ctx);
		return;
	case IOR_REPLAY_IO_SUBMIT:
		c_hex(c, K_ctx);
		c_uint(c, K_sub);
		return;
	case IOR_REPLAY_IO_GETEVENTS:
	case IOR_REPLAY_IO_PGETEVENTS:
		c_hex(c, K_ctx);
		c_int(c, K_min_nr);
		c_int(c, K_nr);
		if (c->val[K_timeout])
			c_time(c, K_timeout);
		if (kind == IOR_REPLAY_IO_PGETEVENTS)
			c_uint(c, K_sigmask);
		if (c->val[K_reap])
			c_uint(c, K_reap);
		return;
	case IOR_REPLAY_IO_CANCEL:
		c_hex(c, K_ctx);
		c_hex(c, K_iocb);
		return;
	default:
		break;
	}
	if (!is_aio_request(kind))
		return;
	c_hex(c, K_ctx);
	c_hex(c, K_iocb);
	c_opt_flags(c, K_flags, ior_rwf_flags);
	c_uint(c, K_sub);
	if (c->val[K_reap])
		c_uint(c, K_reap);
}

static inline void check_uring_call(const struct chk *c, unsigned kind)
{
	uint32_t n, nv;
	uint64_t sum;

	switch (kind) {
	case IOR_REPLAY_URING_SETUP:
		c_u32(c, K_entries);
		if (c->val[K_sq])
			c_u32(c, K_sq);
		if (c->val[K_cq])
			c_u32(c, K_cq);
		break;
	case IOR_REPLAY_URING_ENTER:
		c_uint(c, K_to_submit);
		c_uint(c, K_min_complete);
		if (c->val[K_sub])
			c_uint(c, K_sub);
		break;
	case IOR_REPLAY_URING_REGISTER:
		c_flags(c, K_opcode, ior_uring_register_ops);
		c_uint(c, K_nr);
		c_opt_int(c, K_offset);
		n = c_list(c, K_fds, -2, INT32_MAX, &sum);	/* -2: skipped */
		nv = c_list(c, K_vfds, -1, IOR_PROG_VFD_MAX - 1, &sum);
		if (nv != n)
			ior_bad(c->in, "vfds", "%u entries where fds has %u", nv,
				n);
		/* the kernel pins registered buffers: so many bytes in all */
		c_list(c, K_lens, 0, 1 << 30, &sum);
		if (sum > IOR_PROG_REGBUF_MAX)
			ior_bad(c->in, "lens", "more than %llu bytes in all",
				(unsigned long long)IOR_PROG_REGBUF_MAX);
		break;
	case IOR_REPLAY_URING_FIXED:
		c_int(c, K_ring);
		need(c, K_fixed);
		c_index(c, K_fixed);
		break;
	case IOR_REPLAY_IORFD:	/* a ring set up before capture: a setup */
		if (!c->val[K_entries])
			break;
		c_uint(c, K_entries);
		c_opt_int(c, K_cq);
		c_opt_flags(c, K_setup, ior_uring_setup_flags);
		if ((uint64_t)c_opt_int(c, K_files) > IOR_PROG_LIST_MAX)
			ior_bad(c->in, "files", "out of range 0..%d",
				IOR_PROG_LIST_MAX);
		c_list(c, K_lens, 0, 1 << 30, &sum);
		if (sum > IOR_PROG_REGBUF_MAX)
			ior_bad(c->in, "lens", "more than %llu bytes in all",
				(unsigned long long)IOR_PROG_REGBUF_MAX);
		break;
	default:
		break;
	}
}

/* A uring:* request: its keys are its own. */
static void check_uring(const struct chk *c, unsigned kind)
{
	const struct ior_rec *r = c->r;
	uint32_t iovcnt;
	uint64_t flags;

	if (c->val[K_ring])
		c_int(c, K_ring);
	if (c->val[K_fixed]) {
		c_index(c, K_fixed);
	} else if (c->val[K_fd]) {
		c_int(c, K_fd);
		c_vfd(c, K_vfd);
	}
	c_opt_flags(c, K_sqe_flags, ior_iosqe_flags);
	c_opt_int(c, K_offset);
	c_opt_int(c, K_count);
	/* the loader keeps it in 32 bits */
	iovcnt = (uint32_t)c_opt_int(c, K_iovcnt);
	if (iovcnt > IOR_PROG_IOV_MAX)
		ior_bad(c->in, "iovcnt", "more than %d", IOR_PROG_IOV_MAX);
	switch (kind) {
	case IOR_REPLAY_UR_READV: case IOR_REPLAY_UR_WRITEV:
		if (!iovcnt)
			ior_bad(c->in, "iovcnt", "missing for %s", r->call);
		break;
	case IOR_REPLAY_UR_READ_FIXED: case IOR_REPLAY_UR_WRITE_FIXED:
		c_opt_int(c, K_buf);
		break;
	case IOR_REPLAY_UR_FSYNC:
		c_opt_int(c, K_len);
		c_opt_int(c, K_datasync);
		break;
	case IOR_REPLAY_UR_FALLOCATE:
		c_int(c, K_len);
		c_opt_flags(c, K_mode, ior_fallocate_flags);
		break;
	case IOR_REPLAY_UR_OPENAT: case IOR_REPLAY_UR_OPENAT2:
		c_path(c, K_path);
		c_opt_flags(c, K_flags, ior_open_flags);
		if (c->val[K_mode])
			c_mode(c);
		check_creation(c);
		c_opt_flags(c, K_resolve, ior_resolve_flags);
		if (c->val[K_slot]) {
			c_index(c, K_slot);
		} else if (r->ret >= 0) {
			c_retfd(c);
			c_vfd(c, K_vfd);
		}
		break;
	case IOR_REPLAY_UR_STATX:
		flags = c_opt_flags(c, K_flags, ior_at_flags);
		c_opt_flags(c, K_mask, ior_statx_mask);
		if (!c_path(c, K_path) && (flags & AT_EMPTY_PATH))
			c_vfd(c, K_vfd);
		break;
	default:
		break;
	}
	if (c->val[K_sub])
		c_uint(c, K_sub);
	if (c->val[K_batch])
		c_uint(c, K_batch);
}

/* ---- an operation ---- */

/* A virtual pid or tid, as the replay numbers its tasks. */
static void c_vid(const struct ior_in *in, const char *key, int64_t v)
{
	if (v < 1 || v >= IOR_PROG_ID_MAX)
		ior_bad(in, key, "virtual id out of range 1..%d",
			IOR_PROG_ID_MAX - 1);
}

/* Whether an io_uring operation without a row of its own is one. */
static int uring_op_known(const char *op)
{
	for (size_t i = 0; i < IOR_URING_OPS; i++)
		if (!strcmp(ior_uring_ops[i], op))
			return 1;
	return 0;
}

/* The keys most calls take, as the loader reads them. */
static void check_args(const struct chk *c, unsigned kind,
		       const struct need *n)
{
	const struct ior_in *in = c->in;
	const struct ior_rec *r = c->r;
	unsigned b = n->call.bits;
	uint64_t flags = 0;
	size_t path = 1;
	int64_t fd;

	if (b & IOR_NEED_FD) {
		fd = c_int(c, K_fd);
		c_vfd(c, K_vfd);
		if (kind == IOR_REPLAY_IORFD && (fd < 0 || fd >= IOR_PROG_FD_MAX))
			ior_bad(in, "fd", "out of range 0..%d",
				IOR_PROG_FD_MAX - 1);
		/* ior-gen drops a descriptor without a vfd */
		if (kind == IOR_REPLAY_IORFD && !c->val[K_vfd] && !c->rec)
			ior_bad(in, "vfd", "missing");
	}
	if (b & IOR_NEED_FD2) {
		c_int(c, K_fd2);
		c_vfd(c, K_vfd2);
	}
	if (b & IOR_NEED_PATH)
		path = c_path(c, K_path);
	if (b & IOR_NEED_PATH2)
		c_path(c, K_path2);
	if (b & IOR_NEED_NAME) {
		c_path(c, K_name);
		c_xattr_value(c);
	}
	if (n->call.flags)
		flags = c_flags(c, K_flags, n->call.flags);
	/* ior:fd of a file without a name: as long as size (ior-replay(1)) */
	if (kind == IOR_REPLAY_IORFD && (flags & __O_TMPFILE) == __O_TMPFILE &&
	    c->val[K_size] && c_uint(c, K_size) > INT64_MAX)
		ior_bad(in, "size", "out of range 0..%lld", (long long)INT64_MAX);
	if (b & IOR_NEED_MASK)
		c_flags(c, K_mask, ior_statx_mask);
	if (b & IOR_NEED_AMODE)
		c_flags(c, K_amode, ior_access_modes);
	if (b & IOR_NEED_OWNER) {
		ior_owner(in, "uid", need(c, K_uid), 1);
		ior_owner(in, "gid", need(c, K_gid), 1);
	}
	if ((b & IOR_NEED_TIMES) && (c->val[K_atime] || c->val[K_mtime])) {
		c_time(c, K_atime);
		c_time(c, K_mtime);
	}
	if (b & IOR_NEED_WHENCE)
		c_value(c, K_whence, ior_whence_names);
	if (b & IOR_NEED_OFFSET)
		c_int(c, K_offset);
	if (b & IOR_NEED_OPTOFF) {
		c_opt_int(c, K_offset);
		c_opt_int(c, K_offset2);
	}
	if (b & IOR_NEED_SIZE)
		c_int(c, K_size);
	if (b & IOR_NEED_LEN)
		c_int(c, K_len);
	if (b & IOR_NEED_ADDR)
		c_hex(c, K_addr);
	if (b & IOR_NEED_COUNT)
		c_uint(c, K_count);
	if ((b & IOR_NEED_IOVCNT) && c_uint(c, K_iovcnt) > IOR_PROG_IOV_MAX)
		ior_bad(in, "iovcnt", "more than %d", IOR_PROG_IOV_MAX);
	if ((b & IOR_NEED_MODE) ||
	    (n->call.flags == ior_open_flags && c->val[K_mode]))
		c_mode(c);
	check_creation(c);
	if (b & IOR_NEED_ARG) {
		if (is_value_table(n->call.argt))
			c_value(c, n->call.argkey, n->call.argt);
		else
			c_flags(c, n->call.argkey, n->call.argt);
	}
	check_special(c, kind);
	check_aio(c, kind);
	check_uring_call(c, kind);
	/* fstatat(fd, "", AT_EMPTY_PATH) and futimens act on dirfd */
	if ((b & IOR_NEED_EMPTY) && !path &&
	    ((flags & AT_EMPTY_PATH) || kind == IOR_REPLAY_UTIMES)) {
		if (strcmp(need(c, K_dirfd), "AT_FDCWD"))
			c_int(c, K_dirfd);
		c_vfd(c, K_vfd);
	}
	if ((b & IOR_NEED_RETFD) && kind != IOR_REPLAY_IORFD && r->ret >= 0) {
		c_retfd(c);
		if (kind == IOR_REPLAY_DUP)
			c_vfd(c, K_vfd2);
		else if (kind != IOR_REPLAY_DUP2 && kind != IOR_REPLAY_DUP3)
			c_vfd(c, K_vfd);
	}
}

/* The keys the call of row (one the replay issues) needs. */
static void check_call(const struct chk *c, int row)
{
	unsigned kind = ior_calls[row].replay;

	if (kind == IOR_REPLAY_FORK) {
		c_vid(c->in, "child", c_int(c, K_child));
		c_vid(c->in, "cpid", c_int(c, K_cpid));
		c_flags(c, K_flags, ior_clone_flags);
		return;
	}
	if (is_uring_request(kind))
		check_uring(c, kind);
	else
		check_args(c, kind, need_of(row));
}

void ior_check_op_vals(const struct ior_in *in, const struct ior_rec *r,
		       int row, const char *const *val)
{
	struct ior_check_nums nums;
	struct chk c = { .in = in, .r = r, .val = val, .nums = &nums };

	memset(nums.have, 0, sizeof(nums.have));
	memset(nums.uhave, 0, sizeof(nums.uhave));

	if (row == IOR_C_uring_other && !uring_op_known(r->call + 6))
		row = -1;
	if (row < 0 || ior_calls[row].replay == IOR_REPLAY_NONE)
		ior_bad(in, "CALL", "\"%.40s\" cannot be replayed", r->call);
	c_vid(in, "PID", r->pid);
	c_vid(in, "TID", r->tid);
	check_call(&c, row);
}

/* ---- a record of a map stream: what ior-gen reads itself ---- */

/*
 * offset= of a call that read from it, or copied from or to it, or of
 * ior:fd (where the file position was): an offset in a file that the
 * call's bytes (RET) end within, where ior-gen infers a size from it.
 * -1 is a request's on the file position.
 */
static void check_offset(const struct chk *c, unsigned offs)
{
	const char *v = c->val[K_offset];
	int64_t ret = c->r->ret;
	uint64_t off;

	if (!v || ret < 0 || offs == OFF_NONE ||
	    (offs == OFF_READ && !strcmp(v, "-1")))
		return;
	off = c_off(c, K_offset);
	if (offs != OFF_IORFD)
		ior_off_end(c->in, "offset", off, ret);
}

static void check_own(const struct chk *c, const struct need *n)
{
	const struct ior_in *in = c->in;
	const char *const *val = c->val;
	uint64_t sub;

	if (val[K_path] && (!n || n->own_path))
		c_path(c, K_path);
	if (val[K_path2] && (!n || n->own_path2))
		c_path(c, K_path2);
	if (val[K_file])
		c_path(c, K_file);
	if (val[K_file2])
		c_path(c, K_file2);
	/* ior-gen's ordering reads a descriptor's vfd on any call */
	c_vfd(c, K_vfd);
	c_vfd(c, K_vfd2);
	if (val[K_ofd])
		c_int(c, K_ofd);
	if (val[K_ofd2])
		c_int(c, K_ofd2);
	if (val[K_group])
		c_int(c, K_group);
	/* a request's place in ior-gen's order is -(sub + 1): it must fit */
	if (val[K_sub] && (sub = c_uint(c, K_sub)) >= INT64_MAX)
		ior_bad(in, "sub", "out of range 0..%lld",
			(long long)INT64_MAX - 1);
	if (!n || n->own_creation)
		check_creation(c);
	/* a file's facts, but a chown's owners, which are its arguments */
	if (!n || !(n->call.bits & IOR_NEED_OWNER)) {
		if (val[K_uid])
			ior_owner(in, "uid", val[K_uid], 0);
		if (val[K_gid])
			ior_owner(in, "gid", val[K_gid], 0);
	}
	if (val[K_size] && (!n || !(n->call.bits & IOR_NEED_SIZE)))
		c_off(c, K_size);
	if (val[K_ino])
		c_uint(c, K_ino);
	if (val[K_dev])
		ior_dev(in, "dev", val[K_dev]);
	if (!n)
		return;
	/* a context, whatever the call (ior-gen's order of AIO) */
	if (val[K_ctx])
		c_hex(c, K_ctx);
	if (n->rflags)
		c_opt_flags(c, K_flags, n->rflags);
	check_offset(c, n->offs);
}

void ior_check_rec_vals(const struct ior_in *in, const struct ior_rec *r,
			int row, const char *const *val)
{
	struct ior_check_nums nums;

	ior_check_rec_nums(in, r, row, val, &nums);
}

void ior_check_rec_nums(const struct ior_in *in, const struct ior_rec *r,
			int row, const char *const *val,
			struct ior_check_nums *nums)
{
	struct chk c = { .in = in, .r = r, .val = val, .rec = 1, .nums = nums };

	memset(nums->have, 0, sizeof(nums->have));
	memset(nums->uhave, 0, sizeof(nums->uhave));

	c_vid(in, "PID", r->pid);
	c_vid(in, "TID", r->tid);
	/* an io_uring operation ior-replay does not know is dropped */
	if (row == IOR_C_uring_other && !uring_op_known(r->call + 6))
		row = -1;
	check_own(&c, row < 0 ? NULL : need_of(row));
	if (row >= 0 && ior_calls[row].replay != IOR_REPLAY_NONE)
		check_call(&c, row);
}

static const struct ior_keys *check_keys(void)
{
	static struct ior_keys keys;
	static int ready;

	if (!ready) {
		ior_keys_init(&keys, key_name, NKEYS);
		ready = 1;
	}
	return &keys;
}

void ior_check_vals(const struct ior_rec *r, const char *val[IOR_CHECK_NKEYS])
{
	ior_keys_values(check_keys(), r, val);
}

void ior_check_op(const struct ior_in *in, const struct ior_rec *r)
{
	const char *val[NKEYS];

	ior_check_vals(r, val);
	ior_check_op_vals(in, r, ior_call_find(r->call), val);
}

/* ---- the subs of the calls that submit ---- */

int ior_sub_once(const struct ior_in *in, struct ior_subs *t, int row,
		 const char *sub, uint64_t *n)
{
	unsigned kind = row < 0 ? IOR_REPLAY_NONE : ior_calls[row].replay;
	size_t i;

	if (!sub || (kind != IOR_REPLAY_IO_SUBMIT &&
		     kind != IOR_REPLAY_URING_ENTER))
		return 0;
	*n = ior_uint(in, "sub", sub);
	i = *n & (IOR_SUBS_SEEN - 1);
	if (t->used[i] && t->sub[i] == *n)
		ior_bad(in, "sub", "sub=%llu is used twice",
			(unsigned long long)*n);
	t->sub[i] = *n;
	t->used[i] = 1;
	return 1;
}
