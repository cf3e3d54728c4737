// SPDX-License-Identifier: GPL-2.0
/*
 * col_comm: the comm column escapes space, tab, newline, backslash and
 * non-printable bytes as \ooo. Children set their comm with
 * prctl(PR_SET_NAME) and hold a socket; the wanted text is written out
 * literally here, and every other column is checked against ground truth.
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct comm_case {
	const char *check;
	const char *comm;  /* at most 15 bytes */
	const char *want;  /* escaped, as the module must print it */
};

static const struct comm_case cases[] = {
	{ "comm_space", "gt comm sp", "gt\\040comm\\040sp" },
	{ "comm_tab_nl_bs", "a\tb\nc\\d", "a\\011b\\012c\\134d" },
	{ "comm_ctrl_del", "x\001y\177z", "x\\001y\\177z" },
	{ "comm_15_bytes", "abcdefghijklmno", "abcdefghijklmno" },
	/* bytes >= 0x80 (UTF-8 of "e acute"): man/proc_sockfd.5 escapes */
	{ "comm_utf8", "caf\303\251", "caf\\303\\251" },
};

static int child(void *arg, int *vals, int max)
{
	const struct comm_case *c = arg;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	(void)max;
	if (s < 0 || gt_set_comm(c->comm))
		return -1;
	vals[0] = s;
	return 1;
}

static int empty_child(void *arg, int *vals, int max)
{
	(void)arg;
	(void)max;
	vals[0] = socket(AF_UNIX, SOCK_DGRAM, 0);
	return vals[0] < 0 || gt_set_comm("") ? -1 : 1;
}

/*
 * An empty comm (prctl(PR_SET_NAME, "")): the format allows no empty
 * field and does not say what stands for "", so only the shape is checked:
 * the row has the header's fields, comm is not empty, the rest is right.
 */
static void empty_comm(void)
{
	struct gt_child ch;
	struct gt_table *t;
	const struct gt_row *r;
	char why[512];

	if (gt_child_start(&ch, empty_child, NULL)) {
		gt_fail("comm_empty", "setup: child: %s", strerror(errno));
		return;
	}
	t = gt_load(0);
	r = t ? gt_find(t, ch.pid, ch.vals[0]) : NULL;
	if (!r) {
		/* a missing field shifts the columns: show the child's lines */
		int i;

		for (i = 0; t && i < t->nrows; i++)
			if (t->rows[i].pid == ch.pid)
				r = &t->rows[i];
		gt_fail("comm_empty",
			"no row parses as (pid %d, fd %d); line with that pid: '%s'",
			(int)ch.pid, ch.vals[0], r ? r->line : "(none)");
	} else {
		gt_check("comm_empty", !gt_row_problem(t, r, why, sizeof(why)),
			 "%s", why);
		{
			struct gt_want w = { 0 };

			/* the other columns: comm as printed (not checked) */
			gt_want_set(&w, GT_COMM, "%s", gt_get_raw(r, GT_COMM));
			gt_want_set(&w, GT_REMOTE, "*");
			gt_check_fd("comm_empty_other_columns", ch.pid,
				    ch.vals[0], &w);
			gt_want_free(&w);
		}
	}
	gt_free(t);
	gt_child_stop(&ch);
}

int main(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gt_child ch;
		struct gt_want w = { 0 };
		char got[80], name[64];

		if (gt_child_start(&ch, child, (void *)&cases[i])) {
			gt_fail(cases[i].check, "setup: child: %s",
				strerror(errno));
			continue;
		}
		/* premise: /proc/PID/comm (escaped by gt) agrees with the
		 * literal, so the literal is what the kernel holds */
		snprintf(name, sizeof(name), "%s.premise", cases[i].check);
		gt_check_str(name, "/proc/PID/comm escaped", cases[i].want,
			     gt_comm_escaped(ch.pid, got, sizeof(got)));
		gt_want_set(&w, GT_COMM, "%s", cases[i].want);
		gt_want_set(&w, GT_REMOTE, "*");
		gt_check_fd(cases[i].check, ch.pid, ch.vals[0], &w);
		gt_want_free(&w);
		/* decoding the \ooo escapes gives back the bytes set */
		{
			struct gt_table *t = gt_load(0);
			const struct gt_row *r = t ? gt_find(t, ch.pid,
							     ch.vals[0]) : NULL;

			snprintf(name, sizeof(name), "%s.decoded",
				 cases[i].check);
			gt_check_str(name, "comm decoded", cases[i].comm,
				     gt_get(r, GT_COMM));
			gt_free(t);
		}
		gt_child_stop(&ch);
	}
	empty_comm();
	return gt_done();
}
