/*
 * record.h - one record through ior-gen: the keys it looks at, and the
 * record decided: dropped (counted), or inferred from, ordered and
 * spooled.
 */
#ifndef GEN_RECORD_H
#define GEN_RECORD_H

#include "ior.h"

/*
 * The keys ior-gen reads, each a member of struct args: those the checks
 * read (ior_check_rec_vals, ior_check_op_vals), first, then ior-gen's
 * own.
 */
#define ARG_KEYS(X) IOR_CHECK_KEYS(X) X(fs) X(ft) X(nlink) X(exec) \
	X(seq) X(after)
enum {
#define ARG_INDEX(k) ARG_##k,
	ARG_KEYS(ARG_INDEX)
#undef ARG_INDEX
	NARGS
};

/*
 * The keys of a record, found in one pass: a value, or NULL when absent.
 * A path2 that is a link's content (stat, readlink) is moved to target,
 * and symlink's and memfd_create's path is dropped: they name no entry.
 */
struct args {
	union {
		const char *val[NARGS];		/* by ARG_ index */
		struct {
#define ARG_MEMBER(k) const char *k;
			ARG_KEYS(ARG_MEMBER)
#undef ARG_MEMBER
		};
	};
	const char *target;
	int input_seq;		/* the input has seq= or after=: replaced */
	int rewritten;		/* a value of r->kv is ior-gen's */
	/* the numbers the checks parsed (ior-gen rewrites no number) */
	struct ior_check_nums nums;
};

/* The name of each key, by ARG_ index. */
extern const char *const arg_names[NARGS];

/*
 * Key k's value (present) as ior_int() reads it: the number the checks
 * parsed, else parsed here (an error names the key).
 */
static inline int64_t arg_int(const struct ior_in *in, const struct args *a,
			      int k)
{
	return k < IOR_CHECK_NKEYS ?
		ior_check_int(in, &a->nums, k, arg_names[k], a->val[k]) :
		ior_int(in, arg_names[k], a->val[k]);
}

/* Key k's value (present) as ior_uint() reads it, likewise. */
static inline uint64_t arg_uint(const struct ior_in *in, const struct args *a,
				int k)
{
	return k < IOR_CHECK_NKEYS ?
		ior_check_uint(in, &a->nums, k, arg_names[k], a->val[k]) :
		ior_uint(in, arg_names[k], a->val[k]);
}

/*
 * Key k's value as ior_off() reads it, likewise; 0 when absent: a size
 * or an offset of a file, at most 2^63 - 1, as the kernel's loff_t, so
 * that the sizes ior-gen writes ior-init takes (the checks refused
 * others).
 */
static inline uint64_t arg_off(const struct ior_in *in, const struct args *a,
			       int k)
{
	if (!a->val[k])
		return 0;
	return k < IOR_CHECK_NKEYS ?
		ior_check_off(in, &a->nums, k, arg_names[k], a->val[k]) :
		ior_off(in, arg_names[k], a->val[k]);
}

/* Ready to read records. */
void record_init(void);
/* Decide the fate of one record: drop it (counted) or spool it. */
void gen_record(const struct ior_in *in, struct ior_rec *r,
		struct ior_out *spool);
/* Records read. */
unsigned long records_read(void);
/* Free what was kept (at the end). */
void record_cleanup(void);
/*
 * At the end of the input: the requests still waiting for their
 * submitting call never had one in the stream (dropped.orphan).
 */
void gen_finish(void);

#endif
