/* SPDX-License-Identifier: MIT */
/*
 * Runs a raw program the way the bpf_conformance corpus expects (its README,
 * section 4): r1 points to a writable buffer and r2 holds its length, helper
 * 5 exists (it returns its first argument) for `call 5` and `callx`, and the
 * result is r0. `xbpf exec` and the conformance runner both run programs
 * through here, on any of the engines the build has.
 */
#ifndef XBPF_TOOLS_RUN_H
#define XBPF_TOOLS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "isa/insn.h"
#include "vm/vm.h"

/* Every engine of the build, and how many. */
extern const struct xbpf_engine_ops *const cli_engines[];
extern const size_t cli_n_engines;

/* The engine of that name, or NULL. */
const struct xbpf_engine_ops *cli_find_engine(const char *name);

/* How far a program got. */
enum cli_run_outcome {
	CLI_RUN_DONE = 0, /* it ran to its exit: r0 is the result */
	CLI_RUN_REJECTED, /* the validator refused it */
	CLI_RUN_FAILED,   /* the engine could not prepare it, or the run stopped */
};

#define CLI_RUN_MESSAGE_SIZE 256

struct cli_run_result {
	enum cli_run_outcome outcome;
	uint64_t r0;
	int error; /* negative errno unless CLI_RUN_DONE */
	/* One line for a person, naming the instruction (an index into insns):
	 * "invalid program: instruction 3: unknown opcode 0x8f". */
	char message[CLI_RUN_MESSAGE_SIZE];
};

/*
 * Validates, prepares and runs insns[0..count) on engine, with r1 = mem
 * (NULL when mem_len is 0) and r2 = mem_len. The program may write mem.
 * Returns 0 when it ran to its exit, else the negative errno also in
 * result->error.
 */
int cli_run_program(const struct xbpf_engine_ops *engine, const struct xbpf_insn *insns, size_t count,
		    uint8_t *mem, size_t mem_len, struct cli_run_result *result);

#endif /* XBPF_TOOLS_RUN_H */
