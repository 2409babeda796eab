/*
 * uring.h - the io_uring rings ior-map follows: a ring is a descriptor
 * (io_uring_setup) whose description holds the files registered with it,
 * which uring: requests name by index (fixed=).
 */
#ifndef MAP_URING_H
#define MAP_URING_H

#include <stdint.h>

#include "ior.h"
#include "slots.h"

#define RING_SLOTS_MAX (1 << 16)	/* registered files followed per ring */

struct ofd;
struct recinfo;
struct task;

/*
 * The registered files of a ring, owned by the ring's description: each
 * the description it holds, and the vfd it came from.
 */
struct ring_files {
	struct slots files;	/* by index */
};

struct ring_files *ring_new(void);
void ring_free(struct ring_files *g);

/*
 * Whether the fd of io_uring_register or io_uring_enter is an index into
 * the ring descriptors registered with IORING_REGISTER_RING_FDS, not a
 * descriptor: those are not followed.
 */
int ring_fd_is_index(const struct ior_in *in, const struct ior_rec *r,
		     const struct recinfo *ri, enum ior_map c);
/*
 * A uring: request: fixed= names a registered file of the ring; the
 * record gets its vfd, ofd and file. Returns the ring's files, or NULL.
 */
struct ring_files *uring_request(const struct ior_in *in,
				 const struct ior_rec *r, struct recinfo *ri,
				 const struct task *t);
/*
 * io_uring_setup, io_uring_register, the uring: requests on files and
 * ior:fixed (a ring's ior:fd is made a ring by do_open).
 */
void do_uring(const struct ior_in *in, const struct ior_rec *r,
	      struct recinfo *ri, struct task *t, struct ring_files *g,
	      enum ior_map c);

#endif
