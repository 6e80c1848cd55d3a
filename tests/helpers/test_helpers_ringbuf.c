/* SPDX-License-Identifier: MIT */
/*
 * The ring buffer helpers called from programs: reserve, write, submit or
 * discard as the consumer sees it, output and query, and what the run
 * refuses: a pointer that is not a record it reserved, a record used after
 * its submit, a ring buffer helper on another map. Records a run leaves
 * behind are discarded when it ends, so the consumer never stalls.
 */
#include <linux/bpf.h>

#include "helper_test.h"
#include "maps/ringbuf.h"

#define RING_SIZE 4096

/* What the consumer received. */
static uint8_t got[8][64];
static size_t got_size[8];
static int n_got;

static int on_sample(void *user, void *data, size_t size)
{
	if (n_got < 8 && size <= sizeof(got[0])) {
		memcpy(got[n_got], data, size);
		got_size[n_got] = size;
	}
	n_got++;
	return 0;
}

struct fixture {
	struct xbpf_runtime *rt;
	struct ht_env env;
	struct xbpf_map *rb;
	struct xbpf_ringbuf_consumer *consumer;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.rt = ht_runtime();
	f.rb = ht_map(f.rt, &f.env, XBPF_MAP_TYPE_RINGBUF, 0, 0, RING_SIZE, NULL);
	assert_int_equal(xbpf_ringbuf_consumer_create(f.rb, on_sample, NULL, &f.consumer), 0);
	n_got = 0;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	xbpf_ringbuf_consumer_free(f->consumer);
	xbpf_map_put(f->rb);
	xbpf_runtime_free(f->rt);
	return 0;
}

static int run(struct fixture *f, const struct xbpf_insn *insns, size_t n, struct xbpf_exec *exec, uint64_t *r0)
{
	ht_exec_init(exec, &f->env, NULL);
	return ht_run(insns, n, exec, 0, r0);
}

static int64_t result(struct fixture *f, const struct xbpf_insn *insns, size_t n)
{
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret = run(f, insns, n, &exec, &r0);

	if (ret)
		fail_msg("run failed: %d %s", ret, exec.fault_msg);
	assert_int_equal(exec.n_holds, 0);
	return (int64_t)r0;
}

/* r6 = bpf_ringbuf_reserve(rb, size, flags); return -1 if NULL. 9 slots. */
#define RESERVE(rb, size, flags)                                                                   \
	T_LDPTR(1, rb), T_MOV64_IMM(2, size), T_MOV64_IMM(3, flags), T_CALL(BPF_FUNC_ringbuf_reserve), \
		T_MOV64_REG(6, 0), T_JMP_IMM(JNE, 0, 0, 2), T_MOV64_IMM(0, -1), T_EXIT()

static void test_reserve_submit_discard(void **state)
{
	struct fixture *f = *state;
	const struct xbpf_insn submit[] = {
		RESERVE(f->rb, 16, 0),
		T_LDDW(1, 0x1111111111111111ull),
		T_STX(DW, 6, 1, 0),
		T_ST(DW, 6, 8, 0x2222),
		T_MOV64_REG(1, 6), T_MOV64_IMM(2, 0), T_CALL(BPF_FUNC_ringbuf_submit),
		T_MOV64_IMM(0, 0), T_EXIT(),
	};
	const struct xbpf_insn discard[] = {
		RESERVE(f->rb, 24, 0),
		T_ST(DW, 6, 0, 7),
		T_MOV64_REG(1, 6), T_MOV64_IMM(2, 0), T_CALL(BPF_FUNC_ringbuf_discard),
		T_MOV64_IMM(0, 0), T_EXIT(),
	};
	const struct xbpf_insn flags[] = {RESERVE(f->rb, 8, 1), T_MOV64_IMM(0, 0), T_EXIT()};
	const struct xbpf_insn too_big[] = {RESERVE(f->rb, RING_SIZE, 0), T_MOV64_IMM(0, 0), T_EXIT()};

	assert_int_equal(result(f, submit, T_COUNT(submit)), 0);
	assert_int_equal(result(f, discard, T_COUNT(discard)), 0);
	assert_int_equal(result(f, submit, T_COUNT(submit)), 0);
	assert_int_equal(xbpf_ringbuf_consume(f->consumer), 2);
	assert_int_equal(n_got, 2);
	assert_int_equal(got_size[0], 16);
	assert_memory_equal(got[0], "\x11\x11\x11\x11\x11\x11\x11\x11\x22\x22\0\0\0\0\0\0", 16);
	assert_int_equal(got_size[1], 16);
	/* no record for flags or a size the ring cannot hold */
	assert_int_equal(result(f, flags, T_COUNT(flags)), -1);
	assert_int_equal(result(f, too_big, T_COUNT(too_big)), -1);
}

static void test_output_and_query(void **state)
{
	struct fixture *f = *state;
	const struct xbpf_insn output[] = {
		T_ST(DW, 10, -8, 0x55),
		T_LDPTR(1, f->rb), T_MOV64_REG(2, 10), T_ALU64_IMM(ADD, 2, -8), T_MOV64_IMM(3, 8), T_LDDW(4, 0),
		T_CALL(BPF_FUNC_ringbuf_output), T_EXIT(),
	};
	const struct xbpf_insn bad_flags[] = {
		T_ST(DW, 10, -8, 0x55),
		T_LDPTR(1, f->rb), T_MOV64_REG(2, 10), T_ALU64_IMM(ADD, 2, -8), T_MOV64_IMM(3, 8), T_LDDW(4, 4),
		T_CALL(BPF_FUNC_ringbuf_output), T_EXIT(),
	};
	struct xbpf_insn query[] = {
		T_LDPTR(1, f->rb), T_MOV64_IMM(2, 0), T_CALL(BPF_FUNC_ringbuf_query), T_EXIT(),
	};

	assert_int_equal(result(f, output, T_COUNT(output)), 0);
	assert_int_equal(result(f, bad_flags, T_COUNT(bad_flags)), -EINVAL);
	query[2].imm = BPF_RB_AVAIL_DATA;
	assert_int_equal(result(f, query, T_COUNT(query)), 16); /* header and 8 bytes */
	query[2].imm = BPF_RB_RING_SIZE;
	assert_int_equal(result(f, query, T_COUNT(query)), RING_SIZE);
	query[2].imm = BPF_RB_PROD_POS;
	assert_int_equal(result(f, query, T_COUNT(query)), 16);
	assert_int_equal(xbpf_ringbuf_consume(f->consumer), 1);
	assert_int_equal(got[0][0], 0x55);
	query[2].imm = BPF_RB_CONS_POS;
	assert_int_equal(result(f, query, T_COUNT(query)), 16);
	query[2].imm = BPF_RB_AVAIL_DATA;
	assert_int_equal(result(f, query, T_COUNT(query)), 0);
	query[2].imm = 9;
	assert_int_equal(result(f, query, T_COUNT(query)), 0);
}

static void test_bad_records_refused(void **state)
{
	struct fixture *f = *state;
	const struct xbpf_insn stack_ptr[] = {
		RESERVE(f->rb, 16, 0),
		T_MOV64_REG(1, 10), T_ALU64_IMM(ADD, 1, -16), T_MOV64_IMM(2, 0),
		T_CALL(BPF_FUNC_ringbuf_submit), /* 12 */
		T_EXIT(),
	};
	const struct xbpf_insn inside[] = {
		RESERVE(f->rb, 16, 0),
		T_MOV64_REG(1, 6), T_ALU64_IMM(ADD, 1, 8), T_MOV64_IMM(2, 0),
		T_CALL(BPF_FUNC_ringbuf_discard), /* 12 */
		T_EXIT(),
	};
	const struct xbpf_insn twice[] = {
		RESERVE(f->rb, 16, 0),
		T_MOV64_REG(1, 6), T_MOV64_IMM(2, 0), T_CALL(BPF_FUNC_ringbuf_submit),
		T_MOV64_REG(1, 6), T_MOV64_IMM(2, 0), T_CALL(BPF_FUNC_ringbuf_discard), /* 14 */
		T_EXIT(),
	};
	const struct xbpf_insn write_after_submit[] = {
		RESERVE(f->rb, 16, 0),
		T_MOV64_REG(1, 6), T_MOV64_IMM(2, 0), T_CALL(BPF_FUNC_ringbuf_submit),
		T_ST(DW, 6, 0, 1), /* 12 */
		T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	ht_expect_fault(run(f, stack_ptr, T_COUNT(stack_ptr), &exec, &r0), &exec, -EFAULT, 12,
			"not a record the program holds");
	ht_expect_fault(run(f, inside, T_COUNT(inside), &exec, &r0), &exec, -EFAULT, 12,
			"not a record the program holds");
	ht_expect_fault(run(f, twice, T_COUNT(twice), &exec, &r0), &exec, -EFAULT, 14,
			"not a record the program holds");
	ht_expect_fault(run(f, write_after_submit, T_COUNT(write_after_submit), &exec, &r0), &exec, -EFAULT, 12,
			"invalid write");
	assert_int_equal(exec.n_holds, 0);
	/* the records of the refused runs were discarded, the submitted ones kept */
	assert_int_equal(xbpf_ringbuf_consume(f->consumer), 2);
}

/* A record is the run's until it is given back, whatever else the
 * program does meanwhile; one a run leaves behind does not stall the
 * consumer. */
static void test_records_held_until_given_back(void **state)
{
	struct fixture *f = *state;
	struct xbpf_map *hash = ht_map(f->rt, &f->env, XBPF_MAP_TYPE_HASH, 4, 8, 1,
					&(struct xbpf_map_create_opts){.sz = sizeof(struct xbpf_map_create_opts),
								       .map_flags = XBPF_F_NO_PREALLOC});
	struct xbpf_insn many_lookups[2 * XBPF_EXEC_RECENT * 6 + 32] = {RESERVE(f->rb, 8, 0)};
	const struct xbpf_insn forget[] = {RESERVE(f->rb, 8, 0), T_MOV64_IMM(0, 0), T_EXIT()};
	const struct xbpf_insn fault[] = {RESERVE(f->rb, 8, 0), T_LDX(DW, 0, 7, 0), T_EXIT()}; /* r7 is 0 */
	const struct xbpf_insn output[] = {
		T_ST(DW, 10, -8, 0x77),
		T_LDPTR(1, f->rb), T_MOV64_REG(2, 10), T_ALU64_IMM(ADD, 2, -8), T_MOV64_IMM(3, 8), T_MOV64_IMM(4, 0),
		T_CALL(BPF_FUNC_ringbuf_output), T_EXIT(),
	};
	struct xbpf_exec exec;
	size_t n = 9, i;
	uint64_t r0;

	/* twice as many lookups as the exec remembers, then write and submit */
	assert_int_equal(xbpf_map_update_elem(hash, &(uint32_t){0}, &(uint64_t){0}, XBPF_ANY), 0);
	many_lookups[n++] = (struct xbpf_insn)T_ST(W, 10, -4, 0);
	for (i = 0; i < 2 * XBPF_EXEC_RECENT; i++) {
		const struct xbpf_insn lookup[] = {
			T_LDPTR(1, hash), T_MOV64_REG(2, 10), T_ALU64_IMM(ADD, 2, -4), T_CALL(BPF_FUNC_map_lookup_elem),
		};

		memcpy(&many_lookups[n], lookup, sizeof(lookup));
		n += T_COUNT(lookup);
	}
	{
		const struct xbpf_insn tail[] = {
			T_ST(DW, 6, 0, 0x99), T_MOV64_REG(1, 6), T_MOV64_IMM(2, 0), T_CALL(BPF_FUNC_ringbuf_submit),
			T_MOV64_IMM(0, 0), T_EXIT(),
		};

		memcpy(&many_lookups[n], tail, sizeof(tail));
		n += T_COUNT(tail);
	}
	assert_int_equal(result(f, many_lookups, n), 0);

	/* left behind: by a program that forgets, and by one that faults */
	assert_int_equal(result(f, forget, T_COUNT(forget)), 0);
	ht_expect_fault(run(f, fault, T_COUNT(fault), &exec, &r0), &exec, -EFAULT, 9, "invalid read");
	assert_int_equal(exec.n_holds, 0);
	assert_int_equal(result(f, output, T_COUNT(output)), 0);
	assert_int_equal(xbpf_ringbuf_consume(f->consumer), 2);
	assert_int_equal(got[0][0], 0x99);
	assert_int_equal(got[1][0], 0x77);
	xbpf_map_put(hash);
}

static void test_other_maps_refused(void **state)
{
	struct fixture *f = *state;
	struct xbpf_map *hash = ht_map(f->rt, &f->env, XBPF_MAP_TYPE_HASH, 4, 8, 1, NULL);
	const struct xbpf_insn reserve_in_hash[] = {RESERVE(hash, 8, 0), T_MOV64_IMM(0, 0), T_EXIT()};
	const struct xbpf_insn lookup_in_ring[] = {
		T_ST(W, 10, -4, 0), T_LDPTR(1, f->rb), T_MOV64_REG(2, 10), T_ALU64_IMM(ADD, 2, -4),
		T_CALL(BPF_FUNC_map_lookup_elem), T_EXIT(),
	};
	struct xbpf_exec exec;
	uint64_t r0;

	ht_expect_fault(run(f, reserve_in_hash, T_COUNT(reserve_in_hash), &exec, &r0), &exec, -EINVAL, 4,
			"bpf_ringbuf_reserve cannot be used with hash map");
	ht_expect_fault(run(f, lookup_in_ring, T_COUNT(lookup_in_ring), &exec, &r0), &exec, -EINVAL, 5,
			"bpf_map_lookup_elem cannot be used with ringbuf map");
	xbpf_map_put(hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reserve_submit_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_and_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_records_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_held_until_given_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_maps_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
