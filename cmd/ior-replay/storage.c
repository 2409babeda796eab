/*
 * storage.c - the root's block device in /proc/diskstats (storage.h).
 *
 * The device is the one whose major:minor is the root directory's
 * st_dev: a partition, a dm or md device or a loop device is listed
 * under its own numbers, so this is the device the file system issues
 * to. File systems with no block device (tmpfs, NFS, overlayfs) and those
 * with an anonymous one (btrfs) have none there. File systems mounted
 * beneath the root are not counted.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "ior.h"
#include "paths.h"
#include "storage.h"

/*
 * The counters of a /proc/diskstats line after its name, in its order
 * (the kernel's Documentation/admin-guide/iostats.rst); lines of older
 * kernels have fewer, the rest are 0.
 */
static const char *const keys[] = {
	"reads", "reads_merged", "read_sectors", "read_ms",
	"writes", "writes_merged", "write_sectors", "write_ms",
	"in_flight", "io_ms", "queue_ms",
	"discards", "discards_merged", "discard_sectors", "discard_ms",
	"flushes", "flush_ms",
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct disk_snap {
	int taken;
	unsigned maj, min;	/* the root's st_dev */
	char name[64];		/* "" when /proc/diskstats has no such line */
	uint64_t v[NKEYS];
	struct timespec at;	/* CLOCK_REALTIME */
};

static struct disk_snap snaps[2];

/* The line of /proc/diskstats for maj:min into s; 0 when there is none. */
static int find_line(struct disk_snap *s)
{
	char line[512];
	FILE *f = fopen("/proc/diskstats", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		int at = 0, n;
		char *p;

		if (sscanf(line, "%u %u %63s %n", &maj, &min, s->name, &at) < 3 ||
		    maj != s->maj || min != s->min)
			continue;
		p = line + at;
		for (size_t k = 0; k < NKEYS; k++, p += n) {
			unsigned long long v;

			if (sscanf(p, "%llu%n", &v, &n) != 1)
				break;
			s->v[k] = v;
		}
		found = 1;
	}
	fclose(f);
	return found;
}

void storage_note(int when)
{
	struct disk_snap *s = &snaps[when];
	struct stat st;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_REALTIME, &s->at);
	s->taken = 1;
	if (fstat(root.fd, &st) < 0)
		return;
	s->maj = major(st.st_dev);
	s->min = minor(st.st_dev);
	if (!find_line(s))
		s->name[0] = '\0';
}

void storage_put(struct ior_out *out, int when)
{
	const struct disk_snap *s = &snaps[when];

	if (!s->taken)
		return;
	ior_puts(out, "#disk ior-replay at=");
	ior_puts(out, when == STORAGE_START ? "start" : "end");
	ior_puts(out, " time=");
	ior_put_time(out, s->at.tv_sec * 1000000000ull + s->at.tv_nsec);
	ior_printf(out, " dev=%u:%u", s->maj, s->min);
	if (!s->name[0]) {
		ior_puts(out, " name=-\n");
		return;
	}
	ior_put_kv_esc(out, "name", s->name);
	for (size_t k = 0; k < NKEYS; k++)
		ior_printf(out, " %s=%llu", keys[k], (unsigned long long)s->v[k]);
	ior_putc(out, '\n');
}
