// SPDX-License-Identifier: GPL-2.0
/*
 * fault_memcg: the first read() of /proc/sockfd gives the file a 64 KiB
 * read buffer (module/sockfd_proc.c), charged to the reader's memory
 * cgroup, but only to save time. A reader in a memory cgroup with too
 * little room for it must not pay for it: open() and read() succeed, no
 * OOM killer runs (no "oom" or "oom_kill" event in the cgroup), and the
 * reads fall back to seq_file's own page: no read() returns more than one
 * page, and the bytes equal an undisturbed read taken outside the cgroup.
 *
 * The child reads in a cgroup whose memory.max leaves it 8 pages: enough
 * for the file's small objects and seq_file's page, not for 16 pages at
 * once. memory.max starts below one charge batch (MEMCG_CHARGE_BATCH: 32
 * pages in 5.10, 64 in 6.1 and later), so that no pages are charged ahead
 * into a per-CPU stock that could hand the buffer out past the limit. The cgroup's "max" event shows the limit was met.
 *
 * Needs the memory controller (Debian's 5.10, 6.1 and 6.12); the debug
 * kernel has none, and there it only checks that it is the debug kernel.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG GT_CGROUP2 "/sockfd-memcg"
#define NPAIRS 20		/* 40 socket fds: about 8 KiB of lines */
#define ROOM (8 * 4096)		/* left in the cgroup for open and read */
#define START_MAX "126976"	/* 31 pages: below one charge batch */
#define SHARED (4 << 20)

/* What the child saw, in memory shared with the parent. */
struct seen {
	int step;		/* 0: all done; else where it failed */
	int err;		/* and its errno */
	long long current;	/* memory.current before the limit */
	size_t len;		/* bytes read */
	size_t max_read;	/* the largest read() */
	char data[];
};

static int pairs[NPAIRS][2];

/* A number from a cgroup file: the value of key, or the file's only one. */
static long long cg_num(const char *file, const char *key)
{
	char path[256], line[256];
	long long v = -1;
	size_t kl = key ? strlen(key) : 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", CG, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strtoll(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			v = strtoll(line + kl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * The child: into the cgroup, the limit down to what it uses now plus
 * ROOM, then the whole file into s->data in reads of up to 1 MiB. Every
 * page it writes was touched by the parent before the fork (s is shared).
 */
static void child(struct seen *s)
{
	char val[32];
	int fd;

	for (int i = 0; i < NPAIRS; i++) {	/* the parent's, not ours */
		close(pairs[i][0]);
		close(pairs[i][1]);
	}
	s->step = 1;
	if (gt_write_file(CG "/cgroup.procs", "0"))
		goto fail;
	s->step = 2;
	s->current = cg_num("memory.current", NULL);
	snprintf(val, sizeof(val), "%lld", s->current + ROOM);
	if (s->current < 0 || gt_write_file(CG "/memory.max", val))
		goto fail;
	s->step = 3;
	fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	s->step = 4;
	for (;;) {
		size_t room = SHARED - sizeof(*s) - s->len;
		ssize_t n = read(fd, s->data + s->len, room < (1 << 20) ? room : (1 << 20));

		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		s->len += n;
		if ((size_t)n > s->max_read)
			s->max_read = n;
	}
	close(fd);
	s->step = 0;
	_exit(0);
fail:
	s->err = errno;
	_exit(1);
}

int main(void)
{
	const char *kernel = getenv("SOCKFD_KERNEL");
	char *ref, *buf, ctl[4096] = "";
	size_t ref_len;
	struct seen *s;
	ssize_t n;
	pid_t pid;
	int fd, st;

	gt_init("fault_memcg");
	fd = gt_cgroup2() ? -1 : open(GT_CGROUP2 "/cgroup.controllers", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, ctl, sizeof(ctl) - 1);
		ctl[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	if (!strstr(ctl, "memory")) {
		gt_check("memcg_present", kernel && !strcmp(kernel, "debug"),
			 "no memory controller in %s/cgroup.controllers on %s",
			 GT_CGROUP2, kernel ? kernel : "an unnamed kernel");
		return gt_done();
	}
	if (gt_write_file(GT_CGROUP2 "/cgroup.subtree_control", "+memory") ||
	    (mkdir(CG, 0755) && errno != EEXIST) || gt_write_file(CG "/memory.max", START_MAX))
		gt_fatal("setup", "cgroup %s: %s", CG, strerror(errno));
	for (int i = 0; i < NPAIRS; i++)
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairs[i]))
			gt_fatal("setup", "socketpair: %s", strerror(errno));

	/* Outside the cgroup: the bytes, and one read() gets more than a page. */
	ref = gt_read_file(GT_PROC, 1 << 20, &ref_len);
	if (!ref || ref_len <= 2 * 4096)
		gt_fatal("setup", "undisturbed read: %zu bytes, %s", ref_len,
			 ref ? "want more than 2 pages" : strerror(errno));
	buf = malloc(1 << 20);
	fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 && buf ? read(fd, buf, 1 << 20) : -1;
	gt_check("big_read_outside", n > 4096,
		 "one read() outside the cgroup gave %zd bytes, want more than a page", n);
	if (fd >= 0)
		close(fd);
	free(buf);

	s = mmap(NULL, SHARED, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		gt_fatal("setup", "mmap: %s", strerror(errno));
	memset(s, 0, SHARED);	/* charged here, outside the cgroup */
	s->step = -1;
	pid = fork();
	if (pid < 0)
		gt_fatal("setup", "fork: %s", strerror(errno));
	if (pid == 0)
		child(s);
	if (waitpid(pid, &st, 0) != pid)
		gt_fatal("setup", "waitpid: %s", strerror(errno));

	gt_check("child_exits", WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the reader in the cgroup %s %d (step %d: %s; memory.current was %lld)",
		 WIFSIGNALED(st) ? "was killed by signal" : "exited with",
		 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), s->step,
		 strerror(s->err), s->current);
	gt_check("no_oom", cg_num("memory.events", "oom") == 0 &&
		 cg_num("memory.events", "oom_kill") == 0,
		 "memory.events: oom %lld, oom_kill %lld: the optional buffer ran the OOM killer",
		 cg_num("memory.events", "oom"), cg_num("memory.events", "oom_kill"));
	gt_check("limit_met", cg_num("memory.events", "max") > 0,
		 "memory.events max is %lld: the buffer was never refused by the limit",
		 cg_num("memory.events", "max"));
	if (s->step == 0) {
		size_t alen, blen;

		gt_check("page_reads", s->max_read <= 4096 && s->len > 4096,
			 "in the cgroup the largest read() gave %zu bytes (of %zu): "
			 "want seq_file's page, at most 4096", s->max_read, s->len);
		/* but for the columns that move between reads: the
		 * reader's own fds (gt_mask_moving()) */
		char *a = gt_mask_moving(s->data, s->len, &alen);
		char *b = gt_mask_moving(ref, ref_len, &blen);

		if (!a || !b)
			gt_fatal("same_bytes", "out of memory");
		gt_check("same_bytes", alen == blen && !memcmp(a, b, blen),
			 "%zu bytes in the cgroup, %zu outside, or they differ",
			 s->len, ref_len);
		free(a);
		free(b);
	}
	for (int i = 0; i < NPAIRS; i++) {
		close(pairs[i][0]);
		close(pairs[i][1]);
	}
	munmap(s, SHARED);
	free(ref);
	if (rmdir(CG))
		gt_fail("cleanup", "rmdir %s: %s", CG, strerror(errno));
	return gt_done();
}
