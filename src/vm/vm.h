/* SPDX-License-Identifier: MIT */
/*
 * Execution engines and the state of one program run.
 *
 * An engine (the interpreter today, a JIT later) turns a validated
 * instruction stream into something it can run (struct xbpf_vm_prog) and runs
 * it against a struct xbpf_exec, the per-run state that the engine and the
 * helpers share: the memory the program may touch, the import table its calls
 * go through, the instruction budget and, when the run fails, why.
 *
 * Until a verifier proves programs safe ahead of time, every engine checks
 * each memory access at run time against the regions listed in the exec
 * (its stack frames, the context, the packet, program-wide regions such as
 * global data, and pointers that helpers returned). A failed check stops the
 * run with -EFAULT and a message naming the instruction.
 */
#ifndef XBPF_VM_VM_H
#define XBPF_VM_VM_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbpf/extension.h>

#include "isa/insn.h"

struct xbpf_exec;
struct xbpf_vm_prog;

/* ------------------------------------------------------------------------ */
/* Helpers: functions a program calls                                       */
/* ------------------------------------------------------------------------ */

/* Helpers are described by the public struct xbpf_helper (extension.h):
 * core helpers, program-type helpers and named helpers alike. The call gate
 * checks pointer arguments against the run's memory before the helper sees
 * them, so helpers may trust them. */
#define XBPF_ARG_KIND(a) ((enum xbpf_arg_kind)((a) & 0x7f))

/* A program's calls go through its import table: one slot per distinct
 * helper it calls. A slot may be unbound (NULL) while a provider is away;
 * a call through an unbound slot stops the run with -ENOLINK. */
struct xbpf_import {
	_Atomic(const struct xbpf_helper *) proto;
};

/* ------------------------------------------------------------------------ */
/* Memory regions                                                           */
/* ------------------------------------------------------------------------ */

#define XBPF_MEM_READ 0x1
#define XBPF_MEM_WRITE 0x2
#define XBPF_MEM_RW (XBPF_MEM_READ | XBPF_MEM_WRITE)

struct xbpf_region {
	uintptr_t start;
	uintptr_t end; /* exclusive; start == end: no region */
	uint32_t perm; /* XBPF_MEM_* */
};

static inline bool xbpf_region_covers(const struct xbpf_region *r, uintptr_t addr, size_t size,
				      uint32_t perm)
{
	return addr >= r->start && size <= r->end - r->start && addr - r->start <= r->end - r->start - size &&
	       (r->perm & perm) == perm;
}

/* ------------------------------------------------------------------------ */
/* The state of one run                                                     */
/* ------------------------------------------------------------------------ */

#define XBPF_EXEC_RECENT 8      /* helper-returned regions remembered per run */
#define XBPF_EXEC_DEFAULT_BUDGET (1ULL << 27) /* set by xbpf_exec_init() */
#define XBPF_EXEC_MSG_SIZE 160

/* What the layers above the engine tell a run about the program's world. */
struct xbpf_map_shape {
	uint32_t key_size;
	uint32_t value_size;
	uint32_t value_perm; /* XBPF_MEM_* a program has on the map's values */
};

struct xbpf_exec_env {
	/* Last resort of the access check when no region of the exec covers
	 * [addr, addr+size), for example a value of one of the program's maps.
	 * NULL: refuse. */
	bool (*may_access)(const struct xbpf_exec *exec, uintptr_t addr, size_t size, uint32_t perm);
	/* Is `map` one of the maps the program references, or one it got from
	 * a map-in-map lookup in this run (exec->maps)? Then its shape. */
	bool (*map_shape)(const struct xbpf_exec *exec, uint64_t map, struct xbpf_map_shape *shape);
	/* callx: the helper whose id a register holds. NULL: callx faults. */
	const struct xbpf_helper *(*helper_by_id)(const struct xbpf_exec *exec, uint64_t id);
};

struct xbpf_exec {
	/* Memory the program may touch besides its stack. */
	struct xbpf_region ctx;          /* the context, readable */
	struct xbpf_region ctx_rw;       /* the writable part of the context, if any */
	struct xbpf_region packet;       /* reloaded after helpers that move it */
	/* Where the context holds the packet's pointers (-1: it has none), to
	 * reload the packet region after a helper with XBPF_HELPER_CHANGES_PACKET. */
	int32_t ctx_data_off, ctx_data_end_off, ctx_data_meta_off;
	const struct xbpf_region *fixed; /* program-wide regions (global data) */
	size_t n_fixed;
	struct xbpf_region recent[XBPF_EXEC_RECENT]; /* returned by helpers */
	unsigned recent_next;

	/* What the program calls through (see struct xbpf_import). */
	struct xbpf_import *imports;
	size_t n_imports;

	const struct xbpf_exec_env *env; /* may be NULL */
	void *env_ctx;
	/* Inner maps that map-in-map lookups handed to the program. */
	const void *maps[XBPF_EXEC_RECENT];
	unsigned maps_next;

	/* Backward jumps and calls the run may still make; the run stops with
	 * -E2BIG when it is used up. */
	uint64_t budget;

	/* Set by bpf_tail_call: the engine continues with this program when
	 * the helper returns. */
	const struct xbpf_vm_prog *tail_call_next;
	unsigned tail_calls;

	/* Owned by the layers above the engine (program, runtime, hook). */
	struct xbpf_runtime *rt; /* where helpers log (trace_printk) */
	void *program;
	void *user;
	unsigned cpu;

	/* Set when the run fails. */
	int error;       /* negative errno, 0 while running */
	size_t fault_pc; /* instruction index */
	char fault_msg[XBPF_EXEC_MSG_SIZE];

	/* Engine-private: what is running and the stack bounds of its frame.
	 * [stack_lo, stack_hi) covers the frames of the current call chain,
	 * from the running frame's bottom up to the top of the entry frame. */
	const struct xbpf_vm_prog *running;
	void *engine_state;
	uintptr_t stack_lo, stack_hi;
};

/* Prepare an exec with nothing accessible but the stack and a budget of
 * XBPF_EXEC_DEFAULT_BUDGET. */
void xbpf_exec_init(struct xbpf_exec *exec);

/* Full access check, used by engines after their inline fast paths fail and
 * by helpers. Does not record a fault. */
bool xbpf_exec_may_access(const struct xbpf_exec *exec, uintptr_t addr, size_t size, uint32_t perm);

/* Remember a region a helper handed to the program. */
void xbpf_exec_note_region(struct xbpf_exec *exec, const void *start, size_t size, uint32_t perm);

/* Sets the packet region from the pointers the context holds (see
 * ctx_data_off): [data_meta or data, data_end), readable and writable. */
void xbpf_exec_load_packet(struct xbpf_exec *exec);

/* Remember an inner map a map-in-map lookup handed to the program. */
void xbpf_exec_note_map(struct xbpf_exec *exec, const void *map);

/* Stop the run: records the first fault only. Returns err. */
int xbpf_exec_fault(struct xbpf_exec *exec, int err, size_t pc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Calls a helper the way every engine does: checks the arguments against
 * the prototype, calls, and records a returned pointer's region. Returns
 * false (with the fault recorded) when an argument is refused. */
bool xbpf_exec_call_helper(struct xbpf_exec *exec, const struct xbpf_helper *proto,
			   const uint64_t args[5], size_t pc, uint64_t *r0);

/* ------------------------------------------------------------------------ */
/* Engines                                                                  */
/* ------------------------------------------------------------------------ */

/* What an engine needs to prepare a program. The instructions must have
 * passed xbpf_validate(); lddw of maps and values already hold addresses.
 * A lddw of a function (src XBPF_PSEUDO_FUNC) loads the function's
 * instruction index: that is the value callbacks are passed as, and what
 * call_function takes. */
struct xbpf_vm_code {
	const struct xbpf_insn *insns;
	size_t count;
	/* Function starts from xbpf_validate_funcs(). NULL: prepare validates
	 * the code itself to find them. */
	const uint32_t *func_starts;
	size_t n_funcs;
	/* Import slot of the call at index pc (a helper id or named helper),
	 * or a negative errno when it cannot be bound. */
	int (*call_slot)(void *ctx, size_t pc, const struct xbpf_insn *insn);
	void *call_slot_ctx;
};

/* Every engine's prepared program starts with this, so that the call gate
 * and helpers can ask about the running program without knowing the engine
 * (a helper runs a callback with exec->running->engine->call_function). */
struct xbpf_vm_prog {
	const struct xbpf_engine_ops *engine;
	const uint32_t *func_starts; /* sorted, func_starts[0] == 0 */
	size_t n_funcs;
};

/* Is pc the first instruction of one of prog's functions? */
bool xbpf_vm_prog_has_function(const struct xbpf_vm_prog *prog, uint64_t pc);

struct xbpf_engine_ops {
	const char *name;
	int (*prepare)(const struct xbpf_vm_code *code, struct xbpf_vm_prog **out, char *err,
		       size_t err_size);
	/* Runs from instruction 0 with r1..r5 = args; returns 0 with *r0 set, or a
	 * negative errno with exec->fault_* describing the failure: -EFAULT
	 * (refused memory access or helper argument), -E2BIG (budget used up),
	 * -EOVERFLOW (more than XBPF_MAX_FRAMES frames), -ENOLINK (unbound
	 * import slot, unknown callx id), -EINVAL (bad callback or tail call
	 * target), or what a helper recorded. Clears exec's fault fields and
	 * tail_call_next first; everything else of the exec is the caller's. */
	int (*run)(const struct xbpf_vm_prog *prog, struct xbpf_exec *exec, const uint64_t args[5],
		   uint64_t *r0);
	/* Runs the function at instruction index pc as a callback of a helper
	 * (bpf_loop and friends) in a new frame of the running program. Only
	 * from inside a helper called by a run of this engine. */
	int (*call_function)(struct xbpf_exec *exec, uint64_t pc, const uint64_t args[5],
			     uint64_t *r0);
	void (*free)(struct xbpf_vm_prog *prog);
};

extern const struct xbpf_engine_ops xbpf_interpreter;

/* The engine behind an enum xbpf_engine value, or NULL. */
const struct xbpf_engine_ops *xbpf_engine_ops_get(enum xbpf_engine engine);

#endif /* XBPF_VM_VM_H */
