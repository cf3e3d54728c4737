// SPDX-License-Identifier: GPL-2.0
/*
 * gt_tcp.c: TCP_INFO as the kernel's <linux/tcp.h> declares it. glibc's
 * <netinet/tcp.h> (which gt.c uses) has a struct tcp_info without the
 * counters and rates of format 3, and the two headers cannot be included
 * together: this file reads them on its own.
 */
#include "gt.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

int gt_tcp_info3(int fd, struct gt_tcp3 *t)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	memset(t, 0, sizeof(*t));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	/* tcpi_bytes_retrans is the last field used (kernel 4.19 on) */
	if (len < offsetof(struct tcp_info, tcpi_bytes_retrans) +
			  sizeof(ti.tcpi_bytes_retrans)) {
		errno = EPROTO;
		return -1;
	}
	t->state = ti.tcpi_state;
	t->bytes_sent = ti.tcpi_bytes_sent;
	t->bytes_acked = ti.tcpi_bytes_acked;
	t->bytes_received = ti.tcpi_bytes_received;
	t->bytes_retrans = ti.tcpi_bytes_retrans;
	t->segs_out = ti.tcpi_segs_out;
	t->segs_in = ti.tcpi_segs_in;
	t->last_data_sent = ti.tcpi_last_data_sent;
	t->last_data_recv = ti.tcpi_last_data_recv;
	t->last_ack_recv = ti.tcpi_last_ack_recv;
	t->notsent = ti.tcpi_notsent_bytes;
	t->min_rtt = ti.tcpi_min_rtt;
	t->delivery_rate = ti.tcpi_delivery_rate;
	t->pacing_rate = ti.tcpi_pacing_rate;
	return 0;
}
