/* flags.c - symbolic names of flag words: O_*, AT_*, CLONE_*, SEEK_*. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"

/* Access mode is a two-bit field, not flags: compared under O_ACCMODE. */
const struct ior_flag ior_open_flags[] = {
	{ "O_RDONLY", O_RDONLY, O_ACCMODE },
	{ "O_WRONLY", O_WRONLY, O_ACCMODE },
	{ "O_RDWR", O_RDWR, O_ACCMODE },
	{ "O_CREAT", O_CREAT, 0 },
	{ "O_EXCL", O_EXCL, 0 },
	{ "O_NOCTTY", O_NOCTTY, 0 },
	{ "O_TRUNC", O_TRUNC, 0 },
	{ "O_APPEND", O_APPEND, 0 },
	{ "O_NONBLOCK", O_NONBLOCK, 0 },
	{ "O_SYNC", O_SYNC, 0 },	/* includes O_DSYNC: must come first */
	{ "O_DSYNC", O_DSYNC, 0 },
	{ "O_ASYNC", O_ASYNC, 0 },
	{ "O_DIRECT", O_DIRECT, 0 },
	{ "O_LARGEFILE", 0100000, 0 },	/* the kernel's value; glibc's is 0 */
	{ "O_TMPFILE", O_TMPFILE, 0 },	/* includes O_DIRECTORY */
	{ "O_DIRECTORY", O_DIRECTORY, 0 },
	{ "O_NOFOLLOW", O_NOFOLLOW, 0 },
	{ "O_NOATIME", O_NOATIME, 0 },
	{ "O_CLOEXEC", O_CLOEXEC, 0 },
	{ "O_PATH", O_PATH, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_at_flags[] = {
	{ "AT_SYMLINK_NOFOLLOW", 0x100, 0 },
	{ "AT_REMOVEDIR", 0x200, 0 },
	{ "AT_SYMLINK_FOLLOW", 0x400, 0 },
	{ "AT_NO_AUTOMOUNT", 0x800, 0 },
	{ "AT_EMPTY_PATH", 0x1000, 0 },
	{ "AT_STATX_FORCE_SYNC", 0x2000, 0 },
	{ "AT_STATX_DONT_SYNC", 0x4000, 0 },
	{ "AT_RECURSIVE", 0x8000, 0 },
	{ "AT_EACCESS", 0x200, 0 },	/* same bit as AT_REMOVEDIR */
	{ NULL, 0, 0 },
};

const struct ior_flag ior_rename_flags[] = {
	{ "RENAME_NOREPLACE", 1, 0 },
	{ "RENAME_EXCHANGE", 2, 0 },
	{ "RENAME_WHITEOUT", 4, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_clone_flags[] = {
	{ "CLONE_VM", CLONE_VM, 0 },
	{ "CLONE_FS", CLONE_FS, 0 },
	{ "CLONE_FILES", CLONE_FILES, 0 },
	{ "CLONE_SIGHAND", CLONE_SIGHAND, 0 },
	{ "CLONE_PIDFD", CLONE_PIDFD, 0 },
	{ "CLONE_PTRACE", CLONE_PTRACE, 0 },
	{ "CLONE_VFORK", CLONE_VFORK, 0 },
	{ "CLONE_PARENT", CLONE_PARENT, 0 },
	{ "CLONE_THREAD", CLONE_THREAD, 0 },
	{ "CLONE_NEWNS", CLONE_NEWNS, 0 },
	{ "CLONE_SYSVSEM", CLONE_SYSVSEM, 0 },
	{ "CLONE_SETTLS", CLONE_SETTLS, 0 },
	{ "CLONE_PARENT_SETTID", CLONE_PARENT_SETTID, 0 },
	{ "CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID, 0 },
	{ "CLONE_DETACHED", CLONE_DETACHED, 0 },
	{ "CLONE_UNTRACED", CLONE_UNTRACED, 0 },
	{ "CLONE_CHILD_SETTID", CLONE_CHILD_SETTID, 0 },
	{ "CLONE_NEWCGROUP", CLONE_NEWCGROUP, 0 },
	{ "CLONE_NEWUTS", CLONE_NEWUTS, 0 },
	{ "CLONE_NEWIPC", CLONE_NEWIPC, 0 },
	{ "CLONE_NEWUSER", CLONE_NEWUSER, 0 },
	{ "CLONE_NEWPID", CLONE_NEWPID, 0 },
	{ "CLONE_NEWNET", CLONE_NEWNET, 0 },
	{ "CLONE_IO", CLONE_IO, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_resolve_flags[] = {
	{ "RESOLVE_NO_XDEV", 0x01, 0 },
	{ "RESOLVE_NO_MAGICLINKS", 0x02, 0 },
	{ "RESOLVE_NO_SYMLINKS", 0x04, 0 },
	{ "RESOLVE_BENEATH", 0x08, 0 },
	{ "RESOLVE_IN_ROOT", 0x10, 0 },
	{ "RESOLVE_CACHED", 0x20, 0 },
	{ NULL, 0, 0 },
};

/* Whence is a value, not flags: every entry is compared under ~0. */
const struct ior_flag ior_whence_names[] = {
	{ "SEEK_SET", 0, ~0ull },
	{ "SEEK_CUR", 1, ~0ull },
	{ "SEEK_END", 2, ~0ull },
	{ "SEEK_DATA", 3, ~0ull },
	{ "SEEK_HOLE", 4, ~0ull },
	{ NULL, 0, 0 },
};

size_t ior_flags_format(char *buf, size_t cap, const struct ior_flag *t,
			uint64_t v)
{
	size_t n = 0;
	uint64_t left = v;
	int any = 0;

	buf[0] = 0;
	for (const struct ior_flag *f = t; f->name; f++) {
		uint64_t mask = f->mask ? f->mask : f->value;

		/* A plain flag needs all its bits still unnamed. */
		if (f->mask == 0 && (left & f->value) != f->value)
			continue;
		/* A field (access mode, whence) is compared whole, once. */
		if (f->mask && ((v & mask) != f->value || (left & mask) != (v & mask)))
			continue;
		n += snprintf(buf + n, n < cap ? cap - n : 0, "%s%s",
			      any ? "|" : "", f->name);
		left &= ~mask;
		any = 1;
	}
	if (left || !any)
		n += snprintf(buf + n, n < cap ? cap - n : 0, "%s%#llx",
			      any ? "|" : "", (unsigned long long)left);
	return n;
}

int ior_flags_parse(const struct ior_flag *t, const char *s, uint64_t *v)
{
	uint64_t r = 0;
	const char *p = s;

	if (!*s)
		return -1;
	while (*p) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const struct ior_flag *f;
		int found = 0;

		if (len == 0)
			return -1;
		if (p[0] >= '0' && p[0] <= '9') {
			char *end;
			unsigned long long x = strtoull(p, &end, 0);

			if ((size_t)(end - p) != len)
				return -1;
			r |= x;
			found = 1;
		}
		for (f = t; !found && f->name; f++)
			if (strlen(f->name) == len && !strncmp(f->name, p, len)) {
				r |= f->value;
				found = 1;
			}
		if (!found)
			return -1;
		p += len;
		if (*p == '|')
			p++;
		else
			break;
	}
	*v = r;
	return 0;
}
