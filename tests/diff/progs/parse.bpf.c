/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: parses Ethernet, VLAN, IPv4, IPv6, TCP, UDP,
 * ICMP and ICMPv6 with bounds checks, counts each class of frame in an
 * ARRAY and each flow (5-tuple) in a HASH. Well-formed frames pass,
 * malformed ones are dropped.
 */
#include "pkt.h"

enum frame_class {
	CLASS_TAGGED,
	CLASS_IPV4,
	CLASS_IPV6,
	CLASS_TCP,
	CLASS_UDP,
	CLASS_ICMP,
	CLASS_ICMPV6,
	CLASS_FRAGMENT,
	CLASS_OTHER_L3,
	CLASS_OTHER_L4,
	CLASS_MALFORMED,
	CLASS_COUNT,
};

struct class_stats {
	__u64 frames;
	__u64 bytes;
};

struct flow_key {
	__u8 family;
	__u8 proto;
	__be16 sport;
	__be16 dport;
	__u16 pad;
	__be32 saddr[4];
	__be32 daddr[4];
};

struct flow_stats {
	__u64 frames;
	__u64 bytes;
	__u32 first_len;
	__u8 tcp_flags; /* every flag seen */
	__u8 tags;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CLASS_COUNT);
	__type(key, __u32);
	__type(value, struct class_stats);
} classes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

static __always_inline void count_class(__u32 class, __u64 len)
{
	struct class_stats *st = bpf_map_lookup_elem(&classes, &class);

	if (st) {
		st->frames++;
		st->bytes += len;
	}
}

static __always_inline void count_flow(struct flow_key *key, __u64 len, __u8 flags, int tags)
{
	struct flow_stats *st = bpf_map_lookup_elem(&flows, key);

	if (st) {
		st->frames++;
		st->bytes += len;
		st->tcp_flags |= flags;
		return;
	}
	struct flow_stats init = {
		.frames = 1, .bytes = len, .first_len = len, .tcp_flags = flags, .tags = tags,
	};
	bpf_map_update_elem(&flows, key, &init, BPF_NOEXIST);
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	struct flow_key key = {};
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	struct tcphdr *tcp;
	struct udphdr *udp;
	struct icmp_hdr *icmp;
	__u8 flags = 0;
	int proto, tags;

	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto < 0)
		goto malformed;
	if (tags)
		count_class(CLASS_TAGGED, len);
	if (proto == bpf_htons(ETH_P_IP)) {
		proto = parse_ipv4(&c, &ip);
		if (proto < 0)
			goto malformed;
		count_class(CLASS_IPV4, len);
		if (proto == 0) {
			count_class(CLASS_FRAGMENT, len);
			return XDP_PASS;
		}
		key.family = 4;
		key.saddr[0] = ip->saddr;
		key.daddr[0] = ip->daddr;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		proto = parse_ipv6(&c, &ip6);
		if (proto < 0)
			goto malformed;
		count_class(CLASS_IPV6, len);
		key.family = 6;
		__builtin_memcpy(key.saddr, &ip6->saddr, 16);
		__builtin_memcpy(key.daddr, &ip6->daddr, 16);
	} else {
		count_class(CLASS_OTHER_L3, len);
		return XDP_PASS;
	}

	key.proto = proto;
	switch (proto) {
	case IPPROTO_TCP:
		if (parse_tcp(&c, &tcp) < 0)
			goto malformed;
		count_class(CLASS_TCP, len);
		key.sport = tcp->source;
		key.dport = tcp->dest;
		flags = ((__u8 *)tcp)[13];
		break;
	case IPPROTO_UDP:
		if (parse_udp(&c, &udp) < 0)
			goto malformed;
		count_class(CLASS_UDP, len);
		key.sport = udp->source;
		key.dport = udp->dest;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (parse_icmp(&c, &icmp) < 0)
			goto malformed;
		count_class(proto == IPPROTO_ICMP ? CLASS_ICMP : CLASS_ICMPV6, len);
		key.sport = bpf_htons(icmp->type);
		break;
	default:
		count_class(CLASS_OTHER_L4, len);
		break;
	}
	count_flow(&key, len, flags, tags);
	return XDP_PASS;

malformed:
	count_class(CLASS_MALFORMED, len);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
