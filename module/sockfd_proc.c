// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sockfd: the proc entry, what each open pins, and who may see what.
 *
 * Reading goes open -> cursor -> task -> fd -> socket -> line:
 * sockfd_open() pins the pid namespace and the opener; sockfd_walk.c moves
 * the cursor over tasks and their fds; sockfd_format.c prints each socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>

#include "sockfd.h"
#include "sockfd_compat.h"

static struct proc_dir_entry *sockfd_proc_entry;

/*
 * sockfd_ids_match - do all of the task's uids and gids equal the opener's
 * fsuid and fsgid? (The PTRACE_MODE_FSCREDS comparison.)
 */
static bool sockfd_ids_match(const struct cred *opener, const struct cred *tcred)
{
	return uid_eq(opener->fsuid, tcred->euid) &&
	       uid_eq(opener->fsuid, tcred->suid) &&
	       uid_eq(opener->fsuid, tcred->uid) &&
	       gid_eq(opener->fsgid, tcred->egid) &&
	       gid_eq(opener->fsgid, tcred->sgid) &&
	       gid_eq(opener->fsgid, tcred->gid);
}

/**
 * sockfd_may_see_task - may the opener of /proc/sockfd see @task's fds?
 * @iter: the open file's state
 * @task: a task the caller holds a reference on
 *
 * /proc/PID/fd is guarded by ptrace_may_access(PTRACE_MODE_READ_FSCREDS),
 * which a module cannot call. This is its rule, without the LSM hook: the
 * opener's own thread group; otherwise the task's uids and gids all equal
 * the opener's fsuid/fsgid, or the opener has CAP_SYS_PTRACE in the user
 * namespace of the task's credentials; and then the task is dumpable, or
 * the opener has CAP_SYS_PTRACE in the user namespace it was exec'ed in.
 *
 * The credentials are those the file was opened with (f_cred), never
 * current's: a privileged process handed this fd by an unprivileged one
 * must see no more than the unprivileged opener could.
 *
 * Return: true if the task's sockets may be listed.
 */
bool sockfd_may_see_task(const struct sockfd_iter *iter,
			 struct task_struct *task)
{
	const struct cred *opener = iter->proc_file->f_cred;
	struct user_namespace *dump_ns;
	bool allowed;

	/* task_tgid() reads ->signal, stable while we hold the task. */
	if (task_tgid(task) == iter->opener_tgid)
		return true;

	/* As ptrace_may_access(): dumpability is stable under task_lock. */
	task_lock(task);
	rcu_read_lock();	/* __task_cred() */
	allowed = sockfd_ids_match(opener, __task_cred(task)) ||
		  file_ns_capable(iter->proc_file, __task_cred(task)->user_ns,
				  CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (allowed && !sockfd_task_dumpable(task, &dump_ns))
		allowed = file_ns_capable(iter->proc_file, dump_ns,
					  CAP_SYS_PTRACE);
	task_unlock(task);
	return allowed;
}

static int sockfd_open(struct inode *inode, struct file *file)
{
	struct sockfd_iter *iter;

	/* The file is a report; there is nothing to write to it. */
	if (file->f_mode & FMODE_WRITE)
		return -EACCES;

	iter = __seq_open_private(file, &sockfd_seq_ops, sizeof(*iter));
	if (!iter)
		return -ENOMEM;
	iter->proc_file = file;
	/*
	 * Pids are those of the procfs instance this file was opened
	 * through, as in /proc/PID. Both references are dropped in
	 * sockfd_release().
	 */
	iter->pid_ns = get_pid_ns(proc_pid_ns(inode->i_sb));
	iter->opener_tgid = get_pid(task_tgid(current));
	return 0;
}

static int sockfd_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct sockfd_iter *iter = m->private;

	put_pid(iter->opener_tgid);
	put_pid_ns(iter->pid_ns);
	return seq_release_private(inode, file);
}

static const struct proc_ops sockfd_proc_ops = {
	.proc_open	= sockfd_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= sockfd_release,
};

static int __init sockfd_init(void)
{
	sockfd_proc_entry = proc_create("sockfd", 0444, NULL, &sockfd_proc_ops);
	if (!sockfd_proc_entry)
		return -ENOMEM;
	return 0;
}

static void __exit sockfd_exit(void)
{
	/*
	 * Waits for readers inside a proc_ops call and releases every file
	 * still open, so no call can reach this module once it returns.
	 */
	proc_remove(sockfd_proc_entry);
}

module_init(sockfd_init);
module_exit(sockfd_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("/proc/sockfd: every socket file descriptor of every process");
MODULE_VERSION(SOCKFD_VERSION);
