/*
 * syscall.h - the record of a system call, written from its row of the
 * table of calls (lib/calls.h): each argument the row lists, in order,
 * by its type, and the keys whose meaning is a call's own (X in the
 * row) by a handler of that key.
 */
#ifndef IOR_TRACE_SYSCALL_H
#define IOR_TRACE_SYSCALL_H

struct call_rec;

/* Find the handler of each X key of the table; exit when one has none. */
void syscall_init(void);
void write_syscall(const struct call_rec *c);

/* A handler of X keys, and the ones other concerns (AIO, io_uring) own. */
typedef void put_code_fn(const struct call_rec *c);

#endif
