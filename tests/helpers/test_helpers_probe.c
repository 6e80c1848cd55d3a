/* SPDX-License-Identifier: MIT */
/*
 * bpf_probe_read_user and bpf_probe_read_user_str: any address of the
 * process, a fault as -EFAULT with the destination zeroed, strings cut to
 * the buffer, nothing written past a string's NUL, and strings that end
 * right before an unmapped page.
 */
#include <linux/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include "helper_test.h"

static char dst[64];

static int64_t read_into_dst(uint32_t id, uint64_t size, const void *src)
{
	return (int64_t)ht_call_with(id, dst, sizeof(dst), XBPF_MEM_RW, (uintptr_t)dst, size, (uintptr_t)src, 0, 0);
}

/* Two pages with the second unmapped: returns the first. */
static char *page_before_hole(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(munmap(p + page, page), 0);
	return p;
}

static void test_read(void **state)
{
	static const char secret[] = "host memory";
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = page_before_hole();

	memset(dst, 'x', sizeof(dst));
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user, sizeof(secret), secret), 0);
	assert_memory_equal(dst, secret, sizeof(secret));
	assert_int_equal(dst[sizeof(secret)], 'x');

	/* nothing mapped: -EFAULT and the whole destination zeroed */
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user, 16, (void *)8), -EFAULT);
	assert_memory_equal(dst, (char[16]){0}, 16);
	assert_int_equal(dst[16], 'x');
	/* partly mapped is a fault too */
	memset(p + page - 8, 'a', 8);
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user, 9, p + page - 8), -EFAULT);
	assert_memory_equal(dst, (char[9]){0}, 9);
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user, 8, p + page - 8), 0);
	assert_memory_equal(dst, "aaaaaaaa", 8);
	/* nothing to read, nothing done */
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user, 0, (void *)8), 0);
	munmap(p, page);
}

static void test_read_str(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = page_before_hole();
	char long_str[200];

	/* the length with its NUL; bytes after the NUL are left alone */
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, sizeof(dst), "hello"), 6);
	assert_memory_equal(dst, "hello\0xx", 8);
	/* cut to the buffer, always NUL-terminated */
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, 4, "hello"), 4);
	assert_memory_equal(dst, "hel\0x", 5);
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, 6, "hello"), 6);
	assert_memory_equal(dst, "hello", 6);
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, 1, "hello"), 1);
	assert_int_equal(dst[0], 0);
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, 0, "hello"), 0);
	/* longer than one piece of the copy */
	memset(long_str, 'b', sizeof(long_str));
	long_str[sizeof(long_str) - 1] = '\0';
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, sizeof(dst), long_str), sizeof(dst));
	assert_int_equal(dst[sizeof(dst) - 1], 0);
	assert_int_equal(dst[sizeof(dst) - 2], 'b');

	/* a string that ends right before unmapped memory is fine */
	memcpy(p + page - 4, "end", 4);
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, sizeof(dst), p + page - 4), 4);
	assert_string_equal(dst, "end");
	/* one that runs into it is a fault: zeroed */
	memset(p + page - 4, 'c', 4);
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, sizeof(dst), p + page - 4), -EFAULT);
	assert_memory_equal(dst, (char[sizeof(dst)]){0}, sizeof(dst));
	/* but not if the buffer ends first */
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, 5, p + page - 4), -EFAULT);
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, 4, p + page - 4), 4);
	assert_string_equal(dst, "ccc");
	assert_int_equal(read_into_dst(BPF_FUNC_probe_read_user_str, 16, NULL), -EFAULT);
	munmap(p, page);
}

static void test_destination_is_checked(void **state)
{
	const uint64_t args[5] = {(uintptr_t)dst, 8, (uintptr_t)"abc"};
	struct xbpf_exec exec;
	uint64_t r0;

	/* the program may not write dst here */
	ht_exec_init(&exec, NULL, NULL);
	ht_expect_fault(ht_call(&exec, BPF_FUNC_probe_read_user_str, args, &r0), &exec, -EFAULT, 10,
			"8 writable bytes are not accessible");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_str),
		cmocka_unit_test(test_destination_is_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
