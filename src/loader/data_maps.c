/* SPDX-License-Identifier: MIT */
/*
 * Global data: every non-empty .data*, .rodata* (string literals included)
 * and .bss* section becomes an ARRAY map of one element whose value is the
 * section, as libbpf does. .rodata is read-only for programs and frozen once
 * written. The variables each holds are listed from the ELF symbols, with
 * their BTF types when the object has BTF.
 */
#include <errno.h>
#include <stdlib.h>

#include <bpf/btf.h>

#include "loader/ld.h"

static bool is_data_kind(enum xbpf_ld_sec_kind kind)
{
	return kind == XBPF_LD_SEC_DATA || kind == XBPF_LD_SEC_RODATA || kind == XBPF_LD_SEC_BSS;
}

static int cmp_var(const void *a, const void *b)
{
	const struct xbpf_elf_var *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int collect_vars(struct xbpf_ld *ld, size_t sec_idx, struct xbpf_elf_map *map)
{
	const struct xbpf_ld_sec *sec = &ld->secs[sec_idx];
	size_t i, n = 0;

	for (i = 0; i < ld->n_syms; i++) {
		const Elf64_Sym *sym = &ld->syms[i];

		n += sym->st_shndx == sec_idx && ELF64_ST_TYPE(sym->st_info) == STT_OBJECT;
	}
	if (n == 0)
		return 0;
	map->vars = calloc(n, sizeof(*map->vars));
	if (!map->vars)
		return -ENOMEM;
	for (i = 0; i < ld->n_syms; i++) {
		const Elf64_Sym *sym = &ld->syms[i];
		struct xbpf_elf_var *var;
		const struct btf_type *t;
		uint32_t var_id;

		if (sym->st_shndx != sec_idx || ELF64_ST_TYPE(sym->st_info) != STT_OBJECT)
			continue;
		if (sym->st_value > sec->size || sym->st_size > sec->size - sym->st_value)
			return xbpf_ld_error(ld, -EINVAL,
					     XBPF_LD_AT_SYM(sec_idx, xbpf_ld_sym_name(ld, i)),
					     "variable of %llu bytes at offset %llu runs past the "
					     "end of the section (%zu bytes)",
					     (unsigned long long)sym->st_size,
					     (unsigned long long)sym->st_value, sec->size);
		var = &map->vars[map->n_vars++];
		var->name = xbpf_ld_sym_name(ld, i);
		var->offset = (uint32_t)sym->st_value;
		var->size = (uint32_t)sym->st_size;
		var_id = xbpf_ld_btf_datasec_var(ld->btf, map->btf_value_type_id, var->name);
		t = var_id ? btf__type_by_id(ld->btf, var_id) : NULL;
		if (t && btf_is_var(t))
			var->btf_type_id = t->type;
	}
	qsort(map->vars, map->n_vars, sizeof(*map->vars), cmp_var);
	return 0;
}

int xbpf_ld_collect_data_maps(struct xbpf_ld *ld)
{
	size_t i;
	int err;

	for (i = 1; i < ld->n_secs; i++) {
		struct xbpf_ld_sec *sec = &ld->secs[i];
		struct xbpf_elf_map *map;
		int idx;

		if (!is_data_kind(sec->kind) || sec->size == 0)
			continue;
		if (sec->size > UINT32_MAX)
			return xbpf_ld_error(ld, -E2BIG, XBPF_LD_AT_SEC(i),
					     "global data of %zu bytes is larger than a map value "
					     "can be",
					     sec->size);
		idx = xbpf_ld_add_map(ld, &map);
		if (idx < 0)
			return idx;
		sec->map = idx;
		map->name = sec->name;
		map->section = sec->name;
		map->type = XBPF_MAP_TYPE_ARRAY;
		map->key_size = 4;
		map->value_size = (uint32_t)sec->size;
		map->max_entries = 1;
		map->btf_value_type_id = xbpf_ld_btf_datasec(ld->btf, sec->name);
		switch (sec->kind) {
		case XBPF_LD_SEC_RODATA:
			map->kind = XBPF_ELF_MAP_RODATA;
			map->map_flags = XBPF_F_RDONLY_PROG;
			map->frozen = true;
			map->data = sec->data;
			break;
		case XBPF_LD_SEC_BSS:
			map->kind = XBPF_ELF_MAP_BSS;
			break;
		default:
			map->kind = XBPF_ELF_MAP_DATA;
			map->data = sec->data;
			break;
		}
		err = collect_vars(ld, i, map);
		if (err)
			return err;
	}
	return 0;
}
