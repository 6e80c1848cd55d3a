/* SPDX-License-Identifier: MIT */
/* The firewall traffic mix of the pcap generator. */
#include <string.h>

#include <netinet/in.h>

#include "packet_build.h"
#include "traffic.h"

#define TCP_SYN 0x02
#define TCP_PSH_ACK 0x18

static const uint8_t firewall_mac[6] = {0x02, 0x00, 0x00, 0x00, 0xfe, 0x01};
static const uint8_t upstream_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t next_random(struct traffic *t)
{
	uint64_t z = (t->state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t pick(struct traffic *t, uint32_t n)
{
	return (uint32_t)(next_random(t) % n);
}

void traffic_init(struct traffic *t, uint64_t seed)
{
	*t = (struct traffic){.state = seed};
}

/* ---- who talks ---------------------------------------------------------- */

enum origin { INTERNET, OFFICE, ANYWHERE, SCANNER };

static void set_ipv4(uint8_t ip[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(ip, 0, 16);
	ip[0] = a, ip[1] = b, ip[2] = c, ip[3] = d;
}

/* 2001:db8:NET3::HOST, HOST written with the digits of the decimal number
 * (host 53 is ::53), so that IPv6 servers read like their IPv4 twins. */
static void set_ipv6(uint8_t ip[16], uint16_t net3, uint8_t host)
{
	static const uint8_t prefix[4] = {0x20, 0x01, 0x0d, 0xb8};
	memset(ip, 0, 16);
	memcpy(ip, prefix, 4);
	pkt_put16(ip + 4, net3);
	pkt_put16(ip + 14, (uint16_t)((host / 100) << 8 | (host / 10 % 10) << 4 | host % 10));
}

static void client(struct traffic *t, struct pkt_spec *s, enum origin from)
{
	memcpy(s->dst_mac, firewall_mac, 6);
	memcpy(s->src_mac, upstream_mac, 6);
	if (from == ANYWHERE)
		from = pick(t, 2) ? OFFICE : INTERNET;
	uint8_t host = (uint8_t)(2 + pick(t, 60));
	if (from == OFFICE)
		s->src_mac[3] = 0x01, s->src_mac[5] = host; /* office hosts are on the link */
	if (s->family == 6) {
		set_ipv6(s->src_ip, from == OFFICE ? 0x0001 : 0xff00, host);
		return;
	}
	switch (from) {
	case OFFICE:
		set_ipv4(s->src_ip, 10, 1, 0, host);
		break;
	case INTERNET:
		if (pick(t, 2))
			set_ipv4(s->src_ip, 198, 51, 100, (uint8_t)(1 + pick(t, 254)));
		else
			set_ipv4(s->src_ip, 203, 0, 113, (uint8_t)(1 + pick(t, 254)));
		break;
	default:
		set_ipv4(s->src_ip, 192, 0, 2, pick(t, 2) ? 66 : 99);
		break;
	}
}

static void server(struct pkt_spec *s, uint8_t host)
{
	if (s->family == 6)
		set_ipv6(s->dst_ip, 0x0010, host);
	else
		set_ipv4(s->dst_ip, 10, 0, 0, host);
}

static uint16_t ephemeral_port(struct traffic *t)
{
	return (uint16_t)(32768 + pick(t, 28232));
}

/* ---- what they say ------------------------------------------------------ */

/* Each builder fills in the rest of s and writes the frame; *kind may be
 * made more precise. */
typedef size_t build_fn(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind);

static size_t dns_query(struct traffic *t, uint8_t *q)
{
	static const char *const names[] = {"www.example.com", "mail.example.org", "example.net",
					    "ntp.example.com", "cdn.example.com"};
	const char *name = names[pick(t, sizeof(names) / sizeof(names[0]))];
	size_t n = 12;
	memset(q, 0, n);
	pkt_put16(q, (uint16_t)next_random(t)); /* id */
	pkt_put16(q + 2, 0x0100);		 /* a query, recursion desired */
	pkt_put16(q + 4, 1);			 /* one question */
	for (const char *label = name; *label;) {
		size_t len = strcspn(label, ".");
		q[n++] = (uint8_t)len;
		memcpy(q + n, label, len);
		n += len;
		label += len + (label[len] == '.');
	}
	q[n++] = 0;
	pkt_put16(q + n, pick(t, 2) ? 1 : 28); /* A or AAAA */
	pkt_put16(q + n + 2, 1);	       /* IN */
	return n + 4;
}

static size_t web(struct traffic *t, struct pkt_spec *s, uint8_t *buf, uint16_t port)
{
	static const char get[] = "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
				  "User-Agent: pcapgen\r\n\r\n";
	uint8_t hello[120];
	s->proto = IPPROTO_TCP;
	s->sport = ephemeral_port(t);
	s->dport = port;
	s->seq = (uint32_t)next_random(t);
	server(s, 80);
	if (pick(t, 5) < 2) {
		s->tcp_flags = TCP_SYN;
	} else {
		s->tcp_flags = TCP_PSH_ACK;
		s->ack = (uint32_t)next_random(t);
		if (port == 80) {
			s->payload = get;
			s->payload_len = sizeof(get) - 1;
		} else { /* the start of a TLS ClientHello */
			for (size_t i = 0; i < sizeof(hello); i++)
				hello[i] = (uint8_t)next_random(t);
			memcpy(hello, "\x16\x03\x01\x00\x73\x01", 6);
			s->payload = hello;
			s->payload_len = sizeof(hello);
		}
	}
	return pkt_build(s, buf, TRAFFIC_MAX_FRAME, NULL);
}

static size_t http(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	return web(t, s, buf, 80);
}

static size_t https(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	return web(t, s, buf, 443);
}

static size_t dns(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	uint8_t query[64];
	s->proto = IPPROTO_UDP;
	s->sport = ephemeral_port(t);
	s->dport = 53;
	s->payload = query;
	s->payload_len = dns_query(t, query);
	server(s, 53);
	return pkt_build(s, buf, TRAFFIC_MAX_FRAME, NULL);
}

static size_t ssh(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	static const char banner[] = "SSH-2.0-OpenSSH_9.2p1\r\n";
	s->proto = IPPROTO_TCP;
	s->sport = ephemeral_port(t);
	s->dport = 22;
	s->seq = (uint32_t)next_random(t);
	s->tcp_flags = TCP_SYN;
	if (pick(t, 2)) {
		s->tcp_flags = TCP_PSH_ACK;
		s->ack = (uint32_t)next_random(t);
		s->payload = banner;
		s->payload_len = sizeof(banner) - 1;
	}
	server(s, 22);
	return pkt_build(s, buf, TRAFFIC_MAX_FRAME, NULL);
}

static size_t ping(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	static const char pattern[] = "abcdefghijklmnopqrstuvwabcdefghi";
	static const uint8_t targets[] = {80, 53, 22};
	s->proto = s->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	s->icmp_type = s->family == 4 ? 8 : 128; /* echo request */
	s->sport = (uint16_t)(0x1000 + pick(t, 16)); /* identifier */
	s->dport = (uint16_t)++t->icmp_seq;
	s->payload = pattern;
	s->payload_len = sizeof(pattern) - 1;
	server(s, targets[pick(t, 3)]);
	return pkt_build(s, buf, TRAFFIC_MAX_FRAME, NULL);
}

static size_t ntp(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	uint8_t request[48] = {0x23}; /* NTPv4, client */
	s->proto = IPPROTO_UDP;
	s->sport = pick(t, 2) ? 123 : ephemeral_port(t);
	s->dport = 123;
	s->payload = request;
	s->payload_len = sizeof(request);
	server(s, 123);
	return pkt_build(s, buf, TRAFFIC_MAX_FRAME, NULL);
}

static size_t scan(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	static const uint16_t ports[] = {21, 23, 25, 445, 1433, 3306, 3389, 5900, 8080};
	s->proto = IPPROTO_TCP;
	s->sport = 40000;
	s->dport = ports[pick(t, sizeof(ports) / sizeof(ports[0]))];
	s->seq = (uint32_t)next_random(t);
	s->tcp_flags = TCP_SYN;
	server(s, (uint8_t)(1 + pick(t, 254)));
	return pkt_build(s, buf, TRAFFIC_MAX_FRAME, NULL);
}

static size_t arp(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	uint8_t gateway[16];
	set_ipv4(gateway, 10, 0, 0, 1);
	return pkt_build_arp(s->src_mac, s->src_ip, gateway, buf, TRAFFIC_MAX_FRAME);
}

/* Larger than an XDP frame holds. */
static size_t jumbo(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	static const uint8_t zeros[TRAFFIC_MAX_FRAME];
	s->proto = IPPROTO_UDP;
	s->sport = ephemeral_port(t);
	s->dport = 9000;
	s->payload = zeros;
	s->payload_len = TRAFFIC_MAX_FRAME - PKT_ETH_HLEN - 20 - 8;
	server(s, 80);
	return pkt_build(s, buf, TRAFFIC_MAX_FRAME, NULL);
}

/* A well-formed web SYN first, then broken in one of several ways. */
static size_t malformed(struct traffic *t, struct pkt_spec *s, uint8_t *buf, const char **kind)
{
	struct pkt_layout at;
	s->proto = IPPROTO_TCP;
	s->sport = ephemeral_port(t);
	s->dport = 80;
	s->tcp_flags = TCP_SYN;
	server(s, 80);
	size_t len = pkt_build(s, buf, TRAFFIC_MAX_FRAME, &at);
	switch (pick(t, 6)) {
	case 0:
		*kind = "bad-ihl"; /* an IPv4 header shorter than the minimum */
		buf[at.l3] = 0x43;
		return len;
	case 1:
		*kind = "short-ipv4"; /* the frame ends inside the IPv4 header */
		return at.l3 + 10;
	case 2:
		*kind = "bad-total-length"; /* more bytes claimed than the frame has */
		pkt_put16(buf + at.l3 + 2, 1500);
		return len;
	case 3:
		*kind = "bad-tcp-offset"; /* a TCP header shorter than the minimum */
		buf[at.l4 + 12] = 2 << 4;
		return len;
	case 4:
		*kind = "short-tcp"; /* the frame ends inside the TCP header */
		return at.l4 + 6;
	default:
		*kind = "runt"; /* not even an Ethernet header */
		return 10;
	}
}

/* ---- the mix ------------------------------------------------------------ */

struct share {
	const char *kind;
	uint32_t weight; /* per mille */
	build_fn *build;
	enum origin from;
	uint8_t family;
	uint16_t vlan;
};

static const struct share mix[] = {
	{"http", 180, http, INTERNET, 4, 0},
	{"https", 170, https, INTERNET, 4, 0},
	{"https6", 60, https, INTERNET, 6, 0},
	{"dns", 130, dns, ANYWHERE, 4, 0},
	{"dns6", 30, dns, ANYWHERE, 6, 0},
	{"dns-vlan", 20, dns, OFFICE, 4, 10},
	{"ssh-office", 60, ssh, OFFICE, 4, 0},
	{"ssh-outside", 50, ssh, INTERNET, 4, 0},
	{"ping", 50, ping, ANYWHERE, 4, 0},
	{"ping6", 30, ping, ANYWHERE, 6, 0},
	{"ntp", 30, ntp, INTERNET, 4, 0},
	{"scan", 100, scan, SCANNER, 4, 0},
	{"arp", 20, arp, OFFICE, 4, 0},
	{"malformed", 68, malformed, INTERNET, 4, 0},
	{"jumbo", 2, jumbo, INTERNET, 4, 0},
};
#define N_SHARES (sizeof(mix) / sizeof(mix[0]))

static const struct share *pick_share(struct traffic *t)
{
	uint32_t total = 0;
	for (size_t i = 0; i < N_SHARES; i++)
		total += mix[i].weight;
	uint32_t x = pick(t, total);
	size_t i = 0;
	while (x >= mix[i].weight)
		x -= mix[i++].weight;
	return &mix[i];
}

size_t traffic_next(struct traffic *t, uint8_t *buf, const char **kind)
{
	const struct share *share = pick_share(t);
	struct pkt_spec s = {.family = share->family, .vlan = share->vlan};
	client(t, &s, share->from);
	*kind = share->kind;
	return share->build(t, &s, buf, kind);
}
