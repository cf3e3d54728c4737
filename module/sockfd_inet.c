// SPDX-License-Identifier: GPL-2.0
/*
 * The inet and inet6 columns of a /proc/sockfd line: protocol, state, the
 * addresses and ports as /proc/net/tcp has them, queues; and for TCP its
 * timer, retransmissions, RTT, congestion window, counters, rates and
 * algorithm (as tcp_diag.c adds TCP's part to inet_diag.c's).
 */
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <net/addrconf.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "sockfd.h"
#include "sockfd_compat.h"
#include "sockfd_line.h"

/* The protocol's name, or NULL: how an inet line names its protocol. */
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

/*
 * sockfd_put_tcp_queues - TCP's queues, as get_tcp4_sock() computes them.
 * A listener shows its accept queue and backlog limit, as ss does.
 */
static __always_inline void sockfd_put_tcp_queues(struct sockfd_line *l,
						  struct sock *sk, int state)
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
static __always_inline void sockfd_put_inet_addr(struct sockfd_line *l,
						 int family, __be32 v4,
						 const struct in6_addr *v6,
						 __be16 port)
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
int sockfd_show_inet(struct sockfd_line *line, struct sock *sk, int family)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */
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
	*line = copy;
	return state;
}

/*
 * sockfd_put_tcp_timer - the pending TCP timer and the ms until it fires,
 * chosen as get_tcp4_sock() and inet_sk_diag_fill() choose it: the write
 * timer (retransmit, also for the loss probe and reordering timeouts, or
 * the zero window probe) first, else the keepalive timer. Lockless, as
 * those read it: icsk_pending and the expiry are written under the socket
 * lock or in the timer; a line racing with them shows either timer.
 */
static __always_inline void sockfd_put_tcp_timer(struct sockfd_line *l,
						 struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	/* Acquire pairs with the release store in newer kernels' setters. */
	u8 pending = smp_load_acquire(&icsk->icsk_pending);
	unsigned long expires;
	const char *what;
	long delta;

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
	sockfd_puts(l, what);
	sockfd_putc(l, '/');
	/*
	 * Already due (the timer runs late under load): 0, as ss shows it
	 * and as jiffies_delta_to_msecs() clamps.
	 */
	delta = expires - jiffies;
	sockfd_put_u64(l, sockfd_jiffies_to_msecs(max(delta, 0L)));
}

/*
 * The delivery rate in bytes/s, as tcp_get_info() reports
 * tcpi_delivery_rate (tcp_compute_delivery_rate(), static in tcp.c): the
 * last rate sample's packets delivered over its interval, times the MSS.
 * Lockless: written in softirq on ACKs, each field read once; a racing
 * line may mix two samples. 0 without a sample.
 */
static u64 sockfd_tcp_delivery_rate(const struct tcp_sock *tp)
{
	u32 rate = READ_ONCE(tp->rate_delivered);
	u32 intv = READ_ONCE(tp->rate_interval_us);
	u64 rate64 = 0;

	if (rate && intv) {
		rate64 = (u64)rate * READ_ONCE(tp->mss_cache) * USEC_PER_SEC;
		do_div(rate64, intv);
	}
	return rate64;
}

/*
 * ms since @stamp (tcp_jiffies32), as tcp_get_info()'s tcpi_last_*; "-"
 * for a stamp never set (0: a socket that never connected, where
 * TCP_INFO reports the ms since jiffies 0; a stamp taken in the one
 * jiffy where tcp_jiffies32 is 0 shows "-" too).
 */
static __always_inline void sockfd_put_tcp_age(struct sockfd_line *l, u32 now,
					       u32 stamp)
{
	if (!stamp) {
		sockfd_putc(l, '-');
		return;
	}
	sockfd_put_u64(l, sockfd_jiffies_to_msecs(now - stamp));
}

/*
 * sockfd_put_tcp_cc - the congestion control algorithm's name, as
 * TCP_CONGESTION answers it, read as inet_diag reads it
 * (inet_sk_diag_fill()): the ops pointer once (setsockopt(TCP_CONGESTION)
 * switches it under the socket lock), its name under rcu_read_lock():
 * tcp_unregister_congestion_control() waits for a grace period before
 * the ops may go. The name is copied out under RCU and escaped after
 * (BPF struct_ops algorithms name themselves): at most
 * TCP_CA_NAME_MAX - 1 bytes, within the room SOCKFD_CC_MAX (sockfd.h)
 * counts for it.
 *
 * A task's sockets mostly share one algorithm: @memo keeps the text of a
 * name shorter than 8 bytes (if it fits), keyed by the name's first 8
 * bytes. Those hold all of such a name and its NUL, so a key that
 * matches is that name.
 */
static __always_inline void sockfd_put_tcp_cc(struct sockfd_line *l,
					      struct sock *sk,
					      struct sockfd_memo *memo)
{
	const struct tcp_congestion_ops *ca;
	char name[TCP_CA_NAME_MAX];
	size_t len;
	char *text;
	u64 key;

	BUILD_BUG_ON(4 * (sizeof(name) - 1) > SOCKFD_CC_MAX);
	rcu_read_lock();
	ca = READ_ONCE(inet_csk(sk)->icsk_ca_ops);
	if (ca)
		memcpy(name, ca->name, sizeof(name));
	rcu_read_unlock();
	if (!ca) {
		sockfd_putc(l, '-');
		return;
	}
	memcpy(&key, name, sizeof(key));
	if (sockfd_put_memo(l, memo, key))
		return;
	len = strnlen(name, sizeof(name) - 1);
	if (!len) {
		sockfd_putc(l, '-');
		return;
	}
	text = sockfd_at(l);
	l->len += sockfd_escape(text, name, len);
	if (len < sizeof(key) && sockfd_at(l) - text <= sizeof(memo->text))
		sockfd_memo_keep(memo, key, text, sockfd_at(l) - text);
}

/*
 * sockfd_put_tcp_info - the format 3 TCP columns, bytes_sent to
 * pacing_rate: TCP_INFO's counters, idle times and rates, computed as
 * tcp_get_info() computes them but without its socket lock (each field
 * read once; a racing line may mix before and after). The u64 counters
 * are single loads on 64-bit kernels.
 */
static __always_inline void sockfd_put_tcp_info(struct sockfd_line *l,
						struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	unsigned long pacing;
	u32 now = tcp_jiffies32, min_rtt;
	int notsent;

	sockfd_col(l, COL_BYTES_SENT);
	sockfd_put_u64(l, READ_ONCE(tp->bytes_sent));
	sockfd_col(l, COL_BYTES_ACKED);
	sockfd_put_u64(l, READ_ONCE(tp->bytes_acked));
	sockfd_col(l, COL_BYTES_RECEIVED);
	sockfd_put_u64(l, READ_ONCE(tp->bytes_received));
	sockfd_col(l, COL_BYTES_RETRANS);
	sockfd_put_u64(l, READ_ONCE(tp->bytes_retrans));
	sockfd_col(l, COL_SEGS_OUT);
	sockfd_put_u64(l, READ_ONCE(tp->segs_out));
	sockfd_col(l, COL_SEGS_IN);
	sockfd_put_u64(l, READ_ONCE(tp->segs_in));
	/* Last data sent, last data received, last ACK received. */
	sockfd_col(l, COL_LASTSND);
	sockfd_put_tcp_age(l, now, READ_ONCE(tp->lsndtime));
	sockfd_col(l, COL_LASTRCV);
	sockfd_put_tcp_age(l, now, READ_ONCE(icsk->icsk_ack.lrcvtime));
	sockfd_col(l, COL_LASTACK);
	sockfd_put_tcp_age(l, now, READ_ONCE(tp->rcv_tstamp));
	sockfd_col(l, COL_NOTSENT);
	/* As tcpi_notsent_bytes: written, not yet sent; never negative. */
	notsent = READ_ONCE(tp->write_seq) - READ_ONCE(tp->snd_nxt);
	sockfd_put_u64(l, max(notsent, 0));
	sockfd_col(l, COL_MIN_RTT);
	/*
	 * tcp_min_rtt() (minmax_get(): the best sample's value), read once;
	 * µs, ~0U (TCP_INFO's value) until the first RTT sample: "-".
	 */
	min_rtt = READ_ONCE(tp->rtt_min.s[0].v);
	if (min_rtt == ~0U)
		sockfd_putc(l, '-');
	else
		sockfd_put_u64(l, min_rtt);
	sockfd_col(l, COL_DELIVERY_RATE);
	sockfd_put_u64(l, sockfd_tcp_delivery_rate(tp));
	sockfd_col(l, COL_PACING_RATE);
	/* bytes/s; ~0UL ("unlimited", TCP_INFO: 2^64 - 1) until set: "-". */
	pacing = READ_ONCE(sk->sk_pacing_rate);
	if (pacing == ~0UL)
		sockfd_putc(l, '-');
	else
		sockfd_put_u64(l, pacing);
}

/*
 * sockfd_put_tcp_cols - the TCP columns: timer, retransmissions, RTT and
 * congestion window (format 2), counters, idle times, rates and the
 * congestion control algorithm (format 3), each as TCP_INFO or
 * TCP_CONGESTION reports it. tcp_get_info() cannot be called here (it
 * takes the socket lock, which may sleep); these are its fields read
 * locklessly as /proc/net/tcp reads icsk_retransmits and snd_cwnd: each
 * once, a racing line may mix before and after. A listener has no
 * connection: "-" but for its algorithm. @cc: the task's memo of it.
 */
void sockfd_put_tcp_cols(struct sockfd_line *line, struct sock *sk, int state,
			 struct sockfd_memo *cc)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	const struct tcp_sock *tp = tcp_sk(sk);
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */
	u32 ssthresh;

	if (state == TCP_LISTEN) {
		sockfd_put_dashes(l, COL_TIMER, COL_PACING_RATE);
		goto cc;
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
	sockfd_put_tcp_info(l, sk);
cc:
	sockfd_col(l, COL_CC);
	sockfd_put_tcp_cc(l, sk, cc);
	*line = copy;
}
