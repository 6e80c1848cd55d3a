/* SPDX-License-Identifier: MIT */
/*
 * Context access conversion: a forward dataflow pass that finds every load
 * and store whose base register holds the context pointer, then rewrites or
 * refuses it (see ctx_access.h).
 *
 * The abstract value of a register or 8-byte stack slot says what it may hold:
 * nothing of interest, the context at a known offset, the context at an
 * unknown offset, a stack address at a known offset (to follow spills made
 * through a copy of r10), a callback function, or a mix of these (joined from
 * paths that disagree). Functions are analysed with the join of the states
 * at all their call sites and a summary of what they return, iterating until
 * nothing changes; the lattice is finite, so this ends.
 */
#include "verifier/ctx_access.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/insn.h"

enum kind {
	K_NONE = 0,  /* nothing seen yet (the bottom of the lattice) */
	K_OTHER,     /* a scalar or a pointer that is not the context */
	K_CTX,       /* context + off */
	K_CTX_VAR,   /* context + an offset not known at load time */
	K_STACK,     /* this frame's r10 + off */
	K_FUNC,      /* callback function starting at instruction off */
	K_MIXED,     /* the context on some paths, something else on others */
};

struct value {
	uint8_t kind;
	int32_t off;
};

static const struct value other = {K_OTHER, 0};

#define N_SLOTS (XBPF_STACK_SIZE / 8)

struct state {
	struct value reg[XBPF_REG_COUNT];
	struct value slot[N_SLOTS]; /* slot i holds r10 - 8 * (i + 1) */
	bool reached;
};

struct func {
	size_t start, end;  /* [start, end) */
	struct state entry; /* join of every way in */
	struct value ret;   /* join of r0 at every exit */
};

struct analysis {
	struct xbpf_insn *insns;
	size_t count;
	const struct xbpf_ctx_layout *layout;
	struct func *funcs;
	size_t n_funcs;
	struct state *at;      /* state on entry of each jump target */
	bool *is_target;
	struct value *base;    /* join of the base register seen by each access */
	size_t *worklist;
	size_t n_work;
	bool *queued;
	bool changed;          /* a function entry or summary grew */
	struct xbpf_ctx_error *err;
};

/* Helpers that call back into the program: which argument is the callback,
 * which is handed through to it, and in which callback argument it arrives.
 * Ids are Linux's. */
static const struct callback_helper {
	int32_t id;
	uint8_t fn_reg, ctx_reg, cb_reg;
} callback_helpers[] = {
	{181, 2, 3, 2}, /* bpf_loop(nr, callback, ctx, flags): cb(index, ctx) */
	{164, 2, 3, 4}, /* bpf_for_each_map_elem(map, cb, ctx, flags): cb(map, key, value, ctx) */
	{209, 2, 3, 2}, /* bpf_user_ringbuf_drain(map, cb, ctx, flags): cb(dynptr, ctx) */
};

static bool value_eq(struct value a, struct value b)
{
	return a.kind == b.kind && a.off == b.off;
}

static bool may_be_ctx(struct value v)
{
	return v.kind == K_CTX || v.kind == K_CTX_VAR || v.kind == K_MIXED;
}

static struct value join_value(struct value a, struct value b)
{
	if (a.kind == K_NONE)
		return b;
	if (b.kind == K_NONE || value_eq(a, b))
		return a;
	if (a.kind == K_CTX && b.kind == K_CTX)
		return (struct value){K_CTX_VAR, 0};
	if (may_be_ctx(a) || may_be_ctx(b))
		return (struct value){K_MIXED, 0};
	/* Two different non-context values: nothing to track any more. */
	return other;
}

/* Joins src into *dst; returns true when *dst changed. */
static bool join_state(struct state *dst, const struct state *src)
{
	if (!src->reached)
		return false;
	if (!dst->reached) {
		*dst = *src;
		return true;
	}
	bool changed = false;
	for (int r = 0; r < XBPF_REG_COUNT; r++) {
		struct value v = join_value(dst->reg[r], src->reg[r]);
		changed |= !value_eq(v, dst->reg[r]);
		dst->reg[r] = v;
	}
	for (int s = 0; s < N_SLOTS; s++) {
		struct value v = join_value(dst->slot[s], src->slot[s]);
		changed |= !value_eq(v, dst->slot[s]);
		dst->slot[s] = v;
	}
	return changed;
}

static void fresh_frame(struct state *st)
{
	for (int r = 0; r < XBPF_REG_COUNT; r++)
		st->reg[r] = other;
	for (int s = 0; s < N_SLOTS; s++)
		st->slot[s] = other;
	st->reg[XBPF_REG_FP] = (struct value){K_STACK, 0};
	st->reached = true;
}

static int fail(struct analysis *a, size_t pc, const char *fmt, ...)
{
	a->err->pc = pc;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->err->msg, sizeof(a->err->msg), fmt, ap);
	va_end(ap);
	return -EACCES;
}

static struct func *func_of(struct analysis *a, size_t pc)
{
	size_t lo = 0, hi = a->n_funcs;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (a->funcs[mid].start <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return &a->funcs[lo];
}

static void enqueue(struct analysis *a, size_t pc)
{
	if (!a->queued[pc]) {
		a->queued[pc] = true;
		a->worklist[a->n_work++] = pc;
	}
}

static void flow_to(struct analysis *a, size_t pc, const struct state *st)
{
	if (join_state(&a->at[pc], st))
		enqueue(a, pc);
}

static void enter_function(struct analysis *a, size_t start, const struct state *entry)
{
	struct func *f = func_of(a, start);
	if (f->start == start && join_state(&f->entry, entry))
		flow_to(a, start, &f->entry);
}

/* Stack slot addressed by a K_STACK base plus an offset: the slot index for
 * one aligned 8-byte access, -1 for anything else. */
static int slot_of(struct value base, int32_t off, unsigned size)
{
	int64_t addr = (int64_t)base.off + off; /* relative to r10, negative */
	if (base.kind != K_STACK || size != 8 || (addr & 7) || addr >= 0 || addr < -XBPF_STACK_SIZE)
		return -1;
	return (int)(-addr / 8 - 1);
}

/* A store that is not a whole-slot spill: the slots it touches no longer
 * hold anything we track. */
static void clobber_stack(struct state *st, struct value base, int32_t off, unsigned size)
{
	if (base.kind != K_STACK)
		return;
	int64_t addr = (int64_t)base.off + off;
	for (int64_t b = addr; b < addr + (int64_t)size; b++)
		if (b < 0 && b >= -XBPF_STACK_SIZE)
			st->slot[(-b - 1) / 8] = other;
}

static struct value alu64(const struct xbpf_insn *insn, struct value dst, struct value src)
{
	uint8_t op = XBPF_OP(insn->opcode);
	bool is_reg = XBPF_SRC(insn->opcode) == XBPF_SRC_X;
	if (op == XBPF_ALU_MOV && insn->off == 0)
		return is_reg ? src : other;
	bool dst_ptr = dst.kind == K_CTX || dst.kind == K_STACK;
	if (!is_reg && dst_ptr && (op == XBPF_ALU_ADD || op == XBPF_ALU_SUB)) {
		int64_t off = (int64_t)dst.off + (op == XBPF_ALU_ADD ? insn->imm : -(int64_t)insn->imm);
		if (off >= INT32_MIN && off <= INT32_MAX)
			return (struct value){dst.kind, (int32_t)off};
	}
	if (may_be_ctx(dst) || (is_reg && may_be_ctx(src)))
		return (struct value){K_CTX_VAR, 0};
	return other;
}

static void note_base(struct analysis *a, size_t pc, struct value base)
{
	a->base[pc] = join_value(a->base[pc], base);
}

static void call_helper(struct analysis *a, struct state *st, int32_t id)
{
	for (size_t i = 0; i < sizeof(callback_helpers) / sizeof(callback_helpers[0]); i++) {
		const struct callback_helper *h = &callback_helpers[i];
		if (h->id != id || st->reg[h->fn_reg].kind != K_FUNC)
			continue;
		struct state entry;
		fresh_frame(&entry);
		entry.reg[h->cb_reg] = st->reg[h->ctx_reg];
		enter_function(a, (size_t)st->reg[h->fn_reg].off, &entry);
	}
	for (int r = 0; r <= 5; r++)
		st->reg[r] = other;
}

static void call_local(struct analysis *a, struct state *st, size_t target)
{
	struct state entry;
	fresh_frame(&entry);
	for (int r = 1; r <= 5; r++) /* stack addresses of the caller mean nothing there */
		entry.reg[r] = st->reg[r].kind == K_STACK ? other : st->reg[r];
	enter_function(a, target, &entry);
	struct value ret = func_of(a, target)->ret;
	for (int r = 1; r <= 5; r++)
		st->reg[r] = other;
	st->reg[0] = ret;
}

/* Walks forward from pc with state st until the path ends or joins a
 * jump target. */
static void walk(struct analysis *a, size_t pc, struct state st)
{
	for (;;) {
		struct xbpf_insn *insn = &a->insns[pc];
		uint8_t cls = XBPF_CLASS(insn->opcode);
		size_t next = pc + 1;

		switch (cls) {
		case XBPF_CLASS_ALU64:
			st.reg[insn->dst] = alu64(insn, st.reg[insn->dst], st.reg[insn->src]);
			break;
		case XBPF_CLASS_ALU:
			st.reg[insn->dst] = other;
			break;
		case XBPF_CLASS_LD:
			st.reg[insn->dst] = insn->src == XBPF_PSEUDO_FUNC
						    ? (struct value){K_FUNC, (int32_t)xbpf_jump_target(insn, pc)}
						    : other;
			next = pc + 2;
			break;
		case XBPF_CLASS_LDX: {
			struct value base = st.reg[insn->src];
			note_base(a, pc, base);
			int s = slot_of(base, insn->off, xbpf_size_bytes(insn->opcode));
			st.reg[insn->dst] = (s >= 0 && XBPF_MODE(insn->opcode) == XBPF_MODE_MEM)
						    ? st.slot[s]
						    : other;
			break;
		}
		case XBPF_CLASS_ST:
		case XBPF_CLASS_STX: {
			struct value base = st.reg[insn->dst];
			unsigned size = xbpf_size_bytes(insn->opcode);
			note_base(a, pc, base);
			if (cls == XBPF_CLASS_STX && XBPF_MODE(insn->opcode) == XBPF_MODE_ATOMIC) {
				clobber_stack(&st, base, insn->off, size);
				if (insn->imm == XBPF_ATOMIC_CMPXCHG)
					st.reg[0] = other;
				else if (insn->imm & XBPF_ATOMIC_FETCH)
					st.reg[insn->src] = other;
				break;
			}
			int s = slot_of(base, insn->off, size);
			if (s >= 0 && cls == XBPF_CLASS_STX)
				st.slot[s] = st.reg[insn->src];
			else
				clobber_stack(&st, base, insn->off, size);
			break;
		}
		case XBPF_CLASS_JMP:
		case XBPF_CLASS_JMP32: {
			uint8_t op = XBPF_OP(insn->opcode);
			if (insn->opcode == XBPF_OP_EXIT) {
				struct func *f = func_of(a, pc);
				struct value r = join_value(f->ret, st.reg[0]);
				if (!value_eq(r, f->ret) || r.kind != f->ret.kind) {
					f->ret = r;
					a->changed = true;
				}
				return;
			}
			if (insn->opcode == XBPF_OP_CALL) {
				if (insn->src == XBPF_CALL_LOCAL)
					call_local(a, &st, (size_t)xbpf_jump_target(insn, pc));
				else
					call_helper(a, &st, insn->imm);
				break;
			}
			if (insn->opcode == XBPF_OP_CALLX) {
				call_helper(a, &st, -1);
				break;
			}
			size_t target = (size_t)xbpf_jump_target(insn, pc);
			flow_to(a, target, &st);
			if (op == XBPF_JMP_JA)
				return;
			break;
		}
		}
		if (next >= a->count)
			return;
		if (a->is_target[next]) {
			flow_to(a, next, &st);
			return;
		}
		pc = next;
	}
}

static int find_functions(struct analysis *a)
{
	bool *starts = calloc(a->count, sizeof(*starts));
	if (!starts)
		return -ENOMEM;
	starts[0] = true;
	for (size_t pc = 0; pc < a->count; pc++) {
		const struct xbpf_insn *insn = &a->insns[pc];
		bool local_call = insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_LOCAL;
		bool func_ref = xbpf_insn_is_lddw(insn) && insn->src == XBPF_PSEUDO_FUNC;
		if (local_call || func_ref) {
			int64_t t = xbpf_jump_target(insn, pc);
			if (t >= 0 && (size_t)t < a->count)
				starts[t] = true;
		} else if (XBPF_CLASS(insn->opcode) == XBPF_CLASS_JMP ||
			   XBPF_CLASS(insn->opcode) == XBPF_CLASS_JMP32) {
			uint8_t op = XBPF_OP(insn->opcode);
			if (op != XBPF_JMP_CALL && op != XBPF_JMP_EXIT) {
				int64_t t = xbpf_jump_target(insn, pc);
				if (t >= 0 && (size_t)t < a->count)
					a->is_target[t] = true;
			}
		}
		if (xbpf_insn_is_lddw(insn))
			pc++;
	}
	for (size_t pc = 0; pc < a->count; pc++)
		a->n_funcs += starts[pc];
	a->funcs = calloc(a->n_funcs, sizeof(*a->funcs));
	if (!a->funcs) {
		free(starts);
		return -ENOMEM;
	}
	size_t f = 0;
	for (size_t pc = 0; pc < a->count; pc++) {
		if (!starts[pc])
			continue;
		a->is_target[pc] = true;
		a->funcs[f].start = pc;
		if (f > 0)
			a->funcs[f - 1].end = pc;
		f++;
	}
	a->funcs[f - 1].end = a->count;
	free(starts);
	return 0;
}

static const struct xbpf_ctx_field *converted_at(const struct xbpf_ctx_layout *l,
							    int64_t off, unsigned size, bool *overlaps)
{
	*overlaps = false;
	for (size_t i = 0; i < l->n_converted; i++) {
		const struct xbpf_ctx_field *f = &l->converted[i];
		if (off == f->offset && size == f->size)
			return f;
		if (off < (int64_t)f->offset + f->size && off + size > f->offset)
			*overlaps = true;
	}
	return NULL;
}

static bool writable(const struct xbpf_ctx_layout *l, int64_t off, unsigned size)
{
	for (size_t i = 0; i < l->n_writable; i++)
		if (off >= l->writable[i].offset &&
		    off + size <= (int64_t)l->writable[i].offset + l->writable[i].size)
			return true;
	return false;
}

static uint8_t ldx_size_bits(uint32_t bytes)
{
	switch (bytes) {
	case 1: return XBPF_SIZE_B;
	case 2: return XBPF_SIZE_H;
	case 4: return XBPF_SIZE_W;
	default: return XBPF_SIZE_DW;
	}
}

static int convert_access(struct analysis *a, size_t pc)
{
	struct xbpf_insn *insn = &a->insns[pc];
	struct value base = a->base[pc];
	uint8_t cls = XBPF_CLASS(insn->opcode);
	unsigned reg = cls == XBPF_CLASS_LDX ? insn->src : insn->dst;

	if (base.kind == K_MIXED)
		return fail(a, pc, "r%u is the context on some paths and something else on others; "
			    "such an access cannot be converted", reg);
	if (base.kind == K_CTX_VAR)
		return fail(a, pc, "context access through r%u at a variable offset", reg);
	if (base.kind != K_CTX)
		return 0;

	int64_t off = (int64_t)base.off + insn->off;
	unsigned size = xbpf_size_bytes(insn->opcode);
	bool overlaps;
	const struct xbpf_ctx_field *f = converted_at(a->layout, off, size, &overlaps);

	if (cls == XBPF_CLASS_LDX && XBPF_MODE(insn->opcode) == XBPF_MODE_MEM && f) {
		int64_t new_off = (int64_t)f->internal_offset - base.off;
		if (new_off < INT16_MIN || new_off > INT16_MAX)
			return fail(a, pc, "context pointer offset %d is too far from the field", base.off);
		insn->opcode = XBPF_CLASS_LDX | XBPF_MODE_MEM | ldx_size_bits(f->internal_size);
		insn->off = (int16_t)new_off;
		return 0;
	}
	if (f || overlaps)
		return fail(a, pc, "invalid access to context field at offset %lld: it must be read "
			    "whole, with a plain %u-byte load", (long long)off,
			    f ? f->size : 4);
	if (off < 0 || off + size > a->layout->size)
		return fail(a, pc, "invalid context access at offset %lld, size %u (the context is "
			    "%u bytes)", (long long)off, size, a->layout->size);
	if (cls == XBPF_CLASS_LDX)
		return 0;
	if (cls == XBPF_CLASS_STX && XBPF_MODE(insn->opcode) == XBPF_MODE_ATOMIC)
		return fail(a, pc, "atomic operation on the context is not allowed");
	if (!writable(a->layout, off, size))
		return fail(a, pc, "write to context offset %lld, size %u is not allowed",
			    (long long)off, size);
	return 0;
}

static void free_analysis(struct analysis *a)
{
	free(a->funcs);
	free(a->at);
	free(a->is_target);
	free(a->base);
	free(a->worklist);
	free(a->queued);
}

int xbpf_ctx_convert(struct xbpf_insn *insns, size_t count, const struct xbpf_ctx_layout *layout,
		     struct xbpf_ctx_error *err)
{
	struct analysis a = {.insns = insns, .count = count, .layout = layout, .err = err};
	int ret = -ENOMEM;

	a.at = calloc(count, sizeof(*a.at));
	a.is_target = calloc(count, sizeof(*a.is_target));
	a.base = calloc(count, sizeof(*a.base));
	a.worklist = calloc(count, sizeof(*a.worklist));
	a.queued = calloc(count, sizeof(*a.queued));
	if (!a.at || !a.is_target || !a.base || !a.worklist || !a.queued)
		goto out;
	ret = find_functions(&a);
	if (ret)
		goto out;

	struct state entry;
	fresh_frame(&entry);
	entry.reg[1] = (struct value){K_CTX, 0};
	enter_function(&a, 0, &entry);

	/* States only grow. When a function's return summary grows, the paths
	 * that used the old one are walked again: repeat until stable. */
	do {
		a.changed = false;
		while (a.n_work > 0) {
			size_t pc = a.worklist[--a.n_work];
			a.queued[pc] = false;
			walk(&a, pc, a.at[pc]);
		}
		if (a.changed)
			for (size_t pc = 0; pc < count; pc++)
				if (a.at[pc].reached)
					enqueue(&a, pc);
	} while (a.n_work > 0);

	ret = 0;
	for (size_t pc = 0; pc < count && ret == 0; pc++) {
		uint8_t cls = XBPF_CLASS(insns[pc].opcode);
		if (cls == XBPF_CLASS_LDX || cls == XBPF_CLASS_ST || cls == XBPF_CLASS_STX)
			ret = convert_access(&a, pc);
		else if (xbpf_insn_is_lddw(&insns[pc]))
			pc++;
	}
out:
	free_analysis(&a);
	return ret;
}
