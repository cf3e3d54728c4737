// SPDX-License-Identifier: GPL-2.0
/*
 * The unix columns of a /proc/sockfd line: state, the bound name, the
 * peer's inode and the queues (as net/unix/diag.c reports them).
 */
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/un.h>
#include <net/af_unix.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "sockfd.h"
#include "sockfd_compat.h"	/* unix_inq_len(), unix_outq_len() */
#include "sockfd_line.h"

/*
 * sockfd_unix_peer_ino - the socket inode of @sk's peer; 0 without one.
 * As unix_peer_get() and sock_i_ino(), without a peer reference or its
 * callback lock: the peer's socket is read under our state lock and RCU.
 */
static unsigned long long sockfd_unix_peer_ino(struct sock *sk)
{
	unsigned long long ino = 0;
	struct socket *psock = NULL;
	struct sock *peer;

	rcu_read_lock();
	unix_state_lock(sk);
	/* ->peer changes under our state lock, which holds the peer's sock. */
	peer = unix_sk(sk)->peer;
	/*
	 * Lockless: sock_orphan() clears ->sk_socket (under the peer's
	 * sk_callback_lock) when the peer's socket is released, before its
	 * inode goes; sockfs frees that inode, and the socket in it, after
	 * an RCU grace period (->free_inode): what we read stays readable
	 * until rcu_read_unlock(). NULL: the peer lost its socket.
	 */
	if (peer)
		psock = READ_ONCE(peer->sk_socket);
	unix_state_unlock(sk);
	if (psock)
		ino = SOCK_INODE(psock)->i_ino;
	rcu_read_unlock();
	return ino;
}

/*
 * unix: the bound name (a path, @ and an abstract name, or * when
 * unnamed), the peer's inode, and queues as ss shows them.
 * Chain, step 4: sock -> unix_sock (unix_sk(): ->addr, ->peer).
 */
void sockfd_show_unix(struct sockfd_line *line, struct sock *sk)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */
	struct unix_address *addr;
	unsigned long long peer_ino;
	int state = READ_ONCE(sk->sk_state);	/* lockless, as unix_seq_show() */
	long inq;
	const char *name;
	size_t len;

	sockfd_col(l, COL_PROTO);
	sockfd_putc(l, '-');
	sockfd_col(l, COL_STATE);
	sockfd_put_name(l, sockfd_state_name(state), "state", state);

	sockfd_col(l, COL_LOCAL);
	/*
	 * bind() publishes ->addr once with a release store; it stays until
	 * the socket is freed, which our file reference prevents.
	 */
	addr = smp_load_acquire(&unix_sk(sk)->addr);
	if (!addr) {
		sockfd_putc(l, '*');
	} else {
		/*
		 * As unix_seq_show(): ->len counts a path's terminating NUL,
		 * which for a 108-byte path lies just past sun_path[]; it is
		 * never read. An abstract name is all its bytes after the
		 * leading NUL, NULs included.
		 */
		name = addr->name->sun_path;
		len = addr->len - offsetof(struct sockaddr_un, sun_path) - 1;
		if (name[0]) {
			sockfd_put_escaped(l, name, len);
		} else {
			sockfd_putc(l, '@');
			sockfd_put_escaped(l, name + 1, len);
		}
	}

	sockfd_col(l, COL_REMOTE);
	peer_ino = sockfd_unix_peer_ino(sk);
	if (peer_ino)
		sockfd_put_u64(l, peer_ino);
	else
		sockfd_putc(l, '*');

	if (state == TCP_LISTEN) {
		/* Lockless queue length, as unix_diag reports it. */
		sockfd_put_queues(l, READ_ONCE(sk->sk_max_ack_backlog),
				  skb_queue_len_lockless(&sk->sk_receive_queue));
		goto out;
	}
	/*
	 * What SIOCINQ and SIOCOUTQ answer (they lock the queue). @state is
	 * this line's one read of sk_state: listen() may run since, and then
	 * unix_inq_len() sees LISTEN and returns -EINVAL; that is shown as an
	 * empty queue (a new listener has none), never as a huge number.
	 * An empty receive queue (lockless, as unix_poll() tests it) is 0
	 * bytes for either answer, with no call and no lock.
	 */
	inq = skb_queue_empty_lockless(&sk->sk_receive_queue) ?
	      0 : unix_inq_len(sk);
	sockfd_put_queues(l, unix_outq_len(sk), clamp_t(long, inq, 0, U32_MAX));
out:
	*line = copy;
}
