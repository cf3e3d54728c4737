// SPDX-License-Identifier: GPL-2.0
/*
 * col_pktvsock: the addresses of packet and vsock sockets (format 2):
 *   packet bound to lo for ETH_P_ALL: local "lo/0x0003", unbound: "*"
 *   and the protocol, remote "-"; every column against ground truth
 *   (getsockname, if_indextoname);
 *   vsock over the loopback transport (CID 1): listener, client and the
 *   accepted end with local and remote "cid:port" as getsockname and
 *   getpeername give them, "*" for an unset part. Where the kernel has no
 *   vsock loopback transport this is said and not checked.
 * guest-modules: vsock_loopback
 */
#define _GNU_SOURCE
#include "gt.h"

#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef VMADDR_CID_LOCAL
#define VMADDR_CID_LOCAL 1
#endif

static void packet(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)if_nametoindex("lo"),
	};
	struct gt_want w = { 0 };
	int b = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	int u = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));

	if (b < 0 || u < 0 || !sll.sll_ifindex ||
	    bind(b, (struct sockaddr *)&sll, sizeof(sll))) {
		gt_fail("packet", "setup: %s", strerror(errno));
		return;
	}
	gt_want_set(&w, GT_LOCAL, "lo/0x0003");
	gt_want_set(&w, GT_REMOTE, "-");
	gt_check_fd("packet.bound_lo", 0, b, &w);
	gt_want_free(&w);
	gt_want_set(&w, GT_LOCAL, "*/0x0800");
	gt_check_fd("packet.unbound", 0, u, &w);
	gt_want_free(&w);
	/* and as gt_expect alone makes it from getsockname */
	gt_check_fd("packet.bound_lo_groundtruth", 0, b, NULL);
	close(b);
	close(u);
}

static void vsock(void)
{
	struct sockaddr_vm vm = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_LOCAL,
		.svm_port = 5150,
	};
	struct gt_want w = { 0 };
	int l = socket(AF_VSOCK, SOCK_STREAM, 0), c, a, u;

	if (l < 0) {
		printf("# vsock: socket(AF_VSOCK): %s: no vsock in this kernel "
		       "(vsock_loopback not loaded): not checked\n",
		       strerror(errno));
		return;
	}
	if (bind(l, (struct sockaddr *)&vm, sizeof(vm)) || listen(l, 4)) {
		gt_fail("vsock", "setup: bind/listen CID 1: %s", strerror(errno));
		return;
	}
	c = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&vm, sizeof(vm))) {
		if (errno == ENODEV || errno == ENETUNREACH ||
		    errno == ECONNRESET) {
			printf("# vsock: connect to CID 1: %s: no loopback "
			       "transport: only the listener is checked\n",
			       strerror(errno));
			gt_check_fd("vsock.listener", 0, l, NULL);
			return;
		}
		gt_fail("vsock", "setup: connect CID 1: %s", strerror(errno));
		return;
	}
	a = accept(l, NULL, NULL);
	u = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (a < 0 || u < 0) {
		gt_fail("vsock", "setup: accept: %s", strerror(errno));
		return;
	}
	gt_want_set(&w, GT_LOCAL, "1:5150");
	gt_want_set(&w, GT_REMOTE, "*:*");
	gt_want_set(&w, GT_STATE, "LISTEN");
	gt_check_fd("vsock.listener", 0, l, &w);
	gt_want_free(&w);
	gt_want_set(&w, GT_REMOTE, "1:5150");
	gt_want_set(&w, GT_STATE, "ESTABLISHED");
	gt_check_fd("vsock.client", 0, c, &w);
	gt_want_free(&w);
	gt_want_set(&w, GT_LOCAL, "1:5150");
	gt_want_set(&w, GT_STATE, "ESTABLISHED");
	gt_check_fd("vsock.accepted", 0, a, &w);
	gt_want_free(&w);
	gt_want_set(&w, GT_LOCAL, "*:*");
	gt_want_set(&w, GT_REMOTE, "*:*");
	gt_want_set(&w, GT_STATE, "CLOSE");
	gt_check_fd("vsock.unbound", 0, u, &w);
	gt_want_free(&w);
	close(u);
	close(a);
	close(c);
	close(l);
}

int main(void)
{
	gt_lo_up();
	packet();
	vsock();
	return gt_done();
}
