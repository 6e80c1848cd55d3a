/* SPDX-License-Identifier: MIT */
/*
 * The program of the custom map benchmark, compiled twice: once with a
 * BPF_MAP_TYPE_HASH (CM_MAP_TYPE unset) and once with the sample
 * extension's map type (-DCM_MAP_TYPE=SAMPLE_MAP_TYPE_COUNTERS), so that
 * both objects have the same instructions and differ only in the map type.
 *
 * lookups: CM_LOOKUPS lookups of distinct keys in a map holding keys
 * 0..CM_ENTRIES-1 (the host fills value = key * key + 1), summing the
 * values; loop_only: the same loop summing the keys, without lookups, so
 * that the difference is the cost of the lookups. The seed is the packet's
 * first u32; the sum goes to packet offset 8.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sample.h"
#include "lookups.h"

#ifndef CM_MAP_TYPE
#define CM_MAP_TYPE BPF_MAP_TYPE_HASH
#endif

struct {
	__uint(type, CM_MAP_TYPE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, CM_ENTRIES);
} cm_map SEC(".maps");

SEC("xdp")
int lookups(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *seed = data;
	__u64 *out = data + CM_RESULT_OFF;
	__u64 sum = 0;

	if ((void *)(out + 1) > data_end)
		return XDP_ABORTED;
	for (__u32 i = 0; i < CM_LOOKUPS; i++) {
		__u32 key = (*seed + i * CM_STRIDE) & (CM_ENTRIES - 1);
		__u64 *v = bpf_map_lookup_elem(&cm_map, &key);

		if (v)
			sum += *v;
	}
	*out = sum;
	return XDP_PASS;
}

SEC("xdp")
int loop_only(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *seed = data;
	__u64 *out = data + CM_RESULT_OFF;
	__u64 sum = 0;

	if ((void *)(out + 1) > data_end)
		return XDP_ABORTED;
	for (__u32 i = 0; i < CM_LOOKUPS; i++) {
		__u32 key = (*seed + i * CM_STRIDE) & (CM_ENTRIES - 1);

		/* Keeps clang from folding the loop: one step per key, as above. */
		asm volatile("" : "+r"(key));
		sum += key;
	}
	*out = sum;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
