/*
 * ior.h - the small library shared by the ior tools: reading and writing
 * streams of ior-format(5), escaping, field parsing, name tables for
 * syscalls, flags and errnos, path normalisation and error reporting.
 */
#ifndef IOR_H
#define IOR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IOR_VERSION_STRING "0.1.0"
#define IOR_FORMAT_VERSION 1
#define IOR_LINE_MAX 65536	/* longest line a reader accepts */
#define IOR_KV_MAX 32		/* most key=value arguments in a record */

/* Exit codes shared by all tools (documented in ior(7)). */
enum {
	IOR_EXIT_OK = 0,
	IOR_EXIT_NONE = 1,	/* nothing found, where that applies */
	IOR_EXIT_USAGE = 2,	/* bad command line */
	IOR_EXIT_DATA = 3,	/* malformed input stream */
	IOR_EXIT_SYS = 4,	/* system error: I/O, permissions, BPF */
};

/* ---- errors (err(3) style, prefixed with the program name) ---- */

void ior_setprogname(const char *argv0);
const char *ior_progname(void);
void ior_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ior_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void ior_errx(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void ior_err(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- escaping ---- */

/* True for bytes that must be written as \xHH. */
static inline int ior_needs_escape(unsigned char c)
{
	return c < 0x21 || c >= 0x7f || c == '\\';
}
/* Escape src[0..len) into dst (room for 4*len+1); returns length written. */
size_t ior_escape(char *dst, const char *src, size_t len);
/*
 * Unescape s in place; returns the new length, or -1 on a malformed
 * escape. The result may contain NUL bytes only if \x00 was written.
 */
long ior_unescape(char *s);

/* ---- records ---- */

enum ior_kind { IOR_KIND_NONE, IOR_KIND_TRACE, IOR_KIND_MAP, IOR_KIND_REPLAY,
		IOR_KIND_RESULT };
const char *ior_kind_name(enum ior_kind k);

struct ior_kv {
	char *key;
	char *val;		/* still escaped */
};

/*
 * A parsed record. Strings point into the reader's line buffer and are
 * valid until the next ior_read(). Values stay escaped; unescape a copy
 * (ior_val_unescape) when the raw bytes are needed.
 */
struct ior_rec {
	uint64_t time_ns;
	int64_t pid, tid;
	char *comm;		/* escaped */
	char *call;
	int64_t ret;
	uint64_t dur;
	int nkv;
	struct ior_kv kv[IOR_KV_MAX];
};

/* Value of key, or NULL. */
const char *ior_get(const struct ior_rec *r, const char *key);
/* Index of key in r->kv or -1. */
int ior_find(const struct ior_rec *r, const char *key);

/* A stream being read. */
struct ior_in {
	const char *name;	/* for messages: file name or "<stdin>" */
	int fd;
	unsigned long lineno;
	char *buf;		/* read buffer */
	size_t cap, start, end;
	int eof;
	enum ior_kind kind;	/* from the magic line */
	char *line;		/* current line (NUL-terminated, no newline) */
	size_t linelen;
	const char *ctx;	/* name of the field being parsed, for errors */
};

/* What ior_read() found. */
enum { IOR_EOF = 0, IOR_REC = 1, IOR_META = 2 };

/*
 * Open a stream: path "-" or NULL is stdin. Exits with IOR_EXIT_SYS if the
 * file cannot be opened.
 */
void ior_in_open(struct ior_in *in, const char *path);
void ior_in_close(struct ior_in *in);
/*
 * Read the next line. The magic line must come first: it is checked and
 * returned as IOR_META (in->kind is set). For IOR_META, in->line holds the
 * raw line. For IOR_REC, *r is filled. Malformed input exits with
 * IOR_EXIT_DATA and a message naming input, line and field. Empty input
 * is malformed (no magic line).
 */
int ior_read(struct ior_in *in, struct ior_rec *r);
/* True if the current meta line is a magic line (#ior ...). */
int ior_is_magic(const char *line);

/* Report malformed input at the current line and exit IOR_EXIT_DATA. */
_Noreturn void ior_bad(const struct ior_in *in, const char *field,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Field parsers: exit via ior_bad(in, key, ...) when malformed. */
int64_t ior_int(const struct ior_in *in, const char *key, const char *s);
uint64_t ior_uint(const struct ior_in *in, const char *key, const char *s);
/* An address: up to 16 hex digits, with or without 0x. */
uint64_t ior_hex(const struct ior_in *in, const char *key, const char *s);
/* Seconds with up to nine decimals, as TIME is written: nanoseconds. */
uint64_t ior_time(const struct ior_in *in, const char *key, const char *s);
/* A mode: octal with a leading zero ("0644"), type bits allowed (0177777). */
unsigned ior_mode(const struct ior_in *in, const char *key, const char *s);
/* Integer argument of r by key; dflt when the key is absent. */
int64_t ior_get_int(const struct ior_in *in, const struct ior_rec *r,
		    const char *key, int64_t dflt);
/*
 * Copy and unescape value into dst (size cap); exits via ior_bad if
 * malformed, too long, or holding a NUL byte. Returns the length.
 */
size_t ior_val_unescape(const struct ior_in *in, const char *key,
			const char *val, char *dst, size_t cap);

/* ---- writing ---- */

struct ior_out {
	int fd;
	char *buf;
	size_t len, cap;
	const char *name;
	int survive_epipe;	/* set: a closed reader sets broken, no exit */
	int broken;		/* the reader went away; output is discarded */
};

/*
 * Start writing to fd. What is buffered is also written when the program
 * exits, through ior_bad() and ior_err() too, so output produced before an
 * error is never lost (forked children never write their parent's buffer).
 */
void ior_out_init(struct ior_out *o, int fd, const char *name);
/*
 * Write buffered data. When the reader has gone (EPIPE) exit 0 quietly, or,
 * with survive_epipe set, set broken and discard output from then on.
 * Other errors exit IOR_EXIT_SYS.
 */
void ior_flush(struct ior_out *o);
void ior_out_close(struct ior_out *o);

/* Make room for n more bytes and return a pointer to write them. */
static inline char *ior_reserve(struct ior_out *o, size_t n)
{
	if (o->len + n > o->cap)
		ior_flush(o);
	return o->buf + o->len;	/* cap is always >= IOR_LINE_MAX * 4 */
}
void ior_put(struct ior_out *o, const char *s, size_t n);
void ior_puts(struct ior_out *o, const char *s);
void ior_putc(struct ior_out *o, char c);
void ior_put_esc(struct ior_out *o, const char *s, size_t n);
void ior_put_i64(struct ior_out *o, int64_t v);
void ior_put_u64(struct ior_out *o, uint64_t v);
void ior_put_time(struct ior_out *o, uint64_t ns);	/* S.NNNNNNNNN */
void ior_printf(struct ior_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The magic line for kind. */
void ior_put_magic(struct ior_out *o, enum ior_kind k);
/*
 * Write the seven positional columns of r (no trailing space or newline);
 * comm and call are written as stored (already escaped).
 */
void ior_put_head(struct ior_out *o, const struct ior_rec *r);
/* Write " key=value" (value already escaped). */
void ior_put_kv(struct ior_out *o, const char *key, const char *val);
void ior_put_kv_i64(struct ior_out *o, const char *key, int64_t v);
/* Write " key=" then the escaped bytes of val. */
void ior_put_kv_esc(struct ior_out *o, const char *key, const char *val);
/* Write a whole record: head, every kv, newline. */
void ior_put_rec(struct ior_out *o, const struct ior_rec *r);

/* ---- name tables ---- */

struct ior_flag {
	const char *name;
	uint64_t value;
	uint64_t mask;		/* bits the value is compared under; 0: value */
};

extern const struct ior_flag ior_open_flags[];	/* O_* */
extern const struct ior_flag ior_at_flags[];	/* AT_* */
extern const struct ior_flag ior_faccessat_flags[];	/* AT_EACCESS... */
extern const struct ior_flag ior_rename_flags[];	/* RENAME_* */
extern const struct ior_flag ior_clone_flags[];	/* CLONE_* */
extern const struct ior_flag ior_resolve_flags[];	/* RESOLVE_* */
extern const struct ior_flag ior_whence_names[];	/* SEEK_* (values) */
extern const struct ior_flag ior_access_modes[];	/* F_OK, R_OK|W_OK */
extern const struct ior_flag ior_fcntl_cmds[];	/* F_* (values) */
extern const struct ior_flag ior_fd_flags[];	/* FD_CLOEXEC */
extern const struct ior_flag ior_lock_types[];	/* F_RDLCK... (values) */
extern const struct ior_flag ior_flock_ops[];	/* LOCK_* */
extern const struct ior_flag ior_fallocate_flags[];	/* FALLOC_FL_* */
extern const struct ior_flag ior_fadvise_advice[];	/* POSIX_FADV_* */
extern const struct ior_flag ior_madvise_advice[];	/* MADV_* (values) */
extern const struct ior_flag ior_mmap_prot[];	/* PROT_* */
extern const struct ior_flag ior_mmap_flags[];	/* MAP_* */
extern const struct ior_flag ior_msync_flags[];	/* MS_* */
extern const struct ior_flag ior_xattr_flags[];	/* XATTR_* */
extern const struct ior_flag ior_close_range_flags[];	/* CLOSE_RANGE_* */
extern const struct ior_flag ior_sync_file_range_flags[];
extern const struct ior_flag ior_splice_flags[];	/* SPLICE_F_* */
extern const struct ior_flag ior_memfd_flags[];	/* MFD_* */
extern const struct ior_flag ior_statx_mask[];	/* STATX_* */
extern const struct ior_flag ior_rwf_flags[];	/* RWF_* */
extern const struct ior_flag ior_uring_setup_flags[];	/* IORING_SETUP_* */
extern const struct ior_flag ior_uring_enter_flags[];	/* IORING_ENTER_* */
extern const struct ior_flag ior_uring_register_ops[];	/* IORING_REGISTER_* */
extern const struct ior_flag ior_iosqe_flags[];	/* IOSQE_* */
/* IORING_OP_* names in lower case without the prefix ("read"), by value. */
#define IOR_URING_OPS 63
extern const char *const ior_uring_ops[IOR_URING_OPS];

/* Format v with table t as A|B|0x..; returns length (buf of cap bytes). */
size_t ior_flags_format(char *buf, size_t cap, const struct ior_flag *t,
			uint64_t v);
/* Parse a string from ior_flags_format (or a plain number); -1 if bad. */
int ior_flags_parse(const struct ior_flag *t, const char *s, uint64_t *v);

/* Errno names: "ENOENT" for 2; NULL when unknown. */
const char *ior_errno_name(int e);
/* Errno value for a name, or -1. */
int ior_errno_value(const char *name);

/* x86_64 syscall numbers and names for the calls ior knows. */
const char *ior_syscall_name(long nr);
long ior_syscall_nr(const char *name);

/* ---- paths ---- */

/*
 * Join rel onto the absolute directory base (ignored when rel is
 * absolute) and normalise: collapse //, remove . and resolve .. lexically
 * (never above /). Writes at most cap bytes; returns length or -1 when the
 * result does not fit.
 */
long ior_path_join(char *dst, size_t cap, const char *base, const char *rel);

/* ---- command line ---- */

/* Print "PROG (ior) VERSION" and exit 0. */
_Noreturn void ior_version(void);

#endif
