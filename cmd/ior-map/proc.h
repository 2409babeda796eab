/*
 * proc.h - ior-map's tasks and processes: the kernel's pids and tids
 * mapped to virtual ids, each task's descriptor table and working
 * directory (shared as CLONE_FILES and CLONE_FS share them), and each
 * process's file mappings. fork, exec and exit change them as they
 * change the kernel's.
 */
#ifndef MAP_PROC_H
#define MAP_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "ior.h"
#include "mapping.h"

struct recinfo;
struct task_files;

/* A working directory, shared by tasks created with CLONE_FS. */
struct task_fs {
	int refs;
	int known;
	size_t cap;
	char *cwd;
};

struct vproc;

/* A task (thread) of the stream: its kernel tid and virtual tid. */
struct task {
	int64_t ktid, vtid;
	struct vproc *proc;
	struct task *prev, *next;	/* the process's tasks */
	struct task_files *files;
	struct task_fs *fs;
};

/* A process of the stream: its kernel pid, virtual pid and mappings. */
struct vproc {
	int64_t kpid, vpid;
	int vpid_used;		/* vpid was given to the leader task */
	struct task *tasks;	/* never empty while the process exists */
	struct mappings maps;
};

/*
 * The task of a record. A task not announced by sched:fork joins the
 * live process of its kernel pid (sharing its table and cwd, as threads
 * do) or starts a new one. The leader gets vtid == vpid.
 */
struct task *task_get(int64_t kpid, int64_t ktid);
/*
 * The task of a sched:exec record. A non-leader thread that executes
 * takes its leader's kernel tid (otid is its old one): it keeps its vtid.
 */
struct task *exec_task(const struct ior_in *in, struct ior_rec *r,
		       struct recinfo *ri);
/* Give the task its own copy of a shared descriptor table. */
void unshare_files(struct task *t);

/* sched:fork, sched:exec, sched:exit, unshare. */
void do_fork(const struct ior_in *in, const struct ior_rec *r,
	     struct recinfo *ri, struct task *parent);
void do_exec(struct task *t);
void do_exit(const struct ior_in *in, const struct ior_rec *r,
	     const struct recinfo *ri, struct task *t);
void do_unshare(const struct ior_in *in, const struct ior_rec *r,
		struct recinfo *ri, struct task *t);
/* chdir, fchdir, getcwd, ior:cwd: what the working directory is now. */
void do_cwd(const struct ior_rec *r, const struct recinfo *ri,
	    struct task *t, enum ior_map c);

/* The virtual id the next task gets. */
int64_t vid_peek(void);

/* Free every task and process (at the end). */
void proc_cleanup(void);

#endif
