// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sockfd: the proc entry and what each open pins.
 *
 * Reading goes open -> cursor -> task -> fd -> socket -> line:
 * sockfd_open() pins the pid namespace and the opener; sockfd_walk.c moves
 * the cursor over tasks and their fds, asking sockfd_perm.c which tasks the
 * opener may see; sockfd_line.c prints each socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uio.h>

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
 * How many files may hold a SOCKFD_SEQ_BUF_SIZE buffer at once, module-wide.
 * A file keeps its buffer from its first read() to its close, so without a
 * bound anyone could pin 64 KiB per open file, RLIMIT_NOFILE times per
 * process. The buffer saves time only while a read() formats lines, which
 * at most one reader per CPU does at any instant; readers also keep files
 * open between reads (parsing what they read, an agent between scrapes),
 * hence 4 per possible CPU, and at least 16: 1 MiB on a 2-CPU machine,
 * 256 KiB per CPU on larger ones. Beyond the bound a file reads through
 * seq_file's own page, as any proc file does: the same bytes, in 16 times
 * as many read() calls. Set at load (sockfd_init()), read-only after.
 */
#define SOCKFD_BIG_BUFS_PER_CPU	4
#define SOCKFD_BIG_BUFS_MIN	16
static unsigned int sockfd_big_bufs_max __ro_after_init;
/* Files whose sockfd_iter.big_buf is set: at most sockfd_big_bufs_max. */
static atomic_t sockfd_big_bufs = ATOMIC_INIT(0);

/*
 * sockfd_seq_buf_get - before the first read() or lseek() of @m fills its
 * buffer, give it a SOCKFD_SEQ_BUF_SIZE one if fewer than the bound exist.
 *
 * Nothing large is allocated at open: a file opened and never read costs
 * only its small structures. Under m->lock, the lock seq_read_iter() and
 * seq_lseek() hold while they use m->buf: two threads reading one file
 * cannot both allocate, and seq_file has not given the file its own page
 * yet while m->buf is NULL. Once m->buf is set (this buffer or seq_file's
 * page) the file keeps it: seq_file would replace it only for a record
 * that overflows an empty buffer, and a line (SOCKFD_LINE_ROOM plus its
 * escaped names, under 2 KiB) never overflows even a page. The count goes
 * with iter->big_buf, not with the buffer, so it would be given back
 * once, at release, even if seq_file had replaced the buffer.
 *
 * The buffer is accounted to the reader's memory cgroup, as seq_file's own
 * page is, and asked for only if it comes easily: no retries, no warning,
 * and no OOM killer when the cgroup is near its limit (__GFP_NORETRY;
 * vmalloc, kvmalloc's fallback, would retry up to the OOM killer). Without
 * it seq_file allocates its page, as usual; seq_release() frees either
 * with kvfree(). A kmalloc this large comes from the page allocator
 * (kmalloc_large), and is counted as unreclaimable slab.
 */
static void sockfd_seq_buf_get(struct seq_file *m)
{
	struct sockfd_iter *iter = m->private;

	mutex_lock(&m->lock);
	/* A count is taken once per file, and given back at release only. */
	if (m->buf || iter->big_buf ||
	    !atomic_add_unless(&sockfd_big_bufs, 1, sockfd_big_bufs_max))
		goto out;
	m->buf = kmalloc(SOCKFD_SEQ_BUF_SIZE,
			 GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	if (m->buf) {
		m->size = SOCKFD_SEQ_BUF_SIZE;
		iter->big_buf = true;
	} else {
		atomic_dec(&sockfd_big_bufs);
	}
out:
	mutex_unlock(&m->lock);
}

static ssize_t sockfd_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	/* seq_read_iter() fills no buffer for an empty read: nor do we. */
	if (iov_iter_count(to))
		sockfd_seq_buf_get(iocb->ki_filp->private_data);
	return seq_read_iter(iocb, to);
}

/*
 * seq_file walks up to an lseek()'s offset in the file's buffer
 * (traverse()), which it allocates then if there is none: an lseek() before
 * the first read() takes the buffer as that read() would.
 */
static loff_t sockfd_lseek(struct file *file, loff_t offset, int whence)
{
	sockfd_seq_buf_get(file->private_data);
	return seq_lseek(file, offset, whence);
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
	bool big_buf = iter->big_buf;
	int ret;

	put_pid(iter->opener_tgid);
	put_pid_ns(iter->pid_ns);
	ret = seq_release_private(inode, file);	/* frees m->buf and iter */
	/* The file's count of sockfd_big_bufs, if it took one: now freed. */
	if (big_buf)
		atomic_dec(&sockfd_big_bufs);
	return ret;
}

static const struct proc_ops sockfd_proc_ops = {
	.proc_open	= sockfd_open,
	.proc_read_iter	= sockfd_read_iter,
	.proc_lseek	= sockfd_lseek,
	.proc_release	= sockfd_release,
};

static int __init sockfd_init(void)
{
	int err = sockfd_walk_init();

	if (err)
		return err;
	sockfd_line_init();
	sockfd_big_bufs_max = max_t(unsigned int, SOCKFD_BIG_BUFS_MIN,
				    SOCKFD_BIG_BUFS_PER_CPU * num_possible_cpus());
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
