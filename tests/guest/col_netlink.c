// SPDX-License-Identifier: GPL-2.0
/*
 * col_netlink: every column of AF_NETLINK rows against ground truth:
 * proto names (route, audit, generic, usersock), type (raw, dgram), local =
 * port id (getsockname nl_pid; an explicit id, an autobound one, 0 when
 * unbound), remote = destination port id (getpeername nl_pid after
 * connect), state "-", queues as the socket's memory counters (SO_MEMINFO,
 * cross-checked with /proc/net/netlink Rmem/Wmem where listed).
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PORT_A 0x7a11a
#define PORT_B 0x7a11b

static int nl(int type, int proto, unsigned int port, bool do_bind)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_pid = port };
	int s = socket(AF_NETLINK, type, proto);

	if (s < 0)
		return -1;
	if (do_bind && bind(s, (struct sockaddr *)&a, sizeof(a))) {
		gt_fatal("setup", "bind netlink %d port %u: %s", proto, port,
			 strerror(errno));
	}
	return s;
}

static void check(const char *what, int s, const char *proto,
		  const char *type, const char *local, const char *remote)
{
	struct gt_want w = { 0 };
	struct gt_pn pn;
	int found = gt_procnet_netlink(0, gt_fstat_ino(s), &pn);
	char pc[96], got[32];

	gt_want_set(&w, GT_FAMILY, "netlink");
	gt_want_set(&w, GT_PROTO, "%s", proto);
	gt_want_set(&w, GT_TYPE, "%s", type);
	gt_want_set(&w, GT_STATE, "-");
	gt_want_set(&w, GT_LOCAL, "%s", local);
	gt_want_set(&w, GT_REMOTE, "%s", remote);
	gt_check_fd(what, 0, s, &w);
	gt_want_free(&w);
	/* the port id the kernel lists, when the socket is hashed */
	if (found == 1) {
		snprintf(pc, sizeof(pc), "%s.procnet_portid_premise", what);
		snprintf(got, sizeof(got), "%lu", pn.portid);
		gt_check_str(pc, "/proc/net/netlink Pid", local, got);
	}
}

int main(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	char local[32];
	int route, unb, gen, us_a, us_b, audit;

	route = nl(SOCK_RAW, NETLINK_ROUTE, PORT_A, true);
	unb = nl(SOCK_RAW, NETLINK_ROUTE, 0, false);
	gen = nl(SOCK_DGRAM, NETLINK_GENERIC, 0, true); /* autobind */
	us_a = nl(SOCK_RAW, NETLINK_USERSOCK, PORT_B, true);
	us_b = nl(SOCK_RAW, NETLINK_USERSOCK, 0, false);
	if (route < 0 || unb < 0 || gen < 0 || us_a < 0 || us_b < 0)
		gt_fatal("setup", "netlink socket: %s", strerror(errno));
	a.nl_pid = PORT_B;
	if (connect(us_b, (struct sockaddr *)&a, sizeof(a)))
		gt_fatal("setup", "connect usersock: %s", strerror(errno));

	snprintf(local, sizeof(local), "%u", PORT_A);
	check("route_bound", route, "route", "raw", local, "0");
	check("route_unbound", unb, "route", "raw", "0", "0");
	gt_local_str(gen, local, sizeof(local));
	gt_check("generic_autobind_premise", strcmp(local, "0") != 0,
		 "nl_pid: want non-zero got %s", local);
	check("generic_dgram", gen, "generic", "dgram", local, "0");
	snprintf(local, sizeof(local), "%u", PORT_B);
	check("usersock_bound", us_a, "usersock", "raw", local, "0");
	gt_local_str(us_b, local, sizeof(local)); /* autobound by connect */
	{
		char remote[32];

		snprintf(remote, sizeof(remote), "%u", PORT_B);
		check("usersock_connected", us_b, "usersock", "raw", local,
		      remote);
	}

	audit = nl(SOCK_RAW, NETLINK_AUDIT, 0, false);
	if (audit >= 0)
		check("audit", audit, "audit", "raw", "0", "0");
	else if (errno == EPROTONOSUPPORT) /* no CONFIG_AUDIT (debug kernel) */
		printf("# NETLINK_AUDIT not available: not checked\n");
	else
		gt_fail("audit", "setup: socket(NETLINK_AUDIT): %s",
			strerror(errno));
	return gt_done();
}
