/* SPDX-License-Identifier: MIT */
/*
 * A deterministic mix of traffic arriving at a small site's firewall, for
 * the XDP demo and tests. Servers sit in 10.0.0.0/24 and 2001:db8:10::/64
 * (web .80, DNS .53, SSH .22, NTP .123); the office is 10.1.0.0/24 and
 * 2001:db8:1::/64 (some of it on VLAN 10); clients on the Internet come from
 * 198.51.100.0/24, 203.0.113.0/24 and 2001:db8:ff00::/64, and 192.0.2.0/24
 * holds port scanners. Besides web, DNS, SSH, NTP and ping there are ARP
 * requests, a few malformed frames (truncated or inconsistent headers, a
 * runt) and the odd jumbo frame. The same seed gives the same frames.
 */
#ifndef XBPF_PCAPGEN_TRAFFIC_H
#define XBPF_PCAPGEN_TRAFFIC_H

#include <stddef.h>
#include <stdint.h>

/* Room a frame may need: the jumbo frames are this long. */
#define TRAFFIC_MAX_FRAME 9000

struct traffic {
	uint64_t state;
	uint32_t icmp_seq;
};

void traffic_init(struct traffic *t, uint64_t seed);
/* Writes the next frame to buf (TRAFFIC_MAX_FRAME bytes) and returns its
 * length; *kind names what it is ("http", "dns", "scan", "bad-ihl"...). */
size_t traffic_next(struct traffic *t, uint8_t *buf, const char **kind);

#endif /* XBPF_PCAPGEN_TRAFFIC_H */
