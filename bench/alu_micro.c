/* SPDX-License-Identifier: MIT */
/*
 * ALU micro-benchmarks of the interpreter: small hand-built programs, each
 * run many times; prints the median over several samples of ns per run and
 * ns per executed instruction.
 *
 * Usage: xbpf_bench_alu [SAMPLES]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insn_build.h"
#include "vm/vm.h"
#include "bench_time.h"

#define LOOP_ITERS 1000
#define SAMPLE_NS 40e6 /* aim for samples of about 40 ms */

struct bench_prog {
	const char *name;
	const char *what;
	const struct xbpf_insn *insns;
	size_t count;
	uint64_t executed; /* instructions executed per run */
};

/* alu_loop of the shared suite, by hand: a serial chain of 64-bit mul,
 * add, xor and shifts, LOOP_ITERS times. */
static const struct xbpf_insn alu64_loop[] = {
	T_LDDW(0, 0xc0a80001c0a80002ULL),
	T_LDDW(3, 0x9E3779B97F4A7C15ULL),
	T_MOV64_IMM(1, 0),
	T_ALU64_REG(MUL, 0, 3), /* 5: loop */
	T_ALU64_REG(ADD, 0, 1),
	T_MOV64_REG(2, 0),
	T_ALU64_IMM(RSH, 2, 29),
	T_ALU64_REG(XOR, 0, 2),
	T_MOV64_REG(2, 0),
	T_ALU64_IMM(LSH, 2, 11),
	T_ALU64_REG(ADD, 0, 2),
	T_MOV64_REG(2, 0),
	T_ALU64_IMM(RSH, 2, 17),
	T_ALU64_IMM(MUL, 2, 5),
	T_ALU64_REG(XOR, 0, 2),
	T_ALU64_IMM(ADD, 1, 1),
	T_JMP_IMM(JLT, 1, LOOP_ITERS, -14),
	T_EXIT(),
};

/* 32-bit arithmetic with independent chains, closer to what compilers emit
 * for u32 code. */
static const struct xbpf_insn alu32_loop[] = {
	T_MOV64_IMM(0, 1),
	T_MOV64_IMM(4, 7),
	T_MOV64_IMM(1, LOOP_ITERS),
	T_ALU32_IMM(MUL, 0, 1103515245), /* 3: loop */
	T_ALU32_IMM(ADD, 0, 12345),
	T_ALU32_REG(XOR, 4, 0),
	T_ALU32_IMM(LSH, 4, 3),
	T_ALU32_IMM(RSH, 4, 1),
	T_ALU32_REG(ADD, 0, 4),
	T_ALU32_IMM(AND, 4, 0xffff),
	T_ALU32_IMM(SUB, 1, 1),
	T_JMP32_IMM(JNE, 1, 0, -9),
	T_EXIT(),
};

/* Forward conditional jumps in the loop body: taken and not taken. */
static const struct xbpf_insn branchy_loop[] = {
	T_MOV64_IMM(0, 0),
	T_MOV64_IMM(1, 0),
	T_MOV64_REG(2, 1), /* 2: loop */
	T_ALU64_IMM(AND, 2, 1),
	T_JMP_IMM(JEQ, 2, 0, 2),
	T_ALU64_IMM(ADD, 0, 3),
	T_JA(1),
	T_ALU64_IMM(XOR, 0, 5),
	T_JMP_IMM(JSGT, 0, 1000000, 1),
	T_ALU64_IMM(ADD, 0, 1),
	T_ALU64_IMM(ADD, 1, 1),
	T_JMP_IMM(JLT, 1, LOOP_ITERS, -10),
	T_EXIT(),
};

/* Loads and stores on the stack: the inline memory check. */
static const struct xbpf_insn stack_loop[] = {
	T_MOV64_IMM(0, 0),
	T_MOV64_IMM(1, LOOP_ITERS),
	T_ST(DW, 10, -8, 0),
	T_LDX(DW, 2, 10, -8), /* 3: loop */
	T_ALU64_REG(ADD, 2, 1),
	T_STX(DW, 10, 2, -8),
	T_LDX(W, 3, 10, -8),
	T_ALU64_REG(ADD, 0, 3),
	T_ALU64_IMM(SUB, 1, 1),
	T_JMP_IMM(JNE, 1, 0, -7),
	T_EXIT(),
};

/* The fixed cost of a run. */
static const struct xbpf_insn empty[] = {
	T_MOV64_IMM(0, 2),
	T_EXIT(),
};

static const struct bench_prog progs[] = {
	{"empty", "r0 = 2; exit", empty, T_COUNT(empty), 2},
	{"alu64_loop", "mul/add/xor/shift chain, 64-bit", alu64_loop, T_COUNT(alu64_loop), 3 + 14 * LOOP_ITERS + 1},
	{"alu32_loop", "mul/add/xor/shift/and, 32-bit", alu32_loop, T_COUNT(alu32_loop), 3 + 9 * LOOP_ITERS + 1},
	/* even iterations run 8 instructions, odd ones 9 */
	{"branchy_loop", "forward branches in the body", branchy_loop, T_COUNT(branchy_loop),
	 2 + (8 + 9) * LOOP_ITERS / 2 + 1},
	{"stack_loop", "ldx/stx on the stack", stack_loop, T_COUNT(stack_loop), 3 + 7 * LOOP_ITERS + 1},
};

static int prepare(const struct bench_prog *bp, struct xbpf_vm_prog **out)
{
	/* no function starts given: prepare validates the program itself */
	struct xbpf_vm_code code = {.insns = bp->insns, .count = bp->count};
	char msg[128];
	int ret = xbpf_interpreter.prepare(&code, out, msg, sizeof(msg));

	if (ret)
		fprintf(stderr, "%s: %s\n", bp->name, msg);
	return ret;
}

/* Median ns per run over `samples` samples. */
static int measure(const struct bench_prog *bp, int samples, double *ns_per_run)
{
	struct xbpf_vm_prog *prog;
	struct xbpf_exec exec;
	double *t = calloc((size_t)samples, sizeof(*t));
	uint64_t r0, runs = 1;
	int ret, s;

	if (!t)
		return -ENOMEM;
	ret = prepare(bp, &prog);
	if (ret) {
		free(t);
		return ret;
	}
	xbpf_exec_init(&exec);
	/* calibrate: enough runs for a sample of about SAMPLE_NS */
	for (;;) {
		double start = bench_now_ns(), elapsed;
		uint64_t i;

		for (i = 0; i < runs && !ret; i++) {
			exec.budget = XBPF_EXEC_DEFAULT_BUDGET;
			ret = xbpf_interpreter.run(prog, &exec, (const uint64_t[5]){0}, &r0);
		}
		elapsed = bench_now_ns() - start;
		if (ret || elapsed > SAMPLE_NS / 4)
			break;
		runs *= 4;
	}
	for (s = 0; s < samples && !ret; s++) {
		double start = bench_now_ns();
		uint64_t i;

		for (i = 0; i < runs && !ret; i++) {
			exec.budget = XBPF_EXEC_DEFAULT_BUDGET;
			ret = xbpf_interpreter.run(prog, &exec, (const uint64_t[5]){0}, &r0);
		}
		t[s] = (bench_now_ns() - start) / (double)runs;
	}
	if (ret) {
		fprintf(stderr, "%s: run failed: %s\n", bp->name, exec.fault_msg);
	} else {
		qsort(t, (size_t)samples, sizeof(*t), bench_cmp_double);
		*ns_per_run = samples % 2 ? t[samples / 2] : (t[samples / 2 - 1] + t[samples / 2]) / 2;
	}
	xbpf_interpreter.free(prog);
	free(t);
	return ret;
}

int main(int argc, char **argv)
{
	int samples = argc > 1 ? atoi(argv[1]) : 7;
	size_t i;
	int failed = 0;

	if (samples < 1)
		samples = 1;
	printf("%-14s %10s %12s %10s  %s\n", "program", "insns/run", "ns/run", "ns/insn", "what");
	for (i = 0; i < T_COUNT(progs); i++) {
		double ns;

		if (measure(&progs[i], samples, &ns)) {
			failed = 1;
			continue;
		}
		printf("%-14s %10llu %12.1f %10.3f  %s\n", progs[i].name, (unsigned long long)progs[i].executed, ns,
		       ns / (double)progs[i].executed, progs[i].what);
	}
	return failed;
}
