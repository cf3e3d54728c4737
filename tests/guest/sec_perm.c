// SPDX-License-Identifier: GPL-2.0
/*
 * sec_perm: who sees what. Processes holding sockets:
 *   root          uid 0
 *   same_uid      uid/gid 65534, dumpable
 *   nondumpable   uid/gid 65534, PR_SET_DUMPABLE 0
 *   other_gid     uid 65534, gid 65533, dumpable
 *   saved_root    uid 65534 but saved uid 0 (setresuid(65534, 65534, 0))
 * Each also has a thread with an fd table of its own (unshare(CLONE_FILES))
 * and a socket in it, listed under the thread's id: the rules apply to
 * those rows too.
 * Whether the unprivileged reader may see each is first checked against
 * the kernel's own rule (readlink /proc/PID/fd/N, which is guarded by
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS)): premise.NAME.
 *   unpriv.*   an unprivileged non-dumpable reader (uid/gid 65534) sees its
 *              own process and same_uid, nothing else, with every socket
 *              fd of those (against /proc/PID/fd)
 *   passed.*   a /proc/sockfd fd opened by uid 65534 and handed to root
 *              over SCM_RIGHTS shows root no more than the opener could see
 *   regained.* opened with euid 65534 (seteuid), read after seteuid(0)
 *   root.*     root sees every one of them
 *   *.write    open for writing fails (the errno is printed)
 *   *.no_pointer  no field looks like a kernel pointer (0x..., or 16 or
 *              more hex digits in a row)
 */
#define _GNU_SOURCE
#include "gt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define NOBODY 65534
#define OTHER_GID 65533

struct owner {
	const char *name;
	uid_t ruid, euid, suid;
	gid_t gid;
	int dumpable;
	bool visible;		/* to an unprivileged reader of uid NOBODY */
	struct gt_child c;	/* vals: a socket fd, the thread's tid */
};

static struct owner owners[] = {
	{ "root", 0, 0, 0, 0, 1, false, { 0 } },
	{ "same_uid", NOBODY, NOBODY, NOBODY, NOBODY, 1, true, { 0 } },
	{ "nondumpable", NOBODY, NOBODY, NOBODY, NOBODY, 0, false, { 0 } },
	{ "other_gid", NOBODY, NOBODY, NOBODY, OTHER_GID, 1, false, { 0 } },
	{ "saved_root", NOBODY, NOBODY, 0, NOBODY, 1, false, { 0 } },
};
#define NOWNERS ((int)(sizeof(owners) / sizeof(owners[0])))

/* Child: take the owner's ids, then open a listener, a pair, a UDP socket
 * and start the thread. */
static int owner_child(void *arg, int *vals, int max)
{
	const struct owner *o = arg;
	int sv[2], l, u;

	(void)max;
	if (o->ruid || o->gid) {
		if (setgroups(0, NULL) || setresgid(o->gid, o->gid, o->gid) ||
		    setresuid(o->ruid, o->euid, o->suid))
			return -1;
	}
	/* Changing ids reset it to suid_dumpable; set what the owner wants. */
	if (prctl(PR_SET_DUMPABLE, o->dumpable, 0, 0, 0))
		return -1;
	l = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 8, false);
	u = gt_inet_socket(AF_INET6, SOCK_DGRAM, 0, -1, false);
	if (l < 0 || u < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	vals[0] = l;
	vals[1] = gt_own_table_thread(AF_UNIX, SOCK_DGRAM, NULL);
	return vals[1] > 0 ? 2 : -1;
}

/* Does any field of t look like a kernel pointer? Returns the first
 * offending line, or NULL. */
static const char *pointer_like(const struct gt_table *t)
{
	int i, j;

	for (i = 0; i < t->nrows; i++) {
		const struct gt_row *r = &t->rows[i];

		for (j = 0; j < r->nfields; j++) {
			const char *f = r->raw[j];
			int run = 0;

			if (strstr(f, "0x") || strstr(f, "0X"))
				return r->line;
			for (; *f; f++) {
				run = isxdigit((unsigned char)*f) ? run + 1 : 0;
				if (run >= 16)
					return r->line;
			}
		}
	}
	return NULL;
}

static void check_no_pointer(const char *check, const struct gt_table *t)
{
	const char *bad = pointer_like(t);

	gt_check(check, !bad, "field like a kernel pointer in '%s'", bad);
}

/* Open /proc/sockfd for writing must fail: check it, print the errno. */
static void check_no_write(const char *who)
{
	static const int modes[] = { O_WRONLY, O_RDWR };
	char check[64];
	int i;

	for (i = 0; i < 2; i++) {
		int fd = open(GT_PROC, modes[i] | O_CLOEXEC);
		int e = errno;

		snprintf(check, sizeof(check), "%s.write_%s", who,
			 i ? "rdwr" : "wronly");
		if (fd >= 0) {
			ssize_t w = write(fd, "x\n", 2);

			gt_fail(check, "open(%s) as %s succeeded; write() then returned %zd (%s)",
				i ? "O_RDWR" : "O_WRONLY", who, w,
				w < 0 ? strerror(errno) : "ok");
			close(fd);
			continue;
		}
		printf("# open(%s, %s) as %s: %s (errno %d)\n", GT_PROC,
		       i ? "O_RDWR" : "O_WRONLY", who, strerrorname_np(e), e);
		gt_pass(check);
	}
}

/* No row may name an owner the unprivileged reader may not see. */
static void check_hidden(const char *who, const struct gt_table *t)
{
	char check[64];
	int i, k;

	for (k = 0; k < NOWNERS; k++) {
		const struct gt_row *first = NULL;
		int n = 0;

		if (owners[k].visible)
			continue;
		for (i = 0; i < t->nrows; i++)
			if ((t->rows[i].pid == owners[k].c.pid ||
			     t->rows[i].pid == owners[k].c.vals[1]) && !n++)
				first = &t->rows[i];
		snprintf(check, sizeof(check), "%s.hidden_%s", who,
			 owners[k].name);
		gt_check(check, n == 0, "rows of pid %d or its thread %d (%s): want 0 got %d, e.g. '%s'",
			 owners[k].c.pid, owners[k].c.vals[1], owners[k].name,
			 n, first ? first->line : "");
	}
}

/* The fd tables of same_uid: its tgid and its thread's tid. */
static const pid_t *same_uid_ids(pid_t ids[2])
{
	ids[0] = owners[1].c.pid;
	ids[1] = owners[1].c.vals[1];
	return ids;
}

/* Runs as an unprivileged, non-dumpable reader with a socket of its own. */
static void unpriv_reader(void *arg)
{
	struct gt_table *t;
	pid_t ok[3] = { getpid() };
	char check[64];
	int k;

	(void)arg;
	same_uid_ids(ok + 1);
	if (gt_become(NOBODY, NOBODY) || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) ||
	    socket(AF_INET, SOCK_STREAM, 0) < 0) {
		gt_fail("unpriv.setup", "become %d: %s", NOBODY, strerror(errno));
		return;
	}
	for (k = 0; k < NOWNERS; k++) {
		const struct owner *o = &owners[k];
		bool seen = gt_fd_sock_ino(o->c.pid, o->c.vals[0]) != 0;

		snprintf(check, sizeof(check), "premise.%s", o->name);
		gt_check(check, seen == o->visible,
			 "readlink /proc/%d/fd/%d as uid %d: want %s got %s",
			 o->c.pid, o->c.vals[0], NOBODY,
			 o->visible ? "allowed" : "denied",
			 seen ? "allowed" : "denied");
	}
	t = gt_load(65536);
	if (!t) {
		gt_fail("unpriv.read", "%s as uid %d: %s", GT_PROC, NOBODY,
			strerror(errno));
		return;
	}
	gt_check_ids("unpriv.own_process", t, NULL, &ok[0], 1);
	gt_check_ids("unpriv.same_uid", t, NULL, &ok[1], 2);
	check_hidden("unpriv", t);
	gt_check_only_pids("unpriv.nothing_else", t, ok, 3);
	check_no_pointer("unpriv.no_pointer", t);
	gt_free(t);
	check_no_write("unpriv");
}

/* Child: as uid NOBODY, open /proc/sockfd and send the fd over sock. */
static int sender(void *arg, int *vals, int max)
{
	int sock = *(int *)arg, fd;

	(void)vals;
	(void)max;
	if (gt_become(NOBODY, NOBODY))
		return -1;
	fd = open(GT_PROC, O_RDONLY);
	if (fd < 0)
		return -1;
	if (gt_send_fd(sock, fd))
		return -1;
	close(fd);
	return 0;
}

/*
 * Checks of an fd opened with uid NOBODY's credentials, read as root: only
 * same_uid and the opener's own process may appear (not the root reader,
 * which holds sockets in the passed case).
 */
static void check_opened_unpriv(const char *who, int fd, pid_t opener)
{
	pid_t ok[3] = { opener };
	size_t len;
	char *text = gt_read_fd(fd, 65536, &len), check[64];
	struct gt_table *t = text ? gt_parse(text, len) : NULL;

	snprintf(check, sizeof(check), "%s.read", who);
	if (!t) {
		gt_fail(check, "read as root: %s", text ? "unparsable" :
			strerror(errno));
		free(text);
		return;
	}
	snprintf(check, sizeof(check), "%s.same_uid", who);
	gt_check_ids(check, t, NULL, same_uid_ids(ok + 1), 2);
	check_hidden(who, t);
	snprintf(check, sizeof(check), "%s.nothing_else", who);
	gt_check_only_pids(check, t, ok, 3);
	gt_free(t);
	free(text);
}

static void test_passed(void)
{
	struct gt_child s;
	int sv[2], fd;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		gt_fatal("passed.setup", "socketpair: %s", strerror(errno));
	if (gt_child_start(&s, sender, &sv[1]))
		gt_fatal("passed.setup", "sender child: %s", strerror(errno));
	fd = gt_recv_fd(sv[0], MSG_CMSG_CLOEXEC);
	if (fd < 0)
		gt_fatal("passed.setup", "recvmsg SCM_RIGHTS: %s",
			 strerror(errno));
	check_opened_unpriv("passed", fd, s.pid);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	gt_child_stop(&s);
}

/* Runs in a root child: open with euid NOBODY, read with euid 0 again. */
static void regained(void *arg)
{
	int fd;

	(void)arg;
	if (setegid(NOBODY) || seteuid(NOBODY)) {
		gt_fail("regained.setup", "seteuid %d: %s", NOBODY,
			strerror(errno));
		return;
	}
	fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || seteuid(0) || setegid(0)) {
		gt_fail("regained.setup", "open as euid %d / seteuid 0: %s",
			NOBODY, strerror(errno));
		return;
	}
	check_opened_unpriv("regained", fd, getpid());
	close(fd);
}

int main(void)
{
	struct gt_forked f;
	struct gt_table *t;
	pid_t ids[2 * NOWNERS];
	int k;

	for (k = 0; k < NOWNERS; k++) {
		if (gt_child_start(&owners[k].c, owner_child, &owners[k]))
			gt_fatal("setup", "owner %s: %s", owners[k].name,
				 strerror(errno));
		ids[2 * k] = owners[k].c.pid;
		ids[2 * k + 1] = owners[k].c.vals[1];
		printf("# %s: pid %d, thread with its own fd table %d\n",
		       owners[k].name, ids[2 * k], ids[2 * k + 1]);
	}

	if (gt_fork_start(&f, unpriv_reader, NULL) == 0)
		gt_fork_wait(&f, "unpriv.reader");
	else
		gt_fail("unpriv.reader", "fork: %s", strerror(errno));

	test_passed();

	if (gt_fork_start(&f, regained, NULL) == 0)
		gt_fork_wait(&f, "regained.reader");
	else
		gt_fail("regained.reader", "fork: %s", strerror(errno));

	t = gt_load(65536);
	if (!t)
		gt_fatal("root.read", "%s: %s", GT_PROC, strerror(errno));
	gt_check_ids("root.all", t, NULL, ids, 2 * NOWNERS);
	check_no_pointer("root.no_pointer", t);
	gt_free(t);
	check_no_write("root");

	for (k = 0; k < NOWNERS; k++)
		gt_child_stop(&owners[k].c);
	return gt_done();
}
