// SPDX-License-Identifier: GPL-2.0
/*
 * sec_exit: a process in its exit window (after exit_mm(), before
 * exit_files(): no mm, fds still open) is shown to a same-uid reader exactly
 * when the kernel lets that reader into its /proc/PID/fd.
 *
 * A victim takes uid/gid 65534, opens a unix socket, maps and touches
 * MAP_MB MiB (at least 256 where tests are scaled down; no huge pages, so
 * that freeing them at exit takes a while),
 * and is then killed. While it exits, the test reads /proc/sockfd again and
 * again through a file opened with euid/fsuid 65534 (the reader itself is
 * root again, as sec_perm's "regained": only f_cred counts), and for each
 * pass records
 *   pre      free memory rose by a quarter of the mapping since the kill:
 *            exit_mmap() is freeing it, so exit_mm() has cleared the mm
 *   kernel   readlink /proc/PID/fd/FD with euid 65534 works (the kernel's
 *            own answer for that reader: the owner of /proc/PID/fd, then
 *            ptrace_may_access(PTRACE_MODE_READ_FSCREDS))
 *   post     readlink /proc/PID/fd/FD as root still gives the socket
 * A pass with pre and post read the victim's fd table inside the window.
 *   NAME.alive    before the kill: its row is there iff the kernel allows
 *   NAME.window   at least one pass fell inside the window (else the test
 *                 proves nothing: it tries ATTEMPTS times)
 *   NAME.parity   in every pass inside the window, its row is there iff
 *                 the kernel allowed it in that pass
 *   nondumpable.kernel  premise: the kernel never allows the
 *                 PR_SET_DUMPABLE 0 victim (the dumpable one is allowed
 *                 in the window by 7.x, refused by 6.1 and 6.12: their
 *                 /proc/PID/fd of a task without mm belongs to root)
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534
#define MAP_MB 384
#define ATTEMPTS 3
#define LIMIT_S 60	/* per attempt */

struct victim {
	pid_t pid;
	int fd;
	unsigned long long ino;
};

/* Fork a victim of uid NOBODY with @dumpable, a socket and @mb MiB touched. */
static int victim_start(struct victim *v, int dumpable, long mb)
{
	int up[2], s;
	size_t len = (size_t)mb << 20, i;
	char *p;

	if (pipe(up))
		return -1;
	fflush(stdout);
	v->pid = fork();
	if (v->pid == 0) {
		close(up[0]);
		if (gt_become(NOBODY, NOBODY) ||
		    prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0))
			_exit(1);
		s = socket(AF_UNIX, SOCK_DGRAM, 0);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s < 0 || p == MAP_FAILED)
			_exit(1);
		madvise(p, len, MADV_NOHUGEPAGE);
		for (i = 0; i < len; i += 4096)
			p[i] = 1;
		if (write(up[1], &s, sizeof(s)) != sizeof(s))
			_exit(1);
		for (;;)
			pause();
	}
	close(up[1]);
	if (v->pid < 0 || read(up[0], &s, sizeof(s)) != sizeof(s)) {
		close(up[0]);
		if (v->pid > 0) {
			kill(v->pid, SIGKILL);
			waitpid(v->pid, NULL, 0);
		}
		errno = ECHILD;
		return -1;
	}
	close(up[0]);
	v->fd = s;
	v->ino = gt_fd_sock_ino(v->pid, v->fd);
	return v->ino ? 0 : -1;
}

/*
 * MemFree of /proc/meminfo in KiB (-1 on error). The victim's pages are
 * freed only by exit_mmap(), after exit_mm() has cleared its mm: free memory
 * rising by a good part of its mapping means its mm is gone. Asking the
 * victim itself (/proc/PID/status and the like) would take a reference on
 * its mm, and the last mmput(), with the whole teardown, would then run in
 * the test instead of in the exit, leaving no window to observe.
 */
static long mem_free_kb(void)
{
	return gt_meminfo_kb("MemFree");
}

/* Does the kernel let euid/fsuid NOBODY read the victim's fd link? */
static bool kernel_allows(const struct victim *v)
{
	bool ok;

	if (setegid(NOBODY) || seteuid(NOBODY))
		gt_fatal("setup", "seteuid %d: %s", NOBODY, strerror(errno));
	ok = gt_fd_sock_ino(v->pid, v->fd) == v->ino;
	if (seteuid(0) || setegid(0))
		gt_fatal("setup", "seteuid 0: %s", strerror(errno));
	return ok;
}

/* /proc/sockfd opened with euid/fsuid NOBODY (no capabilities), by root. */
static int open_as_nobody(void)
{
	int fd;

	if (setegid(NOBODY) || seteuid(NOBODY))
		gt_fatal("setup", "seteuid %d: %s", NOBODY, strerror(errno));
	fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	if (seteuid(0) || setegid(0) || fd < 0)
		gt_fatal("setup", "open %s as euid %d: %s", GT_PROC, NOBODY,
			 strerror(errno));
	return fd;
}

/* Rows of the victim in one whole read of @fd from offset 0. */
static int victim_rows(int fd, const struct victim *v)
{
	struct gt_table *t;
	size_t len;
	char *text;
	int i, n = 0;

	if (lseek(fd, 0, SEEK_SET) != 0)
		gt_fatal("read", "lseek: %s", strerror(errno));
	text = gt_read_fd(fd, 65536, &len);
	t = text ? gt_parse(text, len) : NULL;
	if (!t)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].pid == v->pid && t->rows[i].ino == v->ino)
			n++;
	gt_free(t);
	free(text);
	return n;
}

struct tally {
	int passes, in_window, shown, allowed, mismatch;
	double window_ms;
	long freed_kb;	/* MemFree's rise when the fds were gone */
};

/* Kill the victim (@mb MiB mapped) and read until its fds are gone. */
static void watch_exit(int fd, struct victim *v, long mb, struct tally *c)
{
	double t0 = gt_now(), first = 0, last = 0;
	long free0 = mem_free_kb();
	bool pre, post, allowed;
	int rows;

	memset(c, 0, sizeof(*c));
	kill(v->pid, SIGKILL);
	while (gt_now() - t0 < LIMIT_S) {
		pre = free0 >= 0 && mem_free_kb() - free0 >= mb * 1024 / 4;
		allowed = kernel_allows(v);
		rows = victim_rows(fd, v);
		post = gt_fd_sock_ino(v->pid, v->fd) == v->ino;
		c->passes++;
		c->allowed += allowed;
		if (pre && post) {
			c->in_window++;
			c->shown += rows > 0;
			c->mismatch += (rows > 0) != allowed;
			if (!first)
				first = gt_now();
			last = gt_now();
		}
		if (!post)
			break;
	}
	c->window_ms = (last - first) * 1000;
	c->freed_kb = free0 >= 0 ? mem_free_kb() - free0 : -1;
	waitpid(v->pid, NULL, 0);
}

static void run(const char *name, int dumpable, long mb)
{
	struct victim v;
	struct tally c = { 0 };
	char check[64];
	int fd = open_as_nobody(), k, rows_alive = 0;
	bool allowed_alive = false;

	for (k = 0; k < ATTEMPTS; k++) {
		if (victim_start(&v, dumpable, mb))
			gt_fatal("setup", "%s victim: %s", name, strerror(errno));
		allowed_alive = kernel_allows(&v);
		rows_alive = victim_rows(fd, &v);
		watch_exit(fd, &v, mb, &c);
		printf("# %s attempt %d: alive: kernel %s, %d rows; exiting: %d passes, %d in the window (%.0f ms from first to last), kernel allowed %d, rows in %d of the window's passes; %ld KiB freed by then\n",
		       name, k + 1, allowed_alive ? "allows" : "refuses",
		       rows_alive, c.passes, c.in_window, c.window_ms,
		       c.allowed, c.shown, c.freed_kb);
		if (c.in_window > 0 || c.mismatch)
			break;
	}
	close(fd);

	snprintf(check, sizeof(check), "%s.alive", name);
	gt_check(check, rows_alive == (allowed_alive ? 1 : 0),
		 "kernel %s its /proc/PID/fd to euid %d; rows: %d",
		 allowed_alive ? "opens" : "refuses", NOBODY, rows_alive);
	snprintf(check, sizeof(check), "%s.window", name);
	gt_check(check, c.in_window > 0,
		 "no read fell between exit_mm() and exit_files() in %d attempts with %ld MiB",
		 ATTEMPTS, mb);
	snprintf(check, sizeof(check), "%s.parity", name);
	gt_check(check, c.mismatch == 0,
		 "in the window: %d passes, kernel allowed %d, the row shown in %d, %d disagree",
		 c.in_window, c.allowed, c.shown, c.mismatch);
	if (!dumpable) {
		snprintf(check, sizeof(check), "%s.kernel", name);
		gt_check(check, !allowed_alive && c.allowed == 0,
			 "premise: the kernel let euid %d read its fd link (alive: %s, exiting: %d of %d passes)",
			 NOBODY, allowed_alive ? "yes" : "no", c.allowed,
			 c.passes);
	}
}

int main(void)
{
	long mb = gt_scaled(MAP_MB, 256);

	printf("# victims map and touch %ld MiB\n", mb);
	run("nondumpable", 0, mb);
	run("dumpable", 1, mb);
	return gt_done();
}
