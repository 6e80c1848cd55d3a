/* SPDX-License-Identifier: MIT */
/*
 * The map element helpers: bpf_map_lookup_elem, bpf_map_update_elem,
 * bpf_map_delete_elem, bpf_map_push_elem, bpf_map_pop_elem and
 * bpf_map_peek_elem, over the program path of src/maps (always inside the
 * run's epoch; per-CPU maps use the run's CPU slot, exec->cpu).
 *
 * A lookup in a map-in-map gives the inner map: it is noted in the exec so
 * that the program may pass it to other map helpers, and the call gate
 * does not make it accessible memory.
 */
#include "helpers/core.h"
#include "helpers/map_compat.h"

static struct xbpf_map *map_of(uint64_t arg)
{
	return (struct xbpf_map *)(uintptr_t)arg;
}

static const void *ptr_of(uint64_t arg)
{
	return (const void *)(uintptr_t)arg;
}

static uint64_t map_lookup_elem(uint64_t map_arg, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	struct xbpf_map *map = map_of(map_arg);
	void *value;

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_map_lookup_elem, map))
		return 0;
	value = xbpf_map_lookup_prog(map, ptr_of(key), exec->cpu);
	if (value && (map->type == XBPF_MAP_TYPE_ARRAY_OF_MAPS || map->type == XBPF_MAP_TYPE_HASH_OF_MAPS))
		xbpf_exec_note_map(exec, value);
	return (uintptr_t)value;
}

static uint64_t map_update_elem(uint64_t map_arg, uint64_t key, uint64_t value, uint64_t flags, uint64_t r5,
				struct xbpf_exec *exec)
{
	struct xbpf_map *map = map_of(map_arg);

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_map_update_elem, map))
		return 0;
	return XBPF_HELPER_ERR(xbpf_map_update_prog(map, ptr_of(key), ptr_of(value), flags, exec->cpu));
}

static uint64_t map_delete_elem(uint64_t map_arg, uint64_t key, uint64_t r3, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	struct xbpf_map *map = map_of(map_arg);

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_map_delete_elem, map))
		return 0;
	return XBPF_HELPER_ERR(xbpf_map_delete_prog(map, ptr_of(key)));
}

static uint64_t map_push_elem(uint64_t map_arg, uint64_t value, uint64_t flags, uint64_t r4, uint64_t r5,
			      struct xbpf_exec *exec)
{
	struct xbpf_map *map = map_of(map_arg);

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_map_push_elem, map))
		return 0;
	return XBPF_HELPER_ERR(xbpf_map_push_prog(map, ptr_of(value), flags));
}

static uint64_t map_pop_elem(uint64_t map_arg, uint64_t value, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct xbpf_exec *exec)
{
	struct xbpf_map *map = map_of(map_arg);

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_map_pop_elem, map))
		return 0;
	return XBPF_HELPER_ERR(xbpf_map_pop_prog(map, (void *)(uintptr_t)value));
}

static uint64_t map_peek_elem(uint64_t map_arg, uint64_t value, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct xbpf_exec *exec)
{
	struct xbpf_map *map = map_of(map_arg);

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_map_peek_elem, map))
		return 0;
	return XBPF_HELPER_ERR(xbpf_map_peek_prog(map, (void *)(uintptr_t)value));
}

const struct xbpf_helper xbpf_core_map_lookup_elem = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_map_lookup_elem",
	.id = BPF_FUNC_map_lookup_elem,
	.fn = map_lookup_elem,
	.ret = XBPF_RET_PTR_TO_MAP_VALUE_OR_NULL,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY},
	.arg_width = {8, 8},
};

const struct xbpf_helper xbpf_core_map_update_elem = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_map_update_elem",
	.id = BPF_FUNC_map_update_elem,
	.fn = map_update_elem,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY, XBPF_ARG_PTR_TO_MAP_VALUE, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8, 8, 8},
};

const struct xbpf_helper xbpf_core_map_delete_elem = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_map_delete_elem",
	.id = BPF_FUNC_map_delete_elem,
	.fn = map_delete_elem,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY},
	.arg_width = {8, 8},
};

const struct xbpf_helper xbpf_core_map_push_elem = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_map_push_elem",
	.id = BPF_FUNC_map_push_elem,
	.fn = map_push_elem,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_VALUE, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8, 8},
};

const struct xbpf_helper xbpf_core_map_pop_elem = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_map_pop_elem",
	.id = BPF_FUNC_map_pop_elem,
	.fn = map_pop_elem,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_UNINIT_MAP_VALUE},
	.arg_width = {8, 8},
};

const struct xbpf_helper xbpf_core_map_peek_elem = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_map_peek_elem",
	.id = BPF_FUNC_map_peek_elem,
	.fn = map_peek_elem,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_UNINIT_MAP_VALUE},
	.arg_width = {8, 8},
};
