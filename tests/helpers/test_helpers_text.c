/* SPDX-License-Identifier: MIT */
/*
 * The text helpers called from programs: bpf_trace_printk (to the
 * runtime's log), bpf_snprintf and bpf_strncmp, with Linux's results and
 * error codes, and what the call gate refuses before they run.
 */
#include <linux/bpf.h>

#include "helper_test.h"

/* Global data of the test programs: read-only (.rodata) and writable. */
static char ro[256];
static char rw[2048];
static struct xbpf_region data_regions[2] = {
	{(uintptr_t)ro, (uintptr_t)ro + sizeof(ro), XBPF_MEM_READ},
	{(uintptr_t)rw, (uintptr_t)rw + sizeof(rw), XBPF_MEM_RW},
};

/* What the runtime's log received. */
static char logged[2048];
static int n_logged;
static enum xbpf_log_level logged_level;

static void log_fn(void *user, enum xbpf_log_level level, const char *msg)
{
	snprintf(logged, sizeof(logged), "%s", msg);
	logged_level = level;
	n_logged++;
}

/* Calls helper id with r1..r5 = a1..a5 and global data; returns the run's
 * result (r0 in *r0). */
static int call(struct xbpf_runtime *rt, uint32_t id, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		uint64_t a5, uint64_t *r0, struct xbpf_exec *exec)
{
	const uint64_t args[5] = {a1, a2, a3, a4, a5};

	ht_exec_init(exec, NULL, rt);
	exec->fixed = data_regions;
	exec->n_fixed = 2;
	return ht_call(exec, id, args, r0);
}

static int64_t result(struct xbpf_runtime *rt, uint32_t id, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct xbpf_exec exec;
	uint64_t r0 = 0;
	int ret = call(rt, id, a1, a2, a3, a4, a5, &r0, &exec);

	if (ret)
		fail_msg("%s: run failed: %d %s", xbpf_linux_helper_name(id), ret, exec.fault_msg);
	return (int64_t)r0;
}

static void test_trace_printk(void **state)
{
	struct xbpf_runtime *rt = ht_runtime();

	xbpf_runtime_set_log(rt, log_fn, NULL, XBPF_LOG_INFO);
	strcpy(ro, "pid %d says %s\n");
	strcpy(rw, "hi");
	n_logged = 0;
	assert_int_equal(result(rt, BPF_FUNC_trace_printk, (uintptr_t)ro, sizeof(ro), 42, (uintptr_t)rw, 0),
			 strlen("pid 42 says hi\n"));
	assert_int_equal(n_logged, 1);
	assert_int_equal(logged_level, XBPF_LOG_INFO);
	assert_string_equal(logged, "pid 42 says hi"); /* a log message has no newline */

	/* the format may be on the stack or in writable memory, and needs its NUL within fmt_size */
	strcpy(rw, "plain");
	assert_int_equal(result(rt, BPF_FUNC_trace_printk, (uintptr_t)rw, 6, 0, 0, 0), 5);
	assert_string_equal(logged, "plain");
	assert_int_equal(result(rt, BPF_FUNC_trace_printk, (uintptr_t)rw, 5, 0, 0, 0), -EINVAL);

	/* refused formats print nothing */
	n_logged = 0;
	strcpy(ro, "%d %d %d %d");
	assert_int_equal(result(rt, BPF_FUNC_trace_printk, (uintptr_t)ro, sizeof(ro), 1, 2, 3), -EINVAL);
	strcpy(ro, "%f");
	assert_int_equal(result(rt, BPF_FUNC_trace_printk, (uintptr_t)ro, sizeof(ro), 1, 2, 3), -EINVAL);
	assert_int_equal(n_logged, 0);

	/* the line is cut at 1023 bytes; the result is the whole length */
	strcpy(ro, "%1500d");
	assert_int_equal(result(rt, BPF_FUNC_trace_printk, (uintptr_t)ro, sizeof(ro), 7, 0, 0), 1500);
	assert_int_equal(strlen(logged), 1023);

	/* messages below the runtime's level are not formatted for the log, but still counted */
	xbpf_runtime_set_log(rt, log_fn, NULL, XBPF_LOG_WARN);
	n_logged = 0;
	strcpy(ro, "quiet");
	assert_int_equal(result(rt, BPF_FUNC_trace_printk, (uintptr_t)ro, sizeof(ro), 0, 0, 0), 5);
	assert_int_equal(n_logged, 0);
	/* a run without a runtime prints nowhere */
	assert_int_equal(result(NULL, BPF_FUNC_trace_printk, (uintptr_t)ro, sizeof(ro), 0, 0, 0), 5);
	xbpf_runtime_free(rt);
	memset(ro, 0, sizeof(ro));
}

static void test_snprintf(void **state)
{
	char *str = rw, *arg = rw + 64;
	uint64_t *data = (uint64_t *)(ro + 64);
	struct xbpf_exec exec;
	uint64_t r0;

	strcpy(ro, "%d-%s");
	strcpy(arg, "x");
	data[0] = (uint64_t)-7;
	data[1] = (uintptr_t)arg;
	memset(str, 'z', 16);
	assert_int_equal(result(NULL, BPF_FUNC_snprintf, (uintptr_t)str, 16, (uintptr_t)ro, (uintptr_t)data, 16), 5);
	assert_string_equal(str, "-7-x");
	/* the size needed with its NUL, whatever fits written and NUL-terminated */
	memset(str, 'z', 16);
	assert_int_equal(result(NULL, BPF_FUNC_snprintf, (uintptr_t)str, 3, (uintptr_t)ro, (uintptr_t)data, 16), 5);
	assert_memory_equal(str, "-7\0z", 4);
	assert_int_equal(result(NULL, BPF_FUNC_snprintf, 0, 0, (uintptr_t)ro, (uintptr_t)data, 16), 5);
	/* data: whole u64s, at most 12, enough for the format */
	assert_int_equal(result(NULL, BPF_FUNC_snprintf, (uintptr_t)str, 16, (uintptr_t)ro, (uintptr_t)data, 12),
			 -EINVAL);
	assert_int_equal(result(NULL, BPF_FUNC_snprintf, (uintptr_t)str, 16, (uintptr_t)ro, (uintptr_t)data, 13 * 8),
			 -EINVAL);
	assert_int_equal(result(NULL, BPF_FUNC_snprintf, (uintptr_t)str, 16, (uintptr_t)ro, (uintptr_t)data, 8),
			 -EINVAL);
	strcpy(ro, "no args");
	assert_int_equal(result(NULL, BPF_FUNC_snprintf, (uintptr_t)str, 16, (uintptr_t)ro, 0, 0), 8);
	assert_string_equal(str, "no args");

	/* the format is a constant: the gate refuses one the program could change */
	strcpy(rw + 128, "%d");
	ht_expect_fault(call(NULL, BPF_FUNC_snprintf, (uintptr_t)str, 16, (uintptr_t)rw + 128, (uintptr_t)data, 8,
			     &r0, &exec),
			&exec, -EFAULT, 10, "argument 3");
	/* NULL data must come with no length */
	ht_expect_fault(call(NULL, BPF_FUNC_snprintf, (uintptr_t)str, 16, (uintptr_t)ro, 0, 8, &r0, &exec), &exec,
			-EFAULT, 10, "NULL with a size that is not 0");
	/* the output must be writable */
	ht_expect_fault(call(NULL, BPF_FUNC_snprintf, (uintptr_t)ro, 16, (uintptr_t)ro, 0, 0, &r0, &exec), &exec,
			-EFAULT, 10, "16 writable bytes");
	memset(ro, 0, sizeof(ro));
}

static void test_strncmp(void **state)
{
	const struct {
		const char *s1;
		uint32_t n;
		const char *s2;
		int64_t want;
	} cases[] = {
		{"abc", 3, "abc", 0},  {"abd", 3, "abc", 1},   {"abb", 3, "abc", -1},
		{"abc", 2, "abx", 0},  {"abc", 3, "ab", 1},    {"ab", 3, "abc", -1},
		{"ab\0x", 4, "ab", 0}, {"\xff", 1, "a", 1},    {"z", 1, "zzzz", 0},
		{"", 1, "", 0},        {"hello", 5, "hellp", -1},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(rw, cases[i].s1, cases[i].n);
		strcpy(ro, cases[i].s2);
		if (result(NULL, BPF_FUNC_strncmp, (uintptr_t)rw, cases[i].n, (uintptr_t)ro, 0, 0) != cases[i].want)
			fail_msg("strncmp('%s', %u, '%s') is not %lld", cases[i].s1, cases[i].n, cases[i].s2,
				 (long long)cases[i].want);
	}
	/* s1 must be readable for its whole size, s2 a constant string */
	{
		struct xbpf_exec exec;
		uint64_t r0;

		ht_expect_fault(call(NULL, BPF_FUNC_strncmp, (uintptr_t)rw, sizeof(rw) + 1, (uintptr_t)ro, 0, 0, &r0,
				     &exec),
				&exec, -EFAULT, 10, "argument 1");
		ht_expect_fault(call(NULL, BPF_FUNC_strncmp, (uintptr_t)ro, 3, (uintptr_t)rw, 0, 0, &r0, &exec), &exec,
				-EFAULT, 10, "may read but not write");
	}
	memset(ro, 0, sizeof(ro));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_printk),
		cmocka_unit_test(test_snprintf),
		cmocka_unit_test(test_strncmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
