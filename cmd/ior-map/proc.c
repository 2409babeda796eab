/*
 * proc.c - tasks, processes and working directories (proc.h). The maps
 * from kernel ids to tasks and processes and the virtual id counter live
 * here for the whole run; a task lives from its first record (or fork)
 * to its exit, a process to its last task's.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "files.h"
#include "proc.h"
#include "record.h"

static struct ior_hashmap tasks, procs;	/* by kernel tid, pid */
static int64_t next_vid = 1;

/* ---- working directories ---- */

static struct task_fs *fs_new(void)
{
	struct task_fs *f = ior_xcalloc(1, sizeof(*f));

	f->refs = 1;
	return f;
}

static void fs_set(struct task_fs *f, const char *cwd)
{
	size_t n = strlen(cwd) + 1;

	if (f->cap < n) {
		f->cwd = ior_xrealloc(f->cwd, n);
		f->cap = n;
	}
	memcpy(f->cwd, cwd, n);
	f->known = 1;
}

static struct task_fs *fs_copy(const struct task_fs *src)
{
	struct task_fs *f = fs_new();

	if (src->known)
		fs_set(f, src->cwd);
	return f;
}

static void fs_unref(struct task_fs *f)
{
	if (--f->refs > 0)
		return;
	free(f->cwd);
	free(f);
}

/* ---- tasks and processes ---- */

static struct vproc *proc_new(int64_t kpid)
{
	struct vproc *p = ior_xcalloc(1, sizeof(*p));

	p->kpid = kpid;
	p->vpid = next_vid++;
	ior_hashmap_put(&procs, kpid, p);
	return p;
}

static struct task *task_new(struct vproc *p, int64_t ktid, int64_t vtid,
			     struct task_files *files, struct task_fs *fs)
{
	struct task *t = ior_xcalloc(1, sizeof(*t));

	t->ktid = ktid;
	t->vtid = vtid;
	t->proc = p;
	t->files = files;
	t->fs = fs;
	t->next = p->tasks;
	if (p->tasks)
		p->tasks->prev = t;
	p->tasks = t;
	ior_hashmap_put(&tasks, ktid, t);
	return t;
}

/* Free a task, and its process with its last task. */
static void task_free(struct task *t)
{
	struct vproc *p = t->proc;

	ior_hashmap_del(&tasks, t->ktid, t);
	if (t->prev)
		t->prev->next = t->next;
	else
		p->tasks = t->next;
	if (t->next)
		t->next->prev = t->prev;
	files_unref(t->files);
	fs_unref(t->fs);
	free(t);
	if (!p->tasks) {
		ior_hashmap_del(&procs, p->kpid, p);
		mappings_free(&p->maps);
		free(p);
	}
}

static void proc_free(struct vproc *p)
{
	struct task *t;
	int last;

	do {
		t = p->tasks;
		last = !t->next;
		task_free(t);
	} while (!last);
}

struct task *task_get(int64_t kpid, int64_t ktid)
{
	struct task *t = ior_hashmap_get(&tasks, ktid);
	struct vproc *p;
	struct task_files *files;
	struct task_fs *fs;
	int64_t vtid;

	if (t && t->proc->kpid == kpid)
		return t;
	if (t)
		task_free(t);	/* exit missed, kernel id reused */
	p = ior_hashmap_get(&procs, kpid);
	if (p) {
		files = p->tasks->files;
		fs = p->tasks->fs;
		files->refs++;
		fs->refs++;
	} else {
		p = proc_new(kpid);
		files = files_new();
		fs = fs_new();
	}
	if (ktid == kpid && !p->vpid_used) {
		p->vpid_used = 1;
		vtid = p->vpid;
	} else
		vtid = next_vid++;
	return task_new(p, ktid, vtid, files, fs);
}

struct task *exec_task(const struct ior_in *in, struct ior_rec *r,
		       struct recinfo *ri)
{
	struct task *t, *old;
	int64_t otid;

	if (ri->otid < 0)
		return task_get(r->pid, r->tid);
	otid = ior_kv_int(in, r, ri->otid);
	t = ior_hashmap_get(&tasks, otid);
	if (otid == r->tid || !t || t->proc->kpid != r->pid) {
		t = task_get(r->pid, r->tid);
	} else {
		if ((old = ior_hashmap_get(&tasks, r->tid)))
			task_free(old);	/* the old leader, exit not seen yet */
		ior_hashmap_del(&tasks, otid, t);
		t->ktid = r->tid;
		ior_hashmap_put(&tasks, t->ktid, t);
	}
	ri->otid_v = t->vtid;
	return t;
}

void unshare_files(struct task *t)
{
	struct task_files *f = t->files;

	if (f->refs > 1) {
		t->files = files_copy(f);
		files_unref(f);
	}
}

void do_fork(const struct ior_in *in, const struct ior_rec *r,
	     struct recinfo *ri, struct task *parent)
{
	int thread, files, fs;
	int64_t kchild, kcpid;
	struct task *old;
	struct vproc *p;
	int64_t vtid;

	if (ri->child < 0)
		ior_bad(in, "child", "missing");
	kchild = ior_kv_int(in, r, ri->child);
	thread = kv_has_flag(in, r, ri->flags, ior_clone_flags, CLONE_THREAD);
	files = kv_has_flag(in, r, ri->flags, ior_clone_flags, CLONE_FILES);
	fs = kv_has_flag(in, r, ri->flags, ior_clone_flags, CLONE_FS);
	kcpid = ri->cpid >= 0 ? ior_kv_int(in, r, ri->cpid) :
		thread ? parent->proc->kpid : kchild;
	if (kchild == parent->ktid)
		ior_bad(in, "child", "the forking task itself");
	if (!thread && kcpid == parent->proc->kpid)
		ior_bad(in, "cpid", "a new process with its parent's pid");
	if ((old = ior_hashmap_get(&tasks, kchild)))
		task_free(old);	/* its exit was missed */
	if (thread) {
		p = parent->proc;
		vtid = next_vid++;
	} else {
		if ((p = ior_hashmap_get(&procs, kcpid)))
			proc_free(p);	/* its exit was missed */
		p = proc_new(kcpid);
		p->vpid_used = 1;
		vtid = p->vpid;
	}
	if (files)
		parent->files->refs++;
	if (fs)
		parent->fs->refs++;
	task_new(p, kchild, vtid,
		 files ? parent->files : files_copy(parent->files),
		 fs ? parent->fs : fs_copy(parent->fs));
	if (!thread)
		mappings_copy(&p->maps, &parent->proc->maps);
	ri->child_v = vtid;
	ri->cpid_v = p->vpid;
	ri->kchild = kchild;
}

static int is_cloexec(struct fd_slot *f)
{
	return f->cloexec;
}

/*
 * exec unshares the table, as the kernel does, closes O_CLOEXEC and
 * starts a new address space.
 */
void do_exec(struct task *t)
{
	struct task_files *f;

	unshare_files(t);
	f = t->files;
	slots_clear_if(&f->fds, 0, INT64_MAX, is_cloexec);
	mappings_clear(&t->proc->maps);
}

/* sched:exit: the task, or with group=1 its whole process, is gone. */
void do_exit(const struct ior_in *in, const struct ior_rec *r,
	     const struct recinfo *ri, struct task *t)
{
	if (ri->group >= 0 && ior_kv_int(in, r, ri->group) == 1)
		proc_free(t->proc);
	else
		task_free(t);
}

/* unshare: CLONE_FILES copies the table, CLONE_FS the cwd. */
void do_unshare(const struct ior_in *in, const struct ior_rec *r,
		struct recinfo *ri, struct task *t)
{
	uint64_t flags = ior_kv_flags(in, r, ri->flags, ior_clone_flags);

	if (r->ret < 0)
		return;
	if (flags & CLONE_FILES)
		unshare_files(t);
	if ((flags & CLONE_FS) && t->fs->refs > 1) {
		struct task_fs *f = t->fs;

		t->fs = fs_copy(f);
		fs_unref(f);
	}
}

void do_cwd(const struct ior_rec *r, const struct recinfo *ri,
	    struct task *t, enum ior_map c)
{
	switch (c) {
	case IOR_MAP_GETCWD:
		/* What getcwd returned is the cwd. */
		if (r->ret > 0 && !t->fs->known && ri->path[0] >= 0 &&
		    ri->raw[0][0] == '/')
			fs_set(t->fs, ri->raw[0]);
		break;
	case IOR_MAP_CHDIR:
		if (r->ret == 0 && ri->path[0] >= 0) {
			if (ri->resolved[0])
				fs_set(t->fs, ri->raw[0]);
			else
				t->fs->known = 0;
		}
		break;
	case IOR_MAP_FCHDIR:
		if (r->ret == 0) {
			if (ri->ofd && ri->ofd->abs)
				fs_set(t->fs, ri->ofd->path);
			else
				t->fs->known = 0;
		}
		break;
	case IOR_MAP_IORCWD:
		if (ri->resolved[0])
			fs_set(t->fs, ri->raw[0]);
		break;
	default:
		break;
	}
}

int64_t vid_peek(void)
{
	return next_vid;
}

void proc_cleanup(void)
{
	for (size_t i = 0; i < procs.cap; i++)
		while (procs.slot[i].val)
			proc_free(procs.slot[i].val);
	ior_hashmap_free(&tasks);
	ior_hashmap_free(&procs);
}
