/* SPDX-License-Identifier: MIT */
/*
 * bpf_for_each_map_elem: runs a function of the program as
 * callback(map, key, value, ctx) for each element until it answers
 * non-zero (Linux lets callbacks answer 0 or 1), and returns the number
 * of elements visited. The element's key (read-only) and value (with the
 * map's program permissions; the run's CPU slot for per-CPU maps) are
 * lent to the run for the callback only, as holds that do not outlive it.
 */
#include <errno.h>

#include "helpers/core.h"
#include "helpers/map_compat.h"
#include "maps/types.h"

struct visit {
	struct xbpf_exec *exec;
	uint64_t callback;
	uint64_t ctx;
	int err; /* the first failure, which stopped the walk */
};

/* Identifies the holds of the element a callback is working on. */
static void lent_element(void *object)
{
}

static long visit_element(void *user, struct xbpf_map *map, const void *key, void *value)
{
	struct visit *v = user;
	struct xbpf_exec *exec = v->exec;
	const uint64_t args[5] = {(uintptr_t)map, (uintptr_t)key, (uintptr_t)value, v->ctx};
	uint64_t r0;

	if (!xbpf_exec_hold(exec, key, lent_element, key, map->key_size, XBPF_MEM_READ)) {
		v->err = xbpf_exec_fault(exec, -EINVAL, exec->call_pc,
					 "bpf_for_each_map_elem: the run already holds %d records and locks", XBPF_EXEC_HOLDS);
		return 1;
	}
	if (!xbpf_exec_hold(exec, value, lent_element, value, map->value_size, map->value_perm)) {
		xbpf_exec_unhold(exec, key, lent_element);
		v->err = xbpf_exec_fault(exec, -EINVAL, exec->call_pc,
					 "bpf_for_each_map_elem: the run already holds %d records and locks", XBPF_EXEC_HOLDS);
		return 1;
	}
	v->err = exec->running->engine->call_function(exec, v->callback, args, &r0);
	xbpf_exec_unhold(exec, value, lent_element);
	xbpf_exec_unhold(exec, key, lent_element);
	if (v->err) {
		xbpf_exec_fault(exec, v->err, exec->call_pc, "bpf_for_each_map_elem: callback failed");
		return 1;
	}
	return r0 != 0;
}

static uint64_t for_each_map_elem(uint64_t map_arg, uint64_t callback_fn, uint64_t callback_ctx, uint64_t flags,
				  uint64_t r5, struct xbpf_exec *exec)
{
	struct xbpf_map *map = (struct xbpf_map *)(uintptr_t)map_arg;
	struct visit v = {exec, callback_fn, callback_ctx, 0};
	long n;

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_for_each_map_elem, map))
		return 0;
	n = xbpf_map_for_each_prog(map, visit_element, &v, flags, exec->cpu);
	if (v.err)
		return XBPF_HELPER_ERR(v.err);
	if (n == -EOPNOTSUPP)
		xbpf_exec_fault(exec, -EINVAL, exec->call_pc, "bpf_for_each_map_elem: %s map '%s' cannot be iterated",
				xbpf_map_type_name(map->type), map->obj.name);
	return XBPF_HELPER_ERR(n);
}

/* callback_ctx is passed on to the callback as it is. */
const struct xbpf_helper xbpf_core_for_each_map_elem = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_for_each_map_elem",
	.id = BPF_FUNC_for_each_map_elem,
	.fn = for_each_map_elem,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_FUNC, XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8, 8, 8},
};
