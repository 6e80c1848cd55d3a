/* SPDX-License-Identifier: MIT */
/*
 * Interpreter memory: loads and stores of every size on the stack, the
 * context and the packet; each refused access stops the run with -EFAULT
 * and a message naming the instruction; unaligned accesses work; atomics
 * give the RFC's results and are really atomic across threads; a fresh
 * thread's stack reads as zeros.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm_test_util.h"

static void test_stack_loads_and_stores(void **state)
{
	struct xbpf_insn prog[] = {
		T_ST(DW, 10, -8, -2),          /* [r10-8] = 0xffff...fffe */
		T_ST(B, 10, -9, 0x80),
		T_LDDW(1, 0x8899aabbccddeeffULL),
		T_STX(W, 10, 1, -16),
		T_STX(H, 10, 1, -18),
		T_LDX(DW, 0, 10, -8),          /* r0 = -2 */
		T_LDXS(B, 2, 10, -9),          /* r2 = -128 */
		T_ALU64_REG(ADD, 0, 2),        /* r0 = -130 */
		T_LDX(W, 3, 10, -16),          /* 0xccddeeff */
		T_LDXS(W, 4, 10, -16),         /* 0xffffffffccddeeff */
		T_ALU64_REG(SUB, 4, 3),        /* 0xffffffff00000000 */
		T_ALU64_REG(ADD, 0, 4),
		T_LDXS(H, 5, 10, -18),         /* 0xffffffffffffeeff */
		T_LDX(H, 6, 10, -18),          /* 0xeeff */
		T_ALU64_REG(SUB, 5, 6),        /* 0xffffffffffff0000 */
		T_ALU64_REG(XOR, 0, 5),
		T_LDX(B, 7, 10, -9),           /* 0x80 */
		T_ALU64_REG(ADD, 0, 7),
		T_EXIT(),
	};
	uint64_t expect = ((uint64_t)-130 + 0xffffffff00000000ULL) ^ 0xffffffffffff0000ULL;

	assert_int_equal(test_run_simple(prog, T_COUNT(prog)), expect + 0x80);
}

/* Runs prog with r1 = the packet (64 bytes, perm) and a read-only 16-byte
 * context whose last 8 bytes are writable; returns the run's result. */
static uint64_t test_ctx[2];

static int run_with_memory(const struct xbpf_insn *prog, size_t n, uint8_t *packet, uint32_t pkt_perm,
			   struct xbpf_exec *exec, uint64_t *r0)
{
	xbpf_exec_init(exec);
	test_set_region(&exec->packet, packet, 64, pkt_perm);
	test_set_region(&exec->ctx, test_ctx, sizeof(test_ctx), XBPF_MEM_READ);
	test_set_region(&exec->ctx_rw, &test_ctx[1], sizeof(test_ctx[1]), XBPF_MEM_RW);
	return test_run_exec(prog, n, exec, (uintptr_t)packet, r0);
}

static void test_packet_and_unaligned(void **state)
{
	uint8_t packet[64];
	struct xbpf_exec exec;
	uint64_t r0 = 0, expect;
	struct xbpf_insn prog[] = {
		T_LDX(DW, 0, 1, 1),   /* unaligned */
		T_LDX(W, 2, 1, 60),   /* last 4 bytes */
		T_ALU64_REG(ADD, 0, 2),
		T_STX(DW, 1, 0, 33),  /* unaligned store */
		T_EXIT(),
	};
	uint32_t tail;
	uint64_t at1, stored;
	int i;

	for (i = 0; i < 64; i++)
		packet[i] = (uint8_t)(i * 7 + 1);
	memcpy(&at1, packet + 1, 8);
	memcpy(&tail, packet + 60, 4);
	expect = at1 + tail;
	assert_int_equal(run_with_memory(prog, T_COUNT(prog), packet, XBPF_MEM_RW, &exec, &r0), 0);
	assert_int_equal(r0, expect);
	memcpy(&stored, packet + 33, 8);
	assert_int_equal(stored, expect);
}

static void test_refused_accesses(void **state)
{
	static const struct {
		const char *name;
		struct xbpf_insn insn;
		uint32_t pkt_perm;
		const char *msg; /* after "instruction 3: " */
	} cases[] = {
		{"read past the packet", T_LDX(DW, 0, 1, 60), XBPF_MEM_RW, "invalid read of 8 bytes"},
		{"read before the packet", T_LDX(B, 0, 1, -1), XBPF_MEM_RW, "invalid read of 1 bytes"},
		{"write to a read-only packet", T_ST(W, 1, 0, 1), XBPF_MEM_READ, "invalid write of 4 bytes"},
		{"write to the read-only context", T_STX(DW, 2, 1, 0), XBPF_MEM_RW, "invalid write of 8 bytes"},
		{"write across the context's writable part", T_STX(DW, 2, 1, 4), XBPF_MEM_RW, "invalid write of 8 bytes"},
		{"read above the stack", T_LDX(DW, 0, 10, 0), XBPF_MEM_RW, "invalid read of 8 bytes"},
		{"read below the stack", T_LDX(B, 0, 10, -513), XBPF_MEM_RW, "invalid read of 1 bytes"},
		{"store through a null pointer", T_ST(B, 3, 0, 1), XBPF_MEM_RW, "invalid write of 1 bytes"},
		{"atomic on a read-only packet", T_ATOMIC(W, 1, 0, 0, XBPF_ATOMIC_ADD), XBPF_MEM_READ,
		 "invalid write of 4 bytes"},
		{"misaligned atomic", T_ATOMIC(DW, 10, 0, -12, XBPF_ATOMIC_ADD), XBPF_MEM_RW,
		 "misaligned atomic access of 8 bytes"},
	};
	size_t i;

	for (i = 0; i < T_COUNT(cases); i++) {
		uint8_t packet[64] = {0};
		struct xbpf_exec exec;
		uint64_t r0;
		/* r1 = the packet, r2 = the context, r3 = 0 */
		struct xbpf_insn prog[] = {T_LDDW(2, (uintptr_t)test_ctx), T_MOV64_IMM(3, 0), cases[i].insn,
					   T_MOV64_IMM(0, 0), T_EXIT()};
		int ret = run_with_memory(prog, T_COUNT(prog), packet, cases[i].pkt_perm, &exec, &r0);

		if (ret != -EFAULT || exec.fault_pc != 3 || strncmp(exec.fault_msg, "instruction 3: ", 15) ||
		    !strstr(exec.fault_msg, cases[i].msg))
			fail_msg("%s: got %d at %zu '%s'", cases[i].name, ret, exec.fault_pc, exec.fault_msg);
	}
}

static void test_fault_message(void **state)
{
	uint8_t packet[64];
	struct xbpf_exec exec;
	uint64_t r0;
	char expect[128];
	struct xbpf_insn prog[] = {T_MOV64_REG(3, 1), T_STX(DW, 3, 1, 60), T_EXIT()};

	assert_int_equal(run_with_memory(prog, T_COUNT(prog), packet, XBPF_MEM_RW, &exec, &r0), -EFAULT);
	snprintf(expect, sizeof(expect), "instruction 1: invalid write of 8 bytes at 0x%llx (r3 + 60)",
		 (unsigned long long)(uintptr_t)(packet + 60));
	assert_string_equal(exec.fault_msg, expect);
	assert_int_equal(exec.error, -EFAULT);
}

static uint64_t env_word;

static bool env_allows_word(const struct xbpf_exec *exec, uintptr_t addr, size_t size, uint32_t perm)
{
	return addr >= (uintptr_t)&env_word && addr + size <= (uintptr_t)(&env_word + 1);
}

static void test_other_regions(void **state)
{
	static uint64_t fixed_word = 40, recent_word = 2;
	struct xbpf_region fixed;
	struct xbpf_exec_env env = {.may_access = env_allows_word};
	struct xbpf_exec exec;
	uint64_t r0;
	struct xbpf_insn prog[] = {
		T_LDDW(1, (uintptr_t)&fixed_word), T_LDX(DW, 0, 1, 0),
		T_LDDW(2, (uintptr_t)&recent_word), T_LDX(DW, 2, 2, 0), T_ALU64_REG(ADD, 0, 2),
		T_LDDW(3, (uintptr_t)&env_word), T_STX(DW, 3, 0, 0),
		T_EXIT(),
	};

	xbpf_exec_init(&exec);
	test_set_region(&fixed, &fixed_word, 8, XBPF_MEM_READ);
	exec.fixed = &fixed;
	exec.n_fixed = 1;
	xbpf_exec_note_region(&exec, &recent_word, 8, XBPF_MEM_READ);
	exec.env = &env;
	assert_int_equal(test_run_exec(prog, T_COUNT(prog), &exec, 0, &r0), 0);
	assert_int_equal(r0, 42);
	assert_int_equal(env_word, 42);

	/* without the env, the last store is refused */
	exec.env = NULL;
	assert_int_equal(test_run_exec(prog, T_COUNT(prog), &exec, 0, &r0), -EFAULT);
	assert_int_equal(exec.fault_pc, 9);
}

static void test_atomics(void **state)
{
#define MEM0 0x00000000f0f0f0f0ULL
#define V64 0x1111ULL
#define V32 0xabcd000000001111ULL /* 32-bit forms ignore the high half */
	static const struct atomic_case {
		const char *name;
		struct xbpf_insn insn; /* on [r10-8] = MEM0, with r1 = value and r0 = 0x0f */
		uint64_t value;
		uint64_t mem_after, r1_after, r0_after;
	} cases[] = {
		{"add64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_ADD), V64, MEM0 + V64, V64, 0x0f},
		{"fetch add64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_ADD | XBPF_ATOMIC_FETCH), V64, MEM0 + V64, MEM0, 0x0f},
		{"or64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_OR), V64, MEM0 | V64, V64, 0x0f},
		{"fetch or64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_OR | XBPF_ATOMIC_FETCH), V64, MEM0 | V64, MEM0, 0x0f},
		{"and64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_AND), V64, MEM0 & V64, V64, 0x0f},
		{"fetch and64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_AND | XBPF_ATOMIC_FETCH), V64, MEM0 & V64, MEM0, 0x0f},
		{"xor64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_XOR), V64, MEM0 ^ V64, V64, 0x0f},
		{"fetch xor64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_XOR | XBPF_ATOMIC_FETCH), V64, MEM0 ^ V64, MEM0, 0x0f},
		{"xchg64", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_XCHG), V64, V64, MEM0, 0x0f},
		{"cmpxchg64 mismatch", T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_CMPXCHG), V64, MEM0, V64, MEM0},
		{"add32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_ADD), V32, 0xf0f10201ULL, V32, 0x0f},
		{"fetch add32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_ADD | XBPF_ATOMIC_FETCH), V32, 0xf0f10201ULL, MEM0, 0x0f},
		{"or32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_OR), V32, MEM0 | V64, V32, 0x0f},
		{"fetch or32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_OR | XBPF_ATOMIC_FETCH), V32, MEM0 | V64, MEM0, 0x0f},
		{"and32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_AND), V32, MEM0 & V64, V32, 0x0f},
		{"fetch and32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_AND | XBPF_ATOMIC_FETCH), V32, MEM0 & V64, MEM0, 0x0f},
		{"xor32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_XOR), V32, MEM0 ^ V64, V32, 0x0f},
		{"fetch xor32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_XOR | XBPF_ATOMIC_FETCH), V32, MEM0 ^ V64, MEM0, 0x0f},
		{"xchg32", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_XCHG), V32, V64, MEM0, 0x0f},
		{"cmpxchg32 mismatch", T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_CMPXCHG), V32, MEM0, V32, MEM0},
	};
	size_t i;

	for (i = 0; i < T_COUNT(cases); i++) {
		uint64_t out[3] = {0}, r0;
		struct xbpf_exec exec;
		/* out[0] = the memory word after, out[1] = r1, out[2] = r0 */
		struct xbpf_insn prog[] = {
			T_MOV64_REG(6, 1),
			T_LDDW(2, MEM0),
			T_STX(DW, 10, 2, -8),
			T_LDDW(1, cases[i].value),
			T_MOV64_IMM(0, 0x0f),
			cases[i].insn,
			T_LDX(DW, 2, 10, -8),
			T_STX(DW, 6, 2, 0),
			T_STX(DW, 6, 1, 8),
			T_STX(DW, 6, 0, 16),
			T_EXIT(),
		};

		xbpf_exec_init(&exec);
		test_set_region(&exec.packet, out, sizeof(out), XBPF_MEM_RW);
		assert_int_equal(test_run_exec(prog, T_COUNT(prog), &exec, (uintptr_t)out, &r0), 0);
		if (out[0] != cases[i].mem_after || out[1] != cases[i].r1_after || out[2] != cases[i].r0_after)
			fail_msg("%s: mem 0x%llx r1 0x%llx r0 0x%llx", cases[i].name, (unsigned long long)out[0],
				 (unsigned long long)out[1], (unsigned long long)out[2]);
	}
#undef V32
#undef V64
#undef MEM0
}

static void test_cmpxchg_match(void **state)
{
	struct xbpf_insn prog64[] = {
		T_ST(DW, 10, -8, 5), T_MOV64_IMM(0, 5), T_MOV64_IMM(1, 9),
		T_ATOMIC(DW, 10, 1, -8, XBPF_ATOMIC_CMPXCHG),
		T_LDX(DW, 2, 10, -8), T_ALU64_IMM(LSH, 2, 8), T_ALU64_REG(OR, 0, 2), /* 0x905 */
		T_EXIT(),
	};
	struct xbpf_insn prog32[] = {
		T_ST(DW, 10, -8, -1), T_LDDW(0, 0x77777777ffffffffULL), T_MOV64_IMM(1, 3),
		T_ATOMIC(W, 10, 1, -8, XBPF_ATOMIC_CMPXCHG), /* compares the low half of r0 */
		T_LDX(DW, 2, 10, -8), T_ALU64_REG(XOR, 0, 2),  /* 0xffffffff ^ 0xffffffff00000003 */
		T_EXIT(),
	};

	assert_int_equal(test_run_simple(prog64, T_COUNT(prog64)), 0x905);
	assert_int_equal(test_run_simple(prog32, T_COUNT(prog32)), 0xffffffff00000003ULL ^ 0xffffffffULL);
}

#define ATOMIC_THREADS 4
#define ATOMIC_ROUNDS 5000

static uint64_t shared_counter;

/* Each thread adds 1 to a shared word ATOMIC_ROUNDS times, half of the time
 * with a 32-bit fetch-add on its low half. */
static void *atomic_worker(void *arg)
{
	struct xbpf_insn prog[] = {
		T_MOV64_IMM(2, ATOMIC_ROUNDS / 2),
		T_MOV64_IMM(3, 1),
		T_ATOMIC(DW, 1, 3, 0, XBPF_ATOMIC_ADD),
		T_ATOMIC(W, 1, 3, 0, XBPF_ATOMIC_ADD | XBPF_ATOMIC_FETCH),
		T_MOV64_IMM(3, 1),
		T_ALU64_IMM(SUB, 2, 1),
		T_JMP_IMM(JNE, 2, 0, -5),
		T_MOV64_IMM(0, 0),
		T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	xbpf_exec_init(&exec);
	test_set_region(&exec.packet, &shared_counter, sizeof(shared_counter), XBPF_MEM_RW);
	*(int *)arg = test_run_exec(prog, T_COUNT(prog), &exec, (uintptr_t)&shared_counter, &r0);
	return NULL;
}

static void test_atomics_across_threads(void **state)
{
	pthread_t threads[ATOMIC_THREADS];
	int results[ATOMIC_THREADS];
	int i;

	for (i = 0; i < ATOMIC_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, atomic_worker, &results[i]), 0);
	for (i = 0; i < ATOMIC_THREADS; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(results[i], 0);
	}
	assert_int_equal(shared_counter, ATOMIC_THREADS * ATOMIC_ROUNDS);
}

/* A thread's first run sees a zeroed stack: no host data. */
static void *read_whole_stack(void *arg)
{
	/* r0 = or of all 64 words of the entry frame */
	struct xbpf_insn prog[] = {
		T_MOV64_IMM(0, 0), T_MOV64_REG(1, 10), T_ALU64_IMM(SUB, 1, 512),
		T_LDX(DW, 2, 1, 0), T_ALU64_REG(OR, 0, 2), T_ALU64_IMM(ADD, 1, 8), T_JMP_REG(JNE, 1, 10, -4),
		T_EXIT(),
	};

	*(uint64_t *)arg = test_run_simple(prog, T_COUNT(prog));
	return NULL;
}

static void test_fresh_stack_is_zero(void **state)
{
	pthread_t thread;
	uint64_t result = 1;

	assert_int_equal(pthread_create(&thread, NULL, read_whole_stack, &result), 0);
	pthread_join(thread, NULL);
	assert_int_equal(result, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_loads_and_stores),
		cmocka_unit_test(test_packet_and_unaligned),
		cmocka_unit_test(test_refused_accesses),
		cmocka_unit_test(test_fault_message),
		cmocka_unit_test(test_other_regions),
		cmocka_unit_test(test_atomics),
		cmocka_unit_test(test_cmpxchg_match),
		cmocka_unit_test(test_atomics_across_threads),
		cmocka_unit_test(test_fresh_stack_is_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
