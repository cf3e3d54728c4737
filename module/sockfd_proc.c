// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sockfd: the proc entry and what each open pins.
 *
 * Reading goes open -> cursor -> task -> fd -> socket -> line:
 * sockfd_open() pins the pid namespace and the opener; sockfd_walk.c moves
 * the cursor over tasks and their fds, asking sockfd_perm.c which tasks the
 * opener may see; sockfd_format.c prints each socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>

#include "sockfd.h"

static struct proc_dir_entry *sockfd_proc_entry;

/*
 * Bytes of the seq_file buffer: what one read() can return. seq_file's
 * own page (4 KiB) holds some 16 lines, and each read() of it costs a
 * system call, a start() and stop() of the walk (a task and a file
 * reference taken and dropped) and one line formatted in vain, the one
 * that did not fit: a sixth of the time of `cat /proc/sockfd`. 64 KiB
 * holds some 250 lines, as single_open_size() sizes a buffer up front.
 */
#define SOCKFD_SEQ_BUF_SIZE	(64 * 1024)

/*
 * sockfd_alloc_seq_buf - give @m its buffer at open, accounted to the
 * opener's memory cgroup as seq_file's own. The buffer only saves time,
 * so it is asked for only if it comes easily: no retries, no warning, and
 * no OOM killer when the cgroup is near its limit (__GFP_NORETRY; vmalloc,
 * kvmalloc's fallback, would retry up to the OOM killer). Without it,
 * seq_file allocates its page at the first read(), as usual; seq_release()
 * frees either with kvfree().
 */
static void sockfd_alloc_seq_buf(struct seq_file *m)
{
	m->buf = kmalloc(SOCKFD_SEQ_BUF_SIZE,
			 GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	if (m->buf)
		m->size = SOCKFD_SEQ_BUF_SIZE;
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
	sockfd_alloc_seq_buf(file->private_data);
	iter->proc_file = file;
	iter->unpriv = sockfd_unprivileged;
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
	int err = sockfd_walk_init();

	if (err)
		return err;
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
