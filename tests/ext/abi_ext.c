/* SPDX-License-Identifier: MIT */
/*
 * A test extension built several ways (-DVARIANT_*) to exercise the ABI's
 * rules: an older, smaller struct works; a newer, larger one is refused;
 * malformed provider data is refused with the field named.
 */
#include <errno.h>
#include <stddef.h>

#include <xbpf/extension.h>

static const char *const sections[] = {"abi", NULL};

#ifdef VARIANT_BAD_OFFSET
static const struct xbpf_ctx_field fields[] = {{0, 4, 64, 8}}; /* beyond internal_size 16 */
#endif

static const struct xbpf_context_descriptor context = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_context_descriptor),
#ifdef VARIANT_ZERO_SIZE
	.size = 0,
#else
	.size = 8,
#endif
	.internal_size = 16,
	.data_offset = -1,
	.data_end_offset = -1,
	.data_meta_offset = -1,
#ifdef VARIANT_BAD_OFFSET
	.fields = fields,
	.n_fields = 1,
#endif
};

/* A provider as a newer core's header would declare it: more fields. */
static const struct {
	struct xbpf_program_type_provider known;
	uint64_t unknown_to_this_core[4];
} newer = {
	.known = {
		.hdr = {.version = XBPF_ABI_VERSION, .size = sizeof(newer)},
		.name = "abi",
		.section_prefixes = sections,
		.context = &context,
	},
};

static const struct xbpf_program_type_provider provider = {
#ifdef VARIANT_OLD
	/* As built against an older header that ended before core_helpers. */
	.hdr = {.version = XBPF_ABI_VERSION, .size = offsetof(struct xbpf_program_type_provider, core_helpers)},
#else
	.hdr = XBPF_ABI_HEADER(struct xbpf_program_type_provider),
#endif
	.name = "abi",
	.section_prefixes = sections,
	.context = &context,
};

__attribute__((unused)) static int attach(void *ctx, struct xbpf_link *link, const void *params, size_t size, void **state)
{
	return 0;
}

static void detach(void *ctx, struct xbpf_link *link, void *state)
{
}

static const struct xbpf_hook_provider hook = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_hook_provider),
	.name = "abi/hook",
	.program_type = "abi",
#ifndef VARIANT_NULL_CALLBACK
	.attach = attach,
#endif
	.detach = detach,
};

static int init(struct xbpf_extension *ext, const struct xbpf_core_services *core)
{
	int err;
	/* VARIANT_NEW registers the provider a newer header would declare. */
	const struct xbpf_program_type_provider *p = &provider;
#ifdef VARIANT_NEW
	p = &newer.known;
#endif
	if ((err = core->register_program_type(ext, p, NULL)))
		return err;
	return core->register_hook(ext, &hook, NULL);
}

XBPF_EXTENSION("abi", "ABI test extension", init, NULL);
