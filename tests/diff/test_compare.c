/* SPDX-License-Identifier: MIT */
/* The differential test's comparison must notice every kind of difference
 * and tolerate only what LRU maps may legitimately differ in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/bpf.h>

#include "compare.h"

static struct diff_packet pkts[3] = {
	{.len = 60, .kind = "ipv4/udp"},
	{.len = 14, .kind = "ipv4/udp cut-l3"},
	{.len = 80, .kind = "ipv6/tcp"},
};

/* Three frames and a hash map with two entries. */
static void sample(struct diff_result *r)
{
	static const uint8_t frame[80] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, [40] = 0x45};
	uint32_t k1 = 1, k2 = 2;
	uint64_t v1 = 100, v2 = 200;
	struct diff_map *m;

	memset(r, 0, sizeof(*r));
	assert_int_equal(diff_result_add_run(r, 0, XDP_PASS, frame, 60, NULL), 0);
	assert_int_equal(diff_result_add_run(r, -22, 0, NULL, 0, "refused"), 0);
	assert_int_equal(diff_result_add_run(r, 0, XDP_TX, frame, 80, NULL), 0);
	m = diff_result_add_map(r, "flows", BPF_MAP_TYPE_HASH, 4, 8, 16);
	assert_non_null(m);
	assert_int_equal(diff_map_add_entry(m, &k2, &v2), 0);
	assert_int_equal(diff_map_add_entry(m, &k1, &v1), 0);
	diff_result_sort(r);
}

/* Compares a with b; the report goes to *report (freed by the caller). */
static size_t compare(const struct diff_result *a, const struct diff_result *b, char **report)
{
	size_t size, found;
	FILE *out = open_memstream(report, &size);

	assert_non_null(out);
	found = diff_compare("prog", (struct diff_side){"kernel", a}, (struct diff_side){"xbpf", b},
			     pkts, out);
	fclose(out);
	return found;
}

static void expect(const struct diff_result *a, const struct diff_result *b, size_t n,
		   const char *needle)
{
	char *report = NULL;
	size_t found = compare(a, b, &report);

	if (found != n || (needle && !strstr(report, needle)))
		fail_msg("expected %zu differences mentioning \"%s\", got %zu:\n%s", n,
			 needle ? needle : "", found, report);
	free(report);
}

static void test_identical(void **state)
{
	struct diff_result a, b;

	sample(&a);
	sample(&b);
	expect(&a, &b, 0, NULL);
	diff_result_free(&a);
	diff_result_free(&b);
}

static void test_frames(void **state)
{
	struct diff_result a, b;

	sample(&a);
	sample(&b);
	b.runs[0].retval = XDP_DROP;
	expect(&a, &b, 1, "frame 0 (ipv4/udp, 60 bytes)");
	b.runs[0].retval = XDP_PASS;
	b.runs[2].data[41] ^= 1;
	expect(&a, &b, 1, " ^^");
	b.runs[2].data[41] ^= 1;
	b.runs[2].size = 79;
	expect(&a, &b, 1, "79 bytes out");
	b.runs[2].size = 80;
	b.runs[1].err = 0;
	expect(&a, &b, 1, "test run failed: Invalid argument (-22): refused");
	diff_result_free(&a);
	diff_result_free(&b);
}

static void test_map_entries(void **state)
{
	struct diff_result a, b;
	uint32_t k3 = 3;
	uint64_t v3 = 300;

	sample(&a);
	sample(&b);
	b.maps[0].entries[1].value[0] ^= 0xff;
	expect(&a, &b, 1, "values of key 02000000 differ");
	b.maps[0].entries[1].value[0] ^= 0xff;
	assert_int_equal(diff_map_add_entry(&b.maps[0], &k3, &v3), 0);
	expect(&a, &b, 1, "key 03000000 in xbpf, not in kernel");
	expect(&b, &a, 1, "key 03000000 in kernel, not in xbpf");
	diff_result_free(&a);
	diff_result_free(&b);
}

static void test_map_shape(void **state)
{
	struct diff_result a, b;

	sample(&a);
	sample(&b);
	b.maps[0].max_entries = 32;
	expect(&a, &b, 1, "xbpf has type 1, 4, 8, 32");
	b.maps[0].max_entries = 16;
	assert_non_null(diff_result_add_map(&b, ".bss", BPF_MAP_TYPE_ARRAY, 4, 8, 1));
	diff_result_sort(&b);
	expect(&a, &b, 1, "map .bss exists in xbpf, not in kernel");
	diff_result_free(&a);
	diff_result_free(&b);
}

static void test_global_data_names(void **state)
{
	struct diff_result a = {0}, b = {0};

	assert_non_null(diff_result_add_map(&a, "diff_glo.data.stats", BPF_MAP_TYPE_ARRAY, 4, 8, 1));
	assert_non_null(diff_result_add_map(&a, "diff_glo.rodata", BPF_MAP_TYPE_ARRAY, 4, 8, 1));
	assert_non_null(diff_result_add_map(&b, ".data.stats", BPF_MAP_TYPE_ARRAY, 4, 8, 1));
	assert_non_null(diff_result_add_map(&b, ".rodata", BPF_MAP_TYPE_ARRAY, 4, 8, 1));
	diff_result_sort(&a);
	diff_result_sort(&b);
	expect(&a, &b, 0, NULL);
	diff_result_free(&a);
	diff_result_free(&b);
}

static void add_queue(struct diff_result *r, const uint32_t *values, size_t n)
{
	struct diff_map *m = diff_result_add_map(r, "sources", BPF_MAP_TYPE_QUEUE, 0, 4, 8);
	size_t i;

	assert_non_null(m);
	for (i = 0; i < n; i++)
		assert_int_equal(diff_map_add_entry(m, NULL, &values[i]), 0);
	diff_result_sort(r);
}

static void test_queue_order(void **state)
{
	static const uint32_t order[] = {5, 1, 3}, other[] = {1, 5, 3}, shorter[] = {5, 1};
	struct diff_result a = {0}, b = {0}, c = {0}, d = {0};

	add_queue(&a, order, 3);
	add_queue(&b, order, 3);
	add_queue(&c, other, 3);
	add_queue(&d, shorter, 2);
	expect(&a, &b, 0, NULL);
	expect(&a, &c, 2, "element 0 differ");
	expect(&a, &d, 1, "holds 3 elements in kernel, 2 in xbpf");
	diff_result_free(&a);
	diff_result_free(&b);
	diff_result_free(&c);
	diff_result_free(&d);
}

/* An LRU map holding keys 1..n, key k last used at stamp 10 * k. */
static struct diff_map *add_lru(struct diff_result *r, uint32_t n, uint32_t skip)
{
	struct diff_map *m = diff_result_add_map(r, "hosts", BPF_MAP_TYPE_LRU_HASH, 4, 16, 8);
	uint32_t k;

	assert_non_null(m);
	for (k = 1; k <= n; k++) {
		uint64_t value[2] = {10 * k, k};

		if (k != skip)
			assert_int_equal(diff_map_add_entry(m, &k, value), 0);
	}
	diff_result_sort(r);
	return m;
}

static void test_lru(void **state)
{
	struct diff_result a = {0}, b = {0}, c = {0}, d = {0}, e = {0};

	add_lru(&a, 8, 0);
	add_lru(&b, 8, 2); /* evicted an old key: allowed */
	add_lru(&c, 8, 7); /* evicted a recently used key */
	add_lru(&d, 9, 0); /* more than max_entries */
	add_lru(&e, 8, 0);
	e.maps[0].entries[0].value[8] ^= 1;
	expect(&a, &b, 0, NULL);
	expect(&b, &a, 0, NULL);
	expect(&a, &c, 1, "key 07000000 recently used in kernel, not in xbpf");
	/* Key 9 is also the most recent key, missing from the kernel's map. */
	expect(&a, &d, 2, "holds 9 entries in xbpf, more than its 8");
	expect(&a, &e, 1, "values of key 01000000 differ");
	diff_result_free(&a);
	diff_result_free(&b);
	diff_result_free(&c);
	diff_result_free(&d);
	diff_result_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),  cmocka_unit_test(test_frames),
		cmocka_unit_test(test_map_entries), cmocka_unit_test(test_map_shape),
		cmocka_unit_test(test_global_data_names), cmocka_unit_test(test_queue_order),
		cmocka_unit_test(test_lru),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
