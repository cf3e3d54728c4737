// SPDX-License-Identifier: GPL-2.0
/*
 * top_rate: `sockfd top -b -n 3 -d 1` (/usr/bin/sockfd) against traffic of
 * known rate over loopback, three processes each in a cgroup of its own:
 *   top_send  one TCP connection, written at 2,000,000 B/s (20,000 bytes
 *             every 10 ms), RLIMIT_NOFILE soft 300;
 *   top_recv  its listener and the accepted end, read as fast as it comes;
 *   top_idle  a connected pair and its listener, no traffic.
 * The truth is what the programs wrote and read (counted as they go),
 * over the time top ran. Per process (the exact command) and per cgroup
 * (--by cgroup): the sender's SEND/s and the receiver's RECV/s within 20%
 * of it, the other direction 0, the idle process 0 both ways; SOCKS as the
 * socket fds in /proc/PID/fd, FDS as all of them, NOFILE as the limit set;
 * the cgroup rows under the paths of the directories made here (PROCS 1);
 * three screens, and the header says that sockets opened and closed
 * between two reads are not counted.
 * Needs format 3 (bytes_sent, bytes_received, fds, nofile).
 */
#define _GNU_SOURCE
#include "gt.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RATE 2000000			/* bytes per second */
#define TICK_NS 10000000L		/* a write every 10 ms */
#define CHUNK (RATE / 100)
#define NOFILE_SOFT 300
#define CG_SEND "sockfd_top_send"
#define CG_RECV "sockfd_top_recv"
#define CG_IDLE "sockfd_top_idle"

/* What the sender wrote and the receiver read, shared with the parent. */
static unsigned long long *sent, *got;

static int into_cgroup(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), GT_CGROUP2 "/%s/cgroup.procs", name);
	return gt_write_file(path, "0");
}

static void *send_loop(void *arg)
{
	static char buf[CHUNK];
	int fd = *(int *)arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		for (size_t off = 0; off < sizeof(buf);) {
			ssize_t n = send(fd, buf + off, sizeof(buf) - off, MSG_NOSIGNAL);

			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				return NULL;
			}
			off += n;
			__atomic_add_fetch(sent, (unsigned long long)n, __ATOMIC_RELAXED);
		}
		next.tv_nsec += TICK_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
}

static void *recv_loop(void *arg)
{
	static char buf[65536];
	int l = *(int *)arg, fd = accept(l, NULL, NULL);

	while (fd >= 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n > 0)
			__atomic_add_fetch(got, (unsigned long long)n, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int start_thread(void *(*fn)(void *), int fd)
{
	static int fds[4];
	static int n;
	pthread_t th;

	fds[n] = fd;
	return pthread_create(&th, NULL, fn, &fds[n++]) ? -1 : 0;
}

/* Children: each in its cgroup, named, its sockets made there. */
static int receiver(void *arg, int *vals, int max)
{
	int l;

	(void)arg;
	(void)max;
	if (into_cgroup(CG_RECV) || gt_set_comm("top_recv"))
		return -1;
	l = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	if (l < 0 || start_thread(recv_loop, l))
		return -1;
	vals[0] = gt_port(l);
	return 1;
}

static int sender(void *arg, int *vals, int max)
{
	struct rlimit rl;
	int fd;

	(void)max;
	if (into_cgroup(CG_SEND) || gt_set_comm("top_send") ||
	    getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	rl.rlim_cur = NOFILE_SOFT;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	fd = gt_inet_connect(AF_INET, SOCK_STREAM, *(int *)arg);
	if (fd < 0 || start_thread(send_loop, fd))
		return -1;
	vals[0] = fd;
	return 1;
}

static int idle(void *arg, int *vals, int max)
{
	int l, c, a;

	(void)arg;
	(void)vals;
	(void)max;
	if (into_cgroup(CG_IDLE) || gt_set_comm("top_idle"))
		return -1;
	l = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	c = l < 0 ? -1 : gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(l));
	a = c < 0 ? -1 : accept(l, NULL, NULL);
	return a < 0 ? -1 : 0;
}

/* ---- top's output ---- */

/*
 * The field under heading col in the last screen's row whose field under
 * heading keycol is key (fields split on spaces: no field of these rows
 * has one), copied to val; false if there is none.
 */
static bool cell(const char *out, const char *keycol, const char *key,
		 const char *col, char *val, size_t n)
{
	const char *p = out, *q;
	char *copy, *line, *save = NULL;
	int nh = 0, ik = -1, ic = -1;
	bool found = false;

	while ((q = strstr(p, "sockfd top - ")))
		p = q + 1;
	copy = strdup(p);
	if (!copy)
		return false;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[32], *s2 = NULL, *tok;
		int nf = 0;

		for (tok = strtok_r(line, " ", &s2); tok && nf < 32; tok = strtok_r(NULL, " ", &s2))
			f[nf++] = tok;
		if (!nh && nf && (!strcmp(f[0], "PID") || !strcmp(f[0], "PROCS"))) {
			for (int i = 0; i < nf; i++) {
				nh++;
				if (!strcmp(f[i], keycol))
					ik = i;
				if (!strcmp(f[i], col))
					ic = i;
			}
			continue;
		}
		if (nh && ik >= 0 && ic >= 0 && nf == nh && !strcmp(f[ik], key)) {
			snprintf(val, n, "%s", f[ic]);
			found = true;
			break;
		}
	}
	free(copy);
	return found;
}

/* A rate as top shows it: a number, K/M/G meaning 1024^n; -1 if not one. */
static double value(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	for (const char *u = "KMGT"; *u && *end; u++) {
		v *= 1024;
		if (*end == *u)
			return end[1] ? -1 : v;
	}
	return *end ? -1 : v;
}

static char *out;

/* Run top; its exit status, stdout in out. */
static int run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t len;
	int st;

	free(out);
	out = p ? gt_read_fd(fileno(p), 65536, &len) : NULL;
	st = p ? pclose(p) : -1;
	if (!out)
		out = strdup("");
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void check_rate(const char *check, const char *keycol, const char *key,
		       const char *col, double truth)
{
	char v[64] = "(none)";
	double got_v = cell(out, keycol, key, col, v, sizeof(v)) ? value(v) : -1;

	if (truth == 0)
		gt_check(check, got_v == 0, "%s of %s %s: want 0 got %s", col, keycol, key, v);
	else
		gt_check(check, got_v >= 0.8 * truth && got_v <= 1.2 * truth,
			 "%s of %s %s: want %.0f B/s +-20%% (what the programs did) got %s",
			 col, keycol, key, truth, v);
}

static void check_num(const char *check, const char *keycol, const char *key,
		      const char *col, long long want)
{
	char v[64] = "(none)";

	cell(out, keycol, key, col, v, sizeof(v));
	gt_check(check, value(v) == (double)want, "%s of %s %s: want %lld got %s",
		 col, keycol, key, want, v);
}

/* The fds of pid, and the socket fds, from /proc/PID/fd. */
static int fd_count(pid_t pid, int *socks)
{
	struct gt_fdino *f = NULL;
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	*socks = gt_sock_fds(NULL, pid, &f);
	free(f);
	return n;
}

/*
 * Run cmd while the traffic goes on: the truth is the bytes written and
 * read over the time it ran.
 */
static int measure(const char *cmd, double *send_rate, double *recv_rate)
{
	unsigned long long s0 = __atomic_load_n(sent, __ATOMIC_RELAXED);
	unsigned long long r0 = __atomic_load_n(got, __ATOMIC_RELAXED);
	double t0 = gt_now(), dt;
	int rc = run(cmd);

	dt = gt_now() - t0;
	*send_rate = (double)(__atomic_load_n(sent, __ATOMIC_RELAXED) - s0) / dt;
	*recv_rate = (double)(__atomic_load_n(got, __ATOMIC_RELAXED) - r0) / dt;
	return rc;
}

/* The truth and top's last screen, as "# " lines for the log. */
static void show(const char *what, double srate, double rrate)
{
	const char *p = out, *q;

	while ((q = strstr(p, "sockfd top - ")))
		p = q + 1;
	printf("# %s: the sender wrote %.0f B/s, the receiver read %.0f B/s; top's last screen:\n# s",
	       what, srate, rrate);
	for (; *p; p++)
		printf(*p == '\n' && p[1] ? "\n# " : "%c", *p);
}

static int screens(void)
{
	int n = 0;

	for (const char *p = out; (p = strstr(p, "sockfd top - ")); p++)
		n++;
	return n;
}

int main(void)
{
	struct gt_child rc, sc, ic;
	const char *cgs[] = { CG_SEND, CG_RECV, CG_IDLE };
	char ps[16], pr[16], pi[16];
	double srate, rrate;
	int code, fds, socks;

	gt_init("top_rate");
	gt_lo_up();
	sent = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sent == MAP_FAILED)
		gt_fatal("setup", "mmap: %s", strerror(errno));
	got = sent + 1;
	if (gt_cgroup2())
		gt_fatal("setup", "cgroup2 at %s: %s", GT_CGROUP2, strerror(errno));
	for (size_t i = 0; i < 3; i++) {
		char path[128];

		snprintf(path, sizeof(path), GT_CGROUP2 "/%s", cgs[i]);
		if (mkdir(path, 0755) && errno != EEXIST)
			gt_fatal("setup", "mkdir %s: %s", path, strerror(errno));
	}
	if (gt_child_start(&rc, receiver, NULL))
		gt_fatal("setup", "receiver: %s", strerror(errno));
	if (gt_child_start(&sc, sender, &rc.vals[0]))
		gt_fatal("setup", "sender: %s", strerror(errno));
	if (gt_child_start(&ic, idle, NULL))
		gt_fatal("setup", "idle: %s", strerror(errno));
	snprintf(ps, sizeof(ps), "%d", (int)sc.pid);
	snprintf(pr, sizeof(pr), "%d", (int)rc.pid);
	snprintf(pi, sizeof(pi), "%d", (int)ic.pid);
	gt_msleep(1000);	/* the pace settles */

	/* per process: the command of the issue */
	code = measure("/usr/bin/sockfd top -b -n 3 -d 1", &srate, &rrate);
	gt_check("premise", srate > 0.8 * RATE && srate < 1.2 * RATE && rrate > 0.8 * RATE,
		 "the sender wrote %.0f B/s and the receiver read %.0f B/s, want about %d",
		 srate, rrate, RATE);
	gt_check("process.run", code == 0 && screens() == 3,
		 "exit %d, %d screens (want 0, 3): %.300s", code, screens(), out);
	gt_check("process.header", strstr(out, "sockets that opened") &&
		 strstr(out, "and closed between two reads are not counted."),
		 "no note on sockets opened and closed between reads: %.300s", out);
	gt_check("process.format3", !strstr(out, "no bytes_sent") && !strstr(out, "no fds/nofile"),
		 "top says the file lacks format 3 columns: %.400s", out);
	show("per process", srate, rrate);
	check_rate("process.send", "PID", ps, "SEND/s", srate);
	check_rate("process.recv", "PID", pr, "RECV/s", rrate);
	check_rate("process.sender_recv", "PID", ps, "RECV/s", 0);
	check_rate("process.receiver_send", "PID", pr, "SEND/s", 0);
	check_rate("process.idle_send", "PID", pi, "SEND/s", 0);
	check_rate("process.idle_recv", "PID", pi, "RECV/s", 0);
	fds = fd_count(sc.pid, &socks);
	check_num("process.sender_socks", "PID", ps, "SOCKS", socks);
	check_num("process.sender_fds", "PID", ps, "FDS", fds);
	check_num("process.sender_nofile", "PID", ps, "NOFILE", NOFILE_SOFT);
	fd_count(rc.pid, &socks);
	check_num("process.receiver_socks", "PID", pr, "SOCKS", socks);
	fd_count(ic.pid, &socks);
	check_num("process.idle_socks", "PID", pi, "SOCKS", socks);

	/* per cgroup: the rows under the paths made here */
	code = measure("/usr/bin/sockfd top -b -n 3 -d 1 --by cgroup", &srate, &rrate);
	gt_check("cgroup.run", code == 0 && screens() == 3 && strstr(out, "view cgroup"),
		 "exit %d, %d screens (want 0, 3): %.300s", code, screens(), out);
	show("per cgroup", srate, rrate);
	check_rate("cgroup.send", "CGROUP", CG_SEND, "SEND/s", srate);
	check_rate("cgroup.recv", "CGROUP", CG_RECV, "RECV/s", rrate);
	check_rate("cgroup.sender_recv", "CGROUP", CG_SEND, "RECV/s", 0);
	check_rate("cgroup.idle_send", "CGROUP", CG_IDLE, "SEND/s", 0);
	check_rate("cgroup.idle_recv", "CGROUP", CG_IDLE, "RECV/s", 0);
	check_num("cgroup.procs", "CGROUP", CG_SEND, "PROCS", 1);

	gt_child_stop(&sc);
	gt_child_stop(&rc);
	gt_child_stop(&ic);
	for (size_t i = 0; i < 3; i++) {
		char path[128];

		snprintf(path, sizeof(path), GT_CGROUP2 "/%s", cgs[i]);
		rmdir(path);
	}
	free(out);
	return gt_done();
}
