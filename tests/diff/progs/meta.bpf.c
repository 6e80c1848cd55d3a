/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: metadata in front of the packet with
 * bpf_xdp_adjust_meta. Every frame gets 8 bytes of metadata (a tag and its
 * length). IPv4 frames then lose their Ethernet header with
 * bpf_xdp_adjust_head (the metadata must move with the data) and the
 * verdict is read back from the metadata; IPv6 frames grow it to 32 bytes
 * (what every Linux version allows; newer ones allow more) and give it
 * back. Requests the helper must refuse (past the headroom, not a multiple
 * of 4, shrinking past the data) are made too; each call's result is kept
 * in an ARRAY, one slot per kind of call. Test runs return the metadata in
 * front of the frame.
 */
#include "pkt.h"

#define META_TAG 0x6d657461 /* "meta" */

enum meta_op {
	OP_RESERVE,
	OP_PAST_HEADROOM,
	OP_UNALIGNED,
	OP_STRIP_ETH,
	OP_RESERVE_MAX,
	OP_RELEASE_MAX,
	OP_RELEASE,
	OP_SHRINK_PAST_DATA,
	OP_COUNT,
};

struct op_result {
	__s64 last;
	__u64 ok;
	__u64 failed;
};

struct meta {
	__u32 tag;
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, OP_COUNT);
	__type(key, __u32);
	__type(value, struct op_result);
} results SEC(".maps");

static __always_inline long note(__u32 op, long ret)
{
	struct op_result *r = bpf_map_lookup_elem(&results, &op);

	if (r) {
		r->last = ret;
		if (ret)
			r->failed++;
		else
			r->ok++;
	}
	return ret;
}

SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	void *data, *data_end, *data_meta;
	struct ethhdr *eth;
	struct meta *m;
	__be16 proto;

	note(OP_PAST_HEADROOM, bpf_xdp_adjust_meta(ctx, -300));
	note(OP_UNALIGNED, bpf_xdp_adjust_meta(ctx, -6));
	if (note(OP_RESERVE, bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m))))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_meta = (void *)(long)ctx->data_meta;
	m = data_meta;
	if ((void *)(m + 1) > data)
		return XDP_ABORTED;
	m->tag = META_TAG;
	m->len = len;

	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_IP)) {
		if (note(OP_STRIP_ETH, bpf_xdp_adjust_head(ctx, (int)sizeof(*eth))))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		m = (void *)(long)ctx->data_meta;
		if ((void *)(m + 1) > data)
			return XDP_ABORTED;
		if (m->tag != META_TAG)
			return XDP_ABORTED;
		return m->len > 200 ? XDP_DROP : XDP_PASS;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		__u32 *words;
		int i;

		if (note(OP_RESERVE_MAX, bpf_xdp_adjust_meta(ctx, -24)))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		words = (void *)(long)ctx->data_meta;
		if ((void *)(words + 8) > data)
			return XDP_ABORTED;
#pragma unroll
		for (i = 0; i < 8; i++)
			words[i] = len + i;
		note(OP_RELEASE_MAX, bpf_xdp_adjust_meta(ctx, 32));
		return XDP_PASS;
	}
	/* Without metadata left, moving data_meta past data must fail. */
	note(OP_RELEASE, bpf_xdp_adjust_meta(ctx, 8));
	note(OP_SHRINK_PAST_DATA, bpf_xdp_adjust_meta(ctx, 4));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
