/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels sockfd supports (6.1 and later)
 * lives here; the rest of the code sees one call for each job.
 */
#ifndef _SOCKFD_COMPAT_H
#define _SOCKFD_COMPAT_H

#include <linux/cgroup.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/version.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>

/*
 * True when building for a kernel older than @major.@minor. The one use of
 * LINUX_VERSION_CODE: checkpatch discourages it for in-tree code, but a
 * module built for several kernels has no other way (make check passes
 * --ignore LINUX_VERSION_CODE for this reason alone).
 */
#define SOCKFD_KERNEL_BEFORE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

#if SOCKFD_KERNEL_BEFORE(7, 2)
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/user_namespace.h>
#else
#include <linux/sched/exec_state.h>
#endif

/* How many fds sockfd_fget_next_socket() looks at per lock hold. */
#define SOCKFD_FD_BATCH	1024

/*
 * sockfd_get_file_rcu - a reference on the file at fd @fd of @files, whose
 * table @fdt the walk read and whose slot held @seen, a socket. Caller holds
 * rcu_read_lock() and task_lock() (which keeps @files).
 *
 * Return: the file with a reference held (drop it with fput()); NULL if the
 * fd is being closed (skip it, as the kernel's fd lookups do);
 * ERR_PTR(-EAGAIN) if the slot or the table changed since they were read:
 * read them again.
 */
static inline struct file *sockfd_get_file_rcu(struct files_struct *files,
					       struct fdtable *fdt,
					       unsigned int fd,
					       struct file *seen)
{
	struct file *file;

#if SOCKFD_KERNEL_BEFORE(6, 7)
	/*
	 * Files are freed after an RCU grace period (file_free_rcu()), so
	 * @seen is still that file: take a reference unless its count hit
	 * zero (being closed).
	 */
	file = get_file_rcu(seen) ? seen : NULL;
#else
	/*
	 * Files are SLAB_TYPESAFE_BY_RCU: @seen may have been freed and
	 * reused by another file since it was read. get_file_rcu() takes a
	 * reference on whatever file the slot holds now, checking that the
	 * slot still points to it; the caller tests that one again.
	 */
	file = get_file_rcu(&fdt->fd[fd]);
#endif
	if (!file)
		return NULL;
	/*
	 * As __fget_files_rcu() does: the reference is the fd's only if the
	 * slot still holds the file and expand_files() has not replaced the
	 * table meanwhile (a close() after that empties only the new table's
	 * slot). Lockless reads, ordered after the reference's full barrier.
	 */
	if (unlikely(rcu_dereference_raw(fdt->fd[fd]) != file ||
		     rcu_dereference_raw(files->fdt) != fdt)) {
		fput(file);	/* not the fd's: drop the reference taken above */
		return ERR_PTR(-EAGAIN);
	}
	return file;
}

/*
 * sockfd_scan_fds - the first fd in *@fd to @max - 1 of @fdt whose file has
 * the sockets' file_operations @sock_fops (the comparison sock_from_file()
 * makes, inline: most fds are passed by). Sets *@fd to it and returns its
 * file, or sets *@fd to where the scan stopped and returns NULL. No reference is taken; the
 * caller's rules hold (sockfd_fget_next_socket()).
 */
static inline struct file *sockfd_scan_fds(struct fdtable *fdt,
					   unsigned int *fd, unsigned int max,
					   const struct file_operations *sock_fops)
{
	struct file *seen;
	unsigned int i;

	for (i = *fd; i < max; i++) {
		/* Lockless: close() and dup2() change the slot. */
		seen = rcu_dereference_raw(fdt->fd[i]);
		/* Lockless: ->f_op of a file being closed, see the caller. */
		if (seen && READ_ONCE(seen->f_op) == sock_fops) {
			*fd = i;
			return seen;
		}
	}
	*fd = i;
	return NULL;
}

/**
 * sockfd_fget_next_socket - the first socket among the open files of @task
 *	at fd *@fd or above, passing every other file by without a reference
 * @task: the task (a reference held by the caller)
 * @fd: where to start; set to the fd of the file returned, or to where the
 *	look stopped
 * @sock_fops: the sockets' file_operations (net/socket.c's
 *	socket_file_ops, which every socket file has)
 *
 * Most fds of most processes are not sockets: taking and dropping a
 * reference on each (two atomic operations on a shared cache line, and an
 * fput()) only to skip it cost more than the test. So, under task_lock()
 * (which keeps ->files from being freed or replaced) and rcu_read_lock()
 * (which keeps the fd array, replaced by expand_files(), and the files it
 * points to), the walk reads each slot and compares the file's ->f_op with
 * @sock_fops (sockfd_scan_fds()). The file may be closed meanwhile, its
 * count already zero; what that read can answer:
 *
 * - 6.1 (before 6.7): files are freed after an RCU grace period
 *   (file_free_rcu()), so the memory is still that file: the answer is
 *   about the file the fd held when the slot was read, a true one.
 * - 6.7 and later (6.12, 7.2): files are SLAB_TYPESAFE_BY_RCU, the memory
 *   may already be another file. Its count hit zero, so it had left the fd
 *   table: a "not a socket" then skips an fd that was closed meanwhile, as
 *   a walk a moment later would; a "socket" leads to get_file_rcu(), which
 *   takes a reference on the file the slot holds now (or none), and the
 *   caller tests that file with sock_from_file() again, under its
 *   reference (a file that is not a socket is put back and passed by).
 *
 * The fd array is read once per look, not once per fd: if expand_files()
 * replaces it meanwhile, the old one still holds every fd that was open
 * before (it was copied from it), so an fd open during the whole walk is
 * never missed; one opened during it may or may not be seen, as in any
 * walk. A socket found is taken only if the array is still the table's
 * (sockfd_get_file_rcu()).
 *
 * The reference is taken the way the kernel's own fd lookups take it
 * (task_lookup_next_fd_rcu() and get_file_rcu() on 6.1,
 * task_lookup_next_fdget_rcu() / fget_task_next() from 6.7): this helper
 * is theirs, with the test moved before the reference and their checks
 * after it (sockfd_get_file_rcu()).
 *
 * Return: the file with a reference held (drop it with fput()); NULL when
 * the task has no socket fd at or above *@fd (or no fd table);
 * ERR_PTR(-EAGAIN) after %SOCKFD_FD_BATCH fds without one: *@fd is then
 * the next fd to look at, and the caller may cond_resched() first.
 */
static inline struct file *
sockfd_fget_next_socket(struct task_struct *task, unsigned int *fd,
			const struct file_operations *sock_fops)
{
	unsigned int end = *fd + SOCKFD_FD_BATCH, max;
	struct file *file = NULL, *seen;
	struct files_struct *files;
	struct fdtable *fdt;

	rcu_read_lock();
	task_lock(task);
	files = task->files;
	while (files) {
		/* Read again after a change: expand_files() may replace it. */
		fdt = files_fdtable(files);
		max = min(fdt->max_fds, end);
		seen = sockfd_scan_fds(fdt, fd, max, sock_fops);
		if (!seen) {
			if (max == end)
				file = ERR_PTR(-EAGAIN);
			break;
		}
		file = sockfd_get_file_rcu(files, fdt, *fd, seen);
		if (file == ERR_PTR(-EAGAIN)) {
			file = NULL;
			continue;	/* changed: the same fd again */
		}
		if (file)
			break;
		(*fd)++;	/* being closed: passed by */
	}
	task_unlock(task);
	rcu_read_unlock();
	return file;
}

/*
 * sockfd_task_dumpable - is @task dumpable by its owner, as
 * ptrace_may_access() and the owner of /proc/PID/fd (task_dump_owner()) ask?
 * If not, sets *@user_ns to the namespace in which CAP_SYS_PTRACE is needed
 * instead. Caller holds task_lock(@task), which keeps ->mm (and so
 * *@user_ns) in place.
 */
static inline bool sockfd_task_dumpable(struct task_struct *task,
					struct user_namespace **user_ns)
{
#if SOCKFD_KERNEL_BEFORE(7, 2)
	/* Both live in the mm, stable under task_lock. */
	struct mm_struct *mm = task->mm;

	if (mm) {
		if (get_dumpable(mm) == SUID_DUMP_USER)
			return true;
		*user_ns = mm->user_ns;
		return false;
	}
	/*
	 * No mm: a kernel thread, or a task between exit_mm() and the end of
	 * its exit (exit_files() comes later: its fds are still there). Its
	 * /proc/PID/fd then belongs to root (task_dump_owner(), fs/proc/base.c),
	 * whatever the dumpability exit_mm() saved for ptrace (user_dumpable,
	 * in Debian's stable updates) says: only a reader with CAP_SYS_PTRACE
	 * in the initial namespace (root) still sees it.
	 */
	*user_ns = &init_user_ns;
	return false;
#else
	/*
	 * 7.2 moved both to task->exec_state, replaced under task_lock and
	 * kept after exit_mm() too (task_dump_owner() and ptrace use it for an
	 * exiting task as for a live one); read as task_exec_state_rcu() (not
	 * exported) does.
	 */
	const struct task_exec_state *es =
		rcu_dereference_protected(task->exec_state,
					  lockdep_is_held(&task->alloc_lock));

	if (READ_ONCE(es->dumpable) == TASK_DUMPABLE_OWNER)
		return true;
	*user_ns = es->user_ns;
	return false;
#endif
}

/*
 * SIOCINQ/SIOCOUTQ of a unix socket: exported (GPL) by every supported
 * kernel, but 7.2 moved the prototypes to the private net/unix/af_unix.h.
 * Declaring them again is harmless where include/net/af_unix.h still does.
 */
long unix_inq_len(struct sock *sk);
long unix_outq_len(struct sock *sk);

/*
 * sockfd_sock_uid - the uid owning @sk, the sock of @sock (which the
 * caller's file reference holds), as /proc/net/tcp shows it.
 */
static inline kuid_t sockfd_sock_uid(struct socket *sock, struct sock *sk)
{
#if SOCKFD_KERNEL_BEFORE(6, 16)
	/*
	 * What sock_i_uid(sk) returns: the owner of the socket inode. It reads
	 * sk->sk_socket under sk_callback_lock because sock_orphan() clears
	 * it when the socket is released; our file reference holds @sock, so
	 * that cannot happen here, and its inode is read directly, without
	 * the lock (three calls and a bottom-half toggle a line). Lockless:
	 * fchown() on the socket changes i_uid; a racing line shows either.
	 */
	return READ_ONCE(SOCK_INODE(sock)->i_uid);
#else
	return sk_uid(sk);
#endif
}

/*
 * Format 2 columns. Where a field moved inside a stable series (Debian's
 * 6.1 and 6.12 updates carry backports), Kbuild probes the target's
 * headers and defines SOCKFD_HAVE_*; the choice below follows the probe,
 * never the version number.
 */

/*
 * sockfd_sk_drops - packets dropped for @sk, as SO_MEMINFO's
 * SK_MEMINFO_DROPS and /proc/net/udp's drops column (lockless there too).
 */
static inline unsigned int sockfd_sk_drops(const struct sock *sk)
{
#ifdef SOCKFD_HAVE_SK_DROPS_READ
	/* Per-NUMA counters; the old atomic alone reads 0 on UDP. */
	return sk_drops_read(sk);
#else
	return atomic_read(&sk->sk_drops);
#endif
}

/*
 * sockfd_sk_cgroup_id - the cgroup v2 id of @sk's cgroup (the one
 * `ss --cgroup` and cgroup BPF programs see), as inet_diag reads it: with
 * no lock, the socket holds a reference on its cgroup. False when the
 * kernel keeps no cgroup per socket.
 */
static inline bool sockfd_sk_cgroup_id(struct sock *sk, u64 *id)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	*id = cgroup_id(sock_cgroup_ptr(&sk->sk_cgrp_data));
	return true;
#else
	return false;
#endif
}

/*
 * sockfd_tcp_timeout - when TCP's write timer (retransmit, probe0) fires,
 * in jiffies, read as the same kernel's get_tcp4_sock() reads it:
 * tcp_timeout_expires(sk) (7.x), icsk_timeout(icsk) (6.15+), else the
 * icsk_timeout field.
 */
static inline unsigned long sockfd_tcp_timeout(const struct sock *sk)
{
#if defined(SOCKFD_HAVE_TCP_TIMEOUT_EXPIRES)
	return tcp_timeout_expires(sk);
#elif defined(SOCKFD_HAVE_ICSK_TIMEOUT_FN)
	return icsk_timeout(inet_csk(sk));
#else
	return READ_ONCE(inet_csk(sk)->icsk_timeout);
#endif
}

/*
 * sockfd_tcp_keepalive_timer - @sk's keepalive timer. The backport "tcp:
 * introduce icsk->icsk_keepalive_timer" (in Debian's 6.1 and 6.12 updates,
 * and in 7.x) moved it out of sk->sk_timer; get_tcp4_sock() tests the one
 * the kernel arms.
 */
static inline struct timer_list *sockfd_tcp_keepalive_timer(struct sock *sk)
{
#ifdef SOCKFD_HAVE_ICSK_KEEPALIVE_TIMER
	return &inet_csk(sk)->icsk_keepalive_timer;
#else
	return &sk->sk_timer;
#endif
}

/*
 * sockfd_tcp_keepalive_pending - is @sk's keepalive timer pending? If so,
 * *@expires gets when it fires. Lockless, as get_tcp4_sock() reads it.
 */
static inline bool sockfd_tcp_keepalive_pending(struct sock *sk,
						unsigned long *expires)
{
	const struct timer_list *t = sockfd_tcp_keepalive_timer(sk);

	if (!timer_pending(t))
		return false;
	*expires = READ_ONCE(t->expires);
	return true;
}

#endif /* _SOCKFD_COMPAT_H */
