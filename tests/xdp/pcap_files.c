/* SPDX-License-Identifier: MIT */
/* pcap files for the xdp hook tests, through libpcap. */
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcap_files.h"
#include "traffic.h"

#define START_SECONDS 1704067200

void records_add(struct pcap_records *recs, const void *data, uint32_t len, uint32_t orig_len)
{
	recs->r = realloc(recs->r, (recs->n + 1) * sizeof(*recs->r));
	assert_non_null(recs->r);
	struct pcap_record *rec = &recs->r[recs->n++];
	*rec = (struct pcap_record){.len = len, .orig_len = orig_len, .data = malloc(len ? len : 1)};
	assert_non_null(rec->data);
	memcpy(rec->data, data, len);
}

void records_free(struct pcap_records *recs)
{
	for (size_t i = 0; i < recs->n; i++)
		free(recs->r[i].data);
	free(recs->r);
	*recs = (struct pcap_records){0};
}

void pcap_write(const char *path, const char *link_type, const struct pcap_records *recs)
{
	int dlt = pcap_datalink_name_to_val(link_type);
	assert_int_not_equal(dlt, -1);
	pcap_t *format = pcap_open_dead(dlt, 65535);
	assert_non_null(format);
	pcap_dumper_t *out = pcap_dump_open(format, path);
	assert_non_null(out);
	for (size_t i = 0; i < recs->n; i++) {
		struct pcap_pkthdr h = {
			.ts = {.tv_sec = START_SECONDS + (time_t)(i / 1000),
			       .tv_usec = (suseconds_t)(i % 1000) * 1000},
			.caplen = recs->r[i].len,
			.len = recs->r[i].orig_len,
		};
		recs->r[i].ts = h.ts;
		pcap_dump((u_char *)out, &h, recs->r[i].data);
	}
	assert_int_equal(pcap_dump_flush(out), 0);
	pcap_dump_close(out);
	pcap_close(format);
}

void pcap_write_traffic(const char *path, uint64_t seed, size_t n, struct pcap_records *recs)
{
	static uint8_t frame[TRAFFIC_MAX_FRAME];
	struct traffic t;
	traffic_init(&t, seed);
	for (size_t i = 0; i < n; i++) {
		const char *kind;
		uint32_t len = (uint32_t)traffic_next(&t, frame, &kind);
		records_add(recs, frame, len, len);
	}
	pcap_write(path, "EN10MB", recs);
}

void pcap_read(const char *path, struct pcap_records *recs)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *in = pcap_open_offline(path, errbuf);
	if (!in)
		fail_msg("%s", errbuf);
	assert_int_equal(pcap_datalink(in), DLT_EN10MB);
	struct pcap_pkthdr *h;
	const u_char *data;
	int got;
	while ((got = pcap_next_ex(in, &h, &data)) == 1) {
		records_add(recs, data, h->caplen, h->len);
		recs->r[recs->n - 1].ts = h->ts;
	}
	if (got != PCAP_ERROR_BREAK)
		fail_msg("%s: %s", path, pcap_geterr(in));
	pcap_close(in);
}
