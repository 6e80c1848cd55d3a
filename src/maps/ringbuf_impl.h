/* SPDX-License-Identifier: MIT */
/* The ring buffer's layout, shared by the producer and consumer sides. */
#ifndef XBPF_MAPS_RINGBUF_IMPL_H
#define XBPF_MAPS_RINGBUF_IMPL_H

#include "maps/ringbuf.h"
#include "runtime/lock.h"

struct ringbuf_hdr {
	_Atomic uint32_t len;
	uint32_t pg_off; /* pages from the start of the area to this header */
};

/* The area: [meta page][consumer_pos page][producer_pos page][data][data
 * again]. Positions have pages of their own, as in Linux, so that the
 * consumer and producers do not share cache lines. */
struct ringbuf_meta {
	struct ringbuf *rb;
};

struct ringbuf {
	struct xbpf_map map;
	char *area;
	size_t area_size;
	size_t page_size;
	struct ringbuf_meta *meta;
	_Atomic uint64_t *consumer_pos;
	_Atomic uint64_t *producer_pos;
	char *data;
	uint64_t mask; /* data size - 1 */
	xbpf_lock_t producer_lock;
	int event_fd; /* readable when the consumer should look */
	atomic_bool has_consumer;
};

static inline struct ringbuf *ringbuf_of(const struct xbpf_map *map)
{
	return (struct ringbuf *)map;
}

#endif /* XBPF_MAPS_RINGBUF_IMPL_H */
