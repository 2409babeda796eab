// SPDX-License-Identifier: GPL-2.0
/*
 * ior-trace-sched.bpf.c - the processes of a capture: forks, execs and
 * exits, from the sched tracepoints. A traced process's children are
 * traced; a command ior-trace launched is traced from its exec on; the
 * processes of ior-trace's own pipeline, and their children, never are,
 * nor ior-trace itself, nor any other ior-trace.
 */
#include "ior-trace.bpf.h"

/*
 * Whether comm is "ior-trace": another capture. Two captures that traced
 * each other would each make events of the other's formatting, without
 * end; so neither traces the other (ior_exec here, at its exec; at
 * start, userspace).
 */
static __always_inline bool is_tracer(const char *comm)
{
	const char name[] = "ior-trace";

#pragma unroll
	for (int i = 0; i < (int)sizeof(name); i++)
		if (comm[i] != name[i])
			return false;
	return true;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ior_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct ior_event *e;
	__u64 flags = 0;
	__u32 state;

	if (is_self(parent))
		return 0;
	state = tgid_state(ptgid);
	if (state == IOR_TGID_TRACER) {
		/* its threads are not traced; what it starts, as if new */
		if (ctgid == ptgid)
			set_thread(child->pid, state);
		return 0;
	}
	if (state == IOR_TGID_EXCLUDED) {
		/* the children of our own pipeline stay out too */
		if (ctgid != ptgid)
			bpf_map_update_elem(&tgids, &ctgid, &state, BPF_ANY);
		set_thread(child->pid, state);
		return 0;
	}
	if (state != IOR_TGID_TRACED)
		return 0;
	if (ctgid != ptgid && !trace_all)
		bpf_map_update_elem(&tgids, &ctgid, &state, BPF_ANY);
	set_thread(child->pid, state);

	if (child->mm == parent->mm)
		flags |= CLONE_VM;
	if (child->fs == parent->fs)
		flags |= CLONE_FS;
	if (child->files == parent->files)
		flags |= CLONE_FILES;
	if (ctgid == ptgid)
		flags |= CLONE_THREAD;
	if (aggregate)		/* followed, not written */
		return 0;
	e = new_event(IOR_EV_FORK, bpf_ktime_get_ns(), parent);
	if (!e)
		return 0;
	e->args[0] = child->pid;
	e->args[1] = ctgid;
	e->args[2] = flags;
	output(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ior_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid, tid = p->pid, state;
	__u32 traced = IOR_TGID_TRACED, old = old_pid;
	struct ior_thread *th;
	struct entry_state *sv;
	struct ior_event *e;
	__u64 time = 0;
	long n;

	if (is_self(p))
		return 0;
	if (is_tracer(p->comm)) {
		/* another capture: not traced from here on, unrecorded */
		state = IOR_TGID_TRACER;
		bpf_map_update_elem(&tgids, &tgid, &state, BPF_ANY);
		set_thread(tid, state);
		if (old != tid)
			set_thread(old, IOR_TGID_UNKNOWN);
		bpf_map_delete_elem(&entries, &tid);
		bpf_map_delete_elem(&entries, &old);
		return 0;
	}
	state = tgid_state(tgid);
	if (state == IOR_TGID_TRACER) {
		/* an ior-trace no more (its command, forked): as if new */
		bpf_map_delete_elem(&tgids, &tgid);
		set_thread(tid, IOR_TGID_UNKNOWN);
		state = tgid_state(tgid);
	}
	if (state == IOR_TGID_ARMED) {
		bpf_map_update_elem(&tgids, &tgid, &traced, BPF_ANY);
		set_thread(tid, IOR_TGID_TRACED);
	} else if (state != IOR_TGID_TRACED) {
		if (!notify_exec)
			return 0;
		traced = 0;
	}
	if (traced && old != tid) {
		/* a thread exec'd: it returns from execve as the leader */
		if ((th = bpf_map_lookup_elem(&threads, &old))) {
			time = th->time;
			th->time = 0;
			th->state = IOR_TGID_UNKNOWN;
		}
		if ((th = bpf_map_lookup_elem(&threads, &tid))) {
			th->time = time;
			th->state = IOR_TGID_TRACED;
		}
		if ((sv = bpf_map_lookup_elem(&entries, &old))) {
			bpf_map_update_elem(&entries, &tid, sv, BPF_ANY);
			bpf_map_delete_elem(&entries, &old);
		}
	}
	/* -a writes only what -c must see: the exec of an untraced one */
	if (aggregate && traced)
		return 0;
	e = new_event(IOR_EV_EXEC, bpf_ktime_get_ns(), p);
	if (!e)
		return 0;
	e->args[0] = old;
	e->args[1] = traced != 0;
	n = bpf_probe_read_kernel_str(e->data, IOR_PATH_MAX,
				      BPF_CORE_READ(bprm, filename));
	e->len1 = n > 0 ? n : 0;
	if (traced)
		bpf_map_update_elem(&exec_paths, &tid, e->data, BPF_ANY);
	output(e);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ior_exit, struct task_struct *p, bool group_dead)
{
	__u32 tgid = p->tgid, tid = p->pid;
	int code = p->exit_code;
	struct ior_event *e;

	if (is_self(p))
		return 0;
	set_thread(tid, IOR_TGID_UNKNOWN);	/* its tid may be reused */
	if (tgid_state(tgid) == IOR_TGID_TRACED) {
		bpf_map_delete_elem(&exec_paths, &tid);
		bpf_map_delete_elem(&entries, &tid);
		e = aggregate ? NULL :
		    new_event(IOR_EV_EXIT, bpf_ktime_get_ns(), p);
		if (e) {
			/* like a shell: 128+N when killed by signal N */
			e->args[0] = code & 0x7f ? 128 + (code & 0x7f) : code >> 8;
			e->args[1] = group_dead;
			output(e);
		}
	}
	if (group_dead)
		bpf_map_delete_elem(&tgids, &tgid);
	return 0;
}
