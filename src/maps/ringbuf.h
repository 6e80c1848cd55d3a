/* SPDX-License-Identifier: MIT */
/*
 * RINGBUF: the program side (reserve/submit/discard/output/query) of
 * Linux's BPF ring buffer, with its record layout: an 8-byte header (u32
 * length with busy bit 31 and discard bit 30, u32 page offset back to the
 * ring) before each record, records 8-byte aligned, the data area mapped
 * twice so that a record wrapping around the end stays contiguous.
 */
#ifndef XBPF_MAPS_RINGBUF_H
#define XBPF_MAPS_RINGBUF_H

#include "maps/map.h"

/* Linux's flag values. */
#define XBPF_RB_NO_WAKEUP 1U
#define XBPF_RB_FORCE_WAKEUP 2U
#define XBPF_RB_AVAIL_DATA 0U
#define XBPF_RB_RING_SIZE 1U
#define XBPF_RB_CONS_POS 2U
#define XBPF_RB_PROD_POS 3U

#define XBPF_RINGBUF_BUSY_BIT (1U << 31)
#define XBPF_RINGBUF_DISCARD_BIT (1U << 30)
#define XBPF_RINGBUF_HDR_SZ 8U

/* Room for size bytes, or NULL (not a ring buffer, flags, no room). The
 * record must then be submitted or discarded. */
void *xbpf_ringbuf_reserve(struct xbpf_map *map, uint64_t size, uint64_t flags);
void xbpf_ringbuf_submit(void *sample, uint64_t flags);
void xbpf_ringbuf_discard(void *sample, uint64_t flags);
/* Reserve, copy and submit: 0, -EINVAL (flags) or -EAGAIN (no room). */
long xbpf_ringbuf_output(struct xbpf_map *map, const void *data, uint64_t size, uint64_t flags);
/* BPF_RB_AVAIL_DATA, RING_SIZE, CONS_POS or PROD_POS; 0 otherwise. */
uint64_t xbpf_ringbuf_query(struct xbpf_map *map, uint64_t flags);

#endif /* XBPF_MAPS_RINGBUF_H */
