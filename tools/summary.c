// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd --summary: the questions a busy host raises, answered from
 * /proc/sockfd plus the /proc files that own what it cannot show
 * (sockets without an fd, limits, system-wide counters).
 *
 * Every /proc path is taken below proc_root (--proc-root), so tests can
 * drive it with a fake tree.  What cannot be read is said, not guessed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <libgen.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table.h"

#define WARN_PCT 80.0

char *sf_path(const char *proc_root, const char *fmt, ...)
{
	char *tail = NULL, *path = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&tail, fmt, ap) < 0)
		tail = NULL;
	va_end(ap);
	if (!tail || asprintf(&path, "%s/%s", proc_root, tail) < 0) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	free(tail);
	return path;
}

/* Read a whole file; 0 or an errno. */
int sf_slurp(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return errno;
	ret = sf_read_fd(fd, buf, len);
	close(fd);
	return ret;
}

void sf_note(struct sf_notes *n, const char *fmt, ...)
{
	va_list ap;

	if (!n->f)
		return;
	fputs("  ", n->f);
	va_start(ap, fmt);
	vfprintf(n->f, fmt, ap);
	va_end(ap);
	fputc('\n', n->f);
}

/* Read "/proc/..." into a string; on failure note it and return NULL. */
char *sf_read_proc(const char *root, const char *name, struct sf_notes *n)
{
	char *path = sf_path(root, "%s", name), *buf = NULL;
	size_t len;
	int err = sf_slurp(path, &buf, &len);

	if (err)
		sf_note(n, "%s: %s", path, strerror(err));
	free(path);
	return err ? NULL : buf;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* qsort(), where base is not in order already (the file lists pids in
 * order, a process's fds in order). */
void sf_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++)
		if (cmp((char *)base + (i - 1) * size, (char *)base + i * size) > 0) {
			qsort(base, n, size, cmp);
			return;
		}
}

static size_t distinct(uint64_t *v, size_t n)
{
	size_t d = 0;

	sf_sort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			d++;
	return d;
}

/* ---- counts by kind and by state ---- */

struct count {
	char key[48];
	size_t n[4];		/* tcp, udp, unix, other (states); total (kinds) */
};

static struct count *bump(struct count *c, size_t *nc, const char *key)
{
	size_t i;

	for (i = 0; i < *nc; i++)
		if (strcmp(c[i].key, key) == 0)
			return &c[i];
	snprintf(c[i].key, sizeof(c[i].key), "%s", key);
	memset(c[i].n, 0, sizeof(c[i].n));
	(*nc)++;
	return &c[i];
}

static int cmp_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	if (x->n[0] != y->n[0])
		return x->n[0] < y->n[0] ? 1 : -1;
	return strcmp(x->key, y->key);
}

static const char *const tcp_states[] = {
	"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
};

static int state_rank(const char *s)
{
	for (size_t i = 0; i < sizeof(tcp_states) / sizeof(tcp_states[0]); i++)
		if (strcmp(s, tcp_states[i]) == 0)
			return (int)i;
	return 100;
}

static int cmp_state(const void *a, const void *b)
{
	const struct count *x = a, *y = b;
	int rx = state_rank(x->key), ry = state_rank(y->key);

	return rx != ry ? rx - ry : strcmp(x->key, y->key);
}

static void kinds_and_states(FILE *out, const struct sf_tally *ty)
{
	/* keys are truncated to 47 bytes: at most one per group */
	struct count *kinds = calloc(ty->ngroups + 1, sizeof(*kinds));
	struct count *states = calloc(ty->ngroups + 1, sizeof(*states));
	size_t nk = 0, ns = 0;

	if (!kinds || !states) {
		free(kinds);
		free(states);
		return;
	}
	for (size_t i = 0; i < ty->ngroups; i++) {
		const struct sf_group *g = &ty->groups[i];
		int col = 3;
		char key[48];

		snprintf(key, sizeof(key), "%s/%s", sf_name(&ty->names, g->family).s,
			 sf_name(&ty->names, g->kind).s);
		bump(kinds, &nk, key)->n[0] += g->rows;
		if ((g->flags & SF_G_INET) && (g->flags & SF_G_TCP))
			col = 0;
		else if ((g->flags & SF_G_INET) && (g->flags & SF_G_UDP))
			col = 1;
		else if (g->flags & SF_G_UNIX)
			col = 2;
		bump(states, &ns, sf_name(&ty->names, g->state).s)->n[col] += g->rows;
	}
	qsort(kinds, nk, sizeof(*kinds), cmp_count);
	qsort(states, ns, sizeof(*states), cmp_state);
	fprintf(out, "\nBy kind (family/protocol):\n");
	for (size_t i = 0; i < nk; i++)
		fprintf(out, "  %-20s %8zu\n", kinds[i].key, kinds[i].n[0]);
	fprintf(out, "\nBy state (sockets with an fd):\n");
	fprintf(out, "  %-14s %8s %8s %8s %8s\n", "STATE", "TCP", "UDP", "UNIX", "OTHER");
	for (size_t i = 0; i < ns; i++)
		fprintf(out, "  %-14s %8zu %8zu %8zu %8zu\n",
			strcmp(states[i].key, "-") ? states[i].key : "(no state)",
			states[i].n[0], states[i].n[1], states[i].n[2], states[i].n[3]);
	free(kinds);
	free(states);
}

/* ---- /proc/net/sockstat ---- */

/* The value after "key" on the line starting "name:" of text; -1 if none. */
long long sf_stat_value(const char *text, const char *name, const char *key)
{
	size_t nl = strlen(name), kl = strlen(key);

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');

		if (strncmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *p = line + nl + 1;

			while (p && (!eol || p < eol)) {
				while (*p == ' ')
					p++;
				if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
					return strtoll(p + kl + 1, NULL, 10);
				p = strchr(p, ' ');
				if (p)
					p = strchr(p + 1, ' ');
			}
			return -1;
		}
		line = eol ? eol + 1 : NULL;
	}
	return -1;
}

/* The reader's own network namespace (PROC/self/ns/net); 0 if unknown. */
static uint64_t own_netns(const char *root)
{
	char *path = sf_path(root, "self/ns/net"), link[64];
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	uint64_t ino = 0;

	free(path);
	if (n > 0) {
		link[n] = '\0';
		if (sscanf(link, "net:[%" SCNu64 "]", &ino) != 1)
			ino = 0;
	}
	return ino;
}

/* Distinct inet sockets of a protocol (SF_G_TCP or SF_G_UDP) with an fd,
 * in network namespace netns (0: any). */
static size_t with_fd(const struct sf_tally *ty, unsigned int proto, uint64_t netns)
{
	uint64_t *v = malloc((ty->nrecs + 1) * sizeof(*v));
	size_t k = 0, d;

	if (!v)
		return 0;
	for (size_t i = 0; i < ty->nrecs; i++) {
		const struct sf_rec *r = &ty->recs[i];
		unsigned int fl = ty->groups[r->group].flags;

		if (!(fl & proto) || !(fl & SF_G_INET))
			continue;
		if (netns && (!(r->flags & SF_REC_NETNS) || r->netns != netns))
			continue;
		v[k++] = r->ino;
	}
	d = distinct(v, k);
	free(v);
	return d;
}

/* One "TCP/UDP sockets in use" line: sockstat against sockets with an fd. */
static void inuse(FILE *out, const char *proto, const char *s4, const char *s6,
		  const struct sf_tally *ty, uint64_t netns)
{
	char name6[16], label[32];
	long long v4 = sf_stat_value(s4, proto, "inuse"), v6 = -1;

	snprintf(name6, sizeof(name6), "%s6", proto);
	snprintf(label, sizeof(label), "%s sockets in use", proto);
	if (s6)
		v6 = sf_stat_value(s6, name6, "inuse");
	if (v4 < 0)
		return;
	fprintf(out, "  %-34s %8lld  (IPv4 %lld", label, v4 + (v6 > 0 ? v6 : 0), v4);
	if (v6 >= 0)
		fprintf(out, " + IPv6 %lld", v6);
	fprintf(out, "); with an fd, %s: %zu\n",
		netns ? "this namespace" : "all namespaces (own unknown)",
		with_fd(ty, strcmp(proto, "TCP") ? SF_G_UDP : SF_G_TCP, netns));
}

static void sockstat(FILE *out, const struct sf_tally *ty, const char *root,
		     struct sf_notes *nt)
{
	char *s4 = sf_read_proc(root, "net/sockstat", nt);
	char *s6 = sf_read_proc(root, "net/sockstat6", nt);
	uint64_t netns = own_netns(root);
	long long v;

	fprintf(out, "\nKernel socket counters (/proc/net/sockstat%s, this network namespace):\n",
		s6 ? " and sockstat6" : "");
	if (!s4) {
		fprintf(out, "  not available (see below)\n");
		free(s6);
		return;
	}
	if ((v = sf_stat_value(s4, "sockets", "used")) >= 0)
		fprintf(out, "  %-34s %8lld\n", "sockets in use, all families", v);
	if ((v = sf_stat_value(s4, "TCP", "tw")) >= 0)
		fprintf(out, "  %-34s %8lld  (no fd points at them: not in /proc/sockfd)\n",
			"TCP TIME_WAIT", v);
	if ((v = sf_stat_value(s4, "TCP", "orphan")) >= 0)
		fprintf(out, "  %-34s %8lld  (closed by their process, still in the kernel)\n",
			"TCP orphans", v);
	inuse(out, "TCP", s4, s6, ty, netns);
	inuse(out, "UDP", s4, s6, ty, netns);
	free(s4);
	free(s6);
}

/* ---- processes ---- */

/* Open fds in % of the soft limit; -1 if either is unknown. */
double sf_fd_use_pct(const struct sf_proc *p)
{
	if (p->fds < 0 || p->limit <= 0)
		return -1;
	return 100.0 * (double)p->fds / (double)p->limit;
}

static int cmp_proc(const void *a, const void *b)
{
	const struct sf_proc *x = a, *y = b;

	if (x->sockets != y->sockets)
		return x->sockets < y->sockets ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static long long count_fds(const char *root, uint64_t pid, int *err)
{
	char *path = sf_path(root, "%" PRIu64 "/fd", pid);
	DIR *d = opendir(path);
	struct dirent *de;
	long long n = 0;

	free(path);
	if (!d) {
		*err = errno;
		return -1;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* The soft RLIMIT_NOFILE from /proc/PID/limits. */
static long long nofile_limit(const char *root, uint64_t pid, int *err)
{
	char *path = sf_path(root, "%" PRIu64 "/limits", pid), *buf = NULL;
	const char *p;
	size_t len;
	long long v = -1;

	*err = sf_slurp(path, &buf, &len);
	free(path);
	if (*err)
		return -1;
	p = strstr(buf, "\nMax open files");
	if (p) {
		p += strlen("\nMax open files");
		while (*p == ' ')
			p++;
		if (strncmp(p, "unlimited", 9) == 0)
			v = -2;
		else if (*p >= '0' && *p <= '9')
			v = strtoll(p, NULL, 10);
	}
	if (v == -1)
		*err = EINVAL;
	free(buf);
	return v;
}

/* By pid, then as listed (the first entry of a pid stays first). */
static int cmp_proc_pid(const void *a, const void *b)
{
	const struct sf_proc *x = *(const struct sf_proc *const *)a;
	const struct sf_proc *y = *(const struct sf_proc *const *)b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x > y) - (x < y);
}

/*
 * The processes (fd tables) of ty in pid order, each once: the file lists
 * a process's fds together and in pid order, else they are sorted and
 * merged.  Open fds and RLIMIT_NOFILE from the file's fds and nofile
 * columns (format 3), else from root's /proc/PID/fd and /proc/PID/limits;
 * what could not be read is noted.  NULL when out of memory.
 */
struct sf_proc *sf_procs(const struct sf_tally *ty, const char *root,
			 size_t *np, struct sf_notes *nt)
{
	struct sf_proc *procs = calloc(ty->nprocs + 1, sizeof(*procs));
	const struct sf_proc **order = malloc((ty->nprocs + 1) * sizeof(*order));
	size_t denied = 0, gone = 0, other = 0, nolimit = 0;

	*np = 0;
	if (!procs || !order) {
		free(procs);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < ty->nprocs; i++)
		order[i] = &ty->procs[i];
	sf_sort(order, ty->nprocs, sizeof(*order), cmp_proc_pid);
	for (size_t i = 0; i < ty->nprocs; i++) {
		if (*np && procs[*np - 1].pid == order[i]->pid)
			procs[*np - 1].sockets += order[i]->sockets;
		else
			procs[(*np)++] = *order[i];
	}
	free(order);
	for (size_t i = 0; i < *np; i++) {
		int err = 0;

		if (procs[i].counted)
			continue;
		procs[i].fds = count_fds(root, procs[i].pid, &err);
		if (procs[i].fds < 0) {
			denied += err == EACCES || err == EPERM;
			gone += err == ENOENT;
			other += err != EACCES && err != EPERM && err != ENOENT;
		}
		procs[i].limit = nofile_limit(root, procs[i].pid, &err);
		nolimit += procs[i].limit == -1 && err != ENOENT;
	}
	if (denied)
		sf_note(nt, "open fds of %zu process(es): permission denied on /proc/PID/fd (run as root to see them)",
			denied);
	if (gone)
		sf_note(nt, "%zu process(es): exited since /proc/sockfd was read (no /proc/PID)", gone);
	if (other)
		sf_note(nt, "open fds of %zu process(es): /proc/PID/fd could not be read", other);
	if (nolimit)
		sf_note(nt, "RLIMIT_NOFILE of %zu process(es): /proc/PID/limits unreadable", nolimit);
	return procs;
}

static void processes(FILE *out, const struct sf_tally *ty,
		      const struct sf_summary_opts *o, struct sf_notes *nt)
{
	size_t np;
	struct sf_proc *procs = sf_procs(ty, o->proc_root, &np, nt);

	if (!procs)
		return;
	qsort(procs, np, sizeof(*procs), cmp_proc);

	fprintf(out, "\nTop %zu of %zu processes by sockets (FDS: all open fds, NOFILE: soft RLIMIT_NOFILE):\n",
		np < o->top ? np : (size_t)o->top, np);
	fprintf(out, "  %8s %-16s %8s %8s %10s %5s\n", "PID", "COMM", "SOCKETS", "FDS", "NOFILE", "USE%");
	for (size_t i = 0; i < np && i < o->top; i++) {
		const struct sf_proc *p = &procs[i];
		struct sf_str comm = sf_name(&ty->names, p->comm);
		char fds[24] = "?", lim[24] = "?", pct[16] = "-";
		size_t w;

		if (p->fds >= 0)
			snprintf(fds, sizeof(fds), "%lld", p->fds);
		if (p->limit == -2)
			snprintf(lim, sizeof(lim), "unlimited");
		else if (p->limit >= 0)
			snprintf(lim, sizeof(lim), "%lld", p->limit);
		if (sf_fd_use_pct(p) >= 0)
			snprintf(pct, sizeof(pct), "%.0f%%", sf_fd_use_pct(p));
		fprintf(out, "  %8" PRIu64 " ", p->pid);
		w = sf_put_escaped(out, comm.s, comm.len);
		fprintf(out, "%*s %8zu %8s %10s %5s\n", w < 16 ? (int)(16 - w) : 0, "",
			p->sockets, fds, lim, pct);
	}
	for (size_t i = 0; i < np; i++) {	/* every process, not only the top */
		const struct sf_proc *p = &procs[i];
		struct sf_str comm = sf_name(&ty->names, p->comm);

		if (sf_fd_use_pct(p) < WARN_PCT)
			continue;
		fprintf(out, "  warning: ");
		sf_put_escaped(out, comm.s, comm.len);
		fprintf(out, "(%" PRIu64 ") has %lld of %lld files open (%.0f%%): near \"Too many open files\"\n",
			p->pid, p->fds, p->limit, sf_fd_use_pct(p));
	}
	free(procs);
}

/* ---- sockets by cgroup (format 2) ---- */

struct cgroup {
	uint64_t id;
	size_t fds, sockets;
	uint64_t drops, retrans;
	char *path;		/* below the cgroup2 root; NULL until found */
};

/* By cgroup, then socket. */
static int cmp_rec_cgroup(const void *a, const void *b)
{
	const struct sf_rec *x = *(const struct sf_rec *const *)a;
	const struct sf_rec *y = *(const struct sf_rec *const *)b;

	if (x->cgroup != y->cgroup)
		return (x->cgroup > y->cgroup) - (x->cgroup < y->cgroup);
	return (x->ino > y->ino) - (x->ino < y->ino);
}

static int cmp_cgroup(const void *a, const void *b)
{
	const struct cgroup *x = a, *y = b;

	if (x->sockets != y->sockets)
		return x->sockets < y->sockets ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Name the cgroups of cg[] by walking the cgroup2 tree at dir once: on
 * cgroup2 (kernfs) a directory's inode number is its cgroup id. rel is
 * the path below the root ("" at the root). Returns how many are left.
 */
static size_t name_cgroups(const char *dir, const char *rel, struct cgroup *cg,
			   size_t ncg, size_t left, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (!left || depth > 64 || stat(dir, &st) || !S_ISDIR(st.st_mode))
		return left;
	for (size_t i = 0; i < ncg; i++)
		if (!cg[i].path && cg[i].id == (uint64_t)st.st_ino) {
			cg[i].path = strdup(rel[0] ? rel : "/");
			left--;
		}
	d = opendir(dir);
	if (!d)
		return left;
	while (left && (de = readdir(d))) {
		char *sub = NULL, *subrel = NULL;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", dir, de->d_name) >= 0 &&
		    asprintf(&subrel, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= 0)
			left = name_cgroups(sub, subrel, cg, ncg, left, depth + 1);
		free(sub);
		free(subrel);
	}
	closedir(d);
	return left;
}

/*
 * The cgroup2 root that goes with proc_root: /sys/fs/cgroup for /proc;
 * for a copied tree, DIR/../sys/fs/cgroup when --proc-root is DIR.
 */
static char *cgroup_root(const char *proc_root)
{
	char *copy = strdup(proc_root), *path = NULL;
	const char *parent = copy ? dirname(copy) : "/";

	if (asprintf(&path, "%s%ssys/fs/cgroup", parent,
		     parent[strlen(parent) - 1] == '/' ? "" : "/") < 0)
		path = NULL;
	free(copy);
	return path;
}

/* The path of cgroup id below the cgroup2 root of proc_root; NULL if none. */
char *sf_cgroup_path(const char *proc_root, uint64_t id)
{
	struct cgroup cg = { .id = id };
	char *root = cgroup_root(proc_root);

	if (root)
		name_cgroups(root, "", &cg, 1, 1, 0);
	free(root);
	return cg.path;
}

static void cgroups(FILE *out, const struct sf_table *t, const struct sf_tally *ty,
		    const struct sf_summary_opts *o, struct sf_notes *nt)
{
	const struct sf_rec **sorted;
	struct cgroup *cg;
	size_t ncg = 0, n = 0, left;
	char *root;

	if (t->known[SF_CGROUP] < 0)
		return;		/* format 1: no cgroup column */
	sorted = malloc((ty->nrecs + 1) * sizeof(*sorted));
	cg = calloc(ty->nrecs + 1, sizeof(*cg));
	root = cgroup_root(o->proc_root);
	if (!sorted || !cg || !root)
		goto out;
	for (size_t i = 0; i < ty->nrecs; i++)
		if (ty->recs[i].flags & SF_REC_CGROUP)	/* "-": the kernel keeps none */
			sorted[n++] = &ty->recs[i];
	qsort(sorted, n, sizeof(*sorted), cmp_rec_cgroup);
	for (size_t i = 0; i < n; i++) {
		const struct sf_rec *r = sorted[i];

		if (ncg == 0 || cg[ncg - 1].id != r->cgroup)
			cg[ncg++].id = r->cgroup;
		cg[ncg - 1].fds++;
		if (i > 0 && sorted[i - 1]->ino == r->ino && sorted[i - 1]->cgroup == r->cgroup)
			continue;	/* a socket counts once, however many fds */
		cg[ncg - 1].sockets++;
		cg[ncg - 1].drops += r->drops;
		cg[ncg - 1].retrans += r->retrans;
	}
	if (!ncg)
		goto out;
	left = name_cgroups(root, "", cg, ncg, ncg, 0);
	qsort(cg, ncg, sizeof(*cg), cmp_cgroup);
	fprintf(out, "\nTop %zu of %zu cgroups by sockets (DROPS: packets dropped, RETRANS: TCP retransmissions, both totals of their sockets):\n",
		ncg < o->top ? ncg : (size_t)o->top, ncg);
	fprintf(out, "  %8s %8s %8s %8s %s\n", "SOCKETS", "FDS", "DROPS", "RETRANS", "CGROUP");
	for (size_t i = 0; i < ncg && i < o->top; i++) {
		fprintf(out, "  %8zu %8zu %8" PRIu64 " %8" PRIu64 " ", cg[i].sockets,
			cg[i].fds, cg[i].drops, cg[i].retrans);
		if (cg[i].path)
			sf_put_escaped(out, cg[i].path, strlen(cg[i].path));
		else
			fprintf(out, "id %" PRIu64, cg[i].id);
		putc('\n', out);
	}
	if (left)
		sf_note(nt, "path of %zu cgroup(s): no directory with that id under %s (removed since, or not cgroup2); shown by id",
		     left, root);
out:
	for (size_t i = 0; i < ncg; i++)
		free(cg[i].path);
	free(cg);
	free(sorted);
	free(root);
}

/* ---- system-wide files and ports ---- */

/* /proc/sys/fs/file-nr and file-max; false (noted) when unreadable. */
bool sf_file_handles(const char *root, struct sf_files *f, struct sf_notes *nt)
{
	char *nr = sf_read_proc(root, "sys/fs/file-nr", nt);
	char *max = sf_read_proc(root, "sys/fs/file-max", nt);
	unsigned long long nrmax;
	bool ok = nr && max &&
		  sscanf(nr, "%llu %llu %llu", &f->alloc, &f->unused, &nrmax) == 3 &&
		  sscanf(max, "%llu", &f->max) == 1 && f->max > 0;

	if (!ok && nr && max)
		sf_note(nt, "%s/sys/fs/file-nr or file-max: unexpected format", root);
	free(nr);
	free(max);
	return ok;
}

static void files(FILE *out, const char *root, struct sf_notes *nt)
{
	struct sf_files f;

	fprintf(out, "\nOpen files, whole system (/proc/sys/fs/file-nr, fs.file-max):\n");
	if (sf_file_handles(root, &f, nt)) {
		double use = 100.0 * (double)f.alloc / (double)f.max;

		fprintf(out, "  %llu allocated of %llu: %.1f%%\n", f.alloc, f.max, use);
		if (use >= WARN_PCT)
			fprintf(out, "  warning: the system is near fs.file-max\n");
	} else {
		fprintf(out, "  not available (see below)\n");
	}
}

/* The destination with the most TIME_WAIT on ephemeral ports. */
static void time_wait_most(FILE *out, const struct sf_ports *pt)
{
	unsigned int size = pt->hi - pt->lo + 1;
	const struct sf_tw_dest *d = pt->tw;
	double use;

	if (!pt->ntw) {
		fprintf(out, "  TCP TIME_WAIT on these ports: none\n");
	} else {
		use = 100.0 * d[0].count / size;
		fprintf(out, "  TCP TIME_WAIT on these ports, most to one destination: %lu from %s to %s: %.1f%%%s\n",
			d[0].count, d[0].local, d[0].remote, use,
			use >= 50.0 ? "  warning: connect() to it will run out of ports" : "");
	}
}

static void ports(FILE *out, struct sf_ports_scan *sc, struct sf_notes *nt)
{
	struct sf_ports pt;

	if (!sf_ports_end(sc, &pt, nt)) {
		fprintf(out, "\nLocal ports in the ephemeral range (this network namespace):\n");
		fprintf(out, "  not available (see below)\n");
		return;
	}
	fprintf(out, "\nLocal ports in the ephemeral range (this network namespace; TCP from %s, UDP from %s):\n",
		pt.diag[0] ? "sock_diag" : "/proc/net/tcp{,6}",
		pt.diag[1] ? "sock_diag" : "/proc/net/udp{,6}");
	for (int p = 0; p < 2; p++) {
		unsigned int size = pt.hi - pt.lo + 1;
		double use = 100.0 * pt.used[p] / size;

		if (!pt.have[p])
			continue;
		fprintf(out, "  %s: %u of %u ports in %u-%u in use: %.1f%%%s\n",
			p ? "UDP" : "TCP (all states, with TIME_WAIT)", pt.used[p], size,
			pt.lo, pt.hi, use,
			use >= WARN_PCT ? "  warning: ephemeral ports are running out" : "");
	}
	if (pt.have[0])
		time_wait_most(out, &pt);
	free(pt.tw);
}

int sf_summary(FILE *out, const struct sf_table *t, const struct sf_tally *ty,
	       const struct sf_summary_opts *o)
{
	uint64_t *v = malloc((ty->nrecs + 1) * sizeof(*v));
	struct sf_notes nt = { 0 };
	size_t n = ty->nrecs, ninos, npids;

	if (!v)
		return -ENOMEM;
	nt.f = open_memstream(&nt.text, &nt.len);
	for (size_t i = 0; i < n; i++)
		v[i] = ty->recs[i].ino;
	ninos = distinct(v, n);
	for (size_t i = 0; i < ty->nprocs; i++)
		v[i] = ty->procs[i].pid;
	npids = distinct(v, ty->nprocs);
	free(v);

	fprintf(out, "Sockets with an open fd: %zu fds, %zu distinct sockets, %zu processes\n",
		n, ninos, npids);
	if (o->live && geteuid() != 0)
		sf_note(&nt, "sockets of other users' processes: as uid %u, /proc/sockfd lists only the processes whose /proc/PID/fd you may read (root sees all)",
		     (unsigned int)geteuid());
	kinds_and_states(out, ty);
	sockstat(out, ty, o->proc_root, &nt);
	processes(out, ty, o, &nt);
	cgroups(out, t, ty, o, &nt);
	files(out, o->proc_root, &nt);
	ports(out, o->ports, &nt);
	if (nt.f) {
		fclose(nt.f);
		if (nt.len)
			fprintf(out, "\nNot seen:\n%s", nt.text);
		free(nt.text);
	}
	return 0;
}
