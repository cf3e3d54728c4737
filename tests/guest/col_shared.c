// SPDX-License-Identifier: GPL-2.0
/*
 * col_shared: a socket shared by a parent and its child has a row for each
 * (pid, fd), same inode, each with that process's pid and comm; and the
 * uid column is the socket owner's uid (fstat of the socket), not the
 * process's: a child that became uid 65534 shows 65534 for the socket it
 * created and 0 for the one it inherited from root.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int s_tcp, s_pair[2];

static int holder(void *arg, int *vals, int max)
{
	(void)arg;
	(void)vals;
	(void)max;
	return gt_set_comm("gt-holder") ? -1 : 0;
}

static int nobody(void *arg, int *vals, int max)
{
	(void)arg;
	(void)max;
	if (gt_set_comm("gt-nobody") || gt_become(65534, 65534))
		return -1;
	vals[0] = socket(AF_INET6, SOCK_DGRAM, 0);
	vals[1] = socket(AF_UNIX, SOCK_STREAM, 0);
	return vals[0] < 0 || vals[1] < 0 ? -1 : 2;
}

static void both(const char *what, pid_t child, int fd, int peer)
{
	const struct gt_row *rows[4];
	struct gt_table *t;
	struct gt_want w = { 0 };
	char name[64];
	int n;

	if (peer >= 0)
		gt_want_set(&w, GT_REMOTE, "%llu", gt_fstat_ino(peer));
	snprintf(name, sizeof(name), "%s.parent", what);
	gt_check_fd(name, 0, fd, &w);
	snprintf(name, sizeof(name), "%s.child", what);
	gt_check_fd(name, child, fd, &w);
	gt_want_free(&w);

	t = gt_load(0);
	n = t ? gt_find_ino(t, gt_fstat_ino(fd), rows, 4) : -1;
	snprintf(name, sizeof(name), "%s.rows_for_inode", what);
	/* s_pair[1] is held by both too, but has another inode */
	gt_check_num(name, "rows with this ino", 2, n);
	gt_free(t);
}

int main(void)
{
	struct gt_child ch, nb;
	struct gt_want w = { 0 };

	gt_lo_up();
	s_tcp = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 5, true);
	if (s_tcp < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, s_pair))
		gt_fatal("setup", "sockets: %s", strerror(errno));
	if (gt_child_start(&ch, holder, NULL))
		gt_fatal("setup", "child: %s", strerror(errno));
	both("tcp_listen", ch.pid, s_tcp, -1);
	both("socketpair_end0", ch.pid, s_pair[0], s_pair[1]);
	gt_child_stop(&ch);

	if (gt_child_start(&nb, nobody, NULL))
		gt_fatal("setup", "uid 65534 child: %s", strerror(errno));
	gt_want_set(&w, GT_UID, "65534");
	gt_check_fd("uid_65534_udp6", nb.pid, nb.vals[0], &w);
	gt_want_set(&w, GT_REMOTE, "*");
	gt_check_fd("uid_65534_unix", nb.pid, nb.vals[1], &w);
	gt_want_free(&w);
	gt_want_set(&w, GT_UID, "0");
	gt_check_fd("uid_0_inherited", nb.pid, s_tcp, &w);
	gt_want_free(&w);
	gt_child_stop(&nb);
	return gt_done();
}
