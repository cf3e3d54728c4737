// SPDX-License-Identifier: GPL-2.0
/*
 * robust_rmmod: unload the module while readers hold /proc/sockfd open
 * and are reading, then load it again from $SOCKFD_KO. ROUNDS times:
 *   two readers (small reads and 1 MiB reads, lseek to 0 at the end)
 *   read in a loop; the test calls delete_module("sockfd", O_NONBLOCK):
 *   rN.rmmod          it succeeds
 *   rN.READER.error   the readers' next read()/lseek() fails (errno shown)
 *   rN.gone           a new open() fails with ENOENT
 *   rN.insmod         finit_module($SOCKFD_KO) succeeds (insmod if it is
 *                     compressed)
 *   rN.READER.stale   the readers' old fds still fail after the reload,
 *                     and closing them is fine
 *   rN.works          a fresh read lists the sockets of a holder process
 *                     (against /proc/PID/fd)
 * Modules using sockfd (the runner's sockfd_kunit stays loaded after the
 * KUnit run on the debug kernel) would make every rmmod fail with EAGAIN:
 * they are unloaded first (unload_users). If an rmmod fails anyway, the
 * readers stop and that round's reader checks are skipped.
 * The module is left loaded (loaded: /proc/modules and /proc/sockfd).
 * concurrency: yes
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
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 3
#define SOCKETS 2000
#define READER_LIMIT_S 60	/* a reader that never sees an error gives up */

struct reader {
	const char *name;
	size_t chunk;	/* 0: random 1..256 */
	int round;
	int ready[2];	/* reader -> test: first pass done */
	int *go;	/* test -> readers: closed once the module is back */
};

/* Shared with the readers: set when rmmod failed, so they stop. */
static volatile int *rmmod_failed;

/* Runs in a child: holds `SOCKETS` sockets. */
static int holder(void *arg, int *vals, int max)
{
	int n = *(int *)arg, i, sv[2];

	(void)vals;
	(void)max;
	for (i = 0; i < n; i += 2)
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return -1;
	return 0;
}

/* One read() or, at EOF, lseek(0): returns -1 with errno on failure. */
static int step(int fd, char *buf, size_t chunk, bool *eof)
{
	ssize_t r = read(fd, buf, chunk ? chunk : 1 + (size_t)(rand() % 256));

	*eof = r == 0;
	if (r == 0)
		return lseek(fd, 0, SEEK_SET) == 0 ? 0 : -1;
	return r < 0 ? -1 : 0;
}

static void reader_run(void *arg)
{
	struct reader *rd = arg;
	static char buf[1 << 20];
	double give_up = gt_now() + READER_LIMIT_S;
	char check[64], b = 'r';
	bool eof, told = false;
	int fd, err = 0;
	long steps = 0;

	close(rd->ready[0]);
	close(rd->go[1]);	/* so that the test's close is EOF */
	fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	snprintf(check, sizeof(check), "r%d.%s.error", rd->round, rd->name);
	if (fd < 0) {
		gt_fail(check, "open before rmmod: %s", strerror(errno));
		close(rd->ready[1]);
		return;
	}
	while (gt_now() < give_up && !*rmmod_failed) {
		if (step(fd, buf, rd->chunk, &eof)) {
			err = errno;
			break;
		}
		steps++;
		if (eof && !told) {
			told = write(rd->ready[1], &b, 1) == 1;
			close(rd->ready[1]);
		}
	}
	if (!told)
		close(rd->ready[1]);
	printf("# r%d %s: %ld reads, then %s\n", rd->round, rd->name, steps,
	       err ? strerrorname_np(err) : "no error");
	if (*rmmod_failed && !err) {
		close(fd);
		return;	/* the module stayed: nothing to check */
	}
	gt_check(check, err != 0, "read()/lseek() kept working for %d s after rmmod",
		 READER_LIMIT_S);

	/* Wait until the module is back, then try the old fd again. */
	while (read(rd->go[0], &b, 1) < 0 && errno == EINTR)
		;
	snprintf(check, sizeof(check), "r%d.%s.stale", rd->round, rd->name);
	if (read(fd, buf, 4096) >= 0 || lseek(fd, 0, SEEK_SET) >= 0)
		gt_fail(check, "old fd works again after the reload (want an error)");
	else
		gt_check(check, close(fd) == 0, "close of the old fd: %s",
			 strerror(errno));
}

/* finit_module() for a plain .ko; a compressed one (--module x.ko.xz)
 * through the guest's insmod, which decompresses it (6.1 cannot). */
static int load_module(const char *ko)
{
	size_t n = strlen(ko);
	int fd, r, e, status;
	pid_t pid;

	if (n > 3 && strcmp(ko + n - 3, ".ko") == 0) {
		fd = open(ko, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		r = (int)syscall(SYS_finit_module, fd, "", 0);
		e = errno;
		close(fd);
		errno = e;
		return r;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execlp("insmod", "insmod", ko, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	errno = ENOEXEC;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The /proc/modules line of sockfd (no newline) in buf, or "(none)". */
static char *module_line(char *buf, size_t n)
{
	FILE *f = fopen("/proc/modules", "re");
	bool found = false;

	while (f && !found && fgets(buf, (int)n, f))
		found = strncmp(buf, "sockfd ", 7) == 0;
	if (f)
		fclose(f);
	if (!found)
		return strcpy(buf, "(none)");
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Unload the modules that use sockfd (4th field of its /proc/modules line,
 * "a,b," or "-"). */
static void unload_users(void)
{
	char line[256], *users, *name, *save = NULL;
	int i, bad = 0, n = 0;

	users = module_line(line, sizeof(line));
	for (i = 0; i < 3 && users; i++)
		users = strchr(users + 1, ' ');
	if (!users || strncmp(users, " -", 2) == 0)
		return;
	users = strtok_r(users + 1, " ", &save);
	for (name = strtok_r(users, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		n++;
		if (syscall(SYS_delete_module, name, O_NONBLOCK)) {
			bad++;
			printf("# cannot unload %s: %s\n", name, strerror(errno));
		} else {
			printf("# unloaded %s, which used sockfd\n", name);
		}
	}
	gt_check("unload_users", bad == 0, "%d of %d modules using sockfd stay loaded",
		 bad, n);
}

static void round_run(int round, const char *ko, pid_t holder_pid)
{
	struct reader rd[2] = {
		{ .name = "small", .chunk = 0, .round = round },
		{ .name = "big", .chunk = 1 << 20, .round = round },
	};
	struct gt_forked f[2];
	struct gt_table *t;
	char check[64], line[256], b;
	int i, r, fd, e, go[2];

	if (pipe2(go, O_CLOEXEC))
		gt_fatal("setup", "pipe: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		rd[i].go = go;
		if (pipe2(rd[i].ready, O_CLOEXEC) ||
		    gt_fork_start(&f[i], reader_run, &rd[i]))
			gt_fatal("setup", "reader: %s", strerror(errno));
		close(rd[i].ready[1]);
	}
	close(go[0]);
	for (i = 0; i < 2; i++) {
		if (read(rd[i].ready[0], &b, 1) != 1)
			gt_fail("setup", "reader %s never finished a pass",
				rd[i].name);
		close(rd[i].ready[0]);
	}
	gt_msleep((unsigned int)(rand() % 50));

	snprintf(check, sizeof(check), "r%d.rmmod", round);
	r = (int)syscall(SYS_delete_module, "sockfd", O_NONBLOCK);
	e = errno;
	if (!gt_check(check, r == 0, "delete_module(sockfd) with readers: %s; /proc/modules: %s",
		      strerror(e), module_line(line, sizeof(line)))) {
		*rmmod_failed = 1;
		close(go[1]);
		for (i = 0; i < 2; i++)
			gt_fork_wait(&f[i], "reader");
		return;
	}

	snprintf(check, sizeof(check), "r%d.gone", round);
	fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	e = errno;
	gt_check(check, fd < 0 && e == ENOENT, "open after rmmod: want ENOENT got %s",
		 fd < 0 ? strerrorname_np(e) : "success");
	if (fd >= 0)
		close(fd);

	snprintf(check, sizeof(check), "r%d.insmod", round);
	gt_check(check, load_module(ko) == 0, "loading %s again: %s", ko,
		 strerror(errno));

	close(go[1]);
	for (i = 0; i < 2; i++)
		gt_fork_wait(&f[i], "reader");

	snprintf(check, sizeof(check), "r%d.works", round);
	t = gt_load(65536);
	if (t)
		gt_check_ids(check, t, NULL, &holder_pid, 1);
	else
		gt_fail(check, "read after insmod: %s", strerror(errno));
	gt_free(t);
}

int main(void)
{
	const char *ko = getenv("SOCKFD_KO");
	int n = (int)gt_scaled(SOCKETS, 200);
	struct gt_child h;
	char line[256];
	int i;

	if (!ko)
		gt_fatal("setup", "SOCKFD_KO is not set");
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned int)getpid());
	rmmod_failed = mmap(NULL, sizeof(*rmmod_failed), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rmmod_failed == MAP_FAILED)
		gt_fatal("setup", "mmap: %s", strerror(errno));
	unload_users();
	if (gt_raise_nofile((unsigned long)n + 64) ||
	    gt_child_start(&h, holder, &n))
		gt_fatal("setup", "holder of %d sockets: %s", n, strerror(errno));
	for (i = 1; i <= ROUNDS && !*rmmod_failed; i++)
		round_run(i, ko, h.pid);
	gt_check("loaded", strcmp(module_line(line, sizeof(line)), "(none)") &&
		 access(GT_PROC, R_OK) == 0,
		 "after the test: /proc/modules: %s; %s readable %d", line,
		 GT_PROC, access(GT_PROC, R_OK) == 0);
	gt_child_stop(&h);
	return gt_done();
}
