/* SPDX-License-Identifier: MIT */
/*
 * The frames of the pcap generator: every checksum verifies, the same seed
 * gives the same frames, and the mix has every kind of traffic the demo's
 * firewall is meant to sort out.
 */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "packet_build.h"
#include "traffic.h"

/* The ones' complement sum of 16-bit words, folded; 0xffff when a
 * checksum inside the summed bytes is right. */
static uint16_t ones_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Checks the IP header checksum (IPv4) and the transport checksum. */
static void assert_checksums_verify(const uint8_t *frame, size_t len)
{
	size_t l3 = frame[12] == 0x81 ? 18 : 14;
	uint16_t type = (uint16_t)(frame[l3 - 2] << 8 | frame[l3 - 1]);
	uint32_t pseudo;
	size_t l4;
	uint8_t proto;
	if (type == 0x0800) {
		assert_int_equal(ones_sum(frame + l3, 20, 0), 0xffff);
		proto = frame[l3 + 9];
		l4 = l3 + 20;
		pseudo = ones_sum(frame + l3 + 12, 8, 0);
	} else {
		assert_int_equal(type, 0x86dd);
		proto = frame[l3 + 6];
		l4 = l3 + 40;
		pseudo = ones_sum(frame + l3 + 8, 32, 0);
	}
	pseudo += proto + (uint32_t)(len - l4);
	if (proto == IPPROTO_ICMP)
		pseudo = 0;
	assert_int_equal(ones_sum(frame + l4, len - l4, pseudo), 0xffff);
}

static void test_checksums(void **state)
{
	static const char payload[] = "odd-length payload";
	uint8_t frame[256];
	const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP};
	for (int family = 4; family <= 6; family += 2) {
		for (size_t p = 0; p < 3; p++) {
			for (uint16_t vlan = 0; vlan <= 10; vlan += 10) {
				struct pkt_spec s = {
					.family = (uint8_t)family,
					.vlan = vlan,
					.src_ip = {10, 1, 0, 3, 0xfe},
					.dst_ip = {10, 0, 0, 80, 0x11, 0x22},
					.proto = protos[p] == IPPROTO_ICMP && family == 6
							 ? IPPROTO_ICMPV6
							 : protos[p],
					.sport = 0xabcd,
					.dport = 0x1234,
					.seq = 0xdeadbeef,
					.icmp_type = family == 4 ? 8 : 128,
					.payload = payload,
					.payload_len = sizeof(payload) - 1,
				};
				struct pkt_layout at;
				size_t len = pkt_build(&s, frame, sizeof(frame), &at);
				assert_int_equal(len, at.len);
				assert_int_equal(at.payload + s.payload_len, len);
				assert_memory_equal(frame + at.payload, payload, s.payload_len);
				assert_checksums_verify(frame, len);
			}
		}
	}
}

static void test_too_small_a_buffer(void **state)
{
	uint8_t frame[60];
	struct pkt_spec s = {.family = 6, .proto = IPPROTO_TCP};
	assert_int_equal(pkt_build(&s, frame, 73, NULL), 0);
	assert_int_equal(pkt_build(&s, frame, sizeof(frame), NULL), 0);
	s.family = 4;
	assert_int_equal(pkt_build(&s, frame, sizeof(frame), NULL), 54);
}

static void test_same_seed_same_frames(void **state)
{
	static uint8_t a[TRAFFIC_MAX_FRAME], b[TRAFFIC_MAX_FRAME];
	struct traffic ta, tb, tc;
	traffic_init(&ta, 5);
	traffic_init(&tb, 5);
	traffic_init(&tc, 6);
	size_t differ = 0;
	for (int i = 0; i < 500; i++) {
		const char *ka, *kb, *kc;
		size_t la = traffic_next(&ta, a, &ka), lb = traffic_next(&tb, b, &kb);
		assert_int_equal(la, lb);
		assert_string_equal(ka, kb);
		assert_memory_equal(a, b, la);
		size_t lc = traffic_next(&tc, b, &kc);
		differ += lc != la || memcmp(a, b, la) != 0;
	}
	assert_true(differ > 400);
}

static void test_mix(void **state)
{
	static const char *const kinds[] = {
		"http",	      "https",	    "https6",	  "dns",	     "dns6",	   "dns-vlan",
		"ssh-office", "ssh-outside", "ping",	  "ping6",	     "ntp",	   "scan",
		"arp",	      "bad-ihl",    "short-ipv4", "bad-total-length", "bad-tcp-offset",
		"short-tcp",  "runt",	    "jumbo",
	};
	size_t seen[sizeof(kinds) / sizeof(kinds[0])] = {0};
	static uint8_t frame[TRAFFIC_MAX_FRAME];
	struct traffic t;
	traffic_init(&t, 1);
	for (int i = 0; i < 5000; i++) {
		const char *kind;
		size_t len = traffic_next(&t, frame, &kind), k = 0;
		while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k], kind) != 0)
			k++;
		if (k == sizeof(kinds) / sizeof(kinds[0]))
			fail_msg("frame %d is of an unknown kind '%s'", i, kind);
		seen[k]++;
		if (strcmp(kind, "runt") == 0)
			assert_int_equal(len, 10);
		else if (strcmp(kind, "jumbo") == 0)
			assert_int_equal(len, TRAFFIC_MAX_FRAME);
		else
			assert_true(len >= 24 && len <= 1514);
		if (strncmp(kind, "http", 4) == 0 || strncmp(kind, "dns", 3) == 0 ||
		    strncmp(kind, "ping", 4) == 0 || strncmp(kind, "ssh", 3) == 0)
			assert_checksums_verify(frame, len);
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!seen[k])
			fail_msg("no frame of kind '%s' in 5000", kinds[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_too_small_a_buffer),
		cmocka_unit_test(test_same_seed_same_frames),
		cmocka_unit_test(test_mix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
