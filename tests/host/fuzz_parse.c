// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the /proc/sockfd parser, then the table and JSON
 * writers over whatever it accepted.  The input is parsed three times:
 * whole (sf_parse), streamed from a file in small chunks (sf_open,
 * sf_next), and into a whole table from a file in small chunks
 * (sf_parse_fd), so that lines and escapes fall across chunk boundaries;
 * all must give the same rows, warnings and output.  The whole table is then joined
 * (-o peer, peer.c) and shown with its peers, and tallied (tally.c).  Built by `make -C tools fuzz`
 * (clang -fsanitize=fuzzer,address,undefined); seeds: tests/host/fixtures.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_warning(void *ctx, unsigned long line, const char *msg)
{
	(void)line;
	(void)msg;
	(*(unsigned long *)ctx)++;
}

/* The JSON of every row and the numeric table of some columns. */
static void write_rows(FILE *out, struct sf_table *t, bool whole)
{
	struct sf_json_out j;
	struct sf_outcol *cols;
	struct sf_grid g;
	size_t ncols;

	sf_json_begin(&j, out, t, NULL, 0);
	if (sf_resolve_cols(t, "+pid,uid,rmem,netns", &cols, &ncols) == 0) {
		sf_grid_init(&g, cols, ncols, SF_OUT_NUMERIC | SF_OUT_MARKS, NULL);
		if (whole) {
			for (size_t i = 0; i < t->nrows; i++) {
				sf_json_row(&j, t, &t->rows[i]);
				sf_grid_add(&g, t, &t->rows[i], ' ');
			}
		} else {
			for (const struct sf_row *r; (r = sf_next(t));) {
				sf_json_row(&j, t, r);
				sf_grid_add(&g, t, r, ' ');
			}
		}
		sf_json_end(&j);
		sf_grid_print(out, &g, true);
		sf_grid_free(&g);
		free(cols);
	} else {
		sf_json_end(&j);
	}
}

/*
 * The rows in a tally (tally.c, what --summary and --prom keep): every row
 * is one record, in one group and in one process, and each group's and
 * process's names read back as the row wrote them.
 */
static void check_tally(struct sf_table *t)
{
	struct sf_tally ty = { 0 };
	size_t in_groups = 0, in_procs = 0;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct sf_row *r = &t->rows[i];
		const struct sf_str *st = sf_get(t, r, SF_STATE);
		struct sf_str got;

		sf_tally_add(&ty, t, r);
		got = sf_name(&ty.names, ty.groups[ty.recs[i].group].state);
		if (got.len != st->len || memcmp(got.s, st->s, st->len))
			abort();
	}
	for (size_t i = 0; i < ty.ngroups; i++)
		in_groups += ty.groups[i].rows;
	for (size_t i = 0; i < ty.nprocs; i++)
		in_procs += ty.procs[i].sockets;
	if (ty.nrecs != t->nrows || in_groups != t->nrows || in_procs != t->nrows)
		abort();
	sf_tally_free(&ty);
}

/* The table and JSON with the peer column: every row joined (peer.c). */
static void write_peers(struct sf_table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct sf_json_out j;
	struct sf_outcol *cols;
	struct sf_peers peers;
	struct sf_grid g;
	size_t ncols;

	if (!out || sf_resolve_cols(t, "owner,peer", &cols, &ncols))
		abort();
	sf_peers_table(&peers, t);
	cols[1].peers = &peers;
	sf_json_begin(&j, out, t, cols, ncols);
	sf_grid_init(&g, cols, ncols, 0, NULL);
	for (size_t i = 0; i < t->nrows; i++) {
		sf_json_row(&j, t, &t->rows[i]);
		sf_grid_add(&g, t, &t->rows[i], ' ');
	}
	sf_json_end(&j);
	sf_grid_print(out, &g, false);
	sf_grid_free(&g);
	sf_peers_free(&peers);
	free(cols);
	fclose(out);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_table t = { 0 }, s = { 0 };
	unsigned long wt = 0, ws = 0;
	char *out_t = NULL, *out_s = NULL;
	size_t len_t = 0, len_s = 0;
	char *buf = malloc(size + 1);
	int fd = memfd_create("fuzz", 0);
	FILE *ft = open_memstream(&out_t, &len_t);
	FILE *fs = open_memstream(&out_s, &len_s);
	int rt, rs;

	if (!buf || fd < 0 || !ft || !fs ||
	    (size && write(fd, data, size) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	memcpy(buf, data, size);
	t.warn = s.warn = count_warning;
	t.warn_ctx = &wt;
	s.warn_ctx = &ws;
	rt = sf_parse(&t, buf, size);
	rs = sf_open(&s, fd, 1 + size % 61);
	if (rt != rs)
		abort();
	if (rt == 0) {
		write_rows(ft, &t, true);
		write_rows(fs, &s, false);
		write_peers(&t);
		check_tally(&t);
	}
	fclose(ft);
	fclose(fs);
	if (len_t != len_s || memcmp(out_t, out_s, len_t) || wt != ws ||
	    t.nbad != s.nbad || s.in.err)
		abort();
	free(out_s);
	out_s = NULL;
	len_s = 0;
	fs = open_memstream(&out_s, &len_s);
	ws = 0;
	if (!fs || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	sf_table_free(&s);
	s.warn = count_warning;
	s.warn_ctx = &ws;
	rs = sf_parse_fd(&s, fd, 1 + size % 53);
	if (rt != rs)
		abort();
	if (rs == 0)
		write_rows(fs, &s, true);
	fclose(fs);
	if (len_t != len_s || memcmp(out_t, out_s, len_t) || wt != ws ||
	    t.nbad != s.nbad || t.nrows != s.nrows || s.in.err)
		abort();
	free(out_t);
	free(out_s);
	close(fd);
	sf_table_free(&t);
	sf_table_free(&s);
	return 0;
}
