/*
 * hosts.c - the tables of streams of several hosts (hosts.h).
 *
 * Each input is read into the stats of its host, so memory is that of
 * one stream per host, whatever the streams' lengths. The per-call table
 * of all hosts sums theirs; the depth table stays per host, since every
 * stream's TIME counts from its own epoch, and so does the storage table,
 * since each host's device is its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "callstats.h"
#include "depth.h"
#include "hosts.h"
#include "options.h"
#include "report.h"
#include "storage.h"
#include "table.h"

struct host {
	char *name;		/* escaped, as in the stream; "" for none */
	struct stats *st;
};

static struct host *hosts;
static size_t nhosts, cap;
static struct stats *first_st;	/* the caller's, for the first host */

/* The host's name in a table: "-" for a stream that names none. */
static const char *host_label(const struct host *h)
{
	return *h->name ? h->name : "-";
}

/* The entry of host, made on first sight: the first host's stats are first_st. */
static struct host *host_of(const char *host)
{
	for (size_t i = 0; i < nhosts; i++)
		if (!strcmp(hosts[i].name, host))
			return &hosts[i];
	hosts = ior_xgrow(hosts, &cap, nhosts + 1, sizeof(*hosts));
	hosts[nhosts].name = ior_xstrdup(host);
	hosts[nhosts].st = nhosts ? ior_xcalloc(1, sizeof(struct stats)) :
		first_st;
	return &hosts[nhosts++];
}

static int is_stdin(const char *path)
{
	return !path || !strcmp(path, "-");
}

/*
 * The host of the stream at path, from its header alone (its lines up
 * to the first record), into host.
 */
static void header_host(const char *path, char *host)
{
	struct ior_in in;
	struct ior_rec r;
	int k;

	host[0] = '\0';
	ior_in_open(&in, path);
	while ((k = ior_read(&in, &r)) == IOR_META)
		meta_host(&in, host);
	ior_in_close(&in);
}

/*
 * Standard input, which cannot be read twice: into stats of its own,
 * which become its host's when that host is new, else are added to
 * theirs (but for its depth table).
 */
static void read_stdin(void)
{
	struct stats *st = ior_xcalloc(1, sizeof(*st));
	struct host *h;

	stats_read(st, NULL);
	if (st->loss_in)
		ior_warn_loss_at(st->loss_in, st->loss_line, &st->loss);
	h = host_of(st->host);
	if (h->st->records || h->st->ncalls) {
		stats_add(h->st, st);
		stats_free(st);
	} else if (h->st == first_st) {
		/* moved into the caller's, with what it attached */
		st->each = first_st->each;
		st->data = first_st->data;
		*first_st = *st;
	} else {
		free(h->st);
		h->st = st;
		return;
	}
	free(st);
}

struct stats *hosts_read(struct stats *first, char **files, int n)
{
	char host[HOST_MAX + 1];

	first_st = first;
	for (int i = 0; i < n; i++) {
		struct stats *st;

		if (is_stdin(files[i])) {
			read_stdin();
			continue;
		}
		header_host(files[i], host);
		st = host_of(host)->st;
		st->loss_in = NULL;
		stats_read(st, files[i]);
		/* each input that lost events is said */
		if (st->loss_in)
			ior_warn_loss_at(st->loss_in, st->loss_line, &st->loss);
	}
	return nhosts == 1 ? first : NULL;
}

/* Whether st has anything for the per-call table. */
static int has_ops(const struct stats *st)
{
	static struct call_stats t;
	uint64_t rd, wr;

	total(st, &t, &rd, &wr);
	return t.count || st->depth.nreq;
}

/* The tables of one host, under its name, aligned. */
static int show_host(const struct host *h, struct ior_out *o)
{
	int shown = 0;

	ior_printf(o, "host %s:\n", host_label(h));
	if ((opt.show & SHOW_CALLS) && !has_ops(h->st))
		ior_puts(o, "no operation records\n");
	else if (opt.show & SHOW_CALLS)
		shown = report(h->st, o) == IOR_EXIT_OK;
	if (opt.show & SHOW_CALLS)
		storage_report(&h->st->storage, 1, o);
	if (opt.show & SHOW_DEPTH)
		shown |= depth_report(&h->st->depth, NULL, opt.show & SHOW_CALLS, o);
	ior_putc(o, '\n');
	return shown;
}

/* The same, with -t: rows whose first column is the host. */
static void tab_calls(struct stats *all, struct ior_out *o)
{
	int head = 1;

	for (size_t i = 0; i < nhosts; i++) {
		if (!has_ops(hosts[i].st))
			continue;
		table_column(host_label(&hosts[i]), head);
		if (report(hosts[i].st, o) == IOR_EXIT_OK)
			head = 0;
	}
	table_column("*", head);
	report(all, o);
	/* the devices of each host's replays: one table more */
	head = 1;
	for (size_t i = 0; i < nhosts; i++) {
		table_column(host_label(&hosts[i]), head);
		if (storage_report(&hosts[i].st->storage, head, o))
			head = 0;
	}
	table_column(NULL, 0);
}

static int tab_depth(int blank, struct ior_out *o)
{
	int head = 1;

	for (size_t i = 0; i < nhosts; i++) {
		table_column(host_label(&hosts[i]), head);
		if (depth_report(&hosts[i].st->depth, NULL, blank && head, o))
			head = 0;
	}
	table_column(NULL, 0);
	return !head;
}

int hosts_report(struct ior_out *o)
{
	struct stats *all = ior_xcalloc(1, sizeof(*all));
	int code = IOR_EXIT_OK, depth = 0;

	for (size_t i = 0; i < nhosts; i++)
		stats_add(all, hosts[i].st);
	if (opt.tab) {
		if (opt.show & SHOW_CALLS)
			tab_calls(all, o);
		if (opt.show & SHOW_DEPTH)
			depth = tab_depth(opt.show & SHOW_CALLS, o);
	} else {
		for (size_t i = 0; i < nhosts; i++)
			depth |= show_host(&hosts[i], o);
		if (opt.show & SHOW_CALLS) {
			ior_printf(o, "all %zu hosts:\n", nhosts);
			code = report(all, o);
		}
	}
	if ((opt.show & SHOW_CALLS) && !has_ops(all))
		code = IOR_EXIT_NONE;
	if (opt.show == SHOW_DEPTH && !depth) {
		ior_warnx("nothing to report: no aio: or uring: requests");
		code = IOR_EXIT_NONE;
	}
	stats_free(all);
	free(all);
	return code;
}

void hosts_free(void)
{
	for (size_t i = 0; i < nhosts; i++) {
		if (hosts[i].st != first_st) {
			stats_free(hosts[i].st);
			free(hosts[i].st);
		}
		free(hosts[i].name);
	}
	free(hosts);
}
