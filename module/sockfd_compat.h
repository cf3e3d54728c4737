/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels sockfd supports (6.1 and later)
 * lives here; the rest of the code sees one call for each job.
 */
#ifndef _SOCKFD_COMPAT_H
#define _SOCKFD_COMPAT_H

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/version.h>
#include <net/sock.h>

/*
 * True when building for a kernel older than @major.@minor. The one use of
 * LINUX_VERSION_CODE: checkpatch discourages it for in-tree code, but a
 * module built for several kernels has no other way (make check passes
 * --ignore LINUX_VERSION_CODE for this reason alone).
 */
#define SOCKFD_KERNEL_BEFORE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) > LINUX_VERSION_CODE)

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

/* sockfd_sock_uid - the uid owning @sk. */
static inline kuid_t sockfd_sock_uid(struct sock *sk)
{
#if SOCKFD_KERNEL_BEFORE(6, 16)
	return sock_i_uid(sk);
#else
	return sk_uid(sk);
#endif
}

#endif /* _SOCKFD_COMPAT_H */
