/*
 * ior.h - the small library shared by the ior tools: reading and writing
 * streams of ior-format(5), escaping, field parsing, name tables for
 * syscalls, flags and errnos, path normalisation and error reporting.
 */
#ifndef IOR_H
#define IOR_H

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IOR_VERSION_STRING "0.1.0"
#define IOR_FORMAT_VERSION 1
#define IOR_LINE_MAX 65536	/* longest line a reader accepts */
/*
 * The longest record lines written, by kind of stream: a tool that adds
 * keys to the records it reads leaves room for the keys the later tools
 * add, so that every line of a pipeline fits IOR_LINE_MAX; a record that
 * would not fit is refused, naming the input line (ior_out_lines()).
 */
#define IOR_RESULT_ADDS 256	/* the most ior-replay adds to an operation */
#define IOR_GEN_ADDS 64		/* the most ior-gen adds: seq=, after=, TIME */
#define IOR_PROG_LINE_MAX (IOR_LINE_MAX - IOR_RESULT_ADDS)
#define IOR_MAP_LINE_MAX (IOR_PROG_LINE_MAX - IOR_GEN_ADDS)
#define IOR_KV_MAX 32		/* most key=value arguments in a record */
/*
 * The most arguments written, by kind of stream, the same way: a program's
 * operation leaves room for the keys ior-replay's results add at most
 * (cret, cdur, late or stuck, cinflight, inflight, skip), a map stream's
 * record for ior-gen's seq= and after= too.
 */
#define IOR_RESULT_ADDS_KV 6
#define IOR_GEN_ADDS_KV 2
#define IOR_PROG_KV_MAX (IOR_KV_MAX - IOR_RESULT_ADDS_KV)
#define IOR_MAP_KV_MAX (IOR_PROG_KV_MAX - IOR_GEN_ADDS_KV)

/*
 * What a replay program may hold: ior-replay and ior-init refuse more,
 * so ior-map never writes more and ior-gen refuses it on input (check.c),
 * naming the user's input rather than an intermediate file. Whoever
 * changes what the replay accepts changes it here, for every tool.
 */
#define IOR_PROG_ID_MAX (1 << 22)	/* virtual pids, tids: 1 .. this - 1 */
#define IOR_PROG_FD_MAX (1 << 20)	/* descriptors bound: 0 .. this - 1 */
#define IOR_PROG_VFD_MAX (1 << 28)	/* vfds: 0 .. this - 1 */
#define IOR_PROG_IOV_MAX (1 << 20)	/* largest iovcnt */
#define IOR_PROG_PATH_MAX 4096		/* a path unescaped, with its NUL */
#define IOR_PROG_VALUE_MAX 4096		/* an xattr value as written, with NUL */
#define IOR_PROG_LIST_MAX 65536		/* entries of an fds, vfds, lens list */
#define IOR_PROG_REGBUF_MAX (1ull << 30)	/* bytes of buffers registered at once */
#define IOR_PROG_OPS_MAX 0xfffffffeull	/* operations of one program */

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
/* What ior_decode() found wrong. */
enum { IOR_ESC_BAD = -1, IOR_ESC_LONG = -2 };
/*
 * Decode escaped s into dst, room for cap bytes (at least 1), or with
 * dst NULL only check it: the decoded length, dst then ends with a NUL;
 * IOR_ESC_BAD at a malformed escape (a lone backslash, \x with fewer
 * than two hex digits); IOR_ESC_LONG when it decodes to more than cap - 1
 * bytes. *nul is set when a decoded byte is NUL (\x00).
 */
long ior_decode(char *dst, size_t cap, const char *s, int *nul);

/* ---- records ---- */

enum ior_kind { IOR_KIND_NONE, IOR_KIND_TRACE, IOR_KIND_MAP, IOR_KIND_REPLAY,
		IOR_KIND_RESULT };
const char *ior_kind_name(enum ior_kind k);

struct ior_kv {
	char *key;
	char *val;		/* still escaped */
	/*
	 * The key's bytes as one word (the first in its low byte), zeros
	 * past them, when it is 1 to 8 bytes long; else 0 (keys.c).
	 */
	uint64_t word;
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
	/* where ior_read() found each column: its offset in the line */
	uint32_t col[7];
	/*
	 * Set by ior_read() when TIME, PID, TID, RET and DUR are written as
	 * ior_put_head() writes them, and the head's only NUL bytes in the
	 * line end COMM and CALL: ior_put_head_read() copies it, no checks.
	 */
	int head_plain;
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
	int may_block;		/* a pipe, socket or terminal: a read may wait */
	/*
	 * Found by the same pass that finds the line's end (stream.c): a
	 * bit a byte of the line, set at each space and '=' and at its
	 * end, and whether the line holds a NUL byte.
	 */
	uint64_t *sep;
	int line_nul;
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

/*
 * What a capture lost, from ior-trace's trailer ("#stat ior-trace
 * events=N drops=N ..."): the events it wrote, the sum of its loss
 * counters (drops, unpaired, missed, undecoded and every *_lost) and
 * them as "key=N ..." (those not 0).
 */
struct ior_loss {
	uint64_t events, lost;
	char what[160];
};
/* 1 when line is a capture's trailer that says it lost events (into *l). */
int ior_loss_of(const char *line, struct ior_loss *l);
/*
 * Say that a capture lost events, on standard error, one line naming the
 * trailer at line of input name, as every tool after ior-trace does.
 */
void ior_warn_loss_at(const char *name, unsigned long line,
		      const struct ior_loss *l);
/*
 * The same warnings said once an input is read, so that an input refused
 * further on gets its one line of error alone: ior_losses_note()
 * remembers the current line of in when it is a capture's trailer that
 * says events were lost (1 then); ior_losses_say() warns of each, in
 * their order, and forgets them. Past IOR_LOSSES_MAX, one is said at
 * once.
 */
#define IOR_LOSSES_MAX 64
struct ior_losses {
	unsigned n;
	struct {
		unsigned long line;
		struct ior_loss l;
	} at[IOR_LOSSES_MAX];
};
int ior_losses_note(struct ior_losses *ls, const struct ior_in *in);
void ior_losses_say(struct ior_losses *ls, const struct ior_in *in);

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
 * malformed, longer than cap - 1 bytes unescaped, or holding a NUL byte.
 * Returns the length.
 */
size_t ior_val_unescape(const struct ior_in *in, const char *key,
			const char *val, char *dst, size_t cap);
/*
 * The same checks without the copy, for a value passed on escaped that a
 * later tool unescapes: ior_val_unescape() into cap bytes will take it.
 */
size_t ior_val_check(const struct ior_in *in, const char *key,
		     const char *val, size_t cap);
/* The value of key in r, which its call must have: else exits via ior_bad. */
const char *ior_need(const struct ior_in *in, const struct ior_rec *r,
		     const char *key);
/* Argument i of r (an index into r->kv) as an integer. */
static inline int64_t ior_kv_int(const struct ior_in *in,
				 const struct ior_rec *r, int i)
{
	return ior_int(in, r->kv[i].key, r->kv[i].val);
}
/*
 * A uid or gid: 0 to 2^32 - 2. With keep, "-1" is accepted too, as the
 * chown calls take it (leave it unchanged), and is (uint32_t)-1.
 */
uint32_t ior_owner(const struct ior_in *in, const char *key, const char *s,
		   int keep);
/* A device number MAJOR:MINOR (dev=), as major << 32 | minor. */
uint64_t ior_dev(const struct ior_in *in, const char *key, const char *s);
/*
 * A size or a file offset, 0 to 2^63 - 1 as the kernel's loff_t: a file's
 * (size=, ior:fd's offset=, where a read began).
 */
uint64_t ior_off(const struct ior_in *in, const char *key, const char *s);
/*
 * The end of n bytes (0 or more) from file offset off: within 2^63 - 1
 * too, else exits via ior_bad(in, key, ...).
 */
uint64_t ior_off_end(const struct ior_in *in, const char *key, uint64_t off,
		     int64_t n);
/*
 * Seconds with up to nine decimals, as TIME is written ("12", "0.5",
 * "3.000000001"), in nanoseconds: 0, or -1 when s is malformed or out of
 * range. Without an input, for command lines too; ior_time() is this
 * with ior-format(5)'s messages.
 */
int ior_seconds(const char *s, uint64_t *ns);

/*
 * ---- key sets: the arguments a tool looks at, found in one pass ----
 *
 * A tool names the keys it reads once (ior_keys_init); ior_keys_scan()
 * then finds each of them in a record with one pass over its arguments
 * and, for most, one comparison: at[k] is the index in r->kv of key k
 * (the last one when repeated), or -1; ior_keys_values() gives its value
 * instead, or NULL. r must be as ior_read() filled it (each key ends
 * right before its value).
 */
#define IOR_KEYS_MAX 96
struct ior_keys {
	const char *const *name;
	int n;
	uint8_t len[IOR_KEYS_MAX];
	uint8_t next[IOR_KEYS_MAX];	/* 1 + another of the same bucket */
	uint8_t bucket[256][16];	/* by first byte and length: 1 + key */
	/* keys of 1 to 8 bytes, by those bytes as a word (keys.c) */
	struct { uint64_t w; uint8_t k; } word[256];	/* k: 1 + key */
};
void ior_keys_init(struct ior_keys *ks, const char *const *name, int n);
void ior_keys_scan(const struct ior_keys *ks, const struct ior_rec *r,
		   int *at);
void ior_keys_values(const struct ior_keys *ks, const struct ior_rec *r,
		     const char **val);
/* Both at once: at[k] and val[k]. */
void ior_keys_find(const struct ior_keys *ks, const struct ior_rec *r,
		   int *at, const char **val);
/*
 * For a tool that keeps val[] all NULL between records: ior_keys_mark()
 * sets val[k] of the keys found only, and kof[i], the key argument i is
 * (IOR_KEY_NONE: none); ior_keys_unmark() makes those NULL again. A
 * record sets a few of the many keys a set holds: clearing them all for
 * each one cost more than finding them.
 */
#define IOR_KEY_NONE 0xff
_Static_assert(IOR_KEYS_MAX < IOR_KEY_NONE, "a key's number fits kof[]");
void ior_keys_mark(const struct ior_keys *ks, const struct ior_rec *r,
		   const char **val, uint8_t *kof);
static inline void ior_keys_unmark(const struct ior_rec *r,
				   const char **val, const uint8_t *kof)
{
	for (int i = 0; i < r->nkv; i++)
		if (kof[i] != IOR_KEY_NONE)
			val[kof[i]] = NULL;
}


/*
 * ---- what a replay program must hold (check.c) ----
 *
 * ior_check_op: r, an operation about to be written to a replay program,
 * holds what ior-replay requires of it: a call it issues, virtual ids
 * within IOR_PROG_ID_MAX, and each key its call needs, present and
 * parsed as the replay parses it (numbers, flags, vfds, escaped paths
 * within IOR_PROG_PATH_MAX...). Else exits via ior_bad(), naming the key.
 * What it cannot see, one record at a time, is the caller's: the order
 * of seq= and after=, a fork's child being new, a request's submitting
 * call.
 *
 * ior_check_rec: r, a record of a map stream, holds what ior-gen
 * requires of it, whatever ior-gen then makes of it (kept or dropped):
 * virtual ids; for a call the replay issues, what ior_check_op requires
 * but a vfd (ior-gen drops a descriptor without one) and a node that is
 * no device (ior-gen drops those); and the keys ior-gen reads itself,
 * where present: a file's facts (fmode, uid and gid as owners, size and
 * ino as numbers, dev as MAJOR:MINOR), file and file2 as paths, ofd and
 * ofd2, sub, group, umask, any call's ctx, an AIO request's or reap's
 * reap, the flags of a rename or an unlink, and the
 * offsets from which a call read or copied, within 2^63 - 1 with RET's
 * bytes. ior-gen checks each record it reads with it, ior-map each one
 * it writes (with the values it writes): what ior-map writes, ior-gen
 * takes.
 *
 * The keys they read, IOR_CHECK_KEYS: a tool that finds keys of its own
 * lists these first in its key set (ior_keys_init) and passes the values
 * found, val[IOR_CK_*], to ior_check_op_vals() or ior_check_rec_vals(),
 * row being r's (ior_call_find): one pass over the record for both.
 * ior_check_vals() finds them for a tool without a key set of its own.
 */
#define IOR_CHECK_KEYS(X) \
	X(fd) X(vfd) X(fd2) X(vfd2) X(dirfd) X(path) X(path2) X(name) \
	X(value) X(flags) X(mask) X(amode) X(mode) X(uid) X(gid) X(atime) \
	X(mtime) X(whence) X(offset) X(offset2) X(size) X(len) X(addr) \
	X(count) X(iovcnt) X(advice) X(op) X(prot) X(cmd) X(arg) X(ltype) \
	X(hint) X(maxfd) X(child) X(cpid) X(nr) X(ctx) X(sub) X(iocb) X(min_nr) \
	X(timeout) X(sigmask) X(entries) X(sq) X(cq) X(to_submit) \
	X(min_complete) X(opcode) X(fds) X(vfds) X(lens) X(ring) X(fixed) \
	X(sqe_flags) X(buf) X(datasync) X(resolve) X(slot) X(batch) X(setup) \
	X(files) X(fmode) X(umask) X(file) X(file2) X(ofd) X(ofd2) X(ino) \
	X(dev) X(group) X(reap)
enum ior_check_key {
#define IOR_CHECK_KEY(k) IOR_CK_##k,
	IOR_CHECK_KEYS(IOR_CHECK_KEY)
#undef IOR_CHECK_KEY
	IOR_CHECK_NKEYS
};
void ior_check_op(const struct ior_in *in, const struct ior_rec *r);
void ior_check_op_vals(const struct ior_in *in, const struct ior_rec *r,
		       int row, const char *const *val);
void ior_check_rec_vals(const struct ior_in *in, const struct ior_rec *r,
			int row, const char *const *val);
/*
 * The numbers the checks read, handed on so that a tool does not parse
 * a key twice: num[k], val[k] as ior_int() reads it, when bit k of have
 * is set (ior_check_int); unum[k], as ior_uint() reads it, when bit k
 * of uhave is (ior_check_uint, ior_check_off). Valid while val[k] is
 * the same string.
 */
struct ior_check_nums {
	uint64_t have[(IOR_CHECK_NKEYS + 63) / 64];
	uint64_t uhave[(IOR_CHECK_NKEYS + 63) / 64];
	int64_t num[IOR_CHECK_NKEYS];
	uint64_t unum[IOR_CHECK_NKEYS];
};
/* ior_check_rec_vals(), filling *nums. */
void ior_check_rec_nums(const struct ior_in *in, const struct ior_rec *r,
			int row, const char *const *val,
			struct ior_check_nums *nums);
/*
 * ior_int(in, key, v), v being key k's value that the checks saw: read
 * as ior_int() or, within 0..INT64_MAX, as ior_uint() (all digits, so
 * the same number).
 */
static inline int64_t ior_check_int(const struct ior_in *in,
				    const struct ior_check_nums *nums, int k,
				    const char *key, const char *v)
{
	if (nums->have[k / 64] >> (k % 64) & 1)
		return nums->num[k];
	if ((nums->uhave[k / 64] >> (k % 64) & 1) &&
	    nums->unum[k] <= INT64_MAX)
		return (int64_t)nums->unum[k];
	return ior_int(in, key, v);
}
/* ior_uint(in, key, v), likewise. */
static inline uint64_t ior_check_uint(const struct ior_in *in,
				      const struct ior_check_nums *nums, int k,
				      const char *key, const char *v)
{
	if (nums->uhave[k / 64] >> (k % 64) & 1)
		return nums->unum[k];
	return ior_uint(in, key, v);
}
/* ior_off(in, key, v), likewise. */
static inline uint64_t ior_check_off(const struct ior_in *in,
				     const struct ior_check_nums *nums, int k,
				     const char *key, const char *v)
{
	if ((nums->uhave[k / 64] >> (k % 64) & 1) &&
	    nums->unum[k] <= INT64_MAX)
		return nums->unum[k];
	return ior_off(in, key, v);
}
void ior_check_vals(const struct ior_rec *r,
		    const char *val[IOR_CHECK_NKEYS]);

/*
 * The keys an operation of a row of the table of calls needs, derived
 * from the row's arguments (their types and keys), its ret column and a
 * few calls' kinds: the ones ior-replay's loader parses, and so the ones
 * lib/check.c checks. One derivation for both, so that they cannot
 * disagree; a tool adds bits of its own from IOR_NEED_TOOL up.
 */
enum {
	IOR_NEED_FD = 1 << 0, IOR_NEED_FD2 = 1 << 1, IOR_NEED_PATH = 1 << 2,
	IOR_NEED_PATH2 = 1 << 3, IOR_NEED_MODE = 1 << 4,
	IOR_NEED_COUNT = 1 << 5, IOR_NEED_OFFSET = 1 << 6,
	IOR_NEED_IOVCNT = 1 << 7, IOR_NEED_WHENCE = 1 << 8,
	IOR_NEED_SIZE = 1 << 9, IOR_NEED_MASK = 1 << 10,
	IOR_NEED_AMODE = 1 << 11, IOR_NEED_OWNER = 1 << 12,
	IOR_NEED_NAME = 1 << 13, IOR_NEED_TIMES = 1 << 14,
	IOR_NEED_LEN = 1 << 15,
	IOR_NEED_OPTOFF = 1 << 16,	/* offset and offset2, each optional */
	IOR_NEED_ADDR = 1 << 17,
	IOR_NEED_EMPTY = 1 << 18,	/* an empty path with a dirfd acts on it */
	IOR_NEED_RETFD = 1 << 19,	/* RET is a new descriptor */
	IOR_NEED_ARG = 1 << 20,		/* advice=, op= or prot= */
	IOR_NEED_URING = 1 << 21,	/* an io_uring request: keys of its own */
	IOR_NEED_TOOL = 1 << 24,	/* the first bit left to a tool */
};

struct ior_need {
	unsigned bits;			/* IOR_NEED_* */
	const struct ior_flag *flags;	/* its flags= key's names, if any */
	const struct ior_flag *argt;	/* IOR_NEED_ARG: that key's names */
	int argkey;	/* IOR_NEED_ARG: IOR_CK_advice, IOR_CK_op or IOR_CK_prot */
};

/* What an operation of row needs, into *n. */
void ior_row_need(int row, struct ior_need *n);

/*
 * The calls that submit requests, io_submit and io_uring_enter, name
 * them by sub=, a number no other such call of the stream has
 * (ior-format(5)). ior_sub_once(): r of row is such a call with sub
 * (escaped, as read; NULL when none): refuse a sub one of the last
 * IOR_SUBS_SEEN of them had (a table by sub modulo its size). ior-map
 * asks it of each record it writes, ior-gen of each it reads: the same
 * records, the same answer. 1 when r is one, its number in *sub.
 */
#define IOR_SUBS_SEEN (1 << 16)
struct ior_subs {
	uint64_t sub[IOR_SUBS_SEEN];
	uint8_t used[IOR_SUBS_SEEN];
};
int ior_sub_once(const struct ior_in *in, struct ior_subs *t, int row,
		 const char *sub, uint64_t *n);

/* ---- writing ---- */

struct ior_out {
	int fd;
	char *buf;
	size_t len, cap;
	const char *name;
	int survive_epipe;	/* set: a closed reader sets broken, no exit */
	int broken;		/* the reader went away; output is discarded */
	/*
	 * Optional: a count the program's signal handler raises. A write
	 * the reader blocks, interrupted by a signal, then abandons the
	 * output (broken and abandoned set) instead of blocking again, so a
	 * reader that stopped reading cannot keep the program from stopping.
	 */
	const volatile sig_atomic_t *signals;
	int abandoned;		/* broken by a signal during a blocked write */
	/* Lines checked (ior_out_lines): */
	size_t line_max;	/* 0: not checked */
	const struct ior_in *in;	/* the input whose line is written */
	size_t line;		/* where the line being written starts in buf */
	size_t held;		/* its bytes written out already */
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
 * A write a signal interrupts while o->signals is set also sets broken,
 * and abandoned. Other errors exit IOR_EXIT_SYS.
 */
void ior_flush(struct ior_out *o);
/*
 * Before a read of fd that may wait: when fd has nothing to read now,
 * flush every open output (ior_read calls it).
 */
void ior_flush_idle(int fd);
void ior_out_close(struct ior_out *o);
/*
 * Check the lines written to o from now on: each at most max bytes (its
 * newline left out), written while in's current line is read. A longer
 * one exits via ior_bad(in, "line", ...) before any of it is written
 * (what o buffered before it is). Lines end with ior_putc(o, '\n') or
 * in ior_printf()'s text; what ior_put() and ior_reserve() write holds
 * no newline. Called between lines, as the lines to check change: max
 * 0, none; in may change too.
 */
void ior_out_lines(struct ior_out *o, size_t max, const struct ior_in *in);
/* Make room in o's buffer: write what it holds, but a line checked. */
void ior_make_room(struct ior_out *o);

/*
 * Copy n bytes from s to d sixteen at a time, reading and writing up to
 * 15 bytes past them: s in the line ior_read() returned last (its
 * buffer has room past the line), d reserved 15 bytes longer. A record's
 * columns and arguments are copied in a few such steps, where a call of
 * memcpy() for each cost more than its bytes.
 */
static inline void ior_copy16(char *d, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i += 16)
		memcpy(d + i, s + i, 16);
}

/* Make room for n more bytes and return a pointer to write them. */
static inline char *ior_reserve(struct ior_out *o, size_t n)
{
	if (o->len + n > o->cap)
		ior_make_room(o);
	return o->buf + o->len;	/* cap is always >= IOR_LINE_MAX * 4 */
}
void ior_put(struct ior_out *o, const char *s, size_t n);
void ior_puts(struct ior_out *o, const char *s);
void ior_putc(struct ior_out *o, char c);
void ior_put_esc(struct ior_out *o, const char *s, size_t n);
/* v in decimal at d (room for 20 bytes): the bytes written. */
size_t ior_fmt_u64(char *d, uint64_t v);
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
/*
 * The same, its PID TID COMM CALL columns formatted by the caller: mid,
 * n bytes, is " PID TID COMM CALL " (a writer whose records repeat
 * them keeps them so: ior-trace).
 */
void ior_put_head_mid(struct ior_out *o, uint64_t ns, const char *mid,
		      size_t n, int64_t ret, uint64_t dur);
/*
 * The same for a record just read from in (r, as ior_read() split it,
 * its columns' bytes untouched): each column whose text is what
 * ior_put_head() would write is copied, not formatted; PID and TID too
 * with ids_read, else they are formatted from r (a tool that changed
 * them).
 */
void ior_put_head_read(struct ior_out *o, const struct ior_in *in,
		       const struct ior_rec *r, int ids_read);
/* Write " key=value" (value already escaped). */
void ior_put_kv(struct ior_out *o, const char *key, const char *val);
/* " key=v", key of lk bytes; ior_put_kv_i64: a key's length found here. */
void ior_put_kv_i64n(struct ior_out *o, const char *key, size_t lk,
		     int64_t v);
static inline void ior_put_kv_i64(struct ior_out *o, const char *key,
				  int64_t v)
{
	ior_put_kv_i64n(o, key, strlen(key), v);	/* a literal's: known */
}
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
/*
 * Whether an open with flags may create a file, as the kernel decides:
 * O_CREAT, or O_TMPFILE's own bit (glibc's __O_TMPFILE has O_DIRECTORY's
 * too, which alone creates nothing).
 */
#define IOR_O_CREAT 0100
#define IOR_O_TMPFILE_BIT 020000000
static inline int ior_open_creates(uint64_t flags)
{
	return (flags & (IOR_O_CREAT | IOR_O_TMPFILE_BIT)) != 0;
}
extern const struct ior_flag ior_at_flags[];	/* AT_* */
extern const struct ior_flag ior_faccessat_flags[];	/* AT_EACCESS... */
extern const struct ior_flag ior_rename_flags[];	/* RENAME_* */
extern const struct ior_flag ior_clone_flags[];	/* CLONE_* */
extern const struct ior_flag ior_resolve_flags[];	/* RESOLVE_* */
extern const struct ior_flag ior_whence_names[];	/* SEEK_* (values) */
extern const struct ior_flag ior_access_modes[];	/* F_OK, R_OK|W_OK */
extern const struct ior_flag ior_fcntl_cmds[];	/* F_* (values) */
extern const struct ior_flag ior_rw_hints[];	/* RWH_WRITE_LIFE_* */
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
extern const struct ior_flag ior_dup3_flags[];	/* O_CLOEXEC alone */
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

/*
 * The value s of key parsed with table t (as ior_flags_parse); 0 when s
 * is NULL (the key is absent); exits via ior_bad() when s is malformed.
 */
uint64_t ior_flags(const struct ior_in *in, const char *key, const char *s,
		   const struct ior_flag *t);
/* The same for argument i of r (an index into r->kv); 0 when i < 0. */
static inline uint64_t ior_kv_flags(const struct ior_in *in,
				    const struct ior_rec *r, int i,
				    const struct ior_flag *t)
{
	return i < 0 ? 0 : ior_flags(in, r->kv[i].key, r->kv[i].val, t);
}
/* Format v with table t as A|B|0x..; returns length (buf of cap bytes). */
size_t ior_flags_format(char *buf, size_t cap, const struct ior_flag *t,
			uint64_t v);
/* Parse a string from ior_flags_format (or a plain number); -1 if bad. */
int ior_flags_parse(const struct ior_flag *t, const char *s, uint64_t *v);

/*
 * The fcntl commands of the kernel's uapi (asm-generic/fcntl.h and
 * linux/fcntl.h; i386's F_GETLK64, F_SETLK64 and F_SETLKW64 are written
 * as the native lock commands), one row each, read by every tool: its
 * name (ior_fcntl_cmds), its number, what its third argument is and
 * how ior-replay issues it. ior-trace writes the argument by its form;
 * ior-gen keeps only the commands ior-replay issues; ior-replay parses
 * and issues each by its row, and skips a command the uapi does not
 * name.
 *   arg      NONE  none, or a pointer to what the kernel writes there
 *                  (the replay passes a zeroed buffer of its own)
 *            INT   a number (arg=)
 *            FDFL  descriptor flags (arg=FD_CLOEXEC)
 *            FL    file status flags (arg=O_APPEND|O_NONBLOCK)
 *            LOCK  a struct flock (ltype, whence, offset, len)
 *            HINT  a pointer to a write-life hint (hint=)
 *            PTR   a pointer to a struct that is not captured
 *   replay   ISSUE; UNSAFE, never issued: it would make the kernel
 *            signal the replay (skip=unsafe); NONE, cannot be issued
 *            (skip=unsupported): its argument is a descriptor number
 *            of the capture, or the command is the kernel's own.
 */
#define IOR_FCNTL_CMDS(X) \
	X(F_DUPFD,              0, INT,  ISSUE) \
	X(F_GETFD,              1, NONE, ISSUE) \
	X(F_SETFD,              2, FDFL, ISSUE) \
	X(F_GETFL,              3, NONE, ISSUE) \
	X(F_SETFL,              4, FL,   ISSUE) \
	X(F_GETLK,              5, LOCK, ISSUE) \
	X(F_SETLK,              6, LOCK, ISSUE) \
	X(F_SETLKW,             7, LOCK, ISSUE) \
	X(F_SETOWN,             8, INT,  UNSAFE) \
	X(F_GETOWN,             9, NONE, ISSUE) \
	X(F_SETSIG,            10, INT,  UNSAFE) \
	X(F_GETSIG,            11, NONE, ISSUE) \
	X(F_SETOWN_EX,         15, PTR,  UNSAFE) \
	X(F_GETOWN_EX,         16, NONE, ISSUE) \
	X(F_GETOWNER_UIDS,     17, NONE, ISSUE) \
	X(F_OFD_GETLK,         36, LOCK, ISSUE) \
	X(F_OFD_SETLK,         37, LOCK, ISSUE) \
	X(F_OFD_SETLKW,        38, LOCK, ISSUE) \
	X(F_SETLEASE,        1024, INT,  UNSAFE) \
	X(F_GETLEASE,        1025, NONE, ISSUE) \
	X(F_NOTIFY,          1026, INT,  UNSAFE) \
	X(F_DUPFD_QUERY,     1027, INT,  NONE) \
	X(F_CREATED_QUERY,   1028, NONE, ISSUE) \
	X(F_CANCELLK,        1029, INT,  NONE) \
	X(F_DUPFD_CLOEXEC,   1030, INT,  ISSUE) \
	X(F_SETPIPE_SZ,      1031, INT,  ISSUE) \
	X(F_GETPIPE_SZ,      1032, NONE, ISSUE) \
	X(F_ADD_SEALS,       1033, INT,  ISSUE) \
	X(F_GET_SEALS,       1034, NONE, ISSUE) \
	X(F_GET_RW_HINT,     1035, NONE, ISSUE) \
	X(F_SET_RW_HINT,     1036, HINT, ISSUE) \
	X(F_GET_FILE_RW_HINT, 1037, NONE, ISSUE) \
	X(F_SET_FILE_RW_HINT, 1038, HINT, ISSUE) \
	X(F_GETDELEG,        1039, NONE, ISSUE) \
	X(F_SETDELEG,        1040, PTR,  UNSAFE)
enum ior_fcntl_arg { IOR_FCNTL_ARG_NONE, IOR_FCNTL_ARG_INT,
		     IOR_FCNTL_ARG_FDFL, IOR_FCNTL_ARG_FL,
		     IOR_FCNTL_ARG_LOCK, IOR_FCNTL_ARG_HINT,
		     IOR_FCNTL_ARG_PTR };
enum ior_fcntl_replay { IOR_FCNTL_ISSUE, IOR_FCNTL_UNSAFE, IOR_FCNTL_NONE };
struct ior_fcntl_cmd {
	uint32_t value;
	uint8_t arg;		/* enum ior_fcntl_arg */
	uint8_t replay;		/* enum ior_fcntl_replay */
};
/* The row of fcntl command cmd; NULL when the uapi names none. */
const struct ior_fcntl_cmd *ior_fcntl_cmd(uint64_t cmd);
/*
 * Whether ior-replay issues an fcntl of command row (NULL: one the uapi
 * does not name), with a hint= or not: IOR_FCNTL_ISSUE, or why not.
 * ior-gen keeps only those it issues.
 */
static inline enum ior_fcntl_replay ior_fcntl_replay(
	const struct ior_fcntl_cmd *row, int has_hint)
{
	if (!row || (row->arg == IOR_FCNTL_ARG_HINT && !has_hint))
		return IOR_FCNTL_NONE;
	return (enum ior_fcntl_replay)row->replay;
}

/* Errno names: "ENOENT" for 2; NULL when unknown. */
const char *ior_errno_name(int e);
/* Errno value for a name, or -1. */
int ior_errno_value(const char *name);

/* ---- the table of calls (calls.h): one row per call ---- */

/* How ior-trace reads a call in the kernel (bpf/ior-trace.h has it too). */
enum ior_capture { IOR_CAPTURE_NONE, IOR_CAPTURE_REGS, IOR_CAPTURE_FULL,
		   IOR_CAPTURE_ENTRY };
/* The family of a system call, as ior-trace -e selects it (calls.h). */
enum ior_family { IOR_FAMILY_NONE, IOR_FAMILY_FILES, IOR_FAMILY_META,
		  IOR_FAMILY_AIO, IOR_FAMILY_URING, IOR_FAMILY_PROC,
		  IOR_FAMILIES };
/* The name of family f ("files", "metadata" ...), as -e spells it. */
extern const char *const ior_family_names[IOR_FAMILIES];
/* Whether a call on a path follows a symbolic link in its last component. */
enum ior_follow { IOR_FOLLOW_NONE, IOR_FOLLOW_FOLLOW, IOR_FOLLOW_NOFOLLOW,
		  IOR_FOLLOW_AT_FOLLOW, IOR_FOLLOW_AT_NOFOLLOW };
/* What a call does to ior-map's descriptors and processes. */
enum ior_map {
	IOR_MAP_NONE, IOR_MAP_OPEN, IOR_MAP_CLOSE, IOR_MAP_DUP, IOR_MAP_DUP2,
	IOR_MAP_DUP3, IOR_MAP_CHDIR, IOR_MAP_FCHDIR, IOR_MAP_SYMLINK,
	IOR_MAP_FORK, IOR_MAP_EXEC, IOR_MAP_EXIT, IOR_MAP_IORFD,
	IOR_MAP_IORCWD, IOR_MAP_INIT, IOR_MAP_STAT, IOR_MAP_FCNTL,
	IOR_MAP_CLOSE_RANGE, IOR_MAP_UNSHARE, IOR_MAP_MEMFD,
	IOR_MAP_OPEN_BY_HANDLE, IOR_MAP_XFER, IOR_MAP_MMAP, IOR_MAP_MUNMAP,
	IOR_MAP_MRANGE, IOR_MAP_READLINK, IOR_MAP_GETCWD,
	IOR_MAP_URING_SETUP, IOR_MAP_URING_ENTER, IOR_MAP_URING_REGISTER,
	IOR_MAP_URING, IOR_MAP_URING_OPEN, IOR_MAP_URING_CLOSE,
	IOR_MAP_URING_INSTALL, IOR_MAP_URING_FIXED,
};
/* A call's role in ior-gen's inference of the starting tree. */
enum ior_tree {
	IOR_TREE_UNSUPPORTED, IOR_TREE_PROCESS, IOR_TREE_CWD, IOR_TREE_IPC,
	IOR_TREE_OPEN, IOR_TREE_CREAT, IOR_TREE_CLOSE, IOR_TREE_READ,
	IOR_TREE_WRITE, IOR_TREE_PREAD, IOR_TREE_PWRITE, IOR_TREE_LSEEK,
	IOR_TREE_SYNC, IOR_TREE_STAT, IOR_TREE_FSTAT, IOR_TREE_MKDIR,
	IOR_TREE_RMDIR, IOR_TREE_UNLINK, IOR_TREE_RENAME, IOR_TREE_TRUNCATE,
	IOR_TREE_FTRUNCATE, IOR_TREE_CHDIR, IOR_TREE_FCHDIR, IOR_TREE_DUP,
	IOR_TREE_SCHED, IOR_TREE_IORFD,
	IOR_TREE_TOUCH,		/* success: the path existed; nothing more */
	IOR_TREE_CHMOD, IOR_TREE_CHOWN, IOR_TREE_LINK, IOR_TREE_SYMLINK,
	IOR_TREE_READLINK, IOR_TREE_MKNOD, IOR_TREE_GETCWD,
	IOR_TREE_GETDENTS, IOR_TREE_FCNTL, IOR_TREE_CLOSE_RANGE,
	IOR_TREE_XFER, IOR_TREE_MEMFD, IOR_TREE_HANDLE, IOR_TREE_MMAP,
	IOR_TREE_MAPPING,
	IOR_TREE_FDOP,		/* on a descriptor: its file existed */
	IOR_TREE_NOTREE,	/* replayed, but tells nothing about the tree */
	IOR_TREE_RING,		/* io_uring_setup: a descriptor, no file */
};
/* How ior-replay issues a call; NONE: it cannot. */
enum ior_replay {
	IOR_REPLAY_NONE, IOR_REPLAY_NOOP,
	/* descriptors and data */
	IOR_REPLAY_OPEN, IOR_REPLAY_CLOSE, IOR_REPLAY_READ, IOR_REPLAY_WRITE,
	IOR_REPLAY_PREAD, IOR_REPLAY_PWRITE, IOR_REPLAY_READV,
	IOR_REPLAY_WRITEV, IOR_REPLAY_PREADV, IOR_REPLAY_PWRITEV,
	IOR_REPLAY_LSEEK, IOR_REPLAY_FSYNC, IOR_REPLAY_FDATASYNC,
	IOR_REPLAY_FSTAT, IOR_REPLAY_FTRUNCATE, IOR_REPLAY_FCHDIR,
	IOR_REPLAY_DUP, IOR_REPLAY_DUP2, IOR_REPLAY_DUP3, IOR_REPLAY_FCHMOD,
	IOR_REPLAY_FCHOWN, IOR_REPLAY_FSETXATTR, IOR_REPLAY_FGETXATTR,
	IOR_REPLAY_FLISTXATTR, IOR_REPLAY_FREMOVEXATTR, IOR_REPLAY_FSTATFS,
	IOR_REPLAY_CLOSE_RANGE, IOR_REPLAY_COPY_FILE_RANGE,
	IOR_REPLAY_SENDFILE, IOR_REPLAY_SPLICE, IOR_REPLAY_FCNTL,
	IOR_REPLAY_FLOCK, IOR_REPLAY_FALLOCATE, IOR_REPLAY_FADVISE,
	IOR_REPLAY_READAHEAD, IOR_REPLAY_SYNC, IOR_REPLAY_SYNCFS,
	IOR_REPLAY_SYNC_FILE_RANGE, IOR_REPLAY_GETDENTS, IOR_REPLAY_GETCWD,
	IOR_REPLAY_OPEN_BY_HANDLE, IOR_REPLAY_MEMFD, IOR_REPLAY_MMAP,
	IOR_REPLAY_MUNMAP, IOR_REPLAY_MSYNC, IOR_REPLAY_MADVISE,
	IOR_REPLAY_UNSHARE,
	/* names beneath the root */
	IOR_REPLAY_STAT, IOR_REPLAY_STATX, IOR_REPLAY_ACCESS,
	IOR_REPLAY_CHMOD, IOR_REPLAY_CHOWN, IOR_REPLAY_UTIMES,
	IOR_REPLAY_MKDIR, IOR_REPLAY_RMDIR, IOR_REPLAY_UNLINK,
	IOR_REPLAY_RENAME, IOR_REPLAY_LINK, IOR_REPLAY_SYMLINK,
	IOR_REPLAY_READLINK, IOR_REPLAY_MKNOD, IOR_REPLAY_SETXATTR,
	IOR_REPLAY_GETXATTR, IOR_REPLAY_LISTXATTR, IOR_REPLAY_REMOVEXATTR,
	IOR_REPLAY_STATFS, IOR_REPLAY_NAME_TO_HANDLE, IOR_REPLAY_TRUNCATE,
	IOR_REPLAY_CHDIR,
	/* processes */
	IOR_REPLAY_FORK, IOR_REPLAY_EXEC, IOR_REPLAY_IORFD,
	/*
	 * Linux AIO: the calls, and the requests io_submit issues (AIO_PREAD
	 * to AIO_NOOP, kept together: ior-replay tells requests by range)
	 */
	IOR_REPLAY_IO_SETUP, IOR_REPLAY_IO_DESTROY, IOR_REPLAY_IO_SUBMIT,
	IOR_REPLAY_IO_GETEVENTS, IOR_REPLAY_IO_PGETEVENTS,
	IOR_REPLAY_IO_CANCEL, IOR_REPLAY_AIO_PREAD, IOR_REPLAY_AIO_PWRITE,
	IOR_REPLAY_AIO_PREADV, IOR_REPLAY_AIO_PWRITEV, IOR_REPLAY_AIO_FSYNC,
	IOR_REPLAY_AIO_FDSYNC, IOR_REPLAY_AIO_POLL, IOR_REPLAY_AIO_NOOP,
	/*
	 * io_uring: the calls, and the requests io_uring_enter issues (UR_NOP
	 * to UR_OTHER, kept together, last)
	 */
	IOR_REPLAY_URING_SETUP, IOR_REPLAY_URING_ENTER,
	IOR_REPLAY_URING_REGISTER,
	IOR_REPLAY_URING_FIXED,	/* ior:fixed: a file registered at its slot */
	IOR_REPLAY_UR_NOP, IOR_REPLAY_UR_READ,
	IOR_REPLAY_UR_WRITE, IOR_REPLAY_UR_READV, IOR_REPLAY_UR_WRITEV,
	IOR_REPLAY_UR_READ_FIXED, IOR_REPLAY_UR_WRITE_FIXED,
	IOR_REPLAY_UR_FSYNC, IOR_REPLAY_UR_FALLOCATE, IOR_REPLAY_UR_OPENAT,
	IOR_REPLAY_UR_OPENAT2, IOR_REPLAY_UR_CLOSE, IOR_REPLAY_UR_STATX,
	IOR_REPLAY_UR_OTHER,	/* an operation the replay does not issue */
};
/* What RET is, for ior-replay's comparison and ior-stats' bytes. */
enum ior_ret { IOR_RET_VAL, IOR_RET_FD, IOR_RET_ADDR, IOR_RET_PID,
	       IOR_RET_NOCMP, IOR_RET_READ, IOR_RET_WRITE, IOR_RET_COPY };
/* The type of an argument (calls.h says what each one means). */
enum ior_argtype {
	IOR_ARG_NONE, IOR_ARG_FD, IOR_ARG_DIRFD, IOR_ARG_PATH, IOR_ARG_LINK,
	IOR_ARG_NAME, IOR_ARG_FLAGS, IOR_ARG_MODE, IOR_ARG_INT, IOR_ARG_UINT,
	IOR_ARG_LONG, IOR_ARG_SIZE, IOR_ARG_RBUF, IOR_ARG_WBUF, IOR_ARG_LOFF,
	IOR_ARG_HEX, IOR_ARG_DEV,
};
/* Where ior-trace finds an argument's value. */
enum ior_argform {
	IOR_FORM_REG,		/* a register */
	IOR_FORM_VAL,		/* a value the BPF program read */
	IOR_FORM_OPT,		/* a value read through an optional pointer */
	IOR_FORM_CODE,		/* written by the call's own code */
	IOR_FORM_KEY,		/* a key of a record that is no system call */
};
struct ior_arg {
	const char *key;
	const struct ior_flag *flags;	/* IOR_ARG_FLAGS: the names */
	uint8_t type, form;
	uint8_t reg;		/* IOR_FORM_REG, IOR_FORM_OPT */
	uint8_t val;		/* IOR_FORM_VAL, IOR_FORM_OPT: e->val[val] */
};
#define IOR_ARGS_MAX 8
struct ior_call {
	const char *name;	/* CALL in a stream */
	int16_t nr64, nr32;	/* x86_64 and i386 numbers, or -1 */
	uint16_t native;	/* the row this one is handled as (itself,
				   or an i386 call's x86_64 twin) */
	uint8_t abi32;		/* 1: an i386 row: reg counts i386 registers */
	uint8_t capture, family, follow, map, tree, replay, ret;
	uint8_t nargs;
	struct ior_arg args[IOR_ARGS_MAX];
};
enum ior_call_id {
#define SYS(name, ...) IOR_C_##name,
#define SYS32(ident, ...) IOR_C_##ident,
#define REC(ident, ...) IOR_C_##ident,
#include "calls.h"
#undef SYS
#undef SYS32
#undef REC
	IOR_NCALLS
};
extern const struct ior_call ior_calls[IOR_NCALLS];
/*
 * The row that handles a record's CALL: an i386 call's is its x86_64
 * twin's; an io_uring operation without a row of its own is "uring:";
 * -1 when none.
 */
int ior_call_find(const char *name);
/* The same for the first len bytes of name. */
int ior_call_findn(const char *name, size_t len);
/* ior_call_find(), the rows found kept for the next (one thread only). */
int ior_call_find_seen(const char *name);
/* The same for the CALL of r, as ior_read() filled r. */
int ior_call_find_rec(const struct ior_rec *r);

/* ---- memory: allocation that exits (IOR_EXIT_SYS) when it fails ---- */

void *ior_xmalloc(size_t size);
void *ior_xcalloc(size_t n, size_t size);
void *ior_xrealloc(void *p, size_t size);
/* realloc(p, n * size), refusing a product that overflows. */
void *ior_xreallocarray(void *p, size_t n, size_t size);
char *ior_xstrdup(const char *s);
/*
 * Grow array p of *cap elements of size bytes to hold at least need
 * (doubling, from 16): the new elements are zeroed, *cap is updated, and
 * the array returned. p is returned as is when it holds need already.
 */
void *ior_xgrow(void *p, size_t *cap, size_t need, size_t size);
/*
 * The same growth without ior_xgrow's two conveniences: the new elements
 * are left uninitialised, for an array filled in order, where zeroing
 * would touch all its spare room (up to as much again) for nothing; and
 * NULL is returned when memory runs out, p and *cap then as they were,
 * for a caller that reports it its own way (a replay process of
 * ior-replay stops the others first).
 */
void *ior_grow(void *p, size_t *cap, size_t need, size_t size);

/* ---- hashing and the hash map ---- */

/* FNV-1a, 64 bits: of names and paths (ior_hash_str: up to its NUL). */
uint64_t ior_hash(const void *p, size_t n);
uint64_t ior_hash_str(const char *s);
/* A 64-bit integer's bits mixed (ids, addresses, composite keys). */
static inline uint64_t ior_hash_u64(uint64_t v)
{
	uint64_t h = v * 0x9e3779b97f4a7c15ull;

	return h ^ h >> 29;
}

/*
 * A map from 64-bit keys to non-NULL pointers, open addressing with
 * linear probing, kept at most half full; deletion shifts entries back,
 * so it never leaves tombstones and its memory is bounded by the most
 * entries it held at once. A key is an id itself (a pid, an ofd id), or
 * the hash of a longer key (a name, dev:ino): then several entries may
 * share one, and the caller tells them apart (ior_hashmap_next). The
 * slots can be read directly: slot[i].val is NULL for an empty one.
 */
struct ior_hashmap_slot {
	uint64_t key;
	void *val;
};
struct ior_hashmap {
	size_t cap, n;		/* cap: 0, or a power of two */
	struct ior_hashmap_slot *slot;
};

static inline size_t ior_hashmap_home(const struct ior_hashmap *m,
				      uint64_t key)
{
	return (key * 0x9e3779b97f4a7c15ull >> 20) & (m->cap - 1);
}
/*
 * The values stored under key, one per call, from *i =
 * ior_hashmap_home(m, key): NULL once there are no more.
 */
static inline void *ior_hashmap_next(const struct ior_hashmap *m,
				     uint64_t key, size_t *i)
{
	if (!m->cap)
		return NULL;
	for (; m->slot[*i].val; *i = (*i + 1) & (m->cap - 1))
		if (m->slot[*i].key == key) {
			void *v = m->slot[*i].val;

			*i = (*i + 1) & (m->cap - 1);
			return v;
		}
	return NULL;
}
/* The value of key (a key that is an id: one value at most), or NULL. */
static inline void *ior_hashmap_get(const struct ior_hashmap *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = ior_hashmap_home(m, key);
	return ior_hashmap_next(m, key, &i);
}
/* Set the value of key (an id), replacing the one it had. */
void ior_hashmap_put(struct ior_hashmap *m, uint64_t key, void *val);
/* Add val under key (a hash), beside the values already there. */
void ior_hashmap_add(struct ior_hashmap *m, uint64_t key, void *val);
/* Remove val from under key; 0 when it was not there. */
int ior_hashmap_del(struct ior_hashmap *m, uint64_t key, const void *val);
/* Remove every value for which drop(val, arg) is true. */
void ior_hashmap_drop_if(struct ior_hashmap *m,
			 int (*drop)(void *val, void *arg), void *arg);
/* Free the slots (not the values): m is empty again. */
void ior_hashmap_free(struct ior_hashmap *m);

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
