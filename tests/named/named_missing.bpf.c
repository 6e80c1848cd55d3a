/* SPDX-License-Identifier: MIT */
/* A name nobody exports, not weak: the load fails. */
#include "named_progs.h"

extern __u64 nobody_exports_this(__u64 a) __ksym;

SEC("sample")
int missing(struct sample_ctx *ctx)
{
	return (int)nobody_exports_this(ctx->id);
}

char LICENSE[] SEC("license") = "GPL";
