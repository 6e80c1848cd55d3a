/* SPDX-License-Identifier: MIT */
/*
 * The frames every differential test program runs over: a deterministic
 * sequence (the same on every machine and every run) of valid and malformed
 * Ethernet frames.
 *
 * What the sequence holds, so that each program finds the traffic it acts on:
 * - IPv4 and IPv6 with TCP (SYN, SYN-ACK, ACK, FIN, RST, PSH), UDP and
 *   ICMP/ICMPv6 (echo request and reply, unreachable, neighbour
 *   solicitation); IPv4 options, fragments, an IPv6 hop-by-hop header.
 * - Sources from the prefixes 10.0.0.0/8, 10.1.0.0/16, 10.1.2.0/24,
 *   192.168.0.0/16, 172.16.0.0/12 and others; 2001:db8::/32,
 *   2001:db8:1::/48, fe80::/10 and others. A small pool, so flows repeat.
 * - Destination ports 7 (echo), 9 (discard), 22, 23, 53, 80, 443, 5000,
 *   5001, 8080 and random high ports.
 * - TTLs and hop limits 0, 1, 2, 64, 128, 255; a few bad IPv4 checksums.
 * - Untagged, 802.1Q-tagged (VIDs 5, 100, 300) and QinQ frames; ARP and
 *   LLDP frames.
 * - Payloads from empty to 1400 bytes.
 * - Malformed frames: shorter than an Ethernet header (which BPF_PROG_TEST_RUN
 *   refuses), truncated IPv4/IPv6/TCP/UDP/ICMP headers, IHL below 5 or past
 *   the end, a wrong IP version, TCP data offset below 5, IPv4 total length
 *   past the end of the frame.
 */
#ifndef XBPF_TESTS_DIFF_PACKETS_H
#define XBPF_TESTS_DIFF_PACKETS_H

#include <stddef.h>
#include <stdint.h>

/* Largest frame of the sequence. */
#define DIFF_PACKET_MAX 1600

struct diff_packet {
	uint32_t len;
	char kind[64]; /* what it is, for messages: "vlan/ipv4/udp ttl=1"... */
	uint8_t data[DIFF_PACKET_MAX];
};

/* Fill *out with the sequence (count frames, freed with free()). Returns 0
 * or -ENOMEM. */
int diff_packets_generate(struct diff_packet **out, size_t *count);

#endif /* XBPF_TESTS_DIFF_PACKETS_H */
