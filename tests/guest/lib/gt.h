/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gt: shared helpers for the sockfd guest tests (tests/guest/NAME.c).
 *
 * Build (see tests/README.md):
 *   gcc -static -O2 -g -std=gnu11 -Wall -Wextra -Werror -pthread
 *       -Itests/guest/lib NAME.c tests/guest/lib/gt.c
 *
 * A test prints one line per check on stdout:
 *   PASS: NAME/check
 *   FAIL: NAME/check: field: want X got Y
 * and ends with gt_done(), which prints "N passed, N failed" and returns the
 * exit status. NAME is the program's base name unless gt_init() set another.
 *
 * Ground truth never comes from /proc/sockfd: it comes from /proc/PID/fd,
 * /proc/PID/ns/net, /proc/PID/net/{tcp,udp,unix,...}, fstat,
 * getsockname/getpeername, ioctl(SIOCINQ/SIOCOUTQ/SIOCGSKNS),
 * getsockopt(SO_MEMINFO, TCP_INFO, ...).
 * Sockets of other processes are examined through pidfd_getfd() (root only).
 *
 * Functions returning int return 0 on success and -1 with errno set on
 * failure, unless their comment says otherwise.
 */
#ifndef GT_H
#define GT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/* ------------------------------------------------------------------ */
/* Result printing                                                     */
/* ------------------------------------------------------------------ */

/* Name used in PASS/FAIL lines; default: basename of argv[0]. */
void gt_init(const char *test_name);

/* Print "PASS: NAME/check" and count it. */
void gt_pass(const char *check);

/* Print "FAIL: NAME/check: <printf detail>" and count it. */
void gt_fail(const char *check, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Compare one value: PASS if equal, else
 * "FAIL: NAME/check: field: want W got G". Returns true when equal.
 * A NULL got prints as "(none)" and never equals.
 */
bool gt_check_str(const char *check, const char *field, const char *want,
		  const char *got);
bool gt_check_num(const char *check, const char *field, long long want,
		  long long got);

/* PASS if cond, else FAIL with the printf detail. Returns cond. */
bool gt_check(const char *check, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print "N passed, N failed"; return 0 if nothing failed (and something
 * passed), else 1. Use as: return gt_done(); */
int gt_done(void);

/* Print a failure and exit(1) after the summary line: for broken setup
 * (a socket() that must not fail), so later checks are not misleading. */
void gt_fatal(const char *check, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* ------------------------------------------------------------------ */
/* /proc/sockfd: reading and parsing                                   */
/* ------------------------------------------------------------------ */

#define GT_PROC "/proc/sockfd"

/* The columns of the format (issue 2; format 2, issue 10, and format 3,
 * issue 22, appended), in contract order. */
enum gt_col {
	GT_PID, GT_COMM, GT_FD, GT_INO, GT_NETNS, GT_FAMILY, GT_TYPE,
	GT_PROTO, GT_STATE, GT_LOCAL, GT_REMOTE, GT_TXQ, GT_RXQ, GT_RMEM,
	GT_RCVBUF, GT_WMEM, GT_SNDBUF, GT_UID,
	GT_COOKIE, GT_CGROUP, GT_DROPS, GT_TIMER, GT_RETRANS, GT_RTT, GT_CWND,
	GT_BYTES_SENT, GT_BYTES_ACKED, GT_BYTES_RECEIVED, GT_BYTES_RETRANS,
	GT_SEGS_OUT, GT_SEGS_IN, GT_LASTSND, GT_LASTRCV, GT_LASTACK,
	GT_NOTSENT, GT_MIN_RTT, GT_DELIVERY_RATE, GT_PACING_RATE, GT_CC,
	GT_WMEM_QUEUED, GT_FWD_ALLOC, GT_OPTMEM, GT_BACKLOG, GT_FDS,
	GT_NOFILE,
	GT_NCOLS
};

/* Column name of c ("pid", "comm", ...). */
const char *gt_col_name(enum gt_col c);

/* The exact header names, space-separated, as the contract gives them. */
extern const char gt_header[];

/*
 * Read a whole file into a NUL-terminated malloc'ed buffer with read()
 * calls of `chunk` bytes (1, 4096, ...; 0 = one huge buffer, 64 MiB,
 * read() until it returns 0). *len gets the byte count (the buffer may hold
 * NUL bytes). Returns NULL on error. gt_read_fd() reads from an open fd
 * from its current position.
 */
char *gt_read_file(const char *path, size_t chunk, size_t *len);
/* Write text to a control file (/proc, /sys, cgroup): 0, or -1 and errno. */
int gt_write_file(const char *path, const char *text);
char *gt_read_fd(int fd, size_t chunk, size_t *len);

struct gt_row {
	char *line;       /* the raw line, no '\n' */
	int nfields;      /* whitespace-separated fields in the line */
	char **raw;       /* nfields raw (still escaped) fields */
	char **val;       /* nfields decoded fields (\ooo undone) */
	int col[GT_NCOLS]; /* field index of each known column, -1 if absent */
	long pid;         /* numeric pid/fd/ino (-1 if absent or not numeric) */
	long fd;
	unsigned long long ino;
};

struct gt_table {
	char *text;       /* the bytes read */
	size_t len;
	char *header;     /* line 1 as read, without '\n' */
	char *names_buf;  /* internal: a copy of line 1 that names[] point into */
	int ncols;        /* header fields */
	char **names;     /* header names */
	int col[GT_NCOLS]; /* header index of each known column, -1 if absent */
	int nrows;
	struct gt_row *rows;
	bool trailing_newline; /* text ends with '\n' */
};

/*
 * Parse /proc/sockfd text: line 1 is the header, columns are found BY NAME
 * (never by position). Every later line becomes a row, split on runs of
 * spaces/tabs; an empty line becomes a row with nfields 0. Returns NULL only
 * on allocation failure or empty text.
 */
struct gt_table *gt_parse(const char *text, size_t len);

/*
 * A malloc'ed copy of /proc/sockfd text with the fields of the columns
 * that move between two reads of a quiet system replaced by "#": the ms
 * since a TCP connection's last send, receive and ACK (lastsnd, lastrcv,
 * lastack), the open fds of a reader's own table (fds: one more while
 * it has the file open) and the memory a socket reserved ahead
 * (fwd_alloc: 5.10 gives an idle TCP socket's back later; walk_scale saw
 * 40 then 0). Columns are found by the header's names; every
 * other byte is kept. *outlen gets its length. NULL when out of memory.
 * For tests that compare two reads byte for byte.
 */
char *gt_mask_moving(const char *text, size_t len, size_t *outlen);

/* gt_read_file(GT_PROC, chunk) + gt_parse. NULL (and errno) on error. */
struct gt_table *gt_load(size_t chunk);

void gt_free(struct gt_table *t);

/* Field of a row by column, decoded (raw: still escaped); NULL if absent. */
const char *gt_get(const struct gt_row *r, enum gt_col c);
const char *gt_get_raw(const struct gt_row *r, enum gt_col c);

/* Rows by (pid, fd): the first match, or NULL. gt_count_pidfd counts them. */
const struct gt_row *gt_find(const struct gt_table *t, pid_t pid, int fd);
int gt_count_pidfd(const struct gt_table *t, pid_t pid, int fd);

/* Rows by inode: fills up to max pointers, returns the total count. */
int gt_find_ino(const struct gt_table *t, unsigned long long ino,
		const struct gt_row **out, int max);

/* ------------------------------------------------------------------ */
/* Escaping as the module must do it                                   */
/* ------------------------------------------------------------------ */

/*
 * Escape n bytes as the format requires: space, tab, newline, backslash
 * and every byte that is not printable ASCII (< 0x21, > 0x7e: the issue says
 * "non-printable", man/proc_sockfd.5 makes it exact) as \ooo (three octal
 * digits); other bytes as is.
 * out must hold 4*n+1 bytes. Returns out.
 */
char *gt_escape(const void *in, size_t n, char *out);

/* Undo \ooo escapes (a backslash followed by three octal digits). out must
 * hold strlen(in)+1 bytes; returns the decoded length (may hold NULs). */
size_t gt_unescape(const char *in, char *out);

/* ------------------------------------------------------------------ */
/* Ground truth                                                        */
/* ------------------------------------------------------------------ */

/* Inode N of readlink("/proc/PID/fd/FD") == "socket:[N]" (pid 0 = self);
 * 0 if the link is not a socket or on error. */
unsigned long long gt_fd_sock_ino(pid_t pid, int fd);

/* Does /proc/PID/fdinfo follow the kernel's ptrace read rule
 * (ptrace_may_access(PTRACE_MODE_READ_FSCREDS)), as in 6.1 and later
 * (mode 0555, fs/proc/fd.c proc_fdinfo_permission())? 5.10's is mode 0500:
 * only its owner (task_dump_owner()) opens it, and it has no "ino:" line. */
bool gt_fdinfo_ptrace_rule(void);

/* The kernel's ptrace read rule for this process on PID: 1 refused (EACCES
 * or EPERM), 0 allowed, -1 neither (the process is gone...). Asked of
 * opendir(/proc/PID/fdinfo) where it follows the rule, else of
 * readlink(/proc/PID/exe), which applies the same
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS) first in every kernel
 * (fs/proc/base.c proc_pid_readlink(), proc_fd_access_allowed()); ENOENT
 * after it (a kernel thread has no exe) is an allowed one. (Not the
 * /proc/PID/ns links: 5.10's proc_ns_readlink() returns 0 bytes, no
 * error, when it refuses.) */
int gt_ptrace_refused(pid_t pid);

/* st_ino of fstat(fd) (own process). 0 on error. */
unsigned long long gt_fstat_ino(int fd);

/* Inode N of the net namespace of PID, from readlink /proc/PID/ns/net
 * ("net:[N]"). pid 0 = self. 0 on error. */
unsigned long long gt_netns_ino(pid_t pid);

/* Net namespace inode of a socket (own fd): ioctl(SIOCGSKNS) + fstat. */
unsigned long long gt_sock_netns_ino(int fd);

/* A copy of PID's FD in this process (pidfd_getfd, root only). For our own
 * pid or the calling thread's tid (0 = self) it is a dup in the calling
 * thread's fd table. The caller closes it. -1 on error. */
int gt_grab_fd(pid_t pid, int fd);

/* Pass fd over the unix socket sock (SCM_RIGHTS, one byte of data);
 * 0 or -1.  gt_recv_fd() returns the received fd (flags: recvmsg()'s,
 * e.g. MSG_CMSG_CLOEXEC) or -1. */
int gt_send_fd(int sock, int fd);
int gt_recv_fd(int sock, int flags);

/* Task comm from /proc/PID/comm (pid 0 = self) without the final '\n',
 * escaped as the format requires. Returns out or NULL. out: 4*16+1 bytes. */
char *gt_comm_escaped(pid_t pid, char *out, size_t outlen);

/* prctl(PR_SET_NAME). */
int gt_set_comm(const char *name);

/*
 * Format a socket address exactly as the module must print `local`/`remote`:
 *   AF_INET  "a.b.c.d:port"      AF_INET6 "[addr]:port" (inet_ntop)
 *   AF_UNIX  escaped path, "@"+escaped abstract name, "*" if unnamed
 *   AF_NETLINK "nl_pid" (decimal)
 *   AF_PACKET "ifname/0xPROTO" (if_indextoname; "*" for ifindex 0)
 *   AF_VSOCK "cid:port" (decimal; "*" for VMADDR_CID_ANY/VMADDR_PORT_ANY)
 * len is the address length from getsockname/accept. Returns buf, or NULL
 * for another family.
 */
char *gt_fmt_sockaddr(const struct sockaddr *sa, socklen_t len, char *buf,
		      size_t buflen);

/* Zero address of a family as the module prints an unbound/unconnected
 * part: "0.0.0.0:0", "[::]:0", "*:*" (vsock). */
const char *gt_zero_addr(int family);

/* getsockname / getpeername formatted with gt_fmt_sockaddr. For inet and
 * netlink, a getpeername failing with ENOTCONN yields the zero address
 * ("0" for netlink); for unix it yields "*". Returns buf or NULL. */
char *gt_local_str(int fd, char *buf, size_t buflen);
char *gt_remote_str(int fd, char *buf, size_t buflen);

/* ioctl(SIOCINQ) / ioctl(SIOCOUTQ); -1 on error. */
long gt_inq(int fd);
long gt_outq(int fd);

/* getsockopt(SOL_SOCKET, opt) as int (SO_RCVBUF, SO_SNDBUF, SO_DOMAIN,
 * SO_TYPE, SO_PROTOCOL, SO_ACCEPTCONN, ...); -1 on error. */
int gt_sockopt_int(int fd, int opt);

/* getsockopt(SO_MEMINFO): rmem_alloc, rcvbuf, wmem_alloc, sndbuf, drops,
 * wmem_queued (sk_wmem_queued: the send queue's memory), and fwd_alloc,
 * optmem and backlog. */
struct gt_meminfo {
	unsigned long rmem, rcvbuf, wmem, sndbuf, drops, wmem_queued;
	/* SK_MEMINFO_FWD_ALLOC, OPTMEM, BACKLOG: ints */
	long fwd_alloc, optmem, backlog;
};
int gt_meminfo(int fd, struct gt_meminfo *m);

/*
 * What TCP_INFO (the kernel's struct tcp_info, <linux/tcp.h>: glibc's
 * lacks these fields) reports for the format 3 columns; gt_tcp.c.
 * 0 and errno -1 on error.
 */
struct gt_tcp3 {
	unsigned long long bytes_sent, bytes_acked, bytes_received,
		bytes_retrans, delivery_rate, pacing_rate;
	unsigned int segs_out, segs_in, last_data_sent, last_data_recv,
		last_ack_recv, notsent, min_rtt, state;
};
int gt_tcp_info3(int fd, struct gt_tcp3 *t);

/* The name TCP_CONGESTION gives for fd, into buf; NULL on error. */
char *gt_tcp_cc(int fd, char *buf, size_t buflen);

/*
 * The fds open in pid's fd table (0: ours), as /proc/PID/fd lists them,
 * the listing's own fd left out; -1 on error. The soft RLIMIT_NOFILE of
 * pid as /proc/PID/limits shows it ("Max open files"); -1 on error.
 */
long gt_fd_count(pid_t pid);
long long gt_nofile(pid_t pid);

/* Names the module must print for family / type / protocol. */
const char *gt_family_name(int family, char *buf, size_t buflen);
const char *gt_type_name(int type, char *buf, size_t buflen);
const char *gt_proto_name(int family, int proto, char *buf, size_t buflen);
/* Kernel TCP state name (TCP_ESTABLISHED=1 ... TCP_CLOSING=11). */
const char *gt_state_name(int st);

/*
 * One line of /proc/PID/net/{tcp,tcp6,udp,udp6,udplite,raw,...} (the
 * inet format), unix, or netlink, found by inode. pid 0 = self.
 */
struct gt_pn {
	int st;                  /* inet: st; unix: St */
	int timer;               /* inet: tr (0 none, 1 retransmit, 2
				  * keepalive, 4 zero window probe) */
	unsigned long when;      /* inet: tm->when, in USER_HZ ticks */
	unsigned long long drops; /* udp, udplite, raw (files with a drops
				   * column after the inode): drops */
	unsigned long long txq;  /* inet: tx_queue; netlink: Wmem */
	unsigned long long rxq;  /* inet: rx_queue; netlink: Rmem */
	unsigned long uid;       /* inet only */
	unsigned long flags;     /* unix only */
	int type;                /* unix only */
	unsigned long portid;    /* netlink only: Pid */
	int proto;               /* netlink only: Eth */
	char path[512];          /* unix only, as the kernel prints it */
};
/* file: "tcp", "tcp6", "udp", "udp6", ... Returns 1 if found, 0 if not,
 * -1 on error. */
int gt_procnet_inet(pid_t pid, const char *file, unsigned long long ino,
		    struct gt_pn *out);
int gt_procnet_unix(pid_t pid, unsigned long long ino, struct gt_pn *out);
int gt_procnet_netlink(pid_t pid, unsigned long long ino, struct gt_pn *out);

/* ------------------------------------------------------------------ */
/* Expected rows                                                       */
/* ------------------------------------------------------------------ */

/* Expected values, one string per column, exactly as the module must print
 * them (escaped: compared with the raw field, so a missing escape fails);
 * NULL = unknown. A value whose last two characters are '/' and '*'
 * matches every field that starts with what comes before the '*' (the
 * timer's ms: "retransmit/" "*"); any other '*' is itself ("*", "*:*": an
 * unbound or unconnected end). A value "#" matches any decimal number
 * and "-" (the ms since a TCP event, which count up, "-" for one that
 * never happened: checked by col_fmt3 and KUnit). */
struct gt_want {
	char *v[GT_NCOLS];
};

/* Set column c to a printf-formatted value (replacing any old one). */
void gt_want_set(struct gt_want *w, enum gt_col c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void gt_want_free(struct gt_want *w);

/*
 * Fill every column it can for (pid, fd) from ground truth (pid 0 = self;
 * pid may be a thread id: a thread that unshared its fd table passes
 * gettid() and is examined through /proc/TID):
 *   pid, fd     the arguments
 *   comm        /proc/PID/comm, escaped
 *   ino         readlink /proc/PID/fd/FD, checked against fstat
 *   netns       ioctl(SIOCGSKNS); /proc/PID/ns/net where that is not
 *               permitted (inside a new user namespace)
 *   family, type, proto   SO_DOMAIN, SO_TYPE, SO_PROTOCOL
 *   state       tcp: TCP_INFO and /proc/net/tcp*; other inet:
 *               /proc/net/{udp,raw,icmp,...}*, else getpeername; unix:
 *               /proc/net/unix Flags/St; other families "-"
 *   local, remote   getsockname/getpeername; unix remote NOT filled (the
 *               peer inode has no independent source: the test sets it);
 *               "-" for families other than inet, inet6, unix, netlink
 *               (as man/proc_sockfd.5 documents)
 *   txq, rxq    tcp LISTEN: TCP_INFO (queued children, backlog); other
 *               tcp: /proc/net/tcp*, or SIOCOUTQ/SIOCINQ when not hashed;
 *               other inet: /proc/net/udp* etc., or SO_MEMINFO when not
 *               hashed; unix: SIOCOUTQ/SIOCINQ (LISTEN left for the
 *               test); other families: SO_MEMINFO
 *   rmem, rcvbuf, wmem, sndbuf   SO_MEMINFO
 *   uid         fstat st_uid
 *   cookie      getsockopt(SO_COOKIE)
 *   cgroup      the owner's cgroup v2 directory now (/proc/PID/cgroup,
 *               name_to_handle_at; mounts cgroup2 when needed): right for
 *               a socket made where its owner still is
 *   drops       SO_MEMINFO's drop count
 *   timer       tcp: the kind from /proc/net/tcp* tr ("-", or the kind
 *               and "/" "*": the ms are checked by the tests that make a
 *               timer); LISTEN and every other protocol: "-"
 *   retrans, rtt, cwnd   tcp: TCP_INFO (retransmits/total_retrans,
 *               rtt/rttvar, snd_cwnd/snd_ssthresh, "-" for an infinite
 *               ssthresh); LISTEN and every other protocol: "-"
 *   bytes_sent .. pacing_rate   tcp: TCP_INFO (tcpi_bytes_*, segs_*,
 *               notsent_bytes, min_rtt and pacing_rate "-" when ~0,
 *               delivery_rate); lastsnd, lastrcv, lastack "#" (col_fmt3
 *               bounds them); LISTEN and every other protocol: "-"
 *   cc          tcp: getsockopt(TCP_CONGESTION); other protocols "-"
 *   wmem_queued, fwd_alloc, optmem, backlog   SO_MEMINFO
 *   fds         /proc/PID/fd, counted (in our own table, one more: the
 *               /proc/sockfd fd of the snapshot)
 *   nofile      /proc/PID/limits, "Max open files" (soft)
 * Columns already set in w are kept. Returns 0, or -1 if the fd could not
 * be examined (not a socket, process gone).
 */
int gt_expect(struct gt_want *w, pid_t pid, int fd);

/*
 * Check the row of (pid, fd) in a fresh /proc/sockfd read against
 * ground truth. fixed (may be NULL) supplies columns the test knows
 * itself (unix remote, listen queues) and overrides gt_expect's values.
 * Ground truth is taken before and after the read and must agree (the
 * whole thing is retried up to 5 times if it moved). Prints "PASS: check"
 * if the row exists once and every column matches, else one
 * "FAIL: check.COLUMN: COLUMN: want W got G" per bad column (a column
 * with no expectation is a failure too: every column must be compared).
 * Returns true if all matched.
 */
bool gt_check_fd(const char *check, pid_t pid, int fd,
		 const struct gt_want *fixed);

/* gt_check_fd with a printf-formatted check name. */
bool gt_check_fdf(pid_t pid, int fd, const struct gt_want *fixed,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Same against an already-loaded table and an already-built want. */
bool gt_check_row(const char *check, const struct gt_table *t, pid_t pid,
		  int fd, const struct gt_want *w);

/* ------------------------------------------------------------------ */
/* Making sockets                                                      */
/* ------------------------------------------------------------------ */

/* Loopback address of family (127.0.0.1 or ::1) with port; returns its
 * length. */
socklen_t gt_loopback_addr(int family, int port, struct sockaddr_storage *ss);

/* socket(family, type) bound to loopback:port (port 0 = any), listening
 * with backlog if backlog >= 0 (stream only). For AF_INET6, v6only sets
 * IPV6_V6ONLY. Returns the fd or -1. */
int gt_inet_socket(int family, int type, int port, int backlog, bool v6only);

/* socket(family, type) connected to loopback:port. -1 on error. */
int gt_inet_connect(int family, int type, int port);

/* Local port of an inet socket (getsockname); -1 on error. */
int gt_port(int fd);

/* Fill a sockaddr_un with n bytes of name (name[0] == 0: abstract) and
 * return the address length to pass to bind/connect. */
socklen_t gt_unix_addr(struct sockaddr_un *un, const void *name, size_t n);

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

#define GT_CHILD_VALS 64

/*
 * A child that sets something up, reports up to GT_CHILD_VALS ints to the
 * parent, then holds everything open and waits until the parent releases
 * it (closes a pipe). fn runs in the child and returns the number of
 * values it wrote to vals, or -1 on failure (the child then exits 1).
 */
typedef int (*gt_child_fn)(void *arg, int *vals, int max);

struct gt_child {
	pid_t pid;
	int ctl;             /* parent's write end; closing releases the child */
	int nvals;
	int vals[GT_CHILD_VALS];
};

/* Fork, run fn in the child, wait for its report. 0 on success (c->vals
 * filled), -1 if fork failed or fn failed. */
int gt_child_start(struct gt_child *c, gt_child_fn fn, void *arg);

/* Release the child and reap it; returns its wait status, -1 on error. */
int gt_child_stop(struct gt_child *c);

/* setgroups(0) + setresgid + setresuid to uid/gid (e.g. 65534), then
 * PR_SET_DUMPABLE 1 (changing ids clears it; the permission rules depend
 * on it: clear it again to test a non-dumpable task). */
int gt_become(uid_t uid, gid_t gid);

/* Make RLIMIT_NOFILE (soft and hard) at least n, raising
 * /proc/sys/fs/nr_open first if needed. */
int gt_raise_nofile(unsigned long n);

/* cgroup v2 (mounted at GT_CGROUP2 by gt_cgroup2()). */
#define GT_CGROUP2 "/sys/fs/cgroup"

/* Mount cgroup2 at GT_CGROUP2 unless it is mounted there; 0 or -1. */
int gt_cgroup2(void);

/* The cgroup v2 id of a cgroup directory: name_to_handle_at's handle
 * (the kernfs node id, what the kernel's cgroup_id() returns). 0 on error. */
unsigned long long gt_cgroup_id(const char *dir);

/* The cgroup v2 id of PID's cgroup now (pid 0 = self), from the "0::"
 * line of /proc/PID/cgroup under GT_CGROUP2. 0 on error. */
unsigned long long gt_pid_cgroup_id(pid_t pid);

/* getsockopt(SO_COOKIE); 0 on error (no socket has cookie 0). */
unsigned long long gt_cookie(int fd);

/* Bring the loopback interface of the current netns up. */
int gt_lo_up(void);

/* Sleep ms milliseconds. */
void gt_msleep(unsigned int ms);

/* ------------------------------------------------------------------ */
/* Whole-table checks (walk, security and robustness tests)            */
/* ------------------------------------------------------------------ */

/*
 * n scaled down for slow kernels: by SOCKFD_SCALE percent (1..100) when
 * set, else 10% under SOCKFD_KERNEL=debug or kcsan (kernel socket work is
 * 25-45x slower there), else unchanged. Never below min.
 */
long gt_scaled(long n, long min);

/* CLOCK_MONOTONIC in seconds. */
double gt_now(void);

/* A socket fd of an fd table and its inode, from PROC/PID/fd. */
struct gt_fdino {
	int fd;
	unsigned long long ino;
};

/*
 * The socket fds of PID (a tgid, or a tid: PROC/TID/fd) in the procfs
 * mounted at proc (NULL: "/proc"): readdir + readlink "socket:[N]".
 * *out is malloc'ed (free() it), sorted by fd. Returns the count, or -1
 * with errno (ENOENT: gone, EACCES: not readable by us).
 */
int gt_sock_fds(const char *proc, pid_t pid, struct gt_fdino **out);

/*
 * Compare the rows of t for the ids ids[0..n-1] with gt_sock_fds(proc, id):
 * every socket fd appears exactly once under its id with its inode, and
 * no other row names one of these ids. PASS, or one FAIL with the counts
 * and the first mismatches. The fd tables must not change meanwhile.
 */
bool gt_check_ids(const char *check, const struct gt_table *t,
		  const char *proc, const pid_t *ids, int n);

/*
 * (pid, fd) pairs that appear more than once in t: returns how many
 * rows repeat an earlier (pid, fd); *first (if not NULL) gets one of them.
 */
int gt_dup_rows(const struct gt_table *t, const struct gt_row **first);

/*
 * Is r a well-formed row of t: as many fields as the header, no control
 * bytes, numeric columns (pid fd ino netns txq rxq rmem rcvbuf wmem sndbuf
 * uid cookie drops) all digits, queues and memory (txq rxq rmem rcvbuf
 * wmem sndbuf) at most INT_MAX, family/type/proto lower-case names or
 * numbers, state '-' or a kernel state name, cgroup digits or '-', timer
 * '-' or retransmit|keepalive|probe/MS, retrans and rtt '-' or N/M, cwnd
 * '-', N/M or N/-? NULL if so, else buf with what is wrong.
 */
const char *gt_row_problem(const struct gt_table *t, const struct gt_row *r,
			   char *buf, size_t buflen);

/* Every row of t names one of the ids ok[0..n-1]: PASS, or FAIL with the
 * count of other rows and the first of them. */
bool gt_check_only_pids(const char *check, const struct gt_table *t,
			const pid_t *ok, int n);

/* The socket with inode ino has exactly one row, under id. */
bool gt_check_ino_under(const char *check, const struct gt_table *t,
			unsigned long long ino, pid_t id);

/*
 * Start a thread that calls unshare(CLONE_FILES), so that it owns an fd
 * table (listed under its tid), opens socket(family, type, 0) there and
 * then sleeps until the process exits. Returns its tid once the socket is
 * open, -1 on failure. *fd (if not NULL) gets the socket's fd number.
 */
pid_t gt_own_table_thread(int family, int type, int *fd);

/*
 * A forked child that runs checks of its own (as another user, in another
 * namespace, concurrently with the parent): its PASS/FAIL lines count as
 * the parent's. gt_fork_start() forks and runs fn(arg) in the child with
 * zeroed counts; when fn returns, the child reports its counts and exits.
 */
struct gt_forked {
	pid_t pid;
	int rep;	/* parent's read end of the report pipe */
};
int gt_fork_start(struct gt_forked *f, void (*fn)(void *arg), void *arg);

/*
 * Reap the child and add its counts to ours. A child that ends without
 * reporting (a signal, an exit from inside fn) counts as one failure of
 * `check`. Returns the wait status, -1 on error.
 */
int gt_fork_wait(struct gt_forked *f, const char *check);

/*
 * What is wrong with one whole pass of /proc/sockfd (text, len bytes): the
 * header's columns in contract order, a final newline, every row
 * well-formed (gt_row_problem), no (pid, fd) twice. NULL if nothing, else
 * msg (n bytes) describing the first problem.
 */
const char *gt_pass_problem(const char *text, size_t len, char *msg, size_t n);

/* ------------------------------------------------------------------ */
/* Leaks and kernel debugging facilities (debug kernel)                */
/* ------------------------------------------------------------------ */

/* Mount debugfs at /sys/kernel/debug unless it is there; 0 or -1. */
int gt_debugfs(void);

/* "sockets: used N" of /proc/net/sockstat (this net namespace), or -1. */
long gt_sockets_used(void);

/* The value of a /proc/meminfo line ("MemFree", "SUnreclaim") in KiB, or
 * -1. */
long gt_meminfo_kb(const char *key);

/*
 * Check that the count is back to `before` (waiting up to 5 s: sockets
 * go at their closer's return to user space, in-flight SCM_RIGHTS ones
 * when their carrier is purged). PASS, or FAIL with both counts.
 */
bool gt_check_sockets_used(const char *check, long before);

/* kmemleak: forget what is suspected so far (no-op without kmemleak). */
void gt_kmemleak_clear(void);

/*
 * kmemleak: let new objects age past its 5 s minimum, scan, and check that
 * nothing is reported since gt_kmemleak_clear(). Without kmemleak (stock
 * kernels) no check is made and false is returned.
 */
bool gt_check_kmemleak(const char *check);

#endif /* GT_H */
