// SPDX-License-Identifier: GPL-2.0
/*
 * col_userns: the uid column is the socket owner's uid as seen from the
 * reader's user namespace. A child creates a socket as root, enters a new
 * user namespace in which the parent maps uid/gid 0 to 65534 outside,
 * becomes uid 0 there (65534 outside) and creates a second socket. The
 * child, reading /proc/sockfd itself, must see 65534 (the overflow uid:
 * root outside has no mapping) for the first and 0 for the second; fstat
 * inside gives the same (ground truth). The parent (root, initial user
 * namespace) sees 0 and 65534.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sync {
	int up[2];   /* child -> parent */
	int down[2]; /* parent -> child */
	int fds[2];  /* the two sockets (same numbers in both processes) */
};

static void inside(void *arg)
{
	struct sync *y = arg;
	struct gt_want w = { 0 };
	struct stat st;
	char c = 0;

	y->fds[0] = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (y->fds[0] < 0 || unshare(CLONE_NEWUSER) ||
	    write(y->up[1], &c, 1) != 1 || read(y->down[0], &c, 1) != 1 ||
	    setresgid(0, 0, 0) || setresuid(0, 0, 0)) {
		gt_fail("inside_setup", "user namespace: %s", strerror(errno));
		return;
	}
	y->fds[1] = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (y->fds[1] < 0) {
		gt_fail("inside_setup", "socket: %s", strerror(errno));
		return;
	}
	gt_check("inside_premise_fstat_uids",
		 fstat(y->fds[0], &st) == 0 && st.st_uid == 65534 &&
			 fstat(y->fds[1], &st) == 0 && st.st_uid == 0,
		 "fstat uids inside: want 65534 and 0");
	gt_want_set(&w, GT_REMOTE, "*");
	gt_want_set(&w, GT_UID, "65534");
	gt_check_fd("inside_root_socket_unmapped", 0, y->fds[0], &w);
	gt_want_set(&w, GT_UID, "0");
	gt_check_fd("inside_own_socket_uid0", 0, y->fds[1], &w);
	gt_want_free(&w);
	/* hand over to the parent, wait until it has looked */
	if (write(y->up[1], y->fds, sizeof(y->fds)) != sizeof(y->fds) ||
	    read(y->down[0], &c, 1) != 1)
		gt_fail("inside_sync", "pipe: %s", strerror(errno));
}

int main(void)
{
	struct sync y;
	struct gt_forked f;
	struct gt_want w = { 0 };
	char path[64], c = 0;
	int fds[2];

	if (pipe(y.up) || pipe(y.down) || gt_fork_start(&f, inside, &y))
		gt_fatal("setup", "fork: %s", strerror(errno));
	if (read(y.up[0], &c, 1) != 1)
		gt_fatal("setup", "child did not enter a user namespace");
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)f.pid);
	if (gt_write_file(path, "0 65534 1\n"))
		gt_fatal("setup", "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)f.pid);
	if (gt_write_file(path, "0 65534 1\n"))
		gt_fatal("setup", "%s: %s", path, strerror(errno));
	if (write(y.down[1], &c, 1) != 1 ||
	    read(y.up[0], fds, sizeof(fds)) != sizeof(fds))
		gt_fatal("setup", "child failed");

	gt_want_set(&w, GT_REMOTE, "*");
	gt_want_set(&w, GT_UID, "0");
	gt_check_fd("outside_root_socket", f.pid, fds[0], &w);
	gt_want_set(&w, GT_UID, "65534");
	gt_check_fd("outside_userns_socket", f.pid, fds[1], &w);
	gt_want_free(&w);
	if (write(y.down[1], &c, 1) != 1)
		gt_fail("sync", "pipe: %s", strerror(errno));
	gt_fork_wait(&f, "inside");
	return gt_done();
}
