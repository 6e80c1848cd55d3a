/* SPDX-License-Identifier: MIT */
/* The extension ABI's versioning and checks of provider data. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <xbpf/extension.h>

#include "ext_test.h"
#include "isa/insn.h"

static const char *variant_path(const char *variant)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/abi_%s.so", XBPF_TEST_MODULE_DIR, variant);
	return path;
}

static void older_struct_works(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	struct xbpf_program *prog;
	const struct xbpf_insn insns[] = {
		xbpf_insn_make(XBPF_CLASS_ALU64 | XBPF_ALU_MOV, 0, 0, 0, 7),
		xbpf_insn_make(XBPF_OP_EXIT, 0, 0, 0, 0),
	};

	assert_int_equal(xbpf_extension_load(rt, variant_path("old"), &ext), 0);
	assert_int_equal(xbpf_program_load(rt, "abi", insns, 2, NULL, &prog), 0);
	/* The fields the old struct lacks read as zero: no test_run. */
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts)};
	assert_int_equal(xbpf_program_test_run(prog, &opts), -EOPNOTSUPP);
	xbpf_program_put(prog);
	xbpf_runtime_free(rt);
}

static void refused(const char *variant, int err, const char *expect)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	assert_int_equal(xbpf_extension_load(rt, variant_path(variant), &ext), err);
	if (!strstr(ext_log_text, expect))
		fail_msg("variant %s: expected '%s' in the log:\n%s", variant, expect, ext_log_text);
	/* Nothing it registered before the refusal stays behind. */
	struct xbpf_program *prog;
	const struct xbpf_insn insns[] = {xbpf_insn_make(XBPF_OP_EXIT, 0, 0, 0, 0)};
	assert_int_equal(xbpf_program_load(rt, "abi", insns, 1, NULL, &prog), -ENOENT);
	xbpf_runtime_free(rt);
}

static void newer_struct_is_refused(void **state)
{
	refused("new", -EOVERFLOW, "needs a newer xbpf");
}

static void malformed_providers_are_refused(void **state)
{
	refused("null_callback", -EINVAL, "hook refused: attach is NULL");
	refused("zero_size", -EINVAL, "context.size must be between 1 and 65536");
	refused("bad_offset", -EINVAL, "context.fields[0].internal_offset");
}

static void not_an_extension(void **state)
{
	struct xbpf_runtime *rt = ext_runtime();
	struct xbpf_extension *ext;
	assert_int_equal(xbpf_extension_load(rt, variant_path("plain"), &ext), -ENOEXEC);
	assert_non_null(strstr(ext_log_text, "not an xbpf extension"));
	assert_int_equal(xbpf_extension_load(rt, "no_such_extension", &ext), -ENOENT);
	assert_non_null(strstr(ext_log_text, "extension 'no_such_extension' not found"));
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(older_struct_works),
		cmocka_unit_test(newer_struct_is_refused),
		cmocka_unit_test(malformed_providers_are_refused),
		cmocka_unit_test(not_an_extension),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
