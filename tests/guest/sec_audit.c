// SPDX-License-Identifier: GPL-2.0
/*
 * sec_audit: the opener's CAP_SYS_PTRACE is judged on the credentials the
 * file was opened with, under a MAC policy too, and without an audit
 * record, also when another process reads the file.
 *
 * Ground truth is AppArmor (built into Debian's 6.1 and 6.12): a profile
 * that allows everything but capability sys_ptrace ("audit deny": not
 * quiet) makes every capability check of the confined credentials that
 * may be audited log 'apparmor="DENIED" operation="capable" ...
 * capname="sys_ptrace"' to the kernel log (security/apparmor/capability.c
 * logs the first such denial of a profile per CPU; a fresh profile name
 * per run starts clean). The opener is root (CAP_SYS_PTRACE in its
 * capability sets) confined by that profile; an owner of uid 65534 holds a
 * socket, which that opener may see only with CAP_SYS_PTRACE.
 *   premise.*      AppArmor is active, the profile loaded (apparmor_parser)
 *   own.*          the confined opener reading its own file: no row of the
 *                  uid 65534 owner, root's owner complete
 *   passed.*       the same opener's file read by the unconfined root
 *                  parent (pidfd_getfd()): the same rows (judged on f_cred,
 *                  so the profile still denies); passed.no_audit: no
 *                  record of the profile in the kernel log
 *   control.*      a confined process readlink()s the uid 65534 owner's
 *                  /proc/PID/fd/FD: refused, and its record reaches the
 *                  kernel log; every record of the profile before it (from
 *                  the reads above) is counted by own/passed.no_audit
 * The debug kernel has no LSM: there the test only checks that it is the
 * debug kernel.
 * guest-tools: apparmor_parser
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534
#define SECFS "/sys/kernel/security"
#define PROFILE_FILE "/tmp/sec_audit.aa"

static char profile[64];
static struct gt_child owners[2];	/* [0] root, [1] uid NOBODY */

/* Child: an owner of uid arg (0 or NOBODY) with a TCP listener. */
static int owner_child(void *arg, int *vals, int max)
{
	uid_t uid = *(uid_t *)arg;

	(void)max;
	if (uid && gt_become(uid, uid))
		return -1;
	vals[0] = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	return vals[0] < 0 ? -1 : 1;
}

/* Put the calling (single-threaded) process under the profile. */
static int confine(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "changeprofile %s", profile);
	if (!gt_write_file("/proc/self/attr/apparmor/current", cmd))
		return 0;
	return gt_write_file("/proc/self/attr/current", cmd);
}

/* Child: confined root that opens /proc/sockfd and holds it. */
static int opener_child(void *arg, int *vals, int max)
{
	(void)arg;
	(void)max;
	if (confine())
		return -1;
	vals[0] = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	return vals[0] < 0 ? -1 : 1;
}

/* The rows a reader of the opener's file must see, checked in t. */
static void check_rows(const char *who, const struct gt_table *t)
{
	char check[64];
	int i, n = 0;

	snprintf(check, sizeof(check), "%s.root_owner", who);
	gt_check_ids(check, t, NULL, &owners[0].pid, 1);
	for (i = 0; i < t->nrows; i++)
		n += t->rows[i].pid == owners[1].pid;
	snprintf(check, sizeof(check), "%s.hidden", who);
	gt_check(check, n == 0,
		 "rows of the uid %d owner (pid %d): want 0 (the profile denies the opener CAP_SYS_PTRACE) got %d",
		 NOBODY, owners[1].pid, n);
}

/* Runs confined: read /proc/sockfd with the very credentials it opens it. */
static void own_reader(void *arg)
{
	struct gt_table *t;

	(void)arg;
	if (confine()) {
		gt_fail("own.setup", "changeprofile %s: %s", profile,
			strerror(errno));
		return;
	}
	t = gt_load(65536);
	if (!t) {
		gt_fail("own.read", "%s: %s", GT_PROC, strerror(errno));
		return;
	}
	check_rows("own", t);
	gt_free(t);
}

/* Runs confined: readlink of the uid NOBODY owner's socket fd must fail. */
static void control(void *arg)
{
	char path[64], link[64];
	ssize_t n;

	(void)arg;
	if (confine()) {
		gt_fail("control.setup", "changeprofile %s: %s", profile,
			strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", owners[1].pid,
		 owners[1].vals[0]);
	n = readlink(path, link, sizeof(link) - 1);
	gt_check("control.denied", n < 0 && errno == EACCES,
		 "readlink %s under the profile: want EACCES got %s", path,
		 n < 0 ? strerror(errno) : "a link");
}

/*
 * Records of the profile's sys_ptrace denials in the kernel log from
 * where kfd stands: counts those of other pids than stop_pid into
 * *before, and returns true once a record of stop_pid is read (waiting up
 * to wait_ms for it). With stop_pid 0, reads for wait_ms.
 */
static bool denials(int kfd, pid_t stop_pid, unsigned int wait_ms,
		    int *before)
{
	char rec[8192], want[96];
	double end = gt_now() + wait_ms / 1000.0;
	ssize_t n;

	snprintf(want, sizeof(want), "profile=\"%s\"", profile);
	while (gt_now() < end) {
		const char *p;

		n = read(kfd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EAGAIN) {
			gt_msleep(50);
			continue;
		}
		if (n <= 0)
			continue;	/* EPIPE: overwritten, read on */
		rec[n] = '\0';
		if (!strstr(rec, "apparmor=\"DENIED\"") ||
		    !strstr(rec, "operation=\"capable\"") ||
		    !strstr(rec, "capname=\"sys_ptrace\"") ||
		    !strstr(rec, want))
			continue;
		p = strstr(rec, " pid=");
		printf("# %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
		if (stop_pid && p && atoi(p + 5) == stop_pid)
			return true;
		(*before)++;
	}
	return false;
}

/* Load the profile with apparmor_parser; 0 on success. */
static int load_profile(void)
{
	static const char * const parsers[] = {
		"/usr/sbin/apparmor_parser", "/sbin/apparmor_parser",
	};
	const char *parser = NULL;
	char text[512];
	unsigned int i;
	pid_t pid;
	int st;

	for (i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++)
		if (!access(parsers[i], X_OK))
			parser = parsers[i];
	if (!parser) {
		gt_fail("premise.parser", "no apparmor_parser in the guest");
		return -1;
	}
	snprintf(text, sizeof(text),
		 "profile %s {\n  capability,\n  audit deny capability sys_ptrace,\n"
		 "  file,\n  network,\n  unix,\n  signal,\n  ptrace,\n}\n",
		 profile);
	st = open(PROFILE_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (st < 0 || gt_write_file(PROFILE_FILE, text) || close(st)) {
		gt_fail("premise.profile", "%s: %s", PROFILE_FILE, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		execl(parser, "apparmor_parser", "-r", "-K", PROFILE_FILE,
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid ||
	    !WIFEXITED(st) || WEXITSTATUS(st)) {
		gt_fail("premise.profile", "%s -r -K %s: status %d", parser,
			PROFILE_FILE, pid < 0 ? -1 : st);
		return -1;
	}
	gt_pass("premise.profile");
	return 0;
}

int main(void)
{
	const char *kernel = getenv("SOCKFD_KERNEL");
	uid_t uids[2] = { 0, NOBODY };
	struct gt_child opener;
	struct gt_forked f;
	struct gt_table *t;
	int kfd, fd, k, n_own = 0, n_passed = 0;
	char *lsm, *text;
	size_t len;

	gt_init("sec_audit");
	if (access(SECFS "/lsm", R_OK))
		mount("securityfs", SECFS, "securityfs", 0, NULL);
	lsm = gt_read_file(SECFS "/lsm", 0, &len);
	printf("# %s/lsm: %s\n", SECFS, lsm ? lsm : strerror(errno));
	if (!lsm || !strstr(lsm, "apparmor")) {
		gt_check("premise.apparmor", kernel && !strcmp(kernel, "debug"),
			 "AppArmor is not active on %s",
			 kernel ? kernel : "an unnamed kernel");
		free(lsm);
		return gt_done();
	}
	free(lsm);
	gt_pass("premise.apparmor");
	snprintf(profile, sizeof(profile), "sockfd_audit_%d", getpid());
	if (load_profile())
		return gt_done();

	for (k = 0; k < 2; k++)
		if (gt_child_start(&owners[k], owner_child, &uids[k]))
			gt_fatal("setup", "owner of uid %d: %s", uids[k],
				 strerror(errno));
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kfd < 0 || lseek(kfd, 0, SEEK_END) < 0)
		gt_fatal("setup", "/dev/kmsg: %s", strerror(errno));

	/* The confined opener reads its own file. */
	if (gt_fork_start(&f, own_reader, NULL) == 0)
		gt_fork_wait(&f, "own.reader");
	else
		gt_fail("own.reader", "fork: %s", strerror(errno));
	denials(kfd, 0, 1000, &n_own);

	/* Its file, read by the unconfined root. */
	if (gt_child_start(&opener, opener_child, NULL))
		gt_fatal("passed.setup", "confined opener: %s", strerror(errno));
	fd = gt_grab_fd(opener.pid, opener.vals[0]);
	if (fd < 0)
		gt_fatal("passed.setup", "pidfd_getfd of the opener's fd: %s",
			 strerror(errno));
	text = gt_read_fd(fd, 65536, &len);
	t = text ? gt_parse(text, len) : NULL;
	if (t)
		check_rows("passed", t);
	else
		gt_fail("passed.read", "read as root: %s",
			text ? "unparsable" : strerror(errno));
	gt_free(t);
	free(text);
	close(fd);
	gt_child_stop(&opener);

	/* A denial that must be logged; what came before it is ours. */
	if (gt_fork_start(&f, control, NULL) == 0) {
		pid_t cpid = f.pid;

		gt_fork_wait(&f, "control.reader");
		gt_check("control.audited", denials(kfd, cpid, 5000, &n_passed),
			 "no sys_ptrace denial of pid %d (profile %s) in the kernel log within 5 s",
			 cpid, profile);
	} else {
		gt_fail("control.reader", "fork: %s", strerror(errno));
	}
	gt_check("own.no_audit", n_own == 0,
		 "capability records of the profile after the opener read its own file: want 0 got %d",
		 n_own);
	gt_check("passed.no_audit", n_passed == 0,
		 "capability records of the profile after root read the confined opener's file: want 0 got %d",
		 n_passed);
	close(kfd);
	for (k = 0; k < 2; k++)
		gt_child_stop(&owners[k]);
	return gt_done();
}
