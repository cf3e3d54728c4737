// SPDX-License-Identifier: GPL-2.0
/*
 * col_tcp: every column of TCP rows, IPv4 and IPv6 (v6only), against
 * ground truth (gt_expect: getsockname/getpeername, TCP_INFO,
 * /proc/net/tcp*, SO_MEMINFO, fstat, SIOCGSKNS) plus what the scenario
 * itself fixes (backlog, accept-queue length, bytes written):
 *   unbound socket (CLOSE, zero addresses), listener with un-accepted
 *   connections (txq = backlog, rxq = accept queue), client and accepted
 *   sides (ESTABLISHED), unread bytes (rxq, = SIOCINQ), unsent bytes (txq,
 *   = SIOCOUTQ), CLOSE_WAIT after the peer closed, FIN_WAIT2 after
 *   shutdown(SHUT_WR), SYN_SENT towards a listener whose queue is full.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BACKLOG 7

static int tcp_state(int s)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_state;
}

/* Wait up to 2 s for a TCP state. */
static bool wait_state(int s, int st)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (tcp_state(s) == st)
			return true;
		gt_msleep(10);
	}
	return false;
}

/* Wait up to 2 s for a listener's accept queue (TCP_INFO) to hold n. */
static bool wait_queued(int l, unsigned int n)
{
	struct tcp_info ti;
	socklen_t len;
	int i;

	for (i = 0; i < 200; i++) {
		len = sizeof(ti);
		memset(&ti, 0, sizeof(ti));
		if (getsockopt(l, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
		    ti.tcpi_unacked == n)
			return true;
		gt_msleep(10);
	}
	return false;
}

/* Index in c[3] of the client whose port is a's peer port. */
static int client_of(int a, const int *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int i, port;

	if (getpeername(a, (struct sockaddr *)&ss, &len))
		gt_fatal("setup", "getpeername: %s", strerror(errno));
	port = ntohs(ss.ss_family == AF_INET ?
			     ((struct sockaddr_in *)&ss)->sin_port :
			     ((struct sockaddr_in6 *)&ss)->sin6_port);
	for (i = 0; i < 3; i++)
		if (gt_port(c[i]) == port)
			return i;
	gt_fatal("setup", "no client with port %d", port);
}

/* SIOCOUTQ once it has stopped moving (the peer's window settles). */
static long settled_outq(int s)
{
	long q = gt_outq(s), prev = -2;
	int i;

	for (i = 0; i < 50 && q != prev; i++) {
		gt_msleep(100);
		prev = q;
		q = gt_outq(s);
	}
	return q;
}

/* The txq of a0's row is SIOCOUTQ, read before and after /proc/sockfd
 * (gt_expect took it from /proc/net/tcp); retried while it moves. */
static void unsent_is_siocoutq(const char *v, int a0)
{
	char name[64], want[32], got[32] = "(none)";
	long q1 = -1, q2 = -2;
	int i;

	snprintf(name, sizeof(name), "%s.unsent_txq_siocoutq", v);
	for (i = 0; i < 5 && q1 != q2; i++) {
		struct gt_table *t;
		const struct gt_row *r;

		q1 = settled_outq(a0);
		t = gt_load(0);
		q2 = gt_outq(a0);
		r = t ? gt_find(t, getpid(), a0) : NULL;
		snprintf(got, sizeof(got), "%s",
			 r && gt_get_raw(r, GT_TXQ) ? gt_get_raw(r, GT_TXQ) :
						       "(none)");
		gt_free(t);
	}
	if (q1 != q2) {
		gt_fail(name, "SIOCOUTQ kept moving: %ld then %ld", q1, q2);
		return;
	}
	snprintf(want, sizeof(want), "%ld", q1);
	gt_check_str(name, "txq", want, got);
}

/* shutdown(SHUT_WR) on a client: it goes FIN_WAIT2, its peer CLOSE_WAIT */
static void fin_wait2(int family, const char *v, int l, int port)
{
	const char *lo = family == AF_INET ? "127.0.0.1" : "[::1]";
	struct gt_want w = { 0 };
	int c = gt_inet_connect(family, SOCK_STREAM, port), a;
	char name[64];

	a = c < 0 ? -1 : accept(l, NULL, NULL);
	if (a < 0 || shutdown(c, SHUT_WR))
		gt_fatal("setup", "fin_wait2 pair: %s", strerror(errno));
	snprintf(name, sizeof(name), "%s.fin_wait2_premise", v);
	gt_check(name,
		 wait_state(c, TCP_FIN_WAIT2) && wait_state(a, TCP_CLOSE_WAIT),
		 "states: want FIN_WAIT2 (5) and CLOSE_WAIT (8) got %d and %d",
		 tcp_state(c), tcp_state(a));
	gt_want_set(&w, GT_STATE, "FIN_WAIT2");
	gt_want_set(&w, GT_REMOTE, "%s:%d", lo, port);
	gt_check_fdf(0, c, &w, "%s.fin_wait2", v);
	gt_want_free(&w);
	gt_want_set(&w, GT_STATE, "CLOSE_WAIT");
	gt_want_set(&w, GT_LOCAL, "%s:%d", lo, port);
	gt_want_set(&w, GT_REMOTE, "%s:%d", lo, gt_port(c));
	gt_check_fdf(0, a, &w, "%s.close_wait_peer_of_fin_wait2", v);
	gt_want_free(&w);
	close(a);
	close(c);
}

/*
 * A listener with backlog 1 takes two connections into its accept queue
 * and drops the third one's SYNs: that client stays in SYN_SENT.
 */
static void syn_sent(int family, const char *v)
{
	const char *lo = family == AF_INET ? "127.0.0.1" : "[::1]";
	struct sockaddr_storage ss;
	struct gt_want w = { 0 };
	int l = gt_inet_socket(family, SOCK_STREAM, 0, 1, true), c[2], s, i;
	int port = gt_port(l);
	socklen_t len = gt_loopback_addr(family, port, &ss);
	char name[64];

	for (i = 0; i < 2; i++) {
		c[i] = gt_inet_connect(family, SOCK_STREAM, port);
		if (c[i] < 0)
			gt_fatal("setup", "connect: %s", strerror(errno));
	}
	snprintf(name, sizeof(name), "%s.syn_sent_premise", v);
	s = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (!wait_queued(l, 2) || s < 0 ||
	    connect(s, (struct sockaddr *)&ss, len) == 0 ||
	    errno != EINPROGRESS || !wait_state(s, TCP_SYN_SENT)) {
		gt_fail(name, "state: want SYN_SENT (2) got %d (%s)",
			tcp_state(s), strerror(errno));
	} else {
		gt_pass(name);
		gt_want_set(&w, GT_STATE, "SYN_SENT");
		gt_want_set(&w, GT_REMOTE, "%s:%d", lo, port);
		gt_check_fdf(0, s, &w, "%s.syn_sent", v);
		gt_want_free(&w);
		gt_want_set(&w, GT_RXQ, "2");
		gt_want_set(&w, GT_TXQ, "1");
		gt_check_fdf(0, l, &w, "%s.listen_full", v);
		gt_want_free(&w);
	}
	close(s);
	close(c[0]);
	close(c[1]);
	close(l);
}

static void run(int family)
{
	const char *v = family == AF_INET ? "v4" : "v6";
	const char *lo = family == AF_INET ? "127.0.0.1" : "[::1]";
	int unb, l, c[3], a0, a2, a3, port, i, k, flags;
	struct gt_want w = { 0 };
	char name[64], buf[65536];
	long q;

	/* unbound: CLOSE, zero addresses */
	unb = socket(family, SOCK_STREAM, 0);
	if (unb < 0)
		gt_fatal("setup", "socket: %s", strerror(errno));
	gt_want_set(&w, GT_STATE, "CLOSE");
	gt_want_set(&w, GT_LOCAL, "%s", gt_zero_addr(family));
	gt_want_set(&w, GT_REMOTE, "%s", gt_zero_addr(family));
	gt_check_fdf(0, unb, &w, "%s.unbound", v);
	gt_want_free(&w);

	/* listener with 3 un-accepted connections */
	l = gt_inet_socket(family, SOCK_STREAM, 0, BACKLOG, true);
	if (l < 0)
		gt_fatal("setup", "listen socket: %s", strerror(errno));
	port = gt_port(l);
	for (i = 0; i < 3; i++) {
		c[i] = gt_inet_connect(family, SOCK_STREAM, port);
		if (c[i] < 0)
			gt_fatal("setup", "connect: %s", strerror(errno));
	}
	/* connect() returns before the listener has processed the last ACK */
	snprintf(name, sizeof(name), "%s.listen_premise", v);
	gt_check(name, wait_queued(l, 3), "accept queue (TCP_INFO): want 3");
	gt_want_set(&w, GT_STATE, "LISTEN");
	gt_want_set(&w, GT_LOCAL, "%s:%d", lo, port);
	gt_want_set(&w, GT_TXQ, "%d", BACKLOG);
	gt_want_set(&w, GT_RXQ, "3");
	gt_check_fdf(0, l, &w, "%s.listen_3pending", v);
	gt_want_free(&w);

	/* accept one: the queue shrinks to 2. The accept order need not be
	 * the connect order: find the client by its port. */
	a0 = accept(l, NULL, NULL);
	if (a0 < 0)
		gt_fatal("setup", "accept: %s", strerror(errno));
	k = client_of(a0, c);
	gt_want_set(&w, GT_TXQ, "%d", BACKLOG);
	gt_want_set(&w, GT_RXQ, "2");
	gt_check_fdf(0, l, &w, "%s.listen_2pending", v);
	gt_want_free(&w);

	/* client and accepted sides, 5-tuple */
	gt_want_set(&w, GT_STATE, "ESTABLISHED");
	gt_want_set(&w, GT_REMOTE, "%s:%d", lo, port);
	gt_want_set(&w, GT_TXQ, "0");
	gt_want_set(&w, GT_RXQ, "0");
	gt_check_fdf(0, c[k], &w, "%s.client", v);
	gt_want_free(&w);
	gt_want_set(&w, GT_STATE, "ESTABLISHED");
	gt_want_set(&w, GT_LOCAL, "%s:%d", lo, port);
	gt_want_set(&w, GT_REMOTE, "%s:%d", lo, gt_port(c[k]));
	gt_check_fdf(0, a0, &w, "%s.accepted", v);
	gt_want_free(&w);

	/* unread bytes: 1000 bytes from the client sit in a0's queue */
	memset(buf, 'x', sizeof(buf));
	if (write(c[k], buf, 1000) != 1000)
		gt_fatal("setup", "write: %s", strerror(errno));
	for (i = 0; i < 200 && gt_inq(a0) != 1000; i++)
		gt_msleep(10);
	snprintf(name, sizeof(name), "%s.unread_premise", v);
	gt_check_num(name, "SIOCINQ", 1000, gt_inq(a0));
	gt_want_set(&w, GT_RXQ, "1000");
	gt_want_set(&w, GT_TXQ, "0");
	gt_check_fdf(0, a0, &w, "%s.unread_rxq", v);
	gt_want_free(&w);

	/* unsent bytes: a0 writes to c[k], which never reads, until full */
	flags = fcntl(a0, F_GETFL);
	fcntl(a0, F_SETFL, flags | O_NONBLOCK);
	while (write(a0, buf, sizeof(buf)) > 0)
		;
	fcntl(a0, F_SETFL, flags);
	q = settled_outq(a0);
	snprintf(name, sizeof(name), "%s.unsent_premise", v);
	gt_check(name, q > 0, "SIOCOUTQ: want > 0 got %ld", q);
	gt_check_fdf(0, a0, NULL, "%s.unsent_txq", v);
	unsent_is_siocoutq(v, a0);

	/* CLOSE_WAIT: accept the other two; one sends 100 bytes and closes */
	a2 = accept(l, NULL, NULL);
	a3 = accept(l, NULL, NULL);
	if (a2 < 0 || a3 < 0)
		gt_fatal("setup", "accept: %s", strerror(errno));
	k = client_of(a3, c);
	if (write(a3, buf, 100) != 100)
		gt_fatal("setup", "write: %s", strerror(errno));
	close(a3);
	snprintf(name, sizeof(name), "%s.close_wait_premise", v);
	gt_check(name, wait_state(c[k], TCP_CLOSE_WAIT),
		 "state: want CLOSE_WAIT (8) got %d", tcp_state(c[k]));
	gt_want_set(&w, GT_STATE, "CLOSE_WAIT");
	gt_want_set(&w, GT_REMOTE, "%s:%d", lo, port);
	gt_check_fdf(0, c[k], &w, "%s.close_wait", v);
	gt_want_free(&w);
	/* listener again: nothing pending */
	gt_want_set(&w, GT_RXQ, "0");
	gt_want_set(&w, GT_TXQ, "%d", BACKLOG);
	gt_check_fdf(0, l, &w, "%s.listen_0pending", v);
	gt_want_free(&w);

	/* peer a2 (ESTABLISHED, nothing queued) */
	gt_check_fdf(0, a2, NULL, "%s.accepted_idle", v);

	fin_wait2(family, v, l, port);
	syn_sent(family, v);

	close(unb);
	close(l);
	close(a0);
	close(a2);
	for (i = 0; i < 3; i++)
		close(c[i]);
}

int main(void)
{
	gt_lo_up();
	run(AF_INET);
	run(AF_INET6);
	return gt_done();
}
