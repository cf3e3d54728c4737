// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sockfd: who may see which task's socket fds, and the parameter
 * "unprivileged" that narrows it. The walk (sockfd_walk.c) asks
 * sockfd_may_see_task() for every fd table it visits; the rule stands apart
 * from the walk as fs/proc/fd.c's permission hooks stand apart from its
 * iterators.
 *
 * The rule is the one guarding /proc/PID/fdinfo (a 0555 directory whose
 * proc_fdinfo_permission() asks ptrace_may_access(task,
 * PTRACE_MODE_READ_FSCREDS)), written out because a module may call
 * neither ptrace_may_access() nor its LSM hook. Each check, and why:
 *
 * - Whose credentials: those the file was opened with (f_cred), never the
 *   reader's. A privileged process handed the fd, or an opener that
 *   changed ids since, sees what the opener could see, no more.
 * - The opener's own thread group: always (as ptrace_may_access()), unless
 *   unprivileged=none.
 * - All of the task's uids and gids equal to the opener's fsuid and fsgid:
 *   the PTRACE_MODE_FSCREDS comparison; unprivileged=tgid and =none drop it.
 * - Or CAP_SYS_PTRACE in the user namespace of the task's credentials, as
 *   ptrace_has_cap(); judged without an audit record (a walk asks it for
 *   every task; the kernel's own walks of /proc ask with
 *   PTRACE_MODE_NOAUDIT). The LSMs' capability hooks answer too: a MAC
 *   policy that denies the opener capability sys_ptrace is obeyed.
 * - Then the task dumpable (prctl(PR_SET_DUMPABLE)), or CAP_SYS_PTRACE in
 *   the user namespace of its mm, as task_still_dumpable(). A task past
 *   exit_mm() (exiting, its fds not yet closed) is taken as not dumpable
 *   and owned by root, as its /proc/PID/fd is on kernels that keep the
 *   dumpability in the mm (task_dump_owner(), 6.1 and 6.12): CAP_SYS_PTRACE
 *   in the initial user namespace. From 7.2 the dumpability outlives the
 *   mm (task->exec_state) and is used as for a live task.
 *
 * Not applied: /proc/PID/fd's own DAC check (mode 0500, owned by the task's
 * euid, or by root if the task is not dumpable: proc_fd_permission()), so
 * an opener with CAP_SYS_PTRACE but no DAC capability sees the rows of a
 * task whose /proc/PID/fd it cannot list but whose /proc/PID/fdinfo it can
 * read; and security_ptrace_access_check(), the LSMs' ptrace hook, which is
 * not exported: SELinux, AppArmor, Smack and Landlock ptrace rules do not
 * apply (proc_sockfd(5) says so).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>

#include "sockfd.h"
#include "sockfd_compat.h"

/*
 * The parameter "unprivileged": what openers without CAP_SYS_PTRACE see.
 * Set at load time only (mode 0444: sysfs offers no way to write it), so it
 * is never written while the proc entry exists and a plain read (in
 * sockfd_open()) is enough.
 */
static const char * const sockfd_unpriv_names[] = {
	[SOCKFD_UNPRIV_UID]	= "uid",
	[SOCKFD_UNPRIV_TGID]	= "tgid",
	[SOCKFD_UNPRIV_NONE]	= "none",
};

int sockfd_unprivileged = SOCKFD_UNPRIV_UID;

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
		 "What openers without CAP_SYS_PTRACE see: uid (default: their own processes, as /proc/PID/fdinfo), tgid (their own thread group), none");

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
 * Judged on f_cred, and without an audit record: a walk asks this for
 * every task, and a "no" is the common answer for an unprivileged opener,
 * not an event (file_ns_capable() may log one per task per read under an
 * LSM that audits capability denials; AppArmor keeps one per profile and
 * CPU). Modules get no exported non-auditing check
 * that takes a cred: security_capable() is not exported,
 * has_ns_capability_noaudit() judges a task's objective credentials.
 * ns_capable_noaudit() judges current's subjective ones, so when the reader
 * does not run with f_cred (a file handed to another process, or an opener
 * that changed ids since; cred structs never change, so the same pointer
 * is the same answer) f_cred is made current's subjective credentials for
 * that one call.
 *
 * Called under task_lock() and rcu_read_lock() (sockfd_may_see_task());
 * none of this sleeps:
 * - override_creds() and revert_creds() only swap current->cred with
 *   rcu_assign_pointer(). On 6.1 and 6.12 (exported, kernel/cred.c) the
 *   first also takes a reference on f_cred and the second drops it: an
 *   atomic each, and never the last (the open file holds f_cred; even the
 *   last would only queue the free with call_rcu()); 6.1 adds the
 *   CONFIG_DEBUG_CREDENTIALS checks, which do not sleep either. In 7.x
 *   (7.2's <linux/cred.h>) both are inlines, one rcu_replace_pointer()
 *   each, that take no reference (f_cred stays the file's) and
 *   revert_creds() returns the credentials it removed: the call below
 *   ignores that value, so the same two calls suit every kernel.
 * - ns_capable_noaudit() is security_capable() on current's credentials
 *   plus a flag; security_capable() with CAP_OPT_NOAUDIT is the call
 *   ptrace_has_cap() makes inside __ptrace_may_access() under these same
 *   locks, so every LSM's capable hook must not sleep there.
 * Only current reads current->cred (other tasks read ->real_cred, the
 * objective credentials), and it runs nothing else before revert_creds().
 */
static bool sockfd_ptrace_capable(const struct sockfd_iter *iter,
				  struct user_namespace *ns)
{
	const struct cred *opener = iter->proc_file->f_cred;
	const struct cred *saved;
	bool capable;

	if (current_cred() == opener)
		return ns_capable_noaudit(ns, CAP_SYS_PTRACE);
	saved = override_creds(opener);	/* 6.1, 6.12: a reference on opener */
	capable = ns_capable_noaudit(ns, CAP_SYS_PTRACE);
	revert_creds(saved);		/* 6.1, 6.12: dropped; 7.x: none taken */
	return capable;
}

/**
 * sockfd_may_see_task - may the opener of /proc/sockfd see @task's fds?
 * @iter: the open file's state
 * @task: a task the caller holds a reference on
 *
 * The rule of /proc/PID/fdinfo, as the comment at the top of this file
 * spells it out: the opener's own thread group; otherwise the task's uids
 * and gids all equal the opener's fsuid/fsgid, or the opener has
 * CAP_SYS_PTRACE in the user namespace of the task's credentials; and then
 * the task is dumpable, or the opener has CAP_SYS_PTRACE in the user
 * namespace the kernel names for a task that is not
 * (sockfd_task_dumpable()).
 *
 * The parameter "unprivileged" narrows the first two ways in: "tgid" drops
 * the uid comparison, "none" the own thread group too. What CAP_SYS_PTRACE
 * grants is unchanged.
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
