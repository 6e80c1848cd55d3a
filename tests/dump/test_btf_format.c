/* SPDX-License-Identifier: MIT */
/*
 * The BTF value formatter of `xbpf map dump` (tools/xbpf/btf_format.c):
 * values of types clang described in a compiled object, and of types built
 * here for the kinds the object lacks, printed as JSON.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>

#include "btf_format.h"

/* The value type of dump_maps.bpf.c, laid out as clang lays it out. */
enum color { RED = 1, GREEN = 2, BLUE = 4 };
struct point {
	int16_t x;
	int16_t y;
};
struct flow_value {
	char name[8];
	enum color color;
	struct point where;
	uint32_t hist[3];
	unsigned int low : 4;
	unsigned int high : 12;
	int64_t delta;
};

static char text[4096];

/* Formats into text; returns the formatter's result. */
static int fmt(const struct btf *btf, uint32_t id, const void *data, size_t size)
{
	FILE *f = fmemopen(text, sizeof(text), "w");
	assert_non_null(f);
	int rc = cli_btf_format(f, btf, id, data, size);
	assert_int_equal(fclose(f), 0);
	return rc;
}

static uint32_t find(const struct btf *btf, const char *name, int kind)
{
	int id = btf__find_by_name_kind(btf, name, kind);
	assert_true(id > 0);
	return (uint32_t)id;
}

static struct btf *object_btf(void)
{
	struct btf *btf = btf__parse_elf(XBPF_TEST_BPF_OBJECT_DIR "/dump_maps.bpf.o", NULL);
	assert_non_null(btf);
	return btf;
}

static void test_struct_from_clang(void **state)
{
	(void)state;
	struct btf *btf = object_btf();
	uint32_t id = find(btf, "flow_value", BTF_KIND_STRUCT);
	struct flow_value v = {.name = "web", .color = GREEN, .where = {-3, 4},
			       .hist = {1, 2, 3}, .low = 5, .high = 300, .delta = -42};
	assert_int_equal(btf__resolve_size(btf, id), sizeof(v));

	assert_int_equal(fmt(btf, id, &v, sizeof(v)), 0);
	assert_string_equal(text, "{\"name\": \"web\", \"color\": \"GREEN\", \"where\": {\"x\": -3, "
				  "\"y\": 4}, \"hist\": [1, 2, 3], \"low\": 5, \"high\": 300, "
				  "\"delta\": -42}");

	/* An enum value without a name is a number; a char array that is not
	 * text is a list; a quote is escaped. */
	v.color = (enum color)3;
	memcpy(v.name, "\x01\x02", 3);
	v.low = 15;
	assert_int_equal(fmt(btf, id, &v, sizeof(v)), 0);
	assert_non_null(strstr(text, "\"name\": [1, 2, 0, 0, 0, 0, 0, 0], \"color\": 3,"));
	assert_non_null(strstr(text, "\"low\": 15, \"high\": 300"));
	memcpy(v.name, "a\"b\\c", 6);
	assert_int_equal(fmt(btf, id, &v, sizeof(v)), 0);
	assert_non_null(strstr(text, "{\"name\": \"a\\\"b\\\\c\","));

	/* The key struct of the hash map. */
	uint8_t key[8] = {0x01, 0x00, 0x00, 0x0a, 80, 0, 6, 0};
	assert_int_equal(fmt(btf, find(btf, "flow_key", BTF_KIND_STRUCT), key, sizeof(key)), 0);
	assert_string_equal(text, "{\"addr\": 167772161, \"port\": 80, \"proto\": 6, \"pad\": 0}");
	btf__free(btf);
}

static void test_refuses_what_does_not_fit(void **state)
{
	(void)state;
	struct btf *btf = object_btf();
	uint32_t id = find(btf, "flow_value", BTF_KIND_STRUCT);
	struct flow_value v = {0};
	assert_int_equal(fmt(btf, id, &v, sizeof(v) - 1), -EINVAL);
	assert_int_equal(fmt(btf, 0, &v, sizeof(v)), -EINVAL);
	assert_int_equal(fmt(btf, btf__type_cnt(btf), &v, sizeof(v)), -EINVAL);
	/* A function has no value. */
	assert_int_equal(fmt(btf, find(btf, "fill", BTF_KIND_FUNC), &v, sizeof(v)), -EINVAL);
	btf__free(btf);

	/* Members that lie beyond the struct's bytes (BTF libbpf accepts): an
	 * error, never a read past the value (ASan would see it). */
	btf = btf__new_empty();
	assert_non_null(btf);
	int u32 = btf__add_int(btf, "unsigned int", 4, 0);
	int past = btf__add_struct(btf, "past", 4);
	assert_int_equal(btf__add_field(btf, "x", u32, 64, 0), 0);
	int bits = btf__add_struct(btf, "bits_past", 4);
	assert_int_equal(btf__add_field(btf, "b", u32, 30, 5), 0);
	assert_true(u32 > 0 && past > 0 && bits > 0);
	uint8_t four[4] = {0};
	assert_int_equal(fmt(btf, (uint32_t)past, four, sizeof(four)), -EINVAL);
	assert_int_equal(fmt(btf, (uint32_t)bits, four, sizeof(four)), -EINVAL);
	btf__free(btf);
}

/* Kinds clang did not emit for dump_maps.bpf.c. */
static void test_other_kinds(void **state)
{
	(void)state;
	struct btf *btf = btf__new_empty();
	assert_non_null(btf);
	int u8 = btf__add_int(btf, "unsigned char", 1, 0);
	int s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	int u32 = btf__add_int(btf, "unsigned int", 4, 0);
	int boolean = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	int u128 = btf__add_int(btf, "unsigned __int128", 16, 0);
	int dbl = btf__add_float(btf, "double", 8);
	int ptr = btf__add_ptr(btf, u32);
	int mac_t = btf__add_typedef(btf, "__u8", u8);
	int mac = btf__add_array(btf, u32, mac_t, 3);
	int e64 = btf__add_enum64(btf, "big", 8, false);
	assert_int_equal(btf__add_enum64_value(btf, "HUGE", 1ULL << 40), 0);
	int cst = btf__add_const(btf, e64);

	/* union { int i; unsigned int u; } inside an anonymous member. */
	int uni = btf__add_union(btf, NULL, 4);
	assert_int_equal(btf__add_field(btf, "i", s32, 0, 0), 0);
	assert_int_equal(btf__add_field(btf, "u", u32, 0, 0), 0);

	int st = btf__add_struct(btf, "kinds", 64);
	assert_int_equal(btf__add_field(btf, "flag", boolean, 0, 0), 0);
	assert_int_equal(btf__add_field(btf, "neg", s32, 8, 3), 0);  /* signed bitfield */
	assert_int_equal(btf__add_field(btf, "mac", mac, 16, 0), 0); /* __u8[3]: a list */
	assert_int_equal(btf__add_field(btf, NULL, uni, 64, 0), 0);  /* merged in */
	assert_int_equal(btf__add_field(btf, "d", dbl, 128, 0), 0);
	assert_int_equal(btf__add_field(btf, "p", ptr, 192, 0), 0);
	assert_int_equal(btf__add_field(btf, "wide", u128, 256, 0), 0);
	assert_int_equal(btf__add_field(btf, "e", cst, 384, 0), 0);
	assert_true(u8 > 0 && s32 > 0 && u32 > 0 && boolean > 0 && u128 > 0 && dbl > 0 &&
		    ptr > 0 && mac_t > 0 && mac > 0 && e64 > 0 && cst > 0 && uni > 0 && st > 0);

	uint8_t v[64] = {0};
	v[0] = 1;                 /* flag */
	v[1] = 0x06;              /* neg: 3 bits 110 = -2 */
	v[2] = 0xaa, v[3] = 0xbb, v[4] = 0xcc;
	int32_t minus = -7;
	memcpy(v + 8, &minus, 4);
	double d = 1.5;
	memcpy(v + 16, &d, 8);
	uint64_t p = 0x1000;
	memcpy(v + 24, &p, 8);
	v[32] = 0x01, v[47] = 0x80; /* wide: 0x80...01 */
	uint64_t huge = 1ULL << 40;
	memcpy(v + 48, &huge, 8);

	assert_int_equal(fmt(btf, (uint32_t)st, v, sizeof(v)), 0);
	assert_string_equal(text, "{\"flag\": true, \"neg\": -2, \"mac\": [170, 187, 204], "
				  "\"i\": -7, \"u\": 4294967289, \"d\": 1.5, \"p\": \"0x1000\", "
				  "\"wide\": \"0x80000000000000000000000000000001\", \"e\": \"HUGE\"}");
	btf__free(btf);
}

/* Sizes crafted BTF can give that the formatter must not trust: a pointer
 * libbpf resolves to 4 bytes is read as 4 (not 8: past the value), an enum
 * wider than 8 bytes is an error (it cannot be read as a 64-bit number). */
static void test_crafted_sizes(void **state)
{
	(void)state;
	struct btf *btf = btf__new_empty();
	assert_non_null(btf);
	int u32 = btf__add_int(btf, "unsigned int", 4, 0);
	int ptr = btf__add_ptr(btf, u32);
	int e = btf__add_enum(btf, "wide", 8);
	assert_true(u32 > 0 && ptr > 0 && e > 0);
	assert_int_equal(btf__add_enum_value(btf, "ONE", 1), 0);
	assert_int_equal(btf__set_pointer_size(btf, 4), 0);

	/* Only the first 4 bytes are the value; the rest must stay unread. */
	uint8_t bytes[16] = {0x11, 0x22, 0x33, 0x44, 0xaa, 0xbb, 0xcc, 0xdd};
	assert_int_equal(fmt(btf, (uint32_t)ptr, bytes, 4), 0);
	assert_string_equal(text, "\"0x44332211\"");

	/* libbpf's btf__add_enum refuses sizes over 8: widen the type after. */
	((struct btf_type *)btf__type_by_id(btf, (uint32_t)e))->size = 16;
	assert_int_equal(fmt(btf, (uint32_t)e, bytes, sizeof(bytes)), -EINVAL);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_struct_from_clang),
		cmocka_unit_test(test_refuses_what_does_not_fit),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_crafted_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
