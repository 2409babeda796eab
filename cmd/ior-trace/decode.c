/*
 * decode.c - a system call's event read with its row of the table of
 * calls (lib/calls.h). The BPF programs send a call's number and its
 * registers; its row says what each register is.
 */
#include <fcntl.h>
#include <string.h>

#include "decode.h"
#include "output.h"

static const struct ior_call *by_nr[IOR_ABIS][IOR_NR_MAX];	/* by ABI */
static struct row_info infos[IOR_NCALLS];

/* What the formatters need of row id, from its arguments. */
static void find_info(int id)
{
	const struct ior_call *c = &ior_calls[id];
	struct row_info *in = &infos[id];
	int nstr = 0;

	in->flags = in->path = in->dirfd = in->after_path = -1;
	for (int i = 0; i < c->nargs; i++) {
		const struct ior_arg *a = &c->args[i];

		in->reg32[i] = arg_reg32(c, i);
		in->keylen[i] = strlen(a->key);
		in->npaths += a->type == IOR_ARG_PATH &&
			a->form != IOR_FORM_CODE;
		switch (a->type) {
		case IOR_ARG_PATH:
		case IOR_ARG_LINK:
		case IOR_ARG_NAME:
			/* the BPF program reads two strings at most */
			if (nstr == 2)
				ior_errx(IOR_EXIT_SYS, "calls.h: %s: more than "
					 "two strings", c->name);
			in->str[i] = nstr++;
			break;
		case IOR_ARG_FLAGS:
			if (!strcmp(a->key, "flags"))
				in->flags = i;
			break;
		}
		if (a->type == IOR_ARG_PATH && a->form == IOR_FORM_REG) {
			in->path = i;
			in->dirfd = i > 0 && c->args[i - 1].type ==
				    IOR_ARG_DIRFD ? i - 1 : -1;
			in->after_path = a->reg + 1;
		}
		if (!strcmp(a->key, "size"))
			in->skip |= NO_SIZE;
		if (!strcmp(a->key, "uid") || !strcmp(a->key, "gid"))
			in->skip |= NO_OWNER;
	}
}

int arg_reg32(const struct ior_call *c, int i)
{
	int reg = c->args[i].reg;

	if (c->abi32)
		return reg;
	for (int k = 0; k < i; k++)
		if (c->args[k].type == IOR_ARG_LOFF &&
		    c->args[k].form == IOR_FORM_REG)
			reg++;
	return reg;
}

void decode_init(bool (*view_tracks)(const struct ior_call *),
		 bool (*aio_tracks)(const struct ior_call *))
{
	for (int id = 0; id < IOR_NCALLS; id++) {
		const struct ior_call *c = &ior_calls[id];
		const struct ior_call *native = &ior_calls[c->native];

		find_info(id);
		if (view_tracks(native))
			infos[id].after |= AFTER_VIEW;
		if (aio_tracks(native))
			infos[id].after |= AFTER_AIO;
		if (c->capture == IOR_CAPTURE_NONE)
			continue;
		if (!c->abi32 && c->nr64 >= 0 && c->nr64 < IOR_NR_MAX)
			by_nr[IOR_ABI_X86_64][c->nr64] = c;
		if (c->nr32 >= 0 && c->nr32 < IOR_NR_MAX)
			by_nr[IOR_ABI_I386][c->nr32] = c;
	}
}

bool call_decode(struct call_rec *c, const struct ior_event *e,
		 const char *path, const char *path2)
{
	const struct ior_call *row = NULL;

	if (e->nr >= 0 && e->nr < IOR_NR_MAX && e->abi < IOR_ABIS)
		row = by_nr[e->abi][e->nr];
	if (!row)
		return false;
	c->e = e;
	c->row = row;
	c->native = &ior_calls[row->native];
	c->info = &infos[row - ior_calls];
	c->str[0] = path;
	c->str[1] = path2;
	c->ok = e->ret >= 0;
	return true;
}

/*
 * Register argument i of an i386 call: a LOFF is 64 bits over two
 * registers, low first; a LONG a 32-bit long.
 */
uint64_t arg_i386(const struct call_rec *c, int i)
{
	const struct ior_arg *a = &c->row->args[i];
	int reg = c->info->reg32[i];

	switch (a->type) {
	case IOR_ARG_LOFF:
		return call_reg(c, reg) | call_reg(c, reg + 1) << 32;
	case IOR_ARG_LONG:
		return call_long(c, reg);
	}
	return call_reg(c, reg);
}

const char *call_str(const struct call_rec *c, int i)
{
	return c->str[c->info->str[i] & 1];
}

int call_dirfd(const struct call_rec *c)
{
	return c->info->dirfd >= 0 ? (int)call_arg(c, c->info->dirfd) :
				     AT_FDCWD_ARG;
}

const char *call_path(const struct call_rec *c)
{
	return c->info->path >= 0 ? call_str(c, c->info->path) : "";
}

bool call_follows(const struct call_rec *c)
{
	uint64_t flags = c->info->flags >= 0 ? call_arg(c, c->info->flags) : 0;

	switch (c->native->follow) {
	case IOR_FOLLOW_FOLLOW:
		return true;
	case IOR_FOLLOW_AT_FOLLOW:
		return flags & AT_SYMLINK_FOLLOW;
	case IOR_FOLLOW_AT_NOFOLLOW:
		return !(flags & AT_SYMLINK_NOFOLLOW);
	}
	return false;
}
