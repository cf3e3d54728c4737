// SPDX-License-Identifier: GPL-2.0
/*
 * col_fmt3: the columns of format 3 against ground truth read just before
 * and after each snapshot of /proc/sockfd:
 *   - a loopback connection that carried 200000 bytes, both ends: bytes
 *     sent, acked, received, retransmitted and segments in and out equal
 *     TCP_INFO's (idle: the same before and after); lastsnd, lastrcv and
 *     lastack, min_rtt, delivery_rate and pacing_rate within TCP_INFO's
 *     before and after; cc is TCP_CONGESTION's, and "reno" after
 *     setsockopt(TCP_CONGESTION, "reno");
 *   - a sender whose receiver stopped reading: notsent (> 0) and
 *     wmem_queued (> 0) within TCP_INFO's tcpi_notsent_bytes and
 *     SO_MEMINFO's before and after; fwd_alloc, optmem and backlog too;
 *   - a UDP socket with a socket filter: optmem > 0, SO_MEMINFO's;
 *     its TCP columns "-", cc "-";
 *   - a listener: cc TCP_CONGESTION's, the connection columns "-";
 *   - a child holding 40 more sockets than its parent had fds, with a
 *     soft RLIMIT_NOFILE of 777: fds is /proc/PID/fd's count and nofile
 *     /proc/PID/limits' soft limit; a second child with 100 more fds
 *     shows 100 more.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Our row of fd s, raw fields copied, from a fresh read. */
struct row {
	char *f[GT_NCOLS];
};

static bool row_take(struct row *rw, pid_t pid, int fd)
{
	struct gt_table *t = gt_load(4096);
	const struct gt_row *r;
	int c;

	memset(rw, 0, sizeof(*rw));
	if (!t)
		return false;
	r = gt_find(t, pid ? pid : getpid(), fd);
	for (c = 0; r && c < GT_NCOLS; c++) {
		const char *v = gt_get_raw(r, c);

		rw->f[c] = strdup(v ? v : "");
	}
	gt_free(t);
	return r != NULL;
}

static void row_free(struct row *rw)
{
	int c;

	for (c = 0; c < GT_NCOLS; c++)
		free(rw->f[c]);
	memset(rw, 0, sizeof(*rw));
}

/* Field f is a number within [min(a, b), max(a, b)]. */
static bool check_within(const char *check, const struct row *rw,
			 enum gt_col c, unsigned long long a,
			 unsigned long long b)
{
	const char *f = rw->f[c];
	unsigned long long lo = a < b ? a : b, hi = a < b ? b : a, v;
	char *end;

	errno = 0;
	v = strtoull(f, &end, 10);
	return gt_check(check, *f && !*end && !errno && v >= lo && v <= hi,
			"%s: want %llu..%llu got %s", gt_col_name(c), lo, hi, f);
}

/* Field f is the decimal v. */
static bool check_eq(const char *check, const struct row *rw, enum gt_col c,
		     long long v)
{
	char want[32];

	snprintf(want, sizeof(want), "%lld", v);
	return gt_check_str(check, gt_col_name(c), want, rw->f[c]);
}

/* Snapshot of fd s's row between two TCP_INFO reads. */
static bool tcp_snap(int s, struct gt_tcp3 *a, struct row *rw,
		     struct gt_tcp3 *b)
{
	return !gt_tcp_info3(s, a) && row_take(rw, 0, s) && !gt_tcp_info3(s, b);
}

/* The counters of an idle connection: TCP_INFO's, unchanged around. */
static void check_counters(const char *end, int s)
{
	struct gt_tcp3 a, b;
	struct row rw;
	char check[64];
	int tries;

	/* idle: retry while a late ACK moves the counters meanwhile */
	for (tries = 0; tries < 5; tries++) {
		if (!tcp_snap(s, &a, &rw, &b)) {
			gt_fail(end, "no row or no TCP_INFO: %s", strerror(errno));
			row_free(&rw);
			return;
		}
		if (a.bytes_acked == b.bytes_acked &&
		    a.bytes_received == b.bytes_received &&
		    a.segs_in == b.segs_in && a.segs_out == b.segs_out)
			break;
		row_free(&rw);
		gt_msleep(100);
	}
#define EQ(col, v)							\
	do {								\
		snprintf(check, sizeof(check), "%s.%s", end,		\
			 gt_col_name(col));				\
		check_eq(check, &rw, col, (long long)(v));		\
	} while (0)
#define WITHIN(col, x)							\
	do {								\
		snprintf(check, sizeof(check), "%s.%s", end,		\
			 gt_col_name(col));				\
		check_within(check, &rw, col, a.x, b.x);		\
	} while (0)
	EQ(GT_BYTES_SENT, b.bytes_sent);
	EQ(GT_BYTES_ACKED, b.bytes_acked);
	EQ(GT_BYTES_RECEIVED, b.bytes_received);
	EQ(GT_BYTES_RETRANS, b.bytes_retrans);
	EQ(GT_SEGS_OUT, b.segs_out);
	EQ(GT_SEGS_IN, b.segs_in);
	WITHIN(GT_LASTSND, last_data_sent);
	WITHIN(GT_LASTRCV, last_data_recv);
	WITHIN(GT_LASTACK, last_ack_recv);
	WITHIN(GT_MIN_RTT, min_rtt);
	WITHIN(GT_DELIVERY_RATE, delivery_rate);
	WITHIN(GT_PACING_RATE, pacing_rate);
	EQ(GT_NOTSENT, b.notsent);
	row_free(&rw);
}

static void check_cc(const char *check, int s, const char *want_name)
{
	char cc[32];
	struct row rw;

	if (!gt_tcp_cc(s, cc, sizeof(cc)) || !row_take(&rw, 0, s)) {
		gt_fail(check, "TCP_CONGESTION or row: %s", strerror(errno));
		return;
	}
	if (want_name && strcmp(cc, want_name))
		gt_fail(check, "TCP_CONGESTION: want %s got %s", want_name, cc);
	else
		gt_check_str(check, "cc", cc, rw.f[GT_CC]);
	row_free(&rw);
}

static void write_all(int s, size_t n)
{
	static char buf[65536];
	size_t done = 0;
	ssize_t k;

	while (done < n) {
		k = write(s, buf, n - done < sizeof(buf) ? n - done : sizeof(buf));
		if (k <= 0)
			gt_fatal("setup", "write: %s", strerror(errno));
		done += (size_t)k;
	}
}

static void read_all(int s, size_t n)
{
	static char buf[65536];
	size_t done = 0;
	ssize_t k;

	while (done < n) {
		k = read(s, buf, sizeof(buf));
		if (k <= 0)
			gt_fatal("setup", "read: %s", strerror(errno));
		done += (size_t)k;
	}
}

/* A connected pair over loopback: *c the client, *a the accepted end. */
static void tcp_pair(int *l, int *c, int *a)
{
	*l = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	if (*l < 0)
		gt_fatal("setup", "listen: %s", strerror(errno));
	*c = gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(*l));
	*a = *c < 0 ? -1 : accept(*l, NULL, NULL);
	if (*c < 0 || *a < 0)
		gt_fatal("setup", "connect/accept: %s", strerror(errno));
}

static void connection(void)
{
	int l, c, a;
	struct row rw;
	bool dashes = true;
	int col;

	tcp_pair(&l, &c, &a);
	write_all(c, 200000);
	read_all(a, 200000);
	write_all(a, 1000);
	read_all(c, 1000);
	gt_msleep(300);		/* the last ACKs, then idle */
	check_counters("client", c);
	check_counters("server", a);
	check_cc("cc.client", c, NULL);
	if (setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno", 4))
		gt_fail("cc.reno", "setsockopt: %s", strerror(errno));
	else
		check_cc("cc.reno", c, "reno");

	/* the listener: an algorithm, no connection */
	check_cc("listener.cc", l, NULL);
	if (!row_take(&rw, 0, l)) {
		gt_fail("listener.dashes", "no row");
	} else {
		for (col = GT_BYTES_SENT; col < GT_CC; col++)
			dashes = dashes && !strcmp(rw.f[col], "-");
		gt_check("listener.dashes", dashes,
			 "bytes_sent..pacing_rate: want all \"-\" got bytes_sent %s pacing_rate %s",
			 rw.f[GT_BYTES_SENT], rw.f[GT_PACING_RATE]);
		row_free(&rw);
	}
	close(a);
	close(c);
	close(l);
}

/* A sender whose receiver stopped reading: data not sent yet. */
static void blocked_sender(void)
{
	int l, c, a, small = 4096, n;
	struct gt_meminfo m1, m2;
	struct gt_tcp3 t1, t2;
	static char buf[65536];
	struct row rw;
	bool ok = false;

	tcp_pair(&l, &c, &a);
	setsockopt(a, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	fcntl(c, F_SETFL, O_NONBLOCK);
	for (n = 0; n < 2000; n++) {
		if (write(c, buf, sizeof(buf)) < 0) {
			if (errno != EAGAIN)
				gt_fatal("setup", "write: %s", strerror(errno));
			gt_msleep(50);
			if (write(c, buf, sizeof(buf)) < 0 && errno == EAGAIN)
				break;
		}
	}
	gt_msleep(300);
	for (n = 0; n < 5 && !ok; n++) {
		if (gt_tcp_info3(c, &t1) || gt_meminfo(c, &m1) ||
		    !row_take(&rw, 0, c) || gt_tcp_info3(c, &t2) ||
		    gt_meminfo(c, &m2))
			gt_fatal("blocked", "snapshot: %s", strerror(errno));
		ok = t1.notsent == t2.notsent &&
		     m1.wmem_queued == m2.wmem_queued &&
		     m1.fwd_alloc == m2.fwd_alloc;
		if (!ok) {
			row_free(&rw);
			gt_msleep(100);
		}
	}
	if (!ok) {
		gt_fail("blocked", "TCP_INFO and SO_MEMINFO kept changing");
		goto out;
	}
	gt_check("blocked.notsent_positive", t1.notsent > 0,
		 "tcpi_notsent_bytes: want > 0 got %u", t1.notsent);
	check_eq("blocked.notsent", &rw, GT_NOTSENT, t1.notsent);
	gt_check("blocked.wmem_queued_positive", m1.wmem_queued > 0,
		 "SO_MEMINFO wmem_queued: want > 0 got %lu", m1.wmem_queued);
	check_eq("blocked.wmem_queued", &rw, GT_WMEM_QUEUED, m1.wmem_queued);
	check_eq("blocked.fwd_alloc", &rw, GT_FWD_ALLOC, m1.fwd_alloc);
	check_eq("blocked.optmem", &rw, GT_OPTMEM, m1.optmem);
	check_eq("blocked.backlog", &rw, GT_BACKLOG, m1.backlog);
	row_free(&rw);
out:
	close(a);
	close(c);
	close(l);
}

/* optmem: a socket filter is charged to sk_omem_alloc. */
static void udp_filter(void)
{
	struct sock_filter code[] = { BPF_STMT(BPF_RET | BPF_K, 0xffff) };
	struct sock_fprog prog = { .len = 1, .filter = code };
	int s = gt_inet_socket(AF_INET, SOCK_DGRAM, 0, -1, false);
	struct gt_meminfo m;
	struct row rw;
	int col;
	bool dashes = true;

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
				sizeof(prog)))
		gt_fatal("setup", "udp filter: %s", strerror(errno));
	if (gt_meminfo(s, &m) || !row_take(&rw, 0, s))
		gt_fatal("udp", "snapshot: %s", strerror(errno));
	gt_check("udp.optmem_positive", m.optmem > 0,
		 "SO_MEMINFO optmem: want > 0 got %ld", m.optmem);
	check_eq("udp.optmem", &rw, GT_OPTMEM, m.optmem);
	check_eq("udp.wmem_queued", &rw, GT_WMEM_QUEUED, m.wmem_queued);
	check_eq("udp.fwd_alloc", &rw, GT_FWD_ALLOC, m.fwd_alloc);
	check_eq("udp.backlog", &rw, GT_BACKLOG, m.backlog);
	for (col = GT_BYTES_SENT; col <= GT_CC; col++)
		dashes = dashes && !strcmp(rw.f[col], "-");
	gt_check("udp.tcp_dashes", dashes,
		 "bytes_sent..cc: want all \"-\" got bytes_sent %s cc %s",
		 rw.f[GT_BYTES_SENT], rw.f[GT_CC]);
	row_free(&rw);
	close(s);
}

#define CHILD_SOCKS 40
#define CHILD_MORE 100
#define CHILD_NOFILE 777

/* vals[0]: a socket fd; the child holds what it inherited (and its
 * gt_child pipes) and CHILD_SOCKS sockets, and the second child
 * CHILD_MORE more. */
static int fd_child(void *arg, int *vals, int max)
{
	struct rlimit rl;
	int i, s = -1;

	(void)max;
	for (i = 0; i < CHILD_SOCKS; i++)
		s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (arg)	/* the second child: 100 more */
		for (i = 0; i < CHILD_MORE; i++)
			if (dup(0) < 0)
				return -1;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = CHILD_NOFILE;
	if (s < 0 || setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	vals[0] = s;
	return 1;
}

static void child_fds(void)
{
	struct gt_child ch[2];
	long n[2] = { -1, -1 };
	struct row rw;
	char check[64];
	int i;

	for (i = 0; i < 2; i++) {
		if (gt_child_start(&ch[i], fd_child, i ? (void *)1 : NULL))
			gt_fatal("setup", "child: %s", strerror(errno));
		n[i] = gt_fd_count(ch[i].pid);
		snprintf(check, sizeof(check), "child%d.fds", i);
		if (!row_take(&rw, ch[i].pid, ch[i].vals[0])) {
			gt_fail(check, "no row for the child's socket");
		} else {
			check_eq(check, &rw, GT_FDS, n[i]);
			snprintf(check, sizeof(check), "child%d.nofile", i);
			check_eq(check, &rw, GT_NOFILE, gt_nofile(ch[i].pid));
			snprintf(check, sizeof(check), "child%d.limits", i);
			gt_check(check, gt_nofile(ch[i].pid) == CHILD_NOFILE,
				 "/proc/PID/limits: want %d got %lld",
				 CHILD_NOFILE, gt_nofile(ch[i].pid));
			row_free(&rw);
		}
	}
	gt_check("child.counts", n[0] > CHILD_SOCKS &&
		 n[1] == n[0] + CHILD_MORE,
		 "/proc/PID/fd: want more than %d, then %d more; got %ld and %ld",
		 CHILD_SOCKS, CHILD_MORE, n[0], n[1]);
	for (i = 0; i < 2; i++)
		gt_child_stop(&ch[i]);
}

int main(void)
{
	gt_init("col_fmt3");
	if (gt_lo_up())
		gt_fatal("setup", "lo up: %s", strerror(errno));
	connection();
	blocked_sender();
	udp_filter();
	child_fds();
	return gt_done();
}
