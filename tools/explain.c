// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd explain PID FD: the chain from one descriptor to its connection,
 * fd -> open file -> socket inode -> socket -> connection, in words and
 * values.  The open-file step is read from /proc/PID/fd and fdinfo when
 * proc_root is given (a live machine or a test tree), so it is checked
 * against something other than the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table.h"

static void put(FILE *out, const struct sf_table *t, const struct sf_row *r,
		enum sf_col c)
{
	const struct sf_str *f = sf_get(t, r, c);

	sf_put_escaped(out, f->s, f->len);
}

static bool is(const struct sf_table *t, const struct sf_row *r, enum sf_col c,
	       const char *s)
{
	return strcmp(sf_get(t, r, c)->s, s) == 0;
}

static const char *words(const char *const (*table)[2], const char *key)
{
	for (; (*table)[0]; table++)
		if (strcmp((*table)[0], key) == 0)
			return (*table)[1];
	return NULL;
}

static const char *const family_words[][2] = {
	{ "inet", "IPv4" }, { "inet6", "IPv6" },
	{ "unix", "Unix domain: local to this machine" },
	{ "netlink", "netlink: messages between the kernel and processes" },
	{ "packet", "packet: raw link-layer frames" },
	{ "vsock", "vsock: between a virtual machine and its host" },
	{ NULL, NULL },
};

static const char *const type_words[][2] = {
	{ "stream", "a connected byte stream" },
	{ "dgram", "separate datagrams" },
	{ "seqpacket", "connected records with boundaries" },
	{ "raw", "raw packets" },
	{ "rdm", "reliably delivered messages" },
	{ NULL, NULL },
};

/*
 * The kernel structure and field a hop follows, and the function of
 * module/ that follows it: the one under the comment "Chain, step N"
 * (module/sockfd.h lists the chain; docs/walkthrough.md the kernel's own
 * functions).
 */
__attribute__((format(printf, 4, 5)))
static void hop(FILE *out, int step, const char *module_fn, const char *fmt, ...)
{
	va_list ap;

	fputs("     kernel: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fprintf(out, " [Chain, step %d: %s]\n", step, module_fn);
}

static void protocol_hop(FILE *out, const struct sf_table *t, const struct sf_row *r)
{
	if (sf_is_inet(t, r))
		hop(out, 4, "sockfd_show_inet()", "%s", is(t, r, SF_PROTO, "tcp") ?
		    "inet_sk(sk) (struct inet_sock: addresses, ports), tcp_sk(sk) (struct tcp_sock: sequence numbers, timers, window)" :
		    "inet_sk(sk) (struct inet_sock: addresses, ports)");
	else if (is(t, r, SF_FAMILY, "unix"))
		hop(out, 4, "sockfd_show_unix()",
		    "unix_sk(sk) (struct unix_sock: ->addr, the bound name; ->peer)");
}

/* " (open as A, B)": the holders of inode ino, if any (peer.c). */
static void put_holders(FILE *out, const struct sf_table *t,
			const struct sf_peers *p, uint64_t ino)
{
	struct sf_row *const *h;
	size_t n = sf_holders(p, ino, &h);

	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : " (open as ", out);
		sf_put_owner(out, t, h[i]);
	}
	if (n)
		fputc(')', out);
}

/*
 * An inet connection's other end on this machine: the socket of the same
 * network namespace whose addresses are this one's swapped (peer.c).
 */
static void inet_peer(FILE *out, const struct sf_table *t,
		      const struct sf_peers *p, const struct sf_row *r)
{
	uint64_t ino = sf_peer_of(p, r);

	fprintf(out, "  -> peer: ");
	if (ino) {
		fprintf(out, "socket inode %" PRIu64, ino);
		put_holders(out, t, p, ino);
		fprintf(out, ", local and remote swapped, in net:[");
	} else {
		fprintf(out, "no socket with an fd on this machine has local and remote swapped in net:[");
	}
	put(out, t, r, SF_NETNS);
	fprintf(out, "]%s\n", ino ? "" :
		" (a remote host, another network namespace, or a socket without an fd)");
}

static void put_fdinfo_flags(FILE *out, const char *proc_root, uint64_t pid,
			     uint64_t fd)
{
	static const struct { unsigned long bit; const char *name; } bits[] = {
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_CLOEXEC, "O_CLOEXEC" },
	};
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	char *path = sf_path(proc_root, "%" PRIu64 "/fdinfo/%" PRIu64, pid, fd);
	char *buf = NULL, *p;
	unsigned long flags;
	size_t len;

	if (sf_slurp(path, &buf, &len) == 0 && (p = strstr(buf, "flags:")) &&
	    sscanf(p + 6, "%lo", &flags) == 1) {
		fprintf(out, ", flags 0%lo = %s", flags, acc[flags & O_ACCMODE]);
		for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
			if (flags & bits[i].bit)
				fprintf(out, "|%s", bits[i].name);
		fprintf(out, " (from %s)", path);
	}
	free(buf);
	free(path);
}

/* The open-file step, from /proc/PID/fd/FD.  Returns its inode, or 0. */
static uint64_t open_file(FILE *out, const char *proc_root, uint64_t pid,
			  uint64_t fd)
{
	char *path = sf_path(proc_root, "%" PRIu64 "/fd/%" PRIu64, pid, fd);
	char link[256];
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	uint64_t ino = 0;

	if (n < 0) {
		fprintf(out, "  -> open file: %s cannot be read (%s)\n", path, strerror(errno));
		free(path);
		return 0;
	}
	link[n] = '\0';
	if (sscanf(link, "socket:[%" SCNu64 "]", &ino) != 1)
		ino = 0;
	fprintf(out, "  -> open file: %s -> ", path);
	sf_put_escaped(out, link, n);
	put_fdinfo_flags(out, proc_root, pid, fd);
	fputc('\n', out);
	free(path);
	return ino;
}

static void connection(FILE *out, const struct sf_table *t,
		       const struct sf_peers *p, const struct sf_row *r)
{
	uint64_t v;
	unsigned int port;

	fprintf(out, "  -> connection: ");
	if (is(t, r, SF_FAMILY, "unix")) {
		const struct sf_str *local = sf_get(t, r, SF_LOCAL);

		if (is(t, r, SF_LOCAL, "*"))
			fprintf(out, "unnamed (not bound to a name)");
		else if (local->s[0] == '@')
			fprintf(out, "bound to the abstract name ");
		else
			fprintf(out, "bound to the path ");
		if (!is(t, r, SF_LOCAL, "*"))
			put(out, t, r, SF_LOCAL);
		if (!sf_get_num(t, r, SF_REMOTE, &v)) {
			fprintf(out, ", no peer");
		} else {
			fprintf(out, ", peer socket inode %" PRIu64, v);
			put_holders(out, t, p, v);
		}
	} else if (is(t, r, SF_FAMILY, "netlink")) {
		fprintf(out, "netlink port id ");
		put(out, t, r, SF_LOCAL);
		fprintf(out, ", destination port id ");
		put(out, t, r, SF_REMOTE);
		fprintf(out, " (0 is the kernel)");
	} else if (sf_is_inet(t, r) && is(t, r, SF_STATE, "LISTEN")) {
		fprintf(out, "listening on ");
		put(out, t, r, SF_LOCAL);
	} else if (sf_is_inet(t, r) && sf_addr_port(sf_get(t, r, SF_REMOTE), &port) &&
		   port == 0) {
		fprintf(out, "bound to ");
		put(out, t, r, SF_LOCAL);
		fprintf(out, ", not connected");
	} else {
		fprintf(out, "local ");
		put(out, t, r, SF_LOCAL);
		fprintf(out, ", remote ");
		put(out, t, r, SF_REMOTE);
	}
	if (!is(t, r, SF_STATE, "-")) {
		fprintf(out, ", state ");
		put(out, t, r, SF_STATE);
	}
	fputc('\n', out);
	if (sf_queues_count(t, r)) {
		fprintf(out, "       accept queue ");
		put(out, t, r, SF_RXQ);
		fprintf(out, " connection(s) waiting (rxq), backlog limit ");
		put(out, t, r, SF_TXQ);
		fprintf(out, " connection(s) (txq: a count, not bytes)");
	} else {
		fprintf(out, "       send queue ");
		put(out, t, r, SF_TXQ);
		fprintf(out, " bytes, receive queue ");
		put(out, t, r, SF_RXQ);
		fprintf(out, " bytes (not yet read)");
	}
	fprintf(out, "\n       rmem ");
	put(out, t, r, SF_RMEM);
	fprintf(out, " of rcvbuf ");
	put(out, t, r, SF_RCVBUF);
	fprintf(out, " bytes (sk_rmem_alloc: received, not yet read, with overhead)\n       wmem ");
	put(out, t, r, SF_WMEM);
	fprintf(out, " bytes (sk_wmem_alloc: handed down toward the device, not yet freed; unix: not yet read by the peer), sndbuf ");
	put(out, t, r, SF_SNDBUF);
	fprintf(out, " bytes\n");
}

/* Format 2: the socket's ids, drops, and what TCP is doing. */
static void kernel_view(FILE *out, const struct sf_table *t,
			const struct sf_row *r, const char *proc_root)
{
	uint64_t v, a, b;
	const char *kind;
	char *path;
	bool has_b;

	if (t->known[SF_COOKIE] < 0)
		return;		/* format 1 input */
	fprintf(out, "  -> kernel: cookie ");
	put(out, t, r, SF_COOKIE);
	fprintf(out, " (the id of ss -e and BPF programs), cgroup ");
	if (sf_get_num(t, r, SF_CGROUP, &v)) {
		path = proc_root ? sf_cgroup_path(proc_root, v) : NULL;
		if (path)
			sf_put_escaped(out, path, strlen(path));
		fprintf(out, "%sid %" PRIu64 "%s", path ? " (" : "", v, path ? ")" : "");
		free(path);
	} else {
		fprintf(out, "- (no socket cgroup data)");
	}
	fprintf(out, ", ");
	put(out, t, r, SF_DROPS);
	fprintf(out, " packet(s) dropped\n");
	if (is(t, r, SF_RETRANS, "-"))
		return;		/* not a TCP connection */
	fprintf(out, "       TCP: ");
	if (sf_parse_timer(sf_get(t, r, SF_TIMER), &kind, &v))
		fprintf(out, "%s timer fires in %" PRIu64 " ms", kind, v);
	else
		fprintf(out, "no timer pending");
	if (sf_parse_pair(sf_get(t, r, SF_RETRANS), &a, &b, &has_b))
		fprintf(out, "; %" PRIu64 " retransmission(s) of the current segment, %"
			PRIu64 " in all", a, b);
	fprintf(out, "\n       ");
	if (sf_parse_pair(sf_get(t, r, SF_RTT), &a, &b, &has_b))
		fprintf(out, "smoothed RTT %" PRIu64 " us (variation %" PRIu64 " us); ", a, b);
	if (sf_parse_pair(sf_get(t, r, SF_CWND), &a, &b, &has_b)) {
		fprintf(out, "congestion window %" PRIu64 " segments, ", a);
		if (has_b)
			fprintf(out, "slow-start threshold %" PRIu64, b);
		else
			fprintf(out, "no slow-start threshold yet (initial slow start)");
	}
	fputc('\n', out);
}

/* A number column for people: "-" stays "-", bytes human-readable. */
static void put_size(FILE *out, const struct sf_table *t,
		     const struct sf_row *r, enum sf_col c)
{
	char buf[64];
	uint64_t v;

	if (!sf_get_num(t, r, c, &v)) {
		put(out, t, r, c);
		return;
	}
	sf_human_size(buf, sizeof(buf), v);
	fputs(buf, out);
}

/*
 * Format 3: what TCP counted and how fast it goes, the memory ss -m
 * shows, and the task's fds against its limit.
 */
static void traffic_view(FILE *out, const struct sf_table *t,
			 const struct sf_row *r)
{
	uint64_t v, fds, nofile;

	if (t->known[SF_BYTES_SENT] < 0)
		return;		/* format 1 or 2 input */
	if (!is(t, r, SF_BYTES_SENT, "-")) {
		fprintf(out, "       bytes: ");
		put_size(out, t, r, SF_BYTES_SENT);
		fprintf(out, " sent (");
		put_size(out, t, r, SF_BYTES_ACKED);
		fprintf(out, " acked, ");
		put_size(out, t, r, SF_BYTES_RETRANS);
		fprintf(out, " retransmitted), ");
		put_size(out, t, r, SF_BYTES_RECEIVED);
		fprintf(out, " received; segments ");
		put(out, t, r, SF_SEGS_OUT);
		fprintf(out, " out, ");
		put(out, t, r, SF_SEGS_IN);
		fprintf(out, " in; not sent yet: ");
		put_size(out, t, r, SF_NOTSENT);
		fprintf(out, "\n       idle: last send ");
		put(out, t, r, SF_LASTSND);
		fprintf(out, " ms ago, last receive ");
		put(out, t, r, SF_LASTRCV);
		fprintf(out, " ms ago, last ACK ");
		put(out, t, r, SF_LASTACK);
		fprintf(out, " ms ago\n       rates: minimum RTT ");
		put(out, t, r, SF_MIN_RTT);
		fprintf(out, " us, delivery ");
		put(out, t, r, SF_DELIVERY_RATE);
		fprintf(out, " bytes/s, pacing ");
		put(out, t, r, SF_PACING_RATE);
		fprintf(out, " bytes/s\n");
	}
	if (!is(t, r, SF_CC, "-")) {
		fprintf(out, "       congestion control: ");
		put(out, t, r, SF_CC);
		fputc('\n', out);
	}
	fprintf(out, "       memory: ");
	put_size(out, t, r, SF_WMEM_QUEUED);
	fprintf(out, " queued to send, ");
	put_size(out, t, r, SF_FWD_ALLOC);
	fprintf(out, " reserved ahead, ");
	put_size(out, t, r, SF_OPTMEM);
	fprintf(out, " for options and filters, ");
	put_size(out, t, r, SF_BACKLOG);
	fprintf(out, " in the backlog (as ss -m: w, f, o, bl)\n");
	if (sf_get_num(t, r, SF_FDS, &fds) && sf_get_num(t, r, SF_NOFILE, &nofile)) {
		fprintf(out, "  -> process: %" PRIu64 " open fd(s) of RLIMIT_NOFILE %" PRIu64,
			fds, nofile);
		v = nofile ? fds * 100 / nofile : 0;
		fprintf(out, " (%" PRIu64 "%%)\n", v);
	}
}

int sf_explain(FILE *out, const struct sf_table *t, const char *src,
	       const char *proc_root, uint64_t pid, uint64_t fd)
{
	const struct sf_row *r = NULL;
	struct sf_peers peers;
	unsigned int port;
	const char *w;
	uint64_t seen = 0;

	for (size_t i = 0; i < t->nrows && !r; i++)
		if (t->rows[i].pid == pid && t->rows[i].fd == fd)
			r = &t->rows[i];
	if (!r) {
		fprintf(stderr, "sockfd: %s lists no socket at fd %" PRIu64
			" of pid %" PRIu64 "\n", src, fd, pid);
		if (proc_root) {
			char *path = sf_path(proc_root, "%" PRIu64 "/fd/%" PRIu64, pid, fd);
			char link[256];
			ssize_t n = readlink(path, link, sizeof(link) - 1);

			if (n < 0) {
				fprintf(stderr, "sockfd: %s: %s\n", path, strerror(errno));
			} else {
				link[n] = '\0';
				fprintf(stderr, "sockfd: %s -> ", path);
				sf_put_escaped(stderr, link, n);
				fprintf(stderr, "%s\n", strncmp(link, "socket:", 7) ? ": not a socket" :
					": a socket that was not listed (opened after the read?)");
			}
			free(path);
		}
		return 1;
	}

	fprintf(out, "fd %" PRIu64 " of ", fd);
	put(out, t, r, SF_COMM);
	fprintf(out, " (pid %" PRIu64 ")\n", pid);
	hop(out, 1, "sockfd_get_task()",
	    "pid %" PRIu64 " -> struct pid (find_ge_pid()) -> task_struct (pid_task()), in the reader's pid namespace",
	    pid);
	if (proc_root)
		seen = open_file(out, proc_root, pid, fd);
	else
		fprintf(out, "  -> open file: socket:[%" PRIu64 "] (not checked: not this machine's /proc)\n",
			r->ino);
	hop(out, 2, "sockfd_get_socket_file()",
	    "task->files (struct files_struct), ->fdt (struct fdtable), ->fd[%" PRIu64 "] (struct file)",
	    fd);
	fprintf(out, "  -> socket inode %" PRIu64 " (sockfs), owner uid ", r->ino);
	put(out, t, r, SF_UID);
	fprintf(out, ", network namespace net:[");
	put(out, t, r, SF_NETNS);
	fprintf(out, "]\n");
	if (seen && seen != r->ino)
		fprintf(out, "     note: the fd now holds socket %" PRIu64
			": it changed after /proc/sockfd was read\n", seen);
	hop(out, 2, "sockfd_get_socket_file()",
	    "file->private_data (struct socket, whose inode this is), as sock_from_file() reads it");

	fprintf(out, "  -> socket: family ");
	put(out, t, r, SF_FAMILY);
	w = words(family_words, sf_get(t, r, SF_FAMILY)->s);
	if (w)
		fprintf(out, " (%s)", w);
	fprintf(out, ", type ");
	put(out, t, r, SF_TYPE);
	w = words(type_words, sf_get(t, r, SF_TYPE)->s);
	if (w)
		fprintf(out, " (%s)", w);
	if (!is(t, r, SF_PROTO, "-")) {
		fprintf(out, ", protocol ");
		put(out, t, r, SF_PROTO);
	}
	fputc('\n', out);
	hop(out, 3, "sockfd_show_line()", "sock->sk (struct sock: state, queues, buffers)");
	sf_peers_table(&peers, t);	/* every row: the other end */
	connection(out, t, &peers, r);
	protocol_hop(out, t, r);
	if (sf_is_inet(t, r) && sf_addr_port(sf_get(t, r, SF_REMOTE), &port) && port)
		inet_peer(out, t, &peers, r);
	sf_peers_free(&peers);
	kernel_view(out, t, r, proc_root);
	traffic_view(out, t, r);

	for (size_t i = 0; i < t->nrows; i++) {
		if (t->rows[i].ino != r->ino || &t->rows[i] == r)
			continue;
		fprintf(out, "  the same open file is also ");
		sf_put_owner(out, t, &t->rows[i]);
		fputc('\n', out);
	}
	return 0;
}
