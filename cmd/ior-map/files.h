/*
 * files.h - ior-map's model of open file descriptions and descriptor
 * tables, as the kernel keeps them: a description is shared by the
 * descriptors dup'ed from it and by forked copies; a table by the tasks
 * created with CLONE_FILES.
 */
#ifndef MAP_FILES_H
#define MAP_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "ior.h"
#include "slots.h"

#define FD_MAX IOR_PROG_FD_MAX	/* descriptors above are not tracked */

struct recinfo;
struct ring_files;
struct task;

/*
 * An open file description: its ofd id, its path and, for an io_uring
 * ring, the ring's registered files. Freed ones are kept for reuse with
 * their buffer: no malloc per open in steady state.
 */
struct ofd {
	uint64_t id;
	int refs;
	int abs;		/* path is absolute (else as captured) */
	size_t cap;
	char *path;		/* raw path, NUL, its escaped form, NUL, tail */
	char *esc;
	/*
	 * " ofd=ID file=ESC" (" ofd=ID" for a path not absolute), as every
	 * record on the description ends: made once, copied per record.
	 */
	char *tail;
	size_t tail_len;
	int esc_checked;	/* esc passed ior-gen's check as a file= */
	struct ring_files *ring;	/* a ring's description: its files */
	struct ofd *next_free;
};

/* A descriptor table, shared by tasks created with CLONE_FILES. */
struct task_files {
	int refs;
	struct slots fds;	/* by descriptor number */
};

/* A new description of path (len bytes), with no reference yet. */
struct ofd *ofd_new(const char *path, size_t len, int abs);
void ofd_unref(struct ofd *o);
/* Give back a new description nothing came to refer to. */
void ofd_discard(struct ofd *o);

/* The vfd the next descriptor gets, and taking it. */
uint64_t vfd_peek(void);
uint64_t vfd_new(void);

struct task_files *files_new(void);
/* A copy keeps the vfd and ofd of every descriptor, as fork(2) does. */
struct task_files *files_copy(const struct task_files *src);
void files_unref(struct task_files *t);

/* Descriptor fd of t, or NULL when closed or unknown. */
struct fd_slot *fd_get(const struct task_files *t, int64_t fd);
/* Close fd if open; returns 1 if it was. */
int fd_close(struct task_files *t, int64_t fd);
/*
 * Install o at fd (closed by the caller) with a new vfd; NULL when fd is
 * not tracked (o is then discarded if nothing refers to it).
 */
struct fd_slot *fd_install(struct task_files *t, int64_t fd, struct ofd *o,
			   int cloexec);

/* Free the descriptions kept for reuse (at the end). */
void files_cleanup(void);

/*
 * Records that open, duplicate and close descriptors. add_open: a new
 * descriptor fd on a new description of path, for the record's vfd and
 * ofd. add_dup: a new descriptor fd on the record's description, for
 * its vfd2; a target still open is closed: dup2 and dup3 do that, dup
 * and F_DUPFD pick a free one, so for them (missed) it was a missed
 * close.
 */
void add_open(struct recinfo *ri, struct task *t, int64_t fd,
	      const char *path, int cloexec);
void add_dup(struct recinfo *ri, struct task *t, int64_t fd, int cloexec,
	     int missed);
void do_open(const struct ior_in *in, const struct ior_rec *r,
	     struct recinfo *ri, struct task *t, enum ior_map c);
void do_dup(const struct ior_in *in, const struct ior_rec *r,
	    struct recinfo *ri, struct task *t, enum ior_map c);
void do_fcntl(const struct ior_in *in, const struct ior_rec *r,
	      struct recinfo *ri, struct task *t);
void do_close_range(const struct ior_in *in, const struct ior_rec *r,
		    struct recinfo *ri, struct task *t);

#endif
