// SPDX-License-Identifier: GPL-2.0
/*
 * steps.bpf.c - the capture-cost benchmark's baseline and the steps a
 * paired capture takes beyond it, each measured on its own so that the
 * bench shows where a traced call's nanoseconds go. Step 0 does nothing:
 * the cost of the hooks alone (the raw syscall tracepoints, the cheapest
 * here). Each later step adds one thing ior-trace must do for the calls
 * it traces (pread64, all the loop makes):
 *   1  the call-number filter, the task and its thread's slot;
 *   2  a clock read at entry, kept in the slot, and one at exit: DUR;
 *   3  an event of ior-trace's small size written in place in a ring
 *      buffer, which the loader reads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NR_PREAD64 17
#define EVENT_SIZE 128		/* about ior-trace's IOR_EV_SMALL */

const volatile int step = 0;
/* events step 3 could not write: a full ring, which the loader reports */
__u64 lost = 0;

struct slot {
	__u64 time;
};

/* Sized to pid_max by the loader, as ior-trace's "threads". */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct event {
	__u64 time, dur;
	__s64 ret;
	__u32 pid, tid;
	__u64 args[6];
	char comm[16];
	__u8 pad[EVENT_SIZE - 88];
};

/*
 * The slot of the current thread for a call nr the steps trace, with the
 * current task in *task, else NULL: the task is fetched only for them.
 */
static __always_inline struct slot *slot_of(long nr, struct task_struct **task)
{
	__u32 tid;

	if (nr != NR_PREAD64)
		return NULL;
	*task = bpf_get_current_task_btf();
	tid = (*task)->pid;
	return bpf_map_lookup_elem(&slots, &tid);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	struct slot *s;

	if (step < 1 || !(s = slot_of(id, &task)))
		return 0;
	if (step >= 2)
		s->time = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct event *e;
	struct slot *s;
	__u64 time, dur;

	if (step < 1 || !(s = slot_of(regs->orig_ax, &task)))
		return 0;
	if (step < 2)
		return 0;
	time = s->time;
	s->time = 0;
	dur = bpf_ktime_get_ns() - time;
	if (step < 3)
		return 0;
	if (!(e = bpf_ringbuf_reserve(&events, sizeof(*e), 0))) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	e->time = time;
	e->dur = dur;
	e->ret = ret;
	e->pid = task->tgid;
	e->tid = task->pid;
	e->args[0] = regs->di;
	e->args[1] = regs->si;
	e->args[2] = regs->dx;
	e->args[3] = regs->r10;
	e->args[4] = regs->r8;
	e->args[5] = regs->r9;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
