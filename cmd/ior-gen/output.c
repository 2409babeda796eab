/* output.c - writing the operations, and the spool (output.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "ior.h"
#include "order.h"
#include "output.h"
#include "record.h"

static int64_t seq;
/*
 * " seq=" and seq in decimal (seq_len digits), counted up with it: every
 * kept operation writes its seq, and adding one to text is cheaper than
 * formatting a number; the whole buffer is copied, a copy of a known
 * size, of which the key and the digits are kept.
 */
#define SEQ_KEY 5		/* " seq=" */
static char seq_text[32] = " seq=0";
static size_t seq_len = 1;

/*
 * The arguments as read: the reader split the line in place, ending each
 * key and value with a NUL, so one copy of those bytes with the '=' and
 * ' ' put back is the arguments written again, without a call per key.
 */
static void put_args(struct ior_out *out, const struct ior_in *in,
		     const struct ior_rec *r)
{
	const char *base = r->kv[0].key;
	const struct ior_kv *kv = r->kv;
	const int last = r->nkv - 1;	/* r has one at least */
	size_t n = in->line + in->linelen - base;
	char *d = ior_reserve(out, n + 1);

	/* the copy is at d + 1: the separator before p is d[p - base] */
	*d = ' ';
	memcpy(d + 1, base, n);
	for (int i = 0; i < last; i++) {
		d[kv[i].val - base] = '=';
		d[kv[i + 1].key - base] = ' ';
	}
	d[kv[last].val - base] = '=';
	out->len += n + 1;
}

/* The next operation: seq and its text count up. */
int64_t seq_next(void)
{
	char *digits = seq_text + SEQ_KEY;
	size_t i = seq_len;

	seq++;
	while (i > 0 && digits[i - 1] == '9')
		digits[--i] = '0';
	if (i > 0) {
		digits[i - 1]++;
	} else {
		memmove(digits + 1, digits, seq_len++);
		digits[0] = '1';
	}
	return seq;
}

int64_t seq_last(void)
{
	return seq;
}

void put_op(struct ior_out *out, const struct ior_in *in,
	    const struct ior_rec *r, const struct args *a,
	    const struct after_list *l)
{
	/* copied when it fits ior_reserve(): the reader passes longer lines */
	int copy = in->linelen <= IOR_LINE_MAX;
	char *d;

	if (copy)
		ior_put_head_read(out, in, r, 1);
	else
		ior_put_head(out, r);
	d = ior_reserve(out, sizeof(seq_text));
	memcpy(d, seq_text, sizeof(seq_text));
	out->len += SEQ_KEY + seq_len;
	for (int i = 0; i < l->n; i++) {
		ior_put(out, i ? "," : " after=", i ? 1 : 7);
		ior_put_i64(out, l->seq[i]);
	}
	if (r->nkv && !a->input_seq && !a->rewritten && copy) {
		put_args(out, in, r);
	} else {
		for (int i = 0; i < r->nkv; i++) {
			const char *k = r->kv[i].key;

			/* seq and after are ours: an input's own are replaced. */
			if (!strcmp(k, "seq") || !strcmp(k, "after"))
				continue;
			ior_put_kv(out, k, r->kv[i].val);
		}
	}
	ior_putc(out, '\n');
}

int spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	/* Filesystems without O_TMPFILE: create and unlink at once. */
	if (snprintf(tmpl, sizeof(tmpl), "%s/ior-gen.XXXXXX", dir) >=
	    (int)sizeof(tmpl))
		ior_errx(IOR_EXIT_SYS, "%s: directory name too long", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0)
		ior_err(IOR_EXIT_SYS, "%s", tmpl);
	unlink(tmpl);
	return fd;
}

/*
 * Bytes of the spool copied out between holes punched in it (let_go):
 * about a millisecond of copying.
 */
#define SPOOL_RELEASE (8 << 20)

/*
 * The spool's bytes [from, to), copied out and never read again, leave
 * the page cache: a body of 246 MB (2M lines) otherwise held as many
 * pages more, to the end, as the output took. Given back at once, they
 * are the pages the output's take next; on a guest whose fresh pages
 * its host maps at first touch, 500 MB written to new pages took
 * 0.5-1.0 s, to pages just given back 0.07 s. A file system that cannot
 * punch holes keeps them, as before.
 */
static void let_go(int fd, off_t from, off_t to)
{
	if (to > from)
		(void)fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				from, to - from);
}

/*
 * Whether what sendfile() moved to fd is copied by the time it returns:
 * into a regular file, yes. Into a pipe it is not: the pipe holds the
 * spool's own pages until its reader takes them, and a hole punched
 * under them would take their bytes from it.
 */
static int sendfile_copies(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Copy the spool's bytes [from, to) to out: in the kernel where it can
 * (sendfile), through a buffer where it cannot (a terminal, say); each
 * part copied is let go where it is a copy.
 */
void spool_copy(int fd, off_t from, off_t to, struct ior_out *out)
{
	static char buf[1 << 16];
	off_t done = from;
	int copies = sendfile_copies(out->fd);

	ior_flush(out);
	while (from < to) {
		size_t want = to - from > SPOOL_RELEASE ? SPOOL_RELEASE :
			(size_t)(to - from);
		ssize_t n = sendfile(out->fd, fd, &from, want);

		if (n > 0) {
			if (!copies)
				done = from;
			else if (from - done >= SPOOL_RELEASE) {
				let_go(fd, done, from);
				done = from;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)
			exit(0);
		if (n == 0)
			ior_errx(IOR_EXIT_SYS, "spool file: unexpected end");
		if (errno != EINVAL && errno != ENOSYS)
			ior_err(IOR_EXIT_SYS, "%s", out->name);
		break;
	}
	while (from < to) {
		size_t want = to - from > (off_t)sizeof(buf) ?
			sizeof(buf) : (size_t)(to - from);
		ssize_t n = pread(fd, buf, want, from);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ior_err(IOR_EXIT_SYS, "reading the spool file");
		ior_put(out, buf, n);
		from += n;
		if (from - done >= SPOOL_RELEASE) {
			/* written out first: what is let go is gone */
			ior_flush(out);
			let_go(fd, done, from);
			done = from;
		}
	}
	ior_flush(out);
	let_go(fd, done, from);
}
