/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: bpf-to-bpf calls. Parsing is split over
 * non-inlined static functions four levels deep, which take packet
 * pointers, the context, pointers to the caller's stack and five arguments,
 * and return 32- and 64-bit values. A summary built on the stack decides
 * the verdict; a HASH counts frames per class.
 */
#include "pkt.h"

enum port_class {
	PORT_NONE,
	PORT_WELL_KNOWN,
	PORT_REGISTERED,
	PORT_DYNAMIC,
};

struct summary {
	__u8 family;
	__u8 proto;
	__u8 port_class;
	__u8 tags;
	__u16 sport;
	__u16 dport;
	__u64 mix;
};

struct class_count {
	__u64 frames;
	__u64 mix_xor;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct class_count);
} classes SEC(".maps");

/* Level 4: leaves. */
static __noinline __u64 mix(__u64 a, __u64 b, __u64 c, __u64 d, __u64 e)
{
	__u64 h = a * 0x9e3779b97f4a7c15ULL;

	h ^= (b << 17) | (b >> 47);
	h += c * 31 + d;
	return h ^ (e << 3);
}

static __noinline int port_class(__u16 port)
{
	if (port == 0)
		return PORT_NONE;
	if (port < 1024)
		return PORT_WELL_KNOWN;
	if (port < 49152)
		return PORT_REGISTERED;
	return PORT_DYNAMIC;
}

/* Level 3: the transport header at off. */
static __noinline int parse_ports(void *data, void *data_end, __u32 off, struct summary *s)
{
	__be16 *ports;

	if (off > 512)
		return -1;
	ports = data + off;
	if ((void *)(ports + 2) > data_end)
		return -1;
	s->sport = bpf_ntohs(ports[0]);
	s->dport = bpf_ntohs(ports[1]);
	s->port_class = port_class(s->dport);
	s->mix = mix(s->sport, s->dport, s->proto, s->family, s->mix);
	return 0;
}

/* Level 2: the network header at off. */
static __noinline int parse_network(void *data, void *data_end, __u32 off, __u16 proto,
				    struct summary *s)
{
	if (off > 64)
		return -1;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return -1;
		s->family = 4;
		s->proto = ip->protocol;
		s->mix = mix(ip->saddr, ip->daddr, ip->ttl, ip->ihl, 0);
		if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
			return 0;
		return parse_ports(data, data_end, off + ip->ihl * 4, s);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		s->family = 6;
		s->proto = ip6->nexthdr;
		s->mix = mix(ip6->saddr.in6_u.u6_addr32[3], ip6->daddr.in6_u.u6_addr32[3],
			     ip6->hop_limit, 6, 0);
		if (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP)
			return 0;
		return parse_ports(data, data_end, off + sizeof(*ip6), s);
	}
	return 0;
}

/* Level 1: from the context. */
static __noinline int parse_frame(struct xdp_md *ctx, struct summary *s)
{
	struct cursor c;
	struct ethhdr *eth;
	int proto, tags;

	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto < 0)
		return -1;
	s->tags = tags;
	return parse_network((void *)(long)ctx->data, c.end, c.off, proto, s);
}

static __noinline int decide(const struct summary *s)
{
	if (s->family == 0)
		return XDP_PASS;
	switch (s->port_class) {
	case PORT_WELL_KNOWN:
		return s->dport == 23 ? XDP_DROP : XDP_PASS;
	case PORT_REGISTERED:
		return s->mix & 1 ? XDP_TX : XDP_PASS;
	case PORT_DYNAMIC:
		return XDP_DROP;
	}
	return XDP_PASS;
}

static __noinline void count(const struct summary *s)
{
	__u32 key = s->family << 8 | s->port_class << 4 | s->tags;
	struct class_count *cc = bpf_map_lookup_elem(&classes, &key);

	if (cc) {
		cc->frames++;
		cc->mix_xor ^= s->mix;
		return;
	}
	struct class_count fresh = {.frames = 1, .mix_xor = s->mix};
	bpf_map_update_elem(&classes, &key, &fresh, BPF_NOEXIST);
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	struct summary s = {};

	if (parse_frame(ctx, &s) < 0)
		return XDP_ABORTED;
	count(&s);
	return decide(&s);
}

char LICENSE[] SEC("license") = "GPL";
