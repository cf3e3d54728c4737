// SPDX-License-Identifier: GPL-2.0
/*
 * sec_rule: which of the kernel's rules /proc/sockfd follows. It is the
 * ptrace read rule of /proc/PID/fdinfo (ptrace_may_access(), mode 0555),
 * not /proc/PID/fd's, which adds a DAC check on the directory (mode 0500,
 * owned by the task's euid, or by root when the task is not dumpable). The
 * two differ for a reader whose capabilities are CAP_SYS_PTRACE without a
 * DAC one, or a DAC one without CAP_SYS_PTRACE; these readers pin both.
 * Owners holding sockets (uid/gid 65534):
 *   same_uid      dumpable
 *   nondumpable   PR_SET_DUMPABLE 0 (/proc/PID/fd belongs to root)
 * Readers (uid/gid 65533, so no uid rule applies; only the capability):
 *   ptrace.*  effective and permitted capabilities CAP_SYS_PTRACE alone
 *   dac.*     CAP_DAC_READ_SEARCH alone
 * For each reader and owner, ground truth as that reader:
 *   R.O.fd_dir    opendir /proc/PID/fd: ptrace refused (EACCES), dac
 *                 allowed
 *   R.O.fd_link   readlink /proc/PID/fd/FD (dac only; ptrace cannot
 *                 reach the link): refused
 *   R.O.fdinfo    /proc/PID/fdinfo/FD: ptrace reads it, with the socket's
 *                 inode on its "ino:" line; dac is refused (5.10, whose
 *                 fdinfo is the owner's: R.O.ptrace_rule, the same rule
 *                 asked of readlink /proc/PID/exe)
 * and then /proc/sockfd as that reader:
 *   R.O.rows      ptrace: every socket fd of the owner, once (against
 *                 /proc/PID/fd read as root); dac: no row of the owner
 * (A task past exit_mm() is sec_exit's; readers without capabilities are
 * sec_perm's.)
 */
#define _GNU_SOURCE
#include "gt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOBODY 65534
#define OTHER 65533

struct owner {
	const char *name;
	int dumpable;
	struct gt_child c;	/* vals: a socket fd */
	unsigned long long ino;	/* its inode, read as root */
};

static struct owner owners[] = {
	{ "same_uid", 1, { 0 }, 0 },
	{ "nondumpable", 0, { 0 }, 0 },
};
#define NOWNERS ((int)(sizeof(owners) / sizeof(owners[0])))

struct reader {
	const char *name;
	int cap;		/* its one capability */
	bool ptrace;		/* the ptrace rule lets it in */
	int pipe[2];		/* the reader's /proc/sockfd text, to the parent */
};

static int owner_child(void *arg, int *vals, int max)
{
	const struct owner *o = arg;
	int sv[2];

	(void)max;
	if (gt_become(NOBODY, NOBODY) ||
	    prctl(PR_SET_DUMPABLE, o->dumpable, 0, 0, 0))
		return -1;
	vals[0] = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	if (vals[0] < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	return 1;
}

/* Become uid/gid OTHER with @cap as the only effective and permitted one. */
static int become_with_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(OTHER, OTHER, OTHER) || setresuid(OTHER, OTHER, OTHER))
		return -1;
	memset(d, 0, sizeof(d));
	d[cap / 32].effective = 1u << (cap % 32);
	d[cap / 32].permitted = d[cap / 32].effective;
	return syscall(SYS_capset, &h, d);
}

/* The ino: line of /proc/PID/fdinfo/FD, or 0 with errno set. */
static unsigned long long fdinfo_ino(pid_t pid, int fd)
{
	char path[64], *text, *p;
	unsigned long long ino = 0;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	text = gt_read_file(path, 0, &len);
	if (!text)
		return 0;
	p = strstr(text, "\nino:");
	if (p)
		ino = strtoull(p + 5, NULL, 10);
	else
		errno = ENODATA;
	free(text);
	return ino;
}

static void ground_truth(const struct reader *r, const struct owner *o)
{
	char check[64], path[64];
	unsigned long long ino;
	DIR *d;
	int e;

	snprintf(path, sizeof(path), "/proc/%d/fd", o->c.pid);
	d = opendir(path);
	e = errno;
	if (d)
		closedir(d);
	snprintf(check, sizeof(check), "%s.%s.fd_dir", r->name, o->name);
	gt_check(check, r->ptrace ? !d && e == EACCES : d != NULL,
		 "opendir %s: want %s got %s", path,
		 r->ptrace ? "EACCES" : "allowed", d ? "allowed" : strerror(e));
	if (!r->ptrace) {
		snprintf(check, sizeof(check), "%s.%s.fd_link", r->name,
			 o->name);
		gt_check(check, gt_fd_sock_ino(o->c.pid, o->c.vals[0]) == 0,
			 "readlink %s/%d: want refused got allowed", path,
			 o->c.vals[0]);
	}
	if (!gt_fdinfo_ptrace_rule()) {
		/* 5.10: fdinfo is the owner's (mode 0500), without "ino:";
		 * the ptrace read rule is asked of /proc/PID/exe. */
		e = gt_ptrace_refused(o->c.pid);
		snprintf(check, sizeof(check), "%s.%s.ptrace_rule", r->name,
			 o->name);
		gt_check(check, e == !r->ptrace,
			 "/proc/%d/exe: want %s got %s", o->c.pid,
			 r->ptrace ? "allowed" : "refused",
			 e == 0 ? "allowed" : e == 1 ? "refused" : "gone");
		return;
	}
	ino = fdinfo_ino(o->c.pid, o->c.vals[0]);
	e = errno;
	snprintf(check, sizeof(check), "%s.%s.fdinfo", r->name, o->name);
	if (r->ptrace)
		gt_check(check, ino == o->ino,
			 "/proc/%d/fdinfo/%d ino: want %llu got %llu (%s)",
			 o->c.pid, o->c.vals[0], o->ino, ino,
			 ino ? "read" : strerror(e));
	else
		gt_check(check, !ino && e == EACCES,
			 "/proc/%d/fdinfo/%d: want EACCES got %s", o->c.pid,
			 o->c.vals[0], ino ? "read" : strerror(e));
}

/* Forked: take the reader's identity, check ground truth, send the text. */
static void reader_child(void *arg)
{
	struct reader *r = arg;
	char check[64];
	size_t len, off;
	char *text;
	int k;

	close(r->pipe[0]);
	if (become_with_cap(r->cap)) {
		snprintf(check, sizeof(check), "%s.setup", r->name);
		gt_fail(check, "uid %d with capability %d: %s", OTHER, r->cap,
			strerror(errno));
		close(r->pipe[1]);
		return;
	}
	for (k = 0; k < NOWNERS; k++)
		ground_truth(r, &owners[k]);
	text = gt_read_file(GT_PROC, 65536, &len);
	if (!text) {
		snprintf(check, sizeof(check), "%s.read", r->name);
		gt_fail(check, "%s: %s", GT_PROC, strerror(errno));
		len = 0;
	}
	for (off = 0; off < len;) {
		ssize_t n = write(r->pipe[1], text + off, len - off);

		if (n <= 0)
			break;
		off += n;
	}
	free(text);
	close(r->pipe[1]);
}

static void run_reader(struct reader *r)
{
	struct gt_forked f;
	struct gt_table *t;
	char check[64], *text;
	size_t len;
	int k;

	if (pipe2(r->pipe, O_CLOEXEC))
		gt_fatal("setup", "pipe: %s", strerror(errno));
	snprintf(check, sizeof(check), "%s.reader", r->name);
	if (gt_fork_start(&f, reader_child, r)) {
		gt_fail(check, "fork: %s", strerror(errno));
		return;
	}
	close(r->pipe[1]);
	text = gt_read_fd(r->pipe[0], 65536, &len);
	close(r->pipe[0]);
	gt_fork_wait(&f, check);
	t = text && len ? gt_parse(text, len) : NULL;
	for (k = 0; t && k < NOWNERS; k++) {
		const struct owner *o = &owners[k];
		int i, n = 0;

		snprintf(check, sizeof(check), "%s.%s.rows", r->name, o->name);
		if (r->ptrace) {
			gt_check_ids(check, t, NULL, &o->c.pid, 1);
			continue;
		}
		for (i = 0; i < t->nrows; i++)
			n += t->rows[i].pid == o->c.pid;
		gt_check(check, n == 0, "rows of pid %d: want 0 got %d",
			 o->c.pid, n);
	}
	if (!t) {
		snprintf(check, sizeof(check), "%s.rows", r->name);
		gt_fail(check, "no /proc/sockfd text from the reader");
	}
	gt_free(t);
	free(text);
}

int main(void)
{
	struct reader readers[] = {
		{ "ptrace", CAP_SYS_PTRACE, true, { -1, -1 } },
		{ "dac", CAP_DAC_READ_SEARCH, false, { -1, -1 } },
	};
	int k;

	for (k = 0; k < NOWNERS; k++) {
		struct owner *o = &owners[k];

		if (gt_child_start(&o->c, owner_child, o))
			gt_fatal("setup", "owner %s: %s", o->name,
				 strerror(errno));
		o->ino = gt_fd_sock_ino(o->c.pid, o->c.vals[0]);
		if (!o->ino)
			gt_fatal("setup", "readlink /proc/%d/fd/%d as root: %s",
				 o->c.pid, o->c.vals[0], strerror(errno));
		printf("# %s: pid %d, socket fd %d (inode %llu)\n", o->name,
		       o->c.pid, o->c.vals[0], o->ino);
	}
	for (k = 0; k < 2; k++)
		run_reader(&readers[k]);
	for (k = 0; k < NOWNERS; k++)
		gt_child_stop(&owners[k].c);
	return gt_done();
}
