// SPDX-License-Identifier: GPL-2.0
/*
 * One line of /proc/sockfd per socket fd: the columns common to every
 * socket, and one function per family for protocol, state, addresses and
 * queues. Lines are formatted without lock_sock(), as /proc/net/tcp is:
 * each field is read once (READ_ONCE) and a line may mix values from
 * either side of a concurrent change, but it is always whole.
 */
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/sock_diag.h>
#include <linux/socket.h>
#include <linux/un.h>
#include <linux/user_namespace.h>
#include <net/af_unix.h>
#include <net/addrconf.h>
#include <net/af_vsock.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "sockfd.h"
#include "sockfd_compat.h"

/* The columns' names and widths, from SOCKFD_COLUMNS (sockfd.h). */
static const struct {
	const char *name;
	unsigned int width;	/* padded to, for `cat`; never truncated */
} sockfd_cols[COL_COUNT] = {
#define SOCKFD_COL(id, name, width, max, next)				\
	[COL_##id] = { name, width }, next
#define SOCKFD_COL_END
	SOCKFD_COLUMNS
#undef SOCKFD_COL
#undef SOCKFD_COL_END
};

/*
 * A line is formatted straight into the free part of the seq_file's buffer
 * (seq_get_buf()) and handed over whole when it ends (seq_commit()). The
 * helpers below are inline and call nothing (no memset, memcpy or strlen
 * for a few bytes), where seq_printf() and seq_put_decimal_*() cost an
 * exported call or more each, and seq_pad() with seq_setwidth() two calls
 * and a memset per column.
 *
 * Bounds are checked once per line: a line begins only with
 * SOCKFD_LINE_ROOM bytes free, room for all of it but its escaped text
 * (comm, unix and interface names), which is checked as it is written
 * against what is left beyond that room. A line that does not fit is
 * committed as an overflow, as a seq_printf() that does not fit marks it:
 * seq_file then shows the record again into an emptier or larger buffer,
 * so the bytes read are the same whatever the read size. A line therefore
 * overflows early when less than its longest possible length is free, no
 * more than that.
 */
struct sockfd_line {
	struct seq_file *m;
	char *buf;		/* the seq_file buffer's free part */
	size_t end;		/* escaped text may take the line up to here */
	size_t len;		/* the line's bytes so far */
	size_t col_start;	/* where the current column began */
	bool overflow;		/* escaped text did not fit */
};

/*
 * SOCKFD_LINE_ROOM (sockfd.h) is derived from the column table: each
 * column's width or longest text, its space, and SOCKFD_LINE_SLACK for the
 * words written past a column's end. sockfd_show_header() checks the
 * writes that the table does not name (BUILD_BUG_ON).
 */

/*
 * sockfd_line_begin - begin a line in @m's buffer, if SOCKFD_LINE_ROOM
 * bytes are free; otherwise commit it as an overflow at once and return
 * false (the caller prints nothing).
 */
static bool sockfd_line_begin(struct sockfd_line *l, struct seq_file *m)
{
	size_t size = seq_get_buf(m, &l->buf);

	if (size < SOCKFD_LINE_ROOM) {
		seq_commit(m, -1);
		return false;
	}
	l->m = m;
	l->end = size - SOCKFD_LINE_ROOM;
	l->len = 0;
	l->col_start = 0;
	l->overflow = false;
	return true;
}

/* Where the line's next byte goes: within the room the line began with. */
static __always_inline char *sockfd_at(struct sockfd_line *l)
{
	return l->buf + l->len;
}

static __always_inline void sockfd_putc(struct sockfd_line *l, char c)
{
	l->buf[l->len++] = c;
}

/* @n bytes of @s; @n is a few bytes (a name, an address). */
static __always_inline void sockfd_putn(struct sockfd_line *l, const char *s,
					size_t n)
{
	char *p = sockfd_at(l);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = s[i];
	l->len += n;
}

/*
 * A short string: a name from a table, a column name, a timer's kind,
 * shorter than SOCKFD_SHORT_MAX (sockfd.h; KUnit checks every name):
 * copied in one pass, with room asked for the longest.
 */
static __always_inline void sockfd_puts(struct sockfd_line *l, const char *s)
{
	char *p = sockfd_at(l);
	size_t n;

	for (n = 0; n < SOCKFD_SHORT_MAX && s[n]; n++)
		p[n] = s[n];
	l->len += n;
}

/* 10^0 to 10^19: the digits of a u64 are counted by comparing, not dividing. */
static const u64 sockfd_pow10[] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/* "00" to "99": two digits per division, as lib/vsprintf.c's put_dec(). */
static const char sockfd_dec2[] = {
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
};

/*
 * The number of decimal digits of @v: fls64() bits times log10(2)
 * (1233 / 4096, exact enough for 64 bits) is the digit count of the
 * largest power of ten not above @v, or one less; one comparison says
 * which. 0 has one digit.
 */
static __always_inline unsigned int sockfd_dec_len(u64 v)
{
	unsigned int t = fls64(v) * 1233 >> 12;

	return t + (v >= sockfd_pow10[t]) + !v;
}

/* @v in decimal, as seq_put_decimal_ull() prints it. */
static __always_inline void sockfd_put_u64(struct sockfd_line *l, u64 v)
{
	unsigned int n, r;
	char *p;

	/* Most queues, counters and ids of a line are one digit, often 0. */
	if (v < 10) {
		sockfd_putc(l, '0' + v);
		return;
	}
	n = sockfd_dec_len(v);
	p = sockfd_at(l);
	l->len += n;
	/* From the last digit back, two at a time. */
	p += n;
	while (v >= 100) {
		r = v % 100;
		v /= 100;
		p -= 2;
		p[0] = sockfd_dec2[2 * r];
		p[1] = sockfd_dec2[2 * r + 1];
	}
	if (v >= 10) {
		p[-2] = sockfd_dec2[2 * v];
		p[-1] = sockfd_dec2[2 * v + 1];
	} else {
		p[-1] = '0' + v;
	}
}

/*
 * sockfd_put_memo - print @memo's text if it was made for @key; false if
 * not (the caller then prints the value with sockfd_put_u64_memo()). The
 * copy is of the whole text array, in words: past the number it writes
 * bytes the next column overwrites (the line's room has space for them).
 */
static __always_inline bool sockfd_put_memo(struct sockfd_line *l,
					    const struct sockfd_memo *memo,
					    u64 key)
{
	if (!memo->set || memo->key != key)
		return false;
	memcpy(sockfd_at(l), memo->text, sizeof(memo->text));
	l->len += memo->len;
	return true;
}

/* @v in decimal, kept in @memo as @key's text for sockfd_put_memo(). */
static void sockfd_put_u64_memo(struct sockfd_line *l,
				struct sockfd_memo *memo, u64 key, u64 v)
{
	char *p = sockfd_at(l);

	sockfd_put_u64(l, v);
	memcpy(memo->text, p, sizeof(memo->text));
	memo->len = sockfd_at(l) - p;
	memo->key = key;
	memo->set = true;
}

/* @v in decimal, as seq_put_decimal_ll() prints it. */
static __always_inline void sockfd_put_s64(struct sockfd_line *l, s64 v)
{
	if (v < 0) {
		sockfd_putc(l, '-');
		sockfd_put_u64(l, -(u64)v);
	} else {
		sockfd_put_u64(l, v);
	}
}

/* End the line with a newline and hand it to the seq_file (or overflow). */
static void sockfd_line_end(struct sockfd_line *l)
{
	sockfd_putc(l, '\n');
	seq_commit(l->m, l->overflow ? -1 : (int)l->len);
}

/*
 * sockfd_col - begin column @col: pad the previous one to its width and
 * separate it by a space. Every line calls this once per column, in order,
 * so the previous column is @col - 1 and, for a constant @col, its width a
 * constant: the spaces go in a fixed number of 8-byte words (the width and
 * the space, rounded up), no loop, no call. The bytes written past the
 * padding are the next column's, written again by it (or left past the
 * line's end, where seq_file never reads them).
 */
static __always_inline void sockfd_col(struct sockfd_line *l,
				       enum sockfd_col col)
{
	static const u64 spaces = 0x2020202020202020ULL;
	size_t used = l->len - l->col_start, width, pad, i;
	char *p;

	if (col != COL_PID) {
		width = sockfd_cols[col - 1].width;
		pad = (used < width ? width - used : 0) + 1;
		p = sockfd_at(l);
		for (i = 0; i <= width; i += sizeof(spaces))
			memcpy(p + i, &spaces, sizeof(spaces));
		l->len += pad;
	}
	l->col_start = l->len;
}

/* Print @name, or @prefix followed by @nr when the name is unknown. */
static void sockfd_put_name(struct sockfd_line *l, const char *name,
			    const char *prefix, int nr)
{
	if (name) {
		sockfd_puts(l, name);
	} else {
		sockfd_puts(l, prefix);
		sockfd_put_s64(l, nr);
	}
}

/* sockfd_name - the name at @nr of a table of @size names, or NULL. */
static const char *sockfd_name(const char *const *names, size_t size, int nr)
{
	return nr >= 0 && (size_t)nr < size ? names[nr] : NULL;
}

static const char *const sockfd_family_names[] = {
	[AF_UNIX]	= "unix",
	[AF_INET]	= "inet",
	[AF_AX25]	= "ax25",
	[AF_IPX]	= "ipx",
	[AF_APPLETALK]	= "appletalk",
	[AF_X25]	= "x25",
	[AF_INET6]	= "inet6",
	[AF_KEY]	= "key",
	[AF_NETLINK]	= "netlink",
	[AF_PACKET]	= "packet",
	[AF_RDS]	= "rds",
	[AF_PPPOX]	= "pppox",
	[AF_LLC]	= "llc",
	[AF_IB]		= "ib",
	[AF_MPLS]	= "mpls",
	[AF_CAN]	= "can",
	[AF_TIPC]	= "tipc",
	[AF_BLUETOOTH]	= "bluetooth",
	[AF_RXRPC]	= "rxrpc",
	[AF_ISDN]	= "isdn",
	[AF_PHONET]	= "phonet",
	[AF_IEEE802154]	= "ieee802154",
	[AF_CAIF]	= "caif",
	[AF_ALG]	= "alg",
	[AF_NFC]	= "nfc",
	[AF_VSOCK]	= "vsock",
	[AF_KCM]	= "kcm",
	[AF_QIPCRTR]	= "qipcrtr",
	[AF_SMC]	= "smc",
	[AF_XDP]	= "xdp",
	[AF_MCTP]	= "mctp",
};

const char *sockfd_family_name(int family)
{
	return sockfd_name(sockfd_family_names,
			   ARRAY_SIZE(sockfd_family_names), family);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_family_name);

static const char *const sockfd_type_names[] = {
	[SOCK_STREAM]		= "stream",
	[SOCK_DGRAM]		= "dgram",
	[SOCK_RAW]		= "raw",
	[SOCK_RDM]		= "rdm",
	[SOCK_SEQPACKET]	= "seqpacket",
	[SOCK_DCCP]		= "dccp",
	[SOCK_PACKET]		= "packet",
};

const char *sockfd_type_name(int type)
{
	return sockfd_name(sockfd_type_names, ARRAY_SIZE(sockfd_type_names),
			   type);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_type_name);

/* The kernel's names for sk_state, as /proc/net/tcp's numbers mean them. */
static const char *const sockfd_state_names[] = {
	[TCP_ESTABLISHED]	= "ESTABLISHED",
	[TCP_SYN_SENT]		= "SYN_SENT",
	[TCP_SYN_RECV]		= "SYN_RECV",
	[TCP_FIN_WAIT1]		= "FIN_WAIT1",
	[TCP_FIN_WAIT2]		= "FIN_WAIT2",
	[TCP_TIME_WAIT]		= "TIME_WAIT",
	[TCP_CLOSE]		= "CLOSE",
	[TCP_CLOSE_WAIT]	= "CLOSE_WAIT",
	[TCP_LAST_ACK]		= "LAST_ACK",
	[TCP_LISTEN]		= "LISTEN",
	[TCP_CLOSING]		= "CLOSING",
	[TCP_NEW_SYN_RECV]	= "NEW_SYN_RECV",
};

const char *sockfd_state_name(int state)
{
	return sockfd_name(sockfd_state_names, ARRAY_SIZE(sockfd_state_names),
			   state);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_state_name);

const char *sockfd_inet_proto_name(int protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_UDPLITE:	return "udplite";
	case IPPROTO_ICMP:	return "icmp";
	case IPPROTO_ICMPV6:	return "icmpv6";
	case IPPROTO_RAW:	return "raw";
	case IPPROTO_SCTP:	return "sctp";
	case IPPROTO_MPTCP:	return "mptcp";
	case IPPROTO_IGMP:	return "igmp";
	case IPPROTO_GRE:	return "gre";
	case IPPROTO_L2TP:	return "l2tp";
	case IPPROTO_DCCP:	return "dccp";
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_inet_proto_name);

static const char *const sockfd_netlink_names[] = {
	[NETLINK_ROUTE]			= "route",
	[NETLINK_UNUSED]		= "unused",
	[NETLINK_USERSOCK]		= "usersock",
	[NETLINK_FIREWALL]		= "firewall",
	[NETLINK_SOCK_DIAG]		= "sock_diag",
	[NETLINK_NFLOG]			= "nflog",
	[NETLINK_XFRM]			= "xfrm",
	[NETLINK_SELINUX]		= "selinux",
	[NETLINK_ISCSI]			= "iscsi",
	[NETLINK_AUDIT]			= "audit",
	[NETLINK_FIB_LOOKUP]		= "fib_lookup",
	[NETLINK_CONNECTOR]		= "connector",
	[NETLINK_NETFILTER]		= "netfilter",
	[NETLINK_IP6_FW]		= "ip6_fw",
	[NETLINK_DNRTMSG]		= "dnrtmsg",
	[NETLINK_KOBJECT_UEVENT]	= "kobject_uevent",
	[NETLINK_GENERIC]		= "generic",
	[NETLINK_SCSITRANSPORT]		= "scsitransport",
	[NETLINK_ECRYPTFS]		= "ecryptfs",
	[NETLINK_RDMA]			= "rdma",
	[NETLINK_CRYPTO]		= "crypto",
	[NETLINK_SMC]			= "smc",
};

const char *sockfd_netlink_proto_name(int protocol)
{
	return sockfd_name(sockfd_netlink_names,
			   ARRAY_SIZE(sockfd_netlink_names), protocol);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_netlink_proto_name);

/**
 * sockfd_escape - @len bytes of @s, escaped as /proc/mounts does, at @buf
 * @buf: room for 4 * @len bytes (no NUL is added)
 * @s: the bytes (NULs included, e.g. in abstract unix names)
 * @len: how many
 *
 * Space, tab, newline, backslash and every byte that is not printable
 * ASCII become a backslash and three octal digits, so that no field is
 * empty of meaning or split by whitespace.
 *
 * Return: the bytes written.
 */
size_t sockfd_escape(char *buf, const char *s, size_t len)
{
	char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c >= 0x7f || c == '\\') {
			*p++ = '\\';
			*p++ = '0' + (c >> 6);
			*p++ = '0' + (c >> 3 & 7);
			*p++ = '0' + (c & 7);
		} else {
			*p++ = c;
		}
	}
	return p - buf;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_escape);

/*
 * @len bytes of @s, escaped: the one check of a line's bounds after its
 * beginning (beyond SOCKFD_LINE_ROOM). Room is asked for the longest
 * escape: a line that would fit only because few bytes need one overflows
 * a little early, which seq_file handles as any overflow (the bytes read
 * stay the same). The rest of the line is still written, into its room.
 */
static void sockfd_put_escaped(struct sockfd_line *l, const char *s,
			       size_t len)
{
	if (unlikely(l->len + 4 * len > l->end)) {
		l->overflow = true;
		return;
	}
	l->len += sockfd_escape(sockfd_at(l), s, len);
}

static void sockfd_put_queues(struct sockfd_line *l, u32 txq, u32 rxq)
{
	sockfd_col(l, COL_TXQ);
	sockfd_put_u64(l, txq);
	sockfd_col(l, COL_RXQ);
	sockfd_put_u64(l, rxq);
}

/*
 * sockfd_put_sock_queues - txq and rxq of a socket with no protocol of
 * its own to ask: memory allocated for sending and receiving, as
 * /proc/net/udp shows.
 */
static void sockfd_put_sock_queues(struct sockfd_line *l, struct sock *sk)
{
	sockfd_put_queues(l, sk_wmem_alloc_get(sk), sk_rmem_alloc_get(sk));
}

/*
 * sockfd_put_tcp_queues - TCP's queues, as get_tcp4_sock() computes them.
 * A listener shows its accept queue and backlog limit, as ss does.
 */
static void sockfd_put_tcp_queues(struct sockfd_line *l, struct sock *sk,
				  int state)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int rx, tx;

	if (state == TCP_LISTEN) {
		/* Lockless, as in get_tcp4_sock(): updated on accept. */
		sockfd_put_queues(l, READ_ONCE(sk->sk_max_ack_backlog),
				  READ_ONCE(sk->sk_ack_backlog));
		return;
	}
	/*
	 * Lockless, as in get_tcp4_sock(): the sequence numbers move under
	 * the socket lock; a racing read may be off by what is in flight,
	 * so a negative queue is shown as 0. That includes the send queue of
	 * a connect() in progress, whose write_seq is set before snd_una
	 * (tcp_connect_init()): /proc/net/tcp then shows billions of bytes.
	 */
	rx = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);
	tx = READ_ONCE(tp->write_seq) - READ_ONCE(tp->snd_una);
	sockfd_put_queues(l, max(tx, 0), max(rx, 0));
}

/* Decimal @v (0-255) at @p; returns the end. */
static char *sockfd_put_octet(char *p, u8 v)
{
	if (v >= 100)
		*p++ = '0' + v / 100;
	if (v >= 10)
		*p++ = '0' + v / 10 % 10;
	*p++ = '0' + v % 10;
	return p;
}

/**
 * sockfd_format_in4 - @addr as %pI4 prints it (a.b.c.d)
 * @buf: room for SOCKFD_IN4_LEN bytes
 * @addr: the address, network order
 *
 * Return: the length written, without the NUL.
 */
int sockfd_format_in4(char *buf, __be32 addr)
{
	const u8 *b = (const u8 *)&addr;
	char *p = buf;
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = sockfd_put_octet(p, b[i]);
	}
	*p = '\0';
	return p - buf;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_format_in4);

/**
 * sockfd_format_in6 - @a as %pI6c prints it (RFC 5952)
 * @buf: room for SOCKFD_IN6_LEN bytes
 * @a: the address
 *
 * Lower-case hex words without leading zeros; the longest run of two or
 * more zero words (the first of equals) becomes "::"; an IPv4-mapped or
 * ISATAP address ends in its IPv4 address, dotted, as the kernel's own
 * formatter has it (lib/vsprintf.c). KUnit compares the two.
 *
 * Return: the length written, without the NUL.
 */
int sockfd_format_in6(char *buf, const struct in6_addr *a)
{
	bool dotted = ipv6_addr_v4mapped(a) || ipv6_addr_is_isatap(a);
	int words = dotted ? 6 : 8;
	int run_at = -1, run_len = 1;	/* a single zero word stays "0" */
	bool colon = false;		/* a word was written: ':' before the next */
	char *p = buf;
	int i, n, shift;

	for (i = 0; i < words; i += n ? n : 1) {
		for (n = 0; i + n < words && !a->s6_addr16[i + n]; n++)
			;
		if (n > run_len) {
			run_len = n;
			run_at = i;
		}
	}
	for (i = 0; i < words; i++) {
		u16 w = ntohs(a->s6_addr16[i]);

		if (i == run_at) {
			if (colon || i == 0)
				*p++ = ':';
			*p++ = ':';
			colon = false;
			i += run_len - 1;
			continue;
		}
		if (colon)
			*p++ = ':';
		for (shift = 12; shift > 0 && !(w >> shift); shift -= 4)
			;
		for (; shift >= 0; shift -= 4)
			*p++ = "0123456789abcdef"[w >> shift & 0xf];
		colon = true;
	}
	if (dotted) {
		if (colon)
			*p++ = ':';
		p += sockfd_format_in4(p, a->s6_addr32[3]);
	}
	*p = '\0';
	return p - buf;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_format_in6);

/*
 * One end of an inet connection: a.b.c.d:port, or [v6]:port (RFC 5952).
 * The address is a copy on the caller's stack: formatting reads it byte
 * by byte, which on the socket itself could mix an old and a new address
 * written meanwhile by bind() or connect().
 */
static void sockfd_put_inet_addr(struct sockfd_line *l, int family, __be32 v4,
				 const struct in6_addr *v6, __be16 port)
{
	/* sockfd_format_*() write a NUL after the text (within the room). */
	char *p = sockfd_at(l);

	if (family == AF_INET) {
		l->len += sockfd_format_in4(p, v4);
	} else {
		p[0] = '[';
		l->len += 1 + sockfd_format_in6(p + 1, v6);
		sockfd_putc(l, ']');
	}
	sockfd_putc(l, ':');
	sockfd_put_u64(l, ntohs(port));
}

/*
 * An IPv6 address of a socket, copied to @to: 16 bytes have no single
 * load, so each 32-bit word is read once (READ_ONCE). Lockless: bind()
 * and connect() write the address under the socket lock; a copy racing
 * with them may mix old and new words, as /proc/net/tcp6 (which prints it
 * word by word) may.
 */
static void sockfd_copy_in6(struct in6_addr *to, const struct in6_addr *from)
{
	int i;

	for (i = 0; i < 4; i++)
		to->s6_addr32[i] = READ_ONCE(from->s6_addr32[i]);
}

/*
 * inet and inet6: protocol, state, the 5-tuple as /proc/net/tcp has it.
 * Returns the state it read, for the TCP columns at the end of the line.
 * Chain, step 4: sock -> inet_sock (inet_sk(): addresses, ports), and for
 * TCP tcp_sock (tcp_sk(): sequence numbers, RTT, window) within it.
 */
static int sockfd_show_inet(struct sockfd_line *l, struct sock *sk, int family)
{
	const struct inet_sock *inet = inet_sk(sk);
	int state = inet_sk_state_load(sk);	/* acquire-load of sk_state */
	int proto = READ_ONCE(sk->sk_protocol);	/* fixed at socket() */
	struct in6_addr v6 = { };
	__be32 v4;

	sockfd_col(l, COL_PROTO);
	sockfd_put_name(l, sockfd_inet_proto_name(proto), "", proto);
	sockfd_col(l, COL_STATE);
	sockfd_put_name(l, sockfd_state_name(state), "state", state);
	/*
	 * Lockless, as in /proc/net/tcp: addresses and ports are set under the
	 * socket lock by bind() and connect(); a line racing with them may
	 * show the old or the new value of each (of each word of an IPv6
	 * address). Each address is copied once before it is formatted, as
	 * get_tcp4_sock() does: IPv4 in one READ_ONCE, IPv6 word by word
	 * (sockfd_copy_in6()), so that the formatter, which reads the
	 * address more than once, prints the one value it copied.
	 */
	sockfd_col(l, COL_LOCAL);
	if (family == AF_INET6)
		sockfd_copy_in6(&v6, &sk->sk_v6_rcv_saddr);
	v4 = READ_ONCE(inet->inet_rcv_saddr);
	sockfd_put_inet_addr(l, family, v4, &v6, READ_ONCE(inet->inet_sport));
	sockfd_col(l, COL_REMOTE);
	if (family == AF_INET6)
		sockfd_copy_in6(&v6, &sk->sk_v6_daddr);
	v4 = READ_ONCE(inet->inet_daddr);
	sockfd_put_inet_addr(l, family, v4, &v6, READ_ONCE(inet->inet_dport));

	if (sk_is_tcp(sk))
		sockfd_put_tcp_queues(l, sk, state);
	else
		sockfd_put_sock_queues(l, sk);
	return state;
}

/*
 * sockfd_unix_peer_ino - the socket inode of @sk's peer; 0 without one.
 * As unix_peer_get() and sock_i_ino(), without a peer reference or its
 * callback lock: the peer's socket is read under our state lock and RCU.
 */
static unsigned long long sockfd_unix_peer_ino(struct sock *sk)
{
	unsigned long long ino = 0;
	struct socket *psock = NULL;
	struct sock *peer;

	rcu_read_lock();
	unix_state_lock(sk);
	/* ->peer changes under our state lock, which holds the peer's sock. */
	peer = unix_sk(sk)->peer;
	/*
	 * Lockless: sock_orphan() clears ->sk_socket (under the peer's
	 * sk_callback_lock) when the peer's socket is released, before its
	 * inode goes; sockfs frees that inode, and the socket in it, after
	 * an RCU grace period (->free_inode): what we read stays readable
	 * until rcu_read_unlock(). NULL: the peer lost its socket.
	 */
	if (peer)
		psock = READ_ONCE(peer->sk_socket);
	unix_state_unlock(sk);
	if (psock)
		ino = SOCK_INODE(psock)->i_ino;
	rcu_read_unlock();
	return ino;
}

/*
 * unix: the bound name (a path, @ and an abstract name, or * when
 * unnamed), the peer's inode, and queues as ss shows them.
 * Chain, step 4: sock -> unix_sock (unix_sk(): ->addr, ->peer).
 */
static void sockfd_show_unix(struct sockfd_line *l, struct sock *sk)
{
	struct unix_address *addr;
	unsigned long long peer_ino;
	int state = READ_ONCE(sk->sk_state);	/* lockless, as unix_seq_show() */
	long inq;
	const char *name;
	size_t len;

	sockfd_col(l, COL_PROTO);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_STATE);
	sockfd_put_name(l, sockfd_state_name(state), "state", state);

	sockfd_col(l, COL_LOCAL);
	/*
	 * bind() publishes ->addr once with a release store; it stays until
	 * the socket is freed, which our file reference prevents.
	 */
	addr = smp_load_acquire(&unix_sk(sk)->addr);
	if (!addr) {
		sockfd_putc(l, '*');
	} else {
		/*
		 * As unix_seq_show(): ->len counts a path's terminating NUL,
		 * which for a 108-byte path lies just past sun_path[]; it is
		 * never read. An abstract name is all its bytes after the
		 * leading NUL, NULs included.
		 */
		name = addr->name->sun_path;
		len = addr->len - offsetof(struct sockaddr_un, sun_path) - 1;
		if (name[0]) {
			sockfd_put_escaped(l, name, len);
		} else {
			sockfd_putc(l, '@');
			sockfd_put_escaped(l, name + 1, len);
		}
	}

	sockfd_col(l, COL_REMOTE);
	peer_ino = sockfd_unix_peer_ino(sk);
	if (peer_ino)
		sockfd_put_u64(l, peer_ino);
	else
		sockfd_putc(l, '*');

	if (state == TCP_LISTEN) {
		/* Lockless queue length, as unix_diag reports it. */
		sockfd_put_queues(l, READ_ONCE(sk->sk_max_ack_backlog),
				  skb_queue_len_lockless(&sk->sk_receive_queue));
		return;
	}
	/*
	 * What SIOCINQ and SIOCOUTQ answer (they lock the queue). @state is
	 * this line's one read of sk_state: listen() may run since, and then
	 * unix_inq_len() sees LISTEN and returns -EINVAL; that is shown as an
	 * empty queue (a new listener has none), never as a huge number.
	 * An empty receive queue (lockless, as unix_poll() tests it) is 0
	 * bytes for either answer, with no call and no lock.
	 */
	inq = skb_queue_empty_lockless(&sk->sk_receive_queue) ?
	      0 : unix_inq_len(sk);
	sockfd_put_queues(l, unix_outq_len(sk), clamp_t(long, inq, 0, U32_MAX));
}

/*
 * sockfd_put_netlink_port - the port id of @sock (@peer: of its destination),
 * from netlink's own getname (struct netlink_sock is private); it neither
 * sleeps nor takes the socket lock.
 */
static void sockfd_put_netlink_port(struct sockfd_line *l, struct socket *sock,
				    bool peer)
{
	struct sockaddr_nl nl = { };
	int err;

	if (peer)
		err = kernel_getpeername(sock, (struct sockaddr *)&nl);
	else
		err = kernel_getsockname(sock, (struct sockaddr *)&nl);
	if (err < 0)
		sockfd_putc(l, '-');
	else
		sockfd_put_u64(l, nl.nl_pid);
}

/* netlink: its protocol, the local and destination port ids. */
static void sockfd_show_netlink(struct sockfd_line *l, struct socket *sock,
				struct sock *sk)
{
	int proto = READ_ONCE(sk->sk_protocol);	/* fixed at socket() */

	sockfd_col(l, COL_PROTO);
	sockfd_put_name(l, sockfd_netlink_proto_name(proto), "", proto);
	sockfd_col(l, COL_STATE);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_LOCAL);
	sockfd_put_netlink_port(l, sock, false);
	sockfd_col(l, COL_REMOTE);
	sockfd_put_netlink_port(l, sock, true);
	sockfd_put_sock_queues(l, sk);
}

/* "/0x" and @v in four hex digits, as "/0x%04x" prints it. */
static void sockfd_put_hex16(struct sockfd_line *l, u16 v)
{
	char text[] = "/0x0000";
	int i;

	for (i = 0; i < 4; i++)
		text[6 - i] = "0123456789abcdef"[v >> (4 * i) & 0xf];
	sockfd_putn(l, text, sizeof(text) - 1);
}

/*
 * sockfd_put_packet_local - the interface and protocol a packet socket is
 * bound to, as /proc/net/packet has them: "lo/0x0003"; "*" for the
 * interface when bound to none (ifindex 0). struct packet_sock is private:
 * packet's own getname reads them under RCU only (no socket lock, no
 * sleep). A SOCK_PACKET socket's getname gives the device name alone.
 */
static void sockfd_put_packet_local(struct sockfd_line *l, struct socket *sock,
				    struct sock *sk)
{
	struct sockaddr_storage ss = { };
	const struct sockaddr_ll *sll = (const struct sockaddr_ll *)&ss;
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	char name[IFNAMSIZ] = "";
	struct net_device *dev;
	int ifindex;
	size_t i;

	if (kernel_getsockname(sock, (struct sockaddr *)&ss) < 0) {
		sockfd_putc(l, '-');
		return;
	}
	if (READ_ONCE(sk->sk_type) == SOCK_PACKET) {
		/* the name in sockaddr's 14 data bytes, NUL-padded if shorter */
		sockfd_put_escaped(l, sa->sa_data, strnlen(sa->sa_data, 14));
		if (!sa->sa_data[0])
			sockfd_putc(l, '*');
		return;
	}
	ifindex = sll->sll_ifindex;
	if (ifindex) {
		/*
		 * The name of the device now, under RCU, which keeps the
		 * device. Lockless: a rename writes dev->name under RTNL and
		 * a seqlock this module cannot take (netdev_copy_name() is not
		 * exported), so each byte is read once; a copy racing with a
		 * rename may mix bytes of both names, as packet_getname_spkt()
		 * may. The last byte of @name stays NUL.
		 */
		rcu_read_lock();
		dev = dev_get_by_index_rcu(sock_net(sk), ifindex);
		for (i = 0; dev && i < sizeof(name) - 1; i++) {
			name[i] = READ_ONCE(dev->name[i]);
			if (!name[i])
				break;
		}
		rcu_read_unlock();
	}
	if (name[0])
		sockfd_put_escaped(l, name, strlen(name));
	else if (ifindex)
		sockfd_put_s64(l, ifindex);	/* the device went away */
	else
		sockfd_putc(l, '*');
	sockfd_put_hex16(l, ntohs(sll->sll_protocol));
}

/* packet: state and remote do not apply; local is interface/protocol. */
static void sockfd_show_packet(struct sockfd_line *l, struct socket *sock,
			       struct sock *sk)
{
	sockfd_col(l, COL_PROTO);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_STATE);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_LOCAL);
	sockfd_put_packet_local(l, sock, sk);
	sockfd_col(l, COL_REMOTE);
	sockfd_putc(l, '-');
	sockfd_put_sock_queues(l, sk);
}

/* One vsock end: cid:port, each "*" while unset (VMADDR_*_ANY). */
static void sockfd_put_vsock_addr(struct sockfd_line *l, unsigned int cid,
				  unsigned int port)
{
	if (cid == VMADDR_CID_ANY)
		sockfd_putc(l, '*');
	else
		sockfd_put_u64(l, cid);
	if (port == VMADDR_PORT_ANY) {
		sockfd_puts(l, ":*");
	} else {
		sockfd_putc(l, ':');
		sockfd_put_u64(l, port);
	}
}

/*
 * vsock: state (TCP's numbering, as vsock_diag reports it) and both ends
 * from the public struct vsock_sock. Lockless, as vsock_diag_fill() reads
 * them: bind() and connect() write them under the socket lock, so each
 * half is read once and a racing line may mix old and new halves.
 */
static void sockfd_show_vsock(struct sockfd_line *l, struct sock *sk)
{
	const struct vsock_sock *vsk = vsock_sk(sk);
	int state = READ_ONCE(sk->sk_state);

	sockfd_col(l, COL_PROTO);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_STATE);
	sockfd_put_name(l, sockfd_state_name(state), "state", state);
	sockfd_col(l, COL_LOCAL);
	sockfd_put_vsock_addr(l, READ_ONCE(vsk->local_addr.svm_cid),
			      READ_ONCE(vsk->local_addr.svm_port));
	sockfd_col(l, COL_REMOTE);
	sockfd_put_vsock_addr(l, READ_ONCE(vsk->remote_addr.svm_cid),
			      READ_ONCE(vsk->remote_addr.svm_port));
	sockfd_put_sock_queues(l, sk);
}

/* Print "-" in columns @first to @last (no value applies). */
static void sockfd_put_dashes(struct sockfd_line *l, enum sockfd_col first,
			      enum sockfd_col last)
{
	enum sockfd_col col;

	for (col = first; col <= last; col++) {
		sockfd_col(l, col);
		sockfd_putc(l, '-');
	}
}

/* Families without a formatter of their own. */
static void sockfd_show_other(struct sockfd_line *l, struct sock *sk)
{
	sockfd_put_dashes(l, COL_PROTO, COL_REMOTE);
	sockfd_put_sock_queues(l, sk);
}

/*
 * sockfd_put_tcp_timer - the pending TCP timer and the ms until it fires,
 * chosen as get_tcp4_sock() and inet_sk_diag_fill() choose it: the write
 * timer (retransmit, also for the loss probe and reordering timeouts, or
 * the zero window probe) first, else the keepalive timer. Lockless, as
 * those read it: icsk_pending and the expiry are written under the socket
 * lock or in the timer; a line racing with them shows either timer.
 */
static void sockfd_put_tcp_timer(struct sockfd_line *l, struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	/* Acquire pairs with the release store in newer kernels' setters. */
	u8 pending = smp_load_acquire(&icsk->icsk_pending);
	unsigned long expires;
	const char *what;

	switch (pending) {
	case ICSK_TIME_RETRANS:
	case ICSK_TIME_REO_TIMEOUT:
	case ICSK_TIME_LOSS_PROBE:
		what = "retransmit";
		expires = sockfd_tcp_timeout(sk);
		break;
	case ICSK_TIME_PROBE0:
		what = "probe";
		expires = sockfd_tcp_timeout(sk);
		break;
	default:
		if (!sockfd_tcp_keepalive_pending(sk, &expires)) {
			sockfd_putc(l, '-');
			return;
		}
		what = "keepalive";
		break;
	}
	/* Already due (the timer runs late under load): 0, as ss shows. */
	sockfd_puts(l, what);
	sockfd_putc(l, '/');
	sockfd_put_u64(l, jiffies_delta_to_msecs(expires - jiffies));
}

/*
 * sockfd_put_tcp_cols - the TCP columns: timer, retransmissions, RTT and
 * congestion window, each as TCP_INFO reports it. tcp_get_info() cannot be
 * called here (it takes the socket lock, which may sleep); these are its
 * fields read locklessly as /proc/net/tcp reads icsk_retransmits and
 * snd_cwnd: each once, a racing line may mix before and after. A listener
 * has no connection: "-".
 */
static void sockfd_put_tcp_cols(struct sockfd_line *l, struct sock *sk,
				int state)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 ssthresh;

	if (state == TCP_LISTEN) {
		sockfd_put_dashes(l, COL_TIMER, COL_CWND);
		return;
	}
	sockfd_col(l, COL_TIMER);
	sockfd_put_tcp_timer(l, sk);
	sockfd_col(l, COL_RETRANS);
	sockfd_put_u64(l, READ_ONCE(icsk->icsk_retransmits));
	sockfd_putc(l, '/');
	sockfd_put_u64(l, READ_ONCE(tp->total_retrans));
	sockfd_col(l, COL_RTT);
	/* In µs, scaled as tcp_get_info() reports tcpi_rtt and tcpi_rttvar. */
	sockfd_put_u64(l, READ_ONCE(tp->srtt_us) >> 3);
	sockfd_putc(l, '/');
	sockfd_put_u64(l, READ_ONCE(tp->mdev_us) >> 2);
	sockfd_col(l, COL_CWND);
	/*
	 * Not tcp_snd_cwnd(): a plain load in 6.1 and 6.12. Written by
	 * tcp_snd_cwnd_set() under the socket lock or in softirq.
	 */
	sockfd_put_u64(l, READ_ONCE(tp->snd_cwnd));
	sockfd_putc(l, '/');
	/* Still in initial slow start (no threshold yet): "-", as ss omits it. */
	ssthresh = READ_ONCE(tp->snd_ssthresh);
	if (ssthresh >= TCP_INFINITE_SSTHRESH)
		sockfd_putc(l, '-');
	else
		sockfd_put_u64(l, ssthresh);
}

/*
 * sockfd_put_ids - cookie, cgroup and drops, for every socket. Reading
 * the cookie assigns one if the socket has none, as getsockopt(SO_COOKIE)
 * and sock_diag do: it is the socket's id from then on.
 */
static void sockfd_put_ids(struct sockfd_line *l, struct sock *sk)
{
	/*
	 * Lockless: a cookie is set once, from 0, by a cmpxchg, and never
	 * changes after; only a socket that has none yet needs the call.
	 */
	u64 cookie = atomic64_read(&sk->sk_cookie);
	u32 c[2];
	u64 cgroup;

	if (!cookie) {
		sock_diag_save_cookie(sk, c);
		cookie = (u64)c[1] << 32 | c[0];
	}
	sockfd_col(l, COL_COOKIE);
	sockfd_put_u64(l, cookie);
	sockfd_col(l, COL_CGROUP);
	if (sockfd_sk_cgroup_id(sk, &cgroup))
		sockfd_put_u64(l, cgroup);
	else
		sockfd_putc(l, '-');
	sockfd_col(l, COL_DROPS);
	sockfd_put_u64(l, sockfd_sk_drops(sk));
}

void sockfd_show_header(struct seq_file *m)
{
	struct sockfd_line line, *l = &line;
	enum sockfd_col col;

	/*
	 * What SOCKFD_LINE_ROOM does not count column by column: the words
	 * of padding past each column's end (sockfd_col()) and a memo's
	 * whole text (sockfd_put_memo()) stay within SOCKFD_LINE_SLACK; the
	 * owner's text, copied whole at the line's beginning
	 * (sockfd_show_line()), within the room.
	 */
#define SOCKFD_COL(id, name, width, max, next)				\
	(round_up((width) + 1, 8) > SOCKFD_LINE_SLACK || (next))
#define SOCKFD_COL_END	0
	BUILD_BUG_ON(SOCKFD_COLUMNS);
#undef SOCKFD_COL
#undef SOCKFD_COL_END
	BUILD_BUG_ON(sizeof_field(struct sockfd_memo, text) > SOCKFD_LINE_SLACK);
	BUILD_BUG_ON(SOCKFD_OWNER_TEXT > SOCKFD_LINE_ROOM);
	/* A memo holds a u64's digits. */
	BUILD_BUG_ON(sizeof_field(struct sockfd_memo, text) < SOCKFD_DEC_U64);
	/*
	 * SOCKFD_COLUMNS names every column of the enum once: as many as
	 * there are, each by its id in sockfd_cols[] (W=1 warns of one
	 * given twice).
	 */
#define SOCKFD_COL(id, name, width, max, next)	(1 + (next))
#define SOCKFD_COL_END	0
	BUILD_BUG_ON(SOCKFD_COLUMNS != COL_COUNT);
#undef SOCKFD_COL
#undef SOCKFD_COL_END

	if (!sockfd_line_begin(l, m))
		return;
	for (col = 0; col < COL_COUNT; col++) {
		sockfd_col(l, col);
		sockfd_puts(l, sockfd_cols[col].name);
	}
	sockfd_line_end(l);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_show_header);

/**
 * sockfd_owner_set - make @o, for the lines of task @pid (sockfd_show_socket())
 * @o: what the task's lines share
 * @pid: the fd table's id, as the reader's pid namespace sees it
 * @comm: the task's command name (NUL-terminated)
 *
 * The pid and comm columns are formatted here, once per task, and each line
 * copies them; the netns and uid memos start empty.
 */
void sockfd_owner_set(struct sockfd_owner *o, pid_t pid, const char *comm)
{
	struct sockfd_line line = { .buf = o->text }, *l = &line;
	size_t len = strnlen(comm, TASK_COMM_LEN - 1);

	/* Each line copies all of @text: no byte of it is left unset. */
	memset(o->text, ' ', sizeof(o->text));
	sockfd_col(l, COL_PID);
	sockfd_put_s64(l, pid);
	sockfd_col(l, COL_COMM);
	if (len)
		l->len += sockfd_escape(sockfd_at(l), comm, len);
	else
		sockfd_putc(l, '-');	/* prctl(PR_SET_NAME, ""): no empty field */
	o->len = l->len;
	o->comm_start = l->col_start;
	o->netns.set = false;
	o->uid.set = false;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_owner_set);

/**
 * sockfd_show_line - print one line for socket fd @fd of @o's task
 * @m: the seq_file
 * @o: the task's pid and comm (sockfd_owner_set()), and its memos
 * @fd: the descriptor
 * @fsock: the socket the fd's file was opened as: its inode is the
 *	file's, named socket:[INO] in /proc/PID/fd (sockfs_dname())
 * @sock: the socket the fd's calls reach (the file's ->private_data): the
 *	same, except for an SMC socket that fell back to TCP, whose file
 *	smc_switch_to_fallback() points at its internal TCP socket
 *
 * Both are pinned by the caller (a file reference): an SMC socket
 * releases its internal socket only when it is itself released, at the
 * file's last fput() (__smc_release()).
 *
 * The columns that name the fd's socket (ino, netns, family, type, uid)
 * are @fsock's; the rest (protocol, state, addresses, queues, buffers,
 * cookie, cgroup, drops, TCP) are @sock's, as getsockname(), SO_MEMINFO,
 * SO_COOKIE and TCP_INFO on the fd answer them.
 *
 * Chain, step 3: socket (the VFS side: its inode is socket:[INO]) -> sock
 * (->sk, the protocol side), then one function per family casts it on.
 *
 * Return: 0, or SEQ_SKIP for a socket that has no sock any more.
 */
int sockfd_show_line(struct seq_file *m, struct sockfd_owner *o,
		     unsigned int fd, struct socket *fsock, struct socket *sock)
{
	/*
	 * The file reference pins both sockets and their socks: ->sk is
	 * cleared only when the last file reference goes. Checked all the
	 * same.
	 */
	struct sock *fsk = READ_ONCE(fsock->sk);
	struct sock *sk = sock == fsock ? fsk : READ_ONCE(sock->sk);
	int state = -1;		/* inet only: the line's one read of sk_state */
	struct sockfd_line line, *l = &line;
	int family, type;
	unsigned int inum;
	kuid_t kuid;

	if (!fsk || !sk)
		return SEQ_SKIP;

	if (!sockfd_line_begin(l, m))
		return 0;	/* an overflow: seq_file shows it again */
	/*
	 * pid and comm as sockfd_owner_set() made them: a copy in words,
	 * within the room. comm is escaped text, checked as the other names
	 * are (sockfd_put_escaped()): past the room's end the line is an
	 * overflow, and the rest of it is still written without comm.
	 */
	memcpy(sockfd_at(l), o->text, sizeof(o->text));
	l->col_start = o->comm_start;
	if (unlikely(o->len > l->end)) {
		l->overflow = true;
		l->len = o->comm_start;
	} else {
		l->len = o->len;
	}
	sockfd_col(l, COL_FD);
	sockfd_put_u64(l, fd);
	sockfd_col(l, COL_INO);
	/* Set when the socket was made (new_inode_pseudo()), never changed. */
	sockfd_put_u64(l, (unsigned long long)SOCK_INODE(fsock)->i_ino);
	/* Read once: IPV6_ADDRFORM may turn an inet6 socket into inet. */
	family = READ_ONCE(fsk->sk_family);

	sockfd_col(l, COL_NETNS);
	/* Fixed at socket() (an SMC socket's internal one shares it). */
	inum = sock_net(fsk)->ns.inum;
	if (!sockfd_put_memo(l, &o->netns, inum))
		sockfd_put_u64_memo(l, &o->netns, inum, inum);
	sockfd_col(l, COL_FAMILY);
	sockfd_put_name(l, sockfd_family_name(family), "af", family);
	sockfd_col(l, COL_TYPE);
	type = READ_ONCE(fsk->sk_type);	/* fixed at socket() */
	sockfd_put_name(l, sockfd_type_name(type), "type", type);

	/* The family of the socket the fd's calls reach: see above. */
	if (sk != fsk)
		family = READ_ONCE(sk->sk_family);
	switch (family) {
	case AF_INET:
	case AF_INET6:
		state = sockfd_show_inet(l, sk, family);
		break;
	case AF_UNIX:
		sockfd_show_unix(l, sk);
		break;
	case AF_NETLINK:
		sockfd_show_netlink(l, sock, sk);
		break;
	case AF_PACKET:
		sockfd_show_packet(l, sock, sk);
		break;
	case AF_VSOCK:
		sockfd_show_vsock(l, sk);
		break;
	default:
		sockfd_show_other(l, sk);
		break;
	}

	/* Lockless: limits are changed by setsockopt() at any time. */
	sockfd_col(l, COL_RMEM);
	sockfd_put_s64(l, sk_rmem_alloc_get(sk));
	sockfd_col(l, COL_RCVBUF);
	sockfd_put_s64(l, READ_ONCE(sk->sk_rcvbuf));
	sockfd_col(l, COL_WMEM);
	sockfd_put_s64(l, sk_wmem_alloc_get(sk));
	sockfd_col(l, COL_SNDBUF);
	sockfd_put_s64(l, READ_ONCE(sk->sk_sndbuf));
	sockfd_col(l, COL_UID);
	/* The owner of the fd's socket, as fstat() on the fd shows it. */
	kuid = sockfd_sock_uid(fsock, fsk);
	if (!sockfd_put_memo(l, &o->uid, __kuid_val(kuid)))
		sockfd_put_u64_memo(l, &o->uid, __kuid_val(kuid),
				    from_kuid_munged(seq_user_ns(m), kuid));

	sockfd_put_ids(l, sk);
	/*
	 * MPTCP and other stream protocols are no tcp_sock: sk_is_tcp(). It
	 * reads sk_family once (READ_ONCE) and sk_type and sk_protocol
	 * plainly: those two are set at socket() and never written again.
	 */
	if (state >= 0 && sk_is_tcp(sk))
		sockfd_put_tcp_cols(l, sk, state);
	else
		sockfd_put_dashes(l, COL_TIMER, COL_CWND);
	sockfd_line_end(l);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_show_line);

/**
 * sockfd_show_socket - print one line for socket fd @fd of @o's task
 * @m: the seq_file
 * @o: the task's pid and comm (sockfd_owner_set()), and its memos
 * @fd: the descriptor
 * @file: its file, pinned by the caller (a reference)
 * @sock: sock_from_file(@file)
 *
 * The line's socket is the file's own, its inode @file's (SMC: see
 * sockfd_show_line()).
 *
 * Return: 0, or SEQ_SKIP for a socket that has no sock any more.
 */
int sockfd_show_socket(struct seq_file *m, struct sockfd_owner *o,
		       unsigned int fd, struct file *file, struct socket *sock)
{
	return sockfd_show_line(m, o, fd, SOCKET_I(file_inode(file)), sock);
}
