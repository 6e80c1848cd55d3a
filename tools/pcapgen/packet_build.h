/* SPDX-License-Identifier: MIT */
/*
 * Building Ethernet frames: IPv4 or IPv6 carrying TCP, UDP or an ICMP echo,
 * optionally VLAN-tagged, with every checksum right; and ARP requests. The
 * pcap generator and the xdp hook tests make their traffic with it.
 */
#ifndef XBPF_PCAPGEN_PACKET_BUILD_H
#define XBPF_PCAPGEN_PACKET_BUILD_H

#include <stddef.h>
#include <stdint.h>

#define PKT_ETH_HLEN 14
#define PKT_VLAN_HLEN 4

struct pkt_spec {
	uint8_t dst_mac[6], src_mac[6];
	uint16_t vlan;	  /* VLAN id of an 802.1Q tag; 0: untagged */
	uint8_t family;	  /* 4 or 6 */
	uint8_t src_ip[16]; /* IPv4 addresses take the first 4 bytes */
	uint8_t dst_ip[16];
	uint8_t ttl;	  /* hop limit for IPv6; 0 means 64 */
	uint8_t proto;	  /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6 */
	uint16_t sport;	  /* TCP, UDP; ICMP echo: the identifier */
	uint16_t dport;	  /* TCP, UDP; ICMP echo: the sequence number */
	uint8_t tcp_flags;
	uint32_t seq, ack; /* TCP */
	uint8_t icmp_type; /* ICMP: 8 (echo request) or 0; ICMPv6: 128 or 129 */
	const void *payload;
	size_t payload_len;
};

/* Where the parts of a built frame start. */
struct pkt_layout {
	size_t l3;	/* the IP header */
	size_t l4;	/* the TCP, UDP or ICMP header */
	size_t payload;
	size_t len;	/* of the whole frame */
};

/* Writes the frame into buf (cap bytes); returns its length, 0 when it
 * does not fit. where may be NULL. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap, struct pkt_layout *where);

/* An ARP request from sender (MAC and IPv4 address) for target_ip. */
size_t pkt_build_arp(const uint8_t sender_mac[6], const uint8_t sender_ip[4],
		     const uint8_t target_ip[4], uint8_t *buf, size_t cap);

/* The Internet checksum (RFC 1071) of len bytes, starting from sum. */
uint16_t pkt_checksum(const void *data, size_t len, uint32_t sum);

static inline void pkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t pkt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

#endif /* XBPF_PCAPGEN_PACKET_BUILD_H */
