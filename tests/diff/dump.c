/* SPDX-License-Identifier: MIT */
/* Reading a map's contents through a runtime's element operations (see dump.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "dump.h"

static int dump_popped(struct diff_map *m, const struct diff_map_reader *r, void *value)
{
	int err;

	while ((err = r->pop(r->map, value)) == 0) {
		err = diff_map_add_entry(m, NULL, value);
		if (err)
			return err;
	}
	return err == -ENOENT ? 0 : err;
}

static int dump_keyed(struct diff_map *m, const struct diff_map_reader *r, void *key, void *next,
		      void *value)
{
	char name[DIFF_PROG_NAME_LEN];
	int err = r->next_key(r->map, NULL, key);

	while (err == 0) {
		err = r->lookup(r->map, key, value);
		if (err == 0 && m->type == BPF_MAP_TYPE_PROG_ARRAY) {
			uint32_t id;

			memcpy(&id, value, sizeof(id));
			memset(name, 0, sizeof(name));
			err = r->program_name(r->map, id, name);
			if (err == 0)
				err = diff_map_add_entry(m, key, name);
		} else if (err == 0) {
			err = diff_map_add_entry(m, key, value);
		} else if (err == -ENOENT) {
			err = 0; /* an empty PROG_ARRAY slot */
		}
		if (err)
			return err;
		err = r->next_key(r->map, key, next);
		memcpy(key, next, m->key_size);
	}
	return err == -ENOENT ? 0 : err;
}

int diff_map_dump(struct diff_map *m, const struct diff_map_reader *r)
{
	/* PROG_ARRAY lookups give a 4-byte id, m holds names. */
	size_t value_size = m->value_size > sizeof(uint32_t) ? m->value_size : sizeof(uint32_t);
	void *key = calloc(1, m->key_size + 1);
	void *next = calloc(1, m->key_size + 1);
	void *value = calloc(1, value_size);
	int err;

	if (!key || !next || !value)
		err = -ENOMEM;
	else if (m->type == BPF_MAP_TYPE_QUEUE || m->type == BPF_MAP_TYPE_STACK)
		err = dump_popped(m, r, value);
	else
		err = dump_keyed(m, r, key, next, value);
	free(key);
	free(next);
	free(value);
	return err;
}
