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

/*
 * sockfd_fget_next - the first open file of @task at fd *@fd or above.
 * Sets *@fd to its number. Returns it with a reference held (drop it with
 * fput()), or NULL when the task has no such fd (or no fd table).
 */
static inline struct file *sockfd_fget_next(struct task_struct *task,
					    unsigned int *fd)
{
	struct file *file;

#if SOCKFD_KERNEL_BEFORE(6, 7)
	/*
	 * The lookup returns a borrowed file, valid under RCU only; take a
	 * reference unless its count already hit zero (being closed: skip it).
	 */
	rcu_read_lock();
	for (;; (*fd)++) {
		file = task_lookup_next_fd_rcu(task, fd);
		if (!file || get_file_rcu(file))
			break;
	}
	rcu_read_unlock();
#elif SOCKFD_KERNEL_BEFORE(6, 13)
	/* The lookup itself takes the reference. */
	rcu_read_lock();
	file = task_lookup_next_fdget_rcu(task, fd);
	rcu_read_unlock();
#else
	/* Takes task_lock and the reference itself. */
	file = fget_task_next(task, fd);
#endif
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

/* sockfd_sock_uid - the uid owning @sk. */
static inline kuid_t sockfd_sock_uid(struct sock *sk)
{
#if SOCKFD_KERNEL_BEFORE(6, 16)
	return sock_i_uid(sk);
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
