/* SPDX-License-Identifier: MIT */
/* sample_scale is exported by "sample" (x10) and "other" (x100): without a
 * qualifier the load must fail, unless the host binds it. */
#include "named_progs.h"

extern __u64 sample_scale(__u64 a) __ksym;

SEC("sample")
int scale(struct sample_ctx *ctx)
{
	return (int)sample_scale(ctx->id);
}

char LICENSE[] SEC("license") = "GPL";
