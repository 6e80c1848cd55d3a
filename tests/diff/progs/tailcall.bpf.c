/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: tail calls through a PROG_ARRAY that the
 * object initialises itself (`values`). The dispatcher jumps by ethertype
 * to an IPv4 or IPv6 stage, which jumps to a transport stage; the stages
 * hand state over in a PERCPU_ARRAY. ARP frames enter a stage that tail
 * calls itself until Linux's limit of 33 stops it; LLDP frames and ICMP
 * jump to an empty slot and fall through. Each stage counts its runs.
 */
#include "pkt.h"

enum slot {
	SLOT_IPV4,
	SLOT_IPV6,
	SLOT_L4,
	SLOT_EMPTY,
	SLOT_SPIN,
	SLOT_COUNT,
};

enum stage {
	STAGE_DISPATCH,
	STAGE_IPV4,
	STAGE_IPV6,
	STAGE_L4,
	STAGE_SPIN,
	STAGE_FELL_THROUGH,
	STAGE_COUNT,
};

/* Handed from the network stage to the transport stage. */
struct scratch {
	__u32 l4_offset;
	__u32 proto;
	__u32 frames;
};

int tc_ipv4(struct xdp_md *ctx);
int tc_ipv6(struct xdp_md *ctx);
int tc_l4(struct xdp_md *ctx);
int tc_spin(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SLOT_COUNT);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} jumps SEC(".maps") = {
	.values =
		{
			[SLOT_IPV4] = (void *)&tc_ipv4,
			[SLOT_IPV6] = (void *)&tc_ipv6,
			[SLOT_L4] = (void *)&tc_l4,
			[SLOT_SPIN] = (void *)&tc_spin,
		},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAGE_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} handover SEC(".maps");

static __always_inline void count(__u32 stage)
{
	__u64 *n = bpf_map_lookup_elem(&stages, &stage);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline int fell_through(int action)
{
	count(STAGE_FELL_THROUGH);
	return action;
}

/* Parses the network header again (a tail call keeps only the context) and
 * hands the transport header's place over to the next stage. */
static __always_inline int to_transport(struct xdp_md *ctx, struct cursor *c, int proto)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&handover, &zero);

	if (!s)
		return XDP_ABORTED;
	s->l4_offset = c->off;
	s->proto = proto;
	s->frames++;
	bpf_tail_call(ctx, &jumps, SLOT_L4);
	return fell_through(XDP_ABORTED);
}

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx)
{
	struct cursor c;
	struct ethhdr *eth;
	int proto, tags;

	count(STAGE_DISPATCH);
	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &jumps, SLOT_IPV4);
	else if (proto == bpf_htons(ETH_P_IPV6))
		bpf_tail_call(ctx, &jumps, SLOT_IPV6);
	else if (proto == bpf_htons(ETH_P_ARP))
		bpf_tail_call(ctx, &jumps, SLOT_SPIN);
	else if (proto == bpf_htons(0x88cc))
		bpf_tail_call(ctx, &jumps, SLOT_EMPTY);
	else
		return XDP_PASS;
	return fell_through(XDP_DROP);
}

SEC("xdp")
int tc_ipv4(struct xdp_md *ctx)
{
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	int proto, tags;

	count(STAGE_IPV4);
	cursor_init(&c, ctx);
	if (parse_eth(&c, &eth, &tags) < 0)
		return XDP_ABORTED;
	proto = parse_ipv4(&c, &ip);
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
		return to_transport(ctx, &c, proto);
	if (proto == IPPROTO_ICMP) {
		bpf_tail_call(ctx, &jumps, SLOT_EMPTY);
		return fell_through(XDP_TX);
	}
	return proto < 0 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int tc_ipv6(struct xdp_md *ctx)
{
	struct cursor c;
	struct ethhdr *eth;
	struct ipv6hdr *ip6;
	int proto, tags;

	count(STAGE_IPV6);
	cursor_init(&c, ctx);
	if (parse_eth(&c, &eth, &tags) < 0)
		return XDP_ABORTED;
	proto = parse_ipv6(&c, &ip6);
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
		return to_transport(ctx, &c, proto);
	return proto < 0 ? XDP_DROP : XDP_PASS;
}

/* Well-known destination ports pass, others are dropped. */
SEC("xdp")
int tc_l4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, off;
	struct scratch *s = bpf_map_lookup_elem(&handover, &zero);
	__be16 *ports;

	count(STAGE_L4);
	if (!s)
		return XDP_ABORTED;
	off = s->l4_offset;
	if (off > 256)
		return XDP_ABORTED;
	ports = data + off;
	if ((void *)(ports + 2) > data_end)
		return XDP_DROP;
	return bpf_ntohs(ports[1]) < 1024 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int tc_spin(struct xdp_md *ctx)
{
	count(STAGE_SPIN);
	bpf_tail_call(ctx, &jumps, SLOT_SPIN);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
