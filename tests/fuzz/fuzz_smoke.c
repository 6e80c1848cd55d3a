/* SPDX-License-Identifier: MIT */
/*
 * Smoke driver for the interpreter fuzz target, run by ctest: feeds it a
 * bounded, deterministic mix of random byte streams, generated programs that
 * mostly validate (so the interpreter runs them), and byte-level mutations
 * of those. A crash, sanitizer report or hang fails the test.
 *
 * Usage: fuzz_smoke [PROGRAMS [SEED]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_interp.h"
#include "isa/insn.h"

#define MAX_LEN 48

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

#define PICK(array) ((array)[below(sizeof(array) / sizeof((array)[0]))])

static int32_t some_imm(void)
{
	static const int32_t values[] = {0, 1, -1, 2, 7, 8, 16, 31, 32, 63, 64, 65, INT32_MIN, INT32_MAX,
					 0x7fff, -8, -512, FUZZ_MAP_ID};

	return below(4) ? PICK(values) : (int32_t)rnd();
}

static int16_t some_mem_off(void)
{
	static const int16_t values[] = {0, 1, 4, 8, 16, 56, 60, 63, 64, -1, -4, -8, -16, -504, -512, -513, 1000};

	return PICK(values);
}

static uint8_t some_base_reg(void)
{
	static const uint8_t regs[] = {1, 1, 10, 10, 10, 2, 6};

	return below(8) ? PICK(regs) : (uint8_t)below(11);
}

static void gen_alu(struct xbpf_insn *in)
{
	static const uint8_t ops[] = {XBPF_ALU_ADD, XBPF_ALU_SUB, XBPF_ALU_MUL, XBPF_ALU_DIV, XBPF_ALU_OR,
				      XBPF_ALU_AND, XBPF_ALU_LSH, XBPF_ALU_RSH, XBPF_ALU_NEG, XBPF_ALU_MOD,
				      XBPF_ALU_XOR, XBPF_ALU_MOV, XBPF_ALU_ARSH, XBPF_ALU_END};
	static const int32_t widths[] = {16, 32, 64};
	bool alu64 = below(2);
	uint8_t op = PICK(ops);

	in->dst = (uint8_t)below(10);
	if (op == XBPF_ALU_NEG) {
		in->opcode = (alu64 ? XBPF_CLASS_ALU64 : XBPF_CLASS_ALU) | op;
		return;
	}
	if (op == XBPF_ALU_END) {
		static const uint8_t ends[] = {0xd4, 0xdc, 0xd7};

		in->opcode = PICK(ends);
		in->imm = PICK(widths);
		return;
	}
	in->opcode = (alu64 ? XBPF_CLASS_ALU64 : XBPF_CLASS_ALU) | op;
	if (below(2)) {
		in->opcode |= XBPF_SRC_X;
		in->src = (uint8_t)below(11);
		if (op == XBPF_ALU_MOV && below(3) == 0) {
			static const int16_t sx[] = {8, 16, 32};

			in->off = alu64 ? PICK(sx) : PICK(sx) % 32;
		}
	} else {
		in->imm = some_imm();
	}
	if ((op == XBPF_ALU_DIV || op == XBPF_ALU_MOD) && below(2))
		in->off = 1;
}

/* Fills the function [start, end) of p, whose last slot is exit; jumps stay
 * inside it, local calls and function references go to func (a function
 * start of the program). */
static void gen_function(struct xbpf_insn *p, size_t start, size_t end, size_t func)
{
	static const uint8_t conds[] = {XBPF_JMP_JEQ, XBPF_JMP_JGT, XBPF_JMP_JGE,  XBPF_JMP_JSET,
					XBPF_JMP_JNE, XBPF_JMP_JSGT, XBPF_JMP_JSGE, XBPF_JMP_JLT,
					XBPF_JMP_JLE, XBPF_JMP_JSLT, XBPF_JMP_JSLE};
	static const uint8_t loads[] = {0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91};
	static const uint8_t stores[] = {0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b};
	static const int32_t atomics[] = {0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1};
	size_t pc;

	for (pc = start; pc + 1 < end; pc++) {
		struct xbpf_insn *in = &p[pc];
		int32_t rel = (int32_t)(start + below((uint32_t)(end - start))) - (int32_t)(pc + 1);
		int32_t func_rel = (int32_t)func - (int32_t)(pc + 1);

		switch (below(12)) {
		case 0:
		case 1:
		case 2:
			gen_alu(in);
			break;
		case 3:
		case 4:
			in->opcode = (below(2) ? XBPF_CLASS_JMP : XBPF_CLASS_JMP32) | PICK(conds);
			in->dst = (uint8_t)below(11);
			if (below(2)) {
				in->opcode |= XBPF_SRC_X;
				in->src = (uint8_t)below(11);
			} else {
				in->imm = some_imm();
			}
			in->off = (int16_t)rel;
			break;
		case 5:
			in->opcode = PICK(loads);
			in->dst = (uint8_t)below(10);
			in->src = some_base_reg();
			in->off = some_mem_off();
			break;
		case 6:
			in->opcode = PICK(stores);
			in->dst = some_base_reg();
			if (XBPF_CLASS(in->opcode) == XBPF_CLASS_STX)
				in->src = (uint8_t)below(11);
			else
				in->imm = some_imm();
			in->off = some_mem_off();
			break;
		case 7:
			in->opcode = below(2) ? 0xc3 : 0xdb;
			in->dst = some_base_reg();
			in->src = (uint8_t)below(10);
			in->off = some_mem_off();
			in->imm = PICK(atomics);
			break;
		case 8:
			if (below(4)) {
				in->opcode = XBPF_OP_CALL;
				in->imm = (int32_t)below(FUZZ_SLOTS + 2);
			} else {
				in->opcode = XBPF_OP_CALLX;
				in->dst = (uint8_t)below(11);
			}
			break;
		case 9:
			if (pc + 2 >= end) { /* no room for two slots */
				gen_alu(in);
				break;
			}
			in->opcode = XBPF_OP_LDDW;
			in->dst = (uint8_t)below(10);
			if (below(3) == 0) {
				in->src = XBPF_PSEUDO_FUNC;
				in->imm = func_rel;
			} else {
				uint64_t v = below(2) ? FUZZ_MAP_ID : rnd();

				in->imm = (int32_t)(uint32_t)v;
				p[pc + 1].imm = (int32_t)(uint32_t)(v >> 32);
			}
			pc++;
			break;
		case 10:
			in->opcode = XBPF_OP_CALL;
			in->src = XBPF_CALL_LOCAL;
			in->imm = func_rel;
			break;
		default:
			if (below(3) == 0) {
				in->opcode = XBPF_OP_EXIT;
			} else if (below(2)) {
				in->opcode = XBPF_OP_JA;
				in->off = (int16_t)rel;
			} else {
				in->opcode = XBPF_OP_JA32;
				in->imm = rel;
			}
			break;
		}
	}
	p[end - 1].opcode = XBPF_OP_EXIT;
}

/* A main function and, most of the time, a second one it may call or pass
 * as a callback; returns the number of slots. */
static size_t gen_program(struct xbpf_insn *p)
{
	size_t main_len = 2 + below(MAX_LEN / 2 - 1);
	size_t func_len = below(3) ? 2 + below(MAX_LEN / 2 - 1) : 0;

	memset(p, 0, (main_len + func_len) * sizeof(*p));
	gen_function(p, 0, main_len, func_len ? main_len : 0);
	if (func_len)
		gen_function(p, main_len, main_len + func_len, main_len);
	return main_len + func_len;
}

int main(int argc, char **argv)
{
	unsigned long programs = argc > 1 ? strtoul(argv[1], NULL, 0) : 300000;
	struct xbpf_insn prog[MAX_LEN];
	uint8_t bytes[MAX_LEN * sizeof(struct xbpf_insn)];
	unsigned long i;

	if (argc > 2)
		rng = strtoull(argv[2], NULL, 0) | 1;
	for (i = 0; i < programs; i++) {
		size_t n = gen_program(prog), size = n * sizeof(prog[0]), k;

		switch (i % 3) {
		case 0: /* as generated */
			LLVMFuzzerTestOneInput((const uint8_t *)prog, size);
			break;
		case 1: /* a few bytes changed */
			memcpy(bytes, prog, size);
			for (k = 1 + below(3); k > 0; k--)
				bytes[below((uint32_t)size)] ^= (uint8_t)(1u << below(8));
			LLVMFuzzerTestOneInput(bytes, size);
			break;
		default: /* random bytes */
			for (k = 0; k < size; k++)
				bytes[k] = (uint8_t)rnd();
			LLVMFuzzerTestOneInput(bytes, size);
			break;
		}
	}
	printf("fuzz_smoke: %lu programs, %lu validated and ran\n", programs, fuzz_programs_run);
	/* the generator must keep reaching the interpreter, or this tests little */
	return fuzz_programs_run >= programs / 10 ? 0 : 1;
}
