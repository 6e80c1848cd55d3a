/* SPDX-License-Identifier: MIT */
/*
 * An XDP firewall, written for Linux as any XDP program is, and run by xbpf
 * unchanged (`make demo` replays a generated capture through it).
 *
 * For each frame: parse Ethernet (and one VLAN tag), IPv4, then TCP or UDP.
 *   - an IPv4 packet whose headers are broken or cut short is dropped
 *     (DROP_MALFORMED): no later stage should see it;
 *   - a source address in the blocklist, or in a /24 network there, is
 *     dropped (DROP_BLOCKLIST); the host fills the blocklist;
 *   - TCP to a port only the site's own network 10.0.0.0/8 may use (SSH) from
 *     anywhere else is dropped (DROP_PORT);
 *   - everything else passes: IPv6, ARP and the rest are not this firewall's
 *     business.
 * Each verdict is counted in a per-CPU array, indexed by enum action.
 *
 * Build: clang -O2 -g -target bpf -c firewall.bpf.c -o firewall.bpf.o
 * The same object loads into the kernel (ip link set dev eth0 xdp obj ...).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum action {
	PASS = 0,
	DROP_BLOCKLIST = 1,
	DROP_PORT = 2,
	DROP_MALFORMED = 3,
	N_ACTIONS,
};

/* Blocked sources: IPv4 addresses, or /24 networks (host byte 0), in
 * network byte order. The value is unused (1). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} blocklist SEC(".maps");

/* Frames per verdict. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, N_ACTIONS);
	__type(key, __u32);
	__type(value, __u64);
} actions SEC(".maps");

#define SSH_PORT 22
#define VLAN_HLEN 4

static __always_inline int verdict(enum action action)
{
	__u32 key = action;
	__u64 *count = bpf_map_lookup_elem(&actions, &key);
	if (count)
		(*count)++; /* per CPU: no other writer */
	return action == PASS ? XDP_PASS : XDP_DROP;
}

static __always_inline int blocked(__u32 saddr)
{
	__u32 network = saddr & bpf_htonl(0xffffff00);
	return bpf_map_lookup_elem(&blocklist, &saddr) || bpf_map_lookup_elem(&blocklist, &network);
}

/* From the site's own network 10.0.0.0/8? */
static __always_inline int internal(__u32 saddr)
{
	return (saddr & bpf_htonl(0xff000000)) == bpf_htonl(0x0a000000);
}

SEC("xdp")
int firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3;
	__u16 proto;

	if ((void *)(eth + 1) > data_end)
		return verdict(PASS); /* not IPv4 for all we know */
	proto = eth->h_proto;
	l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		if (l3 + VLAN_HLEN > data_end)
			return verdict(PASS);
		proto = *(__u16 *)(l3 + 2);
		l3 += VLAN_HLEN;
	}
	if (proto != bpf_htons(ETH_P_IP))
		return verdict(PASS);

	struct iphdr *ip = l3;
	if ((void *)(ip + 1) > data_end || ip->ihl < 5)
		return verdict(DROP_MALFORMED);
	__u32 ip_len = ip->ihl * 4;
	__u16 total = bpf_ntohs(ip->tot_len);
	if (l3 + ip_len > data_end || total < ip_len || l3 + total > data_end)
		return verdict(DROP_MALFORMED);

	if (blocked(ip->saddr))
		return verdict(DROP_BLOCKLIST);

	void *l4 = l3 + ip_len;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end || tcp->doff < 5 || l4 + tcp->doff * 4 > data_end)
			return verdict(DROP_MALFORMED);
		if (tcp->dest == bpf_htons(SSH_PORT) && !internal(ip->saddr))
			return verdict(DROP_PORT);
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > data_end)
			return verdict(DROP_MALFORMED);
	}
	return verdict(PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
