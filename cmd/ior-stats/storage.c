/*
 * storage.c - the storage table (storage.h).
 *
 * A replay writes the counters of its root's device at its start and
 * at its end; the table shows their difference, as iostat(1) shows an
 * interval: requests and sectors, the mean time a read or write took
 * (await), the mean queue length (aqu-sz) and how busy the device was
 * (util). Runs of one host on one device are summed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "options.h"
#include "storage.h"
#include "table.h"

/* The #disk keys read, in the order of the counters. */
static const char *const keys[D_NCOUNT] = {
	"reads", "read_sectors", "read_ms", "writes", "write_sectors",
	"write_ms", "io_ms", "queue_ms", "flushes",
};

/* A copy of value into dst of cap bytes; a longer one is malformed. */
static void copy_value(const struct ior_in *in, const char *key,
		       const char *val, char *dst, size_t cap)
{
	if (strlen(val) >= cap)
		ior_bad(in, key, "longer than %zu bytes", cap - 1);
	strcpy(dst, val);
}

/* The line's fields into d; returns whether it is at=end. */
static int parse_disk(const struct ior_in *in, char *words, struct disk *d)
{
	int end = -1;

	memset(d, 0, sizeof(*d));
	for (char *w = strtok(words, " "); w; w = strtok(NULL, " ")) {
		char *eq = strchr(w, '=');

		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(w, "at")) {
			if (strcmp(eq, "start") && strcmp(eq, "end"))
				ior_bad(in, "at", "not start or end: \"%.20s\"", eq);
			end = !strcmp(eq, "end");
		} else if (!strcmp(w, "time")) {
			d->ns = ior_time(in, "time", eq);
		} else if (!strcmp(w, "dev")) {
			ior_dev(in, "dev", eq);
			copy_value(in, "dev", eq, d->dev, sizeof(d->dev));
		} else if (!strcmp(w, "name")) {
			copy_value(in, "name", eq, d->name, sizeof(d->name));
		} else {
			for (int k = 0; k < D_NCOUNT; k++)
				if (!strcmp(w, keys[k]))
					d->v[k] = ior_uint(in, keys[k], eq);
		}
	}
	if (end < 0)
		ior_bad(in, "at", "missing");
	if (!d->dev[0])
		ior_bad(in, "dev", "missing");
	return end;
}

/*
 * The run of dev and name in s, made on first sight; past DISKS_MAX,
 * malformed in in, or NULL without.
 */
static struct disk *run_of(struct storage *s, const struct disk *d,
			   const struct ior_in *in)
{
	for (int i = 0; i < s->nruns; i++)
		if (!strcmp(s->runs[i].dev, d->dev) &&
		    !strcmp(s->runs[i].name, d->name))
			return &s->runs[i];
	if (s->nruns == DISKS_MAX && !in)
		return NULL;
	if (s->nruns == DISKS_MAX)
		ior_bad(in, "dev", "more than %d devices", DISKS_MAX);
	s->runs[s->nruns] = (struct disk){ 0 };
	strcpy(s->runs[s->nruns].dev, d->dev);
	strcpy(s->runs[s->nruns].name, d->name);
	return &s->runs[s->nruns++];
}

/* The end of a run: what changed since its start, added to its device. */
static void end_run(struct storage *s, const struct disk *e,
		    const struct ior_in *in)
{
	struct disk *r;
	int i;

	for (i = s->nopen - 1; i >= 0; i--)
		if (!strcmp(s->open[i].dev, e->dev))
			break;
	if (i < 0)
		return;		/* an end without its start: no interval */
	if (!strcmp(e->name, "-")) {
		s->none++;
	} else {
		r = run_of(s, e, in);
		for (int k = 0; k < D_NCOUNT; k++)
			if (e->v[k] >= s->open[i].v[k])	/* else reset */
				r->v[k] += e->v[k] - s->open[i].v[k];
		if (e->ns > s->open[i].ns)
			r->ns += e->ns - s->open[i].ns;
	}
	s->open[i] = s->open[--s->nopen];
}

void storage_line(struct storage *s, const struct ior_in *in)
{
	struct disk d;
	char *words;

	if (strncmp(in->line, "#disk ", 6))
		return;
	words = ior_xstrdup(in->line + 6);
	if (parse_disk(in, words, &d)) {
		end_run(s, &d, in);
	} else {
		if (s->nopen == DISKS_MAX)
			ior_bad(in, "dev", "more than %d devices", DISKS_MAX);
		s->open[s->nopen++] = d;
	}
	free(words);
}

void storage_add(struct storage *dst, const struct storage *src)
{
	dst->none += src->none;
	for (int i = 0; i < src->nruns; i++) {
		struct disk *r = run_of(dst, &src->runs[i], NULL);

		if (!r)
			continue;

		for (int k = 0; k < D_NCOUNT; k++)
			r->v[k] += src->runs[i].v[k];
		r->ns += src->runs[i].ns;
	}
}

static const char *const head[] = {
	"READS", "WRITES", "FLUSHES", "READ", "WRITTEN", "AWAIT", "AQU-SZ",
	"UTIL",
};
static const char *const head_tab[] = {
	"reads", "writes", "flushes", "read_sectors", "write_sectors",
	"await_ns", "aqu_sz", "util_pct",
};
#define NCOL 8

static void disk_row(struct row *r, const struct disk *d)
{
	uint64_t ios = d->v[D_READS] + d->v[D_WRITES];
	double ms = d->ns / 1e6;

	r->name = d->name;
	put_count(r->cell[0], d->v[D_READS]);
	put_count(r->cell[1], d->v[D_WRITES]);
	put_count(r->cell[2], d->v[D_FLUSHES]);
	if (opt.tab) {
		put_count(r->cell[3], d->v[D_READ_SECTORS]);
		put_count(r->cell[4], d->v[D_WRITE_SECTORS]);
	} else {
		put_bytes(r->cell[3], d->v[D_READ_SECTORS] * 512);
		put_bytes(r->cell[4], d->v[D_WRITE_SECTORS] * 512);
	}
	/* the kernel counts milliseconds: so is await exact */
	if (ios)
		put_ns(r->cell[5], (d->v[D_READ_MS] + d->v[D_WRITE_MS]) * 1e6 / ios);
	else
		snprintf(r->cell[5], CELL, "-");
	if (ms > 0) {
		snprintf(r->cell[6], CELL, "%.2f", d->v[D_QUEUE_MS] / ms);
		snprintf(r->cell[7], CELL, opt.tab ? "%.2f" : "%.1f%%",
			 100 * (d->v[D_IO_MS] < ms ? d->v[D_IO_MS] / ms : 1));
	} else {
		snprintf(r->cell[6], CELL, "-");
		snprintf(r->cell[7], CELL, "-");
	}
}

int storage_report(const struct storage *s, int lead, struct ior_out *o)
{
	struct row rows[DISKS_MAX + 1];
	uint64_t ns = 0;

	if (!s->nruns) {
		if (s->none && !opt.tab)
			ior_puts(o, "\nstorage: none (the root is on no block device)\n");
		return 0;
	}
	memset(rows, 0, sizeof(rows));
	rows[0].name = opt.tab ? "device" : "DEVICE";
	for (int j = 0; j < NCOL; j++)
		snprintf(rows[0].cell[j], CELL, "%s", opt.tab ? head_tab[j] : head[j]);
	for (int i = 0; i < s->nruns; i++) {
		disk_row(&rows[i + 1], &s->runs[i]);
		ns += s->runs[i].ns;
	}
	if (lead)
		ior_putc(o, '\n');
	if (lead && !opt.tab) {
		char t[CELL];

		put_ns(t, (double)ns / s->nruns);
		ior_printf(o, "storage under the root, during the replay (%s):\n", t);
	}
	print_rows(o, rows, s->nruns + 1, NCOL, 0);
	return 1;
}
