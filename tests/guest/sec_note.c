// SPDX-License-Identifier: GPL-2.0
/*
 * sec_note: the reader (/usr/bin/sockfd) run without CAP_SYS_PTRACE says
 * once on stderr that only the processes it may trace are listed and how
 * many others there are; -q silences it.  As uid 65534 the count must be the
 * number of processes whose /proc/PID/fdinfo it cannot open (EACCES: the
 * kernel's ptrace read rule, the rule the module applies by default; on
 * 5.10, whose fdinfo has a rule of its own, /proc/PID/exe's),
 * counted before and after the run.  Among them: root's processes, a
 * non-dumpable process of uid 65534 and one of uid 65534 with gid 0; a
 * dumpable one of uid 65534 and gid 65534 is shown.  As root: no note.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define READER "/usr/bin/sockfd"
#define NOTE "sockfd: without CAP_SYS_PTRACE, only the processes you may trace are listed;\n"

static char *out, *err;		/* the last run's stdout and stderr */

/* Run the reader with only stdin, stdout and stderr open; its exit code
 * (-1: did not exit), its output in out and err. */
static int run(const char *const *argv)
{
	char po[64], pe[64];
	size_t len;
	pid_t pid;
	int st;

	snprintf(po, sizeof(po), "/tmp/sec_note.%u.out", (unsigned int)getuid());
	snprintf(pe, sizeof(pe), "/tmp/sec_note.%u.err", (unsigned int)getuid());
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int o = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 ||
		    close_range(3, ~0U, 0))
			_exit(126);
		execv(READER, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		st = -1;
	free(out);
	free(err);
	out = gt_read_file(po, 65536, &len);
	err = gt_read_file(pe, 65536, &len);
	if (!out)
		out = strdup("");
	if (!err)
		err = strdup("");
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define RUN(...) run((const char *const[]){ READER, __VA_ARGS__, NULL })

/* Ground truth: processes the kernel's ptrace read rule refuses this one
 * (/proc/PID/fdinfo, or on 5.10 /proc/PID/exe: gt_ptrace_refused()). */
static long untraceable(long *total)
{
	long n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc");

	*total = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		int refused;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		refused = gt_ptrace_refused(atoi(e->d_name));
		if (refused >= 0) {
			++*total;
			n += refused;
		}
	}
	closedir(d);
	return n;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

/* Children that hold a process of the given ids until released. */
struct ids {
	uid_t uid;
	gid_t gid;
	int dumpable;
};

static int hold_as(void *arg, int *vals, int max)
{
	const struct ids *id = arg;

	(void)vals;
	(void)max;
	if (gt_become(id->uid, id->gid) || prctl(PR_SET_DUMPABLE, id->dumpable, 0, 0, 0))
		return -1;
	return 0;
}

static void as_nobody(void *arg)
{
	const char *shown = "not shown: ";
	long before, after, total, n = -1;
	const char *p;
	int rc, tries;

	(void)arg;
	if (gt_become(65534, 65534))
		gt_fatal("user.setup", "gt_become: %s", strerror(errno));

	/* processes may come and go: want the same count before and after */
	for (tries = 0; tries < 3; tries++) {
		before = untraceable(&total);
		rc = RUN("-H", "-o", "owner");
		after = untraceable(&total);
		p = strstr(err, shown);
		n = p ? strtol(p + strlen(shown), NULL, 10) : -1;
		if (before == after && n == before)
			break;
	}
	gt_check_num("user.exit", "exit code", 0, rc);
	gt_check("user.note", strstr(err, NOTE) == err,
		 "want stderr to begin with '%s', got '%.300s'", NOTE, err);
	gt_check("user.pointer", strstr(err, "(see proc_sockfd(5); -q: no note)\n"),
		 "no pointer to proc_sockfd(5) in '%.300s'", err);
	gt_check("user.once", count(err, "CAP_SYS_PTRACE") == 1 && count(err, "\n") == 2,
		 "want the 2-line note once, got '%.300s'", err);
	gt_check("user.count", before > 0 && n == before && n == after,
		 "reader says %ld others, the ptrace rule refused %ld before and %ld after (%ld processes); stderr '%.200s'",
		 n, before, after, total, err);
	gt_check("user.some_shown", before < total,
		 "want some processes traceable: %ld of %ld refused", before, total);

	rc = RUN("-H", "-o", "owner", "-q");
	gt_check("user.quiet", rc == 0 && !*err, "exit %d, stderr '%.300s'", rc, err);
	rc = RUN("-H", "-o", "owner", "--quiet", "--summary");
	gt_check("user.quiet_long", rc == 0 && !*err, "exit %d, stderr '%.300s'", rc, err);
	rc = RUN("-H", "-o", "owner", "-w", "0.1", "--count", "3");
	gt_check("user.watch_once", rc == 0 && count(err, "CAP_SYS_PTRACE") == 1 &&
		 count(out, "Every 0.1s") == 3,
		 "exit %d, want one note for 3 refreshes: stderr '%.300s'", rc, err);
	rc = RUN("-H", "-o", "owner", "-f", "/proc/sockfd");
	gt_check("user.file_no_note", rc == 0 && !*err,
		 "-f FILE: exit %d, stderr '%.300s'", rc, err);
}

int main(void)
{
	struct ids shown = { 65534, 65534, 1 }, nodump = { 65534, 65534, 0 },
		   mixed = { 65534, 0, 1 };
	struct gt_child c[3];
	struct gt_forked f;
	int rc;

	gt_init("sec_note");
	if (access(READER, X_OK))
		gt_fatal("reader", "%s: %s", READER, strerror(errno));

	rc = RUN("-H", "-o", "owner");
	gt_check("root.no_note", rc == 0 && !*err, "as root: exit %d, stderr '%.300s'", rc, err);

	if (gt_child_start(&c[0], hold_as, &shown) || gt_child_start(&c[1], hold_as, &nodump) ||
	    gt_child_start(&c[2], hold_as, &mixed))
		gt_fatal("setup", "children: %s", strerror(errno));
	if (gt_fork_start(&f, as_nobody, NULL))
		gt_fatal("setup", "fork: %s", strerror(errno));
	gt_fork_wait(&f, "user");
	for (int i = 0; i < 3; i++)
		gt_child_stop(&c[i]);
	return gt_done();
}
