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
	int8_t flags;		/* its FLAGS argument keyed "flags", or -1 */
	int8_t path;		/* its last PATH argument, or -1 */
	int8_t dirfd;		/* the DIRFD argument before it, or -1 */
	int8_t after_path;	/* the register after that PATH's, or -1 */
	uint8_t skip;		/* NO_SIZE, NO_OWNER: keys of its arguments */
	uint8_t str[IOR_ARGS_MAX];	/* of a PATH, LINK or NAME argument:
					   which string of the event (0, 1) */
};

/* One system call's record, being written. */
struct call_rec {
	const struct ior_event *e;
	const struct ior_call *row;	/* its row: CALL and argument layout */
	const struct ior_call *native;	/* the row it is handled as */
	const struct row_info *info;	/* of row */
	const char *str[2];		/* the event's strings ("": none) */
	bool ok;			/* RET >= 0 */
};

/* Index the table by number; check what the formatters rely on. */
void decode_init(void);
/*
 * Fill c for event e (IOR_EV_SYSCALL) and its strings; false when no
 * row has its number.
 */
bool call_decode(struct call_rec *c, const struct ior_event *e,
		 const char *path, const char *path2);
/* Register reg of the call, as the kernel read it (unsigned). */
uint64_t call_reg(const struct call_rec *c, int reg);
/* The value of argument i of c's row (a register, or a value read). */
uint64_t call_arg(const struct call_rec *c, int i);
/* The string of argument i (PATH, LINK, NAME). */
const char *call_str(const struct call_rec *c, int i);
/* The dirfd and path that argument info->path names (AT_FDCWD: none). */
int call_dirfd(const struct call_rec *c);
const char *call_path(const struct call_rec *c);
/* Whether the call follows a symbolic link in its path's last component. */
bool call_follows(const struct call_rec *c);

#endif
