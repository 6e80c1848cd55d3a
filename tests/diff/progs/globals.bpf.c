/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: global variables. Counters with initial values
 * live in .data, configuration constants and a weight table in .rodata, a
 * histogram and the last flow seen in .bss, and one counter in a section of
 * its own (.data.stats), which becomes a map of its own.
 */
#include "pkt.h"

/* .rodata */
const volatile __u16 blocked_port = 23;
const volatile __u8 weight_shift = 2;
const __u32 weights[8] = {5, 90, 17, 250, 3, 101, 64, 99};

/* .data */
__u64 frames_seen = 1000;
__u32 last_len = 0xdeadbeef;
__s16 balance = -5;

/* .bss */
__u64 size_histogram[16];
struct {
	__be32 saddr;
	__be16 dport;
	__u8 proto;
	__u8 weight;
} last_flow;

/* A section of its own. */
__u64 blocked SEC(".data.stats") = 7;

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, weight;
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *l4; /* TCP and UDP ports sit in the same place */
	int proto, tags;

	frames_seen++;
	last_len = len;
	size_histogram[(len >> 7) & 15]++;
	weight = weights[len & 7] >> weight_shift;
	balance += weight > 20 ? 1 : -1;

	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	proto = parse_ipv4(&c, &ip);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return XDP_PASS;
	if (parse_udp(&c, &l4) < 0)
		return XDP_DROP;
	last_flow.saddr = ip->saddr;
	last_flow.dport = l4->dest;
	last_flow.proto = proto;
	last_flow.weight = weight;
	if (l4->dest == bpf_htons(blocked_port)) {
		blocked++;
		return XDP_DROP;
	}
	return weight > 20 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
