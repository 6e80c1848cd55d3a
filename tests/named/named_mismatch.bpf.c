/* SPDX-License-Identifier: MIT */
/* sample_add declared with a prototype its provider does not have. */
#include "named_progs.h"

extern __u32 sample_add(__u64 a, const void *b) __ksym;

SEC("sample")
int mismatch(struct sample_ctx *ctx)
{
	return (int)sample_add(ctx->id, ctx);
}

char LICENSE[] SEC("license") = "GPL";
