/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: a prefix firewall. The source address is
 * looked up in an LPM_TRIE (one for IPv4, one for IPv6) whose rules the
 * host writes before the first frame; the longest matching rule gives the
 * action and counts its hits with an atomic add. A TCP SYN to the telnet
 * port gets its IPv4 source blocked with a /32 rule the program adds itself.
 */
#include "pkt.h"

#define TELNET_PORT 23
#define LEARNED_RULE_ID 100

struct lpm_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct lpm_v6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct rule {
	__u32 action;
	__u32 id;
	__u64 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, struct rule);
} rules_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v6_key);
	__type(value, struct rule);
} rules_v6 SEC(".maps");

__u64 unmatched;
__u64 learned;

static __always_inline int apply(struct rule *r)
{
	if (!r) {
		unmatched++;
		return XDP_PASS;
	}
	__sync_fetch_and_add(&r->hits, 1);
	return r->action;
}

static __always_inline void learn_telnet_scanner(struct iphdr *ip, struct cursor *c)
{
	struct lpm_v4_key key = {.prefixlen = 32};
	struct rule block = {.action = XDP_DROP, .id = LEARNED_RULE_ID};
	struct tcphdr *tcp;

	if (parse_tcp(c, &tcp) < 0)
		return;
	if (tcp->dest != bpf_htons(TELNET_PORT) || !tcp->syn || tcp->ack)
		return;
	__builtin_memcpy(key.addr, &ip->saddr, 4);
	if (bpf_map_update_elem(&rules_v4, &key, &block, BPF_NOEXIST) == 0)
		learned++;
}

SEC("xdp")
int xdp_lpm_fw(struct xdp_md *ctx)
{
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	int proto, tags;

	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto == bpf_htons(ETH_P_IP)) {
		struct lpm_v4_key key = {.prefixlen = 32};

		proto = parse_ipv4(&c, &ip);
		if (proto < 0)
			return XDP_DROP;
		if (proto == IPPROTO_TCP)
			learn_telnet_scanner(ip, &c);
		__builtin_memcpy(key.addr, &ip->saddr, 4);
		return apply(bpf_map_lookup_elem(&rules_v4, &key));
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct lpm_v6_key key = {.prefixlen = 128};

		if (parse_ipv6(&c, &ip6) < 0)
			return XDP_DROP;
		__builtin_memcpy(key.addr, &ip6->saddr, 16);
		return apply(bpf_map_lookup_elem(&rules_v6, &key));
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
