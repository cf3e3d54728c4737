// SPDX-License-Identifier: GPL-2.0
/*
 * walk_threads: threads and fd tables. A row's pid names the fd table the
 * way /proc does, so the ground truth of an id is /proc/ID/fd.
 *   own.*      a thread calls unshare(CLONE_FILES) and opens a socket; a
 *              second thread keeps sharing the leader's table and opens
 *              one too (it gets the same fd number in the leader's table).
 *              The unshared thread's table (its socket and the copy of the
 *              leader's) is listed under its TID, the leader's under the
 *              tgid, the sharing thread under neither.
 *   leader.*   the leader unshares after starting a thread: the leader's
 *              new table is listed under the tgid, the old one (still the
 *              thread's) under the thread's TID.
 *   zombie.*   the leader calls pthread_exit() while a thread holds the
 *              table: /proc/TGID/fd is then empty and the sockets are
 *              reachable as /proc/TID/fd/FD, so they must be listed under
 *              the TID.
 * concurrency: yes
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a helper thread did, for its creator. */
struct job {
	bool unshare;	/* unshare(CLONE_FILES) first */
	sem_t *wait;	/* wait for this before opening the socket (or NULL) */
	sem_t done;	/* posted when tid/fd are set */
	pid_t tid;
	int fd;		/* the socket it opened, -1 on failure */
};

/* Thread: maybe unshare, open a UDP socket, report, then sleep forever
 * (the process ends with _exit() in its leader). */
static void *job_thread(void *arg)
{
	struct job *j = arg;

	j->tid = gettid();
	j->fd = -1;
	if (!j->unshare || unshare(CLONE_FILES) == 0) {
		if (j->wait)
			while (sem_wait(j->wait) && errno == EINTR)
				;
		j->fd = socket(AF_INET, SOCK_DGRAM, 0);
	}
	sem_post(&j->done);
	for (;;)
		pause();
	return NULL;
}

static int start_job(struct job *j, bool unshare_files, sem_t *wait)
{
	pthread_t th;

	memset(j, 0, sizeof(*j));
	j->unshare = unshare_files;
	j->wait = wait;
	if (sem_init(&j->done, 0, 0) ||
	    pthread_create(&th, NULL, job_thread, j))
		return -1;
	return 0;
}

static void wait_job(struct job *j)
{
	while (sem_wait(&j->done) && errno == EINTR)
		;
}

enum { V_TID_A, V_FD_A, V_TID_B, V_FD_B, V_FD_LEAD, V_N };

/* Child: leader socket; thread A unshares and opens one; then thread B
 * (sharing) opens one. */
static int own_table(void *arg, int *vals, int max)
{
	static struct job a, b;
	int lead = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)arg;
	(void)max;
	if (lead < 0 || start_job(&a, true, NULL))
		return -1;
	wait_job(&a);
	if (a.fd < 0 || start_job(&b, false, NULL))
		return -1;
	wait_job(&b);
	if (b.fd < 0)
		return -1;
	vals[V_TID_A] = a.tid;
	vals[V_FD_A] = a.fd;
	vals[V_TID_B] = b.tid;
	vals[V_FD_B] = b.fd;
	vals[V_FD_LEAD] = lead;
	return V_N;
}

static int rows_of_pid(const struct gt_table *t, pid_t pid)
{
	int i, n = 0;

	for (i = 0; i < t->nrows; i++)
		n += t->rows[i].pid == pid;
	return n;
}

static struct gt_table *load(void)
{
	struct gt_table *t = gt_load(65536);

	if (!t)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	return t;
}

static void test_own_table(void)
{
	struct gt_child c;
	struct gt_table *t;
	const struct gt_row *r;
	pid_t tgid, tid_a, tid_b;
	unsigned long long ino_a, ino_b;
	int fd_a, fd_b, n;

	if (gt_child_start(&c, own_table, NULL) || c.nvals != V_N)
		gt_fatal("own.setup", "child: %s", strerror(errno));
	tgid = c.pid;
	tid_a = c.vals[V_TID_A];
	tid_b = c.vals[V_TID_B];
	fd_a = c.vals[V_FD_A];
	fd_b = c.vals[V_FD_B];
	ino_a = gt_fd_sock_ino(tid_a, fd_a);
	ino_b = gt_fd_sock_ino(tgid, fd_b);
	if (!ino_a || !ino_b)
		gt_fatal("own.setup", "/proc/%d/fd/%d or /proc/%d/fd/%d is no socket",
			 tid_a, fd_a, tgid, fd_b);
	printf("# tgid %d; thread A (unshared) %d socket fd %d; thread B (shared) %d socket fd %d; leader socket fd %d\n",
	       tgid, tid_a, fd_a, tid_b, fd_b, c.vals[V_FD_LEAD]);

	t = load();
	gt_check_ids("own.tid_table", t, NULL, &tid_a, 1);
	gt_check_ids("own.tgid_table", t, NULL, &tgid, 1);
	r = gt_find(t, tid_a, fd_a);
	gt_check("own.tid_socket", r && r->ino == ino_a,
		 "row (%d, %d) ino: want %llu (/proc/%d/fd/%d) got %s", tid_a,
		 fd_a, ino_a, tid_a, fd_a, r ? gt_get_raw(r, GT_INO) : "(no row)");
	gt_check_ino_under("own.tid_socket_only_under_tid", t, ino_a,
			   tid_a);
	gt_check_ino_under("own.shared_socket_under_tgid", t, ino_b,
			   tgid);
	n = rows_of_pid(t, tid_b);
	gt_check("own.shared_thread_not_listed", n == 0,
		 "rows with pid %d (a thread sharing the leader's table): want 0 got %d",
		 tid_b, n);
	gt_free(t);
	gt_child_stop(&c);
}

/* Child: thread C starts sharing the table; the leader unshares and
 * opens a socket; then C opens one in the old table. */
static int leader_unshares(void *arg, int *vals, int max)
{
	static struct job c;
	static sem_t go;
	int lead;

	(void)arg;
	(void)max;
	if (sem_init(&go, 0, 0) || start_job(&c, false, &go))
		return -1;
	if (unshare(CLONE_FILES))
		return -1;
	lead = socket(AF_INET, SOCK_STREAM, 0);
	sem_post(&go);
	wait_job(&c);
	if (lead < 0 || c.fd < 0)
		return -1;
	vals[0] = c.tid;
	vals[1] = c.fd;
	vals[2] = lead;
	return 3;
}

static void test_leader_unshares(void)
{
	struct gt_child c;
	struct gt_table *t;
	pid_t ids[2];
	unsigned long long ino_c, ino_l;

	if (gt_child_start(&c, leader_unshares, NULL) || c.nvals != 3)
		gt_fatal("leader.setup", "child: %s", strerror(errno));
	ids[0] = c.pid;
	ids[1] = c.vals[0];
	ino_c = gt_fd_sock_ino(ids[1], c.vals[1]);
	ino_l = gt_fd_sock_ino(ids[0], c.vals[2]);
	if (!ino_c || !ino_l)
		gt_fatal("leader.setup", "/proc/%d/fd/%d or /proc/%d/fd/%d is no socket",
			 ids[1], c.vals[1], ids[0], c.vals[2]);
	t = load();
	gt_check_ids("leader.tables", t, NULL, ids, 2);
	gt_check_ino_under("leader.old_table_under_tid", t, ino_c,
			   ids[1]);
	gt_check_ino_under("leader.new_table_under_tgid", t, ino_l,
			   ids[0]);
	gt_free(t);
	gt_child_stop(&c);
}

/* The zombie-leader child: report over rep, wait for rel to close. */
static int zombie_rep[2], zombie_rel[2];

static void *zombie_thread(void *arg)
{
	int v[3] = { gettid(), *(int *)arg, socket(AF_INET6, SOCK_DGRAM, 0) };
	char b;

	if (write(zombie_rep[1], v, sizeof(v)) != sizeof(v))
		_exit(1);
	while (read(zombie_rel[0], &b, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* State letter of /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char p[64], buf[512], *s;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	f = fopen(p, "re");
	if (!f)
		return 0;
	s = fgets(buf, sizeof(buf), f);
	fclose(f);
	s = s ? strrchr(buf, ')') : NULL;
	return s && s[1] == ' ' ? s[2] : 0;
}

static void test_zombie_leader(void)
{
	static int lead;
	struct gt_table *t;
	pid_t pid, ids[2];
	int v[3], i, n;
	struct gt_fdino *fds = NULL;

	if (pipe2(zombie_rep, O_CLOEXEC) || pipe2(zombie_rel, O_CLOEXEC))
		gt_fatal("zombie.setup", "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		gt_fatal("zombie.setup", "fork: %s", strerror(errno));
	if (pid == 0) {
		pthread_t th;

		close(zombie_rel[1]);
		lead = socket(AF_INET, SOCK_STREAM, 0);
		if (lead < 0 || pthread_create(&th, NULL, zombie_thread, &lead))
			_exit(1);
		pthread_exit(NULL);
	}
	close(zombie_rel[0]);
	close(zombie_rep[1]);
	if (read(zombie_rep[0], v, sizeof(v)) != sizeof(v) || v[2] < 0)
		gt_fatal("zombie.setup", "thread report: %s", strerror(errno));
	for (i = 0; i < 500 && proc_state(pid) != 'Z'; i++)
		gt_msleep(10);
	ids[0] = pid;
	ids[1] = v[0];
	n = gt_sock_fds(NULL, pid, &fds);
	free(fds);
	printf("# leader %d state %c, /proc/%d/fd sockets %d; thread %d holds fds %d and %d\n",
	       pid, proc_state(pid) ? proc_state(pid) : '?', pid, n, v[0], v[1],
	       v[2]);
	gt_check("zombie.premise", proc_state(pid) == 'Z' &&
		 gt_fd_sock_ino(v[0], v[1]) && gt_fd_sock_ino(v[0], v[2]),
		 "leader %d state: want Z got %c; /proc/%d/fd/%d and /%d: sockets %d %d",
		 pid, proc_state(pid), v[0], v[1], v[2],
		 gt_fd_sock_ino(v[0], v[1]) != 0,
		 gt_fd_sock_ino(v[0], v[2]) != 0);
	t = load();
	gt_check_ids("zombie.tables", t, NULL, ids, 2);
	gt_free(t);
	close(zombie_rel[1]);
	close(zombie_rep[0]);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	test_own_table();
	test_leader_unshares();
	test_zombie_leader();
	return gt_done();
}
