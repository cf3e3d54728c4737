// SPDX-License-Identifier: GPL-2.0
/*
 * The walk behind /proc/sockfd: tasks in id order in the reader's pid
 * namespace, then each task's fds in order, resumed from a (tid, fd) cursor.
 *
 * seq_file calls start() at the beginning of every read() with the index of
 * the first line it still needs, which is always the index the cursor
 * stands at (the previous read() stopped there): the walk goes on from
 * (tid, fd) without re-walking what was already shown, so reading N lines
 * costs O(N) whatever the read size. An lseek() (or pread()) to another
 * offset costs a walk from the start: seq_file's traverse() calls start()
 * at index 0 and next() up to the new offset, O(lines before it). The
 * cursor only moves forward, so no (pid, fd) is shown twice in one pass,
 * whatever exits or closes meanwhile.
 */
#include <linux/err.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/init.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>

#include "sockfd.h"
#include "sockfd_compat.h"

/*
 * sockfd_lists_fd_table - is @task (id @nr in @ns) the one to list its fd
 * table under? Each table once: a thread-group leader lists the group's
 * table; another thread lists a table only when the leader does not hold it
 * (the thread unshared it, or the leader has exited) and no live thread of
 * the group with a lower id holds it too. Kernel threads and exiting tasks
 * (no table) are not listed.
 * Caller holds rcu_read_lock() (for ->group_leader and the thread list).
 */
static bool sockfd_lists_fd_table(struct task_struct *task, pid_t nr,
				  struct pid_namespace *ns)
{
	/*
	 * Lockless: ->files changes under task_lock(), ->flags is written by
	 * the task itself. The files pointers are only compared, never
	 * dereferenced; a thread racing with unshare() or exit is listed or
	 * not, either is a true answer at some instant.
	 */
	struct files_struct *files = READ_ONCE(task->files);
	struct task_struct *t;
	pid_t t_nr;

	if (!files || (READ_ONCE(task->flags) & PF_KTHREAD))
		return false;
	if (thread_group_leader(task))
		return true;
	if (files == READ_ONCE(task->group_leader->files))
		return false;
	/* Only here, a pass over the threads: does a lower id share it? */
	for_each_thread(task, t) {
		if (t == task || READ_ONCE(t->files) != files)
			continue;
		t_nr = task_pid_nr_ns(t, ns);	/* 0 once it is unhashed */
		if (t_nr > 0 && t_nr < nr)
			return false;
	}
	return true;
}

/*
 * sockfd_get_task - the first task with id >= iter->tid that lists an fd
 * table and that the opener may see. Moves the cursor to it (fd 0 if the
 * id moved). Returns it with a reference held (put_task_struct()), or NULL
 * when no task is left.
 * Chain, step 1: pid number -> struct pid -> task_struct.
 */
static struct task_struct *sockfd_get_task(struct sockfd_iter *iter)
{
	struct task_struct *task;
	struct pid *pid;
	pid_t nr;

	for (;; iter->tid++, iter->fd = 0) {
		rcu_read_lock();
		pid = sockfd_find_ge_pid(iter->tid, iter->pid_ns);
		if (!pid) {
			rcu_read_unlock();
			return NULL;
		}
		nr = pid_nr_ns(pid, iter->pid_ns);
		if (nr != iter->tid) {
			iter->tid = nr;
			iter->fd = 0;
		}
		task = pid_task(pid, PIDTYPE_PID);
		if (task && sockfd_lists_fd_table(task, nr, iter->pid_ns))
			get_task_struct(task);	/* pins it past rcu_read_unlock() */
		else
			task = NULL;
		rcu_read_unlock();

		if (task) {
			if (sockfd_may_see_task(iter, task))
				return task;
			put_task_struct(task);
		}
		cond_resched();
	}
}

/*
 * The sockets' file_operations (net/socket.c's socket_file_ops, not
 * exported; every socket file has them), learnt at load time from a socket
 * file of our own (sockfd_walk_init()). Written once, before the proc entry
 * exists, so every walk reads the one value.
 */
static const struct file_operations *sockfd_socket_fops __ro_after_init;

/**
 * sockfd_walk_init - learn the sockets' file_operations for the walk
 *
 * A bare socket (sock_create_lite(): no protocol, no sock, nothing but
 * its sockfs inode) gets a file of its own, as accept() gives one; its
 * ->f_op is what every socket file has. The file is then dropped, which
 * releases the socket.
 *
 * Return: 0, or a negative errno (no memory, or an LSM said no).
 */
int __init sockfd_walk_init(void)
{
	struct socket *sock;
	struct file *file;
	int err;

	err = sock_create_lite(AF_UNIX, SOCK_STREAM, 0, &sock);
	if (err)
		return err;
	/* On failure it releases @sock itself. */
	file = sock_alloc_file(sock, 0, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	sockfd_socket_fops = file->f_op;
	fput(file);	/* our only reference: the socket goes with it */
	return 0;
}

/*
 * sockfd_file_socket - the socket of @file, or NULL if it is no socket:
 * what sock_from_file() (net/socket.c) answers in every supported kernel,
 * by the same comparison of ->f_op, made here inline (else a call per
 * line; 5.10's also takes an error pointer). The caller holds a reference
 * on @file, which keeps its ->f_op and the socket sock_alloc_file() put in
 * ->private_data.
 */
static struct socket *sockfd_file_socket(struct file *file)
{
	return file->f_op == sockfd_socket_fops ? file->private_data : NULL;
}

/* How many fds sockfd_fget_next_socket() looks at per lock hold. */
#define SOCKFD_FD_BATCH	1024

/*
 * sockfd_scan_fds - the first fd in *@fd to @max - 1 of @fdt whose file has
 * the sockets' file_operations (the comparison sock_from_file() makes,
 * inline: most fds are passed by). Sets *@fd to it and returns true, or
 * sets *@fd to where the scan stopped and returns false. No reference is
 * taken and no file is returned: the answer is a hint about the fd, which
 * sockfd_fget_next_socket() confirms under a reference of its own.
 * Caller holds rcu_read_lock(), which keeps @fdt (expand_files() frees a
 * replaced one after a grace period) and the memory of the files it points
 * to (see sockfd_fget_next_socket() for what that memory may hold).
 */
static bool sockfd_scan_fds(struct fdtable *fdt, unsigned int *fd,
			    unsigned int max)
{
	struct file *seen;
	unsigned int i;

	for (i = *fd; i < max; i++) {
		/* Lockless: close() and dup2() change the slot. */
		seen = rcu_dereference_raw(fdt->fd[i]);
		/* Lockless: ->f_op of a file that may be closed meanwhile. */
		if (seen && READ_ONCE(seen->f_op) == sockfd_socket_fops) {
			*fd = i;
			return true;
		}
	}
	*fd = i;
	return false;
}

/*
 * sockfd_fget_rcu - a reference on the file open at fd @fd of @files, taken
 * as the kernel's own fd lookup takes it (fs/file.c: __fget_files_rcu() in
 * 6.1, 6.12 and 7.x, __fget_files() in 5.10): read the table and its slot,
 * take a reference unless the count is zero, then check that the slot and
 * the table still hold that file. Every retry reads @files->fdt again.
 *
 * That is what makes the loop end. A slot of the current table never holds
 * a file whose count is zero for long: close() empties the slot before it
 * drops the fd's reference. A table that expand_files() replaced is never
 * written again, so its slot may hold a closed file (count zero, or its
 * memory reused by another file from 6.7, where files are
 * SLAB_TYPESAFE_BY_RCU) for as long as the RCU read lock is held: looping
 * on such a slot (as get_file_rcu() does on 6.7 and later) never ends. A
 * retry here reads the table anew, so it happens only when another task
 * changed the table or the slot since the last try.
 *
 * Caller holds rcu_read_lock() and task_lock() of a task whose ->files is
 * @files (which keeps @files alive), and @fd is below the max_fds of a
 * table @files had: tables only grow, so it is below every later one's.
 * Chain, step 2: files_struct -> fdtable (->fdt) -> file (->fd[@fd]).
 *
 * Return: the file with a reference held (drop it with fput()), or NULL if
 * no file is open at @fd (any more).
 */
static struct file *sockfd_fget_rcu(struct files_struct *files,
				    unsigned int fd)
{
	struct fdtable *fdt;
	struct file *file;

	for (;;) {
		/* Lockless: expand_files() replaces the table. */
		fdt = rcu_dereference_raw(files->fdt);
		/* Lockless: close() and dup2() change the slot. */
		file = rcu_dereference_raw(fdt->fd[fd]);
		if (!file)
			return NULL;
		/* Fails only for a file being freed: read the table again. */
		if (!sockfd_file_ref_get(file))
			continue;
		/*
		 * The reference is the fd's only if the slot still holds the
		 * file and the table is still @files' (a close() after an
		 * expansion empties only the new table's slot). Lockless
		 * reads, ordered after the reference's full barrier.
		 */
		if (likely(rcu_dereference_raw(fdt->fd[fd]) == file &&
			   rcu_dereference_raw(files->fdt) == fdt))
			return file;
		fput(file);	/* not the fd's: drop the reference just taken */
	}
}

/**
 * sockfd_fget_next_socket - the first socket among the open files of @task
 *	at fd *@fd or above, passing every other file by without a reference
 * @task: the task (a reference held by the caller)
 * @fd: where to start; set to the fd of the file returned, or to where the
 *	look stopped
 *
 * Most fds of most processes are not sockets: taking and dropping a
 * reference on each (two atomic operations on a shared cache line, and an
 * fput()) only to skip it cost more than the test. So, under task_lock()
 * (which keeps ->files from being freed or replaced) and rcu_read_lock(),
 * the walk compares each file's ->f_op with the sockets' without a
 * reference (sockfd_scan_fds()), and takes one only on a file that looked
 * like a socket (sockfd_fget_rcu()). The file may be closed meanwhile, its
 * count already zero; what that unreferenced read can answer:
 *
 * - before 6.7 (5.10, 6.1): files are freed after an RCU grace period
 *   (file_free_rcu()), so the memory is still that file: the answer is
 *   about the file the fd held when the slot was read, a true one.
 * - 6.7 and later (6.12, 7.x): files are SLAB_TYPESAFE_BY_RCU, the memory
 *   may already be another file. Its count hit zero, so it had left the fd
 *   table: a "not a socket" then skips an fd that was closed meanwhile, as
 *   a walk a moment later would; a "socket" leads to sockfd_fget_rcu(),
 *   which takes a reference on the file the fd holds now (or none), and
 *   the caller tests that file with sockfd_file_socket(), under its
 *   reference (a file that is not a socket is put back and passed by).
 *
 * The fd array is read once per look, not once per fd: if expand_files()
 * replaces it meanwhile, the old one still holds every fd that was open
 * before (it was copied from it), so an fd open during the whole walk is
 * never missed; one opened during it may or may not be seen, as in any
 * walk. The reference is taken through the table @task has now.
 *
 * Return: the file with a reference held (drop it with fput()); NULL when
 * the task has no socket fd at or above *@fd (or no fd table);
 * ERR_PTR(-EAGAIN) after %SOCKFD_FD_BATCH fds without one: *@fd is then
 * the next fd to look at, and the caller may cond_resched() first.
 */
static struct file *sockfd_fget_next_socket(struct task_struct *task,
					    unsigned int *fd)
{
	unsigned int end = *fd + SOCKFD_FD_BATCH, max;
	struct files_struct *files;
	struct file *file = NULL;
	struct fdtable *fdt;

	rcu_read_lock();
	task_lock(task);
	files = task->files;
	/* Each turn moves *@fd forward or ends: at most a batch of fds. */
	while (files) {
		fdt = files_fdtable(files);
		max = min(fdt->max_fds, end);
		if (!sockfd_scan_fds(fdt, fd, max)) {
			if (max == end)
				file = ERR_PTR(-EAGAIN);
			break;
		}
		file = sockfd_fget_rcu(files, *fd);
		if (file)
			break;
		(*fd)++;	/* closed meanwhile: passed by */
	}
	task_unlock(task);
	rcu_read_unlock();
	return file;
}

/*
 * sockfd_get_socket_file - the first fd >= *@fd of @task whose file is a
 * socket. Sets *@fd to it and *@sock to its socket. Returns the file with
 * a reference held (fput()), or NULL when the task has no more socket fds.
 * Chain, step 2: task_struct -> files_struct (->files) -> fdtable (->fdt,
 * indexed by fd) -> file; sockfd_file_socket() then gives the struct
 * socket.
 */
static struct file *sockfd_get_socket_file(struct task_struct *task,
					   unsigned int *fd,
					   struct socket **sock)
{
	struct file *file;

	/* Each turn moves *@fd forward or ends. */
	for (;;) {
		/* Other files are passed by without a reference. */
		file = sockfd_fget_next_socket(task, fd);
		if (file == ERR_PTR(-EAGAIN)) {
			cond_resched();	/* a long run of other files */
			continue;
		}
		/*
		 * Asked again under the reference: the file found without
		 * one may have been replaced by another one since (6.7+).
		 */
		if (!file)
			return NULL;
		*sock = sockfd_file_socket(file);
		if (*sock)
			return file;
		fput(file);	/* not a socket after all: drop the reference */
		(*fd)++;
	}
}

/* Drop the file reference of the current line. */
static void sockfd_put_file(struct sockfd_entry *e)
{
	if (e->file) {
		fput(e->file);
		e->file = NULL;
		e->sock = NULL;
	}
}

/* Drop every reference the current line holds. */
static void sockfd_put_entry(struct sockfd_entry *e)
{
	sockfd_put_file(e);
	if (e->task) {
		put_task_struct(e->task);
		e->task = NULL;
	}
}

/*
 * sockfd_find - the line at the cursor: the first socket fd at or after
 * (iter->tid, iter->fd). Moves the cursor onto it. Returns the entry, which
 * then holds a task and a file reference, or NULL at the end of the walk,
 * with no reference held.
 */
static struct sockfd_entry *sockfd_find(struct sockfd_iter *iter)
{
	struct sockfd_entry *e = &iter->entry;
	char comm[TASK_COMM_LEN];

	for (;;) {
		if (!e->task) {
			e->task = sockfd_get_task(iter);
			if (!e->task)
				return NULL;
			/* Once per task and read(), not per line. */
			get_task_comm(comm, e->task);
			sockfd_owner_set(&e->owner, iter->tid, comm);
			sockfd_owner_task(&e->owner, e->task);
		}
		e->file = sockfd_get_socket_file(e->task, &iter->fd, &e->sock);
		if (e->file)
			return e;
		/* No more sockets in this table: on to the next id. */
		put_task_struct(e->task);
		e->task = NULL;
		iter->tid++;
		iter->fd = 0;
	}
}

/* Step past the current line: the cursor then names the next one's index. */
static void sockfd_skip(struct sockfd_iter *iter)
{
	sockfd_put_file(&iter->entry);
	iter->fd++;
	iter->index++;
}

/* Put the cursor before the first line after the header. */
static void sockfd_rewind(struct sockfd_iter *iter)
{
	iter->tid = 1;
	iter->fd = 0;
	iter->index = 1;
}

static void *sockfd_seq_start(struct seq_file *m, loff_t *pos)
{
	struct sockfd_iter *iter = m->private;

	if (*pos == 0) {
		sockfd_rewind(iter);
		return SEQ_START_TOKEN;
	}
	/*
	 * seq_file only resumes where the cursor stands: next() moves the
	 * cursor and seq_file's index together, and every other way of
	 * moving that index (read or lseek to 0, traverse(), error paths)
	 * sets it to 0. Another index would be a caller bug; refuse it
	 * rather than show the cursor's line under a wrong index.
	 */
	if (*pos != iter->index)
		return ERR_PTR(-EINVAL);
	return sockfd_find(iter);
}

static void *sockfd_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct sockfd_iter *iter = m->private;

	if (v != SEQ_START_TOKEN)
		sockfd_skip(iter);
	/* Advance even past the end, as seq_file requires. */
	++*pos;
	return sockfd_find(iter);
}

static void sockfd_seq_stop(struct seq_file *m, void *v)
{
	struct sockfd_iter *iter = m->private;

	/* Whatever start() and next() left held; the cursor stays. */
	sockfd_put_entry(&iter->entry);
}

static int sockfd_seq_show(struct seq_file *m, void *v)
{
	struct sockfd_iter *iter = m->private;
	struct sockfd_entry *e = v;

	if (v == SEQ_START_TOKEN) {
		sockfd_show_header(m);
		return 0;
	}
	/* The file reference keeps the socket alive while it is printed. */
	/* The cursor stands on the entry: its fd is the line's. */
	return sockfd_show_socket(m, &e->owner, iter->fd, e->file, e->sock);
}

const struct seq_operations sockfd_seq_ops = {
	.start	= sockfd_seq_start,
	.next	= sockfd_seq_next,
	.stop	= sockfd_seq_stop,
	.show	= sockfd_seq_show,
};
