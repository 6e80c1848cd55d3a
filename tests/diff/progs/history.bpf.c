/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: maps without keys and an LRU. The sources of
 * IP frames go into a QUEUE that overwrites its oldest element when full
 * (BPF_EXIST); frame lengths are pushed on a STACK until it is full and
 * ICMP frames pop one; TCP frames peek at the queue. An LRU_HASH keeps, per
 * source address and port, when it was last seen: its value starts with the
 * frame's sequence number (the comparison uses it to tell recently used
 * keys), and holds nothing that depends on which keys were evicted before.
 */
#include "pkt.h"

struct host_key {
	__be32 addr; /* IPv4, or the four IPv6 words xor-ed */
	__be16 port;
	__u16 pad;
};

struct host_seen {
	__u64 stamp; /* sequence number of the last frame */
	__u32 len;
	__u8 proto;
	__u8 pad[3];
};

struct len_record {
	__u16 len;
	__u8 proto;
	__u8 tags;
};

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, __be32);
} sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, struct len_record);
} lengths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__type(key, struct host_key);
	__type(value, struct host_seen);
} hosts SEC(".maps");

__u64 sequence;
__u64 stack_full;
__u64 popped;
__u64 pop_empty;
__be32 peeked;
__s64 peek_ret;

SEC("xdp")
int xdp_history(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	struct host_key key = {};
	struct host_seen seen = {.len = len};
	struct len_record rec = {.len = len};
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	struct udphdr *l4; /* TCP and UDP ports sit in the same place */
	int proto, tags;

	seen.stamp = ++sequence;
	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto == bpf_htons(ETH_P_IP)) {
		proto = parse_ipv4(&c, &ip);
		if (proto < 0)
			return XDP_DROP;
		key.addr = ip->saddr;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		proto = parse_ipv6(&c, &ip6);
		if (proto < 0)
			return XDP_DROP;
		key.addr = ip6->saddr.in6_u.u6_addr32[0] ^ ip6->saddr.in6_u.u6_addr32[1] ^
			   ip6->saddr.in6_u.u6_addr32[2] ^ ip6->saddr.in6_u.u6_addr32[3];
	} else {
		return XDP_PASS;
	}
	bpf_map_push_elem(&sources, &key.addr, BPF_EXIST);

	rec.proto = proto;
	rec.tags = tags;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		if (bpf_map_pop_elem(&lengths, &rec) == 0)
			popped++;
		else
			pop_empty++;
	} else if (bpf_map_push_elem(&lengths, &rec, 0)) {
		stack_full++;
	}

	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && parse_udp(&c, &l4) == 0)
		key.port = l4->source;
	if (proto == IPPROTO_TCP)
		peek_ret = bpf_map_peek_elem(&sources, &peeked);
	seen.proto = proto;
	bpf_map_update_elem(&hosts, &key, &seen, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
