/* SPDX-License-Identifier: MIT */
/*
 * The format engine of the printf-like helpers, called directly: what the
 * kernel's bpf_bprintf_prepare accepts and refuses, and what bstr_printf
 * prints for it (flags, widths, lengths, strings and addresses from the
 * program's memory), cut output and the room arguments may take.
 */
#include <limits.h>

#include "helper_test.h"
#include "helpers/bprintf.h"

/* Memory the program may read: strings and addresses live here. */
static char readable[1024];
static struct xbpf_region readable_region = {(uintptr_t)readable, (uintptr_t)readable + sizeof(readable),
					     XBPF_MEM_READ};

static void init_exec(struct xbpf_exec *exec)
{
	xbpf_exec_init(exec);
	exec->fixed = &readable_region;
	exec->n_fixed = 1;
}

/* Formats with up to three arguments into a roomy buffer. */
static int format(char *out, size_t size, const char *fmt, uint64_t a, uint64_t b, uint64_t c)
{
	const uint64_t args[3] = {a, b, c};
	struct xbpf_exec exec;

	init_exec(&exec);
	return xbpf_bprintf(&exec, fmt, strlen(fmt), args, 3, out, size);
}

static void expect(const char *fmt, uint64_t a, uint64_t b, const char *want)
{
	char out[256];
	int n = format(out, sizeof(out), fmt, a, b, 0);

	if (n != (int)strlen(want) || strcmp(out, want))
		fail_msg("'%s': got %d '%s', want '%s'", fmt, n, n >= 0 ? out : "", want);
}

static void expect_error(const char *fmt, int err)
{
	char out[8] = "xxxxxxx";
	int n = format(out, sizeof(out), fmt, (uintptr_t)readable, 0, 0);

	if (n != err)
		fail_msg("'%s': got %d, want %d", fmt, n, err);
	assert_string_equal(out, "xxxxxxx"); /* nothing written */
}

static void test_numbers(void **state)
{
	expect("hello", 0, 0, "hello");
	expect("%d", (uint64_t)-5, 0, "-5");
	expect("%d", 0xffffffffu, 0, "-1"); /* 32 bits without l */
	expect("%i", 42, 0, "42");
	expect("%u", 0xffffffffu, 0, "4294967295");
	expect("%u", 0x100000005ull, 0, "5");
	expect("%ld %lld", (uint64_t)-5, 1ull << 40, "-5 1099511627776");
	expect("%lu", UINT64_MAX, 0, "18446744073709551615");
	expect("%lli", (uint64_t)INT64_MIN, 0, "-9223372036854775808");
	expect("%x %lx", 0xdeadbeefcafeull, 0xdeadbeefcafeull, "beefcafe deadbeefcafe");
	expect("%X %llX", 0xab, 0xabcdef0123ull, "AB ABCDEF0123");
	expect("%5d|%-5d|", 42, 42, "   42|42   |");
	expect("%05d %05d", (uint64_t)-42, 42, "-0042 00042");
	expect("%+d %+d", 5, (uint64_t)-5, "+5 -5");
	expect("% d % d", 5, (uint64_t)-5, " 5 -5");
	expect("%+ d|% +d", 5, 5, "+5|+5");
	expect("%-05d|%0-5d|", 7, 7, "7    |7    |");
	expect("%+u % x", 5, 0xa, "5 a");
	expect("%08x %-4x|", 0xbeef, 0xa, "0000beef a   |");
	expect("%1d%10d", 123, 1, "123         1");
}

static void test_characters_and_strings(void **state)
{
	strcpy(readable, "str");
	expect("%c%c", 'A', 'b', "Ab");
	expect("%3c|%-3c|", 'A', 'B', "  A|B  |");
	expect("%c", 0x141, 0, "A"); /* one byte */
	expect("%s", (uintptr_t)readable, 0, "str");
	expect("%6s|%-6s|", (uintptr_t)readable, (uintptr_t)readable, "   str|str   |");
	expect("%06s|", (uintptr_t)readable, 0, "   str|");
	expect("[%s],%s.", (uintptr_t)readable, (uintptr_t)readable, "[str],str.");
	/* what the program may not read prints as nothing */
	expect("<%s><%s>", 0, 0x10, "<><>");
	expect("<%s>", (uintptr_t)readable_region.end - 1, 0, "<>"); /* runs off the readable memory */
	memset(readable, 0, sizeof(readable));
}

static void test_pointers_and_addresses(void **state)
{
	static const uint8_t v4[4] = {192, 168, 0, 1};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

	expect("%p %px", 0x1234, 0xffff888012345678ull, "0000000000001234 ffff888012345678");
	expect("%pK,%p", 0xabc, 0, "0000000000000abc,0000000000000000");
	expect("%8p|%-p|", 0x1234, 0x1234, "    1234|1234            |");
	expect("%pxyz!", 0x1, 0, "0000000000000001!"); /* letters after a pointer are skipped */

	memcpy(readable, v4, sizeof(v4));
	memcpy(readable + 16, v6, sizeof(v6));
	expect("%pI4 %pi4", (uintptr_t)readable, (uintptr_t)readable, "192.168.0.1 192.168.000.001");
	expect("%pI6", (uintptr_t)readable + 16, 0, "2001:0db8:0000:0000:0000:0000:0000:0001");
	expect("%pi6", (uintptr_t)readable + 16, 0, "20010db8000000000000000000000001");
	expect("%16pI4|%-12pI4|", (uintptr_t)readable, (uintptr_t)readable, "     192.168.0.1|192.168.0.1 |");
	expect("%pI4abc %pI4c", (uintptr_t)readable, (uintptr_t)readable, "192.168.0.1 192.168.0.1");
	/* an address the program may not read prints as zeros */
	expect("%pI4 %pI6", 0x10, (uintptr_t)readable_region.end - 8, "0.0.0.0 0000:0000:0000:0000:0000:0000:0000:0000");
	memset(readable, 0, sizeof(readable));
}

static void test_percent_and_white_space(void **state)
{
	expect("100%%", 0, 0, "100%");
	expect("%%d %%%d%%", 7, 0, "%d %7%");
	expect("a\tb\nc\r\v\f", 0, 0, "a\tb\nc\r\v\f");
	expect("", 0, 0, "");
}

static void test_refused(void **state)
{
	const char *bad[] = {
		"%", "abc%", "%q", "%ls", "%lc", "%lp", "%hd", "%hhd", "%zd", "%jd", "%lllx", "%Lf", "%f",
		"%.2d", "%*d", "%#x", "%0", "%-", "%sx", "%s1", "%pB", "%ps", "%pS", "%pks", "%pus", "%pI5",
		"%pI", "%pa", "%pM", "%n", "\x01", "a\x7f", "\x80", "caf\xc3\xa9", "%d %d %d %d",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], -EINVAL);

	/* one conversion per argument */
	{
		struct xbpf_exec exec;
		char out[8];

		init_exec(&exec);
		assert_int_equal(xbpf_bprintf(&exec, "%d", 2, NULL, 0, out, sizeof(out)), -EINVAL);
		assert_int_equal(xbpf_bprintf(&exec, "no args", 7, NULL, 0, out, sizeof(out)), 7);
		assert_int_equal(xbpf_bprintf(&exec, "%%", 2, NULL, 0, out, sizeof(out)), 1);
	}
}

/* Arguments take room as in the kernel: strings are cut to what is left,
 * and nothing fits once it is all taken. */
static void test_argument_room(void **state)
{
	uint64_t args[XBPF_BPRINTF_MAX_ARGS];
	struct xbpf_exec exec;
	char out[1024];
	int i, n;

	init_exec(&exec);
	memset(readable, 'a', 300);
	readable[300] = '\0';
	for (i = 0; i < XBPF_BPRINTF_MAX_ARGS; i++)
		args[i] = (uintptr_t)readable;
	/* 301 bytes, then the 211 left: 210 characters and the NUL */
	n = xbpf_bprintf(&exec, "%s|%s", 5, args, 2, out, sizeof(out));
	assert_int_equal(n, 300 + 1 + 210);
	assert_int_equal(out[300], '|');
	assert_int_equal(strlen(out + 301), 210);
	assert_int_equal(xbpf_bprintf(&exec, "%s%s%s", 6, args, 3, out, sizeof(out)), -ENOSPC);
	assert_int_equal(xbpf_bprintf(&exec, "%s%s%c", 6, args, 3, out, sizeof(out)), -ENOSPC);
	assert_int_equal(xbpf_bprintf(&exec, "%s%s%d", 6, args, 3, out, sizeof(out)), -ENOSPC);
	/* numbers take 4 or 8 bytes, 4-byte aligned: 510 + 2 left is too little */
	memset(readable, 'a', 509);
	readable[509] = '\0';
	args[1] = args[2] = 7;
	assert_int_equal(xbpf_bprintf(&exec, "%s%c%c", 6, args, 3, out, sizeof(out)), 509 + 2);
	assert_int_equal(xbpf_bprintf(&exec, "%s%c%d", 6, args, 3, out, sizeof(out)), -ENOSPC);
	readable[505] = '\0'; /* 506 bytes, aligned to 508: room for one int */
	assert_int_equal(xbpf_bprintf(&exec, "%s%d", 4, args, 2, out, sizeof(out)), 505 + 1);
	assert_int_equal(xbpf_bprintf(&exec, "%s%ld", 5, args, 2, out, sizeof(out)), -ENOSPC);
	assert_int_equal(xbpf_bprintf(&exec, "%s%p", 4, args, 2, out, sizeof(out)), -ENOSPC);
	/* an address needs its 4 bytes; its text is cut to the 6 left */
	assert_int_equal(xbpf_bprintf(&exec, "%s%pI4", 6, args, 2, out, sizeof(out)), 505 + 5);
	assert_string_equal(out + 505, "0.0.0");
	assert_int_equal(xbpf_bprintf(&exec, "%s%pI6", 6, args, 2, out, sizeof(out)), -ENOSPC);
	/* twelve numbers fit */
	assert_int_equal(xbpf_bprintf(&exec, "%d%d%d%d%d%d%d%d%d%d%d%d", 24, (uint64_t[12]){0}, 12, out, sizeof(out)),
			 12);
	memset(readable, 0, sizeof(readable));
}

static void test_output_is_cut(void **state)
{
	char out[8];

	memset(out, 'x', sizeof(out));
	assert_int_equal(format(out, 4, "hello", 0, 0, 0), 5);
	assert_memory_equal(out, "hel\0xxxx", 8);
	assert_int_equal(format(out, 1, "hello", 0, 0, 0), 5);
	assert_int_equal(out[0], '\0');
	assert_int_equal(format(NULL, 0, "%d", 12345, 0, 0), 5);
	assert_int_equal(format(out, 6, "%5d%5d", 1, 2, 0), 10);
	assert_string_equal(out, "    1");
	/* widths are clamped as in the kernel, and only what fits is written */
	assert_int_equal(format(out, sizeof(out), "%99999999d", 1, 0, 0), (1 << 23) - 1);
	assert_string_equal(out, "       ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_characters_and_strings),
		cmocka_unit_test(test_pointers_and_addresses),
		cmocka_unit_test(test_percent_and_white_space),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_argument_room),
		cmocka_unit_test(test_output_is_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
