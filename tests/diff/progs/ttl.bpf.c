/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: a router's forwarding step. It checks the IPv4
 * header checksum with bpf_csum_diff, decrements the TTL (IPv4, with the
 * checksum updated as Linux's ip_decrease_ttl does) or the hop limit (IPv6),
 * and drops what must not be forwarded, counting the reasons in a
 * PERCPU_ARRAY.
 */
#include "pkt.h"

enum drop_reason {
	FORWARDED,
	TTL_EXPIRED,
	BAD_CHECKSUM,
	MALFORMED,
	NOT_IP,
	REASON_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REASON_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} reasons SEC(".maps");

static __always_inline int verdict(__u32 reason, int action)
{
	__u64 *n = bpf_map_lookup_elem(&reasons, &reason);

	if (n)
		*n += 1;
	return action;
}

/* The header checksum verifies when the sum of the header folds to zero.
 * Only option-less headers are checked (bpf_csum_diff wants a fixed size). */
static __always_inline int checksum_ok(struct iphdr *ip)
{
	__s64 sum;

	if (ip->ihl != 5)
		return 1;
	sum = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	if (sum < 0)
		return 0;
	return csum_fold((__u32)sum) == 0;
}

SEC("xdp")
int xdp_ttl(struct xdp_md *ctx)
{
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	int proto, tags;

	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto < 0)
		return verdict(MALFORMED, XDP_DROP);
	if (proto == bpf_htons(ETH_P_IP)) {
		__u32 check;

		if (parse_ipv4(&c, &ip) < 0)
			return verdict(MALFORMED, XDP_DROP);
		if (!checksum_ok(ip))
			return verdict(BAD_CHECKSUM, XDP_DROP);
		if (ip->ttl <= 1)
			return verdict(TTL_EXPIRED, XDP_DROP);
		/* ip_decrease_ttl: the TTL is the high byte of its word. */
		check = ip->check;
		check += bpf_htons(0x0100);
		ip->check = (__sum16)(check + (check >= 0xFFFF));
		ip->ttl--;
		return verdict(FORWARDED, XDP_PASS);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6(&c, &ip6) < 0)
			return verdict(MALFORMED, XDP_DROP);
		if (ip6->hop_limit <= 1)
			return verdict(TTL_EXPIRED, XDP_DROP);
		ip6->hop_limit--;
		return verdict(FORWARDED, XDP_PASS);
	}
	return verdict(NOT_IP, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
