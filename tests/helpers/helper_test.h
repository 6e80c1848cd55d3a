/* SPDX-License-Identifier: MIT */
/*
 * Running hand-built programs that call the core helpers: a call's import
 * slot is its Linux id, bound to xbpf_core_helper(id), and an environment
 * that knows the test's maps (their pointers are map arguments, their
 * values accessible memory, as the program layer will arrange). Runs happen
 * inside an epoch, as map helpers require.
 */
#ifndef XBPF_TESTS_HELPER_TEST_H
#define XBPF_TESTS_HELPER_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/helpers.h"
#include "insn_build.h"
#include "isa/validate.h"
#include "maps/map.h"
#include "runtime/epoch.h"
#include "vm/vm.h"

#define HT_IMPORTS 256
#define HT_MAX_MAPS 8

struct ht_env {
	struct xbpf_map *maps[HT_MAX_MAPS];
	size_t n_maps;
};

static inline struct xbpf_import *ht_imports(void)
{
	static struct xbpf_import imports[HT_IMPORTS];
	uint32_t id;

	for (id = 0; id < HT_IMPORTS; id++)
		atomic_store(&imports[id].proto, xbpf_core_helper(id));
	return imports;
}

static inline int ht_call_slot(void *ctx, size_t pc, const struct xbpf_insn *insn)
{
	return insn->imm > 0 && insn->imm < HT_IMPORTS && xbpf_core_helper((uint32_t)insn->imm) ? insn->imm
												 : -ENOENT;
}

/* Is map one the program may name: the test's, or an inner map it got? */
static inline const struct xbpf_map *ht_known_map(const struct xbpf_exec *exec, uint64_t map)
{
	const struct ht_env *env = exec->env_ctx;
	size_t i;

	for (i = 0; env && i < env->n_maps; i++)
		if ((uintptr_t)env->maps[i] == map)
			return env->maps[i];
	for (i = 0; i < XBPF_EXEC_RECENT; i++)
		if (exec->maps[i] && (uintptr_t)exec->maps[i] == map)
			return exec->maps[i];
	return NULL;
}

static inline bool ht_map_shape(const struct xbpf_exec *exec, uint64_t map, struct xbpf_map_shape *shape)
{
	const struct xbpf_map *m = ht_known_map(exec, map);

	if (m)
		xbpf_map_shape_of(m, shape);
	return m != NULL;
}

static inline bool ht_may_access(const struct xbpf_exec *exec, uintptr_t addr, size_t size, uint32_t perm)
{
	const struct ht_env *env = exec->env_ctx;
	struct xbpf_region r;
	size_t i;

	for (i = 0; env && i < env->n_maps; i++)
		if (xbpf_map_value_region(env->maps[i], addr, size, &r) && xbpf_region_covers(&r, addr, size, perm))
			return true;
	return false;
}

static const struct xbpf_exec_env ht_exec_env = {.may_access = ht_may_access, .map_shape = ht_map_shape};

/* An exec that calls the core helpers, knows env's maps and logs to rt. */
static inline void ht_exec_init(struct xbpf_exec *exec, struct ht_env *env, struct xbpf_runtime *rt)
{
	xbpf_exec_init(exec);
	exec->imports = ht_imports();
	exec->n_imports = HT_IMPORTS;
	exec->env = &ht_exec_env;
	exec->env_ctx = env;
	exec->rt = rt;
}

static inline int ht_prepare(const struct xbpf_insn *insns, size_t count, struct xbpf_vm_prog **prog)
{
	struct xbpf_vm_code code = {.insns = insns, .count = count, .call_slot = ht_call_slot};
	char msg[128] = "";
	int ret = xbpf_interpreter.prepare(&code, prog, msg, sizeof(msg));

	if (ret)
		fprintf(stderr, "prepare: %s\n", msg);
	return ret;
}

/* Runs a prepared program in an epoch with r1 = arg. */
static inline int ht_run_prepared(const struct xbpf_vm_prog *prog, struct xbpf_exec *exec, uint64_t arg,
				  uint64_t *r0)
{
	int ret;

	xbpf_epoch_enter();
	ret = xbpf_interpreter.run(prog, exec, (const uint64_t[5]){arg}, r0);
	xbpf_epoch_exit();
	return ret;
}

/* Prepares, runs once with r1 = arg, frees; the exec is the caller's. */
static inline int ht_run(const struct xbpf_insn *insns, size_t count, struct xbpf_exec *exec, uint64_t arg,
			 uint64_t *r0)
{
	struct xbpf_vm_prog *prog;
	int ret = ht_prepare(insns, count, &prog);

	if (ret)
		return ret;
	ret = ht_run_prepared(prog, exec, arg, r0);
	xbpf_interpreter.free(prog);
	return ret;
}

/* Runs with a fresh exec that knows env's maps and expects success;
 * returns r0. */
static inline uint64_t ht_result(const struct xbpf_insn *insns, size_t count, struct ht_env *env, uint64_t arg)
{
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret;

	ht_exec_init(&exec, env, NULL);
	ret = ht_run(insns, count, &exec, arg, &r0);
	if (ret)
		fail_msg("run failed: %d %s", ret, exec.fault_msg);
	return r0;
}

/* Checks that a run failed with err at instruction pc, with part in its message. */
static inline void ht_expect_fault(int ret, const struct xbpf_exec *exec, int err, size_t pc, const char *part)
{
	if (ret != err || exec->error != err || exec->fault_pc != pc || !strstr(exec->fault_msg, part))
		fail_msg("expected %d at insn %zu with '%s', got %d at %zu: '%s'", err, pc, part, ret,
			 exec->fault_pc, exec->fault_msg);
}

/* Runs "r1..r5 = args; call id; exit" with the caller's exec. */
static inline int ht_call(struct xbpf_exec *exec, uint32_t id, const uint64_t args[5], uint64_t *r0)
{
	const struct xbpf_insn prog[] = {
		T_LDDW(1, args[0]), T_LDDW(2, args[1]), T_LDDW(3, args[2]), T_LDDW(4, args[3]),
		T_LDDW(5, args[4]), T_CALL(id), T_EXIT(),
	};

	return ht_run(prog, T_COUNT(prog), exec, 0, r0);
}

/* The same with a fresh exec that may use the fixed region [mem, mem+size)
 * (global data, say); expects success and returns r0. */
static inline uint64_t ht_call_with(uint32_t id, void *mem, size_t size, uint32_t perm, uint64_t a1, uint64_t a2,
				    uint64_t a3, uint64_t a4, uint64_t a5)
{
	const uint64_t args[5] = {a1, a2, a3, a4, a5};
	struct xbpf_region fixed = {(uintptr_t)mem, (uintptr_t)mem + size, perm};
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret;

	ht_exec_init(&exec, NULL, NULL);
	exec.fixed = &fixed;
	exec.n_fixed = 1;
	ret = ht_call(&exec, id, args, &r0);
	if (ret)
		fail_msg("%s failed: %d %s", xbpf_linux_helper_name(id), ret, exec.fault_msg);
	return r0;
}

static inline struct xbpf_runtime *ht_runtime(void)
{
	struct xbpf_runtime *rt;

	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_ERROR);
	return rt;
}

static inline struct xbpf_map *ht_map(struct xbpf_runtime *rt, struct ht_env *env, enum xbpf_map_type type,
				      uint32_t key_size, uint32_t value_size, uint32_t max_entries,
				      const struct xbpf_map_create_opts *opts)
{
	struct xbpf_map *map = NULL;

	assert_int_equal(xbpf_map_create(rt, type, "m", key_size, value_size, max_entries, opts, &map), 0);
	if (env) {
		assert_true(env->n_maps < HT_MAX_MAPS);
		env->maps[env->n_maps++] = map;
	}
	return map;
}

/* Instruction slots that load a host pointer (a map, a buffer) into dst. */
#define T_LDPTR(dst, ptr) T_LDDW(dst, (uint64_t)(uintptr_t)(ptr))

#endif /* XBPF_TESTS_HELPER_TEST_H */
