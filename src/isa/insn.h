/* SPDX-License-Identifier: MIT */
/*
 * eBPF instruction encoding (RFC 9669, ISA v4): the constants every layer uses
 * to build, decode and print instructions. The values are those of the RFC and
 * of Linux's UAPI; the names carry an XBPF_ prefix so that this header can sit
 * next to <linux/bpf.h> in the same translation unit.
 *
 * An instruction is 8 bytes: opcode, dst (low nibble) and src (high nibble),
 * a signed 16-bit offset and a signed 32-bit immediate, little-endian.
 * struct xbpf_insn itself is part of the public API (include/xbpf/xbpf.h).
 */
#ifndef XBPF_ISA_INSN_H
#define XBPF_ISA_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbpf/xbpf.h>

/* Instruction classes: the low 3 bits of the opcode. */
#define XBPF_CLASS(op) ((op) & 0x07)
#define XBPF_CLASS_LD 0x00
#define XBPF_CLASS_LDX 0x01
#define XBPF_CLASS_ST 0x02
#define XBPF_CLASS_STX 0x03
#define XBPF_CLASS_ALU 0x04
#define XBPF_CLASS_JMP 0x05
#define XBPF_CLASS_JMP32 0x06
#define XBPF_CLASS_ALU64 0x07

/* Arithmetic and jump instructions: operation in the high 4 bits, source in bit 3. */
#define XBPF_OP(op) ((op) & 0xf0)
#define XBPF_SRC(op) ((op) & 0x08)
#define XBPF_SRC_K 0x00 /* immediate */
#define XBPF_SRC_X 0x08 /* register */

#define XBPF_ALU_ADD 0x00
#define XBPF_ALU_SUB 0x10
#define XBPF_ALU_MUL 0x20
#define XBPF_ALU_DIV 0x30
#define XBPF_ALU_OR 0x40
#define XBPF_ALU_AND 0x50
#define XBPF_ALU_LSH 0x60
#define XBPF_ALU_RSH 0x70
#define XBPF_ALU_NEG 0x80
#define XBPF_ALU_MOD 0x90
#define XBPF_ALU_XOR 0xa0
#define XBPF_ALU_MOV 0xb0
#define XBPF_ALU_ARSH 0xc0
#define XBPF_ALU_END 0xd0 /* le/be in class ALU, bswap in class ALU64 */

/* Byte order operations (XBPF_ALU_END): bit 3 selects the target order. */
#define XBPF_END_TO_LE 0x00
#define XBPF_END_TO_BE 0x08

#define XBPF_JMP_JA 0x00
#define XBPF_JMP_JEQ 0x10
#define XBPF_JMP_JGT 0x20
#define XBPF_JMP_JGE 0x30
#define XBPF_JMP_JSET 0x40
#define XBPF_JMP_JNE 0x50
#define XBPF_JMP_JSGT 0x60
#define XBPF_JMP_JSGE 0x70
#define XBPF_JMP_CALL 0x80
#define XBPF_JMP_EXIT 0x90
#define XBPF_JMP_JLT 0xa0
#define XBPF_JMP_JLE 0xb0
#define XBPF_JMP_JSLT 0xc0
#define XBPF_JMP_JSLE 0xd0

/* Load and store instructions: size in bits 3-4, mode in the high 3 bits. */
#define XBPF_SIZE(op) ((op) & 0x18)
#define XBPF_SIZE_W 0x00
#define XBPF_SIZE_H 0x08
#define XBPF_SIZE_B 0x10
#define XBPF_SIZE_DW 0x18

#define XBPF_MODE(op) ((op) & 0xe0)
#define XBPF_MODE_IMM 0x00    /* lddw (with XBPF_SIZE_DW) */
#define XBPF_MODE_ABS 0x20    /* legacy packet access, not supported */
#define XBPF_MODE_IND 0x40    /* legacy packet access, not supported */
#define XBPF_MODE_MEM 0x60
#define XBPF_MODE_MEMSX 0x80  /* sign-extending load */
#define XBPF_MODE_ATOMIC 0xc0

/* Atomic operations (imm of an XBPF_MODE_ATOMIC store). */
#define XBPF_ATOMIC_FETCH 0x01
#define XBPF_ATOMIC_ADD 0x00
#define XBPF_ATOMIC_OR 0x40
#define XBPF_ATOMIC_AND 0x50
#define XBPF_ATOMIC_XOR 0xa0
#define XBPF_ATOMIC_XCHG (0xe0 | XBPF_ATOMIC_FETCH)
#define XBPF_ATOMIC_CMPXCHG (0xf0 | XBPF_ATOMIC_FETCH)

/* src field of lddw: what the 64-bit immediate means (Linux numbering). */
#define XBPF_PSEUDO_NONE 0
#define XBPF_PSEUDO_MAP_FD 1        /* imm: map; loads a map handle */
#define XBPF_PSEUDO_MAP_VALUE 2     /* imm: map, next imm: offset into value 0 */
#define XBPF_PSEUDO_BTF_ID 3        /* imm: named helper import; loads whether it is bound */
#define XBPF_PSEUDO_FUNC 4          /* imm: pc-relative callback function */
#define XBPF_PSEUDO_MAP_IDX 5       /* as MAP_FD, by index into the object's maps */
#define XBPF_PSEUDO_MAP_IDX_VALUE 6 /* as MAP_VALUE, by index */

/* src field of call. */
#define XBPF_CALL_HELPER 0 /* imm: helper id */
#define XBPF_CALL_LOCAL 1  /* imm: pc-relative bpf-to-bpf call */
#define XBPF_CALL_KFUNC 2  /* imm: named helper (kfunc) slot */

/* Frequently used whole opcodes. */
#define XBPF_OP_LDDW (XBPF_CLASS_LD | XBPF_MODE_IMM | XBPF_SIZE_DW)   /* 0x18 */
#define XBPF_OP_CALL (XBPF_CLASS_JMP | XBPF_JMP_CALL)                 /* 0x85 */
#define XBPF_OP_CALLX (XBPF_CLASS_JMP | XBPF_JMP_CALL | XBPF_SRC_X)   /* 0x8d */
#define XBPF_OP_EXIT (XBPF_CLASS_JMP | XBPF_JMP_EXIT)                 /* 0x95 */
#define XBPF_OP_JA (XBPF_CLASS_JMP | XBPF_JMP_JA)                     /* 0x05 */
#define XBPF_OP_JA32 (XBPF_CLASS_JMP32 | XBPF_JMP_JA)                 /* 0x06 */

#define XBPF_REG_COUNT 11   /* r0..r10 */
#define XBPF_REG_FP 10      /* read-only frame pointer */
#define XBPF_STACK_SIZE 512 /* bytes of stack per frame */
#define XBPF_MAX_FRAMES 8   /* bpf-to-bpf call depth, entry frame included */

/* Bytes of a load or store of the given XBPF_SIZE_* bits. */
static inline unsigned xbpf_size_bytes(uint8_t opcode)
{
	static const unsigned char bytes[4] = {4, 2, 1, 8};
	return bytes[XBPF_SIZE(opcode) >> 3];
}

static inline bool xbpf_insn_is_lddw(const struct xbpf_insn *insn)
{
	return insn->opcode == XBPF_OP_LDDW;
}

/* Target index of the jump, local call or callback reference at index pc:
 * ja32, call local and lddw of a function carry it in imm, jumps in offset. */
static inline int64_t xbpf_jump_target(const struct xbpf_insn *insn, size_t pc)
{
	if (insn->opcode == XBPF_OP_JA32 || insn->opcode == XBPF_OP_CALL ||
	    insn->opcode == XBPF_OP_LDDW)
		return (int64_t)pc + 1 + insn->imm;
	return (int64_t)pc + 1 + insn->off;
}

/* Constructors, used by tests and by code that emits instructions. */
static inline struct xbpf_insn xbpf_insn_make(uint8_t opcode, uint8_t dst, uint8_t src,
					      int16_t off, int32_t imm)
{
	struct xbpf_insn insn = {.opcode = opcode, .dst = dst, .src = src, .off = off, .imm = imm};
	return insn;
}

#endif /* XBPF_ISA_INSN_H */
