/* SPDX-License-Identifier: MIT */
/* Writing and reading the pcap files of the xdp hook tests. */
#ifndef XBPF_TESTS_XDP_PCAP_FILES_H
#define XBPF_TESTS_XDP_PCAP_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct pcap_record {
	struct timeval ts;
	uint32_t len;	   /* bytes in data */
	uint32_t orig_len; /* bytes the frame had */
	uint8_t *data;
};

struct pcap_records {
	size_t n;
	struct pcap_record *r;
};

/* Appends a copy of the frame. */
void records_add(struct pcap_records *recs, const void *data, uint32_t len, uint32_t orig_len);
void records_free(struct pcap_records *recs);

/* Writes the records to path as a pcap file of a link type libpcap names
 * ("EN10MB", "RAW"); frame i is stamped i milliseconds into 2024. */
void pcap_write(const char *path, const char *link_type, const struct pcap_records *recs);
/* n frames of the pcapgen traffic mix with that seed. */
void pcap_write_traffic(const char *path, uint64_t seed, size_t n, struct pcap_records *recs);
/* Reads every record of a pcap file (the test fails if it cannot). */
void pcap_read(const char *path, struct pcap_records *recs);

#endif /* XBPF_TESTS_XDP_PCAP_FILES_H */
