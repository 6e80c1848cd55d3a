/* SPDX-License-Identifier: MIT */
/*
 * The "other" test extension: a second provider of named helpers, with no
 * coordination with the sample extension's. It exports
 *   - sample_scale, a name the "sample" provider exports too (a * 100 here,
 *     a * 10 there, so a result tells which one a program bound to);
 *   - other_mul (a * b), a name only it exports;
 *   - other_xdp_only, offered to programs of type "xdp" alone.
 */
#include <stdint.h>

#include <xbpf/extension.h>

static uint64_t scale(uint64_t a, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		      struct xbpf_exec *exec)
{
	return a * 100;
}

static uint64_t mul(uint64_t a, uint64_t b, uint64_t r3, uint64_t r4, uint64_t r5,
		    struct xbpf_exec *exec)
{
	return a * b;
}

static const struct xbpf_helper helpers[] = {
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "sample_scale",
		.fn = scale,
		.ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_ANYTHING},
	},
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "other_mul",
		.fn = mul,
		.ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING},
	},
};

static const struct xbpf_helper xdp_helpers[] = {
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper),
		.name = "other_xdp_only",
		.fn = mul,
		.ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING},
	},
};

static const char *const xdp_only[] = {"xdp", NULL};

static const struct xbpf_helper_provider provider = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_helper_provider),
	.name = "other",
	.helpers = helpers,
	.n_helpers = sizeof(helpers) / sizeof(helpers[0]),
};

static const struct xbpf_helper_provider xdp_provider = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_helper_provider),
	.name = "other_xdp",
	.helpers = xdp_helpers,
	.n_helpers = 1,
	.program_types = xdp_only,
};

static int other_init(struct xbpf_extension *ext, const struct xbpf_core_services *core)
{
	int err = core->register_helpers(ext, &provider, NULL);
	return err ? err : core->register_helpers(ext, &xdp_provider, NULL);
}

XBPF_EXTENSION("other", "Test extension: named helpers sharing names with the sample extension",
	       other_init, NULL);
