/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: VLAN tagging with bpf_xdp_adjust_head. A frame
 * tagged with VID 100, or QinQ, loses its outer tag (pop: the MAC addresses
 * move 4 bytes towards the payload, then the head moves forward). An
 * untagged IP frame gets a tag (push: the head moves back 4 bytes, the MAC
 * addresses move to the new start) and is sent back. Other tags get their
 * VID incremented in place. Counts live in .bss.
 */
#include "pkt.h"

#define POP_VID 100
#define IPV6_VID 600

__u64 pushed;
__u64 popped;
__u64 rewritten;
__s64 last_adjust_error;

static __always_inline int pop_tag(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *tag = data + sizeof(*eth);
	__u8 macs[2 * ETH_ALEN];
	__be16 inner;
	long err;

	if ((void *)(tag + 1) > data_end)
		return XDP_DROP;
	inner = tag->encap_proto;
	__builtin_memcpy(macs, eth, sizeof(macs));
	err = bpf_xdp_adjust_head(ctx, (int)sizeof(*tag));
	if (err) {
		last_adjust_error = err;
		return XDP_ABORTED;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth, macs, sizeof(macs));
	eth->h_proto = inner;
	popped++;
	return XDP_PASS;
}

static __always_inline int push_tag(struct xdp_md *ctx, __u16 vid)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *tag;
	__u8 macs[2 * ETH_ALEN];
	long err;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(macs, eth, sizeof(macs));
	err = bpf_xdp_adjust_head(ctx, -(int)sizeof(*tag));
	if (err) {
		last_adjust_error = err;
		return XDP_ABORTED;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	tag = data + sizeof(*eth);
	if ((void *)(tag + 1) > data_end)
		return XDP_DROP;
	/* The old ethertype is where the tag's encapsulated protocol goes. */
	__builtin_memcpy(eth, macs, sizeof(macs));
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	tag->tci = bpf_htons(3 << 13 | vid);
	pushed++;
	return XDP_TX;
}

SEC("xdp")
int xdp_vlan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *tag = data + sizeof(*eth);
	struct iphdr *ip;
	__u16 vid;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		/* The VID tells the destination's last byte apart. */
		return push_tag(ctx, 200 + (bpf_ntohl(ip->daddr) & 7));
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return push_tag(ctx, IPV6_VID);
	if (!is_vlan(eth->h_proto))
		return XDP_PASS;
	if ((void *)(tag + 1) > data_end)
		return XDP_DROP;
	vid = bpf_ntohs(tag->tci) & 0x0fff;
	if (eth->h_proto == bpf_htons(ETH_P_8021AD) || vid == POP_VID)
		return pop_tag(ctx);
	tag->tci = bpf_htons((bpf_ntohs(tag->tci) & 0xf000) | ((vid + 1) & 0x0fff));
	rewritten++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
