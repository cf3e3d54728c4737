// SPDX-License-Identifier: GPL-2.0
/*
 * walk_expand: the fd walk while fd tables grow under it (issue 18).
 *
 * A worker pinned to one CPU holds /dev/null at fds 3..1016 and a unix
 * socket at fd 1017 for the whole run (its "stable" socket), in a table of
 * 1024 slots shared with a helper thread. Each try:
 *   - opens a second unix socket (fd 1018, the lowest free one);
 *   - grows the table: dup2(3, 2047) makes expand_files() replace the fd
 *     array of 1024 slots with one of 2048;
 *   - closes the socket: its last reference goes, so the slot of the OLD
 *     array (never written again) points at a file whose count is zero;
 *   - closes 2047 and unshares the table (a fresh 1024-slot copy: the
 *     helper thread keeps the old one), so the next try grows it again.
 * Meanwhile the test reads /proc/sockfd in 4 KiB read()s, pinned to the
 * other CPU, pass after pass. A walk that read the old array and then
 * loops on its stale slot (get_file_rcu() from 6.7) never ends: it holds
 * the worker's task_lock, the worker's unshare() spins on it, and the
 * guest hangs (soft lockup, RCU stall), which the harness turns into a
 * named failure.
 *
 * Checks (ground truth: the worker's own fstat() of its stable socket):
 *   progress     tries and passes both went on; no read() took over 10 s
 *   stable       every pass shows the worker's fd 1017 once, with the
 *                stable socket's inode: an fd open during the whole walk
 *                is never missed, however often its table is replaced
 *   rows         every row of the worker (or of its helper thread, which
 *                briefly lists an old table under its own id) is fd 1017
 *                with that inode, or fd 1018, a unix dgram socket; never
 *                the non-socket 2047 or any other fd
 * Runs SOCKFD_STRESS_SECONDS (default 60; make soak sets more).
 * concurrency: yes
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define STABLE_FD	1017	/* the stable socket */
#define CHURN_FD	1018	/* the socket of each try */
#define GROW_FD		2047	/* dup2() here doubles a 1024-slot table */
#define READ_LIMIT	10.0	/* seconds one read() may take */

/* Shared between the test and the worker (MAP_SHARED). */
struct shared {
	atomic_bool stop;
	atomic_long tries;
	unsigned long long stable_ino;	/* set before ready */
	atomic_int ready;		/* 1: set up, -1: set-up failed */
	char why[160];			/* the worker's failure, if any */
};

static struct shared *sh;

/* The helper thread: shares the table until told to go. */
static void *sleeper(void *arg)
{
	sem_t *go = arg;

	while (sem_wait(go) && errno == EINTR)
		;
	return NULL;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* best effort */
}

static void worker_fail(const char *what)
{
	snprintf(sh->why, sizeof(sh->why), "%s: %s", what, strerror(errno));
	atomic_store(&sh->ready, -1);
	_exit(1);
}

/* One try: see the head comment. Returns 0, or -1 with sh->why set. */
static int worker_try(sem_t *go)
{
	pthread_t th;
	int s;

	if (pthread_create(&th, NULL, sleeper, go))
		return snprintf(sh->why, sizeof(sh->why), "pthread_create"), -1;
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s != CHURN_FD)
		return snprintf(sh->why, sizeof(sh->why),
				"socket() gave fd %d, not %d", s, CHURN_FD), -1;
	if (dup2(3, GROW_FD) != GROW_FD)
		return snprintf(sh->why, sizeof(sh->why), "dup2: %s",
				strerror(errno)), -1;
	close(s);
	close(GROW_FD);
	if (unshare(CLONE_FILES))
		return snprintf(sh->why, sizeof(sh->why), "unshare: %s",
				strerror(errno)), -1;
	sem_post(go);
	pthread_join(th, NULL);
	return 0;
}

static void worker(void)
{
	struct stat st;
	sem_t go;
	int fd, s;

	pin(1);
	if (sem_init(&go, 0, 0))
		worker_fail("sem_init");
	fd = open("/dev/null", O_RDONLY);
	if (fd != 3)
		worker_fail("open /dev/null at fd 3");
	for (int i = 4; i < STABLE_FD; i++)
		if (dup2(3, i) != i)
			worker_fail("dup2 filling the table");
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s != STABLE_FD || fstat(s, &st))
		worker_fail("the stable socket");
	sh->stable_ino = st.st_ino;
	atomic_store(&sh->ready, 1);
	while (!atomic_load(&sh->stop)) {
		if (worker_try(&go)) {
			atomic_store(&sh->ready, -1);
			_exit(1);
		}
		atomic_fetch_add(&sh->tries, 1);
	}
	_exit(0);
}

/*
 * One pass: the whole file in 4 KiB read()s. Adds the rows' problems to
 * *bad (the first one kept in @first) and returns whether the worker's
 * stable fd was shown once with its inode; *slowest gets the longest read.
 */
static bool one_pass(int pfd, pid_t w, long *bad, char *first, size_t flen,
		     double *slowest)
{
	struct gt_table *t;
	int stable_rows = 0;
	size_t len;
	double t0;
	char *text;

	if (lseek(pfd, 0, SEEK_SET) != 0)
		gt_fatal("read", "lseek: %s", strerror(errno));
	t0 = gt_now();
	text = gt_read_fd(pfd, 4096, &len);
	if (gt_now() - t0 > *slowest)
		*slowest = gt_now() - t0;
	if (!text)
		gt_fatal("read", "reading /proc/sockfd: %s", strerror(errno));
	t = gt_parse(text, len);
	free(text);
	if (!t)
		gt_fatal("read", "cannot parse /proc/sockfd");
	for (int i = 0; i < t->nrows; i++) {
		const struct gt_row *r = &t->rows[i];
		const char *fam = gt_get(r, GT_FAMILY), *type = gt_get(r, GT_TYPE);
		bool ok;

		if (r->fd == STABLE_FD) {
			ok = r->ino == sh->stable_ino;
			if (ok && r->pid == w)
				stable_rows++;
		} else {
			ok = r->fd == CHURN_FD && fam && type &&
			     !strcmp(fam, "unix") && !strcmp(type, "dgram");
		}
		if (!ok && (*bad)++ == 0)
			snprintf(first, flen, "pid %ld fd %ld ino %llu (stable %llu): %s",
				 r->pid, r->fd, r->ino, sh->stable_ino, r->line);
	}
	gt_free(t);
	return stable_rows == 1;
}

int main(void)
{
	const char *env = getenv("SOCKFD_STRESS_SECONDS");
	double secs = env && *env ? strtod(env, NULL) : 60, slowest = 0, end;
	long passes = 0, missed = 0, bad = 0, tries;
	char first[512] = "", missed_at[64] = "";
	int pfd, status;
	pid_t w;

	gt_init("walk_expand");
	if (gt_raise_nofile(4096))
		gt_fatal("setup", "RLIMIT_NOFILE 4096: %s", strerror(errno));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		gt_fatal("setup", "mmap: %s", strerror(errno));
	/* The worker's table starts small: only fds 0-2 are open here. */
	w = fork();
	if (w < 0)
		gt_fatal("setup", "fork: %s", strerror(errno));
	if (w == 0)
		worker();
	while (atomic_load(&sh->ready) == 0)
		gt_msleep(10);
	if (atomic_load(&sh->ready) < 0)
		gt_fatal("setup", "worker: %s", sh->why);

	pin(0);
	pfd = open(GT_PROC, O_RDONLY);
	if (pfd < 0)
		gt_fatal("setup", "open %s: %s", GT_PROC, strerror(errno));
	end = gt_now() + secs;
	while (gt_now() < end && atomic_load(&sh->ready) > 0) {
		if (!one_pass(pfd, w, &bad, first, sizeof(first), &slowest) &&
		    missed++ == 0)
			snprintf(missed_at, sizeof(missed_at), "pass %ld, try %ld",
				 passes, atomic_load(&sh->tries));
		passes++;
	}
	close(pfd);
	atomic_store(&sh->stop, true);
	tries = atomic_load(&sh->tries);
	if (waitpid(w, &status, 0) != w || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		gt_fail("worker", "worker failed: %s",
			sh->why[0] ? sh->why : "killed or exited non-zero");
	else
		gt_pass("worker");

	gt_check("progress", tries > 0 && passes > 0 && slowest <= READ_LIMIT,
		 "%ld tries, %ld passes in %.0f s, slowest read %.3f s (limit %.0f s)",
		 tries, passes, secs, slowest, READ_LIMIT);
	printf("# walk_expand: %ld tries, %ld passes in %.0f s; slowest read %.3f s\n",
	       tries, passes, secs, slowest);
	gt_check("stable", missed == 0,
		 "fd %d (ino %llu) not shown once in %ld of %ld passes (first at %s)",
		 STABLE_FD, sh->stable_ino, missed, passes, missed_at);
	gt_check("rows", bad == 0, "%ld unexpected rows, first: %s", bad, first);
	return gt_done();
}
