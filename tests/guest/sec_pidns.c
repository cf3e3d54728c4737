// SPDX-License-Identifier: GPL-2.0
/*
 * sec_pidns: pids are those of the procfs instance the file is opened
 * through. A helper unshares CLONE_NEWPID; its child C is pid 1 of the new
 * namespace, unshares CLONE_NEWNS and mounts a procfs at PROC2; C starts D
 * (pid 2), which starts a thread with its own fd table (tid 3). All hold
 * sockets; the outer test process holds one that C does not inherit.
 *   inner.*    C reading PROC2/sockfd: exactly the socket fds of ids 1, 2
 *              and 3 (against PROC2/ID/fd), no other id, not the outer
 *              socket
 *   outer.*    C reading /proc/sockfd (the outer procfs): its and D's
 *              sockets under their outer pids, the outer test process's
 *              socket under its pid
 *   outside.*  the outer test process opening the inner procfs through
 *              /proc/C/root/PROC2/sockfd: inner pids again (the namespace
 *              is the procfs instance's, not the reader's)
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROC2 "/tmp/sec_pidns_proc"

struct setup {
	pid_t outer_test;		/* the test process, outer pid */
	int outer_sock;			/* its socket (closed in the helper) */
	unsigned long long outer_ino;
	int ready[2];			/* C -> test: C's outer pid, tid 3 */
	int release[2];			/* test -> C: done */
};

static pid_t self_outer_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

/* D (pid 2 inside): a socket and a thread with its own fd table; vals:
 * the socket's fd, D's outer pid, the thread's tid (inner). */
static int child_d(void *arg, int *vals, int max)
{
	(void)arg;
	(void)max;
	vals[0] = socket(AF_INET, SOCK_DGRAM, 0);
	vals[1] = self_outer_pid();
	vals[2] = gt_own_table_thread(AF_INET6, SOCK_DGRAM, NULL);
	return vals[0] < 0 || vals[1] <= 0 || vals[2] <= 0 ? -1 : 3;
}

static void check_no_ino(const char *check, const struct gt_table *t,
			 unsigned long long ino)
{
	const struct gt_row *r[1];
	int n = gt_find_ino(t, ino, r, 1);

	gt_check(check, n == 0, "socket:[%llu] of the outer test process: want no row got '%s'",
		 ino, n ? r[0]->line : "");
}

static struct gt_table *load_path(const char *path)
{
	size_t len;
	char *text = gt_read_file(path, 4096, &len);
	struct gt_table *t = text ? gt_parse(text, len) : NULL;

	free(text);
	return t;
}

/* C: pid 1 of the new namespace. */
static void child_c(void *arg)
{
	struct setup *s = arg;
	pid_t inner[3] = { 1, 2 }, outer[3], msg[2], c_outer = self_outer_pid();
	struct gt_child d;
	struct gt_table *t;
	int sock, ok = 0;
	char b;

	if (!gt_check("premise.pid1", getpid() == 1, "getpid() in the new pid namespace: want 1 got %d",
		      getpid()))
		goto out;
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    (mkdir(PROC2, 0755) && errno != EEXIST) ||
	    mount("proc", PROC2, "proc", 0, NULL)) {
		gt_fail("setup", "mount namespace and procfs at %s: %s", PROC2,
			strerror(errno));
		goto out;
	}
	/* D first, so that it does not inherit C's socket. */
	if (gt_child_start(&d, child_d, NULL) ||
	    (sock = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) {
		gt_fail("setup", "sockets / child D: %s", strerror(errno));
		goto out;
	}
	gt_check("premise.pid2", d.pid == 2, "D's pid inside: want 2 got %d",
		 d.pid);
	inner[2] = d.vals[2];
	printf("# inside: C pid 1 (outer %d), D pid %d (outer %d), D's thread %d; outer test pid %d\n",
	       c_outer, d.pid, d.vals[1], inner[2], s->outer_test);

	t = load_path(PROC2 "/sockfd");
	if (t) {
		gt_check_ids("inner.ids", t, PROC2, inner, 3);
		gt_check_only_pids("inner.only_namespace", t, inner, 3);
		gt_check_ino_under("inner.own_socket_as_pid1", t,
				gt_fstat_ino(sock), 1);
		check_no_ino("inner.no_outer_socket", t, s->outer_ino);
		gt_free(t);
	} else {
		gt_fail("inner.read", "%s/sockfd: %s", PROC2, strerror(errno));
	}

	outer[0] = c_outer;
	outer[1] = d.vals[1];
	outer[2] = s->outer_test;
	t = load_path("/proc/sockfd");
	if (t) {
		gt_check_ids("outer.ids", t, "/proc", outer, 3);
		gt_check_ino_under("outer.own_socket_as_outer_pid", t,
				gt_fstat_ino(sock), c_outer);
		gt_check_ino_under("outer.test_socket", t, s->outer_ino,
				s->outer_test);
		gt_free(t);
	} else {
		gt_fail("outer.read", "/proc/sockfd: %s", strerror(errno));
	}
	ok = 1;
out:
	/* Tell the test process where to look (or that setup failed), then
	 * hold the namespace until it is done. */
	msg[0] = ok ? c_outer : -1;
	msg[1] = inner[2];
	if (write(s->ready[1], msg, sizeof(msg)) == sizeof(msg) && ok)
		while (read(s->release[0], &b, 1) < 0 && errno == EINTR)
			;
	if (ok)
		gt_child_stop(&d);
}

/* The helper: a new pid namespace for its children; C is the first. */
static void helper(void *arg)
{
	struct setup *s = arg;
	struct gt_forked c;

	close(s->outer_sock);
	close(s->ready[0]);
	close(s->release[1]);
	if (unshare(CLONE_NEWPID)) {
		gt_fail("setup", "unshare(CLONE_NEWPID): %s", strerror(errno));
		return;
	}
	if (gt_fork_start(&c, child_c, s)) {
		gt_fail("setup", "fork into the new pid namespace: %s",
			strerror(errno));
		return;
	}
	close(s->ready[1]);
	close(s->release[0]);
	gt_fork_wait(&c, "inner.child");
}

/* The test process reads the inner procfs through C's root. */
static void from_outside(const struct setup *s, pid_t c_outer, pid_t tid)
{
	pid_t inner[3] = { 1, 2, tid };
	char root[PATH_MAX], file[PATH_MAX + 16];
	struct gt_table *t;

	snprintf(root, sizeof(root), "/proc/%d/root%s", c_outer, PROC2);
	snprintf(file, sizeof(file), "%s/sockfd", root);
	t = load_path(file);
	if (!t) {
		gt_fail("outside.read", "%s: %s", file, strerror(errno));
		return;
	}
	gt_check_ids("outside.ids", t, root, inner, 3);
	gt_check_only_pids("outside.only_namespace", t, inner, 3);
	check_no_ino("outside.no_reader_socket", t, s->outer_ino);
	gt_free(t);
}

int main(void)
{
	struct setup s = { .outer_test = getpid() };
	struct gt_forked h;
	pid_t msg[2];	/* C's outer pid (-1: failed), the thread's inner tid */

	s.outer_sock = socket(AF_INET, SOCK_STREAM, 0);
	s.outer_ino = gt_fstat_ino(s.outer_sock);
	if (s.outer_sock < 0 || pipe(s.ready) || pipe(s.release))
		gt_fatal("setup", "socket/pipe: %s", strerror(errno));
	if (gt_fork_start(&h, helper, &s))
		gt_fatal("setup", "fork: %s", strerror(errno));
	close(s.ready[1]);
	close(s.release[0]);
	if (read(s.ready[0], msg, sizeof(msg)) == sizeof(msg) && msg[0] > 0)
		from_outside(&s, msg[0], msg[1]);
	else
		gt_fail("outside.setup", "no namespace to read (C failed)");
	close(s.release[1]);
	gt_fork_wait(&h, "helper");
	rmdir(PROC2);
	return gt_done();
}
