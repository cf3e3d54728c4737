// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the /proc/sockfd parser, then the table and JSON
 * writers over whatever it accepted.  Built by `make -C tools fuzz`
 * (clang -fsanitize=fuzzer,address,undefined); seeds: tests/host/fixtures.
 */
#include <stdlib.h>
#include <string.h>

#include "sockfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct sf_table t = { 0 };
	struct sf_outcol *cols;
	struct sf_grid g;
	size_t ncols;
	char *buf = malloc(size + 1);

	if (!null)
		null = fopen("/dev/null", "w");
	if (!buf || !null) {
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	if (sf_parse(&t, buf, size) == 0) {
		struct sf_row **rows = malloc((t.nrows + 1) * sizeof(*rows));

		for (size_t i = 0; rows && i < t.nrows; i++)
			rows[i] = &t.rows[i];
		if (rows)
			sf_print_json(null, &t, rows, t.nrows, NULL, 0);
		if (rows && sf_resolve_cols(&t, "+pid,uid,rmem,netns", &cols, &ncols) == 0) {
			sf_grid_init(&g, cols, ncols, SF_OUT_NUMERIC);
			for (size_t i = 0; i < t.nrows; i++)
				sf_grid_add(&g, &t, rows[i], ' ');
			sf_grid_print(null, &g, true);
			sf_grid_free(&g);
			free(cols);
		}
		free(rows);
	}
	sf_table_free(&t);
	return 0;
}
