// SPDX-License-Identifier: GPL-2.0
/*
 * sec_unpriv: the module parameter "unprivileged" (proc_sockfd(5)), loaded
 * with each setting in turn (rmmod, insmod $SOCKFD_KO unprivileged=X).
 * Processes holding sockets, each with a thread that owns an fd table of
 * its own (listed under its tid):
 *   root        uid 0
 *   same_uid    uid/gid 65534, dumpable: /proc/PID/fd readable by 65534
 * and the reader: uid/gid 65534, with a socket and such a thread too.
 * For each setting:
 *   X.param        /sys/module/sockfd/parameters/unprivileged reads X,
 *                  mode 0444, and opening it for writing fails (as root)
 *   X.premise      the reader can read same_uid's /proc/PID/fd, not root's
 *   X.own, X.same_uid  every socket fd of those ids is listed, once,
 *                  against /proc/ID/fd (where the setting shows them)
 *   X.only         no row names another id ("none": no row at all)
 *   X.root         a root reader still sees both owners completely
 * and:
 *   bad.refused    insmod with unprivileged=bogus fails, no /proc/sockfd,
 *                  and the kernel log names the value
 *   default        loaded again without parameters: reads "uid"
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY 65534
#define PARAM "/sys/module/sockfd/parameters/unprivileged"

struct owner {
	const char *name;
	uid_t uid;
	struct gt_child c;	/* vals: a socket fd, the thread's tid */
};

static struct owner owners[] = {
	{ "root", 0, { 0 } },
	{ "same_uid", NOBODY, { 0 } },
};
#define NOWNERS ((int)(sizeof(owners) / sizeof(owners[0])))

static int owner_child(void *arg, int *vals, int max)
{
	const struct owner *o = arg;

	(void)max;
	if (o->uid && gt_become(o->uid, o->uid))
		return -1;
	vals[0] = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	vals[1] = gt_own_table_thread(AF_UNIX, SOCK_DGRAM, NULL);
	return vals[0] >= 0 && vals[1] > 0 ? 2 : -1;
}

/* Unload sockfd and load $SOCKFD_KO with @args; true if insmod worked. */
static bool reload(const char *args)
{
	const char *ko = getenv("SOCKFD_KO");
	char cmd[512];

	if (!ko)
		gt_fatal("setup", "SOCKFD_KO is not set");
	fflush(stdout);
	if (access(GT_PROC, F_OK) == 0 && system("rmmod sockfd") != 0)
		gt_fatal("setup", "rmmod sockfd failed");
	snprintf(cmd, sizeof(cmd), "insmod %s %s 2>&1", ko, args);
	return system(cmd) == 0;
}

static void check_param(const char *mode)
{
	char check[64], *text;
	struct stat st;
	size_t len;
	int fd;

	text = gt_read_file(PARAM, 64, &len);
	snprintf(check, sizeof(check), "%s.param", mode);
	if (text && len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	gt_check_str(check, PARAM, mode, text);
	free(text);
	snprintf(check, sizeof(check), "%s.param_mode", mode);
	gt_check(check, stat(PARAM, &st) == 0 && (st.st_mode & 07777) == 0444,
		 "mode of %s: %o", PARAM, (unsigned int)(st.st_mode & 07777));
	fd = open(PARAM, O_WRONLY | O_CLOEXEC);
	snprintf(check, sizeof(check), "%s.param_read_only", mode);
	gt_check(check, fd < 0, "open(%s, O_WRONLY) as root succeeded", PARAM);
	if (fd >= 0)
		close(fd);
}

/* Runs in a child as uid NOBODY: the reader. @arg: the setting. */
static void reader(void *arg)
{
	const char *mode = arg;
	pid_t own[2], same[2] = { owners[1].c.pid, owners[1].c.vals[1] };
	pid_t all[4];
	struct gt_table *t;
	char check[64];

	if (gt_become(NOBODY, NOBODY) ||
	    gt_inet_socket(AF_INET6, SOCK_DGRAM, 0, -1, false) < 0) {
		gt_fail("reader.setup", "become %d: %s", NOBODY, strerror(errno));
		return;
	}
	own[0] = getpid();
	own[1] = gt_own_table_thread(AF_UNIX, SOCK_STREAM, NULL);
	memcpy(all, own, sizeof(own));
	memcpy(all + 2, same, sizeof(same));
	snprintf(check, sizeof(check), "%s.premise", mode);
	gt_check(check, own[1] > 0 &&
		 gt_fd_sock_ino(same[0], owners[1].c.vals[0]) != 0 &&
		 gt_fd_sock_ino(owners[0].c.pid, owners[0].c.vals[0]) == 0,
		 "as uid %d: /proc/%d/fd (same_uid) should be readable, /proc/%d/fd (root) not",
		 NOBODY, same[0], owners[0].c.pid);

	t = gt_load(65536);
	if (!t) {
		gt_fail("reader.read", "%s as uid %d: %s", GT_PROC, NOBODY,
			strerror(errno));
		return;
	}
	snprintf(check, sizeof(check), "%s.only", mode);
	if (!strcmp(mode, "none")) {
		gt_check(check, t->nrows == 0, "%d rows, e.g. '%s'", t->nrows,
			 t->nrows ? t->rows[0].line : "");
	} else if (!strcmp(mode, "tgid")) {
		gt_check_only_pids(check, t, own, 2);
		snprintf(check, sizeof(check), "%s.own", mode);
		gt_check_ids(check, t, NULL, own, 2);
	} else {
		gt_check_only_pids(check, t, all, 4);
		snprintf(check, sizeof(check), "%s.own", mode);
		gt_check_ids(check, t, NULL, own, 2);
		snprintf(check, sizeof(check), "%s.same_uid", mode);
		gt_check_ids(check, t, NULL, same, 2);
	}
	gt_free(t);
}

static void check_root(const char *mode)
{
	pid_t ids[2 * NOWNERS];
	struct gt_table *t;
	char check[64];
	int k;

	for (k = 0; k < NOWNERS; k++) {
		ids[2 * k] = owners[k].c.pid;
		ids[2 * k + 1] = owners[k].c.vals[1];
	}
	t = gt_load(65536);
	if (!t)
		gt_fatal("root.read", "%s: %s", GT_PROC, strerror(errno));
	snprintf(check, sizeof(check), "%s.root", mode);
	gt_check_ids(check, t, NULL, ids, 2 * NOWNERS);
	gt_free(t);
}

static void check_mode(const char *mode)
{
	struct gt_forked f;
	char args[64], check[64];

	snprintf(args, sizeof(args), "unprivileged=%s", mode);
	snprintf(check, sizeof(check), "%s.load", mode);
	if (!gt_check(check, reload(args), "insmod with %s failed", args))
		return;
	check_param(mode);
	snprintf(check, sizeof(check), "%s.reader", mode);
	if (gt_fork_start(&f, reader, (void *)mode) == 0)
		gt_fork_wait(&f, check);
	else
		gt_fail(check, "fork: %s", strerror(errno));
	check_root(mode);
}

/* insmod with a bad value fails and says why. */
static void check_bad(void)
{
	char *log;
	size_t len;
	bool loaded = reload("unprivileged=bogus");

	gt_check("bad.refused", !loaded && access(GT_PROC, F_OK) != 0,
		 "insmod with unprivileged=bogus: %s, %s %s",
		 loaded ? "loaded" : "refused", GT_PROC,
		 access(GT_PROC, F_OK) == 0 ? "exists" : "absent");
	fflush(stdout);
	if (system("dmesg > /tmp/sec_unpriv.dmesg") != 0)
		printf("# dmesg failed\n");
	log = gt_read_file("/tmp/sec_unpriv.dmesg", 0, &len);
	gt_check("bad.logged", log && strstr(log, "sockfd: unprivileged=bogus"),
		 "no 'sockfd: unprivileged=bogus' line in the kernel log");
	free(log);
}

int main(void)
{
	static const char *const modes[] = { "uid", "tgid", "none" };
	int k;

	for (k = 0; k < NOWNERS; k++)
		if (gt_child_start(&owners[k].c, owner_child, &owners[k]))
			gt_fatal("setup", "owner %s: %s", owners[k].name,
				 strerror(errno));
	for (k = 0; k < (int)(sizeof(modes) / sizeof(modes[0])); k++)
		check_mode(modes[k]);
	check_bad();
	/* Leave the module loaded with its defaults. */
	gt_check("default.load", reload(""), "insmod without parameters failed");
	check_param("uid");
	for (k = 0; k < NOWNERS; k++)
		gt_child_stop(&owners[k].c);
	return gt_done();
}
