/* SPDX-License-Identifier: MIT */
/* The JSON reader the CLI comparison uses: the output format of
 * `xbpf run --json`, and text it must refuse without crashing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static void test_run_output(void **state)
{
	static const char text[] =
		"{\"program\": \"xdp_parse\", \"engine\": \"interpreter\",\n"
		" \"runs\": [{\"data\": \"f0.bin\", \"retval\": 2, \"data_out\": \"0a0b\","
		" \"duration_ns\": 1.5e3}],\n"
		" \"maps\": {\"flows\": {\"type\": \"hash\", \"entries\": [{\"key\": \"01000000\","
		" \"value\": \"ff\"}]},\n"
		"  \"per\": {\"type\": \"percpu_array\", \"entries\": [{\"key\": \"00000000\","
		" \"values\": [\"01\", \"02\"]}]}, \"q\": {\"type\": \"queue\"}}}";
	const struct json *runs, *flows, *entry, *per, *values;
	struct json j;
	char why[128];

	assert_int_equal(json_parse(text, &j, why, sizeof(why)), 0);
	assert_int_equal(j.kind, JSON_OBJECT);
	assert_string_equal(json_member(&j, "program")->string, "xdp_parse");
	runs = json_member(&j, "runs");
	assert_int_equal(runs->kind, JSON_ARRAY);
	assert_int_equal(runs->n, 1);
	assert_true(json_member(&runs->items[0], "retval")->number == 2);
	assert_true(json_member(&runs->items[0], "duration_ns")->number == 1500);
	assert_string_equal(json_member(&runs->items[0], "data_out")->string, "0a0b");
	flows = json_member(json_member(&j, "maps"), "flows");
	assert_string_equal(json_member(flows, "type")->string, "hash");
	entry = &json_member(flows, "entries")->items[0];
	assert_string_equal(json_member(entry, "key")->string, "01000000");
	per = json_member(json_member(&j, "maps"), "per");
	values = json_member(&json_member(per, "entries")->items[0], "values");
	assert_int_equal(values->n, 2);
	assert_string_equal(values->items[1].string, "02");
	assert_null(json_member(json_member(json_member(&j, "maps"), "q"), "entries"));
	assert_null(json_member(&j, "absent"));
	assert_null(json_member(runs, "retval"));
	json_free(&j);
}

static void test_scalars(void **state)
{
	struct json j;
	char why[128];

	assert_int_equal(json_parse(" [true, false, null, -0.25e1, 0, \"a\\\"\\\\\\n\\u0041\"] ",
				    &j, why, sizeof(why)),
			 0);
	assert_int_equal(j.n, 6);
	assert_int_equal(j.items[0].kind, JSON_TRUE);
	assert_int_equal(j.items[1].kind, JSON_FALSE);
	assert_int_equal(j.items[2].kind, JSON_NULL);
	assert_true(j.items[3].number == -2.5);
	assert_true(j.items[4].number == 0);
	assert_string_equal(j.items[5].string, "a\"\\\nA");
	json_free(&j);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"",        "{",           "[1,]",      "{\"a\" 1}",   "{\"a\":1,}", "[01]",
		"0x10",    "inf",         "1.",        "1e",          "\"abc",      "\"\\q\"",
		"\"\\u00e9\"", "[1] 2",   "tru",       "{1: 2}",      "\"a\nb\"",   "-",
	};
	char deep[200];
	struct json j;
	char why[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (json_parse(bad[i], &j, why, sizeof(why)) != -EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(why, "offset "));
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	assert_int_equal(json_parse(deep, &j, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "nested"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_output),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
