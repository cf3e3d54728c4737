// SPDX-License-Identifier: GPL-2.0
/*
 * col_inet_other: inet/inet6 protocols other than tcp/udp, and a family
 * the format has no addresses for, every column against ground truth:
 *   raw sockets (proto icmp, icmpv6, raw; local port = the protocol, as
 *   getsockname and /proc/net/raw give it), a connected raw socket
 *   (ESTABLISHED), ping sockets (dgram, proto icmp / icmpv6, after
 *   allowing gid 0 in net.ipv4.ping_group_range), udplite bound and
 *   connected, an unbound mptcp socket (if the kernel has MPTCP), and
 *   packet sockets (family packet, proto/state/local/remote "-" as
 *   man/proc_sockfd.5 documents).
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/* A socket checked with the given proto/type names; NULL want = none. */
static void one(const char *what, int family, int type, int proto,
		const char *want_type, const char *want_proto)
{
	struct gt_want w = { 0 };
	int s = socket(family, type, proto);

	if (s < 0) {
		gt_fail(what, "setup: socket(%d, %d, %d): %s", family, type,
			proto, strerror(errno));
		return;
	}
	gt_want_set(&w, GT_TYPE, "%s", want_type);
	gt_want_set(&w, GT_PROTO, "%s", want_proto);
	gt_check_fd(what, 0, s, &w);
	gt_want_free(&w);
	close(s);
}

static void raw_connected(void)
{
	struct sockaddr_storage ss;
	socklen_t len = gt_loopback_addr(AF_INET, 0, &ss);
	struct gt_want w = { 0 };
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);

	if (s < 0 || connect(s, (struct sockaddr *)&ss, len)) {
		gt_fail("raw_icmp_connected", "setup: %s", strerror(errno));
		return;
	}
	gt_want_set(&w, GT_STATE, "ESTABLISHED");
	gt_want_set(&w, GT_LOCAL, "127.0.0.1:1");
	gt_want_set(&w, GT_REMOTE, "127.0.0.1:0");
	gt_check_fd("raw_icmp_connected", 0, s, &w);
	gt_want_free(&w);
	close(s);
}

static void udplite(int family, const char *v)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int srv = socket(family, SOCK_DGRAM, IPPROTO_UDPLITE), cli, port;
	char name[64];

	len = gt_loopback_addr(family, 0, &ss);
	if (srv < 0 && errno == EPROTONOSUPPORT) {
		/* UDP-Lite is gone from newer kernels (the debug one) */
		printf("# udplite not available: not checked\n");
		return;
	}
	if (srv < 0 || bind(srv, (struct sockaddr *)&ss, len)) {
		gt_fail(v, "setup: udplite: %s", strerror(errno));
		return;
	}
	port = gt_port(srv);
	len = gt_loopback_addr(family, port, &ss);
	cli = socket(family, SOCK_DGRAM, IPPROTO_UDPLITE);
	if (cli < 0 || connect(cli, (struct sockaddr *)&ss, len) ||
	    send(cli, "lite", 4, 0) != 4) {
		gt_fail(v, "setup: udplite client: %s", strerror(errno));
		return;
	}
	snprintf(name, sizeof(name), "%s.udplite_bound_queued", v);
	gt_check_fd(name, 0, srv, NULL);
	snprintf(name, sizeof(name), "%s.udplite_connected", v);
	gt_check_fd(name, 0, cli, NULL);
	close(srv);
	close(cli);
}

int main(void)
{
	FILE *f;
	int m;

	gt_lo_up();
	one("raw_icmp", AF_INET, SOCK_RAW, IPPROTO_ICMP, "raw", "icmp");
	one("raw_raw", AF_INET, SOCK_RAW, IPPROTO_RAW, "raw", "raw");
	one("raw6_icmpv6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, "raw",
	    "icmpv6");
	one("raw_unknown_proto_253", AF_INET, SOCK_RAW, 253, "raw", "253");
	raw_connected();

	f = fopen("/proc/sys/net/ipv4/ping_group_range", "w");
	if (f) {
		fputs("0 0\n", f);
		fclose(f);
	}
	one("ping", AF_INET, SOCK_DGRAM, IPPROTO_ICMP, "dgram", "icmp");
	one("ping6", AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6, "dgram", "icmpv6");

	udplite(AF_INET, "v4");
	udplite(AF_INET6, "v6");

	m = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
	if (m >= 0) {
		close(m);
		one("mptcp_unbound", AF_INET, SOCK_STREAM, IPPROTO_MPTCP,
		    "stream", "mptcp");
	} else {
		printf("# mptcp not available (%s): not checked\n",
		       strerror(errno));
	}

	one("packet_raw", AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "raw", "-");
	one("packet_dgram", AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP), "dgram",
	    "-");
	return gt_done();
}
