// SPDX-License-Identifier: GPL-2.0
/*
 * walkthrough: the demonstrations of docs/walkthrough.md, each claim a
 * check against ground truth that does not come from the module
 * (/proc/PID/fd, /proc/net/tcp, /proc/net/sockstat, /proc/sys, the return
 * values and errno of the system calls, getsockname/getpeername via
 * gt_expect), and the module's rows compared with it (gt_check_fd,
 * gt_check_ids).  The sections:
 *   port        a LISTEN socket on 8080 and no ESTABLISHED one
 *   tuple       3 clients of 8080 differ only in their own port; the
 *               accepted sockets all have local 127.0.0.1:8080
 *   lowfd       socket() returns the lowest free fd: 3, 4, 5; 4 again
 *               after close(4)
 *   ephemeral   the clients' ports are inside ip_local_port_range
 *   handshake   both ends ESTABLISHED; a SYN to a listener whose accept
 *               queue is full stays SYN_SENT
 *   accept.N    N clients = N accepted sockets = N fds (N = 1000, 100 on
 *               the debug kernel), new inodes, the listener stays
 *   buffers     unread bytes sit in the receiver's rxq; a sender whose
 *               reader stops gets EAGAIN with its txq full; that queue's
 *               memory is sk_wmem_queued, not wmem (sk_wmem_alloc)
 *   rwclose     write/poll/read work alike on a socket and a file; close()
 *               removes the row
 *   sharing     dup(), fork() and SCM_RIGHTS: five fds in three processes,
 *               one open file (kcmp), one socket (one inode, five rows);
 *               O_NONBLOCK is the open file's, close-on-exec each fd's
 *   emfile      at RLIMIT_NOFILE socket() fails with EMFILE; the summary
 *               shows the process at 100%
 *   timewait    TIME_WAIT sockets have no row but are counted; a flood of
 *               short connections to one destination uses up a 100-port
 *               ephemeral range for that destination only: a connect() to
 *               another port gets a port that a TIME_WAIT socket holds
 *   container   a process in new network and pid namespaces: its sockets
 *               in another netns, listed with its host pid, its files
 *               (sockets up to its RLIMIT_NOFILE) counted in the node's
 *               file-nr
 *   seed.*      claims of the usual explanation, corrected: two processes
 *               on one TCP port (SO_REUSEPORT) and UDP on it too; a UDP
 *               flow with a TCP connection's addresses and ports; lseek()
 *               on a socket is ESPIPE, socket calls on a file ENOTSOCK;
 *               fs.file-max gives ENFILE, not EMFILE
 * walkthrough_user (a symbolic link to this file): the same program, run
 * as uid 65534 with no capabilities, as a student on a lab machine runs it
 * (make walkthrough-user); it leaves out timewait, container and
 * seed.enfile, which need root, and checks user.no_capabilities.
 * Every demonstration runs in child processes with fixed names ("puppets",
 * driven step by step over a pipe), so that the captured output is the
 * same on every run apart from pids, inodes, ports, timers, and the queue
 * and buffer sizes that depend on timing (docs/walkthrough.md says which).
 *
 * Captures: the commands the document shows run here and their output is
 * appended to CAPTURE ("@@ NAME" starts a block, "$ CMD" lines are the
 * commands; "@@ dot NAME" blocks are `sockfd --dot` graphs).
 * tests/vm/walkthrough.sh (make walkthrough) turns them into
 * docs/walkthrough.md's output blocks and figures.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where the captures go: SOCKFD_WALKTHROUGH_OUT, else as root
 * /run/walkthrough.txt, else /tmp/sockfd-walkthrough-UID.txt. */
static const char *capture_path = "/run/walkthrough.txt";
static char *cmd_path;		/* capture_path ".cmd": one command's output */
static const char *notes_path = "/tmp/notes.txt";
#define CAPTURE capture_path
#define PORT_RANGE "/proc/sys/net/ipv4/ip_local_port_range"
#define TW_REUSE "/proc/sys/net/ipv4/tcp_tw_reuse"
/* The ports, from SOCKFD_WALKTHROUGH_PORT (default 8080) up. */
static int port_base = 8080;
#define WEB_PORT (port_base)
#define BUSY_PORT (port_base + 1)
#define BIG_PORT (port_base + 2)
#define TW_PORT (port_base + 3)
#define TW_PORT2 (port_base + 4)
#define SEED_PORT (port_base + 5)
#define SHARE_PORT (port_base + 6)
/* Without root (a student on a lab machine, or walkthrough_user as uid
 * 65534): the demonstrations that need root are not run. */
static bool unprivileged;
#define FILE_MAX "/proc/sys/fs/file-max"
#define NOBODY 65534
/* The abstract unix name the receiver of section 9 listens on. */
#define PASS_NAME "sockfd-walkthrough-pass"
#ifndef KCMP_FILE
#define KCMP_FILE 0
#endif
/* Below the default ephemeral range (32768-60999): no port of another
 * socket, and no TIME_WAIT an earlier test left (it lasts a minute and may
 * end in the middle of the demonstration), is in it by chance. */
#define TW_RANGE_LO 30000
#define TW_RANGE_N 100
/* A puppet's pipes sit just below the usual soft RLIMIT_NOFILE, 1024,
 * out of the way of the low fds the demonstrations show. */
#define PUPPET_CMD 1022
#define PUPPET_RES 1023
#define USUAL_NOFILE 1024

/* ------------------------------------------------------------------ */
/* Captures                                                            */
/* ------------------------------------------------------------------ */

static void capture_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void capture_line(const char *fmt, ...)
{
	FILE *f = fopen(CAPTURE, "ae");
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* Run a shell command; its output (stdout and stderr) goes to CAPTURE
 * after a "$ CMD" line, and into out (if not NULL, malloc'ed).  A command
 * that fails is a failure: the document would show its error. */
static void shell(const char *cmd, char **out)
{
	char *full;
	size_t len;
	int st;

	capture_line("$ %s", cmd);
	if (asprintf(&full, "(%s) >%s 2>&1", cmd, cmd_path) < 0)
		gt_fatal("capture", "out of memory");
	st = system(full);
	if (st != 0)
		gt_fail("capture", "'%s' exited with status %d", cmd,
			st == -1 ? -1 : WEXITSTATUS(st));
	free(full);
	full = gt_read_file(cmd_path, 0, &len);
	if (full) {
		FILE *f = fopen(CAPTURE, "ae");

		if (f) {
			fwrite(full, 1, len, f);
			fclose(f);
		}
	}
	if (out)
		*out = full;
	else
		free(full);
}

static void capture(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void capture(const char *name, const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (n < 0)
		gt_fatal("capture", "out of memory");
	capture_line("@@ %s", name);
	shell(cmd, NULL);
	free(cmd);
}

/* A figure: the DOT text of `sockfd --dot ARGS`. */
static void figure(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void figure(const char *name, const char *fmt, ...)
{
	char *cmd, *args;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&args, fmt, ap);
	va_end(ap);
	if (n < 0)
		gt_fatal("figure", "out of memory");

	capture_line("@@ dot %s", name);
	if (asprintf(&cmd, "sockfd --dot %s >>%s", args, CAPTURE) < 0)
		gt_fatal("capture", "out of memory");
	if (system(cmd) != 0)
		gt_fail("figure", "%s failed", cmd);
	free(cmd);
	free(args);
}

/* ------------------------------------------------------------------ */
/* Puppets: child processes that run one operation per request         */
/* ------------------------------------------------------------------ */

enum op {
	OP_LISTEN,	/* a = port, b = backlog: [fd] */
	OP_CONNECT,	/* a = port, b = count: [count, fd...] (first 63) */
	OP_CONNECT_NB,	/* a = port: [fd] (non-blocking connect) */
	OP_ACCEPT,	/* a = listener, b = count: [count, fd...] (first 63) */
	OP_SOCKET,	/* a = count: [lowest free fd before, fd] per socket */
	OP_CLOSE,	/* a = fd: [close() result] */
	OP_SEND,	/* a = fd, b = bytes: [written] */
	OP_FLOOD,	/* a = fd: [bytes written, errno] until write() fails */
	OP_RW,		/* socketpair + file: write, poll, read on both */
	OP_HOG,		/* a = RLIMIT_NOFILE: [sockets, errno] until socket() fails */
	OP_TWFLOOD,	/* a = port, b = max: [connections, errno] connect + close */
	OP_ACCEPT_CLOSE,/* a = listener, b = count: [accepted] and closed */
	OP_GETPID,	/* [getpid()] */
	OP_LO_UP,	/* [gt_lo_up()] */
	OP_DUP,		/* a = fd: [dup(fd)] */
	OP_FORK,	/* [pid of a child "sharer-child" that keeps the fds] */
	OP_PASS_LISTEN,	/* [fd of a unix listener on @PASS_NAME] */
	OP_PASS_SEND,	/* a = fd: [0 or -1] sent over SCM_RIGHTS to @PASS_NAME */
	OP_PASS_RECV,	/* a = listener: [the fd received] (listener closed) */
	OP_NONBLOCK,	/* a = fd: [fcntl(F_SETFL, O_NONBLOCK) result] */
	OP_REUSEPORT,	/* a = port, b = backlog: [fd] listening with SO_REUSEPORT */
	OP_UDP_BIND,	/* a = port: [fd] a UDP socket bound to 127.0.0.1:a */
	OP_UDP_FLOW,	/* a = local port, b = remote port: [fd, bytes sent] */
	OP_BECOME,	/* a = uid (and gid): [gt_become() result] */
};

struct req {
	int op, a, b;
};

struct puppet {
	pid_t pid;	/* the process with the fds (host pid) */
	pid_t outer;	/* its parent in the host namespace (container), or 0 */
	int cmd, res;
};

static int lowest_free_fd(void)
{
	int fd;

	for (fd = 0; fd < USUAL_NOFILE; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			return fd;
	return -1;
}

static int connect_to(int port, struct sockaddr *unused, socklen_t *unused_len)
{
	(void)unused;
	(void)unused_len;
	return gt_inet_connect(AF_INET, SOCK_STREAM, port);
}

/* count calls of make(arg): v[0] = how many gave an fd, then the first
 * fds; returns the number of values. */
static int repeat(int (*make)(int, struct sockaddr *, socklen_t *), int arg, int count,
		  int *v)
{
	int n = 1, fd;

	v[0] = 0;
	for (int i = 0; i < count && (fd = make(arg, NULL, NULL)) >= 0; i++) {
		v[0]++;
		if (n < GT_CHILD_VALS)
			v[n++] = fd;
	}
	return n;
}

static int run_op(const struct req *q, int *v)
{
	char buf[65536];
	int n = 0, i, fd;

	switch (q->op) {
	case OP_LISTEN:
		v[n++] = gt_inet_socket(AF_INET, SOCK_STREAM, q->a, q->b, false);
		break;
	case OP_CONNECT:
		n = repeat(connect_to, q->a, q->b, v);
		break;
	case OP_CONNECT_NB: {
		struct sockaddr_storage ss;
		socklen_t len = gt_loopback_addr(AF_INET, q->a, &ss);

		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
			fd = -1;
		v[n++] = fd;
		break;
	}
	case OP_ACCEPT:
		n = repeat(accept, q->a, q->b, v);
		break;
	case OP_SOCKET:
		for (i = 0; i < q->a && n < GT_CHILD_VALS - 2; i++) {
			v[n++] = lowest_free_fd();
			v[n++] = socket(AF_INET, SOCK_STREAM, 0);
		}
		break;
	case OP_CLOSE:
		v[n++] = close(q->a);
		break;
	case OP_SEND:
		memset(buf, 'x', sizeof(buf));
		v[n++] = (int)write(q->a, buf, q->b < (int)sizeof(buf) ? q->b : (int)sizeof(buf));
		break;
	case OP_FLOOD: {
		ssize_t w;

		memset(buf, 'x', sizeof(buf));
		v[0] = 0;
		fcntl(q->a, F_SETFL, fcntl(q->a, F_GETFL) | O_NONBLOCK);
		while ((w = write(q->a, buf, sizeof(buf))) > 0)
			v[0] += (int)w;
		v[1] = errno;
		n = 2;
		break;
	}
	case OP_RW: {
		/* v: sock fds, file fd, written (sock, file), poll revents
		 * (sock, file), read bytes (sock, file) */
		struct pollfd p[2];
		int sv[2], f;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return -1;
		f = open(notes_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		v[0] = sv[0];
		v[1] = sv[1];
		v[2] = f;
		v[3] = (int)write(sv[0], "hello\n", 6);
		v[4] = (int)write(f, "hello\n", 6);
		lseek(f, 0, SEEK_SET);
		p[0] = (struct pollfd){ .fd = sv[1], .events = POLLIN };
		p[1] = (struct pollfd){ .fd = f, .events = POLLIN };
		poll(p, 2, 1000);
		v[5] = p[0].revents;
		v[6] = p[1].revents;
		v[7] = (int)read(sv[1], buf, sizeof(buf));
		v[8] = v[7] == 6 && memcmp(buf, "hello\n", 6) == 0;
		v[9] = (int)read(f, buf, sizeof(buf));
		v[10] = v[9] == 6 && memcmp(buf, "hello\n", 6) == 0;
		n = 11;
		break;
	}
	case OP_HOG: {
		struct rlimit rl;

		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = q->a;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			return -1;
		v[0] = 0;
		while (socket(AF_INET, SOCK_STREAM, 0) >= 0)
			v[0]++;
		v[1] = errno;
		n = 2;
		break;
	}
	case OP_TWFLOOD:
		v[0] = 0;
		v[1] = 0;
		for (i = 0; i < q->b; i++) {
			fd = gt_inet_connect(AF_INET, SOCK_STREAM, q->a);
			if (fd < 0) {
				v[1] = errno;
				break;
			}
			close(fd);
			v[0]++;
		}
		n = 2;
		break;
	case OP_ACCEPT_CLOSE:
		v[0] = 0;
		for (i = 0; i < q->b; i++) {
			fd = accept(q->a, NULL, NULL);
			if (fd < 0)
				break;
			/* the client closed first: read its FIN, then close */
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
			v[0]++;
		}
		n = 1;
		break;
	case OP_GETPID:
		v[n++] = getpid();
		break;
	case OP_LO_UP:
		v[n++] = gt_lo_up();
		break;
	case OP_DUP:
		v[n++] = dup(q->a);
		break;
	case OP_FORK: {
		pid_t child = fork();

		if (child == 0) {
			/* holds the fds it inherited until its parent dies */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(PUPPET_CMD);
			close(PUPPET_RES);
			gt_set_comm("sharer-child");
			for (;;)
				pause();
		}
		v[n++] = child;
		break;
	}
	case OP_PASS_LISTEN: {
		struct sockaddr_un un;
		socklen_t len = gt_unix_addr(&un, "\0" PASS_NAME, sizeof(PASS_NAME));

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && (bind(fd, (struct sockaddr *)&un, len) || listen(fd, 1))) {
			close(fd);
			fd = -1;
		}
		v[n++] = fd;
		break;
	}
	case OP_PASS_SEND: {
		struct sockaddr_un un;
		socklen_t len = gt_unix_addr(&un, "\0" PASS_NAME, sizeof(PASS_NAME));

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		v[n++] = fd >= 0 && connect(fd, (struct sockaddr *)&un, len) == 0 &&
			 gt_send_fd(fd, q->a) == 0 ? 0 : -1;
		if (fd >= 0)
			close(fd);
		break;
	}
	case OP_PASS_RECV:
		fd = accept(q->a, NULL, NULL);
		v[n++] = fd >= 0 ? gt_recv_fd(fd, MSG_CMSG_CLOEXEC) : -1;
		if (fd >= 0)
			close(fd);
		close(q->a);
		break;
	case OP_NONBLOCK:
		v[n++] = fcntl(q->a, F_SETFL, fcntl(q->a, F_GETFL) | O_NONBLOCK);
		break;
	case OP_REUSEPORT: {
		struct sockaddr_storage ss;
		socklen_t len = gt_loopback_addr(AF_INET, q->a, &ss);
		int one = 1;

		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
				bind(fd, (struct sockaddr *)&ss, len) || listen(fd, q->b))) {
			close(fd);
			fd = -1;
		}
		v[n++] = fd;
		break;
	}
	case OP_UDP_BIND:
		v[n++] = gt_inet_socket(AF_INET, SOCK_DGRAM, q->a, -1, false);
		break;
	case OP_UDP_FLOW: {
		struct sockaddr_storage ss;
		socklen_t len = gt_loopback_addr(AF_INET, q->b, &ss);

		fd = gt_inet_socket(AF_INET, SOCK_DGRAM, q->a, -1, false);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, len)) {
			close(fd);
			fd = -1;
		}
		v[n++] = fd;
		v[n++] = fd >= 0 ? (int)write(fd, "ping\n", 5) : -1;
		break;
	}
	case OP_BECOME:
		v[n++] = gt_become(q->a, q->a);
		break;
	default:
		return -1;
	}
	return n;
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		len -= r;
	}
	return true;
}

/* The puppet's side: requests until the parent closes the pipe. */
static void __attribute__((noreturn)) puppet_loop(void)
{
	struct req q;
	int v[GT_CHILD_VALS], n;

	while (read_all(PUPPET_CMD, &q, sizeof(q))) {
		n = run_op(&q, v);
		if (write(PUPPET_RES, &n, sizeof(n)) != sizeof(n) ||
		    (n > 0 && write(PUPPET_RES, v, n * sizeof(int)) != (ssize_t)(n * sizeof(int))))
			_exit(1);
	}
	_exit(0);
}

/*
 * Fork a puppet named comm whose fd table holds only 0, 1, 2 and its two
 * pipes (at PUPPET_CMD, PUPPET_RES).  container: it first enters new
 * network and pid namespaces (as `unshare -n -p -f` does) and the puppet
 * is the child there, pid 1 of its namespace.
 */
static void puppet_start(struct puppet *p, const char *comm, bool container)
{
	int cmd[2], res[2];
	pid_t pid;

	memset(p, 0, sizeof(*p));
	if (pipe(cmd) || pipe(res))
		gt_fatal("puppet", "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		gt_fatal("puppet", "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(cmd[0], PUPPET_CMD) < 0 || dup2(res[1], PUPPET_RES) < 0)
			_exit(1);
		close_range(3, PUPPET_CMD - 1, 0);
		close_range(PUPPET_RES + 1, ~0U, 0);
		gt_set_comm(comm);
		if (container) {
			pid_t inner;

			if (unshare(CLONE_NEWNET | CLONE_NEWPID))
				_exit(1);
			inner = fork();
			if (inner < 0)
				_exit(1);
			if (inner > 0) {
				/* tell the parent the host pid of the puppet */
				if (write(PUPPET_RES, &inner, sizeof(inner)) != sizeof(inner))
					_exit(1);
				close(PUPPET_CMD);
				close(PUPPET_RES);
				waitpid(inner, NULL, 0);
				_exit(0);
			}
			prctl(PR_SET_PDEATHSIG, SIGKILL);
		}
		puppet_loop();
	}
	close(cmd[0]);
	close(res[1]);
	p->pid = pid;
	p->cmd = cmd[1];
	p->res = res[0];
	if (container) {
		p->outer = pid;
		if (!read_all(p->res, &p->pid, sizeof(p->pid)))
			gt_fatal("puppet", "%s: no pid from the new namespace", comm);
	}
}

/* One request; returns the number of values in v (fatal on failure). */
static int ask(struct puppet *p, int op, int a, int b, int *v)
{
	struct req q = { op, a, b };
	int n;

	if (write(p->cmd, &q, sizeof(q)) != sizeof(q) || !read_all(p->res, &n, sizeof(n)) ||
	    n < 0 || n > GT_CHILD_VALS || !read_all(p->res, v, n * sizeof(int)))
		gt_fatal("puppet", "pid %d: request %d failed", (int)p->pid, op);
	return n;
}

static void puppet_stop(struct puppet *p)
{
	close(p->cmd);
	close(p->res);
	waitpid(p->outer ? p->outer : p->pid, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* Ground truth helpers                                                */
/* ------------------------------------------------------------------ */

static bool read_two(const char *path, long *a, long *b)
{
	FILE *f = fopen(path, "re");
	bool ok = f && fscanf(f, "%ld %ld", a, b) == 2;

	if (f)
		fclose(f);
	return ok;
}

static void write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(s, f) < 0 || fclose(f))
		gt_fail("sysctl", "cannot write %s to %s", s, path);
}

/* A sysctl's text.  Read in small chunks: a sysctl read() of more than the
 * kernel can kmalloc fails with ENOMEM (proc_sys_call_handler()). */
static char *read_str(const char *path)
{
	size_t len;
	char *s = gt_read_file(path, 4096, &len);

	if (s && len && s[len - 1] == '\n')
		s[len - 1] = '\0';
	return s;
}

/*
 * /proc/net/tcp (IPv4): sockets in state st whose local port is in
 * [lo, hi] and whose remote port is rport (-1: any).  TIME_WAIT sockets
 * are listed there, with inode 0.
 */
static int tcp_count(int st, unsigned int lo, unsigned int hi, int rport)
{
	size_t len;
	char *text = gt_read_file("/proc/net/tcp", 0, &len), *line;
	int n = 0;

	if (!text)
		return -1;
	line = strchr(text, '\n');
	while (line && line[1]) {
		unsigned int port, rp, state;

		if (sscanf(line + 1, " %*d: %*x:%x %*x:%x %x", &port, &rp, &state) == 3 &&
		    (st < 0 || (int)state == st) && port >= lo && port <= hi &&
		    (rport < 0 || (int)rp == rport))
			n++;
		line = strchr(line + 1, '\n');
	}
	free(text);
	return n;
}

/* "tw N" of the TCP line of /proc/net/sockstat. */
static long sockstat_tw(void)
{
	size_t len;
	char *text = gt_read_file("/proc/net/sockstat", 0, &len), *p;
	long v = -1;

	if (text && (p = strstr(text, " tw ")))
		v = strtol(p + 4, NULL, 10);
	free(text);
	return v;
}

/* The TCP state of PID's fd from /proc/net/tcp, -1 if unknown. */
static int state_of(pid_t pid, int fd)
{
	struct gt_pn pn;
	unsigned long long ino = gt_fd_sock_ino(pid, fd);

	return ino && gt_procnet_inet(pid, "tcp", ino, &pn) == 1 ? pn.st : -1;
}

/* getsockname/getpeername of another process's fd. */
static void addrs_of(pid_t pid, int fd, char *local, char *remote, size_t n)
{
	int g = gt_grab_fd(pid, fd);

	snprintf(local, n, "?");
	snprintf(remote, n, "?");
	if (g < 0)
		return;
	gt_local_str(g, local, n);
	gt_remote_str(g, remote, n);
	close(g);
}

/* Rows of /proc/sockfd for pid. */
static int rows_of(pid_t pid)
{
	struct gt_table *t = gt_load(0);
	int n = 0;

	if (!t)
		return -1;
	for (int i = 0; i < t->nrows; i++)
		n += t->rows[i].pid == pid;
	gt_free(t);
	return n;
}

/* ------------------------------------------------------------------ */
/* The demonstrations                                                  */
/* ------------------------------------------------------------------ */

struct web {
	struct puppet server, client;
	int lfd, cfd[3], afd[3];
};

/* 1. A port alone is not a connection. */
static void demo_port(struct web *w)
{
	int v[GT_CHILD_VALS];

	puppet_start(&w->server, "web-server", false);
	ask(&w->server, OP_LISTEN, WEB_PORT, 128, v);
	w->lfd = v[0];
	if (w->lfd < 0)
		gt_fatal("port/listen", "cannot listen on %d", WEB_PORT);
	gt_check("port.listen", state_of(w->server.pid, w->lfd) == 10,
		 "/proc/net/tcp: state of the listener %d, want 10 (LISTEN)",
		 state_of(w->server.pid, w->lfd));
	gt_check("port.no_connection", tcp_count(1, WEB_PORT, WEB_PORT, -1) == 0,
		 "/proc/net/tcp: %d ESTABLISHED sockets on port %d, want 0",
		 tcp_count(1, WEB_PORT, WEB_PORT, -1), WEB_PORT);
	gt_check_fdf(w->server.pid, w->lfd, NULL, "port.row");
	capture("port", "sockfd --port %d", WEB_PORT);
	capture("port", "grep -E '^pid|web-server' /proc/sockfd");
}

/* 2. A connection is its 5-tuple; 5. the handshake's ESTABLISHED ends. */
static void demo_tuple(struct web *w)
{
	char l[3][128], r[3][128], al[3][128], ar[3][128], server[32];
	int v[GT_CHILD_VALS], i;

	snprintf(server, sizeof(server), "127.0.0.1:%d", WEB_PORT);
	puppet_start(&w->client, "client", false);
	/* one at a time, so that the i-th accepted socket is the i-th client's */
	for (i = 0; i < 3; i++) {
		ask(&w->client, OP_CONNECT, WEB_PORT, 1, v);
		if (v[0] != 1)
			gt_fatal("tuple.connect", "client %d did not connect", i);
		w->cfd[i] = v[1];
		ask(&w->server, OP_ACCEPT, w->lfd, 1, v);
		if (v[0] != 1)
			gt_fatal("tuple.accept", "client %d was not accepted", i);
		w->afd[i] = v[1];
	}
	for (i = 0; i < 3; i++) {
		addrs_of(w->client.pid, w->cfd[i], l[i], r[i], sizeof(l[i]));
		addrs_of(w->server.pid, w->afd[i], al[i], ar[i], sizeof(al[i]));
		gt_check_fdf(w->client.pid, w->cfd[i], NULL, "tuple.client%d.row", i);
		gt_check_fdf(w->server.pid, w->afd[i], NULL, "tuple.accepted%d.row", i);
		gt_check(i ? "tuple.same_server" : "tuple.server",
			 strcmp(r[i], server) == 0 && strcmp(al[i], r[i]) == 0,
			 "client %d remote %s, accepted local %s, want %s",
			 i, r[i], al[i], server);
		gt_check("tuple.accepted_remote_is_client", strcmp(ar[i], l[i]) == 0,
			 "accepted %d remote %s, client local %s", i, ar[i], l[i]);
		gt_check("handshake.established",
			 state_of(w->client.pid, w->cfd[i]) == 1 &&
			 state_of(w->server.pid, w->afd[i]) == 1,
			 "client %d state %d, accepted state %d, want 1 and 1 (ESTABLISHED)", i,
			 state_of(w->client.pid, w->cfd[i]), state_of(w->server.pid, w->afd[i]));
	}
	gt_check("tuple.client_ports_differ",
		 strcmp(l[0], l[1]) && strcmp(l[1], l[2]) && strcmp(l[0], l[2]),
		 "client locals %s %s %s", l[0], l[1], l[2]);
	gt_check("accept.new_inodes",
		 gt_fd_sock_ino(w->server.pid, w->lfd) != gt_fd_sock_ino(w->server.pid, w->afd[0]) &&
		 gt_fd_sock_ino(w->server.pid, w->afd[0]) != gt_fd_sock_ino(w->server.pid, w->afd[1]),
		 "listener and accepted sockets share an inode (/proc/PID/fd)");
	gt_check("accept.listener_stays", state_of(w->server.pid, w->lfd) == 10,
		 "listener state %d after accept, want 10 (LISTEN)",
		 state_of(w->server.pid, w->lfd));
	capture("tuple", "sockfd --port %d", WEB_PORT);
	figure("tuple", "--port %d", WEB_PORT);
}

/* 3. socket() returns the lowest free fd. */
static void demo_lowfd(void)
{
	struct puppet p;
	int v[GT_CHILD_VALS], i;

	puppet_start(&p, "fd-demo", false);
	ask(&p, OP_SOCKET, 3, 0, v);
	for (i = 0; i < 3; i++) {
		gt_check("lowfd.lowest", v[2 * i + 1] == v[2 * i] && v[2 * i] == 3 + i,
			 "socket() %d returned %d; lowest free fd was %d, want %d",
			 i, v[2 * i + 1], v[2 * i], 3 + i);
		gt_check_fdf(p.pid, 3 + i, NULL, "lowfd.row%d", 3 + i);
	}
	{
		/* A new socket's TCP state is CLOSE (sock_init_data_uid()), and
		 * it is in no hash table: /proc/net/tcp does not list it. */
		struct tcp_info ti = { 0 };
		socklen_t tl = sizeof(ti);
		int g = gt_grab_fd(p.pid, 3);
		bool got = g >= 0 && getsockopt(g, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0;

		gt_check("lowfd.new_socket_is_close",
			 got && ti.tcpi_state == 7 && state_of(p.pid, 3) == -1,
			 "TCP_INFO state %d (%s), /proc/net/tcp state %d; want 7 (CLOSE) and not listed",
			 got ? ti.tcpi_state : -1, got ? "read" : "unreadable", state_of(p.pid, 3));
		if (g >= 0)
			close(g);
	}
	capture("lowfd", "sockfd -c fd-demo");
	ask(&p, OP_CLOSE, 4, 0, v);
	gt_check("lowfd.closed", gt_fd_sock_ino(p.pid, 4) == 0 && rows_of(p.pid) == 2,
		 "after close(4): /proc/PID/fd/4 %s, %d rows, want gone and 2",
		 gt_fd_sock_ino(p.pid, 4) ? "exists" : "gone", rows_of(p.pid));
	ask(&p, OP_SOCKET, 1, 0, v);
	gt_check("lowfd.reused", v[1] == 4 && v[0] == 4,
		 "socket() after close(4) returned %d, lowest free %d, want 4", v[1], v[0]);
	gt_check_fdf(p.pid, 4, NULL, "lowfd.row4_again");
	capture("lowfd2", "sockfd -c fd-demo");
	capture("lowfd2", "for fd in 0 1 2 3 4 5; do echo \"$fd -> $(readlink /proc/%d/fd/$fd)\"; done",
		(int)p.pid);
	puppet_stop(&p);
}

/* 4. connect() picks the client port from ip_local_port_range. */
static void demo_ephemeral(struct web *w)
{
	long lo, hi;
	char l[128], r[128];

	if (!read_two(PORT_RANGE, &lo, &hi)) {
		gt_fail("ephemeral.range", "cannot read %s", PORT_RANGE);
		return;
	}
	for (int i = 0; i < 3; i++) {
		const char *c;
		long port;

		addrs_of(w->client.pid, w->cfd[i], l, r, sizeof(l));
		c = strrchr(l, ':');
		port = c ? strtol(c + 1, NULL, 10) : -1;
		gt_check("ephemeral.in_range", port >= lo && port <= hi,
			 "client %d port %ld, range %ld-%ld", i, port, lo, hi);
	}
	capture("ephemeral", "cat " PORT_RANGE);
	capture("ephemeral", "sockfd -c client -o owner,state,local,remote");
}

/* Rows of /proc/sockfd in state whose local address ends in ":port". */
static int rows_at(const char *state, int port)
{
	struct gt_table *t = gt_load(0);
	char suffix[16];
	int n = 0;

	if (!t)
		return -1;
	snprintf(suffix, sizeof(suffix), ":%d", port);
	for (int i = 0; i < t->nrows; i++) {
		const char *st = gt_get(&t->rows[i], GT_STATE);
		const char *l = gt_get(&t->rows[i], GT_LOCAL);
		size_t ll = l ? strlen(l) : 0;

		n += st && strcmp(st, state) == 0 && ll >= strlen(suffix) &&
		     strcmp(l + ll - strlen(suffix), suffix) == 0;
	}
	gt_free(t);
	return n;
}

/*
 * 5's surprises, from /proc/net/tcp: a backlog of 1 holds 2 connections
 * (sk_acceptq_is_full() is "sk_ack_backlog > sk_max_ack_backlog"); the
 * SYN_SENT socket's tx_queue is 1 (write_seq - snd_una: the SYN takes a
 * sequence number); the queued server ends are ESTABLISHED sockets with no
 * fd, so no row.
 */
static void handshake_queues(struct puppet *busy, int lfd, struct puppet *eager,
			     int syn_fd, int queued)
{
	struct gt_pn l = { 0 }, c = { 0 };
	int fl = gt_procnet_inet(busy->pid, "tcp", gt_fd_sock_ino(busy->pid, lfd), &l);
	int fc = gt_procnet_inet(eager->pid, "tcp", gt_fd_sock_ino(eager->pid, syn_fd), &c);
	int est = tcp_count(1, BUSY_PORT, BUSY_PORT, -1);

	gt_check("handshake.backlog_1_holds_2", fl == 1 && queued == 2 && l.rxq == 2,
		 "listener with backlog 1: /proc/net/tcp rx_queue (sk_ack_backlog) %llu, %d clients connected; want 2 and 2",
		 l.rxq, queued);
	gt_check("handshake.syn_takes_a_sequence_number", fc == 1 && c.txq == 1,
		 "SYN_SENT socket: /proc/net/tcp tx_queue %llu, want 1", c.txq);
	gt_check("handshake.queued_have_no_fd", est == queued && rows_at("ESTABLISHED", BUSY_PORT) == 0,
		 "/proc/net/tcp: %d ESTABLISHED sockets with local port %d, /proc/sockfd: %d rows; want %d and 0",
		 est, BUSY_PORT, rows_at("ESTABLISHED", BUSY_PORT), queued);
}

/* 5. The handshake: an unanswered SYN stays SYN_SENT. */
static void demo_handshake(void)
{
	struct puppet busy, eager;
	int v[GT_CHILD_VALS], fds[4], n, st = -1, lfd;

	puppet_start(&busy, "busy-server", false);
	ask(&busy, OP_LISTEN, BUSY_PORT, 1, v);
	lfd = v[0];
	puppet_start(&eager, "eager-client", false);
	/* Connect until one SYN is dropped: the accept queue is full and
	 * nobody accepts.  A SYN_SENT that lasts 2 s has been dropped twice
	 * (the first retransmission comes after 1 s). */
	for (n = 0; n < 4; n++) {
		ask(&eager, OP_CONNECT_NB, BUSY_PORT, 0, v);
		fds[n] = v[0];
		for (int i = 0; i < 100; i++) {
			st = state_of(eager.pid, fds[n]);
			if (st != 2)
				break;
			gt_msleep(20);
		}
		if (st == 2)
			break;
	}
	if (gt_check("handshake.syn_sent", st == 2 && n >= 1,
		     "state %d after %d connections, want 2 (SYN_SENT) after at least one ESTABLISHED",
		     st, n)) {
		struct gt_want want = { 0 };

		/* no peer yet (getpeername: ENOTCONN), but the destination is set */
		gt_want_set(&want, GT_REMOTE, "127.0.0.1:%d", BUSY_PORT);
		gt_check_fdf(eager.pid, fds[n], &want, "handshake.syn_sent.row");
		gt_want_free(&want);
		gt_check_fdf(eager.pid, fds[0], NULL, "handshake.queued.row");
		gt_check_fdf(busy.pid, lfd, NULL, "handshake.listener.row");
		handshake_queues(&busy, lfd, &eager, fds[n], n);
	}
	capture("handshake", "sockfd --port %d -o owner,state,rxq,txq,local,remote,timer,retrans",
		BUSY_PORT);
	figure("handshake", "--port %d", BUSY_PORT);
	puppet_stop(&eager);
	puppet_stop(&busy);
}

/* 6. One new socket per client: N clients = N sockets = N fds. */
static void demo_accept(void)
{
	long n = gt_scaled(1000, 100);
	struct puppet srv, cli;
	int v[GT_CHILD_VALS];
	char check[64];
	struct gt_fdino *fi = NULL;
	struct gt_table *t;
	pid_t ids[2];
	int nfd, lfd;

	puppet_start(&srv, "big-server", false);
	ask(&srv, OP_LISTEN, BIG_PORT, 4096, v);
	lfd = v[0];
	puppet_start(&cli, "many-clients", false);
	ask(&cli, OP_CONNECT, BIG_PORT, (int)n, v);
	snprintf(check, sizeof(check), "accept.%ld.connected", n);
	gt_check(check, v[0] == n, "%d of %ld clients connected", v[0], n);
	ask(&srv, OP_ACCEPT, lfd, (int)n, v);
	snprintf(check, sizeof(check), "accept.%ld.accepted", n);
	gt_check(check, v[0] == n, "%d of %ld accepted", v[0], n);

	nfd = gt_sock_fds(NULL, srv.pid, &fi);
	snprintf(check, sizeof(check), "accept.%ld.server_fds", n);
	gt_check(check, nfd == n + 1, "/proc/PID/fd of the server: %d sockets, want %ld + 1",
		 nfd, n);
	if (nfd > 1) {
		bool distinct = true;

		for (int i = 1; i < nfd; i++)
			distinct &= fi[i].ino != fi[0].ino && fi[i].ino != fi[i - 1].ino;
		snprintf(check, sizeof(check), "accept.%ld.new_inodes", n);
		gt_check(check, distinct, "accepted sockets share an inode with the listener or each other");
	}
	free(fi);
	t = gt_load(0);
	ids[0] = srv.pid;
	ids[1] = cli.pid;
	snprintf(check, sizeof(check), "accept.%ld.rows", n);
	if (t)
		gt_check_ids(check, t, NULL, ids, 2);
	else
		gt_fail(check, "cannot read %s", GT_PROC);
	gt_free(t);
	gt_check_fdf(srv.pid, lfd, NULL, "accept.%ld.listener.row", n);
	capture("accept", "sockfd -c big-server | sed -n 1,5p");
	capture("accept", "sockfd -H -c big-server | wc -l");
	capture("accept", "sockfd -H -c big-server -s established | wc -l");
	capture("accept", "ls /proc/%d/fd | wc -l", (int)srv.pid);
	capture("accept", "sockfd --summary -c big-server -c many-clients | sed -n 1,12p");
	puppet_stop(&cli);
	puppet_stop(&srv);
}

/* 7. The kernel owns state and buffers. */
static void demo_buffers(struct web *w)
{
	int v[GT_CHILD_VALS], g;
	long inq = -1, outq = -1;

	ask(&w->client, OP_SEND, w->cfd[0], 1000, v);
	gt_check("buffers.sent", v[0] == 1000, "write() returned %d, want 1000", v[0]);
	g = gt_grab_fd(w->server.pid, w->afd[0]);
	if (g >= 0) {
		for (int i = 0; i < 100 && (inq = gt_inq(g)) != 1000; i++)
			gt_msleep(20);
		close(g);
	}
	gt_check("buffers.unread_in_rxq", inq == 1000, "SIOCINQ of the receiver %ld, want 1000",
		 inq);
	gt_check_fdf(w->server.pid, w->afd[0], NULL, "buffers.receiver.row");

	ask(&w->client, OP_FLOOD, w->cfd[1], 0, v);
	gt_check("buffers.flood_eagain", v[1] == EAGAIN && v[0] > 0,
		 "writes stopped after %d bytes with %s, want EAGAIN", v[0], strerror(v[1]));
	gt_msleep(200);
	g = gt_grab_fd(w->server.pid, w->afd[1]);
	if (g >= 0) {
		inq = gt_inq(g);
		close(g);
	}
	g = gt_grab_fd(w->client.pid, w->cfd[1]);
	if (g >= 0) {
		outq = gt_outq(g);
		close(g);
	}
	gt_check("buffers.full", inq > 0 && outq > 0,
		 "receiver SIOCINQ %ld, sender SIOCOUTQ %ld (%d bytes written), want both > 0",
		 inq, outq, v[0]);
	/* wmem is sk_wmem_alloc (ss -m's t): bytes of segments handed down
	 * toward the device and not yet freed; loopback frees them at once
	 * (skb_orphan() in loopback_xmit()).  The send queue's memory is
	 * sk_wmem_queued (ss -m's w). */
	g = gt_grab_fd(w->client.pid, w->cfd[1]);
	if (g >= 0) {
		struct gt_meminfo mi = { 0 };

		if (gt_check("buffers.wmem_is_not_the_send_queue",
			     gt_meminfo(g, &mi) == 0 && mi.wmem < (unsigned long)outq &&
			     mi.wmem_queued >= (unsigned long)outq,
			     "SO_MEMINFO of the sender: wmem_alloc %lu, wmem_queued %lu, SIOCOUTQ %ld; want wmem_alloc < SIOCOUTQ <= wmem_queued",
			     mi.wmem, mi.wmem_queued, outq))
			capture_line("@@ buffers2\n"
				     "sender (client fd 4), SO_MEMINFO: wmem_alloc %lu (the wmem column), wmem_queued %lu; SIOCOUTQ %ld",
				     mi.wmem, mi.wmem_queued, outq);
		close(g);
	}
	gt_check_fdf(w->server.pid, w->afd[1], NULL, "buffers.full_receiver.row");
	gt_check_fdf(w->client.pid, w->cfd[1], NULL, "buffers.full_sender.row");
	capture("buffers", "sockfd -n --port %d -o owner,fd,state,rxq,txq,rmem,rcvbuf,wmem,sndbuf",
		WEB_PORT);
}

/* 8. read/write/poll/close on a socket as on a file. */
static void demo_rwclose(void)
{
	struct puppet p;
	int v[GT_CHILD_VALS];

	puppet_start(&p, "rw-demo", false);
	ask(&p, OP_RW, 0, 0, v);
	gt_check("rwclose.write", v[3] == 6 && v[4] == 6,
		 "write() returned %d on the socket, %d on the file, want 6", v[3], v[4]);
	gt_check("rwclose.poll", (v[5] & POLLIN) && (v[6] & POLLIN),
		 "poll() revents %#x on the socket, %#x on the file, want POLLIN", v[5], v[6]);
	gt_check("rwclose.read", v[8] && v[10],
		 "read() returned %d on the socket, %d on the file, want the 6 bytes", v[7], v[9]);
	for (int i = 0; i < 2; i++) {
		struct gt_want want = { 0 };

		/* a unix socket's remote is its peer's inode */
		gt_want_set(&want, GT_REMOTE, "%llu", gt_fd_sock_ino(p.pid, v[1 - i]));
		gt_check_fdf(p.pid, v[i], &want, "rwclose.row%d", v[i]);
		gt_want_free(&want);
	}
	capture("rwclose", "sockfd -c rw-demo");
	figure("rwclose", "%s", "-c rw-demo");
	capture("rwclose", "for fd in 3 4 5; do echo \"$fd -> $(readlink /proc/%d/fd/$fd)\"; done",
		(int)p.pid);
	ask(&p, OP_CLOSE, v[1], 0, v + 20);
	gt_check("rwclose.closed", gt_fd_sock_ino(p.pid, v[1]) == 0 && rows_of(p.pid) == 1,
		 "after close(%d): /proc/PID/fd/%d %s, %d rows, want gone and 1", v[1], v[1],
		 gt_fd_sock_ino(p.pid, v[1]) ? "exists" : "gone", rows_of(p.pid));
	capture("rwclose2", "sockfd -c rw-demo");
	puppet_stop(&p);
}

/* "flags:" of /proc/PID/fdinfo/FD (octal), -1 if unreadable. */
static long fdinfo_flags(pid_t pid, int fd)
{
	char path[64], *text, *p;
	size_t len;
	long flags = -1;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	text = gt_read_file(path, 0, &len);
	if (text && (p = strstr(text, "flags:")))
		flags = strtol(p + 6, NULL, 8);
	free(text);
	return flags;
}

/*
 * 9. One socket, many fds: dup() in one process, fork() into another,
 * SCM_RIGHTS into a third; five fds, one open file (kcmp(KCMP_FILE)), one
 * socket (one inode).  O_NONBLOCK set through one fd shows in all (it is
 * the open file's f_flags); close-on-exec is each fd's own.
 */
static void demo_sharing(void)
{
	struct puppet sh, rc;
	int v[GT_CHILD_VALS], lfd, dfd, rfd, rl, i, nrows = 0;
	pid_t child;
	struct { pid_t pid; int fd; bool cloexec; } h[5];
	unsigned long long ino;
	struct gt_table *t;
	char fds[512] = "", *cmd;
	size_t off = 0;
	bool same = true, nonblock = true, cloexec = true, no_kcmp = false;
	int fo;

	puppet_start(&sh, "sharer", false);
	ask(&sh, OP_LISTEN, SHARE_PORT, 16, v);
	lfd = v[0];
	ask(&sh, OP_DUP, lfd, 0, v);
	dfd = v[0];
	ask(&sh, OP_FORK, 0, 0, v);
	child = v[0];
	puppet_start(&rc, "receiver", false);
	ask(&rc, OP_PASS_LISTEN, 0, 0, v);
	rl = v[0];
	ask(&sh, OP_PASS_SEND, lfd, 0, v);
	ask(&rc, OP_PASS_RECV, rl, 0, v + 1);
	rfd = v[1];
	if (lfd < 0 || dfd < 0 || child <= 0 || v[0] || rfd < 0)
		gt_fatal("sharing.setup", "listener %d, dup %d, child %d, sent %d, received %d",
			 lfd, dfd, (int)child, v[0], rfd);
	ask(&sh, OP_NONBLOCK, dfd, 0, v);
	/* gt_inet_socket() makes the listener SOCK_CLOEXEC; dup() clears
	 * close-on-exec on the new fd; fork() copies the flags; the receiver
	 * asked for MSG_CMSG_CLOEXEC. */
	h[0].pid = sh.pid, h[0].fd = lfd, h[0].cloexec = true;
	h[1].pid = sh.pid, h[1].fd = dfd, h[1].cloexec = false;
	h[2].pid = child, h[2].fd = lfd, h[2].cloexec = true;
	h[3].pid = child, h[3].fd = dfd, h[3].cloexec = false;
	h[4].pid = rc.pid, h[4].fd = rfd, h[4].cloexec = true;
	ino = gt_fd_sock_ino(sh.pid, lfd);
	for (i = 0; i < 5; i++) {
		long fl = fdinfo_flags(h[i].pid, h[i].fd);
		long k = syscall(SYS_kcmp, sh.pid, h[i].pid, KCMP_FILE, lfd, h[i].fd);

		/* kcmp() needs CONFIG_KCMP, which the debug kernel lacks:
		 * there the shared O_NONBLOCK below is the open file's proof */
		if (k < 0 && errno == ENOSYS)
			no_kcmp = true;
		same &= gt_fd_sock_ino(h[i].pid, h[i].fd) == ino && (k == 0 || no_kcmp);
		nonblock &= fl >= 0 && (fl & O_NONBLOCK);
		cloexec &= fl >= 0 && !!(fl & O_CLOEXEC) == h[i].cloexec;
		gt_check_fdf(h[i].pid, h[i].fd, NULL, "sharing.row%d", i);
		off += snprintf(fds + off, sizeof(fds) - off, " /proc/%d/fd/%d",
				(int)h[i].pid, h[i].fd);
	}
	gt_check("sharing.one_open_file", same && ino,
		 "the 5 fds: want one socket inode (/proc/PID/fd) and one open file (kcmp KCMP_FILE 0%s)",
		 no_kcmp ? "; no kcmp() on this kernel" : "");
	gt_check("sharing.status_flags_shared", nonblock,
		 "O_NONBLOCK set through one fd: want it in every fd's /proc/PID/fdinfo flags");
	gt_check("sharing.cloexec_per_fd", cloexec,
		 "close-on-exec in /proc/PID/fdinfo: want it on the listener's fd, its fork copy and the received fd only");
	t = gt_load(0);
	if (t) {
		for (i = 0; i < t->nrows; i++)
			nrows += t->rows[i].ino == ino;
		gt_free(t);
	}
	gt_check("sharing.five_rows_one_inode", nrows == 5,
		 "/proc/sockfd: %d rows with inode %llu, want 5", nrows, ino);
	/* A socket's file cannot be opened again: sockfs inodes have no_open(). */
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)sh.pid, lfd);
		fo = open(path, O_RDWR);
		gt_check("sharing.no_second_open_file", fo < 0 && errno == ENXIO,
			 "open(%s): %s, want ENXIO", path, fo < 0 ? strerror(errno) : "opened");
		if (fo >= 0)
			close(fo);
	}
	capture("sharing", "sockfd --port %d", SHARE_PORT);
	if (asprintf(&cmd, "for f in%s; do echo \"$f -> $(readlink $f)\"; done", fds) > 0) {
		capture("sharing", "%s", cmd);
		free(cmd);
	}
	off = 0;
	for (i = 0; i < 5; i++)
		off += snprintf(fds + off, sizeof(fds) - off, " %d/%d", (int)h[i].pid, h[i].fd);
	capture("sharing2", "for f in%s; do grep -H ^flags /proc/${f%%/*}/fdinfo/${f#*/}; done", fds);
	capture("sharing3", "sockfd explain %d %d", (int)sh.pid, lfd);
	capture("sharing3", "sockfd --summary --port %d | sed -n 1p", SHARE_PORT);
	/* The figure, as `sockfd --dot` draws it: fd -> open file -> socket. */
	figure("sharing", "--port %d", SHARE_PORT);
	puppet_stop(&rc);
	puppet_stop(&sh);	/* sharer-child dies with it (PR_SET_PDEATHSIG) */
}

/* The number printed by a shell command, -1 if none. */
static long shell_number(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long shell_number(const char *fmt, ...)
{
	char *cmd;
	long v = -1;
	va_list ap;
	FILE *f;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	f = popen(cmd, "re");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		pclose(f);
	}
	free(cmd);
	return v;
}

/* 10. "Too many open files" is fd exhaustion. */
static void demo_emfile(void)
{
	struct puppet p;
	int v[GT_CHILD_VALS], nsock, pid, socks, fds, lim, pct, cg_socks, cg_fds;
	struct gt_fdino *fi = NULL;
	char *out = NULL, *line;
	long nfd;
	bool ok = false;

	puppet_start(&p, "fd-hog", false);
	ask(&p, OP_HOG, USUAL_NOFILE, 0, v);
	gt_check("emfile.errno", v[1] == EMFILE,
		 "socket() failed with %s after %d sockets, want EMFILE", strerror(v[1]), v[0]);
	/* every fd of the table is in use: 0..1023 */
	nfd = shell_number("ls /proc/%d/fd | wc -l", (int)p.pid);
	nsock = gt_sock_fds(NULL, p.pid, &fi);
	free(fi);
	gt_check("emfile.all_fds", nfd == USUAL_NOFILE && nsock == v[0],
		 "/proc/PID/fd: %ld fds (%d sockets), want %d (%d sockets)",
		 nfd, nsock, USUAL_NOFILE, v[0]);
	capture("emfile", "grep 'open files' /proc/%d/limits", (int)p.pid);
	capture("emfile", "sockfd -H -c fd-hog | wc -l");
	capture_line("@@ emfile");
	shell("sockfd --summary -c fd-hog | sed -n '/^Top/,/^$/p'", &out);
	/* the cgroup table, before strtok() cuts the text: its first line
	 * after the header, "SOCKETS FDS DROPS RETRANS CGROUP" */
	line = out ? strstr(out, "cgroups by sockets") : NULL;
	line = line ? strchr(line, '\n') : NULL;
	line = line ? strchr(line + 1, '\n') : NULL;
	if (!line || sscanf(line + 1, " %d %d", &cg_socks, &cg_fds) != 2)
		cg_socks = cg_fds = -1;
	/* its line: "PID fd-hog SOCKETS FDS NOFILE USE%" */
	for (line = out ? strtok(out, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (sscanf(line, " %d fd-hog %d %d %d %d%%", &pid, &socks, &fds, &lim, &pct) == 5)
			ok = pid == p.pid && socks == v[0] && fds == USUAL_NOFILE &&
			     lim == USUAL_NOFILE && pct == 100;
	gt_check("emfile.summary_100", ok,
		 "sockfd --summary: no line '%d fd-hog %d %d %d 100%%'",
		 (int)p.pid, v[0], USUAL_NOFILE, USUAL_NOFILE);
	/* The cgroup table's FDS counts the fds that are sockets (rows), the
	 * process table's all open fds. */
	gt_check("emfile.cgroup_fds_are_socket_fds", cg_socks == v[0] && cg_fds == v[0],
		 "sockfd --summary's cgroup line: %d sockets, %d fds; want %d and %d (the socket fds)",
		 cg_socks, cg_fds, v[0], v[0]);
	free(out);
	puppet_stop(&p);
}

/* 11. TIME_WAIT owns no fd; a flood of short connections uses up ports. */
static void demo_timewait(void)
{
	struct puppet srv, cli;
	int v[GT_CHILD_VALS], flood, tw, busy;
	char *old_range = read_str(PORT_RANGE), *old_reuse = read_str(TW_REUSE), range[32];
	long tw_before, tw_after;
	struct gt_table *t;
	int tw_rows = 0;
	char *out = NULL, *p;

	/* 100 ephemeral ports, and no early reuse of TIME_WAIT ports on
	 * loopback (tcp_tw_reuse=2, the default, allows it after 1 s). */
	snprintf(range, sizeof(range), "%d %d", TW_RANGE_LO, TW_RANGE_LO + TW_RANGE_N - 1);
	write_str(PORT_RANGE, range);
	write_str(TW_REUSE, "0");
	puppet_start(&srv, "tw-server", false);
	ask(&srv, OP_LISTEN, TW_PORT, 4096, v);
	puppet_start(&cli, "tw-client", false);
	/* Sockets of the earlier demos may hold ports of the range already. */
	busy = tcp_count(-1, TW_RANGE_LO, TW_RANGE_LO + TW_RANGE_N - 1, -1);
	ask(&cli, OP_TWFLOOD, TW_PORT, TW_RANGE_N + 10, v);
	flood = v[0];
	gt_check("timewait.ports_used_up",
		 flood <= TW_RANGE_N && flood >= TW_RANGE_N - busy && v[1] == EADDRNOTAVAIL,
		 "%d connections, then %s; want %d (less at most the %d ports of the range in use before), then EADDRNOTAVAIL",
		 flood, strerror(v[1]), TW_RANGE_N, busy);
	ask(&srv, OP_ACCEPT_CLOSE, 3, flood, v);
	for (int i = 0; i < 100 && tcp_count(6, TW_RANGE_LO, TW_RANGE_LO + TW_RANGE_N - 1,
					       TW_PORT) < flood; i++)
		gt_msleep(20);
	tw = tcp_count(6, TW_RANGE_LO, TW_RANGE_LO + TW_RANGE_N - 1, TW_PORT);
	tw_after = sockstat_tw();
	gt_check("timewait.in_proc_net_tcp", tw == flood,
		 "/proc/net/tcp: %d TIME_WAIT sockets to port 8083 from a port in the range, want %d", tw, flood);
	gt_check("timewait.sockstat", tw_after >= flood,
		 "/proc/net/sockstat: tw %ld, want at least the %d of the range", tw_after, flood);
	t = gt_load(0);
	if (t) {
		for (int i = 0; i < t->nrows; i++) {
			const char *st = gt_get(&t->rows[i], GT_STATE);

			tw_rows += st && strcmp(st, "TIME_WAIT") == 0;
		}
		gt_free(t);
	}
	gt_check("timewait.no_rows", t && tw_rows == 0 && rows_of(cli.pid) == 0,
		 "/proc/sockfd: %d TIME_WAIT rows, %d rows of the client, want 0 and 0",
		 tw_rows, rows_of(cli.pid));
	ask(&cli, OP_TWFLOOD, TW_PORT, 1, v);
	gt_check("timewait.still_used_up", v[0] == 0 && v[1] == EADDRNOTAVAIL,
		 "a connect() in TIME_WAIT's ports: %s, want EADDRNOTAVAIL",
		 v[0] ? "succeeded" : strerror(v[1]));
	capture("timewait", "cat " PORT_RANGE);
	capture("timewait", "sockfd --port %d", TW_PORT);
	capture("timewait", "grep -c ' 06 ' /proc/net/tcp");
	tw_before = sockstat_tw();
	capture_line("@@ timewait");
	shell("sockfd --summary | grep -E 'TIME_WAIT|TCP .all states'", &out);
	tw_after = sockstat_tw();
	/* "TCP TIME_WAIT   N  (...)" and "TCP (all states, with TIME_WAIT): N of M ports";
	 * older TIME_WAIT sockets (of the accept demo) may expire meanwhile */
	p = out ? strstr(out, "TCP TIME_WAIT") : NULL;
	tw = p ? (int)strtol(p + 13, NULL, 10) : -1;
	gt_check("timewait.summary_count", tw >= tw_after && tw <= tw_before,
		 "sockfd --summary: TIME_WAIT %d, /proc/net/sockstat tw %ld before, %ld after",
		 tw, tw_before, tw_after);
	p = out ? strstr(out, "with TIME_WAIT): ") : NULL;
	gt_check("timewait.summary_ports", p && strtol(p + 17, NULL, 10) == TW_RANGE_N,
		 "sockfd --summary: %ld ports of the range in use, want %d",
		 p ? strtol(p + 17, NULL, 10) : -1, TW_RANGE_N);
	free(out);
	/* TIME_WAIT blocks its 4-tuple, not its port: another destination
	 * gets a port of the full range (__inet_hash_connect() asks
	 * __inet_check_established() about the whole 4-tuple). */
	ask(&srv, OP_LISTEN, TW_PORT2, 16, v);
	ask(&cli, OP_CONNECT, TW_PORT2, 1, v);
	if (gt_check("timewait.other_destination", v[0] == 1,
		     "connect() to port %d with every port of the range in TIME_WAIT towards %d: %s, want success",
		     TW_PORT2, TW_PORT, v[0] == 1 ? "ok" : "failed")) {
		int g = gt_grab_fd(cli.pid, v[1]), port = g >= 0 ? gt_port(g) : -1;

		if (g >= 0)
			close(g);
		gt_check("timewait.port_shared_with_time_wait",
			 port >= TW_RANGE_LO && port < TW_RANGE_LO + TW_RANGE_N &&
			 tcp_count(6, port, port, TW_PORT) == 1,
			 "the new connection's port %d: want one in %d-%d that a TIME_WAIT socket to %d holds (/proc/net/tcp: %d)",
			 port, TW_RANGE_LO, TW_RANGE_LO + TW_RANGE_N - 1, TW_PORT,
			 port > 0 ? tcp_count(6, port, port, TW_PORT) : -1);
		gt_check_fdf(cli.pid, v[1], NULL, "timewait.other_destination.row");
		capture("timewait2", "sockfd -c tw-client -o owner,state,local,remote");
		capture("timewait2",
			"grep -c \"0100007F:$(printf %%04X %d) 0100007F:%04X 06\" /proc/net/tcp",
			port, TW_PORT);
	}
	puppet_stop(&cli);
	puppet_stop(&srv);
	if (old_range)
		write_str(PORT_RANGE, old_range);
	if (old_reuse)
		write_str(TW_REUSE, old_reuse);
	free(old_range);
	free(old_reuse);
}

/* 12. Containers share the node's kernel. */
static void demo_container(struct web *w)
{
	struct puppet c;
	int v[GT_CHILD_VALS];
	long nr0, nr1, dummy;
	unsigned long long host_ns = gt_netns_ino(0), ns;

	puppet_start(&c, "container", true);
	ask(&c, OP_GETPID, 0, 0, v);
	gt_check("container.pid1_inside", v[0] == 1 && c.pid != 1,
		 "getpid() inside %d, host pid %d; want 1 and another", v[0], (int)c.pid);
	ask(&c, OP_LO_UP, 0, 0, v);
	ask(&c, OP_LISTEN, WEB_PORT, 4096, v);
	ask(&c, OP_CONNECT, WEB_PORT, 1, v);
	ask(&c, OP_ACCEPT, 3, 1, v);
	ns = gt_netns_ino(c.pid);
	gt_check("container.other_netns", ns && host_ns && ns != host_ns,
		 "net:[%llu] of the container, net:[%llu] of the host", ns, host_ns);
	gt_check_fdf(c.pid, 3, NULL, "container.listener.row");
	gt_check_fdf(c.pid, 4, NULL, "container.client.row");
	gt_check_fdf(c.pid, 5, NULL, "container.accepted.row");
	gt_check_fdf(w->server.pid, w->lfd, NULL, "container.host_listener.row");
	capture("container", "sockfd --port %d -o owner,netns,state,local,remote", WEB_PORT);
	capture("container", "readlink /proc/%d/ns/net", (int)c.pid);
	capture("container", "readlink /proc/self/ns/net");
	capture("container", "readlink /proc/%d/ns/pid", (int)c.pid);
	capture("container", "readlink /proc/self/ns/pid");
	figure("container", "--port %d", WEB_PORT);

	read_two("/proc/sys/fs/file-nr", &nr0, &dummy);
	ask(&c, OP_HOG, USUAL_NOFILE, 0, v);
	read_two("/proc/sys/fs/file-nr", &nr1, &dummy);
	/* file-nr is a per-cpu counter read without summing: each reading may
	 * be off by 2 x 31 on 2 CPUs, a difference of two by twice that. */
	gt_check("container.emfile", v[1] == EMFILE,
		 "sockets in the container stopped with %s, want EMFILE", strerror(v[1]));
	gt_check("container.file_nr", nr1 - nr0 >= v[0] - 128,
		 "%d sockets in the container, file-nr %ld -> %ld, want +%d (+- 128)",
		 v[0], nr0, nr1, v[0]);
	capture_line("@@ file-nr");
	capture_line("file-nr before: %ld, after %d more sockets in the container: %ld (%ld + %d = %ld)",
		     nr0, v[0], nr1, nr0, v[0], nr0 + v[0]);
	puppet_stop(&c);
}

/*
 * 13. The seed's claims, corrected.  A port does not name one application:
 * two processes listen on one TCP port (SO_REUSEPORT), and UDP has the same
 * number too.  The protocol is part of the 5-tuple: a UDP flow with the same
 * addresses and ports as a TCP connection is another flow.
 */
static void demo_seed_port(void)
{
	struct puppet a, b, u, c;
	int v[GT_CHILD_VALS], la, lb, us, cfd, uf, sent, tcp_listen, inq = -1, g;
	char tl[128], tr[128], ul[128], ur[128];
	struct gt_pn pn;
	const char *colon;

	puppet_start(&a, "reuse-a", false);
	puppet_start(&b, "reuse-b", false);
	puppet_start(&u, "udp-app", false);
	puppet_start(&c, "tuple-client", false);
	ask(&a, OP_REUSEPORT, SEED_PORT, 16, v);
	la = v[0];
	ask(&b, OP_REUSEPORT, SEED_PORT, 16, v);
	lb = v[0];
	ask(&u, OP_UDP_BIND, SEED_PORT, 0, v);
	us = v[0];
	tcp_listen = tcp_count(10, SEED_PORT, SEED_PORT, -1);
	gt_check("seed.port_two_processes", la >= 0 && lb >= 0 && tcp_listen == 2,
		 "SO_REUSEPORT listeners: fds %d and %d; /proc/net/tcp: %d LISTEN on %d; want both and 2",
		 la, lb, tcp_listen, SEED_PORT);
	gt_check("seed.port_tcp_and_udp",
		 us >= 0 && gt_procnet_inet(u.pid, "udp", gt_fd_sock_ino(u.pid, us), &pn) == 1,
		 "UDP socket on %d: fd %d, want it in /proc/net/udp", SEED_PORT, us);
	/* a TCP connection, then a UDP flow between the same two ports */
	ask(&c, OP_CONNECT, SEED_PORT, 1, v);
	cfd = v[0] == 1 ? v[1] : -1;
	addrs_of(c.pid, cfd, tl, tr, sizeof(tl));
	colon = strrchr(tl, ':');
	ask(&c, OP_UDP_FLOW, colon ? atoi(colon + 1) : 0, SEED_PORT, v);
	uf = v[0];
	sent = v[1];
	addrs_of(c.pid, uf, ul, ur, sizeof(ul));
	g = gt_grab_fd(u.pid, us);
	if (g >= 0) {
		for (int i = 0; i < 50 && (inq = gt_inq(g)) <= 0; i++)
			gt_msleep(20);
		close(g);
	}
	gt_check("seed.protocol_in_tuple",
		 cfd >= 0 && uf >= 0 && sent == 5 && strcmp(tl, ul) == 0 && strcmp(tr, ur) == 0 &&
		 inq == 5,
		 "TCP %s -> %s, UDP %s -> %s (sent %d, the UDP socket on %d has %d bytes); want the same addresses, 5 and 5",
		 tl, tr, ul, ur, sent, SEED_PORT, inq);
	gt_check_fdf(a.pid, la, NULL, "seed.reuse_a.row");
	gt_check_fdf(b.pid, lb, NULL, "seed.reuse_b.row");
	gt_check_fdf(u.pid, us, NULL, "seed.udp.row");
	if (cfd >= 0)
		gt_check_fdf(c.pid, cfd, NULL, "seed.tcp_client.row");
	if (uf >= 0)
		gt_check_fdf(c.pid, uf, NULL, "seed.udp_client.row");
	capture("seed-port", "sockfd --port %d -o owner,proto,state,rxq,local,remote", SEED_PORT);
	puppet_stop(&c);
	puppet_stop(&u);
	puppet_stop(&b);
	puppet_stop(&a);
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case ESPIPE: return "ESPIPE";
	case ENOTSOCK: return "ENOTSOCK";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	default: return "another error";
	}
}

/* "-1 ENAME (text)" for a failed call, the value for one that worked. */
static void result_line(const char *call, long r, int e)
{
	if (r < 0)
		capture_line("%-40s = -1 %s (%s)", call, errname(e), strerror(e));
	else
		capture_line("%-40s = %ld", call, r);
}

/*
 * 13. "No special network API": read, write, poll and close are the same
 * (section 8), but lseek() on a socket fails with ESPIPE, and the socket
 * calls fail with ENOTSOCK on a file.
 */
static void demo_seed_api(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), f = open(notes_path, O_RDWR), one = 1;
	long r[6];
	int e[6];
	char call[64];
	struct sockaddr_storage ss;
	socklen_t len = gt_loopback_addr(AF_INET, SEED_PORT, &ss);

	if (s < 0 || f < 0)
		gt_fatal("seed.api", "socket %d, %s %d: %s", s, notes_path, f, strerror(errno));
#define TRY(i, call) do { errno = 0; r[i] = (call); e[i] = errno; } while (0)
	TRY(0, lseek(s, 0, SEEK_SET));
	TRY(1, lseek(f, 0, SEEK_SET));
	TRY(2, bind(f, (struct sockaddr *)&ss, len));
	TRY(3, listen(f, 1));
	TRY(4, accept(f, NULL, NULL));
	TRY(5, setsockopt(f, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
#undef TRY
	gt_check("seed.lseek_socket_espipe", r[0] == -1 && e[0] == ESPIPE && r[1] == 0,
		 "lseek() on a socket: %ld (%s), on a file: %ld; want -1 ESPIPE and 0",
		 r[0], strerror(e[0]), r[1]);
	gt_check("seed.socket_calls_enotsock",
		 r[2] == -1 && e[2] == ENOTSOCK && r[3] == -1 && e[3] == ENOTSOCK &&
		 r[4] == -1 && e[4] == ENOTSOCK && r[5] == -1 && e[5] == ENOTSOCK,
		 "bind/listen/accept/setsockopt on a file: %s %s %s %s; want ENOTSOCK each",
		 errname(e[2]), errname(e[3]), errname(e[4]), errname(e[5]));
	capture_line("@@ seed-api");
	result_line("lseek(socket, 0, SEEK_SET)", r[0], e[0]);
	result_line("lseek(file, 0, SEEK_SET)", r[1], e[1]);
	snprintf(call, sizeof(call), "bind(file, 127.0.0.1:%d)", SEED_PORT);
	result_line(call, r[2], e[2]);
	result_line("listen(file, 1)", r[3], e[3]);
	result_line("accept(file, NULL, NULL)", r[4], e[4]);
	result_line("setsockopt(file, SO_REUSEADDR)", r[5], e[5]);
	close(s);
	close(f);
}

/*
 * 13. "Too many open files" is EMFILE, the process's RLIMIT_NOFILE; the
 * whole system's fs.file-max gives ENFILE, "Too many open files in system"
 * (alloc_empty_file(); root, CAP_SYS_ADMIN, is exempt, so the hog runs as
 * nobody).
 */
static void demo_seed_enfile(void)
{
	struct puppet p;
	int v[GT_CHILD_VALS];
	long nr, dummy;
	char *old_max = read_str(FILE_MAX), max[32];

	if (!read_two("/proc/sys/fs/file-nr", &nr, &dummy) || !old_max) {
		gt_fail("seed.enfile", "cannot read file-nr or file-max");
		free(old_max);
		return;
	}
	puppet_start(&p, "nfile-hog", false);
	ask(&p, OP_BECOME, NOBODY, 0, v);
	if (v[0])
		gt_fatal("seed.enfile", "cannot become uid %d", NOBODY);
	/* room for about 300 more files in the whole system: file-nr may
	 * read up to 31 per CPU low or high */
	snprintf(max, sizeof(max), "%ld", nr + 300);
	write_str(FILE_MAX, max);
	ask(&p, OP_HOG, USUAL_NOFILE, 0, v);
	capture("seed-enfile", "cat /proc/sys/fs/file-max /proc/sys/fs/file-nr");
	capture("seed-enfile", "grep 'open files' /proc/%d/limits", (int)p.pid);
	capture_line("socket() as uid %d: failed after %d sockets with %s (%s)", NOBODY, v[0],
		     errname(v[1]), strerror(v[1]));
	write_str(FILE_MAX, old_max);
	gt_check("seed.enfile", v[1] == ENFILE && v[0] > 0 && v[0] < USUAL_NOFILE - 5,
		 "with file-max %s: %d sockets, then %s; want ENFILE well below the process's %d",
		 max, v[0], strerror(v[1]), USUAL_NOFILE);
	puppet_stop(&p);
	free(old_max);
}

/*
 * Where the captures go, the ports, and whether to run as root.  Run as
 * walkthrough_user (tests/guest/walkthrough_user.c is a symbolic link to
 * this file, so it is built from the same source and rebuilt with it), a
 * root start becomes uid 65534 first, as a student on a lab machine is.
 */
static void setup(void)
{
	bool as_user = strcmp(program_invocation_short_name, "walkthrough_user") == 0;
	const char *out = getenv("SOCKFD_WALKTHROUGH_OUT");
	const char *port = getenv("SOCKFD_WALKTHROUGH_PORT");
	bool raised;

	gt_init(as_user ? "walkthrough_user" : "walkthrough");
	/* before giving up root: a hard limit above 1024, and cgroup2
	 * mounted (the rows' cgroup column is checked against it; a lab
	 * machine has it mounted already) */
	raised = gt_raise_nofile(4096) == 0;
	if (geteuid() == 0)
		gt_cgroup2();
	if (as_user && geteuid() == 0 && gt_become(NOBODY, NOBODY))
		gt_fatal("setup", "cannot become uid %d: %s", NOBODY, strerror(errno));
	unprivileged = geteuid() != 0;
	if (as_user) {
		size_t len;
		char *st = gt_read_file("/proc/self/status", 4096, &len);
		char *cap = st ? strstr(st, "CapEff:") : NULL;

		gt_check("user.no_capabilities",
			 unprivileged && cap && strtoull(cap + 7, NULL, 16) == 0,
			 "euid %d, %.30s; want a non-root uid with no effective capability",
			 (int)geteuid(), cap ? cap : "no CapEff");
		free(st);
	}
	if (!raised && !unprivileged)
		gt_fatal("setup", "RLIMIT_NOFILE: %s", strerror(errno));
	if (port)
		port_base = atoi(port);
	if (port_base < 1024 || port_base > 65000)
		gt_fatal("setup", "SOCKFD_WALKTHROUGH_PORT %s: want 1024-65000", port);
	if (out) {
		capture_path = out;
	} else if (unprivileged) {
		static char path[64];

		snprintf(path, sizeof(path), "/tmp/sockfd-walkthrough-%d.txt", (int)getuid());
		capture_path = path;
	}
	if (unprivileged) {
		static char notes[64];

		snprintf(notes, sizeof(notes), "/tmp/sockfd-notes-%d.txt", (int)getuid());
		notes_path = notes;
	}
	if (asprintf(&cmd_path, "%s.cmd", capture_path) < 0)
		gt_fatal("setup", "out of memory");
	unlink(CAPTURE);
	if (access(GT_PROC, R_OK))
		gt_fatal("setup", "%s: %s (is the module loaded? modprobe sockfd)", GT_PROC,
			 strerror(errno));
	if (!unprivileged)
		gt_lo_up();
}

int main(void)
{
	struct web w;

	setup();
	demo_port(&w);
	demo_tuple(&w);
	demo_lowfd();
	demo_ephemeral(&w);
	demo_handshake();
	demo_accept();
	demo_buffers(&w);
	demo_rwclose();
	demo_sharing();
	demo_emfile();
	if (!unprivileged) {
		demo_timewait();
		demo_container(&w);
	}
	demo_seed_port();
	demo_seed_api();
	if (!unprivileged)
		demo_seed_enfile();
	else
		printf("# without root, not run: timewait (sets ip_local_port_range), container (new namespaces), seed.enfile (sets fs.file-max)\n");
	puppet_stop(&w.client);
	puppet_stop(&w.server);
	printf("# captures in %s\n", CAPTURE);
	return gt_done();
}
