// SPDX-License-Identifier: GPL-2.0
/*
 * col_tcpinfo: the TCP columns of format 2 (timer, retrans, rtt, cwnd)
 * against TCP_INFO and /proc/net/tcp read just before and after:
 *   - a connect through a dummy interface (which drops every packet):
 *     SYN_SENT, "retransmit/MS" with MS within the RTO, retransmissions
 *     equal to TCP_INFO's tcpi_retransmits/tcpi_total_retrans (>= 1);
 *   - an idle connection with SO_KEEPALIVE and TCP_KEEPIDLE 7200 s:
 *     "keepalive/MS", MS within the last 10 s of 7200000;
 *   - a sender whose receiver stopped reading: "probe/MS" (zero window);
 *   - rtt and cwnd of a connection that carried data within TCP_INFO's
 *     values read before and after; a listener shows "-" in all four.
 * The timer kind must also be /proc/net/tcp's tr (1, 2, 4).
 * guest-modules: dummy
 */
#define _GNU_SOURCE
#include "gt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* TEST-NET-1 (RFC 5737) on dummy0; .2 is nobody: SYNs vanish. */
#define DUMMY_ADDR "192.0.2.1/24"
#define BLACKHOLE "192.0.2.2"

static int tcp_info(int s, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(s, IPPROTO_TCP, TCP_INFO, ti, &len);
}

/* Our row of a socket in a fresh read (copies of its raw fields), with
 * TCP_INFO read just before (a) and after (b). */
struct snap {
	struct tcp_info a, b;
	char *f[GT_NCOLS];
};

static bool snap_take(struct snap *sn, int s)
{
	struct gt_table *t;
	const struct gt_row *r;
	int c;

	if (tcp_info(s, &sn->a))
		return false;
	t = gt_load(4096);
	if (tcp_info(s, &sn->b) || !t) {
		gt_free(t);
		return false;
	}
	r = gt_find(t, getpid(), s);
	for (c = 0; c < GT_NCOLS; c++) {
		const char *v = r ? gt_get_raw(r, c) : NULL;

		sn->f[c] = v ? strdup(v) : NULL;
	}
	gt_free(t);
	return r != NULL;
}

static void snap_free(struct snap *sn)
{
	int c;

	for (c = 0; c < GT_NCOLS; c++)
		free(sn->f[c]);
	memset(sn, 0, sizeof(*sn));
}

/* The ms of a "kind/ms" timer field if its kind is `kind`; -1 if not. */
static long timer_ms(const char *f, const char *kind)
{
	size_t n = strlen(kind);
	char *end;
	long ms;

	if (!f || strncmp(f, kind, n) || f[n] != '/')
		return -1;
	ms = strtol(f + n + 1, &end, 10);
	return *end ? -1 : ms;
}

/* /proc/net/tcp's tr for socket s (-1 if not listed). */
static int procnet_tr(int s)
{
	struct gt_pn pn;

	if (gt_procnet_inet(0, "tcp", gt_fstat_ino(s), &pn) != 1)
		return -1;
	return pn.timer;
}

static bool dummy_up(void)
{
	if (system("ip link show dummy0 >/dev/null 2>&1 || "
		   "ip link add dummy0 type dummy") ||
	    system("ip link set dummy0 up && ip addr add " DUMMY_ADDR
		   " dev dummy0 2>/dev/null; ip addr show dev dummy0 | "
		   "grep -q 192.0.2.1")) {
		gt_fail("dummy", "setup: no dummy0 with " DUMMY_ADDR
			" (dummy.ko not loaded?)");
		return false;
	}
	return true;
}

static void syn_sent(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct snap sn = { 0 };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), i;
	long ms;
	bool ok = false;

	inet_pton(AF_INET, BLACKHOLE, &sin.sin_addr);
	if (s < 0 || (connect(s, (struct sockaddr *)&sin, sizeof(sin)) &&
		      errno != EINPROGRESS)) {
		gt_fail("syn_sent", "setup: connect " BLACKHOLE ": %s",
			strerror(errno));
		return;
	}
	/* the first retransmission comes after the initial RTO (1 s) */
	for (i = 0; i < 40; i++) {
		struct tcp_info ti;

		if (!tcp_info(s, &ti) && ti.tcpi_retransmits >= 1)
			break;
		gt_msleep(100);
	}
	for (i = 0; i < 10 && !ok; i++) {
		snap_free(&sn);
		ok = snap_take(&sn, s) &&
		     sn.a.tcpi_retransmits == sn.b.tcpi_retransmits &&
		     sn.a.tcpi_total_retrans == sn.b.tcpi_total_retrans;
	}
	if (!ok) {
		gt_fail("syn_sent", "no stable read (row or TCP_INFO moved)");
		snap_free(&sn);
		close(s);
		return;
	}
	gt_check_str("syn_sent.state", "state", "SYN_SENT", sn.f[GT_STATE]);
	{
		char want[64];

		snprintf(want, sizeof(want), "%u/%u", sn.a.tcpi_retransmits,
			 sn.a.tcpi_total_retrans);
		gt_check_str("syn_sent.retrans", "retrans", want,
			     sn.f[GT_RETRANS]);
	}
	gt_check("syn_sent.retrans_seen", sn.a.tcpi_retransmits >= 1,
		 "tcpi_retransmits: want >= 1 got %u", sn.a.tcpi_retransmits);
	ms = timer_ms(sn.f[GT_TIMER], "retransmit");
	/* due within the current (backed off) RTO: tcpi_rto is in us */
	gt_check("syn_sent.timer", ms >= 0 && ms <= (long)sn.b.tcpi_rto / 1000 + 10,
		 "timer: want retransmit/0..%u got %s", sn.b.tcpi_rto / 1000,
		 sn.f[GT_TIMER] ? sn.f[GT_TIMER] : "(none)");
	gt_check_num("syn_sent.procnet_tr", "tr", 1, procnet_tr(s));
	snap_free(&sn);
	close(s);
}

/* A loopback connection: *cli and *acc; srv listening (returned). */
static int pair(int *cli, int *acc, int rcvbuf)
{
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_storage ss;
	socklen_t len = gt_loopback_addr(AF_INET, 0, &ss);

	if (srv < 0)
		return -1;
	if (rcvbuf > 0)
		setsockopt(srv, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(srv, (struct sockaddr *)&ss, len) || listen(srv, 4))
		return -1;
	*cli = gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(srv));
	*acc = *cli < 0 ? -1 : accept(srv, NULL, NULL);
	return *acc < 0 ? -1 : srv;
}

static void keepalive(void)
{
	int cli, acc, srv = pair(&cli, &acc, 0), on = 1, idle = 7200;
	struct snap sn = { 0 };
	long ms;

	if (srv < 0 ||
	    setsockopt(cli, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) ||
	    setsockopt(cli, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle))) {
		gt_fail("keepalive", "setup: %s", strerror(errno));
		return;
	}
	gt_msleep(200);	/* let any delayed ACK go */
	if (!snap_take(&sn, cli)) {
		gt_fail("keepalive", "no row for the client");
		return;
	}
	ms = timer_ms(sn.f[GT_TIMER], "keepalive");
	gt_check("keepalive.timer", ms > 7190000 && ms <= 7200000,
		 "timer: want keepalive/7190001..7200000 got %s",
		 sn.f[GT_TIMER] ? sn.f[GT_TIMER] : "(none)");
	gt_check_num("keepalive.procnet_tr", "tr", 2, procnet_tr(cli));
	/* the listener has no connection: "-" in all four */
	snap_free(&sn);
	if (snap_take(&sn, srv)) {
		gt_check("listener.dashes",
			 sn.f[GT_TIMER] && !strcmp(sn.f[GT_TIMER], "-") &&
			 !strcmp(sn.f[GT_RETRANS], "-") &&
			 !strcmp(sn.f[GT_RTT], "-") && !strcmp(sn.f[GT_CWND], "-"),
			 "timer retrans rtt cwnd: want - - - - got %s %s %s %s",
			 sn.f[GT_TIMER], sn.f[GT_RETRANS], sn.f[GT_RTT],
			 sn.f[GT_CWND]);
	} else {
		gt_fail("listener.dashes", "no row for the listener");
	}
	snap_free(&sn);
	close(cli);
	close(acc);
	close(srv);
}

/* "a/b" into two numbers. */
static bool pair_of(const char *f, unsigned long *a, unsigned long *b)
{
	return f && sscanf(f, "%lu/%lu", a, b) == 2;
}

static bool within(unsigned long v, unsigned long x, unsigned long y)
{
	return v >= (x < y ? x : y) && v <= (x < y ? y : x);
}

static void rtt_cwnd(void)
{
	int cli, acc, srv = pair(&cli, &acc, 0), i;
	char buf[4096] = { 0 };
	struct snap sn = { 0 };
	unsigned long rtt, var, cwnd, ssth;
	bool ok;

	if (srv < 0) {
		gt_fail("rtt_cwnd", "setup: %s", strerror(errno));
		return;
	}
	for (i = 0; i < 50; i++) {	/* data both ways: an RTT sample */
		if (write(cli, buf, sizeof(buf)) != sizeof(buf) ||
		    read(acc, buf, sizeof(buf)) <= 0 ||
		    write(acc, buf, 1) != 1 || read(cli, buf, 1) != 1)
			break;
	}
	gt_msleep(100);
	if (!snap_take(&sn, cli)) {
		gt_fail("rtt_cwnd", "no row for the client");
		close(cli);
		close(acc);
		close(srv);
		return;
	}
	gt_check("rtt_cwnd.sampled", sn.a.tcpi_rtt > 0,
		 "tcpi_rtt: want > 0 got %u", sn.a.tcpi_rtt);
	ok = pair_of(sn.f[GT_RTT], &rtt, &var) &&
	     within(rtt, sn.a.tcpi_rtt, sn.b.tcpi_rtt) &&
	     within(var, sn.a.tcpi_rttvar, sn.b.tcpi_rttvar);
	gt_check("rtt_cwnd.rtt", ok, "rtt: want %u..%u/%u..%u got %s",
		 sn.a.tcpi_rtt, sn.b.tcpi_rtt, sn.a.tcpi_rttvar,
		 sn.b.tcpi_rttvar, sn.f[GT_RTT] ? sn.f[GT_RTT] : "(none)");
	if (sn.a.tcpi_snd_ssthresh >= 0x7fffffffu &&
	    sn.b.tcpi_snd_ssthresh >= 0x7fffffffu) {
		ok = sn.f[GT_CWND] &&
		     sscanf(sn.f[GT_CWND], "%lu/-", &cwnd) == 1 &&
		     strstr(sn.f[GT_CWND], "/-") &&
		     within(cwnd, sn.a.tcpi_snd_cwnd, sn.b.tcpi_snd_cwnd);
	} else {
		ok = pair_of(sn.f[GT_CWND], &cwnd, &ssth) &&
		     within(cwnd, sn.a.tcpi_snd_cwnd, sn.b.tcpi_snd_cwnd) &&
		     within(ssth, sn.a.tcpi_snd_ssthresh, sn.b.tcpi_snd_ssthresh);
	}
	gt_check("rtt_cwnd.cwnd", ok, "cwnd: want %u..%u/%u..%u got %s",
		 sn.a.tcpi_snd_cwnd, sn.b.tcpi_snd_cwnd,
		 sn.a.tcpi_snd_ssthresh, sn.b.tcpi_snd_ssthresh,
		 sn.f[GT_CWND] ? sn.f[GT_CWND] : "(none)");
	snap_free(&sn);
	/* and every column against ground truth (timer kind, exact values) */
	gt_check_fd("rtt_cwnd.row", 0, cli, NULL);
	close(cli);
	close(acc);
	close(srv);
}

static void zero_window(void)
{
	int cli, acc, srv = pair(&cli, &acc, 2048), i, small = 4096, tr = -1;
	char buf[4096] = { 0 };
	struct snap sn = { 0 };
	long ms = -1;

	if (srv < 0) {
		gt_fail("zero_window", "setup: %s", strerror(errno));
		return;
	}
	setsockopt(cli, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	fcntl(cli, F_SETFL, O_NONBLOCK);
	/* fill the receiver's window and our send queue; acc never reads */
	for (i = 0; i < 100000; i++)
		if (write(cli, buf, sizeof(buf)) < 0)
			break;
	for (i = 0; i < 50 && ms < 0; i++) {
		gt_msleep(200);
		snap_free(&sn);
		if (procnet_tr(cli) != 4 || !snap_take(&sn, cli) ||
		    procnet_tr(cli) != 4)
			continue;
		tr = 4;
		ms = timer_ms(sn.f[GT_TIMER], "probe");
	}
	gt_check_num("zero_window.procnet_tr", "tr", 4, tr);
	gt_check("zero_window.timer", ms >= 0 && ms <= 120000,
		 "timer: want probe/0..120000 got %s",
		 sn.f[GT_TIMER] ? sn.f[GT_TIMER] : "(none)");
	snap_free(&sn);
	close(cli);
	close(acc);
	close(srv);
}

int main(void)
{
	gt_lo_up();
	if (dummy_up())
		syn_sent();
	keepalive();
	rtt_cwnd();
	zero_window();
	return gt_done();
}
