// SPDX-License-Identifier: GPL-2.0
/*
 * col_thread: a thread that called unshare(CLONE_FILES) owns a separate fd
 * table: its sockets are rows under its thread id, with its comm; the
 * table it copied at unshare time shows the leader's sockets under its id
 * too. A thread sharing the leader's table is never listed under its own
 * id, and its sockets appear once, under the thread-group id. When the
 * leader has exited and another thread holds the table, the socket is
 * listed once, under an id whose /proc/ID/fd/FD is that socket.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
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

struct leader_gone {
	int pipe_up[2], pipe_down[2];
	int s;
};

static void *survivor(void *arg)
{
	struct leader_gone *g = arg;
	int v[2] = { g->s, (int)gettid() };
	char c;

	gt_set_comm("gt-survivor");
	/* wait until the leader has exited, then report and hold on */
	gt_msleep(200);
	if (write(g->pipe_up[1], v, sizeof(v)) != sizeof(v))
		_exit(1);
	if (read(g->pipe_down[0], &c, 1) < 0)
		_exit(1);
	_exit(0);
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
 * The group leader exits (pthread_exit) while another thread keeps the
 * shared fd table: /proc/TGID/fd is then empty. The socket must be listed
 * exactly once, under an id whose /proc/ID/fd/FD is the socket (the rule
 * the format gives for pid), with that id's comm.
 */
static void leader_exited(void)
{
	struct leader_gone g;
	const struct gt_row *r[4];
	struct gt_table *t;
	pid_t child;
	pthread_t th;
	int v[2], n;
	char comm[80];

	if (pipe(g.pipe_up) || pipe(g.pipe_down))
		gt_fatal("setup", "pipe: %s", strerror(errno));
	fflush(stdout);
	child = fork();
	if (child == 0) {
		close(g.pipe_up[0]);
		close(g.pipe_down[1]);
		g.s = socket(AF_UNIX, SOCK_DGRAM, 0);
		if (g.s < 0 || pthread_create(&th, NULL, survivor, &g))
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
	close(g.pipe_down[1]);
	close(g.pipe_up[0]);
	reap_survivor(child);
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
	return gt_done();
}
