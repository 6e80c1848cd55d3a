/* SPDX-License-Identifier: MIT */
/*
 * The interpreter engine: prepare predecodes a program into handler
 * addresses (see interp.h), and runs jump from handler to handler
 * ("computed goto"), one handler per specialised operation, with the
 * registers in a local array and no bounds check of the instruction
 * pointer: the validator guarantees that every jump lands on an
 * instruction of the same function and that no function falls off its end.
 *
 * What the validator cannot know is checked as the program runs: every
 * load, store and atomic against the memory of the exec (stack and packet
 * inline, the rest through xbpf_exec_may_access), the call depth, and the
 * budget of backward jumps and calls that stops runaway programs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/validate.h"
#include "vm/interp.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ------------------------------------------------------------------------ */
/* Semantics of the operations (RFC 9669)                                   */
/* ------------------------------------------------------------------------ */

/* 64-bit forms take and give uint64_t; 32-bit forms take the low halves
 * and give a uint32_t, which the handler zero-extends. */
#define DEFINE_BINOP(name, expr64, expr32)                                                 \
	static inline uint64_t name##64(uint64_t a, uint64_t b) { return (expr64); }       \
	static inline uint32_t name##32(uint32_t a, uint32_t b) { return (expr32); }

DEFINE_BINOP(op_add, a + b, a + b)
DEFINE_BINOP(op_sub, a - b, a - b)
DEFINE_BINOP(op_mul, a * b, a * b)
DEFINE_BINOP(op_or, a | b, a | b)
DEFINE_BINOP(op_and, a & b, a & b)
DEFINE_BINOP(op_xor, a ^ b, a ^ b)
DEFINE_BINOP(op_mov, b, b)
DEFINE_BINOP(op_lsh, a << (b & 63), a << (b & 31))
DEFINE_BINOP(op_rsh, a >> (b & 63), a >> (b & 31))
DEFINE_BINOP(op_arsh, (uint64_t)((int64_t)a >> (b & 63)), (uint32_t)((int32_t)a >> (b & 31)))
/* Division by zero gives 0; modulo by zero leaves the dividend. */
DEFINE_BINOP(op_div, b ? a / b : 0, b ? a / b : 0)
DEFINE_BINOP(op_mod, b ? a % b : a, b ? a % b : a)
/* Signed: also INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0 (negation in
 * unsigned arithmetic wraps as the RFC wants, without overflow). */
DEFINE_BINOP(op_sdiv, !b ? 0 : (int64_t)b == -1 ? -a : (uint64_t)((int64_t)a / (int64_t)b),
	     !b ? 0 : (int32_t)b == -1 ? -a : (uint32_t)((int32_t)a / (int32_t)b))
DEFINE_BINOP(op_smod, !b ? a : (int64_t)b == -1 ? 0 : (uint64_t)((int64_t)a % (int64_t)b),
	     !b ? a : (int32_t)b == -1 ? 0 : (uint32_t)((int32_t)a % (int32_t)b))

#define DEFINE_COND(name, expr64, expr32)                                                  \
	static inline bool name##64(uint64_t a, uint64_t b) { return (expr64); }           \
	static inline bool name##32(uint32_t a, uint32_t b) { return (expr32); }

DEFINE_COND(cond_jeq, a == b, a == b)
DEFINE_COND(cond_jne, a != b, a != b)
DEFINE_COND(cond_jgt, a > b, a > b)
DEFINE_COND(cond_jge, a >= b, a >= b)
DEFINE_COND(cond_jlt, a < b, a < b)
DEFINE_COND(cond_jle, a <= b, a <= b)
DEFINE_COND(cond_jset, (a & b) != 0, (a & b) != 0)
DEFINE_COND(cond_jsgt, (int64_t)a > (int64_t)b, (int32_t)a > (int32_t)b)
DEFINE_COND(cond_jsge, (int64_t)a >= (int64_t)b, (int32_t)a >= (int32_t)b)
DEFINE_COND(cond_jslt, (int64_t)a < (int64_t)b, (int32_t)a < (int32_t)b)
DEFINE_COND(cond_jsle, (int64_t)a <= (int64_t)b, (int32_t)a <= (int32_t)b)

/* Is [addr, addr+size) inside [lo, lo+span)? Correct for every value. */
static inline bool in_span(uintptr_t addr, uintptr_t lo, uintptr_t span, size_t size)
{
	uintptr_t o = addr - lo;

	return o <= span && span - o >= size;
}

/* ------------------------------------------------------------------------ */
/* Faults                                                                   */
/* ------------------------------------------------------------------------ */

static __attribute__((noinline, cold)) void fault_access(struct xbpf_exec *exec, size_t pc, uintptr_t addr,
							 size_t size, bool write, unsigned reg, int16_t off)
{
	xbpf_exec_fault(exec, -EFAULT, pc, "invalid %s of %zu bytes at 0x%llx (r%u %c %d)", write ? "write" : "read",
			size, (unsigned long long)addr, reg, off < 0 ? '-' : '+', off < 0 ? -off : off);
}

static __attribute__((noinline, cold)) void fault_misaligned(struct xbpf_exec *exec, size_t pc, uintptr_t addr,
							     size_t size, unsigned reg, int16_t off)
{
	xbpf_exec_fault(exec, -EFAULT, pc, "misaligned atomic access of %zu bytes at 0x%llx (r%u %c %d)", size,
			(unsigned long long)addr, reg, off < 0 ? '-' : '+', off < 0 ? -off : off);
}

static __attribute__((noinline, cold)) void fault_budget(struct xbpf_exec *exec, size_t pc)
{
	xbpf_exec_fault(exec, -E2BIG, pc, "instruction budget exhausted");
}

static __attribute__((noinline, cold)) void fault_depth(struct xbpf_exec *exec, size_t pc)
{
	xbpf_exec_fault(exec, -EOVERFLOW, pc, "call depth limit of %d frames exceeded", XBPF_MAX_FRAMES);
}

/* ------------------------------------------------------------------------ */
/* The run loop                                                             */
/* ------------------------------------------------------------------------ */

static inline uintptr_t frame_top(const struct xbpf_interp_stack *st, unsigned depth)
{
	return (uintptr_t)st->mem + sizeof(st->mem) - (uintptr_t)depth * XBPF_STACK_SIZE;
}

/*
 * Runs from ip in frame st->depth until that frame exits; returns 0 with
 * *r0 set, or the fault's errno. r1..r5 come from args. Called with
 * labels_out set, only hands out the handler table (prepare needs the
 * addresses of the labels, which only exist inside this function).
 */
static int interp_loop(struct xbpf_exec *exec, struct xbpf_interp_stack *st, const struct xbpf_interp_prog *prog,
		       const struct xbpf_interp_insn *ip, const uint64_t args[5], uint64_t *r0,
		       const void *const **labels_out)
{
	static const void *const labels[XBPF_IOP_COUNT] = {
#define LABEL_BINOP(n)                                                                          \
	[XBPF_IOP_##n##64_IMM] = &&L_##n##64_IMM, [XBPF_IOP_##n##64_REG] = &&L_##n##64_REG,    \
	[XBPF_IOP_##n##32_IMM] = &&L_##n##32_IMM, [XBPF_IOP_##n##32_REG] = &&L_##n##32_REG,
		XBPF_INTERP_BINOPS(LABEL_BINOP)
#undef LABEL_BINOP
#define LABEL_COND(n)                                                                           \
	[XBPF_IOP_##n##64_IMM_FWD] = &&L_##n##64_IMM_FWD, [XBPF_IOP_##n##64_IMM_BACK] = &&L_##n##64_IMM_BACK, \
	[XBPF_IOP_##n##64_REG_FWD] = &&L_##n##64_REG_FWD, [XBPF_IOP_##n##64_REG_BACK] = &&L_##n##64_REG_BACK, \
	[XBPF_IOP_##n##32_IMM_FWD] = &&L_##n##32_IMM_FWD, [XBPF_IOP_##n##32_IMM_BACK] = &&L_##n##32_IMM_BACK, \
	[XBPF_IOP_##n##32_REG_FWD] = &&L_##n##32_REG_FWD, [XBPF_IOP_##n##32_REG_BACK] = &&L_##n##32_REG_BACK,
		XBPF_INTERP_CONDS(LABEL_COND)
#undef LABEL_COND
#define LABEL_ATOMIC(n) [XBPF_IOP_AT32_##n] = &&L_AT32_##n, [XBPF_IOP_AT64_##n] = &&L_AT64_##n,
		XBPF_INTERP_ATOMICS(LABEL_ATOMIC)
#undef LABEL_ATOMIC
#define LABEL_SINGLE(n) [XBPF_IOP_##n] = &&L_##n,
		XBPF_INTERP_SINGLES(LABEL_SINGLE)
#undef LABEL_SINGLE
	};
	const struct xbpf_interp_insn *code;
	const struct xbpf_helper *proto;
	uint64_t reg[XBPF_REG_COUNT];
	uint64_t budget;
	unsigned depth;
	const unsigned base_depth = st ? st->depth : 0;
	uintptr_t stack_lo, stack_span, pkt_lo, pkt_rspan, pkt_wspan;
	uintptr_t addr;

	if (labels_out) {
		*labels_out = labels;
		return 0;
	}

#define DST reg[ip->dst]
#define SRC reg[ip->src]
#define IMM64 ((uint64_t)(int64_t)ip->imm)
#define IMM32 ((uint32_t)ip->imm)
#define PC ((size_t)(ip - code))
#define DISPATCH goto *ip->handler
#define NEXT                                                                                   \
	do {                                                                                   \
		ip++;                                                                          \
		DISPATCH;                                                                      \
	} while (0)
#define JUMP_FWD(rel)                                                                          \
	do {                                                                                   \
		ip += (rel) + 1;                                                               \
		DISPATCH;                                                                      \
	} while (0)
#define JUMP_BACK(rel)                                                                         \
	do {                                                                                   \
		if (unlikely(budget == 0))                                                     \
			goto out_of_budget;                                                    \
		budget--;                                                                      \
		ip += (rel) + 1;                                                               \
		DISPATCH;                                                                      \
	} while (0)
/* Bounds of the stack region (the frames of the call chain) after a change of depth. */
#define SET_STACK()                                                                            \
	do {                                                                                   \
		stack_lo = frame_top(st, depth + 1);                                           \
		stack_span = exec->stack_hi - stack_lo;                                        \
		exec->stack_lo = stack_lo;                                                     \
		reg[XBPF_REG_FP] = frame_top(st, depth);                                       \
	} while (0)
/* Helpers may move the packet (bpf_xdp_adjust_head), so reload after them. */
#define LOAD_PACKET()                                                                          \
	do {                                                                                   \
		pkt_lo = exec->packet.start;                                                   \
		pkt_rspan = exec->packet.perm & XBPF_MEM_READ ? exec->packet.end - pkt_lo : 0; \
		pkt_wspan = exec->packet.perm & XBPF_MEM_WRITE ? exec->packet.end - pkt_lo : 0; \
	} while (0)
#define ACCESS(base, size, perm, span)                                                         \
	do {                                                                                   \
		addr = reg[base] + ip->off;                                                    \
		if (unlikely(!in_span(addr, stack_lo, stack_span, size) &&                     \
			     !in_span(addr, pkt_lo, span, size) &&                             \
			     !xbpf_exec_may_access(exec, addr, size, perm))) {                  \
			fault_access(exec, PC, addr, size, ((perm)&XBPF_MEM_WRITE) != 0, base, ip->off); \
			goto stop;                                                             \
		}                                                                              \
	} while (0)

	code = prog->code;
	budget = exec->budget;
	depth = base_depth;
	memset(reg, 0, sizeof(reg));
	memcpy(&reg[1], args, 5 * sizeof(reg[0]));
	SET_STACK();
	LOAD_PACKET();
	DISPATCH;

	/* ---- ALU ---- */
#define HANDLE_BINOP(n, fn)                                                                    \
	L_##n##64_IMM : DST = fn##64(DST, IMM64);                                               \
	NEXT;                                                                                  \
	L_##n##64_REG : DST = fn##64(DST, SRC);                                                 \
	NEXT;                                                                                  \
	L_##n##32_IMM : DST = fn##32((uint32_t)DST, IMM32);                                     \
	NEXT;                                                                                  \
	L_##n##32_REG : DST = fn##32((uint32_t)DST, (uint32_t)SRC);                             \
	NEXT;
	HANDLE_BINOP(ADD, op_add)
	HANDLE_BINOP(SUB, op_sub)
	HANDLE_BINOP(MUL, op_mul)
	HANDLE_BINOP(DIV, op_div)
	HANDLE_BINOP(SDIV, op_sdiv)
	HANDLE_BINOP(OR, op_or)
	HANDLE_BINOP(AND, op_and)
	HANDLE_BINOP(LSH, op_lsh)
	HANDLE_BINOP(RSH, op_rsh)
	HANDLE_BINOP(MOD, op_mod)
	HANDLE_BINOP(SMOD, op_smod)
	HANDLE_BINOP(XOR, op_xor)
	HANDLE_BINOP(MOV, op_mov)
	HANDLE_BINOP(ARSH, op_arsh)
#undef HANDLE_BINOP

L_NEG64:
	DST = -DST;
	NEXT;
L_NEG32:
	DST = (uint32_t)-(uint32_t)DST;
	NEXT;
L_MOVSX64_8:
	DST = (uint64_t)(int64_t)(int8_t)SRC;
	NEXT;
L_MOVSX64_16:
	DST = (uint64_t)(int64_t)(int16_t)SRC;
	NEXT;
L_MOVSX64_32:
	DST = (uint64_t)(int64_t)(int32_t)SRC;
	NEXT;
L_MOVSX32_8:
	DST = (uint32_t)(int32_t)(int8_t)SRC;
	NEXT;
L_MOVSX32_16:
	DST = (uint32_t)(int32_t)(int16_t)SRC;
	NEXT;
L_LE16:
	DST = (uint16_t)DST;
	NEXT;
L_LE32:
	DST = (uint32_t)DST;
	NEXT;
L_LE64:
	NEXT;
L_BE16:
	DST = __builtin_bswap16((uint16_t)DST);
	NEXT;
L_BE32:
	DST = __builtin_bswap32((uint32_t)DST);
	NEXT;
L_BE64:
	DST = __builtin_bswap64(DST);
	NEXT;

	/* ---- loads and stores ---- */
#define HANDLE_LDX(n, type, ext)                                                               \
	L_##n : {                                                                              \
		type v;                                                                        \
		ACCESS(ip->src, sizeof(type), XBPF_MEM_READ, pkt_rspan);                       \
		memcpy(&v, (const void *)addr, sizeof(v));                                     \
		DST = ext v;                                                                   \
		NEXT;                                                                          \
	}
	HANDLE_LDX(LDXB, uint8_t, (uint64_t))
	HANDLE_LDX(LDXH, uint16_t, (uint64_t))
	HANDLE_LDX(LDXW, uint32_t, (uint64_t))
	HANDLE_LDX(LDXDW, uint64_t, (uint64_t))
	HANDLE_LDX(LDXSB, int8_t, (uint64_t)(int64_t))
	HANDLE_LDX(LDXSH, int16_t, (uint64_t)(int64_t))
	HANDLE_LDX(LDXSW, int32_t, (uint64_t)(int64_t))
#undef HANDLE_LDX

#define HANDLE_STORE(n, type, value)                                                           \
	L_##n : {                                                                              \
		type v = (type)(value);                                                        \
		ACCESS(ip->dst, sizeof(type), XBPF_MEM_WRITE, pkt_wspan);                      \
		memcpy((void *)addr, &v, sizeof(v));                                           \
		NEXT;                                                                          \
	}
	HANDLE_STORE(STB, uint8_t, ip->imm)
	HANDLE_STORE(STH, uint16_t, ip->imm)
	HANDLE_STORE(STW, uint32_t, ip->imm)
	HANDLE_STORE(STDW, uint64_t, IMM64)
	HANDLE_STORE(STXB, uint8_t, SRC)
	HANDLE_STORE(STXH, uint16_t, SRC)
	HANDLE_STORE(STXW, uint32_t, SRC)
	HANDLE_STORE(STXDW, uint64_t, SRC)
#undef HANDLE_STORE

	/* ---- atomics: programs may share map memory across threads ---- */
#define ATOMIC_ACCESS(type)                                                                    \
	ACCESS(ip->dst, sizeof(type), XBPF_MEM_RW, pkt_wspan);                                 \
	if (unlikely(addr % sizeof(type))) {                                                   \
		fault_misaligned(exec, PC, addr, sizeof(type), ip->dst, ip->off);              \
		goto stop;                                                                     \
	}
#define HANDLE_ATOMIC(w, type, n, builtin, fetch)                                              \
	L_AT##w##_##n : {                                                                      \
		type old;                                                                      \
		ATOMIC_ACCESS(type);                                                           \
		old = builtin((type *)addr, (type)SRC, __ATOMIC_SEQ_CST);                      \
		if (fetch)                                                                     \
			SRC = old;                                                             \
		NEXT;                                                                          \
	}
#define HANDLE_ATOMICS(w, type)                                                                \
	HANDLE_ATOMIC(w, type, ADD, __atomic_fetch_add, false)                                 \
	HANDLE_ATOMIC(w, type, OR, __atomic_fetch_or, false)                                   \
	HANDLE_ATOMIC(w, type, AND, __atomic_fetch_and, false)                                 \
	HANDLE_ATOMIC(w, type, XOR, __atomic_fetch_xor, false)                                 \
	HANDLE_ATOMIC(w, type, FADD, __atomic_fetch_add, true)                                 \
	HANDLE_ATOMIC(w, type, FOR, __atomic_fetch_or, true)                                   \
	HANDLE_ATOMIC(w, type, FAND, __atomic_fetch_and, true)                                 \
	HANDLE_ATOMIC(w, type, FXOR, __atomic_fetch_xor, true)                                 \
	HANDLE_ATOMIC(w, type, XCHG, __atomic_exchange_n, true)                                \
	L_AT##w##_CMPXCHG : {                                                                  \
		type expected = (type)reg[0];                                                  \
		ATOMIC_ACCESS(type);                                                           \
		__atomic_compare_exchange_n((type *)addr, &expected, (type)SRC, false,         \
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);               \
		reg[0] = expected; /* the old value, whether or not it was replaced */         \
		NEXT;                                                                          \
	}
	HANDLE_ATOMICS(32, uint32_t)
	HANDLE_ATOMICS(64, uint64_t)
#undef HANDLE_ATOMICS
#undef HANDLE_ATOMIC
#undef ATOMIC_ACCESS

L_LDDW:
	DST = (uint64_t)(uint32_t)ip[0].imm | (uint64_t)(uint32_t)ip[1].imm << 32;
	ip += 2;
	DISPATCH;
L_LDDW_TAIL: /* never reached: the validator refuses jumps into a lddw */
	__builtin_unreachable();

	/* ---- jumps ---- */
L_JA_FWD:
	JUMP_FWD(ip->off);
L_JA_BACK:
	JUMP_BACK(ip->off);
L_JA32_FWD:
	JUMP_FWD(ip->imm);
L_JA32_BACK:
	JUMP_BACK(ip->imm);

#define HANDLE_COND(n, fn)                                                                     \
	L_##n##64_IMM_FWD : if (fn##64(DST, IMM64)) JUMP_FWD(ip->off);                          \
	NEXT;                                                                                  \
	L_##n##64_IMM_BACK : if (fn##64(DST, IMM64)) JUMP_BACK(ip->off);                        \
	NEXT;                                                                                  \
	L_##n##64_REG_FWD : if (fn##64(DST, SRC)) JUMP_FWD(ip->off);                            \
	NEXT;                                                                                  \
	L_##n##64_REG_BACK : if (fn##64(DST, SRC)) JUMP_BACK(ip->off);                          \
	NEXT;                                                                                  \
	L_##n##32_IMM_FWD : if (fn##32((uint32_t)DST, IMM32)) JUMP_FWD(ip->off);                \
	NEXT;                                                                                  \
	L_##n##32_IMM_BACK : if (fn##32((uint32_t)DST, IMM32)) JUMP_BACK(ip->off);              \
	NEXT;                                                                                  \
	L_##n##32_REG_FWD : if (fn##32((uint32_t)DST, (uint32_t)SRC)) JUMP_FWD(ip->off);        \
	NEXT;                                                                                  \
	L_##n##32_REG_BACK : if (fn##32((uint32_t)DST, (uint32_t)SRC)) JUMP_BACK(ip->off);      \
	NEXT;
	HANDLE_COND(JEQ, cond_jeq)
	HANDLE_COND(JGT, cond_jgt)
	HANDLE_COND(JGE, cond_jge)
	HANDLE_COND(JSET, cond_jset)
	HANDLE_COND(JNE, cond_jne)
	HANDLE_COND(JSGT, cond_jsgt)
	HANDLE_COND(JSGE, cond_jsge)
	HANDLE_COND(JLT, cond_jlt)
	HANDLE_COND(JLE, cond_jle)
	HANDLE_COND(JSLT, cond_jslt)
	HANDLE_COND(JSLE, cond_jsle)
#undef HANDLE_COND

	/* ---- calls ---- */
L_CALL_LOCAL : {
	struct xbpf_interp_frame *f;

	if (unlikely(depth + 1 >= XBPF_MAX_FRAMES)) {
		fault_depth(exec, PC);
		goto stop;
	}
	if (unlikely(budget == 0))
		goto out_of_budget;
	budget--;
	f = &st->frames[depth];
	f->ret = ip + 1;
	f->prog = prog;
	memcpy(f->callee_saved, &reg[6], sizeof(f->callee_saved));
	depth++;
	SET_STACK();
	JUMP_FWD(ip->imm);
}
L_EXIT : {
	const struct xbpf_interp_frame *f;

	if (depth == base_depth) {
		*r0 = reg[0];
		exec->budget = budget;
		return 0;
	}
	depth--;
	f = &st->frames[depth];
	memcpy(&reg[6], f->callee_saved, sizeof(f->callee_saved));
	ip = f->ret;
	if (f->prog != prog) { /* a tail call happened in the callee */
		prog = f->prog;
		code = prog->code;
		exec->running = &prog->base;
	}
	SET_STACK();
	DISPATCH;
}
L_CALL_HELPER : {
	uint32_t slot = (uint32_t)ip->imm;

	proto = slot < exec->n_imports ? atomic_load_explicit(&exec->imports[slot].proto, memory_order_acquire)
				       : NULL;
	if (unlikely(!proto)) {
		xbpf_exec_fault(exec, -ENOLINK, PC, "call through import slot %u, which is not bound", slot);
		goto stop;
	}
	goto call_helper;
}
L_CALLX:
	proto = exec->env && exec->env->helper_by_id ? exec->env->helper_by_id(exec, DST) : NULL;
	if (unlikely(!proto)) {
		xbpf_exec_fault(exec, -ENOLINK, PC, "callx: no helper with id %llu (r%u)",
				(unsigned long long)DST, ip->dst);
		goto stop;
	}
	goto call_helper;

call_helper:
	exec->budget = budget;
	st->depth = depth;
	if (unlikely(!xbpf_exec_call_helper(exec, proto, &reg[1], PC, &reg[0]) || exec->error))
		goto stop;
	budget = exec->budget;
	LOAD_PACKET();
	if (likely(!exec->tail_call_next))
		NEXT;
	{
		const struct xbpf_vm_prog *next = exec->tail_call_next;

		exec->tail_call_next = NULL;
		if (unlikely(next->engine != &xbpf_interpreter)) {
			xbpf_exec_fault(exec, -EINVAL, PC, "tail call into a program of the %s engine",
					next->engine->name);
			goto stop;
		}
		/* The new program runs in the current frame, r1 unchanged. */
		prog = (const struct xbpf_interp_prog *)next;
		code = prog->code;
		exec->running = next;
		ip = code;
		DISPATCH;
	}

out_of_budget:
	fault_budget(exec, PC);
stop:
	exec->budget = budget;
	return exec->error;

#undef ACCESS
#undef LOAD_PACKET
#undef SET_STACK
#undef JUMP_BACK
#undef JUMP_FWD
#undef NEXT
#undef DISPATCH
#undef PC
#undef IMM32
#undef IMM64
#undef SRC
#undef DST
}

/* ------------------------------------------------------------------------ */
/* Engine entry points                                                      */
/* ------------------------------------------------------------------------ */

static void interp_free(struct xbpf_vm_prog *base)
{
	if (!base)
		return;
	free((void *)base->func_starts);
	free(base);
}

static int prepare_error(char *err, size_t err_size, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int prepare_error(char *err, size_t err_size, int ret, const char *fmt, ...)
{
	if (err && err_size) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, err_size, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Copies the function starts the code came with, or validates it to find them. */
static int take_functions(const struct xbpf_vm_code *code, struct xbpf_interp_prog *prog, char *err,
			  size_t err_size)
{
	struct xbpf_validate_error verr;
	struct xbpf_func_list funcs;
	int ret;

	if (code->func_starts) {
		uint32_t *starts = malloc(code->n_funcs * sizeof(*starts));

		if (!starts)
			return prepare_error(err, err_size, -ENOMEM, "out of memory");
		memcpy(starts, code->func_starts, code->n_funcs * sizeof(*starts));
		prog->base.func_starts = starts;
		prog->base.n_funcs = code->n_funcs;
		return 0;
	}
	ret = xbpf_validate_funcs(code->insns, code->count, &verr, &funcs);
	if (ret)
		return prepare_error(err, err_size, ret, "instruction %zu: %s", verr.pc, verr.reason);
	prog->base.func_starts = funcs.starts;
	prog->base.n_funcs = funcs.count;
	return 0;
}

static int interp_prepare(const struct xbpf_vm_code *code, struct xbpf_vm_prog **out, char *err, size_t err_size)
{
	const void *const *labels;
	struct xbpf_interp_prog *prog;
	size_t pc;
	int ret;

	if (code->count == 0 || code->count > XBPF_MAX_INSNS)
		return prepare_error(err, err_size, -EINVAL, "program has %zu instructions", code->count);
	prog = calloc(1, sizeof(*prog) + code->count * sizeof(prog->code[0]));
	if (!prog)
		return prepare_error(err, err_size, -ENOMEM, "out of memory");
	prog->base.engine = &xbpf_interpreter;
	ret = take_functions(code, prog, err, err_size);
	if (ret) {
		free(prog);
		return ret;
	}
	interp_loop(NULL, NULL, NULL, NULL, NULL, NULL, &labels);

	for (pc = 0; pc < code->count; pc++) {
		const struct xbpf_insn *in = &code->insns[pc];
		enum xbpf_interp_op op = xbpf_interp_decode(code->insns, pc, &prog->code[pc]);

		if (op == XBPF_IOP_INVALID) {
			ret = prepare_error(err, err_size, -EINVAL, "instruction %zu: opcode 0x%02x is not supported", pc,
					    in->opcode);
			goto fail;
		}
		if (op == XBPF_IOP_CALL_HELPER) {
			int slot = code->call_slot ? code->call_slot(code->call_slot_ctx, pc, in) : -ENOSYS;

			if (slot < 0) {
				ret = prepare_error(err, err_size, slot, "instruction %zu: cannot bind the call of %s %d: %s",
						    pc, in->src == XBPF_CALL_KFUNC ? "named helper" : "helper",
						    in->imm, strerror(-slot));
				goto fail;
			}
			prog->code[pc].imm = slot;
		}
		prog->code[pc].handler = labels[op];
		if (op == XBPF_IOP_LDDW)
			prog->code[++pc].handler = labels[XBPF_IOP_LDDW_TAIL];
	}
	*out = &prog->base;
	return 0;
fail:
	interp_free(&prog->base);
	return ret;
}

static int interp_run(const struct xbpf_vm_prog *base, struct xbpf_exec *exec, const uint64_t args[5],
		      uint64_t *r0)
{
	const struct xbpf_interp_prog *prog = (const struct xbpf_interp_prog *)base;
	struct xbpf_interp_stack *st = xbpf_interp_stack_acquire();
	int ret;

	if (!st)
		return -ENOMEM;
	exec->error = 0;
	exec->fault_pc = 0;
	exec->fault_msg[0] = '\0';
	exec->tail_call_next = NULL;
	exec->running = base;
	exec->engine_state = st;
	exec->stack_hi = frame_top(st, 0);
	st->depth = 0;

	ret = interp_loop(exec, st, prog, prog->code, args, r0, NULL);
	xbpf_exec_release_holds(exec);

	/* The area goes back to the thread's cache: no longer the program's. */
	exec->engine_state = NULL;
	exec->stack_lo = exec->stack_hi = 0;
	xbpf_interp_stack_release(st);
	return ret;
}

static int interp_call_function(struct xbpf_exec *exec, uint64_t pc, const uint64_t args[5], uint64_t *r0)
{
	struct xbpf_interp_stack *st = exec->engine_state;
	const struct xbpf_vm_prog *running = exec->running;
	unsigned depth;
	size_t call_pc = exec->call_pc;
	int ret;

	if (!st || !running || running->engine != &xbpf_interpreter)
		return -EINVAL; /* not inside a run of this engine: nothing to stop */
	depth = st->depth;
	if (!xbpf_vm_prog_has_function(running, pc))
		return xbpf_exec_fault(exec, -EINVAL, call_pc, "callback target %llu is not the start of a function",
				       (unsigned long long)pc);
	if (depth + 1 >= XBPF_MAX_FRAMES) {
		fault_depth(exec, call_pc);
		return exec->error;
	}
	if (exec->budget == 0) {
		fault_budget(exec, call_pc);
		return exec->error;
	}
	exec->budget--;

	st->depth = depth + 1;
	ret = interp_loop(exec, st, (const struct xbpf_interp_prog *)running,
			  ((const struct xbpf_interp_prog *)running)->code + pc, args, r0, NULL);
	/* Back in the helper's caller: its program, its frames and its call
	 * (the callback's own calls changed them). */
	st->depth = depth;
	exec->call_pc = call_pc;
	exec->running = running;
	exec->stack_lo = frame_top(st, depth + 1);
	return ret;
}

const struct xbpf_engine_ops xbpf_interpreter = {
	.name = "interpreter",
	.prepare = interp_prepare,
	.run = interp_run,
	.call_function = interp_call_function,
	.free = interp_free,
};
