/* SPDX-License-Identifier: MIT */
/*
 * Structural validation of an instruction stream: what must hold of a
 * program before any engine may prepare it, independent of what the program
 * computes. Every opcode and reserved field is checked against RFC 9669,
 * registers are in range and r10 is never written, jumps and calls land on
 * instructions of the right function, and no function can fall off its end.
 *
 * The pass also finds the program's functions (instruction 0 and every
 * target of a local call or of a function reference), which engines and the
 * loader need.
 */
#ifndef XBPF_ISA_VALIDATE_H
#define XBPF_ISA_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/insn.h"

/* Longest program, in instruction slots (lddw counts two). */
#define XBPF_MAX_INSNS 1000000

#define XBPF_VALIDATE_REASON_SIZE 128

/* Why a program was refused. */
struct xbpf_validate_error {
	size_t pc; /* index of the offending instruction slot */
	char reason[XBPF_VALIDATE_REASON_SIZE];
};

/* The functions of a validated program: sorted start indexes, starts[0] == 0.
 * A function runs from its start to the next start (or the end). */
struct xbpf_func_list {
	uint32_t *starts;
	size_t count;
};

/* Returns 0 when the program is structurally valid; otherwise -EINVAL
 * (-E2BIG when it is too long, -ENOMEM) with err (which may be NULL)
 * saying where and why. */
int xbpf_validate(const struct xbpf_insn *insns, size_t count, struct xbpf_validate_error *err);

/* As xbpf_validate(), and on success fills *funcs, which the caller
 * releases with xbpf_func_list_release(). */
int xbpf_validate_funcs(const struct xbpf_insn *insns, size_t count, struct xbpf_validate_error *err,
			struct xbpf_func_list *funcs);

void xbpf_func_list_release(struct xbpf_func_list *funcs);

/* Is pc the start of one of the functions (binary search)? */
bool xbpf_func_starts_contain(const uint32_t *starts, size_t count, uint64_t pc);

#endif /* XBPF_ISA_VALIDATE_H */
