/* SPDX-License-Identifier: MIT */
/*
 * Helpers with no arguments to speak of: clocks, random numbers, the CPU
 * slot and NUMA node, and who is calling (ids and thread name).
 */
#define _GNU_SOURCE
#include <linux/bpf.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper_test.h"

static uint64_t call0(uint32_t id)
{
	return ht_call_with(id, NULL, 0, 0, 0, 0, 0, 0, 0);
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* bpf_csum_diff against values the Linux 6.18 kernel returned for the same
 * arguments (sizes that are not multiples of 4 included). */
static void test_csum_diff(void **state)
{
	static const uint32_t a[4] = {0xdeadbeef, 0xdeadbeef, 0x12345678, 0xffffffff};
	static const uint32_t b[2] = {0x0, 0xffff0000};
	static const struct {
		const void *from;
		uint32_t from_size;
		const void *to;
		uint32_t to_size;
		uint32_t seed;
		uint64_t kernel;
	} cases[] = {
		{NULL, 0, a, 8, 0, 15163},      {a, 8, NULL, 0, 0, 50372}, {a, 16, b, 8, 0x1234, 28236},
		{NULL, 0, b, 8, 0xffffffff, 65535}, {b, 8, NULL, 0, 0, 65535}, {NULL, 0, NULL, 0, 0xabcdef12, 39648},
		{a, 12, a, 12, 0, 65535},       {a, 6, a, 12, 0, 18266},
	};
	const struct xbpf_helper *h = xbpf_core_helper(BPF_FUNC_csum_diff);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(h->fn((uintptr_t)cases[i].from, cases[i].from_size, (uintptr_t)cases[i].to,
				       cases[i].to_size, cases[i].seed, NULL),
				 cases[i].kernel);
}

static void test_clocks(void **state)
{
	const struct {
		uint32_t id;
		clockid_t clock;
	} clocks[] = {
		{BPF_FUNC_ktime_get_ns, CLOCK_MONOTONIC},
		{BPF_FUNC_ktime_get_boot_ns, CLOCK_BOOTTIME},
		{BPF_FUNC_ktime_get_coarse_ns, CLOCK_MONOTONIC_COARSE},
	};
	size_t i;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		uint64_t before = now_ns(clocks[i].clock);
		uint64_t t = call0(clocks[i].id);
		uint64_t after = now_ns(clocks[i].clock);

		assert_true(before <= t);
		assert_true(t <= after);
	}
}

static void test_prandom(void **state)
{
	uint64_t seen[64];
	size_t i, j, distinct = 0;
	uint64_t all_or = 0;

	for (i = 0; i < 64; i++) {
		seen[i] = call0(BPF_FUNC_get_prandom_u32);
		assert_true(seen[i] <= UINT32_MAX);
		all_or |= seen[i];
		for (j = 0; j < i && seen[j] != seen[i]; j++)
			;
		distinct += j == i;
	}
	assert_true(distinct >= 60);
	assert_int_equal(all_or, UINT32_MAX); /* every bit varies */
}

static void test_cpu_and_node(void **state)
{
	const uint64_t none[5] = {0};
	struct xbpf_exec exec;
	uint64_t r0;

	ht_exec_init(&exec, NULL, NULL);
	exec.cpu = 3;
	assert_int_equal(ht_call(&exec, BPF_FUNC_get_smp_processor_id, none, &r0), 0);
	assert_int_equal(r0, 3);
	assert_true(call0(BPF_FUNC_get_numa_node_id) < 1024);
}

static uint64_t my_pid_tgid(void)
{
	return (uint64_t)getpid() << 32 | (uint32_t)gettid();
}

static void *pid_tgid_in_thread(void *arg)
{
	*(uint64_t *)arg = call0(BPF_FUNC_get_current_pid_tgid);
	return NULL;
}

static void test_ids(void **state)
{
	pthread_t t;
	uint64_t other = 0;
	pid_t child;
	int status;

	assert_int_equal(call0(BPF_FUNC_get_current_pid_tgid), my_pid_tgid());
	assert_int_equal(call0(BPF_FUNC_get_current_pid_tgid), my_pid_tgid()); /* cached */
	assert_int_equal(pthread_create(&t, NULL, pid_tgid_in_thread, &other), 0);
	pthread_join(t, NULL);
	assert_int_equal(other >> 32, (uint64_t)getpid());
	assert_int_not_equal((uint32_t)other, (uint32_t)gettid());

	/* a child has ids of its own, though the parent's were cached */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(call0(BPF_FUNC_get_current_pid_tgid) == my_pid_tgid() ? 0 : 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	assert_int_equal(call0(BPF_FUNC_get_current_uid_gid), (uint64_t)getgid() << 32 | getuid());
}

static void test_comm(void **state)
{
	char buf[24];

	assert_int_equal(pthread_setname_np(pthread_self(), "xbpf-comm-test"), 0);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(ht_call_with(BPF_FUNC_get_current_comm, buf, sizeof(buf), XBPF_MEM_RW, (uintptr_t)buf,
				      sizeof(buf), 0, 0, 0),
			 0);
	assert_memory_equal(buf, "xbpf-comm-test\0\0\0\0\0\0\0\0\0\0", sizeof(buf));
	/* a short buffer: cut, NUL-terminated */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(ht_call_with(BPF_FUNC_get_current_comm, buf, sizeof(buf), XBPF_MEM_RW, (uintptr_t)buf, 5,
				      0, 0, 0),
			 0);
	assert_memory_equal(buf, "xbpf\0xxx", 8);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(ht_call_with(BPF_FUNC_get_current_comm, buf, sizeof(buf), XBPF_MEM_RW, (uintptr_t)buf, 1,
				      0, 0, 0),
			 0);
	assert_memory_equal(buf, "\0x", 2);
	/* no buffer at all is refused before the helper runs */
	{
		const uint64_t args[5] = {(uintptr_t)buf, 0};
		struct xbpf_exec exec;
		uint64_t r0;

		ht_exec_init(&exec, NULL, NULL);
		ht_expect_fault(ht_call(&exec, BPF_FUNC_get_current_comm, args, &r0), &exec, -EFAULT, 10,
				"size must not be 0");
	}
	pthread_setname_np(pthread_self(), "test_helpers_ba");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_diff),
		cmocka_unit_test(test_clocks),
		cmocka_unit_test(test_prandom),
		cmocka_unit_test(test_cpu_and_node),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_comm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
