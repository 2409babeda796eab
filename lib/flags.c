/* flags.c - symbolic names of flag words: O_*, AT_*, CLONE_*, SEEK_*. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"

_Static_assert(IOR_O_CREAT == O_CREAT &&
	       IOR_O_TMPFILE_BIT == (O_TMPFILE & ~O_DIRECTORY),
	       "ior_open_creates() tests the kernel's bits");

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
	{ NULL, 0, 0 },
};

/* faccessat2: AT_EACCESS shares its bit with AT_REMOVEDIR. */
const struct ior_flag ior_faccessat_flags[] = {
	{ "AT_EACCESS", 0x200, 0 },
	{ "AT_SYMLINK_NOFOLLOW", 0x100, 0 },
	{ "AT_EMPTY_PATH", 0x1000, 0 },
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

/*
 * s (len bytes) at buf + n, as snprintf(buf + n, cap - n, "%s", s) puts
 * it: what fits, ended by a NUL; the length it would have.
 */
static size_t put_at(char *buf, size_t cap, size_t n, const char *s,
		     size_t len)
{
	if (n < cap) {
		size_t k = len < cap - n - 1 ? len : cap - n - 1;

		memcpy(buf + n, s, k);
		buf[n + k] = 0;
	}
	return n + len;
}

/*
 * Without snprintf: ior-trace formats the flags of every io_uring
 * request (sqe_flags=), and snprintf's parsing of its format was the
 * most of ior-trace's own time on them.
 */
size_t ior_flags_format(char *buf, size_t cap, const struct ior_flag *t,
			uint64_t v)
{
	char hex[2 + 2 * sizeof(uint64_t)], *h = hex + sizeof(hex);
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
		if (any)
			n = put_at(buf, cap, n, "|", 1);
		n = put_at(buf, cap, n, f->name, strlen(f->name));
		left &= ~mask;
		any = 1;
	}
	if (!left && any)
		return n;
	/* the rest as "%#llx" writes it: 0x and hex digits, or 0 */
	if (any)
		n = put_at(buf, cap, n, "|", 1);
	do
		*--h = "0123456789abcdef"[left & 15];
	while (left >>= 4);
	if (h[0] != '0') {
		*--h = 'x';
		*--h = '0';
	}
	return put_at(buf, cap, n, h, hex + sizeof(hex) - h);
}

/*
 * The last values parsed, by table and string: a stream repeats its
 * flags (O_RDWR|O_CREAT|O_CLOEXEC), a few of each table, and their names
 * share first bytes, so comparing the whole string once beats looking up
 * each name. Per thread, as any thread may parse.
 */
#define MEMO 64
#define MEMO_LEN 48
static __thread struct {
	const struct ior_flag *t;
	uint64_t v;
	char s[MEMO_LEN];
} memo[MEMO];

static int parse(const struct ior_flag *t, const char *s, uint64_t *v);

int ior_flags_parse(const struct ior_flag *t, const char *s, uint64_t *v)
{
	size_t n;

	/* no flags, most often (sqe_flags=0 on each io_uring request) */
	if (s[0] == '0' && !s[1]) {
		*v = 0;
		return 0;
	}
	n = strlen(s);
	/* its table, its length and two of its bytes tell most apart */
	unsigned i = (((uintptr_t)t >> 4) + n * 7 +
		      (unsigned char)s[n / 2] * 3 +
		      (unsigned char)s[n ? n - 1 : 0]) % MEMO;

	if (memo[i].t == t && !strcmp(memo[i].s, s)) {
		*v = memo[i].v;
		return 0;
	}
	if (parse(t, s, v) < 0)
		return -1;
	if (n < MEMO_LEN) {
		memo[i].t = t;
		memo[i].v = *v;
		memcpy(memo[i].s, s, n + 1);
	}
	return 0;
}

static int parse(const struct ior_flag *t, const char *s, uint64_t *v)
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
		/* every record has flags: the first byte rules most names out */
		for (f = t; !found && f->name; f++)
			if (f->name[0] == p[0] && !strncmp(f->name, p, len) &&
			    !f->name[len]) {
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

/* ---- the rest of the file-I/O surface (ior-format(5), issue 3) ---- */

const struct ior_flag ior_access_modes[] = {
	{ "R_OK", 4, 0 },
	{ "W_OK", 2, 0 },
	{ "X_OK", 1, 0 },
	{ "F_OK", 0, 7 },	/* only when no other bit is set */
	{ NULL, 0, 0 },
};

/* fcntl commands: values, not flags (ior.h: IOR_FCNTL_CMDS). */
const struct ior_flag ior_fcntl_cmds[] = {
#define FCNTL_NAME(name, value, arg, replay) { #name, value, ~0ull },
	IOR_FCNTL_CMDS(FCNTL_NAME)
#undef FCNTL_NAME
	{ NULL, 0, 0 },
};

/* The commands glibc names have its numbers (the newest it has not). */
_Static_assert(F_OFD_SETLKW == 38 && F_SETLEASE == 1024 &&
	       F_DUPFD_CLOEXEC == 1030 && F_GET_SEALS == 1034 &&
	       F_SET_RW_HINT == 1036 && F_SET_FILE_RW_HINT == 1038 &&
	       RWH_WRITE_LIFE_EXTREME == 5, "the uapi's fcntl commands");

static const struct ior_fcntl_cmd fcntl_rows[] = {
#define FCNTL_ROW(name, value, arg, replay) \
	{ value, IOR_FCNTL_ARG_##arg, IOR_FCNTL_##replay },
	IOR_FCNTL_CMDS(FCNTL_ROW)
#undef FCNTL_ROW
};

const struct ior_fcntl_cmd *ior_fcntl_cmd(uint64_t cmd)
{
	for (size_t i = 0; i < sizeof(fcntl_rows) / sizeof(*fcntl_rows); i++)
		if (fcntl_rows[i].value == cmd)
			return &fcntl_rows[i];
	return NULL;
}

/* The write-life hints of F_SET_RW_HINT (linux/fcntl.h): values. */
const struct ior_flag ior_rw_hints[] = {
	{ "RWH_WRITE_LIFE_NOT_SET", 0, ~0ull },
	{ "RWH_WRITE_LIFE_NONE", 1, ~0ull },
	{ "RWH_WRITE_LIFE_SHORT", 2, ~0ull },
	{ "RWH_WRITE_LIFE_MEDIUM", 3, ~0ull },
	{ "RWH_WRITE_LIFE_LONG", 4, ~0ull },
	{ "RWH_WRITE_LIFE_EXTREME", 5, ~0ull },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_fd_flags[] = {
	{ "FD_CLOEXEC", 1, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_lock_types[] = {
	{ "F_RDLCK", 0, ~0ull },
	{ "F_WRLCK", 1, ~0ull },
	{ "F_UNLCK", 2, ~0ull },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_flock_ops[] = {
	{ "LOCK_SH", 1, 0 },
	{ "LOCK_EX", 2, 0 },
	{ "LOCK_NB", 4, 0 },
	{ "LOCK_UN", 8, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_fallocate_flags[] = {
	{ "FALLOC_FL_KEEP_SIZE", 0x01, 0 },
	{ "FALLOC_FL_PUNCH_HOLE", 0x02, 0 },
	{ "FALLOC_FL_NO_HIDE_STALE", 0x04, 0 },
	{ "FALLOC_FL_COLLAPSE_RANGE", 0x08, 0 },
	{ "FALLOC_FL_ZERO_RANGE", 0x10, 0 },
	{ "FALLOC_FL_INSERT_RANGE", 0x20, 0 },
	{ "FALLOC_FL_UNSHARE_RANGE", 0x40, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_fadvise_advice[] = {
	{ "POSIX_FADV_NORMAL", 0, ~0ull },
	{ "POSIX_FADV_RANDOM", 1, ~0ull },
	{ "POSIX_FADV_SEQUENTIAL", 2, ~0ull },
	{ "POSIX_FADV_WILLNEED", 3, ~0ull },
	{ "POSIX_FADV_DONTNEED", 4, ~0ull },
	{ "POSIX_FADV_NOREUSE", 5, ~0ull },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_madvise_advice[] = {
	{ "MADV_NORMAL", 0, ~0ull },
	{ "MADV_RANDOM", 1, ~0ull },
	{ "MADV_SEQUENTIAL", 2, ~0ull },
	{ "MADV_WILLNEED", 3, ~0ull },
	{ "MADV_DONTNEED", 4, ~0ull },
	{ "MADV_FREE", 8, ~0ull },
	{ "MADV_REMOVE", 9, ~0ull },
	{ "MADV_DONTFORK", 10, ~0ull },
	{ "MADV_DOFORK", 11, ~0ull },
	{ "MADV_MERGEABLE", 12, ~0ull },
	{ "MADV_UNMERGEABLE", 13, ~0ull },
	{ "MADV_HUGEPAGE", 14, ~0ull },
	{ "MADV_NOHUGEPAGE", 15, ~0ull },
	{ "MADV_DONTDUMP", 16, ~0ull },
	{ "MADV_DODUMP", 17, ~0ull },
	{ "MADV_WIPEONFORK", 18, ~0ull },
	{ "MADV_KEEPONFORK", 19, ~0ull },
	{ "MADV_COLD", 20, ~0ull },
	{ "MADV_PAGEOUT", 21, ~0ull },
	{ "MADV_POPULATE_READ", 22, ~0ull },
	{ "MADV_POPULATE_WRITE", 23, ~0ull },
	{ "MADV_DONTNEED_LOCKED", 24, ~0ull },
	{ "MADV_COLLAPSE", 25, ~0ull },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_mmap_prot[] = {
	{ "PROT_READ", 1, 0 },
	{ "PROT_WRITE", 2, 0 },
	{ "PROT_EXEC", 4, 0 },
	{ "PROT_NONE", 0, 7 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_mmap_flags[] = {
	{ "MAP_SHARED_VALIDATE", 0x03, 0x03 },
	{ "MAP_SHARED", 0x01, 0x03 },
	{ "MAP_PRIVATE", 0x02, 0x03 },
	{ "MAP_FIXED", 0x10, 0 },
	{ "MAP_ANONYMOUS", 0x20, 0 },
	{ "MAP_GROWSDOWN", 0x100, 0 },
	{ "MAP_DENYWRITE", 0x800, 0 },
	{ "MAP_EXECUTABLE", 0x1000, 0 },
	{ "MAP_LOCKED", 0x2000, 0 },
	{ "MAP_NORESERVE", 0x4000, 0 },
	{ "MAP_POPULATE", 0x8000, 0 },
	{ "MAP_NONBLOCK", 0x10000, 0 },
	{ "MAP_STACK", 0x20000, 0 },
	{ "MAP_HUGETLB", 0x40000, 0 },
	{ "MAP_SYNC", 0x80000, 0 },
	{ "MAP_FIXED_NOREPLACE", 0x100000, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_msync_flags[] = {
	{ "MS_ASYNC", 1, 0 },
	{ "MS_INVALIDATE", 2, 0 },
	{ "MS_SYNC", 4, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_xattr_flags[] = {
	{ "XATTR_CREATE", 1, 0 },
	{ "XATTR_REPLACE", 2, 0 },
	{ NULL, 0, 0 },
};

/* dup3 takes O_CLOEXEC alone: no access mode to name. */
const struct ior_flag ior_dup3_flags[] = {
	{ "O_CLOEXEC", O_CLOEXEC, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_close_range_flags[] = {
	{ "CLOSE_RANGE_UNSHARE", 2, 0 },
	{ "CLOSE_RANGE_CLOEXEC", 4, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_sync_file_range_flags[] = {
	{ "SYNC_FILE_RANGE_WAIT_BEFORE", 1, 0 },
	{ "SYNC_FILE_RANGE_WRITE", 2, 0 },
	{ "SYNC_FILE_RANGE_WAIT_AFTER", 4, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_splice_flags[] = {
	{ "SPLICE_F_MOVE", 1, 0 },
	{ "SPLICE_F_NONBLOCK", 2, 0 },
	{ "SPLICE_F_MORE", 4, 0 },
	{ "SPLICE_F_GIFT", 8, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_memfd_flags[] = {
	{ "MFD_CLOEXEC", 1, 0 },
	{ "MFD_ALLOW_SEALING", 2, 0 },
	{ "MFD_HUGETLB", 4, 0 },
	{ "MFD_NOEXEC_SEAL", 8, 0 },
	{ "MFD_EXEC", 0x10, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_statx_mask[] = {
	{ "STATX_TYPE", 0x1, 0 },
	{ "STATX_MODE", 0x2, 0 },
	{ "STATX_NLINK", 0x4, 0 },
	{ "STATX_UID", 0x8, 0 },
	{ "STATX_GID", 0x10, 0 },
	{ "STATX_ATIME", 0x20, 0 },
	{ "STATX_MTIME", 0x40, 0 },
	{ "STATX_CTIME", 0x80, 0 },
	{ "STATX_INO", 0x100, 0 },
	{ "STATX_SIZE", 0x200, 0 },
	{ "STATX_BLOCKS", 0x400, 0 },
	{ "STATX_BTIME", 0x800, 0 },
	{ "STATX_MNT_ID", 0x1000, 0 },
	{ "STATX_DIOALIGN", 0x2000, 0 },
	{ NULL, 0, 0 },
};

/* aio_rw_flags of an iocb, and preadv2/pwritev2's flags. */
const struct ior_flag ior_rwf_flags[] = {
	{ "RWF_HIPRI", 0x1, 0 },
	{ "RWF_DSYNC", 0x2, 0 },
	{ "RWF_SYNC", 0x4, 0 },
	{ "RWF_NOWAIT", 0x8, 0 },
	{ "RWF_APPEND", 0x10, 0 },
	{ "RWF_NOAPPEND", 0x20, 0 },
	{ "RWF_ATOMIC", 0x40, 0 },
	{ "RWF_DONTCACHE", 0x80, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_uring_setup_flags[] = {
	{ "IORING_SETUP_IOPOLL", 0x1, 0 },
	{ "IORING_SETUP_SQPOLL", 0x2, 0 },
	{ "IORING_SETUP_SQ_AFF", 0x4, 0 },
	{ "IORING_SETUP_CQSIZE", 0x8, 0 },
	{ "IORING_SETUP_CLAMP", 0x10, 0 },
	{ "IORING_SETUP_ATTACH_WQ", 0x20, 0 },
	{ "IORING_SETUP_R_DISABLED", 0x40, 0 },
	{ "IORING_SETUP_SUBMIT_ALL", 0x80, 0 },
	{ "IORING_SETUP_COOP_TASKRUN", 0x100, 0 },
	{ "IORING_SETUP_TASKRUN_FLAG", 0x200, 0 },
	{ "IORING_SETUP_SQE128", 0x400, 0 },
	{ "IORING_SETUP_CQE32", 0x800, 0 },
	{ "IORING_SETUP_SINGLE_ISSUER", 0x1000, 0 },
	{ "IORING_SETUP_DEFER_TASKRUN", 0x2000, 0 },
	{ "IORING_SETUP_NO_MMAP", 0x4000, 0 },
	{ "IORING_SETUP_REGISTERED_FD_ONLY", 0x8000, 0 },
	{ "IORING_SETUP_NO_SQARRAY", 0x10000, 0 },
	{ "IORING_SETUP_HYBRID_IOPOLL", 0x20000, 0 },
	{ NULL, 0, 0 },
};

const struct ior_flag ior_uring_enter_flags[] = {
	{ "IORING_ENTER_GETEVENTS", 0x1, 0 },
	{ "IORING_ENTER_SQ_WAKEUP", 0x2, 0 },
	{ "IORING_ENTER_SQ_WAIT", 0x4, 0 },
	{ "IORING_ENTER_EXT_ARG", 0x8, 0 },
	{ "IORING_ENTER_REGISTERED_RING", 0x10, 0 },
	{ "IORING_ENTER_ABS_TIMER", 0x20, 0 },
	{ "IORING_ENTER_EXT_ARG_REG", 0x40, 0 },
	{ "IORING_ENTER_NO_IOWAIT", 0x80, 0 },
	{ NULL, 0, 0 },
};

/* The opcode is a value; bit 31 says the descriptor is a registered ring. */
#define REG_OP(name, v) { "IORING_" name, v, 0x7fffffff }
const struct ior_flag ior_uring_register_ops[] = {
	REG_OP("REGISTER_BUFFERS", 0), REG_OP("UNREGISTER_BUFFERS", 1),
	REG_OP("REGISTER_FILES", 2), REG_OP("UNREGISTER_FILES", 3),
	REG_OP("REGISTER_EVENTFD", 4), REG_OP("UNREGISTER_EVENTFD", 5),
	REG_OP("REGISTER_FILES_UPDATE", 6),
	REG_OP("REGISTER_EVENTFD_ASYNC", 7), REG_OP("REGISTER_PROBE", 8),
	REG_OP("REGISTER_PERSONALITY", 9),
	REG_OP("UNREGISTER_PERSONALITY", 10),
	REG_OP("REGISTER_RESTRICTIONS", 11),
	REG_OP("REGISTER_ENABLE_RINGS", 12), REG_OP("REGISTER_FILES2", 13),
	REG_OP("REGISTER_FILES_UPDATE2", 14), REG_OP("REGISTER_BUFFERS2", 15),
	REG_OP("REGISTER_BUFFERS_UPDATE", 16),
	REG_OP("REGISTER_IOWQ_AFF", 17), REG_OP("UNREGISTER_IOWQ_AFF", 18),
	REG_OP("REGISTER_IOWQ_MAX_WORKERS", 19),
	REG_OP("REGISTER_RING_FDS", 20), REG_OP("UNREGISTER_RING_FDS", 21),
	REG_OP("REGISTER_PBUF_RING", 22), REG_OP("UNREGISTER_PBUF_RING", 23),
	REG_OP("REGISTER_SYNC_CANCEL", 24),
	REG_OP("REGISTER_FILE_ALLOC_RANGE", 25),
	REG_OP("REGISTER_PBUF_STATUS", 26), REG_OP("REGISTER_NAPI", 27),
	REG_OP("UNREGISTER_NAPI", 28), REG_OP("REGISTER_CLOCK", 29),
	REG_OP("REGISTER_CLONE_BUFFERS", 30),
	REG_OP("REGISTER_SEND_MSG_RING", 31),
	REG_OP("REGISTER_ZCRX_IFQ", 32), REG_OP("REGISTER_RESIZE_RINGS", 33),
	REG_OP("REGISTER_MEM_REGION", 34),
	{ "IORING_REGISTER_USE_REGISTERED_RING", 0x80000000u, 0 },
	{ NULL, 0, 0 },
};
#undef REG_OP

const struct ior_flag ior_iosqe_flags[] = {
	{ "IOSQE_FIXED_FILE", 0x1, 0 },
	{ "IOSQE_IO_DRAIN", 0x2, 0 },
	{ "IOSQE_IO_LINK", 0x4, 0 },
	{ "IOSQE_IO_HARDLINK", 0x8, 0 },
	{ "IOSQE_ASYNC", 0x10, 0 },
	{ "IOSQE_BUFFER_SELECT", 0x20, 0 },
	{ "IOSQE_CQE_SKIP_SUCCESS", 0x40, 0 },
	{ NULL, 0, 0 },
};

const char *const ior_uring_ops[IOR_URING_OPS] = {
	"nop", "readv", "writev", "fsync", "read_fixed", "write_fixed",
	"poll_add", "poll_remove", "sync_file_range", "sendmsg", "recvmsg",
	"timeout", "timeout_remove", "accept", "async_cancel", "link_timeout",
	"connect", "fallocate", "openat", "close", "files_update", "statx",
	"read", "write", "fadvise", "madvise", "send", "recv", "openat2",
	"epoll_ctl", "splice", "provide_buffers", "remove_buffers", "tee",
	"shutdown", "renameat", "unlinkat", "mkdirat", "symlinkat", "linkat",
	"msg_ring", "fsetxattr", "setxattr", "fgetxattr", "getxattr", "socket",
	"uring_cmd", "send_zc", "sendmsg_zc", "read_multishot", "waitid",
	"futex_wait", "futex_wake", "futex_waitv", "fixed_fd_install",
	"ftruncate", "bind", "listen", "recv_zc", "epoll_wait", "readv_fixed",
	"writev_fixed", "pipe",
};

uint64_t ior_flags(const struct ior_in *in, const char *key, const char *s,
		   const struct ior_flag *t)
{
	uint64_t v = 0;

	if (s && ior_flags_parse(t, s, &v) < 0)
		ior_bad(in, key, "bad flags \"%.40s\"", s);
	return v;
}
