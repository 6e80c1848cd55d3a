/* SPDX-License-Identifier: MIT */
/* Comparison of two differential results (see compare.h). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/bpf.h>

#include "compare.h"

/* Differences printed in full per program and per map; more are counted. */
#define SHOWN_FRAMES 8
#define SHOWN_ENTRIES 8
/* Rows of 16 bytes printed per hex diff. */
#define SHOWN_ROWS 8
/* LRU maps: how many of the most recently used keys both sides must hold.
 * The programs' LRU values start with a 64-bit sequence number of their
 * last use (the first CPU's slot for per-CPU maps). Linux's LRU evicts in
 * batches and not always the oldest key first, so only the newest few are
 * certain to be there. */
#define LRU_RECENT 4

static void hex_row(FILE *out, const uint8_t *p, size_t len, size_t row)
{
	size_t i;

	for (i = row * 16; i < row * 16 + 16; i++) {
		if (i < len)
			fprintf(out, " %02x", p[i]);
		else
			fputs("   ", out);
	}
}

/* Rows that differ, each as two lines with the differing bytes marked. */
static void hex_diff(FILE *out, struct diff_side a, const uint8_t *pa, size_t alen,
		     struct diff_side b, const uint8_t *pb, size_t blen)
{
	size_t len = alen > blen ? alen : blen, rows = (len + 15) / 16, row, i, shown = 0;
	int width = (int)(strlen(a.name) > strlen(b.name) ? strlen(a.name) : strlen(b.name));

	for (row = 0; row < rows; row++) {
		bool same = true;

		for (i = row * 16; i < row * 16 + 16 && i < len; i++)
			same = same && i < alen && i < blen && pa[i] == pb[i];
		if (same)
			continue;
		if (shown++ == SHOWN_ROWS) {
			fputs("        ... more rows differ\n", out);
			return;
		}
		fprintf(out, "        %04zx %-*s", row * 16, width + 1, a.name);
		hex_row(out, pa, alen, row);
		fprintf(out, "\n             %-*s", width + 1, b.name);
		hex_row(out, pb, blen, row);
		fprintf(out, "\n             %-*s", width + 1, "");
		for (i = row * 16; i < row * 16 + 16 && i < len; i++)
			fputs(i < alen && i < blen && pa[i] == pb[i] ? "   " : " ^^", out);
		fputc('\n', out);
	}
}

static void hex(FILE *out, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(out, "%02x", p[i]);
}

static void describe_run(FILE *out, struct diff_side side, const struct diff_run *run)
{
	const char *action = diff_action_name(run->retval);

	fprintf(out, "      %s: ", side.name);
	if (run->err)
		fprintf(out, "test run failed: %s (%d)%s%s\n", strerror(-run->err), run->err,
			run->message ? ": " : "", run->message ? run->message : "");
	else
		fprintf(out, "retval %u%s%s%s, %u bytes out\n", run->retval, action ? " (" : "",
			action ? action : "", action ? ")" : "", run->size);
}

static bool runs_equal(const struct diff_run *a, const struct diff_run *b)
{
	return a->err == b->err && a->retval == b->retval && a->size == b->size &&
	       (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}

static size_t compare_runs(const char *program, struct diff_side want, struct diff_side got,
			   const struct diff_packet *pkts, FILE *out)
{
	const struct diff_result *a = want.result, *b = got.result;
	size_t i, found = 0;

	if (a->n_runs != b->n_runs) {
		fprintf(out, "%s: %s ran %zu frames, %s %zu\n", program, want.name, a->n_runs,
			got.name, b->n_runs);
		return 1;
	}
	for (i = 0; i < a->n_runs; i++) {
		const struct diff_run *ra = &a->runs[i], *rb = &b->runs[i];

		if (runs_equal(ra, rb))
			continue;
		if (found++ >= SHOWN_FRAMES)
			continue;
		fprintf(out, "%s: frame %zu (%s, %u bytes) differs:\n", program, i, pkts[i].kind,
			pkts[i].len);
		describe_run(out, want, ra);
		describe_run(out, got, rb);
		if (ra->size && rb->size)
			hex_diff(out, want, ra->data, ra->size, got, rb->data, rb->size);
	}
	if (found > SHOWN_FRAMES)
		fprintf(out, "%s: ... %zu frames differ in all\n", program, found);
	return found;
}

/* ------------------------------------------------------------------------ */
/* Maps                                                                     */
/* ------------------------------------------------------------------------ */

static bool is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool has_keys(uint32_t type)
{
	return type != BPF_MAP_TYPE_QUEUE && type != BPF_MAP_TYPE_STACK;
}

static uint64_t lru_stamp(const struct diff_map *m, const struct diff_entry *e)
{
	uint64_t stamp = 0;

	if (m->value_size >= sizeof(stamp))
		memcpy(&stamp, e->value, sizeof(stamp));
	return stamp;
}

static const struct diff_entry *find_entry(const struct diff_map *m, const uint8_t *key)
{
	size_t i;

	for (i = 0; i < m->n_entries; i++) {
		if (memcmp(m->entries[i].key, key, m->key_size) == 0)
			return &m->entries[i];
	}
	return NULL;
}

/* Reports entry e of side `have` missing from the map of side `lack`. */
static void report_missing(FILE *out, const char *program, const struct diff_map *m,
			   const struct diff_entry *e, struct diff_side have,
			   struct diff_side lack, const char *why)
{
	fprintf(out, "%s: map %s: key ", program, m->name);
	hex(out, e->key, m->key_size);
	fprintf(out, "%s%s in %s, not in %s (value ", why[0] ? " " : "", why, have.name,
		lack.name);
	hex(out, e->value, m->value_size);
	fputs(")\n", out);
}

static void report_values(FILE *out, const char *program, const struct diff_map *m,
			  const uint8_t *key, size_t index, struct diff_side want,
			  const uint8_t *va, struct diff_side got, const uint8_t *vb)
{
	fprintf(out, "%s: map %s: ", program, m->name);
	if (key) {
		fputs("values of key ", out);
		hex(out, key, m->key_size);
	} else {
		fprintf(out, "element %zu", index);
	}
	fputs(" differ:\n", out);
	hex_diff(out, want, va, m->value_size, got, vb, m->value_size);
}

/* Entries of two keyed maps, both sorted by key. */
static size_t compare_keyed(const char *program, const struct diff_map *a, struct diff_side want,
			    const struct diff_map *b, struct diff_side got, FILE *out)
{
	size_t i = 0, j = 0, found = 0;

	while (i < a->n_entries || j < b->n_entries) {
		const struct diff_entry *ea = i < a->n_entries ? &a->entries[i] : NULL;
		const struct diff_entry *eb = j < b->n_entries ? &b->entries[j] : NULL;
		int order = !ea ? 1 : !eb ? -1 : memcmp(ea->key, eb->key, a->key_size);

		if (order == 0) {
			i++;
			j++;
			if (memcmp(ea->value, eb->value, a->value_size) == 0)
				continue;
			if (found++ < SHOWN_ENTRIES)
				report_values(out, program, a, ea->key, 0, want, ea->value, got,
					      eb->value);
		} else if (order < 0) {
			i++;
			if (found++ < SHOWN_ENTRIES)
				report_missing(out, program, a, ea, want, got, "");
		} else {
			j++;
			if (found++ < SHOWN_ENTRIES)
				report_missing(out, program, b, eb, got, want, "");
		}
	}
	return found;
}

/* QUEUE and STACK: the same elements in the same order. */
static size_t compare_sequence(const char *program, const struct diff_map *a,
			       struct diff_side want, const struct diff_map *b,
			       struct diff_side got, FILE *out)
{
	size_t i, found = 0;

	if (a->n_entries != b->n_entries) {
		fprintf(out, "%s: map %s holds %zu elements in %s, %zu in %s\n", program, a->name,
			a->n_entries, want.name, b->n_entries, got.name);
		found++;
	}
	for (i = 0; i < a->n_entries && i < b->n_entries; i++) {
		if (memcmp(a->entries[i].value, b->entries[i].value, a->value_size) == 0)
			continue;
		if (found++ < SHOWN_ENTRIES)
			report_values(out, program, a, NULL, i, want, a->entries[i].value, got,
				      b->entries[i].value);
	}
	return found;
}

/* The stamp below which an entry of either side is not among the
 * LRU_RECENT most recently used (0 when there are fewer). */
static uint64_t lru_recent_threshold(const struct diff_map *a, const struct diff_map *b)
{
	uint64_t top[LRU_RECENT] = {0}; /* distinct stamps, newest first */
	const struct diff_map *maps[2] = {a, b};
	size_t s, i, k;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < maps[s]->n_entries; i++) {
			uint64_t stamp = lru_stamp(maps[s], &maps[s]->entries[i]);

			for (k = 0; k < LRU_RECENT && stamp < top[k]; k++)
				;
			if (k == LRU_RECENT || stamp == top[k])
				continue;
			memmove(&top[k + 1], &top[k], (LRU_RECENT - 1 - k) * sizeof(top[0]));
			top[k] = stamp;
		}
	}
	return top[LRU_RECENT - 1];
}

static size_t compare_lru(const char *program, const struct diff_map *a, struct diff_side want,
			  const struct diff_map *b, struct diff_side got, FILE *out)
{
	uint64_t recent = lru_recent_threshold(a, b);
	const struct diff_map *maps[2] = {a, b};
	struct diff_side sides[2] = {want, got};
	size_t s, i, found = 0;

	for (s = 0; s < 2; s++) {
		const struct diff_map *m = maps[s], *other = maps[1 - s];

		if (m->n_entries > m->max_entries) {
			fprintf(out, "%s: map %s holds %zu entries in %s, more than its %u\n",
				program, m->name, m->n_entries, sides[s].name, m->max_entries);
			found++;
		}
		for (i = 0; i < m->n_entries; i++) {
			const struct diff_entry *e = &m->entries[i];
			const struct diff_entry *peer = find_entry(other, e->key);

			if (peer) {
				/* Each pair of values once, from the first side. */
				if (s == 0 && memcmp(e->value, peer->value, m->value_size) != 0 &&
				    found++ < SHOWN_ENTRIES)
					report_values(out, program, m, e->key, 0, want, e->value,
						      got, peer->value);
			} else if (lru_stamp(m, e) >= recent) {
				if (found++ < SHOWN_ENTRIES)
					report_missing(out, program, m, e, sides[s], sides[1 - s],
						       "recently used");
			}
		}
	}
	return found;
}

static size_t compare_map(const char *program, const struct diff_map *a, struct diff_side want,
			  const struct diff_map *b, struct diff_side got, FILE *out)
{
	size_t found;

	if (a->type != b->type || a->key_size != b->key_size ||
	    a->value_size != b->value_size || a->max_entries != b->max_entries) {
		fprintf(out,
			"%s: map %s: %s has type %u, %u-byte keys, %u-byte values, %u entries; "
			"%s has type %u, %u, %u, %u\n",
			program, a->name, want.name, a->type, a->key_size, a->value_size,
			a->max_entries, got.name, b->type, b->key_size, b->value_size,
			b->max_entries);
		return 1;
	}
	if (!has_keys(a->type))
		found = compare_sequence(program, a, want, b, got, out);
	else if (is_lru(a->type))
		found = compare_lru(program, a, want, b, got, out);
	else
		found = compare_keyed(program, a, want, b, got, out);
	if (found > SHOWN_ENTRIES)
		fprintf(out, "%s: map %s: ... %zu differences in all\n", program, a->name, found);
	return found;
}

size_t diff_compare(const char *program, struct diff_side want, struct diff_side got,
		    const struct diff_packet *pkts, FILE *out)
{
	const struct diff_result *a = want.result, *b = got.result;
	size_t found = compare_runs(program, want, got, pkts, out), i;

	for (i = 0; i < a->n_maps; i++) {
		const struct diff_map *mb = diff_result_find_map(b, a->maps[i].name);

		if (!mb) {
			fprintf(out, "%s: map %s exists in %s, not in %s\n", program,
				a->maps[i].name, want.name, got.name);
			found++;
			continue;
		}
		found += compare_map(program, &a->maps[i], want, mb, got, out);
	}
	for (i = 0; i < b->n_maps; i++) {
		if (!diff_result_find_map(a, b->maps[i].name)) {
			fprintf(out, "%s: map %s exists in %s, not in %s\n", program,
				b->maps[i].name, got.name, want.name);
			found++;
		}
	}
	return found;
}
