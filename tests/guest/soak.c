// SPDX-License-Identifier: GPL-2.0
/*
 * soak: /proc/sockfd under everything at once, with the module removed and
 * loaded again every few seconds, for SOCKFD_SOAK_SECONDS (default 60).
 *
 * Writers (processes): TCP listener/client/accepted triples, UDP v4/v6,
 * unix pairs of every type, sockets passed with SCM_RIGHTS, children that
 * fork, open sockets and exit, threads that unshare(CLONE_FILES), open a
 * socket and dup2 it to a high fd, dup2 of held sockets to high fds, random
 * closes.
 * Readers (processes): whole reads (64 KiB read() calls), byte-by-byte
 * reads, random lseek()s followed by reads of random size, and a reader
 * running as uid 65534.
 * Cycler (this process): rmmod sockfd, a short pause (opens then fail with
 * ENOENT, reads of files still open with EIO), insmod sockfd.ko. It waits
 * for the first byte-by-byte pass to end whole, never for later ones.
 *
 * Checks: every pass (and every part of a pass cut short by rmmod) is
 * well-formed with no (pid, fd) twice; readers see no errno but ENOENT
 * (module out) and EIO (module removed under an open file); every rmmod
 * and insmod succeeds; after the churn, a snapshot equals the socket fds of
 * every process in /proc exactly; the kernel's socket count returns to
 * where it was (no socket leaked by a reference); kmemleak, where the
 * kernel has it, finds nothing new. Kernel reports (KASAN, lockdep, hung
 * tasks, ...) are failures of the runner.
 * concurrency: yes
 */
#define _GNU_SOURCE
#include "gt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS 2
#define MAX_HELD 48
#define HIGH_FD_MAX 60000
#define MSG_MAX 700

/* Counters shared by all processes (MAP_SHARED), updated atomically. */
struct soak_stats {
	long sockets, closes, forks, threads, dup2s, scm_passed;
	long reads_whole, reads_bytes, reads_seek, read_calls, lines;
	long interrupted, absent, bad_passes, odd_errors, rmmod_cycles;
	int bytes_reading;	/* a byte-by-byte pass is under way */
	int first_errno;
	char first_bad[MSG_MAX + 64];
};

static struct soak_stats *st;
static double deadline;

#define COUNT(field, n) __atomic_add_fetch(&st->field, (n), __ATOMIC_RELAXED)

static void bad_pass(const char *what, const char *msg)
{
	if (COUNT(bad_passes, 1) == 1)
		snprintf(st->first_bad, sizeof(st->first_bad), "%.40s: %s", what, msg);
}

static void odd_errno(int e)
{
	if (COUNT(odd_errors, 1) == 1)
		st->first_errno = e;
}

/* ------------------------------------------------------------------ */
/* Writers                                                             */
/* ------------------------------------------------------------------ */

struct writer {
	int held[MAX_HELD];
	unsigned int seed;
	int lst4, port4;	/* a long-lived listener to connect to */
};

static void hold(struct writer *w, int fd)
{
	int i;

	if (fd < 0)
		return;
	i = (int)(rand_r(&w->seed) % MAX_HELD);
	if (w->held[i] >= 0) {
		close(w->held[i]);
		COUNT(closes, 1);
	}
	w->held[i] = fd;
}

static int any_held(struct writer *w)
{
	int i, start = (int)(rand_r(&w->seed) % MAX_HELD);

	for (i = 0; i < MAX_HELD; i++)
		if (w->held[(start + i) % MAX_HELD] >= 0)
			return w->held[(start + i) % MAX_HELD];
	return -1;
}

static void op_tcp(struct writer *w)
{
	int c = gt_inet_connect(AF_INET, SOCK_STREAM, w->port4), a;

	if (c < 0)
		return;
	COUNT(sockets, 1);
	hold(w, c);
	a = accept4(w->lst4, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (a >= 0) {
		COUNT(sockets, 1);
		if (rand_r(&w->seed) % 2)
			(void)!write(c, "soak", 4);	/* bytes in rxq */
		hold(w, a);
	}
}

static void op_udp(struct writer *w)
{
	int fam = rand_r(&w->seed) % 2 ? AF_INET6 : AF_INET;
	int fd = gt_inet_socket(fam, SOCK_DGRAM, 0, -1, false);

	if (fd < 0)
		return;
	COUNT(sockets, 1);
	if (rand_r(&w->seed) % 2) {
		struct sockaddr_storage ss;
		socklen_t len = gt_loopback_addr(fam, 9, &ss);

		(void)!connect(fd, (struct sockaddr *)&ss, len);
	}
	hold(w, fd);
}

static void op_unix(struct writer *w)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	int sv[2];

	if (socketpair(AF_UNIX, types[rand_r(&w->seed) % 3] | SOCK_CLOEXEC, 0, sv))
		return;
	COUNT(sockets, 2);
	hold(w, sv[0]);
	hold(w, sv[1]);
}

/* Pass a held socket through a fresh unix pair; keep what arrives. */
static void op_scm(struct writer *w)
{
	int sv[2], fd = any_held(w), got;

	if (fd < 0 || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return;
	COUNT(sockets, 2);
	if (gt_send_fd(sv[0], fd) == 0) {
		/* In flight: in no fd table until received. */
		if (rand_r(&w->seed) % 4 == 0)
			sched_yield();
		got = gt_recv_fd(sv[1], MSG_CMSG_CLOEXEC);
		if (got >= 0) {
			COUNT(scm_passed, 1);
			hold(w, got);
		}
	}
	close(sv[0]);
	close(sv[1]);
	COUNT(closes, 2);
}

/* A child with copies of every fd opens a few sockets and exits soon. */
static void op_fork(struct writer *w)
{
	unsigned int delay = rand_r(&w->seed) % 20;
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		for (i = 0; i < 3; i++)
			(void)!socket(i % 2 ? AF_INET6 : AF_UNIX, SOCK_DGRAM, 0);
		gt_msleep(delay);
		_exit(0);
	}
	if (pid > 0) {
		COUNT(forks, 1);
		COUNT(sockets, 3);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void *unsharing_thread(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg;
	int fd;

	if (unshare(CLONE_FILES))
		return NULL;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0) {
		COUNT(sockets, 1);
		if (dup2(fd, 1000 + (int)(seed % 4000)) >= 0)
			COUNT(dup2s, 1);
	}
	gt_msleep(seed % 10);
	return NULL;	/* the private table and its sockets go with it */
}

static void op_thread(struct writer *w)
{
	pthread_t t;

	if (pthread_create(&t, NULL, unsharing_thread,
			   (void *)(unsigned long)rand_r(&w->seed)) == 0) {
		COUNT(threads, 1);
		pthread_join(t, NULL);
	}
}

static void op_dup2(struct writer *w)
{
	int fd = any_held(w), high = 100 + (int)(rand_r(&w->seed) % (HIGH_FD_MAX - 100));

	if (fd >= 0 && dup2(fd, high) == high) {
		COUNT(dup2s, 1);
		hold(w, high);
	}
}

static void op_close(struct writer *w)
{
	int i = (int)(rand_r(&w->seed) % MAX_HELD);

	if (w->held[i] >= 0) {
		close(w->held[i]);
		w->held[i] = -1;
		COUNT(closes, 1);
	}
}

static void writer_run(unsigned int seed)
{
	static void (*const ops[])(struct writer *) = {
		op_tcp, op_udp, op_unix, op_scm, op_fork, op_thread, op_dup2,
		op_close,
	};
	struct writer w = { .seed = seed };
	int i;

	for (i = 0; i < MAX_HELD; i++)
		w.held[i] = -1;
	w.lst4 = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 64, false);
	w.port4 = gt_port(w.lst4);
	if (w.lst4 < 0 || w.port4 < 0)
		_exit(2);
	fcntl(w.lst4, F_SETFL, O_NONBLOCK);
	while (gt_now() < deadline)
		ops[rand_r(&w.seed) % (sizeof(ops) / sizeof(ops[0]))](&w);
	while (waitpid(-1, NULL, 0) > 0)
		;
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* Readers                                                             */
/* ------------------------------------------------------------------ */

enum read_mode { READ_WHOLE, READ_BYTES, READ_SEEK };

/* The header line, from the first whole pass: lseek windows get it back. */
static char header[512];

/*
 * Read fd to the end in read() calls of chunk bytes. Returns the bytes (NUL-terminated, *len) and sets *err to 0, or
 * to the errno that cut the pass short (the bytes so far are returned).
 * Returns NULL when the soak ends first (a byte-by-byte pass is long on
 * the debug kernel).
 */
static char *read_pass(int fd, size_t chunk, size_t *len, int *err)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);

	*err = 0;
	while (buf) {
		ssize_t r;

		if (n + chunk > cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				*err = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		if (n % 4096 == 0 && gt_now() > deadline) {
			free(buf);
			return NULL;
		}
		r = read(fd, buf + n, chunk);
		COUNT(read_calls, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*err = r < 0 ? errno : 0;
			break;
		}
		n += (size_t)r;
	}
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* Check the whole lines of text[0..len) as a pass: with the header prepended
 * unless text starts with it. */
static void check_lines(const char *what, const char *text, size_t len)
{
	char msg[MSG_MAX], *p;
	size_t hl = strlen(header), n;
	int lines = 0;

	/* Only complete lines: a cut-short pass may end in the middle of one. */
	while (len && text[len - 1] != '\n')
		len--;
	if (!len)
		return;
	for (n = 0; n < len; n++)
		lines += text[n] == '\n';
	if (len >= hl && !memcmp(text, header, hl)) {
		if (gt_pass_problem(text, len, msg, sizeof(msg)))
			bad_pass(what, msg);
		COUNT(lines, lines - 1);
		return;
	}
	p = malloc(hl + len + 1);
	if (!p)
		return;
	memcpy(p, header, hl);
	memcpy(p + hl, text, len);
	p[hl + len] = '\0';
	if (gt_pass_problem(p, hl + len, msg, sizeof(msg)))
		bad_pass(what, msg);
	COUNT(lines, lines);
	free(p);
}

/* An open of /proc/sockfd; -1 while the module is out (ENOENT). */
static int open_proc(void)
{
	int fd = open(GT_PROC, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			COUNT(absent, 1);
		else
			odd_errno(errno);
		gt_msleep(5);
	}
	return fd;
}

/* A read error: EIO when the module went away under the open file. */
static void read_error(int err)
{
	if (err == EIO)
		COUNT(interrupted, 1);
	else
		odd_errno(err);
}

static void reader_pass(enum read_mode mode, unsigned int *seed)
{
	int fd = open_proc(), err, i;
	size_t len;
	char *text;

	if (fd < 0)
		return;
	if (mode == READ_SEEK) {
		/* Windows at random offsets, lines cut at both ends. */
		for (i = 0; i < 16; i++) {
			off_t off = (off_t)(rand_r(seed) % (32 * 1024));
			size_t want = 1 + rand_r(seed) % 4096;
			char *buf = malloc(want + 1), *nl;
			ssize_t r;

			if (!buf)
				break;
			if (lseek(fd, off, SEEK_SET) != off) {
				int e = errno;

				/* procfs answers lseek() on a removed entry
				 * with EINVAL, read() with EIO: tell them
				 * apart from an EINVAL of the module's. */
				if (e == EINVAL && read(fd, buf, 1) < 0 && errno == EIO)
					e = EIO;
				read_error(e);
				free(buf);
				break;
			}
			r = read(fd, buf, want);
			COUNT(read_calls, 1);
			if (r < 0) {
				read_error(errno);
				free(buf);
				break;
			}
			COUNT(reads_seek, 1);
			nl = off == 0 ? buf - 1 : memchr(buf, '\n', (size_t)r);
			if (nl && nl + 1 < buf + r)
				check_lines("seek window", nl + 1,
					    (size_t)(buf + r - nl - 1));
			free(buf);
		}
		close(fd);
		return;
	}
	if (mode == READ_BYTES)
		__atomic_store_n(&st->bytes_reading, 1, __ATOMIC_RELAXED);
	text = read_pass(fd, mode == READ_BYTES ? 1 : 1 << 16, &len, &err);
	__atomic_store_n(&st->bytes_reading, 0, __ATOMIC_RELAXED);
	close(fd);
	if (!text)
		return;
	if (err) {
		read_error(err);
		/* What came before the cut: whole lines only, except that a
		 * byte-by-byte read may stop inside one. */
		if (mode == READ_WHOLE && len && text[len - 1] != '\n')
			bad_pass("cut-short whole read", "ends inside a line");
		check_lines("cut-short pass", text, len);
	} else {
		char msg[MSG_MAX];

		long lines = -1;	/* the header is no line of data */

		if (gt_pass_problem(text, len, msg, sizeof(msg)))
			bad_pass(mode == READ_BYTES ? "byte-by-byte pass" : "whole pass",
				 msg);
		for (i = 0; i < (int)len; i++)
			lines += text[i] == '\n';
		COUNT(lines, lines);
		if (mode == READ_BYTES)
			COUNT(reads_bytes, 1);
		else
			COUNT(reads_whole, 1);
	}
	free(text);
}

static void reader_run(int id)
{
	unsigned int seed = (unsigned int)getpid() * 7919u + (unsigned int)id;

	if (id == 2 && gt_become(65534, 65534))
		_exit(2);
	while (gt_now() < deadline) {
		enum read_mode mode;

		switch (id) {
		case 0:
			mode = rand_r(&seed) % 2 ? READ_WHOLE : READ_SEEK;
			break;
		case 1:
			mode = rand_r(&seed) % 4 ? READ_BYTES : READ_SEEK;
			break;
		default:
			mode = READ_WHOLE;
			break;
		}
		reader_pass(mode, &seed);
	}
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* The module cycler and the final checks                              */
/* ------------------------------------------------------------------ */

/*
 * Until one byte-by-byte pass has ended whole, let the one under way finish
 * before the next rmmod (at most BYTES_WAIT_MAX seconds): on a slow kernel
 * (KCSAN under TCG) a pass of one read() per byte outlasts the 1.5-3.5 s
 * between cycles, and every pass would be cut short. Later passes are cut
 * as before.
 */
#define BYTES_WAIT_MAX 30

static void let_first_byte_pass_end(void)
{
	double until = gt_now() + BYTES_WAIT_MAX;

	while (__atomic_load_n(&st->reads_bytes, __ATOMIC_RELAXED) == 0 &&
	       __atomic_load_n(&st->bytes_reading, __ATOMIC_RELAXED) &&
	       gt_now() < until && gt_now() + 4 < deadline)
		gt_msleep(50);
}

static bool module_loaded(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static int insmod(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = (int)syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return r;
}

static int rmmod(const char *name)
{
	return (int)syscall(SYS_delete_module, name, O_NONBLOCK);
}

/* Every numeric entry of /proc, plus extra ids (threads with own tables). */
static int all_ids(pid_t *ids, int max, const pid_t *extra, int nextra)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) && n < max)
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			ids[n++] = (pid_t)atoi(de->d_name);
	if (d)
		closedir(d);
	while (nextra-- > 0 && n < max)
		ids[n++] = extra[nextra];
	return n;
}

/*
 * After the churn, a fixed population (this process, a child, and a thread
 * of the child with an fd table of its own) and /proc/sockfd must equal
 * the socket fds /proc shows for every process.
 */
static void *snap_thread(void *arg)
{
	int *tid = arg;

	if (unshare(CLONE_FILES) || dup2(socket(AF_INET6, SOCK_STREAM, 0), 2345) < 0)
		tid[0] = -1;
	else
		tid[0] = (int)gettid();
	__atomic_store_n(&tid[1], 1, __ATOMIC_RELEASE);
	pause();
	return NULL;
}

static int snap_child(void *arg, int *vals, int max)
{
	static int tid[2];
	pthread_t t;
	int sv[2];

	(void)arg;
	if (max < 1 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    dup2(sv[0], 777) < 0 || pthread_create(&t, NULL, snap_thread, tid))
		return -1;
	while (!__atomic_load_n(&tid[1], __ATOMIC_ACQUIRE))
		gt_msleep(1);
	vals[0] = tid[0];
	return tid[0] > 0 ? 1 : -1;
}

static void check_snapshot(void)
{
	static pid_t ids[4096];
	struct gt_child child;
	struct gt_table *t;
	int lst, cli, acc, udp, n;

	lst = gt_inet_socket(AF_INET, SOCK_STREAM, 0, 4, false);
	cli = gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(lst));
	acc = accept(lst, NULL, NULL);
	udp = gt_inet_socket(AF_INET6, SOCK_DGRAM, 0, -1, false);
	if (lst < 0 || cli < 0 || acc < 0 || udp < 0 || dup2(udp, 4000) < 0 ||
	    gt_child_start(&child, snap_child, NULL))
		gt_fatal("snapshot.setup", "sockets or child: %s", strerror(errno));

	t = gt_load(4096);
	if (!t)
		gt_fatal("snapshot.read", "%s: %s", GT_PROC, strerror(errno));
	n = all_ids(ids, 4096, &child.vals[0], 1);
	gt_check_ids("snapshot.equals_proc", t, "/proc", ids, n);
	gt_check_only_pids("snapshot.no_other_ids", t, ids, n);
	gt_free(t);

	gt_child_stop(&child);
	close(lst);
	close(cli);
	close(acc);
	close(udp);
	close(4000);
}

int main(void)
{
	const char *ko = getenv("SOCKFD_KO"), *env = getenv("SOCKFD_SOAK_SECONDS");
	int secs = env && atoi(env) > 0 ? atoi(env) : 60;
	unsigned int seed = (unsigned int)getpid();
	pid_t kids[WRITERS + 3];
	long used_before;
	int i, nkids = 0, st_rm = 0, st_ins = 0, e_rm = 0, e_ins = 0;
	double t0;

	gt_init("soak");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!ko)
		ko = "/lib/sockfd/sockfd.ko";
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		gt_fatal("setup", "mmap: %s", strerror(errno));
	if (gt_lo_up() || gt_raise_nofile(HIGH_FD_MAX + 1024))
		gt_fatal("setup", "lo up / RLIMIT_NOFILE: %s", strerror(errno));
	if (!module_loaded("sockfd") && insmod(ko))
		gt_fatal("setup", "insmod %s: %s", ko, strerror(errno));
	{
		size_t len;
		char *h = gt_read_file(GT_PROC, 4096, &len), *nl;

		if (!h || !(nl = strchr(h, '\n')) || nl - h >= (long)sizeof(header))
			gt_fatal("setup", "no header in %s", GT_PROC);
		memcpy(header, h, (size_t)(nl - h + 1));
		free(h);
	}
	gt_kmemleak_clear();
	used_before = gt_sockets_used();

	printf("# soak: %d s, %d writers, 3 readers, rmmod/insmod every 1.5-3.5 s\n",
	       secs, WRITERS);
	t0 = gt_now();
	deadline = t0 + secs;
	for (i = 0; i < WRITERS + 3; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (i < WRITERS)
				writer_run(seed + (unsigned int)i * 104729u);
			reader_run(i - WRITERS);
		}
		if (pid < 0)
			gt_fatal("setup", "fork: %s", strerror(errno));
		kids[nkids++] = pid;
	}

	/* Cycle the module until the deadline; it is loaded at the end. */
	while (gt_now() + 4 < deadline) {
		gt_msleep(1500 + rand_r(&seed) % 2000);
		let_first_byte_pass_end();
		if (rmmod("sockfd")) {
			if (!st_rm++)
				e_rm = errno;
			continue;
		}
		gt_msleep(50 + rand_r(&seed) % 400);
		if (insmod(ko)) {
			if (!st_ins++)
				e_ins = errno;
			/* Try again: the rest of the run needs it. */
			gt_msleep(200);
			if (insmod(ko))
				gt_fatal("module.insmod", "insmod %s failed twice: %s", ko,
					 strerror(errno));
		}
		COUNT(rmmod_cycles, 1);
	}
	for (i = 0; i < nkids; i++) {
		int status;

		if (waitpid(kids[i], &status, 0) != kids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			gt_fail(i < WRITERS ? "writer.exit" : "reader.exit",
				"process %d ended with status 0x%x", i, status);
	}

	printf("# soak: %.0f s (churn and reads stopped): %ld sockets created, %ld closed, %ld forks, %ld unsharing threads, "
	       "%ld dup2 to high fds, %ld fds passed with SCM_RIGHTS\n",
	       gt_now() - t0, st->sockets, st->closes, st->forks, st->threads,
	       st->dup2s, st->scm_passed);
	printf("# soak: reads: %ld whole, %ld byte-by-byte, %ld after lseek (%ld read() calls, "
	       "%ld lines checked); %ld cut short by rmmod, %ld opens while unloaded; "
	       "%ld rmmod/insmod cycles\n",
	       st->reads_whole, st->reads_bytes, st->reads_seek, st->read_calls,
	       st->lines, st->interrupted, st->absent, st->rmmod_cycles);

	gt_check("module.rmmod", st_rm == 0, "%d rmmod sockfd failed, first: %s",
		 st_rm, strerror(e_rm));
	gt_check("module.insmod", st_ins == 0, "%d insmod failed, first: %s",
		 st_ins, strerror(e_ins));
	gt_check("module.cycles", st->rmmod_cycles >= secs / 8,
		 "rmmod/insmod cycles in %d s: want at least %d got %ld", secs,
		 secs / 8, st->rmmod_cycles);
	gt_check("reads.errno", st->odd_errors == 0,
		 "%ld opens/reads failed with an errno other than ENOENT/EIO, first: %s",
		 st->odd_errors, strerror(st->first_errno));
	gt_check("reads.wellformed_unique", st->bad_passes == 0,
		 "%ld bad passes, first: %s", st->bad_passes, st->first_bad);
	gt_check("reads.done", st->reads_whole >= 3 && st->reads_bytes >= 1 &&
		 st->reads_seek >= 3,
		 "too few passes: %ld whole, %ld byte-by-byte, %ld lseek windows",
		 st->reads_whole, st->reads_bytes, st->reads_seek);
	gt_check("writers.busy", st->sockets >= 100 && st->forks > 0 &&
		 st->threads > 0 && st->scm_passed > 0,
		 "too little churn: %ld sockets, %ld forks, %ld threads, %ld passed",
		 st->sockets, st->forks, st->threads, st->scm_passed);

	check_snapshot();
	gt_check_sockets_used("sockets_released", used_before);
	t0 = gt_now();
	if (gt_check_kmemleak("kmemleak"))
		printf("# soak: kmemleak scan: %.0f s\n", gt_now() - t0);
	return gt_done();
}
