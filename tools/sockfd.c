// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd - show which process owns each socket, from /proc/sockfd.
 *
 * Options, filters and the main loop (the table, --watch, --json, --prom,
 * --summary, explain).  See sockfd(8); the file format is proc_sockfd(5).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "table.h"

#ifndef SOCKFD_VERSION
#define SOCKFD_VERSION "unknown"
#endif

#define EXIT_USAGE 2

struct filter {
	uint64_t *pids;
	size_t npids;
	const char **comms;
	size_t ncomms;
	uint64_t *ports;
	size_t nports;
	const char **states;
	size_t nstates;
	bool tcp, udp, unx, v4, v6, listening;
	bool has_netns, has_uid;
	uint64_t netns, uid;
	bool any;		/* any of the above is given */
};

struct opts {
	const char *file;
	const char *proc_root;
	bool proc_root_given;
	const char *columns;
	unsigned int out_flags;
	bool json, summary, prom, dot;
	bool peer;		/* -o names peer: the whole table is joined */
	bool quiet;		/* -q: no note on what is not shown */
	const char *prom_file;
	unsigned int top;
	double watch;
	unsigned long count;
	bool is_top;		/* sockfd top: */
	struct sf_top_opts t;	/* its own options */
	struct filter f;
};

static void __attribute__((noreturn)) usage(void)
{
	fputs("Usage:\n"
	      " sockfd [options]\n"
	      " sockfd [options] explain PID FD\n"
	      " sockfd top [-b] [-d SECONDS] [-n N] [--by VIEW] [--sort COL] [filters]\n"
	      "\n"
	      "Show which process owns each socket, from /proc/sockfd.\n"
	      "explain PID FD: fd -> open file -> socket inode -> socket -> connection.\n"
	      "top: live send/receive rates, retransmissions, drops, RTT and fds per\n"
	      "process, cgroup or socket (keys p c s, < > sort, r reverse, q quit).\n"
	      "\n"
	      "Options:\n"
	      " -f, --file FILE        read FILE, a saved copy of /proc/sockfd (- for stdin)\n"
	      " -o, --output COLS      columns to show, comma-separated (+COLS appends)\n"
	      " -H, --no-headings      do not print a heading line\n"
	      " -n, --numeric          raw numbers (no K/M sizes, no user names)\n"
	      " -j, --json             one JSON array of objects\n"
	      "     --summary          per-process, per-state and system-wide summary\n"
	      "     --prom             metrics in the Prometheus text format\n"
	      "     --prom-file PATH   --prom into PATH, replaced atomically\n"
	      "     --top N            processes listed by --summary, processes and\n"
	      "                        listeners by --prom (default 10)\n"
	      "     --dot              Graphviz graph: processes, fds, sockets, local peers\n"
	      " -w, --watch SECONDS    redraw every SECONDS; + marks sockets that appeared,\n"
	      "                        - those that vanished since the last refresh\n"
	      "     --count N          with --watch: stop after N refreshes\n"
	      "     --proc-root DIR    read the /proc files below DIR instead of /proc\n"
	      " -q, --quiet            no note on stderr that processes are not shown\n"
	      "                        (without CAP_SYS_PTRACE)\n"
	      "\n"
	      "Options of top:\n"
	      " -d, --delay SECONDS    read /proc/sockfd every SECONDS (default 2)\n"
	      " -n, --iterations N     stop after N screens (--numeric: raw numbers)\n"
	      " -b, --batch            plain text for pipes, every screen whole\n"
	      "     --by VIEW          process (default), cgroup or socket\n"
	      "     --sort COL         a column of the screen (default SEND/s)\n"
	      "\n"
	      "Filters (different filters must all match; a repeated one matches any value):\n"
	      " -p, --pid PID          sockets in the fd table of PID\n"
	      " -c, --comm COMM        command names starting with COMM\n"
	      "     --port PORT        inet/inet6 sockets with local or remote port PORT\n"
	      " -s, --state STATE      sockets in STATE (ESTABLISHED, time-wait, ...)\n"
	      " -t, --tcp              TCP sockets       } any of -t -u -x\n"
	      " -u, --udp              UDP sockets       }\n"
	      " -x, --unix             Unix sockets      }\n"
	      " -4, --ipv4             IPv4 sockets      } any of -4 -6\n"
	      " -6, --ipv6             IPv6 sockets      }\n"
	      " -l, --listening        listening sockets (state LISTEN)\n"
	      "     --netns INO        sockets of network namespace net:[INO]\n"
	      "     --uid UID          sockets owned by UID (number or user name)\n"
	      "\n"
	      " -h, --help             display this help\n"
	      " -V, --version          display version\n"
	      "\n"
	      "Columns: owner (shown as comm(pid)/fd), peer (the owners of the other end\n"
	      " on this machine: unix by peer inode, TCP/UDP by swapped addresses in one\n"
	      " network namespace) and every column of the file's header:\n"
	      " pid comm fd ino netns family type proto state local remote txq rxq rmem\n"
	      " rcvbuf wmem sndbuf uid, and any column a newer module appends.\n"
	      " Default: owner,ino,family,type,proto,state,rxq,txq,local,remote\n"
	      "\n"
	      "Exit status: 0 success, 1 error (also when malformed lines were skipped),\n"
	      "2 usage error.  --prom: 0 when the metrics were written, even when\n"
	      "/proc/sockfd could not be read (sockfd_up 0 says why).\n"
	      "\n"
	      "For more details see sockfd(8) and proc_sockfd(5).\n", stdout);
	exit(EXIT_SUCCESS);
}

static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("sockfd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sockfd --help' for more information.\n", stderr);
	exit(EXIT_USAGE);
}

static uint64_t number(const char *what, const char *arg, uint64_t max)
{
	uint64_t v;

	if (!sf_parse_u64(arg, strlen(arg), &v) || v > max)
		bad_usage("invalid %s: '%s'", what, arg);
	return v;
}

static uint64_t uid_arg(const char *arg)
{
	struct passwd *pw;
	uint64_t v;

	if (sf_parse_u64(arg, strlen(arg), &v))
		return v;
	pw = getpwnam(arg);
	if (!pw)
		bad_usage("invalid UID: '%s' is neither a number nor a known user", arg);
	return pw->pw_uid;
}

/* States compare ignoring case, '-' and '_' (time-wait == TIME_WAIT). */
static bool same_state(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-' || *a == '_')
			a++;
		while (*b == '-' || *b == '_')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if ((*a | 0x20) != (*b | 0x20))
			return false;
		a++;
		b++;
	}
}

static bool match(const struct filter *f, const struct sf_table *t,
		  const struct sf_row *r)
{
	const char *fam, *proto;
	bool inet;
	uint64_t v;
	size_t i;

	if (!f->any)
		return true;
	fam = sf_get(t, r, SF_FAMILY)->s;
	proto = sf_get(t, r, SF_PROTO)->s;
	inet = sf_is_inet(t, r);

	if (f->npids) {
		for (i = 0; i < f->npids && f->pids[i] != r->pid; i++)
			;
		if (i == f->npids)
			return false;
	}
	if (f->ncomms) {
		const struct sf_str *comm = sf_get(t, r, SF_COMM);

		for (i = 0; i < f->ncomms; i++)
			if (strncmp(comm->s, f->comms[i], strlen(f->comms[i])) == 0 &&
			    strlen(f->comms[i]) <= comm->len)
				break;
		if (i == f->ncomms)
			return false;
	}
	if (f->nports) {
		unsigned int lp = 0, rp = 0;
		bool hl = inet && sf_addr_port(sf_get(t, r, SF_LOCAL), &lp);
		bool hr = inet && sf_addr_port(sf_get(t, r, SF_REMOTE), &rp);

		for (i = 0; i < f->nports; i++)
			if ((hl && lp == f->ports[i]) || (hr && rp == f->ports[i]))
				break;
		if (i == f->nports)
			return false;
	}
	if (f->nstates) {
		for (i = 0; i < f->nstates; i++)
			if (same_state(sf_get(t, r, SF_STATE)->s, f->states[i]))
				break;
		if (i == f->nstates)
			return false;
	}
	if ((f->tcp || f->udp || f->unx) &&
	    !(f->tcp && inet && strcmp(proto, "tcp") == 0) &&
	    !(f->udp && inet && strcmp(proto, "udp") == 0) &&
	    !(f->unx && strcmp(fam, "unix") == 0))
		return false;
	if ((f->v4 || f->v6) && !(f->v4 && strcmp(fam, "inet") == 0) &&
	    !(f->v6 && strcmp(fam, "inet6") == 0))
		return false;
	if (f->listening && strcmp(sf_get(t, r, SF_STATE)->s, "LISTEN"))
		return false;
	if (f->has_netns && (!sf_get_num(t, r, SF_NETNS, &v) || v != f->netns))
		return false;
	if (f->has_uid && (!sf_get_num(t, r, SF_UID, &v) || v != f->uid))
		return false;
	return true;
}

static void warn_line(void *ctx, unsigned long line, const char *msg)
{
	fprintf(stderr, "sockfd: %s:%lu: %s\n", (const char *)ctx, line, msg);
}

static bool is_stdin(const struct opts *o)
{
	return o->file && strcmp(o->file, "-") == 0;
}

/* Has the reader CAP_SYS_PTRACE in its effective set?  Unknown: yes. */
static bool may_ptrace_all(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &h, d))
		return true;
	return d[CAP_TO_INDEX(CAP_SYS_PTRACE)].effective & CAP_TO_MASK(CAP_SYS_PTRACE);
}

/*
 * The module's unprivileged= parameter: 'u' (uid, the default, also when
 * the file cannot be read), 't' (tgid) or 'n' (none).
 */
static char unpriv_rule(void)
{
	char buf[16] = "";
	FILE *f = fopen("/sys/module/sockfd/parameters/unprivileged", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return buf[0] == 't' || buf[0] == 'n' ? buf[0] : 'u';
}

/*
 * Once, on stderr, when reading the live file without CAP_SYS_PTRACE: the
 * module lists only the processes the reader may trace (proc_sockfd(5),
 * PERMISSIONS), and how many others there are.  Counted cheaply from the
 * owners of the /proc/PID/fd directories: the process's euid and egid, or
 * root's when it is not dumpable (task_dump_owner(); /proc/PID itself
 * ignores dumpability).  The module wants all of the process's uids and
 * gids to be the reader's: one whose real and effective ids differ is
 * miscounted.
 */
static void note_hidden(const struct opts *o)
{
	static bool noted;
	char rule = unpriv_rule();
	uid_t uid = geteuid();
	gid_t gid = getegid();
	unsigned long others = 0;
	pid_t self = getpid();
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (noted || o->quiet || o->file || may_ptrace_all())
		return;
	noted = true;
	d = opendir(o->proc_root);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char fd[300];
		uint64_t pid;

		if (!sf_parse_u64(e->d_name, strlen(e->d_name), &pid))
			continue;
		snprintf(fd, sizeof(fd), "%s/fd", e->d_name);
		if (fstatat(dirfd(d), fd, &st, 0) || !S_ISDIR(st.st_mode))
			continue;
		if (rule == 'n' || (pid != (uint64_t)self &&
				    (rule == 't' || st.st_uid != uid || st.st_gid != gid)))
			others++;
	}
	closedir(d);
	fprintf(stderr, "sockfd: without CAP_SYS_PTRACE, %s;\n"
		"        not shown: %lu %sprocess%s (see proc_sockfd(5); -q: no note)\n",
		rule == 'n' ? "the module lists no process (unprivileged=none)" :
		rule == 't' ? "the module lists only this one (unprivileged=tgid)" :
		"only the processes you may trace are listed",
		others, rule == 'n' ? "" : "other ", others == 1 ? "" : "es");
}

/* Does the column list (-o) name the peer column? */
static bool names_peer(const char *list)
{
	const char *p = list[0] == '+' ? list + 1 : list;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == 4 && strncasecmp(p, "peer", 4) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* How load() reads the input. */
enum how {
	STREAM,		/* chunk by chunk, the rows given by sf_next() */
	SNAPSHOT,	/* all of it at once (each --watch refresh's open has
			 * one capture, also from a FIFO), then sf_next() */
	TABLE,		/* all of it, parsed into t->rows */
};

/*
 * Open the input and read its header, or all of it (see enum how).
 * 0, or 1 after saying what went wrong (*why: the same as a word, for
 * --prom's sockfd_up).  unload() closes and frees what this opened.
 */
static int load(const struct opts *o, enum how how, struct sf_table *t,
		char **pathp, const char **why)
{
	char *path = o->file ? strdup(o->file) : sf_path(o->proc_root, "sockfd");
	char *buf;
	size_t len;
	int fd, err;

	memset(t, 0, sizeof(*t));
	t->in.fd = -1;
	*pathp = path;
	*why = "read_error";
	if (!path)
		return 1;
	fd = is_stdin(o) ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		*why = err == EACCES || err == EPERM ? "permission_denied" :
		       err != ENOENT ? "open_error" : o->file ? "no_file" : "module_not_loaded";
		fprintf(stderr, "sockfd: cannot open %s: %s\n", path, strerror(err));
		if (err == ENOENT && !o->file)
			fprintf(stderr, "sockfd: the sockfd kernel module is not loaded; load it with\n"
				"        'sudo modprobe sockfd' (installed) or 'make load' (in its source tree)\n");
		return 1;
	}
	note_hidden(o);
	t->warn = warn_line;
	t->warn_ctx = is_stdin(o) ? "(stdin)" : path;
	if (how == TABLE) {
		/* parsed while the next chunk is read */
		err = sf_parse_fd(t, fd, SF_CHUNK);
		if (err <= 0 && t->in.err)
			err = t->in.err;
		if (err)	/* a read ahead may be under way: it stops first */
			sf_table_free(t);
		if (!is_stdin(o))
			close(fd);
		t->in.fd = -1;
		if (err <= 0) {
			*why = "bad_format";
			return err ? 1 : 0;
		}
	} else if (how == SNAPSHOT) {
		err = sf_read_fd(fd, &buf, &len);
		if (!is_stdin(o))
			close(fd);
		if (!err) {
			*why = "bad_format";
			return sf_open_buf(t, buf, len) ? 1 : 0;
		}
	} else {
		err = sf_open(t, fd, SF_CHUNK);
		if (err <= 0) {
			*why = "bad_format";
			return err ? 1 : 0;
		}
	}
	fprintf(stderr, "sockfd: cannot read %s: %s\n", path, strerror(err));
	return 1;
}

static void unload(const struct opts *o, struct sf_table *t, char *path)
{
	int fd = t->in.fd;

	sf_table_free(t);	/* first: it stops the read ahead on fd */
	if (fd >= 0 && !is_stdin(o))	/* STREAM's */
		close(fd);
	free(path);
}

static struct sf_row **filter_rows(const struct opts *o, const struct sf_table *t,
				   size_t *n)
{
	struct sf_row **rows = malloc((t->nrows + 1) * sizeof(*rows));

	*n = 0;
	if (!rows) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < t->nrows; i++)
		if (match(&o->f, t, &t->rows[i]))
			rows[(*n)++] = &t->rows[i];
	return rows;
}

static int cmp_key(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* The (pid, fd, ino) keys of g, sorted, for lookups. */
static uint64_t *sorted_keys(const struct sf_grid *g)
{
	uint64_t *k = malloc((3 * g->nrows + 1) * sizeof(*k));

	if (!k) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	memcpy(k, g->key, 3 * g->nrows * sizeof(*k));
	qsort(k, g->nrows, 3 * sizeof(*k), cmp_key);
	return k;
}

static bool has_key(const uint64_t *keys, size_t n, const uint64_t *key)
{
	return bsearch(key, keys, n, 3 * sizeof(*keys), cmp_key) != NULL;
}

/*
 * Mark the rows of cur that prev lacks with '+', and append the rows of
 * prev that cur lacks with '-'.  Returns how many appeared.
 */
static size_t diff(struct sf_grid *cur, const struct sf_grid *prev, size_t *gone)
{
	uint64_t *pk = sorted_keys(prev), *ck = sorted_keys(cur);
	size_t n = cur->nrows, added = 0;

	*gone = 0;
	for (size_t i = 0; i < n; i++)
		if (!has_key(pk, prev->nrows, &cur->key[3 * i])) {
			cur->mark[i] = '+';
			added++;
		}
	for (size_t i = 0; i < prev->nrows; i++)
		if (prev->mark[i] != '-' && !has_key(ck, n, &prev->key[3 * i])) {
			sf_grid_copy(cur, prev, i, '-');
			(*gone)++;
		}
	free(pk);
	free(ck);
	return added;
}

void sf_sleep(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The next row: as it is read, or with -o peer the next of the whole table
 * (*i counts them).
 */
static const struct sf_row *next(const struct opts *o, struct sf_table *t, size_t *i)
{
	if (!o->peer)
		return sf_next(t);
	return *i < t->nrows ? &t->rows[(*i)++] : NULL;
}

/*
 * The rows the filters keep, each as it is read: the table, or JSON.  With
 * -o peer the whole table was read (TABLE), and the join spans every row,
 * not only those shown: the other end is often another process.
 */
static int stream(const struct opts *o, struct sf_table *t, const char *path,
		  unsigned long iter, struct sf_grid *prev)
{
	struct sf_outcol *cols = NULL;
	size_t ncols = 0, added = 0, gone = 0, i = 0;
	struct sf_peers peers;
	const struct sf_row *r;
	struct sf_json_out j;
	struct sf_grid g;

	if ((o->columns || !o->json) && sf_resolve_cols(t, o->columns, &cols, &ncols))
		return 1;
	if (o->peer) {
		sf_peers_table(&peers, t);
		for (size_t c = 0; c < ncols; c++)
			cols[c].peers = &peers;
	}
	if (o->json) {
		sf_json_begin(&j, stdout, t, cols, ncols);
		while ((r = next(o, t, &i)))
			if (match(&o->f, t, r))
				sf_json_row(&j, t, r);
		sf_json_end(&j);
	} else {
		/* watching, each row keeps a key for the next refresh's
		 * marks; else one column that needs no aligning goes out as
		 * it is read */
		sf_grid_init(&g, cols, ncols, o->out_flags | (o->watch > 0 ? SF_OUT_MARKS : 0),
			     o->watch > 0 ? NULL : stdout);
		while ((r = next(o, t, &i)))
			if (match(&o->f, t, r))
				sf_grid_add(&g, t, r, ' ');
		if (o->watch > 0 && !t->in.err) {
			time_t now = time(NULL);
			size_t n = g.nrows;

			if (iter > 0)
				added = diff(&g, prev, &gone);
			printf("Every %gs: %s, %zu sockets, %zu appeared, %zu vanished  %s",
			       o->watch, path, n, added, gone, ctime(&now));
		}
		if (!t->in.err)
			sf_grid_print(stdout, &g, o->watch > 0);
		g.cols = NULL;	/* names of t: only the cells are kept */
		sf_grid_free(prev);
		*prev = g;
	}
	if (o->peer)
		sf_peers_free(&peers);
	free(cols);
	if (t->in.err) {
		fprintf(stderr, "sockfd: cannot read %s: %s\n", path, strerror(t->in.err));
		return 1;
	}
	return 0;
}

/* Are the rows this machine's /proc/sockfd (no -f, no --proc-root)? */
static bool reads_live(const struct opts *o)
{
	return !o->file && !o->proc_root_given;
}

/*
 * The rows the filters keep, taken as they are read into ty (--summary,
 * --prom), but for the line of the ports scan's own socket (see
 * sf_ports_begin()) when reading this machine's /proc/sockfd.  0, or 1
 * after saying that the input could not be read.
 */
static int tally(const struct opts *o, struct sf_table *t, const char *path,
		 const struct sf_ports_scan *scan, struct sf_tally *ty)
{
	uint64_t own = (uint64_t)getpid();
	uint64_t skip = reads_live(o) ? scan->ino : 0;
	const struct sf_row *r;

	memset(ty, 0, sizeof(*ty));
	while ((r = sf_next(t)))
		if (match(&o->f, t, r) && !(skip && r->ino == skip && r->pid == own))
			sf_tally_add(ty, t, r);
	if (t->in.err) {
		fprintf(stderr, "sockfd: cannot read %s: %s\n", path, strerror(t->in.err));
		return 1;
	}
	return 0;
}

/*
 * One refresh: the summary, the graph, JSON or the table.  When watching,
 * the table's rows are marked against prev (the last refresh's rows), which
 * then becomes this refresh's.  Returns 0, or 1 after an error.
 */
static int show(const struct opts *o, struct sf_table *t, const char *path,
		unsigned long iter, struct sf_grid *prev, struct sf_ports_scan *scan)
{
	struct sf_summary_opts so = {
		.proc_root = o->proc_root, .top = o->top,
		.live = reads_live(o), .ports = scan,
	};
	struct sf_tally ty;
	struct sf_row **rows;
	size_t n;
	int ret;

	if (o->watch > 0 && isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J", stdout);
	if (o->summary) {
		ret = tally(o, t, path, scan, &ty);
		if (!ret)
			sf_summary(stdout, t, &ty, &so);
		sf_tally_free(&ty);
		return ret;
	}
	if (!o->dot)
		return stream(o, t, path, iter, prev);
	rows = filter_rows(o, t, &n);
	sf_dot(stdout, t, rows, n);
	free(rows);
	return 0;
}

/* --prom: the metrics, also when the input cannot be read (sockfd_up 0). */
static int prom(const struct opts *o)
{
	struct sf_prom_opts po = { .proc_root = o->proc_root, .top = o->top,
				   .start = sf_now() };
	struct sf_ports_scan scan;
	struct sf_tally ty = { 0 };
	struct sf_table t;
	char *path;
	int ret;

	sf_ports_begin(&scan, o->proc_root);	/* beside the read */
	po.ports = &scan;
	if (load(o, STREAM, &t, &path, &po.down) == 0)
		po.down = tally(o, &t, path, &scan, &ty) ? "read_error" : NULL;
	if (o->prom_file) {
		ret = sf_prom_file(o->prom_file, &t, &ty, &po);
	} else {
		sf_prom(stdout, &t, &ty, &po);
		ret = 0;
	}
	sf_ports_drop(&scan);
	sf_tally_free(&ty);
	unload(o, &t, path);
	return ret;
}

/* Once, or every o->watch seconds. */
static int run(const struct opts *o)
{
	struct sf_grid prev = { 0 };
	int ret = 0;

	for (unsigned long iter = 0;; iter++) {
		struct sf_ports_scan scan;
		struct sf_table t;
		char *path;
		const char *why;
		int err;

		if (o->summary)
			sf_ports_begin(&scan, o->proc_root);	/* beside the read */
		/* the graph and the peer join need every row at once */
		err = load(o, o->dot || o->peer ? TABLE :
			   o->watch > 0 ? SNAPSHOT : STREAM, &t, &path, &why);
		if (!err)
			err = show(o, &t, path, iter, &prev, o->summary ? &scan : NULL);
		if (o->summary)
			sf_ports_drop(&scan);
		if (err || t.nbad)
			ret = 1;
		unload(o, &t, path);
		fflush(stdout);
		if (err || o->watch <= 0 || (o->count && iter + 1 >= o->count))
			break;
		sf_sleep(o->watch);
		putchar('\n');
	}
	sf_grid_free(&prev);
	return ret;
}

/* sockfd top: it reads (streaming) and filters as the table does. */
static int top_load(void *ctx, struct sf_table *t, char **path)
{
	const char *why;

	return load(ctx, STREAM, t, path, &why);
}

static void top_unload(void *ctx, struct sf_table *t, char *path)
{
	unload(ctx, t, path);
}

static bool top_match(void *ctx, const struct sf_table *t, const struct sf_row *r)
{
	return match(&((const struct opts *)ctx)->f, t, r);
}

static int top(struct opts *o)
{
	struct sf_top_src src = { o, top_load, top_unload, top_match };

	o->t.from_file = o->file != NULL;
	o->t.proc_root = o->file && !o->proc_root_given ? NULL : o->proc_root;
	o->t.numeric = o->out_flags & SF_OUT_NUMERIC;
	return sf_top(&src, &o->t);
}

static int explain(const struct opts *o, const char *pid_arg, const char *fd_arg)
{
	uint64_t pid = number("PID", pid_arg, UINT32_MAX);
	uint64_t fd = number("FD", fd_arg, INT32_MAX);
	struct sf_table t;
	const char *why;
	char *path;
	int ret = load(o, TABLE, &t, &path, &why);

	if (ret == 0)
		ret = sf_explain(stdout, &t, path,
				 o->file && !o->proc_root_given ? NULL : o->proc_root,
				 pid, fd);
	unload(o, &t, path);
	return ret;
}

enum {
	OPT_PORT = 0x100, OPT_NETNS, OPT_UID, OPT_SUMMARY, OPT_TOP, OPT_COUNT,
	OPT_PROC_ROOT, OPT_PROM, OPT_PROM_FILE, OPT_DOT, OPT_BY, OPT_SORT,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-headings", no_argument, NULL, 'H' },
		{ "numeric", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "prom", no_argument, NULL, OPT_PROM },
		{ "prom-file", required_argument, NULL, OPT_PROM_FILE },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "dot", no_argument, NULL, OPT_DOT },
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "state", required_argument, NULL, 's' },
		{ "tcp", no_argument, NULL, 't' },
		{ "udp", no_argument, NULL, 'u' },
		{ "unix", no_argument, NULL, 'x' },
		{ "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "listening", no_argument, NULL, 'l' },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* sockfd top's */
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "batch", no_argument, NULL, 'b' },
		{ "by", required_argument, NULL, OPT_BY },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .proc_root = "/proc", .top = 10, .t.delay = 2 };
	struct filter *f = &o.f;
	char *end;
	int c, ret, li = -1;

	f->pids = calloc(argc, sizeof(*f->pids));
	f->comms = calloc(argc, sizeof(*f->comms));
	f->ports = calloc(argc, sizeof(*f->ports));
	f->states = calloc(argc, sizeof(*f->states));
	if (!f->pids || !f->comms || !f->ports || !f->states) {
		fprintf(stderr, "sockfd: out of memory\n");
		return 1;
	}
	/* sockfd top [options]: its -n is top's (screens), --numeric the table's */
	o.is_top = argc > 1 && strcmp(argv[1], "top") == 0;
	if (o.is_top) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, o.is_top ? "f:Hn:d:bp:c:s:tux46lqhV" :
				"f:o:Hnjw:p:c:s:tux46lqhV", longopts, &li)) != -1) {
		const char *lname = li >= 0 ? longopts[li].name : "";

		li = -1;
		if (c == 'n' && o.is_top && strcmp(lname, "numeric")) {
			o.t.count = (unsigned long)number("-n count", optarg, UINT32_MAX);
			continue;
		}
		if (!o.is_top && (c == 'd' || c == 'b' || c == OPT_BY || c == OPT_SORT ||
				  strcmp(lname, "iterations") == 0))
			bad_usage("-d, -b, --iterations, --by and --sort are options of sockfd top");
		switch (c) {
		case 'd':
			errno = 0;
			o.t.delay = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o.t.delay > 0 && o.t.delay <= 86400))
				bad_usage("invalid --delay: '%s' (seconds, > 0)", optarg);
			break;
		case 'b':
			o.t.batch = true;
			break;
		case OPT_BY:
			o.t.view = optarg;
			break;
		case OPT_SORT:
			o.t.sort = optarg;
			break;
		case 'f':
			o.file = optarg;
			break;
		case 'o':
			o.columns = optarg;
			break;
		case 'H':
			o.out_flags |= SF_OUT_NOHEAD;
			break;
		case 'n':
			o.out_flags |= SF_OUT_NUMERIC;
			break;
		case 'j':
			o.json = true;
			break;
		case OPT_SUMMARY:
			o.summary = true;
			break;
		case OPT_PROM:
			o.prom = true;
			break;
		case OPT_PROM_FILE:
			o.prom = true;
			o.prom_file = optarg;
			break;
		case OPT_DOT:
			o.dot = true;
			break;
		case OPT_TOP:
			o.top = (unsigned int)number("--top count", optarg, UINT32_MAX);
			break;
		case 'w':
			errno = 0;
			o.watch = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o.watch > 0 && o.watch <= 86400))
				bad_usage("invalid --watch interval: '%s' (seconds, > 0)", optarg);
			break;
		case OPT_COUNT:
			o.count = (unsigned long)number("--count", optarg, UINT32_MAX);
			break;
		case OPT_PROC_ROOT:
			o.proc_root = optarg;
			o.proc_root_given = true;
			break;
		case 'p':
			f->pids[f->npids++] = number("PID", optarg, UINT32_MAX);
			break;
		case 'c':
			f->comms[f->ncomms++] = optarg;
			break;
		case OPT_PORT:
			f->ports[f->nports++] = number("port", optarg, 65535);
			break;
		case 's':
			f->states[f->nstates++] = optarg;
			break;
		case 't':
			f->tcp = true;
			break;
		case 'u':
			f->udp = true;
			break;
		case 'x':
			f->unx = true;
			break;
		case '4':
			f->v4 = true;
			break;
		case '6':
			f->v6 = true;
			break;
		case 'l':
			f->listening = true;
			break;
		case OPT_NETNS:
			f->netns = number("network namespace inode", optarg, UINT64_MAX);
			f->has_netns = true;
			break;
		case OPT_UID:
			f->uid = uid_arg(optarg);
			f->has_uid = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			usage();
		case 'V':
			printf("sockfd %s\n", SOCKFD_VERSION);
			ret = EXIT_SUCCESS;
			goto out;
		default:
			fputs("Try 'sockfd --help' for more information.\n", stderr);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	f->any = f->npids || f->ncomms || f->nports || f->nstates || f->tcp || f->udp ||
		 f->unx || f->v4 || f->v6 || f->listening || f->has_netns || f->has_uid;
	if (o.json && o.summary)
		bad_usage("--json and --summary cannot be combined");
	if (o.prom && (o.json || o.summary || o.watch > 0 || o.columns))
		bad_usage("--prom cannot be combined with --json, --summary, --watch or --output");
	if (o.watch > 0 && o.json)
		bad_usage("--watch and --json cannot be combined");
	if (o.dot && (o.json || o.summary || o.prom || o.watch > 0 || o.columns))
		bad_usage("--dot cannot be combined with --json, --summary, --prom, --watch or --output");
	if (o.count && o.watch <= 0)
		bad_usage("--count needs --watch");
	o.peer = o.columns && names_peer(o.columns);
	if (o.watch > 0 && is_stdin(&o))
		bad_usage("--watch cannot re-read standard input");
	if (o.is_top && (o.json || o.summary || o.prom || o.dot || o.watch > 0 ||
		      o.columns || o.count || is_stdin(&o)))
		bad_usage("top takes no --json, --summary, --prom, --dot, --watch, --count, --output or -f -");
	if (o.is_top && optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (o.is_top) {
		ret = top(&o);
	} else if (optind < argc && strcmp(argv[optind], "explain") == 0) {
		if (argc - optind != 3)
			bad_usage("explain needs PID and FD");
		if (o.json || o.summary || o.watch > 0 || o.prom || o.dot)
			bad_usage("explain takes no --json, --summary, --prom, --dot or --watch");
		ret = explain(&o, argv[optind + 1], argv[optind + 2]);
	} else if (optind < argc) {
		bad_usage("unexpected argument '%s'", argv[optind]);
	} else if (o.prom) {
		ret = prom(&o);
	} else {
		ret = run(&o);
	}
out:
	free(f->pids);
	free(f->comms);
	free(f->ports);
	free(f->states);
	if ((fflush(stdout) != 0 || ferror(stdout)) && ret == 0) {
		fprintf(stderr, "sockfd: write error: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}
