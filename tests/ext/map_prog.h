/* SPDX-License-Identifier: MIT */
/* Small hand-built "sample" programs over one map, for the custom map and
 * control map tests (include after <cmocka.h>). */
#ifndef XBPF_TESTS_EXT_MAP_PROG_H
#define XBPF_TESTS_EXT_MAP_PROG_H

#include <stdint.h>

#include <xbpf/xbpf.h>

#include "isa/insn.h"

/* bpf_map_lookup_elem(key): r0 = -1 when absent, else the value (a u64)
 * incremented in place. */
static inline int map_prog_load_increment(struct xbpf_runtime *rt, struct xbpf_map *map,
					  uint32_t key, struct xbpf_program **prog)
{
	const struct xbpf_insn insns[] = {
		xbpf_insn_make(XBPF_CLASS_ST | XBPF_MODE_MEM | XBPF_SIZE_W, 10, 0, -4, (int32_t)key),
		xbpf_insn_make(XBPF_CLASS_LD | XBPF_MODE_IMM | XBPF_SIZE_DW, 1, XBPF_PSEUDO_MAP_FD, 0,
			       (int32_t)xbpf_map_id(map)),
		xbpf_insn_make(0, 0, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 2, 10, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 2, 0, 0, -4),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_CALL, 0, 0, 0, 1),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_JNE, 0, 0, 2, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, 0, 0, 0, -1),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_LDX | XBPF_MODE_MEM | XBPF_SIZE_DW, 1, 0, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_ADD, 1, 0, 0, 1),
		xbpf_insn_make(XBPF_CLASS_STX | XBPF_MODE_MEM | XBPF_SIZE_DW, 0, 1, 0, 0),
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X, 0, 1, 0, 0),
		xbpf_insn_make(XBPF_CLASS_JMP | XBPF_JMP_EXIT, 0, 0, 0, 0),
	};
	return xbpf_program_load(rt, "sample", insns, sizeof(insns) / sizeof(insns[0]), NULL, prog);
}

/* One test run; its r0 (the run itself must succeed). */
static inline uint64_t map_prog_run(struct xbpf_program *prog)
{
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts)};
	assert_int_equal(xbpf_program_test_run(prog, &opts), 0);
	return opts.retval;
}

#endif /* XBPF_TESTS_EXT_MAP_PROG_H */
