// SPDX-License-Identifier: GPL-2.0
/*
 * The columns of a /proc/sockfd line for the other families: netlink,
 * packet (as net/packet/diag.c and /proc/net/packet), vsock, and the
 * families without a formatter of their own.
 */
#include <linux/if_packet.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/socket.h>
#include <net/sock.h>		/* before af_vsock.h, which needs struct sock */
#include <net/af_vsock.h>

#include "sockfd.h"
#include "sockfd_line.h"

/*
 * sockfd_put_netlink_port - the port id of @sock (@peer: of its destination),
 * from netlink's own getname (struct netlink_sock is private); it neither
 * sleeps nor takes the socket lock.
 */
static __always_inline void sockfd_put_netlink_port(struct sockfd_line *l,
						    struct socket *sock,
						    bool peer)
{
	struct sockaddr_nl nl = { };
	int err;

	if (peer)
		err = kernel_getpeername(sock, (struct sockaddr *)&nl);
	else
		err = kernel_getsockname(sock, (struct sockaddr *)&nl);
	if (err < 0)
		sockfd_putc(l, '-');
	else
		sockfd_put_u64(l, nl.nl_pid);
}

/* netlink: its protocol, the local and destination port ids. */
void sockfd_show_netlink(struct sockfd_line *line, struct socket *sock,
			 struct sock *sk)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */
	int proto = READ_ONCE(sk->sk_protocol);	/* fixed at socket() */

	sockfd_col(l, COL_PROTO);
	sockfd_put_name(l, sockfd_netlink_proto_name(proto), "", proto);
	sockfd_col(l, COL_STATE);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_LOCAL);
	sockfd_put_netlink_port(l, sock, false);
	sockfd_col(l, COL_REMOTE);
	sockfd_put_netlink_port(l, sock, true);
	sockfd_put_sock_queues(l, sk);
	*line = copy;
}

/* "/0x" and @v in four hex digits, as "/0x%04x" prints it. */
static __always_inline void sockfd_put_hex16(struct sockfd_line *l, u16 v)
{
	char text[] = "/0x0000";
	int i;

	for (i = 0; i < 4; i++)
		text[6 - i] = "0123456789abcdef"[v >> (4 * i) & 0xf];
	sockfd_putn(l, text, sizeof(text) - 1);
}

/*
 * sockfd_put_packet_local - the interface and protocol a packet socket is
 * bound to, as /proc/net/packet has them: "lo/0x0003"; "*" for the
 * interface when bound to none (ifindex 0). struct packet_sock is private:
 * packet's own getname reads them under RCU only (no socket lock, no
 * sleep). A SOCK_PACKET socket's getname gives the device name alone.
 */
static __always_inline void sockfd_put_packet_local(struct sockfd_line *l,
						    struct socket *sock,
						    struct sock *sk)
{
	struct sockaddr_storage ss = { };
	const struct sockaddr_ll *sll = (const struct sockaddr_ll *)&ss;
	const struct sockaddr *sa = (const struct sockaddr *)&ss;
	char name[IFNAMSIZ] = "";
	struct net_device *dev;
	int ifindex;
	size_t i;

	if (kernel_getsockname(sock, (struct sockaddr *)&ss) < 0) {
		sockfd_putc(l, '-');
		return;
	}
	if (READ_ONCE(sk->sk_type) == SOCK_PACKET) {
		/* the name in sockaddr's 14 data bytes, NUL-padded if shorter */
		sockfd_put_escaped(l, sa->sa_data, strnlen(sa->sa_data, 14));
		if (!sa->sa_data[0])
			sockfd_putc(l, '*');
		return;
	}
	ifindex = sll->sll_ifindex;
	if (ifindex) {
		/*
		 * The name of the device now, under RCU, which keeps the
		 * device. Lockless: a rename writes dev->name under RTNL and
		 * a seqlock this module cannot take (netdev_copy_name() is not
		 * exported), so each byte is read once; a copy racing with a
		 * rename may mix bytes of both names, as packet_getname_spkt()
		 * may. The last byte of @name stays NUL.
		 */
		rcu_read_lock();
		dev = dev_get_by_index_rcu(sock_net(sk), ifindex);
		for (i = 0; dev && i < sizeof(name) - 1; i++) {
			name[i] = READ_ONCE(dev->name[i]);
			if (!name[i])
				break;
		}
		rcu_read_unlock();
	}
	if (name[0])
		sockfd_put_escaped(l, name, strlen(name));
	else if (ifindex)
		sockfd_put_s64(l, ifindex);	/* the device went away */
	else
		sockfd_putc(l, '*');
	sockfd_put_hex16(l, ntohs(sll->sll_protocol));
}

/* packet: state and remote do not apply; local is interface/protocol. */
void sockfd_show_packet(struct sockfd_line *line, struct socket *sock,
			struct sock *sk)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */

	sockfd_col(l, COL_PROTO);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_STATE);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_LOCAL);
	sockfd_put_packet_local(l, sock, sk);
	sockfd_col(l, COL_REMOTE);
	sockfd_putc(l, '-');
	sockfd_put_sock_queues(l, sk);
	*line = copy;
}

/* One vsock end: cid:port, each "*" while unset (VMADDR_*_ANY). */
static __always_inline void sockfd_put_vsock_addr(struct sockfd_line *l,
						  unsigned int cid,
						  unsigned int port)
{
	if (cid == VMADDR_CID_ANY)
		sockfd_putc(l, '*');
	else
		sockfd_put_u64(l, cid);
	if (port == VMADDR_PORT_ANY) {
		sockfd_puts(l, ":*");
	} else {
		sockfd_putc(l, ':');
		sockfd_put_u64(l, port);
	}
}

/*
 * vsock: state (TCP's numbering, as vsock_diag reports it) and both ends
 * from the public struct vsock_sock. Lockless, as vsock_diag_fill() reads
 * them: bind() and connect() write them under the socket lock, so each
 * half is read once and a racing line may mix old and new halves.
 */
void sockfd_show_vsock(struct sockfd_line *line, struct sock *sk)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */
	const struct vsock_sock *vsk = vsock_sk(sk);
	int state = READ_ONCE(sk->sk_state);

	sockfd_col(l, COL_PROTO);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_STATE);
	sockfd_put_name(l, sockfd_state_name(state), "state", state);
	sockfd_col(l, COL_LOCAL);
	sockfd_put_vsock_addr(l, READ_ONCE(vsk->local_addr.svm_cid),
			      READ_ONCE(vsk->local_addr.svm_port));
	sockfd_col(l, COL_REMOTE);
	sockfd_put_vsock_addr(l, READ_ONCE(vsk->remote_addr.svm_cid),
			      READ_ONCE(vsk->remote_addr.svm_port));
	sockfd_put_sock_queues(l, sk);
	*line = copy;
}

/* Families without a formatter of their own. */
void sockfd_show_other(struct sockfd_line *line, struct sock *sk)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */

	sockfd_put_dashes(l, COL_PROTO, COL_REMOTE);
	sockfd_put_sock_queues(l, sk);
	*line = copy;
}
