/* SPDX-License-Identifier: MIT */
/* One program, built twice over: the same code with one call, to a numeric
 * helper (the sample type's sample_mix, id 65536), to a named helper
 * (sample_add, extern __ksym), or to nothing (the baseline). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sample.h"

static __u64 (*sample_mix)(__u64 a, __u64 b) = (void *)SAMPLE_HELPER_MIX;
extern __u64 sample_add(__u64 a, __u64 b) __ksym;

SEC("sample")
int numeric(struct sample_ctx *ctx)
{
	return (int)sample_mix(ctx->id, 3);
}

SEC("sample")
int named(struct sample_ctx *ctx)
{
	return (int)sample_add(ctx->id, 3);
}

SEC("sample")
int baseline(struct sample_ctx *ctx)
{
	return (int)(ctx->id + 3);
}

char LICENSE[] SEC("license") = "GPL";
