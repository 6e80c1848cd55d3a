/* SPDX-License-Identifier: MIT */
/*
 * The per-run state every engine shares (see vm.h): which memory a program
 * may touch, how a run records its fault, and the call gate that checks a
 * helper's arguments against its prototype before the helper runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "isa/validate.h"
#include "vm/vm.h"

/* Longest string a XBPF_ARG_PTR_TO_CONST_STR argument may be, NUL included. */
#define CONST_STR_MAX 4096

void xbpf_exec_init(struct xbpf_exec *exec)
{
	memset(exec, 0, sizeof(*exec));
	exec->budget = XBPF_EXEC_DEFAULT_BUDGET;
	exec->ctx_data_off = exec->ctx_data_end_off = exec->ctx_data_meta_off = -1;
}

/* The region of the exec itself (not the env) that covers the access, with
 * the stack's bounds materialised in *stack. */
static const struct xbpf_region *find_region(const struct xbpf_exec *exec, uintptr_t addr, size_t size,
					     uint32_t perm, struct xbpf_region *stack)
{
	size_t i;

	*stack = (struct xbpf_region){exec->stack_lo, exec->stack_hi, XBPF_MEM_RW};
	if (xbpf_region_covers(stack, addr, size, perm))
		return stack;
	if (xbpf_region_covers(&exec->packet, addr, size, perm))
		return &exec->packet;
	if (xbpf_region_covers(&exec->ctx, addr, size, perm))
		return &exec->ctx;
	if (xbpf_region_covers(&exec->ctx_rw, addr, size, perm))
		return &exec->ctx_rw;
	for (i = 0; i < exec->n_fixed; i++)
		if (xbpf_region_covers(&exec->fixed[i], addr, size, perm))
			return &exec->fixed[i];
	for (i = 0; i < XBPF_EXEC_RECENT; i++)
		if (xbpf_region_covers(&exec->recent[i], addr, size, perm))
			return &exec->recent[i];
	return NULL;
}

static bool env_may_access(const struct xbpf_exec *exec, uintptr_t addr, size_t size, uint32_t perm)
{
	return exec->env && exec->env->may_access && exec->env->may_access(exec, addr, size, perm);
}

bool xbpf_exec_may_access(const struct xbpf_exec *exec, uintptr_t addr, size_t size, uint32_t perm)
{
	struct xbpf_region stack;

	return find_region(exec, addr, size, perm, &stack) || env_may_access(exec, addr, size, perm);
}

void xbpf_exec_note_region(struct xbpf_exec *exec, const void *start, size_t size, uint32_t perm)
{
	struct xbpf_region *r = &exec->recent[exec->recent_next++ % XBPF_EXEC_RECENT];

	r->start = (uintptr_t)start;
	r->end = (uintptr_t)start + size;
	r->perm = perm;
}

static uintptr_t ctx_pointer(const struct xbpf_exec *exec, int32_t off)
{
	uintptr_t p;
	memcpy(&p, (const void *)(exec->ctx.start + (uint32_t)off), sizeof(p));
	return p;
}

void xbpf_exec_load_packet(struct xbpf_exec *exec)
{
	if (exec->ctx_data_off < 0 || exec->ctx_data_end_off < 0) {
		exec->packet = (struct xbpf_region){0, 0, 0};
		return;
	}
	uintptr_t start = ctx_pointer(exec, exec->ctx_data_off);
	uintptr_t end = ctx_pointer(exec, exec->ctx_data_end_off);
	if (exec->ctx_data_meta_off >= 0) {
		uintptr_t meta = ctx_pointer(exec, exec->ctx_data_meta_off);
		if (meta < start)
			start = meta;
	}
	exec->packet = (struct xbpf_region){start, end >= start ? end : start, XBPF_MEM_RW};
}

void xbpf_exec_note_map(struct xbpf_exec *exec, const void *map)
{
	exec->maps[exec->maps_next++ % XBPF_EXEC_RECENT] = map;
}

int xbpf_exec_fault(struct xbpf_exec *exec, int err, size_t pc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (exec->error)
		return err;
	exec->error = err;
	exec->fault_pc = pc;
	n = snprintf(exec->fault_msg, sizeof(exec->fault_msg), "instruction %zu: ", pc);
	va_start(ap, fmt);
	vsnprintf(exec->fault_msg + n, sizeof(exec->fault_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

/* Is there a NUL within CONST_STR_MAX readable bytes from addr? Whole
 * regions of the exec are searched at once, env memory byte by byte. */
static bool readable_string(const struct xbpf_exec *exec, uintptr_t addr)
{
	uintptr_t cur = addr;

	while (cur - addr < CONST_STR_MAX) {
		struct xbpf_region stack;
		const struct xbpf_region *r = find_region(exec, cur, 1, XBPF_MEM_READ, &stack);
		size_t span = r ? r->end - cur : 1;

		if (span > CONST_STR_MAX - (cur - addr))
			span = CONST_STR_MAX - (cur - addr);
		if (!r && !env_may_access(exec, cur, 1, XBPF_MEM_READ))
			return false;
		if (memchr((const void *)cur, 0, span))
			return true;
		cur += span;
	}
	return false;
}

static bool is_size_arg(uint8_t arg)
{
	return XBPF_ARG_KIND(arg) == XBPF_ARG_CONST_SIZE || XBPF_ARG_KIND(arg) == XBPF_ARG_CONST_SIZE_OR_ZERO;
}

/* What the gate learnt from the arguments, for the return value. */
struct gate_state {
	struct xbpf_map_shape shape;
	bool have_map;
	uint64_t size; /* the last size argument */
};

static bool refuse(struct xbpf_exec *exec, const struct xbpf_helper *proto, size_t pc, int arg,
		   uint64_t value, const char *why)
{
	xbpf_exec_fault(exec, -EFAULT, pc, "%s argument %d (r%d = 0x%llx): %s", proto->name, arg + 1, arg + 1,
			(unsigned long long)value, why);
	return false;
}

static bool check_mem(struct xbpf_exec *exec, const struct xbpf_helper *proto, size_t pc, int arg,
		      uint64_t value, uint64_t size, uint32_t perm)
{
	char why[64];

	if (size == 0 || xbpf_exec_may_access(exec, value, size, perm))
		return true;
	snprintf(why, sizeof(why), "%llu %s bytes are not accessible", (unsigned long long)size,
		 perm & XBPF_MEM_WRITE ? "writable" : "readable");
	return refuse(exec, proto, pc, arg, value, why);
}

/* Checks argument i (and the size after it, for a memory argument). Returns
 * the number of arguments consumed, 0 when refused. */
static int check_arg(struct xbpf_exec *exec, const struct xbpf_helper *proto, const uint64_t args[5],
		     int i, size_t pc, struct gate_state *gs)
{
	uint8_t spec = proto->args[i];
	uint64_t v = args[i];

	switch (XBPF_ARG_KIND(spec)) {
	case XBPF_ARG_ANYTHING:
		return 1;
	case XBPF_ARG_CONST_SIZE:
	case XBPF_ARG_CONST_SIZE_OR_ZERO:
		if (v == 0 && XBPF_ARG_KIND(spec) == XBPF_ARG_CONST_SIZE)
			return refuse(exec, proto, pc, i, v, "size must not be 0");
		gs->size = v;
		return 1;
	default:
		break;
	}
	if (v == 0 && (spec & XBPF_ARG_MAYBE_NULL))
		return i + 1 < 5 && is_size_arg(proto->args[i + 1]) ? 2 : 1;

	switch (XBPF_ARG_KIND(spec)) {
	case XBPF_ARG_PTR_TO_CTX:
		if (v != exec->ctx.start || exec->ctx.start == exec->ctx.end)
			return refuse(exec, proto, pc, i, v, "not the program's context");
		return 1;
	case XBPF_ARG_CONST_MAP_PTR:
		if (!exec->env || !exec->env->map_shape || !exec->env->map_shape(exec, v, &gs->shape))
			return refuse(exec, proto, pc, i, v, "not a map of the program");
		gs->have_map = true;
		return 1;
	case XBPF_ARG_PTR_TO_MAP_KEY:
	case XBPF_ARG_PTR_TO_MAP_VALUE:
		if (!gs->have_map)
			return refuse(exec, proto, pc, i, v, "prototype has no map argument before it");
		return check_mem(exec, proto, pc, i, v,
				 XBPF_ARG_KIND(spec) == XBPF_ARG_PTR_TO_MAP_KEY ? gs->shape.key_size
										  : gs->shape.value_size,
				 XBPF_MEM_READ)
			       ? 1
			       : 0;
	case XBPF_ARG_PTR_TO_MEM:
	case XBPF_ARG_PTR_TO_UNINIT_MEM: {
		uint64_t size;

		if (i + 1 >= 5 || !is_size_arg(proto->args[i + 1]))
			return refuse(exec, proto, pc, i, v, "prototype has no size argument after it");
		if (!check_arg(exec, proto, args, i + 1, pc, gs))
			return 0;
		size = args[i + 1];
		return check_mem(exec, proto, pc, i, v, size,
				 XBPF_ARG_KIND(spec) == XBPF_ARG_PTR_TO_MEM ? XBPF_MEM_READ : XBPF_MEM_WRITE)
			       ? 2
			       : 0;
	}
	case XBPF_ARG_PTR_TO_CONST_STR:
		if (!readable_string(exec, v))
			return refuse(exec, proto, pc, i, v, "not a NUL-terminated string in readable memory");
		return 1;
	case XBPF_ARG_PTR_TO_FUNC:
		if (!exec->running || !xbpf_vm_prog_has_function(exec->running, v))
			return refuse(exec, proto, pc, i, v, "not the start of a function of the program");
		return 1;
	case XBPF_ARG_PTR_TO_ALLOC_MEM:
		/* The helper that owns such memory checks it is one of its records. */
		return check_mem(exec, proto, pc, i, v, 1, XBPF_MEM_RW) ? 1 : 0;
	case XBPF_ARG_PTR_TO_SPIN_LOCK:
		if (v % 4)
			return refuse(exec, proto, pc, i, v, "a spin lock must be 4-byte aligned");
		return check_mem(exec, proto, pc, i, v, 4, XBPF_MEM_RW) ? 1 : 0;
	case XBPF_ARG_PTR_TO_LONG:
		return check_mem(exec, proto, pc, i, v, 8, XBPF_MEM_WRITE) ? 1 : 0;
	default:
		return refuse(exec, proto, pc, i, v, "unknown argument kind in the prototype");
	}
}

bool xbpf_exec_call_helper(struct xbpf_exec *exec, const struct xbpf_helper *proto,
			   const uint64_t args[5], size_t pc, uint64_t *r0)
{
	struct gate_state gs;
	int i = 0;

	gs.have_map = false;
	gs.size = 0;
	while (i < 5 && proto->args[i] != XBPF_ARG_NONE) {
		int used = check_arg(exec, proto, args, i, pc, &gs);

		if (!used)
			return false;
		i += used;
	}

	*r0 = proto->fn(args[0], args[1], args[2], args[3], args[4], exec);
	if (proto->flags & XBPF_HELPER_CHANGES_PACKET)
		xbpf_exec_load_packet(exec);

	if (*r0 == 0)
		return true;
	switch (proto->ret) {
	case XBPF_RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (gs.have_map)
			xbpf_exec_note_region(exec, (const void *)(uintptr_t)*r0, gs.shape.value_size,
					      gs.shape.value_perm);
		break;
	case XBPF_RET_PTR_TO_MEM_OR_NULL:
		xbpf_exec_note_region(exec, (const void *)(uintptr_t)*r0, proto->ret_size ? proto->ret_size : gs.size,
				      gs.have_map ? gs.shape.value_perm : XBPF_MEM_RW);
		break;
	default:
		break;
	}
	return true;
}

bool xbpf_vm_prog_has_function(const struct xbpf_vm_prog *prog, uint64_t pc)
{
	return xbpf_func_starts_contain(prog->func_starts, prog->n_funcs, pc);
}
