// SPDX-License-Identifier: GPL-2.0
/*
 * col_mapped: IPv4 traffic on inet6 sockets (v4-mapped addresses).
 * A dual-stack listener on [::] accepts an IPv4 client, and a dual-stack
 * inet6 client connects to ::ffff:127.0.0.1. The inet6 rows must print
 * [::ffff:127.0.0.1]:port (RFC 5952), every other column as ground truth.
 * Then IPV6_ADDRFORM turns the inet6 client into an inet socket: its row
 * must say inet and 127.0.0.1:port.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6 }, m;
	struct gt_want w = { 0 };
	int l, c4, a4, c6, a6, zero = 0, port;
	socklen_t len = sizeof(any);

	gt_lo_up();
	l = socket(AF_INET6, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				sizeof(zero)) ||
	    bind(l, (struct sockaddr *)&any, sizeof(any)) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)&any, &len))
		gt_fatal("setup", "dual-stack listener: %s", strerror(errno));
	port = ntohs(any.sin6_port);

	/* IPv4 client to 127.0.0.1: an inet row and an accepted inet6 row */
	c4 = gt_inet_connect(AF_INET, SOCK_STREAM, port);
	a4 = c4 < 0 ? -1 : accept(l, NULL, NULL);
	if (a4 < 0)
		gt_fatal("setup", "v4 client: %s", strerror(errno));

	/* inet6 client to ::ffff:127.0.0.1 */
	memset(&m, 0, sizeof(m));
	m.sin6_family = AF_INET6;
	m.sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &m.sin6_addr);
	c6 = socket(AF_INET6, SOCK_STREAM, 0);
	if (c6 < 0 || connect(c6, (struct sockaddr *)&m, sizeof(m)))
		gt_fatal("setup", "mapped client: %s", strerror(errno));
	a6 = accept(l, NULL, NULL);
	if (a6 < 0)
		gt_fatal("setup", "accept: %s", strerror(errno));

	gt_want_set(&w, GT_FAMILY, "inet6");
	gt_want_set(&w, GT_STATE, "LISTEN");
	gt_want_set(&w, GT_LOCAL, "[::]:%d", port);
	gt_want_set(&w, GT_REMOTE, "[::]:0");
	gt_want_set(&w, GT_TXQ, "4");
	gt_want_set(&w, GT_RXQ, "0");
	gt_check_fd("listener_dual", 0, l, &w);
	gt_want_free(&w);

	gt_want_set(&w, GT_FAMILY, "inet");
	gt_want_set(&w, GT_REMOTE, "127.0.0.1:%d", port);
	gt_check_fd("client_v4", 0, c4, &w);
	gt_want_free(&w);

	gt_want_set(&w, GT_FAMILY, "inet6");
	gt_want_set(&w, GT_STATE, "ESTABLISHED");
	gt_want_set(&w, GT_LOCAL, "[::ffff:127.0.0.1]:%d", port);
	gt_want_set(&w, GT_REMOTE, "[::ffff:127.0.0.1]:%d", gt_port(c4));
	gt_check_fd("accepted_mapped", 0, a4, &w);
	gt_want_free(&w);

	gt_want_set(&w, GT_FAMILY, "inet6");
	gt_want_set(&w, GT_STATE, "ESTABLISHED");
	gt_want_set(&w, GT_LOCAL, "[::ffff:127.0.0.1]:%d", gt_port(c6));
	gt_want_set(&w, GT_REMOTE, "[::ffff:127.0.0.1]:%d", port);
	gt_check_fd("client_mapped", 0, c6, &w);
	gt_want_free(&w);

	gt_want_set(&w, GT_LOCAL, "[::ffff:127.0.0.1]:%d", port);
	gt_want_set(&w, GT_REMOTE, "[::ffff:127.0.0.1]:%d", gt_port(c6));
	gt_check_fd("accepted_mapped6", 0, a6, &w);
	gt_want_free(&w);

	/* IPV6_ADDRFORM turns the mapped client into an inet socket */
	{
		int v4 = AF_INET;

		if (setsockopt(c6, IPPROTO_IPV6, IPV6_ADDRFORM, &v4,
			       sizeof(v4))) {
			gt_fail("addrform", "setup: IPV6_ADDRFORM: %s",
				strerror(errno));
		} else {
			gt_want_set(&w, GT_FAMILY, "inet");
			gt_want_set(&w, GT_LOCAL, "127.0.0.1:%d", gt_port(c6));
			gt_want_set(&w, GT_REMOTE, "127.0.0.1:%d", port);
			gt_check_fd("addrform_inet", 0, c6, &w);
			gt_want_free(&w);
		}
	}
	return gt_done();
}
