// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd - parsing /proc/sockfd.
 *
 * Line 1 names the columns; every later line has one field per column,
 * fields separated by runs of spaces.  Columns are found by name, so
 * columns a later module appends are kept.  "\ooo" octal escapes are
 * decoded in place (a decoded field is never longer than its text).
 * A malformed line is reported through t->warn and skipped.
 *
 * The input is taken a line at a time, read in chunks (sf_open) or all
 * in one buffer (sf_open_buf); sf_next() gives the rows one by one, each
 * forgotten at the next, and sf_parse() keeps them all in t->rows.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table.h"

/*
 * Every column this reader knows, in file order: name, how it is read and
 * shown, the unit of its numbers, its JSON type, and the format that added
 * it (format 1's are required; later ones are used when present, so that
 * captures of format 1 still read).
 */
const struct sf_coldef sf_cols[SF_NKNOWN] = {
	[SF_PID]     = { "pid",     SF_KIND_NUM,   "",   SF_JSON_NUMBER, 1 },
	[SF_COMM]    = { "comm",    SF_KIND_STR,   "",   SF_JSON_STRING, 1 },
	[SF_FD]      = { "fd",      SF_KIND_NUM,   "",   SF_JSON_NUMBER, 1 },
	[SF_INO]     = { "ino",     SF_KIND_NUM,   "",   SF_JSON_NUMBER, 1 },
	[SF_NETNS]   = { "netns",   SF_KIND_NUM,   "",   SF_JSON_NUMBER, 1 },
	[SF_FAMILY]  = { "family",  SF_KIND_STR,   "",   SF_JSON_STRING, 1 },
	[SF_TYPE]    = { "type",    SF_KIND_STR,   "",   SF_JSON_STRING, 1 },
	[SF_PROTO]   = { "proto",   SF_KIND_STR,   "",   SF_JSON_STRING, 1 },
	[SF_STATE]   = { "state",   SF_KIND_STR,   "",   SF_JSON_STRING, 1 },
	[SF_LOCAL]   = { "local",   SF_KIND_STR,   "",   SF_JSON_STRING, 1 },
	[SF_REMOTE]  = { "remote",  SF_KIND_STR,   "",   SF_JSON_STRING, 1 },
	[SF_TXQ]     = { "txq",     SF_KIND_SIZE,  "B",  SF_JSON_NUMBER, 1 },
	[SF_RXQ]     = { "rxq",     SF_KIND_SIZE,  "B",  SF_JSON_NUMBER, 1 },
	[SF_RMEM]    = { "rmem",    SF_KIND_SIZE,  "B",  SF_JSON_NUMBER, 1 },
	[SF_RCVBUF]  = { "rcvbuf",  SF_KIND_SIZE,  "B",  SF_JSON_NUMBER, 1 },
	[SF_WMEM]    = { "wmem",    SF_KIND_SIZE,  "B",  SF_JSON_NUMBER, 1 },
	[SF_SNDBUF]  = { "sndbuf",  SF_KIND_SIZE,  "B",  SF_JSON_NUMBER, 1 },
	[SF_UID]     = { "uid",     SF_KIND_UID,   "",   SF_JSON_NUMBER, 1 },
	[SF_COOKIE]  = { "cookie",  SF_KIND_NUM,   "",   SF_JSON_NUMBER, 2 },
	[SF_CGROUP]  = { "cgroup",  SF_KIND_NUM,   "",   SF_JSON_NUMBER, 2 },
	[SF_DROPS]   = { "drops",   SF_KIND_NUM,   "",   SF_JSON_NUMBER, 2 },
	[SF_TIMER]   = { "timer",   SF_KIND_TIMER, "ms", SF_JSON_TIMER,  2 },
	[SF_RETRANS] = { "retrans", SF_KIND_PAIR,  "",   SF_JSON_PAIR,   2 },
	[SF_RTT]     = { "rtt",     SF_KIND_PAIR,  "us", SF_JSON_PAIR,   2 },
	[SF_CWND]    = { "cwnd",    SF_KIND_PAIR,  "",   SF_JSON_PAIR,   2 },
	[SF_BYTES_SENT]     = { "bytes_sent",     SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_BYTES_ACKED]    = { "bytes_acked",    SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_BYTES_RECEIVED] = { "bytes_received", SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_BYTES_RETRANS]  = { "bytes_retrans",  SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_SEGS_OUT]       = { "segs_out",       SF_KIND_NUM,  "",    SF_JSON_NUMBER, 3 },
	[SF_SEGS_IN]        = { "segs_in",        SF_KIND_NUM,  "",    SF_JSON_NUMBER, 3 },
	[SF_LASTSND]        = { "lastsnd",        SF_KIND_NUM,  "ms",  SF_JSON_NUMBER, 3 },
	[SF_LASTRCV]        = { "lastrcv",        SF_KIND_NUM,  "ms",  SF_JSON_NUMBER, 3 },
	[SF_LASTACK]        = { "lastack",        SF_KIND_NUM,  "ms",  SF_JSON_NUMBER, 3 },
	[SF_NOTSENT]        = { "notsent",        SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_MIN_RTT]        = { "min_rtt",        SF_KIND_NUM,  "us",  SF_JSON_NUMBER, 3 },
	[SF_DELIVERY_RATE]  = { "delivery_rate",  SF_KIND_NUM,  "B/s", SF_JSON_NUMBER, 3 },
	[SF_PACING_RATE]    = { "pacing_rate",    SF_KIND_NUM,  "B/s", SF_JSON_NUMBER, 3 },
	[SF_CC]             = { "cc",             SF_KIND_STR,  "",    SF_JSON_STRING, 3 },
	[SF_WMEM_QUEUED]    = { "wmem_queued",    SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_FWD_ALLOC]      = { "fwd_alloc",      SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_OPTMEM]         = { "optmem",         SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_BACKLOG]        = { "backlog",        SF_KIND_SIZE, "B",   SF_JSON_NUMBER, 3 },
	[SF_FDS]            = { "fds",            SF_KIND_NUM,  "",    SF_JSON_NUMBER, 3 },
	[SF_NOFILE]         = { "nofile",         SF_KIND_NUM,  "",    SF_JSON_NUMBER, 3 },
};

enum sf_kind sf_col_kind(const struct sf_table *t, size_t col)
{
	return t->kind[col];
}

/* Read all of fd (a /proc file has no size to trust). */
int sf_read_fd(int fd, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1);

	if (!buf)
		return ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				return ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(buf);
			return err;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

static void warn(struct sf_table *t, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct sf_table *t, unsigned long line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!t->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)	/* input quoted in msg stays harmless */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	t->warn(t->warn_ctx, line, msg);
}

bool sf_parse_u64(const char *s, size_t len, uint64_t *v)
{
	size_t short_len = len < 20 ? len : 19;	/* 19 digits fit in 64 bits */
	uint64_t n = 0;
	unsigned int d;

	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < short_len; i++) {
		d = (unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		n = n * 10 + d;
	}
	if (len == 20) {			/* the 20th digit may not */
		d = (unsigned char)s[19] - '0';
		if (d > 9 || n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*v = n;
	return true;
}

/* Decode "\ooo" escapes of f in place; false (and why) if it cannot. */
static bool decode(struct sf_str *f, char *why, size_t whysize)
{
	char *in = f->s, *end = f->s + f->len, *out;

	while (in < end && *in != '\\' && (unsigned char)*in >= 0x20 && *in != 0x7f)
		in++;	/* most fields: nothing to decode, nothing to move */
	out = in;
	while (in < end) {
		unsigned char c = *in;

		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whysize, "raw control byte 0x%02x (must be escaped)", c);
			return false;
		}
		if (c != '\\') {
			*out++ = *in++;
			continue;
		}
		if (end - in < 4 || in[1] < '0' || in[1] > '3' ||
		    in[2] < '0' || in[2] > '7' || in[3] < '0' || in[3] > '7') {
			int n = end - in < 4 ? (int)(end - in) : 4;

			snprintf(why, whysize, "invalid escape \"%.*s\" (want \\ and 3 octal digits, at most \\377)",
				 n, in);
			return false;
		}
		*out++ = (char)((in[1] - '0') << 6 | (in[2] - '0') << 3 | (in[3] - '0'));
		in += 4;
	}
	f->len = out - f->s;
	*out = '\0';
	return true;
}

/*
 * The classes of bytes for split(): SF_B_* (table.h) and these two.  A
 * field ends at B_END; B_CTRL and SF_B_ESC send it through decode().
 */
#define B_END	0x01	/* a space or the newline ending the line */
#define B_CTRL	0x04	/* a control byte or DEL: an error, decode() says */

static unsigned char byte_class[256];

static void init_byte_class(void)
{
	for (int c = 0; c < 256; c++) {
		unsigned char k = 0;

		if (c == ' ' || c == '\n')
			k = B_END;
		else if (c < 0x20 || c == 0x7f)
			k = B_CTRL;
		else if (c == '\\')
			k = SF_B_ESC;
		else if (c >= 0x80)
			k = SF_B_HIGH;
		else if (c == '"')
			k = SF_B_QUOTE;
		if (c < '0' || c > '9')
			k |= SF_B_NONDIGIT;
		byte_class[c] = k;
	}
}

/*
 * Split the line at p, which a '\n' ends, into at most max fields; returns
 * the count found (max + 1 when there are more) and in *end the newline,
 * found by the same scan.  Each field is NUL-terminated in place (the
 * newline too becomes a NUL) and gets in cls the classes of its bytes
 * OR-ed together.
 */
static size_t split(char *p, struct sf_str *f, unsigned char *cls, size_t max,
		    char **end)
{
	size_t n = 0;

	for (;;) {
		unsigned char k, seen = 0;
		char *start;

		while (*p == ' ')
			p++;
		if (*p == '\n')
			break;
		if (n == max) {	/* a field too many: the line is bad */
			n++;
			p = rawmemchr(p, '\n');
			break;
		}
		start = p;
		k = byte_class[(unsigned char)*p];
		while (!(k & B_END)) {	/* the field's bytes */
			seen |= k;
			k = byte_class[(unsigned char)*++p];
		}
		f[n].s = start;
		f[n].len = p - start;
		cls[n] = seen;
		n++;
		if (*p == '\n')
			break;
		*p++ = '\0';	/* the space after the field */
	}
	*end = p;
	*p = '\0';
	return n;
}

static int parse_header(struct sf_table *t, char *p, char *end)
{
	size_t n = 0, max = (end - p) / 2 + 1;
	char missing[256] = "";

	t->cols = calloc(max, sizeof(*t->cols));
	t->kind = calloc(max, sizeof(*t->kind));
	t->check = calloc(max, sizeof(*t->check));
	t->cls = calloc(max, sizeof(*t->cls));	/* each line's, from now on */
	if (!t->cols || !t->kind || !t->check || !t->cls)
		return -ENOMEM;
	init_byte_class();
	n = split(p, t->cols, t->cls, max, &end);
	t->ncols = n;
	if (n > SF_MAX_COLS) {
		warn(t, 1, "the header has %zu columns; at most %d are supported", n, SF_MAX_COLS);
		return -EINVAL;
	}
	for (int k = 0; k < SF_NKNOWN; k++)
		t->known[k] = -1;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < t->cols[i].len; j++)
			if ((unsigned char)t->cols[i].s[j] < 0x21 ||
			    (unsigned char)t->cols[i].s[j] > 0x7e) {
				warn(t, 1, "header: column %zu has byte 0x%02x; names are printable ASCII",
				     i + 1, (unsigned char)t->cols[i].s[j]);
				return -EINVAL;
			}
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->cols[i].s, t->cols[j].s) == 0) {
				warn(t, 1, "header names column \"%s\" twice", t->cols[i].s);
				return -EINVAL;
			}
		t->kind[i] = SF_KIND_OTHER;
		for (int k = 0; k < SF_NKNOWN; k++)
			if (strcmp(t->cols[i].s, sf_cols[k].name) == 0) {
				t->known[k] = (int)i;
				t->kind[i] = sf_cols[k].kind;
			}
		/* text is checked only for escapes and control bytes; any
		 * other value also when it is not plain digits */
		t->check[i] = SF_B_ESC | B_CTRL;
		if (t->kind[i] != SF_KIND_STR && t->kind[i] != SF_KIND_OTHER)
			t->check[i] |= SF_B_NONDIGIT;
	}
	for (int k = 0; k < SF_NKNOWN; k++) {
		if (t->known[k] >= 0 || sf_cols[k].format > 1)
			continue;
		if (missing[0])
			strcat(missing, " ");
		strcat(missing, sf_cols[k].name);
	}
	if (missing[0]) {
		warn(t, 1, "the header lacks required column(s): %s (is this a /proc/sockfd capture?)",
		     missing);
		return -EINVAL;
	}
	return 0;
}

/* "N/M" with unsigned decimals; M may be "-" (*has_b false then). */
bool sf_parse_pair(const struct sf_str *f, uint64_t *a, uint64_t *b,
		   bool *has_b)
{
	const char *slash = memchr(f->s, '/', f->len);
	size_t rest;

	if (!slash || !sf_parse_u64(f->s, slash - f->s, a))
		return false;
	rest = f->len - (slash - f->s) - 1;
	*has_b = !(rest == 1 && slash[1] == '-');
	*b = 0;
	return !*has_b || sf_parse_u64(slash + 1, rest, b);
}

/*
 * "KIND/MS": *kind points at a static name ("retransmit", "keepalive",
 * "probe", or "timer" for a kind this reader does not know).
 */
bool sf_parse_timer(const struct sf_str *f, const char **kind, uint64_t *ms)
{
	static const char *const kinds[] = { "retransmit", "keepalive", "probe" };
	const char *slash = memchr(f->s, '/', f->len);
	size_t n;

	if (!slash || slash == f->s)
		return false;
	n = slash - f->s;
	*kind = "timer";
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i]) == n && memcmp(kinds[i], f->s, n) == 0)
			*kind = kinds[i];
	return sf_parse_u64(slash + 1, f->len - n - 1, ms);
}

/* The end of the run of decimal digits at p (p <= end). */
static const char *digits(const char *p, const char *end)
{
	while (p < end && (unsigned char)(*p - '0') <= 9)
		p++;
	return p;
}

/*
 * "N/M" or "N/-" with at most 19 digits each, which always parses: most
 * pairs, checked without sf_parse_pair().
 */
static bool short_pair(const struct sf_str *f)
{
	const char *p = f->s, *end = f->s + f->len, *n;

	n = digits(p, end);
	if (n == p || n - p > 19 || n == end || *n != '/')
		return false;
	p = n + 1;
	if (end - p == 1 && *p == '-')
		return true;
	n = digits(p, end);
	return n == end && n > p && n - p <= 19;
}

/* A pair or timer field is "-" or parses. */
static bool valid_compound(enum sf_kind kind, const struct sf_str *f)
{
	uint64_t a, b;
	const char *k;
	bool has_b;

	if (kind != SF_KIND_PAIR && kind != SF_KIND_TIMER)
		return true;
	if (f->len == 1 && f->s[0] == '-')
		return true;
	if (kind == SF_KIND_PAIR && short_pair(f))
		return true;
	return kind == SF_KIND_PAIR ? sf_parse_pair(f, &a, &b, &has_b) :
				      sf_parse_timer(f, &k, &a);
}

/*
 * Check one data line that split() made n fields of, in f and cls (at
 * most t->ncols + 1); false if it is malformed.
 */
static bool parse_line(struct sf_table *t, unsigned long line, size_t n,
		       struct sf_str *f, unsigned char *cls, struct sf_row *r)
{
	char why[128];

	if (n == 0) {
		warn(t, line, "empty line");
		return false;
	}
	if (n < t->ncols) {
		warn(t, line, "truncated: %zu field(s), the header has %zu", n, t->ncols);
		return false;
	}
	if (n > t->ncols) {
		warn(t, line, "more fields than the header's %zu columns", t->ncols);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		enum sf_kind kind = sf_col_kind(t, i);
		uint64_t v;

		/* none of the bytes its column checks, too short to overflow:
		 * nothing to look at (most fields) */
		if (!(cls[i] & t->check[i]) && f[i].len < 20)
			continue;
		/* most fields have no escape and no control byte: as split()
		 * left them */
		if ((cls[i] & (SF_B_ESC | B_CTRL)) && !decode(&f[i], why, sizeof(why))) {
			warn(t, line, "column %s: %s", t->cols[i].s, why);
			return false;
		}
		if (kind == SF_KIND_STR || kind == SF_KIND_OTHER)
			continue;
		if (!valid_compound(kind, &f[i])) {
			warn(t, line, "column %s: \"%.40s%s\" is not %s", t->cols[i].s,
			     f[i].s, f[i].len > 40 ? "..." : "",
			     kind == SF_KIND_TIMER ? "\"-\" or KIND/MS" : "\"-\" or N/M");
			return false;
		}
		if (kind != SF_KIND_NUM && kind != SF_KIND_SIZE && kind != SF_KIND_UID)
			continue;
		/* digits only (split() saw no other byte), too few to overflow */
		if (!(cls[i] & SF_B_NONDIGIT) && f[i].len < 20)
			continue;
		if (f[i].len == 1 && f[i].s[0] == '-' && (int)i != t->known[SF_PID] &&
		    (int)i != t->known[SF_FD] && (int)i != t->known[SF_INO])
			continue;
		if (!sf_parse_u64(f[i].s, f[i].len, &v)) {
			warn(t, line, "column %s: \"%.40s%s\" is not an unsigned decimal number",
			     t->cols[i].s, f[i].s, f[i].len > 40 ? "..." : "");
			return false;
		}
	}
	sf_parse_u64(f[t->known[SF_PID]].s, f[t->known[SF_PID]].len, &r->pid);
	sf_parse_u64(f[t->known[SF_FD]].s, f[t->known[SF_FD]].len, &r->fd);
	sf_parse_u64(f[t->known[SF_INO]].s, f[t->known[SF_INO]].len, &r->ino);
	r->line = line;
	return true;
}

/*
 * Reading ahead.  While the caller parses the lines in buf, a thread reads
 * the next chunk into spare, after SF_ROOM bytes kept free for the partial
 * line that the chunk will complete; then the two buffers change places.
 * Reading /proc/sockfd is the kernel formatting lines, so with two CPUs
 * that and the parsing go on at the same time.  Until the thread is
 * joined, only it touches spare, got and got_err, and only the caller buf,
 * pos, whole, scan and len.
 */
/* Room before a chunk read ahead, for the partial line it completes. */
#define SF_ROOM 4096

static void *read_ahead(void *arg)
{
	struct sf_input *in = arg;
	size_t got = 0;
	ssize_t n = 0;

	/* A chunk, or what there is before the end or an error: a read of
	 * /proc/sockfd gives one seq_file buffer (64 KiB), and every chunk
	 * costs a thread. An error after some bytes waits for the next read. */
	while (got < in->chunk) {
		n = read(in->fd, in->spare + SF_ROOM + got, in->chunk - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	in->got_err = n < 0 && !got ? errno : 0;
	in->got = got;
	return NULL;
}

/*
 * Smaller chunks are read here, not in a thread, which would cost more
 * than such a read (the fuzz target cuts its input in chunks of 1 to 61
 * bytes).
 */
#define SF_AHEAD_MIN (64 << 10)

/* Make *buf (*cap bytes) hold need bytes; -1 with in->err set if it can't. */
static int grow(struct sf_input *in, char **buf, size_t *cap, size_t need)
{
	char *nb;

	if (*cap >= need)
		return 0;
	nb = realloc(*buf, need);
	if (!nb) {
		in->err = ENOMEM;
		return -1;
	}
	*buf = nb;
	*cap = need;
	return 0;
}

/*
 * Start reading the next chunk: in a thread, or here for a small chunk or
 * if no thread can be had.
 */
static int start_read(struct sf_input *in)
{
	if (grow(in, &in->spare, &in->spare_cap, SF_ROOM + in->chunk + 1))
		return -1;
	in->pending = true;
	in->threaded = in->chunk >= SF_AHEAD_MIN &&
		       pthread_create(&in->ahead, NULL, read_ahead, in) == 0;
	if (!in->threaded)
		read_ahead(in);
	return 0;
}

/*
 * The chunk read ahead, after the unread text (a partial line, no newline),
 * and the next read started.  0, or -1 with in->err set.
 */
static int fill(struct sf_input *in)
{
	size_t part = in->len - in->pos;
	/* the partial line, where it stays if buf is kept for the rows */
	const char *line = in->buf ? in->buf + in->pos : NULL;

	if (!in->pending && start_read(in))
		return -1;
	if (in->threaded)
		pthread_join(in->ahead, NULL);
	in->pending = in->threaded = false;
	if (in->got_err) {
		in->err = in->got_err;
		return -1;
	}
	if (in->keep && in->buf) {
		/* Rows point into buf: it is kept, and the new bytes go to a
		 * buffer of their own (buf's place is left empty). */
		char **kept = realloc(in->kept, (in->nkept + 1) * sizeof(*kept));

		if (!kept) {
			in->err = ENOMEM;
			return -1;
		}
		in->kept = kept;
		in->kept[in->nkept++] = in->buf;
		in->buf = NULL;
		in->cap = 0;
	}
	if (part <= SF_ROOM) {
		/* The partial line goes in front of the new bytes, and the
		 * buffers change places. */
		char *old = in->buf;
		size_t old_cap = in->cap;

		if (part)	/* before the first chunk, there is none */
			memcpy(in->spare + SF_ROOM - part, line, part);
		in->buf = in->spare;
		in->cap = in->spare_cap;
		in->spare = old;
		in->spare_cap = old_cap;
		in->pos = SF_ROOM - part;
	} else {
		/* A longer one goes to the start of buf (a new one if buf
		 * was kept), and the new bytes follow it. */
		bool moved = in->buf != NULL;

		if (moved)
			memmove(in->buf, line, part);
		if (grow(in, &in->buf, &in->cap, part + in->got + 1))
			return -1;
		if (!moved)
			memcpy(in->buf, line, part);
		memcpy(in->buf + part, in->spare + SF_ROOM, in->got);
		in->pos = 0;
	}
	in->whole = in->pos;
	in->scan = in->pos + part;	/* the partial line has no newline */
	in->len = in->scan + in->got;
	in->eof = in->got == 0;
	return in->eof ? 0 : start_read(in);
}

/*
 * Make a whole line start at in->pos, one that a newline ends (also the
 * last line: buf[len] exists and becomes its newline); false at the end
 * or on a read error (in->err).  A final newline ends the last line, it
 * does not start an empty one.  The last newline of what a read brought
 * is found once, so a line's own end is left to whoever scans the line.
 */
static bool whole_line(struct sf_input *in)
{
	while (in->pos == in->whole) {
		char *nl = in->scan < in->len ?
			   memrchr(in->buf + in->scan, '\n', in->len - in->scan) : NULL;

		in->scan = in->len;
		if (nl) {
			in->whole = nl - in->buf + 1;
			break;
		}
		if (in->eof) {
			if (in->pos == in->len)
				return false;
			in->buf[in->len++] = '\n';
			in->whole = in->scan = in->len;
			break;
		}
		if (fill(in))
			return false;
	}
	return true;
}

/*
 * The next line [*start, *end) of the input, **end its newline; false at
 * the end or on a read error (in->err).  The line stays valid until the
 * next call.
 */
static bool next_line(struct sf_input *in, char **start, char **end)
{
	if (!whole_line(in))
		return false;
	*start = in->buf + in->pos;
	*end = rawmemchr(*start, '\n');
	in->pos = *end - in->buf + 1;
	return true;
}

/*
 * Read and parse the header line.  0; a negative errno when the input has
 * no usable header (the reason went to t->warn); a positive errno when it
 * could not be read.
 */
static int read_header(struct sf_table *t)
{
	char *p, *end;
	size_t len;

	if (!next_line(&t->in, &p, &end)) {
		if (t->in.err)
			return t->in.err;
		warn(t, 1, "empty input: no header line");
		return -EINVAL;
	}
	t->line = 1;
	len = end - p;
	t->head = malloc(len + 1);	/* the names outlive the line */
	if (!t->head)
		return -ENOMEM;
	memcpy(t->head, p, len);
	t->head[len] = '\n';
	return parse_header(t, t->head, t->head + len);
}

/*
 * Parse the next well-formed line into f and r; false at the end.  The
 * classes of its fields' bytes stay in t->cls until the next line.
 */
static bool next_row(struct sf_table *t, struct sf_str *f, struct sf_row *r)
{
	while (whole_line(&t->in)) {
		char *end;
		size_t n = split(t->in.buf + t->in.pos, f, t->cls, t->ncols, &end);

		t->in.pos = end - t->in.buf + 1;
		t->line++;
		if (parse_line(t, t->line, n, f, t->cls, r)) {
			r->f = f;
			r->cls = NULL;
			return true;
		}
		t->nbad++;
	}
	return false;
}

/* The header read: room for one row, for sf_next(). */
static int open_rows(struct sf_table *t)
{
	int ret = read_header(t);

	if (ret)
		return ret;
	t->fields = calloc(t->ncols, sizeof(*t->fields));
	t->rows = calloc(1, sizeof(*t->rows));
	return t->fields && t->rows ? 0 : -ENOMEM;
}

/*
 * Stream fd: read the header, then sf_next() gives one row at a time, the
 * input read chunk bytes at a time.  Returns as read_header() does.
 */
int sf_open(struct sf_table *t, int fd, size_t chunk)
{
	t->in.fd = fd;
	t->in.chunk = chunk;
	return open_rows(t);
}

/*
 * The same over all of the input in buf (len bytes, buf[len] must exist
 * and is overwritten); the table owns buf afterwards.
 */
int sf_open_buf(struct sf_table *t, char *buf, size_t len)
{
	t->in.fd = -1;
	t->in.buf = buf;
	t->in.len = len;
	t->in.cap = len + 1;
	t->in.eof = true;
	return open_rows(t);
}

/*
 * The next well-formed row (malformed lines are reported and counted in
 * t->nbad), valid until the next call; NULL at the end of the input or
 * when it could not be read (t->in.err).
 */
const struct sf_row *sf_next(struct sf_table *t)
{
	if (!next_row(t, t->fields, t->rows))
		return NULL;
	t->rows->cls = t->cls;	/* valid as long as the row */
	return t->rows;
}

/* Every row of the opened input into t->rows; 0 or -ENOMEM. */
static int parse_rows(struct sf_table *t)
{
	for (;;) {
		if (t->nrows == t->rcap) {
			size_t cap = t->rcap ? t->rcap * 2 : 256;
			struct sf_row *rows = realloc(t->rows, cap * sizeof(*rows));
			struct sf_str *fields = rows ? realloc(t->fields,
					cap * t->ncols * sizeof(*fields)) : NULL;

			if (rows)
				t->rows = rows;
			if (!fields)
				return -ENOMEM;
			t->fields = fields;
			t->rcap = cap;
		}
		if (!next_row(t, t->fields + t->nrows * t->ncols, &t->rows[t->nrows]))
			break;
		t->nrows++;
	}
	for (size_t i = 0; i < t->nrows; i++)	/* fields may have moved */
		t->rows[i].f = t->fields + i * t->ncols;
	return 0;
}

/*
 * Parse all of buf (len bytes, buf[len] must exist and is overwritten) into
 * t->rows.  The table owns buf afterwards.  Returns 0, or a negative errno
 * when the input has no usable header (the reason went to t->warn).
 */
int sf_parse(struct sf_table *t, char *buf, size_t len)
{
	int ret = sf_open_buf(t, buf, len);

	return ret ? ret : parse_rows(t);
}

/*
 * The same from fd, read chunk bytes at a time, the next chunk read ahead
 * while this one is parsed (as sf_open()), every chunk kept for the rows.
 * Returns as sf_open() does; a read error after the header is in t->in.err.
 */
int sf_parse_fd(struct sf_table *t, int fd, size_t chunk)
{
	int ret;

	t->in.keep = true;
	ret = sf_open(t, fd, chunk);
	return ret ? ret : parse_rows(t);
}

void sf_table_free(struct sf_table *t)
{
	/* A read ahead that nobody will take is stopped (read() is a
	 * cancellation point): a pipe's writer may never end it. */
	if (t->in.threaded) {
		pthread_cancel(t->in.ahead);
		pthread_join(t->in.ahead, NULL);
	}
	free(t->in.buf);
	free(t->in.spare);
	for (size_t i = 0; i < t->in.nkept; i++)
		free(t->in.kept[i]);
	free(t->in.kept);
	free(t->head);
	free(t->cols);
	free(t->kind);
	free(t->check);
	free(t->fields);
	free(t->cls);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/* Column c of r; "-" for a column the input does not have (format 1). */
const struct sf_str *sf_get(const struct sf_table *t, const struct sf_row *r,
			    enum sf_col c)
{
	static char dash[] = "-";
	static const struct sf_str none = { dash, 1 };

	return t->known[c] < 0 ? &none : &r->f[t->known[c]];
}

/* The value of a numeric column; false for "-". */
bool sf_get_num(const struct sf_table *t, const struct sf_row *r,
		enum sf_col c, uint64_t *v)
{
	const struct sf_str *f = sf_get(t, r, c);

	return sf_parse_u64(f->s, f->len, v);
}

bool sf_is_inet(const struct sf_table *t, const struct sf_row *r)
{
	const char *fam = sf_get(t, r, SF_FAMILY)->s;

	return strcmp(fam, "inet") == 0 || strcmp(fam, "inet6") == 0;
}

/*
 * True when txq and rxq of the row count connections, not bytes: a TCP or
 * unix listener, whose txq is its backlog limit (sk_max_ack_backlog) and
 * rxq its accept queue (sk_ack_backlog), as the module writes them
 * (sockfd_put_tcp_queues(), the unix formatter); other listeners (SCTP,
 * vsock, MPTCP) show memory there.
 */
bool sf_queues_count(const struct sf_table *t, const struct sf_row *r)
{
	return strcmp(sf_get(t, r, SF_STATE)->s, "LISTEN") == 0 &&
	       (strcmp(sf_get(t, r, SF_PROTO)->s, "tcp") == 0 ||
		strcmp(sf_get(t, r, SF_FAMILY)->s, "unix") == 0);
}

/* The port of an inet address "a.b.c.d:port" or "[addr]:port". */
bool sf_addr_port(const struct sf_str *addr, unsigned int *port)
{
	const char *colon = memrchr(addr->s, ':', addr->len);
	uint64_t v;

	if (!colon)
		return false;
	colon++;
	if (!sf_parse_u64(colon, addr->len - (colon - addr->s), &v) || v > 65535)
		return false;
	*port = (unsigned int)v;
	return true;
}
