// SPDX-License-Identifier: GPL-2.0
/*
 * col_smc: rows of AF_SMC sockets (issue 18). With no RDMA or ISM device,
 * an SMC socket that connects to a plain TCP peer falls back to TCP: the
 * kernel points the fd's file at the SMC socket's internal TCP socket
 * (smc_switch_to_fallback(), net/smc/af_smc.c), so that the fd's calls
 * reach it. The row must still describe the fd as /proc/PID/fd does:
 *   ino     the N of /proc/PID/fd/FD's "socket:[N]" (the file's inode),
 *           not the internal socket's inode (/proc/net/tcp lists that one);
 *   family  "smc", type "stream" (what socket() made);
 *   uid     fstat's st_uid of the fd, after fchown() to a uid the
 *           internal socket does not have (/proc/net/tcp shows its 0);
 * and every other column the fd's own calls: proto "tcp", state, txq and
 * rxq as /proc/net/tcp shows the internal socket (found by its ports),
 * local and remote as getsockname/getpeername on the fd, buffers, cookie,
 * drops and the TCP columns as SO_MEMINFO, SO_COOKIE and TCP_INFO on the
 * fd (man/proc_sockfd.5). Checked for an SMC client of a TCP listener,
 * IPv4 and IPv6 (SMCPROTO_SMC6), and for the socket an SMC listener
 * accepted from a TCP client; the SMC listener, not fallen back, is a row
 * of a family sockfd has no formatter for ("-" for proto to remote).
 * Where the kernel has no SMC (the debug kernel: no CONFIG_SMC) only that
 * socket(AF_SMC) fails with EAFNOSUPPORT is checked.
 * guest-modules-optional: smc
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef AF_SMC
#define AF_SMC 43
#endif
#define SMCPROTO_SMC 0		/* SMC over IPv4 (include/uapi/linux/smc.h) */
#define SMCPROTO_SMC6 1		/* SMC over IPv6 */

/* The internal TCP socket of a fallen-back SMC fd, in /proc/net/tcp*. */
struct internal {
	unsigned long long ino;
	unsigned int uid;
	struct gt_pn pn;
};

/*
 * Find the /proc/net/@file line whose local and remote ports are @fd's
 * (getsockname/getpeername on the fd reach the internal socket): 0, or -1.
 */
static int find_internal(const char *file, int fd, struct internal *in)
{
	char path[64], *text, *line, *save = NULL;
	int lport = gt_port(fd), rport = -1, found = 0;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	size_t len;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
		rport = ntohs(ss.ss_family == AF_INET ?
				      ((struct sockaddr_in *)&ss)->sin_port :
				      ((struct sockaddr_in6 *)&ss)->sin6_port);
	snprintf(path, sizeof(path), "/proc/net/%s", file);
	text = gt_read_file(path, 0, &len);
	if (!text || lport < 0 || rport < 0) {
		free(text);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int lp, rp, uid;
		unsigned long long ino;

		/* sl local:port remote:port st tx:rx tr:when retr uid to ino */
		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%X %*[0-9A-Fa-f]:%X %*X "
			   "%*X:%*X %*X:%*X %*X %u %*d %llu",
			   &lp, &rp, &uid, &ino) != 4)
			continue;
		if ((int)lp == lport && (int)rp == rport) {
			in->ino = ino;
			in->uid = uid;
			found++;
		}
	}
	free(text);
	if (found != 1 || gt_procnet_inet(0, file, in->ino, &in->pn) != 1)
		return -1;
	return 0;
}

/*
 * Check the row of a fallen-back SMC fd @fd (@name): see the header. The
 * fd is chowned to @uid first.
 */
static void check_fallback(const char *name, int fd, const char *file,
			   uid_t uid)
{
	unsigned long long link = gt_fd_sock_ino(0, fd);
	struct gt_want w = { 0 };
	struct internal in;
	char check[128];
	struct stat st;

	snprintf(check, sizeof(check), "%s.setup", name);
	if (fchown(fd, uid, -1) || fstat(fd, &st) || st.st_uid != uid) {
		gt_fail(check, "fchown to %u: %s", (unsigned int)uid,
			strerror(errno));
		return;
	}
	if (find_internal(file, fd, &in)) {
		gt_fail(check, "no single /proc/net/%s line with the fd's ports",
			file);
		return;
	}
	/* The fd's calls reach the internal TCP socket: it fell back. */
	snprintf(check, sizeof(check), "%s.fell_back", name);
	gt_check(check, gt_sockopt_int(fd, SO_DOMAIN) != AF_SMC &&
		 gt_sockopt_int(fd, SO_PROTOCOL) == IPPROTO_TCP,
		 "SO_DOMAIN %d SO_PROTOCOL %d: not an SMC socket fallen back to TCP",
		 gt_sockopt_int(fd, SO_DOMAIN), gt_sockopt_int(fd, SO_PROTOCOL));
	/* Two sockets, two inodes, two owners: the row must pick the fd's. */
	snprintf(check, sizeof(check), "%s.internal_differs", name);
	gt_check(check, link && in.ino != link && in.uid != uid,
		 "internal socket ino %llu uid %u, the fd's socket:[%llu] uid %u",
		 in.ino, in.uid, link, (unsigned int)uid);

	gt_want_set(&w, GT_INO, "%llu", link);
	gt_want_set(&w, GT_FAMILY, "smc");
	gt_want_set(&w, GT_TYPE, "stream");
	gt_want_set(&w, GT_PROTO, "tcp");
	gt_want_set(&w, GT_UID, "%u", (unsigned int)uid);
	gt_want_set(&w, GT_STATE, "%s", gt_state_name(in.pn.st));
	gt_want_set(&w, GT_TXQ, "%llu", in.pn.txq);
	gt_want_set(&w, GT_RXQ, "%llu", in.pn.rxq);
	/* /proc/net/tcp's tr: 1 retransmit, 2 keepalive, 4 probe */
	gt_want_set(&w, GT_TIMER, "%s",
		    in.pn.timer == 1 ? "retransmit/*" :
		    in.pn.timer == 2 ? "keepalive/*" :
		    in.pn.timer == 4 ? "probe/*" : "-");
	/* the rest: gt_expect() on the fd (getsockname, TCP_INFO, ...) */
	snprintf(check, sizeof(check), "%s.row", name);
	gt_check_fd(check, 0, fd, &w);
	gt_want_free(&w);
}

/* An SMC socket of @proto connected to a TCP listener of @family. */
static void client(int family, int proto, const char *name, const char *file)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int l = gt_inet_socket(family, SOCK_STREAM, 0, 4, family == AF_INET6);
	int c = socket(AF_SMC, SOCK_STREAM, proto), a;

	if (l < 0 || c < 0)
		gt_fatal(name, "setup: socket: %s", strerror(errno));
	sl = gt_loopback_addr(family, gt_port(l), &ss);
	if (connect(c, (struct sockaddr *)&ss, sl))
		gt_fatal(name, "setup: connect: %s", strerror(errno));
	a = accept(l, NULL, NULL);
	if (a < 0)
		gt_fatal(name, "setup: accept: %s", strerror(errno));
	/* unread bytes in the internal socket's receive queue: rxq */
	if (write(a, "smc", 3) != 3)
		gt_fatal(name, "setup: write: %s", strerror(errno));
	gt_msleep(50);
	check_fallback(name, c, file, 1234);
	close(a);
	close(c);
	close(l);
}

/* An SMC listener, and what it accepted from a TCP client. */
static void server(void)
{
	struct sockaddr_storage ss;
	struct gt_want w = { 0 };
	socklen_t sl = gt_loopback_addr(AF_INET, 0, &ss);
	int l = socket(AF_SMC, SOCK_STREAM, SMCPROTO_SMC), c, a;

	if (l < 0 || bind(l, (struct sockaddr *)&ss, sl) || listen(l, 4))
		gt_fatal("server", "setup: SMC listener: %s", strerror(errno));
	c = gt_inet_connect(AF_INET, SOCK_STREAM, gt_port(l));
	if (c < 0)
		gt_fatal("server", "setup: connect: %s", strerror(errno));
	a = accept(l, NULL, NULL);
	if (a < 0)
		gt_fatal("server", "setup: accept: %s", strerror(errno));
	check_fallback("accepted", a, "tcp", 4321);

	/*
	 * Not fallen back: a family sockfd has no formatter for, so "-" for
	 * proto to remote (man/proc_sockfd.5), though getsockname() on it
	 * answers with its internal socket's address.
	 */
	gt_want_set(&w, GT_FAMILY, "smc");
	gt_want_set(&w, GT_PROTO, "-");
	gt_want_set(&w, GT_STATE, "-");
	gt_want_set(&w, GT_LOCAL, "-");
	gt_want_set(&w, GT_REMOTE, "-");
	gt_check_fd("listener.row", 0, l, &w);
	gt_want_free(&w);
	close(a);
	close(c);
	close(l);
}

int main(void)
{
	const char *kernel = getenv("SOCKFD_KERNEL");
	int s;

	gt_lo_up();
	s = socket(AF_SMC, SOCK_STREAM, SMCPROTO_SMC);
	if (s < 0 && kernel && !strcmp(kernel, "debug")) {
		/* tests/vm/debug-kernel.config has no CONFIG_SMC */
		gt_check("no_smc", errno == EAFNOSUPPORT,
			 "socket(AF_SMC): want EAFNOSUPPORT got %s",
			 strerror(errno));
		printf("# no AF_SMC in this kernel: SMC rows not checked\n");
		return gt_done();
	}
	if (s < 0)
		gt_fatal("setup", "socket(AF_SMC): %s (is smc.ko loaded?)",
			 strerror(errno));
	close(s);
	client(AF_INET, SMCPROTO_SMC, "client", "tcp");
	client(AF_INET6, SMCPROTO_SMC6, "client6", "tcp6");
	server();
	return gt_done();
}
