// SPDX-License-Identifier: GPL-2.0
/*
 * col_format: the shape of the whole file, with a mix of sockets open:
 *   header names exact (padding between them is allowed); every line has the header's number of fields, none
 *   empty, no tab or NUL byte, the file ends with '\n'; numeric columns are
 *   decimal; family/type/proto/state are names the format allows;
 *   (pid, fd) unique; every row is a socket fd whose /proc/PID/fd/FD link
 *   is socket:[ino] (ground truth) and every socket fd of every process in
 *   /proc is listed (nothing else runs in the guest while this test does).
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
		"seqpacket", NULL };
	static const char *const states[] = { "ESTABLISHED", "SYN_SENT",
		"SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
		"CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
		"-", NULL };
	static const enum gt_col nums[] = { GT_PID, GT_FD, GT_INO, GT_NETNS,
		GT_TXQ, GT_RXQ, GT_RMEM, GT_RCVBUF, GT_WMEM, GT_SNDBUF, GT_UID };
	int bad_fields = 0, bad_num = 0, bad_names = 0, i, j;
	char first[3][512] = { "", "", "" };

	for (i = 0; i < t->nrows; i++) {
		const struct gt_row *r = &t->rows[i];
		const char *fam = gt_get_raw(r, GT_FAMILY);

		if (r->nfields != t->ncols) {
			if (!bad_fields++)
				snprintf(first[0], sizeof(first[0]),
					 "fields: want %d got %d in '%s'",
					 t->ncols, r->nfields, r->line);
			continue;
		}
		for (j = 0; j < (int)(sizeof(nums) / sizeof(nums[0])); j++)
			if (!is_num(gt_get_raw(r, nums[j])) && !bad_num++)
				snprintf(first[1], sizeof(first[1]),
					 "%s: want a decimal number got %s in '%s'",
					 gt_col_name(nums[j]),
					 gt_get_raw(r, nums[j]), r->line);
		if (!(in_list(fam, families) || prefixed_num(fam, "af")) ||
		    !(in_list(gt_get_raw(r, GT_TYPE), types) ||
		      prefixed_num(gt_get_raw(r, GT_TYPE), "type")) ||
		    !in_list(gt_get_raw(r, GT_STATE), states) ||
		    ((strcmp(fam, "inet") && strcmp(fam, "inet6") &&
		      strcmp(fam, "netlink")) &&
		     strcmp(gt_get_raw(r, GT_PROTO), "-"))) {
			if (!bad_names++)
				snprintf(first[2], sizeof(first[2]),
					 "family/type/state/proto not allowed in '%s'",
					 r->line);
		}
	}
	gt_check("fields_per_line", bad_fields == 0, "%d bad lines, first: %s",
		 bad_fields, first[0]);
	gt_check("numeric_columns", bad_num == 0, "%d bad, first: %s",
		 bad_num, first[1]);
	gt_check("names_allowed", bad_names == 0, "%d bad lines, first: %s",
		 bad_names, first[2]);
}

static void unique(const struct gt_table *t)
{
	int i, j, dups = 0;

	for (i = 0; i < t->nrows; i++)
		for (j = i + 1; j < t->nrows; j++)
			if (t->rows[i].pid == t->rows[j].pid &&
			    t->rows[i].fd == t->rows[j].fd && !dups++)
				gt_fail("pid_fd_unique", "(pid %ld, fd %ld) twice: '%s' and '%s'",
					t->rows[i].pid, t->rows[i].fd,
					t->rows[i].line, t->rows[j].line);
	if (!dups)
		gt_pass("pid_fd_unique");
}

/* Every row: /proc/PID/fd/FD is socket:[ino]. */
static void rows_are_sockets(const struct gt_table *t)
{
	int i, bad = 0;

	for (i = 0; i < t->nrows; i++) {
		const struct gt_row *r = &t->rows[i];
		unsigned long long ino = gt_fd_sock_ino((pid_t)r->pid,
							(int)r->fd);

		if (ino != r->ino && !bad++)
			gt_fail("rows_match_proc_fd",
				"/proc/%ld/fd/%ld: want socket:[%llu] got %llu",
				r->pid, r->fd, r->ino, ino);
	}
	if (!bad)
		gt_pass("rows_match_proc_fd");
	gt_check("rows_present", t->nrows >= 8, "rows: want >= 8 got %d",
		 t->nrows);
}

/* Every socket fd of every process is listed (once: see unique). */
static void all_listed(const struct gt_table *t)
{
	DIR *proc = opendir("/proc"), *fdd;
	struct dirent *p, *f;
	int missing = 0, seen = 0;

	if (!proc) {
		gt_fail("all_socket_fds_listed", "opendir /proc: %s",
			strerror(errno));
		return;
	}
	while ((p = readdir(proc))) {
		char path[300];
		pid_t pid;

		if (!is_num(p->d_name))
			continue;
		pid = atoi(p->d_name);
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fdd = opendir(path);
		if (!fdd)
			continue;
		while ((f = readdir(fdd))) {
			unsigned long long ino;
			const struct gt_row *r;

			if (!is_num(f->d_name))
				continue;
			ino = gt_fd_sock_ino(pid, atoi(f->d_name));
			if (!ino)
				continue;
			seen++;
			r = gt_find(t, pid, atoi(f->d_name));
			if ((!r || r->ino != ino) && !missing++)
				gt_fail("all_socket_fds_listed",
					"/proc/%d/fd/%s socket:[%llu]: want a row got %s",
					pid, f->d_name, ino,
					r ? r->line : "none");
		}
		closedir(fdd);
	}
	closedir(proc);
	if (!missing)
		gt_pass("all_socket_fds_listed");
	gt_check("premise_sockets_seen", seen >= 8,
		 "socket fds in /proc: want >= 8 got %d", seen);
}

int main(void)
{
	struct gt_table *t;
	int sp[2], i, nl;

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
	unique(t);
	rows_are_sockets(t);
	all_listed(t);
	gt_free(t);
	return gt_done();
}
