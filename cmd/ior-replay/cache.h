/*
 * cache.h - the page cache state of the tree under the root when the
 * replay starts (--cache), said in the result stream's header:
 *	cold		each regular file beneath the root is fsynced, then
 *			dropped with POSIX_FADV_DONTNEED (the default)
 *	cold-all	that, then sync and /proc/sys/vm/drop_caches 3: the
 *			whole machine's cache (root only)
 *	warm		each regular file beneath the root is read through
 */
#ifndef REPLAY_CACHE_H
#define REPLAY_CACHE_H

enum cache_mode { CACHE_COLD, CACHE_COLD_ALL, CACHE_WARM };

/* The mode named s into *mode: 0, or -1 for no such mode. */
int cache_parse(const char *s, enum cache_mode *mode);
const char *cache_name(enum cache_mode mode);

/* Bring the tree under the root to opt.cache; run by the master. */
void cache_prepare(void);

#endif
