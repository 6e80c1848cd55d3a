/* SPDX-License-Identifier: MIT */
/* Names exported by one provider only: they bind without qualification. */
#include "named_progs.h"

extern __u64 sample_add(__u64 a, __u64 b) __ksym;
extern __u64 sample_hash(const void *mem, __u32 size) __ksym;

SEC("sample")
int add(struct sample_ctx *ctx)
{
	return (int)sample_add(ctx->id, 7);
}

SEC("sample")
int hash(struct sample_ctx *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 4 > data_end)
		return 0;
	return (int)(sample_hash(data, 4) & 0x7fffffff);
}

char LICENSE[] SEC("license") = "GPL";
