/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: answers UDP echo (port 7) and ICMP/ICMPv6 echo
 * requests in place. It swaps the MAC addresses, the IPv4 or IPv6
 * addresses and the UDP ports, turns an echo request into a reply with the
 * checksum updated incrementally, and sends the frame back (XDP_TX). Other
 * frames pass; malformed ones are aborted. Replies are counted in .bss.
 */
#include "pkt.h"

#define ECHO_PORT 7

__u64 udp_replies;
__u64 icmp_replies;
__u64 icmp6_replies;

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __always_inline void swap_ports(struct udphdr *udp)
{
	__be16 tmp = udp->source;

	udp->source = udp->dest;
	udp->dest = tmp;
}

/* Echo request to echo reply: the type is the high byte of the first word. */
static __always_inline void icmp_to_reply(struct icmp_hdr *icmp, __u8 reply)
{
	__u16 old = bpf_ntohs(*(__be16 *)icmp);

	icmp->type = reply;
	icmp->checksum =
		bpf_htons(csum_replace2(bpf_ntohs(icmp->checksum), old, bpf_ntohs(*(__be16 *)icmp)));
}

SEC("xdp")
int xdp_reflect(struct xdp_md *ctx)
{
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	struct icmp_hdr *icmp;
	int proto, tags;

	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto < 0)
		return XDP_ABORTED;
	if (proto == bpf_htons(ETH_P_IP)) {
		__be32 tmp;

		proto = parse_ipv4(&c, &ip);
		if (proto < 0)
			return XDP_ABORTED;
		if (proto == IPPROTO_UDP) {
			if (parse_udp(&c, &udp) < 0)
				return XDP_ABORTED;
			if (udp->dest != bpf_htons(ECHO_PORT))
				return XDP_PASS;
			swap_ports(udp);
			udp_replies++;
		} else if (proto == IPPROTO_ICMP) {
			if (parse_icmp(&c, &icmp) < 0)
				return XDP_ABORTED;
			if (icmp->type != ICMP_ECHO)
				return XDP_PASS;
			icmp_to_reply(icmp, ICMP_ECHOREPLY);
			icmp_replies++;
		} else {
			return XDP_PASS;
		}
		/* Swapping the addresses leaves the checksums unchanged. */
		tmp = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = tmp;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct in6_addr tmp;

		proto = parse_ipv6(&c, &ip6);
		if (proto < 0)
			return XDP_ABORTED;
		if (proto == IPPROTO_UDP) {
			if (parse_udp(&c, &udp) < 0)
				return XDP_ABORTED;
			if (udp->dest != bpf_htons(ECHO_PORT))
				return XDP_PASS;
			swap_ports(udp);
			udp_replies++;
		} else if (proto == IPPROTO_ICMPV6) {
			if (parse_icmp(&c, &icmp) < 0)
				return XDP_ABORTED;
			if (icmp->type != ICMPV6_ECHO_REQUEST)
				return XDP_PASS;
			icmp_to_reply(icmp, ICMPV6_ECHO_REPLY);
			icmp6_replies++;
		} else {
			return XDP_PASS;
		}
		tmp = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = tmp;
	} else {
		return XDP_PASS;
	}
	swap_macs(eth);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
