// SPDX-License-Identifier: GPL-2.0
/*
 * Local ports in the ephemeral range (net.ipv4.ip_local_port_range), TCP
 * and UDP, and the TCP TIME_WAIT sockets on them by destination, for
 * --summary and --prom.  Most of these sockets have no fd (TIME_WAIT,
 * orphans, queued connections), so /proc/sockfd cannot give them: they
 * come from the kernel's socket tables of the reader's network namespace.
 *
 * On the live system (proc_root "/proc") from sock_diag, as ss reads them:
 * one dump per protocol and family, every state, with an inet_diag
 * bytecode that keeps only local ports in the range (ss's
 * "sport >= :LO and sport <= :HI"), so the kernel builds a small binary
 * message for those sockets only.  /proc/net/tcp{,6} and udp{,6} print
 * every socket of the namespace as text: reading them cost about as much
 * as /proc/sockfd itself.  They remain the source for a saved tree
 * (--proc-root) and when sock_diag cannot answer (tcp_diag or udp_diag
 * neither loaded nor loadable); both list the same sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table.h"

#define TCP_TIME_WAIT 6		/* include/net/tcp_states.h */

struct port_scan {		/* one protocol's sockets, as they are found */
	struct sf_ports *pt;
	unsigned char used[65536 / 8];	/* local ports seen */
	size_t twcap;			/* room in pt->tw */
	bool tcp;
};

/* A local address for a TIME_WAIT entry: "127.0.0.1" or "2001:db8::1";
 * ::ffff:a.b.c.d as a.b.c.d (a dual-stack socket shares the IPv4 ports). */
static void addr_str(int family, const unsigned char *a, char *s, size_t size)
{
	if (family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a))
		inet_ntop(AF_INET6, a, s, size);
	else
		inet_ntop(AF_INET, family == AF_INET6 ? a + 12 : a, s, size);
}

/* One socket of s's protocol: its local port, and a TIME_WAIT one whose
 * local port is in the range as an entry (count 1) of pt->tw. */
static void socket_seen(struct port_scan *s, int family, int state,
			const unsigned char *laddr, unsigned int lport,
			const unsigned char *raddr, unsigned int rport)
{
	struct sf_ports *pt = s->pt;
	struct sf_tw_dest *e;
	char r[INET6_ADDRSTRLEN];

	s->used[lport / 8] |= 1 << (lport % 8);
	if (!s->tcp || state != TCP_TIME_WAIT || lport < pt->lo || lport > pt->hi)
		return;
	if (pt->ntw == s->twcap) {
		s->twcap = s->twcap ? 2 * s->twcap : 256;
		pt->tw = realloc(pt->tw, s->twcap * sizeof(*pt->tw));
		if (!pt->tw) {
			fprintf(stderr, "sockfd: out of memory\n");
			exit(1);
		}
	}
	e = &pt->tw[pt->ntw++];
	addr_str(family, laddr, e->local, sizeof(e->local));
	addr_str(family, raddr, r, sizeof(r));
	snprintf(e->remote, sizeof(e->remote), strchr(r, ':') ? "[%s]:%u" : "%s:%u", r, rport);
	e->count = 1;
}

/* ---- sock_diag ---- */

/*
 * One dump of s's protocol in family: the states /proc/net lists, local port in
 * [lo, hi].  The bytecode is two port comparisons, each followed by the
 * port in a second op's "no" (inet_diag_bc_run()); a comparison that
 * fails jumps 4 bytes past the end, which rejects the socket.
 * Returns 0, or a negative errno (-ENOENT: no handler for the protocol).
 */
static int diag_dump(int nl, int family, unsigned int seq, struct port_scan *s)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
		struct nlattr bc_attr;
		struct inet_diag_bc_op bc[4];
	} msg = {
		.nlh = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = seq,
		},
		.req = {
			.sdiag_family = family,
			.sdiag_protocol = s->tcp ? IPPROTO_TCP : IPPROTO_UDP,
			/* every state /proc/net/tcp lists, TCP_ESTABLISHED (1)
			 * to TCP_NEW_SYN_RECV (12); not bit 13, bound-only
			 * sockets (6.8's TCP_BOUND_INACTIVE), which it does not */
			.idiag_states = 0x1ffe,
		},
		.bc_attr = {
			.nla_len = sizeof(msg.bc_attr) + sizeof(msg.bc),
			.nla_type = INET_DIAG_REQ_BYTECODE,
		},
		.bc = {
			{ INET_DIAG_BC_S_GE, 8, 20 }, { 0, 0, s->pt->lo },
			{ INET_DIAG_BC_S_LE, 8, 12 }, { 0, 0, s->pt->hi },
		},
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	long buf[32768 / sizeof(long)];	/* aligned for struct nlmsghdr */

	if (sendto(nl, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return len < 0 ? -errno : -EIO;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			const struct inet_diag_msg *m = NLMSG_DATA(h);

			if (h->nlmsg_seq != msg.nlh.nlmsg_seq)
				continue;
			/* DONE carries the dump's error, where the kernel sets one */
			if (h->nlmsg_type == NLMSG_DONE)
				return h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) &&
				       *(int *)NLMSG_DATA(h) < 0 ? *(int *)NLMSG_DATA(h) : 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)) ?
				       ((struct nlmsgerr *)NLMSG_DATA(h))->error : -EIO;
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			socket_seen(s, m->idiag_family, m->idiag_state,
				    (const unsigned char *)m->id.idiag_src, ntohs(m->id.idiag_sport),
				    (const unsigned char *)m->id.idiag_dst, ntohs(m->id.idiag_dport));
		}
	}
}

/*
 * s's protocol in both families from sock_diag, on the netlink socket nl;
 * false when it cannot answer (then nothing of s was marked).  Each dump
 * has a sequence number of its own: one that failed half way leaves no
 * message that the next would take for its own.
 */
static bool from_sock_diag(int nl, struct port_scan *s)
{
	unsigned int seq = s->tcp ? 1 : 3;
	size_t ntw = s->pt->ntw;
	bool ok = nl >= 0 && diag_dump(nl, AF_INET, seq, s) == 0 &&
		  diag_dump(nl, AF_INET6, seq + 1, s) == 0;

	if (!ok) {
		memset(s->used, 0, sizeof(s->used));
		s->pt->ntw = ntw;
	}
	return ok;
}

/* ---- /proc/net/{tcp,udp}{,6} ---- */

/*
 * An address as /proc/net/tcp{,6} write it, "0100007F:1F90" (each 32-bit
 * word of the address in host order, then the port, in hex), into a[16]
 * and *port; *family AF_INET or AF_INET6.  NULL when it is neither form,
 * else the end of the field.
 */
static const char *proc_net_addr(const char *p, int *family, unsigned char *a,
				 unsigned int *port)
{
	size_t n = strspn(p, "0123456789abcdefABCDEF");
	unsigned long v;
	char *end;

	if ((n != 8 && n != 32) || p[n] != ':')
		return NULL;
	for (size_t w = 0; w < n / 8; w++) {
		char word[9];
		uint32_t x;

		memcpy(word, p + 8 * w, 8);
		word[8] = '\0';
		x = (uint32_t)strtoul(word, NULL, 16);
		memcpy(a + 4 * w, &x, 4);
	}
	v = strtoul(p + n + 1, &end, 16);
	if (end == p + n + 1 || v > 65535)
		return NULL;
	*port = (unsigned int)v;
	*family = n == 8 ? AF_INET : AF_INET6;
	return end;
}

/* Each socket line of /proc/net/tcp-style text: "sl: local remote st ...". */
static void proc_net_lines(const char *text, struct port_scan *s)
{
	const char *line = strchr(text, '\n');	/* skip the heading */

	/* Each line on its own: sscanf() on the rest of the text would
	 * measure all of it every time, quadratic in the table's size. */
	while (line && line[1]) {
		const char *p = line + 1;
		unsigned char la[16], ra[16];
		unsigned int lport, rport;
		int lfam, rfam;
		char *end;
		unsigned long st;

		line = strchr(p, '\n');
		p += strspn(p, " ");
		p += strcspn(p, " \n");
		p += strspn(p, " ");
		p = proc_net_addr(p, &lfam, la, &lport);
		if (!p || *p != ' ')
			continue;
		p = proc_net_addr(p + strspn(p, " "), &rfam, ra, &rport);
		if (!p || *p != ' ' || rfam != lfam)
			continue;
		st = strtoul(p, &end, 16);
		if (end != p)
			socket_seen(s, lfam, (int)st, la, lport, ra, rport);
	}
}

/* s's protocol from /proc/net/NAME and NAME6; false if neither is readable. */
static bool from_proc_net(const char *root, struct port_scan *s, struct sf_notes *nt)
{
	static const char *const files[2][2] = {
		{ "net/udp", "net/udp6" }, { "net/tcp", "net/tcp6" },
	};
	bool have = false;

	for (int f = 0; f < 2; f++) {
		char *text = sf_read_proc(root, files[s->tcp][f], nt);

		if (text)
			proc_net_lines(text, s);
		have |= text != NULL;
		free(text);
	}
	return have;
}

/* ---- TIME_WAIT by destination ---- */

static int cmp_tw_key(const void *a, const void *b)
{
	const struct sf_tw_dest *x = a, *y = b;
	int c = strcmp(x->local, y->local);

	return c ? c : strcmp(x->remote, y->remote);
}

static int cmp_tw_count(const void *a, const void *b)
{
	const struct sf_tw_dest *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return cmp_tw_key(a, b);
}

/*
 * The TIME_WAIT sockets socket_seen() kept, one entry per local address
 * and destination (remote address and port), counted, most first.  This
 * is what runs out: connect() gives one local port to many destinations
 * (__inet_hash_connect() asks only that the 4-tuple be unique), so a port
 * in TIME_WAIT blocks only new connections to the same destination; a
 * server's TIME_WAIT sockets keep its listening port, no ephemeral one.
 */
static void tw_by_dest(struct sf_ports *pt)
{
	struct sf_tw_dest *d = pt->tw;
	size_t n = pt->ntw, m = 0;

	if (n)
		qsort(d, n, sizeof(*d), cmp_tw_key);
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp_tw_key(&d[m - 1], &d[i]))
			d[m - 1].count++;
		else
			d[m++] = d[i];
	}
	if (m)
		qsort(d, m, sizeof(*d), cmp_tw_count);
	pt->ntw = m;
}

/*
 * Local ports of TCP (all states) and UDP in the ephemeral range, from
 * sock_diag on nl (-1: none, then from root's /proc/net), and the
 * TIME_WAIT sockets on them by destination; false (noted in nt) when the
 * range is unreadable.  pt->have[p] says whether protocol p could be read.
 */
static bool ephemeral_ports(const char *root, int nl, struct sf_ports *pt,
			    struct sf_notes *nt)
{
	char *range = sf_read_proc(root, "sys/net/ipv4/ip_local_port_range", nt);

	memset(pt, 0, sizeof(*pt));
	if (!range || sscanf(range, "%u %u", &pt->lo, &pt->hi) != 2 || pt->lo > pt->hi ||
	    pt->hi > 65535) {
		if (range)
			sf_note(nt, "%s/sys/net/ipv4/ip_local_port_range: unexpected format", root);
		free(range);
		return false;
	}
	free(range);
	for (int p = 0; p < 2; p++) {
		struct port_scan s = { .pt = pt, .tcp = p == 0 };

		pt->diag[p] = from_sock_diag(nl, &s);
		pt->have[p] = pt->diag[p] || from_proc_net(root, &s, nt);
		for (unsigned int port = pt->lo; port <= pt->hi; port++)
			pt->used[p] += (s.used[port / 8] >> (port % 8)) & 1;
	}
	tw_by_dest(pt);
	return true;
}

static void *scan(void *arg)
{
	struct sf_ports_scan *sc = arg;

	sc->ok = ephemeral_ports(sc->root, sc->nl, &sc->pt, &sc->nt);
	if (sc->nl >= 0)
		close(sc->nl);
	return NULL;
}

/*
 * The scan, in a thread of its own: the kernel walks its socket tables
 * for sock_diag on one CPU while /proc/sockfd is read and parsed on the
 * other.  On the live system its netlink socket is opened here, before
 * /proc/sockfd is: it is then open for the whole of the walk, or closed
 * before the walk comes to this process, and its inode (sc->ino) tells
 * its line apart, which the caller leaves out.  Its notes are kept apart
 * until sf_ports_end().
 */
void sf_ports_begin(struct sf_ports_scan *sc, const char *root)
{
	struct stat st;

	memset(sc, 0, sizeof(*sc));
	sc->root = root;
	sc->nl = -1;
	if (strcmp(root, "/proc") == 0) {
		sc->nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		if (sc->nl >= 0 && fstat(sc->nl, &st) == 0)
			sc->ino = st.st_ino;
	}
	sc->nt.f = open_memstream(&sc->nt.text, &sc->nt.len);
	sc->threaded = pthread_create(&sc->thread, NULL, scan, sc) == 0;
}

/* What the scan found (see ephemeral_ports()); its notes are added to nt.
 * Once for every sf_ports_begin(), or sf_ports_drop(). */
bool sf_ports_end(struct sf_ports_scan *sc, struct sf_ports *pt, struct sf_notes *nt)
{
	sc->ended = true;
	if (sc->threaded)
		pthread_join(sc->thread, NULL);
	else
		scan(sc);	/* no thread: the scan now */
	if (sc->nt.f) {
		fclose(sc->nt.f);
		if (nt->f && sc->nt.len)
			fwrite(sc->nt.text, 1, sc->nt.len, nt->f);
		free(sc->nt.text);
	}
	*pt = sc->pt;
	return sc->ok;
}

/* The scan ended and forgotten, unless sf_ports_end() took it. */
void sf_ports_drop(struct sf_ports_scan *sc)
{
	struct sf_notes none = { 0 };
	struct sf_ports pt;

	if (!sc->ended) {
		sf_ports_end(sc, &pt, &none);
		free(pt.tw);
	}
}
