// SPDX-License-Identifier: GPL-2.0
/*
 * reader: the sockfd reader (/usr/bin/sockfd, put there by run-guest.sh)
 * against the live module, its numbers checked against ground truth:
 *   table   every socket fd of this process once, with the inode of
 *           fstat, getsockname/getpeername addresses, SIOCINQ bytes,
 *           the peer inode of a socketpair, the owner as comm(pid)/fd;
 *   JSON    valid (a strict RFC 8259 syntax check), values as above,
 *           as many objects as /proc/sockfd has rows;
 *   summary sockets and all open fds of this process (/proc/self/fd),
 *           its RLIMIT_NOFILE (getrlimit), TIME_WAIT as /proc/net/sockstat,
 *           fs.file-max; as uid 65534 it sees only its own process's
 *           sockets and says what it could not see;
 *   explain the chain for an accepted TCP socket and a socketpair end,
 *           fdinfo flags as fcntl(F_GETFL); a non-socket fd is refused;
 *   watch   a socket opened between two refreshes is marked '+';
 *   prom    --prom during a workload: a listener whose accept queue is
 *           full (queue and backlog as TCP_INFO), a child at its
 *           RLIMIT_NOFILE with a comm that needs escaping (its fds as
 *           /proc/PID/fd, its limit as its getrlimit), LISTEN sockets as
 *           /proc/net/tcp, TIME_WAIT as /proc/net/sockstat, fs.file-max,
 *           the ephemeral range; --prom-file writes the same;
 *   alone   --prom and --summary as pid 1 of a new pid namespace with its
 *           own procfs at /proc, where the reader is the only process:
 *           no line, not even the sock_diag socket its ports scan opens
 *           before /proc/sockfd (it is open while the module lists the
 *           reader's fds, and left out by its inode);
 *   ports   --summary's ephemeral ports (TCP all states, UDP) and its
 *           TIME_WAIT most to one destination as /proc/net/tcp{,6} and
 *           udp{,6} count them before and after: from sock_diag while
 *           tcp_diag and udp_diag are loaded, from /proc/net once they
 *           are unloaded (then loaded again; where they are modules);
 *   errors  with the module unloaded it says how to load it, and --prom
 *           writes sockfd_up 0 with the reason (then the module is loaded
 *           again from $SOCKFD_KO).
 *
 * guest-modules: tcp_diag udp_diag
 */
#define _GNU_SOURCE
#include "gt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define READER "/usr/bin/sockfd"

static char *out, *err;		/* the last run's stdout and stderr */

/* Where the reader's stdout or stderr goes: one file per uid. */
static const char *path(const char *what)
{
	static char buf[2][64];
	int i = strcmp(what, "out") != 0;

	snprintf(buf[i], sizeof(buf[i]), "/tmp/reader.%u.%s", (unsigned int)getuid(), what);
	return buf[i];
}

/* Become the reader, with only stdin, stdout and stderr open. */
static void exec_reader(const char *const *argv)
{
	int o = open(path("out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int e = open(path("err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 ||
	    close_range(3, ~0U, 0))
		_exit(126);
	execv(READER, (char *const *)argv);
	_exit(127);
}

/* Start the reader in a child. */
static pid_t start(const char *const *argv)
{
	pid_t pid = fork();

	if (pid == 0)
		exec_reader(argv);
	return pid;
}

/* Run the reader; its exit code (-1: did not exit), output in out/err. */
static int finish(pid_t pid)
{
	size_t len;
	int st;

	free(out);
	free(err);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		st = -1;
	out = gt_read_file(path("out"), 65536, &len);
	err = gt_read_file(path("err"), 65536, &len);
	if (!out)
		out = strdup("");
	if (!err)
		err = strdup("");
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define RUN(...) finish(start((const char *const[]){ READER, __VA_ARGS__, NULL }))

/*
 * The reader as pid 1 of a new pid namespace, with a procfs of that
 * namespace at /proc in a mount namespace of its own: /proc/sockfd lists
 * the reader alone.  Its exit code, as finish() gives it.
 */
static int run_alone(const char *const *argv)
{
	pid_t helper = fork();

	if (helper == 0) {
		pid_t pid;
		int st;

		if (unshare(CLONE_NEWPID | CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(125);
		pid = fork();
		if (pid == 0) {
			if (mount("proc", "/proc", "proc", 0, NULL))
				_exit(124);
			exec_reader(argv);
		}
		_exit(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) ?
		      WEXITSTATUS(st) : 122);
	}
	return finish(helper);
}

/* ---- a strict JSON syntax check (RFC 8259) ---- */

static const char *js_value(const char *p, int depth);

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *js_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (isdigit((unsigned char)*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p;
}

static const char *js_list(const char *p, char close, int depth)
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = js_string(js_ws(p));
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = js_value(p, depth + 1);
		if (!p)
			return NULL;
		p = js_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *js_value(const char *p, int depth)
{
	p = js_ws(p);
	if (depth > 64)
		return NULL;
	if (*p == '{')
		return js_list(p, '}', depth);
	if (*p == '[')
		return js_list(p, ']', depth);
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	return js_number(p);
}

static bool json_valid(const char *s)
{
	const char *end = js_value(s, 0);

	return end && *js_ws(end) == '\0';
}

/* The JSON object of out holding `"fd": FD,` after "pid": PID. */
static char *json_object(pid_t pid, int fd, char *buf, size_t size)
{
	char key[64];
	const char *p = out, *q;

	snprintf(key, sizeof(key), "{\"pid\": %d, ", (int)pid);
	while ((p = strstr(p, key))) {
		char fdkey[32];

		q = strchr(p, '}');
		snprintf(fdkey, sizeof(fdkey), "\"fd\": %d,", fd);
		if (q && (size_t)(q - p) < size) {
			memcpy(buf, p, q - p + 1);
			buf[q - p + 1] = '\0';
			if (strstr(buf, fdkey))
				return buf;
		}
		p++;
	}
	return NULL;
}

/* ---- the checks ---- */

struct sock {
	int fd;
	unsigned long long ino;
	char local[160], remote[160];
	long rxq;		/* -1: not checked */
	const char *state;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static long long sockstat_tw(void)
{
	size_t len;
	char *s = gt_read_file("/proc/net/sockstat", 4096, &len);
	char *p = s ? strstr(s, " tw ") : NULL;
	long long v = p ? atoll(p + 4) : -1;

	free(s);
	return v;
}

static void table(pid_t me, struct sock *s, int n)
{
	char pid[16], line[512];
	int rc, rows = 0;

	snprintf(pid, sizeof(pid), "%d", (int)me);
	rc = RUN("-n", "-H", "-p", pid, "-o", "fd,ino,state,local,remote,rxq");
	gt_check_num("table.exit", "exit code", 0, rc);
	for (char *p = out; *p; rows++) {
		char *nl = strchr(p, '\n');
		char state[64], local[200], remote[200], rxq[32];
		unsigned long long ino;
		int fd, i;

		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : p + strlen(p);
		if (sscanf(line, "%d %llu %63s %199s %199s %31s", &fd, &ino, state, local,
			   remote, rxq) != 6) {
			gt_fail("table.row", "unparsable line: %s", line);
			continue;
		}
		for (i = 0; i < n && s[i].fd != fd; i++)
			;
		if (i == n) {
			gt_fail("table.row", "fd %d is not a socket of ours (line: %s)", fd, line);
			continue;
		}
		snprintf(line, sizeof(line), "table.fd%d.ino", fd);
		gt_check_num(line, "ino", (long long)s[i].ino, (long long)ino);
		snprintf(line, sizeof(line), "table.fd%d.local", fd);
		gt_check_str(line, "local", s[i].local, local);
		snprintf(line, sizeof(line), "table.fd%d.remote", fd);
		gt_check_str(line, "remote", s[i].remote, remote);
		if (s[i].state) {
			snprintf(line, sizeof(line), "table.fd%d.state", fd);
			gt_check_str(line, "state", s[i].state, state);
		}
		if (s[i].rxq >= 0) {
			snprintf(line, sizeof(line), "table.fd%d.rxq", fd);
			gt_check_num(line, "rxq", s[i].rxq, atoll(rxq));
		}
	}
	gt_check_num("table.rows", "rows for our pid", n, rows);
}

static void json(pid_t me, struct sock *s, int n, const char *comm)
{
	char pid[16], obj[4096], want[128];
	struct gt_table *t;
	int rc, objects = 0;

	snprintf(pid, sizeof(pid), "%d", (int)me);
	rc = RUN("-j", "-p", pid);
	gt_check_num("json.exit", "exit code", 0, rc);
	gt_check("json.valid", json_valid(out), "not valid JSON: %.200s", out);
	for (int i = 0; i < n; i++) {
		char check[64];

		snprintf(check, sizeof(check), "json.fd%d", s[i].fd);
		if (!json_object(me, s[i].fd, obj, sizeof(obj))) {
			gt_fail(check, "no object with \"fd\": %d in %.300s", s[i].fd, out);
			continue;
		}
		snprintf(want, sizeof(want), "\"comm\": \"%s\", \"fd\": %d, \"ino\": %llu,",
			 comm, s[i].fd, s[i].ino);
		gt_check(check, strstr(obj, want), "want %s in %s", want, obj);
		if (s[i].rxq >= 0) {
			snprintf(want, sizeof(want), "\"rxq\": %ld,", s[i].rxq);
			snprintf(check, sizeof(check), "json.fd%d.rxq", s[i].fd);
			gt_check(check, strstr(obj, want), "want %s in %s", want, obj);
		}
	}

	/* the whole table: one object per row of /proc/sockfd */
	t = gt_load(0);
	rc = RUN("-j");
	gt_check("json.all.valid", rc == 0 && json_valid(out), "exit %d, JSON %.200s", rc, out);
	for (const char *p = out; (p = strstr(p, "{\"pid\": ")); p++)
		objects++;
	if (t)
		gt_check_num("json.all.rows", "objects (rows of /proc/sockfd)", t->nrows, objects);
	else
		gt_fail("json.all.rows", "cannot read /proc/sockfd: %s", strerror(errno));
	gt_free(t);
}

static void summary(pid_t me, int nsock, const char *comm)
{
	char pid[16], want[160], got_comm[80], fds[32], lim[32];
	unsigned long long fmax = 0;
	unsigned long long p, socks;
	struct rlimit rl;
	const char *line;
	long long tw = sockstat_tw();
	int nfds = count_fds(), rc;
	size_t len;
	char *s;

	snprintf(pid, sizeof(pid), "%d", (int)me);
	rc = RUN("--summary", "-p", pid);
	gt_check_num("summary.exit", "exit code", 0, rc);
	snprintf(want, sizeof(want), "Sockets with an open fd: %d fds, %d distinct sockets, 1 processes",
		 nsock, nsock);
	gt_check("summary.sockets", strstr(out, want), "want '%s' in %.300s", want, out);

	snprintf(want, sizeof(want), "\n  %8d ", (int)me);
	line = strstr(out, want);
	getrlimit(RLIMIT_NOFILE, &rl);
	if (!line || sscanf(line + 1, "%llu %79s %llu %31s %31s", &p, got_comm, &socks, fds, lim) != 5) {
		gt_fail("summary.process", "no row for pid %d in %.600s", (int)me, out);
	} else {
		gt_check_str("summary.process.comm", "comm", comm, got_comm);
		gt_check_num("summary.process.sockets", "sockets", nsock, (long long)socks);
		gt_check_num("summary.process.fds", "open fds (/proc/self/fd)", nfds, atoll(fds));
		gt_check_num("summary.process.nofile", "RLIMIT_NOFILE soft", (long long)rl.rlim_cur,
			     atoll(lim));
	}
	snprintf(want, sizeof(want), "TCP TIME_WAIT");
	line = strstr(out, want);
	gt_check("summary.time_wait", line && tw >= 1 && atoll(line + strlen(want)) == tw,
		 "want TCP TIME_WAIT %lld (/proc/net/sockstat) in %.200s", tw, line ? line : out);
	{
		long long v4 = -1, v6 = -1;

		s = gt_read_file("/proc/net/sockstat", 4096, &len);
		line = s ? strstr(s, "TCP: inuse ") : NULL;
		if (line)
			v4 = atoll(line + strlen("TCP: inuse "));
		free(s);
		s = gt_read_file("/proc/net/sockstat6", 4096, &len);
		line = s ? strstr(s, "TCP6: inuse ") : NULL;
		if (line)
			v6 = atoll(line + strlen("TCP6: inuse "));
		free(s);
		/* this process holds 4 TCP sockets: lfd, cfd, afd, l6 */
		snprintf(want, sizeof(want), "(IPv4 %lld + IPv6 %lld); with an fd, this namespace: 4\n",
			 v4, v6);
		gt_check("summary.tcp_inuse", v4 >= 0 && v6 >= 0 && strstr(out, want),
			 "want '%s' (/proc/net/sockstat, sockstat6) in %.900s", want, out);
	}
	s = gt_read_file("/proc/sys/fs/file-max", 64, &len);
	if (s)
		fmax = strtoull(s, NULL, 10);
	free(s);
	snprintf(want, sizeof(want), " allocated of %llu: ", fmax);
	gt_check("summary.file_max", fmax && strstr(out, want), "want '%s' in %.800s", want, out);
}

/* As uid 65534 (a forked copy of this process, holding its sockets). */
static void summary_unprivileged(void *arg)
{
	struct gt_fdino *mine;
	char want[128];
	int rc, n;

	(void)arg;
	if (gt_become(65534, 65534))
		gt_fatal("summary.user.setup", "gt_become: %s", strerror(errno));
	n = gt_sock_fds(NULL, getpid(), &mine);
	free(mine);
	rc = RUN("--summary");
	gt_check_num("summary.user.exit", "exit code", 0, rc);
	gt_check("summary.user.not_seen", strstr(out, "Not seen:") && strstr(out, "as uid 65534"),
		 "want 'Not seen:' and 'as uid 65534' in %.600s", out);
	/* only this process's sockets: not those of the root-owned parent */
	snprintf(want, sizeof(want), "Sockets with an open fd: %d fds, %d distinct sockets, 1 processes",
		 n, n);
	gt_check("summary.user.own_only", n > 0 && strstr(out, want), "want '%s' in %.300s", want, out);
}

static void explain(pid_t me, const struct sock *acc, const struct sock *sp0,
		    const struct sock *sp1, const char *comm)
{
	char pid[16], fd[16], want[512];
	int flags = fcntl(acc->fd, F_GETFL), rc;

	snprintf(pid, sizeof(pid), "%d", (int)me);
	snprintf(fd, sizeof(fd), "%d", acc->fd);
	rc = RUN("explain", pid, fd);
	gt_check_num("explain.exit", "exit code", 0, rc);
	snprintf(want, sizeof(want), "fd %d of %s (pid %d)", acc->fd, comm, (int)me);
	gt_check("explain.fd", strstr(out, want), "want '%s' in %.300s", want, out);
	snprintf(want, sizeof(want), "-> open file: /proc/%d/fd/%d -> socket:[%llu], flags 0%o = %s",
		 (int)me, acc->fd, acc->ino, flags, (flags & O_ACCMODE) == O_RDWR ? "O_RDWR" : "?");
	gt_check("explain.open_file", strstr(out, want), "want '%s' in %.600s", want, out);
	snprintf(want, sizeof(want), "-> socket inode %llu (sockfs), owner uid 0, network namespace net:[%llu]",
		 acc->ino, gt_netns_ino(0));
	gt_check("explain.inode", strstr(out, want), "want '%s' in %.600s", want, out);
	gt_check("explain.socket", strstr(out, "-> socket: family inet (IPv4), type stream"),
		 "want the inet stream socket in %.600s", out);
	snprintf(want, sizeof(want), "-> connection: local %s, remote %s, state ESTABLISHED",
		 acc->local, acc->remote);
	gt_check("explain.connection", strstr(out, want), "want '%s' in %.600s", want, out);
	snprintf(want, sizeof(want), "receive queue %ld bytes", acc->rxq);
	gt_check("explain.rxq", strstr(out, want), "want '%s' in %.600s", want, out);

	snprintf(fd, sizeof(fd), "%d", sp0->fd);
	rc = RUN("explain", pid, fd);
	snprintf(want, sizeof(want), "peer socket inode %llu (open as %s(%d)/%d)", sp1->ino, comm,
		 (int)me, sp1->fd);
	gt_check("explain.unix_peer", rc == 0 && strstr(out, want), "exit %d, want '%s' in %.600s",
		 rc, want, out);

	rc = RUN("explain", pid, "0");
	gt_check("explain.not_socket", rc == 1 && strstr(err, "lists no socket at fd 0"),
		 "fd 0 is no socket: want exit 1 and 'lists no socket' got %d, %.300s", rc, err);
}

static void watch(pid_t me)
{
	char pid[16];
	size_t len;
	pid_t r;
	int fd = -1, rc;

	snprintf(pid, sizeof(pid), "%d", (int)me);
	unlink(path("out"));
	r = start((const char *const[]){ READER, "-w", "1", "--count", "2", "-p", pid,
					 "-o", "fd,ino", "-n", NULL });
	for (int i = 0; i < 1000 && fd < 0; i++) {
		char *s = gt_read_file(path("out"), 4096, &len);

		if (s && strstr(s, "Every"))
			fd = socket(AF_INET, SOCK_DGRAM, 0);	/* after the first refresh */
		free(s);
		if (fd < 0)
			gt_msleep(10);
	}
	rc = finish(r);
	if (fd < 0) {
		gt_fail("watch", "no first refresh within 10 s (exit %d): %.300s", rc, out);
		return;
	}
	{
		const char *plus = strstr(out, "\n+ ");
		unsigned long long ino = 0;
		int got = -1;

		if (plus)
			sscanf(plus + 3, "%d %llu", &got, &ino);
		gt_check("watch.appeared", rc == 0 && got == fd && ino == gt_fstat_ino(fd) &&
			 strstr(out, "1 appeared, 0 vanished"),
			 "exit %d; want '+ %d %llu' and '1 appeared' in %.800s", rc, fd,
			 gt_fstat_ino(fd), out);
	}
	close(fd);
}

/* ---- --prom ---- */

/* The value of the sample line "series VALUE" of out; -1 if none. */
static long long prom_value(const char *series)
{
	size_t n = strlen(series);

	for (const char *p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strncmp(p + n + 1, "+Inf", 4) ? atoll(p + n + 1) : -2;
	return -1;
}

/* LISTEN lines (st 0A) of /proc/net/tcp, this network namespace. */
static int procnet_listeners(void)
{
	size_t len;
	char *s = gt_read_file("/proc/net/tcp", 4096, &len);
	int n = 0;
	unsigned int st;

	for (char *p = s ? strchr(s, '\n') : NULL; p && p[1]; p = strchr(p + 1, '\n'))
		n += sscanf(p + 1, "%*s %*s %*s %x", &st) == 1 && st == 0x0a;
	free(s);
	return n;
}

static unsigned long long proc_number(const char *file, int field)
{
	unsigned long long v[3] = { 0, 0, 0 };
	size_t len;
	char *s = gt_read_file(file, 256, &len);

	if (s)
		sscanf(s, "%llu %llu %llu", &v[0], &v[1], &v[2]);
	free(s);
	return v[field];
}

/* A child at its fd limit: sockets until EMFILE.  vals: the soft limit
 * (getrlimit), the sockets it opened. */
static int fd_hog(void *arg, int *vals, int max)
{
	struct rlimit rl = { 24, 24 };
	int n = 0;

	(void)arg;
	(void)max;
	if (gt_set_comm("fd\"hog\\ x") || setrlimit(RLIMIT_NOFILE, &rl) ||
	    getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	while (socket(AF_UNIX, SOCK_DGRAM, 0) >= 0)
		n++;
	if (errno != EMFILE)
		return -1;
	vals[0] = (int)rl.rlim_cur;
	vals[1] = n;
	return 2;
}

/* Accept queue length and limit of a listener (TCP_INFO: unacked, sacked). */
static int accept_queue(int fd, unsigned int *backlog)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	*backlog = ti.tcpi_sacked;
	return (int)ti.tcpi_unacked;
}

static void prom(void)
{
	char series[256], hog_comm[] = "fd\\\"hog\\\\134\\\\040x";
	struct gt_child hog;
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned int backlog = 0, lo = 0, hi = 0;
	unsigned long long netns = gt_netns_ino(0);
	int lq, cl[8], q = -1, hog_fds, rows0, rows1, rc, in_range = 0;
	long long tw0, tw1, v;
	struct gt_table *t;
	size_t len;
	char *s;

	/* a listener with backlog 2 and 8 clients: its queue fills (the
	 * kernel takes backlog + 1), later SYNs are dropped */
	lq = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 2, false);
	if (lq < 0)
		gt_fatal("prom.setup", "listener: %s", strerror(errno));
	sl = gt_loopback_addr(AF_INET, gt_port(lq), &ss);
	for (int i = 0; i < 8; i++) {
		cl[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (cl[i] < 0 || (connect(cl[i], (struct sockaddr *)&ss, sl) && errno != EINPROGRESS))
			gt_fatal("prom.setup", "client %d: %s", i, strerror(errno));
	}
	for (int i = 0; i < 1000; i++) {	/* 10 s: the debug kernel is slow */
		q = accept_queue(lq, &backlog);
		if (q > (int)backlog)
			break;
		gt_msleep(10);
	}
	gt_check("prom.setup.queue_full", q > (int)backlog && backlog == 2,
		 "accept queue %d, backlog %u (TCP_INFO): not full after 10 s", q, backlog);
	if (gt_child_start(&hog, fd_hog, NULL))
		gt_fatal("prom.setup", "fd hog: %s", strerror(errno));
	/* all its fds, sockets or not: /proc/PID/fd; the child closes the
	 * pipe it reported on just after the report, so wait for that (5 s) */
	for (int i = 0; i < 500; i++) {
		char dir[64];
		DIR *d;
		struct dirent *de;

		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)hog.pid);
		d = opendir(dir);
		hog_fds = 0;
		while (d && (de = readdir(d)))
			hog_fds += de->d_name[0] != '.';
		if (d)
			closedir(d);
		if (hog_fds == hog.vals[0] - 1)
			break;
		gt_msleep(10);
	}
	/* it hit EMFILE, then closed the pipe it reported on */
	gt_check("prom.setup.at_limit", hog_fds == hog.vals[0] - 1,
		 "the hog has %d fds (/proc/PID/fd), its limit is %d", hog_fds, hog.vals[0]);

	tw0 = sockstat_tw();
	t = gt_load(4096);
	rows0 = t ? t->nrows : -1;
	gt_free(t);
	rc = RUN("--prom");
	t = gt_load(4096);
	rows1 = t ? t->nrows : -1;
	gt_free(t);
	tw1 = sockstat_tw();
	gt_check("prom.exit", rc == 0 && prom_value("sockfd_up") == 1,
		 "exit %d, want 'sockfd_up 1' in %.300s; stderr %.300s", rc, out, err);
	if (rows0 == rows1)
		gt_check_num("prom.rows", "sockfd_rows (/proc/sockfd rows)", rows0,
			     prom_value("sockfd_rows"));

	snprintf(series, sizeof(series),
		 "sockfd_listen_queue{proto=\"tcp\",local=\"127.0.0.1:%d\",comm=\"rd\\\\040test\",netns=\"%llu\"}",
		 gt_port(lq), netns);
	v = prom_value(series);
	gt_check_num("prom.listen_queue", "accept queue (TCP_INFO)", accept_queue(lq, &backlog), v);
	gt_check("prom.listen_queue.first", strstr(out, "\nsockfd_listen_queue{") &&
		 strncmp(strstr(out, "\nsockfd_listen_queue{") + 1, series, strlen(series)) == 0,
		 "want the full listener first: %s", series);
	snprintf(series, sizeof(series),
		 "sockfd_listen_backlog{proto=\"tcp\",local=\"127.0.0.1:%d\",comm=\"rd\\\\040test\",netns=\"%llu\"}",
		 gt_port(lq), netns);
	gt_check_num("prom.listen_backlog", "backlog (TCP_INFO)", backlog, prom_value(series));

	snprintf(series, sizeof(series), "sockfd_process_fds{comm=\"%s\",pid=\"%d\"}", hog_comm,
		 (int)hog.pid);
	gt_check_num("prom.process_fds", "fds of the hog (/proc/PID/fd)", hog_fds, prom_value(series));
	gt_check("prom.process_fds.first", strstr(out, "\nsockfd_process_fds{") &&
		 strncmp(strstr(out, "\nsockfd_process_fds{") + 1, series, strlen(series)) == 0,
		 "want the hog first: %s", series);
	snprintf(series, sizeof(series), "sockfd_process_fd_limit{comm=\"%s\",pid=\"%d\"}", hog_comm,
		 (int)hog.pid);
	gt_check_num("prom.process_fd_limit", "the hog's RLIMIT_NOFILE (getrlimit)", hog.vals[0],
		     prom_value(series));

	gt_check_num("prom.listeners", "LISTEN in /proc/net/tcp", procnet_listeners(),
		     prom_value("sockfd_sockets{family=\"inet\",proto=\"tcp\",state=\"LISTEN\"}"));
	v = prom_value("sockfd_tcp_time_wait");
	gt_check("prom.time_wait", tw0 >= 0 && v >= (tw0 < tw1 ? tw0 : tw1) && v <= (tw0 < tw1 ? tw1 : tw0),
		 "sockfd_tcp_time_wait %lld, /proc/net/sockstat tw %lld before, %lld after", v, tw0, tw1);
	gt_check_num("prom.file_max", "fs.file-max", (long long)proc_number("/proc/sys/fs/file-max", 0),
		     prom_value("sockfd_file_handles{state=\"max\"}"));
	s = gt_read_file("/proc/sys/net/ipv4/ip_local_port_range", 64, &len);
	if (!s || sscanf(s, "%u %u", &lo, &hi) != 2)
		gt_fail("prom.ports", "ip_local_port_range unreadable");
	free(s);
	for (int i = 0; i < 8; i++)
		in_range += gt_port(cl[i]) >= (int)lo && gt_port(cl[i]) <= (int)hi;
	v = prom_value("sockfd_ephemeral_ports_used{proto=\"tcp\"}");
	gt_check("prom.ports", v >= in_range && in_range == 8 &&
		 v + prom_value("sockfd_ephemeral_ports_available{proto=\"tcp\"}") == hi - lo + 1,
		 "used %lld (>= our %d clients), used + available = %u-%u in %.2000s", v, in_range,
		 lo, hi, out);

	unlink("/tmp/sockfd.prom");
	rc = RUN("--prom-file", "/tmp/sockfd.prom");
	s = gt_read_file("/tmp/sockfd.prom", 4096, &len);
	gt_check("prom.file", rc == 0 && s && strstr(s, "\nsockfd_up 1\n") &&
		 strstr(s, "\nsockfd_scrape_seconds ") && len && s[len - 1] == '\n',
		 "exit %d, stderr %.200s, file %.200s", rc, err, s ? s : "(none)");
	free(s);

	gt_child_stop(&hog);
	for (int i = 0; i < 8; i++)
		close(cl[i]);
	close(lq);
}

/* ---- alone ---- */

/*
 * Pid 1 of its own pid namespace, the reader is the only process there:
 * /proc/sockfd has no line but, while the module lists the reader's fds,
 * that of the sock_diag socket its ports scan opened before the file; it
 * must not count it.  Three runs each.
 */
static void alone(void)
{
	for (int i = 0; i < 3; i++) {
		int rc = run_alone((const char *const[]){ READER, "--prom", NULL });

		gt_check("alone.prom", rc == 0 && prom_value("sockfd_up") == 1 &&
			 prom_value("sockfd_rows") == 0 && !strstr(out, "family=\"netlink\""),
			 "run %d: exit %d, want sockfd_rows 0 and no netlink socket in %.1500s; stderr %.300s",
			 i, rc, out, err);
		rc = run_alone((const char *const[]){ READER, "--summary", NULL });
		gt_check("alone.summary", rc == 0 &&
			 strstr(out, "Sockets with an open fd: 0 fds, 0 distinct sockets, 0 processes\n") &&
			 strstr(out, "TCP from sock_diag"),
			 "run %d: exit %d, want no socket and TCP ports from sock_diag in %.1500s; stderr %.300s",
			 i, rc, out, err);
	}
}

/* What --summary says of the ephemeral range, or /proc/net counts it. */
struct ports {
	long long tcp, udp;	/* local ports in the range in use */
	long long tw_most;	/* TIME_WAIT in the range, most to one destination */
};

/* Distinct local ports in [lo, hi] of /proc/net/NAME and NAME6; for TCP
 * also the most TIME_WAIT lines (st 06) in the range with one local
 * address and one remote address and port. */
static long long procnet_ports(const char *name, unsigned int lo, unsigned int hi,
			       long long *tw_most)
{
	static unsigned char used[65536 / 8];
	static char keys[4096][80];
	int counts[4096], nkeys = 0;
	long long n = 0;

	memset(used, 0, sizeof(used));
	*tw_most = 0;
	for (int f = 0; f < 2; f++) {
		char file[32], *s;
		size_t len;

		snprintf(file, sizeof(file), "/proc/net/%s%s", name, f ? "6" : "");
		s = gt_read_file(file, 65536, &len);
		for (char *p = s ? strchr(s, '\n') : NULL; p && p[1]; p = strchr(p + 1, '\n')) {
			char la[33], ra[33], key[80];
			unsigned int lp, rp, st;
			int k;

			if (sscanf(p + 1, "%*s %32[0-9A-F]:%x %32[0-9A-F]:%x %x", la, &lp, ra, &rp,
				   &st) != 5 || lp < lo || lp > hi)
				continue;
			used[lp / 8] |= 1 << (lp % 8);
			if (st != 6)
				continue;
			snprintf(key, sizeof(key), "%s %s:%x", la, ra, rp);
			for (k = 0; k < nkeys && strcmp(keys[k], key); k++)
				;
			if (k == nkeys && nkeys < 4096) {
				strcpy(keys[nkeys], key);
				counts[nkeys++] = 0;
			}
			if (k < nkeys && ++counts[k] > *tw_most)
				*tw_most = counts[k];
		}
		free(s);
	}
	for (unsigned int port = lo; port <= hi; port++)
		n += (used[port / 8] >> (port % 8)) & 1;
	return n;
}

static void procnet_range(unsigned int lo, unsigned int hi, struct ports *p)
{
	long long unused;

	p->tcp = procnet_ports("tcp", lo, hi, &p->tw_most);
	p->udp = procnet_ports("udp", lo, hi, &unused);
}

/* A number after want in out, or -1. */
static long long after(const char *want)
{
	const char *p = out ? strstr(out, want) : NULL;

	return p ? atoll(p + strlen(want)) : -1;
}

static bool between(long long v, long long a, long long b)
{
	return v >= (a < b ? a : b) && v <= (a < b ? b : a);
}

/* --summary's ports against /proc/net before and after; heading: the
 * sources it must name. */
static void summary_ports(const char *check, unsigned int lo, unsigned int hi,
			  const char *heading)
{
	struct ports b, a, got;
	char name[96];
	int rc;

	procnet_range(lo, hi, &b);
	rc = RUN("--summary");
	procnet_range(lo, hi, &a);
	got.tcp = after("TCP (all states, with TIME_WAIT): ");
	got.udp = after("  UDP: ");
	got.tw_most = strstr(out, "TIME_WAIT on these ports: none") ? 0 :
		      after("most to one destination: ");
	snprintf(name, sizeof(name), "%s.source", check);
	gt_check(name, rc == 0 && strstr(out, heading), "exit %d, want '%s' in %.1500s", rc,
		 heading, out);
	snprintf(name, sizeof(name), "%s.tcp", check);
	gt_check(name, b.tcp > 0 && between(got.tcp, b.tcp, a.tcp),
		 "TCP ports in use %lld, /proc/net/tcp{,6} %lld before, %lld after", got.tcp, b.tcp,
		 a.tcp);
	snprintf(name, sizeof(name), "%s.udp", check);
	gt_check(name, between(got.udp, b.udp, a.udp),
		 "UDP ports in use %lld, /proc/net/udp{,6} %lld before, %lld after", got.udp, b.udp,
		 a.udp);
	snprintf(name, sizeof(name), "%s.time_wait", check);
	gt_check(name, b.tw_most > 0 && between(got.tw_most, b.tw_most, a.tw_most),
		 "TIME_WAIT most to one destination %lld, /proc/net/tcp{,6} %lld before, %lld after",
		 got.tw_most, b.tw_most, a.tw_most);
}

/* name is a loaded module (not built in): /proc/modules lists it. */
static bool module_listed(const char *name)
{
	size_t len, n = strlen(name);
	char *s = gt_read_file("/proc/modules", 4096, &len);
	bool found = false;

	for (char *p = s; p && *p && !found; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		found = strncmp(p, name, n) == 0 && p[n] == ' ';
	free(s);
	return found;
}

/* insmod every module of the harness's list whose name starts with name. */
static int reload(const char *name)
{
	size_t len, n = strlen(name);
	char *s = gt_read_file("/lib/sockfd/extra/order", 4096, &len), cmd[160];
	int rc = -1;

	for (char *p = s, *e; p && *p; p = e ? e + 1 : NULL) {
		e = strchr(p, '\n');
		if (e)
			*e = '\0';
		if (strncmp(p, name, n) == 0 && (p[n] == '.' || p[n] == '\0')) {
			snprintf(cmd, sizeof(cmd), "insmod /lib/sockfd/extra/%s", p);
			rc = system(cmd);
		}
		if (!e)
			break;
	}
	free(s);
	return rc;
}

/*
 * The ephemeral range (lo and hi as the guest has them), in use by this
 * process's 8 clients, 2 UDP sockets, TIME_WAIT sockets to one
 * destination and a bound TCP socket: --summary from sock_diag, then
 * from /proc/net.
 */
static void ports(void)
{
	int l, c[8], u[2], tw[3], bound, t, i;
	unsigned int lo, hi;
	size_t len;
	char *s = gt_read_file("/proc/sys/net/ipv4/ip_local_port_range", 64, &len);

	if (!s || sscanf(s, "%u %u", &lo, &hi) != 2)
		gt_fatal("ports.setup", "ip_local_port_range unreadable");
	free(s);
	l = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 64, false);
	for (i = 0; i < 8; i++)
		c[i] = l < 0 ? -1 : gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(l));
	for (i = 0; i < 2; i++)
		u[i] = gt_inet_socket(i ? AF_INET6 : AF_INET, SOCK_DGRAM, 0, -1, false);
	/* bound, neither listening nor connected: /proc/net/tcp does not
	 * list it; sock_diag does from 6.8 if asked (TCP_BOUND_INACTIVE) */
	bound = gt_inet_socket(AF_INET, SOCK_STREAM, 0, -1, false);
	/* three TIME_WAIT sockets to port l: the client closes first */
	for (i = 0; i < 3; i++) {
		tw[i] = gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(l));
		t = tw[i] < 0 ? -1 : accept(l, NULL, NULL);
		if (t < 0)
			gt_fatal("ports.setup", "TIME_WAIT pair: %s", strerror(errno));
		close(tw[i]);
		gt_msleep(20);
		close(t);
	}
	if (c[7] < 0 || u[0] < 0 || u[1] < 0 || bound < 0)
		gt_fatal("ports.setup", "sockets: %s", strerror(errno));

	summary_ports("ports.sock_diag", lo, hi, "TCP from sock_diag, UDP from sock_diag");
	/* Without tcp_diag and udp_diag sock_diag cannot answer for TCP and
	 * UDP (the guest has no modprobe to load them again).  Built in (the
	 * debug kernels) they cannot go: there the host tests' --proc-root
	 * trees and the stock kernels' guests test the fallback. */
	if (!module_listed("tcp_diag") || !module_listed("udp_diag")) {
		printf("reader: tcp_diag or udp_diag is built in: no /proc/net fallback to test\n");
	} else if (gt_check("ports.unload",
			    syscall(SYS_delete_module, "tcp_diag", O_NONBLOCK) == 0 &&
			    syscall(SYS_delete_module, "udp_diag", O_NONBLOCK) == 0,
			    "delete_module(tcp_diag, udp_diag): %s", strerror(errno))) {
		summary_ports("ports.proc_net", lo, hi,
			      "TCP from /proc/net/tcp{,6}, UDP from /proc/net/udp{,6}");
		gt_check("ports.reload", reload("tcp_diag") == 0 && reload("udp_diag") == 0,
			 "insmod tcp_diag, udp_diag from /lib/sockfd/extra");
	}
	for (i = 0; i < 8; i++)
		close(c[i]);
	close(u[0]);
	close(u[1]);
	close(bound);
	close(l);
}

static void not_loaded(void)
{
	const char *ko = getenv("SOCKFD_KO");
	char cmd[256];
	int rc;

	if (!ko) {
		gt_fail("unloaded", "SOCKFD_KO is not set");
		return;
	}
	if (system("rmmod sockfd") != 0) {
		gt_fail("unloaded", "rmmod sockfd failed");
		return;
	}
	rc = RUN("-n");
	gt_check("unloaded.hint", rc == 1 && strstr(err, "cannot open /proc/sockfd") &&
		 strstr(err, "sudo modprobe sockfd") && strstr(err, "make load"),
		 "exit %d, stderr %.300s", rc, err);
	rc = RUN("--prom");
	gt_check("unloaded.prom", rc == 0 && strstr(out, "\nsockfd_up{reason=\"module_not_loaded\"} 0\n") &&
		 !strstr(out, "sockfd_rows"), "exit %d, stdout %.300s", rc, out);
	snprintf(cmd, sizeof(cmd), "insmod %s", ko);
	gt_check("unloaded.reload", system(cmd) == 0 && access(GT_PROC, R_OK) == 0,
		 "'%s' did not bring /proc/sockfd back", cmd);
}

int main(void)
{
	struct sock s[16];
	struct gt_forked child;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	int lfd, cfd, afd, l6, ufd, sp[2], twc, twl, twa, n = 0, i;
	char comm[80];
	pid_t me = getpid();

	gt_init("reader");
	if (access(READER, X_OK))
		gt_fatal("setup", "%s: %s (run-guest.sh copies the static reader there)",
			 READER, strerror(errno));
	gt_lo_up();
	gt_set_comm("rd test");
	snprintf(comm, sizeof(comm), "rd\\040test");

	/* a TIME_WAIT socket: the client closes first */
	twl = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	twc = twl < 0 ? -1 : gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(twl));
	twa = twc < 0 ? -1 : accept(twl, NULL, NULL);
	if (twa < 0)
		gt_fatal("setup", "time-wait pair: %s", strerror(errno));
	close(twc);
	gt_msleep(50);
	close(twa);
	close(twl);
	gt_msleep(50);

	lfd = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 16, false);
	cfd = lfd < 0 ? -1 : gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(lfd));
	afd = cfd < 0 ? -1 : accept(lfd, (struct sockaddr *)&peer, &plen);
	l6 = gt_inet_socket(AF_INET6, SOCK_STREAM, 0, 4, true);
	ufd = gt_inet_socket(AF_INET, SOCK_DGRAM, 0, -1, false);
	if (afd < 0 || l6 < 0 || ufd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sp))
		gt_fatal("setup", "sockets: %s", strerror(errno));
	if (write(cfd, "hello", 5) != 5)
		gt_fatal("setup", "write: %s", strerror(errno));
	for (i = 0; i < 200 && gt_inq(afd) != 5; i++)
		gt_msleep(10);

	{
		int fds[] = { lfd, cfd, afd, l6, ufd, sp[0], sp[1] };
		const char *states[] = { "LISTEN", "ESTABLISHED", "ESTABLISHED", "LISTEN", "CLOSE",
					 "ESTABLISHED", "ESTABLISHED" };

		for (i = 0; i < 7; i++, n++) {
			s[n].fd = fds[i];
			s[n].ino = gt_fstat_ino(fds[i]);
			s[n].state = states[i];
			gt_local_str(fds[i], s[n].local, sizeof(s[n].local));
			gt_remote_str(fds[i], s[n].remote, sizeof(s[n].remote));
			s[n].rxq = fds[i] == lfd || fds[i] == l6 ? 0 : gt_inq(fds[i]);
		}
		/* a socketpair end's remote is its peer's inode */
		snprintf(s[5].remote, sizeof(s[5].remote), "%llu", s[6].ino);
		snprintf(s[6].remote, sizeof(s[6].remote), "%llu", s[5].ino);
	}
	{
		struct gt_fdino *truth;
		int nt = gt_sock_fds(NULL, me, &truth);

		gt_check_num("setup.sockets", "socket fds in /proc/self/fd", n, nt);
		free(truth);
	}

	table(me, s, n);
	{
		char pid[16], want[160];
		int rc;

		snprintf(pid, sizeof(pid), "%d", (int)me);
		rc = RUN("-p", pid);
		snprintf(want, sizeof(want), "%s(%d)/%d ", comm, (int)me, afd);
		gt_check("table.owner", rc == 0 && strstr(out, "OWNER") && strstr(out, want),
			 "exit %d, want '%s' in %.300s", rc, want, out);
	}
	json(me, s, n, "rd test");
	summary(me, n, comm);
	if (gt_fork_start(&child, summary_unprivileged, NULL) == 0)
		gt_fork_wait(&child, "summary.user");
	else
		gt_fail("summary.user", "fork: %s", strerror(errno));
	explain(me, &s[2], &s[5], &s[6], comm);
	watch(me);
	prom();
	alone();
	ports();
	not_loaded();

	free(out);
	free(err);
	return gt_done();
}
