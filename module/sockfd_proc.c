// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sockfd: the proc entry, what each open pins, and who may see what.
 *
 * Reading goes open -> cursor -> task -> fd -> socket -> line:
 * sockfd_open() pins the pid namespace and the opener; sockfd_walk.c moves
 * the cursor over tasks and their fds; sockfd_format.c prints each socket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uio.h>

#include "sockfd.h"
#include "sockfd_compat.h"

static struct proc_dir_entry *sockfd_proc_entry;

/*
 * The parameter "unprivileged": what openers without CAP_SYS_PTRACE see.
 * Set at load time only (mode 0444: sysfs offers no way to write it), so it
 * is never written while the proc entry exists and a plain read is enough.
 */
static const char * const sockfd_unpriv_names[] = {
	[SOCKFD_UNPRIV_UID]	= "uid",
	[SOCKFD_UNPRIV_TGID]	= "tgid",
	[SOCKFD_UNPRIV_NONE]	= "none",
};

static int sockfd_unprivileged = SOCKFD_UNPRIV_UID;

static int sockfd_unpriv_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(sockfd_unpriv_names, val);

	if (i < 0) {
		pr_err("unprivileged=%s: not one of uid, tgid, none\n", val);
		return -EINVAL;
	}
	*(int *)kp->arg = i;
	return 0;
}

static int sockfd_unpriv_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", sockfd_unpriv_names[*(int *)kp->arg]);
}

static const struct kernel_param_ops sockfd_unpriv_ops = {
	.set	= sockfd_unpriv_set,
	.get	= sockfd_unpriv_get,
};

module_param_cb(unprivileged, &sockfd_unpriv_ops, &sockfd_unprivileged, 0444);
MODULE_PARM_DESC(unprivileged,
		 "What openers without CAP_SYS_PTRACE see: uid (default: their own processes, as /proc/PID/fd), tgid (their own thread group), none");

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

/*
 * sockfd_ptrace_capable - has the opener CAP_SYS_PTRACE in @ns?
 *
 * A walk asks this for many tasks; like the kernel's own walks (/proc/PID/stat
 * uses PTRACE_MODE_NOAUDIT) it should not log a denial per task. Modules get
 * no non-auditing check that takes a cred: ns_capable_noaudit() judges
 * current, has_capability_noaudit() a task, and security_capable() and
 * cap_capable() are not exported (the latter would skip the LSMs' own
 * capability checks anyway). So when the reader is the opener with the very
 * same credentials (the usual case: f_cred is the cred current had at open,
 * and cred structs never change), ns_capable_noaudit() gives f_cred's answer
 * without an audit record; otherwise (a file handed to another process, or
 * the opener changed ids since) file_ns_capable() judges f_cred and may log.
 */
static bool sockfd_ptrace_capable(const struct sockfd_iter *iter,
				  struct user_namespace *ns)
{
	const struct file *file = iter->proc_file;

	if (current_cred() == file->f_cred)
		return ns_capable_noaudit(ns, CAP_SYS_PTRACE);
	return file_ns_capable(file, ns, CAP_SYS_PTRACE);
}

/**
 * sockfd_may_see_task - may the opener of /proc/sockfd see @task's fds?
 * @iter: the open file's state
 * @task: a task the caller holds a reference on
 *
 * /proc/PID/fd is guarded by ptrace_may_access(PTRACE_MODE_READ_FSCREDS),
 * which a module cannot call. This is its rule, without the LSM hook
 * (security_ptrace_access_check() is not exported either): the opener's own
 * thread group; otherwise the task's uids and gids all equal the opener's
 * fsuid/fsgid, or the opener has CAP_SYS_PTRACE in the user namespace of
 * the task's credentials; and then the task is dumpable, or the opener has
 * CAP_SYS_PTRACE in the user namespace the kernel names for a task that is
 * not (sockfd_task_dumpable()).
 *
 * The parameter "unprivileged" narrows the first two ways in: "tgid" drops
 * the uid comparison, "none" the own thread group too. What CAP_SYS_PTRACE
 * grants is unchanged.
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
	const struct cred *tcred;
	struct user_namespace *dump_ns;
	bool allowed;

	/* task_tgid() reads ->signal, stable while we hold the task. */
	if (iter->unpriv != SOCKFD_UNPRIV_NONE &&
	    task_tgid(task) == iter->opener_tgid)
		return true;

	/* As ptrace_may_access(): dumpability is stable under task_lock. */
	task_lock(task);
	rcu_read_lock();	/* __task_cred() */
	tcred = __task_cred(task);
	allowed = (iter->unpriv == SOCKFD_UNPRIV_UID &&
		   sockfd_ids_match(opener, tcred)) ||
		  sockfd_ptrace_capable(iter, tcred->user_ns);
	rcu_read_unlock();
	/*
	 * Read the dumpability after the credentials, as __ptrace_may_access()
	 * does: pairs with the smp_wmb() in commit_creds() between making a
	 * task non-dumpable and installing its new credentials, so a task seen
	 * with its new (dropped) ids is seen non-dumpable too.
	 */
	smp_rmb();
	if (allowed && !sockfd_task_dumpable(task, &dump_ns))
		allowed = sockfd_ptrace_capable(iter, dump_ns);
	task_unlock(task);
	return allowed;
}
EXPORT_SYMBOL_IF_KUNIT(sockfd_may_see_task);

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
