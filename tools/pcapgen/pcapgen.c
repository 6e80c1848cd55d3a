/* SPDX-License-Identifier: MIT */
/*
 * pcapgen: writes a pcap file of the firewall traffic mix (traffic.h), the
 * same file for the same seed and count, for the XDP demo and tests.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traffic.h"

/* 2024-01-01 00:00:00 UTC: fixed, so that the file is the same every time. */
#define START_SECONDS 1704067200
#define GAP_US 1000

struct kind_count {
	const char *kind;
	unsigned long n;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pcapgen [-n FRAMES] [-s SEED] [-v] OUT.pcap\n"
		"\n"
		"Writes FRAMES (default 1000) Ethernet frames of traffic arriving at a small\n"
		"site's firewall: web, DNS and SSH to servers in 10.0.0.0/24 and\n"
		"2001:db8:10::/64 from the office (10.1.0.0/24, some on VLAN 10) and the\n"
		"Internet (198.51.100.0/24, 203.0.113.0/24, 2001:db8:ff00::/64), NTP, pings,\n"
		"port scans from 192.0.2.0/24, ARP, a few malformed frames and the odd jumbo\n"
		"frame. The same SEED (default 1) gives the same file.\n"
		"\n"
		"  -v  print how many frames of each kind were written\n");
}

static int parse_number(const char *opt, const char *text, unsigned long long max,
			unsigned long long *value)
{
	char *end;
	errno = 0;
	*value = strtoull(text, &end, 0);
	if (*text == '-' || *text == '\0' || *end || errno || *value > max) {
		fprintf(stderr, "pcapgen: %s %s: expected a number up to %llu\n", opt, text, max);
		return -1;
	}
	return 0;
}

static void count_kind(struct kind_count *counts, size_t *n_kinds, size_t cap, const char *kind)
{
	for (size_t i = 0; i < *n_kinds; i++) {
		if (strcmp(counts[i].kind, kind) == 0) {
			counts[i].n++;
			return;
		}
	}
	if (*n_kinds < cap)
		counts[(*n_kinds)++] = (struct kind_count){kind, 1};
}

int main(int argc, char **argv)
{
	unsigned long long frames = 1000, seed = 1;
	int verbose = 0, opt;
	while ((opt = getopt(argc, argv, "n:s:vh")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_number("-n", optarg, 100000000, &frames))
				return 2;
			break;
		case 's':
			if (parse_number("-s", optarg, UINT64_MAX, &seed))
				return 2;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind];
	pcap_t *format = pcap_open_dead(DLT_EN10MB, TRAFFIC_MAX_FRAME);
	pcap_dumper_t *out = format ? pcap_dump_open(format, path) : NULL;
	if (!out) {
		fprintf(stderr, "pcapgen: %s: %s\n", path,
			format ? pcap_geterr(format) : "out of memory");
		if (format)
			pcap_close(format);
		return 1;
	}
	struct traffic t;
	static uint8_t frame[TRAFFIC_MAX_FRAME];
	struct kind_count counts[32];
	size_t n_kinds = 0;
	traffic_init(&t, seed);
	for (unsigned long long i = 0; i < frames; i++) {
		const char *kind;
		uint32_t len = (uint32_t)traffic_next(&t, frame, &kind);
		unsigned long long us = i * GAP_US;
		struct pcap_pkthdr h = {
			.ts = {.tv_sec = (time_t)(START_SECONDS + us / 1000000),
			       .tv_usec = (suseconds_t)(us % 1000000)},
			.caplen = len,
			.len = len,
		};
		pcap_dump((u_char *)out, &h, frame);
		count_kind(counts, &n_kinds, sizeof(counts) / sizeof(counts[0]), kind);
	}
	int failed = pcap_dump_flush(out) < 0 || ferror(pcap_dump_file(out));
	if (failed)
		fprintf(stderr, "pcapgen: %s: writing failed: %s\n", path, strerror(errno));
	pcap_dump_close(out);
	pcap_close(format);
	if (failed)
		return 1;
	if (verbose) {
		printf("%llu frames written to %s (seed %llu):\n", frames, path, seed);
		for (size_t i = 0; i < n_kinds; i++)
			printf("  %-16s %lu\n", counts[i].kind, counts[i].n);
	}
	return 0;
}
