/* SPDX-License-Identifier: MIT */
/* A program of the sample extension's type, as a program author writes it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sample.h"

static __u64 (*sample_mix)(__u64 a, __u64 b) = (void *)SAMPLE_HELPER_MIX;
static __u64 (*sample_sum)(const void *mem, __u32 size) = (void *)SAMPLE_HELPER_SUM;

/* Returns mix(id, sum of the event's first 8 bytes); sets result to the
 * event's length. */
SEC("sample")
int mix_event(struct sample_ctx *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 sum = 0;

	if (data + 8 <= data_end)
		sum = sample_sum(data, 8);
	ctx->result = (__u32)(data_end - data);
	return (int)sample_mix(ctx->id, sum);
}

char LICENSE[] SEC("license") = "GPL";
