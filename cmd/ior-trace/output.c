/* output.c - the trace stream, its clock, and the values of its records. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <linux/types.h>

#include "ior.h"
#include "ior-trace.h"
#include "output.h"

struct ior_out trace_out;
static uint64_t mono0;		/* CLOCK_MONOTONIC ns of TIME 0 */
static uint64_t nrecords;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t rel_time(uint64_t t)
{
	return t > mono0 ? t - mono0 : 0;
}

/* The monotonic reading bracketed most tightly by two wall-clock ones. */
uint64_t set_epoch(void)
{
	struct timespec r1, m, r2;
	uint64_t best = UINT64_MAX, wall = 0;

	for (int i = 0; i < 5; i++) {
		clock_gettime(CLOCK_REALTIME, &r1);
		clock_gettime(CLOCK_MONOTONIC, &m);
		clock_gettime(CLOCK_REALTIME, &r2);
		uint64_t a = r1.tv_sec * 1000000000ull + r1.tv_nsec;
		uint64_t b = r2.tv_sec * 1000000000ull + r2.tv_nsec;

		if (b - a < best) {
			best = b - a;
			wall = a + (b - a) / 2;
			mono0 = m.tv_sec * 1000000000ull + m.tv_nsec;
		}
	}
	return wall;
}

uint64_t epoch_mono(void)
{
	return mono0;
}

uint64_t records_written(void)
{
	return nrecords;
}

/*
 * " PID TID COMM CALL " of the last record written: a capture's records
 * come in runs of one thread's calls, often of one call, so a record
 * like the one before copies those columns rather than formatting and
 * escaping them again. call is compared by its bytes: some callers
 * build it in a buffer of theirs (agg:, uring:, aio:), the same address
 * for every call name.
 */
static struct {
	uint32_t pid, tid;
	int kept;		/* text holds a record's columns */
	char call[64];		/* a longer name is never kept */
	size_t ncomm;
	char comm[IOR_COMM_LEN];
	size_t len;
	/* two numbers, comm escaped, a call name: far less than a line */
	char text[2 * 12 + IOR_COMM_LEN * 4 + 4 + 64];
} mid;

/* COMM as a record says it: escaped, "-" when empty; its length. */
static size_t put_comm(char *d, const char *comm, size_t n)
{
	if (n == 0) {
		*d = '-';
		return 1;
	}
	return ior_escape(d, comm, n);
}

static void mid_set(uint32_t pid, uint32_t tid, const char *comm,
		    size_t ncomm, const char *call)
{
	size_t lcall = strlen(call);
	char *d = mid.text;

	mid.pid = pid;
	mid.tid = tid;
	mid.ncomm = ncomm;
	memcpy(mid.comm, comm, ncomm);
	mid.len = 0;
	mid.kept = lcall < sizeof(mid.call);
	if (!mid.kept) {
		mid.call[0] = 0;	/* no name matches: set again */
		return;
	}
	memcpy(mid.call, call, lcall + 1);
	d += sprintf(d, " %u %u ", pid, tid);
	d += put_comm(d, comm, ncomm);
	*d++ = ' ';
	memcpy(d, call, lcall);
	d += lcall;
	*d++ = ' ';
	mid.len = d - mid.text;
}

void put_head(uint64_t t, uint32_t pid, uint32_t tid, const char *comm,
	      const char *call, int64_t ret, uint64_t dur)
{
	size_t n = strnlen(comm, IOR_COMM_LEN);

	if (pid != mid.pid || tid != mid.tid || n != mid.ncomm ||
	    memcmp(comm, mid.comm, n) || strcmp(call, mid.call))
		mid_set(pid, tid, comm, n, call);
	if (!mid.kept) {	/* not kept: formatted as the lib does */
		char ecomm[IOR_COMM_LEN * 4 + 2];
		struct ior_rec r;

		ecomm[put_comm(ecomm, comm, n)] = 0;
		r.time_ns = t;
		r.pid = pid;
		r.tid = tid;
		r.comm = ecomm;
		r.call = (char *)call;
		r.ret = ret;
		r.dur = dur;
		ior_put_head(&trace_out, &r);
	} else {
		ior_put_head_mid(&trace_out, t, mid.text, mid.len, ret, dur);
	}
	nrecords++;
}

void put_flags(const char *key, const struct ior_flag *t, uint64_t v)
{
	char buf[512];

	ior_flags_format(buf, sizeof(buf), t, v);
	ior_put_kv(&trace_out, key, buf);
}

/*
 * The kernel takes a mode as umode_t (16 bits): bits above, which callers
 * leave as garbage when no file is created, mean nothing.
 */
void put_octal(const char *key, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	v &= 0177777;
	*--p = 0;
	do {
		*--p = '0' + (v & 7);
		v >>= 3;
	} while (v);
	if (*p != '0')
		*--p = '0';
	ior_put_kv(&trace_out, key, p);
}

void put_umask(const struct ior_event *e)
{
	char buf[8];

	if (!(e->umask & IOR_UMASK_READ))
		return;
	snprintf(buf, sizeof(buf), "%04o", e->umask & 0777);
	ior_put_kv(&trace_out, "umask", buf);
}

/*
 * Digits of v in base 10 or 16 (lower case), written backwards ending at
 * end: their start. By hand, not snprintf(): an io_uring request has a
 * user_data, a file a device, and at a million records a second the
 * tracer's snprintf() calls were a twentieth of its time.
 */
static char *digits_before(char *end, uint64_t v, unsigned base)
{
	do {
		*--end = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return end;
}

void put_hex(const char *key, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	*--p = 0;
	p = digits_before(p, v, 16);
	*--p = 'x';
	*--p = '0';
	ior_put_kv(&trace_out, key, p);
}

void put_dev(const char *key, uint64_t dev)
{
	char buf[32], *p = buf + sizeof(buf);

	*--p = 0;
	p = digits_before(p, minor(dev), 10);
	*--p = ':';
	p = digits_before(p, major(dev), 10);
	ior_put_kv(&trace_out, key, p);
}

void put_dirfd(const char *key, uint64_t arg)
{
	if ((int)arg == AT_FDCWD_ARG)
		ior_put_kv(&trace_out, key, "AT_FDCWD");
	else
		ior_put_kv_i64(&trace_out, key, (int)arg);
}

static const char *ft_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "reg";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "lnk";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "sock";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	}
	return NULL;
}

void put_ft(uint32_t mode)
{
	const char *ft = ft_name(mode);

	if (ft)
		ior_put_kv(&trace_out, "ft", ft);
}

void put_err(int64_t ret)
{
	const char *name;

	if (ret >= 0)
		return;
	name = ior_errno_name(-ret);
	if (name)
		ior_put_kv(&trace_out, "err", name);
	else
		ior_put_kv_i64(&trace_out, "err", -ret);
}

void put_utime(const char *key, int64_t sec, int64_t nsec)
{
	char buf[48];

	if (nsec == UTIME_NOW)
		ior_put_kv(&trace_out, key, "now");
	else if (nsec == UTIME_OMIT)
		ior_put_kv(&trace_out, key, "omit");
	else {
		snprintf(buf, sizeof(buf), "%lld.%09lld", (long long)sec,
			 (long long)nsec);
		ior_put_kv(&trace_out, key, buf);
	}
}

void put_attrs(uint64_t size, uint32_t mode, uint32_t nlink, uint32_t uid,
	       uint32_t gid, uint64_t ino, uint64_t dev, int skip)
{
	if (!(skip & NO_SIZE))
		ior_put_kv_i64(&trace_out, "size", size);
	put_ft(mode);
	put_octal("fmode", mode & 07777);
	ior_put_kv_i64(&trace_out, "nlink", nlink);
	if (!(skip & NO_OWNER)) {
		ior_put_kv_i64(&trace_out, "uid", uid);
		ior_put_kv_i64(&trace_out, "gid", gid);
	}
	ior_put_kv_i64(&trace_out, "ino", ino);
	put_dev("dev", dev);
}

void put_file(const struct ior_event *e)
{
	ior_put_kv_i64(&trace_out, "ino", e->ino);
	ior_put_kv_i64(&trace_out, "size", e->size);
	put_ft(e->mode);
	if (e->fs[0])
		ior_put_kv_esc(&trace_out, "fs", e->fs);
	/* fmode nlink uid gid: what the file was seen to be */
	put_octal("fmode", e->mode & 07777);
	ior_put_kv_i64(&trace_out, "nlink", e->nlink);
	ior_put_kv_i64(&trace_out, "uid", e->uid);
	ior_put_kv_i64(&trace_out, "gid", e->gid);
	put_dev("dev", e->dev);
}

void put_stat(const struct ior_event *e)
{
	put_attrs(e->size, e->mode, e->nlink, e->uid, e->gid, e->ino, e->dev,
		  0);
}
