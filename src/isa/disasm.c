/* SPDX-License-Identifier: MIT */
/*
 * Disassembler: instruction -> llvm-objdump/kernel text (see disasm.h for
 * the syntax and where it departs from llvm-objdump 14). One function per
 * instruction class; each returns false for an encoding that is no
 * instruction, which then prints as `.insn 0x<word>`.
 */
#include "isa/disasm.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

/* Small formatted pieces: a signed hex number, a register. */
struct hex {
	char s[24];
};
struct reg {
	char s[4];
};

static struct hex hex(int64_t v)
{
	struct hex h;
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	snprintf(h.s, sizeof(h.s), "%s0x%" PRIx64, v < 0 ? "-" : "", mag);
	return h;
}

/* "+0x3" / "-0x3": relative jump and call targets. */
static struct hex rel(int64_t v)
{
	struct hex h;
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	snprintf(h.s, sizeof(h.s), "%c0x%" PRIx64, v < 0 ? '-' : '+', mag);
	return h;
}

static struct reg reg(bool w, unsigned n)
{
	struct reg r;
	snprintf(r.s, sizeof(r.s), "%c%u", w ? 'w' : 'r', n);
	return r;
}

/* "r1 + 0x4" / "r10 - 0x8": the address of a memory operand. */
struct addr {
	char s[24];
};

static struct addr addr(unsigned base, int16_t off)
{
	struct addr a;
	snprintf(a.s, sizeof(a.s), "r%u %c 0x%x", base, off < 0 ? '-' : '+',
		 off < 0 ? (unsigned)-(int)off : (unsigned)off);
	return a;
}

static const char *size_name(uint8_t opcode, bool sign)
{
	static const char *const unsigned_names[4] = {"u32", "u16", "u8", "u64"};
	static const char *const signed_names[4] = {"s32", "s16", "s8", "s64"};
	return (sign ? signed_names : unsigned_names)[XBPF_SIZE(opcode) >> 3];
}

/* ------------------------------------------------------------------------ */
/* ALU and ALU64                                                            */
/* ------------------------------------------------------------------------ */

static const char *alu_operator(uint8_t op, int16_t off)
{
	switch (op) {
	case XBPF_ALU_ADD: return "+=";
	case XBPF_ALU_SUB: return "-=";
	case XBPF_ALU_MUL: return "*=";
	case XBPF_ALU_DIV: return off == 0 ? "/=" : off == 1 ? "s/=" : NULL;
	case XBPF_ALU_OR: return "|=";
	case XBPF_ALU_AND: return "&=";
	case XBPF_ALU_LSH: return "<<=";
	case XBPF_ALU_RSH: return ">>=";
	case XBPF_ALU_MOD: return off == 0 ? "%=" : off == 1 ? "s%=" : NULL;
	case XBPF_ALU_XOR: return "^=";
	case XBPF_ALU_ARSH: return "s>>=";
	default: return NULL;
	}
}

static bool print_end(const struct xbpf_insn *in, bool is64, char *buf, size_t size)
{
	if (in->imm != 16 && in->imm != 32 && in->imm != 64)
		return false;
	const char *name;
	if (is64)
		name = XBPF_SRC(in->opcode) == XBPF_SRC_K ? "bswap" : NULL;
	else
		name = XBPF_SRC(in->opcode) == XBPF_END_TO_BE ? "be" : "le";
	if (!name)
		return false;
	snprintf(buf, size, "r%u = %s%d r%u", in->dst, name, in->imm, in->dst);
	return true;
}

static bool print_alu(const struct xbpf_insn *in, char *buf, size_t size)
{
	bool is64 = XBPF_CLASS(in->opcode) == XBPF_CLASS_ALU64;
	bool by_reg = XBPF_SRC(in->opcode) == XBPF_SRC_X;
	uint8_t op = XBPF_OP(in->opcode);
	struct reg dst = reg(!is64, in->dst), src = reg(!is64, in->src);
	struct hex imm = hex(in->imm);
	const char *source = by_reg ? src.s : imm.s;

	switch (op) {
	case XBPF_ALU_NEG:
		if (by_reg)
			return false;
		snprintf(buf, size, "%s = -%s", dst.s, dst.s);
		return true;
	case XBPF_ALU_END:
		return print_end(in, is64, buf, size);
	case XBPF_ALU_MOV:
		if (in->off == 0) {
			snprintf(buf, size, "%s = %s", dst.s, source);
			return true;
		}
		if (!by_reg || !(in->off == 8 || in->off == 16 || (is64 && in->off == 32)))
			return false;
		snprintf(buf, size, "%s = (s%d)%s", dst.s, in->off, src.s);
		return true;
	default: {
		const char *symbol = alu_operator(op, in->off);
		if (!symbol)
			return false;
		snprintf(buf, size, "%s %s %s", dst.s, symbol, source);
		return true;
	}
	}
}

/* ------------------------------------------------------------------------ */
/* JMP and JMP32                                                            */
/* ------------------------------------------------------------------------ */

static const char *jump_operator(uint8_t op)
{
	switch (op) {
	case XBPF_JMP_JEQ: return "==";
	case XBPF_JMP_JGT: return ">";
	case XBPF_JMP_JGE: return ">=";
	case XBPF_JMP_JSET: return "&";
	case XBPF_JMP_JNE: return "!=";
	case XBPF_JMP_JSGT: return "s>";
	case XBPF_JMP_JSGE: return "s>=";
	case XBPF_JMP_JLT: return "<";
	case XBPF_JMP_JLE: return "<=";
	case XBPF_JMP_JSLT: return "s<";
	case XBPF_JMP_JSLE: return "s<=";
	default: return NULL;
	}
}

static bool print_call(const struct xbpf_insn *in, char *buf, size_t size)
{
	if (XBPF_SRC(in->opcode) == XBPF_SRC_X) {
		snprintf(buf, size, "callx r%u", in->dst);
		return true;
	}
	switch (in->src) {
	case XBPF_CALL_HELPER:
		snprintf(buf, size, "call %s", hex(in->imm).s);
		return true;
	case XBPF_CALL_LOCAL:
		snprintf(buf, size, "call pc%s", rel(in->imm).s);
		return true;
	case XBPF_CALL_KFUNC:
		snprintf(buf, size, "call kfunc %s", hex(in->imm).s);
		return true;
	default:
		return false;
	}
}

static bool print_jmp(const struct xbpf_insn *in, char *buf, size_t size)
{
	bool is32 = XBPF_CLASS(in->opcode) == XBPF_CLASS_JMP32;
	bool by_reg = XBPF_SRC(in->opcode) == XBPF_SRC_X;
	uint8_t op = XBPF_OP(in->opcode);

	switch (op) {
	case XBPF_JMP_JA:
		if (by_reg)
			return false;
		if (is32)
			snprintf(buf, size, "gotol %s", rel(in->imm).s);
		else
			snprintf(buf, size, "goto %s", rel(in->off).s);
		return true;
	case XBPF_JMP_CALL:
		return !is32 && print_call(in, buf, size);
	case XBPF_JMP_EXIT:
		if (is32 || by_reg)
			return false;
		snprintf(buf, size, "exit");
		return true;
	default: {
		const char *symbol = jump_operator(op);
		if (!symbol)
			return false;
		struct reg dst = reg(is32, in->dst), src = reg(is32, in->src);
		struct hex imm = hex(in->imm);
		snprintf(buf, size, "if %s %s %s goto %s", dst.s, symbol, by_reg ? src.s : imm.s,
			 rel(in->off).s);
		return true;
	}
	}
}

/* ------------------------------------------------------------------------ */
/* Loads and stores                                                         */
/* ------------------------------------------------------------------------ */

static bool print_lddw(const struct xbpf_insn *insns, size_t count, size_t pc, char *buf,
		       size_t size)
{
	if (pc + 1 >= count)
		return false;
	const struct xbpf_insn *in = &insns[pc];
	uint32_t lo = (uint32_t)in->imm, hi = (uint32_t)insns[pc + 1].imm;
	struct reg dst = reg(false, in->dst);
	switch (in->src) {
	case XBPF_PSEUDO_NONE:
		snprintf(buf, size, "%s = %s ll", dst.s, hex((int64_t)((uint64_t)hi << 32 | lo)).s);
		return true;
	case XBPF_PSEUDO_MAP_FD:
	case XBPF_PSEUDO_MAP_IDX:
		snprintf(buf, size, "%s = map[%s:0x%" PRIx32 "] ll", dst.s,
			 in->src == XBPF_PSEUDO_MAP_FD ? "fd" : "idx", lo);
		return true;
	case XBPF_PSEUDO_MAP_VALUE:
	case XBPF_PSEUDO_MAP_IDX_VALUE:
		snprintf(buf, size, "%s = map[%s:0x%" PRIx32 "][0]+0x%" PRIx32 " ll", dst.s,
			 in->src == XBPF_PSEUDO_MAP_VALUE ? "fd" : "idx", lo, hi);
		return true;
	case XBPF_PSEUDO_BTF_ID:
		snprintf(buf, size, "%s = btf_id[0x%" PRIx32 "] ll", dst.s, lo);
		return true;
	case XBPF_PSEUDO_FUNC:
		snprintf(buf, size, "%s = func pc%s ll", dst.s, rel(in->imm).s);
		return true;
	default:
		return false;
	}
}

/* Class LD: lddw, and the legacy packet loads as LLVM prints them. */
static bool print_ld(const struct xbpf_insn *insns, size_t count, size_t pc, char *buf,
		     size_t size, size_t *slots)
{
	const struct xbpf_insn *in = &insns[pc];
	uint8_t mode = XBPF_MODE(in->opcode);
	if (in->opcode == XBPF_OP_LDDW) {
		if (!print_lddw(insns, count, pc, buf, size))
			return false;
		*slots = 2;
		return true;
	}
	if ((mode != XBPF_MODE_ABS && mode != XBPF_MODE_IND) || XBPF_SIZE(in->opcode) == XBPF_SIZE_DW)
		return false;
	if (mode == XBPF_MODE_ABS)
		snprintf(buf, size, "r0 = *(%s *)skb[%s]", size_name(in->opcode, false), hex(in->imm).s);
	else
		snprintf(buf, size, "r0 = *(%s *)skb[r%u]", size_name(in->opcode, false), in->src);
	return true;
}

static bool print_ldx(const struct xbpf_insn *in, char *buf, size_t size)
{
	uint8_t mode = XBPF_MODE(in->opcode);
	bool sign = mode == XBPF_MODE_MEMSX;
	if (!(mode == XBPF_MODE_MEM || (sign && XBPF_SIZE(in->opcode) != XBPF_SIZE_DW)))
		return false;
	snprintf(buf, size, "r%u = *(%s *)(%s)", in->dst, size_name(in->opcode, sign),
		 addr(in->src, in->off).s);
	return true;
}

static bool print_st(const struct xbpf_insn *in, char *buf, size_t size)
{
	if (XBPF_MODE(in->opcode) != XBPF_MODE_MEM)
		return false;
	snprintf(buf, size, "*(%s *)(%s) = %s", size_name(in->opcode, false),
		 addr(in->dst, in->off).s, hex(in->imm).s);
	return true;
}

static bool print_atomic(const struct xbpf_insn *in, char *buf, size_t size)
{
	bool is32 = XBPF_SIZE(in->opcode) == XBPF_SIZE_W;
	if (!is32 && XBPF_SIZE(in->opcode) != XBPF_SIZE_DW)
		return false;
	const char *width = is32 ? "u32" : "u64";
	struct reg src = reg(is32, in->src), r0 = reg(is32, 0);
	struct addr at = addr(in->dst, in->off);

	if (in->imm == XBPF_ATOMIC_XCHG) {
		snprintf(buf, size, "%s = xchg%s_%s(%s, %s)", src.s, is32 ? "32" : "",
			 is32 ? "32" : "64", at.s, src.s);
		return true;
	}
	if (in->imm == XBPF_ATOMIC_CMPXCHG) {
		snprintf(buf, size, "%s = cmpxchg%s_%s(%s, %s, %s)", r0.s, is32 ? "32" : "",
			 is32 ? "32" : "64", at.s, r0.s, src.s);
		return true;
	}
	const char *name, *symbol;
	switch (in->imm & ~XBPF_ATOMIC_FETCH) {
	case XBPF_ATOMIC_ADD: name = "add", symbol = "+="; break;
	case XBPF_ATOMIC_AND: name = "and", symbol = "&="; break;
	case XBPF_ATOMIC_OR: name = "or", symbol = "|="; break;
	case XBPF_ATOMIC_XOR: name = "xor", symbol = "^="; break;
	default: return false;
	}
	if (in->imm & XBPF_ATOMIC_FETCH)
		snprintf(buf, size, "%s = atomic_fetch_%s((%s *)(%s), %s)", src.s, name, width, at.s,
			 src.s);
	else
		snprintf(buf, size, "lock *(%s *)(%s) %s %s", width, at.s, symbol, src.s);
	return true;
}

static bool print_stx(const struct xbpf_insn *in, char *buf, size_t size)
{
	switch (XBPF_MODE(in->opcode)) {
	case XBPF_MODE_MEM:
		snprintf(buf, size, "*(%s *)(%s) = r%u", size_name(in->opcode, false),
			 addr(in->dst, in->off).s, in->src);
		return true;
	case XBPF_MODE_ATOMIC:
		return print_atomic(in, buf, size);
	default:
		return false;
	}
}

size_t xbpf_disasm(const struct xbpf_insn *insns, size_t count, size_t pc, char *buf, size_t size)
{
	const struct xbpf_insn *in = &insns[pc];
	size_t slots = 1;
	bool ok = false;

	switch (XBPF_CLASS(in->opcode)) {
	case XBPF_CLASS_LD: ok = print_ld(insns, count, pc, buf, size, &slots); break;
	case XBPF_CLASS_LDX: ok = print_ldx(in, buf, size); break;
	case XBPF_CLASS_ST: ok = print_st(in, buf, size); break;
	case XBPF_CLASS_STX: ok = print_stx(in, buf, size); break;
	case XBPF_CLASS_ALU:
	case XBPF_CLASS_ALU64: ok = print_alu(in, buf, size); break;
	case XBPF_CLASS_JMP:
	case XBPF_CLASS_JMP32: ok = print_jmp(in, buf, size); break;
	}
	if (!ok) {
		uint64_t word = (uint64_t)in->opcode | (uint64_t)in->dst << 8 |
				(uint64_t)in->src << 12 | (uint64_t)(uint16_t)in->off << 16 |
				(uint64_t)(uint32_t)in->imm << 32;
		snprintf(buf, size, ".insn 0x%016" PRIx64, word);
	}
	return slots;
}
