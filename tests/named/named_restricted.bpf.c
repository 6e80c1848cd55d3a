/* SPDX-License-Identifier: MIT */
/* other_xdp_only is offered to xdp programs only: a sample program cannot
 * see it. */
#include "named_progs.h"

extern __u64 other_xdp_only(__u64 a, __u64 b) __ksym;

SEC("sample")
int restricted(struct sample_ctx *ctx)
{
	return (int)other_xdp_only(ctx->id, 2);
}

char LICENSE[] SEC("license") = "GPL";
