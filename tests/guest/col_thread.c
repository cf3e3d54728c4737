// SPDX-License-Identifier: GPL-2.0
/*
 * col_thread: a thread that called unshare(CLONE_FILES) owns a separate fd
 * table: its sockets are rows under its thread id, with its comm; the
 * table it copied at unshare time shows the leader's sockets under its id
 * too. A thread sharing the leader's table is never listed under its own
 * id, and its sockets appear once, under the thread-group id. Each fd table
 * is listed once, under the lowest live thread id that holds it (ground
 * truth: /proc/PID/task and each thread's /proc/TID/fd):
 *   leader_exited_*  the leader has exited, three threads share the table
 *   cloned_*         a thread unshared its table, then created two threads
 *                    with CLONE_FILES (pthread_create): three share it;
 *                    then that thread exits and the two others still do
 */
#define _GNU_SOURCE
#include "gt.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t b_ready, b_done;
static pid_t tid_shared, tid_own;
static int s_main, s_shared, s_own, own_unshared;

static void *shared_thread(void *arg)
{
	(void)arg;
	tid_shared = gettid();
	gt_set_comm("gt-shared-thr");
	s_shared = socket(AF_UNIX, SOCK_DGRAM, 0);
	pthread_barrier_wait(&b_ready);
	pthread_barrier_wait(&b_done);
	return NULL;
}

static void *own_thread(void *arg)
{
	struct gt_want w = { 0 };

	(void)arg;
	tid_own = gettid();
	gt_set_comm("gt own\ttable");
	if (unshare(CLONE_FILES)) {
		gt_fail("own_table", "setup: unshare(CLONE_FILES): %s",
			strerror(errno));
		__atomic_store_n(&own_unshared, 1, __ATOMIC_SEQ_CST);
	} else {
		s_own = gt_inet_socket(AF_INET, SOCK_DGRAM, 0, -1, true);
		/* the shared thread starts only now, so its socket is not in
		 * our copy of the table */
		__atomic_store_n(&own_unshared, 1, __ATOMIC_SEQ_CST);
		gt_want_set(&w, GT_PID, "%d", (int)tid_own);
		gt_want_set(&w, GT_COMM, "gt\\040own\\011table");
		gt_check_fd("own_table_socket", tid_own, s_own, &w);
		/* the copy of the leader's table: s_main under our tid */
		gt_check_fd("own_table_copied_socket", tid_own, s_main, &w);
		gt_want_free(&w);
	}
	pthread_barrier_wait(&b_ready);
	pthread_barrier_wait(&b_done);
	return NULL;
}

#define SURVIVORS 3

struct leader_gone {
	int pipe_up[2], pipe_down[2];
	int s;
	pid_t tgid;
};

/*
 * Survivor 0: waits until the leader has exited (its /proc/TGID/fd no longer
 * shows the socket), reports, then holds on until its pipe closes. The
 * other survivors only keep sharing the table.
 */
static void *survivor(void *arg)
{
	struct leader_gone *g = arg;
	int v[2] = { g->s, (int)gettid() }, ms;
	char c;

	gt_set_comm("gt-survivor");
	for (ms = 0; ms < 10000 && gt_fd_sock_ino(g->tgid, g->s); ms += 20)
		gt_msleep(20);
	if (write(g->pipe_up[1], v, sizeof(v)) != sizeof(v))
		_exit(1);
	if (read(g->pipe_down[0], &c, 1) < 0)
		_exit(1);
	_exit(0);
}

static void *sharer(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/*
 * The threads of @pid whose /proc/TID/fd/@fd is the socket @ino (those that
 * hold the table): their count, and the lowest id in *@lowest (0 if none).
 */
static int sharers(pid_t pid, int fd, unsigned long long ino, pid_t *lowest)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	*lowest = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		pid_t tid = (pid_t)atoi(d->d_name);

		if (tid <= 0 || gt_fd_sock_ino(tid, fd) != ino)
			continue;
		n++;
		if (!*lowest || tid < *lowest)
			*lowest = tid;
	}
	closedir(dir);
	return n;
}

/*
 * The socket @fd of @pid (inode @ino) is held by @want threads of @pid
 * (premise) and listed once, under the lowest of them.
 */
static void check_listed_once(const char *check, pid_t pid, int fd,
			      unsigned long long ino, int want)
{
	struct gt_table *t;
	char name[80];
	pid_t lowest;
	int n = sharers(pid, fd, ino, &lowest);

	snprintf(name, sizeof(name), "%s_premise_sharers", check);
	gt_check_num(name, "threads of the process whose /proc/TID/fd/FD is the socket",
		     want, n);
	t = gt_load(0);
	if (!t)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	snprintf(name, sizeof(name), "%s_lowest_tid", check);
	gt_check_ino_under(name, t, ino, lowest);
	gt_free(t);
}

/* Print what each thread of @pid is doing (state and kernel stack). */
static void show_threads(pid_t pid)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "for d in /proc/%d/task/*; do echo \"# $d: $(cat $d/stat)\"; sed 's/^/#   /' $d/stack; done",
		 (int)pid);
	fflush(stdout);
	if (system(cmd) != 0)
		printf("# could not show the threads of %d\n", (int)pid);
}

/*
 * The survivor exits once the pipe to it is closed. Once it hung here (1 run
 * in 4 on 6.1): if it has not exited within 20 s, say what its threads are
 * doing, fail, and kill it so that it cannot disturb later tests.
 */
static void reap_survivor(pid_t child)
{
	int ms;

	for (ms = 0; ms < 20000; ms += 50) {
		if (waitpid(child, NULL, WNOHANG) == child) {
			gt_pass("leader_exited_child_exits");
			return;
		}
		gt_msleep(50);
	}
	show_threads(child);
	gt_fail("leader_exited_child_exits",
		"child %d still there 20 s after its pipe closed", (int)child);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/*
 * The group leader exits (pthread_exit) while SURVIVORS other threads keep
 * the shared fd table: /proc/TGID/fd is then empty. The socket must be
 * listed exactly once, under the lowest id of the threads still holding
 * the table (the rule the format gives for pid), with that id's comm.
 */
static void leader_exited(void)
{
	struct leader_gone g;
	const struct gt_row *r[4];
	struct gt_table *t;
	pid_t child;
	pthread_t th;
	int v[2], n, i;
	char comm[80];

	if (pipe(g.pipe_up) || pipe(g.pipe_down))
		gt_fatal("setup", "pipe: %s", strerror(errno));
	fflush(stdout);
	child = fork();
	if (child == 0) {
		close(g.pipe_up[0]);
		close(g.pipe_down[1]);
		g.tgid = getpid();
		g.s = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (g.s < 0 || pthread_create(&th, NULL, survivor, &g))
			_exit(1);
		for (i = 1; i < SURVIVORS; i++)
			if (pthread_create(&th, NULL, sharer, NULL))
				_exit(1);
		pthread_exit(NULL);
	}
	close(g.pipe_up[1]);
	close(g.pipe_down[0]);
	if (child < 0 || read(g.pipe_up[0], v, sizeof(v)) != sizeof(v)) {
		gt_fail("leader_exited", "setup: child did not report");
		return;
	}
	t = gt_load(0);
	if (!t)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	n = gt_find_ino(t, gt_fd_sock_ino(v[1], v[0]), r, 4);
	gt_check_num("leader_exited_listed_once", "rows with the inode", 1, n);
	if (n == 1) {
		gt_check_num("leader_exited_row_is_proc_fd",
			     "ino of /proc/PID/fd/FD of the row",
			     (long long)r[0]->ino,
			     (long long)gt_fd_sock_ino((pid_t)r[0]->pid,
						       (int)r[0]->fd));
		gt_check_str("leader_exited_comm", "comm",
			     gt_comm_escaped((pid_t)r[0]->pid, comm,
					     sizeof(comm)),
			     gt_get_raw(r[0], GT_COMM));
	}
	gt_free(t);
	check_listed_once("leader_exited", child, v[0],
			  gt_fd_sock_ino(v[1], v[0]), SURVIVORS);
	close(g.pipe_down[1]);
	close(g.pipe_up[0]);
	reap_survivor(child);
}

/* The cloned_* process: thread A unshares its table and creates B and C. */
struct cloned {
	int exit_pipe[2];	/* A exits when a byte comes */
	int s;			/* A's socket, in the table A, B, C share */
	pid_t tid_a;
	sem_t ready;
};

static void *cloned_a(void *arg)
{
	struct cloned *c = arg;
	pthread_t th;
	char b;

	c->tid_a = gettid();
	c->s = -1;
	if (unshare(CLONE_FILES) == 0)
		c->s = socket(AF_UNIX, SOCK_STREAM, 0);
	/* pthread_create() clones with CLONE_FILES: B and C share A's table */
	if (c->s < 0 || pthread_create(&th, NULL, sharer, NULL) ||
	    pthread_create(&th, NULL, sharer, NULL)) {
		c->s = -1;
		sem_post(&c->ready);
		return NULL;
	}
	sem_post(&c->ready);
	if (read(c->exit_pipe[0], &b, 1) != 1)
		for (;;)
			pause();
	return NULL;	/* B and C hold the table on */
}

static int cloned_child(void *arg, int *vals, int max)
{
	struct cloned *c = arg;
	pthread_t th;

	(void)max;
	if (sem_init(&c->ready, 0, 0) || pthread_create(&th, NULL, cloned_a, c))
		return -1;
	while (sem_wait(&c->ready) && errno == EINTR)
		;
	if (c->s < 0)
		return -1;
	vals[0] = c->s;
	vals[1] = c->tid_a;
	return 2;
}

static void unshared_then_cloned(void)
{
	struct cloned c = { .s = -1 };
	struct gt_child ch;
	unsigned long long ino;
	char path[64];
	int ms;

	if (pipe(c.exit_pipe))
		gt_fatal("cloned_setup", "pipe: %s", strerror(errno));
	if (gt_child_start(&ch, cloned_child, &c)) {
		gt_fail("cloned_setup", "child: %s", strerror(errno));
		return;
	}
	ino = gt_fd_sock_ino(ch.vals[1], ch.vals[0]);
	gt_check("cloned_premise_socket", ino != 0,
		 "/proc/%d/fd/%d is no socket", ch.vals[1], ch.vals[0]);
	check_listed_once("cloned", ch.pid, ch.vals[0], ino, 3);

	/* A exits; B and C still share the table. */
	if (write(c.exit_pipe[1], "x", 1) != 1)
		gt_fail("cloned_exit", "write: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/task/%d", ch.pid, ch.vals[1]);
	for (ms = 0; ms < 10000 && access(path, F_OK) == 0; ms += 20)
		gt_msleep(20);
	gt_check("cloned_a_exited", access(path, F_OK) != 0,
		 "%s still there after 10 s", path);
	check_listed_once("cloned_a_exited", ch.pid, ch.vals[0], ino, 2);
	gt_child_stop(&ch);
	close(c.exit_pipe[0]);
	close(c.exit_pipe[1]);
}

int main(void)
{
	pthread_t t1, t2;
	struct gt_table *t;
	int i, n;

	gt_lo_up();
	gt_set_comm("gt-leader");
	s_main = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 2, true);
	if (s_main < 0)
		gt_fatal("setup", "socket: %s", strerror(errno));
	pthread_barrier_init(&b_ready, NULL, 3);
	pthread_barrier_init(&b_done, NULL, 3);
	if (pthread_create(&t2, NULL, own_thread, NULL))
		gt_fatal("setup", "pthread_create failed");
	while (!__atomic_load_n(&own_unshared, __ATOMIC_SEQ_CST))
		gt_msleep(1);
	if (pthread_create(&t1, NULL, shared_thread, NULL))
		gt_fatal("setup", "pthread_create failed");
	pthread_barrier_wait(&b_ready);

	gt_check("premise_own_socket", s_own > 0 && s_shared > 0,
		 "sockets: shared %d own %d", s_shared, s_own);
	{
		struct gt_want w = { 0 };

		gt_want_set(&w, GT_REMOTE, "*");
		gt_want_set(&w, GT_COMM, "gt-leader");
		gt_check_fd("shared_thread_socket_under_tgid", 0, s_shared, &w);
		gt_want_free(&w);
	}
	gt_check_fd("leader_socket", 0, s_main, NULL);

	t = gt_load(0);
	if (!t)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	for (i = 0, n = 0; i < t->nrows; i++)
		if (t->rows[i].pid == tid_shared)
			n++;
	gt_check_num("shared_thread_not_listed", "rows with pid = shared tid",
		     0, n);
	gt_check_num("shared_socket_once", "rows with its inode", 1,
		     gt_find_ino(t, gt_fstat_ino(s_shared), NULL, 0));
	/* s_main: under the tgid and under the unshared thread */
	gt_check_num("leader_socket_twice", "rows with its inode", 2,
		     gt_find_ino(t, gt_fstat_ino(s_main), NULL, 0));
	gt_free(t);

	pthread_barrier_wait(&b_done);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	leader_exited();
	unshared_then_cloned();
	return gt_done();
}
