// SPDX-License-Identifier: GPL-2.0
/*
 * col_bigfd: a socket dup'ed to fd 1,000,000 (after raising RLIMIT_NOFILE
 * and, if needed, fs.nr_open) has its own row with every column right,
 * and the original fd keeps its row.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define BIG 1000000

int main(void)
{
	int s, big;

	gt_lo_up();
	if (gt_raise_nofile(BIG + 1))
		gt_fatal("setup", "raise RLIMIT_NOFILE: %s", strerror(errno));
	s = gt_inet_socket(AF_INET, SOCK_DGRAM, 0, -1, true);
	if (s < 0)
		gt_fatal("setup", "socket: %s", strerror(errno));
	big = dup2(s, BIG);
	if (big != BIG)
		gt_fatal("setup", "dup2 to %d: %s", BIG, strerror(errno));
	gt_check_num("premise_same_inode", "ino", (long long)gt_fstat_ino(s),
		     (long long)gt_fd_sock_ino(0, BIG));
	gt_check_fd("fd_1000000", 0, BIG, NULL);
	gt_check_fd("fd_original", 0, s, NULL);
	/* a socket right below the limit too */
	if (dup2(s, BIG - 1) == BIG - 1)
		gt_check_fd("fd_999999", 0, BIG - 1, NULL);
	else
		gt_fail("fd_999999", "setup: dup2: %s", strerror(errno));
	return gt_done();
}
