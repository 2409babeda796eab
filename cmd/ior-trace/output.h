/*
 * output.h - the trace stream ior-trace writes: its clock, and the
 * values of records as ior-format(5) spells them.
 */
#ifndef IOR_TRACE_OUTPUT_H
#define IOR_TRACE_OUTPUT_H

#include <stdint.h>

#include "ior.h"

struct ior_event;

/* AT_FDCWD, as a dirfd register holds it. */
#define AT_FDCWD_ARG (-100)

/* The trace stream (stdout or -o FILE): one for the whole run. */
extern struct ior_out trace_out;

/* CLOCK_MONOTONIC now, in ns. */
uint64_t now_ns(void);
/*
 * Set TIME 0 to now and return the wall-clock time of that instant, in
 * ns: the stream's epoch.
 */
uint64_t set_epoch(void);
/* The CLOCK_MONOTONIC time of TIME 0, in ns. */
uint64_t epoch_mono(void);
/* A CLOCK_MONOTONIC time as TIME: ns since the epoch. */
uint64_t rel_time(uint64_t t);
/* Records written so far (their heads). */
uint64_t records_written(void);

/* The positional columns of a record; comm is raw (escaped here). */
void put_head(uint64_t t, uint32_t pid, uint32_t tid, const char *comm,
	      const char *call, int64_t ret, uint64_t dur);
void put_flags(const char *key, const struct ior_flag *t, uint64_t v);
/* key=0NNN, of the 16 bits of a umode_t. */
void put_octal(const char *key, uint64_t v);
void put_hex(const char *key, uint64_t v);
/*
 * umask=NNNN, four octal digits as umask(1) prints it: the event's
 * umask, when the BPF program read it (a call or request that may
 * create a file).
 */
void put_umask(const struct ior_event *e);
/* key=MAJOR:MINOR of a device number encoded as st_dev is. */
void put_dev(const char *key, uint64_t dev);
/* key=AT_FDCWD, or the descriptor. */
void put_dirfd(const char *key, uint64_t arg);
/* ft=reg|dir|lnk|fifo|sock|chr|blk, when the mode has a type. */
void put_ft(uint32_t mode);
/* err=ENAME when ret is a negative errno. */
void put_err(int64_t ret);
/* A time of the utime calls: seconds with nine decimals, now or omit. */
void put_utime(const char *key, int64_t sec, int64_t nsec);

/* Keys put_attrs leaves out: those the call's own arguments use. */
#define NO_SIZE 1
#define NO_OWNER 2

/* size ft fmode nlink uid gid ino dev, as stat records have them. */
void put_attrs(uint64_t size, uint32_t mode, uint32_t nlink, uint32_t uid,
	       uint32_t gid, uint64_t ino, uint64_t dev, int skip);
/* ino size ft fs fmode nlink uid gid dev of a successful open. */
void put_file(const struct ior_event *e);
/* size ft fmode nlink uid gid ino dev of a successful stat. */
void put_stat(const struct ior_event *e);

#endif
