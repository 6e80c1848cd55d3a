/* SPDX-License-Identifier: MIT */
/*
 * Header parsing for the differential test programs, written the way Linux
 * XDP programs parse: a cursor walks the frame and every header is checked
 * against data_end before it is read. Each parse_* returns a negative value
 * when the header does not fit or is malformed.
 */
#ifndef XBPF_TESTS_DIFF_PKT_H
#define XBPF_TESTS_DIFF_PKT_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

/* The first 8 bytes of ICMP and ICMPv6 messages (linux/icmp.h would pull in
 * libc headers). */
struct icmp_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

/* The 802.1Q tag after the MAC addresses (not in the UAPI headers). */
struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct cursor {
	void *pos;
	void *end;
	__u32 off; /* of pos from the start of the frame */
};

static __always_inline void cursor_init(struct cursor *c, struct xdp_md *ctx)
{
	c->pos = (void *)(long)ctx->data;
	c->end = (void *)(long)ctx->data_end;
	c->off = 0;
}

static __always_inline int is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* Ethernet and up to two VLAN tags. Returns the inner ethertype (network
 * order) and the number of tags in *tags. */
static __always_inline int parse_eth(struct cursor *c, struct ethhdr **eth, int *tags)
{
	struct ethhdr *e = c->pos;
	__be16 proto;
	int i;

	if ((void *)(e + 1) > c->end)
		return -1;
	c->pos = e + 1;
	c->off += sizeof(*e);
	*eth = e;
	proto = e->h_proto;
	*tags = 0;
#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_hdr *v = c->pos;

		if (!is_vlan(proto))
			break;
		if ((void *)(v + 1) > c->end)
			return -1;
		proto = v->encap_proto;
		c->pos = v + 1;
		c->off += sizeof(*v);
		*tags += 1;
	}
	return proto;
}

/* IPv4 with its options. Returns the protocol; fragments other than the
 * first return 0 (no transport header follows). */
static __always_inline int parse_ipv4(struct cursor *c, struct iphdr **ip)
{
	struct iphdr *h = c->pos;
	int hlen;

	if ((void *)(h + 1) > c->end)
		return -1;
	if (h->version != 4 || h->ihl < 5)
		return -1;
	hlen = h->ihl * 4;
	if (c->pos + hlen > c->end)
		return -1;
	c->pos += hlen;
	c->off += hlen;
	*ip = h;
	if (h->frag_off & bpf_htons(0x1fff))
		return 0;
	return h->protocol;
}

/* IPv6 and at most one hop-by-hop header. Returns the next header. */
static __always_inline int parse_ipv6(struct cursor *c, struct ipv6hdr **ip6)
{
	struct ipv6hdr *h = c->pos;
	int next;

	if ((void *)(h + 1) > c->end)
		return -1;
	if (h->version != 6)
		return -1;
	c->pos = h + 1;
	c->off += sizeof(*h);
	*ip6 = h;
	next = h->nexthdr;
	if (next == IPPROTO_HOPOPTS) {
		__u8 *ext = c->pos;

		if ((void *)(ext + 2) > c->end)
			return -1;
		next = ext[0];
		if (c->pos + (ext[1] + 1) * 8 > c->end)
			return -1;
		c->pos += (ext[1] + 1) * 8;
		c->off += (ext[1] + 1) * 8;
	}
	return next;
}

static __always_inline int parse_tcp(struct cursor *c, struct tcphdr **tcp)
{
	struct tcphdr *h = c->pos;
	int hlen;

	if ((void *)(h + 1) > c->end)
		return -1;
	hlen = h->doff * 4;
	if (hlen < (int)sizeof(*h))
		return -1;
	if (c->pos + hlen > c->end)
		return -1;
	c->pos += hlen;
	c->off += hlen;
	*tcp = h;
	return 0;
}

static __always_inline int parse_udp(struct cursor *c, struct udphdr **udp)
{
	struct udphdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	c->pos = h + 1;
	c->off += sizeof(*h);
	*udp = h;
	return 0;
}

static __always_inline int parse_icmp(struct cursor *c, struct icmp_hdr **icmp)
{
	struct icmp_hdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	c->pos = h + 1;
	c->off += sizeof(*h);
	*icmp = h;
	return 0;
}

/* Folds a 32-bit one's complement sum into a 16-bit checksum. */
static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* RFC 1624: the checksum after a 16-bit field changed from old to new. */
static __always_inline __u16 csum_replace2(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~old;
	sum += new;
	return csum_fold(sum);
}

#endif /* XBPF_TESTS_DIFF_PKT_H */
