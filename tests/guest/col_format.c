// SPDX-License-Identifier: GPL-2.0
/*
 * col_format: the shape of the whole file, with a mix of sockets open:
 *   header names exact (padding between them is allowed); every line has
 *   the header's number of fields, none empty, no tab or NUL byte, the file
 *   ends with '\n'; numeric columns are decimal; family/type/proto/state
 *   are names the format allows; (pid, fd) unique; the rows are exactly
 *   the socket fds of /proc/PID/fd of every process, with their inodes
 *   (nothing else runs in the guest while this test does).
 */
#define _GNU_SOURCE
#include "gt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_num(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* "PREFIX" followed by digits */
static bool prefixed_num(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 && is_num(s + n);
}

static void shape(const struct gt_table *t)
{
	static const char *const families[] = { "unix", "inet", "inet6",
		"netlink", "packet", "vsock", NULL };
	static const char *const types[] = { "stream", "dgram", "raw", "rdm",
		"seqpacket", "dccp", "packet", NULL };
	static const char *const states[] = { "ESTABLISHED", "SYN_SENT",
		"SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
		"CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
		"-", NULL };
	int bad_rows = 0, bad_names = 0, i;
	char first[2][512] = { "", "" }, why[512];

	for (i = 0; i < t->nrows; i++) {
		const struct gt_row *r = &t->rows[i];
		const char *fam = gt_get_raw(r, GT_FAMILY);

		if (gt_row_problem(t, r, why, sizeof(why))) {
			if (!bad_rows++)
				snprintf(first[0], sizeof(first[0]), "%s", why);
			continue;
		}
		if (!(in_list(fam, families) || prefixed_num(fam, "af")) ||
		    !(in_list(gt_get_raw(r, GT_TYPE), types) ||
		      prefixed_num(gt_get_raw(r, GT_TYPE), "type")) ||
		    !in_list(gt_get_raw(r, GT_STATE), states) ||
		    ((strcmp(fam, "inet") && strcmp(fam, "inet6") &&
		      strcmp(fam, "netlink")) &&
		     strcmp(gt_get_raw(r, GT_PROTO), "-"))) {
			if (!bad_names++)
				snprintf(first[1], sizeof(first[1]),
					 "family/type/state/proto not allowed in '%s'",
					 r->line);
		}
	}
	gt_check("rows_well_formed", bad_rows == 0,
		 "%d bad rows (field count, numeric columns), first: %s",
		 bad_rows, first[0]);
	gt_check("names_allowed", bad_names == 0, "%d bad lines, first: %s",
		 bad_names, first[1]);
}

#define MAX_PIDS 4096

/* The pids /proc lists now, sorted as readdir gives them. */
static int list_pids(pid_t *pids)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int n = 0;

	if (!proc)
		gt_fatal("setup", "opendir /proc: %s", strerror(errno));
	while ((p = readdir(proc)) && n < MAX_PIDS)
		if (is_num(p->d_name))
			pids[n++] = atoi(p->d_name);
	closedir(proc);
	return n;
}

static bool has_pid(const pid_t *pids, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/*
 * Rows and /proc/PID/fd agree for every process: each socket fd once under
 * its pid with its inode, and no row for a pid /proc does not list.
 * Processes that come and go around the read (module-loading helpers on a
 * small kernel) are allowed rows but not compared: `before` is the pid list
 * taken just before the read; compared are the pids listed before and after.
 */
static void matches_proc(const struct gt_table *t, const pid_t *before,
			 int nbefore)
{
	static pid_t after[MAX_PIDS], both[MAX_PIDS], any[2 * MAX_PIDS];
	int nafter = list_pids(after), nboth = 0, nany = 0, i;
	const struct gt_row *dup = NULL;

	for (i = 0; i < nbefore; i++) {
		if (has_pid(after, nafter, before[i]))
			both[nboth++] = before[i];
		any[nany++] = before[i];
	}
	for (i = 0; i < nafter; i++)
		if (!has_pid(before, nbefore, after[i]))
			any[nany++] = after[i];
	gt_check("pid_fd_unique", gt_dup_rows(t, &dup) == 0,
		 "(pid, fd) twice, e.g. '%s'", dup ? dup->line : "");
	gt_check_ids("rows_match_proc_fd", t, NULL, both, nboth);
	gt_check_only_pids("no_rows_for_other_pids", t, any, nany);
	gt_check("rows_present", t->nrows >= 8, "rows: want >= 8 got %d",
		 t->nrows);
}

int main(void)
{
	static pid_t pids[MAX_PIDS];
	struct gt_table *t;
	int sp[2], i, nl, npids;

	gt_lo_up();
	/* a mix of sockets */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) ||
	    gt_inet_socket(AF_INET, SOCK_STREAM, 0, 3, true) < 0 ||
	    gt_inet_socket(AF_INET6, SOCK_DGRAM, 0, -1, true) < 0 ||
	    socket(AF_INET, SOCK_STREAM, 0) < 0)
		gt_fatal("setup", "sockets: %s", strerror(errno));
	nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	for (i = 0; i < 4; i++)
		if (socket(AF_UNIX, SOCK_DGRAM, 0) < 0)
			gt_fatal("setup", "socket: %s", strerror(errno));
	if (nl < 0)
		gt_fatal("setup", "netlink: %s", strerror(errno));

	npids = list_pids(pids);
	t = gt_load(0);
	if (!t)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	{
		/* the header's names, whitespace-separated, in order */
		char names[512] = "";

		for (i = 0; i < t->ncols; i++) {
			strcat(names, i ? " " : "");
			strncat(names, t->names[i], 64);
		}
		gt_check_str("header_names", "names", gt_header, names);
	}
	gt_check("ends_with_newline", t->trailing_newline,
		 "last byte: want '\\n'");
	gt_check("no_nul_or_tab", !memchr(t->text, '\0', t->len) &&
				   !memchr(t->text, '\t', t->len),
		 "want no NUL or tab byte in the text");
	shape(t);
	matches_proc(t, pids, npids);
	gt_free(t);
	return gt_done();
}
