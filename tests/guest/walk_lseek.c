// SPDX-License-Identifier: GPL-2.0
/*
 * walk_lseek: seeking in /proc/sockfd. A holder process keeps SOCKETS
 * sockets still; REF is one whole read. Then, on one open file:
 *   offsets       lseek(SEEK_SET) to special offsets (0, 1, inside and at
 *                 the end of the header, the last byte, EOF, past EOF) and
 *                 to random ones: the next read() gives REF's bytes there
 *   rest          after a random lseek, reading on to EOF in small chunks
 *                 gives exactly the rest of REF (the walk resumes at the
 *                 new place and stays right for every later read)
 *   backward      lseek back before the current position, read again
 *   seek_cur      lseek(SEEK_CUR) forward from the current position
 *   restart       lseek to 0 from deep inside the file, then a whole read
 *                 equals REF
 *   pread         pread() at random offsets gives REF's bytes
 * Every check names the offset and the first differing line.
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

#define SOCKETS 2000
#define RANDOM_SEEKS 30
#define PEEK 3000	/* bytes compared after a seek */

static char *ref;
static size_t ref_len;

/* Runs in a child: SOCKETS sockets, lines of varied length. */
static int holder(void *arg, int *vals, int max)
{
	int n = *(int *)arg, i, sv[2];

	(void)vals;
	(void)max;
	if (gt_lo_up())
		return -1;
	for (i = 0; i < n; i += 2) {
		if (i % 4 == 0) {
			if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
				return -1;
		} else if (gt_inet_socket(AF_INET6, SOCK_DGRAM, 0, -1,
					  true) < 0 ||
			   gt_inet_socket(AF_INET, SOCK_STREAM, 0, 3,
					  false) < 0) {
			return -1;
		}
	}
	return 0;
}

/* The line of REF containing offset off (for messages). */
static void ref_line(size_t off, char *out, size_t n)
{
	size_t s = off < ref_len ? off : ref_len, e;

	while (s > 0 && ref[s - 1] != '\n')
		s--;
	for (e = s; e < ref_len && ref[e] != '\n'; e++)
		;
	snprintf(out, n, "%.*s", (int)(e - s), ref + s);
}

/* got[0..n) read at offset off must equal REF there (and be as long as
 * REF allows, up to want bytes). Returns true, or fills why. */
static bool same_at(size_t off, const char *got, ssize_t n, size_t want,
		    char *why, size_t wn)
{
	size_t expect = off >= ref_len ? 0 :
		(ref_len - off < want ? ref_len - off : want), i;
	char line[300];

	if (n < 0) {
		snprintf(why, wn, "offset %zu: read: %s", off, strerror(errno));
		return false;
	}
	for (i = 0; i < (size_t)n && i < expect; i++)
		if (got[i] != ref[off + i])
			break;
	if (i == expect && (size_t)n == expect)
		return true;
	ref_line(off + i, line, sizeof(line));
	snprintf(why, wn, "offset %zu: %zd bytes (want %zu), first difference at offset %zu, in REF's line '%s'",
		 off, n, expect, off + i, line);
	return false;
}

/* Read up to want bytes (several read() calls, like a reader would). */
static ssize_t read_upto(int fd, char *buf, size_t want, size_t chunk)
{
	size_t got = 0;

	while (got < want) {
		ssize_t r = read(fd, buf + got,
				 chunk < want - got ? chunk : want - got);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* lseek(SEEK_SET) to off, then read: must match REF. */
static bool seek_read(int fd, size_t off, size_t chunk, char *why, size_t wn)
{
	static char buf[PEEK];
	off_t r = lseek(fd, (off_t)off, SEEK_SET);

	if (r != (off_t)off) {
		snprintf(why, wn, "lseek(%zu, SEEK_SET) returned %lld (%s)",
			 off, (long long)r, r < 0 ? strerror(errno) : "");
		return false;
	}
	return same_at(off, buf, read_upto(fd, buf, PEEK, chunk), PEEK, why,
		       wn);
}

static size_t random_offset(void)
{
	return (size_t)(((unsigned long)rand() << 16 ^ (unsigned long)rand()) %
			ref_len);
}

static void check_offsets(int fd)
{
	size_t header = (size_t)(strchr(ref, '\n') - ref) + 1;
	size_t special[] = { 0, 1, header - 1, header, header + 1,
			     ref_len / 2, ref_len - 1, ref_len, ref_len + 100 };
	char why[600] = "";
	int i, bad = 0;

	for (i = 0; i < (int)(sizeof(special) / sizeof(special[0])); i++)
		if (!seek_read(fd, special[i], 4096, why, sizeof(why)))
			break;
	gt_check("offsets.special", i == (int)(sizeof(special) / sizeof(special[0])),
		 "%s", why);
	for (i = 0; i < RANDOM_SEEKS && !bad; i++)
		bad = !seek_read(fd, random_offset(),
				 1 + (size_t)(rand() % 4096), why, sizeof(why));
	gt_check("offsets.random", !bad, "seek %d of %d: %s", i, RANDOM_SEEKS,
		 why);
}

static void check_rest(int fd)
{
	size_t off = random_offset();
	char *buf = malloc(ref_len + 1), why[600];
	ssize_t n;

	if (!buf || lseek(fd, (off_t)off, SEEK_SET) != (off_t)off) {
		gt_fail("rest", "lseek(%zu): %s", off, strerror(errno));
		free(buf);
		return;
	}
	n = read_upto(fd, buf, ref_len + 1, 100);
	gt_check("rest", same_at(off, buf, n, ref_len, why, sizeof(why)),
		 "after lseek(%zu), 100-byte reads to EOF: %s", off, why);
	free(buf);
}

static void check_backward_and_cur(int fd)
{
	size_t a = ref_len / 2 + (size_t)rand() % (ref_len / 4), b;
	char why[600];
	static char buf[PEEK];
	off_t pos;

	/* Deep in the file, then back to a random earlier offset. */
	b = (size_t)rand() % a;
	gt_check("backward", seek_read(fd, a, 512, why, sizeof(why)) &&
		 seek_read(fd, b, 512, why, sizeof(why)),
		 "from %zu back to %zu: %s", a, b, why);

	/* From where that read stopped, skip forward with SEEK_CUR. */
	pos = lseek(fd, 0, SEEK_CUR);
	b = (size_t)rand() % 5000 + 1;
	if (pos < 0 || lseek(fd, (off_t)b, SEEK_CUR) != pos + (off_t)b) {
		gt_fail("seek_cur", "lseek(+%zu, SEEK_CUR) from %lld: %s", b,
			(long long)pos, strerror(errno));
		return;
	}
	gt_check("seek_cur", same_at((size_t)pos + b, buf,
				     read_upto(fd, buf, PEEK, 700), PEEK, why,
				     sizeof(why)),
		 "lseek(+%zu, SEEK_CUR) from %lld: %s", b, (long long)pos, why);
}

static void check_restart(int fd)
{
	size_t len = 0, off = ref_len - ref_len / 5;
	char why[600];
	char *all;

	if (!seek_read(fd, off, 4096, why, sizeof(why)) ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		gt_fail("restart", "lseek(%zu) then lseek(0): %s", off, why);
		return;
	}
	all = gt_read_fd(fd, 4096, &len);
	gt_check("restart", all && same_at(0, all, (ssize_t)len, ref_len, why,
					   sizeof(why)),
		 "whole read after lseek(0) from offset %zu: %s", off,
		 all ? why : strerror(errno));
	free(all);
}

static void check_pread(int fd)
{
	static char buf[PEEK];
	char why[600] = "";
	int i, bad = 0;
	size_t off = 0;

	for (i = 0; i < RANDOM_SEEKS / 3 && !bad; i++) {
		off = random_offset();
		bad = !same_at(off, buf, pread(fd, buf, PEEK, (off_t)off), PEEK,
			       why, sizeof(why));
	}
	gt_check("pread", !bad, "pread at %zu: %s", off, why);
}

int main(void)
{
	int n = (int)gt_scaled(SOCKETS, 200), fd;
	struct gt_child h;

	srand((unsigned int)getpid());
	if (gt_raise_nofile((unsigned long)n + 64) ||
	    gt_child_start(&h, holder, &n))
		gt_fatal("setup", "holder of %d sockets: %s", n, strerror(errno));
	ref = gt_read_file(GT_PROC, 1 << 20, &ref_len);
	if (!ref || !strchr(ref, '\n'))
		gt_fatal("setup", "read %s: %s", GT_PROC, strerror(errno));
	printf("# %d sockets held, REF %zu bytes\n", n, ref_len);
	fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		gt_fatal("setup", "open %s: %s", GT_PROC, strerror(errno));
	check_offsets(fd);
	check_rest(fd);
	check_backward_and_cur(fd);
	check_restart(fd);
	check_pread(fd);
	close(fd);
	free(ref);
	gt_child_stop(&h);
	return gt_done();
}
