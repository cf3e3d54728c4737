// SPDX-License-Identifier: GPL-2.0
/*
 * robust_buffers: what an open file of /proc/sockfd pins. A file gets its
 * 64 KiB read buffer at its first read(), not at open, and only while fewer
 * than a bound of such buffers exist (module/sockfd_proc.c: 4 per possible
 * CPU, at least 16; the CPUs from /sys/devices/system/cpu/possible); beyond
 * it the file reads through seq_file's page. Ground truth for memory is
 * SUnreclaim of /proc/meminfo (a 64 KiB kmalloc comes from the page
 * allocator and is counted there, as the slab pages of the small objects
 * and of seq_file's page are), refreshed through /proc/sys/vm/stat_refresh.
 *
 * 1. opens     NOPEN opens without a read grow SUnreclaim by less than
 *              open_cost each (a buffer per open would be 64 KiB each:
 *              625 MiB), and closing them gives it back (on the debug
 *              kernel KASAN's quarantine keeps freed objects in
 *              SUnreclaim: there kmemleak finds nothing left instead).
 * 2. readers   READERS threads (8 times the bound) open the file and read
 *              1 MiB once, all at the same moment, and keep the file: a
 *              read returns some 64 KiB (the large buffer: more than 62 KiB)
 *              or some 4 KiB (the page: at most 4096), exactly the bound's
 *              number of them the former; SUnreclaim grows by at most
 *              bound x 64 KiB + READERS x (4 KiB + open_cost) + SLACK.
 * 3. same      on a quiet snapshot (NPAIRS socketpairs made first, nothing
 *              changing), a file with the large buffer and one with the
 *              page read the same bytes, a whole pass, well-formed, with
 *              this process's socket fds as /proc/self/fd lists them.
 * 4. race      RACES times, two threads make the first read() of one file
 *              at once (one large buffer per file, however many readers).
 * 5. again     after every file of 2 and 4 is closed, step 2 again: the
 *              bound's number of large buffers, no fewer (a count not
 *              given back at close) and no more (one given back twice, or
 *              by a file that had the page).
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NOPEN 10000
/*
 * Bytes of SUnreclaim an unread open may cost: its file, seq_file, the
 * module's iterator and procfs's opener record, some 700 bytes measured on
 * 6.1 and 6.12. The debug kernel adds KASAN's metadata and a kmemleak
 * record to each object, and KASAN's quarantine keeps what open() frees:
 * 2,517 and 3,061 bytes measured in two runs on 7.2.
 */
#define OPEN_COST 2048
#define OPEN_COST_DEBUG 6144
#define SLACK (1024 * 1024)	/* SUnreclaim's own moves meanwhile */
#define BIG (64 * 1024)		/* the module's large buffer */
#define PAGE 4096		/* seq_file's own */
#define LINE_MAX_LEN 2048	/* longer than any line (module: under 2 KiB) */
#define NPAIRS 200		/* 400 socket fds: some 100 KiB of lines */
#define RACES 64
#define CHUNK (1 << 20)

static int bound;		/* large buffers the module may give at once */
static bool debug;		/* SOCKFD_KERNEL=debug: KASAN, kmemleak */
static long long open_cost;	/* OPEN_COST or OPEN_COST_DEBUG */

/* The module's bound, from the possible CPUs ("0-1", "0,2-5"). */
static int expected_bound(void)
{
	size_t len;
	char *text = gt_read_file("/sys/devices/system/cpu/possible", 4096, &len);
	char *p = text;
	int cpus = 0;

	while (p && *p && *p != '\n') {
		long a = strtol(p, &p, 10), b = a;

		if (*p == '-')
			b = strtol(p + 1, &p, 10);
		cpus += (int)(b - a + 1);
		if (*p == ',')
			p++;
	}
	free(text);
	if (cpus <= 0)
		gt_fatal("setup", "no CPUs in /sys/devices/system/cpu/possible");
	return 4 * cpus > 16 ? 4 * cpus : 16;
}

/* SUnreclaim in bytes, the per-CPU counter deltas folded in first. */
static long long sunreclaim(void)
{
	long kb;

	gt_write_file("/proc/sys/vm/stat_refresh", "1");
	kb = gt_meminfo_kb("SUnreclaim");
	if (kb < 0)
		gt_fatal("setup", "no SUnreclaim in /proc/meminfo");
	return (long long)kb * 1024;
}

/* 1: many opens, no read. */
static void test_opens(void)
{
	static int fds[NOPEN];
	long long before, held, closed;
	int i;

	if (gt_raise_nofile(NOPEN + 2 * NPAIRS + 1024))
		gt_fatal("opens.setup", "RLIMIT_NOFILE %d: %s", NOPEN + 2 * NPAIRS + 1024, strerror(errno));
	/* Grow the fd table first: its arrays are not the files' cost. */
	for (i = 0; i < NOPEN; i++)
		if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			gt_fatal("opens.setup", "open /dev/null %d: %s", i, strerror(errno));
	for (i = 0; i < NOPEN; i++)
		close(fds[i]);
	gt_kmemleak_clear();
	before = sunreclaim();
	for (i = 0; i < NOPEN; i++)
		if ((fds[i] = open(GT_PROC, O_RDONLY | O_CLOEXEC)) < 0)
			gt_fatal("opens.open", "open %d of %d: %s", i + 1, NOPEN, strerror(errno));
	held = sunreclaim();
	for (i = 0; i < NOPEN; i++)
		close(fds[i]);
	gt_msleep(200);	/* the files go at task work and RCU */
	closed = sunreclaim();
	printf("# %d opens without a read: SUnreclaim %+lld KiB (%lld bytes an open), "
	       "%+lld KiB after closing\n", NOPEN, (held - before) / 1024,
	       (held - before) / NOPEN, (closed - before) / 1024);
	gt_check("opens.unread", held - before < NOPEN * open_cost,
		 "%d opens without a read grew SUnreclaim by %lld KiB, want less than %lld "
		 "(%lld bytes an open; a 64 KiB buffer an open is %lld)", NOPEN,
		 (held - before) / 1024, NOPEN * open_cost / 1024, open_cost,
		 (long long)NOPEN * BIG / 1024);
	if (debug) {
		/* false without a check only where there is no kmemleak */
		if (!gt_check_kmemleak("opens.closed") &&
		    access("/sys/kernel/debug/kmemleak", F_OK))
			gt_fail("opens.closed", "no kmemleak on the debug kernel");
	} else {
		gt_check("opens.closed", closed - before < SLACK,
			 "after closing the %d files SUnreclaim is %+lld KiB from before, "
			 "want less than %d", NOPEN, (closed - before) / 1024, SLACK / 1024);
	}
}

/* A pool of readers: all at once, each opens the file and reads once. */
struct reader {
	pthread_t t;
	pthread_barrier_t *go;
	int fd;
	ssize_t n;		/* the first read()'s bytes */
	int err;
	char *buf;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	pthread_barrier_wait(r->go);	/* the parent has measured before */
	r->fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	r->err = errno;
	r->n = r->fd >= 0 ? read(r->fd, r->buf, CHUNK) : -1;
	if (r->n < 0 && r->fd >= 0)
		r->err = errno;
	pthread_barrier_wait(r->go);	/* the parent measures after */
	return NULL;
}

/* 2 and 5: n readers; returns how many got the large buffer. */
static int test_readers(const char *name, struct reader *rs, int n)
{
	pthread_barrier_t go;
	pthread_attr_t attr;
	long long before, after, allowed;
	int i, big = 0, page = 0, odd = 0;
	ssize_t odd_n = 0;
	char check[64];

	pthread_barrier_init(&go, NULL, (unsigned int)n + 1);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < n; i++) {
		rs[i].go = &go;
		rs[i].n = -1;
		if (pthread_create(&rs[i].t, &attr, reader_main, &rs[i]))
			gt_fatal("readers.setup", "pthread_create %d", i);
	}
	/* Every thread exists in both measurements: only files count. */
	before = sunreclaim();
	pthread_barrier_wait(&go);
	pthread_barrier_wait(&go);
	after = sunreclaim();
	for (i = 0; i < n; i++)
		pthread_join(rs[i].t, NULL);
	pthread_barrier_destroy(&go);
	pthread_attr_destroy(&attr);

	for (i = 0; i < n; i++) {
		if (rs[i].fd < 0 || rs[i].n < 0)
			gt_fatal("readers.setup", "reader %d: %s", i, strerror(rs[i].err));
		if (rs[i].n > BIG - LINE_MAX_LEN && rs[i].n <= BIG) {
			big++;
		} else if (rs[i].n > PAGE - LINE_MAX_LEN && rs[i].n <= PAGE) {
			page++;
		} else if (!odd++) {
			odd_n = rs[i].n;
		}
	}
	allowed = (long long)bound * BIG + n * (PAGE + open_cost) + SLACK;
	printf("# %s: %d readers, %d read ~64 KiB, %d ~4 KiB; SUnreclaim %+lld KiB "
	       "(allowed %lld)\n", name, n, big, page, (after - before) / 1024,
	       allowed / 1024);
	snprintf(check, sizeof(check), "%s.sizes", name);
	gt_check(check, !odd, "%d first reads of 1 MiB returned neither 62-64 KiB nor 2-4 KiB "
		 "of lines (e.g. %zd bytes)", odd, odd_n);
	snprintf(check, sizeof(check), "%s.bound", name);
	gt_check(check, big == bound && page == n - bound,
		 "of %d readers %d got the large buffer and %d the page: want %d and %d",
		 n, big, page, bound, n - bound);
	snprintf(check, sizeof(check), "%s.memory", name);
	gt_check(check, after - before <= allowed,
		 "%d readers holding their files grew SUnreclaim by %lld KiB, want at most "
		 "%lld (%d x 64 KiB + %d x %lld B + %d KiB)", n, (after - before) / 1024,
		 allowed / 1024, bound, n, PAGE + open_cost, SLACK / 1024);
	return big;
}

/* The rest of a reader's file, after its first read: reads of 1 MiB. */
static char *read_rest(struct reader *r, size_t *len, size_t *max_read)
{
	size_t size = (size_t)r->n + (8 << 20), got = (size_t)r->n;
	char *text = malloc(size);
	ssize_t k = 0;

	if (!text)
		return NULL;
	memcpy(text, r->buf, got);
	*max_read = got;
	while (got < size && (k = read(r->fd, text + got, size - got < CHUNK ? size - got : CHUNK)) > 0) {
		got += (size_t)k;
		if ((size_t)k > *max_read)
			*max_read = (size_t)k;
	}
	*len = got;
	if (k < 0 || got == size) {
		free(text);
		return NULL;
	}
	return text;
}

/* 3: a large-buffer reader and a page reader read the same bytes. */
static void test_same(struct reader *rs, int n)
{
	struct reader *big = NULL, *page = NULL;
	size_t blen = 0, plen = 0, bmax = 0, pmax = 0, bmlen, pmlen;
	char *btext = NULL, *ptext = NULL, *bm, *pm, msg[700];
	struct gt_table *t;
	pid_t self = getpid();
	int i;

	for (i = 0; i < n; i++) {
		if (rs[i].n > PAGE && !big)
			big = &rs[i];
		else if (rs[i].n <= PAGE && !page)
			page = &rs[i];
	}
	if (!big || !page) {
		gt_fail("same", "no %s among the readers", big ? "page reader" : "large-buffer reader");
		return;
	}
	btext = read_rest(big, &blen, &bmax);
	ptext = read_rest(page, &plen, &pmax);
	if (!btext || !ptext)
		gt_fatal("same.read", "%s", strerror(errno));
	printf("# same: %zu bytes through the large buffer (largest read %zu), "
	       "%zu through the page (largest read %zu)\n", blen, bmax, plen, pmax);
	gt_check("same.page_reads", pmax <= PAGE,
		 "the page reader's largest read() gave %zu bytes, want at most %d", pmax, PAGE);
	/* but for the columns that move between reads (gt_mask_moving()) */
	bm = gt_mask_moving(btext, blen, &bmlen);
	pm = gt_mask_moving(ptext, plen, &pmlen);
	if (!bm || !pm)
		gt_fatal("same.mask", "out of memory");
	gt_check("same.bytes", bmlen == pmlen && !memcmp(bm, pm, bmlen),
		 "%zu bytes through the large buffer, %zu through the page, or they differ",
		 blen, plen);
	free(bm);
	free(pm);
	gt_check("same.well_formed", !gt_pass_problem(btext, blen, msg, sizeof(msg)), "%s", msg);
	t = gt_parse(btext, blen);
	if (!t)
		gt_fatal("same.parse", "%s", strerror(errno));
	gt_check_ids("same.fds", t, NULL, &self, 1);
	gt_free(t);
	free(btext);
	free(ptext);
}

/* 4: two threads make the first read of one file at once. */
struct racer {
	pthread_barrier_t *go;
	int fd;
	ssize_t n;
	char buf[PAGE];
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->n = read(r->fd, r->buf, sizeof(r->buf));
	return NULL;
}

static void test_race(void)
{
	static struct racer rc[2];
	pthread_barrier_t go;
	pthread_t t[2];
	int i, j, bad = 0;

	for (i = 0; i < RACES; i++) {
		int fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			gt_fatal("race.setup", "open: %s", strerror(errno));
		pthread_barrier_init(&go, NULL, 2);
		for (j = 0; j < 2; j++) {
			rc[j].go = &go;
			rc[j].fd = fd;
			if (pthread_create(&t[j], NULL, racer_main, &rc[j]))
				gt_fatal("race.setup", "pthread_create");
		}
		for (j = 0; j < 2; j++)
			pthread_join(t[j], NULL);
		pthread_barrier_destroy(&go);
		bad += rc[0].n <= 0 || rc[1].n <= 0;
		close(fd);
	}
	gt_check("race.reads", !bad, "%d of %d files: a thread's read() gave nothing", bad, RACES);
}

int main(void)
{
	static int pairs[NPAIRS][2];
	struct reader *rs;
	int i, n;

	const char *kernel = getenv("SOCKFD_KERNEL");

	gt_init("robust_buffers");
	debug = kernel && !strcmp(kernel, "debug");
	open_cost = debug ? OPEN_COST_DEBUG : OPEN_COST;
	bound = expected_bound();
	for (i = 0; i < NPAIRS; i++)
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairs[i]))
			gt_fatal("setup", "socketpair: %s", strerror(errno));
	printf("# bound: %d large buffers\n", bound);

	test_opens();

	n = 8 * bound;
	rs = calloc((size_t)n, sizeof(*rs));
	if (!rs)
		gt_fatal("setup", "calloc");
	for (i = 0; i < n; i++)
		if (!(rs[i].buf = malloc(CHUNK)))
			gt_fatal("setup", "malloc");
	test_readers("readers", rs, n);
	test_same(rs, n);
	for (i = 0; i < n; i++)
		close(rs[i].fd);

	test_race();
	test_readers("again", rs, n);
	for (i = 0; i < n; i++) {
		close(rs[i].fd);
		free(rs[i].buf);
	}
	free(rs);
	for (i = 0; i < NPAIRS; i++) {
		close(pairs[i][0]);
		close(pairs[i][1]);
	}
	return gt_done();
}
