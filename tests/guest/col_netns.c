// SPDX-License-Identifier: GPL-2.0
/*
 * col_netns: the netns column is the socket's own network namespace.
 * A child creates sockets, calls unshare(CLONE_NEWNET), creates more: the
 * old ones keep the old namespace's inode (/proc/self/ns/net of the
 * parent), the new ones get the new one (/proc/CHILD/ns/net); the ground
 * truth per socket is ioctl(SIOCGSKNS) via gt_expect. Every column checked.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int child(void *arg, int *vals, int max)
{
	(void)arg;
	(void)max;
	vals[0] = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 3, true);
	vals[1] = socket(AF_UNIX, SOCK_STREAM, 0);
	if (vals[0] < 0 || vals[1] < 0 || unshare(CLONE_NEWNET) || gt_lo_up())
		return -1;
	vals[2] = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 3, true);
	vals[3] = socket(AF_UNIX, SOCK_STREAM, 0);
	vals[4] = socket(AF_INET6, SOCK_DGRAM, 0);
	if (vals[2] < 0 || vals[3] < 0 || vals[4] < 0)
		return -1;
	return 5;
}

int main(void)
{
	static const char *const names[] = {
		"old_ns_tcp_listen", "old_ns_unix", "new_ns_tcp_listen",
		"new_ns_unix", "new_ns_udp6",
	};
	unsigned long long old_ns = gt_netns_ino(0), new_ns;
	struct gt_child ch;
	int i;

	gt_lo_up();
	if (gt_child_start(&ch, child, NULL))
		gt_fatal("setup", "child with unshare(CLONE_NEWNET): %s",
			 strerror(errno));
	new_ns = gt_netns_ino(ch.pid);
	gt_check("premise_new_netns", new_ns && old_ns && new_ns != old_ns,
		 "netns: want two different got old %llu new %llu", old_ns,
		 new_ns);
	for (i = 0; i < 5; i++) {
		struct gt_want w = { 0 };

		gt_want_set(&w, GT_NETNS, "%llu", i < 2 ? old_ns : new_ns);
		if (i == 1 || i == 3)
			gt_want_set(&w, GT_REMOTE, "*");
		gt_check_fd(names[i], ch.pid, ch.vals[i], &w);
		gt_want_free(&w);
	}
	gt_child_stop(&ch);
	return gt_done();
}
