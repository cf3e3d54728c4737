// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd --dot: who talks to whom, as a Graphviz DOT graph.
 *
 * Every process (fd table) is a cluster labelled "comm (pid)" holding one
 * node per socket fd; every socket is a node labelled with its protocol,
 * state, addresses and inode; an edge goes from each fd to its socket.
 * The two ends of a connection on this host are joined by a dashed edge:
 * unix sockets by the peer inode in their remote column, inet sockets
 * (TCP, connected UDP) of one network namespace by matching addresses,
 * local of one = remote of the other and the other way round
 * (::ffff:a.b.c.d counts as a.b.c.d).  With more than one network
 * namespace the sockets are grouped in one cluster per namespace.
 *
 * Only the rows the filters let through are drawn.  The output is sorted
 * (processes by pid, fds by number, sockets and edges by inode), so equal
 * input gives equal output.  Text is escaped as the table shows it, then
 * quoted for DOT.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* One socket: the first row that names its inode. */
struct sock {
	uint64_t ino;
	const struct sf_row *r;
	char *key;		/* inet: "netns proto local remote", else NULL */
	char *rkey;		/* the same with local and remote swapped */
};

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	return p;
}

/* Text in a DOT string: escaped as the file does, then \ and " quoted. */
static void put_text(FILE *out, const char *s, size_t len)
{
	char *esc = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&esc, &n);

	if (!m) {
		fputs("?", out);
		return;
	}
	sf_put_escaped(m, s, len);
	fclose(m);
	for (size_t i = 0; i < n; i++) {
		if (esc[i] == '\\' || esc[i] == '"')
			fputc('\\', out);
		fputc(esc[i], out);
	}
	free(esc);
}

static void put_col(FILE *out, const struct sf_table *t, const struct sf_row *r,
		    enum sf_col c)
{
	const struct sf_str *f = sf_get(t, r, c);

	put_text(out, f->s, f->len);
}

static bool is_dash(const struct sf_str *f)
{
	return f->len == 1 && f->s[0] == '-';
}

/*
 * An inet address into buf (size at least a->len + 1), an IPv4-mapped IPv6
 * address "[::ffff:a.b.c.d]:port" written as "a.b.c.d:port".
 */
static void plain_addr(const struct sf_str *a, char *buf)
{
	static const char mapped[] = "[::ffff:";
	const size_t ml = sizeof(mapped) - 1;
	const char *close = memchr(a->s, ']', a->len);

	if (close && a->len > ml && strncmp(a->s, mapped, ml) == 0 &&
	    !memchr(a->s + ml, ':', close - a->s - ml)) {
		size_t alen = close - a->s - ml;

		memcpy(buf, a->s + ml, alen);
		memcpy(buf + alen, close + 1, a->len - (close + 1 - a->s));
		buf[a->len - ml - 1] = '\0';
	} else {
		memcpy(buf, a->s, a->len);
		buf[a->len] = '\0';
	}
}

/*
 * "netns proto local remote" (swap: "netns proto remote local") of an inet
 * socket with a remote port, else NULL.
 */
static char *inet_key(const struct sf_table *t, const struct sf_row *r, bool swap)
{
	const struct sf_str *l = sf_get(t, r, SF_LOCAL), *rm = sf_get(t, r, SF_REMOTE);
	char *la, *ra, *key;
	unsigned int port;
	int ret;

	if (!sf_is_inet(t, r) || !sf_addr_port(rm, &port) || port == 0)
		return NULL;
	la = xmalloc(l->len + 1);
	ra = xmalloc(rm->len + 1);
	plain_addr(l, la);
	plain_addr(rm, ra);
	ret = asprintf(&key, "%s %s %s %s", sf_get(t, r, SF_NETNS)->s,
		       sf_get(t, r, SF_PROTO)->s, swap ? ra : la, swap ? la : ra);
	free(la);
	free(ra);
	if (ret < 0) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	return key;
}

static int cmp_row(const void *a, const void *b)
{
	const struct sf_row *x = *(const struct sf_row *const *)a;
	const struct sf_row *y = *(const struct sf_row *const *)b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->fd != y->fd)
		return x->fd < y->fd ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Sockets by inode, then by their row's owner (pid, fd). */
static int cmp_sock_ino(const void *a, const void *b)
{
	const struct sock *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->r && y->r ? cmp_row(&x->r, &y->r) : 0;
}

static int cmp_sock_key(const void *a, const void *b)
{
	const struct sock *x = *(const struct sock *const *)a;
	const struct sock *y = *(const struct sock *const *)b;
	int c = strcmp(x->key, y->key);

	return c ? c : cmp_sock_ino(x, y);
}

static int cmp_key_sock(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct sock *const *)elem)->key);
}

/* The sockets of rows, one per inode (its lowest owner's row), sorted by
 * inode; returns the count. */
static size_t collect(const struct sf_table *t, struct sf_row *const *rows,
		      size_t n, struct sock **out)
{
	struct sock *s = xmalloc(n * sizeof(*s));
	size_t ns = 0;

	for (size_t i = 0; i < n; i++)
		s[i] = (struct sock){ .ino = rows[i]->ino, .r = rows[i] };
	qsort(s, n, sizeof(*s), cmp_sock_ino);
	for (size_t i = 0; i < n; i++)
		if (ns == 0 || s[ns - 1].ino != s[i].ino)
			s[ns++] = s[i];
	for (size_t i = 0; i < ns; i++) {
		s[i].key = inet_key(t, s[i].r, false);
		if (s[i].key)
			s[i].rkey = inet_key(t, s[i].r, true);
	}
	*out = s;
	return ns;
}

/*
 * A socket node: "proto type state", local address, "-> remote" (inet,
 * when connected: unix peers and the rest are edges or nothing), inode.
 */
static void put_sock(FILE *out, const struct sf_table *t, const struct sock *s,
		     const char *indent)
{
	const struct sf_row *r = s->r;
	unsigned int port;

	fprintf(out, "%s\"s%" PRIu64 "\" [label=\"", indent, s->ino);
	put_col(out, t, r, is_dash(sf_get(t, r, SF_PROTO)) ? SF_FAMILY : SF_PROTO);
	fputc(' ', out);
	put_col(out, t, r, SF_TYPE);
	if (!is_dash(sf_get(t, r, SF_STATE))) {
		fputc(' ', out);
		put_col(out, t, r, SF_STATE);
	}
	if (!is_dash(sf_get(t, r, SF_LOCAL))) {
		fputs("\\n", out);
		put_col(out, t, r, SF_LOCAL);
	}
	if (sf_is_inet(t, r) && sf_addr_port(sf_get(t, r, SF_REMOTE), &port) && port) {
		fputs("\\n-> ", out);
		put_col(out, t, r, SF_REMOTE);
	}
	fprintf(out, "\\ninode %" PRIu64 "\"];\n", s->ino);
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static uint64_t netns_of(const struct sf_table *t, const struct sock *s)
{
	uint64_t v;

	return sf_get_num(t, s->r, SF_NETNS, &v) ? v : 0;
}

/* The sockets, in one cluster per network namespace when there are several. */
static void put_socks(FILE *out, const struct sf_table *t, const struct sock *s,
		      size_t ns)
{
	uint64_t *nets = xmalloc(ns * sizeof(*nets));
	size_t nn = 0;

	for (size_t i = 0; i < ns; i++)
		nets[i] = netns_of(t, &s[i]);
	qsort(nets, ns, sizeof(*nets), cmp_u64);
	for (size_t i = 0; i < ns; i++)
		if (nn == 0 || nets[nn - 1] != nets[i])
			nets[nn++] = nets[i];
	if (nn <= 1) {
		for (size_t i = 0; i < ns; i++)
			put_sock(out, t, &s[i], "\t");
		free(nets);
		return;
	}
	for (size_t k = 0; k < nn; k++) {
		fprintf(out, "\tsubgraph \"cluster_net%" PRIu64 "\" {\n", nets[k]);
		fprintf(out, "\t\tlabel=\"net:[%" PRIu64 "]\"; style=dotted;\n", nets[k]);
		for (size_t i = 0; i < ns; i++)
			if (netns_of(t, &s[i]) == nets[k])
				put_sock(out, t, &s[i], "\t\t");
		fputs("\t}\n", out);
	}
	free(nets);
}

struct graph {
	const struct sf_table *t;
	struct sock *s;		/* sorted by inode */
	size_t ns;
	struct sock **byk;	/* the inet sockets with a key, sorted by key */
	size_t nk;
};

/* The other end of s on this host (in the graph), or NULL. */
static const struct sock *peer_of(const struct graph *g, const struct sock *s)
{
	const struct sock *p = NULL;
	uint64_t ino;

	if (s->key) {
		struct sock **hit = bsearch(s->rkey, g->byk, g->nk, sizeof(*g->byk),
					    cmp_key_sock);

		p = hit ? *hit : NULL;
	} else if (strcmp(sf_get(g->t, s->r, SF_FAMILY)->s, "unix") == 0 &&
		   sf_get_num(g->t, s->r, SF_REMOTE, &ino)) {
		struct sock k = { .ino = ino };

		p = bsearch(&k, g->s, g->ns, sizeof(*g->s), cmp_sock_ino);
	}
	return p == s ? NULL : p;
}

/*
 * Dashed edges between the two ends of local connections, in inode order.
 * A pair whose ends name each other is drawn once, from its lower inode,
 * with arrows both ways; a one-sided link (a unix datagram socket
 * connected to a receiver that is connected to no one) gets one arrow.
 */
static void put_peers(FILE *out, struct graph *g)
{
	g->byk = xmalloc(g->ns * sizeof(*g->byk));
	g->nk = 0;
	for (size_t i = 0; i < g->ns; i++)
		if (g->s[i].key)
			g->byk[g->nk++] = &g->s[i];
	qsort(g->byk, g->nk, sizeof(*g->byk), cmp_sock_key);
	for (size_t i = 0; i < g->ns; i++) {
		const struct sock *s = &g->s[i], *p = peer_of(g, s);
		bool both = p && peer_of(g, p) == s;

		if (!p || (both && p->ino < s->ino))
			continue;
		fprintf(out, "\t\"s%" PRIu64 "\" -> \"s%" PRIu64 "\" [style=dashed%s];\n",
			s->ino, p->ino, both ? ", dir=both" : "");
	}
	free(g->byk);
}

int sf_dot(FILE *out, const struct sf_table *t, struct sf_row *const *rows,
	   size_t n)
{
	struct sf_row **r = xmalloc(n * sizeof(*r));
	struct graph g = { .t = t };

	memcpy(r, rows, n * sizeof(*r));
	qsort(r, n, sizeof(*r), cmp_row);
	g.ns = collect(t, r, n, &g.s);

	fputs("digraph sockfd {\n"
	      "\tgraph [rankdir=LR, fontname=\"Helvetica\", fontsize=11];\n"
	      "\tnode [fontname=\"Helvetica\", fontsize=10, shape=box];\n"
	      "\tedge [arrowsize=0.7];\n", out);
	for (size_t i = 0; i < n;) {
		size_t j = i;

		fprintf(out, "\tsubgraph \"cluster_p%" PRIu64 "\" {\n\t\tlabel=\"", r[i]->pid);
		put_col(out, t, r[i], SF_COMM);
		fprintf(out, " (%" PRIu64 ")\"; style=rounded;\n", r[i]->pid);
		for (; j < n && r[j]->pid == r[i]->pid; j++)
			fprintf(out, "\t\t\"p%" PRIu64 "_%" PRIu64 "\" [label=\"fd %" PRIu64
				"\", shape=plaintext];\n", r[j]->pid, r[j]->fd, r[j]->fd);
		fputs("\t}\n", out);
		i = j;
	}
	put_socks(out, t, g.s, g.ns);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "\t\"p%" PRIu64 "_%" PRIu64 "\" -> \"s%" PRIu64 "\";\n",
			r[i]->pid, r[i]->fd, r[i]->ino);
	put_peers(out, &g);
	fputs("}\n", out);
	for (size_t i = 0; i < g.ns; i++) {
		free(g.s[i].key);
		free(g.s[i].rkey);
	}
	free(g.s);
	free(r);
	return 0;
}
