/* SPDX-License-Identifier: MIT */
/* Registering map type providers: checks of provider data and type ids. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "tm_test.h"

static void expect_refused(const char *variant, int err, const char *expect)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	assert_int_equal(xbpf_extension_load(rt, tm_path(variant), &ext), err);
	if (!strstr(ext_log_text, expect))
		fail_msg("variant %s: expected '%s' in the log:\n%s", variant, expect, ext_log_text);
	/* Nothing stays registered: the type has no provider. */
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_create(rt, 4100, "m", 4, 8, 4, NULL, &map), -EOPNOTSUPP);
	xbpf_runtime_free(rt);
}

static void bad_provider_data_is_refused(void **state)
{
	expect_refused("tm_bad_no_after_find", -EINVAL,
		       "map type refused: after_find is NULL: required with XBPF_MAP_TRANSFORMS_VALUES");
	expect_refused("tm_bad_no_before_update", -EINVAL,
		       "map type refused: before_update is NULL: required with XBPF_MAP_TRANSFORMS_VALUES");
	expect_refused("tm_bad_no_destroy", -EINVAL, "map type refused: destroy is NULL");
	expect_refused("tm_bad_builtin", -EEXIST,
		       "map type refused: type (1) is a map type built into the core");
	expect_refused("tm_bad_none", -EINVAL,
		       "map type refused: next_key is NULL: required with XBPF_MAP_BASE_NONE");
	expect_refused("tm_bad_prog_xform", -EINVAL,
		       "map type refused: properties combine XBPF_MAP_PROG_UPDATE or _DELETE with "
		       "XBPF_MAP_TRANSFORMS_VALUES");
	expect_refused("tm_bad_indexed_array", -EINVAL,
		       "map type refused: properties XBPF_MAP_INDEXED is for XBPF_MAP_BASE_HASH only");
}

static void good_providers_register(void **state)
{
	static const char *const variants[] = {"tm_plain_hash", "tm_xform_hash", "tm_xform_array",
					       "tm_plain_array"};
	struct xbpf_runtime *rt = ext_runtime();
	for (size_t i = 0; i < 4; i++) {
		struct xbpf_extension *ext;
		if (xbpf_extension_load(rt, tm_path(variants[i]), &ext))
			fail_msg("%s refused:\n%s", variants[i], ext_log_text);
	}
	xbpf_runtime_free(rt);
}

static void second_provider_for_a_type_is_refused(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *first, *second;
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_plain_hash"), &first), 0);
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_dup"), &second), -EEXIST);
	assert_non_null(strstr(ext_log_text, "map type 'tm_dup' refused: map type 4096 is already "
					     "registered by tm_plain_hash"));
	/* Once the owner is gone, the type is free again. */
	assert_int_equal(xbpf_extension_unload(first), 0);
	assert_int_equal(xbpf_extension_load(rt, tm_path("tm_dup"), &second), 0);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_provider_data_is_refused),
		cmocka_unit_test(good_providers_register),
		cmocka_unit_test(second_provider_for_a_type_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
