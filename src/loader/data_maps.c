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

static bool is_var_sym(const struct xbpf_ld *ld, const Elf64_Sym *sym)
{
	return ELF64_ST_TYPE(sym->st_info) == STT_OBJECT && sym->st_shndx != SHN_UNDEF &&
	       sym->st_shndx < ld->n_secs && ld->secs[sym->st_shndx].map >= 0;
}

static int cmp_var(const void *a, const void *b)
{
	const struct xbpf_elf_var *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int add_var(struct xbpf_ld *ld, size_t sym_idx, const struct xbpf_ld_names *btf_vars)
{
	const Elf64_Sym *sym = &ld->syms[sym_idx];
	const struct xbpf_ld_sec *sec = &ld->secs[sym->st_shndx];
	struct xbpf_elf_map *map = &ld->obj->maps[sec->map];
	struct xbpf_elf_var *var = &map->vars[map->n_vars++];
	const struct btf_type *t;
	uint32_t var_id;

	if (sym->st_value > sec->size || sym->st_size > sec->size - sym->st_value)
		return xbpf_ld_error(ld, -EINVAL,
				     XBPF_LD_AT_SYM(sym->st_shndx, xbpf_ld_sym_name(ld, sym_idx)),
				     "variable of %llu bytes at offset %llu runs past the end of "
				     "the section (%zu bytes)",
				     (unsigned long long)sym->st_size,
				     (unsigned long long)sym->st_value, sec->size);
	var->name = xbpf_ld_sym_name(ld, sym_idx);
	var->offset = (uint32_t)sym->st_value;
	var->size = (uint32_t)sym->st_size;
	var_id = xbpf_ld_names_find(btf_vars, var->name);
	t = var_id ? btf__type_by_id(ld->btf, var_id) : NULL;
	if (t && btf_is_var(t))
		var->btf_type_id = t->type;
	return 0;
}

/* Lists each data map's variables: one pass over the symbols to count,
 * one to fill. */
static int collect_vars(struct xbpf_ld *ld)
{
	struct xbpf_elf_obj *obj = ld->obj;
	struct xbpf_ld_names *btf_vars;
	size_t i;
	int err = 0;

	if (obj->n_maps == 0)
		return 0;
	btf_vars = calloc(obj->n_maps, sizeof(*btf_vars));
	if (!btf_vars)
		return -ENOMEM;
	for (i = 0; i < ld->n_syms; i++) {
		if (is_var_sym(ld, &ld->syms[i]))
			obj->maps[ld->secs[ld->syms[i].st_shndx].map].n_vars++;
	}
	for (i = 0; i < obj->n_maps && !err; i++) {
		struct xbpf_elf_map *map = &obj->maps[i];

		if (map->n_vars == 0)
			continue;
		map->vars = calloc(map->n_vars, sizeof(*map->vars));
		map->n_vars = 0;
		err = map->vars ? 0 : -ENOMEM;
		if (!err)
			err = xbpf_ld_btf_datasec_vars(ld->btf, map->btf_value_type_id, &btf_vars[i]);
	}
	for (i = 0; i < ld->n_syms && !err; i++) {
		if (is_var_sym(ld, &ld->syms[i]))
			err = add_var(ld, i, &btf_vars[ld->secs[ld->syms[i].st_shndx].map]);
	}
	for (i = 0; i < obj->n_maps; i++) {
		if (obj->maps[i].n_vars > 1)
			qsort(obj->maps[i].vars, obj->maps[i].n_vars, sizeof(*obj->maps[i].vars), cmp_var);
		xbpf_ld_names_free(&btf_vars[i]);
	}
	free(btf_vars);
	return err;
}

int xbpf_ld_collect_data_maps(struct xbpf_ld *ld)
{
	size_t i;

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
		map->btf_value_type_id = xbpf_ld_names_find(&ld->btf_datasecs, sec->name);
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
	}
	return collect_vars(ld);
}
