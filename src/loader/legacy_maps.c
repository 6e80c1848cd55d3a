/* SPDX-License-Identifier: MIT */
/* Legacy map definitions: a struct bpf_map_def {type, key_size, value_size,
 * max_entries, map_flags} per symbol of SEC("maps"). Longer definitions are
 * accepted as libbpf accepted them: when the extra bytes are zero. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld.h"

/* struct bpf_map_def: type, key_size, value_size, max_entries, map_flags. */
#define LEGACY_DEF_SIZE 20

int xbpf_ld_collect_legacy_maps(struct xbpf_ld *ld)
{
	const struct xbpf_ld_sec *sec;
	Elf64_Sym *syms;
	size_t n, i, def_size;
	int err;

	if (!ld->legacy_maps_sec)
		return 0;
	sec = &ld->secs[ld->legacy_maps_sec];
	err = xbpf_ld_def_syms(ld, ld->legacy_maps_sec, &syms, &n);
	if (err || n == 0)
		return err;
	/* As libbpf did: every definition has the same size, the section's
	 * size divided by the number of symbols in it. */
	if (sec->size == 0 || sec->size % n != 0) {
		free(syms);
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(ld->legacy_maps_sec),
				     "cannot tell the size of a map definition: %zu bytes for %zu "
				     "maps",
				     sec->size, n);
	}
	def_size = sec->size / n;
	ld->legacy_maps_first = ld->obj->n_maps;
	for (i = 0; i < n && !err; i++) {
		const char *name = ld->strtab + syms[i].st_name;
		struct xbpf_ld_where where = XBPF_LD_AT_SEC(ld->legacy_maps_sec);
		uint8_t def[LEGACY_DEF_SIZE] = {0};
		struct xbpf_elf_map *map;
		size_t b;
		int idx;

		if (syms[i].st_value > sec->size - def_size ||
		    (i > 0 && syms[i].st_value < syms[i - 1].st_value + def_size)) {
			err = xbpf_ld_error(ld, -EINVAL, where,
					    "map '%s': its definition at offset %llu (%zu bytes) "
					    "overlaps another or runs past the section",
					    name, (unsigned long long)syms[i].st_value, def_size);
			break;
		}
		memcpy(def, sec->data + syms[i].st_value,
		       def_size < LEGACY_DEF_SIZE ? def_size : LEGACY_DEF_SIZE);
		for (b = LEGACY_DEF_SIZE; b < def_size; b++) {
			if (sec->data[syms[i].st_value + b] != 0)
				break;
		}
		if (b < def_size) {
			err = xbpf_ld_error(ld, -EOPNOTSUPP, where,
					    "map '%s': byte %zu of its definition is beyond struct "
					    "bpf_map_def and not zero",
					    name, b);
			break;
		}
		idx = xbpf_ld_add_map(ld, &map);
		if (idx < 0) {
			err = idx;
			break;
		}
		map->name = name;
		map->section = sec->name;
		map->kind = XBPF_ELF_MAP_LEGACY;
		map->sec_offset = (uint32_t)syms[i].st_value;
		map->type = xbpf_ld_le32(def);
		map->key_size = xbpf_ld_le32(def + 4);
		map->value_size = xbpf_ld_le32(def + 8);
		map->max_entries = xbpf_ld_le32(def + 12);
		map->map_flags = xbpf_ld_le32(def + 16);
		ld->legacy_maps_count++;
	}
	free(syms);
	return err;
}
