/*
 * gen-stream - write a realistic capture (ior-format(5), kind trace) of
 * LINES lines for the stage-throughput benchmark: 4 processes of 4
 * threads each, every thread opening files (some missing), reading and
 * writing them sequentially and at offsets, seeking, syncing, stating
 * and closing them. Deterministic (fixed seed); the number of open files
 * stays small, as in a real application, whatever LINES is.
 *
 *	gen-stream LINES
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PROCS 4
#define THREADS 4		/* per process */
#define FILES 256		/* distinct file names */

struct task {
	int pid, tid;
	int fd;			/* open descriptor, or -1 */
	int file;
	long off;
	int ops;		/* operations left before close */
};

static uint64_t seed = 1;

static unsigned rnd(unsigned n)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return (seed >> 33) % n;
}

int main(int argc, char *argv[])
{
	static char obuf[1 << 20];
	struct task tasks[PROCS * THREADS];
	uint64_t t = 1000;	/* ns since the epoch of the stream */
	long lines, n = 0;

	if (argc != 2 || (lines = atol(argv[1])) < 10) {
		fprintf(stderr, "usage: gen-stream LINES (at least 10)\n");
		return 2;
	}
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	printf("#ior 1 trace\n");
	printf("#meta ior-trace host=bench kernel=6.18.0 epoch=1763764907.000000000 argv=gen-stream\n");
	n = 2;
	for (int p = 0; p < PROCS; p++) {
		for (int th = 0; th < THREADS; th++) {
			struct task *k = &tasks[p * THREADS + th];

			k->pid = 4000 + p * 100;
			k->tid = k->pid + th;
			k->fd = -1;
		}
		printf("0.000000000 %d %d app ior:cwd 0 0 path=/srv/app%d\n",
		       4000 + p * 100, 4000 + p * 100, p);
		n++;
	}
	while (n < lines - 1) {
		struct task *k = &tasks[rnd(PROCS * THREADS)];
		unsigned dur = 300 + rnd(5000);
		unsigned r = rnd(100);

		t += 200 + rnd(800);
		printf("%lu.%09lu %d %d app ", (unsigned long)(t / 1000000000),
		       (unsigned long)(t % 1000000000), k->pid, k->tid);
		if (k->fd < 0) {
			k->file = rnd(FILES);
			if (r < 5) {
				printf("openat -2 %u dirfd=AT_FDCWD path=data/missing-%d.db flags=O_RDONLY mode=0 err=ENOENT\n",
				       dur, k->file);
			} else if (r < 10) {
				printf("newfstatat 0 %u dirfd=AT_FDCWD path=data/file-%d.db flags=0 size=%d ft=reg\n",
				       dur, k->file, 65536 * (1 + k->file % 8));
			} else {
				/* Each thread has its own descriptor number. */
				k->fd = 3 + (k->tid - k->pid);
				k->off = 0;
				k->ops = 5 + rnd(40);
				printf("openat %d %u dirfd=AT_FDCWD path=data/file-%d.db flags=O_RDWR|O_CREAT|O_CLOEXEC mode=0644 ino=%d size=%d ft=reg fs=ext4\n",
				       k->fd, dur, k->file, 131072 + k->file,
				       65536 * (1 + k->file % 8));
			}
		} else if (k->ops-- == 0) {
			printf("close 0 %u fd=%d\n", dur, k->fd);
			k->fd = -1;
		} else if (r < 40) {
			printf("read 4096 %u fd=%d count=4096\n", dur, k->fd);
			k->off += 4096;
		} else if (r < 60) {
			printf("write 4096 %u fd=%d count=4096\n", dur, k->fd);
			k->off += 4096;
		} else if (r < 75) {
			printf("pread64 4096 %u fd=%d count=4096 offset=%u\n",
			       dur, k->fd, rnd(64) * 4096);
		} else if (r < 85) {
			printf("pwrite64 512 %u fd=%d count=512 offset=%u\n",
			       dur, k->fd, rnd(512) * 512);
		} else if (r < 92) {
			printf("lseek 0 %u fd=%d offset=0 whence=SEEK_SET\n", dur, k->fd);
			k->off = 0;
		} else if (r < 96) {
			printf("fstat 0 %u fd=%d size=%ld ft=reg\n", dur, k->fd,
			       k->off + 65536);
		} else {
			printf("fdatasync 0 %u fd=%d\n", dur * 20, k->fd);
		}
		n++;
	}
	printf("#stat ior-trace events=%ld drops=0 unpaired=0\n", n - 2 - PROCS);
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
