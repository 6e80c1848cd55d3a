/* SPDX-License-Identifier: MIT */
/* Helper and map type compatibility, after Linux's check_map_func_compatibility. */
#include "helpers/map_compat.h"

#include <errno.h>

#include "helpers/core.h"
#include "maps/types.h"

/* Map types that only some helpers may use, and helpers that only some
 * map types may be given; every other pairing is allowed. */
static bool allowed(enum xbpf_map_type type, uint32_t func)
{
	switch (type) {
	case XBPF_MAP_TYPE_PROG_ARRAY: /* bpf_tail_call only */
		return false;
	case XBPF_MAP_TYPE_RINGBUF:
		return func == BPF_FUNC_ringbuf_output || func == BPF_FUNC_ringbuf_reserve ||
		       func == BPF_FUNC_ringbuf_query;
	case XBPF_MAP_TYPE_ARRAY_OF_MAPS:
	case XBPF_MAP_TYPE_HASH_OF_MAPS:
	case XBPF_MAP_TYPE_DEVMAP: /* and bpf_redirect_map */
	case XBPF_MAP_TYPE_XSKMAP:
		return func == BPF_FUNC_map_lookup_elem;
	case XBPF_MAP_TYPE_QUEUE:
	case XBPF_MAP_TYPE_STACK:
		return func == BPF_FUNC_map_push_elem || func == BPF_FUNC_map_pop_elem ||
		       func == BPF_FUNC_map_peek_elem;
	case XBPF_MAP_TYPE_BLOOM_FILTER:
		return func == BPF_FUNC_map_push_elem || func == BPF_FUNC_map_peek_elem;
	default:
		break;
	}
	switch (func) {
	case BPF_FUNC_map_push_elem:
	case BPF_FUNC_map_pop_elem:
	case BPF_FUNC_map_peek_elem:
	case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_ringbuf_query:
		return false;
	default:
		return true;
	}
}

bool xbpf_helper_map_allowed(struct xbpf_exec *exec, const struct xbpf_helper *proto,
			     const struct xbpf_map *map)
{
	if (allowed(map->type, proto->id))
		return true;
	xbpf_exec_fault(exec, -EINVAL, exec->call_pc, "%s cannot be used with %s map '%s'", proto->name,
			xbpf_map_type_name(map->type), map->obj.name);
	return false;
}
