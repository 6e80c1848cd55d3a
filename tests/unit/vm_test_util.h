/* SPDX-License-Identifier: MIT */
/*
 * Running hand-built programs in the interpreter from unit tests: validate,
 * prepare (a call's import slot is its helper id), run, free.
 */
#ifndef XBPF_TESTS_VM_TEST_UTIL_H
#define XBPF_TESTS_VM_TEST_UTIL_H

#include <errno.h>
#include <stdio.h>

#include "insn_build.h"
#include "isa/validate.h"
#include "vm/vm.h"

#define TEST_IMPORTS 16

static inline int test_call_slot(void *ctx, size_t pc, const struct xbpf_insn *insn)
{
	return insn->imm >= 0 && insn->imm < TEST_IMPORTS ? insn->imm : -ENOENT;
}

/* Validates and prepares; on failure prints why and returns the error. */
static inline int test_prepare(const struct xbpf_insn *insns, size_t count, struct xbpf_vm_prog **prog)
{
	struct xbpf_validate_error verr;
	struct xbpf_func_list funcs;
	struct xbpf_vm_code code = {.insns = insns, .count = count, .call_slot = test_call_slot};
	char msg[128] = "";
	int ret = xbpf_validate_funcs(insns, count, &verr, &funcs);

	if (ret) {
		fprintf(stderr, "validate: insn %zu: %s\n", verr.pc, verr.reason);
		return ret;
	}
	code.func_starts = funcs.starts;
	code.n_funcs = funcs.count;
	ret = xbpf_interpreter.prepare(&code, prog, msg, sizeof(msg));
	if (ret)
		fprintf(stderr, "prepare: %s\n", msg);
	xbpf_func_list_release(&funcs);
	return ret;
}

/* Prepares and runs once with r1 = arg; the exec is the caller's. */
static inline int test_run_exec(const struct xbpf_insn *insns, size_t count, struct xbpf_exec *exec, uint64_t arg,
				uint64_t *r0)
{
	struct xbpf_vm_prog *prog;
	int ret = test_prepare(insns, count, &prog);

	if (ret)
		return ret;
	ret = xbpf_interpreter.run(prog, exec, (const uint64_t[5]){arg}, r0);
	xbpf_interpreter.free(prog);
	return ret;
}

/* Runs with nothing but the stack; returns r0, or the error as a value
 * no test expects (the error is printed). */
static inline uint64_t test_run_simple(const struct xbpf_insn *insns, size_t count)
{
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret;

	xbpf_exec_init(&exec);
	ret = test_run_exec(insns, count, &exec, 0, &r0);
	if (ret) {
		fprintf(stderr, "run: %d %s\n", ret, exec.fault_msg);
		return 0xdeadbeefdeadbeefULL;
	}
	return r0;
}

static inline void test_set_region(struct xbpf_region *r, const void *start, size_t size, uint32_t perm)
{
	r->start = (uintptr_t)start;
	r->end = (uintptr_t)start + size;
	r->perm = perm;
}

#endif /* XBPF_TESTS_VM_TEST_UTIL_H */
