/* SPDX-License-Identifier: MIT */
/*
 * BTF-defined maps, in SEC(".maps").
 *
 * A definition is a struct whose members encode values in their types,
 * as libbpf's bpf_helpers.h writes them:
 *   __uint(name, N)       int (*name)[N]            N is the array length
 *   __type(name, T)       typeof(T) *name           T is the pointee
 *   __array(values, T)    typeof(T) *values[]       zero-length array of pointers
 * Each map is found from its ELF symbol (offset) and the BTF VAR of the same
 * name in DATASEC ".maps" (definition). Only the definitions are checked
 * here; whether sizes and flags suit the map type is the map layer's call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "loader/ld.h"

enum map_field {
	F_TYPE,
	F_MAX_ENTRIES,
	F_MAP_FLAGS,
	F_NUMA_NODE,
	F_KEY_SIZE,
	F_VALUE_SIZE,
	F_PINNING,
	F_MAP_EXTRA,
	F_KEY,
	F_VALUE,
	F_VALUES,
	F_COUNT,
};

static const char *const field_names[F_COUNT] = {
	[F_TYPE] = "type",
	[F_MAX_ENTRIES] = "max_entries",
	[F_MAP_FLAGS] = "map_flags",
	[F_NUMA_NODE] = "numa_node",
	[F_KEY_SIZE] = "key_size",
	[F_VALUE_SIZE] = "value_size",
	[F_PINNING] = "pinning",
	[F_MAP_EXTRA] = "map_extra",
	[F_KEY] = "key",
	[F_VALUE] = "value",
	[F_VALUES] = "values",
};

/* What a definition struct says, before it is checked as a whole. */
struct map_def {
	bool seen[F_COUNT];
	uint32_t num[F_MAP_EXTRA + 1]; /* the __uint fields */
	uint32_t key_type, value_type; /* pointee ids of __type(key/value) */
	uint32_t key_type_size, value_type_size;
	uint32_t values_member; /* member index of __array(values) */
	uint32_t values_off;    /* its byte offset */
};

struct def_ctx {
	struct xbpf_ld *ld;
	struct xbpf_ld_where where;
	const char *map_name;
};

static bool is_map_in_map(uint32_t type)
{
	return type == XBPF_MAP_TYPE_ARRAY_OF_MAPS || type == XBPF_MAP_TYPE_HASH_OF_MAPS;
}

/* __uint(name, N): a pointer to an array of N elements. */
static bool read_uint_field(const struct btf *btf, uint32_t type_id, uint32_t *value)
{
	const struct btf_type *t = xbpf_ld_btf_skip_mods(btf, type_id, NULL);
	const struct btf_type *arr;

	if (!t || !btf_is_ptr(t))
		return false;
	arr = xbpf_ld_btf_skip_mods(btf, t->type, NULL);
	if (!arr || !btf_is_array(arr))
		return false;
	*value = btf_array(arr)->nelems;
	return true;
}

/* __type(name, T): a pointer to T, whose size must be known and non-zero. */
static int read_type_field(struct def_ctx *c, const char *field, uint32_t type_id, uint32_t *pointee,
			   uint32_t *size)
{
	const struct btf *btf = c->ld->btf;
	const struct btf_type *t = xbpf_ld_btf_skip_mods(btf, type_id, NULL);
	long long sz;

	if (!t || !btf_is_ptr(t))
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': field '%s' is not __type(%s, T) (a pointer to T)",
				     c->map_name, field, field);
	if (!btf__type_by_id(btf, t->type))
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': the %s type [%u] is missing from the BTF", c->map_name,
				     field, t->type);
	sz = btf__resolve_size(btf, t->type);
	if (sz < 0)
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': the size of the %s type [%u] cannot be determined",
				     c->map_name, field, t->type);
	if (sz == 0 || sz > UINT32_MAX)
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': the %s type [%u] has size %lld", c->map_name, field,
				     t->type, sz);
	*pointee = t->type;
	*size = (uint32_t)sz;
	return 0;
}

static int read_members(struct def_ctx *c, const struct btf_type *def, bool inner, struct map_def *d)
{
	const struct btf *btf = c->ld->btf;
	const struct btf_member *m = btf_members(def);
	uint32_t vlen = btf_vlen(def), i;
	int err;

	for (i = 0; i < vlen; i++, m++) {
		const char *name = xbpf_ld_btf_name(btf, m->name_off);
		enum map_field f;

		for (f = 0; f < F_COUNT; f++) {
			if (strcmp(name, field_names[f]) == 0)
				break;
		}
		if (f == F_COUNT)
			return xbpf_ld_error(c->ld, -EINVAL, c->where, "map '%s': unknown field '%s'",
					     c->map_name, name);
		if (d->seen[f])
			return xbpf_ld_error(c->ld, -EINVAL, c->where,
					     "map '%s': field '%s' is given twice", c->map_name, name);
		d->seen[f] = true;
		switch (f) {
		case F_KEY:
			err = read_type_field(c, name, m->type, &d->key_type, &d->key_type_size);
			if (err)
				return err;
			break;
		case F_VALUE:
			err = read_type_field(c, name, m->type, &d->value_type, &d->value_type_size);
			if (err)
				return err;
			break;
		case F_VALUES:
			if (inner)
				return xbpf_ld_error(c->ld, -EOPNOTSUPP, c->where,
						     "map '%s': an inner map cannot have 'values' "
						     "(multi-level map-in-map)",
						     c->map_name);
			if (i != vlen - 1 || btf_member_bit_offset(def, i) % 8 != 0)
				return xbpf_ld_error(c->ld, -EINVAL, c->where,
						     "map '%s': 'values' must be the last field",
						     c->map_name);
			d->values_member = i;
			d->values_off = btf_member_bit_offset(def, i) / 8;
			break;
		default:
			if (!read_uint_field(btf, m->type, &d->num[f]))
				return xbpf_ld_error(c->ld, -EINVAL, c->where,
						     "map '%s': field '%s' is not __uint(%s, N) (a "
						     "pointer to an array of N)",
						     c->map_name, name, name);
			break;
		}
	}
	return 0;
}

static int parse_def(struct def_ctx *c, uint32_t def_id, bool inner, struct xbpf_elf_map *map,
		     struct map_def *d);

/* __array(values, T): for PROG_ARRAY, T is a function prototype; for
 * map-in-map, T is the inner map's definition struct. */
static int read_values(struct def_ctx *c, const struct btf_type *def, struct xbpf_elf_map *map,
		       const struct map_def *d)
{
	const struct btf *btf = c->ld->btf;
	const struct btf_member *m = &btf_members(def)[d->values_member];
	const struct btf_type *arr = btf__type_by_id(btf, m->type), *ptr, *elem;
	uint32_t elem_id;
	struct xbpf_elf_map *inner;
	struct map_def inner_def = {0};
	struct def_ctx inner_ctx;
	size_t len;

	if (map->type != XBPF_MAP_TYPE_PROG_ARRAY && !is_map_in_map(map->type))
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': 'values' needs a PROG_ARRAY, ARRAY_OF_MAPS or "
				     "HASH_OF_MAPS map, not type %u",
				     c->map_name, map->type);
	if (d->seen[F_VALUE_SIZE] && map->value_size != 4)
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': value_size %u conflicts with 'values' (4-byte ids)",
				     c->map_name, map->value_size);
	if (d->seen[F_VALUE])
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': 'value' and 'values' cannot both be given",
				     c->map_name);
	map->value_size = 4;
	if (!arr || !btf_is_array(arr) || btf_array(arr)->nelems != 0)
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': 'values' is not a zero-length array (__array)",
				     c->map_name);
	ptr = xbpf_ld_btf_skip_mods(btf, btf_array(arr)->type, NULL);
	if (!ptr || !btf_is_ptr(ptr))
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': 'values' is not an array of pointers", c->map_name);
	elem = xbpf_ld_btf_skip_mods(btf, ptr->type, &elem_id);
	if (map->type == XBPF_MAP_TYPE_PROG_ARRAY) {
		if (!elem || !btf_is_func_proto(elem))
			return xbpf_ld_error(c->ld, -EINVAL, c->where,
					     "map '%s': the 'values' of a PROG_ARRAY must point to "
					     "functions",
					     c->map_name);
		return 0;
	}
	if (!elem || !btf_is_struct(elem))
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': the 'values' of a map-in-map must point to an inner "
				     "map definition (a struct)",
				     c->map_name);
	/* The name lives in the same allocation as the inner map. */
	len = strlen(c->map_name) + sizeof(".inner");
	inner = calloc(1, sizeof(*inner) + len);
	if (!inner)
		return -ENOMEM;
	snprintf((char *)(inner + 1), len, "%s.inner", c->map_name);
	inner->name = (const char *)(inner + 1);
	inner->section = map->section;
	inner->kind = XBPF_ELF_MAP_BTF;
	inner->sec_offset = map->sec_offset;
	map->inner = inner;
	inner_ctx = (struct def_ctx){.ld = c->ld, .where = c->where, .map_name = inner->name};
	return parse_def(&inner_ctx, elem_id, true, inner, &inner_def);
}

/* Reads and checks the definition struct def_id into map. */
static int parse_def(struct def_ctx *c, uint32_t def_id, bool inner, struct xbpf_elf_map *map,
		     struct map_def *d)
{
	const struct btf_type *def = btf__type_by_id(c->ld->btf, def_id);
	int err;

	if (!def || !btf_is_struct(def))
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': the definition is not a struct", c->map_name);
	err = read_members(c, def, inner, d);
	if (err)
		return err;
	if (!d->seen[F_TYPE])
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': missing type (__uint(type, BPF_MAP_TYPE_...))",
				     c->map_name);
	map->type = d->num[F_TYPE];
	map->max_entries = d->num[F_MAX_ENTRIES];
	map->map_flags = d->num[F_MAP_FLAGS];
	map->numa_node = d->num[F_NUMA_NODE];
	map->key_size = d->num[F_KEY_SIZE];
	map->value_size = d->num[F_VALUE_SIZE];
	map->map_extra = d->num[F_MAP_EXTRA];
	if (d->num[F_PINNING] > XBPF_ELF_PIN_BY_NAME)
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': pinning %u is neither LIBBPF_PIN_NONE (0) nor "
				     "LIBBPF_PIN_BY_NAME (1)",
				     c->map_name, d->num[F_PINNING]);
	map->pinning = (enum xbpf_elf_pinning)d->num[F_PINNING];
	if (d->seen[F_KEY]) {
		if (d->seen[F_KEY_SIZE] && map->key_size != d->key_type_size)
			return xbpf_ld_error(c->ld, -EINVAL, c->where,
					     "map '%s': key_size %u conflicts with the key type, of "
					     "size %u",
					     c->map_name, map->key_size, d->key_type_size);
		map->key_size = d->key_type_size;
		map->btf_key_type_id = d->key_type;
	}
	if (d->seen[F_VALUE]) {
		if (d->seen[F_VALUE_SIZE] && map->value_size != d->value_type_size)
			return xbpf_ld_error(c->ld, -EINVAL, c->where,
					     "map '%s': value_size %u conflicts with the value type, "
					     "of size %u",
					     c->map_name, map->value_size, d->value_type_size);
		map->value_size = d->value_type_size;
		map->btf_value_type_id = d->value_type;
	}
	if (d->seen[F_VALUES])
		return read_values(c, def, map, d);
	if (is_map_in_map(map->type))
		return xbpf_ld_error(c->ld, -EINVAL, c->where,
				     "map '%s': a map-in-map needs its inner map definition "
				     "(__array(values, struct ...))",
				     c->map_name);
	return 0;
}

static int add_btf_map(struct xbpf_ld *ld, const Elf64_Sym *sym, const struct xbpf_ld_names *vars,
		       uint64_t *prev_end)
{
	const struct xbpf_ld_sec *sec = &ld->secs[ld->maps_sec];
	const char *name = ld->strtab + sym->st_name;
	struct def_ctx c = {.ld = ld, .where = XBPF_LD_AT_SEC(ld->maps_sec), .map_name = name};
	struct map_def d = {0};
	struct xbpf_elf_map *map;
	struct xbpf_ld_btf_map *info;
	const struct btf_type *var, *def;
	uint32_t var_id, def_id;
	uint64_t extent;
	int idx, err;

	var_id = xbpf_ld_names_find(vars, name);
	var = var_id ? btf__type_by_id(ld->btf, var_id) : NULL;
	if (!var || !btf_is_var(var))
		return xbpf_ld_error(ld, -EINVAL, c.where,
				     "map '%s' has no BTF VAR in DATASEC '.maps'", name);
	def = xbpf_ld_btf_skip_mods(ld->btf, var->type, &def_id);
	if (!def || !btf_is_struct(def))
		return xbpf_ld_error(ld, -EINVAL, c.where,
				     "map '%s': the BTF of the definition is not a struct", name);
	extent = def->size > sym->st_size ? def->size : sym->st_size;
	if (sym->st_value > sec->size || extent > sec->size - sym->st_value)
		return xbpf_ld_error(ld, -EINVAL, c.where,
				     "map '%s': its definition (%llu bytes at offset %llu) runs "
				     "past the end of the section (%zu bytes)",
				     name, (unsigned long long)extent,
				     (unsigned long long)sym->st_value, sec->size);
	if (sym->st_value < *prev_end)
		return xbpf_ld_error(ld, -EINVAL, c.where,
				     "map '%s': its definition overlaps the previous one", name);
	*prev_end = sym->st_value + extent;

	idx = xbpf_ld_add_map(ld, &map);
	if (idx < 0)
		return idx;
	map->name = name;
	map->section = sec->name;
	map->kind = XBPF_ELF_MAP_BTF;
	map->sec_offset = (uint32_t)sym->st_value;
	map->btf_var_id = var_id;
	info = &ld->btf_maps[idx - ld->btf_maps_first];
	info->extent = (uint32_t)extent;
	err = parse_def(&c, def_id, false, map, &d);
	info->has_values = d.seen[F_VALUES];
	info->values_off = d.values_off;
	return err;
}

int xbpf_ld_collect_btf_maps(struct xbpf_ld *ld)
{
	struct xbpf_ld_names vars;
	Elf64_Sym *syms;
	size_t n, i;
	uint64_t prev_end = 0;
	int err;

	if (!ld->maps_sec)
		return 0;
	if (ld->secs[ld->maps_sec].size > UINT32_MAX)
		return xbpf_ld_error(ld, -E2BIG, XBPF_LD_AT_SEC(ld->maps_sec),
				     "map definitions larger than 4 GiB");
	err = xbpf_ld_def_syms(ld, ld->maps_sec, &syms, &n);
	if (err || n == 0)
		return err;
	if (!ld->btf) {
		free(syms);
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(ld->maps_sec),
				     "maps defined in '.maps' need the object's BTF (compile with "
				     "-g)");
	}
	ld->btf_maps = calloc(n, sizeof(*ld->btf_maps));
	err = ld->btf_maps ? xbpf_ld_btf_datasec_vars(
				     ld->btf, xbpf_ld_names_find(&ld->btf_datasecs, ".maps"), &vars)
			   : -ENOMEM;
	if (err) {
		free(syms);
		return err;
	}
	ld->btf_maps_first = ld->obj->n_maps;
	for (i = 0; i < n && !err; i++) {
		err = add_btf_map(ld, &syms[i], &vars, &prev_end);
		ld->btf_maps_count = ld->obj->n_maps - ld->btf_maps_first;
	}
	xbpf_ld_names_free(&vars);
	free(syms);
	return err;
}
