// SPDX-License-Identifier: GPL-2.0
/*
 * fault_slab: slab allocations of the reading task fail (failslab), and
 * /proc/sockfd must fail cleanly: an errno, no byte of a partial line, no
 * leaked socket or memory, no kernel warning; once the failures stop, the
 * same open file reads on and the result equals an undisturbed read.
 *
 * The first read() or lseek() of a file gives it a 64 KiB buffer
 * (module/sockfd_proc.c) while fewer than the module's bound of them
 * exist: a kmalloc that large comes from the page allocator, which
 * failslab does not fail (6.1 mm/slab_common.c __kmalloc_large_node(),
 * 6.12 and 7.2 mm/slub.c ___kmalloc_large_node(): no slab hook), and the
 * walk allocates nothing. So with the large buffer, read() and lseek()
 * make no slab allocation of their own: with every slab allocation failing
 * they must still succeed and give the undisturbed bytes, and their
 * fail-nth sweeps must reach only kmemleak's record of the buffer (on the
 * debug kernel kmemleak allocates one per tracked object from a slab cache,
 * and falls back to its own pool when that fails: a point that never
 * surfaces). Once the bound's buffers are all held by open files (found by
 * opening files and reading each once until a read() returns no more than
 * a page), a new file reads through seq_file's own page, a slab allocation
 * at its first read() or lseek(): that one must fail with ENOMEM, no byte,
 * and the file must read on once the failures stop.
 *
 * 1. failslab with its task filter and /proc/self/make-it-fail: every slab
 *    allocation of this task fails, for open() (which must fail) and for
 *    the first read() of a file opened before (which must not; with the
 *    large buffers all held, which must, ENOMEM).
 * 2. fail-nth (/proc/thread-self/fail-nth): the Nth slab allocation of one
 *    syscall fails, for N = 1, 2, ... until the syscall makes fewer than N:
 *    every allocation point of open() (at least one), and of the first
 *    read() and of an lseek() into the middle of a fresh file (none that
 *    surfaces: kmemleak's record of the buffer where kmemleak is; with the
 *    large buffers all held, seq_file's page, surfacing as ENOMEM, and
 *    kmemleak's record of it).
 * Needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS (the debug
 * kernel); elsewhere it only checks that the kernel is not the debug one.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FAILSLAB "/sys/kernel/debug/failslab/"
#define NSOCKETS 40	/* about 8 KiB of lines: more than one page */
#define MAX_NTH 500
#define MAX_HOLD 4096	/* files held to use up the large buffers */

static char *ref;	/* an undisturbed whole read */
static int kmemleak;	/* 1 if kmemleak records each allocation, else 0 */
static size_t ref_len;

/* pwrite a number to an open control file (fail-nth, make-it-fail). */
static int set_num(int fd, long v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%ld", v);

	return pwrite(fd, buf, (size_t)n, 0) == n ? 0 : -1;
}

static long get_num(int fd)
{
	char buf[24] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * Read the rest of fd (injection off) after `got` bytes came from the
 * faulted call, and compare: got must be whole lines, a prefix of ref,
 * and got + rest must equal ref.
 */
static bool finish_and_compare(const char *check, int fd, const char *got,
			       size_t got_len)
{
	size_t rest_len = 0;
	char *rest = gt_read_fd(fd, 4096, &rest_len);
	bool ok;

	if (!rest)
		return gt_check(check, false, "read after the faults stopped: %s",
				strerror(errno));
	ok = got_len <= ref_len && !memcmp(got, ref, got_len) &&
	     (!got_len || got[got_len - 1] == '\n') &&
	     got_len + rest_len == ref_len &&
	     !memcmp(rest, ref + got_len, rest_len);
	free(rest);
	if (!ok)
		gt_fail(check, "faulted read gave %zu bytes%s, then %zu more; want %zu in all, "
			"equal to an undisturbed read", got_len,
			got_len && got[got_len - 1] != '\n' ? " (a partial line)" : "",
			rest_len, ref_len);
	return ok;
}

/*
 * 1: every allocation of this task fails while make-it-fail is 1. With
 * page set, the large buffers are all held: the read needs seq_file's page.
 */
static void test_make_it_fail(bool page)
{
	int mif = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	int fd = open(GT_PROC, O_RDONLY | O_CLOEXEC), fd2, e_open, e_read;
	static char buf[65536];	/* more than the file: whole lines back */
	ssize_t r;

	if (mif < 0 || fd < 0)
		gt_fatal("make_it_fail.setup", "open: %s", strerror(errno));
	if (gt_write_file(FAILSLAB "task-filter", "Y") || gt_write_file(FAILSLAB "probability", "100") ||
	    gt_write_file(FAILSLAB "interval", "1") || gt_write_file(FAILSLAB "times", "-1") ||
	    gt_write_file(FAILSLAB "space", "0"))
		gt_fatal("make_it_fail.setup", "failslab settings: %s", strerror(errno));

	set_num(mif, 1);
	fd2 = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	e_open = errno;
	r = read(fd, buf, sizeof(buf));
	e_read = errno;
	set_num(mif, 0);
	gt_write_file(FAILSLAB "probability", "0");

	gt_check(page ? "make_it_fail_page.open" : "make_it_fail.open",
		 fd2 < 0 && e_open == ENOMEM,
		 "open with every allocation failing: want -1 ENOMEM got %d (%s)",
		 fd2, fd2 < 0 ? strerror(e_open) : "opened");
	if (fd2 >= 0)
		close(fd2);
	if (page)
		gt_check("make_it_fail_page.read", r < 0 && e_read == ENOMEM,
			 "first read through seq_file's page with every slab allocation "
			 "failing: want -1 ENOMEM got %zd (%s)", r,
			 r < 0 ? strerror(e_read) : "bytes");
	else
		gt_check("make_it_fail.read", r > 0,
			 "read with every slab allocation failing (it needs none): got %zd (%s)",
			 r, r < 0 ? strerror(e_read) : "bytes");
	gt_check(page ? "make_it_fail_page.position" : "make_it_fail.position",
		 lseek(fd, 0, SEEK_CUR) == (r > 0 ? r : 0),
		 "file position after the failed read: %lld",
		 (long long)lseek(fd, 0, SEEK_CUR));
	if (finish_and_compare(page ? "make_it_fail_page.recovers" : "make_it_fail.recovers",
			       fd, buf, r > 0 ? (size_t)r : 0))
		gt_pass(page ? "make_it_fail_page.recovers" : "make_it_fail.recovers");
	close(fd);
	close(mif);
}

enum nth_op { NTH_OPEN, NTH_READ, NTH_SEEK };

/*
 * 2: fail the nth allocation of one syscall, for every n it reaches. With
 * page set, the large buffers are all held: a first read() or lseek()
 * allocates seq_file's page.
 */
static void sweep(enum nth_op op, int nth_fd, bool page)
{
	static const char *const names[] = { "open", "read", "lseek" };
	static const char *const page_names[] = { "open", "read_page", "lseek_page" };
	char check[64], buf[65536];
	int n, surfaced = 0, bad = 0;

	for (n = 1; n <= MAX_NTH; n++) {
		int fd = op == NTH_OPEN ? -1 : open(GT_PROC, O_RDONLY | O_CLOEXEC);
		off_t mid = (off_t)(ref_len / 2);
		ssize_t r = 0;
		long left;
		int e;

		if (op != NTH_OPEN && fd < 0)
			gt_fatal("nth.setup", "open: %s", strerror(errno));
		set_num(nth_fd, n);
		switch (op) {
		case NTH_OPEN:
			fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
			r = fd;
			break;
		case NTH_READ:
			r = read(fd, buf, sizeof(buf));
			break;
		case NTH_SEEK:
			r = lseek(fd, mid, SEEK_SET);
			break;
		}
		e = errno;
		left = get_num(nth_fd);	/* 0: the nth allocation was failed */
		set_num(nth_fd, 0);

		snprintf(check, sizeof(check), "nth.%s.%d",
			 (page ? page_names : names)[op], n);
		if (r < 0) {
			surfaced++;
			if (e != ENOMEM && !bad++)
				gt_fail(check, "failed with %s, want ENOMEM", strerror(e));
			if (op == NTH_OPEN)
				goto next;
			r = 0;
		}
		if (op == NTH_OPEN) {
			r = 0;
		} else if (op == NTH_SEEK) {
			/* After a failed lseek the file may be anywhere: the
			 * read that follows must start over or at mid. */
			off_t at = lseek(fd, 0, SEEK_CUR);

			if (at != 0 && at != mid && !bad++)
				gt_fail(check, "position %lld after lseek(%lld)",
					(long long)at, (long long)mid);
			if (at == mid) {
				/* Compare the tail only. */
				size_t tl = 0;
				char *tail = gt_read_fd(fd, 4096, &tl);

				if ((!tail || tl != ref_len - (size_t)mid ||
				     memcmp(tail, ref + mid, tl)) && !bad++)
					gt_fail(check, "read after lseek(%lld): %zu bytes, want the last %zu",
						(long long)mid, tl, ref_len - (size_t)mid);
				free(tail);
				goto next;
			}
			lseek(fd, 0, SEEK_SET);
			r = 0;
		}
		if (!finish_and_compare(check, fd, buf, (size_t)r))
			bad++;
next:
		if (fd >= 0)
			close(fd);
		if (left != 0)
			break;	/* fewer than n allocations: all points done */
	}
	snprintf(check, sizeof(check), "nth.%s", (page ? page_names : names)[op]);
	if (!bad && op == NTH_OPEN)	/* else the failing points said why */
		gt_check(check, n > 1 && n <= MAX_NTH,
			 "allocation points reached: %d (want 1..%d)", n - 1,
			 MAX_NTH);
	else if (!bad && page)	/* seq_file's page, and it failed the call */
		gt_check(check, n - 1 == 1 + kmemleak && surfaced == 1,
			 "allocation points reached: %d, surfaced as ENOMEM: %d (want %d and 1)",
			 n - 1, surfaced, 1 + kmemleak);
	else if (!bad)	/* the large buffer is no slab object */
		gt_check(check, n - 1 == kmemleak && !surfaced,
			 "allocation points reached: %d, surfaced as ENOMEM: %d (want %d and 0)",
			 n - 1, surfaced, kmemleak);
	printf("# %s: %d slab allocation points, %d surfaced as ENOMEM\n",
	       (page ? page_names : names)[op], n - 1, surfaced);
}

/*
 * Use up the module's large buffers: open files and read each once until
 * a read() gives no more than a page of the file (more than a page long),
 * which then has seq_file's page. Returns how many files are held (fds[]),
 * the last one the page reader; -1 if no read() ever gave a page.
 */
static int hold_big_buffers(int *fds)
{
	static char buf[65536];
	int n;

	for (n = 0; n < MAX_HOLD; n++) {
		ssize_t r;

		fds[n] = open(GT_PROC, O_RDONLY | O_CLOEXEC);
		if (fds[n] < 0)
			return -1;
		r = read(fds[n], buf, sizeof(buf));
		if (r > 0 && r <= 4096)
			return n + 1;
	}
	return -1;
}

/*
 * In a child (gt_child_start()): the lines then belong to a task whose fd
 * table stays as it is, not to this one, whose fds column (format 3)
 * counts the files each test opens and holds.
 */
static int hold_sockets(void *arg, int *vals, int max)
{
	int i, made = 0;

	(void)arg;
	(void)max;

	for (i = 0; i < NSOCKETS; i++) {
		int sv[2], fd;

		switch (i % 4) {
		case 0:
			fd = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 8, false);
			break;
		case 1:
			fd = gt_inet_socket(AF_INET6, SOCK_DGRAM, 0, -1, false);
			break;
		case 2:
			fd = socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ? -1 : sv[0];
			break;
		default:
			fd = socket(AF_NETLINK, SOCK_RAW, 0);
			break;
		}
		made += fd >= 0;
	}
	vals[0] = made;
	return 1;
}

int main(void)
{
	const char *kernel = getenv("SOCKFD_KERNEL");
	static int hold[MAX_HOLD];
	struct gt_child holder;
	int nth_fd, held;
	long used;
	char msg[700];

	gt_init("fault_slab");
	if (gt_debugfs() || access(FAILSLAB "probability", F_OK)) {
		gt_check("failslab_present", !kernel || strcmp(kernel, "debug"),
			 "SOCKFD_KERNEL=debug but no " FAILSLAB);
		return gt_done();
	}
	if (gt_lo_up() || gt_child_start(&holder, hold_sockets, NULL) ||
	    holder.vals[0] != NSOCKETS)
		gt_fatal("setup", "sockets: %s", strerror(errno));
	ref = gt_read_file(GT_PROC, 65536, &ref_len);
	if (!ref || gt_pass_problem(ref, ref_len, msg, sizeof(msg)) || ref_len <= 4096)
		gt_fatal("setup", "undisturbed read: %zu bytes, %s", ref_len,
			 ref ? msg : strerror(errno));
	/* GFP_KERNEL allocations may fail too; no stack dump per failure. */
	if (gt_write_file(FAILSLAB "ignore-gfp-wait", "N") || gt_write_file(FAILSLAB "verbose", "0"))
		gt_fatal("setup", "failslab settings: %s", strerror(errno));
	gt_kmemleak_clear();
	kmemleak = !access("/sys/kernel/debug/kmemleak", F_OK);
	used = gt_sockets_used();

	test_make_it_fail(false);

	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		gt_fatal("nth.setup", "fail-nth: %s", strerror(errno));
	sweep(NTH_OPEN, nth_fd, false);
	sweep(NTH_READ, nth_fd, false);
	sweep(NTH_SEEK, nth_fd, false);

	/* The large buffers all held: the page's allocation, seen failing. */
	held = hold_big_buffers(hold);
	if (held < 0)
		gt_fatal("hold", "after %d files no read() gave one page (of %zu bytes): %s",
			 MAX_HOLD, ref_len, strerror(errno));
	printf("# %d files held: the %d-th read through a page\n", held, held);
	test_make_it_fail(true);
	sweep(NTH_READ, nth_fd, true);
	sweep(NTH_SEEK, nth_fd, true);
	while (held > 0)
		close(hold[--held]);
	close(nth_fd);

	/* Nothing of the failed opens and reads stays behind. */
	gt_check_sockets_used("no_socket_leak", used);
	gt_check_kmemleak("kmemleak");
	gt_write_file(FAILSLAB "ignore-gfp-wait", "Y");
	gt_child_stop(&holder);
	free(ref);
	return gt_done();
}
