// SPDX-License-Identifier: GPL-2.0
/*
 * walk_scale: 20,000 sockets across 100 processes (TCP listeners and
 * connected loopback pairs, UDP bound/connected, unix socketpairs of the
 * three types; one process holds a tenth of them, above the default
 * RLIMIT_NOFILE). Checks, against /proc/PID/fd of every one of these
 * processes:
 *   ids.SIZE     every socket fd appears once, with its inode, and no
 *                other row names one of the processes (SIZE = 1m, 4k, 1b)
 *   unique.1m    no (pid, fd) twice in the whole file
 *   wellformed   every line has the header's field count, numbers numeric
 *   same.4k      4 KiB reads give the same bytes as 1 MiB reads: the
 *                first and the last MiB read 4 KiB at a time, the middle
 *                with 64 KiB reads (seq_file returns at most its buffer,
 *                a page or so, per read() anyway)
 *   same.1b      1-byte reads give the same bytes: the first and the last
 *                PREFIX bytes are read one byte per read(), the middle with
 *                64 KiB reads (1-byte reads of the whole 3.6 MB file take
 *                minutes under TCG)
 * What the first and the last region cost in 4 KiB and 1-byte reads is
 * printed as "# " lines, not checked: speed targets live in bench/
 * (make bench reports the last/first ratio), never in timed assertions.
 * Sizes scale with gt_scaled() (SOCKFD_SCALE, or 10% on the debug kernel).
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

#define PROCS 100
#define SOCKETS 20000
#define PREFIX (128 * 1024)

struct plan {
	int index;
	int count;	/* sockets to create */
};

static int add_pair(int *made, int a, int b)
{
	if (a < 0 || b < 0)
		return -1;
	*made += 2;
	return 0;
}

/* Runs in a child: create exactly p->count sockets and hold them. */
static int make_sockets(void *arg, int *vals, int max)
{
	const struct plan *p = arg;
	int made = 0, lst, port, sv[2], i;
	int tcp_pairs = p->count * 3 / 20, unix_pairs = p->count * 3 / 20;
	static const int unix_types[] = { SOCK_STREAM, SOCK_DGRAM,
					  SOCK_SEQPACKET };

	(void)max;
	lst = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4096, false);
	if (lst < 0)
		return -1;
	made++;
	port = gt_port(lst);
	for (i = 0; i < tcp_pairs && made + 2 <= p->count; i++) {
		int c = gt_inet_connect(AF_INET, SOCK_STREAM, port);

		if (add_pair(&made, c, c < 0 ? -1 : accept(lst, NULL, NULL)))
			return -1;
	}
	for (i = 0; i < unix_pairs && made + 2 <= p->count; i++) {
		if (socketpair(AF_UNIX, unix_types[i % 3], 0, sv) ||
		    add_pair(&made, sv[0], sv[1]))
			return -1;
	}
	for (i = 0; made < p->count; i++) {
		int u = (i % 2) ?
			gt_inet_connect(AF_INET, SOCK_DGRAM, port) :
			gt_inet_socket(AF_INET, SOCK_DGRAM, 0, -1, false);

		if (u < 0)
			return -1;
		made++;
	}
	vals[0] = made;
	return 1;
}

/* Read fd from its position: up to n bytes (less at EOF) in chunks. */
static size_t read_part(int fd, char *buf, size_t n, size_t chunk)
{
	size_t got = 0;

	while (got < n) {
		size_t want = chunk < n - got ? chunk : n - got;
		ssize_t r;

		r = read(fd, buf + got, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/*
 * Read the whole file: the first `region` bytes and the rest after
 * total - region with read() calls of `chunk` bytes, the middle with 64 KiB
 * reads. buf holds cap bytes; returns the length read. *head_s and *tail_s
 * get the time the two ends took.
 */
static size_t read_ends(char *buf, size_t cap, size_t total, size_t chunk,
			size_t region, double *head_s, double *tail_s)
{
	int fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	size_t got, mid = total > 2 * region ? total - 2 * region : 0;
	double t0;

	*head_s = *tail_s = 0;
	if (fd < 0)
		return 0;
	t0 = gt_now();
	got = read_part(fd, buf, region, chunk);
	*head_s = gt_now() - t0;
	if (mid)
		got += read_part(fd, buf + got, mid, 65536);
	t0 = gt_now();
	got += read_part(fd, buf + got, cap - got, chunk);
	*tail_s = gt_now() - t0;
	close(fd);
	return got;
}

/* Index of the first differing byte, or -1. */
static long first_diff(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i, n = na < nb ? na : nb;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return na == nb ? -1 : (long)n;
}

/* The line of text containing offset off, for messages. */
static void line_at(const char *text, size_t len, long off, char *out,
		    size_t n)
{
	const char *s = text + (off < (long)len ? off : (long)len), *e;

	while (s > text && s[-1] != '\n')
		s--;
	e = memchr(s, '\n', len - (size_t)(s - text));
	if (!e)
		e = text + len;
	snprintf(out, n, "%.*s", (int)(e - s), s);
}

/* Byte for byte but for the columns that move between reads
 * (gt_mask_moving(): TCP's idle ms, the reader's own fds). */
static void check_same(const char *check, const char *ref0, size_t nref0,
		       const char *got0, size_t ngot0)
{
	size_t nref, ngot;
	char *ref = gt_mask_moving(ref0, nref0, &nref);
	char *got = gt_mask_moving(got0, ngot0, &ngot);
	long d;
	char a[400], b[400];

	if (!ref || !got)
		gt_fatal(check, "out of memory");
	d = first_diff(ref, nref, got, ngot);
	if (d < 0) {
		gt_pass(check);
	} else {
		line_at(ref, nref, d, a, sizeof(a));
		line_at(got, ngot, d, b, sizeof(b));
		gt_fail(check, "bytes: want %zu got %zu, first difference at offset %ld: want line '%s' got '%s'",
			nref, ngot, d, a, b);
	}
	free(ref);
	free(got);
}

static void check_table(const char *size, const char *text, size_t len,
			const pid_t *ids, int nids)
{
	struct gt_table *t = gt_parse(text, len);
	char name[32];

	snprintf(name, sizeof(name), "ids.%s", size);
	if (!t) {
		gt_fail(name, "could not parse %zu bytes", len);
		return;
	}
	gt_check_ids(name, t, NULL, ids, nids);
	gt_free(t);
}

/* Read the file with ends of `region` bytes read `chunk` bytes at a time;
 * check the bytes (same.SIZE) and the rows (ids.SIZE); print what the two
 * ends cost. */
static void check_ends(const char *size, size_t chunk, size_t region,
		       const char *ref, size_t nref, const pid_t *ids,
		       int nids)
{
	size_t cap = nref + (1 << 20), len;
	char *buf = malloc(cap), name[32];
	double head_s, tail_s;

	if (!buf)
		gt_fatal("setup", "out of memory");
	len = read_ends(buf, cap, nref, chunk, region, &head_s, &tail_s);
	snprintf(name, sizeof(name), "same.%s", size);
	check_same(name, ref, nref, buf, len);
	check_table(size, buf, len, ids, nids);
	printf("# %zu-byte reads: first %zu bytes %.3f s, last %zu bytes %.3f s (last/first %.2f)\n",
	       chunk, region, head_s, region, tail_s,
	       head_s > 0 ? tail_s / head_s : 0);
	free(buf);
}

int main(void)
{
	int nproc = (int)gt_scaled(PROCS, 4);
	int nsock = (int)gt_scaled(SOCKETS, 400);
	int big = nsock / 10, i, nids = 0, made = 0, bad = 0, dups;
	struct gt_child *kids = calloc((size_t)nproc, sizeof(*kids));
	struct plan *plans = calloc((size_t)nproc, sizeof(*plans));
	pid_t *ids = calloc((size_t)nproc + 1, sizeof(*ids));
	size_t len1m, third;
	const struct gt_row *dup = NULL;
	struct gt_table *t;
	char *t1, why[600];
	double t0;

	if (!kids || !plans || !ids)
		gt_fatal("setup", "out of memory");
	if (gt_raise_nofile((unsigned long)big + 64))
		gt_fatal("setup", "RLIMIT_NOFILE %d: %s", big + 64,
			 strerror(errno));
	if (gt_lo_up())
		gt_fatal("setup", "lo up: %s", strerror(errno));

	/* Process 0 holds `big` sockets, the others share the rest. */
	for (i = 0; i < nproc; i++) {
		int rest = nsock - big, others = nproc - 1;

		plans[i].index = i;
		plans[i].count = i == 0 ? big :
			rest / others + (i <= rest % others ? 1 : 0);
		if (gt_child_start(&kids[i], make_sockets, &plans[i]))
			gt_fatal("setup", "child %d (%d sockets): %s", i,
				 plans[i].count, strerror(errno));
		made += kids[i].vals[0];
		ids[nids++] = kids[i].pid;
	}
	ids[nids++] = getpid();	/* the reader: no sockets, so no rows */
	printf("# %d processes, %d sockets (%d in the first)\n", nproc, made,
	       big);

	t0 = gt_now();
	t1 = gt_read_file(GT_PROC, 1 << 20, &len1m);
	if (!t1 || !len1m)
		gt_fatal("read", "%s: %s", GT_PROC, strerror(errno));
	printf("# %zu bytes, read in %.3f s\n", len1m, gt_now() - t0);
	check_table("1m", t1, len1m, ids, nids);

	t = gt_parse(t1, len1m);
	if (!t)
		gt_fatal("parse", "could not parse %zu bytes", len1m);
	gt_check("rows", t->nrows >= made,
		 "rows: want at least %d (sockets made) got %d", made,
		 t->nrows);
	dups = gt_dup_rows(t, &dup);
	gt_check("unique.1m", dups == 0, "%d repeated (pid, fd), e.g. '%s'",
		 dups, dup ? dup->line : "");
	why[0] = '\0';
	for (i = 0; i < t->nrows; i++) {
		char buf[600];
		const char *p;

		p = gt_row_problem(t, &t->rows[i], buf, sizeof(buf));
		if (p && !bad++)
			snprintf(why, sizeof(why), "line %d: %s", i + 2, p);
	}
	gt_check("wellformed", bad == 0 && t->trailing_newline,
		 "%d bad lines (%s), trailing newline %d", bad, why,
		 t->trailing_newline);
	gt_free(t);

	third = len1m / 3;
	check_ends("4k", 4096, third < (1 << 20) ? third : (1 << 20), t1, len1m,
		   ids, nids);
	check_ends("1b", 1, third < PREFIX ? third : PREFIX, t1, len1m, ids,
		   nids);

	free(t1);
	for (i = 0; i < nproc; i++)
		gt_child_stop(&kids[i]);
	free(kids);
	free(plans);
	free(ids);
	return gt_done();
}
