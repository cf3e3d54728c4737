// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd --dot: who talks to whom, as a Graphviz DOT graph.
 *
 * Every process (fd table) is a cluster labelled "comm (pid)" holding one
 * node per socket fd, top to bottom in numeric order; each fd points at an
 * open file (one per socket: sock_alloc_file() gives a socket its one
 * struct file, which dup(), fork() and SCM_RIGHTS share), and the open file
 * at its socket, a node labelled with its protocol, state, addresses and
 * inode.  The two ends of a connection on this host are joined by a dashed
 * edge, found by the join of -o peer (peer.c): unix sockets by the peer
 * inode in their remote column, inet sockets (TCP, connected UDP) of one
 * network namespace by their swapped 4-tuple.  With more than one network
 * namespace the sockets are grouped in one cluster per namespace.
 *
 * The two ends of a connection sit side by side: processes are put on a
 * left and a right side so that a connection's ends are on different
 * sides where they can be (a 2-colouring of the processes that talk to
 * each other, in pid order); the right side's chains are drawn mirrored,
 * fd <- open file <- socket, so the dashed edge runs between the two
 * sockets in the middle and no edge crosses another when the fds' order
 * allows.  Ends on one side (one process's socketpair) are joined by an
 * edge that does not rank them.
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
};

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

/* The sockets of rows, one per inode (its lowest owner's row), sorted by
 * inode; returns the count. */
static size_t collect(struct sf_row *const *rows,
		      size_t n, struct sock **out)
{
	struct sock *s = sf_xmalloc(n * sizeof(*s));
	size_t ns = 0;

	for (size_t i = 0; i < n; i++)
		s[i] = (struct sock){ .ino = rows[i]->ino, .r = rows[i] };
	qsort(s, n, sizeof(*s), cmp_sock_ino);
	for (size_t i = 0; i < n; i++)
		if (ns == 0 || s[ns - 1].ino != s[i].ino)
			s[ns++] = s[i];
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
	uint64_t *nets = sf_xmalloc(ns * sizeof(*nets));
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
	struct sf_peers peers;	/* the join (peer.c), over the rows drawn */
	uint64_t *pids;		/* the processes, sorted */
	unsigned char *side;	/* per process: 0 left, 1 right */
	size_t np;
};

/* The other end of s on this host (in the graph), or NULL. */
static const struct sock *peer_of(const struct graph *g, const struct sock *s)
{
	struct sock k = { .ino = sf_peer_of(&g->peers, s->r) };

	return k.ino ? bsearch(&k, g->s, g->ns, sizeof(*g->s), cmp_sock_ino) : NULL;
}

/* The index of pid in g->pids. */
static size_t proc_of(const struct graph *g, uint64_t pid)
{
	const uint64_t *hit = bsearch(&pid, g->pids, g->np, sizeof(*g->pids), cmp_u64);

	return hit ? (size_t)(hit - g->pids) : 0;
}

static unsigned char side_of(const struct graph *g, const struct sock *s)
{
	return g->side[proc_of(g, s->r->pid)];
}

struct link {
	size_t a, b;		/* two processes that a connection joins */
};

static int cmp_link(const void *x, const void *y)
{
	const struct link *a = x, *b = y;

	return a->a != b->a ? (a->a < b->a ? -1 : 1) : (a->b > b->b) - (a->b < b->b);
}

/*
 * Each process a side, 0 (left) or 1 (right): a breadth-first 2-colouring
 * of the processes that connections join, each part started on the left
 * from its lowest pid.  Where a connection's two processes cannot be told
 * apart (a cycle of odd length), both ends stay on one side.
 */
static void sides(struct graph *g, struct sf_row *const *r, size_t n)
{
	struct link *l = sf_xmalloc(2 * g->ns * sizeof(*l));
	size_t nl = 0, *queue, head, tail;
	bool *seen;

	g->pids = sf_xmalloc(n * sizeof(*g->pids));
	g->np = 0;
	for (size_t i = 0; i < n; i++)		/* r is sorted by pid */
		if (g->np == 0 || g->pids[g->np - 1] != r[i]->pid)
			g->pids[g->np++] = r[i]->pid;
	for (size_t i = 0; i < g->ns; i++) {
		const struct sock *s = &g->s[i], *p = peer_of(g, s);
		size_t a, b;

		if (!p)
			continue;
		a = proc_of(g, s->r->pid);
		b = proc_of(g, p->r->pid);
		if (a != b) {
			l[nl++] = (struct link){ a, b };
			l[nl++] = (struct link){ b, a };
		}
	}
	qsort(l, nl, sizeof(*l), cmp_link);
	g->side = sf_xmalloc(g->np);
	seen = sf_xmalloc(g->np * sizeof(*seen));
	queue = sf_xmalloc(g->np * sizeof(*queue));
	memset(g->side, 0, g->np);
	memset(seen, 0, g->np * sizeof(*seen));
	for (size_t start = 0; start < g->np; start++) {
		if (seen[start])
			continue;
		seen[start] = true;
		queue[0] = start;
		for (head = 0, tail = 1; head < tail; head++) {
			size_t a = queue[head], k = 0, lo = 0, hi = nl;

			while (lo < hi) {		/* the first link from a */
				k = lo + (hi - lo) / 2;
				if (l[k].a < a)
					lo = k + 1;
				else
					hi = k;
			}
			for (k = lo; k < nl && l[k].a == a; k++) {
				if (seen[l[k].b])
					continue;
				seen[l[k].b] = true;
				g->side[l[k].b] = !g->side[a];
				queue[tail++] = l[k].b;
			}
		}
	}
	free(queue);
	free(seen);
	free(l);
}

/*
 * Dashed edges between the two ends of local connections, in inode order.
 * A pair whose ends name each other is drawn once, from its lower inode,
 * with arrows both ways; a one-sided link (a unix datagram socket
 * connected to a receiver that is connected to no one) gets one arrow.
 * Written from the left end to the right one, so that it ranks them side
 * by side; between ends on one side it does not rank them
 * (constraint=false) and they stay in one column.
 */
static void put_peers(FILE *out, const struct graph *g)
{
	for (size_t i = 0; i < g->ns; i++) {
		const struct sock *s = &g->s[i], *p = peer_of(g, s);
		bool both = p && peer_of(g, p) == s;
		const struct sock *from = s, *to = p;
		const char *dir = both ? ", dir=both" : "";

		if (!p || (both && p->ino < s->ino))
			continue;
		if (side_of(g, s) == side_of(g, p)) {
			dir = both ? ", dir=both, constraint=false" : ", constraint=false";
		} else if (side_of(g, s) == 1) {	/* s is on the right */
			from = p;
			to = s;
			dir = both ? ", dir=both" : ", dir=back";
		}
		fprintf(out, "\t\"s%" PRIu64 "\" -> \"s%" PRIu64 "\" [style=dashed%s];\n",
			from->ino, to->ino, dir);
	}
}

/*
 * An edge whose arrow goes from node a to node b; on the right side it is
 * written b -> a with the arrow at its tail (dir=back), which ranks b left
 * of a: the chain reads from the middle outwards.
 */
static void put_arrow(FILE *out, bool right, const char *a, const char *b)
{
	if (right)
		fprintf(out, "\t\"%s\" -> \"%s\" [dir=back];\n", b, a);
	else
		fprintf(out, "\t\"%s\" -> \"%s\";\n", a, b);
}

int sf_dot(FILE *out, const struct sf_table *t, struct sf_row *const *rows,
	   size_t n)
{
	struct sf_row **r = sf_xmalloc(n * sizeof(*r));
	struct graph g = { .t = t };
	char a[48], b[48];

	memcpy(r, rows, n * sizeof(*r));
	qsort(r, n, sizeof(*r), cmp_row);
	g.ns = collect(r, n, &g.s);
	sf_peers_init(&g.peers, t, r, n);
	sides(&g, r, n);

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
		/* one column, the lowest fd on top: a flat edge's head is
		 * placed above its tail in rankdir=LR */
		if (j - i > 1) {
			fputs("\t\t{ rank=same; ", out);
			for (size_t k = j; k-- > i;)
				fprintf(out, "\"p%" PRIu64 "_%" PRIu64 "\"%s", r[k]->pid, r[k]->fd,
					k > i ? " -> " : " [style=invis]; }\n");
		}
		fputs("\t}\n", out);
		i = j;
	}
	for (size_t i = 0; i < g.ns; i++)
		fprintf(out, "\t\"f%" PRIu64 "\" [label=\"open file\", shape=ellipse];\n",
			g.s[i].ino);
	put_socks(out, t, g.s, g.ns);
	for (size_t i = 0; i < n; i++) {	/* fd -> open file */
		snprintf(a, sizeof(a), "p%" PRIu64 "_%" PRIu64, r[i]->pid, r[i]->fd);
		snprintf(b, sizeof(b), "f%" PRIu64, r[i]->ino);
		put_arrow(out, g.side[proc_of(&g, r[i]->pid)], a, b);
	}
	for (size_t i = 0; i < g.ns; i++) {	/* open file -> socket */
		snprintf(a, sizeof(a), "f%" PRIu64, g.s[i].ino);
		snprintf(b, sizeof(b), "s%" PRIu64, g.s[i].ino);
		put_arrow(out, side_of(&g, &g.s[i]), a, b);
	}
	put_peers(out, &g);
	fputs("}\n", out);
	sf_peers_free(&g.peers);
	free(g.pids);
	free(g.side);
	free(g.s);
	free(r);
	return 0;
}
