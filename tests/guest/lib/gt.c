// SPDX-License-Identifier: GPL-2.0
/*
 * gt: shared helpers for the sockfd guest tests. See gt.h for the API.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* ------------------------------------------------------------------ */
/* Result printing                                                     */
/* ------------------------------------------------------------------ */

static const char *gt_name;
static int n_pass, n_fail;

void gt_init(const char *test_name)
{
	gt_name = test_name;
}

static const char *name(void)
{
	return gt_name ? gt_name : program_invocation_short_name;
}

void gt_pass(const char *check)
{
	printf("PASS: %s/%s\n", name(), check);
	fflush(stdout);
	n_pass++;
}

static void vfail(const char *check, const char *fmt, va_list ap)
{
	printf("FAIL: %s/%s: ", name(), check);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	n_fail++;
}

void gt_fail(const char *check, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(check, fmt, ap);
	va_end(ap);
}

bool gt_check_str(const char *check, const char *field, const char *want,
		  const char *got)
{
	if (want && got && strcmp(want, got) == 0) {
		gt_pass(check);
		return true;
	}
	gt_fail(check, "%s: want %s got %s", field, want ? want : "(none)",
		got ? got : "(none)");
	return false;
}

bool gt_check_num(const char *check, const char *field, long long want,
		  long long got)
{
	if (want == got) {
		gt_pass(check);
		return true;
	}
	gt_fail(check, "%s: want %lld got %lld", field, want, got);
	return false;
}

bool gt_check(const char *check, bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		gt_pass(check);
		return true;
	}
	va_start(ap, fmt);
	vfail(check, fmt, ap);
	va_end(ap);
	return false;
}

int gt_done(void)
{
	printf("%d passed, %d failed\n", n_pass, n_fail);
	fflush(stdout);
	return (n_fail == 0 && n_pass > 0) ? 0 : 1;
}

void gt_fatal(const char *check, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(check, fmt, ap);
	va_end(ap);
	gt_done();
	exit(1);
}

/* ------------------------------------------------------------------ */
/* /proc/sockfd: reading and parsing                                   */
/* ------------------------------------------------------------------ */

static const char *const col_names[GT_NCOLS] = {
	"pid", "comm", "fd", "ino", "netns", "family", "type", "proto",
	"state", "local", "remote", "txq", "rxq", "rmem", "rcvbuf", "wmem",
	"sndbuf", "uid", "cookie", "cgroup", "drops", "timer", "retrans",
	"rtt", "cwnd", "bytes_sent", "bytes_acked", "bytes_received",
	"bytes_retrans", "segs_out", "segs_in", "lastsnd", "lastrcv",
	"lastack", "notsent", "min_rtt", "delivery_rate", "pacing_rate", "cc",
	"wmem_queued", "fwd_alloc", "optmem", "backlog", "fds", "nofile",
};

const char gt_header[] = "pid comm fd ino netns family type proto state "
			 "local remote txq rxq rmem rcvbuf wmem sndbuf uid "
			 "cookie cgroup drops timer retrans rtt cwnd "
			 "bytes_sent bytes_acked bytes_received bytes_retrans "
			 "segs_out segs_in lastsnd lastrcv lastack notsent "
			 "min_rtt delivery_rate pacing_rate cc wmem_queued "
			 "fwd_alloc optmem backlog fds nofile";

const char *gt_col_name(enum gt_col c)
{
	return (c >= 0 && c < GT_NCOLS) ? col_names[c] : "?";
}

#define GT_WHOLE_READ (64u << 20)

char *gt_read_fd(int fd, size_t chunk, size_t *len)
{
	size_t cap = chunk ? 65536 : GT_WHOLE_READ, n = 0;
	size_t step = chunk ? chunk : GT_WHOLE_READ;
	char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	for (;;) {
		ssize_t r;

		while (n + step > cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, step);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

char *gt_read_file(const char *path, size_t chunk, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	int e;

	if (fd < 0)
		return NULL;
	buf = gt_read_fd(fd, chunk, len);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

int gt_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), err;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	err = n < 0 ? errno : EIO;	/* a short write: EIO */
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = err;
	return -1;
}

/* Split s (modified in place) on runs of spaces/tabs. *out is malloc'ed. */
static int split(char *s, char ***out)
{
	int n = 0, cap = 24;
	char **v = malloc(sizeof(*v) * cap);
	char *p = s;

	if (!v)
		return -1;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == cap) {
			char **nv = realloc(v, sizeof(*v) * cap * 2);

			if (!nv) {
				free(v);
				return -1;
			}
			v = nv;
			cap *= 2;
		}
		v[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	*out = v;
	return n;
}

static long parse_long(const char *s)
{
	char *end;
	long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno)
		return -1;
	return v;
}

static void free_row(struct gt_row *r)
{
	int i;

	for (i = 0; i < r->nfields; i++) {
		if (r->raw)
			free(r->raw[i]);
		if (r->val)
			free(r->val[i]);
	}
	free(r->raw);
	free(r->val);
	free(r->line);
	memset(r, 0, sizeof(*r));
}

/* Fill r from one line of n bytes; on failure r is left empty. */
static int parse_row(struct gt_row *r, const char *line, size_t n,
		     const struct gt_table *t)
{
	char *copy = strndup(line, n), **f = NULL;
	int i, nf;

	memset(r, 0, sizeof(*r));
	r->line = strndup(line, n);
	nf = copy && r->line ? split(copy, &f) : -1;
	if (nf < 0)
		goto fail;
	r->raw = calloc((size_t)nf + 1, sizeof(*r->raw));
	r->val = calloc((size_t)nf + 1, sizeof(*r->val));
	if (!r->raw || !r->val)
		goto fail;
	r->nfields = nf;
	for (i = 0; i < nf; i++) {
		r->raw[i] = strdup(f[i]);
		r->val[i] = malloc(strlen(f[i]) + 1);
		if (!r->raw[i] || !r->val[i])
			goto fail;
		r->val[i][gt_unescape(f[i], r->val[i])] = '\0';
	}
	for (i = 0; i < GT_NCOLS; i++)
		r->col[i] = (t->col[i] >= 0 && t->col[i] < nf) ? t->col[i] : -1;
	r->pid = parse_long(gt_get_raw(r, GT_PID));
	r->fd = parse_long(gt_get_raw(r, GT_FD));
	r->ino = parse_long(gt_get_raw(r, GT_INO)) >= 0 ?
		strtoull(gt_get_raw(r, GT_INO), NULL, 10) : 0;
	free(f);
	free(copy);
	return 0;
fail:
	free(f);
	free(copy);
	free_row(r);
	return -1;
}

void gt_free(struct gt_table *t)
{
	int i;

	if (!t)
		return;
	for (i = 0; i < t->nrows; i++)
		free_row(&t->rows[i]);
	free(t->rows);
	free(t->names);
	free(t->header);
	free(t->names_buf);
	free(t->text);
	free(t);
}

struct gt_table *gt_parse(const char *text, size_t len)
{
	struct gt_table *t = calloc(1, sizeof(*t));
	const char *p, *end = text + len, *nl;
	int i, j, cap = 0;

	if (!t || !len)
		goto fail;
	t->text = malloc(len + 1);
	if (!t->text)
		goto fail;
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	t->len = len;
	t->trailing_newline = text[len - 1] == '\n';

	nl = memchr(text, '\n', len);
	if (!nl)
		nl = end;
	t->header = strndup(text, (size_t)(nl - text));
	t->names_buf = strndup(text, (size_t)(nl - text));
	if (!t->header || !t->names_buf)
		goto fail;
	t->ncols = split(t->names_buf, &t->names);
	if (t->ncols < 0) {
		t->ncols = 0;
		goto fail;
	}
	for (i = 0; i < GT_NCOLS; i++) {
		t->col[i] = -1;
		for (j = 0; j < t->ncols; j++)
			if (strcmp(t->names[j], col_names[i]) == 0) {
				t->col[i] = j;
				break;
			}
	}

	for (p = nl + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (t->nrows == cap) {
			struct gt_row *nr;

			cap = cap ? cap * 2 : 256;
			nr = realloc(t->rows, sizeof(*nr) * cap);
			if (!nr)
				goto fail;
			t->rows = nr;
		}
		if (parse_row(&t->rows[t->nrows], p, (size_t)(nl - p), t))
			goto fail;
		t->nrows++;
	}
	return t;
fail:
	gt_free(t);
	return NULL;
}

char *gt_mask_moving(const char *text, size_t len, size_t *outlen)
{
	static const char *const moving[] = { "lastsnd", "lastrcv", "lastack",
					      "fds", "fwd_alloc" };
	bool mask[GT_NCOLS + 64] = { false };
	char *out = malloc(len + 1), *o = out;
	size_t i = 0, f = 0, m;
	bool in = false;

	if (!out)
		return NULL;
	/* the header: which fields move */
	for (; i < len && text[i] != '\n'; i++) {
		if (text[i] == ' ') {
			in = false;
		} else if (!in) {
			in = true;
			for (m = 0; m < sizeof(moving) / sizeof(moving[0]); m++) {
				size_t n = strlen(moving[m]);

				if (f < sizeof(mask) && i + n <= len &&
				    !strncmp(text + i, moving[m], n) &&
				    (i + n == len || text[i + n] == ' ' ||
				     text[i + n] == '\n'))
					mask[f] = true;
			}
			f++;
		}
	}
	memcpy(o, text, i);
	o += i;
	/* the lines: a masked field becomes "#", its spaces kept */
	f = 0;
	in = false;
	for (; i < len; i++) {
		char c = text[i];

		if (c == '\n') {
			*o++ = c;
			f = 0;
			in = false;
		} else if (c == ' ') {
			/* after a masked field, one space: its padding
			 * depends on its length */
			if (!in && f > 0 && f - 1 < sizeof(mask) && mask[f - 1])
				continue;
			*o++ = c;
			if (in)
				f++;
			in = false;
		} else if (!in) {
			in = true;
			*o++ = f < sizeof(mask) && mask[f] ? '#' : c;
		} else if (!(f < sizeof(mask) && mask[f])) {
			*o++ = c;
		}
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

struct gt_table *gt_load(size_t chunk)
{
	size_t len;
	char *buf = gt_read_file(GT_PROC, chunk, &len);
	struct gt_table *t;

	if (!buf)
		return NULL;
	t = gt_parse(buf, len);
	free(buf);
	if (!t)
		errno = EINVAL;
	return t;
}

const char *gt_get(const struct gt_row *r, enum gt_col c)
{
	if (!r || c < 0 || c >= GT_NCOLS || r->col[c] < 0)
		return NULL;
	return r->val[r->col[c]];
}

const char *gt_get_raw(const struct gt_row *r, enum gt_col c)
{
	if (!r || c < 0 || c >= GT_NCOLS || r->col[c] < 0)
		return NULL;
	return r->raw[r->col[c]];
}

const struct gt_row *gt_find(const struct gt_table *t, pid_t pid, int fd)
{
	int i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].pid == pid && t->rows[i].fd == fd)
			return &t->rows[i];
	return NULL;
}

int gt_count_pidfd(const struct gt_table *t, pid_t pid, int fd)
{
	int i, n = 0;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].pid == pid && t->rows[i].fd == fd)
			n++;
	return n;
}

int gt_find_ino(const struct gt_table *t, unsigned long long ino,
		const struct gt_row **out, int max)
{
	int i, n = 0;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].ino == ino) {
			if (n < max)
				out[n] = &t->rows[i];
			n++;
		}
	return n;
}

/* ------------------------------------------------------------------ */
/* Escaping                                                            */
/* ------------------------------------------------------------------ */

char *gt_escape(const void *in, size_t n, char *out)
{
	const unsigned char *s = in;
	char *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c == '\\' || c >= 0x7f)
			o += sprintf(o, "\\%03o", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

static bool isoct(char c)
{
	return c >= '0' && c <= '7';
}

size_t gt_unescape(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		if (in[0] == '\\' && isoct(in[1]) && isoct(in[2]) &&
		    isoct(in[3])) {
			out[n++] = (char)(((in[1] - '0') << 6) |
					  ((in[2] - '0') << 3) | (in[3] - '0'));
			in += 4;
		} else {
			out[n++] = *in++;
		}
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Ground truth                                                        */
/* ------------------------------------------------------------------ */

static char *proc_path(char *buf, size_t n, pid_t pid, const char *rest)
{
	if (pid)
		snprintf(buf, n, "/proc/%d/%s", (int)pid, rest);
	else
		snprintf(buf, n, "/proc/self/%s", rest);
	return buf;
}

/* readlink p and parse "PREFIX[N]"; 0 if it does not match. */
static unsigned long long link_ino(const char *p, const char *prefix)
{
	char buf[128];
	size_t pl = strlen(prefix);
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	if (strncmp(buf, prefix, pl) || buf[pl] != '[')
		return 0;
	return strtoull(buf + pl + 1, NULL, 10);
}

unsigned long long gt_fd_sock_ino(pid_t pid, int fd)
{
	char p[64], rest[32];

	snprintf(rest, sizeof(rest), "fd/%d", fd);
	return link_ino(proc_path(p, sizeof(p), pid, rest), "socket:");
}

bool gt_fdinfo_ptrace_rule(void)
{
	struct stat st;

	return !stat("/proc/self/fdinfo", &st) && (st.st_mode & 0777) == 0555;
}

int gt_ptrace_refused(pid_t pid)
{
	char p[64], buf[PATH_MAX];
	bool refused;
	DIR *d;

	if (gt_fdinfo_ptrace_rule()) {
		d = opendir(proc_path(p, sizeof(p), pid, "fdinfo"));
		if (d)
			closedir(d);
		refused = !d;
	} else {
		refused = readlink(proc_path(p, sizeof(p), pid, "exe"), buf,
				   sizeof(buf)) < 0 && errno != ENOENT;
	}
	if (!refused)
		return 0;
	return errno == EACCES || errno == EPERM ? 1 : -1;
}

unsigned long long gt_fstat_ino(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return st.st_ino;
}

unsigned long long gt_netns_ino(pid_t pid)
{
	char p[64];

	return link_ino(proc_path(p, sizeof(p), pid, "ns/net"), "net:");
}

unsigned long long gt_sock_netns_ino(int fd)
{
	int nsfd = ioctl(fd, SIOCGSKNS);
	unsigned long long ino;

	if (nsfd < 0)
		return 0;
	ino = gt_fstat_ino(nsfd);
	close(nsfd);
	return ino;
}

int gt_grab_fd(pid_t pid, int fd)
{
	int pfd, nfd, e;

	if (pid == 0 || pid == getpid() || pid == gettid())
		return fcntl(fd, F_DUPFD_CLOEXEC, 0);
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return -1;
	nfd = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	e = errno;
	close(pfd);
	errno = e;
	return nfd;
}

char *gt_comm_escaped(pid_t pid, char *out, size_t outlen)
{
	char p[64], raw[64];
	int fd = open(proc_path(p, sizeof(p), pid, "comm"), O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, raw, sizeof(raw));
	close(fd);
	if (n <= 0 || raw[n - 1] != '\n')
		return NULL;
	if (outlen < 4 * (size_t)(n - 1) + 1)
		return NULL;
	return gt_escape(raw, (size_t)(n - 1), out);
}

int gt_set_comm(const char *name)
{
	return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

char *gt_fmt_sockaddr(const struct sockaddr *sa, socklen_t len, char *buf,
		      size_t buflen)
{
	char a[INET6_ADDRSTRLEN];

	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *s = (const void *)sa;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(buf, buflen, "%s:%u", a, ntohs(s->sin_port));
		return buf;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *s = (const void *)sa;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(buf, buflen, "[%s]:%u", a, ntohs(s->sin6_port));
		return buf;
	}
	case AF_UNIX: {
		const struct sockaddr_un *s = (const void *)sa;
		size_t off = offsetof(struct sockaddr_un, sun_path), n;
		char esc[4 * sizeof(s->sun_path) + 2];

		if (len <= off) {
			snprintf(buf, buflen, "*");
			return buf;
		}
		n = len - off;
		if (n > sizeof(s->sun_path))
			n = sizeof(s->sun_path);
		if (s->sun_path[0] == '\0') {
			esc[0] = '@';
			gt_escape(s->sun_path + 1, n - 1, esc + 1);
		} else {
			gt_escape(s->sun_path, strnlen(s->sun_path, n), esc);
		}
		snprintf(buf, buflen, "%s", esc);
		return buf;
	}
	case AF_NETLINK: {
		const struct sockaddr_nl *s = (const void *)sa;

		snprintf(buf, buflen, "%u", s->nl_pid);
		return buf;
	}
	case AF_PACKET: {
		const struct sockaddr_ll *s = (const void *)sa;
		char ifn[IF_NAMESIZE] = "*";

		if (s->sll_ifindex && !if_indextoname(s->sll_ifindex, ifn))
			snprintf(ifn, sizeof(ifn), "%d", s->sll_ifindex);
		snprintf(buf, buflen, "%s/0x%04x", ifn, ntohs(s->sll_protocol));
		return buf;
	}
	case AF_VSOCK: {
		const struct sockaddr_vm *s = (const void *)sa;
		char c[16] = "*", p[16] = "*";

		if (s->svm_cid != VMADDR_CID_ANY)
			snprintf(c, sizeof(c), "%u", s->svm_cid);
		if (s->svm_port != VMADDR_PORT_ANY)
			snprintf(p, sizeof(p), "%u", s->svm_port);
		snprintf(buf, buflen, "%s:%s", c, p);
		return buf;
	}
	default:
		return NULL;
	}
}

const char *gt_zero_addr(int family)
{
	switch (family) {
	case AF_INET:
		return "0.0.0.0:0";
	case AF_INET6:
		return "[::]:0";
	case AF_NETLINK:
		return "0";
	case AF_VSOCK:
		return "*:*";
	default:
		return "*";
	}
}

char *gt_local_str(int fd, char *buf, size_t buflen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return NULL;
	return gt_fmt_sockaddr((struct sockaddr *)&ss, len, buf, buflen);
}

char *gt_remote_str(int fd, char *buf, size_t buflen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &len)) {
		int fam = gt_sockopt_int(fd, SO_DOMAIN);

		if (errno != ENOTCONN && fam != AF_NETLINK)
			return NULL;
		snprintf(buf, buflen, "%s", gt_zero_addr(fam));
		return buf;
	}
	return gt_fmt_sockaddr((struct sockaddr *)&ss, len, buf, buflen);
}

long gt_inq(int fd)
{
	int v;

	if (ioctl(fd, SIOCINQ, &v))
		return -1;
	return v;
}

long gt_outq(int fd)
{
	int v;

	if (ioctl(fd, SIOCOUTQ, &v))
		return -1;
	return v;
}

int gt_send_fd(int sock, int fd)
{
	char c = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

int gt_recv_fd(int sock, int flags)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, flags) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

int gt_sockopt_int(int fd, int opt)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len))
		return -1;
	return v;
}

int gt_meminfo(int fd, struct gt_meminfo *m)
{
	uint32_t mi[16];
	socklen_t len = sizeof(mi);

	memset(mi, 0, sizeof(mi));
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len))
		return -1;
	/* SK_MEMINFO_RMEM_ALLOC, RCVBUF, WMEM_ALLOC, SNDBUF = 0..3 */
	m->rmem = mi[0];
	m->rcvbuf = mi[1];
	m->wmem = mi[2];
	m->sndbuf = mi[3];
	m->drops = mi[8];	/* SK_MEMINFO_DROPS */
	/* SK_MEMINFO_FWD_ALLOC 4, WMEM_QUEUED 5, OPTMEM 6, BACKLOG 7 */
	m->fwd_alloc = (int32_t)mi[4];
	m->wmem_queued = mi[5];
	m->optmem = (int32_t)mi[6];
	m->backlog = (int32_t)mi[7];
	return 0;
}

char *gt_tcp_cc(int fd, char *buf, size_t buflen)
{
	socklen_t len = (socklen_t)buflen - 1;

	memset(buf, 0, buflen);
	if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, buf, &len))
		return NULL;
	return buf;
}

/* Is pid's fd table the one this thread uses (kcmp, where the kernel has
 * it; else by id)? */
static bool our_files(pid_t pid)
{
	long r;

	if (pid == 0)
		return true;
	r = syscall(SYS_kcmp, (pid_t)gettid(), pid, 2 /* KCMP_FILES */, 0UL,
		    0UL);
	if (r >= 0)
		return r == 0;
	return pid == getpid() || pid == gettid();
}

long gt_fd_count(pid_t pid)
{
	char p[64];
	DIR *d = opendir(proc_path(p, sizeof(p), pid, "fd"));
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	/* the listing's own fd is in our table: one less */
	return our_files(pid) ? n - 1 : n;
}

long long gt_nofile(pid_t pid)
{
	char p[64], line[256];
	FILE *f = fopen(proc_path(p, sizeof(p), pid, "limits"), "r");
	long long soft = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Max open files", 14) &&
		    sscanf(line + 14, "%lld", &soft) != 1)
			soft = -1;
	fclose(f);
	return soft;
}

unsigned long long gt_cookie(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len))
		return 0;
	return c;
}

int gt_cgroup2(void)
{
	struct statfs sf;

	if (statfs(GT_CGROUP2, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		return 0;
	mkdir(GT_CGROUP2, 0755);
	return mount("cgroup2", GT_CGROUP2, "cgroup2", 0, NULL);
}

unsigned long long gt_cgroup_id(const char *dir)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + 64];
	} h;
	unsigned long long id = 0;
	int mnt;

	h.fh.handle_bytes = 64;
	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mnt, 0) ||
	    h.fh.handle_bytes < sizeof(id))
		return 0;
	memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

unsigned long long gt_pid_cgroup_id(pid_t pid)
{
	char p[64], line[4096], dir[4200];
	FILE *f;
	unsigned long long id = 0;

	if (gt_cgroup2())
		return 0;
	f = fopen(proc_path(p, sizeof(p), pid, "cgroup"), "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(dir, sizeof(dir), "%s%s", GT_CGROUP2, line + 3);
		id = gt_cgroup_id(dir);
		break;
	}
	fclose(f);
	return id;
}

const char *gt_family_name(int family, char *buf, size_t buflen)
{
	switch (family) {
	case AF_UNIX:
		return "unix";
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	case AF_VSOCK:
		return "vsock";
	}
	snprintf(buf, buflen, "af%d", family);
	return buf;
}

const char *gt_type_name(int type, char *buf, size_t buflen)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_RAW:
		return "raw";
	case SOCK_RDM:
		return "rdm";
	case SOCK_SEQPACKET:
		return "seqpacket";
	}
	snprintf(buf, buflen, "type%d", type);
	return buf;
}

/* NETLINK_* names, lower-case, by protocol number. */
static const char *const nl_names[] = {
	[0] = "route", [2] = "usersock", [3] = "firewall", [4] = "sock_diag",
	[5] = "nflog", [6] = "xfrm", [7] = "selinux", [8] = "iscsi",
	[9] = "audit", [10] = "fib_lookup", [11] = "connector",
	[12] = "netfilter", [13] = "ip6_fw", [14] = "dnrtmsg",
	[15] = "kobject_uevent", [16] = "generic", [18] = "scsitransport",
	[19] = "ecryptfs", [20] = "rdma", [21] = "crypto", [22] = "smc",
};

const char *gt_proto_name(int family, int proto, char *buf, size_t buflen)
{
	if (family == AF_INET || family == AF_INET6) {
		switch (proto) {
		case IPPROTO_TCP:
			return "tcp";
		case IPPROTO_UDP:
			return "udp";
		case IPPROTO_UDPLITE:
			return "udplite";
		case IPPROTO_ICMP:
			return "icmp";
		case IPPROTO_ICMPV6:
			return "icmpv6";
		case IPPROTO_RAW:
			return "raw";
		case IPPROTO_SCTP:
			return "sctp";
		case IPPROTO_MPTCP:
			return "mptcp";
		}
		snprintf(buf, buflen, "%d", proto);
		return buf;
	}
	if (family == AF_NETLINK) {
		if (proto >= 0 && proto < (int)(sizeof(nl_names) / sizeof(nl_names[0])) &&
		    nl_names[proto])
			return nl_names[proto];
		snprintf(buf, buflen, "%d", proto);
		return buf;
	}
	return "-";
}

const char *gt_state_name(int st)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV",
		[4] = "FIN_WAIT1", [5] = "FIN_WAIT2", [6] = "TIME_WAIT",
		[7] = "CLOSE", [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
		[10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	};

	if (st > 0 && st < (int)(sizeof(names) / sizeof(names[0])))
		return names[st];
	return NULL;
}

static FILE *open_procnet(pid_t pid, const char *file)
{
	char p[64], rest[32];

	snprintf(rest, sizeof(rest), "net/%s", file);
	return fopen(proc_path(p, sizeof(p), pid, rest), "re");
}

/*
 * Find the line of /proc/PID/net/FILE whose inode is ino. parse() reads
 * one line into *pn and its inode into *i; it returns false for lines it
 * does not understand. Returns 1 if found, 0 if not, -1 on error.
 */
static int procnet_find(pid_t pid, const char *file, unsigned long long ino,
			struct gt_pn *out,
			bool (*parse)(const char *line, struct gt_pn *pn,
				      unsigned long long *i))
{
	FILE *f = open_procnet(pid, file);
	char line[1024];
	int found = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		struct gt_pn pn;
		unsigned long long i;

		memset(&pn, 0, sizeof(pn));
		if (parse(line, &pn, &i) && i == ino) {
			*out = pn;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static bool parse_inet(const char *line, struct gt_pn *pn,
		       unsigned long long *i)
{
	unsigned int st, tr;
	int pos = 0;

	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode, then
	 * (udp, raw) ref pointer drops, (tcp) other numbers */
	if (sscanf(line, " %*s %*s %*s %x %llx:%llx %x:%lx %*s %lu %*s %llu%n",
		   &st, &pn->txq, &pn->rxq, &tr, &pn->when, &pn->uid, i,
		   &pos) != 7)
		return false;
	pn->st = (int)st;
	pn->timer = (int)tr;
	if (sscanf(line + pos, " %*s %*s %llu", &pn->drops) != 1)
		pn->drops = 0;
	return true;
}

static bool parse_unix(const char *line, struct gt_pn *pn,
		       unsigned long long *i)
{
	unsigned int type, st;
	int pos = 0;

	/* Num RefCount Protocol Flags Type St Inode [Path] */
	if (sscanf(line, "%*s %*s %*s %lx %x %x %llu%n", &pn->flags, &type,
		   &st, i, &pos) != 4)
		return false;
	pn->type = (int)type;
	pn->st = (int)st;
	if (line[pos] == ' ') {
		snprintf(pn->path, sizeof(pn->path), "%s", line + pos + 1);
		pn->path[strcspn(pn->path, "\n")] = '\0';
	}
	return true;
}

static bool parse_netlink(const char *line, struct gt_pn *pn,
			  unsigned long long *i)
{
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
	return sscanf(line, "%*s %d %lu %*s %llu %llu %*s %*s %*s %llu",
		      &pn->proto, &pn->portid, &pn->rxq, &pn->txq, i) == 5;
}

int gt_procnet_inet(pid_t pid, const char *file, unsigned long long ino,
		    struct gt_pn *out)
{
	return procnet_find(pid, file, ino, out, parse_inet);
}

int gt_procnet_unix(pid_t pid, unsigned long long ino, struct gt_pn *out)
{
	return procnet_find(pid, "unix", ino, out, parse_unix);
}

int gt_procnet_netlink(pid_t pid, unsigned long long ino, struct gt_pn *out)
{
	return procnet_find(pid, "netlink", ino, out, parse_netlink);
}

/* ------------------------------------------------------------------ */
/* Expected rows                                                       */
/* ------------------------------------------------------------------ */

static void want_vset(struct gt_want *w, enum gt_col c, const char *fmt,
		      va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	free(w->v[c]);
	w->v[c] = s;
}

void gt_want_set(struct gt_want *w, enum gt_col c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	want_vset(w, c, fmt, ap);
	va_end(ap);
}

/* Set c only if not set yet. */
static void want_default(struct gt_want *w, enum gt_col c, const char *fmt,
			 ...) __attribute__((format(printf, 3, 4)));
static void want_default(struct gt_want *w, enum gt_col c, const char *fmt,
			 ...)
{
	va_list ap;

	if (w->v[c])
		return;
	va_start(ap, fmt);
	want_vset(w, c, fmt, ap);
	va_end(ap);
}

void gt_want_free(struct gt_want *w)
{
	int i;

	for (i = 0; i < GT_NCOLS; i++) {
		free(w->v[i]);
		w->v[i] = NULL;
	}
}

/*
 * A pid whose /proc/PID/net shows the namespace `netns`: the owner, else
 * ourselves; -1 if neither is in it.
 */
static pid_t pid_in_netns(pid_t owner, unsigned long long netns)
{
	if (gt_netns_ino(owner) == netns)
		return owner;
	if (gt_netns_ino(0) == netns)
		return 0;
	return -1;
}

static const char *inet_procnet_file(int family, int type, int proto)
{
	bool v6 = family == AF_INET6;

	if (type == SOCK_RAW)
		return v6 ? "raw6" : "raw";
	switch (proto) {
	case IPPROTO_TCP:
		return v6 ? "tcp6" : "tcp";
	case IPPROTO_UDP:
		return v6 ? "udp6" : "udp";
	case IPPROTO_UDPLITE:
		return v6 ? "udplite6" : "udplite";
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return v6 ? "icmp6" : "icmp";
	default:
		return v6 ? "raw6" : "raw";
	}
}

/* txq = SIOCOUTQ, rxq = SIOCINQ, unless set already. */
static void want_ioctl_queues(struct gt_want *w, int s)
{
	long iq = gt_inq(s), oq = gt_outq(s);

	if (iq >= 0)
		want_default(w, GT_RXQ, "%ld", iq);
	if (oq >= 0)
		want_default(w, GT_TXQ, "%ld", oq);
}

/* retrans, rtt, cwnd of a connection (not a listener), as TCP_INFO has
 * them; an infinite ssthresh (initial slow start) is "-". */
static void expect_tcp_info(struct gt_want *w, const struct tcp_info *ti)
{
	want_default(w, GT_RETRANS, "%u/%u", ti->tcpi_retransmits,
		     ti->tcpi_total_retrans);
	want_default(w, GT_RTT, "%u/%u", ti->tcpi_rtt, ti->tcpi_rttvar);
	if (ti->tcpi_snd_ssthresh >= 0x7fffffffu)
		want_default(w, GT_CWND, "%u/-", ti->tcpi_snd_cwnd);
	else
		want_default(w, GT_CWND, "%u/%u", ti->tcpi_snd_cwnd,
			     ti->tcpi_snd_ssthresh);
}

/* The format 3 TCP columns of a connection (not a listener), as TCP_INFO
 * has them; the ms since the last send, receive and ACK count up, or are
 * "-" when the event never happened: "#". */
static void expect_tcp_info3(struct gt_want *w, int s)
{
	struct gt_tcp3 t;

	if (gt_tcp_info3(s, &t))
		return;
	want_default(w, GT_BYTES_SENT, "%llu", t.bytes_sent);
	want_default(w, GT_BYTES_ACKED, "%llu", t.bytes_acked);
	want_default(w, GT_BYTES_RECEIVED, "%llu", t.bytes_received);
	want_default(w, GT_BYTES_RETRANS, "%llu", t.bytes_retrans);
	want_default(w, GT_SEGS_OUT, "%u", t.segs_out);
	want_default(w, GT_SEGS_IN, "%u", t.segs_in);
	want_default(w, GT_LASTSND, "#");
	want_default(w, GT_LASTRCV, "#");
	want_default(w, GT_LASTACK, "#");
	want_default(w, GT_NOTSENT, "%u", t.notsent);
	if (t.min_rtt == ~0u)
		want_default(w, GT_MIN_RTT, "-");
	else
		want_default(w, GT_MIN_RTT, "%u", t.min_rtt);
	want_default(w, GT_DELIVERY_RATE, "%llu", t.delivery_rate);
	if (t.pacing_rate == ~0ull)
		want_default(w, GT_PACING_RATE, "-");
	else
		want_default(w, GT_PACING_RATE, "%llu", t.pacing_rate);
}

static void expect_inet(struct gt_want *w, pid_t owner, int s, int family,
			int type, int proto, unsigned long long ino,
			unsigned long long netns)
{
	struct gt_pn pn;
	pid_t np = pid_in_netns(owner, netns);
	int found = np < 0 ? 0 :
		gt_procnet_inet(np, inet_procnet_file(family, type, proto), ino,
				&pn);

	if (proto == IPPROTO_TCP && type == SOCK_STREAM) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		char cc[32];

		memset(&ti, 0, sizeof(ti));
		if (getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
			if (gt_state_name(ti.tcpi_state))
				want_default(w, GT_STATE, "%s",
					     gt_state_name(ti.tcpi_state));
			if (ti.tcpi_state == 10 /* TCP_LISTEN */) {
				/* as tcp_get_info / ss: queued children and
				 * the backlog limit */
				want_default(w, GT_RXQ, "%u", ti.tcpi_unacked);
				want_default(w, GT_TXQ, "%u", ti.tcpi_sacked);
			} else {
				expect_tcp_info(w, &ti);
				expect_tcp_info3(w, s);
			}
		}
		if (gt_tcp_cc(s, cc, sizeof(cc)))
			want_default(w, GT_CC, "%s", cc);
		/* a listener, or not hashed (never bound: no timer) */
		if (found != 1 || pn.timer == 0)
			want_default(w, GT_TIMER, "-");
		else if (pn.timer == 1)
			want_default(w, GT_TIMER, "retransmit/*");
		else if (pn.timer == 2)
			want_default(w, GT_TIMER, "keepalive/*");
		else if (pn.timer == 4)
			want_default(w, GT_TIMER, "probe/*");
	}

	if (found == 1) {
		if (gt_state_name(pn.st))
			want_default(w, GT_STATE, "%s", gt_state_name(pn.st));
		want_default(w, GT_TXQ, "%llu", pn.txq);
		want_default(w, GT_RXQ, "%llu", pn.rxq);
	} else if (proto == IPPROTO_TCP) {
		/* not hashed (never bound or connected): the ioctls compute
		 * the same write_seq - snd_una and rcv_nxt - copied_seq */
		want_ioctl_queues(w, s);
	} else {
		/* not hashed (never bound): nothing connected; as the
		 * /proc/net/udp line would be: sk_wmem_alloc and
		 * sk_rmem_alloc (SO_MEMINFO) */
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct gt_meminfo mi;

		want_default(w, GT_STATE, "%s",
			     getpeername(s, (struct sockaddr *)&ss, &len) ?
				     "CLOSE" : "ESTABLISHED");
		if (gt_meminfo(s, &mi) == 0) {
			want_default(w, GT_TXQ, "%lu", mi.wmem);
			want_default(w, GT_RXQ, "%lu", mi.rmem);
		}
	}
}

static void expect_unix(struct gt_want *w, pid_t owner, int s,
			unsigned long long ino, unsigned long long netns)
{
	struct gt_pn pn;
	pid_t np = pid_in_netns(owner, netns);
	bool listening = gt_sockopt_int(s, SO_ACCEPTCONN) == 1;

	/* /proc/net/unix: Flags __SO_ACCEPTCON (1 << 16) means LISTEN;
	 * St SS_CONNECTED (3) means sk_state ESTABLISHED, else CLOSE. */
	if (np >= 0 && gt_procnet_unix(np, ino, &pn) == 1) {
		if (pn.flags & (1ul << 16))
			want_default(w, GT_STATE, "LISTEN");
		else
			want_default(w, GT_STATE, "%s",
				     pn.st == 3 ? "ESTABLISHED" : "CLOSE");
	} else if (listening) {
		want_default(w, GT_STATE, "LISTEN");
	}
	if (!listening)
		want_ioctl_queues(w, s);
}

int gt_expect(struct gt_want *w, pid_t pid, int fd)
{
	char buf[1024], nb[32];
	int s = gt_grab_fd(pid, fd);
	int family, type, proto;
	unsigned long long ino, netns, cookie, cgroup;
	struct gt_meminfo mi;
	struct stat st;
	long long nofile;
	long nfd;
	int c;

	if (s < 0)
		return -1;
	ino = gt_fd_sock_ino(pid, fd);
	if (!ino || ino != gt_fstat_ino(s)) {
		close(s);
		errno = ENOTSOCK;
		return -1;
	}
	family = gt_sockopt_int(s, SO_DOMAIN);
	type = gt_sockopt_int(s, SO_TYPE);
	proto = gt_sockopt_int(s, SO_PROTOCOL);
	netns = gt_sock_netns_ino(s);
	/* SIOCGSKNS needs CAP_NET_ADMIN over the socket's namespace (not
	 * there inside a new user namespace): then the owner's namespace,
	 * right only for a socket made where its owner still is */
	if (!netns)
		netns = gt_netns_ino(pid);

	want_default(w, GT_PID, "%d", (int)(pid ? pid : getpid()));
	want_default(w, GT_FD, "%d", fd);
	if (gt_comm_escaped(pid, buf, sizeof(buf)))
		want_default(w, GT_COMM, "%s", buf);
	want_default(w, GT_INO, "%llu", ino);
	if (netns)
		want_default(w, GT_NETNS, "%llu", netns);
	want_default(w, GT_FAMILY, "%s", gt_family_name(family, nb, sizeof(nb)));
	want_default(w, GT_TYPE, "%s", gt_type_name(type, nb, sizeof(nb)));
	want_default(w, GT_PROTO, "%s",
		     gt_proto_name(family, proto, nb, sizeof(nb)));
	if (gt_local_str(s, buf, sizeof(buf)))
		want_default(w, GT_LOCAL, "%s", buf);
	if (family != AF_UNIX && family != AF_PACKET &&
	    gt_remote_str(s, buf, sizeof(buf)))
		want_default(w, GT_REMOTE, "%s", buf);

	if (family == AF_INET || family == AF_INET6) {
		expect_inet(w, pid, s, family, type, proto, ino, netns);
	} else if (family == AF_UNIX) {
		expect_unix(w, pid, s, ino, netns);
	} else if (family == AF_VSOCK) {
		/* TCP's state numbers, as vsock_diag: a listener, connected
		 * (a peer), else closed (created or bound) */
		struct sockaddr_vm vm;
		socklen_t len = sizeof(vm);

		if (gt_sockopt_int(s, SO_ACCEPTCONN) == 1)
			want_default(w, GT_STATE, "LISTEN");
		else if (!getpeername(s, (struct sockaddr *)&vm, &len))
			want_default(w, GT_STATE, "ESTABLISHED");
		else
			want_default(w, GT_STATE, "CLOSE");
	} else {
		want_default(w, GT_STATE, "-");
		/* packet: local from getsockname; documented in
		 * man/proc_sockfd.5: "-" for what a family lacks */
		if (family != AF_NETLINK && family != AF_PACKET)
			want_default(w, GT_LOCAL, "-");
		if (family != AF_NETLINK)
			want_default(w, GT_REMOTE, "-");
	}
	/* TCP columns: set above for a TCP connection, "-" for the rest */
	want_default(w, GT_TIMER, "-");
	want_default(w, GT_RETRANS, "-");
	want_default(w, GT_RTT, "-");
	want_default(w, GT_CWND, "-");
	for (c = GT_BYTES_SENT; c <= GT_CC; c++)
		want_default(w, c, "-");
	cookie = gt_cookie(s);
	if (cookie)
		want_default(w, GT_COOKIE, "%llu", cookie);
	cgroup = gt_pid_cgroup_id(pid);
	if (cgroup)
		want_default(w, GT_CGROUP, "%llu", cgroup);
	if (gt_meminfo(s, &mi) == 0) {
		want_default(w, GT_RMEM, "%lu", mi.rmem);
		want_default(w, GT_RCVBUF, "%lu", mi.rcvbuf);
		want_default(w, GT_WMEM, "%lu", mi.wmem);
		want_default(w, GT_SNDBUF, "%lu", mi.sndbuf);
		want_default(w, GT_DROPS, "%lu", mi.drops);
		want_default(w, GT_WMEM_QUEUED, "%lu", mi.wmem_queued);
		want_default(w, GT_FWD_ALLOC, "%ld", mi.fwd_alloc);
		want_default(w, GT_OPTMEM, "%ld", mi.optmem);
		want_default(w, GT_BACKLOG, "%ld", mi.backlog);
		/* other families: queues as the generic socket counters */
		if (family != AF_INET && family != AF_INET6 &&
		    family != AF_UNIX) {
			want_default(w, GT_RXQ, "%lu", mi.rmem);
			want_default(w, GT_TXQ, "%lu", mi.wmem);
		}
	}
	if (fstat(s, &st) == 0)
		want_default(w, GT_UID, "%u", (unsigned int)st.st_uid);
	close(s);
	/* after close(): the table as it is without our examining fd; in
	 * our own table, the snapshot itself holds one more: /proc/sockfd */
	nfd = gt_fd_count(pid);
	if (nfd >= 0)
		want_default(w, GT_FDS, "%ld", nfd + (our_files(pid) ? 1 : 0));
	nofile = gt_nofile(pid);
	if (nofile >= 0)
		want_default(w, GT_NOFILE, "%lld", nofile);
	return 0;
}

/* got matches want: equal, or want ends in '*' and got starts with the
 * rest of it. */
static bool want_match(const char *want, const char *got)
{
	size_t n = strlen(want);

	/* "#": any decimal number, or "-" (gt.h) */
	if (!strcmp(want, "#"))
		return !strcmp(got, "-") ||
		       (*got && strspn(got, "0123456789") == strlen(got));
	/* '/' then '*' last: a prefix; any other '*' is a '*' (gt.h) */
	if (n >= 2 && want[n - 2] == '/' && want[n - 1] == '*')
		return strncmp(want, got, n - 1) == 0;
	return strcmp(want, got) == 0;
}

static bool want_equal(const struct gt_want *a, const struct gt_want *b)
{
	int i;

	for (i = 0; i < GT_NCOLS; i++) {
		if (!a->v[i] != !b->v[i])
			return false;
		if (a->v[i] && strcmp(a->v[i], b->v[i]))
			return false;
	}
	return true;
}

bool gt_check_row(const char *check, const struct gt_table *t, pid_t pid,
		  int fd, const struct gt_want *w)
{
	const struct gt_row *r = gt_find(t, pid, fd);
	int n = gt_count_pidfd(t, pid, fd), i, bad = 0;
	char sub[256];

	if (n != 1) {
		gt_fail(check, "rows for (pid %d, fd %d): want 1 got %d",
			(int)pid, fd, n);
		return false;
	}
	if (r->nfields != t->ncols) {
		gt_fail(check, "fields: want %d got %d in '%s'", t->ncols,
			r->nfields, r->line);
		bad++;
	}
	for (i = 0; i < GT_NCOLS; i++) {
		const char *got = gt_get_raw(r, i);

		snprintf(sub, sizeof(sub), "%s.%s", check, col_names[i]);
		if (!w->v[i]) {
			gt_fail(sub, "%s: no ground truth (test bug), got %s",
				col_names[i], got ? got : "(none)");
			bad++;
		} else if (!got || !want_match(w->v[i], got)) {
			gt_fail(sub, "%s: want %s got %s", col_names[i], w->v[i],
				got ? got : "(none)");
			bad++;
		}
	}
	if (!bad)
		gt_pass(check);
	return bad == 0;
}

bool gt_check_fd(const char *check, pid_t pid, int fd,
		 const struct gt_want *fixed)
{
	struct gt_want a, b;
	struct gt_table *t = NULL;
	bool ok = false;
	int attempt, i;

	if (pid == 0)
		pid = getpid();
	for (attempt = 0; attempt < 5; attempt++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		for (i = 0; fixed && i < GT_NCOLS; i++)
			if (fixed->v[i]) {
				a.v[i] = strdup(fixed->v[i]);
				b.v[i] = strdup(fixed->v[i]);
			}
		if (gt_expect(&a, pid, fd)) {
			gt_fail(check, "cannot examine (pid %d, fd %d): %s",
				(int)pid, fd, strerror(errno));
			gt_want_free(&a);
			gt_want_free(&b);
			return false;
		}
		t = gt_load(4096);
		if (!t) {
			gt_fail(check, "cannot read %s: %s", GT_PROC,
				strerror(errno));
			gt_want_free(&a);
			gt_want_free(&b);
			return false;
		}
		gt_expect(&b, pid, fd);
		if (want_equal(&a, &b))
			break;
		gt_free(t);
		t = NULL;
		gt_want_free(&a);
		gt_want_free(&b);
		gt_msleep(50);
	}
	if (!t) {
		gt_fail(check, "ground truth of (pid %d, fd %d) kept changing",
			(int)pid, fd);
		return false;
	}
	ok = gt_check_row(check, t, pid, fd, &a);
	gt_free(t);
	gt_want_free(&a);
	gt_want_free(&b);
	return ok;
}

bool gt_check_fdf(pid_t pid, int fd, const struct gt_want *fixed,
		  const char *fmt, ...)
{
	char check[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(check, sizeof(check), fmt, ap);
	va_end(ap);
	return gt_check_fd(check, pid, fd, fixed);
}

/* ------------------------------------------------------------------ */
/* Making sockets                                                      */
/* ------------------------------------------------------------------ */

socklen_t gt_loopback_addr(int family, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s = (void *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
		s->sin6_port = htons((uint16_t)port);
		return sizeof(*s);
	}
	struct sockaddr_in *s = (void *)ss;

	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->sin_port = htons((uint16_t)port);
	return sizeof(*s);
}

int gt_inet_socket(int family, int type, int port, int backlog, bool v6only)
{
	struct sockaddr_storage ss;
	socklen_t len = gt_loopback_addr(family, port, &ss);
	int s = socket(family, type | SOCK_CLOEXEC, 0), one = 1, v6 = v6only;

	if (s < 0)
		return -1;
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (family == AF_INET6 &&
	     setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6))) ||
	    bind(s, (struct sockaddr *)&ss, len) ||
	    (backlog >= 0 && listen(s, backlog))) {
		int e = errno;

		close(s);
		errno = e;
		return -1;
	}
	return s;
}

int gt_inet_connect(int family, int type, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = gt_loopback_addr(family, port, &ss);
	int s = socket(family, type | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&ss, len)) {
		int e = errno;

		close(s);
		errno = e;
		return -1;
	}
	return s;
}

int gt_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	errno = EAFNOSUPPORT;
	return -1;
}

socklen_t gt_unix_addr(struct sockaddr_un *un, const void *name, size_t n)
{
	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	if (n > sizeof(un->sun_path))
		n = sizeof(un->sun_path);
	memcpy(un->sun_path, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

/* Parent-side control pipes of live children, closed in each new child
 * so that releasing one child does not depend on its siblings. */
#define GT_MAX_CHILDREN 256
static int child_ctl[GT_MAX_CHILDREN];
static int n_child_ctl;

static void forget_ctl(int fd)
{
	int i;

	for (i = 0; i < n_child_ctl; i++)
		if (child_ctl[i] == fd) {
			child_ctl[i] = child_ctl[--n_child_ctl];
			return;
		}
}

static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * Wait (at most ms) until every writer of pipe fd has closed its end: a
 * child that reported has then closed its report pipe, and its fd table
 * no longer changes (the fds column of /proc/sockfd counts that end).
 * Bounded: a process the child forked may hold the end longer.
 */
static void wait_eof(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b[64];

	while (poll(&p, 1, ms) > 0) {
		ssize_t r = read(fd, b, sizeof(b));

		if (r == 0 || (r < 0 && errno != EINTR))
			return;
	}
}

int gt_child_start(struct gt_child *c, gt_child_fn fn, void *arg)
{
	int ctl[2], rep[2], i;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->ctl = -1;
	if (n_child_ctl == GT_MAX_CHILDREN) {
		errno = EMFILE;
		return -1;
	}
	if (pipe2(ctl, O_CLOEXEC))
		return -1;
	if (pipe2(rep, O_CLOEXEC)) {
		close(ctl[0]);
		close(ctl[1]);
		return -1;
	}
	fflush(stdout);
	c->pid = fork();
	if (c->pid < 0) {
		close(ctl[0]);
		close(ctl[1]);
		close(rep[0]);
		close(rep[1]);
		return -1;
	}
	if (c->pid == 0) {
		int vals[GT_CHILD_VALS], n;
		char b;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (i = 0; i < n_child_ctl; i++)
			close(child_ctl[i]);
		close(ctl[1]);
		close(rep[0]);
		n = fn(arg, vals, GT_CHILD_VALS);
		if (n < 0 || n > GT_CHILD_VALS)
			_exit(1);
		if (write(rep[1], &n, sizeof(n)) != sizeof(n) ||
		    write(rep[1], vals, sizeof(int) * n) !=
			    (ssize_t)(sizeof(int) * n))
			_exit(1);
		close(rep[1]);
		while (read(ctl[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ctl[0]);
	close(rep[1]);
	c->ctl = ctl[1];
	child_ctl[n_child_ctl++] = c->ctl;
	if (read_full(rep[0], &c->nvals, sizeof(c->nvals)) ||
	    c->nvals < 0 || c->nvals > GT_CHILD_VALS ||
	    read_full(rep[0], c->vals, sizeof(int) * c->nvals)) {
		close(rep[0]);
		gt_child_stop(c);
		errno = ECHILD;
		return -1;
	}
	wait_eof(rep[0], 1000);
	close(rep[0]);
	return 0;
}

int gt_child_stop(struct gt_child *c)
{
	int status;

	if (c->ctl >= 0) {
		forget_ctl(c->ctl);
		close(c->ctl);
		c->ctl = -1;
	}
	if (c->pid <= 0)
		return -1;
	while (waitpid(c->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	c->pid = -1;
	return status;
}

int gt_become(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -1;
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

int gt_raise_nofile(unsigned long n)
{
	struct rlimit rl;
	unsigned long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r+e");

	if (f) {
		if (fscanf(f, "%lu", &nr_open) == 1 && nr_open < n) {
			rewind(f);
			fprintf(f, "%lu\n", n);
		}
		if (fclose(f))
			return -1;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= n && rl.rlim_max >= n)
		return 0;
	if (rl.rlim_max < n)
		rl.rlim_max = n;
	if (rl.rlim_cur < n)
		rl.rlim_cur = n;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

int gt_lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -1;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}

void gt_msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* Whole-table checks (walk, security and robustness tests)            */
/* ------------------------------------------------------------------ */

long gt_scaled(long n, long min)
{
	const char *s = getenv("SOCKFD_SCALE"), *k = getenv("SOCKFD_KERNEL");
	long pct = 100;

	if (s && *s)
		pct = strtol(s, NULL, 10);
	else if (k && (strcmp(k, "debug") == 0 || strcmp(k, "kcsan") == 0))
		pct = 10;
	if (pct < 1 || pct > 100)
		pct = 100;
	n = n * pct / 100;
	return n < min ? min : n;
}

double gt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_fdino(const void *a, const void *b)
{
	const struct gt_fdino *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

int gt_sock_fds(const char *proc, pid_t pid, struct gt_fdino **out)
{
	char dir[256], link[300];
	struct gt_fdino *v = NULL;
	struct dirent *de;
	int n = 0, cap = 0, e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%d/fd", proc ? proc : "/proc", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d))) {
		unsigned long long ino;
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end)
			continue;
		snprintf(link, sizeof(link), "%s/%ld", dir, fd);
		ino = link_ino(link, "socket:");
		if (!ino)
			continue;	/* not a socket, or closed meanwhile */
		if (n == cap) {
			struct gt_fdino *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, sizeof(*v) * cap);
			if (!nv)
				goto fail;
			v = nv;
		}
		v[n].fd = (int)fd;
		v[n].ino = ino;
		n++;
	}
	if (errno)
		goto fail;
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), cmp_fdino);
	*out = v;
	return n;
fail:
	e = errno;
	closedir(d);
	free(v);
	errno = e;
	return -1;
}

/* Rows of t sorted by (pid, fd), then by position. */
static int cmp_rowp(const void *a, const void *b)
{
	const struct gt_row *x = *(const struct gt_row *const *)a;
	const struct gt_row *y = *(const struct gt_row *const *)b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	if (x->fd != y->fd)
		return (x->fd > y->fd) - (x->fd < y->fd);
	return (x > y) - (x < y);
}

static const struct gt_row **sorted_rows(const struct gt_table *t)
{
	const struct gt_row **v = malloc(sizeof(*v) * ((size_t)t->nrows + 1));
	int i;

	if (!v)
		return NULL;
	for (i = 0; i < t->nrows; i++)
		v[i] = &t->rows[i];
	qsort(v, (size_t)t->nrows, sizeof(*v), cmp_rowp);
	return v;
}

int gt_dup_rows(const struct gt_table *t, const struct gt_row **first)
{
	const struct gt_row **v = sorted_rows(t);
	int i, dups = 0;

	if (!v)
		return -1;
	for (i = 1; i < t->nrows; i++)
		if (v[i]->pid == v[i - 1]->pid && v[i]->fd == v[i - 1]->fd) {
			if (!dups && first)
				*first = v[i];
			dups++;
		}
	free(v);
	return dups;
}

#define GT_SHOW_MISMATCH 4

/* Append one mismatch to the detail (the first few only). */
static void note_mismatch(char *buf, size_t n, int *count, const char *fmt,
			  ...) __attribute__((format(printf, 4, 5)));
static void note_mismatch(char *buf, size_t n, int *count, const char *fmt,
			  ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if ((*count)++ >= GT_SHOW_MISMATCH || used + 2 >= n)
		return;
	if (used)
		buf[used++] = ';', buf[used++] = ' ', buf[used] = '\0';
	va_start(ap, fmt);
	vsnprintf(buf + used, n - used, fmt, ap);
	va_end(ap);
}

/* Check one id: its rows r[0..nr-1] (sorted by fd) against its fd table. */
static void check_id(const char *proc, pid_t id, const struct gt_row **r,
		     int nr, int *want, int *bad, char *detail, size_t dn)
{
	struct gt_fdino *g = NULL;
	int ng = gt_sock_fds(proc, id, &g), i = 0, j = 0;

	if (ng < 0) {
		note_mismatch(detail, dn, bad, "%s/%d/fd: %s",
			      proc ? proc : "/proc", (int)id, strerror(errno));
		return;
	}
	*want += ng;
	while (i < ng || j < nr) {
		if (j < nr && (i == ng || r[j]->fd < g[i].fd)) {
			note_mismatch(detail, dn, bad,
				      "row pid %d fd %ld ino %llu: no such socket fd",
				      (int)id, r[j]->fd, r[j]->ino);
			j++;
		} else if (j == nr || g[i].fd < r[j]->fd) {
			note_mismatch(detail, dn, bad,
				      "pid %d fd %d (socket:[%llu]): no row",
				      (int)id, g[i].fd, g[i].ino);
			i++;
		} else {
			if (j + 1 < nr && r[j + 1]->fd == r[j]->fd)
				note_mismatch(detail, dn, bad,
					      "pid %d fd %d: more than one row",
					      (int)id, g[i].fd);
			while (j + 1 < nr && r[j + 1]->fd == r[j]->fd)
				j++;
			if (r[j]->ino != g[i].ino)
				note_mismatch(detail, dn, bad,
					      "pid %d fd %d ino: want %llu got %llu",
					      (int)id, g[i].fd, g[i].ino, r[j]->ino);
			i++;
			j++;
		}
	}
	free(g);
}

bool gt_check_ids(const char *check, const struct gt_table *t,
		  const char *proc, const pid_t *ids, int n)
{
	const struct gt_row **v = sorted_rows(t);
	int k, lo, bad = 0, want = 0, seen = 0;
	char detail[1024] = "";

	if (!v) {
		gt_fail(check, "out of memory");
		return false;
	}
	for (k = 0; k < n; k++) {
		/* The rows of ids[k]: a run in v (binary search for its start). */
		int a = 0, b = t->nrows, hi;

		while (a < b) {
			int m = (a + b) / 2;

			if (v[m]->pid < ids[k])
				a = m + 1;
			else
				b = m;
		}
		lo = a;
		for (hi = lo; hi < t->nrows && v[hi]->pid == ids[k]; hi++)
			;
		seen += hi - lo;
		check_id(proc, ids[k], v + lo, hi - lo, &want, &bad, detail,
			 sizeof(detail));
	}
	free(v);
	return gt_check(check, bad == 0,
			"%d ids: %d socket fds in %s/ID/fd, %d rows, %d mismatches: %s%s",
			n, want, proc ? proc : "/proc", seen, bad, detail,
			bad > GT_SHOW_MISMATCH ? "; ..." : "");
}

static bool is_numeric_col(enum gt_col c)
{
	switch (c) {
	case GT_PID: case GT_FD: case GT_INO: case GT_NETNS: case GT_TXQ:
	case GT_RXQ: case GT_RMEM: case GT_RCVBUF: case GT_WMEM:
	case GT_SNDBUF: case GT_UID: case GT_COOKIE: case GT_DROPS:
		return true;
	default:
		return false;
	}
}

static bool known_state(const char *f)
{
	int st;

	if (strcmp(f, "-") == 0)
		return true;
	for (st = 1; gt_state_name(st); st++)
		if (strcmp(f, gt_state_name(st)) == 0)
			return true;
	return false;
}

/* "N/M" in decimal, M may be "-" when dash_ok. */
static bool is_pair(const char *f, bool dash_ok)
{
	size_t n = strspn(f, "0123456789");

	if (!n || f[n] != '/')
		return false;
	f += n + 1;
	if (dash_ok && strcmp(f, "-") == 0)
		return true;
	n = strspn(f, "0123456789");
	return n && !f[n];
}

/* The format 2 columns that are not plain numbers: cgroup (a number or
 * "-"), timer ("-" or KIND/MS), retrans and rtt ("-" or N/M), cwnd ("-",
 * N/M or N/-). */
static bool format2_ok(const struct gt_row *r, char *buf, size_t buflen)
{
	const char *f = gt_get_raw(r, GT_CGROUP), *what = "cgroup";
	size_t n;

	if (strcmp(f, "-") && strspn(f, "0123456789") != strlen(f))
		goto bad;
	what = "timer";
	f = gt_get_raw(r, GT_TIMER);
	n = strcspn(f, "/");
	if (strcmp(f, "-") &&
	    !((n == 10 && !strncmp(f, "retransmit", n)) ||
	      (n == 9 && !strncmp(f, "keepalive", n)) ||
	      (n == 5 && !strncmp(f, "probe", n))))
		goto bad;
	if (strcmp(f, "-") && (!f[n] || !f[n + 1] ||
			       strspn(f + n + 1, "0123456789") != strlen(f + n + 1)))
		goto bad;
	what = "retrans";
	f = gt_get_raw(r, GT_RETRANS);
	if (strcmp(f, "-") && !is_pair(f, false))
		goto bad;
	what = "rtt";
	f = gt_get_raw(r, GT_RTT);
	if (strcmp(f, "-") && !is_pair(f, false))
		goto bad;
	what = "cwnd";
	f = gt_get_raw(r, GT_CWND);
	if (strcmp(f, "-") && !is_pair(f, true))
		goto bad;
	return true;
bad:
	snprintf(buf, buflen, "%s: malformed: '%s' in '%s'", what, f, r->line);
	return false;
}

/* The format 3 columns: TCP's and the task's are a number or "-", the
 * memory ones an int (maybe negative), cc "-" or a name (escaped). */
static bool format3_ok(const struct gt_row *r, char *buf, size_t buflen)
{
	const char *f = "";
	int c;

	for (c = GT_BYTES_SENT; c <= GT_NOFILE; c++) {
		f = gt_get_raw(r, c);
		if (c == GT_CC) {
			if (!*f || strspn(f, "abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
					  "_.-\\") != strlen(f))
				goto bad;
		} else if (c >= GT_WMEM_QUEUED && c <= GT_BACKLOG) {
			if (*f == '-')
				f++;
			if (!*f || strspn(f, "0123456789") != strlen(f)) {
				f = gt_get_raw(r, c);
				goto bad;
			}
		} else if (strcmp(f, "-") &&
			   (!*f || strspn(f, "0123456789") != strlen(f))) {
			goto bad;
		}
	}
	return true;
bad:
	snprintf(buf, buflen, "%s: malformed: '%s' in '%s'", gt_col_name(c),
		 f, r->line);
	return false;
}

const char *gt_row_problem(const struct gt_table *t, const struct gt_row *r,
			   char *buf, size_t buflen)
{
	const unsigned char *p;
	int c;

	if (r->nfields != t->ncols) {
		snprintf(buf, buflen, "%d fields, header has %d: '%s'",
			 r->nfields, t->ncols, r->line);
		return buf;
	}
	for (p = (const unsigned char *)r->line; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			snprintf(buf, buflen, "byte 0x%02x in '%s'", *p, r->line);
			return buf;
		}
	for (c = 0; c < GT_NCOLS; c++) {
		const char *f = gt_get_raw(r, (enum gt_col)c);

		if (!f) {
			snprintf(buf, buflen, "no %s column", gt_col_name(c));
			return buf;
		}
		if (is_numeric_col((enum gt_col)c) &&
		    strspn(f, "0123456789") != strlen(f)) {
			snprintf(buf, buflen, "%s: not a number: '%s' in '%s'",
				 gt_col_name(c), f, r->line);
			return buf;
		}
		/* queues and memory are int-sized in the kernel: above
		 * INT_MAX is a negative value (an errno) printed unsigned */
		if (c >= GT_TXQ && c <= GT_SNDBUF &&
		    (strlen(f) > 10 || strtoull(f, NULL, 10) > INT_MAX)) {
			snprintf(buf, buflen, "%s: out of range: '%s' in '%s'",
				 gt_col_name(c), f, r->line);
			return buf;
		}
		if ((c == GT_FAMILY || c == GT_TYPE || c == GT_PROTO) &&
		    strspn(f, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
			    strlen(f)) {
			snprintf(buf, buflen, "%s: not a lower-case name: '%s' in '%s'",
				 gt_col_name(c), f, r->line);
			return buf;
		}
	}
	if (!format2_ok(r, buf, buflen) || !format3_ok(r, buf, buflen))
		return buf;
	if (!known_state(gt_get_raw(r, GT_STATE))) {
		snprintf(buf, buflen, "state: not '-' or a kernel state name: '%s' in '%s'",
			 gt_get_raw(r, GT_STATE), r->line);
		return buf;
	}
	return NULL;
}

bool gt_check_only_pids(const char *check, const struct gt_table *t,
			const pid_t *ok, int n)
{
	int i, j, bad = 0;
	const char *first = "";

	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < n && t->rows[i].pid != ok[j]; j++)
			;
		if (j == n && !bad++)
			first = t->rows[i].line;
	}
	return gt_check(check, bad == 0,
			"%d rows with a pid outside the %d allowed, e.g. '%s'",
			bad, n, first);
}

bool gt_check_ino_under(const char *check, const struct gt_table *t,
			unsigned long long ino, pid_t id)
{
	const struct gt_row *r[8];
	const char *other = "";
	int n = gt_find_ino(t, ino, r, 8), i;

	for (i = 0; i < n && i < 8; i++)
		if (r[i]->pid != id)
			other = r[i]->line;
	return gt_check(check, n == 1 && !*other,
			"socket:[%llu]: want 1 row under pid %d got %d rows%s%s",
			ino, (int)id, n, *other ? ", e.g. " : "", other);
}

struct own_table {
	int family, type, fd;
	pid_t tid;
	sem_t ready;
};

static void *own_table_thread(void *arg)
{
	struct own_table *o = arg;

	o->fd = -1;
	if (unshare(CLONE_FILES) == 0)
		o->fd = socket(o->family, o->type, 0);
	o->tid = o->fd >= 0 ? gettid() : -1;
	sem_post(&o->ready);
	for (;;)
		pause();
	return NULL;
}

pid_t gt_own_table_thread(int family, int type, int *fd)
{
	struct own_table *o = calloc(1, sizeof(*o));	/* the thread's */
	pthread_t th;

	if (!o || sem_init(&o->ready, 0, 0))
		return -1;
	o->family = family;
	o->type = type;
	if (pthread_create(&th, NULL, own_table_thread, o))
		return -1;
	while (sem_wait(&o->ready) && errno == EINTR)
		;
	if (fd)
		*fd = o->fd;
	return o->tid;
}

int gt_fork_start(struct gt_forked *f, void (*fn)(void *arg), void *arg)
{
	int rep[2], i, counts[2];

	f->pid = -1;
	f->rep = -1;
	if (pipe2(rep, O_CLOEXEC))
		return -1;
	fflush(stdout);
	f->pid = fork();
	if (f->pid < 0) {
		close(rep[0]);
		close(rep[1]);
		return -1;
	}
	if (f->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (i = 0; i < n_child_ctl; i++)
			close(child_ctl[i]);
		n_child_ctl = 0;
		close(rep[0]);
		n_pass = n_fail = 0;
		fn(arg);
		fflush(stdout);
		counts[0] = n_pass;
		counts[1] = n_fail;
		_exit(write(rep[1], counts, sizeof(counts)) == sizeof(counts) ?
		      0 : 1);
	}
	close(rep[1]);
	f->rep = rep[0];
	return 0;
}

int gt_fork_wait(struct gt_forked *f, const char *check)
{
	int counts[2], status = -1;
	bool reported;

	if (f->pid <= 0)
		return -1;
	reported = read_full(f->rep, counts, sizeof(counts)) == 0;
	close(f->rep);
	while (waitpid(f->pid, &status, 0) < 0)
		if (errno != EINTR)
			break;
	if (reported) {
		n_pass += counts[0];
		n_fail += counts[1];
	} else {
		gt_fail(check, "checking child %d ended without a report: %s %d",
			(int)f->pid,
			WIFSIGNALED(status) ? "signal" : "exit status",
			WIFSIGNALED(status) ? WTERMSIG(status) :
					      WEXITSTATUS(status));
	}
	f->pid = -1;
	f->rep = -1;
	return status;
}

const char *gt_pass_problem(const char *text, size_t len, char *msg, size_t n)
{
	struct gt_table *t = gt_parse(text, len);
	const struct gt_row *dup = NULL;
	int i, c, dups;

	if (!t) {
		snprintf(msg, n, "unparsable pass of %zu bytes", len);
		return msg;
	}
	msg[0] = '\0';
	for (c = 0; c < GT_NCOLS && !msg[0]; c++)
		if (t->col[c] != c)
			snprintf(msg, n, "header '%.200s': column %s not field %d",
				 text, gt_col_name(c), c + 1);
	if (!msg[0] && !t->trailing_newline)
		snprintf(msg, n, "pass of %zu bytes does not end with a newline",
			 len);
	for (i = 0; i < t->nrows && !msg[0]; i++) {
		char why[600];

		if (gt_row_problem(t, &t->rows[i], why, sizeof(why)))
			snprintf(msg, n, "line %d: %s", i + 2, why);
	}
	if (!msg[0]) {
		dups = gt_dup_rows(t, &dup);
		if (dups)
			snprintf(msg, n, "%d (pid, fd) twice in one pass, e.g. '%s'",
				 dups, dup ? dup->line : "");
	}
	gt_free(t);
	return msg[0] ? msg : NULL;
}

int gt_debugfs(void)
{
	if (access("/sys/kernel/debug/kmemleak", F_OK) == 0 ||
	    access("/sys/kernel/debug/failslab", F_OK) == 0)
		return 0;
	mkdir("/sys/kernel/debug", 0755);
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		return -1;
	return 0;
}

long gt_sockets_used(void)
{
	FILE *f = fopen("/proc/net/sockstat", "re");
	long n = -1;

	if (f) {
		if (fscanf(f, "sockets: used %ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

long gt_meminfo_kb(const char *key)
{
	char *text, *p;
	size_t len, kl = strlen(key);
	long kb = -1;

	text = gt_read_file("/proc/meminfo", 4096, &len);
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == ':') {
			kb = strtol(p + kl + 1, NULL, 10);
			break;
		}
	}
	free(text);
	return kb;
}

bool gt_check_sockets_used(const char *check, long before)
{
	long now = gt_sockets_used();
	int i;

	for (i = 0; i < 50 && now != before; i++) {
		gt_msleep(100);
		now = gt_sockets_used();
	}
	return gt_check(check, before >= 0 && now == before,
			"sockets in use (/proc/net/sockstat): want %ld got %ld",
			before, now);
}

#define GT_KMEMLEAK "/sys/kernel/debug/kmemleak"

/* Write cmd to kmemleak; false when the kernel has none. */
static bool kmemleak_cmd(const char *cmd)
{
	return !gt_debugfs() && gt_write_file(GT_KMEMLEAK, cmd) == 0;
}

void gt_kmemleak_clear(void)
{
	kmemleak_cmd("clear");
}

bool gt_check_kmemleak(const char *check)
{
	size_t len = 0;
	char *text, *p;
	int n = 0;

	if (gt_debugfs() || access(GT_KMEMLEAK, F_OK))
		return false;
	gt_msleep(6000);	/* kmemleak ignores objects younger than 5 s */
	if (!kmemleak_cmd("scan"))
		return gt_check(check, false, "kmemleak scan failed: %s",
				strerror(errno));
	text = gt_read_file(GT_KMEMLEAK, 4096, &len);
	for (p = text; p && (p = strstr(p, "unreferenced object")); p++)
		n++;
	gt_check(check, text && n == 0,
		 "%d unreferenced objects, the first:\n%.1500s", n,
		 text ? text : "(kmemleak unreadable)");
	free(text);
	return true;
}
