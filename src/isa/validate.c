/* SPDX-License-Identifier: MIT */
/*
 * Structural validator (see validate.h). Two passes: the first checks each
 * instruction on its own (opcode, reserved fields, registers) and marks the
 * second slots of lddw and the function starts; the second, knowing all
 * marks, checks where control goes: jump targets, call targets and the end
 * of every function.
 */
#include "isa/validate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

enum {
	MARK_LDDW_TAIL = 0x1,  /* second slot of a lddw: no instruction starts here */
	MARK_FUNC_START = 0x2, /* instruction 0, a local call target or a callback */
};

struct checker {
	const struct xbpf_insn *insns;
	size_t count;
	uint8_t *marks;
	struct xbpf_validate_error *err;
};

static int reject(struct checker *c, size_t pc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int reject(struct checker *c, size_t pc, const char *fmt, ...)
{
	if (c->err) {
		va_list ap;

		c->err->pc = pc;
		va_start(ap, fmt);
		vsnprintf(c->err->reason, sizeof(c->err->reason), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int unknown_opcode(struct checker *c, size_t pc)
{
	return reject(c, pc, "unknown opcode 0x%02x", c->insns[pc].opcode);
}

/* A reserved field must be zero. */
static int need_zero(struct checker *c, size_t pc, const char *field, int64_t value)
{
	if (value == 0)
		return 0;
	return reject(c, pc, "opcode 0x%02x: reserved field %s must be 0 (is %lld)", c->insns[pc].opcode,
		      field, (long long)value);
}

static int need_reg(struct checker *c, size_t pc, const char *field, unsigned reg)
{
	if (reg < XBPF_REG_COUNT)
		return 0;
	return reject(c, pc, "opcode 0x%02x: %s register r%u does not exist", c->insns[pc].opcode, field, reg);
}

/* A register the instruction writes: exists and is not the frame pointer. */
static int need_writable_reg(struct checker *c, size_t pc, const char *field, unsigned reg)
{
	int err = need_reg(c, pc, field, reg);

	if (err)
		return err;
	if (reg == XBPF_REG_FP)
		return reject(c, pc, "opcode 0x%02x writes r10, the read-only frame pointer", c->insns[pc].opcode);
	return 0;
}

/* First pass: a target must at least be an instruction of the program. */
static int need_target_in_range(struct checker *c, size_t pc, int64_t target)
{
	if (target >= 0 && (uint64_t)target < c->count)
		return 0;
	return reject(c, pc, "target %lld is out of range (program has %zu instructions)", (long long)target,
		      c->count);
}

static int check_alu(struct checker *c, size_t pc, const struct xbpf_insn *in)
{
	uint8_t op = XBPF_OP(in->opcode);
	bool alu64 = XBPF_CLASS(in->opcode) == XBPF_CLASS_ALU64;
	bool reg = XBPF_SRC(in->opcode) == XBPF_SRC_X;
	int err;

	switch (op) {
	case XBPF_ALU_NEG:
		if (reg)
			return unknown_opcode(c, pc);
		if ((err = need_zero(c, pc, "src", in->src)) || (err = need_zero(c, pc, "off", in->off)) ||
		    (err = need_zero(c, pc, "imm", in->imm)))
			return err;
		break;
	case XBPF_ALU_END:
		if (alu64 && reg) /* 0xdf */
			return unknown_opcode(c, pc);
		if ((err = need_zero(c, pc, "src", in->src)) || (err = need_zero(c, pc, "off", in->off)))
			return err;
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return reject(c, pc, "opcode 0x%02x: byte swap width must be 16, 32 or 64 (is %d)", in->opcode,
				      in->imm);
		break;
	case 0xe0:
	case 0xf0:
		return unknown_opcode(c, pc);
	default:
		if (reg) {
			if ((err = need_zero(c, pc, "imm", in->imm)) || (err = need_reg(c, pc, "src", in->src)))
				return err;
		} else if ((err = need_zero(c, pc, "src", in->src))) {
			return err;
		}
		if ((op == XBPF_ALU_DIV || op == XBPF_ALU_MOD) && in->off == 1)
			break; /* sdiv, smod */
		if (op == XBPF_ALU_MOV && reg && (in->off == 8 || in->off == 16 || (alu64 && in->off == 32)))
			break; /* movsx */
		if (in->off != 0)
			return reject(c, pc, "opcode 0x%02x: offset %d is not valid for this operation", in->opcode,
				      in->off);
		break;
	}
	return need_writable_reg(c, pc, "dst", in->dst);
}

static int check_jmp(struct checker *c, size_t pc, const struct xbpf_insn *in)
{
	uint8_t op = XBPF_OP(in->opcode);
	bool jmp32 = XBPF_CLASS(in->opcode) == XBPF_CLASS_JMP32;
	bool reg = XBPF_SRC(in->opcode) == XBPF_SRC_X;
	int err;

	switch (op) {
	case XBPF_JMP_JA:
		if (reg)
			return unknown_opcode(c, pc);
		if ((err = need_zero(c, pc, "dst", in->dst)) || (err = need_zero(c, pc, "src", in->src)) ||
		    (err = need_zero(c, pc, jmp32 ? "off" : "imm", jmp32 ? in->off : in->imm)))
			return err;
		return need_target_in_range(c, pc, xbpf_jump_target(in, pc));
	case XBPF_JMP_CALL:
		if (jmp32)
			return unknown_opcode(c, pc);
		if (reg) { /* callx: the helper id is in register dst */
			if ((err = need_zero(c, pc, "src", in->src)) || (err = need_zero(c, pc, "off", in->off)) ||
			    (err = need_zero(c, pc, "imm", in->imm)))
				return err;
			return need_reg(c, pc, "dst", in->dst);
		}
		if ((err = need_zero(c, pc, "dst", in->dst)) || (err = need_zero(c, pc, "off", in->off)))
			return err;
		if (in->src > XBPF_CALL_KFUNC)
			return reject(c, pc, "call: src must be 0 (helper), 1 (local) or 2 (named helper), is %u",
				      in->src);
		if (in->src == XBPF_CALL_LOCAL) {
			int64_t target = xbpf_jump_target(in, pc);

			if ((err = need_target_in_range(c, pc, target)))
				return err;
			c->marks[target] |= MARK_FUNC_START;
		}
		return 0;
	case XBPF_JMP_EXIT:
		if (jmp32 || reg)
			return unknown_opcode(c, pc);
		if ((err = need_zero(c, pc, "dst", in->dst)) || (err = need_zero(c, pc, "src", in->src)) ||
		    (err = need_zero(c, pc, "off", in->off)) || (err = need_zero(c, pc, "imm", in->imm)))
			return err;
		return 0;
	case 0xe0:
	case 0xf0:
		return unknown_opcode(c, pc);
	default: /* conditional jumps */
		if (reg) {
			if ((err = need_zero(c, pc, "imm", in->imm)) || (err = need_reg(c, pc, "src", in->src)))
				return err;
		} else if ((err = need_zero(c, pc, "src", in->src))) {
			return err;
		}
		if ((err = need_reg(c, pc, "dst", in->dst)))
			return err;
		return need_target_in_range(c, pc, xbpf_jump_target(in, pc));
	}
}

static int check_lddw(struct checker *c, size_t pc, const struct xbpf_insn *in)
{
	const struct xbpf_insn *tail;
	int err;

	if ((err = need_zero(c, pc, "off", in->off)))
		return err;
	if (in->src > XBPF_PSEUDO_MAP_IDX_VALUE)
		return reject(c, pc, "lddw: src must be 0..6 (is %u)", in->src);
	if ((err = need_writable_reg(c, pc, "dst", in->dst)))
		return err;
	if (pc + 1 >= c->count)
		return reject(c, pc, "incomplete lddw: the second slot is missing");
	tail = &c->insns[pc + 1];
	if (tail->opcode != 0 || tail->dst != 0 || tail->src != 0 || tail->off != 0)
		return reject(c, pc + 1, "second slot of lddw: only imm may be set");
	c->marks[pc + 1] |= MARK_LDDW_TAIL;
	if (in->src == XBPF_PSEUDO_FUNC) {
		int64_t target = xbpf_jump_target(in, pc);

		if ((err = need_target_in_range(c, pc, target)))
			return err;
		c->marks[target] |= MARK_FUNC_START;
	}
	return 0;
}

static int check_ld(struct checker *c, size_t pc, const struct xbpf_insn *in)
{
	if (in->opcode == XBPF_OP_LDDW)
		return check_lddw(c, pc, in);
	if ((XBPF_MODE(in->opcode) == XBPF_MODE_ABS || XBPF_MODE(in->opcode) == XBPF_MODE_IND) &&
	    XBPF_SIZE(in->opcode) != XBPF_SIZE_DW)
		return reject(c, pc, "opcode 0x%02x: legacy packet access is not supported", in->opcode);
	return unknown_opcode(c, pc);
}

static int check_ldx(struct checker *c, size_t pc, const struct xbpf_insn *in)
{
	int err;

	if (XBPF_MODE(in->opcode) != XBPF_MODE_MEM &&
	    !(XBPF_MODE(in->opcode) == XBPF_MODE_MEMSX && XBPF_SIZE(in->opcode) != XBPF_SIZE_DW))
		return unknown_opcode(c, pc);
	if ((err = need_zero(c, pc, "imm", in->imm)) || (err = need_reg(c, pc, "src", in->src)))
		return err;
	return need_writable_reg(c, pc, "dst", in->dst);
}

static int check_st(struct checker *c, size_t pc, const struct xbpf_insn *in)
{
	int err;

	if (XBPF_MODE(in->opcode) != XBPF_MODE_MEM)
		return unknown_opcode(c, pc);
	if ((err = need_zero(c, pc, "src", in->src)))
		return err;
	return need_reg(c, pc, "dst", in->dst);
}

static bool atomic_op_valid(int32_t imm)
{
	switch (imm) {
	case XBPF_ATOMIC_ADD:
	case XBPF_ATOMIC_OR:
	case XBPF_ATOMIC_AND:
	case XBPF_ATOMIC_XOR:
	case XBPF_ATOMIC_ADD | XBPF_ATOMIC_FETCH:
	case XBPF_ATOMIC_OR | XBPF_ATOMIC_FETCH:
	case XBPF_ATOMIC_AND | XBPF_ATOMIC_FETCH:
	case XBPF_ATOMIC_XOR | XBPF_ATOMIC_FETCH:
	case XBPF_ATOMIC_XCHG:
	case XBPF_ATOMIC_CMPXCHG:
		return true;
	default:
		return false;
	}
}

static int check_stx(struct checker *c, size_t pc, const struct xbpf_insn *in)
{
	int err;

	if (XBPF_MODE(in->opcode) == XBPF_MODE_MEM) {
		if ((err = need_zero(c, pc, "imm", in->imm)) || (err = need_reg(c, pc, "src", in->src)))
			return err;
		return need_reg(c, pc, "dst", in->dst);
	}
	if (XBPF_MODE(in->opcode) != XBPF_MODE_ATOMIC ||
	    (XBPF_SIZE(in->opcode) != XBPF_SIZE_W && XBPF_SIZE(in->opcode) != XBPF_SIZE_DW))
		return unknown_opcode(c, pc);
	if (!atomic_op_valid(in->imm))
		return reject(c, pc, "opcode 0x%02x: unknown atomic operation 0x%x", in->opcode, (unsigned)in->imm);
	if ((err = need_reg(c, pc, "dst", in->dst)))
		return err;
	/* Fetching operations write the old value to src; cmpxchg writes r0. */
	if ((in->imm & XBPF_ATOMIC_FETCH) && in->imm != XBPF_ATOMIC_CMPXCHG)
		return need_writable_reg(c, pc, "src", in->src);
	return need_reg(c, pc, "src", in->src);
}

static int check_insn(struct checker *c, size_t pc)
{
	const struct xbpf_insn *in = &c->insns[pc];

	switch (XBPF_CLASS(in->opcode)) {
	case XBPF_CLASS_LD:
		return check_ld(c, pc, in);
	case XBPF_CLASS_LDX:
		return check_ldx(c, pc, in);
	case XBPF_CLASS_ST:
		return check_st(c, pc, in);
	case XBPF_CLASS_STX:
		return check_stx(c, pc, in);
	case XBPF_CLASS_ALU:
	case XBPF_CLASS_ALU64:
		return check_alu(c, pc, in);
	default: /* JMP, JMP32 */
		return check_jmp(c, pc, in);
	}
}

static bool is_jump(const struct xbpf_insn *in)
{
	uint8_t cls = XBPF_CLASS(in->opcode), op = XBPF_OP(in->opcode);

	return (cls == XBPF_CLASS_JMP || cls == XBPF_CLASS_JMP32) && op != XBPF_JMP_CALL && op != XBPF_JMP_EXIT;
}

static bool ends_function(const struct xbpf_insn *in)
{
	return in->opcode == XBPF_OP_EXIT || in->opcode == XBPF_OP_JA || in->opcode == XBPF_OP_JA32;
}

static bool is_function_ref(const struct xbpf_insn *in)
{
	return (in->opcode == XBPF_OP_CALL && in->src == XBPF_CALL_LOCAL) ||
	       (in->opcode == XBPF_OP_LDDW && in->src == XBPF_PSEUDO_FUNC);
}

static size_t insn_slots(const struct xbpf_insn *in)
{
	return in->opcode == XBPF_OP_LDDW ? 2 : 1;
}

/* Second pass, first part: no function may start inside a lddw. Done before
 * the functions are walked so that their bounds never split a lddw. */
static int check_function_refs(struct checker *c)
{
	size_t pc;

	for (pc = 0; pc < c->count; pc += insn_slots(&c->insns[pc])) {
		int64_t target = xbpf_jump_target(&c->insns[pc], pc);

		if (is_function_ref(&c->insns[pc]) && (c->marks[target] & MARK_LDDW_TAIL))
			return reject(c, pc, "function target %lld is the second slot of a lddw", (long long)target);
	}
	return 0;
}

/* Second pass, per function [start, end): jumps stay inside it and land on
 * an instruction, and the last instruction does not fall through. */
static int check_function(struct checker *c, size_t start, size_t end)
{
	size_t pc, last = start;

	for (pc = start; pc < end; pc += insn_slots(&c->insns[pc])) {
		const struct xbpf_insn *in = &c->insns[pc];
		int64_t target = xbpf_jump_target(in, pc);

		last = pc;
		if (!is_jump(in))
			continue;
		if (c->marks[target] & MARK_LDDW_TAIL)
			return reject(c, pc, "jump target %lld is the second slot of a lddw", (long long)target);
		if (target < (int64_t)start || target >= (int64_t)end)
			return reject(c, pc, "jump target %lld leaves the function [%zu, %zu)", (long long)target, start,
				      end);
	}
	if (!ends_function(&c->insns[last]))
		return reject(c, last,
			      "function [%zu, %zu) can fall off its end: its last instruction must be exit or ja",
			      start, end);
	return 0;
}

static int collect_functions(struct checker *c, struct xbpf_func_list *funcs)
{
	size_t pc, n = 0;

	for (pc = 0; pc < c->count; pc++)
		n += (c->marks[pc] & MARK_FUNC_START) != 0;
	funcs->starts = malloc(n * sizeof(*funcs->starts));
	if (!funcs->starts)
		return -ENOMEM;
	funcs->count = 0;
	for (pc = 0; pc < c->count; pc++)
		if (c->marks[pc] & MARK_FUNC_START)
			funcs->starts[funcs->count++] = (uint32_t)pc;
	return 0;
}

int xbpf_validate_funcs(const struct xbpf_insn *insns, size_t count, struct xbpf_validate_error *err,
			struct xbpf_func_list *funcs)
{
	struct checker c = {.insns = insns, .count = count, .err = err};
	size_t pc, start;
	int ret = 0;

	if (count == 0)
		return reject(&c, 0, "empty program");
	if (count > XBPF_MAX_INSNS) {
		reject(&c, XBPF_MAX_INSNS, "program has %zu instructions, more than %d", count, XBPF_MAX_INSNS);
		return -E2BIG;
	}
	c.marks = calloc(count, 1);
	if (!c.marks) {
		reject(&c, 0, "out of memory");
		return -ENOMEM;
	}
	c.marks[0] = MARK_FUNC_START;

	for (pc = 0; pc < count && !ret; pc += insn_slots(&insns[pc]))
		ret = check_insn(&c, pc);
	if (!ret)
		ret = check_function_refs(&c);

	for (start = 0; start < count && !ret;) {
		size_t end = start + 1;

		while (end < count && !(c.marks[end] & MARK_FUNC_START))
			end++;
		ret = check_function(&c, start, end);
		start = end;
	}
	if (!ret && funcs)
		ret = collect_functions(&c, funcs);
	free(c.marks);
	return ret;
}

int xbpf_validate(const struct xbpf_insn *insns, size_t count, struct xbpf_validate_error *err)
{
	return xbpf_validate_funcs(insns, count, err, NULL);
}

void xbpf_func_list_release(struct xbpf_func_list *funcs)
{
	free(funcs->starts);
	funcs->starts = NULL;
	funcs->count = 0;
}

bool xbpf_func_starts_contain(const uint32_t *starts, size_t count, uint64_t pc)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (starts[mid] == pc)
			return true;
		if (starts[mid] < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
