/* SPDX-License-Identifier: MIT */
/*
 * Deterministic frame generator of the differential test (see packets.h).
 * A frame is described by a struct frame_spec, built byte by byte with valid
 * lengths and checksums, and then possibly damaged in one chosen way. The
 * sequence starts with a catalogue of special cases, each once, and goes on
 * with frames drawn from a seeded generator.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packets.h"

#define N_PACKETS 320
#define SEED 0x5eedf00dbeefULL

#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_LLDP 0x88cc

#define PROTO_HOPOPTS 0
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

enum damage {
	DAMAGE_NONE,
	DAMAGE_SHORT_FRAME,       /* cut to `cut` bytes, below an Ethernet header */
	DAMAGE_CUT_L3,            /* cut `cut` bytes into the IP header */
	DAMAGE_CUT_L4,            /* cut `cut` bytes into the transport header */
	DAMAGE_IHL_LOW,           /* IPv4 IHL 3 */
	DAMAGE_IHL_PAST_END,      /* IPv4 IHL 15 in a frame that ends sooner */
	DAMAGE_BAD_VERSION,       /* version 6 in an IPv4 header */
	DAMAGE_TCP_DOFF_LOW,      /* TCP data offset 3 */
	DAMAGE_TOTLEN_PAST_END,   /* IPv4 total length beyond the frame */
	DAMAGE_CUT_VLAN,          /* cut in the middle of the VLAN tag */
};

struct frame_spec {
	unsigned vlan_tags; /* 0, 1 or 2 (QinQ) */
	uint16_t vids[2];
	uint16_t ethertype; /* after the tags */
	bool ipv6;
	uint8_t src[16], dst[16];
	uint8_t ttl;
	uint8_t ihl;       /* IPv4 header words: 5, or more with options */
	uint16_t frag;     /* IPv4 flags and fragment offset */
	bool bad_csum;
	bool hop_by_hop;   /* IPv6 hop-by-hop header before the transport */
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint16_t payload_len;
	enum damage damage;
	uint32_t cut;
	char kind[40];
};

/* ------------------------------------------------------------------------ */
/* Random choices                                                           */
/* ------------------------------------------------------------------------ */

struct rng {
	uint64_t state;
};

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

/* A value between lo and hi inclusive. */
static uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

#define PICK(r, array) ((array)[rng_below((r), sizeof(array) / sizeof((array)[0]))])

static const uint8_t v4_sources[][4] = {
	{10, 0, 0, 1},     {10, 0, 0, 77},  {10, 1, 0, 5},   {10, 1, 2, 3},
	{10, 1, 2, 200},   {192, 168, 1, 10}, {192, 168, 7, 7}, {172, 16, 5, 4},
	{172, 31, 0, 9},   {8, 8, 8, 8},    {203, 0, 113, 9}, {10, 200, 3, 4},
};
static const uint8_t v4_destinations[][4] = {
	{10, 9, 9, 9}, {192, 168, 1, 1}, {10, 1, 2, 254}, {1, 1, 1, 1},
};
static const uint8_t v6_sources[][16] = {
	{0x20, 0x01, 0x0d, 0xb8, [15] = 0x01},
	{0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 0x05},
	{0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x02, [15] = 0x07},
	{0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, [15] = 0x09},
	{0xfe, 0x80, [15] = 0x01},
	{0x20, 0x02, [15] = 0x01},
	{0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 0x99},
};
static const uint8_t v6_destinations[][16] = {
	{0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x00},
	{0xfe, 0x80, [15] = 0x02},
};
static const uint16_t dest_ports[] = {7, 9, 22, 23, 53, 80, 443, 5000, 5001, 8080, 0};
static const uint16_t vlan_ids[] = {5, 100, 300};
static const uint8_t ttls[] = {64, 64, 64, 64, 64, 64, 128, 128, 255, 2, 1, 0};
static const uint8_t tcp_flag_sets[] = {
	TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST,
};
static const uint8_t icmp_types[] = {8, 8, 0, 3};
static const uint8_t icmpv6_types[] = {128, 128, 129, 135};

static uint16_t random_payload_len(struct rng *r)
{
	uint32_t p = rng_below(r, 100);

	if (p < 30)
		return (uint16_t)rng_range(r, 0, 16);
	if (p < 70)
		return (uint16_t)rng_range(r, 17, 128);
	if (p < 90)
		return (uint16_t)rng_range(r, 129, 400);
	return (uint16_t)rng_range(r, 401, 1400);
}

/* An ordinary, well-formed frame. */
static void random_spec(struct rng *r, struct frame_spec *s)
{
	uint32_t family = rng_below(r, 100), vlan = rng_below(r, 100);

	memset(s, 0, sizeof(*s));
	s->vlan_tags = vlan < 70 ? 0 : vlan < 90 ? 1 : 2;
	s->vids[0] = s->vlan_tags == 2 ? 10 : PICK(r, vlan_ids);
	s->vids[1] = PICK(r, vlan_ids);
	s->ttl = PICK(r, ttls);
	s->ihl = rng_below(r, 10) == 0 ? (uint8_t)rng_range(r, 6, 8) : 5;
	s->sport = rng_below(r, 4) == 0 ? (uint16_t)rng_range(r, 33000, 33007)
					: (uint16_t)rng_range(r, 1024, 1031);
	s->dport = PICK(r, dest_ports);
	if (s->dport == 0)
		s->dport = (uint16_t)rng_range(r, 10000, 60000);
	s->tcp_flags = PICK(r, tcp_flag_sets);
	s->payload_len = random_payload_len(r);
	if (family < 5) {
		s->ethertype = ETH_P_ARP;
	} else if (family < 10) {
		s->ethertype = ETH_P_LLDP;
	} else if (family < 65) {
		s->ethertype = ETH_P_IP;
		memcpy(s->src, PICK(r, v4_sources), 4);
		memcpy(s->dst, PICK(r, v4_destinations), 4);
		s->proto = PICK(r, ((const uint8_t[]){PROTO_TCP, PROTO_TCP, PROTO_UDP, PROTO_UDP,
						      PROTO_ICMP}));
		s->icmp_type = PICK(r, icmp_types);
		s->bad_csum = rng_below(r, 40) == 0;
	} else {
		s->ethertype = ETH_P_IPV6;
		s->ipv6 = true;
		memcpy(s->src, PICK(r, v6_sources), 16);
		memcpy(s->dst, PICK(r, v6_destinations), 16);
		s->proto = PICK(r, ((const uint8_t[]){PROTO_TCP, PROTO_TCP, PROTO_UDP, PROTO_UDP,
						      PROTO_ICMPV6}));
		s->icmp_type = PICK(r, icmpv6_types);
		s->hop_by_hop = rng_below(r, 12) == 0;
	}
	s->icmp_code = s->icmp_type == 3 ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* The catalogue of special cases                                           */
/* ------------------------------------------------------------------------ */

/* Turns the random frame *out into special case `which`; false past the
 * last case (leaving *out as it was). */
static bool special_spec(unsigned which, struct frame_spec *out)
{
	static const uint8_t blocked_source[4] = {192, 168, 7, 7};
	struct frame_spec spec = *out, *s = &spec;

	/* Most cases start from plain IPv4 UDP, untagged. */
	s->vlan_tags = 0;
	s->ethertype = ETH_P_IP;
	s->ipv6 = false;
	s->hop_by_hop = false;
	memcpy(s->src, v4_sources[which % 12], 4);
	memcpy(s->dst, v4_destinations[which % 4], 4);
	s->proto = PROTO_UDP;
	s->ihl = 5;
	s->frag = 0;
	s->ttl = 64;
	s->bad_csum = false;
	s->damage = DAMAGE_NONE;

	switch (which) {
	case 0: s->damage = DAMAGE_SHORT_FRAME; s->cut = 6; break;
	case 1: s->damage = DAMAGE_SHORT_FRAME; s->cut = 13; break;
	case 2: s->damage = DAMAGE_CUT_L3; s->cut = 10; break;
	case 3: s->damage = DAMAGE_IHL_LOW; break;
	case 4: s->damage = DAMAGE_IHL_PAST_END; s->payload_len = 8; break;
	case 5: s->damage = DAMAGE_BAD_VERSION; break;
	case 6: s->proto = PROTO_TCP; s->damage = DAMAGE_CUT_L4; s->cut = 10; break;
	case 7: s->damage = DAMAGE_CUT_L4; s->cut = 4; break;
	case 8: s->proto = PROTO_ICMP; s->damage = DAMAGE_CUT_L4; s->cut = 3; break;
	case 9: s->proto = PROTO_TCP; s->damage = DAMAGE_TCP_DOFF_LOW; break;
	case 10: s->damage = DAMAGE_TOTLEN_PAST_END; break;
	case 11:
		s->ipv6 = true;
		s->ethertype = ETH_P_IPV6;
		memcpy(s->src, v6_sources[1], 16);
		s->damage = DAMAGE_CUT_L3;
		s->cut = 30;
		break;
	case 12:
		s->ipv6 = true;
		s->ethertype = ETH_P_IPV6;
		memcpy(s->src, v6_sources[2], 16);
		s->proto = PROTO_TCP;
		s->damage = DAMAGE_CUT_L4;
		s->cut = 12;
		break;
	case 13: s->ihl = 7; break;
	case 14: s->frag = 0x2000; break;          /* first fragment, more follow */
	case 15: s->frag = 185; s->payload_len = 40; break; /* a later fragment */
	case 16:
		s->ipv6 = true;
		s->ethertype = ETH_P_IPV6;
		memcpy(s->src, v6_sources[0], 16);
		s->hop_by_hop = true;
		break;
	case 17: s->ethertype = ETH_P_ARP; break;
	case 18: s->ethertype = ETH_P_LLDP; break;
	case 19: s->vlan_tags = 2; s->vids[0] = 10; s->vids[1] = 100; break;
	case 20:
		s->vlan_tags = 1;
		s->vids[0] = 100;
		s->ipv6 = true;
		s->ethertype = ETH_P_IPV6;
		memcpy(s->src, v6_sources[3], 16);
		s->proto = PROTO_TCP;
		break;
	case 21: s->vlan_tags = 1; s->vids[0] = 300; s->proto = PROTO_ICMP; s->icmp_type = 8; break;
	case 22: s->vlan_tags = 1; s->vids[0] = 5; s->dport = 7; break;
	case 23: s->ttl = 0; break;
	case 24: s->ttl = 1; break;
	case 25:
		s->ipv6 = true;
		s->ethertype = ETH_P_IPV6;
		memcpy(s->src, v6_sources[4], 16);
		s->ttl = 1;
		break;
	case 26: s->bad_csum = true; break;
	case 27: s->proto = PROTO_ICMP; s->icmp_type = 8; s->icmp_code = 0; break;
	case 28:
		s->ipv6 = true;
		s->ethertype = ETH_P_IPV6;
		memcpy(s->src, v6_sources[5], 16);
		s->proto = PROTO_ICMPV6;
		s->icmp_type = 128;
		s->icmp_code = 0;
		break;
	case 29: s->dport = 7; break;
	case 30:
		s->ipv6 = true;
		s->ethertype = ETH_P_IPV6;
		memcpy(s->src, v6_sources[6], 16);
		s->dport = 7;
		break;
	case 31:
		memcpy(s->src, blocked_source, 4);
		s->proto = PROTO_TCP;
		s->dport = 23;
		s->tcp_flags = TCP_SYN;
		break;
	case 32: s->payload_len = 1400; break;
	case 33: s->dport = 9; s->payload_len = 200; break;
	case 34: s->damage = DAMAGE_CUT_L3; s->cut = 0; break;
	case 35: s->vlan_tags = 1; s->vids[0] = 100; s->damage = DAMAGE_CUT_VLAN; break;
	default:
		return false;
	}
	*out = spec;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Building bytes                                                           */
/* ------------------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* One's complement sum of big-endian 16-bit words, not yet folded. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The checksum of a TCP/UDP/ICMPv6 segment with its pseudo header. */
static uint16_t l4_checksum(const struct frame_spec *s, const uint8_t *seg, size_t len)
{
	size_t alen = s->ipv6 ? 16 : 4;
	uint32_t sum = sum16(s->src, alen, 0);

	sum = sum16(s->dst, alen, sum);
	sum += s->proto + (uint32_t)len;
	return fold(sum16(seg, len, sum));
}

static size_t build_ethernet(const struct frame_spec *s, uint8_t *b, unsigned index)
{
	size_t off = 12;
	unsigned t;

	/* Our host's MAC, or now and then broadcast; the sender's from its address. */
	if (index % 17 == 0)
		memset(b, 0xff, 6);
	else
		memcpy(b, (const uint8_t[]){0x02, 0x00, 0x00, 0x00, 0x00, 0x01}, 6);
	memcpy(b + 6, (const uint8_t[]){0x02, 0x00, s->src[0], s->src[1], s->src[2], s->src[3]},
	       6);
	b[6] = (uint8_t)(0x02 | (s->src[15] << 2));
	for (t = 0; t < s->vlan_tags; t++) {
		uint16_t tpid = s->vlan_tags == 2 && t == 0 ? ETH_P_8021AD : ETH_P_8021Q;

		put16(b + off, tpid);
		put16(b + off + 2, (uint16_t)((t + 1) << 13 | s->vids[t]));
		off += 4;
	}
	put16(b + off, s->ethertype);
	return off + 2;
}

static size_t build_transport(const struct frame_spec *s, struct rng *r, uint8_t *b)
{
	size_t hlen, i;

	switch (s->proto) {
	case PROTO_TCP:
		hlen = 20;
		put16(b, s->sport);
		put16(b + 2, s->dport);
		put32(b + 4, (uint32_t)rng_next(r));
		put32(b + 8, s->tcp_flags & TCP_ACK ? (uint32_t)rng_next(r) : 0);
		b[12] = 5 << 4;
		b[13] = s->tcp_flags;
		put16(b + 14, 64240);
		put16(b + 16, 0);
		put16(b + 18, 0);
		break;
	case PROTO_UDP:
		hlen = 8;
		put16(b, s->sport);
		put16(b + 2, s->dport);
		put16(b + 4, (uint16_t)(hlen + s->payload_len));
		put16(b + 6, 0);
		break;
	default: /* ICMP, ICMPv6 */
		hlen = 8;
		b[0] = s->icmp_type;
		b[1] = s->icmp_code;
		put16(b + 2, 0);
		put16(b + 4, s->sport);
		put16(b + 6, (uint16_t)rng_below(r, 100));
		break;
	}
	for (i = 0; i < s->payload_len; i++)
		b[hlen + i] = (uint8_t)rng_next(r);
	return hlen + s->payload_len;
}

/* Fills the transport checksum of the segment at seg. */
static void checksum_transport(const struct frame_spec *s, uint8_t *seg, size_t len)
{
	switch (s->proto) {
	case PROTO_TCP:
		put16(seg + 16, l4_checksum(s, seg, len));
		break;
	case PROTO_UDP:
		put16(seg + 6, l4_checksum(s, seg, len));
		break;
	case PROTO_ICMPV6:
		put16(seg + 2, l4_checksum(s, seg, len));
		break;
	default:
		put16(seg + 2, fold(sum16(seg, len, 0)));
		break;
	}
}

static size_t build_ipv4(const struct frame_spec *s, struct rng *r, uint8_t *b)
{
	size_t hlen = (size_t)s->ihl * 4, seg_len = 0;
	uint16_t csum;

	/* A later fragment carries payload only. */
	if ((s->frag & 0x1fff) != 0) {
		size_t i;

		for (i = 0; i < s->payload_len; i++)
			b[hlen + i] = (uint8_t)rng_next(r);
		seg_len = s->payload_len;
	} else {
		seg_len = build_transport(s, r, b + hlen);
		checksum_transport(s, b + hlen, seg_len);
	}
	b[0] = (uint8_t)(0x40 | s->ihl);
	b[1] = 0;
	put16(b + 2, (uint16_t)(hlen + seg_len));
	put16(b + 4, (uint16_t)rng_next(r));
	put16(b + 6, s->frag);
	b[8] = s->ttl;
	b[9] = s->proto;
	put16(b + 10, 0);
	memcpy(b + 12, s->src, 4);
	memcpy(b + 16, s->dst, 4);
	memset(b + 20, 1, hlen - 20); /* options: NOPs */
	csum = fold(sum16(b, hlen, 0));
	put16(b + 10, s->bad_csum ? (uint16_t)(csum ^ 0x5a5a) : csum);
	return hlen + seg_len;
}

static size_t build_ipv6(const struct frame_spec *s, struct rng *r, uint8_t *b)
{
	size_t ext = s->hop_by_hop ? 8 : 0, seg_len;

	seg_len = build_transport(s, r, b + 40 + ext);
	checksum_transport(s, b + 40 + ext, seg_len);
	put32(b, 0x60000000u | (uint32_t)rng_below(r, 1u << 20));
	put16(b + 4, (uint16_t)(ext + seg_len));
	b[6] = s->hop_by_hop ? PROTO_HOPOPTS : s->proto;
	b[7] = s->ttl;
	memcpy(b + 8, s->src, 16);
	memcpy(b + 24, s->dst, 16);
	if (ext) {
		/* Next header, length 0 (8 bytes), a PadN option of 4 bytes. */
		memcpy(b + 40, (const uint8_t[]){s->proto, 0, 1, 4, 0, 0, 0, 0}, 8);
	}
	return 40 + ext + seg_len;
}

static size_t build_other(const struct frame_spec *s, struct rng *r, uint8_t *b)
{
	size_t len = s->ethertype == ETH_P_ARP ? 28 : 46, i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)rng_next(r);
	if (s->ethertype == ETH_P_ARP) {
		/* Ethernet/IPv4 request. */
		memcpy(b, (const uint8_t[]){0, 1, 8, 0, 6, 4, 0, 1}, 8);
	}
	return len;
}

/* Damages the frame of length len; returns its new length. */
static uint32_t damage(const struct frame_spec *s, uint8_t *b, uint32_t len, size_t l3, size_t l4)
{
	uint8_t *ip = b + l3;

	switch (s->damage) {
	case DAMAGE_NONE:
		break;
	case DAMAGE_SHORT_FRAME:
		return s->cut;
	case DAMAGE_CUT_L3:
		return (uint32_t)(l3 + s->cut);
	case DAMAGE_CUT_L4:
		return (uint32_t)(l4 + s->cut);
	case DAMAGE_IHL_LOW:
		ip[0] = (uint8_t)((ip[0] & 0xf0) | 3);
		break;
	case DAMAGE_IHL_PAST_END:
		ip[0] = (uint8_t)((ip[0] & 0xf0) | 15);
		return (uint32_t)(l3 + 40);
	case DAMAGE_BAD_VERSION:
		ip[0] = (uint8_t)(0x60 | (ip[0] & 0x0f));
		break;
	case DAMAGE_TCP_DOFF_LOW:
		b[l4 + 12] = 3 << 4;
		break;
	case DAMAGE_TOTLEN_PAST_END:
		put16(ip + 2, (uint16_t)(len - l3 + 100));
		break;
	case DAMAGE_CUT_VLAN:
		return 14 + 2;
	}
	return len;
}

static void build(const struct frame_spec *s, struct rng *r, unsigned index,
		  struct diff_packet *p)
{
	size_t l3 = build_ethernet(s, p->data, index), len;
	size_t l4 = l3;

	if (s->ethertype == ETH_P_IP) {
		len = l3 + build_ipv4(s, r, p->data + l3);
		l4 = l3 + (size_t)s->ihl * 4;
	} else if (s->ethertype == ETH_P_IPV6) {
		len = l3 + build_ipv6(s, r, p->data + l3);
		l4 = l3 + 40 + (s->hop_by_hop ? 8 : 0);
	} else {
		len = l3 + build_other(s, r, p->data + l3);
	}
	p->len = damage(s, p->data, (uint32_t)len, l3, l4);
}

static void describe(const struct frame_spec *s, struct diff_packet *p)
{
	static const char *const damages[] = {
		[DAMAGE_NONE] = "",
		[DAMAGE_SHORT_FRAME] = " short-frame",
		[DAMAGE_CUT_L3] = " cut-l3",
		[DAMAGE_CUT_L4] = " cut-l4",
		[DAMAGE_IHL_LOW] = " ihl-low",
		[DAMAGE_IHL_PAST_END] = " ihl-past-end",
		[DAMAGE_BAD_VERSION] = " bad-version",
		[DAMAGE_TCP_DOFF_LOW] = " doff-low",
		[DAMAGE_TOTLEN_PAST_END] = " totlen-past-end",
		[DAMAGE_CUT_VLAN] = " cut-vlan",
	};
	const char *l3 = s->ethertype == ETH_P_IP     ? "ipv4"
			 : s->ethertype == ETH_P_IPV6 ? "ipv6"
			 : s->ethertype == ETH_P_ARP  ? "arp"
						      : "lldp";
	const char *tags[] = {"", "vlan/", "qinq/"}, *l4 = "";
	bool ip = s->ethertype == ETH_P_IP || s->ethertype == ETH_P_IPV6;
	char ttl[16] = "";

	if (ip)
		l4 = s->proto == PROTO_TCP ? "/tcp" : s->proto == PROTO_UDP ? "/udp" : "/icmp";
	if (ip && s->ttl != 64)
		snprintf(ttl, sizeof(ttl), " ttl=%u", s->ttl);
	snprintf(p->kind, sizeof(p->kind), "%s%s%s%s%s%s%s%s%s", tags[s->vlan_tags], l3, l4,
		 ttl, ip && !s->ipv6 && s->ihl > 5 ? " options" : "",
		 ip && !s->ipv6 && s->frag ? " fragment" : "", s->hop_by_hop ? " hop-by-hop" : "",
		 ip && !s->ipv6 && s->bad_csum ? " bad-checksum" : "", damages[s->damage]);
}

int diff_packets_generate(struct diff_packet **out, size_t *count)
{
	struct diff_packet *pkts = calloc(N_PACKETS, sizeof(*pkts));
	struct rng r = {.state = SEED};
	unsigned i, special = 0;

	if (!pkts)
		return -ENOMEM;
	for (i = 0; i < N_PACKETS; i++) {
		struct frame_spec s;

		random_spec(&r, &s);
		if (i % 3 == 0 && special_spec(special, &s))
			special++;
		else if (rng_below(&r, 100) < 4)
			/* Now and then another malformed frame. */
			special_spec(PICK(&r, ((const unsigned[]){2, 3, 4, 6, 7, 9, 10})), &s);
		build(&s, &r, i, &pkts[i]);
		describe(&s, &pkts[i]);
	}
	*out = pkts;
	*count = N_PACKETS;
	return 0;
}
