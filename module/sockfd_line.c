// SPDX-License-Identifier: GPL-2.0
/*
 * One line of /proc/sockfd per socket fd: the header, the columns common
 * to every socket (owner, fd, inode, namespace, family, type, buffers,
 * ids, memory), the task's (fds, nofile), and the names of families,
 * types and states. Each family's columns are in sockfd_inet.c,
 * sockfd_unix.c and sockfd_other.c; the line builder they share in
 * sockfd_line.h.
 */
#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/fdtable.h>
#include <linux/in.h>
#include <linux/init.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/sock_diag.h>
#include <linux/socket.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tcp_states.h>

#include "sockfd.h"
#include "sockfd_compat.h"
#include "sockfd_line.h"

/*
 * The columns' names, from SOCKFD_COLUMNS (sockfd.h); their widths are
 * sockfd_col_width()'s (sockfd_line.h).
 */
static const char *const sockfd_col_names[COL_COUNT] = {
#define SOCKFD_COL(id, name, width, max, next)				\
	[COL_##id] = name, next
#define SOCKFD_COL_END
	SOCKFD_COLUMNS
#undef SOCKFD_COL
#undef SOCKFD_COL_END
};

/*
 * Every column's "-" and padding (sockfd_put_dashes()), and where each
 * begins: written by sockfd_line_init() only, read-only after load.
 */
char sockfd_dash_line[SOCKFD_DASH_LINE_LEN] __ro_after_init;
u16 sockfd_dash_at[COL_COUNT] __ro_after_init;

/*
 * sockfd_line_init - make sockfd_dash_line at load, before /proc/sockfd
 * exists: each column's "-" padded as sockfd_col() pads a column of one
 * byte, to its width and a space.
 */
void __init sockfd_line_init(void)
{
	enum sockfd_col col;
	size_t at = 0;

	memset(sockfd_dash_line, ' ', sizeof(sockfd_dash_line));
	for (col = COL_PID; col < COL_COUNT; col++) {
		sockfd_dash_at[col] = at;
		sockfd_dash_line[at] = '-';
		at += max(sockfd_col_width(col), 1U) + 1;
	}
}

/*
 * sockfd_line_begin - begin a line in @m's buffer, if SOCKFD_LINE_ROOM
 * bytes are free; otherwise commit it as an overflow at once and return
 * false (the caller prints nothing).
 */
static __always_inline bool sockfd_line_begin(struct sockfd_line *l,
					      struct seq_file *m)
{
	size_t size = seq_get_buf(m, &l->buf);

	if (size < SOCKFD_LINE_ROOM) {
		seq_commit(m, -1);
		return false;
	}
	l->m = m;
	l->end = size - SOCKFD_LINE_ROOM;
	l->len = 0;
	l->col_start = 0;
	l->overflow = false;
	return true;
}

/* 10^0 to 10^19: the digits of a u64 are counted by comparing, not dividing. */
const u64 sockfd_pow10[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/* "00" to "99": two digits per division, as lib/vsprintf.c's put_dec(). */
const char sockfd_dec2[201] = {
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
};

/* @v in decimal, kept in @memo as @key's text for sockfd_put_memo(). */
static __always_inline void sockfd_put_u64_memo(struct sockfd_line *l,
						struct sockfd_memo *memo,
						u64 key, u64 v)
{
	char *p = sockfd_at(l);

	sockfd_put_u64(l, v);
	sockfd_memo_keep(memo, key, p, sockfd_at(l) - p);
}

/* End the line with a newline and hand it to the seq_file (or overflow). */
static __always_inline void sockfd_line_end(struct sockfd_line *l)
{
	sockfd_putc(l, '\n');
	seq_commit(l->m, l->overflow ? -1 : (int)l->len);
}

/* sockfd_name - the name at @nr of a table of @size names, or NULL. */
static const char *sockfd_name(const char *const *names, size_t size, int nr)
{
	return nr >= 0 && (size_t)nr < size ? names[nr] : NULL;
}

static const char *const sockfd_family_names[] = {
	[AF_UNIX]	= "unix",
	[AF_INET]	= "inet",
	[AF_AX25]	= "ax25",
	[AF_IPX]	= "ipx",
	[AF_APPLETALK]	= "appletalk",
	[AF_X25]	= "x25",
	[AF_INET6]	= "inet6",
	[AF_KEY]	= "key",
	[AF_NETLINK]	= "netlink",
	[AF_PACKET]	= "packet",
	[AF_RDS]	= "rds",
	[AF_PPPOX]	= "pppox",
	[AF_LLC]	= "llc",
	[AF_IB]		= "ib",
	[AF_MPLS]	= "mpls",
	[AF_CAN]	= "can",
	[AF_TIPC]	= "tipc",
	[AF_BLUETOOTH]	= "bluetooth",
	[AF_RXRPC]	= "rxrpc",
	[AF_ISDN]	= "isdn",
	[AF_PHONET]	= "phonet",
	[AF_IEEE802154]	= "ieee802154",
	[AF_CAIF]	= "caif",
	[AF_ALG]	= "alg",
	[AF_NFC]	= "nfc",
	[AF_VSOCK]	= "vsock",
	[AF_KCM]	= "kcm",
	[AF_QIPCRTR]	= "qipcrtr",
	[AF_SMC]	= "smc",
	[AF_XDP]	= "xdp",
	[AF_MCTP]	= "mctp",
};

const char *sockfd_family_name(int family)
{
	return sockfd_name(sockfd_family_names,
			   ARRAY_SIZE(sockfd_family_names), family);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_family_name);

static const char *const sockfd_type_names[] = {
	[SOCK_STREAM]		= "stream",
	[SOCK_DGRAM]		= "dgram",
	[SOCK_RAW]		= "raw",
	[SOCK_RDM]		= "rdm",
	[SOCK_SEQPACKET]	= "seqpacket",
	[SOCK_DCCP]		= "dccp",
	[SOCK_PACKET]		= "packet",
};

const char *sockfd_type_name(int type)
{
	return sockfd_name(sockfd_type_names, ARRAY_SIZE(sockfd_type_names),
			   type);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_type_name);

/*
 * The kernel's names for sk_state, as /proc/net/tcp's numbers mean them;
 * sockfd_state_name() (sockfd.h) looks them up.
 */
const char *const sockfd_state_names[SOCKFD_STATE_NAMES] = {
	[TCP_ESTABLISHED]	= "ESTABLISHED",
	[TCP_SYN_SENT]		= "SYN_SENT",
	[TCP_SYN_RECV]		= "SYN_RECV",
	[TCP_FIN_WAIT1]		= "FIN_WAIT1",
	[TCP_FIN_WAIT2]		= "FIN_WAIT2",
	[TCP_TIME_WAIT]		= "TIME_WAIT",
	[TCP_CLOSE]		= "CLOSE",
	[TCP_CLOSE_WAIT]	= "CLOSE_WAIT",
	[TCP_LAST_ACK]		= "LAST_ACK",
	[TCP_LISTEN]		= "LISTEN",
	[TCP_CLOSING]		= "CLOSING",
	[TCP_NEW_SYN_RECV]	= "NEW_SYN_RECV",
};
EXPORT_SYMBOL_IF_KUNIT(sockfd_state_names);

static const char *const sockfd_netlink_names[] = {
	[NETLINK_ROUTE]			= "route",
	[NETLINK_UNUSED]		= "unused",
	[NETLINK_USERSOCK]		= "usersock",
	[NETLINK_FIREWALL]		= "firewall",
	[NETLINK_SOCK_DIAG]		= "sock_diag",
	[NETLINK_NFLOG]			= "nflog",
	[NETLINK_XFRM]			= "xfrm",
	[NETLINK_SELINUX]		= "selinux",
	[NETLINK_ISCSI]			= "iscsi",
	[NETLINK_AUDIT]			= "audit",
	[NETLINK_FIB_LOOKUP]		= "fib_lookup",
	[NETLINK_CONNECTOR]		= "connector",
	[NETLINK_NETFILTER]		= "netfilter",
	[NETLINK_IP6_FW]		= "ip6_fw",
	[NETLINK_DNRTMSG]		= "dnrtmsg",
	[NETLINK_KOBJECT_UEVENT]	= "kobject_uevent",
	[NETLINK_GENERIC]		= "generic",
	[NETLINK_SCSITRANSPORT]		= "scsitransport",
	[NETLINK_ECRYPTFS]		= "ecryptfs",
	[NETLINK_RDMA]			= "rdma",
	[NETLINK_CRYPTO]		= "crypto",
	[NETLINK_SMC]			= "smc",
};

const char *sockfd_netlink_proto_name(int protocol)
{
	return sockfd_name(sockfd_netlink_names,
			   ARRAY_SIZE(sockfd_netlink_names), protocol);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_netlink_proto_name);

/**
 * sockfd_escape - @len bytes of @s, escaped as /proc/mounts does, at @buf
 * @buf: room for 4 * @len bytes (no NUL is added)
 * @s: the bytes (NULs included, e.g. in abstract unix names)
 * @len: how many
 *
 * Space, tab, newline, backslash and every byte that is not printable
 * ASCII become a backslash and three octal digits, so that no field is
 * empty of meaning or split by whitespace.
 *
 * Return: the bytes written.
 */
size_t sockfd_escape(char *buf, const char *s, size_t len)
{
	char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c >= 0x7f || c == '\\') {
			*p++ = '\\';
			*p++ = '0' + (c >> 6);
			*p++ = '0' + (c >> 3 & 7);
			*p++ = '0' + (c & 7);
		} else {
			*p++ = c;
		}
	}
	return p - buf;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_escape);

/*
 * sockfd_put_ids - cookie, cgroup and drops, for every socket. Reading
 * the cookie assigns one if the socket has none, as getsockopt(SO_COOKIE)
 * and sock_diag do: it is the socket's id from then on.
 */
static __always_inline void sockfd_put_ids(struct sockfd_line *l,
					   struct sock *sk)
{
	/*
	 * Lockless: a cookie is set once, from 0, by a cmpxchg, and never
	 * changes after; only a socket that has none yet needs the call.
	 */
	u64 cookie = atomic64_read(&sk->sk_cookie);
	u32 c[2];
	u64 cgroup;

	if (!cookie) {
		sock_diag_save_cookie(sk, c);
		cookie = (u64)c[1] << 32 | c[0];
	}
	sockfd_col(l, COL_COOKIE);
	sockfd_put_u64(l, cookie);
	sockfd_col(l, COL_CGROUP);
	if (sockfd_sk_cgroup_id(sk, &cgroup))
		sockfd_put_u64(l, cgroup);
	else
		sockfd_putc(l, '-');
	sockfd_col(l, COL_DROPS);
	sockfd_put_u64(l, sockfd_sk_drops(sk));
}

/*
 * sockfd_put_skmem - what SO_MEMINFO (sk_get_meminfo()) adds to the
 * buffers: memory queued for sending, forward-allocated, for options,
 * and the backlog (packets queued while the socket was locked). Read as
 * sk_get_meminfo() reads them, without a lock.
 */
static __always_inline void sockfd_put_skmem(struct sockfd_line *l,
					     struct sock *sk)
{
	sockfd_col(l, COL_WMEM_QUEUED);
	sockfd_put_s64(l, READ_ONCE(sk->sk_wmem_queued));
	sockfd_col(l, COL_FWD_ALLOC);
	sockfd_put_s64(l, sockfd_sk_forward_alloc(sk));
	sockfd_col(l, COL_OPTMEM);
	sockfd_put_s64(l, atomic_read(&sk->sk_omem_alloc));
	sockfd_col(l, COL_BACKLOG);
	sockfd_put_s64(l, READ_ONCE(sk->sk_backlog.len));
}

void sockfd_show_header(struct seq_file *m)
{
	struct sockfd_line line, *l = &line;
	enum sockfd_col col;

	/*
	 * What SOCKFD_LINE_ROOM does not count column by column: the words
	 * of padding past each column's end (sockfd_col()) and a memo's
	 * whole text (sockfd_put_memo()) stay within SOCKFD_LINE_SLACK; the
	 * owner's text, copied whole at the line's beginning
	 * (sockfd_show_line()), within the room.
	 */
#define SOCKFD_COL(id, name, width, max, next)				\
	(round_up((width) + 1, 8) > SOCKFD_LINE_SLACK || (next))
#define SOCKFD_COL_END	0
	BUILD_BUG_ON(SOCKFD_COLUMNS);
#undef SOCKFD_COL
#undef SOCKFD_COL_END
	BUILD_BUG_ON(sizeof_field(struct sockfd_memo, text) > SOCKFD_LINE_SLACK);
	BUILD_BUG_ON(SOCKFD_OWNER_TEXT > SOCKFD_LINE_ROOM);
	/* A memo holds a u64's digits. */
	BUILD_BUG_ON(sizeof_field(struct sockfd_memo, text) < SOCKFD_DEC_U64);
	/*
	 * SOCKFD_COLUMNS names every column of the enum once: as many as
	 * there are, each by its id in sockfd_col_names[] (W=1 warns of one
	 * given twice).
	 */
#define SOCKFD_COL(id, name, width, max, next)	(1 + (next))
#define SOCKFD_COL_END	0
	BUILD_BUG_ON(SOCKFD_COLUMNS != COL_COUNT);
#undef SOCKFD_COL
#undef SOCKFD_COL_END

	if (!sockfd_line_begin(l, m))
		return;
	for (col = 0; col < COL_COUNT; col++) {
		sockfd_col(l, col);
		sockfd_puts(l, sockfd_col_names[col]);
	}
	sockfd_line_end(l);
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_show_header);

/**
 * sockfd_owner_set - make @o, for the lines of task @pid (sockfd_show_socket())
 * @o: what the task's lines share
 * @pid: the fd table's id, as the reader's pid namespace sees it
 * @comm: the task's command name (NUL-terminated)
 *
 * The pid and comm columns are formatted here, once per task, and each line
 * copies them; the netns and uid memos start empty.
 */
void sockfd_owner_set(struct sockfd_owner *o, pid_t pid, const char *comm)
{
	struct sockfd_line line = { .buf = o->text }, *l = &line;
	size_t len = strnlen(comm, TASK_COMM_LEN - 1);

	/* Each line copies all of @text: no byte of it is left unset. */
	memset(o->text, ' ', sizeof(o->text));
	sockfd_col(l, COL_PID);
	sockfd_put_s64(l, pid);
	sockfd_col(l, COL_COMM);
	if (len)
		l->len += sockfd_escape(sockfd_at(l), comm, len);
	else
		sockfd_putc(l, '-');	/* prctl(PR_SET_NAME, ""): no empty field */
	o->len = l->len;
	o->comm_start = l->col_start;
	o->netns.set = false;
	o->uid.set = false;
	o->cc.set = false;
	o->task_set = false;	/* fds and nofile: "-" until sockfd_owner_task() */
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_owner_set);

/**
 * sockfd_owner_task - add to @o the fds and nofile columns of @task
 * @o: what the task's lines share (sockfd_owner_set() first)
 * @task: the fd table's task (a reference held by the caller)
 *
 * Once per task and read(), as pid and comm: the number of fds open in
 * the task's table, counted in its open-fds bitmap as /proc/PID/fd lists
 * them, and its soft RLIMIT_NOFILE, as /proc/PID/limits shows it.
 * Lockless: open() and close() set and clear the bits under the table's
 * file_lock, setrlimit() writes the limit under the task's sighand lock;
 * a racing count may be off by the fds opened or closed meanwhile.
 */
void sockfd_owner_task(struct sockfd_owner *o, struct task_struct *task)
{
	struct files_struct *files;
	struct fdtable *fdt;
	unsigned int fds = 0, i, words;

	/*
	 * task_lock() keeps ->files (an exiting task's goes NULL under it);
	 * RCU keeps the table, which expand_files() may replace: a replaced
	 * one holds every fd open before it was copied.
	 */
	rcu_read_lock();
	task_lock(task);
	files = task->files;
	if (files) {
		fdt = files_fdtable(files);
		/* max_fds is a whole number of words (fs/file.c fdt_words()) */
		words = fdt->max_fds / BITS_PER_LONG;
		/*
		 * Lockless, a word at a time: open() and close() flip bits
		 * with __set_bit()/__clear_bit() under files->file_lock.
		 */
		for (i = 0; i < words; i++)
			fds += hweight_long(READ_ONCE(fdt->open_fds[i]));
	}
	task_unlock(task);
	rcu_read_unlock();
	o->fds = fds;
	/* The task reference keeps ->signal (freed in __put_task_struct()). */
	o->nofile = task_rlimit(task, RLIMIT_NOFILE);
	o->task_set = true;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_owner_task);

/*
 * sockfd_put_fd_cols - pid to type: the task's pid and comm, the fd, and
 * the columns that name the fd's socket @fsock (@fsk: its sock). Returns
 * the family it printed, its one read of it.
 */
static int sockfd_put_fd_cols(struct sockfd_line *line, struct sockfd_owner *o,
			      unsigned int fd, struct socket *fsock,
			      struct sock *fsk)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */
	unsigned int inum;
	int family, type;

	/*
	 * pid and comm as sockfd_owner_set() made them: a copy in words,
	 * within the room. comm is escaped text, checked as the other names
	 * are (sockfd_put_escaped()): past the room's end the line is an
	 * overflow, and the rest of it is still written without comm.
	 */
	memcpy(sockfd_at(l), o->text, sizeof(o->text));
	l->col_start = o->comm_start;
	if (unlikely(o->len > l->end)) {
		l->overflow = true;
		l->len = o->comm_start;
	} else {
		l->len = o->len;
	}
	sockfd_col(l, COL_FD);
	sockfd_put_u64(l, fd);
	sockfd_col(l, COL_INO);
	/* Set when the socket was made (new_inode_pseudo()), never changed. */
	sockfd_put_u64(l, (unsigned long long)SOCK_INODE(fsock)->i_ino);
	/* Read once: IPV6_ADDRFORM may turn an inet6 socket into inet. */
	family = READ_ONCE(fsk->sk_family);

	sockfd_col(l, COL_NETNS);
	/* Fixed at socket() (an SMC socket's internal one shares it). */
	inum = sock_net(fsk)->ns.inum;
	if (!sockfd_put_memo(l, &o->netns, inum))
		sockfd_put_u64_memo(l, &o->netns, inum, inum);
	sockfd_col(l, COL_FAMILY);
	sockfd_put_name(l, sockfd_family_name(family), "af", family);
	sockfd_col(l, COL_TYPE);
	type = READ_ONCE(fsk->sk_type);	/* fixed at socket() */
	sockfd_put_name(l, sockfd_type_name(type), "type", type);
	*line = copy;
	return family;
}

/* Protocol to rxq: the function of @sk's @family. Returns an inet state. */
static int sockfd_put_family_cols(struct sockfd_line *l, struct socket *sock,
				  struct sock *sk, int family)
{
	switch (family) {
	case AF_INET:
	case AF_INET6:
		return sockfd_show_inet(l, sk, family);
	case AF_UNIX:
		sockfd_show_unix(l, sk);
		break;
	case AF_NETLINK:
		sockfd_show_netlink(l, sock, sk);
		break;
	case AF_PACKET:
		sockfd_show_packet(l, sock, sk);
		break;
	case AF_VSOCK:
		sockfd_show_vsock(l, sk);
		break;
	default:
		sockfd_show_other(l, sk);
		break;
	}
	return -1;
}

/*
 * sockfd_put_sock_cols - rmem to drops: @sk's buffers and ids, and the
 * uid of @fsock (@fsk), in the user namespace of @m's opener.
 */
static void sockfd_put_sock_cols(struct sockfd_line *line, struct seq_file *m,
				 struct sockfd_owner *o, struct socket *fsock,
				 struct sock *fsk, struct sock *sk)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */
	kuid_t kuid;

	/* Lockless: limits are changed by setsockopt() at any time. */
	sockfd_col(l, COL_RMEM);
	sockfd_put_s64(l, sk_rmem_alloc_get(sk));
	sockfd_col(l, COL_RCVBUF);
	sockfd_put_s64(l, READ_ONCE(sk->sk_rcvbuf));
	sockfd_col(l, COL_WMEM);
	sockfd_put_s64(l, sk_wmem_alloc_get(sk));
	sockfd_col(l, COL_SNDBUF);
	sockfd_put_s64(l, READ_ONCE(sk->sk_sndbuf));
	sockfd_col(l, COL_UID);
	/* The owner of the fd's socket, as fstat() on the fd shows it. */
	kuid = sockfd_sock_uid(fsock, fsk);
	if (!sockfd_put_memo(l, &o->uid, __kuid_val(kuid)))
		sockfd_put_u64_memo(l, &o->uid, __kuid_val(kuid),
				    from_kuid_munged(seq_user_ns(m), kuid));
	sockfd_put_ids(l, sk);
	*line = copy;
}

/*
 * sockfd_put_last_cols - wmem_queued to nofile: @sk's memory, the fd
 * table's fds and limit; and the line's end.
 */
static void sockfd_put_last_cols(struct sockfd_line *line,
				 const struct sockfd_owner *o, struct sock *sk)
{
	struct sockfd_line copy = *line, *l = &copy;	/* sockfd_line.h */

	sockfd_put_skmem(l, sk);
	sockfd_col(l, COL_FDS);
	if (o->task_set)
		sockfd_put_u64(l, o->fds);
	else
		sockfd_putc(l, '-');
	sockfd_col(l, COL_NOFILE);
	if (o->task_set)
		sockfd_put_u64(l, o->nofile);
	else
		sockfd_putc(l, '-');
	sockfd_line_end(l);
}

/**
 * sockfd_show_line - print one line for socket fd @fd of @o's task
 * @m: the seq_file
 * @o: the task's pid and comm (sockfd_owner_set()), and its memos
 * @fd: the descriptor
 * @fsock: the socket the fd's file was opened as: its inode is the
 *	file's, named socket:[INO] in /proc/PID/fd (sockfs_dname())
 * @sock: the socket the fd's calls reach (the file's ->private_data): the
 *	same, except for an SMC socket that fell back to TCP, whose file
 *	smc_switch_to_fallback() points at its internal TCP socket
 *
 * Both are pinned by the caller (a file reference): an SMC socket
 * releases its internal socket only when it is itself released, at the
 * file's last fput() (__smc_release()).
 *
 * The columns that name the fd's socket (ino, netns, family, type, uid)
 * are @fsock's; the rest (protocol, state, addresses, queues, buffers,
 * cookie, cgroup, drops, TCP) are @sock's, as getsockname(), SO_MEMINFO,
 * SO_COOKIE and TCP_INFO on the fd answer them.
 *
 * Chain, step 3: socket (the VFS side: its inode is socket:[INO]) -> sock
 * (->sk, the protocol side), then one function per family casts it on.
 *
 * Return: 0, or SEQ_SKIP for a socket that has no sock any more.
 */
int sockfd_show_line(struct seq_file *m, struct sockfd_owner *o,
		     unsigned int fd, struct socket *fsock, struct socket *sock)
{
	/*
	 * The file reference pins both sockets and their socks: ->sk is
	 * cleared only when the last file reference goes. Checked all the
	 * same.
	 */
	struct sock *fsk = READ_ONCE(fsock->sk);
	struct sock *sk = sock == fsock ? fsk : READ_ONCE(sock->sk);
	struct sockfd_line line;
	int family, state;

	if (!fsk || !sk)
		return SEQ_SKIP;

	if (!sockfd_line_begin(&line, m))
		return 0;	/* an overflow: seq_file shows it again */
	family = sockfd_put_fd_cols(&line, o, fd, fsock, fsk);
	/* The family of the socket the fd's calls reach: see above. */
	if (sk != fsk)
		family = READ_ONCE(sk->sk_family);
	/* inet only: the line's one read of sk_state; -1 for the others. */
	state = sockfd_put_family_cols(&line, sock, sk, family);
	sockfd_put_sock_cols(&line, m, o, fsock, fsk, sk);
	/*
	 * MPTCP and other stream protocols are no tcp_sock: sk_is_tcp(). It
	 * reads sk_family once (READ_ONCE) and sk_type and sk_protocol
	 * plainly: those two are set at socket() and never written again.
	 */
	if (state >= 0 && sk_is_tcp(sk))
		sockfd_put_tcp_cols(&line, sk, state, &o->cc);
	else
		sockfd_put_dashes(&line, COL_TIMER, COL_CC);
	sockfd_put_last_cols(&line, o, sk);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_show_line);

/**
 * sockfd_show_socket - print one line for socket fd @fd of @o's task
 * @m: the seq_file
 * @o: the task's pid and comm (sockfd_owner_set()), and its memos
 * @fd: the descriptor
 * @file: its file, pinned by the caller (a reference)
 * @sock: sock_from_file(@file)
 *
 * The line's socket is the file's own, its inode @file's (SMC: see
 * sockfd_show_line()).
 *
 * Return: 0, or SEQ_SKIP for a socket that has no sock any more.
 */
int sockfd_show_socket(struct seq_file *m, struct sockfd_owner *o,
		       unsigned int fd, struct file *file, struct socket *sock)
{
	return sockfd_show_line(m, o, fd, SOCKET_I(file_inode(file)), sock);
}
