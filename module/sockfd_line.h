/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The line builder of /proc/sockfd, shared by the files that format a
 * line: sockfd_line.c (the columns common to every socket), sockfd_inet.c,
 * sockfd_unix.c and sockfd_other.c (one function per family for protocol,
 * state, addresses and queues), as net/ipv4/inet_diag.c shares its
 * builder with tcp_diag.c. Lines are formatted without lock_sock(), as
 * /proc/net/tcp is: each field is read once (READ_ONCE) and a line may mix
 * values from either side of a concurrent change, but it is always whole.
 */
#ifndef _SOCKFD_LINE_H
#define _SOCKFD_LINE_H

#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/types.h>
#include <net/sock.h>

#include "sockfd.h"

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
 *
 * Each function that writes columns and is called out of line works on a
 * copy of the line, a local whose address no call sees, and writes it
 * back when done:
 *
 *	struct sockfd_line copy = *line, *l = &copy;
 *
 * and calls only inline helpers on it. The kernel is built with
 * -fno-strict-aliasing: a byte stored through ->buf may, for all the
 * compiler knows, change a line that other code can reach, so ->len and
 * ->buf would be loaded and stored again around every byte. The copy's
 * fields stay in registers.
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

/* sockfd_line.c: the digits sockfd_put_u64() prints with. */
extern const u64 sockfd_pow10[20];
extern const char sockfd_dec2[201];

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

/*
 * sockfd_col_width - the width column @col is padded to, from
 * SOCKFD_COLUMNS (sockfd.h): a constant for a constant @col.
 */
static __always_inline unsigned int sockfd_col_width(enum sockfd_col col)
{
#define SOCKFD_COL(id, name, width, max, next)				\
	(col == COL_##id ? (width) : (next))
#define SOCKFD_COL_END	0
	return SOCKFD_COLUMNS;
#undef SOCKFD_COL
#undef SOCKFD_COL_END
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
		width = sockfd_col_width(col - 1);
		pad = (used < width ? width - used : 0) + 1;
		p = sockfd_at(l);
		for (i = 0; i <= width; i += sizeof(spaces))
			memcpy(p + i, &spaces, sizeof(spaces));
		l->len += pad;
	}
	l->col_start = l->len;
}

/*
 * sockfd_put_memo - print @memo's text if it was made for @key; false if
 * not (the caller then prints the value and keeps it with
 * sockfd_memo_keep()). The copy is of the whole text array, in words:
 * past the text it writes bytes the next column overwrites (the line's
 * room has space for them).
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

/*
 * sockfd_memo_keep - keep the @len bytes at @text, just printed in the
 * line, as @key's text in @memo (@len at most sizeof(@memo->text)). Copied
 * whole, in words, as sockfd_put_memo() copies it back.
 */
static __always_inline void sockfd_memo_keep(struct sockfd_memo *memo,
					     u64 key, const char *text,
					     size_t len)
{
	memcpy(memo->text, text, sizeof(memo->text));
	memo->len = len;
	memo->key = key;
	memo->set = true;
}

/* Print @name, or @prefix followed by @nr when the name is unknown. */
static __always_inline void sockfd_put_name(struct sockfd_line *l,
					    const char *name,
					    const char *prefix, int nr)
{
	if (name) {
		sockfd_puts(l, name);
	} else {
		sockfd_puts(l, prefix);
		sockfd_put_s64(l, nr);
	}
}

/*
 * @len bytes of @s, escaped: the one check of a line's bounds after its
 * beginning (beyond SOCKFD_LINE_ROOM). Room is asked for the longest
 * escape: a line that would fit only because few bytes need one overflows
 * a little early, which seq_file handles as any overflow (the bytes read
 * stay the same). The rest of the line is still written, into its room.
 */
static __always_inline void sockfd_put_escaped(struct sockfd_line *l,
					       const char *s, size_t len)
{
	if (unlikely(l->len + 4 * len > l->end)) {
		l->overflow = true;
		return;
	}
	l->len += sockfd_escape(sockfd_at(l), s, len);
}

static __always_inline void sockfd_put_queues(struct sockfd_line *l, u32 txq,
					      u32 rxq)
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
static __always_inline void sockfd_put_sock_queues(struct sockfd_line *l,
						   struct sock *sk)
{
	sockfd_put_queues(l, sk_wmem_alloc_get(sk), sk_rmem_alloc_get(sk));
}

/* sockfd_line.c: "-" in every column, as sockfd_put_dashes() copies it. */
extern char sockfd_dash_line[SOCKFD_DASH_LINE_LEN];
extern u16 sockfd_dash_at[COL_COUNT];

/*
 * sockfd_put_dashes - "-" in columns @first to @last (no value applies):
 * @first begun as any column, then the run from sockfd_dash_line in one
 * copy, up to and with @last's "-" (the next column pads it), in place
 * of a sockfd_col() and a sockfd_putc() per column: 21 columns on every
 * line of a socket that is not TCP.
 */
static __always_inline void sockfd_put_dashes(struct sockfd_line *l,
					      enum sockfd_col first,
					      enum sockfd_col last)
{
	size_t n = sockfd_dash_at[last] - sockfd_dash_at[first] + 1;

	sockfd_col(l, first);
	memcpy(sockfd_at(l), sockfd_dash_line + sockfd_dash_at[first], n);
	l->len += n;
	l->col_start = l->len - 1;	/* column @last: its "-" */
}

/* One function per family; each prints protocol to rxq (COL_PROTO..COL_RXQ). */
/* sockfd_inet.c */
int sockfd_show_inet(struct sockfd_line *l, struct sock *sk, int family);
void sockfd_put_tcp_cols(struct sockfd_line *line, struct sock *sk, int state,
			 struct sockfd_memo *cc);
/* sockfd_unix.c */
void sockfd_show_unix(struct sockfd_line *l, struct sock *sk);
/* sockfd_other.c */
void sockfd_show_netlink(struct sockfd_line *l, struct socket *sock,
			 struct sock *sk);
void sockfd_show_packet(struct sockfd_line *l, struct socket *sock,
			struct sock *sk);
void sockfd_show_vsock(struct sockfd_line *l, struct sock *sk);
void sockfd_show_other(struct sockfd_line *l, struct sock *sk);

#endif /* _SOCKFD_LINE_H */
