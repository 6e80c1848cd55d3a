/* SPDX-License-Identifier: MIT */
/*
 * Disassembler: one instruction as text, in the syntax of llvm-objdump
 * (with --print-imm-hex, the default of newer LLVM) and of the kernel's
 * verifier log: `r0 = *(u32 *)(r1 + 0x4)`, `w1 += w2`, `if r1 > 0x5 goto +0x3`,
 * `r1 = 0x1122334455667788 ll`, `r2 = atomic_fetch_add((u64 *)(r1 + 0x0), r2)`.
 *
 * Where this differs from llvm-objdump 14, by design:
 *   - a bpf-to-bpf call prints `call pc+0x3` (LLVM prints `call 0x3`, the same
 *     text as a call of helper 3); a named-helper call prints `call kfunc 0x3`;
 *   - instructions LLVM 14 does not know follow newer LLVM or the kernel:
 *     `r1 s/= r2`, `r1 = (s8)r2`, `r1 = *(s8 *)(r2 + 0x1)`, `r1 = bswap16 r1`,
 *     `gotol +0x5`, `callx r2`, `if r1 & r2 goto +0x1`, `*(u32 *)(r1 + 0x0) = 0x5`;
 *   - 32-bit atomics name w registers as LLVM does with the alu32 feature
 *     (`w2 = atomic_fetch_add((u32 *)(r1 + 0x0), w2)`), while 8/16/32-bit loads
 *     and stores keep r registers, as LLVM without alu32 and the kernel do;
 *   - lddw of a map or function prints what the src field means
 *     (`r1 = map[fd:0x3] ll`, `r1 = map[idx:0x0][0]+0x8 ll`, `r1 = func pc+0x4 ll`).
 *
 * The text of an instruction depends on its opcode and on the fields that
 * select the operation (src of lddw and call, imm of atomics and byte swaps,
 * off of sdiv/smod and movsx); other fields that should be zero are not
 * looked at (the validator reports them). An encoding that is no instruction
 * prints as `.insn 0x` followed by the 16 hex digits of the 64-bit
 * little-endian word, as in the raw sections of the conformance corpus.
 */
#ifndef XBPF_ISA_DISASM_H
#define XBPF_ISA_DISASM_H

#include <stddef.h>

#include "isa/insn.h"

/* Large enough for any instruction's text. */
#define XBPF_DISASM_TEXT_SIZE 64

/*
 * Prints the instruction at insns[pc] (pc < count) into buf (cut to size).
 * Returns the number of slots it spans: 2 for a lddw with its second slot
 * present, otherwise 1.
 */
size_t xbpf_disasm(const struct xbpf_insn *insns, size_t count, size_t pc, char *buf, size_t size);

#endif /* XBPF_ISA_DISASM_H */
