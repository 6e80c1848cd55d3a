/* SPDX-License-Identifier: MIT */
/*
 * Assembler for the uBPF-style text syntax of the bpf_conformance corpus
 * (`mov %r0, 1`, `ldxw %r2, [%r1+4]`, `jne %r0, 0, label`, `lddw %r1, 0x1122334455667788`,
 * `lock fetch add32 [%r10-4], %r1`, ...). The dialect is described precisely in
 * the corpus README, section 2; where it is silent this assembler is strict:
 *
 *   - `#` starts a comment that runs to the end of the line;
 *   - a label (`name:`) stands alone on its line; names are [A-Za-z_][A-Za-z0-9_.]*;
 *   - the first `exit` instruction is also the label `exit`, unless the program
 *     defines a label of that name itself;
 *   - registers are %r0..%r10; %r11..%r15 are accepted too, only so that
 *     invalid programs can be written for validator tests.
 */
#ifndef XBPF_ISA_ASM_H
#define XBPF_ISA_ASM_H

#include <stddef.h>

#include "isa/insn.h"

/*
 * Assembles `text` (NUL-terminated). On success returns 0 and stores a
 * malloc()ed array of *count instruction slots in *out (lddw takes two; the
 * caller frees it). On failure returns -EINVAL (the text is wrong; err says
 * "line N: what") or -ENOMEM, and leaves *out NULL and *count 0.
 */
int xbpf_asm(const char *text, struct xbpf_insn **out, size_t *count, char *err, size_t err_size);

#endif /* XBPF_ISA_ASM_H */
