// SPDX-License-Identifier: GPL-2.0
/*
 * reader_peer: `sockfd -o peer` (the owners of a socket's other end on
 * this machine), its JSON, explain and --dot, and --prom's connections per
 * listening port, against ground truth that is not the module:
 *   unix    a socketpair between this process and child A; a socketpair
 *           whose far end child B holds and passes with SCM_RIGHTS to
 *           child C (two holders listed); the inodes from fstat;
 *   tcp     three loopback connections from child E to a listener here,
 *           two accepted (each end's peer is the other, paired by
 *           getsockname/getpeername), one left in the accept queue (no fd
 *           there: no peer);
 *   netns   child G repeats the first connection's 4-tuple in a network
 *           namespace of its own: each pairs inside its namespace only;
 *           child F connects from its own namespace over a veth pair to a
 *           listener here: the addresses match swapped, the namespaces
 *           (/proc/PID/ns/net, SIOCGSKNS) differ: no peer claimed (where
 *           the kernel has veth: not the debug kernel);
 *   prom    sockfd_listen_connections of the listener: the ESTABLISHED
 *           sockets on its port that an fd holds, from /proc/net/tcp.
 * Every expected holder list is read from /proc/PID/fd of the processes.
 *
 * guest-modules-optional: veth
 * guest-tools: ip
 */
#define _GNU_SOURCE
#include "gt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define READER "/usr/bin/sockfd"

/* This process's sockets, closed by each child (which inherits them). */
static int pfd[32];
static int npfd;

/* The processes of the test, whose fds may hold a peer. */
static pid_t pids[8];
static int npids;

/* Note fd as ours; close-on-exec, so that the reader run does not hold it. */
static int keep(int fd)
{
	if (fd >= 0 && npfd < (int)(sizeof(pfd) / sizeof(pfd[0])))
		pfd[npfd++] = fd;
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* In a child: close what the parent holds, but fd. */
static void drop_parent_fds(int fd)
{
	for (int i = 0; i < npfd; i++)
		if (pfd[i] != fd)
			close(pfd[i]);
}

static int child_a(void *arg, int *vals, int max)
{
	int *sv = arg;

	(void)max;
	gt_set_comm("peer-a");
	drop_parent_fds(sv[1]);
	vals[0] = sv[1];
	return 1;
}

/* B: keeps sp[1], and sends it to C over ch[0]. */
static int child_b(void *arg, int *vals, int max)
{
	int *fds = arg;		/* sp[1], ch[0] */

	(void)max;
	gt_set_comm("peer-b");
	for (int i = 0; i < npfd; i++)
		if (pfd[i] != fds[0] && pfd[i] != fds[1])
			close(pfd[i]);
	if (gt_send_fd(fds[1], fds[0]))
		return -1;
	close(fds[1]);
	vals[0] = fds[0];
	return 1;
}

/* C: receives B's socket over ch[1]. */
static int child_c(void *arg, int *vals, int max)
{
	int ch1 = *(int *)arg;

	(void)max;
	gt_set_comm("peer-c");
	drop_parent_fds(ch1);
	vals[0] = gt_recv_fd(ch1, 0);
	if (vals[0] < 0)
		return -1;
	close(ch1);
	return 1;
}

/* E: three connections to the listener on port *arg; fds and local ports. */
static int child_e(void *arg, int *vals, int max)
{
	int port = *(int *)arg;

	(void)max;
	gt_set_comm("peer-e");
	drop_parent_fds(-1);
	for (int i = 0; i < 3; i++) {
		vals[2 * i] = gt_inet_connect(AF_INET, SOCK_STREAM, port);
		if (vals[2 * i] < 0)
			return -1;
		vals[2 * i + 1] = gt_port(vals[2 * i]);
	}
	return 6;
}

/* G: the 4-tuple of arg[0] <- arg[1] again, in a namespace of its own. */
static int child_g(void *arg, int *vals, int max)
{
	int *ports = arg;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;

	(void)max;
	gt_set_comm("peer-g");
	drop_parent_fds(-1);
	if (unshare(CLONE_NEWNET) || gt_lo_up())
		return -1;
	vals[0] = gt_inet_socket(AF_INET, SOCK_STREAM, ports[0], 4, false);
	vals[1] = socket(AF_INET, SOCK_STREAM, 0);
	if (vals[0] < 0 || vals[1] < 0)
		return -1;
	setsockopt(vals[1], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	len = gt_loopback_addr(AF_INET, ports[1], &ss);
	if (bind(vals[1], (struct sockaddr *)&ss, len))
		return -1;
	len = gt_loopback_addr(AF_INET, ports[0], &ss);
	if (connect(vals[1], (struct sockaddr *)&ss, len))
		return -1;
	vals[2] = accept(vals[0], NULL, NULL);
	return vals[2] < 0 ? -1 : 3;
}

/* Run "ip ARGS" (split at spaces); its exit status, -1 if it did not run. */
static int ip(const char *args)
{
	char *copy = strdup(args), *argv[16] = { "ip" }, *save = NULL;
	int n = 1, status;
	pid_t pid;

	for (char *w = strtok_r(copy, " ", &save); w && n < 15; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execvp("ip", argv);
		_exit(127);
	}
	free(copy);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * F: a namespace of its own joined to the parent's by a veth pair
 * (10.199.0.2 here, 10.199.0.1 there), then a connection to the parent's
 * listener on arg's port.  vals: the fd and its local port, or -2 when the
 * kernel has no veth.
 */
static int child_f(void *arg, int *vals, int max)
{
	int *a = arg;		/* ppid, port */
	char cmd[128];
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(a[1]) };
	int pns, own;

	(void)max;
	gt_set_comm("peer-f");
	drop_parent_fds(-1);
	snprintf(cmd, sizeof(cmd), "/proc/%d/ns/net", a[0]);
	pns = open(cmd, O_RDONLY | O_CLOEXEC);
	if (pns < 0 || unshare(CLONE_NEWNET) || gt_lo_up())
		return -1;
	own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(cmd, sizeof(cmd), "link add pv1 type veth peer name pv0 netns %d", a[0]);
	if (ip(cmd) != 0) {
		vals[0] = vals[1] = -2;
		return 2;
	}
	if (own < 0 || ip("addr add 10.199.0.2/24 dev pv1") || ip("link set pv1 up") ||
	    setns(pns, CLONE_NEWNET) || ip("addr add 10.199.0.1/24 dev pv0") ||
	    ip("link set pv0 up") || setns(own, CLONE_NEWNET))
		return -1;
	inet_pton(AF_INET, "10.199.0.1", &sin.sin_addr);
	vals[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (vals[0] < 0 || connect(vals[0], (struct sockaddr *)&sin, sizeof(sin)))
		return -1;
	vals[1] = gt_port(vals[0]);
	return 2;
}

/* ---- the reader's output ---- */

static char *run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The stdout of a shell command line (READER ...), NUL-terminated. */
static char *run(const char *fmt, ...)
{
	char *cmd, *out = NULL;
	size_t len = 0, n;
	char buf[4096];
	va_list ap;
	FILE *f, *m;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0)
		gt_fatal("setup", "out of memory");
	va_end(ap);
	m = open_memstream(&out, &len);
	f = popen(cmd, "re");
	if (!f || !m)
		gt_fatal("setup", "cannot run %s", cmd);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	pclose(f);
	fclose(m);
	free(cmd);
	return out;
}

/* The peer cell of (pid, fd) in `sockfd -H -o pid,fd,peer`, or NULL. */
static const char *peer_cell(const char *table, pid_t pid, int fd, char *cell, size_t n)
{
	for (const char *l = table; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char c[1024];
		int p, f;

		if (sscanf(l, "%d %d %1023s", &p, &f, c) == 3 && p == pid && f == fd) {
			snprintf(cell, n, "%s", c);
			return cell;
		}
	}
	return NULL;
}

/*
 * The holders of inode ino among the test's processes, from /proc/PID/fd,
 * as the reader shows them: "comm(pid)/fd,..." in (pid, fd) order, or "-".
 * json: as JSON objects instead.
 */
static void holders(unsigned long long ino, bool json, char *out, size_t n)
{
	pid_t sorted[8];
	size_t len = 0;

	memcpy(sorted, pids, sizeof(sorted));
	for (int i = 1; i < npids; i++)	/* insertion sort by pid */
		for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			pid_t t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	out[0] = '\0';
	for (int i = 0; i < npids; i++) {
		struct gt_fdino *fi = NULL;
		char comm[64];
		int nf = gt_sock_fds(NULL, sorted[i], &fi);

		if (!gt_comm_escaped(sorted[i], comm, sizeof(comm)))
			comm[0] = '\0';
		for (int k = 0; k < nf; k++) {
			if (fi[k].ino != ino)
				continue;
			if (json)
				len += snprintf(out + len, n - len,
						"%s{\"pid\": %d, \"comm\": \"%s\", \"fd\": %d, \"ino\": %llu}",
						len ? ", " : "", (int)sorted[i], comm, fi[k].fd, ino);
			else
				len += snprintf(out + len, n - len, "%s%s(%d)/%d",
						len ? "," : "", comm, (int)sorted[i], fi[k].fd);
		}
		free(fi);
	}
	if (!len)
		snprintf(out, n, json ? "null" : "-");
}

/* The row of (pid, fd) shows the holders of inode other (0: none). */
static void check_peer(const char *check, const char *table, pid_t pid, int fd,
		       unsigned long long other)
{
	char want[1024], got[1024];

	if (other)
		holders(other, false, want, sizeof(want));
	else
		snprintf(want, sizeof(want), "-");
	if (!peer_cell(table, pid, fd, got, sizeof(got)))
		snprintf(got, sizeof(got), "(no row for %d/%d)", (int)pid, fd);
	gt_check_str(check, "peer", want, got);
}

/* Local or remote port of an inet socket of ours. */
static int port_of(int fd, bool remote)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if ((remote ? getpeername : getsockname)(fd, (struct sockaddr *)&sin, &len))
		return -1;
	return ntohs(sin.sin_port);
}

/* ESTABLISHED sockets with an inode (an fd) on local port in /proc/net/tcp. */
static int established_on(int port)
{
	size_t len;
	char *text = gt_read_file("/proc/net/tcp", 4096, &len), *l;
	int n = 0;

	for (l = text ? strchr(text, '\n') : NULL; l && *++l; l = strchr(l, '\n')) {
		unsigned int lp, st;
		unsigned long long ino;

		if (sscanf(l, "%*d: %*x:%x %*x:%*x %x %*x:%*x %*x:%*x %*x %*u %*d %llu",
			   &lp, &st, &ino) == 3 && (int)lp == port && st == 1 && ino)
			n++;
	}
	free(text);
	return n;
}

int main(void)
{
	struct gt_child a, b, c, e, g, f;
	int sv[2], sp[2], ch[2], bargs[2], lst, lst_any, acc[2], gports[2], fargs[2];
	unsigned long long sv1_ino, sp1_ino, e_ino[3], acc_ino[2], self_ns;
	char want[2048], objs[1024], got[256], *out, *json;
	struct sockaddr_in any = { .sin_family = AF_INET };
	socklen_t alen = sizeof(any);
	int fport = -1, facc = -1, one = 1;
	pid_t self = getpid();

	gt_init("reader_peer");
	gt_lo_up();
	gt_set_comm("peer-main");
	self_ns = gt_netns_ino(0);
	pids[npids++] = self;

	/* unix: a socketpair with A */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		gt_fatal("setup", "socketpair: %s", strerror(errno));
	keep(sv[0]);
	keep(sv[1]);
	sv1_ino = gt_fstat_ino(sv[1]);
	if (gt_child_start(&a, child_a, sv))
		gt_fatal("setup", "child A: %s", strerror(errno));
	pids[npids++] = a.pid;
	close(sv[1]);
	npfd--;

	/* unix: B holds the far end, and passes it to C */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) || socketpair(AF_UNIX, SOCK_DGRAM, 0, ch))
		gt_fatal("setup", "socketpair: %s", strerror(errno));
	sp1_ino = gt_fstat_ino(sp[1]);
	keep(sp[0]);
	keep(sp[1]);
	keep(ch[0]);
	keep(ch[1]);
	bargs[0] = sp[1];
	bargs[1] = ch[0];
	if (gt_child_start(&b, child_b, bargs))
		gt_fatal("setup", "child B: %s", strerror(errno));
	pids[npids++] = b.pid;
	if (gt_child_start(&c, child_c, &ch[1]))
		gt_fatal("setup", "child C: %s", strerror(errno));
	pids[npids++] = c.pid;
	close(sp[1]);
	close(ch[0]);
	close(ch[1]);
	npfd -= 3;

	/* tcp: E connects three times; two are accepted */
	lst = keep(gt_inet_socket(AF_INET, SOCK_STREAM, 0, 16, false));
	gports[0] = gt_port(lst);
	if (lst < 0 || gt_child_start(&e, child_e, &gports[0]))
		gt_fatal("setup", "listener and child E: %s", strerror(errno));
	pids[npids++] = e.pid;
	for (int i = 0; i < 2; i++) {
		acc[i] = keep(accept(lst, NULL, NULL));
		acc_ino[i] = gt_fstat_ino(acc[i]);
	}
	for (int i = 0; i < 3; i++)
		e_ino[i] = gt_fd_sock_ino(e.pid, e.vals[2 * i]);

	/* netns: G repeats the first accepted connection's 4-tuple */
	gports[1] = port_of(acc[0], true);
	if (gt_child_start(&g, child_g, gports))
		gt_fatal("setup", "child G: %s", strerror(errno));
	pids[npids++] = g.pid;

	/* netns: F over veth, to a listener on 0.0.0.0 here */
	lst_any = keep(socket(AF_INET, SOCK_STREAM, 0));
	setsockopt(lst_any, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lst_any < 0 || bind(lst_any, (struct sockaddr *)&any, sizeof(any)) ||
	    listen(lst_any, 4) || getsockname(lst_any, (struct sockaddr *)&any, &alen))
		gt_fatal("setup", "listener on 0.0.0.0: %s", strerror(errno));
	fargs[0] = self;
	fargs[1] = ntohs(any.sin_port);
	if (gt_child_start(&f, child_f, fargs))
		gt_fatal("setup", "child F: %s", strerror(errno));
	pids[npids++] = f.pid;
	if (f.vals[0] >= 0) {
		fport = f.vals[1];
		facc = keep(accept(lst_any, NULL, NULL));
	}

	/* the premises, from the kernel's own answers */
	gt_check("premise_tcp_pairs", port_of(acc[0], true) == e.vals[1] &&
		 port_of(acc[1], true) == e.vals[3] && port_of(acc[0], false) == gports[0],
		 "accepted ends' peers: want ports %d, %d got %d, %d", e.vals[1], e.vals[3],
		 port_of(acc[0], true), port_of(acc[1], true));
	gt_check("premise_g_netns", gt_netns_ino(g.pid) && gt_netns_ino(g.pid) != self_ns,
		 "netns of G: %llu, ours %llu", gt_netns_ino(g.pid), self_ns);
	gt_check("premise_scm_rights", gt_fd_sock_ino(b.pid, b.vals[0]) == sp1_ino &&
		 gt_fd_sock_ino(c.pid, c.vals[0]) == sp1_ino,
		 "B's fd %d and C's fd %d: want inode %llu got %llu, %llu", b.vals[0], c.vals[0],
		 sp1_ino, gt_fd_sock_ino(b.pid, b.vals[0]), gt_fd_sock_ino(c.pid, c.vals[0]));

	/* -o peer: every socket of the test */
	out = run(READER " -H -o pid,fd,peer 2>&1");
	check_peer("unix_pair_here", out, self, sv[0], sv1_ino);
	check_peer("unix_pair_a", out, a.pid, a.vals[0], gt_fstat_ino(sv[0]));
	holders(sp1_ino, false, want, sizeof(want));
	gt_check("scm_two_holders", strchr(want, ',') != NULL,
		 "want two holders of inode %llu in /proc, got %s", sp1_ino, want);
	check_peer("scm_rights_here", out, self, sp[0], sp1_ino);
	check_peer("scm_rights_b", out, b.pid, b.vals[0], gt_fstat_ino(sp[0]));
	check_peer("scm_rights_c", out, c.pid, c.vals[0], gt_fstat_ino(sp[0]));
	check_peer("tcp_listener", out, self, lst, 0);
	check_peer("tcp_accepted_0", out, self, acc[0], e_ino[0]);
	check_peer("tcp_accepted_1", out, self, acc[1], e_ino[1]);
	check_peer("tcp_client_0", out, e.pid, e.vals[0], acc_ino[0]);
	check_peer("tcp_client_1", out, e.pid, e.vals[2], acc_ino[1]);
	check_peer("tcp_client_unaccepted", out, e.pid, e.vals[4], 0);
	check_peer("netns_same_tuple_g_client", out, g.pid, g.vals[1],
		   gt_fd_sock_ino(g.pid, g.vals[2]));
	check_peer("netns_same_tuple_g_accepted", out, g.pid, g.vals[2],
		   gt_fd_sock_ino(g.pid, g.vals[1]));
	if (f.vals[0] >= 0) {
		gt_check("premise_veth_pair", port_of(facc, true) == fport &&
			 gt_sock_netns_ino(facc) == self_ns && gt_netns_ino(f.pid) != self_ns,
			 "accepted end's peer port: want %d got %d; netns %llu vs F's %llu", fport,
			 port_of(facc, true), gt_sock_netns_ino(facc), gt_netns_ino(f.pid));
		check_peer("netns_veth_here", out, self, facc, 0);
		check_peer("netns_veth_f", out, f.pid, f.vals[0], 0);
	} else {
		printf("# no veth on this kernel: the connection across namespaces is not made\n");
	}
	free(out);

	/* -j: the same join as JSON objects, every holder */
	json = run(READER " -j -o pid,fd,peer -p %d 2>&1", (int)self);
	holders(sp1_ino, true, objs, sizeof(objs));
	snprintf(want, sizeof(want), "{\"pid\": %d, \"fd\": %d, \"peer\": [%s]}",
		 (int)self, sp[0], objs);
	gt_check("json_two_holders", strstr(json, want) != NULL, "want %s in %s", want, json);
	snprintf(want, sizeof(want), "{\"pid\": %d, \"fd\": %d, \"peer\": null}", (int)self, lst);
	gt_check("json_listener_null", strstr(json, want) != NULL, "want %s in %s", want, json);
	free(json);

	/* explain: the TCP peer, and none across namespaces */
	out = run(READER " explain %d %d 2>&1", (int)self, acc[0]);
	holders(e_ino[0], false, got, sizeof(got));
	snprintf(want, sizeof(want), "-> peer: socket inode %llu (open as %s), local and remote swapped, in net:[%llu]",
		 e_ino[0], got, self_ns);
	gt_check("explain_tcp", strstr(out, want) != NULL, "want \"%s\" in %s", want, out);
	free(out);
	if (f.vals[0] >= 0) {
		out = run(READER " explain %d %d 2>&1", (int)self, facc);
		snprintf(want, sizeof(want), "-> peer: no socket with an fd on this machine has local and remote swapped in net:[%llu]",
			 self_ns);
		gt_check("explain_veth", strstr(out, want) != NULL, "want \"%s\" in %s", want, out);
		free(out);
	}

	/* --dot: the socketpair with A joined by one dashed edge */
	out = run(READER " --dot -p %d -p %d 2>&1", (int)self, (int)a.pid);
	{
		unsigned long long lo = gt_fstat_ino(sv[0]), hi = sv1_ino;
		char w2[128];

		snprintf(want, sizeof(want), "\"s%llu\" -> \"s%llu\" [style=dashed", lo, hi);
		snprintf(w2, sizeof(w2), "\"s%llu\" -> \"s%llu\" [style=dashed", hi, lo);
		gt_check("dot_pair", strstr(out, want) || strstr(out, w2), "want an edge %s in %s", want, out);
	}
	free(out);

	/* --prom: connections on the listener's port, as /proc/net/tcp */
	out = run(READER " --prom 2>&1");
	snprintf(want, sizeof(want),
		 "sockfd_listen_connections{proto=\"tcp\",local=\"127.0.0.1:%d\",port=\"%d\",comm=\"peer-main\",netns=\"%llu\"} %d\n",
		 gports[0], gports[0], self_ns, established_on(gports[0]));
	gt_check("prom_listen_connections", established_on(gports[0]) == 2 && strstr(out, want),
		 "want %s (ESTABLISHED with an inode in /proc/net/tcp: %d) in %.2000s", want,
		 established_on(gports[0]), out);
	free(out);

	/*
	 * The veth connection ends with a reset: F's namespace, and the veth
	 * with it, goes when F does, so an orderly close of this end would
	 * retransmit its FIN into nothing and keep the sock (counted in
	 * /proc/net/sockstat from 6.1) for a minute, into the next test.
	 */
	if (facc >= 0) {
		struct linger rst = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(facc, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		close(facc);
	}
	gt_child_stop(&f);
	gt_child_stop(&g);
	gt_child_stop(&e);
	gt_child_stop(&c);
	gt_child_stop(&b);
	gt_child_stop(&a);
	return gt_done();
}
