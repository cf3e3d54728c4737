// SPDX-License-Identifier: GPL-2.0
/*
 * col_ids: the format 2 columns every socket has, against ground truth:
 *   cookie  = getsockopt(SO_COOKIE) for tcp, udp, unix, netlink and packet
 *             sockets, the same on a second read, and one that had none
 *             before the read gets the one SO_COOKIE answers afterwards;
 *   cgroup  = the id (name_to_handle_at) of a cgroup v2 directory this
 *             test made, for a socket a child made after moving itself
 *             there; a socket made before the move keeps its old cgroup
 *             (the root's id);
 *   drops   > 0 after overflowing a small UDP receive buffer, equal to
 *             SO_MEMINFO's drop count and to /proc/net/udp's drops column.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CG_DIR GT_CGROUP2 "/sockfd_col_ids"

/* The raw field of column c of (self, fd) in a fresh read; malloc'ed. */
static char *field(int fd, enum gt_col c)
{
	struct gt_table *t = gt_load(4096);
	const struct gt_row *r = t ? gt_find(t, getpid(), fd) : NULL;
	char *v = r && gt_get_raw(r, c) ? strdup(gt_get_raw(r, c)) : NULL;

	gt_free(t);
	return v;
}

static void cookie_of(const char *what, int s)
{
	char want[32], *a, *b;

	if (s < 0) {
		gt_fail(what, "setup: socket: %s", strerror(errno));
		return;
	}
	/* first read: the module assigns the cookie (none yet) */
	a = field(s, GT_COOKIE);
	snprintf(want, sizeof(want), "%llu", gt_cookie(s));
	b = field(s, GT_COOKIE);
	if (gt_check_str(what, "cookie", want, a))
		gt_check_str(what, "cookie (second read)", want, b);
	free(a);
	free(b);
	close(s);
}

static void cookies(void)
{
	int l = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	int c = l < 0 ? -1 : gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(l));
	int sv[2];

	cookie_of("cookie.tcp_listener", l);
	cookie_of("cookie.tcp_client", c);
	cookie_of("cookie.udp6", socket(AF_INET6, SOCK_DGRAM, 0));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		cookie_of("cookie.unix_end0", sv[0]);
		cookie_of("cookie.unix_end1", sv[1]);
	} else {
		gt_fail("cookie.unix", "setup: socketpair: %s", strerror(errno));
	}
	cookie_of("cookie.netlink", socket(AF_NETLINK, SOCK_RAW, 0));
	cookie_of("cookie.packet",
		  socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
}

/* Child: move into CG_DIR, make a socket, report its fd. */
static int in_cgroup(void *arg, int *vals, int max)
{
	char pid[32];
	int s;

	(void)arg;
	(void)max;
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (gt_write_file(CG_DIR "/cgroup.procs", pid))
		return -1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -1;
	vals[0] = s;
	return 1;
}

static void cgroups(void)
{
	unsigned long long root, cg;
	struct gt_child ch;
	struct gt_table *t;
	const struct gt_row *r;
	char want[32];
	int before;

	if (gt_cgroup2() || (mkdir(CG_DIR, 0755) && errno != EEXIST)) {
		gt_fail("cgroup", "setup: cgroup2 at %s: %s", CG_DIR,
			strerror(errno));
		return;
	}
	root = gt_cgroup_id(GT_CGROUP2);
	cg = gt_cgroup_id(CG_DIR);
	gt_check("cgroup.premise", root && cg && root != cg,
		 "ids of %s and %s: %llu and %llu", GT_CGROUP2, CG_DIR, root,
		 cg);
	before = socket(AF_INET, SOCK_DGRAM, 0);
	/* the child forks from us (root cgroup), then moves itself */
	if (gt_child_start(&ch, in_cgroup, NULL)) {
		gt_fail("cgroup", "setup: child in %s failed", CG_DIR);
		return;
	}
	t = gt_load(4096);
	r = t ? gt_find(t, ch.pid, ch.vals[0]) : NULL;
	snprintf(want, sizeof(want), "%llu", cg);
	gt_check_str("cgroup.moved_child", "cgroup", want,
		     r ? gt_get_raw(r, GT_CGROUP) : NULL);
	r = t ? gt_find(t, getpid(), before) : NULL;
	snprintf(want, sizeof(want), "%llu", root);
	gt_check_str("cgroup.made_before", "cgroup", want,
		     r ? gt_get_raw(r, GT_CGROUP) : NULL);
	gt_free(t);
	/* and the whole row of the child's socket (gt_expect: its cgroup) */
	gt_check_fd("cgroup.child_row", ch.pid, ch.vals[0], NULL);
	gt_child_stop(&ch);
	close(before);
	rmdir(CG_DIR);
}

static void drops(void)
{
	int srv = gt_inet_socket(AF_INET, SOCK_DGRAM, 0, -1, false), cli;
	int small = 1024, i, found;
	struct gt_meminfo a, b;
	struct gt_pn pn;
	char buf[512] = { 0 }, want[32], *got = NULL;

	if (srv < 0 ||
	    setsockopt(srv, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small))) {
		gt_fail("drops", "setup: %s", strerror(errno));
		return;
	}
	cli = gt_inet_connect(AF_INET, SOCK_DGRAM, gt_port(srv));
	for (i = 0; cli >= 0 && i < 200; i++)
		send(cli, buf, sizeof(buf), MSG_DONTWAIT);
	gt_msleep(100);
	for (i = 0; i < 5; i++) {	/* nothing arrives any more: stable */
		free(got);
		gt_meminfo(srv, &a);
		got = field(srv, GT_DROPS);
		gt_meminfo(srv, &b);
		if (a.drops == b.drops)
			break;
	}
	gt_check("drops.overflowed", a.drops > 0,
		 "SO_MEMINFO drops: want > 0 got %lu", a.drops);
	snprintf(want, sizeof(want), "%lu", a.drops);
	gt_check_str("drops.meminfo", "drops", want, got);
	found = gt_procnet_inet(0, "udp", gt_fstat_ino(srv), &pn);
	gt_check("drops.procnet", found == 1 && got &&
		 strtoull(got, NULL, 10) == pn.drops,
		 "drops: /proc/net/udp %llu (found %d), ours %s",
		 found == 1 ? pn.drops : 0, found, got ? got : "(none)");
	free(got);
	close(cli);
	close(srv);
}

int main(void)
{
	gt_lo_up();
	cookies();
	cgroups();
	drops();
	return gt_done();
}
