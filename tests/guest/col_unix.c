// SPDX-License-Identifier: GPL-2.0
/*
 * col_unix: every column of AF_UNIX rows against ground truth (gt_expect:
 * getsockname, /proc/net/unix, SIOCINQ/SIOCOUTQ, SO_MEMINFO, fstat) and
 * what the scenario fixes: the escaped local names are written out
 * literally here (not computed), remote is the peer's inode (fstat of the
 * other end), listener queues are the pending count and the backlog.
 *   stream listener on a path with spaces, pending and accepted
 *   connections, unread bytes; dgram on a path with a tab and a backslash,
 *   connected client, queued datagram; seqpacket on a path with a control
 *   byte; abstract name with a space and an embedded NUL; autobind;
 *   socketpairs of all three types (remote = peer inode both ways).
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define P_STREAM "/tmp/gt unix stream"
#define E_STREAM "/tmp/gt\\040unix\\040stream"
#define P_DGRAM "/tmp/gt\tdgram\\x"
#define E_DGRAM "/tmp/gt\\011dgram\\134x"
#define P_SEQ "/tmp/gt seq\001pkt"
#define E_SEQ "/tmp/gt\\040seq\\001pkt"
/* UTF-8 bytes: escaped, as man/proc_sockfd.5 says */
#define P_LONE "/tmp/gt-lone-\303\251"
#define E_LONE "/tmp/gt-lone-\\303\\251"
#define P_ABS "\0gt abs\0x"
#define E_ABS "@gt\\040abs\\000x"

static int ubind(int type, const char *name, size_t n, int backlog)
{
	struct sockaddr_un un;
	socklen_t len = gt_unix_addr(&un, name, n);
	int s = socket(AF_UNIX, type, 0);

	if (name[0])
		unlink(name);
	if (s < 0 || bind(s, (struct sockaddr *)&un, len) ||
	    (backlog >= 0 && listen(s, backlog)))
		gt_fatal("setup", "bind %s: %s", name[0] ? name : name + 1,
			 strerror(errno));
	return s;
}

static int uconnect(int type, const char *name, size_t n)
{
	struct sockaddr_un un;
	socklen_t len = gt_unix_addr(&un, name, n);
	int s = socket(AF_UNIX, type, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&un, len))
		gt_fatal("setup", "connect %s: %s", name[0] ? name : name + 1,
			 strerror(errno));
	return s;
}

static int uaccept(int l)
{
	int a = accept(l, NULL, NULL);

	if (a < 0)
		gt_fatal("setup", "accept: %s", strerror(errno));
	return a;
}

/* Check a connected socket: local as given, remote = peer's inode. */
static void check_conn(const char *what, int s, int peer, const char *local,
		       const char *state, const char *rxq)
{
	struct gt_want w = { 0 };

	gt_want_set(&w, GT_FAMILY, "unix");
	gt_want_set(&w, GT_PROTO, "-");
	if (state)
		gt_want_set(&w, GT_STATE, "%s", state);
	gt_want_set(&w, GT_LOCAL, "%s", local);
	if (peer >= 0)
		gt_want_set(&w, GT_REMOTE, "%llu", gt_fstat_ino(peer));
	else
		gt_want_set(&w, GT_REMOTE, "*");
	if (rxq)
		gt_want_set(&w, GT_RXQ, "%s", rxq);
	gt_check_fd(what, 0, s, &w);
	gt_want_free(&w);
}

static void check_listen(const char *what, int s, const char *local,
			 int pending, int backlog)
{
	struct gt_want w = { 0 };

	gt_want_set(&w, GT_STATE, "LISTEN");
	gt_want_set(&w, GT_LOCAL, "%s", local);
	gt_want_set(&w, GT_REMOTE, "*");
	gt_want_set(&w, GT_RXQ, "%d", pending);
	gt_want_set(&w, GT_TXQ, "%d", backlog);
	gt_check_fd(what, 0, s, &w);
	gt_want_free(&w);
}

static void stream_path(void)
{
	int l = ubind(SOCK_STREAM, P_STREAM, sizeof(P_STREAM), 5);
	int c0 = uconnect(SOCK_STREAM, P_STREAM, sizeof(P_STREAM));
	int c1 = uconnect(SOCK_STREAM, P_STREAM, sizeof(P_STREAM));
	int a0, a1;
	char buf[300];

	check_listen("stream_listen_2pending", l, E_STREAM, 2, 5);
	a0 = uaccept(l);
	a1 = uaccept(l);
	check_listen("stream_listen_0pending", l, E_STREAM, 0, 5);
	check_conn("stream_client", c0, a0, "*", "ESTABLISHED", NULL);
	check_conn("stream_accepted", a0, c0, E_STREAM, "ESTABLISHED", NULL);

	memset(buf, 's', sizeof(buf));
	if (write(c1, buf, sizeof(buf)) != sizeof(buf))
		gt_fatal("setup", "write: %s", strerror(errno));
	gt_check_num("stream_unread_premise", "SIOCINQ", sizeof(buf),
		     gt_inq(a1));
	check_conn("stream_unread_rxq", a1, c1, E_STREAM, "ESTABLISHED",
		   "300");
	/* the sender's txq: bytes it has queued (SIOCOUTQ, via gt_expect) */
	gt_check("stream_unsent_premise", gt_outq(c1) > 0,
		 "SIOCOUTQ: want > 0 got %ld", gt_outq(c1));
	check_conn("stream_sender_txq", c1, a1, "*", "ESTABLISHED", "0");
	close(c0);
	close(c1);
	close(a0);
	close(a1);
	close(l);
	unlink(P_STREAM);
}

static void dgram_path(void)
{
	int srv = ubind(SOCK_DGRAM, P_DGRAM, sizeof(P_DGRAM), -1);
	int lone = ubind(SOCK_DGRAM, P_LONE, sizeof(P_LONE), -1);
	int cli = uconnect(SOCK_DGRAM, P_DGRAM, sizeof(P_DGRAM));
	char buf[200];

	memset(buf, 'd', sizeof(buf));
	if (send(cli, buf, sizeof(buf), 0) != sizeof(buf))
		gt_fatal("setup", "send: %s", strerror(errno));
	gt_check_num("dgram_queued_premise", "SIOCINQ", sizeof(buf),
		     gt_inq(srv));
	/* connect() makes the target ESTABLISHED too (unix_dgram_connect);
	 * its state comes from /proc/net/unix via gt_expect. So does the
	 * client's: ESTABLISHED from 6.1 on, CLOSE on 5.10, whose
	 * unix_dgram_connect() leaves sk_state alone (St 01 there). */
	check_conn("dgram_server", srv, -1, E_DGRAM, NULL, "200");
	check_conn("dgram_client", cli, srv, "*", NULL, "0");
	check_conn("dgram_lone_utf8", lone, -1, E_LONE, "CLOSE", "0");
	close(srv);
	close(cli);
	close(lone);
	unlink(P_DGRAM);
	unlink(P_LONE);
}

static void seqpacket_path(void)
{
	int l = ubind(SOCK_SEQPACKET, P_SEQ, sizeof(P_SEQ), 3);
	int c = uconnect(SOCK_SEQPACKET, P_SEQ, sizeof(P_SEQ));
	int a = uaccept(l);

	if (send(c, "hello", 5, 0) != 5)
		gt_fatal("setup", "send: %s", strerror(errno));
	check_listen("seqpacket_listen", l, E_SEQ, 0, 3);
	check_conn("seqpacket_client", c, a, "*", "ESTABLISHED", "0");
	check_conn("seqpacket_accepted", a, c, E_SEQ, "ESTABLISHED", "5");
	close(a);
	close(c);
	close(l);
	unlink(P_SEQ);
}

static void abstract(void)
{
	/* sizeof - 1: the name is exactly "\0gt abs\0x", no trailing NUL */
	int l = ubind(SOCK_STREAM, P_ABS, sizeof(P_ABS) - 1, 2);
	int c = uconnect(SOCK_STREAM, P_ABS, sizeof(P_ABS) - 1);
	int a = uaccept(l);
	struct sockaddr_un un;
	socklen_t len = sizeof(sa_family_t);
	int ab = socket(AF_UNIX, SOCK_DGRAM, 0);
	char local[64];

	check_listen("abstract_listen", l, E_ABS, 0, 2);
	check_conn("abstract_accepted", a, c, E_ABS, "ESTABLISHED", "0");

	/* autobind: bind with only the family gives "@" + 5 hex digits */
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	if (ab < 0 || bind(ab, (struct sockaddr *)&un, len))
		gt_fatal("setup", "autobind: %s", strerror(errno));
	gt_local_str(ab, local, sizeof(local));
	gt_check("autobind_premise",
		 local[0] == '@' && strlen(local) == 6 &&
			 strspn(local + 1, "0123456789abcdef") == 5,
		 "getsockname: want @ and 5 hex digits got %s", local);
	check_conn("autobind", ab, -1, local, "CLOSE", "0");
	close(ab);

	/* an abstract name of length 0: just "@" */
	ab = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (ab < 0 || bind(ab, (struct sockaddr *)&un,
			   gt_unix_addr(&un, "", 1)))
		gt_fatal("setup", "empty abstract name: %s", strerror(errno));
	check_conn("abstract_empty_name", ab, -1, "@", "CLOSE", "0");
	close(ab);
	close(a);
	close(c);
	close(l);
}

/* A path filling all 108 bytes of sun_path, with no NUL after it. */
static void path_max(void)
{
	char path[109], want[128];
	int s;

	memset(path, 'p', 108);
	memcpy(path, "/tmp/gt max ", 12);
	path[108] = '\0'; /* for unlink; bind gets 108 bytes only */
	snprintf(want, sizeof(want), "/tmp/gt\\040max\\040%s", path + 12);
	s = ubind(SOCK_DGRAM, path, 108, -1);
	check_conn("path_108_bytes", s, -1, want, "CLOSE", "0");
	close(s);
	unlink(path);
}

static void pairs(void)
{
	static const struct {
		int type;
		const char *name;
		const char *state;
	} t[] = {
		{ SOCK_STREAM, "socketpair_stream", "ESTABLISHED" },
		/* From /proc/net/unix: 5.10's unix_socketpair() leaves a
		 * dgram pair CLOSE, 6.1 and later make it ESTABLISHED. */
		{ SOCK_DGRAM, "socketpair_dgram", NULL },
		{ SOCK_SEQPACKET, "socketpair_seqpacket", "ESTABLISHED" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int sp[2];
		char n0[64], n1[64];

		if (socketpair(AF_UNIX, t[i].type, 0, sp))
			gt_fatal("setup", "socketpair: %s", strerror(errno));
		if (send(sp[0], "0123456789", 10, 0) != 10)
			gt_fatal("setup", "send: %s", strerror(errno));
		snprintf(n0, sizeof(n0), "%s.end0", t[i].name);
		snprintf(n1, sizeof(n1), "%s.end1", t[i].name);
		check_conn(n0, sp[0], sp[1], "*", t[i].state, "0");
		check_conn(n1, sp[1], sp[0], "*", t[i].state, "10");
		close(sp[0]);
		close(sp[1]);
	}
}

static void unbound(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s < 0)
		gt_fatal("setup", "socket: %s", strerror(errno));
	check_conn("unnamed_unconnected", s, -1, "*", "CLOSE", "0");
	close(s);
}

int main(void)
{
	stream_path();
	dgram_path();
	seqpacket_path();
	abstract();
	path_max();
	pairs();
	unbound();
	return gt_done();
}
