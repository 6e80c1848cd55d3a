/* SPDX-License-Identifier: MIT */
/*
 * An XDP program whose verdict depends on what the frame holds, so that a
 * generated capture (pcapgen's traffic mix) gets every action:
 *   ARP and ICMP           XDP_TX, with the MAC addresses swapped
 *   IPv4 from 192.0.2.0/24 XDP_DROP (the scanners), as is TCP to port 22
 *   broken IPv4 headers    XDP_ABORTED
 *   everything else        XDP_PASS
 * The pcap hook's counters and output files are compared with the kernel's
 * verdicts and output frames for the same frames.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

static __always_inline int bounce(struct ethhdr *eth)
{
	unsigned char mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return XDP_TX;
}

SEC("xdp")
int verdict_mix(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct tcphdr *tcp;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return bounce(eth);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return XDP_ABORTED;
	if ((bpf_ntohl(ip->saddr) & 0xffffff00) == 0xc0000200) /* 192.0.2.0/24 */
		return XDP_DROP;
	if (ip->protocol == IPPROTO_ICMP)
		return bounce(eth);
	if (ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return XDP_ABORTED;
	return tcp->dest == bpf_htons(22) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
