// SPDX-License-Identifier: GPL-2.0
/*
 * col_nonsock: no rows for fds that are not sockets: pipe ends, a regular
 * file, a directory, /dev/null, eventfd, epoll, timerfd, signalfd, memfd,
 * an O_PATH fd on a unix socket's path (a socket inode, but no socket
 * file), and an O_PATH fd opened through /proc/self/fd/N of a socket
 * (readlink shows socket:[N] for it). The process's real sockets are its
 * only rows (positive control).
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#define SOCK_PATH "/tmp/gt-nonsock.sock"

int main(void)
{
	struct { const char *name; int fd; } fds[12];
	struct sockaddr_un un;
	struct gt_table *t;
	struct stat st;
	sigset_t mask;
	int n = 0, p[2], s, i, own = 0;
	char proc[64];

	unlink(SOCK_PATH);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&un,
			  gt_unix_addr(&un, SOCK_PATH, sizeof(SOCK_PATH))) ||
	    listen(s, 1) || pipe(p))
		gt_fatal("setup", "socket/pipe: %s", strerror(errno));
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	fds[n].name = "pipe_read"; fds[n++].fd = p[0];
	fds[n].name = "pipe_write"; fds[n++].fd = p[1];
	fds[n].name = "regular_file";
	fds[n++].fd = open("/tmp/gt-nonsock.file", O_CREAT | O_RDWR, 0600);
	fds[n].name = "directory"; fds[n++].fd = open("/tmp", O_RDONLY);
	fds[n].name = "dev_null"; fds[n++].fd = open("/dev/null", O_RDWR);
	fds[n].name = "eventfd"; fds[n++].fd = eventfd(0, 0);
	fds[n].name = "epoll"; fds[n++].fd = epoll_create1(0);
	fds[n].name = "timerfd";
	fds[n++].fd = timerfd_create(CLOCK_MONOTONIC, 0);
	fds[n].name = "signalfd"; fds[n++].fd = signalfd(-1, &mask, 0);
	fds[n].name = "memfd"; fds[n++].fd = memfd_create("gt", 0);
	fds[n].name = "opath_socket_path";
	fds[n++].fd = open(SOCK_PATH, O_PATH);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s);
	fds[n].name = "opath_proc_fd_of_socket";
	fds[n++].fd = open(proc, O_PATH);

	/* premises: the O_PATH fds really are socket inodes */
	gt_check("premise_opath_path_is_sock_inode",
		 fstat(fds[10].fd, &st) == 0 && S_ISSOCK(st.st_mode),
		 "fstat(O_PATH %s): want S_ISSOCK", SOCK_PATH);
	gt_check("premise_opath_proc_links_socket",
		 fds[11].fd >= 0 && gt_fd_sock_ino(0, fds[11].fd) ==
					    gt_fstat_ino(s),
		 "readlink /proc/self/fd/%d: want socket:[%llu]", fds[11].fd,
		 gt_fstat_ino(s));

	t = gt_load(0);
	if (!t)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	for (i = 0; i < n; i++) {
		if (fds[i].fd < 0) {
			gt_fail(fds[i].name, "setup: %s", strerror(errno));
			continue;
		}
		gt_check_num(fds[i].name, "rows for this fd", 0,
			     gt_count_pidfd(t, getpid(), fds[i].fd));
	}
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].pid == getpid())
			own++;
	gt_check_num("only_the_socket", "rows of this process", 1, own);
	gt_free(t);
	{
		struct gt_want w = { 0 };

		gt_want_set(&w, GT_REMOTE, "*");
		gt_want_set(&w, GT_STATE, "LISTEN");
		gt_want_set(&w, GT_TXQ, "1"); /* backlog */
		gt_want_set(&w, GT_RXQ, "0"); /* nothing pending */
		gt_check_fd("the_socket", 0, s, &w);
		gt_want_free(&w);
	}
	unlink(SOCK_PATH);
	return gt_done();
}
