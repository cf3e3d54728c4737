/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockfd: /proc/sockfd lists every file descriptor of every process that
 * refers to a socket. This header joins its three parts:
 *   sockfd_proc.c   the proc entry, open and the opener's permissions
 *   sockfd_walk.c   the walk over tasks and fds, with its resume cursor
 *   sockfd_format.c one line per socket, one function per family
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
 * parameter "unprivileged" (sockfd_proc.c), in this order of its names.
 */
enum sockfd_unpriv {
	SOCKFD_UNPRIV_UID,	/* "uid": its own processes, as /proc/PID/fd */
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

/* sockfd_proc.c */
bool sockfd_may_see_task(const struct sockfd_iter *iter,
			 struct task_struct *task);

/* sockfd_walk.c */
extern const struct seq_operations sockfd_seq_ops;
int sockfd_walk_init(void);

/* sockfd_format.c */
void sockfd_show_header(struct seq_file *m);
void sockfd_owner_set(struct sockfd_owner *o, pid_t pid, const char *comm);
int sockfd_show_socket(struct seq_file *m, struct sockfd_owner *o,
		       unsigned int fd, struct socket *sock);
size_t sockfd_escape(char *buf, const char *s, size_t len);
/* Room for the longest text of sockfd_format_in4()/in6(), with its NUL. */
#define SOCKFD_IN4_LEN	sizeof("255.255.255.255")
#define SOCKFD_IN6_LEN	sizeof("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")
int sockfd_format_in4(char *buf, __be32 addr);
int sockfd_format_in6(char *buf, const struct in6_addr *a);
/* Every name below is shorter than this (sockfd_format.c prints them so). */
#define SOCKFD_SHORT_MAX	16
const char *sockfd_family_name(int family);
const char *sockfd_type_name(int type);
const char *sockfd_state_name(int state);
const char *sockfd_inet_proto_name(int protocol);
const char *sockfd_netlink_proto_name(int protocol);

#endif /* _SOCKFD_H */
