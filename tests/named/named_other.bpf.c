/* SPDX-License-Identifier: MIT */
/* Calls a helper of the "other" extension, which tests unload and reload
 * while the program (of the sample type) stays loaded. */
#include "named_progs.h"

extern __u64 other_mul(__u64 a, __u64 b) __ksym;

SEC("sample")
int mul(struct sample_ctx *ctx)
{
	ctx->result = 1; /* a side effect a fail-fast run must not have */
	return (int)other_mul(ctx->id, 3);
}

char LICENSE[] SEC("license") = "GPL";
