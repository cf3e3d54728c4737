// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd - the other end of a socket on this machine: the join behind
 * -o peer, JSON's "peer", explain and --dot.
 *
 * A unix socket's remote column is the inode of its peer socket
 * (unix_peer(), proc_sockfd(5)); the peer is that inode when some row
 * holds it.  An inet socket (TCP, connected UDP) with a remote port joins
 * the socket of the same network namespace and protocol whose local and
 * remote addresses are its remote and local ones (::ffff:a.b.c.d counts
 * as a.b.c.d).  Across namespaces addresses may repeat (each has its own
 * 127.0.0.1, NAT, veth pairs), so a swapped 4-tuple proves nothing there
 * and no peer is claimed.  Every row that holds the peer's inode is one of
 * its holders (dup(), fork(), SCM_RIGHTS share one open file).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct sf_peer_key {
	char *key;		/* "netns proto local remote" */
	uint64_t ino;
};

/* malloc, or exit saying why (size 0: a valid pointer all the same). */
void *sf_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	return p;
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
	la = sf_xmalloc(l->len + 1);
	ra = sf_xmalloc(rm->len + 1);
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

/* Rows by inode, then owner (pid, fd). */
static int cmp_row_ino(const void *a, const void *b)
{
	const struct sf_row *x = *(const struct sf_row *const *)a;
	const struct sf_row *y = *(const struct sf_row *const *)b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int cmp_key(const void *a, const void *b)
{
	const struct sf_peer_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->ino > y->ino) - (x->ino < y->ino);
}

/* Index rows (n of them, which must outlive p) for the join. */
void sf_peers_init(struct sf_peers *p, const struct sf_table *t,
		   struct sf_row *const *rows, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->rows = sf_xmalloc(n * sizeof(*p->rows));
	memcpy(p->rows, rows, n * sizeof(*p->rows));
	qsort(p->rows, n, sizeof(*p->rows), cmp_row_ino);
	p->n = n;
	p->keys = sf_xmalloc(n * sizeof(*p->keys));
	for (size_t i = 0; i < n; i++) {	/* one key per inode */
		char *key;

		if (i && p->rows[i]->ino == p->rows[i - 1]->ino)
			continue;
		key = inet_key(t, p->rows[i], false);
		if (key)
			p->keys[p->nk++] = (struct sf_peer_key){ key, p->rows[i]->ino };
	}
	qsort(p->keys, p->nk, sizeof(*p->keys), cmp_key);
}

/* Index every row of t (a whole table, sf_parse()). */
void sf_peers_table(struct sf_peers *p, const struct sf_table *t)
{
	struct sf_row **all = sf_xmalloc(t->nrows * sizeof(*all));

	for (size_t i = 0; i < t->nrows; i++)
		all[i] = &t->rows[i];
	sf_peers_init(p, t, all, t->nrows);
	free(all);
}

/* The rows that hold inode ino, in (pid, fd) order: *first, and how many. */
size_t sf_holders(const struct sf_peers *p, uint64_t ino,
		  struct sf_row *const **first)
{
	size_t lo = 0, hi = p->n, end;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (p->rows[m]->ino < ino)
			lo = m + 1;
		else
			hi = m;
	}
	for (end = lo; end < p->n && p->rows[end]->ino == ino; end++)
		;
	*first = p->rows + lo;
	return end - lo;
}

/*
 * The inode of the other end of r among the indexed rows, 0 if there is
 * none (not connected, the other end elsewhere or without an fd, another
 * network namespace).  Where several sockets would match (a 4-tuple
 * reused in one namespace), the lowest inode.
 */
uint64_t sf_peer_of(const struct sf_peers *p, const struct sf_row *r)
{
	struct sf_row *const *first;
	uint64_t ino = 0;

	if (strcmp(sf_get(p->t, r, SF_FAMILY)->s, "unix") == 0) {
		if (!sf_get_num(p->t, r, SF_REMOTE, &ino) || !sf_holders(p, ino, &first))
			ino = 0;
	} else {
		struct sf_peer_key k = { inet_key(p->t, r, true), 0 };
		size_t lo = 0, hi = p->nk;

		if (!k.key)
			return 0;
		while (lo < hi) {	/* the first key >= (rkey, 0) */
			size_t m = lo + (hi - lo) / 2;

			if (cmp_key(&p->keys[m], &k) < 0)
				lo = m + 1;
			else
				hi = m;
		}
		if (lo < p->nk && strcmp(p->keys[lo].key, k.key) == 0)
			ino = p->keys[lo].ino;
		free(k.key);
	}
	return ino == r->ino ? 0 : ino;	/* a TCP self-connect is no peer */
}

void sf_peers_free(struct sf_peers *p)
{
	for (size_t i = 0; i < p->nk; i++)
		free(p->keys[i].key);
	free(p->keys);
	free(p->rows);
	memset(p, 0, sizeof(*p));
}
