// SPDX-License-Identifier: GPL-2.0
/*
 * empty.bpf.c - the baseline of the capture-cost benchmark: programs on
 * the raw syscall tracepoints that do nothing, so the cost measured is
 * that of the hooks alone.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sys_enter")
int on_enter(void *ctx)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int on_exit(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
