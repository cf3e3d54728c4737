/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockfd - reader for /proc/sockfd: the table model, shared by all of tools/.
 *
 * The parser (parse.c) turns the text of /proc/sockfd into rows, one string
 * per header column, escapes decoded.  It either streams (sf_open, then
 * sf_next for one row at a time, the input read in chunks and forgotten) or
 * keeps the whole table (sf_parse).  The table and JSON output (output.c)
 * take rows as they come, and so do the summary and --prom, which keep a
 * short record of each (tally.c); --dot, explain and the peer join work on
 * a whole table.
 */
#ifndef SOCKFD_TABLE_H
#define SOCKFD_TABLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The columns of the format contract (man 5 proc_sockfd), in file order:
 * format 1's, then those formats 2 and 3 appended. sf_cols[] (parse.c) describes
 * each; a new column is one line there and one name here.
 */
enum sf_col {
	SF_PID, SF_COMM, SF_FD, SF_INO, SF_NETNS, SF_FAMILY, SF_TYPE, SF_PROTO,
	SF_STATE, SF_LOCAL, SF_REMOTE, SF_TXQ, SF_RXQ, SF_RMEM, SF_RCVBUF,
	SF_WMEM, SF_SNDBUF, SF_UID,
	SF_COOKIE, SF_CGROUP, SF_DROPS, SF_TIMER, SF_RETRANS, SF_RTT, SF_CWND,
	SF_BYTES_SENT, SF_BYTES_ACKED, SF_BYTES_RECEIVED, SF_BYTES_RETRANS,
	SF_SEGS_OUT, SF_SEGS_IN, SF_LASTSND, SF_LASTRCV, SF_LASTACK,
	SF_NOTSENT, SF_MIN_RTT, SF_DELIVERY_RATE, SF_PACING_RATE, SF_CC,
	SF_WMEM_QUEUED, SF_FWD_ALLOC, SF_OPTMEM, SF_BACKLOG, SF_FDS, SF_NOFILE,
	SF_NKNOWN
};

#define SF_MAX_COLS 1024

/* How a column's values are read and shown. */
enum sf_kind {
	SF_KIND_STR,	/* text, escapes decoded */
	SF_KIND_NUM,	/* unsigned decimal, or "-" */
	SF_KIND_SIZE,	/* byte count: shown human-readable without -n */
	SF_KIND_UID,	/* user id: shown as a name without -n */
	SF_KIND_PAIR,	/* "N/M" (M may be "-"), or "-"; unit per half */
	SF_KIND_TIMER,	/* "KIND/MS", or "-" */
	SF_KIND_OTHER	/* a column this reader does not know */
};

/* What a column's value is in JSON. */
enum sf_json {
	SF_JSON_STRING,	/* "text" */
	SF_JSON_NUMBER,	/* 123, null for "-" */
	SF_JSON_PAIR,	/* [N, M], null halves and null for "-" */
	SF_JSON_TIMER	/* {"kind": "retransmit", "ms": 200}, null for "-" */
};

/* One known column: the reader's single table of them. */
struct sf_coldef {
	const char *name;	/* as the header names it */
	enum sf_kind kind;
	const char *unit;	/* of the raw numbers: "B", "B/s", "us", "ms"
				 * or "" */
	enum sf_json json;
	int format;		/* the format that added it; 1 = required */
};

struct sf_str {
	char *s;		/* NUL-terminated; may contain NUL bytes itself */
	size_t len;
};

/*
 * What the parser saw in a field's bytes (struct sf_row's cls): output
 * takes a field as it is when none of these says otherwise.
 */
#define SF_B_ESC	0x02	/* a "\\ooo" escape (the field was decoded) */
#define SF_B_HIGH	0x08	/* a byte >= 0x80 */
#define SF_B_QUOTE	0x10	/* a '"' */
#define SF_B_NONDIGIT	0x20	/* a byte that is not a decimal digit */

struct sf_row {
	struct sf_str *f;	/* one field per header column, decoded; they
				 * lie in order in the text of the line */
	const unsigned char *cls;	/* sf_next: per field, the SF_B_* of
					 * its bytes; NULL (sf_parse): unknown */
	unsigned long line;	/* line number in the input */
	uint64_t pid, fd, ino;
};

typedef void (*sf_warn_fn)(void *ctx, unsigned long line, const char *msg);

/*
 * The input as lines: all of it in buf (fd -1), or read from fd a chunk at
 * a time into buf, which then holds the unread part and one partial line;
 * a thread reads the next chunk ahead into spare (parse.c).
 */
struct sf_input {
	int fd;
	char *buf;
	size_t pos, len, cap;	/* unread text is buf[pos, len); cap > len */
	size_t whole;		/* buf[pos, whole): whole lines, each with
				 * its newline */
	size_t scan;		/* buf[whole, scan) has no newline */
	size_t chunk;		/* bytes a read asks for */
	bool eof;
	int err;		/* errno of a failed read, 0 if none */
	char *spare;		/* the read ahead's buffer, then buf's */
	size_t spare_cap;
	bool pending;		/* a read ahead was started, not yet taken */
	bool threaded;		/* ... by the thread ahead, to be joined */
	pthread_t ahead;
	size_t got;		/* the bytes it read, */
	int got_err;		/* or the errno of a read that gave none */
	bool keep;		/* sf_parse_fd: rows point into every chunk */
	char **kept;		/* ... so the earlier chunks stay until freed */
	size_t nkept;
};

/* Bytes a read ahead asks for: 4 of /proc/sockfd's reads. */
#define SF_CHUNK (256 << 10)

struct sf_table {
	struct sf_input in;
	char *head;		/* a copy of the header line, names split */
	struct sf_str *cols;	/* header column names */
	size_t ncols;
	int known[SF_NKNOWN];	/* header index of each known column, -1 if
				 * absent (format 2 or 3 columns in an older
				 * file) */
	enum sf_kind *kind;	/* per header column */
	unsigned char *check;	/* per header column: the byte classes that
				 * make a field worth a closer look */
	unsigned long line;	/* of the last line read */
	struct sf_str *fields;	/* sf_parse: nrows * ncols; sf_next: ncols */
	unsigned char *cls;	/* the last line's fields' SF_B_*: ncols */
	struct sf_row *rows;	/* sf_parse: nrows; sf_next: the current one */
	size_t nrows, rcap;
	unsigned long nbad;	/* malformed lines skipped */
	sf_warn_fn warn;
	void *warn_ctx;
};

/* parse.c */
extern const struct sf_coldef sf_cols[SF_NKNOWN];
enum sf_kind sf_col_kind(const struct sf_table *t, size_t col);
int sf_read_fd(int fd, char **buf, size_t *len);
int sf_open(struct sf_table *t, int fd, size_t chunk);
int sf_open_buf(struct sf_table *t, char *buf, size_t len);
const struct sf_row *sf_next(struct sf_table *t);
int sf_parse(struct sf_table *t, char *buf, size_t len);
int sf_parse_fd(struct sf_table *t, int fd, size_t chunk);
void sf_table_free(struct sf_table *t);
const struct sf_str *sf_get(const struct sf_table *t, const struct sf_row *r,
			    enum sf_col c);
bool sf_parse_u64(const char *s, size_t len, uint64_t *v);
bool sf_get_num(const struct sf_table *t, const struct sf_row *r,
		enum sf_col c, uint64_t *v);
bool sf_parse_pair(const struct sf_str *f, uint64_t *a, uint64_t *b,
		   bool *has_b);
bool sf_parse_timer(const struct sf_str *f, const char **kind, uint64_t *ms);
bool sf_is_inet(const struct sf_table *t, const struct sf_row *r);
bool sf_queues_count(const struct sf_table *t, const struct sf_row *r);
bool sf_addr_port(const struct sf_str *addr, unsigned int *port);

/* output.c */
size_t sf_put_escaped(FILE *out, const char *s, size_t len);
void sf_human_size(char *buf, size_t size, uint64_t bytes);
void sf_human_ms(char *buf, size_t size, uint64_t ms);

/* An output column: a header column (idx >= 0), the owner (SF_OUT_OWNER)
 * or the other end (SF_OUT_PEER). */
#define SF_OUT_OWNER	(-1)
#define SF_OUT_PEER	(-2)
struct sf_peers;
struct sf_outcol {
	const char *name;
	int idx;
	enum sf_kind kind;
	const struct sf_coldef *def;	/* a known column's, else NULL */
	const struct sf_peers *peers;	/* SF_OUT_PEER: the join (peer.c) */
};

#define SF_OUT_NUMERIC	0x1	/* -n: raw numbers */
#define SF_OUT_NOHEAD	0x2	/* -H: no heading line */
#define SF_OUT_MARKS	0x4	/* --watch: rows keep a key and a mark */

/* Output built in memory and written in large pieces. */
struct sf_buf {
	char *s;
	size_t len, cap;
};
void sf_buf_put(struct sf_buf *b, const char *s, size_t n);
void sf_buf_pad(struct sf_buf *b, size_t n);
void sf_buf_escaped(struct sf_buf *b, const char *s, size_t len);
int sf_fmt_whole(char *d, double v, const char *unit);

/*
 * The display text of the rows shown, built row by row (only the shown
 * cells, as they will be printed), then printed aligned.  A grid that needs
 * no alignment (one left-aligned column, no marks) prints each row as it
 * is added and keeps nothing.
 */
struct sf_grid {
	const struct sf_outcol *cols;
	size_t ncols;
	unsigned int flags;
	FILE *out;		/* rows go straight here; NULL: kept */
	struct sf_buf b;	/* a row being printed straight away */
	struct sf_buf cells;	/* kept rows' cells, one after another */
	unsigned int *len;	/* their lengths, ncols a row */
	size_t nrows;
	size_t rcap;		/* rows len has room for; SF_OUT_MARKS: per row, */
	size_t *row;		/* the offset of its first cell, */
	char *mark;		/* ' ', '+' or '-', */
	uint64_t *key;		/* pid, fd, ino (3 each) */
	size_t *w;		/* per column: its widest cell */
	bool *multi;		/* per column: a cell has multibyte characters */
	size_t extra;		/* the most bytes those add to a row's width */
	bool *as_is;		/* per column: its cells are the fields' text
				 * as the file writes it */
};

int sf_resolve_cols(const struct sf_table *t, const char *list,
		    struct sf_outcol **cols, size_t *ncols);
void sf_grid_init(struct sf_grid *g, const struct sf_outcol *cols,
		  size_t ncols, unsigned int flags, FILE *out);
void sf_grid_add(struct sf_grid *g, const struct sf_table *t,
		 const struct sf_row *r, char mark);
void sf_grid_copy(struct sf_grid *dst, const struct sf_grid *src, size_t i,
		  char mark);
void sf_grid_print(FILE *out, struct sf_grid *g, bool marks);
void sf_grid_free(struct sf_grid *g);

/* One JSON array of objects, written row by row. */
struct sf_json_out {
	FILE *out;
	struct sf_buf b;
	struct sf_outcol *cols;	/* NULL in sf_json_begin: every header column */
	size_t ncols;
	bool all;		/* cols is every header column, in order */
	struct sf_buf keys;	/* per column: "name": (after ", ") */
	size_t *koff;		/* column c's is keys.s[koff[c], koff[c + 1]) */
	size_t n;		/* rows written */
};

void sf_json_begin(struct sf_json_out *j, FILE *out, const struct sf_table *t,
		   const struct sf_outcol *cols, size_t ncols);
void sf_json_row(struct sf_json_out *j, const struct sf_table *t,
		 const struct sf_row *r);
void sf_json_end(struct sf_json_out *j);

/*
 * tally.c: what --summary and --prom keep of each row, added as the rows
 * are read: neither holds the whole table.
 */
struct sf_name {
	size_t off, len;	/* in text; a NUL follows */
};
struct sf_names {		/* strings kept once, an id each */
	struct sf_buf text;
	struct sf_name *v;
	size_t n, cap;
	uint32_t *slot;		/* hash table of ids + 1; 0: empty */
	size_t nslots;
};
uint32_t sf_name_id(struct sf_names *nm, const char *s, size_t len);
struct sf_str sf_name(const struct sf_names *nm, uint32_t id);

#define SF_G_INET	0x01	/* family inet or inet6 */
#define SF_G_UNIX	0x02	/* family unix */
#define SF_G_TCP	0x04	/* proto tcp */
#define SF_G_UDP	0x08	/* proto udp */
#define SF_G_LISTEN	0x10	/* state LISTEN */
#define SF_G_ESTABLISHED 0x20	/* state ESTABLISHED */
struct sf_group {		/* rows alike in these four columns */
	uint32_t family, proto, type, state;	/* names */
	uint32_t kind;		/* proto, or type where proto is "-" */
	unsigned int flags;	/* SF_G_* */
	size_t rows;
};

#define SF_REC_NETNS	0x01	/* netns is a number */
#define SF_REC_CGROUP	0x02	/* cgroup is */
#define SF_REC_QUEUES	0x04	/* txq and rxq are numbers */
#define SF_REC_PORT	0x08	/* port: the local port (inet, listening or
				 * established) */
struct sf_rec {			/* one row */
	uint64_t pid, fd, ino, netns, cgroup, txq, rxq;
	uint64_t drops, retrans;	/* 0 for "-"; retrans: the total of "N/M" */
	uint32_t group;		/* index in groups */
	uint32_t netns_name;	/* names: netns as written */
	uint32_t local, comm;	/* names: listeners (SF_G_LISTEN) only */
	unsigned int port;
	unsigned int flags;	/* SF_REC_* */
};

struct sf_proc {		/* one fd table */
	uint64_t pid;
	uint32_t comm;		/* names: its first row's */
	bool counted;		/* fds and limit from the file (format 3) */
	size_t sockets;
	long long fds;		/* -1: could not read */
	long long limit;	/* -1: unknown, -2: unlimited */
};

struct sf_tally {
	struct sf_names names;
	struct sf_group *groups;
	size_t ngroups, gcap;
	struct sf_names group_keys;	/* a group's id is its key's */
	struct sf_buf key;		/* the key being looked up */
	struct sf_rec *recs;
	size_t nrecs, rcap;
	struct sf_proc *procs;	/* in the order the file lists them */
	size_t nprocs, pcap;
	uint32_t last_group, last_netns;	/* the last row's, */
	uint64_t netns;				/* its netns as a number */
	bool last_netns_num;			/* ... if it is one */
};
void sf_tally_add(struct sf_tally *ty, const struct sf_table *t,
		  const struct sf_row *r);
void sf_tally_free(struct sf_tally *ty);

/* summary.c */
struct sf_summary_opts {
	const char *proc_root;
	unsigned int top;
	bool live;		/* rows come from this machine's /proc/sockfd */
	struct sf_ports_scan *ports;	/* begun; sf_summary() ends it */
};
int sf_summary(FILE *out, const struct sf_table *t, const struct sf_tally *ty,
	       const struct sf_summary_opts *o);

/* summary.c: what --summary and --prom both compute */
struct sf_notes {		/* what could not be seen; f NULL: not kept */
	FILE *f;
	char *text;
	size_t len;
};
void sf_note(struct sf_notes *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *sf_read_proc(const char *root, const char *name, struct sf_notes *n);
void sf_sort(void *base, size_t n, size_t size,
	     int (*cmp)(const void *, const void *));
long long sf_stat_value(const char *text, const char *name, const char *key);

struct sf_proc *sf_procs(const struct sf_tally *ty, const char *root,
			 size_t *np, struct sf_notes *nt);
double sf_fd_use_pct(const struct sf_proc *p);

struct sf_files {		/* /proc/sys/fs/file-nr, fs.file-max */
	unsigned long long alloc, unused, max;
};
bool sf_file_handles(const char *root, struct sf_files *f,
		     struct sf_notes *nt);

struct sf_tw_dest {		/* TIME_WAIT on ephemeral ports, one destination */
	char local[48];		/* local address: "10.0.0.1", "2001:db8::1" */
	char remote[56];	/* "10.0.0.5:443", "[2001:db8::5]:443" */
	unsigned long count;
};

struct sf_ports {		/* ephemeral ports; [0] TCP, [1] UDP */
	unsigned int lo, hi;
	unsigned int used[2];
	bool have[2];		/* could be read: from sock_diag, else /proc/net */
	bool diag[2];		/* read from sock_diag */
	struct sf_tw_dest *tw;	/* TIME_WAIT on them by destination, most */
	size_t ntw;		/* first (malloc'd: free(tw)) */
};
struct sf_ports_scan {		/* the ports, found in a thread */
	const char *root;
	int nl;			/* its sock_diag socket, or -1 */
	uint64_t ino;		/* ... that socket's inode, 0 if none */
	struct sf_ports pt;
	bool ok;
	struct sf_notes nt;	/* its notes, until sf_ports_end() */
	pthread_t thread;
	bool threaded, ended;
};
void sf_ports_begin(struct sf_ports_scan *sc, const char *root);
bool sf_ports_end(struct sf_ports_scan *sc, struct sf_ports *pt,
		  struct sf_notes *nt);
void sf_ports_drop(struct sf_ports_scan *sc);

char *sf_cgroup_path(const char *proc_root, uint64_t id);

/* prom.c */
struct sf_prom_opts {
	const char *proc_root;
	unsigned int top;
	const char *down;	/* why /proc/sockfd could not be read, or NULL */
	double start;		/* CLOCK_MONOTONIC seconds when the run began */
	struct sf_ports_scan *ports;	/* begun; sf_prom() ends it */
};
void sf_prom(FILE *out, const struct sf_table *t, const struct sf_tally *ty,
	     const struct sf_prom_opts *o);
int sf_prom_file(const char *path, const struct sf_table *t,
		 const struct sf_tally *ty, const struct sf_prom_opts *o);
double sf_now(void);

/* explain.c */
int sf_explain(FILE *out, const struct sf_table *t, const char *src,
	       const char *proc_root, uint64_t pid, uint64_t fd);

/* dot.c */
int sf_dot(FILE *out, const struct sf_table *t, struct sf_row *const *rows,
	   size_t n);

/* peer.c: the other end of a socket on this machine */
struct sf_peers {
	const struct sf_table *t;
	struct sf_row **rows;		/* the rows indexed, by (ino, pid, fd) */
	size_t n;
	struct sf_peer_key *keys;	/* their inet sockets' 4-tuples */
	size_t nk;
};
void sf_peers_init(struct sf_peers *p, const struct sf_table *t,
		   struct sf_row *const *rows, size_t n);
void sf_peers_table(struct sf_peers *p, const struct sf_table *t);
uint64_t sf_peer_of(const struct sf_peers *p, const struct sf_row *r);
size_t sf_holders(const struct sf_peers *p, uint64_t ino,
		  struct sf_row *const **first);
void sf_peers_free(struct sf_peers *p);
void *sf_xmalloc(size_t size);
void *sf_xrealloc(void *p, size_t size);

/* top.c: how it reads and filters (sockfd.c's load, unload and filters) */
struct sf_top_src {
	void *ctx;
	int (*load)(void *ctx, struct sf_table *t, char **path);	/* 0 or 1 */
	void (*unload)(void *ctx, struct sf_table *t, char *path);
	bool (*match)(void *ctx, const struct sf_table *t, const struct sf_row *r);
};
struct sf_top_opts {
	double delay;		/* -d: seconds between reads */
	unsigned long count;	/* -n: screens; 0: until q */
	bool batch;		/* -b: plain text, no terminal */
	bool numeric;		/* --numeric: raw numbers */
	bool from_file;		/* -f: rates over delay, not the clock */
	const char *proc_root;	/* for cgroup paths; NULL: ids only */
	const char *sort;	/* --sort: a column name, or NULL */
	const char *view;	/* --by: process, cgroup, socket, or NULL */
};
int sf_top(const struct sf_top_src *src, const struct sf_top_opts *o);

/* sockfd.c */
void sf_sleep(double seconds);

/* helpers shared by summary.c and explain.c (summary.c, output.c) */
char *sf_path(const char *proc_root, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sf_slurp(const char *path, char **buf, size_t *len);
void sf_put_owner(FILE *out, const struct sf_table *t, const struct sf_row *r);

#endif /* SOCKFD_TABLE_H */
