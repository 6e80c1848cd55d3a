/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the validator and the interpreter: the input is an
 * instruction stream (8 bytes per slot). Whatever validates is prepared and
 * run with a small budget against a 64-byte packet, a small context and a
 * table of stub helpers that exercise the call gate (memory arguments, map
 * values, strings, callbacks, tail calls, an unbound slot).
 *
 * Nothing may crash, trip a sanitizer, or hang; a run either succeeds or
 * fails with one of the documented errors and a message. Built as a
 * libFuzzer target with clang, and linked into fuzz_smoke for every test run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_interp.h"
#include "vm/vm.h"

#define FUZZ_MAX_INSNS 4096
#define FUZZ_BUDGET 256

static uint8_t map_value[16];
unsigned long fuzz_programs_run;

static uint64_t stub_sum(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct xbpf_exec *exec)
{
	return a + b + c + d + e;
}

/* Reads every byte the gate let through (ASan checks the gate). */
static uint64_t stub_mem_sum(uint64_t ptr, uint64_t size, uint64_t c, uint64_t d, uint64_t e, struct xbpf_exec *exec)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)ptr;
	uint64_t sum = 0, i;

	for (i = 0; p && i < size; i++)
		sum += p[i];
	return sum;
}

static uint64_t stub_mem_fill(uint64_t ptr, uint64_t size, uint64_t c, uint64_t d, uint64_t e, struct xbpf_exec *exec)
{
	memset((void *)(uintptr_t)ptr, 0x5a, size);
	return size;
}

static uint64_t stub_lookup(uint64_t map, uint64_t key, uint64_t c, uint64_t d, uint64_t e, struct xbpf_exec *exec)
{
	return *(const uint8_t *)(uintptr_t)key & 1 ? 0 : (uintptr_t)map_value;
}

static uint64_t stub_loop(uint64_t n, uint64_t fn, uint64_t ctx, uint64_t d, uint64_t e, struct xbpf_exec *exec)
{
	uint64_t i;

	for (i = 0; i < n && i < 4; i++) {
		const uint64_t args[5] = {i, ctx};
		uint64_t r0;

		if (exec->running->engine->call_function(exec, fn, args, &r0))
			return 0;
	}
	return i;
}

static uint64_t stub_tail_self(uint64_t ctx, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct xbpf_exec *exec)
{
	if (exec->tail_calls >= 3)
		return (uint64_t)-ENOENT;
	exec->tail_calls++;
	exec->tail_call_next = exec->running;
	return 0;
}

static uint64_t stub_strlen(uint64_t s, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct xbpf_exec *exec)
{
	return strlen((const char *)(uintptr_t)s);
}

static const struct xbpf_helper protos[FUZZ_SLOTS] = {
	{.name = "sum", .fn = stub_sum, .args = {XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING}},
	{.name = "mem_sum", .fn = stub_mem_sum, .args = {XBPF_ARG_PTR_TO_MEM | XBPF_ARG_MAYBE_NULL,
							  XBPF_ARG_CONST_SIZE_OR_ZERO}},
	{.name = "mem_fill", .fn = stub_mem_fill, .args = {XBPF_ARG_PTR_TO_UNINIT_MEM, XBPF_ARG_CONST_SIZE}},
	{.name = "lookup",
	 .fn = stub_lookup,
	 .ret = XBPF_RET_PTR_TO_MAP_VALUE_OR_NULL,
	 .args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_PTR_TO_MAP_KEY}},
	{.name = "loop", .fn = stub_loop, .args = {XBPF_ARG_ANYTHING, XBPF_ARG_PTR_TO_FUNC, XBPF_ARG_ANYTHING}},
	{.name = "tail_self", .fn = stub_tail_self, .args = {XBPF_ARG_PTR_TO_CTX}},
	{.name = "strlen", .fn = stub_strlen, .args = {XBPF_ARG_PTR_TO_CONST_STR}},
	/* the last slot stays unbound */
};

static int call_slot(void *ctx, size_t pc, const struct xbpf_insn *insn)
{
	return (int)((uint32_t)insn->imm % FUZZ_SLOTS);
}

static const struct xbpf_helper *helper_by_id(const struct xbpf_exec *exec, uint64_t id)
{
	return id < FUZZ_SLOTS - 1 ? &protos[id] : NULL;
}

static bool map_shape(const struct xbpf_exec *exec, uint64_t map, struct xbpf_map_shape *shape)
{
	if (map != FUZZ_MAP_ID)
		return false;
	shape->key_size = 4;
	shape->value_size = sizeof(map_value);
	shape->value_perm = XBPF_MEM_RW;
	return true;
}

static const struct xbpf_exec_env env = {.map_shape = map_shape, .helper_by_id = helper_by_id};

static bool documented_error(int err)
{
	return err == -EFAULT || err == -E2BIG || err == -ENOLINK || err == -EOVERFLOW || err == -EINVAL;
}

static void run_program(struct xbpf_vm_prog *prog)
{
	static struct xbpf_import imports[FUZZ_SLOTS];
	uint8_t packet[64];
	uint64_t ctx[4] = {1, 2, 3, 4};
	struct xbpf_exec exec;
	uint64_t r0;
	int i, ret;

	for (i = 0; i < FUZZ_SLOTS - 1; i++)
		atomic_store(&imports[i].proto, &protos[i]);
	for (i = 0; i < (int)sizeof(packet); i++)
		packet[i] = (uint8_t)i;
	xbpf_exec_init(&exec);
	exec.budget = FUZZ_BUDGET;
	exec.imports = imports;
	exec.n_imports = FUZZ_SLOTS;
	exec.env = &env;
	exec.packet = (struct xbpf_region){(uintptr_t)packet, (uintptr_t)(packet + sizeof(packet)), XBPF_MEM_RW};
	exec.ctx = (struct xbpf_region){(uintptr_t)ctx, (uintptr_t)(ctx + 4), XBPF_MEM_READ};
	exec.ctx_rw = (struct xbpf_region){(uintptr_t)(ctx + 2), (uintptr_t)(ctx + 4), XBPF_MEM_RW};

	ret = xbpf_interpreter.run(prog, &exec, (const uint64_t[5]){(uintptr_t)packet}, &r0);
	fuzz_programs_run++;
	if (ret != exec.error || (ret && (!documented_error(ret) || !exec.fault_msg[0])))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xbpf_insn insns[FUZZ_MAX_INSNS];
	/* no function starts given: prepare validates, and refuses what is invalid */
	struct xbpf_vm_code code = {.insns = insns, .call_slot = call_slot};
	struct xbpf_vm_prog *prog;
	char msg[128];

	code.count = size / sizeof(struct xbpf_insn);
	if (code.count > FUZZ_MAX_INSNS)
		code.count = FUZZ_MAX_INSNS;
	memcpy(insns, data, code.count * sizeof(struct xbpf_insn));
	if (xbpf_interpreter.prepare(&code, &prog, msg, sizeof(msg)))
		return 0;
	run_program(prog);
	xbpf_interpreter.free(prog);
	return 0;
}
