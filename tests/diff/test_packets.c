/* SPDX-License-Identifier: MIT */
/* The differential test's frames: the same every time, within bounds,
 * well-formed where they claim to be, and covering every special case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packets.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void test_deterministic(void **state)
{
	struct diff_packet *a, *b;
	size_t na, nb;

	assert_int_equal(diff_packets_generate(&a, &na), 0);
	assert_int_equal(diff_packets_generate(&b, &nb), 0);
	assert_int_equal(na, nb);
	assert_true(na >= 300);
	assert_memory_equal(a, b, na * sizeof(*a));
	free(a);
	free(b);
}

/* Offset of the IPv4 header of a frame, 0 if it has none. */
static size_t ipv4_offset(const struct diff_packet *p)
{
	size_t off = 12;

	while (off + 2 <= p->len && (get16(p->data + off) == 0x8100 || get16(p->data + off) == 0x88a8))
		off += 4;
	return off + 2 <= p->len && get16(p->data + off) == 0x0800 ? off + 2 : 0;
}

static bool damaged(const char *kind)
{
	static const char *const damages[] = {"short-frame", "cut-", "ihl-", "bad-version",
					      "doff-low", "totlen-past-end"};
	size_t i;

	for (i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		if (strstr(kind, damages[i]))
			return true;
	}
	return false;
}

/* Well-formed IPv4 frames: header checksum right unless said otherwise,
 * total length up to the end of the frame. */
static void test_ipv4_well_formed(void **state)
{
	struct diff_packet *pkts;
	size_t n, i, checked = 0;

	assert_int_equal(diff_packets_generate(&pkts, &n), 0);
	for (i = 0; i < n; i++) {
		const struct diff_packet *p = &pkts[i];
		size_t ip = ipv4_offset(p), hlen, j;
		uint32_t sum = 0;

		assert_true(p->len <= DIFF_PACKET_MAX);
		if (!ip || damaged(p->kind))
			continue;
		hlen = (p->data[ip] & 0x0f) * 4u;
		assert_int_equal(p->data[ip] >> 4, 4);
		assert_int_equal(get16(p->data + ip + 2), p->len - ip);
		for (j = 0; j < hlen; j += 2)
			sum += get16(p->data + ip + j);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		if (strstr(p->kind, "bad-checksum"))
			assert_int_not_equal(sum, 0xffff);
		else
			assert_int_equal(sum, 0xffff);
		checked++;
	}
	assert_true(checked > n / 2);
	free(pkts);
}

static void test_coverage(void **state)
{
	static const char *const kinds[] = {
		"short-frame", "cut-l3",   "cut-l4",      "ihl-low",      "ihl-past-end",
		"bad-version", "doff-low", "totlen-past-end", "cut-vlan", "vlan/",
		"qinq/",       "ipv6/tcp", "ipv6/udp",    "ipv6/icmp",    "ipv4/icmp",
		"arp",         "lldp",     "fragment",    "options",      "hop-by-hop",
		"bad-checksum", "ttl=0",   "ttl=1",       "ttl=255",
	};
	struct diff_packet *pkts;
	size_t n, i, k;

	assert_int_equal(diff_packets_generate(&pkts, &n), 0);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (i = 0; i < n && !strstr(pkts[i].kind, kinds[k]); i++)
			;
		if (i == n)
			fail_msg("no frame is %s", kinds[k]);
	}
	free(pkts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_ipv4_well_formed),
		cmocka_unit_test(test_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
