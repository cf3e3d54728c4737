// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for sockfd (module sockfd_kunit.ko, built only for kernels
 * with CONFIG_KUNIT; it needs sockfd.ko loaded first).
 *
 * The line formatter (sockfd_line.c and a file per family), fed real
 * sockets made with sock_create_kern() (some fields set by hand where the
 * network cannot give them, e.g. link-local peers), the escaping function
 * and the name tables.
 *
 * sockfd_cursor: /proc/sockfd itself, read through the VFS as a reader
 * would: with reads of every size from 1 byte up and resumed (lseek) at
 * every byte offset, the output must equal one whole read. Its suite_init
 * runs in the context of the process loading this module (insmod), and
 * installs socket fds in that process, with holes, so the walk has known
 * lines to find; suite_exit closes them. The guest is otherwise idle while
 * the module loads, so consecutive reads see the same sockets.
 *
 * sockfd_access: sockfd_may_see_task(), the permission rule, for a task in
 * its exit window (no mm), under each setting of "unprivileged".
 */
#include <kunit/test.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sock_diag.h>
#include <linux/string.h>
#include <linux/un.h>
#include <linux/vm_sockets.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "../module/sockfd.h"
#include "../module/sockfd_compat.h"

/* The namespace is a string from 6.13, a bare token before (Kbuild probe). */
#ifdef SOCKFD_HAVE_IMPORT_NS_STRING
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
#else
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
#endif

/* kernel_bind()/kernel_connect() take struct sockaddr_unsized from 6.19 (Kbuild probe). */
#ifdef SOCKFD_HAVE_SOCKADDR_UNSIZED
#define KU_ADDR(a) ((struct sockaddr_unsized *)(a))
#else
#define KU_ADDR(a) ((struct sockaddr *)(a))
#endif

#define KU_NCOLS 45	/* columns of format version 3 */
#define KU_LINE_MAX 1024

/* ------------------------------------------------------------------ */
/* Helpers: a seq_file to format into, and a line split by the header  */
/* ------------------------------------------------------------------ */

/*
 * A seq_file with a page of buffer. seq_user_ns() reads ->file->f_cred, so
 * it gets a file that only carries the test thread's credentials.
 */
static struct seq_file *ku_seq(struct kunit *test)
{
	struct seq_file *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct file *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->f_cred = current_cred();
	m->file = f;
	m->size = PAGE_SIZE;
	m->buf = kunit_kzalloc(test, m->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	return m;
}

/* The text in @m as a NUL-terminated string, buffer emptied. */
static char *ku_take(struct kunit *test, struct seq_file *m)
{
	char *s;

	KUNIT_ASSERT_FALSE(test, seq_has_overflowed(m));
	s = kunit_kzalloc(test, m->count + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	memcpy(s, m->buf, m->count);
	m->count = 0;
	return s;
}

/*
 * Split @line (one line ending in '\n', nothing after it) into at most
 * @max fields separated by runs of spaces; checks that it is one
 * well-formed line. Returns the number of fields.
 */
static int ku_split(struct kunit *test, char *line, char **field, int max)
{
	size_t len = strlen(line);
	int n = 0;
	char *p;

	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_EXPECT_EQ_MSG(test, line[len - 1], '\n', "line: %s", line);
	KUNIT_EXPECT_PTR_EQ_MSG(test, strchr(line, '\n'), line + len - 1,
				"more than one line: %s", line);
	KUNIT_EXPECT_NULL_MSG(test, strchr(line, '\t'), "tab in %s", line);
	line[len - 1] = '\0';
	while ((p = strsep(&line, " ")) != NULL) {
		if (!*p)
			continue;
		KUNIT_ASSERT_LT(test, n, max);
		field[n++] = p;
	}
	return n;
}

/* The header's column names, in file order. */
struct ku_header {
	int n;
	char *name[KU_NCOLS + 8];
};

static void ku_header(struct kunit *test, struct ku_header *h)
{
	struct seq_file *m = ku_seq(test);

	sockfd_show_header(m);
	h->n = ku_split(test, ku_take(test, m), h->name, ARRAY_SIZE(h->name));
	KUNIT_ASSERT_EQ(test, h->n, KU_NCOLS);
}

/* One formatted socket line, fields found by header name. */
struct ku_line {
	struct ku_header h;
	char *text;		/* the line as printed, for messages */
	int n;
	char *field[KU_NCOLS + 8];
};

/*
 * The line of fd @fd of @o's task, whose file is @fsock's and whose calls
 * reach @sock (the same socket but for a fallen-back SMC socket).
 */
static void ku_format_pair(struct kunit *test, struct ku_line *l,
			   struct sockfd_owner *o, unsigned int fd,
			   struct socket *fsock, struct socket *sock)
{
	struct seq_file *m = ku_seq(test);
	char *s;

	ku_header(test, &l->h);
	KUNIT_ASSERT_EQ(test, sockfd_show_line(m, o, fd, fsock, sock), 0);
	s = ku_take(test, m);
	l->text = kunit_kstrdup(test, s, GFP_KERNEL);
	l->n = ku_split(test, s, l->field, ARRAY_SIZE(l->field));
	KUNIT_ASSERT_EQ_MSG(test, l->n, l->h.n, "fields of %s", l->text);
}

/* The line of @sock as fd @fd of @o's task. */
static void ku_format_owner(struct kunit *test, struct ku_line *l,
			    struct sockfd_owner *o, unsigned int fd,
			    struct socket *sock)
{
	ku_format_pair(test, l, o, fd, sock, sock);
}

/* The line of @sock as fd @fd of task @pid named @comm. */
static void ku_format(struct kunit *test, struct ku_line *l, pid_t pid,
		      const char *comm, unsigned int fd, struct socket *sock)
{
	struct sockfd_owner o;

	sockfd_owner_set(&o, pid, comm);
	ku_format_owner(test, l, &o, fd, sock);
}

static const char *ku_get(struct kunit *test, const struct ku_line *l,
			  const char *col)
{
	int i;

	for (i = 0; i < l->h.n; i++)
		if (!strcmp(l->h.name[i], col))
			return l->field[i];
	KUNIT_FAIL(test, "no column %s in the header", col);
	return "";
}

static void ku_expect_col(struct kunit *test, const struct ku_line *l,
			  const char *col, const char *want)
{
	KUNIT_EXPECT_STREQ_MSG(test, ku_get(test, l, col), want,
			       "column %s of %s", col, l->text);
}

/* Expect column @col to be the decimal @want. */
static void ku_expect_num(struct kunit *test, const struct ku_line *l,
			  const char *col, long long want)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", want);
	ku_expect_col(test, l, col, buf);
}

static struct socket *ku_sock(struct kunit *test, int family, int type,
			      int proto)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, family, type, proto,
					       &sock), 0);
	return sock;
}

/*
 * cookie, cgroup, drops: the cookie the formatter assigned (read back as
 * SO_COOKIE would), the cgroup of the task that made the socket (this
 * test thread: sk_alloc() takes current's default-hierarchy cgroup), no
 * drops on a fresh socket.
 */
static void ku_expect_ids(struct kunit *test, const struct ku_line *l,
			  struct socket *sock)
{
	u32 c[2];

	sock_diag_save_cookie(sock->sk, c);
	ku_expect_num(test, l, "cookie", (u64)c[1] << 32 | c[0]);
#ifdef CONFIG_SOCK_CGROUP_DATA
	rcu_read_lock();
	ku_expect_num(test, l, "cgroup", cgroup_id(task_dfl_cgroup(current)));
	rcu_read_unlock();
#else
	ku_expect_col(test, l, "cgroup", "-");
#endif
	ku_expect_col(test, l, "drops", "0");
}

/* Columns every socket line has, checked against the socket itself. */
static void ku_expect_common(struct kunit *test, const struct ku_line *l,
			     struct socket *sock, const char *family,
			     const char *type)
{
	struct sock *sk = sock->sk;

	ku_expect_num(test, l, "ino", SOCK_INODE(sock)->i_ino);
	ku_expect_num(test, l, "netns", init_net.ns.inum);
	ku_expect_col(test, l, "family", family);
	ku_expect_col(test, l, "type", type);
	ku_expect_num(test, l, "rmem", sk_rmem_alloc_get(sk));
	ku_expect_num(test, l, "rcvbuf", READ_ONCE(sk->sk_rcvbuf));
	ku_expect_num(test, l, "wmem", sk_wmem_alloc_get(sk));
	ku_expect_num(test, l, "sndbuf", READ_ONCE(sk->sk_sndbuf));
	/* sock_create_kern() sockets belong to the test thread: root. */
	ku_expect_col(test, l, "uid", "0");
	ku_expect_ids(test, l, sock);
	/* What SO_MEMINFO adds (sk_get_meminfo()); nothing queued yet. */
	ku_expect_num(test, l, "wmem_queued", READ_ONCE(sk->sk_wmem_queued));
	ku_expect_num(test, l, "fwd_alloc", sockfd_sk_forward_alloc(sk));
	ku_expect_num(test, l, "optmem", atomic_read(&sk->sk_omem_alloc));
	ku_expect_num(test, l, "backlog", READ_ONCE(sk->sk_backlog.len));
}

/* The TCP-only columns of a line that has no TCP connection, cc aside. */
static void ku_expect_no_conn(struct kunit *test, const struct ku_line *l)
{
	static const char *const cols[] = {
		"timer", "retrans", "rtt", "cwnd", "bytes_sent", "bytes_acked",
		"bytes_received", "bytes_retrans", "segs_out", "segs_in",
		"lastsnd", "lastrcv", "lastack", "notsent", "min_rtt",
		"delivery_rate", "pacing_rate",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cols); i++)
		ku_expect_col(test, l, cols[i], "-");
}

/* The TCP-only columns of a line that is not TCP. */
static void ku_expect_no_tcp(struct kunit *test, const struct ku_line *l)
{
	ku_expect_no_conn(test, l);
	ku_expect_col(test, l, "cc", "-");
}

/* ------------------------------------------------------------------ */
/* the line formatter: names                                            */
/* ------------------------------------------------------------------ */

enum ku_table { KU_FAMILY, KU_TYPE, KU_STATE, KU_INET_PROTO, KU_NL_PROTO };

struct ku_name_case {
	enum ku_table table;
	int nr;
	const char *want;	/* NULL: no name, the caller prints a number */
};

static const struct ku_name_case ku_name_cases[] = {
	{ KU_FAMILY, AF_UNIX, "unix" },
	{ KU_FAMILY, AF_INET, "inet" },
	{ KU_FAMILY, AF_INET6, "inet6" },
	{ KU_FAMILY, AF_NETLINK, "netlink" },
	{ KU_FAMILY, AF_PACKET, "packet" },
	{ KU_FAMILY, AF_VSOCK, "vsock" },
	{ KU_FAMILY, AF_UNSPEC, NULL },
	{ KU_FAMILY, AF_BRIDGE, NULL },
	{ KU_FAMILY, AF_MAX, NULL },
	{ KU_FAMILY, -1, NULL },
	{ KU_TYPE, SOCK_STREAM, "stream" },
	{ KU_TYPE, SOCK_DGRAM, "dgram" },
	{ KU_TYPE, SOCK_RAW, "raw" },
	{ KU_TYPE, SOCK_RDM, "rdm" },
	{ KU_TYPE, SOCK_SEQPACKET, "seqpacket" },
	{ KU_TYPE, SOCK_PACKET, "packet" },
	{ KU_TYPE, 0, NULL },
	{ KU_TYPE, 7, NULL },
	{ KU_TYPE, 11, NULL },
	{ KU_TYPE, -1, NULL },
	{ KU_STATE, TCP_ESTABLISHED, "ESTABLISHED" },
	{ KU_STATE, TCP_SYN_SENT, "SYN_SENT" },
	{ KU_STATE, TCP_SYN_RECV, "SYN_RECV" },
	{ KU_STATE, TCP_FIN_WAIT1, "FIN_WAIT1" },
	{ KU_STATE, TCP_FIN_WAIT2, "FIN_WAIT2" },
	{ KU_STATE, TCP_TIME_WAIT, "TIME_WAIT" },
	{ KU_STATE, TCP_CLOSE, "CLOSE" },
	{ KU_STATE, TCP_CLOSE_WAIT, "CLOSE_WAIT" },
	{ KU_STATE, TCP_LAST_ACK, "LAST_ACK" },
	{ KU_STATE, TCP_LISTEN, "LISTEN" },
	{ KU_STATE, TCP_CLOSING, "CLOSING" },
	{ KU_STATE, 0, NULL },
	{ KU_STATE, TCP_MAX_STATES, NULL },
	{ KU_STATE, -1, NULL },
	{ KU_INET_PROTO, IPPROTO_TCP, "tcp" },
	{ KU_INET_PROTO, IPPROTO_UDP, "udp" },
	{ KU_INET_PROTO, IPPROTO_UDPLITE, "udplite" },
	{ KU_INET_PROTO, IPPROTO_ICMP, "icmp" },
	{ KU_INET_PROTO, IPPROTO_ICMPV6, "icmpv6" },
	{ KU_INET_PROTO, IPPROTO_RAW, "raw" },
	{ KU_INET_PROTO, IPPROTO_SCTP, "sctp" },
	{ KU_INET_PROTO, IPPROTO_MPTCP, "mptcp" },
	{ KU_INET_PROTO, 99, NULL },
	{ KU_NL_PROTO, NETLINK_ROUTE, "route" },
	{ KU_NL_PROTO, NETLINK_SOCK_DIAG, "sock_diag" },
	{ KU_NL_PROTO, NETLINK_AUDIT, "audit" },
	{ KU_NL_PROTO, NETLINK_GENERIC, "generic" },
	{ KU_NL_PROTO, 99, NULL },
	{ KU_NL_PROTO, -1, NULL },
};

static const char *const ku_table_names[] = {
	[KU_FAMILY] = "family", [KU_TYPE] = "type", [KU_STATE] = "state",
	[KU_INET_PROTO] = "inet_proto", [KU_NL_PROTO] = "netlink_proto",
};

static void ku_name_desc(const struct ku_name_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %d", ku_table_names[c->table],
		 c->nr);
}

KUNIT_ARRAY_PARAM(ku_names, ku_name_cases, ku_name_desc);

static void sockfd_test_names(struct kunit *test)
{
	const struct ku_name_case *c = test->param_value;
	const char *got = NULL;

	switch (c->table) {
	case KU_FAMILY:
		got = sockfd_family_name(c->nr);
		break;
	case KU_TYPE:
		got = sockfd_type_name(c->nr);
		break;
	case KU_STATE:
		got = sockfd_state_name(c->nr);
		break;
	case KU_INET_PROTO:
		got = sockfd_inet_proto_name(c->nr);
		break;
	case KU_NL_PROTO:
		got = sockfd_netlink_proto_name(c->nr);
		break;
	}
	if (c->want)
		KUNIT_EXPECT_STREQ(test, got, c->want);
	else
		KUNIT_EXPECT_NULL_MSG(test, got, "got %s", got);
}

/*
 * Every name of every table is shorter than SOCKFD_SHORT_MAX: the
 * formatter copies names in one pass, with room for that many bytes.
 */
static void sockfd_test_name_lengths(struct kunit *test)
{
	const char *(*const tables[])(int) = {
		sockfd_family_name, sockfd_type_name, sockfd_state_name,
		sockfd_inet_proto_name, sockfd_netlink_proto_name,
	};
	const char *name;
	int t, nr, seen = 0;

	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		for (nr = -1; nr < 512; nr++) {
			name = tables[t](nr);
			if (!name)
				continue;
			KUNIT_EXPECT_LT_MSG(test, strlen(name), SOCKFD_SHORT_MAX,
					    "table %d, %d: %s", t, nr, name);
			seen++;
		}
	}
	KUNIT_EXPECT_GT(test, seen, 60);
}

/* ------------------------------------------------------------------ */
/* the line formatter: escaping                                         */
/* ------------------------------------------------------------------ */

struct ku_escape_case {
	const char *desc;
	const char *in;
	size_t len;
	const char *want;
};

#define KU_ESC(d, s, w) { d, s, sizeof(s) - 1, w }

static const struct ku_escape_case ku_escape_cases[] = {
	KU_ESC("plain", "abc-XYZ_09.~!", "abc-XYZ_09.~!"),
	KU_ESC("empty", "", ""),
	KU_ESC("space", "a b", "a\\040b"),
	KU_ESC("tab newline", "\t\n", "\\011\\012"),
	KU_ESC("backslash", "a\\b", "a\\134b"),
	KU_ESC("embedded NUL", "x\0y", "x\\000y"),
	KU_ESC("control and DEL", "\001\037\177", "\\001\\037\\177"),
	KU_ESC("high bytes", "\200\377", "\\200\\377"),
	KU_ESC("looks escaped", "\\040", "\\134040"),
};

static void ku_escape_desc(const struct ku_escape_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ku_escape, ku_escape_cases, ku_escape_desc);

static void sockfd_test_escape(struct kunit *test)
{
	const struct ku_escape_case *c = test->param_value;
	char out[64];	/* 4 bytes per input byte, and a NUL */
	size_t n;

	KUNIT_ASSERT_LT(test, 4 * c->len, sizeof(out));
	memset(out, 'X', sizeof(out));
	n = sockfd_escape(out, c->in, c->len);
	/* It writes exactly what it returns: the byte after is untouched. */
	KUNIT_EXPECT_EQ(test, out[n], 'X');
	out[n] = '\0';
	KUNIT_EXPECT_STREQ(test, out, c->want);
}

/* ------------------------------------------------------------------ */
/* the line formatter: whole lines                                      */
/* ------------------------------------------------------------------ */

/* The header is exactly the contract's column list. */
static void sockfd_test_header(struct kunit *test)
{
	static const char *const want[KU_NCOLS] = {
		"pid", "comm", "fd", "ino", "netns", "family", "type", "proto",
		"state", "local", "remote", "txq", "rxq", "rmem", "rcvbuf",
		"wmem", "sndbuf", "uid", "cookie", "cgroup", "drops", "timer",
		"retrans", "rtt", "cwnd", "bytes_sent", "bytes_acked",
		"bytes_received", "bytes_retrans", "segs_out", "segs_in",
		"lastsnd", "lastrcv", "lastack", "notsent", "min_rtt",
		"delivery_rate", "pacing_rate", "cc", "wmem_queued",
		"fwd_alloc", "optmem", "backlog", "fds", "nofile",
	};
	struct ku_header h;
	int i;

	ku_header(test, &h);
	for (i = 0; i < KU_NCOLS; i++)
		KUNIT_EXPECT_STREQ(test, h.name[i], want[i]);
}

/*
 * A line is all or nothing: with any free space left in the seq_file
 * buffer, from none to more than the line needs, sockfd_show_line()
 * either appends exactly the line it printed into an empty buffer, or
 * marks the buffer overflowed (seq_file then shows the record again) and
 * leaves the bytes before it alone. An IPv6 socket bound to a name with
 * escapes in comm takes every kind of field.
 */
static void sockfd_test_line_overflow(struct kunit *test)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct socket *sock = ku_sock(test, AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
	struct seq_file *m = ku_seq(test);
	size_t len, room, fits = 0;
	struct sockfd_owner o;
	char *want;

	KUNIT_ASSERT_EQ(test, kernel_bind(sock, KU_ADDR(&sin6), sizeof(sin6)), 0);
	sockfd_owner_set(&o, 1, "a b\\c");
	KUNIT_ASSERT_EQ(test, sockfd_show_line(m, &o, 3, sock, sock), 0);
	want = ku_take(test, m);
	len = strlen(want);
	KUNIT_ASSERT_GT(test, len, 200);
	for (room = 0; room <= len + 512 && room < m->size; room++) {
		memset(m->buf, '#', m->size);
		m->count = m->size - room;
		KUNIT_ASSERT_EQ(test, sockfd_show_line(m, &o, 3, sock, sock), 0);
		KUNIT_EXPECT_EQ(test, m->buf[m->size - room - 1], '#');
		if (seq_has_overflowed(m)) {
			KUNIT_EXPECT_LT_MSG(test, room, len + 512,
					    "overflowed with %zu bytes free", room);
			continue;
		}
		KUNIT_EXPECT_GE(test, room, len);
		KUNIT_EXPECT_EQ(test, m->count, m->size - room + len);
		KUNIT_EXPECT_EQ(test, memcmp(m->buf + m->size - room, want, len), 0);
		fits++;
	}
	KUNIT_EXPECT_GT(test, fits, 0);
	m->count = 0;
	sock_release(sock);
}

/*
 * The cookie column of @sock's line with its cookie set to @v by hand
 * (sock_diag_save_cookie() keeps one already set), as %llu prints @v.
 */
static void ku_expect_cookie(struct kunit *test, struct socket *sock, u64 v)
{
	struct ku_line l;
	char want[24];

	atomic64_set(&sock->sk->sk_cookie, v);
	ku_format(test, &l, 1, "d", 3, sock);
	snprintf(want, sizeof(want), "%llu", v);
	ku_expect_col(test, &l, "cookie", want);
}

/*
 * Decimal numbers at every length, as %llu prints them: the socket's
 * cookie, from 0 digits of change to the 20 of U64_MAX.
 */
static void sockfd_test_decimal(struct kunit *test)
{
	struct socket *sock = ku_sock(test, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	u64 v, old = atomic64_read(&sock->sk->sk_cookie);
	int i;

	for (i = 0, v = 1; i < 20; i++, v *= 10) {
		const u64 vals[] = { v - 1 ? v - 1 : 1, v, v + 1, U64_MAX - v + 1 };
		int j;

		for (j = 0; j < ARRAY_SIZE(vals); j++)
			ku_expect_cookie(test, sock, vals[j]);
	}
	atomic64_set(&sock->sk->sk_cookie, old);
	sock_release(sock);
}

/*
 * Decimal numbers around every power of two, as %llu prints them: the
 * digit count starts from fls64(), so each bit length is a boundary of its
 * own (2^k - 1, 2^k, 2^k + 1 for k = 1..63, and U64_MAX).
 */
static void sockfd_test_decimal_bits(struct kunit *test)
{
	struct socket *sock = ku_sock(test, AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	u64 old = atomic64_read(&sock->sk->sk_cookie);
	struct ku_line l;
	int k, j;

	for (k = 1; k < 64; k++)
		for (j = -1; j <= 1; j++)
			ku_expect_cookie(test, sock, (1ULL << k) + j);
	atomic64_set(&sock->sk->sk_cookie, U64_MAX);
	ku_format(test, &l, 1, "d", 3, sock);
	ku_expect_col(test, &l, "cookie", "18446744073709551615");
	atomic64_set(&sock->sk->sk_cookie, old);
	sock_release(sock);
}

/* A real TCP listener: state, wildcard address, backlog as txq. */
static void sockfd_test_tcp_listen(struct kunit *test)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct socket *sock = ku_sock(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	struct ku_line l;
	char want[32];

	KUNIT_ASSERT_EQ(test, kernel_bind(sock, KU_ADDR(&sin), sizeof(sin)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(sock, 7), 0);
	ku_format(test, &l, 4242, "k unit\\", 42, sock);

	ku_expect_num(test, &l, "pid", 4242);
	ku_expect_col(test, &l, "comm", "k\\040unit\\134");
	ku_expect_num(test, &l, "fd", 42);
	ku_expect_common(test, &l, sock, "inet", "stream");
	ku_expect_col(test, &l, "proto", "tcp");
	ku_expect_col(test, &l, "state", "LISTEN");
	snprintf(want, sizeof(want), "0.0.0.0:%u",
		 ntohs(inet_sk(sock->sk)->inet_sport));
	KUNIT_EXPECT_STRNEQ(test, want, "0.0.0.0:0");
	ku_expect_col(test, &l, "local", want);
	ku_expect_col(test, &l, "remote", "0.0.0.0:0");
	ku_expect_col(test, &l, "txq", "7");
	ku_expect_col(test, &l, "rxq", "0");
	ku_expect_no_conn(test, &l);	/* a listener has no connection */
	/* but an algorithm, as TCP_CONGESTION answers */
	ku_expect_col(test, &l, "cc", inet_csk(sock->sk)->icsk_ca_ops->name);
	/* no task given (sockfd_owner_task()): "-" */
	ku_expect_col(test, &l, "fds", "-");
	ku_expect_col(test, &l, "nofile", "-");
	sock_release(sock);
}

/*
 * The format 3 TCP columns of @sk set by hand (on a socket nothing else
 * uses), against the values tcp_get_info() computes from the same fields:
 * 5 MSS of 1000 bytes in 10 ms is 500000 bytes/s; a send 2 s ago shows
 * 2000 ms (give or take the jiffies of the test).
 */
static void ku_expect_tcp_info(struct kunit *test, struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct ku_line l;
	unsigned int ms;

	lock_sock(sk);
	tp->bytes_sent = 1ULL << 40;
	tp->bytes_acked = 123456789012ULL;
	tp->bytes_received = 42;
	tp->bytes_retrans = 7;
	tp->segs_out = 11;
	tp->segs_in = 12;
	tp->lsndtime = tcp_jiffies32 - 2 * HZ;
	tp->write_seq = tp->snd_nxt + 300;
	tp->rtt_min.s[0].v = 77;
	tp->rate_delivered = 5;
	tp->rate_interval_us = 10000;
	tp->mss_cache = 1000;
	WRITE_ONCE(sk->sk_pacing_rate, 98765);
	release_sock(sk);
	ku_format(test, &l, 8, "tcp", 4, sk->sk_socket);
	ku_expect_col(test, &l, "bytes_sent", "1099511627776");
	ku_expect_col(test, &l, "bytes_acked", "123456789012");
	ku_expect_col(test, &l, "bytes_received", "42");
	ku_expect_col(test, &l, "bytes_retrans", "7");
	ku_expect_col(test, &l, "segs_out", "11");
	ku_expect_col(test, &l, "segs_in", "12");
	KUNIT_EXPECT_EQ(test, kstrtouint(ku_get(test, &l, "lastsnd"), 10, &ms), 0);
	KUNIT_EXPECT_TRUE_MSG(test, ms >= 2000 && ms < 2000 + 1000,
			      "lastsnd %u", ms);
	ku_expect_col(test, &l, "notsent", "300");
	ku_expect_col(test, &l, "min_rtt", "77");
	ku_expect_col(test, &l, "delivery_rate", "500000");
	ku_expect_col(test, &l, "pacing_rate", "98765");
	lock_sock(sk);
	tp->write_seq = tp->snd_nxt;
	WRITE_ONCE(sk->sk_pacing_rate, ~0UL);
	release_sock(sk);
}

/*
 * A TCP socket that is not a listener: retrans, rtt and cwnd as TCP_INFO
 * reports them, set by hand on an unconnected socket, and the keepalive
 * timer (armed and stopped with sk_reset_timer() and sk_stop_timer();
 * its handler does nothing on a closed socket if it fires).
 */
static void sockfd_test_tcp_info(struct kunit *test)
{
	struct socket *sock = ku_sock(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	struct sock *sk = sock->sk;
	struct tcp_sock *tp = tcp_sk(sk);
	struct ku_line l;
	const char *timer;
	unsigned int ms;

	ku_format(test, &l, 8, "tcp", 4, sock);
	ku_expect_common(test, &l, sock, "inet", "stream");
	ku_expect_col(test, &l, "state", "CLOSE");
	ku_expect_col(test, &l, "timer", "-");
	ku_expect_col(test, &l, "retrans", "0/0");
	/* tcp_init_sock(): cwnd 10, no ssthresh yet ("-"), no RTT sample */
	ku_expect_col(test, &l, "cwnd", "10/-");
	ku_expect_col(test, &l, "min_rtt", "-");
	/* never connected: no stamp of a send, receive or ACK */
	ku_expect_col(test, &l, "lastsnd", "-");
	ku_expect_col(test, &l, "lastack", "-");
	ku_expect_col(test, &l, "bytes_sent", "0");
	ku_expect_col(test, &l, "delivery_rate", "0");
	ku_expect_col(test, &l, "cc", inet_csk(sk)->icsk_ca_ops->name);

	lock_sock(sk);
	inet_csk(sk)->icsk_retransmits = 3;
	tp->total_retrans = 17;
	tp->srtt_us = 1234 << 3;
	tp->mdev_us = 56 << 2;
	tcp_snd_cwnd_set(tp, 20);
	tp->snd_ssthresh = 15;
	/* exported everywhere; takes a reference while pending */
	sk_reset_timer(sk, sockfd_tcp_keepalive_timer(sk), jiffies + 5 * HZ);
	release_sock(sk);
	ku_format(test, &l, 8, "tcp", 4, sock);
	ku_expect_col(test, &l, "retrans", "3/17");
	ku_expect_col(test, &l, "rtt", "1234/56");
	ku_expect_col(test, &l, "cwnd", "20/15");
	ku_expect_tcp_info(test, sk);
	timer = ku_get(test, &l, "timer");
	KUNIT_EXPECT_TRUE_MSG(test, sscanf(timer, "keepalive/%u", &ms) == 1 &&
			      ms <= 5000, "timer %s", timer);

	lock_sock(sk);
	sk_stop_timer(sk, sockfd_tcp_keepalive_timer(sk));	/* and its ref */
	inet_csk(sk)->icsk_retransmits = 0;
	release_sock(sk);
	ku_format(test, &l, 8, "tcp", 4, sock);
	ku_expect_col(test, &l, "timer", "-");
	sock_release(sock);
}

/* packet: the bound interface and protocol; "*" unbound. */
static void sockfd_test_packet(struct kunit *test)
{
	struct socket *sock = ku_sock(test, AF_PACKET, SOCK_RAW,
				      htons(ETH_P_ALL));
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = LOOPBACK_IFINDEX,
	};
	struct ku_line l;

	ku_format(test, &l, 2, "pkt", 3, sock);
	ku_expect_common(test, &l, sock, "packet", "raw");
	ku_expect_col(test, &l, "state", "-");
	ku_expect_col(test, &l, "local", "*/0x0003");
	ku_expect_col(test, &l, "remote", "-");
	ku_expect_no_tcp(test, &l);
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, KU_ADDR(&sll), sizeof(sll)), 0);
	ku_format(test, &l, 2, "pkt", 3, sock);
	ku_expect_col(test, &l, "local", "lo/0x0800");
	sock_release(sock);
}

/* vsock: cid:port both ends, "*" where unset; skipped without vsock. */
static void sockfd_test_vsock(struct kunit *test)
{
	struct sockaddr_vm svm = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = 4321,
	};
	struct socket *sock;
	struct ku_line l;

	if (sock_create_kern(&init_net, AF_VSOCK, SOCK_STREAM, 0, &sock))
		kunit_skip(test, "no AF_VSOCK in this kernel");
	ku_format(test, &l, 2, "vs", 3, sock);
	ku_expect_common(test, &l, sock, "vsock", "stream");
	ku_expect_col(test, &l, "state", "CLOSE");
	ku_expect_col(test, &l, "local", "*:*");
	ku_expect_col(test, &l, "remote", "*:*");
	ku_expect_no_tcp(test, &l);
	if (!kernel_bind(sock, KU_ADDR(&svm), sizeof(svm))) {
		ku_format(test, &l, 2, "vs", 3, sock);
		ku_expect_col(test, &l, "local", "*:4321");
	}
	sock_release(sock);
}

/*
 * Addresses the loopback-less test kernel cannot produce by connecting are
 * set by hand on an unbound, unhashed UDP socket, and reset before release.
 */
struct ku_addr_case {
	const char *desc;
	int family;
	const char *saddr, *daddr;	/* in6_pton()/in4_pton() text */
	u16 sport, dport;
	int state;
	const char *local, *remote, *state_name;
};

static const struct ku_addr_case ku_addr_cases[] = {
	{ "inet zero", AF_INET, "0.0.0.0", "0.0.0.0", 0, 0, TCP_CLOSE,
	  "0.0.0.0:0", "0.0.0.0:0", "CLOSE" },
	{ "inet connected", AF_INET, "10.1.2.3", "192.168.100.200", 4567, 53,
	  TCP_ESTABLISHED, "10.1.2.3:4567", "192.168.100.200:53",
	  "ESTABLISHED" },
	{ "inet max", AF_INET, "255.255.255.255", "1.0.0.1", 65535, 1,
	  TCP_ESTABLISHED, "255.255.255.255:65535", "1.0.0.1:1",
	  "ESTABLISHED" },
	{ "inet6 zero", AF_INET6, "::", "::", 0, 0, TCP_CLOSE,
	  "[::]:0", "[::]:0", "CLOSE" },
	{ "inet6 loopback", AF_INET6, "::1", "::", 8080, 0, TCP_CLOSE,
	  "[::1]:8080", "[::]:0", "CLOSE" },
	{ "inet6 v4-mapped", AF_INET6, "::ffff:127.0.0.1", "::ffff:10.0.0.254",
	  80, 41000, TCP_ESTABLISHED, "[::ffff:127.0.0.1]:80",
	  "[::ffff:10.0.0.254]:41000", "ESTABLISHED" },
	{ "inet6 link-local", AF_INET6, "fe80::1", "fe80::a:b:c:d", 22, 5353,
	  TCP_ESTABLISHED, "[fe80::1]:22", "[fe80::a:b:c:d]:5353",
	  "ESTABLISHED" },
	{ "inet6 rfc5952", AF_INET6, "2001:DB8:0:0:1:0:0:1",
	  "2001:db8:0:1:1:1:1:1", 1, 2, TCP_ESTABLISHED,
	  "[2001:db8::1:0:0:1]:1", "[2001:db8:0:1:1:1:1:1]:2",
	  "ESTABLISHED" },
	{ "inet6 full", AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	  "2001:db8::", 65535, 443, TCP_ESTABLISHED,
	  "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
	  "[2001:db8::]:443", "ESTABLISHED" },
};

static void ku_addr_desc(const struct ku_addr_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ku_addr, ku_addr_cases, ku_addr_desc);

static void sockfd_test_udp_addr(struct kunit *test)
{
	const struct ku_addr_case *c = test->param_value;
	struct socket *sock = ku_sock(test, c->family, SOCK_DGRAM, IPPROTO_UDP);
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	struct ku_line l;

	bool parsed;

	if (c->family == AF_INET)
		parsed = in4_pton(c->saddr, -1, (u8 *)&inet->inet_rcv_saddr, -1, NULL) &&
			 in4_pton(c->daddr, -1, (u8 *)&inet->inet_daddr, -1, NULL);
	else
		parsed = in6_pton(c->saddr, -1, sk->sk_v6_rcv_saddr.s6_addr, -1, NULL) &&
			 in6_pton(c->daddr, -1, sk->sk_v6_daddr.s6_addr, -1, NULL);
	KUNIT_ASSERT_TRUE(test, parsed);
	inet->inet_sport = htons(c->sport);
	inet->inet_dport = htons(c->dport);
	/* As inet_sk_state_store() (not exported): pairs with the reader's acquire. */
	smp_store_release(&sk->sk_state, c->state);

	ku_format(test, &l, 1, "udp", 3, sock);
	ku_expect_common(test, &l, sock, c->family == AF_INET ? "inet" : "inet6",
			 "dgram");
	ku_expect_col(test, &l, "proto", "udp");
	ku_expect_col(test, &l, "state", c->state_name);
	ku_expect_col(test, &l, "local", c->local);
	ku_expect_col(test, &l, "remote", c->remote);
	ku_expect_num(test, &l, "txq", sk_wmem_alloc_get(sk));
	ku_expect_num(test, &l, "rxq", sk_rmem_alloc_get(sk));
	ku_expect_no_tcp(test, &l);

	/* Back to what an unbound socket looks like before it is released. */
	smp_store_release(&sk->sk_state, TCP_CLOSE);	/* as above */
	inet->inet_sport = 0;
	inet->inet_dport = 0;
	inet->inet_rcv_saddr = 0;
	inet->inet_daddr = 0;
	if (c->family == AF_INET6) {
		sk->sk_v6_rcv_saddr = in6addr_any;
		sk->sk_v6_daddr = in6addr_any;
	}
	sock_release(sock);
}

/* unix: @name (length @len, sun_path bytes) bound, and how it prints. */
struct ku_unix_case {
	const char *desc;
	int type;
	const char *name;
	size_t len;		/* 0: leave unnamed */
	const char *local;
};

#define KU_UNIX(d, t, n, w) { d, t, n, sizeof(n) - 1, w }

static const struct ku_unix_case ku_unix_cases[] = {
	{ "unnamed stream", SOCK_STREAM, NULL, 0, "*" },
	{ "unnamed dgram", SOCK_DGRAM, NULL, 0, "*" },
	KU_UNIX("abstract", SOCK_STREAM, "\0sockfd-kunit", "@sockfd-kunit"),
	KU_UNIX("abstract NULs", SOCK_DGRAM, "\0a\0b c\\\n\0",
		"@a\\000b\\040c\\134\\012\\000"),
	KU_UNIX("abstract empty", SOCK_SEQPACKET, "\0", "@"),
	/* The root of the initramfs: present and writable in the guest. */
	KU_UNIX("path", SOCK_STREAM, "/sockfd-kunit.sock", "/sockfd-kunit.sock"),
	KU_UNIX("path escaped", SOCK_DGRAM, "/sockfd kunit\t\\.sock",
		"/sockfd\\040kunit\\011\\134.sock"),
};

static void ku_unix_desc(const struct ku_unix_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ku_unix, ku_unix_cases, ku_unix_desc);

static void sockfd_test_unix_name(struct kunit *test)
{
	const struct ku_unix_case *c = test->param_value;
	struct socket *sock = ku_sock(test, AF_UNIX, c->type, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ku_line l;
	int err;

	if (c->len) {
		memcpy(sun.sun_path, c->name, c->len);
		err = kernel_bind(sock, KU_ADDR(&sun),
				  offsetof(struct sockaddr_un, sun_path) + c->len);
		/* A path left by an earlier load in the same boot is fine. */
		KUNIT_ASSERT_TRUE_MSG(test, !err || (err == -EADDRINUSE && c->name[0]),
				      "bind: %d", err);
		if (err)
			kunit_skip(test, "path exists from an earlier load");
	}
	ku_format(test, &l, 77, "unix", 9, sock);
	ku_expect_common(test, &l, sock, "unix", sockfd_type_name(c->type));
	ku_expect_col(test, &l, "proto", "-");
	ku_expect_col(test, &l, "state", "CLOSE");
	ku_expect_col(test, &l, "local", c->local);
	ku_expect_col(test, &l, "remote", "*");
	ku_expect_no_tcp(test, &l);
	sock_release(sock);
}

/*
 * A connected unix stream pair: each remote is the other's inode; the
 * listener's queues before accept() are backlog and one pending connection.
 */
static void sockfd_test_unix_peers(struct kunit *test)
{
	static const char name[] = "\0sockfd-kunit-peers";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int len = offsetof(struct sockaddr_un, sun_path) + sizeof(name) - 1;
	struct socket *srv = ku_sock(test, AF_UNIX, SOCK_STREAM, 0);
	struct socket *cli = ku_sock(test, AF_UNIX, SOCK_STREAM, 0);
	struct socket *acc;
	struct ku_line *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	memcpy(sun.sun_path, name, sizeof(name) - 1);
	KUNIT_ASSERT_EQ(test, kernel_bind(srv, KU_ADDR(&sun), len), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(srv, 5), 0);
	KUNIT_ASSERT_EQ(test, kernel_connect(cli, KU_ADDR(&sun), len, 0), 0);

	ku_format(test, l, 5, "srv", 3, srv);
	ku_expect_col(test, l, "state", "LISTEN");
	ku_expect_col(test, l, "local", "@sockfd-kunit-peers");
	ku_expect_col(test, l, "remote", "*");
	ku_expect_col(test, l, "txq", "5");
	ku_expect_col(test, l, "rxq", "1");

	KUNIT_ASSERT_EQ(test, kernel_accept(srv, &acc, 0), 0);
	ku_format(test, l, 5, "cli", 4, cli);
	ku_expect_col(test, l, "state", "ESTABLISHED");
	ku_expect_col(test, l, "local", "*");
	ku_expect_num(test, l, "remote", SOCK_INODE(acc)->i_ino);
	ku_format(test, l, 5, "acc", 5, acc);
	ku_expect_col(test, l, "state", "ESTABLISHED");
	/* An accepted socket shares the listener's name. */
	ku_expect_col(test, l, "local", "@sockfd-kunit-peers");
	ku_expect_num(test, l, "remote", SOCK_INODE(cli)->i_ino);
	ku_format(test, l, 5, "srv", 3, srv);
	ku_expect_col(test, l, "rxq", "0");

	/* The peer gone, the survivor has no peer inode to show. */
	sock_release(acc);
	ku_format(test, l, 5, "cli", 4, cli);
	ku_expect_col(test, l, "remote", "*");
	sock_release(cli);
	sock_release(srv);
}

/* netlink: protocol name, port ids (0 until bound), no state. */
static void sockfd_test_netlink(struct kunit *test)
{
	struct socket *sock = ku_sock(test, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK, .nl_pid = 4000123 };
	struct ku_line l;

	ku_format(test, &l, 2, "nl", 6, sock);
	ku_expect_common(test, &l, sock, "netlink", "raw");
	ku_expect_col(test, &l, "proto", "route");
	ku_expect_col(test, &l, "state", "-");
	ku_expect_col(test, &l, "local", "0");
	ku_expect_col(test, &l, "remote", "0");
	ku_expect_no_tcp(test, &l);

	KUNIT_ASSERT_EQ(test, kernel_bind(sock, KU_ADDR(&snl), sizeof(snl)), 0);
	ku_format(test, &l, 2, "nl", 6, sock);
	ku_expect_col(test, &l, "local", "4000123");
	sock_release(sock);
}

/* A comm at full length with every kind of byte that must be escaped. */
static void sockfd_test_comm(struct kunit *test)
{
	struct socket *sock = ku_sock(test, AF_UNIX, SOCK_DGRAM, 0);
	struct ku_line l;

	ku_format(test, &l, 2147483647, "a b\tc\nd\\e\177f\001g", 4294967295U,
		  sock);
	ku_expect_col(test, &l, "comm",
		      "a\\040b\\011c\\012d\\134e\\177f\\001g");
	ku_expect_col(test, &l, "pid", "2147483647");
	ku_expect_col(test, &l, "fd", "4294967295");
	sock_release(sock);
}

/* An empty comm is shown as "-", never as an empty field. */
static void sockfd_test_comm_empty(struct kunit *test)
{
	struct socket *sock = ku_sock(test, AF_UNIX, SOCK_DGRAM, 0);
	struct ku_line l;

	ku_format(test, &l, 1, "", 0, sock);
	ku_expect_col(test, &l, "comm", "-");
	ku_expect_col(test, &l, "pid", "1");
	ku_expect_col(test, &l, "fd", "0");
	sock_release(sock);
}

/* Give @sock's owner uid @uid, where each kernel reads it from. */
static void ku_set_uid(struct socket *sock, uid_t uid)
{
	kuid_t kuid = make_kuid(&init_user_ns, uid);

	SOCK_INODE(sock)->i_uid = kuid;
	WRITE_ONCE(sock->sk->sk_uid, kuid);
}

static int ku_count_fd(const void *n, struct file *file, unsigned int fd)
{
	(*(unsigned int *)n)++;
	return 0;
}

/*
 * fds and nofile of a task (this test thread): its open fds counted with
 * iterate_fd() (under the table's lock), its RLIMIT_NOFILE as rlimit()
 * reads it; with an extra socket fd installed, one more.
 */
static void sockfd_test_owner_task(struct kunit *test)
{
	struct socket *sock = ku_sock(test, AF_UNIX, SOCK_DGRAM, 0);
	struct sockfd_owner o;
	unsigned int n = 0;
	struct ku_line *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct file *file;
	char want[24];
	int fd;

	KUNIT_ASSERT_NOT_NULL(test, l);
	if (current->files)
		iterate_fd(current->files, 0, ku_count_fd, &n);
	sockfd_owner_set(&o, 5, "owner");
	sockfd_owner_task(&o, current);
	ku_format_owner(test, l, &o, 3, sock);
	ku_expect_num(test, l, "fds", n);
	snprintf(want, sizeof(want), "%lu", rlimit(RLIMIT_NOFILE));
	ku_expect_col(test, l, "nofile", want);
	if (!current->files) {
		sock_release(sock);
		return;
	}
	file = sock_alloc_file(sock, 0, NULL);	/* owns @sock from now */
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	fd = get_unused_fd_flags(0);
	if (fd < 0) {
		fput(file);
		KUNIT_FAIL(test, "no fd: %d", fd);
		return;
	}
	fd_install(fd, file);
	sockfd_owner_task(&o, current);
	ku_format_owner(test, l, &o, fd, sock);
	ku_expect_num(test, l, "fds", n + 1);
	close_fd(fd);
}

/*
 * One task's lines share an owner and its uid memo: each line still shows
 * its own socket's uid, whichever the line before showed.
 */
static void sockfd_test_uid_cache(struct kunit *test)
{
	struct socket *a = ku_sock(test, AF_UNIX, SOCK_DGRAM, 0);
	struct socket *b = ku_sock(test, AF_UNIX, SOCK_DGRAM, 0);
	struct sockfd_owner o;
	struct ku_line *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, l);
	ku_set_uid(b, 4321);
	sockfd_owner_set(&o, 77, "two");
	for (i = 0; i < 2; i++) {
		ku_format_owner(test, l, &o, 3, a);
		ku_expect_col(test, l, "uid", "0");
		ku_expect_col(test, l, "pid", "77");
		ku_expect_col(test, l, "comm", "two");
		ku_expect_col(test, l, "fd", "3");
		ku_format_owner(test, l, &o, 4, b);
		ku_expect_col(test, l, "uid", "4321");
		ku_expect_col(test, l, "pid", "77");
		ku_expect_col(test, l, "comm", "two");
		ku_expect_col(test, l, "fd", "4");
		ku_format_owner(test, l, &o, 5, b);
		ku_expect_col(test, l, "uid", "4321");
	}
	sock_release(b);
	sock_release(a);
}

/*
 * One task's TCP lines share its memo of the algorithm's name: each line
 * still shows its own socket's algorithm, whichever the line before
 * showed. @b is switched as setsockopt(TCP_CONGESTION) switches it, to
 * reno (always built in) or, if reno is the default, to cubic.
 */
static void sockfd_test_cc_memo(struct kunit *test)
{
	struct socket *a = ku_sock(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	struct socket *b = ku_sock(test, AF_INET6, SOCK_STREAM, IPPROTO_TCP);
	const char *def = inet_csk(a->sk)->icsk_ca_ops->name;
	const char *other = strcmp(def, "reno") ? "reno" : "cubic";
	struct sockfd_owner o;
	struct ku_line *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_EQ(test, b->ops->setsockopt(b, SOL_TCP, TCP_CONGESTION,
						 KERNEL_SOCKPTR((char *)other),
						 strlen(other)), 0);
	KUNIT_ASSERT_STREQ(test, inet_csk(b->sk)->icsk_ca_ops->name, other);
	sockfd_owner_set(&o, 78, "cc");
	for (i = 0; i < 2; i++) {
		ku_format_owner(test, l, &o, 3, a);
		ku_expect_col(test, l, "cc", def);
		ku_format_owner(test, l, &o, 4, b);
		ku_expect_col(test, l, "cc", other);
		ku_format_owner(test, l, &o, 5, b);
		ku_expect_col(test, l, "cc", other);
	}
	sock_release(b);
	sock_release(a);
}

/* xorshift32: the same addresses on every run and every kernel. */
static u32 ku_next(u32 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/* sockfd_format_in4() against %pI4, every octet value in every position. */
static void sockfd_test_format_in4(struct kunit *test)
{
	char got[SOCKFD_IN4_LEN], want[SOCKFD_IN4_LEN];
	u32 state = 2463534242U;
	__be32 a;
	int i, len;

	for (i = 0; i < 4096; i++) {
		if (i < 1024) {
			a = 0;
			((u8 *)&a)[i >> 8] = (u8)i;
		} else {
			a = (__force __be32)ku_next(&state);
		}
		len = sockfd_format_in4(got, a);
		snprintf(want, sizeof(want), "%pI4", &a);
		KUNIT_ASSERT_STREQ(test, got, want);
		KUNIT_ASSERT_EQ(test, len, (int)strlen(want));
	}
}

/*
 * sockfd_format_in6() against %pI6c: words drawn from 0, 1, 0xffff and
 * random, so that zero runs of every length start everywhere; every
 * fourth address is made IPv4-mapped or ISATAP (dotted endings).
 */
static void sockfd_test_format_in6(struct kunit *test)
{
	char got[SOCKFD_IN6_LEN], want[SOCKFD_IN6_LEN];
	static const u16 pick[] = { 0, 0, 1, 0xffff };
	u32 state = 88172645U, r;
	struct in6_addr a;
	int i, w, len;

	for (i = 0; i < 20000; i++) {
		for (w = 0; w < 8; w++) {
			r = ku_next(&state);
			a.s6_addr16[w] = htons(r & 4 ? (u16)(r >> 16) : pick[r & 3]);
		}
		switch (i % 8) {
		case 1:	/* ::ffff:a.b.c.d */
			a.s6_addr32[0] = 0;
			a.s6_addr32[1] = 0;
			a.s6_addr32[2] = htonl(0x0000ffff);
			break;
		case 3:	/* ISATAP: ....:0:5efe:a.b.c.d or ....:200:5efe:... */
			a.s6_addr32[2] = htonl(i & 8 ? 0x02005efe : 0x00005efe);
			break;
		case 5:	/* all zero but one word */
			memset(&a, 0, sizeof(a));
			a.s6_addr16[i / 8 % 8] = htons((u16)i);
			break;
		}
		len = sockfd_format_in6(got, &a);
		snprintf(want, sizeof(want), "%pI6c", &a);
		KUNIT_ASSERT_STREQ(test, got, want);
		KUNIT_ASSERT_EQ(test, len, (int)strlen(want));
	}
	memset(&a, 0, sizeof(a));
	sockfd_format_in6(got, &a);
	KUNIT_EXPECT_STREQ(test, got, "::");
}

/*
 * An fd whose file is one socket's and whose calls reach another, as an
 * SMC socket's after its fallback to TCP (smc_switch_to_fallback()): ino,
 * netns, family, type and uid are the file's socket's (/proc/PID/fd and
 * fstat() show them), the rest the socket the calls reach (getsockname(),
 * SO_MEMINFO, SO_COOKIE and TCP_INFO on the fd answer for it). A unix
 * socket stands for the SMC one here: the debug kernel has no SMC.
 */
static void sockfd_test_file_socket(struct kunit *test)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct socket *fsock = ku_sock(test, AF_UNIX, SOCK_SEQPACKET, 0);
	struct socket *sock = ku_sock(test, AF_INET, SOCK_STREAM, IPPROTO_TCP);
	struct sock *sk = sock->sk;
	struct sockfd_owner o;
	struct ku_line *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	char want[32];

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, KU_ADDR(&sin), sizeof(sin)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(sock, 5), 0);
	ku_set_uid(fsock, 1234);
	sockfd_owner_set(&o, 9, "smc");
	ku_format_pair(test, l, &o, 6, fsock, sock);

	ku_expect_num(test, l, "ino", SOCK_INODE(fsock)->i_ino);
	KUNIT_EXPECT_NE(test, SOCK_INODE(fsock)->i_ino, SOCK_INODE(sock)->i_ino);
	ku_expect_num(test, l, "netns", init_net.ns.inum);
	ku_expect_col(test, l, "family", "unix");
	ku_expect_col(test, l, "type", "seqpacket");
	ku_expect_col(test, l, "uid", "1234");
	ku_expect_col(test, l, "proto", "tcp");
	ku_expect_col(test, l, "state", "LISTEN");
	snprintf(want, sizeof(want), "0.0.0.0:%u",
		 ntohs(inet_sk(sk)->inet_sport));
	ku_expect_col(test, l, "local", want);
	ku_expect_col(test, l, "remote", "0.0.0.0:0");
	ku_expect_col(test, l, "txq", "5");
	ku_expect_col(test, l, "rxq", "0");
	ku_expect_num(test, l, "rmem", sk_rmem_alloc_get(sk));
	ku_expect_num(test, l, "rcvbuf", READ_ONCE(sk->sk_rcvbuf));
	ku_expect_num(test, l, "wmem", sk_wmem_alloc_get(sk));
	ku_expect_num(test, l, "sndbuf", READ_ONCE(sk->sk_sndbuf));
	ku_expect_ids(test, l, sock);
	/* a TCP listener's: no connection, its algorithm */
	ku_expect_no_conn(test, l);
	ku_expect_col(test, l, "cc", inet_csk(sk)->icsk_ca_ops->name);
	sock_release(sock);
	sock_release(fsock);
}

/* Where field @n (from 0) of @line begins; fields are split by spaces. */
static size_t ku_field_at(const char *line, int n)
{
	bool in = false;
	size_t i;

	for (i = 0; line[i]; i++) {
		if (line[i] == ' ') {
			in = false;
		} else if (!in) {
			in = true;
			if (n-- == 0)
				break;
		}
	}
	return i;
}

/* The longest text column @col may hold (SOCKFD_COLUMNS); 0 if none. */
static size_t ku_col_max(const char *col)
{
#define SOCKFD_COL(id, name, width, max, next)				\
	(!strcmp(col, name) ? (size_t)(max) : (next))
#define SOCKFD_COL_END	0
	return SOCKFD_COLUMNS;
#undef SOCKFD_COL
#undef SOCKFD_COL_END
}

/*
 * The longest line this test can make: every column at the longest value
 * its field can hold (a u32 at 4294967295, an int at -2147483648, the
 * longest state name, an IPv6 address of 44 characters and port 65535 at
 * both ends, a comm of 15 escaped bytes), but netns, cgroup and drops,
 * which are the socket's own. Each column stays within the longest text
 * SOCKFD_COLUMNS() gives it, the line within SOCKFD_LINE_ROOM and its
 * escaped text, and with only that much free in the buffer the line is
 * whole and not a byte is written past the buffer's end.
 */
static void sockfd_test_worst_line(struct kunit *test)
{
	/* ISATAP (dotted at the end, no "::"): the longest %pI6c text */
	static const struct in6_addr far = { { {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x02, 0x00, 0x5e, 0xfe, 0xff, 0xff, 0xff, 0xff } } };
	static const char comm[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f";
	struct socket *fsock = ku_sock(test, AF_UNIX, SOCK_STREAM, 0);
	struct socket *sock = ku_sock(test, AF_INET6, SOCK_STREAM, IPPROTO_TCP);
	struct sock *fsk = fsock->sk, *sk = sock->sk;
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	unsigned long ino = SOCK_INODE(fsock)->i_ino;
	unsigned short family = fsk->sk_family, type = fsk->sk_type;
	unsigned int wmem = refcount_read(&sk->sk_wmem_alloc);
	int rcvbuf = sk->sk_rcvbuf, sndbuf = sk->sk_sndbuf;
	u32 write_seq = tp->write_seq, rcv_nxt = tp->rcv_nxt;
	u64 cookie = atomic64_read(&sk->sk_cookie);
	struct seq_file *m = ku_seq(test);
	size_t len, escaped, room, ms, i, age[3], n_age = 0;
	struct sockfd_owner o;
	struct ku_line *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	char *want, *p;
	int c;

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_EQ(test, sk_wmem_alloc_get(sk), 0);	/* a new socket */
	/* Set by hand on sockets nothing else uses; undone before release. */
	SOCK_INODE(fsock)->i_ino = ~0UL;
	fsk->sk_family = U16_MAX;	/* no name: "af65535" */
	fsk->sk_type = U16_MAX;
	ku_set_uid(fsock, U32_MAX - 1);	/* U32_MAX is no uid */
	lock_sock(sk);
	sk->sk_state = TCP_NEW_SYN_RECV;	/* the longest name */
	sk->sk_v6_rcv_saddr = far;
	sk->sk_v6_daddr = far;
	inet->inet_sport = htons(65535);
	inet->inet_dport = htons(65535);
	tp->write_seq = tp->snd_una + INT_MAX;
	tp->rcv_nxt = tp->copied_seq + INT_MAX;
	atomic_set(&sk->sk_rmem_alloc, INT_MIN);
	/* wmem INT_MIN: the count is the bias plus what is allocated */
	refcount_set(&sk->sk_wmem_alloc, (int)(wmem + (unsigned int)INT_MIN));
	sk->sk_rcvbuf = INT_MIN;
	sk->sk_sndbuf = INT_MIN;
	atomic64_set(&sk->sk_cookie, U64_MAX);
	sk_reset_timer(sk, sockfd_tcp_keepalive_timer(sk),
		       jiffies + msecs_to_jiffies(4000000000U));
	icsk->icsk_retransmits = 255;
	tp->total_retrans = U32_MAX;
	tp->srtt_us = U32_MAX;
	tp->mdev_us = U32_MAX;
	tp->snd_cwnd = U32_MAX;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH - 1;
	/* format 3 */
	tp->bytes_sent = U64_MAX;
	tp->bytes_acked = U64_MAX;
	tp->bytes_received = U64_MAX;
	tp->bytes_retrans = U64_MAX;
	tp->segs_out = U32_MAX;
	tp->segs_in = U32_MAX;
	/* 100 s ago: 6 digits of ms that keep their length for 900 s */
	tp->lsndtime = tcp_jiffies32 - 100 * HZ;
	icsk->icsk_ack.lrcvtime = tcp_jiffies32 - 100 * HZ;
	tp->rcv_tstamp = tcp_jiffies32 - 100 * HZ;
	tp->rtt_min.s[0].v = U32_MAX - 1;
	tp->rate_delivered = U32_MAX;
	tp->rate_interval_us = 1;
	tp->mss_cache = 4096;
	WRITE_ONCE(sk->sk_pacing_rate, ~0UL - 1);
	sk->sk_wmem_queued = INT_MIN;
	sk->sk_forward_alloc = INT_MIN;
	atomic_set(&sk->sk_omem_alloc, INT_MIN);
	sk->sk_backlog.len = INT_MIN;
	release_sock(sk);

	sockfd_owner_set(&o, INT_MIN, comm);
	/* by hand: no task has UINT_MAX fds, nor a limit of U64_MAX */
	o.task_set = true;
	o.fds = UINT_MAX;
	o.nofile = ULONG_MAX;
	ku_format_pair(test, l, &o, UINT_MAX, fsock, sock);
	for (c = 0; c < l->h.n; c++) {
		KUNIT_EXPECT_GT_MSG(test, ku_col_max(l->h.name[c]), 0,
				    "column %s", l->h.name[c]);
		if (!strcmp(l->h.name[c], "comm"))
			continue;	/* escaped text */
		KUNIT_EXPECT_LE_MSG(test, strlen(l->field[c]),
				    ku_col_max(l->h.name[c]), "column %s: %s",
				    l->h.name[c], l->field[c]);
	}
	ku_expect_col(test, l, "pid", "-2147483648");
	ku_expect_col(test, l, "fd", "4294967295");
	ku_expect_col(test, l, "ino", "18446744073709551615");
	ku_expect_col(test, l, "family", "af65535");
	ku_expect_col(test, l, "state", "NEW_SYN_RECV");
	ku_expect_col(test, l, "local",
		      "[ffff:ffff:ffff:ffff:200:5efe:255.255.255.255]:65535");
	ku_expect_col(test, l, "txq", "2147483647");
	ku_expect_col(test, l, "wmem", "-2147483648");
	ku_expect_col(test, l, "uid", "4294967294");
	ku_expect_col(test, l, "cookie", "18446744073709551615");
	ku_expect_col(test, l, "retrans", "255/4294967295");
	ku_expect_col(test, l, "cwnd", "4294967295/2147483646");
	ku_expect_col(test, l, "bytes_received", "18446744073709551615");
	ku_expect_col(test, l, "min_rtt", "4294967294");
	ku_expect_col(test, l, "pacing_rate", "18446744073709551614");
	ku_expect_col(test, l, "wmem_queued", "-2147483648");
	ku_expect_col(test, l, "backlog", "-2147483648");
	ku_expect_col(test, l, "fds", "4294967295");
	ku_expect_col(test, l, "nofile", "18446744073709551615");

	/* The line again, whole, to measure it. */
	KUNIT_ASSERT_EQ(test, sockfd_show_line(m, &o, UINT_MAX, fsock, sock), 0);
	want = ku_take(test, m);
	len = strlen(want);
	escaped = 4 * strlen(comm);
	for (c = 0; c < l->h.n; c++)
		if (!strncmp(l->h.name[c], "last", 4))
			age[n_age++] = ku_field_at(want, c);
	KUNIT_ASSERT_EQ(test, n_age, 3);
	/* where the timer's ms begin; 10 digits, for weeks to come */
	p = strstr(want, "keepalive/");
	KUNIT_ASSERT_NOT_NULL(test, p);
	ms = p - want + strlen("keepalive/");
	KUNIT_ASSERT_EQ(test, strspn(want + ms, "0123456789"), 10);
	KUNIT_EXPECT_LE_MSG(test, len - escaped,
			    SOCKFD_LINE_ROOM - SOCKFD_LINE_SLACK, "%s", want);
	/*
	 * From the least a line begins with to room for all of it: whole or
	 * an overflow, never a byte past the buffer (its guard stays '#').
	 */
	m->buf = kunit_kmalloc(test, m->size + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->buf);
	for (room = SOCKFD_LINE_ROOM;
	     room <= SOCKFD_LINE_ROOM + SOCKFD_OWNER_TEXT; room++) {
		memset(m->buf, '#', m->size + 64);
		m->count = m->size - room;
		KUNIT_ASSERT_EQ(test,
				sockfd_show_line(m, &o, UINT_MAX, fsock, sock), 0);
		for (i = m->size; i < m->size + 64; i++)
			KUNIT_ASSERT_EQ_MSG(test, m->buf[i], '#',
					    "byte %zu past the end, %zu free",
					    i - m->size, room);
		/* pid and comm (escaped) take SOCKFD_OWNER_TEXT bytes */
		if (room == SOCKFD_LINE_ROOM + SOCKFD_OWNER_TEXT) {
			KUNIT_EXPECT_FALSE_MSG(test, seq_has_overflowed(m),
					       "%zu free for %zu bytes", room,
					       len);
		}
		/*
		 * as @want but for the timer's ms, which count down, and the
		 * ms since the last send, receive and ACK, which count up
		 * (copied from @want, 6 digits each, before comparing)
		 */
		if (!seq_has_overflowed(m)) {
			p = m->buf + m->size - room;
			for (i = 0; i < n_age; i++)
				memcpy(p + age[i], want + age[i], 6);
			KUNIT_EXPECT_EQ(test, m->count, m->size - room + len);
			KUNIT_EXPECT_EQ(test, memcmp(p, want, ms), 0);
			KUNIT_EXPECT_EQ(test, memcmp(p + ms + 10, want + ms + 10,
						     len - ms - 10), 0);
		}
	}
	m->count = 0;

	lock_sock(sk);
	sk_stop_timer(sk, sockfd_tcp_keepalive_timer(sk));	/* and its ref */
	sk->sk_state = TCP_CLOSE;
	inet->inet_sport = 0;
	inet->inet_dport = 0;
	tp->write_seq = write_seq;
	tp->rcv_nxt = rcv_nxt;
	atomic_set(&sk->sk_rmem_alloc, 0);
	refcount_set(&sk->sk_wmem_alloc, wmem);
	sk->sk_rcvbuf = rcvbuf;
	sk->sk_sndbuf = sndbuf;
	atomic64_set(&sk->sk_cookie, cookie);
	sk->sk_wmem_queued = 0;
	sk->sk_forward_alloc = 0;
	atomic_set(&sk->sk_omem_alloc, 0);
	sk->sk_backlog.len = 0;
	WRITE_ONCE(sk->sk_pacing_rate, ~0UL);
	release_sock(sk);
	fsk->sk_family = family;
	fsk->sk_type = type;
	SOCK_INODE(fsock)->i_ino = ino;
	sock_release(sock);
	sock_release(fsock);
}

static struct kunit_case sockfd_format_cases[] = {
	KUNIT_CASE_PARAM(sockfd_test_names, ku_names_gen_params),
	KUNIT_CASE(sockfd_test_owner_task),
	KUNIT_CASE(sockfd_test_name_lengths),
	KUNIT_CASE_PARAM(sockfd_test_escape, ku_escape_gen_params),
	KUNIT_CASE(sockfd_test_header),
	KUNIT_CASE(sockfd_test_line_overflow),
	KUNIT_CASE(sockfd_test_decimal),
	KUNIT_CASE(sockfd_test_decimal_bits),
	KUNIT_CASE(sockfd_test_tcp_listen),
	KUNIT_CASE(sockfd_test_tcp_info),
	KUNIT_CASE(sockfd_test_packet),
	KUNIT_CASE(sockfd_test_vsock),
	KUNIT_CASE_PARAM(sockfd_test_udp_addr, ku_addr_gen_params),
	KUNIT_CASE_PARAM(sockfd_test_unix_name, ku_unix_gen_params),
	KUNIT_CASE(sockfd_test_unix_peers),
	KUNIT_CASE(sockfd_test_netlink),
	KUNIT_CASE(sockfd_test_comm),
	KUNIT_CASE(sockfd_test_comm_empty),
	KUNIT_CASE(sockfd_test_uid_cache),
	KUNIT_CASE(sockfd_test_cc_memo),
	KUNIT_CASE(sockfd_test_format_in4),
	KUNIT_CASE(sockfd_test_format_in6),
	KUNIT_CASE(sockfd_test_file_socket),
	KUNIT_CASE(sockfd_test_worst_line),
	{}
};

static struct kunit_suite sockfd_format_suite = {
	.name = "sockfd_format",
	.test_cases = sockfd_format_cases,
};

/* ------------------------------------------------------------------ */
/* sockfd_cursor: /proc/sockfd read in pieces equals one whole read    */
/* ------------------------------------------------------------------ */

#define KU_NFDS 24

/* What suite_init installed in the loading process. */
static struct {
	struct path proc;		/* /proc/sockfd */
	pid_t pid;			/* the loading process */
	int fd[KU_NFDS];		/* -1: closed again (a hole) */
	unsigned long long ino[KU_NFDS];
} ku_cur;

/* Families and types of the installed sockets, in turn. */
static const struct { int family, type, proto; } ku_cur_kinds[] = {
	{ AF_INET, SOCK_STREAM, IPPROTO_TCP },
	{ AF_INET6, SOCK_DGRAM, IPPROTO_UDP },
	{ AF_UNIX, SOCK_STREAM, 0 },
	{ AF_NETLINK, SOCK_RAW, NETLINK_ROUTE },
	{ AF_UNIX, SOCK_DGRAM, 0 },
};

static void sockfd_cursor_exit(struct kunit_suite *suite)
{
	int i;

	for (i = 0; i < KU_NFDS; i++)
		if (ku_cur.fd[i] >= 0)
			close_fd(ku_cur.fd[i]);
	path_put(&ku_cur.proc);
}

/* Runs in insmod's context: the fds land in its table. */
static int sockfd_cursor_init(struct kunit_suite *suite)
{
	int i, err;

	for (i = 0; i < KU_NFDS; i++)
		ku_cur.fd[i] = -1;
	err = kern_path("/proc/sockfd", LOOKUP_FOLLOW, &ku_cur.proc);
	if (err) {
		pr_err("sockfd_kunit: /proc/sockfd: %d (is sockfd.ko loaded?)\n", err);
		return err;
	}
	ku_cur.pid = task_tgid_nr(current);
	for (i = 0; i < KU_NFDS; i++) {
		typeof(ku_cur_kinds[0]) *k = &ku_cur_kinds[i % ARRAY_SIZE(ku_cur_kinds)];
		struct socket *sock;
		struct file *file;
		int fd;

		err = sock_create_kern(current->nsproxy->net_ns, k->family,
				       k->type, k->proto, &sock);
		if (err)
			goto fail;
		ku_cur.ino[i] = SOCK_INODE(sock)->i_ino;
		file = sock_alloc_file(sock, 0, NULL);	/* releases sock on error */
		if (IS_ERR(file)) {
			err = PTR_ERR(file);
			goto fail;
		}
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			fput(file);
			err = fd;
			goto fail;
		}
		fd_install(fd, file);
		ku_cur.fd[i] = fd;
	}
	/* Holes: every third fd closed again, so the walk skips gaps. */
	for (i = 2; i < KU_NFDS; i += 3) {
		close_fd(ku_cur.fd[i]);
		ku_cur.fd[i] = -1;
	}
	return 0;
fail:
	sockfd_cursor_exit(suite);
	return err;
}

struct ku_text {
	char *buf;
	size_t len;
};

KUNIT_DEFINE_ACTION_WRAPPER(ku_fput, fput, struct file *);

/* A fresh open of /proc/sockfd, closed when the test ends. */
static struct file *ku_open(struct kunit *test)
{
	struct file *f = dentry_open(&ku_cur.proc, O_RDONLY, current_cred());

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ku_fput, f), 0);
	return f;
}

/*
 * Read @f from @pos to the end, or up to @max bytes, with reads of
 * @chunk bytes.
 */
static struct ku_text ku_read(struct kunit *test, struct file *f, loff_t pos,
			      size_t chunk, size_t max)
{
	size_t cap = 256 * 1024;
	struct ku_text t = { kunit_kmalloc(test, cap, GFP_KERNEL), 0 };
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, t.buf);
	KUNIT_ASSERT_EQ(test, vfs_llseek(f, pos, SEEK_SET), pos);
	while (t.len < max) {
		size_t want = min(chunk, max - t.len);

		KUNIT_ASSERT_LE_MSG(test, t.len + want, cap, "/proc/sockfd too big");
		n = kernel_read(f, t.buf + t.len, want, &pos);
		KUNIT_ASSERT_GE_MSG(test, n, 0, "read at %lld", pos);
		if (!n)
			break;
		t.len += n;
	}
	return t;
}

static struct ku_text ku_whole(struct kunit *test)
{
	return ku_read(test, ku_open(test), 0, 64 * 1024, SIZE_MAX);
}

/* Where @a and @b first differ, for messages. */
static size_t ku_diff_at(const struct ku_text *a, const struct ku_text *b)
{
	size_t i;

	for (i = 0; i < a->len && i < b->len; i++)
		if (a->buf[i] != b->buf[i])
			break;
	return i;
}

/* Expect equal texts; @what and @arg name the read in the message. */
static void ku_expect_same(struct kunit *test, const struct ku_text *want,
			   const struct ku_text *got, const char *what, size_t arg)
{
	KUNIT_EXPECT_TRUE_MSG(test, want->len == got->len &&
			      !memcmp(want->buf, got->buf, got->len),
			      "%s %zu: %zu vs %zu bytes, first difference at %zu",
			      what, arg, want->len, got->len, ku_diff_at(want, got));
}

/*
 * One whole read: header first, lines ordered by (pid, fd) without
 * repeats, and exactly the sockets suite_init left in the loader.
 */
static void sockfd_test_cursor_whole(struct kunit *test)
{
	struct ku_text t = ku_whole(test);
	long last_pid = -1, last_fd = -1;
	int seen[KU_NFDS] = { };
	char *p, *line, *field[KU_NCOLS + 8];
	int i, nlines = 0;

	KUNIT_ASSERT_GT(test, t.len, 0);
	KUNIT_ASSERT_EQ(test, t.buf[t.len - 1], '\n');
	t.buf[t.len - 1] = '\0';
	p = t.buf;
	KUNIT_EXPECT_TRUE(test, str_has_prefix(p, "pid"));
	strsep(&p, "\n");	/* the header */
	while ((line = strsep(&p, "\n")) != NULL) {
		long pid, fd;
		unsigned long long ino;
		int n = 0;
		char *q = line, *s;

		while ((s = strsep(&q, " ")) != NULL)
			if (*s && n < ARRAY_SIZE(field))
				field[n++] = s;
		KUNIT_ASSERT_EQ_MSG(test, n, KU_NCOLS, "line %d", nlines);
		KUNIT_ASSERT_EQ(test, kstrtol(field[0], 10, &pid), 0);
		KUNIT_ASSERT_EQ(test, kstrtol(field[2], 10, &fd), 0);
		KUNIT_ASSERT_EQ(test, kstrtoull(field[3], 10, &ino), 0);
		KUNIT_EXPECT_TRUE_MSG(test, pid > last_pid ||
				      (pid == last_pid && fd > last_fd),
				      "(%ld, %ld) after (%ld, %ld)", pid, fd,
				      last_pid, last_fd);
		last_pid = pid;
		last_fd = fd;
		nlines++;
		if (pid != ku_cur.pid)
			continue;
		for (i = 0; i < KU_NFDS; i++) {
			if (ku_cur.fd[i] != fd)
				continue;
			seen[i]++;
			KUNIT_EXPECT_EQ_MSG(test, ino, ku_cur.ino[i], "fd %ld", fd);
		}
	}
	for (i = 0; i < KU_NFDS; i++)
		KUNIT_EXPECT_EQ_MSG(test, seen[i], ku_cur.fd[i] >= 0 ? 1 : 0,
				    "fd %d of pid %d", ku_cur.fd[i], ku_cur.pid);
	kunit_info(test, "%d lines, %zu bytes", nlines, t.len);
}

static const size_t ku_chunks[] = {
	1, 2, 3, 7, 64, 100, 151, 255, 1000, 4095, 4096, 4097, 65536,
};

static void ku_chunk_desc(const size_t *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "read(%zu)", *c);
}

KUNIT_ARRAY_PARAM(ku_chunk, ku_chunks, ku_chunk_desc);

/* Reads of one size, start to end, give the whole read's bytes. */
static void sockfd_test_cursor_chunks(struct kunit *test)
{
	const size_t *chunk = test->param_value;
	struct ku_text whole = ku_whole(test);
	struct ku_text t = ku_read(test, ku_open(test), 0, *chunk, SIZE_MAX);

	ku_expect_same(test, &whole, &t, "read() calls of", *chunk);
}

/*
 * lseek() to every byte offset, then read on: the next bytes (two lines'
 * worth, in reads of 7) equal the whole read's from there; at every line
 * start the rest of the file is read and compared too. One open file is
 * used throughout, so each seek resumes a cursor left anywhere.
 */
static void sockfd_test_cursor_every_offset(struct kunit *test)
{
	struct ku_text whole = ku_whole(test);
	struct file *f = ku_open(test);
	size_t pos;

	for (pos = 0; pos <= whole.len; pos++) {
		bool line_start = !pos || whole.buf[pos - 1] == '\n';
		struct ku_text want = { whole.buf + pos, whole.len - pos };
		struct ku_text t = ku_read(test, f, pos, 7,
					   line_start ? SIZE_MAX : 400);

		if (want.len > t.len)
			want.len = t.len;
		ku_expect_same(test, &want, &t, "from offset", pos);
		if (test->status == KUNIT_FAILURE)
			break;	/* one report, not thousands */
		kunit_kfree(test, t.buf);
		cond_resched();
	}
}

/* Backwards: seeking to earlier offsets replays the walk correctly. */
static void sockfd_test_cursor_backwards(struct kunit *test)
{
	struct ku_text whole = ku_whole(test);
	struct file *f = ku_open(test);
	size_t pos = whole.len;

	do {
		struct ku_text want, t;

		pos = pos > 97 ? pos - 97 : 0;
		want = (struct ku_text){ whole.buf + pos, whole.len - pos };
		t = ku_read(test, f, pos, 13, 300);
		if (want.len > t.len)
			want.len = t.len;
		ku_expect_same(test, &want, &t, "back to offset", pos);
		kunit_kfree(test, t.buf);
	} while (pos && test->status != KUNIT_FAILURE);
}

/*
 * @v, what start() or next() (@what) gave at index @k of @n lines (line[k]
 * is where index k starts in @whole): the whole read's line k, or NULL at
 * the end.
 */
static void ku_expect_line(struct kunit *test, struct seq_file *m, void *v,
			   const struct ku_text *whole, const size_t *line,
			   loff_t k, loff_t n, const char *what)
{
	size_t len;

	if (k >= n) {
		KUNIT_EXPECT_NULL_MSG(test, v, "%s at %lld of %lld lines", what, k, n);
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, v, "%s at %lld", what, k);
	len = line[k + 1] - line[k];
	m->count = 0;
	KUNIT_ASSERT_EQ(test, m->op->show(m, v), 0);
	KUNIT_EXPECT_TRUE_MSG(test, m->count == len &&
			      !memcmp(m->buf, whole->buf + line[k], len),
			      "%s at %lld shows %.*s", what, k, (int)m->count, m->buf);
}

/*
 * The seq_file operations called directly, as seq_file calls them: for
 * every index k, start(0) and next() up to k (what traverse() does for an
 * lseek), stop(), then start(k) again (the next read() resumes there): it
 * shows the whole read's line k and next() the line after, or NULL past
 * the end. seq_file never calls start() at another index (next() moves its
 * index and the cursor together; everything else resets it to 0): such a
 * call is refused with -EINVAL, holds nothing, and the cursor still resumes
 * where it stood.
 */
static void sockfd_test_cursor_start_resume(struct kunit *test)
{
	struct ku_text whole = ku_whole(test);
	struct file *f = ku_open(test);
	struct seq_file *m = f->private_data;
	size_t *line = kunit_kcalloc(test, whole.len + 2, sizeof(*line), GFP_KERNEL);
	loff_t n = 0, k, pos = 0, bad;
	size_t j;
	char one;
	void *v;

	KUNIT_ASSERT_NOT_NULL(test, line);
	/* Start offsets of the lines: line[k] is index k's; line[n] = len. */
	line[n++] = 0;
	for (j = 0; j < whole.len; j++)
		if (whole.buf[j] == '\n')
			line[n++] = j + 1;
	n--;	/* lines, header included */
	/* One read gives the seq_file its buffer. */
	KUNIT_ASSERT_EQ(test, kernel_read(f, &one, 1, &pos), 1);

	for (k = 0; k <= n && test->status != KUNIT_FAILURE; k++) {
		/* traverse(): from index 0, next() up to k */
		pos = 0;
		v = m->op->start(m, &pos);
		while (pos < k && !IS_ERR_OR_NULL(v))
			v = m->op->next(m, v, &pos);
		KUNIT_EXPECT_EQ(test, pos, k);
		m->op->stop(m, v);

		/* the next read(): start() where it stopped, then next() */
		v = m->op->start(m, &pos);
		ku_expect_line(test, m, v, &whole, line, k, n, "start()");
		if (k < n) {
			v = m->op->next(m, v, &pos);
			KUNIT_EXPECT_EQ(test, pos, k + 1);
			ku_expect_line(test, m, v, &whole, line, k + 1, n, "next()");
		}
		m->op->stop(m, v);

		/* an index seq_file never asks for: refused, nothing lost */
		bad = pos + 2;
		v = m->op->start(m, &bad);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(v) && PTR_ERR(v) == -EINVAL,
				      "start(%lld) with the cursor at %lld", bad, pos);
		m->op->stop(m, v);
		v = m->op->start(m, &pos);
		ku_expect_line(test, m, v, &whole, line, pos, n,
			       "start() after a refused one");
		m->op->stop(m, v);
		m->count = 0;
		cond_resched();
	}
}

static struct kunit_case sockfd_cursor_cases[] = {
	KUNIT_CASE(sockfd_test_cursor_whole),
	KUNIT_CASE_PARAM(sockfd_test_cursor_chunks, ku_chunk_gen_params),
	KUNIT_CASE_SLOW(sockfd_test_cursor_every_offset),
	KUNIT_CASE(sockfd_test_cursor_backwards),
	KUNIT_CASE(sockfd_test_cursor_start_resume),
	{}
};

static struct kunit_suite sockfd_cursor_suite = {
	.name = "sockfd_cursor",
	.suite_init = sockfd_cursor_init,
	.suite_exit = sockfd_cursor_exit,
	.test_cases = sockfd_cursor_cases,
};

/* ------------------------------------------------------------------ */
/* sockfd_access: who may see a task, for a task without mm           */
/* ------------------------------------------------------------------ */

/*
 * sockfd_may_see_task() on a made-up task that has passed exit_mm() (mm
 * NULL, fds still there: the exit window), as no real task can be held in
 * that state. Each case gives the setting of "unprivileged", the opener
 * (its thread group, its ids against the task's, CAP_SYS_PTRACE) and the
 * task's dumpability, and the answer proc_sockfd(5) gives: for kernels that
 * keep the dumpability in task->exec_state (7.2 on), which outlives the mm,
 * and for those that keep it in the mm, where a task without mm is never
 * dumpable (its /proc/PID/fd belongs to root).
 */
struct ku_see_case {
	const char *desc;
	enum sockfd_unpriv unpriv;
	bool own_group, same_ids, dumpable, cap;
	bool want, want_mm;
};

/* KU_SEE(desc, setting, own_group, same_ids, dumpable, cap, want, want_mm) */
#define KU_SEE(d, u, g, i, dump, cap, w, wm) \
	{ d, SOCKFD_UNPRIV_##u, g, i, dump, cap, w, wm }

static const struct ku_see_case ku_see_cases[] = {
	KU_SEE("uid: same ids, dumpable", UID, 0, 1, 1, 0, 1, 0),
	KU_SEE("uid: same ids, not dumpable", UID, 0, 1, 0, 0, 0, 0),
	KU_SEE("uid: not dumpable, CAP_SYS_PTRACE", UID, 0, 1, 0, 1, 1, 1),
	KU_SEE("uid: other ids", UID, 0, 0, 1, 0, 0, 0),
	KU_SEE("uid: other ids, CAP_SYS_PTRACE", UID, 0, 0, 1, 1, 1, 1),
	KU_SEE("uid: own thread group", UID, 1, 0, 0, 0, 1, 1),
	KU_SEE("tgid: same ids, dumpable", TGID, 0, 1, 1, 0, 0, 0),
	KU_SEE("tgid: own thread group", TGID, 1, 0, 0, 0, 1, 1),
	KU_SEE("tgid: CAP_SYS_PTRACE", TGID, 0, 1, 1, 1, 1, 1),
	KU_SEE("none: own thread group", NONE, 1, 1, 1, 0, 0, 0),
	KU_SEE("none: own thread group, CAP_SYS_PTRACE", NONE, 1, 1, 1, 1, 1, 1),
	KU_SEE("none: other ids, CAP_SYS_PTRACE", NONE, 0, 0, 0, 1, 1, 1),
};

static void ku_see_desc(const struct ku_see_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ku_see, ku_see_cases, ku_see_desc);

KUNIT_DEFINE_ACTION_WRAPPER(ku_abort_creds, abort_creds, struct cred *);

/* A copy of the test thread's credentials with every uid and gid @id. */
static struct cred *ku_cred(struct kunit *test, unsigned int id, bool cap)
{
	struct cred *c = prepare_creds();

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ku_abort_creds, c), 0);
	c->uid = KUIDT_INIT(id);
	c->euid = c->uid;
	c->suid = c->uid;
	c->fsuid = c->uid;
	c->gid = KGIDT_INIT(id);
	c->egid = c->gid;
	c->sgid = c->gid;
	c->fsgid = c->gid;
	cap_clear(c->cap_effective);
	if (cap)
		cap_raise(c->cap_effective, CAP_SYS_PTRACE);
	return c;
}

static void sockfd_test_may_see_no_mm(struct kunit *test)
{
	const struct ku_see_case *c = test->param_value;
	struct task_struct *task = kunit_kzalloc(test, sizeof(*task), GFP_KERNEL);
	struct signal_struct *sig = kunit_kzalloc(test, sizeof(*sig), GFP_KERNEL);
	struct pid *group = kunit_kzalloc(test, sizeof(*group), GFP_KERNEL);
	struct file *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct sockfd_iter iter = { .proc_file = f, .unpriv = c->unpriv,
				    .opener_tgid = group };
	struct cred *tcred = ku_cred(test, 1000, false);
#ifdef SOCKFD_HAVE_TASK_EXEC_STATE
	struct task_exec_state *es = kunit_kzalloc(test, sizeof(*es), GFP_KERNEL);
#endif

	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_ASSERT_NOT_NULL(test, sig);
	KUNIT_ASSERT_NOT_NULL(test, group);
	KUNIT_ASSERT_NOT_NULL(test, f);
#ifdef SOCKFD_HAVE_TASK_EXEC_STATE
	KUNIT_ASSERT_NOT_NULL(test, es);
	es->dumpable = c->dumpable ? TASK_DUMPABLE_OWNER : TASK_DUMPABLE_OFF;
	es->user_ns = &init_user_ns;
	RCU_INIT_POINTER(task->exec_state, es);
#endif
	/* The opener: the task's ids or others, never current's cred. */
	f->f_cred = ku_cred(test, c->same_ids ? 1000 : 1001, c->cap);
	spin_lock_init(&task->alloc_lock);
	RCU_INIT_POINTER(task->real_cred, tcred);
	RCU_INIT_POINTER(task->cred, tcred);
	sig->pids[PIDTYPE_TGID] = c->own_group ? group : NULL;
	task->signal = sig;
	/* task->mm stays NULL: past exit_mm(), before exit_files() */
#ifdef SOCKFD_HAVE_TASK_EXEC_STATE
	KUNIT_EXPECT_EQ(test, sockfd_may_see_task(&iter, task), c->want);
#else
	KUNIT_EXPECT_EQ(test, sockfd_may_see_task(&iter, task), c->want_mm);
#endif
}

static struct kunit_case sockfd_access_cases[] = {
	KUNIT_CASE_PARAM(sockfd_test_may_see_no_mm, ku_see_gen_params),
	{}
};

static struct kunit_suite sockfd_access_suite = {
	.name = "sockfd_access",
	.test_cases = sockfd_access_cases,
};

kunit_test_suites(&sockfd_format_suite, &sockfd_cursor_suite,
		  &sockfd_access_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for sockfd: line formatter, resumable cursor, who may see a task");
