// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd - output: the aligned table and JSON.
 *
 * The table shows text re-escaped the way the file writes it (so a name
 * with a space stays one cell and control bytes never reach a terminal);
 * JSON shows the decoded text, escaped per RFC 8259.
 */
#include <ctype.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table.h"

#define DEFAULT_COLS "owner,ino,family,type,proto,state,rxq,txq,local,remote"

/* Length of the valid UTF-8 sequence of 2 to 4 bytes at s, 0 if none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void *sf_xrealloc(void *p, size_t size)
{
	void *np = realloc(p, size);

	if (!np) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	return np;
}

static void buf_grow(struct sf_buf *b, size_t n)
{
	while (b->len + n > b->cap)
		b->cap = b->cap ? b->cap * 2 : 65536;
	b->s = sf_xrealloc(b->s, b->cap);
}

/* Room for n more bytes at the end of b. */
static inline char *buf_room(struct sf_buf *b, size_t n)
{
	if (b->len + n > b->cap)
		buf_grow(b, n);
	return b->s + b->len;
}

void sf_buf_put(struct sf_buf *b, const char *s, size_t n)
{
	if (!n)
		return;
	memcpy(buf_room(b, n), s, n);
	b->len += n;
}

/* n spaces at the end of b. */
void sf_buf_pad(struct sf_buf *b, size_t n)
{
	memset(buf_room(b, n), ' ', n);
	b->len += n;
}

/* Write b out once it holds a large piece (or when all is true). */
static void buf_flush(struct sf_buf *b, FILE *out, bool all)
{
	if (b->len && (all || b->len >= 65536)) {
		fwrite(b->s, 1, b->len, out);
		b->len = 0;
	}
}

/* v in decimal at d (room for 20 bytes); returns the bytes written. */
static size_t put_u64(char *d, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	for (size_t i = 0; i < n; i++)
		d[i] = tmp[n - 1 - i];
	return n;
}

/*
 * A number the parser checked (a field or half a pair), in decimal: its
 * text when that has no leading zero (the rule), else reformatted.  d has
 * room for 20 bytes.
 */
static inline size_t put_num(char *d, const struct sf_str *f)
{
	uint64_t v;

	if (f->len > 1 && f->s[0] == '0' && sf_parse_u64(f->s, f->len, &v))
		return put_u64(d, v);
	memcpy(d, f->s, f->len);
	return f->len;
}

/*
 * Write s escaped as the file does ("\ooo" for space, backslash, control
 * bytes and bytes that are not UTF-8) to dst, which has room for 4 * len
 * bytes.  Returns the bytes written; *ascii becomes false if they hold a
 * multibyte character.
 */
static size_t escape(char *dst, const char *s, size_t len, bool *ascii)
{
	const unsigned char *u = (const unsigned char *)s;
	char *d = dst;

	for (size_t i = 0; i < len;) {
		size_t seq = u[i] >= 0x80 ? utf8_seq(u + i, len - i) : 0;

		if (seq) {
			*ascii = false;
			memcpy(d, u + i, seq);
			d += seq;
			i += seq;
		} else if (u[i] <= 0x20 || u[i] == '\\' || u[i] >= 0x7f) {
			*d++ = '\\';
			*d++ = (char)('0' + (u[i] >> 6));
			*d++ = (char)('0' + (u[i] >> 3 & 7));
			*d++ = (char)('0' + (u[i] & 7));
			i++;
		} else {
			*d++ = (char)u[i++];
		}
	}
	return d - dst;
}

/* s escaped at the end of b. */
void sf_buf_escaped(struct sf_buf *b, const char *s, size_t len)
{
	bool ascii;

	b->len += escape(buf_room(b, 4 * len), s, len, &ascii);
}

/*
 * v, a count kept as a double, in decimal as "%.0f" prints it, then
 * unit, at d (room for 32 bytes); whole values below 2^53 without
 * printf's floating point.  Returns the bytes written.
 */
int sf_fmt_whole(char *d, double v, const char *unit)
{
	size_t n;

	if (!(v >= 0 && v < 9007199254740992.0 && v == (double)(uint64_t)v))
		return snprintf(d, 32, "%.0f%s", v, unit);
	n = put_u64(d, (uint64_t)v);
	return (int)(n + (size_t)snprintf(d + n, 32 - n, "%s", unit));
}

/* Write s escaped; returns the bytes written. */
size_t sf_put_escaped(FILE *out, const char *s, size_t len)
{
	char *buf = malloc(4 * len + 1);
	bool ascii;
	size_t n;

	if (!buf) {
		fputs("?", out);
		return 1;
	}
	n = escape(buf, s, len, &ascii);
	fwrite(buf, 1, n, out);
	free(buf);
	return n;
}

void sf_put_owner(FILE *out, const struct sf_table *t, const struct sf_row *r)
{
	const struct sf_str *comm = sf_get(t, r, SF_COMM);

	sf_put_escaped(out, comm->s, comm->len);
	fprintf(out, "(%" PRIu64 ")/%" PRIu64, r->pid, r->fd);
}

/* s and n bytes of it at d; returns their end. */
static char *put(char *d, const char *s, size_t n)
{
	memcpy(d, s, n);
	return d + n;
}

/*
 * The text of a JSON string holding s (RFC 8259), quotes not included, at
 * d (room for 6 bytes a byte); returns its end.
 */
static char *json_chars(char *d, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t seq = 0;

		while (i + seq < len && u[i + seq] >= 0x20 && u[i + seq] < 0x7f &&
		       u[i + seq] != '"' && u[i + seq] != '\\')
			seq++;	/* a run of plain ASCII */
		if (!seq && u[i] >= 0x80)
			seq = utf8_seq(u + i, len - i);
		if (seq) {
			d = put(d, s + i, seq);
			i += seq;
			continue;
		}
		switch (u[i]) {
		case '"':
			d = put(d, "\\\"", 2);
			break;
		case '\\':
			d = put(d, "\\\\", 2);
			break;
		case '\n':
			d = put(d, "\\n", 2);
			break;
		case '\t':
			d = put(d, "\\t", 2);
			break;
		default:
			if (u[i] >= 0x80) {	/* not UTF-8: U+FFFD */
				d = put(d, "\\ufffd", 6);
			} else {		/* a control byte or DEL */
				char esc[8];

				snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
				d = put(d, esc, 6);
			}
		}
		i++;
	}
	return d;
}

static void json_string(struct sf_buf *b, const char *s, size_t len)
{
	char *d = buf_room(b, 6 * len + 2);

	*d++ = '"';
	d = json_chars(d, s, len);
	*d++ = '"';
	b->len = d - b->s;
}

/*
 * Field idx of r as the text of a JSON string, at d (room for 6 bytes a
 * byte); returns its end.  A field the parser saw no escape, no quote and
 * no byte >= 0x80 in is that text already.
 */
static char *json_field(char *d, const struct sf_row *r, int idx)
{
	const struct sf_str *f = &r->f[idx];

	if (r->cls && !(r->cls[idx] & (SF_B_ESC | SF_B_HIGH | SF_B_QUOTE)))
		return put(d, f->s, f->len);
	return json_chars(d, f->s, f->len);
}

void sf_human_size(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024 && size > 4) {		/* the number itself */
		buf[put_u64(buf, bytes)] = '\0';
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (v < 10 && (uint64_t)(v * 10 + 0.5) % 10)
		snprintf(buf, size, "%.1f%c", v, units[u]);
	else
		snprintf(buf, size, "%.0f%c", v, units[u]);
}

/* A duration in ms for people: 200ms, 4.5s, 3m07s, 2h00m. */
void sf_human_ms(char *buf, size_t size, uint64_t ms)
{
	if (ms < 1000)
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, size, "%.1fs", ms / 1000.0);
	else if (ms < 3600000)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", ms / 60000,
			 ms / 1000 % 60);
	else
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", ms / 3600000,
			 ms / 60000 % 60);
}

/* A number in unit ("us", "ms" or none) for people. */
static void human_unit(char *buf, size_t size, uint64_t v, const char *unit)
{
	if (strcmp(unit, "ms") == 0)
		sf_human_ms(buf, size, v);
	else if (strcmp(unit, "us") == 0 && v < 1000)
		snprintf(buf, size, "%" PRIu64 "us", v);
	else if (strcmp(unit, "us") == 0 && v < 10000)
		snprintf(buf, size, "%.1fms", v / 1000.0);
	else if (strcmp(unit, "us") == 0 && v < 1000000)
		snprintf(buf, size, "%.0fms", v / 1000.0);
	else if (strcmp(unit, "us") == 0)
		sf_human_ms(buf, size, v / 1000);
	else
		snprintf(buf, size, "%" PRIu64, v);
}

/* The known column at header index col, or NULL. */
static const struct sf_coldef *col_def(const struct sf_table *t, int col)
{
	for (int k = 0; k < SF_NKNOWN; k++)
		if (t->known[k] == col)
			return &sf_cols[k];
	return NULL;
}

/*
 * A pair or timer field for people, into d (room for 128 bytes): each
 * number in the column's unit. False if f is not one (e.g. "-").
 */
static bool human_compound(char *d, const struct sf_outcol *c,
			   const struct sf_str *f)
{
	const struct sf_coldef *def = c->def;
	char x[48], y[48];
	const char *kind;
	uint64_t a, b;
	bool has_b;

	if (!def)
		return false;
	if (c->kind == SF_KIND_TIMER && sf_parse_timer(f, &kind, &a)) {
		human_unit(x, sizeof(x), a, def->unit);
		sprintf(d, "%s/%s", kind, x);
		return true;
	}
	if (c->kind != SF_KIND_PAIR || !sf_parse_pair(f, &a, &b, &has_b))
		return false;
	human_unit(x, sizeof(x), a, def->unit);
	if (has_b)
		human_unit(y, sizeof(y), b, def->unit);
	sprintf(d, "%s/%s", x, has_b ? y : "-");
	return true;
}

/*
 * Resolve a comma-separated column list ("+LIST" appends to the default)
 * against the header of t.  Names point into t.  Returns 0, or -1 after
 * saying which name is unknown.
 */
int sf_resolve_cols(const struct sf_table *t, const char *list,
		    struct sf_outcol **colsp, size_t *ncolsp)
{
	char *copy, *tok, *save = NULL;
	struct sf_outcol *cols;
	size_t n = 0;
	int ret = 0;

	if (!list)
		list = DEFAULT_COLS;
	if (list[0] == '+') {
		copy = malloc(strlen(DEFAULT_COLS) + strlen(list) + 1);
		if (copy)
			sprintf(copy, "%s,%s", DEFAULT_COLS, list + 1);
	} else {
		copy = strdup(list);
	}
	cols = calloc(strlen(copy ? copy : "") + 1, sizeof(*cols));
	if (!copy || !cols) {
		free(copy);
		free(cols);
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		if (strcasecmp(tok, "peer") == 0) {	/* the join's: see peer.c */
			cols[n].name = "peer";
			cols[n].idx = SF_OUT_PEER;
			cols[n].def = NULL;
			cols[n++].kind = SF_KIND_STR;
			continue;
		}
		if (strcasecmp(tok, "owner") == 0) {
			cols[n].name = "owner";
			cols[n].idx = SF_OUT_OWNER;
			cols[n].def = NULL;
			cols[n++].kind = SF_KIND_STR;
			continue;
		}
		for (i = 0; i < t->ncols; i++)
			if (strcasecmp(tok, t->cols[i].s) == 0)
				break;
		if (i == t->ncols) {
			fprintf(stderr, "sockfd: unknown column \"%s\"; this input has: owner peer", tok);
			for (i = 0; i < t->ncols; i++)
				fprintf(stderr, " %s", t->cols[i].s);
			fputc('\n', stderr);
			ret = -1;
			break;
		}
		cols[n].name = t->cols[i].s;
		cols[n].idx = (int)i;
		cols[n].def = col_def(t, (int)i);
		cols[n++].kind = sf_col_kind(t, i);
	}
	free(copy);
	if (ret == 0 && n == 0) {
		fprintf(stderr, "sockfd: no column given to --output\n");
		ret = -1;
	}
	if (ret) {
		free(cols);
		return ret;
	}
	*colsp = cols;
	*ncolsp = n;
	return 0;
}


static const char *user_name(uint64_t uid)
{
	static struct { uint64_t uid; char name[64]; } cache[16];
	static unsigned int used, next;
	struct passwd *pw;
	unsigned int i;

	for (i = 0; i < used; i++)
		if (cache[i].uid == uid)
			goto found;
	i = next;
	next = (next + 1) % 16;
	if (used < 16)
		used++;
	pw = uid < UINT32_MAX ? getpwuid((uid_t)uid) : NULL;
	cache[i].uid = uid;
	snprintf(cache[i].name, sizeof(cache[i].name), "%s",
		 pw && strlen(pw->pw_name) < 64 ? pw->pw_name : "");
found:
	return cache[i].name[0] ? cache[i].name : NULL;
}

/* A grid with one left-aligned column and no marks needs no alignment. */
static bool right_aligned(const struct sf_outcol *c)
{
	return c->kind == SF_KIND_NUM || c->kind == SF_KIND_SIZE;
}

/* The heading: column names in capitals (at most 63 bytes of each). */
static void put_heading(struct sf_buf *b, const struct sf_grid *g,
			const size_t *w, bool marks);

/*
 * out: where the rows may go as they are added when no column needs
 * aligning (then nothing is kept); NULL to keep them for sf_grid_print.
 */
void sf_grid_init(struct sf_grid *g, const struct sf_outcol *cols,
		  size_t ncols, unsigned int flags, FILE *out)
{
	memset(g, 0, sizeof(*g));
	g->cols = cols;
	g->ncols = ncols;
	g->flags = flags;
	g->w = calloc(ncols, sizeof(*g->w));
	g->multi = calloc(ncols, sizeof(*g->multi));
	g->as_is = calloc(ncols, sizeof(*g->as_is));
	if (!g->w || !g->multi || !g->as_is) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < ncols; i++)	/* see cell_text() */
		g->as_is[i] = cols[i].idx >= 0 &&
			      ((flags & SF_OUT_NUMERIC) || cols[i].kind == SF_KIND_STR ||
			       cols[i].kind == SF_KIND_NUM || cols[i].kind == SF_KIND_OTHER);
	if (out && ncols == 1 && !right_aligned(&cols[0])) {
		g->out = out;
		if (!(flags & SF_OUT_NOHEAD))
			put_heading(&g->b, g, g->w, false);
	}
}

/*
 * Room for one more kept row: its cells' lengths, and with SF_OUT_MARKS
 * its key and mark.
 */
static void grid_row_room(struct sf_grid *g)
{
	if (g->nrows < g->rcap)
		return;
	g->rcap = g->rcap ? g->rcap * 2 : 256;
	g->len = sf_xrealloc(g->len, g->rcap * g->ncols * sizeof(*g->len));
	if (g->flags & SF_OUT_MARKS) {
		g->row = sf_xrealloc(g->row, g->rcap * sizeof(*g->row));
		g->mark = sf_xrealloc(g->mark, g->rcap);
		g->key = sf_xrealloc(g->key, g->rcap * 3 * sizeof(*g->key));
	}
}

/* Display width: UTF-8 code points (the text holds no control bytes). */
static size_t width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

/*
 * A cell of len bytes and width w kept in column c: the column's width,
 * whether it has multibyte characters, and the bytes they add to the row
 * (*extra) beyond its width.
 */
static void grid_cell(struct sf_grid *g, size_t c, size_t len, size_t w,
		      size_t *extra)
{
	if (w > g->w[c])
		g->w[c] = w;
	if (w != len) {
		g->multi[c] = true;
		*extra += len - w;
	}
}

/*
 * The text of field idx of r as the file writes it, at d (room for 4 bytes
 * a byte); returns its length.  A field the parser saw no escape and no
 * byte >= 0x80 in is that text already.  *ascii: the text is ASCII.
 */
static size_t put_field(char *d, const struct sf_row *r, int idx, bool *ascii)
{
	const struct sf_str *f = &r->f[idx];

	if (r->cls && !(r->cls[idx] & (SF_B_ESC | SF_B_HIGH))) {
		memcpy(d, f->s, f->len);
		return f->len;
	}
	return escape(d, f->s, f->len, ascii);
}

/*
 * The rows that hold the other end of r (column c is SF_OUT_PEER), in
 * (pid, fd) order: how many, and *first.
 */
static size_t peer_rows(const struct sf_outcol *c, const struct sf_row *r,
			struct sf_row *const **first)
{
	uint64_t ino = c->peers ? sf_peer_of(c->peers, r) : 0;

	return ino ? sf_holders(c->peers, ino, first) : 0;
}

/* The bytes a cell's display text may take: see cell_text(). */
static size_t cell_room(const struct sf_table *t, const struct sf_row *r,
			const struct sf_outcol *c)
{
	const struct sf_str *f = c->idx < 0 ? sf_get(t, r, SF_COMM) : &r->f[c->idx];
	struct sf_row *const *p;
	size_t room = 2;

	if (c->idx == SF_OUT_PEER) {	/* "-", or owners and commas */
		for (size_t i = 0, n = peer_rows(c, r, &p); i < n; i++)
			room += 4 * sf_get(t, p[i], SF_COMM)->len + 48;
		return room;
	}
	/* escaped text: 4 bytes a byte; owner numbers, sizes, user names,
	 * pairs and timers (128) */
	return 4 * f->len + 4 * 64 + 128;
}

/*
 * Write the display text of one cell at d; returns its end.  *ascii is
 * set false when the text may hold multibyte characters.
 */
/* The owner of r as comm(pid)/fd at d; returns its end. */
static char *owner_text(char *d, const struct sf_table *t,
			const struct sf_row *r, bool *ascii)
{
	d += put_field(d, r, t->known[SF_COMM], ascii);
	*d++ = '(';
	d += put_num(d, sf_get(t, r, SF_PID));
	*d++ = ')';
	*d++ = '/';
	return d + put_num(d, sf_get(t, r, SF_FD));
}

static char *cell_text(char *d, unsigned int flags, const struct sf_table *t,
		       const struct sf_row *r, const struct sf_outcol *c,
		       bool *ascii)
{
	bool raw = flags & SF_OUT_NUMERIC;
	struct sf_row *const *p;
	const struct sf_str *f;
	const char *name;
	uint64_t v;
	size_t n;

	if (c->idx == SF_OUT_PEER) {	/* the holders of the other end */
		n = peer_rows(c, r, &p);
		if (!n)
			*d++ = '-';
		for (size_t i = 0; i < n; i++) {
			if (i)
				*d++ = ',';
			d = owner_text(d, t, p[i], ascii);
		}
		return d;
	}
	if (c->idx < 0)
		return owner_text(d, t, r, ascii);
	f = &r->f[c->idx];
	if (raw || c->kind == SF_KIND_STR || c->kind == SF_KIND_NUM ||
	    c->kind == SF_KIND_OTHER)
		return d + put_field(d, r, c->idx, ascii);
	/* a listener's backlog and accept queue are counts: as they are */
	if (c->kind == SF_KIND_SIZE && sf_queues_count(t, r) &&
	    (c->idx == t->known[SF_TXQ] || c->idx == t->known[SF_RXQ]))
		return d + put_field(d, r, c->idx, ascii);
	if (c->kind == SF_KIND_SIZE && sf_parse_u64(f->s, f->len, &v)) {
		sf_human_size(d, 64, v);
		d += strlen(d);
	} else if (c->kind == SF_KIND_UID && sf_parse_u64(f->s, f->len, &v) &&
		   (name = user_name(v))) {
		d += escape(d, name, strlen(name), ascii);
	} else if (human_compound(d, c, f)) {
		d += strlen(d);
	} else {
		d += put_field(d, r, c->idx, ascii);
	}
	return d;
}

void sf_grid_add(struct sf_grid *g, const struct sf_table *t,
		 const struct sf_row *r, char mark)
{
	size_t row, extra = 0;
	unsigned int *len;
	bool ascii = true;
	char *d;

	if (g->out) {	/* one column, nothing to align */
		char *d = buf_room(&g->b, cell_room(t, r, &g->cols[0]) + 1);
		char *e = cell_text(d, g->flags, t, r, &g->cols[0], &ascii);

		*e++ = '\n';
		g->b.len += e - d;
		buf_flush(&g->b, g->out, false);
		return;
	}
	grid_row_room(g);
	row = g->nrows++;
	len = &g->len[row * g->ncols];
	if (g->flags & SF_OUT_MARKS) {
		g->row[row] = g->cells.len;
		g->mark[row] = mark;
		g->key[3 * row] = r->pid;
		g->key[3 * row + 1] = r->fd;
		g->key[3 * row + 2] = r->ino;
	}
	for (size_t i = 0; i < g->ncols; i++) {
		const struct sf_outcol *c = &g->cols[i];
		char *e;
		size_t w;

		if (g->as_is[i] && r->cls && !(r->cls[c->idx] & (SF_B_ESC | SF_B_HIGH))) {
			/* ASCII as the file has it (put_field()'s first case) */
			const struct sf_str *f = &r->f[c->idx];

			memcpy(buf_room(&g->cells, f->len), f->s, f->len);
			g->cells.len += f->len;
			len[i] = f->len;
			grid_cell(g, i, f->len, f->len, &extra);
			continue;
		}
		d = buf_room(&g->cells, cell_room(t, r, c));
		ascii = true;
		e = cell_text(d, g->flags, t, r, c, &ascii);
		/* ASCII text: its width is its length */
		w = ascii ? (size_t)(e - d) : width(d, e - d);
		grid_cell(g, i, e - d, w, &extra);
		g->cells.len += e - d;
		len[i] = e - d;
	}
	if (extra > g->extra)
		g->extra = extra;
}

/* Copy row i of src (same columns, SF_OUT_MARKS) to dst. */
void sf_grid_copy(struct sf_grid *dst, const struct sf_grid *src, size_t i,
		  char mark)
{
	const char *s = src->cells.s + src->row[i];
	const unsigned int *len = &src->len[i * src->ncols];
	size_t row, extra = 0;

	grid_row_room(dst);
	row = dst->nrows++;
	dst->row[row] = dst->cells.len;
	dst->mark[row] = mark;
	memcpy(&dst->key[3 * row], &src->key[3 * i], 3 * sizeof(*dst->key));
	memcpy(&dst->len[row * dst->ncols], len, dst->ncols * sizeof(*len));
	for (size_t c = 0; c < dst->ncols; c++) {
		memcpy(buf_room(&dst->cells, len[c]), s, len[c]);
		dst->cells.len += len[c];
		grid_cell(dst, c, len[c], width(s, len[c]), &extra);
		s += len[c];
	}
	if (extra > dst->extra)
		dst->extra = extra;
}

/*
 * A cell of len bytes padded with pad spaces to its column's width, then
 * the space between columns (none after the last), at the end of b.
 */
static void put_cell(struct sf_buf *b, const char *s, size_t len, size_t pad,
		     bool right, bool last)
{
	char *d = buf_room(b, len + pad + 1);

	if (right) {
		memset(d, ' ', pad);
		d += pad;
	}
	memcpy(d, s, len);
	d += len;
	if (!right && !last) {
		memset(d, ' ', pad);
		d += pad;
	}
	if (!last)
		*d++ = ' ';
	b->len = d - b->s;
}

static void put_heading(struct sf_buf *b, const struct sf_grid *g,
			const size_t *w, bool marks)
{
	if (marks)
		sf_buf_put(b, "  ", 2);
	for (size_t c = 0; c < g->ncols; c++) {
		char name[64];
		size_t i;

		for (i = 0; g->cols[c].name[i] && i < sizeof(name) - 1; i++)
			name[i] = (char)toupper((unsigned char)g->cols[c].name[i]);
		name[i] = '\0';
		put_cell(b, name, i, w[c] - width(name, i),
			 right_aligned(&g->cols[c]), c + 1 == g->ncols);
	}
	sf_buf_put(b, "\n", 1);
}

/*
 * One row at the end of b: each cell at its column's offset off[c] in a
 * line of spaces, later by the bytes that multibyte characters of the
 * cells before it take beyond their width.  s: the row's cells, len their
 * lengths; returns the next row's cells.
 */
static const char *put_row(struct sf_buf *b, const struct sf_grid *g,
			   const char *s, const unsigned int *len,
			   const size_t *w, const size_t *off,
			   const bool *right, size_t linew, const char *mark)
{
	char *d = buf_room(b, linew + g->extra + 3);
	size_t end = 0, shift = 0;

	if (mark) {
		*d++ = *mark;
		*d++ = ' ';
		b->len += 2;
	}
	memset(d, ' ', linew + g->extra);
	for (size_t c = 0; c < g->ncols; c++) {
		/* a column of ASCII text: width is length */
		size_t cw = g->multi[c] ? width(s, len[c]) : len[c];
		/* right-aligned: the padding before the text */
		size_t at = off[c] + shift + (right[c] ? w[c] - cw : 0);

		memcpy(d + at, s, len[c]);
		end = at + len[c];
		shift += len[c] - cw;
		s += len[c];
	}
	d[end] = '\n';	/* the last cell has no padding after it */
	b->len += end + 1;
	return s;
}

void sf_grid_print(FILE *out, struct sf_grid *g, bool marks)
{
	size_t *w = calloc(g->ncols, sizeof(*w));
	size_t *off = calloc(g->ncols, sizeof(*off));
	bool *right = calloc(g->ncols, sizeof(*right));
	bool head = !(g->flags & SF_OUT_NOHEAD);
	struct sf_buf *b = &g->b;
	const char *s = g->cells.s;	/* rows follow each other */
	size_t linew = 0;	/* a row's width with every cell padded */

	if (g->out || !w || !off || !right) {	/* printed as added */
		buf_flush(b, out, true);
		free(w);
		free(off);
		free(right);
		return;
	}
	for (size_t c = 0; c < g->ncols; c++) {
		w[c] = head ? strlen(g->cols[c].name) : 0;
		if (g->w[c] > w[c])
			w[c] = g->w[c];
		right[c] = right_aligned(&g->cols[c]);
		off[c] = linew;
		linew += w[c] + 1;
	}
	if (head)
		put_heading(b, g, w, marks);
	for (size_t r = 0; r < g->nrows; r++) {
		s = put_row(b, g, s, &g->len[r * g->ncols], w, off, right, linew,
			    marks ? &g->mark[r] : NULL);
		buf_flush(b, out, false);
	}
	buf_flush(b, out, true);
	free(w);
	free(off);
	free(right);
}

void sf_grid_free(struct sf_grid *g)
{
	free(g->b.s);
	free(g->cells.s);
	free(g->len);
	free(g->row);
	free(g->mark);
	free(g->key);
	free(g->w);
	free(g->multi);
	free(g->as_is);
	memset(g, 0, sizeof(*g));
}

/* An unsigned decimal in JSON's grammar (no leading zero). */
static bool json_number(const struct sf_str *f)
{
	uint64_t v;

	return sf_parse_u64(f->s, f->len, &v) && (f->len == 1 || f->s[0] != '0');
}

/* The bytes json_value() may write for c: 6 a byte of text, 64 more. */
static size_t json_room(const struct sf_table *t, const struct sf_row *r,
			const struct sf_outcol *c)
{
	const struct sf_str *f = c->idx < 0 ? sf_get(t, r, SF_COMM) : &r->f[c->idx];
	struct sf_row *const *p;
	size_t room = 8;

	if (c->idx == SF_OUT_PEER) {
		for (size_t i = 0, n = peer_rows(c, r, &p); i < n; i++)
			room += 6 * sf_get(t, p[i], SF_COMM)->len + 128;
		return room;
	}
	return 6 * f->len + 64;
}

/* The JSON value of column c of r at d; returns its end. */
static char *json_value(char *d, const struct sf_table *t,
			const struct sf_row *r, const struct sf_outcol *c)
{
	struct sf_row *const *p;
	const struct sf_str *f;
	struct sf_str half;
	const char *kind;
	char *slash;
	uint64_t v;
	size_t n;

	if (c->idx == SF_OUT_PEER) {	/* [{"pid": .., "comm": .., "fd": .., "ino": ..}] */
		n = peer_rows(c, r, &p);
		if (!n)
			return put(d, "null", 4);
		*d++ = '[';
		for (size_t i = 0; i < n; i++) {
			if (i)
				d = put(d, ", ", 2);
			d = put(d, "{\"pid\": ", 8);
			d += put_num(d, sf_get(t, p[i], SF_PID));
			d = put(d, ", \"comm\": \"", 11);
			d = json_field(d, p[i], t->known[SF_COMM]);
			d = put(d, "\", \"fd\": ", 9);
			d += put_num(d, sf_get(t, p[i], SF_FD));
			d = put(d, ", \"ino\": ", 9);
			d += put_num(d, sf_get(t, p[i], SF_INO));
			*d++ = '}';
		}
		*d++ = ']';
		return d;
	}
	if (c->idx < 0) {	/* "comm(pid)/fd" */
		*d++ = '"';
		d = json_field(d, r, t->known[SF_COMM]);
		*d++ = '(';
		d += put_num(d, sf_get(t, r, SF_PID));
		d = put(d, ")/", 2);
		d += put_num(d, sf_get(t, r, SF_FD));
		*d++ = '"';
		return d;
	}
	f = &r->f[c->idx];
	if (c->kind != SF_KIND_STR && f->len == 1 && f->s[0] == '-')
		return put(d, "null", 4);
	switch (c->kind) {
	case SF_KIND_NUM:
	case SF_KIND_SIZE:
	case SF_KIND_UID:	/* the parser checked: a number */
		return d + put_num(d, f);
	case SF_KIND_PAIR:	/* the parser checked: "N/M" or "N/-" */
		slash = memchr(f->s, '/', f->len);
		if (!slash)
			break;
		half.s = f->s;
		half.len = slash - f->s;
		*d++ = '[';
		d += put_num(d, &half);
		d = put(d, ", ", 2);
		half.s = slash + 1;
		half.len = f->len - half.len - 1;
		if (half.len == 1 && half.s[0] == '-')
			d = put(d, "null", 4);
		else
			d += put_num(d, &half);
		*d++ = ']';
		return d;
	case SF_KIND_TIMER:
		if (!sf_parse_timer(f, &kind, &v))
			break;
		d = put(d, "{\"kind\": \"", 10);
		d = put(d, kind, strlen(kind));
		d = put(d, "\", \"ms\": ", 9);
		d += put_u64(d, v);
		*d++ = '}';
		return d;
	case SF_KIND_OTHER:
		if (json_number(f))
			return put(d, f->s, f->len);
		break;
	case SF_KIND_STR:
		break;
	}
	*d++ = '"';
	d = json_field(d, r, c->idx);
	*d++ = '"';
	return d;
}

/* Start the array; cols NULL means every header column. */
void sf_json_begin(struct sf_json_out *j, FILE *out, const struct sf_table *t,
		   const struct sf_outcol *cols, size_t ncols)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->all = !cols;
	if (!cols)
		ncols = t->ncols;
	j->cols = sf_xrealloc(NULL, (ncols + 1) * sizeof(*j->cols));
	j->koff = sf_xrealloc(NULL, (ncols + 1) * sizeof(*j->koff));
	j->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		if (cols) {
			j->cols[i] = cols[i];
		} else {
			j->cols[i].name = t->cols[i].s;
			j->cols[i].idx = (int)i;
			j->cols[i].kind = sf_col_kind(t, i);
			j->cols[i].def = col_def(t, (int)i);
		}
		j->koff[i] = j->keys.len;
		if (i)
			sf_buf_put(&j->keys, ", ", 2);
		json_string(&j->keys, j->cols[i].name, strlen(j->cols[i].name));
		sf_buf_put(&j->keys, ": ", 2);
	}
	j->koff[ncols] = j->keys.len;
	sf_buf_put(&j->b, "[", 1);
}

void sf_json_row(struct sf_json_out *j, const struct sf_table *t,
		 const struct sf_row *r)
{
	struct sf_buf *b = &j->b;
	size_t room = j->keys.len + 6;	/* the keys, ",\n  {" and "}" */
	char *d;

	if (j->all && j->ncols) {
		/* every field once: they lie in order in the text of one
		 * line, so they hold at most its bytes */
		const struct sf_str *last = &r->f[j->ncols - 1];

		room += 6 * (size_t)(last->s + last->len - r->f[0].s) + 64 * j->ncols;
	} else {
		for (size_t c = 0; c < j->ncols; c++)
			room += json_room(t, r, &j->cols[c]);
	}
	d = buf_room(b, room);
	if (j->n++)
		*d++ = ',';
	d = put(d, "\n  {", 4);
	for (size_t c = 0; c < j->ncols; c++) {
		d = put(d, j->keys.s + j->koff[c], j->koff[c + 1] - j->koff[c]);
		d = json_value(d, t, r, &j->cols[c]);
	}
	*d++ = '}';
	b->len = d - b->s;
	buf_flush(b, j->out, false);
}

/* End the array, write what is left and free j. */
void sf_json_end(struct sf_json_out *j)
{
	if (j->n)
		sf_buf_put(&j->b, "\n]\n", 3);
	else
		sf_buf_put(&j->b, "]\n", 2);
	buf_flush(&j->b, j->out, true);
	free(j->keys.s);
	free(j->koff);
	free(j->cols);
	free(j->b.s);
	memset(j, 0, sizeof(*j));
}
