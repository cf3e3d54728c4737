// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd top - a live view of /proc/sockfd, per process, per cgroup or per
 * socket: sockets, send and receive rates, retransmissions and drops per
 * second, the worst smoothed RTT, fds against RLIMIT_NOFILE.
 *
 * Every delay seconds the file is read once, through sockfd.c's loading
 * and filters (struct sf_top_src).  A socket is followed from one read to
 * the next by its cookie (format 2); a rate is the difference of two reads
 * of its counters (bytes_sent, bytes_received: format 3; retrans, drops:
 * format 2) over the time between them.  A socket first seen after the
 * first read counts from 0 (its counters start at 0 when it is made); what
 * a socket did after the last read before it closed is lost with it, and a
 * socket that opened and closed between two reads is never seen.  Columns
 * are found by header name: what the file lacks is shown as "-" and said
 * in the screen's header.
 *
 * The screen is built as text (the same for -b and the terminal) and
 * drawn with ncurses; -b prints every screen whole.
 */
#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "table.h"

enum view { V_PROC, V_CGROUP, V_SOCK, V_N };

static const char *const view_names[V_N] = { "process", "cgroup", "socket" };

/* The columns of the screen, in the order shown. */
enum tcol {
	T_PID, T_COMM, T_FD, T_PROTO, T_STATE, T_PROCS, T_SOCKS, T_SEND,
	T_RECV, T_RETR, T_DROP, T_RTT, T_FDS, T_NOFILE, T_FDPCT, T_LOCAL,
	T_REMOTE, T_CGROUP, T_N
};

enum tfmt {
	F_TEXT,		/* a field's text, escaped as the file escapes it */
	F_NUM,		/* a count */
	F_RATE,		/* bytes per second: K/M/G (1024) without --numeric */
	F_PERSEC,	/* events per second */
	F_US,		/* microseconds: us or ms */
	F_PCT,		/* percent */
};

#define VP (1u << V_PROC)
#define VC (1u << V_CGROUP)
#define VS (1u << V_SOCK)

static const struct tcol_def {
	const char *name;	/* heading, and --sort's name (any case) */
	enum tfmt fmt;
	unsigned int views;
} tcols[T_N] = {
	[T_PID]    = { "PID",    F_NUM,    VP | VS },
	[T_COMM]   = { "COMM",   F_TEXT,   VP | VS },
	[T_FD]     = { "FD",     F_NUM,    VS },
	[T_PROTO]  = { "PROTO",  F_TEXT,   VS },
	[T_STATE]  = { "STATE",  F_TEXT,   VS },
	[T_PROCS]  = { "PROCS",  F_NUM,    VC },
	[T_SOCKS]  = { "SOCKS",  F_NUM,    VP | VC },
	[T_SEND]   = { "SEND/s", F_RATE,   VP | VC | VS },
	[T_RECV]   = { "RECV/s", F_RATE,   VP | VC | VS },
	[T_RETR]   = { "RETR/s", F_PERSEC, VP | VC | VS },
	[T_DROP]   = { "DROP/s", F_PERSEC, VP | VC | VS },
	[T_RTT]    = { "RTT",    F_US,     VP | VC | VS },
	[T_FDS]    = { "FDS",    F_NUM,    VP },
	[T_NOFILE] = { "NOFILE", F_NUM,    VP },
	[T_FDPCT]  = { "FD%",    F_PCT,    VP | VC },
	[T_LOCAL]  = { "LOCAL",  F_TEXT,   VS },
	[T_REMOTE] = { "REMOTE", F_TEXT,   VS },
	[T_CGROUP] = { "CGROUP", F_TEXT,   VC },
};

/* A socket's counters in one read, and its rates against the last. */
enum { K_SENT, K_RECV, K_RETR, K_DROP, K_N };

struct sock {			/* 64 bytes */
	uint64_t key;		/* the cookie */
	uint64_t v[K_N];
	float rate[K_N];
	uint32_t stamp;		/* the group that counted it last, + 1 */
	bool used;
	uint8_t has;		/* bit k: v[k] was read */
	uint8_t has_rate;	/* bit k: rate[k] is known */
};

/* Open addressing on the cookie; mask + 1 slots, a power of two. */
struct smap {
	struct sock *s;
	size_t mask, n;
};

/* One line of the screen. */
struct trow {
	uint64_t key;		/* the group's: pid, cgroup id or ino */
	double v[T_N];
	uint32_t has;		/* bit c: column c is known */
	struct sf_str txt[T_N];	/* F_TEXT columns */
};

/* A cgroup id's path, found once (sf_cgroup_path walks the tree). */
struct cgname {
	uint64_t id;
	char *path;		/* "cgroup:ID" when not found */
};

/*
 * What a read keeps of a row the filters let through (the file is read as
 * a stream, each line forgotten at the next): numbers, and the texts
 * shown, in tp->text.
 */
enum { X_COMM, X_PROTO, X_STATE, X_LOCAL, X_REMOTE, X_N };

struct rec {
	uint64_t pid, fd, ino, cookie, cgroup, rtt, fds, nofile;
	uint8_t has;		/* R_* */
	uint32_t txt[X_N];	/* offsets in tp->text (below 4 GiB), */
	uint32_t len[X_N];	/* and lengths */
};

#define R_COOKIE	0x01
#define R_CGROUP	0x02
#define R_RTT		0x04
#define R_FDS		0x08
#define R_NOFILE	0x10

struct top {
	const struct sf_top_src *src;
	const struct sf_top_opts *o;
	int ix[K_N];		/* header index of bytes_sent, bytes_received */
	int ifds, inofile;	/* ... fds, nofile; -1 when absent */
	bool cookies;		/* the file has a cookie column */
	size_t nread;		/* rows read */
	struct rec *recs;	/* those the filters let through */
	size_t nrecs, rcap;
	char *text;		/* their texts */
	size_t tlen, tcap;
	struct smap cur, prev;
	bool have_prev;		/* rates can be computed */
	double when, dt;	/* this read's time, and the time since the last */
	struct trow *rows;
	size_t nrows, nprocs;
	enum view view;
	enum tcol sort;
	bool rev;
	struct cgname *cg;
	size_t ncg;
	unsigned long screen;
	char clock[16];
};

static void __attribute__((noreturn)) oom(void)
{
	if (stdscr && !isendwin())
		endwin();
	fprintf(stderr, "sockfd: out of memory\n");
	exit(1);
}

/*
 * Zeroed memory whose pages are written once here.  Fresh pages that are
 * read first (a hash table's probes) map the shared zero page, and the
 * write that follows copies it and flushes the TLB of every CPU the
 * process runs on, the read-ahead thread's too: an IPI per page, costly
 * in a VM.  (A memset() after malloc() would be folded into calloc().)
 */
static void *xcalloc(size_t n, size_t size)
{
	volatile char *p = calloc(n ? n : 1, size);

	if (!p)
		oom();
	for (size_t i = 0; i < n * size; i += 4096)
		p[i] = 0;
	return (void *)p;
}

/* ---- sockets across reads ---- */

static struct sock *smap_slot(struct smap *m, uint64_t key)
{
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL) & m->mask;

	while (m->s[i].used && m->s[i].key != key)
		i = (i + 1) & m->mask;
	return &m->s[i];
}

static struct sock *smap_find(const struct smap *m, uint64_t key)
{
	struct sock *s;

	if (!m->s)
		return NULL;
	s = smap_slot((struct smap *)m, key);
	return s->used ? s : NULL;
}

static void smap_init(struct smap *m, size_t cap)
{
	m->s = xcalloc(cap, sizeof(*m->s));
	m->mask = cap - 1;
	m->n = 0;
}

/* A new socket's slot: the table doubles when 3/4 full. */
static struct sock *smap_add(struct smap *m, uint64_t key)
{
	struct sock *s;

	if (4 * (m->n + 1) > 3 * (m->mask + 1)) {
		struct smap old = *m;

		smap_init(m, 2 * (old.mask + 1));
		for (size_t i = 0; i <= old.mask; i++)
			if (old.s[i].used) {
				*smap_slot(m, old.s[i].key) = old.s[i];
				m->n++;
			}
		free(old.s);
	}
	s = smap_slot(m, key);
	if (!s->used)
		m->n++;
	return s;
}

static int col_index(const struct sf_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].s, name) == 0)
			return (int)i;
	return -1;
}

static bool field_num(const struct sf_row *r, int idx, uint64_t *v)
{
	return idx >= 0 && sf_parse_u64(r->f[idx].s, r->f[idx].len, v);
}

/* The counters of r's socket, once per socket, with their rates. */
static void count_socket(struct top *tp, const struct sf_table *t,
			 const struct sf_row *r, uint64_t cookie)
{
	uint64_t a, b;
	struct sock *s, *p;
	bool hb;

	s = smap_add(&tp->cur, cookie);
	if (s->used)
		return;		/* another fd of the same socket */
	s->used = true;
	s->key = cookie;
	if (field_num(r, tp->ix[K_SENT], &s->v[K_SENT]))
		s->has |= 1u << K_SENT;
	if (field_num(r, tp->ix[K_RECV], &s->v[K_RECV]))
		s->has |= 1u << K_RECV;
	if (sf_parse_pair(sf_get(t, r, SF_RETRANS), &a, &b, &hb) && hb) {
		s->v[K_RETR] = b;	/* tcpi_total_retrans: segments */
		s->has |= 1u << K_RETR;
	}
	if (sf_get_num(t, r, SF_DROPS, &s->v[K_DROP]))
		s->has |= 1u << K_DROP;
	if (!tp->have_prev || !(tp->dt > 0))
		return;
	p = smap_find(&tp->prev, cookie);
	for (int k = 0; k < K_N; k++) {
		uint64_t before = 0;

		if (!(s->has & (1u << k)))
			continue;
		if (p && (p->has & (1u << k)))
			before = p->v[k];
		/* new since the last read: from 0, as its counters began */
		s->rate[k] = s->v[k] >= before ?
			     (float)((double)(s->v[k] - before) / tp->dt) : 0;
		s->has_rate |= 1u << k;
	}
}

/* ---- reading ---- */

static bool shown(const struct top *tp, enum tcol c)
{
	return tcols[c].views & (1u << tp->view);
}

static size_t keep_text(struct top *tp, const struct sf_str *f)
{
	size_t at = tp->tlen;

	if (tp->tlen + f->len + 1 > tp->tcap) {
		size_t cap = tp->tcap ? 2 * tp->tcap : 65536;
		char *nt;

		while (cap < tp->tlen + f->len + 1)
			cap *= 2;
		nt = realloc(tp->text, cap);
		if (!nt)
			oom();
		tp->text = nt;
		tp->tcap = cap;
	}
	memcpy(tp->text + at, f->s, f->len);
	tp->text[at + f->len] = '\0';
	tp->tlen += f->len + 1;
	return at;
}

/* The texts a rec keeps, as file columns and as columns of the screen. */
static const enum sf_col x_cols[X_N] = {
	[X_COMM] = SF_COMM, [X_PROTO] = SF_PROTO, [X_STATE] = SF_STATE,
	[X_LOCAL] = SF_LOCAL, [X_REMOTE] = SF_REMOTE,
};
static const enum tcol x_tcols[X_N] = {
	[X_COMM] = T_COMM, [X_PROTO] = T_PROTO, [X_STATE] = T_STATE,
	[X_LOCAL] = T_LOCAL, [X_REMOTE] = T_REMOTE,
};

/*
 * What the screen needs of a row the filters let through.  A text equal
 * to the last rec's (the comm of a process's next fd, a state) is not
 * kept twice; with -b the view cannot change, so a text it does not
 * show is not kept at all (empty).
 */
static void keep(struct top *tp, const struct sf_table *t, const struct sf_row *r,
		 uint64_t cookie, bool has_cookie)
{
	const struct rec *last;
	struct rec *e;
	uint64_t var;
	bool hb;

	if (tp->nrecs == tp->rcap) {
		size_t cap = tp->rcap ? 2 * tp->rcap : 1024;
		struct rec *nr = realloc(tp->recs, cap * sizeof(*nr));

		if (!nr)
			oom();
		tp->recs = nr;
		tp->rcap = cap;
	}
	last = tp->nrecs ? &tp->recs[tp->nrecs - 1] : NULL;
	e = &tp->recs[tp->nrecs++];
	memset(e, 0, sizeof(*e));
	e->pid = r->pid;
	e->fd = r->fd;
	e->ino = r->ino;
	e->cookie = cookie;
	if (has_cookie)
		e->has |= R_COOKIE;
	if (sf_get_num(t, r, SF_CGROUP, &e->cgroup))
		e->has |= R_CGROUP;
	if (sf_parse_pair(sf_get(t, r, SF_RTT), &e->rtt, &var, &hb))
		e->has |= R_RTT;
	if (field_num(r, tp->ifds, &e->fds))
		e->has |= R_FDS;
	if (field_num(r, tp->inofile, &e->nofile))
		e->has |= R_NOFILE;
	for (int x = 0; x < X_N; x++) {
		const struct sf_str *f = sf_get(t, r, x_cols[x]);

		if (tp->o->batch && !shown(tp, x_tcols[x])) {
			e->txt[x] = e->len[x] = 0;
		} else if (last && last->len[x] == f->len &&
			   memcmp(tp->text + last->txt[x], f->s, f->len) == 0) {
			e->txt[x] = last->txt[x];
			e->len[x] = last->len[x];
		} else {
			e->txt[x] = (uint32_t)keep_text(tp, f);
			e->len[x] = (uint32_t)f->len;
		}
	}
}

/*
 * One read of the file, as a stream (the next chunk read ahead while this
 * one is parsed): every socket's counters, for the rates, and what the
 * screen needs of the rows the filters let through.
 */
static int read_once(struct top *tp)
{
	double now = sf_now();
	const struct sf_row *r;
	struct sf_table t;
	struct smap old;
	size_t cap;
	char *path;
	int ret = 0;

	if (tp->src->load(tp->src->ctx, &t, &path)) {
		tp->src->unload(tp->src->ctx, &t, path);	/* path, if any */
		return 1;
	}
	tp->ix[K_SENT] = col_index(&t, "bytes_sent");
	tp->ix[K_RECV] = col_index(&t, "bytes_received");
	tp->ix[K_RETR] = tp->ix[K_DROP] = -1;	/* known columns: sf_get */
	tp->ifds = col_index(&t, "fds");
	tp->inofile = col_index(&t, "nofile");
	tp->cookies = t.known[SF_COOKIE] >= 0;
	old = tp->prev;		/* its memory is reused: no new pages */
	tp->prev = tp->cur;
	tp->have_prev = tp->screen > 0;
	/* a capture's time is not known: take it as -d after the last */
	tp->dt = tp->o->from_file ? tp->o->delay : now - tp->when;
	tp->when = now;
	/* room for as many sockets as last time, without growing */
	cap = 1024;
	while (3 * cap < 4 * tp->prev.n + 4)
		cap *= 2;
	if (old.s && old.mask + 1 >= cap) {
		memset(old.s, 0, (old.mask + 1) * sizeof(*old.s));
		old.n = 0;
		tp->cur = old;
	} else {
		free(old.s);
		smap_init(&tp->cur, cap);
	}
	tp->nread = tp->nrecs = tp->tlen = 0;
	while ((r = sf_next(&t))) {
		uint64_t cookie;
		bool has_cookie = sf_get_num(&t, r, SF_COOKIE, &cookie);

		tp->nread++;
		if (has_cookie)		/* all, for the next read */
			count_socket(tp, &t, r, cookie);
		if (tp->src->match(tp->src->ctx, &t, r))
			keep(tp, &t, r, cookie, has_cookie);
	}
	if (t.in.err) {
		fprintf(stderr, "sockfd: cannot read %s: %s\n", path, strerror(t.in.err));
		ret = 1;
	} else if (t.nbad) {	/* malformed lines, said on stderr */
		ret = -1;
	}
	tp->src->unload(tp->src->ctx, &t, path);
	return ret;
}

/* ---- grouping ---- */

/*
 * The path of cgroup id below the cgroup2 root, or "cgroup:ID" where it is
 * not found (gone, another machine's capture); looked up once per id.
 */
static const char *cgroup_name(struct top *tp, uint64_t id)
{
	struct cgname *c;

	for (size_t i = 0; i < tp->ncg; i++)
		if (tp->cg[i].id == id)
			return tp->cg[i].path;
	c = realloc(tp->cg, (tp->ncg + 1) * sizeof(*tp->cg));
	if (!c)
		oom();
	tp->cg = c;
	c += tp->ncg++;
	c->id = id;
	c->path = tp->o->proc_root ? sf_cgroup_path(tp->o->proc_root, id) : NULL;
	if (!c->path && asprintf(&c->path, "cgroup:%" PRIu64, id) < 0)
		oom();
	return c->path;
}

static void set(struct trow *w, enum tcol c, double v)
{
	w->v[c] = v;
	w->has |= 1u << c;
}

static void set_max(struct trow *w, enum tcol c, double v)
{
	if (!(w->has & (1u << c)) || v > w->v[c])
		set(w, c, v);
}

static void set_text(struct trow *w, enum tcol c, const struct sf_str *s)
{
	w->txt[c] = *s;
	w->has |= 1u << c;
}

/* The per-process values of e's fd table's task: fds and nofile. */
static void proc_values(const struct top *tp, struct trow *w, const struct rec *e)
{
	bool hf = e->has & R_FDS, hl = e->has & R_NOFILE;

	if (tp->view == V_PROC) {
		if (hf)
			set(w, T_FDS, (double)e->fds);
		if (hl)
			set(w, T_NOFILE, (double)e->nofile);
	}
	if (hf && hl && e->nofile > 0)
		set_max(w, T_FDPCT, 100.0 * (double)e->fds / (double)e->nofile);
}

static void rec_text(const struct top *tp, struct trow *w, enum tcol c,
		     const struct rec *e, int x)
{
	struct sf_str s = { tp->text + e->txt[x], e->len[x] };

	set_text(w, c, &s);
}

struct ent {
	uint64_t g;
	const struct rec *e;
};

static int cmp_ent(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	if (x->e->pid != y->e->pid)
		return x->e->pid < y->e->pid ? -1 : 1;
	return (x->e->fd > y->e->fd) - (x->e->fd < y->e->fd);
}

/* The rows of the view from the last read: groups of the rows kept. */
static void build(struct top *tp)
{
	struct ent *e = xcalloc(tp->nrecs, sizeof(*e));
	size_t n = tp->nrecs, ng = 0;
	uint64_t lastpid = UINT64_MAX;

	tp->nprocs = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &tp->recs[i];

		if (r->pid != lastpid)
			tp->nprocs++;
		lastpid = r->pid;
		e[i].e = r;
		e[i].g = tp->view == V_PROC ? r->pid :
			 tp->view == V_SOCK ? r->ino :
			 r->has & R_CGROUP ? r->cgroup : UINT64_MAX;	/* "-" */
	}
	sf_sort(e, n, sizeof(*e), cmp_ent);	/* the process view: in order */
	for (size_t i = 0; i < n; i++)
		ng += i == 0 || e[i].g != e[i - 1].g;
	free(tp->rows);
	tp->rows = xcalloc(ng, sizeof(*tp->rows));
	ng = 0;
	for (size_t i = 0; i <= tp->cur.mask; i++)
		tp->cur.s[i].stamp = 0;
	for (size_t i = 0; i < n; ng++) {
		struct trow *w = &tp->rows[ng];
		const struct rec *r = e[i].e;

		w->key = e[i].g;
		rec_text(tp, w, T_COMM, r, X_COMM);
		rec_text(tp, w, T_PROTO, r, X_PROTO);
		rec_text(tp, w, T_STATE, r, X_STATE);
		rec_text(tp, w, T_LOCAL, r, X_LOCAL);
		rec_text(tp, w, T_REMOTE, r, X_REMOTE);
		set(w, T_PID, (double)r->pid);
		set(w, T_FD, (double)r->fd);
		set(w, T_SOCKS, 0);
		set(w, T_PROCS, 0);
		if (tp->view == V_CGROUP && e[i].g != UINT64_MAX) {
			struct sf_str s = { (char *)cgroup_name(tp, e[i].g), 0 };

			s.len = strlen(s.s);
			set_text(w, T_CGROUP, &s);
		}
		for (; i < n && e[i].g == w->key; i++) {
			struct sock *s;

			r = e[i].e;
			if (i == 0 || e[i - 1].g != w->key || e[i - 1].e->pid != r->pid) {
				w->v[T_PROCS]++;
				proc_values(tp, w, r);
			}
			if (r->has & R_RTT)
				set_max(w, T_RTT, (double)r->rtt);
			s = r->has & R_COOKIE ? smap_find(&tp->cur, r->cookie) : NULL;
			if (!s) {	/* no cookie: counted, no rates */
				w->v[T_SOCKS]++;
				continue;
			}
			if (s->stamp == (uint32_t)ng + 1)
				continue;	/* another fd of a socket counted */
			s->stamp = (uint32_t)ng + 1;
			w->v[T_SOCKS]++;
			for (int k = 0; k < K_N; k++) {
				static const enum tcol col[K_N] = {
					[K_SENT] = T_SEND, [K_RECV] = T_RECV,
					[K_RETR] = T_RETR, [K_DROP] = T_DROP,
				};

				if (!(s->has_rate & (1u << k)))
					continue;
				if (!(w->has & (1u << col[k])))
					set(w, col[k], 0);
				w->v[col[k]] += s->rate[k];
			}
		}
	}
	tp->nrows = ng;
	free(e);
}

/* ---- sorting ---- */

static enum tcol sort_col;
static bool sort_rev;

static int cmp_row(const void *a, const void *b)
{
	const struct trow *x = a, *y = b;
	bool hx = x->has & (1u << sort_col), hy = y->has & (1u << sort_col);
	int c = 0;

	if (hx != hy)
		return hx ? -1 : 1;	/* unknown last, either way */
	if (hx && tcols[sort_col].fmt == F_TEXT) {
		const struct sf_str *p = &x->txt[sort_col], *q = &y->txt[sort_col];

		c = memcmp(p->s, q->s, p->len < q->len ? p->len : q->len);
		if (!c)
			c = (p->len > q->len) - (p->len < q->len);
	} else if (hx) {	/* numbers: largest first */
		c = (x->v[sort_col] < y->v[sort_col]) - (x->v[sort_col] > y->v[sort_col]);
		if (sort_col == T_PID || sort_col == T_FD)
			c = -c;
	}
	if (sort_rev)
		c = -c;
	if (!c)
		c = (x->key > y->key) - (x->key < y->key);
	return c;
}

static void sort_rows(struct top *tp)
{
	sort_col = tp->sort;
	sort_rev = tp->rev;
	qsort(tp->rows, tp->nrows, sizeof(*tp->rows), cmp_row);
}

/* ---- the screen as text ---- */

/* The cell's text at the end of b. */
static void cell(struct sf_buf *b, const struct top *tp, const struct trow *w, enum tcol c)
{
	double v = w->v[c];
	char buf[32];
	int n = 0;

	if (!(w->has & (1u << c))) {
		sf_buf_put(b, "-", 1);
		return;
	}
	switch (tcols[c].fmt) {
	case F_TEXT:
		sf_buf_escaped(b, w->txt[c].s, w->txt[c].len);
		return;
	case F_NUM:
		n = sf_fmt_whole(buf, v, "");
		break;
	case F_RATE:
		if (tp->o->numeric) {
			n = sf_fmt_whole(buf, v, "");
		} else {
			sf_human_size(buf, sizeof(buf), (uint64_t)(v + 0.5));
			n = (int)strlen(buf);
		}
		break;
	case F_PERSEC:
		n = snprintf(buf, sizeof(buf), "%.1f", v);
		break;
	case F_US:
		if (tp->o->numeric || v < 1000)
			n = sf_fmt_whole(buf, v, tp->o->numeric ? "" : "us");
		else
			n = snprintf(buf, sizeof(buf), "%.1fms", v / 1000);
		break;
	case F_PCT:
		n = sf_fmt_whole(buf, v, "%");
		break;
	}
	sf_buf_put(b, buf, n > 0 ? (size_t)n : 0);
}

struct screen {
	char *text;		/* the lines, each ending in '\n' */
	size_t len;
	int heading;		/* the line number of the column headings */
};

static void header(FILE *m, const struct top *tp)
{
	bool cookie = tp->cookies;

	fprintf(m, "sockfd top - %s, every %gs, screen %lu: %zu socket fds",
		tp->clock, tp->o->delay, tp->screen, tp->nrecs);
	if (tp->nrecs != tp->nread)
		fprintf(m, " of %zu (filtered)", tp->nread);
	fprintf(m, ", %zu processes; view %s, sort %s%s\n", tp->nprocs,
		view_names[tp->view], tcols[tp->sort].name, tp->rev ? " (reversed)" : "");
	fputs("Rates: each socket's counters against the last read; sockets that opened\n"
	      "and closed between two reads are not counted.\n", m);
	if (!cookie)
		fputs("note: this file has no cookie column (format 1): sockets cannot be followed across reads, no rates\n", m);
	else if (!tp->have_prev)
		fputs("note: first read: rates from the next screen on\n", m);
	if (tp->ix[K_SENT] < 0 || tp->ix[K_RECV] < 0)
		fputs("note: no bytes_sent/bytes_received columns (a module before format 3): no SEND/s or RECV/s\n", m);
	if (tp->ifds < 0 || tp->inofile < 0)
		fputs("note: no fds/nofile columns (a module before format 3): no FDS, NOFILE or FD%\n", m);
	if (!tp->o->batch)
		fputs("keys: p process  c cgroup  s socket  < > sort column  r reverse  q quit\n", m);
}

/*
 * The screen: header, headings, then at most maxrows rows (0: all),
 * aligned, each cut at width bytes (0: not cut).
 */
static void render(struct top *tp, struct screen *sc, size_t maxrows, size_t width)
{
	size_t nr = maxrows && maxrows < tp->nrows ? maxrows : tp->nrows;
	size_t *off = xcalloc((nr + 1) * T_N + 1, sizeof(*off));
	size_t w[T_N] = { 0 };
	struct sf_buf cells = { 0 }, out = { 0 };
	FILE *m;
	int last = -1;

	/* the cells, headings first, as offsets into one buffer */
	for (size_t i = 0; i <= nr; i++)
		for (int c = 0; c < T_N; c++) {
			off[i * T_N + c] = cells.len;
			if (!shown(tp, c))
				continue;
			last = c;
			if (i == 0)
				sf_buf_put(&cells, tcols[c].name, strlen(tcols[c].name));
			else
				cell(&cells, tp, &tp->rows[i - 1], c);
		}
	off[(nr + 1) * T_N] = cells.len;
	for (size_t i = 0; i < (nr + 1) * T_N; i++) {
		size_t len = off[i + 1] - off[i];

		if (len > w[i % T_N])
			w[i % T_N] = len;
	}

	m = open_memstream(&sc->text, &sc->len);
	if (!m)
		oom();
	header(m, tp);
	fputc('\n', m);
	fclose(m);
	sc->heading = 0;
	for (size_t i = 0; i < sc->len; i++)
		sc->heading += sc->text[i] == '\n';
	out = (struct sf_buf){ sc->text, sc->len, sc->len };
	for (size_t i = 0; i <= nr; i++) {
		size_t start = out.len;

		for (int c = 0; c < T_N; c++) {
			size_t a = off[i * T_N + c], len = off[i * T_N + c + 1] - a;
			size_t pad = w[c] - len;

			if (!shown(tp, c))
				continue;
			if (tcols[c].fmt == F_TEXT) {
				sf_buf_put(&out, cells.s + a, len);
				if (c != last)
					sf_buf_pad(&out, pad + 1);
			} else {
				sf_buf_pad(&out, pad);
				sf_buf_put(&out, cells.s + a, len);
				if (c != last)
					sf_buf_pad(&out, 1);
			}
		}
		if (width && out.len - start > width)
			out.len = start + width;
		sf_buf_put(&out, "\n", 1);
	}
	sc->text = out.s;
	sc->len = out.len;
	free(cells.s);
	free(off);
}

static void set_clock(struct top *tp)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm) ||
	    !strftime(tp->clock, sizeof(tp->clock), "%H:%M:%S", &tm))
		strcpy(tp->clock, "?");
}

/* ---- the terminal ---- */

static void draw(struct top *tp)
{
	struct screen sc = { 0 };
	int rows = LINES, cols = COLS;
	const char *p;
	int y = 0;

	/* the header's lines and the headings take the top of the screen */
	render(tp, &sc, (size_t)(rows > 8 ? rows : 8), (size_t)(cols > 0 ? cols : 80));
	erase();
	for (p = sc.text; p < sc.text + sc.len && y < rows; y++) {
		const char *nl = memchr(p, '\n', sc.text + sc.len - p);
		int len = (int)(nl - p);

		if (y == sc.heading)
			attron(A_REVERSE);
		mvaddnstr(y, 0, p, len < cols ? len : cols);
		if (y == sc.heading) {
			for (int x = len; x < cols; x++)
				addch(' ');
			attroff(A_REVERSE);
		}
		p = nl + 1;
	}
	refresh();
	free(sc.text);
}

/* The next (dir 1) or previous (-1) column of the view. */
static enum tcol next_col(const struct top *tp, enum tcol c, int dir)
{
	int n = c;

	do
		n = (n + dir + T_N) % T_N;
	while (!shown(tp, n));
	return n;
}

static void set_view(struct top *tp, enum view v)
{
	tp->view = v;
	if (!shown(tp, tp->sort))
		tp->sort = T_SEND;
	build(tp);
	sort_rows(tp);
}

/* Keys until the next read is due; false: quit. */
static bool keys(struct top *tp, double due)
{
	for (;;) {
		double left = due - sf_now();
		int ch;

		if (left <= 0)
			return true;
		timeout((int)(left * 1000) + 1);
		ch = getch();
		switch (ch) {
		case ERR:
			break;
		case 'q':
		case 'Q':
			return false;
		case 'p':
			set_view(tp, V_PROC);
			break;
		case 'c':
			set_view(tp, V_CGROUP);
			break;
		case 's':
			set_view(tp, V_SOCK);
			break;
		case '<':
		case KEY_LEFT:
			tp->sort = next_col(tp, tp->sort, -1);
			sort_rows(tp);
			break;
		case '>':
		case KEY_RIGHT:
			tp->sort = next_col(tp, tp->sort, 1);
			sort_rows(tp);
			break;
		case 'r':
			tp->rev = !tp->rev;
			sort_rows(tp);
			break;
		case ' ':
			return true;
		case KEY_RESIZE:
		default:
			break;
		}
		draw(tp);
	}
}

/* ---- options ---- */

static int find_col(const char *name)
{
	size_t n = strlen(name);

	for (int c = 0; c < T_N; c++)
		if (strcasecmp(tcols[c].name, name) == 0 ||
		    (n && strncasecmp(tcols[c].name, name, n) == 0 &&
		     strcmp(tcols[c].name + n, "/s") == 0))
			return c;
	return -1;
}

int sf_top(const struct sf_top_src *src, const struct sf_top_opts *o)
{
	struct top tp = { .src = src, .o = o, .sort = T_SEND };
	int ret = 0, v;

	if (o->view) {
		for (v = 0; v < V_N && strcasecmp(o->view, view_names[v]); v++)
			;
		if (v == V_N) {
			fprintf(stderr, "sockfd: invalid --by '%s' (process, cgroup or socket)\n"
				"Try 'sockfd --help' for more information.\n", o->view);
			return 2;
		}
		tp.view = v;
	}
	if (o->sort) {
		v = find_col(o->sort);
		if (v < 0) {
			fprintf(stderr, "sockfd: invalid --sort '%s' (a column of sockfd top)\n"
				"Try 'sockfd --help' for more information.\n", o->sort);
			return 2;
		}
		tp.sort = v;
	}
	if (!shown(&tp, tp.sort)) {
		fprintf(stderr, "sockfd: --sort %s: not a column of the %s view\n",
			tcols[tp.sort].name, view_names[tp.view]);
		return 2;
	}
	if (!o->batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "sockfd: top needs a terminal; -b prints plain text\n");
		return 1;
	}
	for (;;) {
		int err = read_once(&tp);
		double due;

		if (err > 0) {	/* said on stderr, lost under the screen */
			if (tp.screen && !o->batch) {
				endwin();
				fprintf(stderr, "sockfd: top stopped: reading %s failed at screen %lu\n",
					o->from_file ? "the file" : "/proc/sockfd", tp.screen + 1);
			}
			ret = 1;
			break;
		}
		if (err < 0)	/* malformed lines, said on stderr */
			ret = 1;
		/* the screen starts after the first read: its errors stay */
		if (!tp.screen && !o->batch) {
			if (!initscr()) {
				fprintf(stderr, "sockfd: cannot start the terminal screen\n");
				ret = 1;
				break;
			}
			cbreak();
			noecho();
			keypad(stdscr, TRUE);
			curs_set(0);
		}
		due = tp.when + o->delay;
		set_clock(&tp);
		tp.screen++;
		build(&tp);
		sort_rows(&tp);
		if (o->batch) {
			struct screen sc = { 0 };

			render(&tp, &sc, 0, 0);
			fwrite(sc.text, 1, sc.len, stdout);
			free(sc.text);
			if (fflush(stdout) || ferror(stdout)) {
				ret = 1;
				break;
			}
		} else {
			draw(&tp);
		}
		if (o->count && tp.screen >= o->count)
			break;
		if (o->batch) {
			double left = due - sf_now();

			if (left > 0)
				sf_sleep(left);
			putchar('\n');
		} else if (!keys(&tp, due)) {
			break;
		}
	}
	if (!o->batch && tp.screen && !isendwin())
		endwin();
	free(tp.recs);
	free(tp.text);
	for (size_t i = 0; i < tp.ncg; i++)
		free(tp.cg[i].path);
	free(tp.cg);
	free(tp.rows);
	free(tp.cur.s);
	free(tp.prev.s);
	return ret;
}
