/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockfd: /proc/sockfd lists every file descriptor of every process that
 * refers to a socket. This header joins its parts:
 *   sockfd_proc.c   the proc entry, open and release
 *   sockfd_perm.c   who may see which task: the rule and "unprivileged"
 *   sockfd_walk.c   the walk over tasks and fds, with its resume cursor
 *   sockfd_line.c   one line per socket: the columns every socket has,
 *                   with the line builder of sockfd_line.h
 *   sockfd_inet.c   inet and inet6, and TCP's columns
 *   sockfd_unix.c   unix
 *   sockfd_other.c  netlink, packet, vsock and the rest
 * Kernel-version differences live in sockfd_compat.h only.
 *
 * The chain a line follows, from a process to its connection (each step
 * is named again where the code takes it, "Chain, step N"):
 *   task_struct    a process or thread (found by pid number in the
 *                  reader's pid namespace)
 *   files_struct   its fd table (task->files; threads may share one)
 *   fdtable        the array of open files, indexed by fd number
 *   file           one open file; sock_from_file() gives its socket, if any
 *   socket         the VFS side (socket:[INODE]: its inode number), type
 *   sock           the protocol side (sk): family, state, queues, buffers
 *   inet_sock      addresses and ports (inet, inet6), then tcp_sock for
 *                  TCP queues; unix_sock for a unix socket's name and peer
 */
#ifndef _SOCKFD_H
#define _SOCKFD_H

#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <net/tcp_states.h>

struct file;
struct in6_addr;
struct pid;
struct pid_namespace;
struct socket;
struct task_struct;

/*
 * Room for a line's pid and comm columns: a pid (at most 11 characters)
 * and its space, and a comm of TASK_COMM_LEN - 1 bytes, each escaped to
 * at most four. A multiple of 8: it is copied in words.
 */
#define SOCKFD_OWNER_TEXT	(12 + 4 * (TASK_COMM_LEN - 1))

/*
 * The decimal text printed for @key in a column whose value mostly repeats
 * from line to line, kept to be copied instead of made again.
 */
struct sockfd_memo {
	u64 key;
	bool set;		/* @key and @text are valid */
	unsigned int len;	/* bytes of @text */
	char text[24];		/* a u64 has at most 20 digits; copied in words */
};

/*
 * What every line of one task shares, made once per task and read()
 * (sockfd_owner_set()) for the lines of one seq_file. Lockless: a rename
 * racing with the walk shows in the next read().
 */
struct sockfd_owner {
	char text[SOCKFD_OWNER_TEXT];	/* pid, padded, and comm, escaped */
	unsigned int len;		/* bytes of @text */
	unsigned int comm_start;	/* where comm begins in @text */
	/* A task's sockets mostly share one network namespace and uid. */
	struct sockfd_memo netns;	/* by inode number */
	struct sockfd_memo uid;		/* by kuid, in the reader's user ns */
	struct sockfd_memo cc;		/* TCP's algorithm, by its name */
	/* The fd table's open fds and the soft RLIMIT_NOFILE, if @task_set. */
	bool task_set;
	unsigned int fds;
	unsigned long nofile;
};

/*
 * The line being shown: a socket fd of a task. Its id and fd number are
 * the cursor's (struct sockfd_iter), which stands on it.
 */
struct sockfd_entry {
	struct task_struct *task;	/* reference held while non-NULL */
	struct file *file;		/* reference held while non-NULL */
	struct socket *sock;		/* @file's socket, valid while @file is */
	struct sockfd_owner owner;	/* @task's, made when it was taken */
};

/*
 * What an opener without CAP_SYS_PTRACE over a task sees of it: the module
 * parameter "unprivileged" (sockfd_perm.c), in this order of its names.
 */
enum sockfd_unpriv {
	SOCKFD_UNPRIV_UID,	/* "uid": its own processes, as /proc/PID/fdinfo */
	SOCKFD_UNPRIV_TGID,	/* "tgid": its own thread group only */
	SOCKFD_UNPRIV_NONE,	/* "none": nothing */
};

/* What one open of /proc/sockfd keeps (its seq_file's private data). */
struct sockfd_iter {
	const struct file *proc_file;	/* this open: f_cred is the opener's */
	enum sockfd_unpriv unpriv;	/* the parameter, as at open */
	struct pid_namespace *pid_ns;	/* the procfs instance's; pinned at open */
	struct pid *opener_tgid;	/* the opener's thread group; pinned at open */
	/*
	 * The seq_file was given a large buffer and holds one of the
	 * module's count of them (sockfd_proc.c): set under the seq_file's
	 * lock at its first read() or lseek(), read at release.
	 */
	bool big_buf;
	/*
	 * Resume cursor: the line at seq_file index @index is the first socket
	 * fd at or after fd @fd of the task with id @tid (the fd table's id in
	 * the reader's pid ns). Index 0 is the header.
	 */
	loff_t index;
	pid_t tid;
	unsigned int fd;
	struct sockfd_entry entry;	/* held between start()/next() and stop() */
};

/* sockfd_perm.c */
extern int sockfd_unprivileged;	/* an enum sockfd_unpriv; set at load only */
bool sockfd_may_see_task(const struct sockfd_iter *iter,
			 struct task_struct *task);

/* sockfd_walk.c */
extern const struct seq_operations sockfd_seq_ops;
int sockfd_walk_init(void);

/* sockfd_line.c (sockfd_format_in4/in6: sockfd_inet.c) */
void sockfd_line_init(void);
void sockfd_show_header(struct seq_file *m);
void sockfd_owner_set(struct sockfd_owner *o, pid_t pid, const char *comm);
void sockfd_owner_task(struct sockfd_owner *o, struct task_struct *task);
int sockfd_show_socket(struct seq_file *m, struct sockfd_owner *o,
		       unsigned int fd, struct file *file, struct socket *sock);
int sockfd_show_line(struct seq_file *m, struct sockfd_owner *o,
		     unsigned int fd, struct socket *fsock, struct socket *sock);
size_t sockfd_escape(char *buf, const char *s, size_t len);
/* Room for the longest text of sockfd_format_in4()/in6(), with its NUL. */
#define SOCKFD_IN4_LEN	sizeof("255.255.255.255")
#define SOCKFD_IN6_LEN	sizeof("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")
int sockfd_format_in4(char *buf, __be32 addr);
int sockfd_format_in6(char *buf, const struct in6_addr *a);
/*
 * Every name below is shorter than this; sockfd_puts() copies a name
 * (or a number's prefix) of at most this many bytes.
 */
#define SOCKFD_SHORT_MAX	16

/* The longest decimal text of a value of each type the line prints. */
#define SOCKFD_DEC_U32	(sizeof("4294967295") - 1)
#define SOCKFD_DEC_S32	(sizeof("-2147483648") - 1)
#define SOCKFD_DEC_U64	(sizeof("18446744073709551615") - 1)
/* A name, or a prefix and an int (sockfd_put_name()). */
#define SOCKFD_NAME_NR	(SOCKFD_SHORT_MAX + SOCKFD_DEC_S32)
/* Two u32 values, N/M (retrans, rtt, cwnd). */
#define SOCKFD_PAIR_U32	(2 * SOCKFD_DEC_U32 + 1)
/*
 * The longest end of a connection: [IPv6]:port (53). Shorter: a.b.c.d:port,
 * a unix peer's inode (20), vsock cid:port (21), a packet socket's
 * ifindex/0xPROTO (18), a netlink port (10); names are escaped text.
 */
#define SOCKFD_ADDR_MAX	(1 + SOCKFD_IN6_LEN - 1 + sizeof("]:65535") - 1)

/* A congestion control name, TCP_CA_NAME_MAX - 1 bytes, escaped. */
#define SOCKFD_CC_MAX	(4 * 15)

/*
 * The columns of /proc/sockfd, in file order; later versions may only
 * append (format 2 begins at cookie, format 3 at bytes_sent). For each: its name in the header,
 * the width it is padded to (for `cat`; never truncated), and the longest
 * text the formatter writes in it, escaped text aside (comm, unix and
 * interface names: checked as they are written). This table is the one
 * place that gives the columns' names, widths and lengths: the header
 * (sockfd_line.c's names), the padding (sockfd_col_width(), sockfd_line.h)
 * and the line's room (SOCKFD_LINE_ROOM) are made from it. Each
 * SOCKFD_COL(id, name, width, max, next) holds the columns after it in
 * @next, SOCKFD_COL_END after the last: the user defines both.
 */
#define SOCKFD_COLUMNS							\
	SOCKFD_COL(PID, "pid", 7, SOCKFD_DEC_S32,			\
	SOCKFD_COL(COMM, "comm", 15, 1,	/* "-", or escaped */		\
	SOCKFD_COL(FD, "fd", 5, SOCKFD_DEC_U32,				\
	SOCKFD_COL(INO, "ino", 9, SOCKFD_DEC_U64,			\
	SOCKFD_COL(NETNS, "netns", 10, SOCKFD_DEC_U32,			\
	SOCKFD_COL(FAMILY, "family", 7, SOCKFD_NAME_NR,			\
	SOCKFD_COL(TYPE, "type", 9, SOCKFD_NAME_NR,			\
	SOCKFD_COL(PROTO, "proto", 8, SOCKFD_NAME_NR,			\
	SOCKFD_COL(STATE, "state", 11, SOCKFD_NAME_NR,			\
	SOCKFD_COL(LOCAL, "local", 21, SOCKFD_ADDR_MAX,			\
	SOCKFD_COL(REMOTE, "remote", 21, SOCKFD_ADDR_MAX,		\
	SOCKFD_COL(TXQ, "txq", 7, SOCKFD_DEC_U32,			\
	SOCKFD_COL(RXQ, "rxq", 7, SOCKFD_DEC_U32,			\
	SOCKFD_COL(RMEM, "rmem", 7, SOCKFD_DEC_S32,			\
	SOCKFD_COL(RCVBUF, "rcvbuf", 7, SOCKFD_DEC_S32,			\
	SOCKFD_COL(WMEM, "wmem", 7, SOCKFD_DEC_S32,			\
	SOCKFD_COL(SNDBUF, "sndbuf", 7, SOCKFD_DEC_S32,			\
	SOCKFD_COL(UID, "uid", 5, SOCKFD_DEC_U32,			\
	SOCKFD_COL(COOKIE, "cookie", 8, SOCKFD_DEC_U64,			\
	SOCKFD_COL(CGROUP, "cgroup", 6, SOCKFD_DEC_U64,			\
	SOCKFD_COL(DROPS, "drops", 5, SOCKFD_DEC_U32,			\
	/* "retransmit" (a name), "/" and the ms (an unsigned int) */	\
	SOCKFD_COL(TIMER, "timer", 17, SOCKFD_SHORT_MAX + 1 + SOCKFD_DEC_U32, \
	SOCKFD_COL(RETRANS, "retrans", 7, SOCKFD_PAIR_U32,		\
	SOCKFD_COL(RTT, "rtt", 13, SOCKFD_PAIR_U32,			\
	SOCKFD_COL(CWND, "cwnd", 9, SOCKFD_PAIR_U32,			\
	/* format 3: TCP_INFO's counters, rates and algorithm */	\
	SOCKFD_COL(BYTES_SENT, "bytes_sent", 10, SOCKFD_DEC_U64,	\
	SOCKFD_COL(BYTES_ACKED, "bytes_acked", 11, SOCKFD_DEC_U64,	\
	SOCKFD_COL(BYTES_RECEIVED, "bytes_received", 14, SOCKFD_DEC_U64, \
	SOCKFD_COL(BYTES_RETRANS, "bytes_retrans", 13, SOCKFD_DEC_U64,	\
	SOCKFD_COL(SEGS_OUT, "segs_out", 8, SOCKFD_DEC_U32,		\
	SOCKFD_COL(SEGS_IN, "segs_in", 7, SOCKFD_DEC_U32,		\
	SOCKFD_COL(LASTSND, "lastsnd", 7, SOCKFD_DEC_U32,		\
	SOCKFD_COL(LASTRCV, "lastrcv", 7, SOCKFD_DEC_U32,		\
	SOCKFD_COL(LASTACK, "lastack", 7, SOCKFD_DEC_U32,		\
	SOCKFD_COL(NOTSENT, "notsent", 7, SOCKFD_DEC_U32,		\
	SOCKFD_COL(MIN_RTT, "min_rtt", 7, SOCKFD_DEC_U32,		\
	SOCKFD_COL(DELIVERY_RATE, "delivery_rate", 13, SOCKFD_DEC_U64,	\
	SOCKFD_COL(PACING_RATE, "pacing_rate", 11, SOCKFD_DEC_U64,	\
	SOCKFD_COL(CC, "cc", 7, SOCKFD_CC_MAX,				\
	/* format 3: what SO_MEMINFO adds, for every socket */		\
	SOCKFD_COL(WMEM_QUEUED, "wmem_queued", 11, SOCKFD_DEC_S32,	\
	SOCKFD_COL(FWD_ALLOC, "fwd_alloc", 9, SOCKFD_DEC_S32,		\
	SOCKFD_COL(OPTMEM, "optmem", 6, SOCKFD_DEC_S32,		\
	SOCKFD_COL(BACKLOG, "backlog", 7, SOCKFD_DEC_S32,		\
	/* format 3: the fd table's task, as for pid and comm */	\
	SOCKFD_COL(FDS, "fds", 5, SOCKFD_DEC_U32,			\
	SOCKFD_COL(NOFILE, "nofile", 0, SOCKFD_DEC_U64,		\
	SOCKFD_COL_END)))))))))))))))))))))))))))))))))))))))))))))

/* The columns, in file order: as SOCKFD_COLUMNS lists them. */
enum sockfd_col {
	COL_PID, COL_COMM, COL_FD, COL_INO, COL_NETNS, COL_FAMILY, COL_TYPE,
	COL_PROTO, COL_STATE, COL_LOCAL, COL_REMOTE, COL_TXQ, COL_RXQ,
	COL_RMEM, COL_RCVBUF, COL_WMEM, COL_SNDBUF, COL_UID,
	/* format 2 */
	COL_COOKIE, COL_CGROUP, COL_DROPS, COL_TIMER, COL_RETRANS, COL_RTT,
	COL_CWND,
	/* format 3 */
	COL_BYTES_SENT, COL_BYTES_ACKED, COL_BYTES_RECEIVED, COL_BYTES_RETRANS,
	COL_SEGS_OUT, COL_SEGS_IN, COL_LASTSND, COL_LASTRCV, COL_LASTACK,
	COL_NOTSENT, COL_MIN_RTT, COL_DELIVERY_RATE, COL_PACING_RATE, COL_CC,
	COL_WMEM_QUEUED, COL_FWD_ALLOC, COL_OPTMEM, COL_BACKLOG, COL_FDS,
	COL_NOFILE, COL_COUNT
};

/*
 * What a line may write past the end of the column it is in: padding goes
 * in whole 8-byte words, up to the width and the space rounded up to 8
 * (24 for the widest column, 21), and a memo's text is copied whole
 * (struct sockfd_memo: 24 bytes). sockfd_show_header() checks both at build
 * time.
 */
#define SOCKFD_LINE_SLACK	24

/*
 * A line begins only with this many bytes free in the seq_file's buffer:
 * room for all of it but its escaped text, which is checked as it is
 * written (sockfd_line.h). Each column takes at most its width, its
 * longest text or its name, whichever is longest (the size of a union of
 * the three: a constant expression, which max() is not in every kernel),
 * and a space (the newline after the last); then SOCKFD_LINE_SLACK.
 */
#define SOCKFD_COL(id, name, width, max, next)				\
	(sizeof(union { char w[width]; char t[max]; char n[sizeof(name) - 1]; }) \
	 + 1 + (next))
#define SOCKFD_COL_END	0
enum { SOCKFD_LINE_ROOM = SOCKFD_COLUMNS + SOCKFD_LINE_SLACK };
#undef SOCKFD_COL
#undef SOCKFD_COL_END

/*
 * A line with "-" in every column (sockfd_put_dashes()): each column's
 * width or its dash, whichever is longer (the size of a union, as below),
 * and its space.
 */
#define SOCKFD_COL(id, name, width, max, next)				\
	(sizeof(union { char w[width]; char dash; }) + 1 + (next))
#define SOCKFD_COL_END	0
enum { SOCKFD_DASH_LINE_LEN = SOCKFD_COLUMNS };
#undef SOCKFD_COL
#undef SOCKFD_COL_END

const char *sockfd_family_name(int family);
const char *sockfd_type_name(int type);
const char *sockfd_inet_proto_name(int protocol);
const char *sockfd_netlink_proto_name(int protocol);

/*
 * The kernel's names for sk_state (sockfd_line.c), looked up inline: each
 * family's file names a state on nearly every line. NULL for a number
 * without a name.
 */
#define SOCKFD_STATE_NAMES	(TCP_NEW_SYN_RECV + 1)
extern const char *const sockfd_state_names[SOCKFD_STATE_NAMES];

static inline const char *sockfd_state_name(int state)
{
	return (unsigned int)state < SOCKFD_STATE_NAMES ?
	       sockfd_state_names[state] : NULL;
}

#endif /* _SOCKFD_H */
