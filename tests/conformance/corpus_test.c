/* SPDX-License-Identifier: MIT */
/* Unit tests of the corpus reader (tests/conformance/corpus.c): listing the
 * test files and turning each into a program with what it expects. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "corpus.h"

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/xbpf-corpus-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	write_file("b.data", "-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n");
	write_file("a.data", "-- asm\nlddw %r0, 0x1122334455667788\nexit\n"
			     "-- raw\n0x5566778800000018\n0x1122334400000000\n0x95\n-- result\n0x1\n");
	write_file("mismatch.data", "-- asm\nmov %r0, 1\nexit\n-- raw\n0x95\n-- result\n0x1\n");
	write_file("nothing.data", "-- asm\nexit\n");
	write_file("rejected.data", "-- raw\n87 10 00 00 00 00 00 00\n95 00 00 00 00 00 00 00\n-- error\n");
	write_file("badasm.data", "-- asm\nfrob\n-- result\n0x0\n");
	write_file("notes.txt", "not a test\n");
	return 0;
}

static int teardown(void **state)
{
	static const char *const names[] = {"a.data", "b.data", "mismatch.data", "nothing.data",
					    "rejected.data", "badasm.data", "notes.txt"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	return rmdir(dir);
}

static void test_list(void **state)
{
	char **paths;
	size_t n;
	assert_int_equal(corpus_list(dir, &paths, &n), 0);
	assert_int_equal(n, 6);
	const char *want[] = {"a.data", "b.data", "badasm.data", "mismatch.data", "nothing.data",
			      "rejected.data"};
	for (size_t i = 0; i < n; i++)
		assert_string_equal(corpus_base_name(paths[i]), want[i]);
	corpus_list_free(paths, n);

	assert_int_equal(corpus_list("/nonexistent/xbpf", &paths, &n), -ENOENT);
}

static enum case_status load(const char *name, struct test_case *tc)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return test_case_load(path, tc);
}

static void test_load(void **state)
{
	struct test_case tc;

	assert_int_equal(load("b.data", &tc), CASE_READY);
	assert_int_equal(tc.count, 2);
	assert_true(tc.df.has_result);
	test_case_free(&tc);

	/* asm and raw agree: the raw section is the program. */
	assert_int_equal(load("a.data", &tc), CASE_READY);
	assert_int_equal(tc.count, 3);
	assert_int_equal(tc.insns[1].imm, 0x11223344);
	test_case_free(&tc);

	assert_int_equal(load("mismatch.data", &tc), CASE_BAD_ASM);
	assert_string_equal(tc.why, "asm and raw sections differ: 2 slots assembled, 1 raw");
	test_case_free(&tc);

	assert_int_equal(load("nothing.data", &tc), CASE_SKIP);
	assert_string_equal(tc.why, "no result and no error to expect");
	test_case_free(&tc);

	/* An empty error section expects a failure. */
	assert_int_equal(load("rejected.data", &tc), CASE_READY);
	assert_true(tc.df.has_error);
	assert_int_equal(tc.count, 2);
	test_case_free(&tc);

	assert_int_equal(load("badasm.data", &tc), CASE_BAD_ASM);
	assert_string_equal(tc.why, "asm: line 2: unknown mnemonic 'frob'");
	test_case_free(&tc);

	assert_int_equal(load("missing.data", &tc), CASE_BAD_FILE);
	assert_string_equal(tc.why, "No such file or directory");
	test_case_free(&tc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
