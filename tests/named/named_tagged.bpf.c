/* SPDX-License-Identifier: MIT */
/* The same ambiguous name, qualified in the program by a decl tag. */
#include "named_progs.h"

extern __u64 sample_scale(__u64 a) __ksym XBPF_PROVIDER("other");

SEC("sample")
int scale_other(struct sample_ctx *ctx)
{
	return (int)sample_scale(ctx->id);
}

char LICENSE[] SEC("license") = "GPL";
