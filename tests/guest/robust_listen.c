// SPDX-License-Identifier: GPL-2.0
/*
 * robust_listen: unix sockets that start listening while /proc/sockfd is
 * read (issue 9 point 4: unix_inq_len() returns -EINVAL for a listener,
 * and a line that read the state before listen() once printed it as
 * 4294967274). Writers: threads that keep a set of unix stream sockets
 * and call listen() on them, close and remake them, for SECS seconds
 * (a quarter of it on the debug kernel). Readers: whole-file and small-chunk passes at the
 * same time. Every pass must be well-formed (gt_pass_problem): every
 * numeric field digits and the queue and memory columns within int range
 * (no negative errno printed unsigned), and each reader makes passes.
 * concurrency: yes
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SECS 12
#define WRITERS 3
#define HELD 32

static volatile int stop;

/* Rounds of: HELD unbound, idle sockets; listen() on each (the change a
 * reader may straddle); close them. */
static void *writer(void *arg)
{
	int held[HELD], i;

	(void)arg;
	while (!stop) {
		for (i = 0; i < HELD; i++)
			held[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		for (i = 0; i < HELD; i++)
			if (held[i] >= 0)
				listen(held[i], 8);
		for (i = 0; i < HELD; i++)
			if (held[i] >= 0)
				close(held[i]);
	}
	return NULL;
}

struct reader {
	size_t chunk;
	int passes;
	int bad;
	char problem[512];
};

static void *reader(void *arg)
{
	struct reader *rd = arg;

	while (!stop) {
		size_t len;
		char *text = gt_read_file(GT_PROC, rd->chunk, &len);
		const char *p;

		if (!text) {
			snprintf(rd->problem, sizeof(rd->problem),
				 "read: %s", strerror(errno));
			rd->bad++;
			break;
		}
		p = gt_pass_problem(text, len, rd->problem,
				    sizeof(rd->problem));
		free(text);
		if (p) {
			rd->bad++;
			break;
		}
		rd->passes++;
	}
	return NULL;
}

int main(void)
{
	struct reader rd[2] = { { .chunk = 0 }, { .chunk = 333 } };
	pthread_t w[WRITERS], r[2];
	double end;
	int i, secs = (int)gt_scaled(SECS * 4, SECS) / 4;

	for (i = 0; i < WRITERS; i++)
		pthread_create(&w[i], NULL, writer, (void *)(unsigned long)(i + 1));
	for (i = 0; i < 2; i++)
		pthread_create(&r[i], NULL, reader, &rd[i]);
	end = gt_now() + secs;
	while (gt_now() < end && !rd[0].bad && !rd[1].bad)
		gt_msleep(100);
	stop = 1;
	for (i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	for (i = 0; i < 2; i++)
		pthread_join(r[i], NULL);
	for (i = 0; i < 2; i++) {
		char check[64];

		snprintf(check, sizeof(check), "reader_chunk_%zu", rd[i].chunk);
		if (rd[i].bad)
			gt_fail(check, "after %d good passes: %s", rd[i].passes,
				rd[i].problem);
		else
			gt_check(check, rd[i].passes >= 2,
				 "passes: want >= 2 got %d", rd[i].passes);
	}
	printf("# %d s, passes: whole %d, %zu-byte reads %d\n", secs,
	       rd[0].passes, rd[1].chunk, rd[1].passes);
	return gt_done();
}
