/*
 * capture.h - the BPF programs (bpf/ior-trace*.bpf.c, one skeleton):
 * told from the table of calls which calls to capture and how, loaded,
 * attached, told which processes to trace, and asked what they lost.
 */
#ifndef IOR_TRACE_CAPTURE_H
#define IOR_TRACE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "ior-trace.h"

struct trace_opts;

/* Open and load the programs for o; exits with a message when it cannot. */
void capture_load(const struct trace_opts *o);
void capture_attach(void);
/* Detach the programs; their maps stay until capture_destroy(). */
void capture_detach(void);
void capture_destroy(void);
/* Set the state (enum ior_tgid_state) of process pid and its threads. */
void set_tgid(int pid, uint32_t state);
/* Whether any process is still traced (or armed). */
bool any_traced(void);
/* A counter of the programs (enum ior_counter), over the CPUs. */
uint64_t capture_counter(enum ior_counter which);
/* Runs of the programs the kernel skipped (recursion). */
uint64_t missed_runs(void);
/* The descriptors of the maps ior-trace reads. */
int events_fd(void);
/* The ring buffer's size in bytes, a power of two. */
size_t events_size(void);
int uring_reqs_fd(void);
int aggs_fd(void);
/* -a: the slots of a half of "aggs" (ior-trace.h). */
uint32_t aggs_half(void);
int sampled_fd(void);
/* -a: the generation the programs count the calls of from now on. */
void set_agg_gen(uint32_t gen);
int uring_paths_fd(void);

#endif
