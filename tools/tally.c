// SPDX-License-Identifier: GPL-2.0
/*
 * sockfd --summary and --prom: what they keep of each row, taken as the
 * rows are read (sf_next), so that neither holds the whole table.  Per
 * row a short record; the strings they group and label by (family,
 * protocol, type, state, netns, and the comm and address of listeners)
 * kept once each; per process (fd table) its sockets and open fds.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* v, with room for one more entry than the n it holds (*cap: its room). */
static void *room(void *v, size_t n, size_t *cap, size_t size)
{
	if (n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		v = sf_xrealloc(v, *cap * size);
	}
	return v;
}

/* ---- strings kept once: an id each ---- */

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Slot of the hash table where s is, or the empty one where it goes. */
static size_t slot_of(const struct sf_names *nm, const char *s, size_t len)
{
	size_t mask = nm->nslots - 1, i = hash(s, len) & mask;

	for (; nm->slot[i]; i = (i + 1) & mask) {
		const struct sf_name *e = &nm->v[nm->slot[i] - 1];

		if (e->len == len && memcmp(nm->text.s + e->off, s, len) == 0)
			break;
	}
	return i;
}

static void rehash(struct sf_names *nm)
{
	nm->nslots = nm->nslots ? nm->nslots * 2 : 256;
	free(nm->slot);
	nm->slot = memset(sf_xmalloc(nm->nslots * sizeof(*nm->slot)), 0,
			  nm->nslots * sizeof(*nm->slot));
	for (size_t id = 0; id < nm->n; id++)
		nm->slot[slot_of(nm, nm->text.s + nm->v[id].off, nm->v[id].len)] =
			(uint32_t)id + 1;
}

/* The id of the string s[0, len) (NUL bytes included), added if new. */
uint32_t sf_name_id(struct sf_names *nm, const char *s, size_t len)
{
	size_t i;

	if (2 * (nm->n + 1) > nm->nslots)
		rehash(nm);
	i = slot_of(nm, s, len);
	if (!nm->slot[i]) {
		nm->v = room(nm->v, nm->n, &nm->cap, sizeof(*nm->v));
		nm->v[nm->n].off = nm->text.len;
		nm->v[nm->n].len = len;
		sf_buf_put(&nm->text, s, len);
		sf_buf_put(&nm->text, "", 1);	/* each ends in a NUL */
		nm->slot[i] = (uint32_t)++nm->n;
	}
	return nm->slot[i] - 1;
}

/* The string of id, NUL-terminated: valid until the next sf_name_id(). */
struct sf_str sf_name(const struct sf_names *nm, uint32_t id)
{
	return (struct sf_str){ nm->text.s + nm->v[id].off, nm->v[id].len };
}

/* Is f the string of id? */
static bool is_name(const struct sf_names *nm, uint32_t id, const struct sf_str *f)
{
	return nm->v[id].len == f->len && memcmp(nm->text.s + nm->v[id].off, f->s, f->len) == 0;
}

/* ---- groups: rows alike in family, protocol, type and state ---- */

static unsigned int group_flags(const char *fam, const char *proto, const char *state)
{
	unsigned int fl = 0;

	if (strcmp(fam, "inet") == 0 || strcmp(fam, "inet6") == 0)
		fl |= SF_G_INET;
	if (strcmp(fam, "unix") == 0)
		fl |= SF_G_UNIX;
	if (strcmp(proto, "tcp") == 0)
		fl |= SF_G_TCP;
	if (strcmp(proto, "udp") == 0)
		fl |= SF_G_UDP;
	if (strcmp(state, "LISTEN") == 0)
		fl |= SF_G_LISTEN;
	if (strcmp(state, "ESTABLISHED") == 0)
		fl |= SF_G_ESTABLISHED;
	return fl;
}

/* Add f to the group key: its length, then its bytes (it may hold NULs). */
static void key_put(struct sf_buf *key, const struct sf_str *f)
{
	uint32_t len = (uint32_t)f->len;

	sf_buf_put(key, (const char *)&len, sizeof(len));
	sf_buf_put(key, f->s, f->len);
}

/* The group of r: the last row's when r repeats it (a process's sockets
 * often do), else the one its four fields name, added if new. */
static uint32_t group_of(struct sf_tally *ty, const struct sf_table *t,
			 const struct sf_row *r)
{
	const struct sf_str *fam = sf_get(t, r, SF_FAMILY), *proto = sf_get(t, r, SF_PROTO);
	const struct sf_str *type = sf_get(t, r, SF_TYPE), *state = sf_get(t, r, SF_STATE);
	struct sf_names *nm = &ty->names;
	struct sf_group *g = ty->ngroups ? &ty->groups[ty->last_group] : NULL;
	uint32_t id;

	if (g && is_name(nm, g->family, fam) && is_name(nm, g->proto, proto) &&
	    is_name(nm, g->type, type) && is_name(nm, g->state, state))
		return ty->last_group;
	ty->key.len = 0;
	key_put(&ty->key, fam);
	key_put(&ty->key, proto);
	key_put(&ty->key, type);
	key_put(&ty->key, state);
	id = sf_name_id(&ty->group_keys, ty->key.s, ty->key.len);
	if (id == ty->ngroups) {	/* new: group ids are key ids */
		ty->groups = room(ty->groups, ty->ngroups, &ty->gcap, sizeof(*ty->groups));
		g = &ty->groups[ty->ngroups++];
		g->family = sf_name_id(nm, fam->s, fam->len);
		g->proto = sf_name_id(nm, proto->s, proto->len);
		g->type = sf_name_id(nm, type->s, type->len);
		g->state = sf_name_id(nm, state->s, state->len);
		/* unix, packet, vsock: no protocol; their type tells */
		g->kind = strcmp(proto->s, "-") ? g->proto : g->type;
		g->flags = group_flags(fam->s, proto->s, state->s);
		g->rows = 0;
	}
	ty->last_group = id;
	return id;
}

/* ---- processes ---- */

/* The process of r: the last one when r is of the same pid (the file
 * lists a process's fds together), else a new entry. */
static struct sf_proc *proc_of(struct sf_tally *ty, const struct sf_table *t,
			       const struct sf_row *r)
{
	const struct sf_str *comm;
	struct sf_proc *p;
	uint64_t fds, nofile;

	if (ty->nprocs && ty->procs[ty->nprocs - 1].pid == r->pid)
		return &ty->procs[ty->nprocs - 1];
	ty->procs = room(ty->procs, ty->nprocs, &ty->pcap, sizeof(*ty->procs));
	p = &ty->procs[ty->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = r->pid;
	comm = sf_get(t, r, SF_COMM);
	p->comm = sf_name_id(&ty->names, comm->s, comm->len);
	/* format 3: counted by the module when it listed the task */
	p->counted = sf_get_num(t, r, SF_FDS, &fds) && sf_get_num(t, r, SF_NOFILE, &nofile) &&
		     fds <= LLONG_MAX && nofile <= LLONG_MAX;
	p->fds = p->counted ? (long long)fds : -1;
	p->limit = p->counted ? (long long)nofile : -1;
	return p;
}

/* ---- rows ---- */

void sf_tally_add(struct sf_tally *ty, const struct sf_table *t, const struct sf_row *r)
{
	const struct sf_str *netns = sf_get(t, r, SF_NETNS);
	struct sf_rec *rec;
	struct sf_group *g;
	uint64_t total;
	bool has_total;

	ty->recs = room(ty->recs, ty->nrecs, &ty->rcap, sizeof(*ty->recs));
	rec = &ty->recs[ty->nrecs++];
	memset(rec, 0, sizeof(*rec));
	rec->pid = r->pid;
	rec->fd = r->fd;
	rec->ino = r->ino;
	rec->group = group_of(ty, t, r);
	g = &ty->groups[rec->group];
	g->rows++;
	proc_of(ty, t, r)->sockets++;
	if (ty->nrecs == 1 || !is_name(&ty->names, ty->last_netns, netns)) {
		ty->last_netns = sf_name_id(&ty->names, netns->s, netns->len);
		ty->last_netns_num = sf_parse_u64(netns->s, netns->len, &ty->netns);
	}
	rec->netns_name = ty->last_netns;
	rec->netns = ty->netns;
	if (ty->last_netns_num)
		rec->flags |= SF_REC_NETNS;
	if (sf_get_num(t, r, SF_CGROUP, &rec->cgroup))
		rec->flags |= SF_REC_CGROUP;
	if (!sf_get_num(t, r, SF_DROPS, &rec->drops))
		rec->drops = 0;
	if (sf_parse_pair(sf_get(t, r, SF_RETRANS), &rec->retrans, &total, &has_total) &&
	    has_total)
		rec->retrans = total;
	else
		rec->retrans = 0;
	if (sf_get_num(t, r, SF_TXQ, &rec->txq) && sf_get_num(t, r, SF_RXQ, &rec->rxq))
		rec->flags |= SF_REC_QUEUES;
	if ((g->flags & SF_G_INET) && (g->flags & (SF_G_LISTEN | SF_G_ESTABLISHED)) &&
	    sf_addr_port(sf_get(t, r, SF_LOCAL), &rec->port))
		rec->flags |= SF_REC_PORT;
	if (g->flags & SF_G_LISTEN) {	/* few: their labels are kept */
		const struct sf_str *local = sf_get(t, r, SF_LOCAL);
		const struct sf_str *comm = sf_get(t, r, SF_COMM);

		rec->local = sf_name_id(&ty->names, local->s, local->len);
		rec->comm = sf_name_id(&ty->names, comm->s, comm->len);
	}
}

static void names_free(struct sf_names *nm)
{
	free(nm->text.s);
	free(nm->v);
	free(nm->slot);
}

void sf_tally_free(struct sf_tally *ty)
{
	names_free(&ty->names);
	names_free(&ty->group_keys);
	free(ty->key.s);
	free(ty->groups);
	free(ty->recs);
	free(ty->procs);
	memset(ty, 0, sizeof(*ty));
}
