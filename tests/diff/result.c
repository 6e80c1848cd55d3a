/* SPDX-License-Identifier: MIT */
/* The runtime-independent results of a differential run (see result.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "result.h"

int diff_result_add_run(struct diff_result *r, int err, uint32_t retval, const void *data,
			uint32_t size, const char *message)
{
	struct diff_run *runs = realloc(r->runs, (r->n_runs + 1) * sizeof(*runs));
	struct diff_run *run;

	if (!runs)
		return -ENOMEM;
	r->runs = runs;
	run = &runs[r->n_runs];
	*run = (struct diff_run){.err = err, .retval = retval, .size = size};
	if (size) {
		run->data = malloc(size);
		if (!run->data)
			return -ENOMEM;
		memcpy(run->data, data, size);
	}
	if (message) {
		run->message = strdup(message);
		if (!run->message) {
			free(run->data);
			return -ENOMEM;
		}
	}
	r->n_runs++;
	return 0;
}

/* Global data maps are named after their section: libbpf calls the .data
 * of "globals.bpf.o" something like "globals.data" (its prefix depends on
 * the object's name), xbpf calls it ".data". Names of maps declared in C
 * never hold a dot. */
static void canonical_name(char *out, const char *name)
{
	static const char *const sections[] = {".data", ".rodata", ".bss"};
	const char *start = NULL;
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const char *p = strstr(name, sections[i]);

		if (p && (!start || p < start))
			start = p;
	}
	snprintf(out, DIFF_MAP_NAME_LEN, "%s", start ? start : name);
}

struct diff_map *diff_result_add_map(struct diff_result *r, const char *name, uint32_t type,
				     uint32_t key_size, uint32_t value_size,
				     uint32_t max_entries)
{
	struct diff_map *maps = realloc(r->maps, (r->n_maps + 1) * sizeof(*maps));
	struct diff_map *m;

	if (!maps)
		return NULL;
	r->maps = maps;
	m = &maps[r->n_maps++];
	*m = (struct diff_map){
		.type = type,
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
	};
	canonical_name(m->name, name);
	return m;
}

int diff_map_add_entry(struct diff_map *m, const void *key, const void *value)
{
	struct diff_entry *entries = realloc(m->entries, (m->n_entries + 1) * sizeof(*entries));
	struct diff_entry *e;

	if (!entries)
		return -ENOMEM;
	m->entries = entries;
	e = &entries[m->n_entries];
	e->key = NULL;
	e->value = malloc(m->value_size ? m->value_size : 1);
	if (!e->value)
		return -ENOMEM;
	memcpy(e->value, value, m->value_size);
	if (key) {
		e->key = malloc(m->key_size ? m->key_size : 1);
		if (!e->key) {
			free(e->value);
			return -ENOMEM;
		}
		memcpy(e->key, key, m->key_size);
	}
	m->n_entries++;
	return 0;
}

/* qsort has no user pointer: the key size of the map being sorted. */
static uint32_t sorting_key_size;

static int cmp_entry(const void *a, const void *b)
{
	const struct diff_entry *x = a, *y = b;

	return memcmp(x->key, y->key, sorting_key_size);
}

static int cmp_map(const void *a, const void *b)
{
	const struct diff_map *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void diff_result_sort(struct diff_result *r)
{
	size_t i;

	/* qsort may not be given NULL, even for nothing to sort. */
	if (r->n_maps > 1)
		qsort(r->maps, r->n_maps, sizeof(*r->maps), cmp_map);
	for (i = 0; i < r->n_maps; i++) {
		struct diff_map *m = &r->maps[i];

		if (m->n_entries < 2 || m->type == BPF_MAP_TYPE_QUEUE ||
		    m->type == BPF_MAP_TYPE_STACK)
			continue;
		sorting_key_size = m->key_size;
		qsort(m->entries, m->n_entries, sizeof(*m->entries), cmp_entry);
	}
}

const struct diff_map *diff_result_find_map(const struct diff_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_maps; i++) {
		if (strcmp(r->maps[i].name, name) == 0)
			return &r->maps[i];
	}
	return NULL;
}

void diff_result_free(struct diff_result *r)
{
	size_t i, j;

	for (i = 0; i < r->n_runs; i++) {
		free(r->runs[i].data);
		free(r->runs[i].message);
	}
	for (i = 0; i < r->n_maps; i++) {
		for (j = 0; j < r->maps[i].n_entries; j++) {
			free(r->maps[i].entries[j].key);
			free(r->maps[i].entries[j].value);
		}
		free(r->maps[i].entries);
	}
	free(r->runs);
	free(r->maps);
	*r = (struct diff_result){0};
}

const char *diff_action_name(uint32_t retval)
{
	static const char *const names[] = {
		[XDP_ABORTED] = "XDP_ABORTED", [XDP_DROP] = "XDP_DROP",
		[XDP_PASS] = "XDP_PASS",       [XDP_TX] = "XDP_TX",
		[XDP_REDIRECT] = "XDP_REDIRECT",
	};

	return retval < sizeof(names) / sizeof(names[0]) ? names[retval] : NULL;
}
