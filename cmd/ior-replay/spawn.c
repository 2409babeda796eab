/*
 * spawn.c - where replay processes come from (spawn.h).
 *
 * A process forked by a multithreaded one is a copy of its memory taken
 * while its other threads may hold locks: those of the sanitizers' or
 * of any allocator. The copy's only thread then waits for them forever
 * (under ASan, 1 replay in 50 hung at the child's exit, in LeakSanitizer's
 * lock of the allocator). So only single-threaded processes fork here:
 *
 *  - A replay process that has never started a thread besides its first
 *    forks itself: its child is exactly the captured one, descriptors,
 *    mappings, rings and all.
 *  - A thread of any other process sends the master, over a socket every
 *    replay process has, the thread index of the new process and one end
 *    of a new socket pair; the master (always single-threaded) forks a
 *    process which takes, on that end, the descriptors of the thread
 *    that asked (their vfds, close-on-exec marks and captured numbers,
 *    the descriptors themselves as SCM_RIGHTS), then runs the thread.
 *    That process has the descriptors of the capture's child, not its
 *    memory: mappings, AIO contexts, io_uring rings and handles are not
 *    inherited (a multithreaded process's child usually only execs).
 *
 * The asking thread sends its descriptors themselves: closing a copy
 * would drop its process's record locks on the file. One that another
 * thread closes meanwhile is left out. It does not wait for the process
 * to be forked: the socket holds the descriptors until then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ior.h"
#include "fdtab.h"
#include "program.h"
#include "shared.h"
#include "signals.h"
#include "spawn.h"
#include "task.h"
#include "window.h"

/* [0]: the master's end, [1]: the replay processes'. */
static int requests[2] = { -1, -1 };
static int threaded;		/* this process has had a second thread */

#define CHUNK 250		/* entries per message: SCM_MAX_FD is 253 */

/* A part of a table, on the socket pair of one fork. */
struct table_msg {
	uint32_t kind;
	uint32_t n;
	int32_t a[CHUNK], b[CHUNK];
};
/* FDS: vfd a[i] is the i-th descriptor passed, b[i] its close-on-exec
 * mark; NUMS: captured number a[i] names vfd b[i]; END: that was all. */
enum { MSG_FDS, MSG_NUMS, MSG_END };

void spawn_init(void)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, requests) < 0)
		ior_err(IOR_EXIT_SYS, "socketpair");
}

void spawn_in_child(void)
{
	close(requests[0]);
	window_in_child();
}

void spawn_threaded(void)
{
	threaded = 1;
}

int spawn_fd(void)
{
	return requests[0];
}

/* One message of len bytes with n descriptors. */
static int send_msg(int s, const void *p, size_t len, const int *fds, int n)
{
	char ctl[CMSG_SPACE(sizeof(int) * CHUNK)] = { 0 };
	struct iovec iov = { (void *)p, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (n) {
		m.msg_control = ctl;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	while (sendmsg(s, &m, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/*
 * One message into p (at most len bytes) and its descriptors into fds
 * (at most max; *n of them). Returns the bytes, 0 at the end, -1.
 */
static ssize_t recv_msg(int s, void *p, size_t len, int *fds, int max,
			int *n, int flags)
{
	char ctl[CMSG_SPACE(sizeof(int) * CHUNK)];
	struct iovec iov = { p, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t r;

	*n = 0;
	while ((r = recvmsg(s, &m, flags | MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	for (c = r > 0 ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c)) {
		int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (int i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (*n < max)
				fds[(*n)++] = fd;
			else
				close(fd);
		}
	}
	if (r > 0 && (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		errno = EMSGSIZE;
		return -1;
	}
	return r;
}

/*
 * Send m and its descriptors fds. A descriptor closed meanwhile, or one
 * the kernel will not pass (an io_uring ring, since Linux 6.5), makes the
 * whole message fail: then each is sent alone and those refused are left
 * out, as if closed.
 */
static void flush(int s, struct table_msg *m, const int *fds)
{
	if (m->kind != MSG_FDS) {
		if (send_msg(s, m, sizeof(*m), NULL, 0) < 0)
			fatal("fork: passing descriptors");
	} else if (m->n && send_msg(s, m, sizeof(*m), fds, m->n) < 0) {
		struct table_msg one = { .kind = MSG_FDS, .n = 1 };

		if (errno != EINVAL && errno != EBADF)
			fatal("fork: passing descriptors");
		for (uint32_t i = 0; i < m->n; i++) {
			one.a[0] = m->a[i];
			one.b[0] = m->b[i];
			if (send_msg(s, &one, sizeof(one), &fds[i], 1) < 0 &&
			    errno != EINVAL && errno != EBADF)
				fatal("fork: passing descriptors");
		}
	}
	m->n = 0;
}

/* The calling thread's descriptors, to the process forked for it. */
static void send_table(int s)
{
	const struct vfd_table *tab = thread_fds;
	struct table_msg m = { .kind = MSG_FDS };
	int fds[CHUNK];

	for (int32_t v = 0; v <= prog.maxvfd; v++) {
		if ((fds[m.n] = real_fd(v)) < 0)
			continue;
		m.a[m.n] = v;
		m.b[m.n] = tab->cloexec[v];
		if (++m.n == CHUNK)
			flush(s, &m, fds);
	}
	flush(s, &m, fds);
	m.kind = MSG_NUMS;
	for (int32_t num = 0; num <= prog.maxfd; num++) {
		int32_t v = __atomic_load_n(&tab->numvfd[num], __ATOMIC_RELAXED);

		if (v < 0)
			continue;
		m.a[m.n] = num;
		m.b[m.n] = v;
		if (++m.n == CHUNK)
			flush(s, &m, fds);
	}
	flush(s, &m, fds);
	m.kind = MSG_END;
	flush(s, &m, fds);
}

/* A kick: a request for no thread, with no descriptor. */
void spawn_kick(void)
{
	uint32_t t = NONE;

	/* a full socket wakes the master anyway */
	if (send(requests[1], &t, sizeof(t), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
	    errno != EAGAIN && errno != EINTR)
		fatal("waking ior-replay");
}

/* Ask the master to fork a process for thread t, with our descriptors. */
static void ask_master(uint32_t t)
{
	int s[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s) < 0)
		fatal("fork: socketpair");
	if (send_msg(requests[1], &t, sizeof(t), &s[1], 1) < 0)
		fatal("fork: asking ior-replay");
	close(s[1]);
	send_table(s[0]);
	close(s[0]);
}

void spawn_fork(uint32_t t)
{
	pid_t pid;

	if (threaded) {
		ask_master(t);
		return;
	}
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid == 0)
		run_process(t, NULL);
}

/*
 * In a process the master forked for a request: the descriptors of the
 * thread that asked, from s, into a table of its own.
 */
static struct vfd_table *receive_table(int s)
{
	struct vfd_table *tab = vfd_table_copy(NULL);
	struct table_msg m;
	int fds[CHUNK], n;
	ssize_t r;

	if (!tab)
		fatal("malloc");
	for (;;) {
		/* The end, too soon: the thread that asked is gone. */
		if ((r = recv_msg(s, &m, sizeof(m), fds, CHUNK, &n, 0)) <= 0)
			_exit(IOR_EXIT_SYS);
		if (r != sizeof(m) || m.n > CHUNK ||
		    (m.kind == MSG_FDS && (uint32_t)n != m.n))
			fatal("fork: a bad message");
		if (m.kind == MSG_END)
			return tab;
		for (uint32_t i = 0; i < m.n; i++) {
			if (m.a[i] < 0 || m.a[i] > (m.kind == MSG_FDS ?
						    prog.maxvfd : prog.maxfd))
				fatal("fork: a bad message");
			if (m.kind == MSG_FDS) {
				tab->real[m.a[i]] = fds[i];
				tab->cloexec[m.a[i]] = m.b[i];
			} else
				tab->numvfd[m.a[i]] = m.b[i];
		}
	}
}

int spawn_serve(int refuse)
{
	int served = 0, c, n;
	uint32_t t;
	ssize_t r;
	pid_t pid;

	while ((r = recv_msg(requests[0], &t, sizeof(t), &c, 1, &n,
			     MSG_DONTWAIT)) != -1 || errno != EAGAIN) {
		if (r == sizeof(t) && n == 0 && t == NONE)
			continue;	/* a kick: the master goes on (window.h) */
		if (r != sizeof(t) || n != 1 || t >= prog.nthreads) {
			ior_warnx("a bad fork request");
			if (n)
				close(c);
			continue;
		}
		if (refuse) {
			close(c);
			continue;
		}
		if ((pid = fork()) < 0) {
			ior_warn("fork");
			close(c);
			return -1;
		}
		if (pid == 0) {
			struct vfd_table *tab;

			signals_child();
			spawn_in_child();
			tab = receive_table(c);
			close(c);
			run_process(t, tab);
		}
		signals_forked(pid);
		close(c);
		served++;
	}
	return served;
}
