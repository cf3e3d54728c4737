// SPDX-License-Identifier: GPL-2.0
/*
 * bench: workload and timer for bench/run.sh, run inside the guest.
 *
 *   bench hold PROCS SOCKETS FDS [v6]
 *       Starts a keeper that forks PROCS processes holding SOCKETS sockets
 *       and FDS open fds in all (sockets included; the rest are /dev/null,
 *       0-2 among them), spread evenly, and prints the keeper's pid once
 *       all are set up. Per process: a TCP listener, then in turn a
 *       connected loopback TCP pair, a unix stream socketpair and a UDP
 *       socket bound to 127.0.0.1. TCP sockets linger 0, so that no
 *       TIME_WAIT is left behind for the next setup. With "v6", a second
 *       listener on ::1, and the turn goes on to a TCP pair and a UDP
 *       socket on ::1; and each process also holds an unbound netlink,
 *       packet (protocol 0: it receives nothing) and vsock socket where
 *       the kernel has them (bench/compare.sh: every family's formatter).
 *   bench stop PID
 *       Ends a keeper and its processes, and waits until they are gone.
 *   bench count
 *       One line: processes, fds, socket fds (from /proc/PID/fd) and the
 *       rows of /proc/net/{tcp,tcp6,udp,udp6,unix}.
 *   bench time CMD [ARG...]
 *       Runs CMD BENCH_RUNS times (default 3), and more while all its runs
 *       together took under BENCH_MIN_MS (default 2000), up to 9 runs: a
 *       fast command's median is then of 9 runs, as cheap as one slow run.
 *       Stdout and stderr go to /dev/null; it prints
 *       "BENCH|CMD ARG...|ms,ms,ms|median ms|status";
 *       status is "ok", "exit N", "signal N" or "timeout" (a run is
 *       stopped after BENCH_CMD_TIMEOUT seconds, default 300).
 *   bench reads FILE
 *       Read-size independence of FILE: "READ|what|ms" lines for the whole
 *       file in 1 MiB and 4 KiB reads and a prefix in 1-byte reads, then
 *       the first and the last tenth in 4 KiB reads and the first and the
 *       last prefix in 1-byte reads (the middle skipped with 1 MiB reads);
 *       medians of 5 passes.
 *   bench slab FILE
 *       Kernel slab memory (the Slab: line of /proc/meminfo, kB) before FILE
 *       is opened, while it is open halfway through a read in 4 KiB read()s,
 *       and after it is closed: "SLAB|before|during|after|bytes at during".
 *       A read that allocated per line would show it in "during".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define ONE_BYTE_PREFIX (128 * 1024)
#define READ_PASSES 5

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- hold / stop --------------------------------------------------- */

static int tcp_socket(int family)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int s = socket(family, SOCK_STREAM, 0);

	if (s >= 0 && setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die("SO_LINGER");
	return s;
}

/* The loopback address of @family (AF_INET or AF_INET6), port 0. */
static socklen_t loopback(int family, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
		return sizeof(*a6);
	}
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a);
}

/* A TCP listener on @family's loopback; its address goes to @a. */
static int tcp_listener(int family, long backlog, struct sockaddr_storage *a,
			socklen_t *alen)
{
	int lst = tcp_socket(family);

	*alen = loopback(family, a);
	if (lst < 0 || bind(lst, (struct sockaddr *)a, *alen) ||
	    listen(lst, (int)backlog) ||
	    getsockname(lst, (struct sockaddr *)a, alen))
		die("listener");
	return lst;
}

/*
 * Up to @room idle sockets of other families: netlink, packet (protocol 0,
 * so no packet reaches it) and vsock, each where the kernel has it.
 * Returns how many were made.
 */
static long other_families(long room)
{
	static const int kinds[][3] = {
		{ AF_NETLINK, SOCK_RAW, NETLINK_ROUTE },
		{ AF_PACKET, SOCK_DGRAM, 0 },
		{ AF_VSOCK, SOCK_STREAM, 0 },
	};
	long made = 0;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && made < room; i++)
		if (socket(kinds[i][0], kinds[i][1], kinds[i][2]) >= 0)
			made++;
	return made;
}

/*
 * In a held process: nsock sockets, then nnull more fds on /dev/null.
 * With v6, kinds 3 and 4 (and a second listener) are on ::1.
 */
static void make_fds(long nsock, long nnull, int v6)
{
	struct sockaddr_storage a[2];
	socklen_t alen[2];
	int lst[2], turn = 0, sv[2];
	long made = 1;

	lst[0] = tcp_listener(AF_INET, nsock, &a[0], &alen[0]);
	if (v6 && nsock > 1) {
		lst[1] = tcp_listener(AF_INET6, nsock, &a[1], &alen[1]);
		made++;
		made += other_families(nsock - made);
	}
	while (made < nsock) {
		long left = nsock - made;
		int kind = turn++ % (v6 ? 5 : 3);
		int family = kind >= 3 ? AF_INET6 : AF_INET, i6 = kind >= 3;

		if ((kind == 0 || kind == 3) && left >= 2) {
			int c = tcp_socket(family);

			if (c < 0 || connect(c, (struct sockaddr *)&a[i6], alen[i6]) ||
			    accept(lst[i6], NULL, NULL) < 0)
				die("tcp pair");
			made += 2;
		} else if (kind == 1 && left >= 2) {
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
				die("socketpair");
			made += 2;
		} else if (kind == 2 || kind == 4 || left == 1) {
			struct sockaddr_storage u;
			socklen_t ulen = loopback(family, &u);
			int s = socket(family, SOCK_DGRAM, 0);

			if (s < 0 || bind(s, (struct sockaddr *)&u, ulen))
				die("udp");
			made++;
		}
	}
	while (nnull-- > 0)
		if (open("/dev/null", O_RDONLY) < 0)
			die("/dev/null");
}

static void raise_nofile(long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if ((long)rl.rlim_cur >= n)
		return;
	rl.rlim_cur = rl.rlim_max = (rlim_t)n;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit RLIMIT_NOFILE");
}

/* In a held process: only 0-2 and the report pipe (as fd 3) stay open. */
static void child_fds(int report)
{
	struct dirent *e;
	DIR *d;
	int keep;

	if (dup2(report, 3) < 0)
		die("child fds");
	d = opendir("/proc/self/fd");
	if (!d)
		die("/proc/self/fd");
	keep = dirfd(d);
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd > 3 && fd != keep)
			close(fd);
	}
	closedir(d);
}

/*
 * The keeper: forks the processes and waits until every one has released
 * its end of a pipe (done or dead), reports "ok" on `ready` and holds them
 * until SIGTERM.
 */
static void keeper(long procs, long socks, long fds, int v6, int ready)
{
	pid_t *kids = calloc((size_t)procs, sizeof(*kids));
	int up[2], sig, null = open("/dev/null", O_RDWR);
	sigset_t term;
	long i, dead = 0;
	char c;

	if (!kids || null < 0 || pipe(up))
		die("keeper setup");
	setsid();
	dup2(null, 0);
	dup2(null, 1);
	close(null);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	for (i = 0; i < procs; i++) {
		long ns = socks / procs + (i < socks % procs);
		long nf = fds / procs + (i < fds % procs);

		kids[i] = fork();
		if (kids[i] < 0)
			die("fork");
		if (kids[i] == 0) {
			sigprocmask(SIG_UNBLOCK, &term, NULL);
			child_fds(up[1]);
			raise_nofile(nf + 16);
			make_fds(ns, nf - ns - 4, v6);
			/* The pipe's fd becomes a /dev/null fd: nf in all. */
			if (dup2(0, 3) < 0)
				die("dup2");
			pause();
			_exit(0);
		}
	}
	close(up[1]);
	while (read(up[0], &c, 1) > 0)
		;
	close(up[0]);
	for (i = 0; i < procs; i++)
		if (waitpid(kids[i], NULL, WNOHANG) != 0)
			dead++;
	if (dead)
		dprintf(ready, "%ld of the held processes failed\n", dead);
	else
		dprintf(ready, "ok\n");
	close(ready);
	if (!dead)
		sigwait(&term, &sig);
	for (i = 0; i < procs; i++)
		kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	exit(0);
}

static int hold(long procs, long socks, long fds, int v6)
{
	int rp[2];
	char msg[200] = "";
	pid_t k;
	ssize_t n;

	if (procs < 1 || socks < procs || fds < socks + 4 * procs) {
		fprintf(stderr, "bench hold: need PROCS >= 1, a socket per process and FDS >= SOCKETS + 4 * PROCS\n");
		return 2;
	}
	raise_nofile(64 + procs);
	if (pipe(rp))
		die("pipe");
	k = fork();
	if (k < 0)
		die("fork");
	if (k == 0) {
		close(rp[0]);
		keeper(procs, socks, fds, v6, rp[1]);
	}
	close(rp[1]);
	n = read(rp[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	if (strcmp(msg, "ok\n")) {
		fprintf(stderr, "bench hold: %s", n > 0 ? msg : "the keeper died\n");
		return 1;
	}
	printf("%d\n", k);
	return 0;
}

/* A task is gone when /proc/PID is, or when only its zombie is left. */
static int gone(pid_t pid)
{
	char path[64], buf[256], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return !p || p[1] == '\0' || p[2] == 'Z';
}

static int stop(pid_t pid)
{
	if (pid <= 1 || kill(pid, SIGTERM))
		die("stop");
	while (!gone(pid))
		usleep(20000);
	return 0;
}

/* ---- count ----------------------------------------------------------- */

static long lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n > 0 ? n - 1 : 0;	/* the header */
}

static int count(void)
{
	DIR *proc = opendir("/proc"), *fdd;
	long procs = 0, fds = 0, socks = 0;
	struct dirent *p, *e;
	char path[300], link[64];

	if (!proc)
		die("/proc");
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fdd = opendir(path);
		if (!fdd)
			continue;
		procs++;
		while ((e = readdir(fdd))) {
			ssize_t n;

			if (e->d_name[0] == '.')
				continue;
			fds++;
			n = readlinkat(dirfd(fdd), e->d_name, link,
				       sizeof(link) - 1);
			socks += n > 7 && !strncmp(link, "socket:", 7);
		}
		closedir(fdd);
	}
	closedir(proc);
	printf("COUNT|%ld|%ld|%ld|%ld|%ld|%ld\n", procs, fds, socks,
	       lines("/proc/net/tcp") + lines("/proc/net/tcp6"),
	       lines("/proc/net/udp") + lines("/proc/net/udp6"),
	       lines("/proc/net/unix"));
	return 0;
}

/* ---- time ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && atol(v) > 0 ? atol(v) : def;
}

/* Runs of a command that is fast enough to be run more (see bench time). */
#define MAX_FAST_RUNS 9

static int time_cmd(char **argv)
{
	long runs = env_long("BENCH_RUNS", 3), limit = env_long("BENCH_CMD_TIMEOUT", 300), r;
	long most = runs > MAX_FAST_RUNS ? runs : MAX_FAST_RUNS;
	const char *min_env = getenv("BENCH_MIN_MS");	/* 0: BENCH_RUNS only */
	double min_ms = min_env ? atof(min_env) : 2000, total = 0;
	double *ms = calloc((size_t)most, sizeof(*ms));
	char status[32] = "ok";
	int i;

	if (!ms)
		die("calloc");
	for (r = 0; r < runs || (r < most && total < min_ms); r++) {
		double t0 = now_ms();
		pid_t pid = fork();
		int st;

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			dup2(null, 2);
			alarm((unsigned int)limit);	/* kept across exec */
			execvp(argv[0], argv);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0)
			die("waitpid");
		ms[r] = now_ms() - t0;
		total += ms[r];
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
			snprintf(status, sizeof(status), "timeout");
		else if (WIFSIGNALED(st))
			snprintf(status, sizeof(status), "signal %d", WTERMSIG(st));
		else if (WEXITSTATUS(st))
			snprintf(status, sizeof(status), "exit %d", WEXITSTATUS(st));
		if (strcmp(status, "ok"))
			break;
	}
	printf("BENCH|");
	for (i = 0; argv[i]; i++)
		printf(strchr(argv[i], ' ') ? "%s'%s'" : "%s%s", i ? " " : "",
		       argv[i]);
	if (strcmp(status, "ok"))	/* the failed run is shown too */
		r++;
	printf("|");
	for (i = 0; i < r; i++)
		printf("%s%.1f", i ? "," : "", ms[i]);
	qsort(ms, (size_t)r, sizeof(*ms), cmp_double);
	printf("|%.1f|%s\n", ms[r / 2], status);
	free(ms);
	return 0;
}

/* ---- reads ----------------------------------------------------------- */

/* Up to n bytes (less at EOF) in read()s of chunk bytes; buf holds chunk. */
static size_t read_n(int fd, char *buf, size_t n, size_t chunk)
{
	size_t got = 0;

	while (got < n) {
		size_t want = chunk < n - got ? chunk : n - got;
		ssize_t r = read(fd, buf, want);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read");
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/*
 * One pass over path: `head` bytes in read()s of `chunk` bytes, then up to
 * total - 2 * tail in 1 MiB reads, then the rest in `chunk` reads. The
 * times of the first and last part go to *head_ms and *tail_ms; returns
 * the bytes read.
 */
static size_t pass(const char *path, char *buf, size_t chunk, size_t head,
		   size_t tail, size_t total, double *head_ms, double *tail_ms)
{
	int fd = open(path, O_RDONLY);
	size_t got;
	double t0;

	if (fd < 0)
		die(path);
	t0 = now_ms();
	got = read_n(fd, buf, head, chunk);
	*head_ms = now_ms() - t0;
	if (total > head + tail)
		got += read_n(fd, buf, total - head - tail, MIB);
	t0 = now_ms();
	got += read_n(fd, buf, (size_t)-1, chunk);
	*tail_ms = now_ms() - t0;
	close(fd);
	return got;
}

/*
 * READ_PASSES passes; prints the median time of the head (and of the tail
 * and of the per-pass tail/head ratio: both ends of one pass run close
 * together, so host noise cancels better than in two medians).
 */
static void report(const char *path, char *buf, size_t chunk, size_t head,
		   size_t tail, size_t total, const char *what)
{
	double h[READ_PASSES], t[READ_PASSES], q[READ_PASSES];
	int i;

	for (i = 0; i < READ_PASSES; i++) {
		pass(path, buf, chunk, head, tail, total, &h[i], &t[i]);
		q[i] = h[i] > 0 ? t[i] / h[i] : 0;
	}
	qsort(h, READ_PASSES, sizeof(*h), cmp_double);
	qsort(t, READ_PASSES, sizeof(*t), cmp_double);
	qsort(q, READ_PASSES, sizeof(*q), cmp_double);
	printf("READ|%s|%zu|%zu|%.1f", what, chunk, head, h[READ_PASSES / 2]);
	if (tail)
		printf("|%zu|%.1f|%.2f", tail, t[READ_PASSES / 2],
		       q[READ_PASSES / 2]);
	printf("\n");
}

static int reads(const char *path)
{
	char *buf = malloc(MIB);
	size_t total, tenth, prefix;
	double h, t;

	if (!buf)
		die("malloc");
	total = pass(path, buf, MIB, 0, 0, 0, &h, &t);
	tenth = total / 10;
	prefix = tenth < ONE_BYTE_PREFIX ? tenth : ONE_BYTE_PREFIX;
	printf("SIZE|%zu\n", total);
	report(path, buf, MIB, total, 0, total, "whole");
	report(path, buf, 4096, total, 0, total, "whole");
	report(path, buf, 1, prefix, 0, total, "prefix");
	report(path, buf, 4096, tenth, tenth, total, "ends");
	report(path, buf, 1, prefix, prefix, total, "ends");
	free(buf);
	return 0;
}

/* ---- slab ------------------------------------------------------------ */

/* The Slab: line of /proc/meminfo, in kB. */
static long slab_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int slab(const char *path)
{
	char *buf = malloc(MIB);
	long before, during, after;
	size_t total, half;
	double h, t;
	int fd;

	if (!buf)
		die("malloc");
	total = pass(path, buf, MIB, 0, 0, 0, &h, &t);
	half = total / 2;
	before = slab_kb();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	read_n(fd, buf, half, 4096);
	during = slab_kb();
	read_n(fd, buf, (size_t)-1, 4096);
	close(fd);
	after = slab_kb();
	printf("SLAB|%ld|%ld|%ld|%zu\n", before, during, after, half);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "hold") &&
	    (argc == 5 || (argc == 6 && !strcmp(argv[5], "v6"))))
		return hold(atol(argv[2]), atol(argv[3]), atol(argv[4]), argc == 6);
	if (!strcmp(cmd, "stop") && argc == 3)
		return stop((pid_t)atol(argv[2]));
	if (!strcmp(cmd, "count") && argc == 2)
		return count();
	if (!strcmp(cmd, "time") && argc > 2)
		return time_cmd(argv + 2);
	if (!strcmp(cmd, "reads") && argc == 3)
		return reads(argv[2]);
	if (!strcmp(cmd, "slab") && argc == 3)
		return slab(argv[2]);
	fprintf(stderr, "usage: bench hold PROCS SOCKETS FDS [v6] | stop PID | count | time CMD [ARG...] | reads FILE | slab FILE\n");
	return 2;
}
