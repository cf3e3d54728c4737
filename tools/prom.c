// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd --prom: the metrics of --summary in the Prometheus text
 * exposition format (version 0.0.4), for node_exporter's textfile
 * collector.
 *
 * Series are bounded: per-process and per-listener series are the top N
 * (--top); everything else is a total by family, protocol and state.
 * Label values are written as /proc/sockfd writes fields ("\ooo" for
 * space, backslash, control bytes and bytes that are not UTF-8), then
 * escaped as the format requires (backslash and double quote).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "table.h"

double sf_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* HELP and TYPE of a gauge. */
static void gauge(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name="value": value as the file escapes it, then as the format does. */
static void label(FILE *out, const char *name, const struct sf_str *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m) {
		sf_put_escaped(m, v->s, v->len);
		fclose(m);
	}
	fprintf(out, "%s=\"", name);
	for (size_t i = 0; buf && i < len; i++) {
		if (buf[i] == '\\' || buf[i] == '"')
			putc('\\', out);
		putc(buf[i], out);
	}
	putc('"', out);
	free(buf);
}

/* 'name{l1="v1",...} ' for n pairs of a label name and its value (const
 * struct sf_str *); the sample's value follows. */
static void series(FILE *out, const char *name, int n, ...)
{
	va_list ap;

	fprintf(out, "%s{", name);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *l = va_arg(ap, const char *);

		label(out, l, va_arg(ap, const struct sf_str *));
		if (i + 1 < n)
			putc(',', out);
	}
	va_end(ap);
	fputs("} ", out);
}

static struct sf_str str(const char *s)
{
	return (struct sf_str){ (char *)s, strlen(s) };
}

/* ---- the sockets: one entry per inode ---- */

struct sock {
	const struct sf_rec *rec;	/* its row with the lowest (pid, fd) */
	struct sf_str family, kind, state;
	size_t rank;			/* of (family, kind, state) */
	bool listen, has_q;
	uint64_t txq, rxq;		/* a listener: backlog, accept queue */
};

static int cmp_rec_ino(const void *a, const void *b)
{
	const struct sf_rec *x = *(const struct sf_rec *const *)a;
	const struct sf_rec *y = *(const struct sf_rec *const *)b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int cmp_str(const struct sf_str *a, const struct sf_str *b)
{
	int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* A group's labels, to put the groups in order. */
struct glabels {
	struct sf_str family, kind, state;
	size_t group;
};

static int cmp_glabels(const void *a, const void *b)
{
	const struct glabels *x = a, *y = b;
	int c = cmp_str(&x->family, &y->family);

	if (!c)
		c = cmp_str(&x->kind, &y->kind);
	return c ? c : cmp_str(&x->state, &y->state);
}

/*
 * Per group of ty, its rank in (family, kind, state) order: the order of
 * sockfd_sockets.  Groups alike in those three (a protocol "-" and a type
 * that reads as another's protocol) share one.  *nrank: ranks in all.
 */
static size_t *group_ranks(const struct sf_tally *ty, size_t *nrank)
{
	struct glabels *g = sf_xmalloc((ty->ngroups + 1) * sizeof(*g));
	size_t *rank = sf_xmalloc((ty->ngroups + 1) * sizeof(*rank));

	for (size_t i = 0; i < ty->ngroups; i++) {
		g[i].family = sf_name(&ty->names, ty->groups[i].family);
		g[i].kind = sf_name(&ty->names, ty->groups[i].kind);
		g[i].state = sf_name(&ty->names, ty->groups[i].state);
		g[i].group = i;
	}
	qsort(g, ty->ngroups, sizeof(*g), cmp_glabels);
	*nrank = 0;
	for (size_t i = 0; i < ty->ngroups; i++) {
		if (i == 0 || cmp_glabels(&g[i - 1], &g[i]))
			(*nrank)++;
		rank[g[i].group] = *nrank - 1;
	}
	free(g);
	return rank;
}

/*
 * The distinct sockets of ty (two fds of one socket count once), in the
 * order of their group's rank, and within one in the order of their inode.
 */
static struct sock *socks(const struct sf_tally *ty, size_t *ns)
{
	const struct sf_rec **sorted = sf_xmalloc((ty->nrecs + 1) * sizeof(*sorted));
	struct sock *s = sf_xmalloc((ty->nrecs + 1) * sizeof(*s)), *out;
	size_t nrank, *rank = group_ranks(ty, &nrank);
	size_t *next = memset(sf_xmalloc((nrank + 1) * sizeof(*next)), 0,
			      (nrank + 1) * sizeof(*next)), at = 0;

	for (size_t i = 0; i < ty->nrecs; i++)
		sorted[i] = &ty->recs[i];
	sf_sort(sorted, ty->nrecs, sizeof(*sorted), cmp_rec_ino);
	*ns = 0;
	for (size_t i = 0; i < ty->nrecs; i++) {
		const struct sf_rec *r = sorted[i];
		const struct sf_group *g = &ty->groups[r->group];
		struct sock *k = &s[*ns];

		if (i > 0 && r->ino == sorted[i - 1]->ino)
			continue;
		k->rec = r;
		k->family = sf_name(&ty->names, g->family);
		k->kind = sf_name(&ty->names, g->kind);
		k->state = sf_name(&ty->names, g->state);
		k->rank = rank[r->group];
		k->listen = g->flags & SF_G_LISTEN;
		k->has_q = r->flags & SF_REC_QUEUES;
		k->txq = r->txq;
		k->rxq = r->rxq;
		next[k->rank]++;
		(*ns)++;
	}
	for (size_t i = 0; i < nrank; i++) {	/* counts to first slots */
		size_t c = next[i];

		next[i] = at;
		at += c;
	}
	out = sf_xmalloc((*ns + 1) * sizeof(*out));
	for (size_t i = 0; i < *ns; i++)
		out[next[s[i].rank]++] = s[i];
	free(next);
	free(rank);
	free(s);
	free(sorted);
	return out;
}

static void by_state(FILE *out, const struct sock *s, size_t ns)
{
	if (!ns)
		return;
	gauge(out, "sockfd_sockets", "Sockets with an open fd, by family, protocol (or type) and state.");
	for (size_t i = 0, j; i < ns; i = j) {
		for (j = i + 1; j < ns && s[j].rank == s[i].rank; j++)
			;
		series(out, "sockfd_sockets", 3, "family", &s[i].family, "proto", &s[i].kind,
		       "state", &s[i].state);
		fprintf(out, "%zu\n", j - i);
	}
}

/* Queued bytes and sockets with unread data, by family and protocol;
 * listeners' queues count connections, not bytes: left out. */
struct qsum {
	const struct sock *s;		/* the group's first socket: labels */
	uint64_t bytes[2];		/* receive, send */
	uint64_t unread;
};

static void queues(FILE *out, const struct sock *s, size_t ns)
{
	const struct sf_str dir[2] = { str("receive"), str("send") };
	struct qsum *q = calloc(ns + 1, sizeof(*q));
	size_t nq = 0;

	if (!q)
		return;
	for (size_t i = 0; i < ns; i++) {	/* s is sorted by family, kind */
		if (s[i].listen || !s[i].has_q)
			continue;
		if (!nq || cmp_str(&q[nq - 1].s->family, &s[i].family) ||
		    cmp_str(&q[nq - 1].s->kind, &s[i].kind))
			q[nq++].s = &s[i];
		q[nq - 1].bytes[0] += s[i].rxq;
		q[nq - 1].bytes[1] += s[i].txq;
		q[nq - 1].unread += s[i].rxq > 0;
	}
	if (nq) {
		gauge(out, "sockfd_queue_bytes",
		      "Bytes in the receive (unread) and send (unsent or unacknowledged) queues of sockets with an fd, listeners excepted.");
		for (int d = 0; d < 2; d++)
			for (size_t i = 0; i < nq; i++) {
				series(out, "sockfd_queue_bytes", 3, "family", &q[i].s->family,
				       "proto", &q[i].s->kind, "direction", &dir[d]);
				fprintf(out, "%" PRIu64 "\n", q[i].bytes[d]);
			}
		gauge(out, "sockfd_sockets_unread",
		      "Sockets with an fd whose receive queue holds data, listeners excepted.");
		for (size_t i = 0; i < nq; i++) {
			series(out, "sockfd_sockets_unread", 2, "family", &q[i].s->family,
			       "proto", &q[i].s->kind);
			fprintf(out, "%" PRIu64 "\n", q[i].unread);
		}
	}
	free(q);
}

/* ---- listeners: the top N by accept queue fill, then connections ---- */

struct lsn {
	struct sf_str kind, local, comm, netns;
	uint64_t queue, backlog;
	uint64_t conns;		/* established on its port, in its netns */
	bool inet;		/* it has a port */
};

/* A listener's key for count_conns(): network namespace, protocol, port. */
struct lkey {
	struct sf_str netns, kind;
	unsigned int port;
	struct lsn *l;
};

static int cmp_lkey(const void *a, const void *b)
{
	const struct lkey *x = a, *y = b;
	int c = cmp_str(&x->netns, &y->netns);

	if (!c)
		c = cmp_str(&x->kind, &y->kind);
	return c ? c : (x->port > y->port) - (x->port < y->port);
}

/*
 * Per listener, the sockets in ESTABLISHED with an fd whose local port is
 * its port, in its network namespace and of its protocol: the connections
 * its process (or another it passed them to) holds, whatever the address
 * family (an IPv4 and an IPv6 listener on one port count the same ones).
 * s holds each socket once.  The listeners are few: they are sorted, and
 * each established socket looked up among them.
 */
static void count_conns(const struct sf_tally *ty, const struct sock *s,
			size_t ns, struct lsn *l, size_t nl)
{
	struct lkey *k = calloc(nl + 1, sizeof(*k));
	size_t nk = 0;

	if (!k)
		return;
	for (size_t i = 0; i < nl; i++)
		if (l[i].inet && sf_addr_port(&l[i].local, &k[nk].port)) {
			k[nk].netns = l[i].netns;
			k[nk].kind = l[i].kind;
			k[nk++].l = &l[i];
		}
	if (nk)
		qsort(k, nk, sizeof(*k), cmp_lkey);
	for (size_t i = 0; i < ns && nk; i++) {
		struct lkey e = { .kind = s[i].kind };
		size_t lo = 0, hi = nk;

		if (!(ty->groups[s[i].rec->group].flags & SF_G_ESTABLISHED) ||
		    !(s[i].rec->flags & SF_REC_PORT))
			continue;	/* an inet socket in ESTABLISHED has a port */
		e.port = s[i].rec->port;
		e.netns = sf_name(&ty->names, s[i].rec->netns_name);
		while (lo < hi) {	/* the first not below e */
			size_t m = lo + (hi - lo) / 2;

			if (cmp_lkey(&k[m], &e) < 0)
				lo = m + 1;
			else
				hi = m;
		}
		for (; lo < nk && cmp_lkey(&k[lo], &e) == 0; lo++)
			k[lo].l->conns++;
	}
	free(k);
}

static double fill(const struct lsn *l)
{
	return l->backlog ? (double)l->queue / (double)l->backlog : (double)l->queue;
}

static int cmp_lsn_key(const void *a, const void *b)
{
	const struct lsn *x = a, *y = b;
	int c = cmp_str(&x->netns, &y->netns);

	if (!c)
		c = cmp_str(&x->kind, &y->kind);
	if (!c)
		c = cmp_str(&x->local, &y->local);
	return c ? c : cmp_str(&x->comm, &y->comm);
}

static int cmp_lsn_fill(const void *a, const void *b)
{
	const struct lsn *x = a, *y = b;

	if (fill(x) != fill(y))
		return fill(x) < fill(y) ? 1 : -1;
	if (x->queue != y->queue)
		return x->queue < y->queue ? 1 : -1;
	if (x->conns != y->conns)
		return x->conns < y->conns ? 1 : -1;
	return cmp_lsn_key(a, b);
}

/*
 * The established connections on the port of each inet listener of the
 * top --top (those of sockfd_listen_queue), labelled as they are and by
 * port: bounded like them, one series per listener, none per connection.
 */
static void listen_conns(FILE *out, const struct lsn *l, size_t nk,
			 unsigned int top)
{
	bool head = false;

	for (size_t i = 0; i < nk && i < top; i++) {
		char port[8];
		struct sf_str p = { port, 0 };
		unsigned int v;

		if (!l[i].inet || !sf_addr_port(&l[i].local, &v))
			continue;
		if (!head)
			gauge(out, "sockfd_listen_connections",
			      "Established connections with an fd on the port of a listener, in its network namespace (the listeners of sockfd_listen_queue).");
		head = true;
		p.len = snprintf(port, sizeof(port), "%u", v);
		series(out, "sockfd_listen_connections", 5, "proto", &l[i].kind,
		       "local", &l[i].local, "port", &p, "comm", &l[i].comm, "netns", &l[i].netns);
		fprintf(out, "%" PRIu64 "\n", l[i].conns);
	}
}

static void listeners(FILE *out, const struct sf_tally *ty, const struct sock *s,
		      size_t ns, unsigned int top)
{
	struct lsn *l = calloc(ns + 1, sizeof(*l));
	size_t nl = 0, nk = 0;

	if (!l)
		return;
	for (size_t i = 0; i < ns; i++) {
		if (!s[i].listen || !s[i].has_q)
			continue;
		l[nl].kind = s[i].kind;
		l[nl].local = sf_name(&ty->names, s[i].rec->local);
		l[nl].comm = sf_name(&ty->names, s[i].rec->comm);
		l[nl].netns = sf_name(&ty->names, s[i].rec->netns_name);
		l[nl].queue = s[i].rxq;
		l[nl].backlog = s[i].txq;
		l[nl].inet = ty->groups[s[i].rec->group].flags & SF_G_INET;
		nl++;
	}
	count_conns(ty, s, ns, l, nl);
	/* One series per label set: of the listeners that share one
	 * (SO_REUSEPORT), the fullest. */
	qsort(l, nl, sizeof(*l), cmp_lsn_key);
	for (size_t i = 0; i < nl; i++) {
		if (nk && cmp_lsn_key(&l[nk - 1], &l[i]) == 0) {
			if (cmp_lsn_fill(&l[i], &l[nk - 1]) < 0)
				l[nk - 1] = l[i];
			continue;
		}
		l[nk++] = l[i];
	}
	qsort(l, nk, sizeof(*l), cmp_lsn_fill);
	gauge(out, "sockfd_listeners", "Listening sockets with an fd.");
	fprintf(out, "sockfd_listeners %zu\n", nl);
	for (int m = 0; m < 2 && nk; m++) {
		if (m == 0)
			gauge(out, "sockfd_listen_queue",
			      "Connections waiting in the accept queue of a listener (the top --top by queue/backlog).");
		else
			gauge(out, "sockfd_listen_backlog",
			      "Accept queue limit (listen backlog) of a listener (the top --top by queue/backlog).");
		for (size_t i = 0; i < nk && i < top; i++) {
			series(out, m ? "sockfd_listen_backlog" : "sockfd_listen_queue", 4,
			       "proto", &l[i].kind, "local", &l[i].local, "comm", &l[i].comm,
			       "netns", &l[i].netns);
			fprintf(out, "%" PRIu64 "\n", m ? l[i].backlog : l[i].queue);
		}
	}
	listen_conns(out, l, nk, top);
	free(l);
}

/* ---- processes: the top N by open fds against RLIMIT_NOFILE ---- */

static int cmp_use(const void *a, const void *b)
{
	const struct sf_proc *x = a, *y = b;
	double ux = sf_fd_use_pct(x), uy = sf_fd_use_pct(y);

	if (ux != uy)
		return ux < uy ? 1 : -1;
	if (x->fds != y->fds)
		return x->fds < y->fds ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void process_labels(FILE *out, const char *name, const struct sf_tally *ty,
			   const struct sf_proc *p)
{
	char pid[24];
	struct sf_str s = { pid, 0 }, comm = sf_name(&ty->names, p->comm);

	s.len = snprintf(pid, sizeof(pid), "%" PRIu64, p->pid);
	series(out, name, 2, "comm", &comm, "pid", &s);
}

static void processes(FILE *out, const struct sf_tally *ty,
		      const struct sf_prom_opts *o, struct sf_notes *nt)
{
	size_t np, shown = 0;
	struct sf_proc *p = sf_procs(ty, o->proc_root, &np, nt);

	if (!p)
		return;
	qsort(p, np, sizeof(*p), cmp_use);
	gauge(out, "sockfd_processes", "Processes (fd tables) with a socket fd.");
	fprintf(out, "sockfd_processes %zu\n", np);
	for (size_t i = 0; i < np && p[i].fds >= 0 && shown < o->top; i++)
		shown++;
	if (shown) {
		gauge(out, "sockfd_process_fds",
		      "Open fds of a process with sockets (the top --top by fds/RLIMIT_NOFILE).");
		for (size_t i = 0; i < shown; i++) {
			process_labels(out, "sockfd_process_fds", ty, &p[i]);
			fprintf(out, "%lld\n", p[i].fds);
		}
		gauge(out, "sockfd_process_fd_limit",
		      "Soft RLIMIT_NOFILE of the processes in sockfd_process_fds (+Inf: unlimited).");
		for (size_t i = 0; i < shown; i++) {
			if (p[i].limit == -1)
				continue;
			process_labels(out, "sockfd_process_fd_limit", ty, &p[i]);
			if (p[i].limit == -2)
				fputs("+Inf\n", out);
			else
				fprintf(out, "%lld\n", p[i].limit);
		}
	}
	free(p);
}

/* ---- system-wide: /proc/net/sockstat, file handles, ports ---- */

/* TIME_WAIT on ephemeral ports of the top destinations (by count). */
static void time_wait_dests(FILE *out, const struct sf_ports *pt, unsigned int top)
{
	const struct sf_tw_dest *d = pt->tw;
	size_t nd = pt->ntw;

	gauge(out, "sockfd_tcp_time_wait_ephemeral",
	      "TCP sockets in TIME_WAIT on a local port of net.ipv4.ip_local_port_range, by local address and destination (the top --top), the reader's network namespace: a port is taken again for another destination, so ports run out per destination.");
	for (size_t i = 0; i < nd && i < top; i++) {
		struct sf_str l = str(d[i].local), r = str(d[i].remote);

		series(out, "sockfd_tcp_time_wait_ephemeral", 2, "local_addr", &l, "remote", &r);
		fprintf(out, "%lu\n", d[i].count);
	}
}

static void system_wide(FILE *out, const char *root, struct sf_ports_scan *sc,
			unsigned int top, struct sf_notes *nt)
{
	static const char *const proto[2] = { "tcp", "udp" };
	char *s4 = sf_read_proc(root, "net/sockstat", nt);
	struct sf_files f;
	struct sf_ports pt;
	long long v;

	if (s4 && (v = sf_stat_value(s4, "TCP", "tw")) >= 0) {
		gauge(out, "sockfd_tcp_time_wait",
		      "TCP sockets in TIME_WAIT, the reader's network namespace (/proc/net/sockstat; they have no fd).");
		fprintf(out, "sockfd_tcp_time_wait %lld\n", v);
	}
	if (s4 && (v = sf_stat_value(s4, "TCP", "orphan")) >= 0) {
		gauge(out, "sockfd_tcp_orphans",
		      "TCP sockets closed by their process and still in the kernel (/proc/net/sockstat).");
		fprintf(out, "sockfd_tcp_orphans %lld\n", v);
	}
	free(s4);
	if (sf_file_handles(root, &f, nt)) {
		gauge(out, "sockfd_file_handles",
		      "Open file handles of the whole system: allocated, unused and max (fs.file-max).");
		fprintf(out, "sockfd_file_handles{state=\"allocated\"} %llu\n", f.alloc);
		fprintf(out, "sockfd_file_handles{state=\"unused\"} %llu\n", f.unused);
		fprintf(out, "sockfd_file_handles{state=\"max\"} %llu\n", f.max);
	}
	if (sf_ports_end(sc, &pt, nt) && (pt.have[0] || pt.have[1])) {
		for (int m = 0; m < 2; m++) {
			if (m == 0)
				gauge(out, "sockfd_ephemeral_ports_used",
				      "Local ports in net.ipv4.ip_local_port_range in use (TCP: all states, with TIME_WAIT), the reader's network namespace.");
			else
				gauge(out, "sockfd_ephemeral_ports_available",
				      "Ports of net.ipv4.ip_local_port_range not in use, the reader's network namespace.");
			for (int p = 0; p < 2; p++)
				if (pt.have[p])
					fprintf(out, "%s{proto=\"%s\"} %u\n",
						m ? "sockfd_ephemeral_ports_available" :
						    "sockfd_ephemeral_ports_used", proto[p],
						m ? pt.hi - pt.lo + 1 - pt.used[p] : pt.used[p]);
		}
		if (pt.have[0])
			time_wait_dests(out, &pt, top);
	}
	free(pt.tw);
}

/* Notes as comments: the format ignores them, a person reading sees them. */
static void comments(FILE *out, struct sf_notes *nt)
{
	if (!nt->f)
		return;
	fclose(nt->f);
	for (char *line = nt->text; line && *line;) {
		char *eol = strchr(line, '\n');
		char *p = line + strspn(line, " ");

		fputs("# not seen: ", out);
		fwrite(p, 1, eol ? (size_t)(eol - p) : strlen(p), out);
		putc('\n', out);
		line = eol ? eol + 1 : NULL;
	}
	free(nt->text);
}

void sf_prom(FILE *out, const struct sf_table *t, const struct sf_tally *ty,
	     const struct sf_prom_opts *o)
{
	struct sf_notes nt = { 0 };
	nt.f = open_memstream(&nt.text, &nt.len);
	gauge(out, "sockfd_up", "1 when /proc/sockfd was read; 0 when not, with the reason.");
	if (o->down) {
		struct sf_str why = str(o->down);

		series(out, "sockfd_up", 1, "reason", &why);
		fputs("0\n", out);
	} else {
		size_t ns;
		struct sock *s = socks(ty, &ns);

		fputs("sockfd_up 1\n", out);
		gauge(out, "sockfd_rows", "Lines (socket fds) read from /proc/sockfd.");
		fprintf(out, "sockfd_rows %zu\n", ty->nrecs);
		gauge(out, "sockfd_rows_malformed", "Lines of /proc/sockfd that could not be parsed.");
		fprintf(out, "sockfd_rows_malformed %lu\n", t->nbad);
		by_state(out, s, ns);
		queues(out, s, ns);
		listeners(out, ty, s, ns, o->top);
		processes(out, ty, o, &nt);
		free(s);
	}
	system_wide(out, o->proc_root, o->ports, o->top, &nt);
	comments(out, &nt);
	gauge(out, "sockfd_scrape_seconds", "Time this sockfd --prom run took.");
	fprintf(out, "sockfd_scrape_seconds %.6f\n", sf_now() - o->start);
}

static int fail(const char *what, const char *path, int err)
{
	fprintf(stderr, "sockfd: %s %s: %s\n", what, path, strerror(err));
	return 1;
}

/*
 * --prom-file PATH: the metrics into a temporary file in PATH's directory
 * (".NAME.XXXXXX": node_exporter reads only *.prom), fsync, rename over
 * PATH, fsync the directory: a reader sees the old file or the new one,
 * never a part of one.  Mode 0644: node_exporter runs as another user.
 * 0, or 1 after saying what failed; then PATH is left as it was and the
 * temporary file is removed.
 */
int sf_prom_file(const char *path, const struct sf_table *t,
		 const struct sf_tally *ty, const struct sf_prom_opts *o)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char *dir, *tmp = NULL;
	int fd, dfd, ret = 0;
	FILE *f;

	if (!*base) {
		fprintf(stderr, "sockfd: --prom-file %s: not a file name\n", path);
		return 1;
	}
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, slash - path);
	if (!dir || asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = fail("cannot create a temporary file in", dir, errno);
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = fail("cannot write", tmp, errno);
		close(fd);
		goto unlink;
	}
	sf_prom(f, t, ty, o);
	errno = EIO;	/* what ferror() alone would leave unsaid */
	if (fflush(f) || ferror(f) || fchmod(fd, 0644) || fsync(fd)) {
		ret = fail("cannot write", tmp, errno);
		fclose(f);
		goto unlink;
	}
	if (fclose(f)) {
		ret = fail("cannot write", tmp, errno);
		goto unlink;
	}
	if (rename(tmp, path)) {
		ret = fail("cannot rename the temporary file to", path, errno);
		goto unlink;
	}
	/* the rename itself, on disk */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd))
		ret = fail("cannot sync the directory", dir, errno);
	if (dfd >= 0)
		close(dfd);
	goto out;
unlink:
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return ret;
}
