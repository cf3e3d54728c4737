// SPDX-License-Identifier: GPL-2.0
/*
 * col_reads: the same bytes whatever the read size, and lseek(0) restarts.
 * Four children hold ~400 sockets (long unix paths with spaces, so lines
 * are long and cross many 4 KiB boundaries); the file is then read with
 * read() sizes 1, 7, 100, 4095, 4096, 4097, 65536 and one 64 MiB buffer,
 * and every result must equal the whole-buffer read byte for byte. Then:
 * read part, lseek(fd, 0, SEEK_SET) returns 0, and reading again gives the
 * whole file; the same after reading to EOF.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#define CHILDREN 4
#define PER_CHILD 25

static int child(void *arg, int *vals, int max)
{
	int id = (int)(long)arg, i, sp[2];
	char comm[16], path[108];

	(void)vals;
	(void)max;
	snprintf(comm, sizeof(comm), "gt reads %d", id);
	gt_set_comm(comm);
	for (i = 0; i < PER_CHILD; i++) {
		struct sockaddr_un un;
		int s = socket(AF_UNIX, SOCK_DGRAM, 0);

		snprintf(path, sizeof(path),
			 "/tmp/gt reads long socket name with spaces %d %d %s",
			 id, i, "padding padding padding padding");
		unlink(path);
		if (s < 0 || bind(s, (struct sockaddr *)&un,
				  gt_unix_addr(&un, path, strlen(path) + 1)))
			return -1;
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp))
			return -1;
		if (gt_inet_socket(AF_INET, SOCK_DGRAM, 0, -1, true) < 0)
			return -1;
	}
	return 0;
}

/* First differing line of a and b, for the failure detail. */
static void describe(const char *a, size_t alen, const char *b, size_t blen,
		     char *out, size_t n)
{
	size_t i = 0, ls = 0, ae, be;

	while (i < alen && i < blen && a[i] == b[i]) {
		if (a[i] == '\n')
			ls = i + 1;
		i++;
	}
	for (ae = ls; ae < alen && a[ae] != '\n'; ae++)
		;
	for (be = ls; be < blen && b[be] != '\n'; be++)
		;
	snprintf(out, n, "lengths %zu vs %zu, first difference at byte %zu: "
		 "want line '%.*s' got '%.*s'", alen, blen, i,
		 (int)(ae - ls > 300 ? 300 : ae - ls), a + ls,
		 (int)(be - ls > 300 ? 300 : be - ls), b + ls);
}

static bool same(const char *check, const char *want, size_t wlen,
		 const char *got, size_t glen)
{
	char detail[1024];

	if (!got) {
		gt_fail(check, "read failed: %s", strerror(errno));
		return false;
	}
	if (wlen == glen && memcmp(want, got, wlen) == 0) {
		gt_pass(check);
		return true;
	}
	describe(want, wlen, got, glen, detail, sizeof(detail));
	gt_fail(check, "%s", detail);
	return false;
}

int main(void)
{
	static const size_t sizes[] = { 1, 7, 100, 4095, 4096, 4097, 65536 };
	struct gt_child ch[CHILDREN];
	char *whole, *again, *buf, name[64];
	size_t wlen, alen, len;
	unsigned int i;
	int fd;
	ssize_t r;

	gt_lo_up();
	for (i = 0; i < CHILDREN; i++)
		if (gt_child_start(&ch[i], child, (void *)(long)i))
			gt_fatal("setup", "child %u: %s", i, strerror(errno));

	whole = gt_read_file(GT_PROC, 0, &wlen);
	again = gt_read_file(GT_PROC, 0, &alen);
	if (!whole || !again)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	gt_check("premise_big_file", wlen > 8 * 4096,
		 "size: want > 32768 bytes got %zu", wlen);
	same("whole_twice", whole, wlen, again, alen);
	free(again);

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "read_size_%zu", sizes[i]);
		buf = gt_read_file(GT_PROC, sizes[i], &len);
		same(name, whole, wlen, buf, len);
		free(buf);
	}

	/* lseek to 0 after a partial read, after 1-byte reads, after EOF */
	fd = open(GT_PROC, O_RDONLY);
	if (fd < 0)
		gt_fatal("open", "%s: %s", GT_PROC, strerror(errno));
	{
		char part[1000];

		r = read(fd, part, sizeof(part));
		gt_check("partial_read", r == sizeof(part),
			 "read: want %zu got %zd", sizeof(part), r);
	}
	gt_check_num("lseek0_returns_0", "lseek", 0, lseek(fd, 0, SEEK_SET));
	buf = gt_read_fd(fd, 4096, &len);
	same("lseek0_after_partial", whole, wlen, buf, len);
	free(buf);
	gt_check_num("lseek0_after_eof_returns_0", "lseek", 0,
		     lseek(fd, 0, SEEK_SET));
	buf = gt_read_fd(fd, 0, &len);
	same("lseek0_after_eof", whole, wlen, buf, len);
	free(buf);
	{
		char c;
		int k;

		lseek(fd, 0, SEEK_SET);
		for (k = 0; k < 5000 && read(fd, &c, 1) == 1; k++)
			;
	}
	gt_check_num("lseek0_after_1byte_returns_0", "lseek", 0,
		     lseek(fd, 0, SEEK_SET));
	buf = gt_read_fd(fd, 1, &len);
	same("lseek0_after_1byte_reads", whole, wlen, buf, len);
	free(buf);
	close(fd);

	free(whole);
	for (i = 0; i < CHILDREN; i++)
		gt_child_stop(&ch[i]);
	return gt_done();
}
