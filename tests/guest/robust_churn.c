// SPDX-License-Identifier: GPL-2.0
/*
 * robust_churn: read /proc/sockfd while everything it walks changes.
 * Writers, for CHURN_SECS seconds (SOCKFD_CHURN_SECS overrides):
 *   sockets     TCP pairs (data sent, half-closed into CLOSE_WAIT, closed
 *               into TIME_WAIT, left un-accepted), UDP, unix pairs,
 *               netlink; opened and closed at random; a second one in its
 *               own network namespace
 *   forks       (as uid 65534) children that open a few sockets and exit at
 *               once or soon
 *   threads     threads that unshare(CLONE_FILES), open sockets, dup2 one
 *               to a high fd and exit
 *   highfd      dup2 of a socket to random fds between 2^18 and 2^19, 8
 *               at a time: a large, sparse, changing fd table
 *   exec        a non-leader thread execs (the kernel's de_thread(): the
 *               thread takes over the leader's pid); the new image opens
 *               sockets and exits
 * Readers, at the same time: whole-file reads (1 MiB read() calls, the
 * file reopened each pass), small reads (1..300 bytes, a random size per
 * pass, lseek to 0 between passes), and an unprivileged reader (uid 65534).
 * Per reader: every pass has the header, ends with a newline, every line
 * well-formed (field count, numeric fields numeric, no control bytes), no
 * (pid, fd) twice in one pass, and at least MIN_PASSES passes were made.
 * Kernel warnings during the run are failures of the runner.
 * concurrency: yes
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHURN_SECS 20
#define MIN_PASSES 3
#define MAX_HELD 64
#define HIGH_FD (1 << 19)
#define HIGH_HELD 8	/* high fds open at a time */

static double deadline;
static int churn_secs = CHURN_SECS;
static int in_netns = 1;	/* socket_writer's arg: unshare the netns */

static unsigned int seed_of(int salt)
{
	return (unsigned int)(getpid() * 2654435761u) ^ (unsigned int)salt;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A TCP connection to port that never blocks (the accept queue may be
 * full): the handshake completes, or not, in the background. */
static int tcp_connect_nb(int port)
{
	struct sockaddr_storage ss;
	socklen_t len = gt_loopback_addr(AF_INET, port, &ss);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (s >= 0 && connect(s, (struct sockaddr *)&ss, len) &&
	    errno != EINPROGRESS)
		close_fd(&s);
	return s;
}

/* One random socket action on the held set. */
static void socket_step(int *held, int lst, int port, unsigned int *seed)
{
	int i = rand_r(seed) % MAX_HELD, j = (i + 1) % MAX_HELD, sv[2];
	char buf[512] = { 0 };

	switch (rand_r(seed) % 9) {
	case 0:		/* a TCP pair, accepted */
		close_fd(&held[i]);
		close_fd(&held[j]);
		held[i] = tcp_connect_nb(port);
		held[j] = accept4(lst, NULL, NULL,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);
		break;
	case 1:		/* a connection left in the accept queue */
		close_fd(&held[i]);
		held[i] = tcp_connect_nb(port);
		break;
	case 2:		/* data that stays queued */
		if (held[i] >= 0)
			send(held[i], buf, 1 + rand_r(seed) % sizeof(buf),
			     MSG_DONTWAIT | MSG_NOSIGNAL);
		break;
	case 3:		/* half close: the peer goes to CLOSE_WAIT */
		if (held[i] >= 0)
			shutdown(held[i], SHUT_WR);
		break;
	case 4:
		close_fd(&held[i]);
		held[i] = rand_r(seed) % 2 ?
			gt_inet_socket(AF_INET6, SOCK_DGRAM, 0, -1, false) :
			gt_inet_connect(AF_INET, SOCK_DGRAM, port);
		break;
	case 5:
		close_fd(&held[i]);
		close_fd(&held[j]);
		if (socketpair(AF_UNIX,
			       rand_r(seed) % 2 ? SOCK_STREAM : SOCK_DGRAM, 0,
			       sv) == 0) {
			held[i] = sv[0];
			held[j] = sv[1];
		}
		break;
	case 6:
		close_fd(&held[i]);
		held[i] = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		break;
	case 7:		/* accept what is queued */
		close_fd(&held[i]);
		held[i] = accept4(lst, NULL, NULL,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);
		break;
	default:
		close_fd(&held[i]);
		break;
	}
}

static void socket_writer(void *arg)
{
	int held[MAX_HELD], lst, port, i;
	unsigned int seed = seed_of(1);

	if (arg && (unshare(CLONE_NEWNET) || gt_lo_up())) {
		gt_fail("writer.netns", "unshare(CLONE_NEWNET): %s",
			strerror(errno));
		return;
	}
	gt_set_comm(arg ? "churn-netns" : "churn sockets");
	lst = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 16, false);
	port = gt_port(lst);
	if (lst < 0 || port < 0) {
		gt_fail("writer.setup", "listener: %s", strerror(errno));
		return;
	}
	fcntl(lst, F_SETFL, O_NONBLOCK);
	for (i = 0; i < MAX_HELD; i++)
		held[i] = -1;
	while (gt_now() < deadline)
		socket_step(held, lst, port, &seed);
}

static void fork_writer(void *arg)
{
	unsigned int seed = seed_of(2);
	int live = 0;

	(void)arg;
	/* As uid 65534, so the unprivileged reader walks exiting tasks too. */
	if (gt_become(65534, 65534)) {
		gt_fail("writer.forks", "become 65534: %s", strerror(errno));
		return;
	}
	while (gt_now() < deadline) {
		pid_t p;

		while (live > 0 &&
		       waitpid(-1, NULL, live >= 4 ? 0 : WNOHANG) > 0)
			live--;
		p = fork();
		if (p == 0) {
			int n = 1 + rand_r(&seed) % 4, k;

			for (k = 0; k < n; k++)
				socket(k % 2 ? AF_UNIX : AF_INET, SOCK_STREAM,
				       0);
			if (rand_r(&seed) % 2)
				gt_msleep((unsigned int)(rand_r(&seed) % 5));
			_exit(0);
		}
		if (p > 0)
			live++;
	}
	while (live-- > 0)
		wait(NULL);
}

static void *unsharing_thread(void *arg)
{
	unsigned int seed_v = (unsigned int)(unsigned long)arg, *seed = &seed_v;
	int s;

	if (unshare(CLONE_FILES))
		return NULL;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s >= 0)
		dup2(s, 1000 + rand_r(seed) % 60000);
	socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (rand_r(seed) % 2)
		gt_msleep(1);
	return NULL;	/* the thread's own table goes with it */
}

static void thread_writer(void *arg)
{
	unsigned int seed = seed_of(3);

	(void)arg;
	gt_set_comm("churn\tthreads");
	while (gt_now() < deadline) {
		pthread_t th[4];
		int k, n = 0;

		for (k = 0; k < 4; k++) {
			void *tseed = (void *)(unsigned long)rand_r(&seed);

			if (pthread_create(&th[n], NULL, unsharing_thread,
					   tseed) == 0)
				n++;
		}
		for (k = 0; k < n; k++)
			pthread_join(th[k], NULL);
	}
}

static void highfd_writer(void *arg)
{
	unsigned int seed = seed_of(4);
	int ring[HIGH_HELD] = { 0 }, s, k = 0;

	(void)arg;
	if (gt_raise_nofile(HIGH_FD + 1)) {
		gt_fail("writer.highfd", "RLIMIT_NOFILE %d: %s", HIGH_FD + 1,
			strerror(errno));
		return;
	}
	s = socket(AF_INET6, SOCK_STREAM, 0);
	while (gt_now() < deadline) {
		/* Above the low fds this process lives on (its report pipe). */
		int fd = HIGH_FD / 2 + rand_r(&seed) % (HIGH_FD / 2);

		if (ring[k])
			close(ring[k]);
		ring[k] = dup2(s, fd) == fd ? fd : 0;
		k = (k + 1) % HIGH_HELD;
	}
}

#define EXEC_ARG "--churn-exec-child"

/* Thread of exec_writer's child: exec this program in EXEC_ARG mode. */
static void *exec_thread(void *arg)
{
	char *const argv[] = { "robust_churn", EXEC_ARG, NULL };

	(void)arg;
	execv("/proc/self/exe", argv);
	_exit(1);
}

static void exec_writer(void *arg)
{
	int execs = 0, status;

	(void)arg;
	while (gt_now() < deadline) {
		pid_t p;

		fflush(stdout);
		p = fork();
		if (p == 0) {
			pthread_t th;

			socket(AF_INET, SOCK_DGRAM, 0);
			if (pthread_create(&th, NULL, exec_thread, NULL))
				_exit(1);
			for (;;)
				pause();	/* until the exec ends this thread */
		}
		if (p > 0 && waitpid(p, &status, 0) == p &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			execs++;
	}
	printf("# writer exec: %d execs from a thread\n", execs);
	gt_check("writer.exec", execs > 0, "no exec from a thread succeeded");
}

/* The image exec_writer's threads exec: sockets, a moment, exit. */
static int exec_child(void)
{
	socket(AF_UNIX, SOCK_STREAM, 0);
	socket(AF_INET6, SOCK_DGRAM, 0);
	gt_msleep(2);
	return 0;
}

/* ---- readers ---------------------------------------------------------- */

struct reader {
	const char *name;
	bool small;		/* small reads, lseek(0) between passes */
	bool unpriv;
	/* results */
	int passes, max_rows, bad_passes;
	long rows;
	char first_bad[700];
};

static void reader_run(void *arg)
{
	struct reader *rd = arg;
	unsigned int seed = seed_of(5);
	char check[64], msg[700];
	int fd = -1, errors = 0, first_errno = 0;

	if (rd->unpriv && gt_become(65534, 65534)) {
		gt_fail("reader.setup", "become 65534: %s", strerror(errno));
		return;
	}
	while (gt_now() < deadline) {
		size_t len = 0;
		char *text;

		if (rd->small) {
			if (fd < 0)
				fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
			else if (lseek(fd, 0, SEEK_SET) != 0)
				close_fd(&fd);
			/* A small read() size, new for every pass. */
			size_t chunk = 1 + (size_t)(rand_r(&seed) % 300);

			text = fd >= 0 ? gt_read_fd(fd, chunk, &len) : NULL;
		} else {
			text = gt_read_file(GT_PROC, 1 << 20, &len);
		}
		if (!text) {
			if (!errors++)
				first_errno = errno;
			close_fd(&fd);
			continue;
		}
		rd->passes++;
		if (gt_pass_problem(text, len, msg, sizeof(msg))) {
			if (!rd->bad_passes++)
				snprintf(rd->first_bad, sizeof(rd->first_bad),
					 "%s", msg);
		} else {
			int rows = 0;
			char *p;

			for (p = text; p < text + len &&
			     (p = memchr(p, '\n', len - (size_t)(p - text)));
			     p++)
				rows++;
			rd->rows += rows - 1;
			if (rows - 1 > rd->max_rows)
				rd->max_rows = rows - 1;
		}
		free(text);
	}
	close_fd(&fd);
	printf("# reader %s: %d passes, %ld rows, at most %d in a pass\n",
	       rd->name, rd->passes, rd->rows, rd->max_rows);
	snprintf(check, sizeof(check), "%s.reads", rd->name);
	gt_check(check, errors == 0, "%d read passes failed, first: %s",
		 errors, strerror(first_errno));
	snprintf(check, sizeof(check), "%s.wellformed_unique", rd->name);
	gt_check(check, rd->bad_passes == 0, "%d of %d passes bad, first: %s",
		 rd->bad_passes, rd->passes, rd->first_bad);
	snprintf(check, sizeof(check), "%s.passes", rd->name);
	gt_check(check, rd->passes >= MIN_PASSES,
		 "passes in %d s: want at least %d got %d", churn_secs,
		 MIN_PASSES, rd->passes);
}

int main(int argc, char **argv)
{
	static struct reader readers[] = {
		{ .name = "whole" },
		{ .name = "small", .small = true },
		{ .name = "unpriv", .unpriv = true, .small = true },
	};
	static void (*const writers[])(void *) = {
		socket_writer, socket_writer, fork_writer, thread_writer,
		highfd_writer, exec_writer,
	};
	enum { NW = sizeof(writers) / sizeof(writers[0]),
	       NR = sizeof(readers) / sizeof(readers[0]) };
	struct gt_forked w[NW], r[NR];
	const char *env = getenv("SOCKFD_CHURN_SECS");
	int i;

	if (argc == 2 && strcmp(argv[1], EXEC_ARG) == 0)
		return exec_child();
	if (env && atoi(env) > 0)
		churn_secs = atoi(env);
	signal(SIGPIPE, SIG_IGN);
	deadline = gt_now() + churn_secs;
	printf("# %d s, %d writers, %d readers\n", churn_secs, NW, NR);
	for (i = 0; i < NW; i++)
		if (gt_fork_start(&w[i], writers[i], i == 1 ? &in_netns : NULL))
			gt_fatal("setup", "writer %d: %s", i, strerror(errno));
	for (i = 0; i < NR; i++)
		if (gt_fork_start(&r[i], reader_run, &readers[i]))
			gt_fatal("setup", "reader %s: %s", readers[i].name,
				 strerror(errno));
	for (i = 0; i < NR; i++)
		gt_fork_wait(&r[i], "reader");
	for (i = 0; i < NW; i++) {
		gt_fork_wait(&w[i], "writer");
		printf("# writer %d done %.1f s after the deadline\n", i,
		       gt_now() - deadline);
	}
	return gt_done();
}
