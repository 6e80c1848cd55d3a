/* SPDX-License-Identifier: MIT */
/*
 * A test extension that only exports named helpers, from two providers:
 * "textkit" for sample programs only, "anykit" for every program type. The
 * introspection test and the `xbpf ext info` test read them back as C
 * prototypes.
 */
#include <stdint.h>

#include <xbpf/extension.h>

static uint64_t text_hash(uint64_t str, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			  struct xbpf_exec *exec)
{
	uint64_t h = 5381;
	for (const char *s = (const char *)(uintptr_t)str; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static uint64_t text_fill(uint64_t buf, uint64_t size, uint64_t byte, uint64_t r4, uint64_t r5,
			  struct xbpf_exec *exec)
{
	uint8_t *p = (uint8_t *)(uintptr_t)buf;
	for (uint64_t i = 0; p && i < size; i++)
		p[i] = (uint8_t)byte;
	return 0;
}

static uint64_t any_answer(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct xbpf_exec *exec)
{
	return 42;
}

static const struct xbpf_helper text_helpers[] = {
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "text_hash",
		.fn = text_hash,
		.ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_PTR_TO_CONST_STR},
	},
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "text_fill",
		.fn = text_fill,
		.ret = XBPF_RET_INTEGER,
		.ret_width = 4,
		.args = {XBPF_ARG_PTR_TO_UNINIT_MEM | XBPF_ARG_MAYBE_NULL, XBPF_ARG_CONST_SIZE_OR_ZERO,
			 XBPF_ARG_ANYTHING},
		.arg_width = {8, 4, 1},
	},
};

static const struct xbpf_helper any_helpers[] = {
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "any_answer",
		.fn = any_answer,
		.ret = XBPF_RET_INTEGER,
	},
};

static const char *const text_types[] = {"sample", NULL};

static const struct xbpf_helper_provider textkit = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_helper_provider),
	.name = "textkit",
	.helpers = text_helpers,
	.n_helpers = 2,
	.program_types = text_types,
};

static const struct xbpf_helper_provider anykit = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_helper_provider),
	.name = "anykit",
	.helpers = any_helpers,
	.n_helpers = 1,
};

static int init(struct xbpf_extension *ext, const struct xbpf_core_services *core)
{
	int err = core->register_helpers(ext, &textkit, NULL);
	return err ? err : core->register_helpers(ext, &anykit, NULL);
}

XBPF_EXTENSION("named_test", "Named helpers for the introspection tests", init, NULL);
