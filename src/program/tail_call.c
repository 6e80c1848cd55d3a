/* SPDX-License-Identifier: MIT */
/*
 * bpf_tail_call: continue in another program of a PROG_ARRAY, in the same
 * frame, never to return; at most 33 tail calls per run, as in Linux. On
 * any failure (empty slot, index out of range, limit reached, target
 * detached) the caller continues after the call.
 *
 * A PROG_ARRAY takes programs of one type and engine only: the first
 * program inserted claims it, as in Linux.
 */
#include <errno.h>
#include <pthread.h>

#include <linux/bpf.h>

#include "maps/map.h"
#include "program/program.h"
#include "runtime/log.h"

#define MAX_TAIL_CALLS 33

static uint64_t tail_call(uint64_t ctx, uint64_t map_ptr, uint64_t index, uint64_t r4, uint64_t r5,
			  struct xbpf_exec *exec)
{
	struct xbpf_map *map = (struct xbpf_map *)(uintptr_t)map_ptr;
	const struct xbpf_program *from = exec->program;

	if (map->type != XBPF_MAP_TYPE_PROG_ARRAY || (uint32_t)index != index ||
	    exec->tail_calls >= MAX_TAIL_CALLS)
		return 0;
	struct xbpf_obj *obj = xbpf_prog_array_lookup(map, (uint32_t)index);
	if (!obj)
		return 0;
	struct xbpf_program *to = xbpf_program_from_obj(obj);
	if (!atomic_load_explicit(&to->type, memory_order_acquire) || to->engine_ops != from->engine_ops)
		return 0;
	exec->tail_calls++;
	exec->program = to;
	exec->imports = to->imports;
	exec->n_imports = to->n_imports;
	exec->fixed = to->fixed;
	exec->n_fixed = to->n_fixed;
	exec->tail_call_next = to->vm;
	return 0;
}

const struct xbpf_helper xbpf_helper_tail_call = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
	.name = "bpf_tail_call",
	.id = BPF_FUNC_tail_call,
	.fn = tail_call,
	.ret = XBPF_RET_VOID,
	.args = {XBPF_ARG_PTR_TO_CTX, XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8, 4},
};

/* Who may go into a PROG_ARRAY: programs of the type and engine of the
 * first one. */
static int prog_array_compat(struct xbpf_map *array, struct xbpf_prog_array_owner *owner,
			     struct xbpf_obj *obj)
{
	if (obj->kind != XBPF_OBJ_PROGRAM)
		return -EINVAL;
	const struct xbpf_program *prog = xbpf_program_from_obj(obj);
	if (!owner->claimed) {
		owner->claimed = true;
		owner->prog_type = prog->type_hash;
		owner->flags = prog->engine;
		return 0;
	}
	if (owner->prog_type != prog->type_hash || owner->flags != (uint32_t)prog->engine) {
		xbpf_map_log(array, XBPF_LOG_ERROR, "PROG_ARRAY '%s' holds programs of another type or "
			     "engine than program '%s' (%s)", array->obj.name, prog->obj.name, prog->type_name);
		return -EINVAL;
	}
	return 0;
}

static void set_compat(void)
{
	xbpf_prog_array_set_compat(prog_array_compat);
}

void xbpf_tail_calls_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, set_compat);
}
