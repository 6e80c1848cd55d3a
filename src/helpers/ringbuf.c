/* SPDX-License-Identifier: MIT */
/*
 * The ring buffer helpers: bpf_ringbuf_output, bpf_ringbuf_reserve,
 * bpf_ringbuf_submit, bpf_ringbuf_discard and bpf_ringbuf_query, over the
 * program side of src/maps/ringbuf.c.
 *
 * A reserved record is held by the run (vm.h): the program may write it
 * until it submits or discards it, submit and discard refuse anything
 * else, and a record still held when the run ends is discarded then, so
 * that the consumer never waits on a busy record.
 */
#include <errno.h>

#include "helpers/core.h"
#include "helpers/map_compat.h"
#include "maps/ringbuf.h"

/* Releases a record the run still holds as it ends (and names the kind). */
static void discard_record(void *record)
{
	xbpf_ringbuf_discard(record, 0);
}

static uint64_t ringbuf_output(uint64_t map_arg, uint64_t data, uint64_t size, uint64_t flags, uint64_t r5,
			       struct xbpf_exec *exec)
{
	struct xbpf_map *map = (struct xbpf_map *)(uintptr_t)map_arg;

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_ringbuf_output, map))
		return 0;
	return XBPF_HELPER_ERR(xbpf_ringbuf_output(map, (const void *)(uintptr_t)data, size, flags));
}

static uint64_t ringbuf_reserve(uint64_t map_arg, uint64_t size, uint64_t flags, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	struct xbpf_map *map = (struct xbpf_map *)(uintptr_t)map_arg;
	void *record;

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_ringbuf_reserve, map))
		return 0;
	record = xbpf_ringbuf_reserve(map, size, flags);
	if (!record)
		return 0;
	if (!xbpf_exec_hold(exec, record, discard_record, record, size, XBPF_MEM_RW)) {
		/* The run holds too much already: as if there were no room. */
		xbpf_ringbuf_discard(record, XBPF_RB_NO_WAKEUP);
		return 0;
	}
	return (uintptr_t)record;
}

/* Takes the record back from the run, or stops the run if it is not one
 * the run reserved (the gate let through something else the run holds). */
static bool take_back(struct xbpf_exec *exec, const char *helper, uint64_t record)
{
	if (xbpf_exec_unhold(exec, (const void *)(uintptr_t)record, discard_record))
		return true;
	xbpf_exec_fault(exec, -EFAULT, exec->call_pc, "%s: 0x%llx is not a ring buffer record the program reserved",
			helper, (unsigned long long)record);
	return false;
}

static uint64_t ringbuf_submit(uint64_t record, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
			       struct xbpf_exec *exec)
{
	if (take_back(exec, "bpf_ringbuf_submit", record))
		xbpf_ringbuf_submit((void *)(uintptr_t)record, flags);
	return 0;
}

static uint64_t ringbuf_discard(uint64_t record, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	if (take_back(exec, "bpf_ringbuf_discard", record))
		xbpf_ringbuf_discard((void *)(uintptr_t)record, flags);
	return 0;
}

static uint64_t ringbuf_query(uint64_t map_arg, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct xbpf_exec *exec)
{
	struct xbpf_map *map = (struct xbpf_map *)(uintptr_t)map_arg;

	if (!xbpf_helper_map_allowed(exec, &xbpf_core_ringbuf_query, map))
		return 0;
	return xbpf_ringbuf_query(map, flags);
}

const struct xbpf_helper xbpf_core_ringbuf_output = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_ringbuf_output",
	.id = BPF_FUNC_ringbuf_output,
	.fn = ringbuf_output,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MEM, XBPF_ARG_CONST_SIZE_OR_ZERO, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8, 8, 8},
};

/* The record is size bytes (the size argument): the gate does not note a
 * pointer the run holds, so the hold alone gives access to it. */
const struct xbpf_helper xbpf_core_ringbuf_reserve = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_ringbuf_reserve",
	.id = BPF_FUNC_ringbuf_reserve,
	.fn = ringbuf_reserve,
	.ret = XBPF_RET_PTR_TO_MEM_OR_NULL,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_CONST_SIZE_OR_ZERO, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8, 8},
};

const struct xbpf_helper xbpf_core_ringbuf_submit = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_ringbuf_submit",
	.id = BPF_FUNC_ringbuf_submit,
	.fn = ringbuf_submit,
	.ret = XBPF_RET_VOID,
	.args = {XBPF_ARG_PTR_TO_ALLOC_MEM, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8},
};

const struct xbpf_helper xbpf_core_ringbuf_discard = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_ringbuf_discard",
	.id = BPF_FUNC_ringbuf_discard,
	.fn = ringbuf_discard,
	.ret = XBPF_RET_VOID,
	.args = {XBPF_ARG_PTR_TO_ALLOC_MEM, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8},
};

const struct xbpf_helper xbpf_core_ringbuf_query = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_ringbuf_query",
	.id = BPF_FUNC_ringbuf_query,
	.fn = ringbuf_query,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_ANYTHING},
	.arg_width = {8, 8},
};
