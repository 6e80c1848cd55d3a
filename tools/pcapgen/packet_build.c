/* SPDX-License-Identifier: MIT */
/* Ethernet, IPv4, IPv6, TCP, UDP, ICMP and ARP headers, checksums included. */
#include <string.h>

#include <netinet/in.h>

#include "packet_build.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_ARP_ 0x0806
#define ETH_P_VLAN 0x8100
#define ETH_P_IPV6 0x86dd
#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8

static void put32(uint8_t *p, uint32_t v)
{
	pkt_put16(p, (uint16_t)(v >> 16));
	pkt_put16(p + 2, (uint16_t)v);
}

static uint32_t sum_words(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += pkt_get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t pkt_checksum(const void *data, size_t len, uint32_t sum)
{
	sum = sum_words(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet header and tag; returns where the ethertype goes. */
static size_t put_ethernet(const struct pkt_spec *s, uint8_t *buf, uint16_t type)
{
	memcpy(buf, s->dst_mac, 6);
	memcpy(buf + 6, s->src_mac, 6);
	size_t at = 12;
	if (s->vlan) {
		pkt_put16(buf + at, ETH_P_VLAN);
		pkt_put16(buf + at + 2, s->vlan & 0x0fff);
		at += PKT_VLAN_HLEN;
	}
	pkt_put16(buf + at, type);
	return at + 2;
}

static size_t l4_header_len(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return TCP_HLEN;
	case IPPROTO_UDP:
		return UDP_HLEN;
	default:
		return ICMP_HLEN;
	}
}

/* The pseudo-header sum TCP, UDP and ICMPv6 checksums start from. */
static uint32_t pseudo_sum(const struct pkt_spec *s, size_t l4_len)
{
	size_t addr_len = s->family == 4 ? 4 : 16;
	uint32_t sum = sum_words(s->src_ip, addr_len, 0);
	sum = sum_words(s->dst_ip, addr_len, sum);
	return sum + s->proto + (uint32_t)l4_len;
}

static void put_ipv4(const struct pkt_spec *s, uint8_t *ip, size_t l4_len)
{
	memset(ip, 0, IPV4_HLEN);
	ip[0] = 0x45;
	pkt_put16(ip + 2, (uint16_t)(IPV4_HLEN + l4_len));
	pkt_put16(ip + 4, (uint16_t)(s->sport ^ s->dport ^ s->seq)); /* identification */
	ip[6] = 0x40; /* don't fragment */
	ip[8] = s->ttl ? s->ttl : 64;
	ip[9] = s->proto;
	memcpy(ip + 12, s->src_ip, 4);
	memcpy(ip + 16, s->dst_ip, 4);
	pkt_put16(ip + 10, pkt_checksum(ip, IPV4_HLEN, 0));
}

static void put_ipv6(const struct pkt_spec *s, uint8_t *ip, size_t l4_len)
{
	memset(ip, 0, IPV6_HLEN);
	ip[0] = 0x60;
	pkt_put16(ip + 4, (uint16_t)l4_len);
	ip[6] = s->proto;
	ip[7] = s->ttl ? s->ttl : 64;
	memcpy(ip + 8, s->src_ip, 16);
	memcpy(ip + 24, s->dst_ip, 16);
}

static void put_l4(const struct pkt_spec *s, uint8_t *l4, size_t l4_len)
{
	uint16_t sum_offset;
	memset(l4, 0, l4_header_len(s->proto));
	switch (s->proto) {
	case IPPROTO_TCP:
		pkt_put16(l4, s->sport);
		pkt_put16(l4 + 2, s->dport);
		put32(l4 + 4, s->seq);
		put32(l4 + 8, s->ack);
		l4[12] = (TCP_HLEN / 4) << 4;
		l4[13] = s->tcp_flags;
		pkt_put16(l4 + 14, 64240); /* window */
		sum_offset = 16;
		break;
	case IPPROTO_UDP:
		pkt_put16(l4, s->sport);
		pkt_put16(l4 + 2, s->dport);
		pkt_put16(l4 + 4, (uint16_t)l4_len);
		sum_offset = 6;
		break;
	default: /* an ICMP or ICMPv6 echo */
		l4[0] = s->icmp_type;
		pkt_put16(l4 + 4, s->sport);
		pkt_put16(l4 + 6, s->dport);
		sum_offset = 2;
		break;
	}
	/* ICMP over IPv4 is the one without a pseudo-header. */
	uint32_t start = s->proto == IPPROTO_ICMP ? 0 : pseudo_sum(s, l4_len);
	uint16_t sum = pkt_checksum(l4, l4_len, start);
	if (sum == 0 && s->proto == IPPROTO_UDP)
		sum = 0xffff; /* zero would mean "no checksum" */
	pkt_put16(l4 + sum_offset, sum);
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap, struct pkt_layout *where)
{
	size_t l3_len = s->family == 4 ? IPV4_HLEN : IPV6_HLEN;
	size_t l4_len = l4_header_len(s->proto) + s->payload_len;
	size_t eth_len = PKT_ETH_HLEN + (s->vlan ? PKT_VLAN_HLEN : 0);
	size_t len = eth_len + l3_len + l4_len;
	if (len > cap || l4_len > 0xffff - l3_len)
		return 0;
	size_t l3 = put_ethernet(s, buf, s->family == 4 ? ETH_P_IPV4 : ETH_P_IPV6);
	size_t l4 = l3 + l3_len;
	size_t payload = l4 + l4_header_len(s->proto);
	if (s->payload_len)
		memcpy(buf + payload, s->payload, s->payload_len);
	put_l4(s, buf + l4, l4_len);
	if (s->family == 4)
		put_ipv4(s, buf + l3, l4_len);
	else
		put_ipv6(s, buf + l3, l4_len);
	if (where)
		*where = (struct pkt_layout){.l3 = l3, .l4 = l4, .payload = payload, .len = len};
	return len;
}

size_t pkt_build_arp(const uint8_t sender_mac[6], const uint8_t sender_ip[4],
		     const uint8_t target_ip[4], uint8_t *buf, size_t cap)
{
	static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const size_t len = PKT_ETH_HLEN + 28;
	if (len > cap)
		return 0;
	memcpy(buf, broadcast, 6);
	memcpy(buf + 6, sender_mac, 6);
	pkt_put16(buf + 12, ETH_P_ARP_);
	uint8_t *arp = buf + PKT_ETH_HLEN;
	pkt_put16(arp, 1);	    /* Ethernet */
	pkt_put16(arp + 2, ETH_P_IPV4);
	arp[4] = 6;
	arp[5] = 4;
	pkt_put16(arp + 6, 1);	    /* request */
	memcpy(arp + 8, sender_mac, 6);
	memcpy(arp + 14, sender_ip, 4);
	memset(arp + 18, 0, 6);
	memcpy(arp + 24, target_ip, 4);
	return len;
}
