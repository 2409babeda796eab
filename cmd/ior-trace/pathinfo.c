/*
 * pathinfo.c - ior:lstat records (pathinfo.h).
 *
 * A path is resolved component by component, as the kernel does: each
 * one is lstat'ed beneath the process's root; a directory is described
 * and the walk goes on into it; a symbolic link is described with its
 * target, and the walk goes on with the target, then the rest of the
 * path (at most 40 links, as the kernel's MAXSYMLINKS); a file, or a
 * component that is missing, ends it.
 *
 * The walk is made when the record is written, after the call, at times
 * well after it and after later calls (ior-format(5)): nothing of a call
 * that found its path missing is described, as the path may be there by
 * then.
 *
 * What was met is remembered as hashes in a fixed table, so that a path
 * costs one lookup once its directory was walked, and memory is bounded
 * whatever the capture: the paths walked, the directories described (no
 * lstat for them again) and the links described (no second record). When
 * the table is three quarters full it is emptied: some paths are then
 * described again, which ior-gen takes as it took the first ones.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ior.h"
#include "decode.h"
#include "output.h"
#include "pathinfo.h"
#include "procview.h"

#define SEEN_SLOTS (1u << 16)
#define SEEN_MAX (SEEN_SLOTS / 4 * 3)
#define MAX_LINKS 40

enum seen_kind { SEEN_WALKED = 1, SEEN_DIR, SEEN_LINK };

static uint64_t seen[SEEN_SLOTS];	/* 0: a free slot */
static size_t nseen;

static uint64_t seen_key(enum seen_kind kind, const char *p, size_t n)
{
	uint64_t h = ior_hash(p, n) ^ ior_hash_u64(kind);

	return h ? h : 1;
}

/* Whether key was met; if not and add, it is now. */
static bool seen_test(uint64_t key, bool add)
{
	size_t i = key & (SEEN_SLOTS - 1);

	for (; seen[i]; i = (i + 1) & (SEEN_SLOTS - 1))
		if (seen[i] == key)
			return true;
	if (!add)
		return false;
	if (nseen >= SEEN_MAX) {
		memset(seen, 0, sizeof(seen));
		nseen = 0;
		i = key & (SEEN_SLOTS - 1);
	}
	seen[i] = key;
	nseen++;
	return false;
}

static void put_lstat(const struct path_who *w, const char *path,
		      const struct stat *st, const char *target)
{
	put_head(w->t, w->pid, w->tid, w->comm, "ior:lstat", 0, 0);
	ior_put_kv_esc(&trace_out, "path", path);
	put_attrs(st->st_size, st->st_mode, st->st_nlink, st->st_uid,
		  st->st_gid, st->st_ino, st->st_dev, 0);
	if (target)
		ior_put_kv_esc(&trace_out, "path2", target);
	ior_putc(&trace_out, '\n');
}

/* cur (len bytes) less its last component. */
static size_t up(char *cur, size_t len)
{
	char *s = memrchr(cur, '/', len);

	len = s ? (size_t)(s - cur) : 0;
	cur[len] = 0;
	return len;
}

/* Walk the first n bytes of path (absolute), describing what it meets. */
static void walk(const struct path_who *w, const char *path, size_t n)
{
	char todo[2][IOR_PATH_MAX], cur[IOR_PATH_MAX], target[IOR_PATH_MAX];
	char where[64 + IOR_PATH_MAX];
	const char *p;
	size_t len = 0, cn;
	int links = 0, t = 0;
	struct stat st;
	ssize_t tn;

	memcpy(todo[0], path, n);
	todo[0][n] = 0;
	cur[0] = 0;
	for (p = todo[0]; *(p += strspn(p, "/")); ) {
		const char *c = p;

		cn = strcspn(c, "/");
		p = c + cn;
		if (cn == 1 && c[0] == '.')
			continue;
		if (cn == 2 && c[0] == '.' && c[1] == '.') {
			len = up(cur, len);	/* cur has no link: it is lexical */
			continue;
		}
		if (len + 1 + cn >= sizeof(cur))
			return;
		cur[len] = '/';
		memcpy(cur + len + 1, c, cn);
		len += 1 + cn;
		cur[len] = 0;
		if (seen_test(seen_key(SEEN_DIR, cur, len), false))
			continue;
		if (where_is(w->pid, AT_FDCWD_ARG, cur, where, sizeof(where)) < 0 ||
		    lstat(where, &st) < 0)
			return;
		if (S_ISDIR(st.st_mode)) {
			seen_test(seen_key(SEEN_DIR, cur, len), true);
			put_lstat(w, cur, &st, NULL);
			continue;
		}
		if (!S_ISLNK(st.st_mode) ||
		    (tn = readlink(where, target, sizeof(target) - 1)) <= 0)
			return;		/* a file ends the walk: never described */
		target[tn] = 0;
		if (!seen_test(seen_key(SEEN_LINK, cur, len), true))
			put_lstat(w, cur, &st, target);
		if (++links > MAX_LINKS ||
		    snprintf(todo[t ^ 1], sizeof(todo[0]), "%s/%s", target, p) >=
		    (int)sizeof(todo[0]))
			return;
		t ^= 1;
		p = todo[t];
		len = target[0] == '/' ? 0 : up(cur, len);
		cur[len] = 0;
	}
}

void describe_path(const struct path_who *w, const char *path, bool last)
{
	size_t n = strlen(path);

	if (path[0] != '/' || n >= IOR_PATH_MAX)
		return;
	if (!last) {
		while (n > 1 && path[n - 1] == '/')
			n--;
		n = (const char *)memrchr(path, '/', n) - path;
	}
	if (n && !seen_test(seen_key(SEEN_WALKED, path, n), true))
		walk(w, path, n);
}

void describe_call(const struct call_rec *c)
{
	const struct ior_event *e = c->e;
	const struct ior_call *row = c->row;
	struct path_who w = { rel_time(e->time), e->pid, e->tid, e->comm };
	char abs[IOR_PATH_MAX];
	int npaths = c->info->npaths;

	/*
	 * A path the call found missing, or not a directory on the way,
	 * may be there by now, made by a later call: not described (what
	 * is on it will be, before a call that reaches it).
	 */
	if (e->ret == -ENOENT || e->ret == -ENOTDIR || !npaths)
		return;
	for (int i = 0; i < row->nargs; i++) {
		const struct ior_arg *a = &row->args[i];
		int dirfd = AT_FDCWD_ARG;
		const char *path;

		if (a->type != IOR_ARG_PATH || a->form == IOR_FORM_CODE)
			continue;
		if (i > 0 && row->args[i - 1].type == IOR_ARG_DIRFD)
			dirfd = (int)call_arg(c, i - 1);
		path = call_str(c, i);
		/* a call of one path may follow it; rename or link, not */
		if (path[0] &&
		    abs_path(e->pid, dirfd, path, abs, sizeof(abs)) == 0)
			describe_path(&w, abs, npaths == 1 && call_follows(c));
	}
}
