/*
 * decode.h - a system call's event read with its row of the table of
 * calls (lib/calls.h): which row its number names, and the value of each
 * argument the row lists.
 */
#ifndef IOR_TRACE_DECODE_H
#define IOR_TRACE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/types.h>

#include "ior.h"
#include "ior-trace.h"

/* What the formatters need of a row, found once from its arguments. */
struct row_info {
	uint8_t after;		/* AFTER_*: what follows its records */
	int8_t flags;		/* its FLAGS argument keyed "flags", or -1 */
	int8_t path;		/* its last PATH argument, or -1 */
	int8_t dirfd;		/* the DIRFD argument before it, or -1 */
	int8_t after_path;	/* the register after that PATH's, or -1 */
	uint8_t skip;		/* NO_SIZE, NO_OWNER: keys of its arguments */
	uint8_t str[IOR_ARGS_MAX];	/* of a PATH, LINK or NAME argument:
					   which string of the event (0, 1) */
	uint8_t reg32[IOR_ARGS_MAX];	/* of a register argument: its i386
					   register (a LOFF takes two) */
	uint8_t npaths;		/* PATH arguments not X(): paths to describe */
	uint8_t keylen[IOR_ARGS_MAX];	/* each argument's key's length */
};

/* What a call's record is followed by (row_info's after). */
#define AFTER_VIEW 1		/* view_track: it may change the process view */
#define AFTER_AIO 2		/* aio_track: it submits or reaps AIO requests */

/* One system call's record, being written. */
struct call_rec {
	const struct ior_event *e;
	const struct ior_call *row;	/* its row: CALL and argument layout */
	const struct ior_call *native;	/* the row it is handled as */
	const struct row_info *info;	/* of row */
	const char *str[2];		/* the event's strings ("": none) */
	bool ok;			/* RET >= 0 */
};

/*
 * Index the table by number; find what each row's records need. Rows
 * whose calls view_tracks or aio_tracks says change what those follow
 * are followed by them.
 */
void decode_init(bool (*view_tracks)(const struct ior_call *),
		 bool (*aio_tracks)(const struct ior_call *));
/*
 * Fill c for event e (IOR_EV_SYSCALL) and its strings; false when no
 * row has its number.
 */
bool call_decode(struct call_rec *c, const struct ior_event *e,
		 const char *path, const char *path2);
/*
 * Register reg of the call, as the kernel read it: unsigned, 32 bits for
 * an i386 call; call_long the same read as a (signed) long of its ABI.
 */
/* Whether the call is an i386 (ia32) process's. */
static inline bool call_i386(const struct call_rec *c)
{
	return c->e->abi == IOR_ABI_I386;
}

static inline uint64_t call_reg(const struct call_rec *c, int reg)
{
	if (reg < 0 || reg >= 6)
		return 0;
	return call_i386(c) ? (uint32_t)c->e->args[reg] : c->e->args[reg];
}

static inline int64_t call_long(const struct call_rec *c, int reg)
{
	return call_i386(c) ? (int32_t)call_reg(c, reg) :
			      (int64_t)call_reg(c, reg);
}

/* Register argument i of an i386 call (a LOFF over two registers). */
uint64_t arg_i386(const struct call_rec *c, int i);
/*
 * The i386 register of argument i of row c: its own for an i386 row;
 * for a row of both ABIs, x86_64's after one more for each earlier LOFF.
 */
int arg_reg32(const struct ior_call *c, int i);
/* The value of argument i of c's row (a register, or a value read). */
static inline uint64_t call_arg(const struct call_rec *c, int i)
{
	const struct ior_arg *a = &c->row->args[i];

	switch (a->form) {
	case IOR_FORM_REG:
		return call_i386(c) ? arg_i386(c, i) : c->e->args[a->reg % 6];
	case IOR_FORM_VAL:
	case IOR_FORM_OPT:
		return c->e->val[a->val & 3];
	}
	return 0;
}
/* The string of argument i (PATH, LINK, NAME). */
const char *call_str(const struct call_rec *c, int i);
/* The dirfd and path that argument info->path names (AT_FDCWD: none). */
int call_dirfd(const struct call_rec *c);
const char *call_path(const struct call_rec *c);
/* Whether the call follows a symbolic link in its path's last component. */
bool call_follows(const struct call_rec *c);

#endif
