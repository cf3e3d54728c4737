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

#include "sockfd.h"

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

/*
 * Write s escaped as the file does ("\ooo" for space, backslash, control
 * bytes and bytes that are not UTF-8) to dst, which has room for 4 * len
 * bytes.  Returns the bytes written.
 */
static size_t escape(char *dst, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	char *d = dst;

	for (size_t i = 0; i < len;) {
		size_t seq = u[i] >= 0x80 ? utf8_seq(u + i, len - i) : 0;

		if (seq) {
			memcpy(d, u + i, seq);
			d += seq;
			i += seq;
		} else if (u[i] <= 0x20 || u[i] == '\\' || u[i] >= 0x7f) {
			d += sprintf(d, "\\%03o", u[i]);
			i++;
		} else {
			*d++ = (char)u[i++];
		}
	}
	return d - dst;
}

/* Write s escaped; returns the bytes written. */
size_t sf_put_escaped(FILE *out, const char *s, size_t len)
{
	char *buf = malloc(4 * len + 1);
	size_t n;

	if (!buf) {
		fputs("?", out);
		return 1;
	}
	n = escape(buf, s, len);
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

void sf_put_json_string(FILE *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	putc('"', out);
	for (size_t i = 0; i < len;) {
		size_t seq = 0;

		while (i + seq < len && u[i + seq] >= 0x20 && u[i + seq] < 0x7f &&
		       u[i + seq] != '"' && u[i + seq] != '\\')
			seq++;	/* a run of plain ASCII */
		if (!seq && u[i] >= 0x80)
			seq = utf8_seq(u + i, len - i);
		if (seq) {
			fwrite(u + i, 1, seq, out);
			i += seq;
			continue;
		}
		switch (u[i]) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (u[i] >= 0x80)	/* not UTF-8: U+FFFD */
				fputs("\\ufffd", out);
			else if (u[i] < 0x20 || u[i] == 0x7f)
				fprintf(out, "\\u%04x", u[i]);
			else
				putc(u[i], out);
		}
		i++;
	}
	putc('"', out);
}

void sf_human_size(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64, bytes);
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
static bool human_compound(char *d, const struct sf_table *t,
			   const struct sf_outcol *c, const struct sf_str *f)
{
	const struct sf_coldef *def = col_def(t, c->idx);
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

		if (strcasecmp(tok, "owner") == 0) {
			cols[n].name = "owner";
			cols[n].idx = -1;
			cols[n++].kind = SF_KIND_STR;
			continue;
		}
		for (i = 0; i < t->ncols; i++)
			if (strcasecmp(tok, t->cols[i].s) == 0)
				break;
		if (i == t->ncols) {
			fprintf(stderr, "sockfd: unknown column \"%s\"; this input has: owner", tok);
			for (i = 0; i < t->ncols; i++)
				fprintf(stderr, " %s", t->cols[i].s);
			fputc('\n', stderr);
			ret = -1;
			break;
		}
		cols[n].name = t->cols[i].s;
		cols[n].idx = (int)i;
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

void sf_grid_init(struct sf_grid *g, const struct sf_outcol *cols,
		  size_t ncols, unsigned int flags)
{
	memset(g, 0, sizeof(*g));
	g->cols = cols;
	g->ncols = ncols;
	g->flags = flags;
}

static void *xrealloc(void *p, size_t size)
{
	void *np = realloc(p, size);

	if (!np) {
		fprintf(stderr, "sockfd: out of memory\n");
		exit(1);
	}
	return np;
}

/* Room for one more row and for need more bytes of cell text. */
static void grid_room(struct sf_grid *g, size_t need)
{
	if (g->nrows == g->rcap) {
		g->rcap = g->rcap ? g->rcap * 2 : 256;
		g->off = xrealloc(g->off, g->rcap * g->ncols * sizeof(*g->off));
		g->mark = xrealloc(g->mark, g->rcap);
		g->key = xrealloc(g->key, g->rcap * 3 * sizeof(*g->key));
	}
	if (g->alen + need > g->acap) {
		while (g->alen + need > g->acap)
			g->acap = g->acap ? g->acap * 2 : 65536;
		g->arena = xrealloc(g->arena, g->acap);
	}
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

/* Append the display text of one cell to the arena, NUL-terminated. */
static void grid_cell(struct sf_grid *g, const struct sf_table *t,
		      const struct sf_row *r, const struct sf_outcol *c)
{
	bool raw = g->flags & SF_OUT_NUMERIC;
	const struct sf_str *f = c->idx < 0 ? sf_get(t, r, SF_COMM) : &r->f[c->idx];
	const char *name;
	char *d;
	uint64_t v;

	/* escaped text: 4 bytes a byte; owner numbers, sizes, user names,
	 * pairs and timers (128) */
	grid_room(g, 4 * f->len + 4 * 64 + 128);
	d = g->arena + g->alen;
	if (c->idx < 0) {
		d += escape(d, f->s, f->len);
		d += sprintf(d, "(%" PRIu64 ")/%" PRIu64, r->pid, r->fd);
	} else if (!raw && c->kind == SF_KIND_SIZE && sf_parse_u64(f->s, f->len, &v)) {
		sf_human_size(d, 64, v);
		d += strlen(d);
	} else if (!raw && c->kind == SF_KIND_UID && sf_parse_u64(f->s, f->len, &v) &&
		   (name = user_name(v))) {
		d += escape(d, name, strlen(name));
	} else if (!raw && human_compound(d, t, c, f)) {
		d += strlen(d);
	} else {
		d += escape(d, f->s, f->len);
	}
	*d = '\0';
	g->alen = d - g->arena + 1;
}

void sf_grid_add(struct sf_grid *g, const struct sf_table *t,
		 const struct sf_row *r, char mark)
{
	size_t row;

	grid_room(g, 0);
	row = g->nrows++;
	g->mark[row] = mark;
	g->key[3 * row] = r->pid;
	g->key[3 * row + 1] = r->fd;
	g->key[3 * row + 2] = r->ino;
	for (size_t i = 0; i < g->ncols; i++) {
		g->off[row * g->ncols + i] = g->alen;
		grid_cell(g, t, r, &g->cols[i]);
	}
}

/* Copy row i of src (same columns) to dst. */
void sf_grid_copy(struct sf_grid *dst, const struct sf_grid *src, size_t i,
		  char mark)
{
	size_t row;

	grid_room(dst, 0);
	row = dst->nrows++;
	dst->mark[row] = mark;
	memcpy(&dst->key[3 * row], &src->key[3 * i], 3 * sizeof(*dst->key));
	for (size_t c = 0; c < dst->ncols; c++) {
		const char *s = src->arena + src->off[i * src->ncols + c];
		size_t len = strlen(s) + 1;

		grid_room(dst, len);
		dst->off[row * dst->ncols + c] = dst->alen;
		memcpy(dst->arena + dst->alen, s, len);
		dst->alen += len;
	}
}

/* Display width: UTF-8 code points (the text holds no control bytes). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if ((*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void put_cell(FILE *out, const char *s, size_t w, bool right, bool last)
{
	size_t pad = w - width(s);

	if (right)
		fprintf(out, "%*s", (int)pad, "");
	fputs(s, out);
	if (!right && !last)
		fprintf(out, "%*s", (int)pad, "");
	if (!last)
		putc(' ', out);
}

static bool right_aligned(const struct sf_outcol *c)
{
	return c->kind == SF_KIND_NUM || c->kind == SF_KIND_SIZE;
}

void sf_grid_print(FILE *out, const struct sf_grid *g, bool marks)
{
	size_t *w = calloc(g->ncols, sizeof(*w));
	bool head = !(g->flags & SF_OUT_NOHEAD);

	if (!w)
		return;
	for (size_t c = 0; c < g->ncols; c++) {
		w[c] = head ? strlen(g->cols[c].name) : 0;
		for (size_t r = 0; r < g->nrows; r++) {
			size_t cw = width(g->arena + g->off[r * g->ncols + c]);

			if (cw > w[c])
				w[c] = cw;
		}
	}
	if (head) {
		if (marks)
			fputs("  ", out);
		for (size_t c = 0; c < g->ncols; c++) {
			char name[64];
			size_t i;

			for (i = 0; g->cols[c].name[i] && i < sizeof(name) - 1; i++)
				name[i] = (char)toupper((unsigned char)g->cols[c].name[i]);
			name[i] = '\0';
			put_cell(out, name, w[c], right_aligned(&g->cols[c]),
				 c + 1 == g->ncols);
		}
		putc('\n', out);
	}
	for (size_t r = 0; r < g->nrows; r++) {
		if (marks)
			fprintf(out, "%c ", g->mark[r]);
		for (size_t c = 0; c < g->ncols; c++)
			put_cell(out, g->arena + g->off[r * g->ncols + c], w[c],
				 right_aligned(&g->cols[c]), c + 1 == g->ncols);
		putc('\n', out);
	}
	free(w);
}

void sf_grid_free(struct sf_grid *g)
{
	free(g->arena);
	free(g->off);
	free(g->mark);
	free(g->key);
	memset(g, 0, sizeof(*g));
}

/* An unsigned decimal in JSON's grammar (no leading zero). */
static bool json_number(const struct sf_str *f)
{
	uint64_t v;

	return sf_parse_u64(f->s, f->len, &v) && (f->len == 1 || f->s[0] != '0');
}

static void json_value(FILE *out, const struct sf_table *t,
		       const struct sf_row *r, const struct sf_outcol *c)
{
	const struct sf_coldef *def;
	const struct sf_str *f;
	const char *kind;
	uint64_t v, b;
	bool has_b;

	if (c->idx < 0) {
		char *s = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&s, &len);

		if (m) {
			f = sf_get(t, r, SF_COMM);
			fwrite(f->s, 1, f->len, m);
			fprintf(m, "(%" PRIu64 ")/%" PRIu64, r->pid, r->fd);
			fclose(m);
		}
		sf_put_json_string(out, s ? s : "", s ? len : 0);
		free(s);
		return;
	}
	f = &r->f[c->idx];
	def = col_def(t, c->idx);
	if (c->kind != SF_KIND_STR && f->len == 1 && f->s[0] == '-')
		fputs("null", out);
	else if (def && def->json == SF_JSON_PAIR && sf_parse_pair(f, &v, &b, &has_b))
		fprintf(out, has_b ? "[%" PRIu64 ", %" PRIu64 "]" : "[%" PRIu64 ", null]",
			v, b);
	else if (def && def->json == SF_JSON_TIMER && sf_parse_timer(f, &kind, &v))
		fprintf(out, "{\"kind\": \"%s\", \"ms\": %" PRIu64 "}", kind, v);
	else if (c->kind == SF_KIND_OTHER && json_number(f))
		fwrite(f->s, 1, f->len, out);
	else if (c->kind != SF_KIND_STR && c->kind != SF_KIND_OTHER &&
		 sf_parse_u64(f->s, f->len, &v))
		fprintf(out, "%" PRIu64, v);
	else
		sf_put_json_string(out, f->s, f->len);
}

/* One JSON array of objects; cols NULL means every header column. */
void sf_print_json(FILE *out, const struct sf_table *t,
		   struct sf_row *const *rows, size_t n,
		   const struct sf_outcol *cols, size_t ncols)
{
	struct sf_outcol *all = NULL;

	if (!cols) {
		all = calloc(t->ncols + 1, sizeof(*all));
		if (!all)
			return;
		for (size_t i = 0; i < t->ncols; i++) {
			all[i].name = t->cols[i].s;
			all[i].idx = (int)i;
			all[i].kind = sf_col_kind(t, i);
		}
		cols = all;
		ncols = t->ncols;
	}
	fputs("[", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n  {" : "\n  {", out);
		for (size_t c = 0; c < ncols; c++) {
			if (c)
				fputs(", ", out);
			sf_put_json_string(out, cols[c].name, strlen(cols[c].name));
			fputs(": ", out);
			json_value(out, t, rows[i], &cols[c]);
		}
		fputs("}", out);
	}
	fputs(n ? "\n]\n" : "]\n", out);
	free(all);
}
