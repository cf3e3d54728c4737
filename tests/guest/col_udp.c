// SPDX-License-Identifier: GPL-2.0
/*
 * col_udp: every column of UDP rows, IPv4 and IPv6, against ground truth:
 *   unbound (CLOSE, zero addresses), bound and not connected (CLOSE) with
 *   a datagram waiting (rxq as /proc/net/udp computes it), connected
 *   (ESTABLISHED, remote = getpeername); IPv6 addresses in RFC 5952 form
 *   (longest zero run compressed, first of equal runs, a lone 0 kept),
 *   bound with IPV6_FREEBIND so no route is needed; rcvbuf/sndbuf after
 *   SO_RCVBUF/SO_SNDBUF equal what getsockopt answers.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

static void run(int family)
{
	const char *v = family == AF_INET ? "v4" : "v6";
	const char *lo = family == AF_INET ? "127.0.0.1" : "[::1]";
	struct gt_want w = { 0 };
	struct gt_pn pn;
	int unb, srv, cli, port, i, found = 0;
	char name[64], buf[300];

	unb = socket(family, SOCK_DGRAM, 0);
	srv = gt_inet_socket(family, SOCK_DGRAM, 0, -1, true);
	if (unb < 0 || srv < 0)
		gt_fatal("setup", "socket: %s", strerror(errno));
	port = gt_port(srv);
	cli = gt_inet_connect(family, SOCK_DGRAM, port);
	if (cli < 0)
		gt_fatal("setup", "connect: %s", strerror(errno));

	gt_want_set(&w, GT_PROTO, "udp");
	gt_want_set(&w, GT_STATE, "CLOSE");
	gt_want_set(&w, GT_LOCAL, "%s", gt_zero_addr(family));
	gt_want_set(&w, GT_REMOTE, "%s", gt_zero_addr(family));
	gt_check_fdf(0, unb, &w, "%s.unbound", v);
	gt_want_free(&w);

	memset(buf, 'u', sizeof(buf));
	if (send(cli, buf, sizeof(buf), 0) != sizeof(buf))
		gt_fatal("setup", "send: %s", strerror(errno));
	for (i = 0; i < 200 && gt_inq(srv) != sizeof(buf); i++)
		gt_msleep(10);
	snprintf(name, sizeof(name), "%s.queued_premise", v);
	found = gt_procnet_inet(0, family == AF_INET ? "udp" : "udp6",
				gt_fstat_ino(srv), &pn);
	gt_check(name, found == 1 && pn.rxq > 0,
		 "/proc/net/udp rx_queue: want > 0 got %llu (found %d)",
		 found == 1 ? pn.rxq : 0, found);

	gt_want_set(&w, GT_STATE, "CLOSE");
	gt_want_set(&w, GT_LOCAL, "%s:%d", lo, port);
	gt_want_set(&w, GT_REMOTE, "%s", gt_zero_addr(family));
	gt_check_fdf(0, srv, &w, "%s.bound_queued", v);
	gt_want_free(&w);

	gt_want_set(&w, GT_STATE, "ESTABLISHED");
	gt_want_set(&w, GT_REMOTE, "%s:%d", lo, port);
	gt_check_fdf(0, cli, &w, "%s.connected", v);
	gt_want_free(&w);

	close(unb);
	close(srv);
	close(cli);
}

/* A UDP socket bound (IPV6_FREEBIND) to addr: local must be [want]:port. */
static void rfc5952(const char *what, const char *addr, const char *want)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	struct gt_want w = { 0 };
	int s = socket(AF_INET6, SOCK_DGRAM, 0), one = 1;

	inet_pton(AF_INET6, addr, &a.sin6_addr);
	if (s < 0 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a))) {
		gt_fail(what, "setup: bind %s: %s", addr, strerror(errno));
		if (s >= 0)
			close(s);
		return;
	}
	gt_want_set(&w, GT_LOCAL, "[%s]:%d", want, gt_port(s));
	gt_check_fd(what, 0, s, &w);
	gt_want_free(&w);
	close(s);
}

/* rcvbuf/sndbuf after SO_RCVBUF/SO_SNDBUF: what getsockopt answers (the
 * kernel doubles the value asked for). */
static void buffers(int type, const char *what)
{
	int s = socket(AF_INET, type, 0), rcv = 5000, snd = 7000;
	struct gt_want w = { 0 };

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) ||
	    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd))) {
		gt_fail(what, "setup: %s", strerror(errno));
		return;
	}
	gt_want_set(&w, GT_RCVBUF, "%d", gt_sockopt_int(s, SO_RCVBUF));
	gt_want_set(&w, GT_SNDBUF, "%d", gt_sockopt_int(s, SO_SNDBUF));
	gt_check_fd(what, 0, s, &w);
	gt_want_free(&w);
	close(s);
}

int main(void)
{
	gt_lo_up();
	run(AF_INET);
	run(AF_INET6);
	rfc5952("rfc5952_first_longest_run", "2001:0db8:0:0:1:0:0:1",
		"2001:db8::1:0:0:1");
	rfc5952("rfc5952_longest_run", "2001:db8:0:1:0:0:0:1",
		"2001:db8:0:1::1");
	rfc5952("rfc5952_lone_zero", "2001:db8:0:1:1:1:1:1",
		"2001:db8:0:1:1:1:1:1");
	rfc5952("rfc5952_lowercase", "2001:DB8::ABCD", "2001:db8::abcd");
	buffers(SOCK_DGRAM, "udp_buffers_set");
	buffers(SOCK_STREAM, "tcp_buffers_set");
	return gt_done();
}
