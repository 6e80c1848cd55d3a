/* SPDX-License-Identifier: MIT */
/* Unit tests of the .data reader (tests/conformance/data_file.c): sections,
 * comments, both raw spellings, mem, result and error, and bad files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "data_file.h"

static void test_sections(void **state)
{
	struct data_file df;
	char err[128];
	const char *text = "# Copyright line\n"
			   "-- asm\n"
			   "mov %r0, 1 # comment\n"
			   "\n"
			   "exit\n"
			   "-- mem\n"
			   "00 aA\n"
			   "Ff  7\n"
			   "-- result\n"
			   "0x1\n"
			   "0xFFFFFFF6\n"
			   "-- no register offset\n"
			   "call instruction\n";
	assert_int_equal(data_file_parse(text, &df, err, sizeof(err)), 0);
	assert_true(df.has_asm);
	/* Lines keep their numbers: everything outside the asm section is blank. */
	assert_string_equal(df.asm_text, "\n\nmov %r0, 1 \n\nexit\n\n\n\n\n\n\n\n\n");
	assert_int_equal(df.mem_len, 4);
	const uint8_t mem[] = {0x00, 0xaa, 0xff, 0x07};
	assert_memory_equal(df.mem, mem, sizeof(mem));
	assert_true(df.has_result);
	assert_int_equal(df.result, 0xfffffff6); /* the last line counts */
	assert_false(df.has_error);
	assert_int_equal(df.raw_count, 0);
	data_file_free(&df);
}

static void test_raw_spellings(void **state)
{
	struct data_file df;
	char err[128];
	const char *words = "-- raw\n"
			    "0x5566778800000018 0x1122334400000000\n"
			    "149\n";
	assert_int_equal(data_file_parse(words, &df, err, sizeof(err)), 0);
	assert_int_equal(df.raw_count, 3);
	assert_int_equal(df.raw[0].opcode, 0x18);
	assert_int_equal(df.raw[0].imm, 0x55667788);
	assert_int_equal(df.raw[1].imm, 0x11223344);
	assert_int_equal(df.raw[2].opcode, 0x95);
	data_file_free(&df);

	const char *bytes = "-- raw\n"
			    "07 12 fe ff 01 00 00 80\r\n"
			    "95 00 00 00 00 00 00 00\n"
			    "-- error\n";
	assert_int_equal(data_file_parse(bytes, &df, err, sizeof(err)), 0);
	assert_int_equal(df.raw_count, 2);
	assert_int_equal(df.raw[0].opcode, 0x07);
	assert_int_equal(df.raw[0].dst, 2);
	assert_int_equal(df.raw[0].src, 1);
	assert_int_equal(df.raw[0].off, -2);
	assert_int_equal(df.raw[0].imm, INT32_MIN + 1);
	assert_true(df.has_error);
	assert_string_equal(df.error, "");
	assert_false(df.has_result);
	data_file_free(&df);
}

static void test_error_and_ignored_sections(void **state)
{
	struct data_file df;
	char err[128];
	const char *text = "-- asm\n"
			   "or %r0, %r10\n"
			   "-- c\n"
			   "int main(void) { return 0; }\n"
			   "-- error\n"
			   "first\n"
			   "  Invalid   \n";
	assert_int_equal(data_file_parse(text, &df, err, sizeof(err)), 0);
	assert_true(df.has_error);
	assert_string_equal(df.error, "Invalid");
	assert_false(df.has_result);
	data_file_free(&df);

	assert_int_equal(data_file_parse("", &df, err, sizeof(err)), 0);
	assert_false(df.has_asm || df.has_result || df.has_error);
	data_file_free(&df);
}

struct bad_file {
	const char *text;
	const char *message;
};

static void test_bad_files(void **state)
{
	static const struct bad_file cases[] = {
		{"-- asm\n-- Unknown directive\n", "line 2: unknown directive '-- Unknown directive'"},
		{"-- mem\n0g\n", "mem: '0g' is not a hex byte"},
		{"-- mem\n123\n", "mem: '123' is not a hex byte"},
		{"-- raw\n0xzz\n", "raw: '0xzz' is not a 64-bit instruction word"},
		{"-- raw\n0x10000000000000000\n", "raw: '0x10000000000000000' is not a 64-bit "
						  "instruction word"},
		{"-- result\n12x\n", "result: '12x' is not a 64-bit number"},
		{"-- result\n1 0x2\n", "result: '1 0x2' is not a 64-bit number"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct data_file df;
		char err[128];
		assert_int_equal(data_file_parse(cases[i].text, &df, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i].message);
		assert_null(df.asm_text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_raw_spellings),
		cmocka_unit_test(test_error_and_ignored_sections),
		cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
