/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels sockfd supports (5.10 and later)
 * lives here, as small shims; the rest of the code sees one call for each
 * job. Each shim picks by a SOCKFD_HAVE_* flag that Kbuild sets by probing
 * the target kernel's own headers (the probe names the symbol it looks
 * for), never by the version number: distribution kernels backport.
 */
#ifndef _SOCKFD_COMPAT_H
#define _SOCKFD_COMPAT_H

#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>

#ifdef SOCKFD_HAVE_KUNIT_VISIBILITY
#include <kunit/visibility.h>
#else
/*
 * No kunit/visibility.h (5.10; SOCKFD_HAVE_KUNIT_VISIBILITY is Kbuild
 * finding EXPORT_SYMBOL_IF_KUNIT there): nothing is exported for the KUnit
 * module, which tests/vm builds only for the 7.x debug kernel.
 */
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#endif

#ifdef SOCKFD_HAVE_TASK_EXEC_STATE
#include <linux/sched/exec_state.h>
#else
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/user_namespace.h>
#endif

/*
 * Constants newer than 5.10, defined where the target's headers lack them
 * (the probe is the macro itself): the family and protocol names
 * sockfd_line.c knows. No socket of them can exist on such a kernel.
 */
#ifndef AF_MCTP
#define AF_MCTP		45	/* 5.15, include/linux/socket.h */
#endif
#ifndef IPPROTO_L2TP
#define IPPROTO_L2TP	115	/* 5.11, include/uapi/linux/in.h */
#endif

/*
 * sockfd_find_ge_pid - the pid with the lowest id >= @nr in @ns, or NULL.
 * Caller holds rcu_read_lock(). find_ge_pid() (kernel/pid.c) is exported
 * by 6.1 and later, not by 5.10 (Kbuild looks for it in the target's
 * Module.symvers: SOCKFD_HAVE_FIND_GE_PID_EXPORT); without the export, the
 * lookup it makes in 5.10: idr_get_next() on the namespace's pid idr
 * (exported), which passes by ids alloc_pid() reserved but not yet filled
 * (a NULL entry).
 */
static inline struct pid *sockfd_find_ge_pid(int nr, struct pid_namespace *ns)
{
#ifdef SOCKFD_HAVE_FIND_GE_PID_EXPORT
	return find_ge_pid(nr, ns);
#else
	return idr_get_next(&ns->idr, &nr);
#endif
}

#ifndef SOCKFD_HAVE_SK_IS_TCP
/*
 * sk_is_tcp() (5.16, include/net/sock.h) where the headers lack it
 * (SOCKFD_HAVE_SK_IS_TCP: Kbuild looks for "bool sk_is_tcp(" there), as
 * 6.1 defines it: sk_is_inet() (an AF_INET or AF_INET6 socket, sk_family
 * read once) and SOCK_STREAM with IPPROTO_TCP, both fixed at socket().
 */
static inline bool sk_is_tcp(const struct sock *sk)
{
	int family = READ_ONCE(sk->sk_family);

	return (family == AF_INET || family == AF_INET6) &&
	       sk->sk_type == SOCK_STREAM &&
	       sk->sk_protocol == IPPROTO_TCP;
}
#endif

/*
 * sockfd_file_ref_get - take a reference on @file unless its count is
 * already zero (the file is being freed), with the full barrier of a
 * successful atomic RMW: the test __fget_files_rcu() makes.
 * Return: true if a reference was taken (drop it with fput()).
 */
static inline bool sockfd_file_ref_get(struct file *file)
{
#ifdef SOCKFD_HAVE_FILE_REF_GET
	/* 6.13 and later: struct file counts in a file_ref_t. */
	return file_ref_get(&file->f_ref);
#else
	return atomic_long_inc_not_zero(&file->f_count);
#endif
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
#ifndef SOCKFD_HAVE_TASK_EXEC_STATE
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
	 * struct task_exec_state (7.2) holds both, in task->exec_state,
	 * replaced under task_lock and kept after exit_mm() too
	 * (task_dump_owner() and ptrace use it for an exiting task as for a
	 * live one); read as task_exec_state_rcu() (not exported) does.
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
#ifndef SOCKFD_HAVE_SK_UID
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

/* ---- Format 3 (issue 22): added by the i22-fmt3 branch ------------------ */

/*
 * sockfd_sk_forward_alloc - @sk's forward-allocated memory, as
 * sk_get_meminfo() reports it in SK_MEMINFO_FWD_ALLOC: through
 * sk_forward_alloc_get() where the kernel has it (5.15 to 6.x: MPTCP adds
 * its own part), else the field (5.10, and 7.x, which dropped the helper).
 * Lockless there too: a racing line shows either value.
 */
static inline int sockfd_sk_forward_alloc(const struct sock *sk)
{
#ifdef SOCKFD_HAVE_SK_FORWARD_ALLOC_GET
	return sk_forward_alloc_get(sk);
#else
	return READ_ONCE(sk->sk_forward_alloc);
#endif
}

/*
 * sockfd_jiffies_to_msecs - jiffies_to_msecs(), inline where a jiffy is a
 * whole number of ms (HZ 100, 250 or 1000: every Debian kernel), with the
 * formula of kernel/time/time.c. 7.x's <linux/jiffies.h> has the same
 * inline; 5.10 to 6.x have only the exported function, a call per idle
 * time of every TCP line. Not a probe: the answer is the same either way,
 * only where it is computed differs.
 */
static inline unsigned int sockfd_jiffies_to_msecs(unsigned long j)
{
#if !(MSEC_PER_SEC % HZ)
	return (MSEC_PER_SEC / HZ) * j;
#else
	return jiffies_to_msecs(j);
#endif
}

#endif /* _SOCKFD_COMPAT_H */
