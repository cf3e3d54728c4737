// SPDX-License-Identifier: GPL-2.0
/*
 * demo-workload: a few long-lived processes with sockets, for `make demo`.
 *   demo-server  TCP listener on 127.0.0.1:8080 and the 3 connections it accepted
 *   demo-client  3 TCP clients of demo-server (each sent 100 bytes the
 *                server has not read yet: rxq 100 on the server side)
 *   demo-dns     UDP socket on 0.0.0.0:5353 and an IPv6 UDP socket on [::1]:5353
 *   demo-pair    both ends of a unix socketpair, one unix socket bound to
 *                /tmp/demo.sock
 * Returns once all of them are set up; they stay until killed.
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PORT 8080
#define CLIENTS 3

static int tcp_socket(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		err(1, "socket");
	return s;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* Forks a child named NAME that runs fn(arg), writes one byte to ready, then sleeps. */
static void spawn(const char *name, void (*fn)(int), int arg, int ready)
{
	pid_t pid = fork();

	if (pid < 0)
		err(1, "fork");
	if (pid > 0)
		return;
	prctl(PR_SET_NAME, name);
	fn(arg);
	if (write(ready, "x", 1) != 1)
		err(1, "write");
	for (;;)
		pause();
}

static void server(int listener)
{
	for (int i = 0; i < CLIENTS; i++)
		if (accept(listener, NULL, NULL) < 0)
			err(1, "accept");
}

static void clients(int unused)
{
	char buf[100];

	(void)unused;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < CLIENTS; i++) {
		struct sockaddr_in a = loopback(PORT);
		int s = tcp_socket();

		if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
			err(1, "connect");
		if (write(s, buf, sizeof(buf)) != sizeof(buf))
			err(1, "write");
	}
}

static void dns(int unused)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(5353) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(5353),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int s = socket(AF_INET, SOCK_DGRAM, 0), s6 = socket(AF_INET6, SOCK_DGRAM, 0);

	(void)unused;
	if (s < 0 || s6 < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    bind(s6, (struct sockaddr *)&a6, sizeof(a6)) < 0)
		err(1, "udp");
}

static void pair(int unused)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/tmp/demo.sock" };
	int sv[2], s = socket(AF_UNIX, SOCK_DGRAM, 0);

	(void)unused;
	unlink(a.sun_path);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || s < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		err(1, "unix");
}

int main(void)
{
	struct sockaddr_in a = loopback(PORT);
	int one = 1, ready[2], listener = tcp_socket();
	char c;

	if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(listener, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(listener, 16) < 0)
		err(1, "listen");
	if (pipe(ready) < 0)
		err(1, "pipe");
	spawn("demo-server", server, listener, ready[1]);
	close(listener);
	spawn("demo-client", clients, 0, ready[1]);
	spawn("demo-dns", dns, 0, ready[1]);
	spawn("demo-pair", pair, 0, ready[1]);
	for (int i = 0; i < 4; i++)
		if (read(ready[0], &c, 1) != 1)
			errx(1, "a demo process failed");
	return 0;
}
