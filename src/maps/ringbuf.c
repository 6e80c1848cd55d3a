/* SPDX-License-Identifier: MIT */
/*
 * RINGBUF map and its program side. Producers serialize on a short lock
 * to reserve space (writing the busy header before publishing the new
 * producer position); submit and discard are lock-free. The consumer
 * (ringbuf_consumer.c) is woken through an eventfd, only when it has
 * caught up with the record being committed unless flags say otherwise
 * (Linux's adaptive notification).
 */
#define _GNU_SOURCE /* memfd_create */
#include "maps/ringbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "maps/ringbuf_impl.h"
#include "maps/types.h"
#include "runtime/log.h"

#define RINGBUF_MAX_RECORD (UINT32_MAX / 4)

static void *ringbuf_map_area(size_t page, uint64_t size, size_t *area_size)
{
	size_t front = 3 * page;
	size_t total = front + 2 * size;
	int fd = memfd_create("xbpf-ringbuf", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *area = MAP_FAILED;
	if (ftruncate(fd, (off_t)(front + size)) == 0)
		area = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area != MAP_FAILED &&
	    (mmap(area, front + size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
		     MAP_FAILED ||
	     mmap(area + front + size, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		  (off_t)front) == MAP_FAILED)) {
		munmap(area, total);
		area = MAP_FAILED;
	}
	close(fd);
	if (area == MAP_FAILED)
		return NULL;
	*area_size = total;
	return area;
}

static int ringbuf_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
			 struct xbpf_map **out)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t size = attr->max_entries;

	if ((attr->map_flags & ~XBPF_F_NUMA_NODE) || attr->key_size || attr->value_size ||
	    size == 0 || (size & (size - 1)) || size % page) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "ringbuf '%s': key_size %u and value_size %u (want 0), max_entries %u "
			 "(want a power of two, multiple of the %zu-byte page), flags 0x%x",
			 attr->name ? attr->name : "", attr->key_size, attr->value_size, size,
			 page, attr->map_flags);
		return -EINVAL;
	}
	struct ringbuf *rb = calloc(1, sizeof(*rb));
	if (!rb)
		return -ENOMEM;
	rb->area = ringbuf_map_area(page, size, &rb->area_size);
	rb->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!rb->area || rb->event_fd < 0) {
		xbpf_log(rt, XBPF_LOG_ERROR, "ringbuf '%s': cannot map %u bytes: %s",
			 attr->name ? attr->name : "", size, strerror(errno));
		if (rb->area)
			munmap(rb->area, rb->area_size);
		if (rb->event_fd >= 0)
			close(rb->event_fd);
		free(rb);
		return -ENOMEM;
	}
	xbpf_map_init(&rb->map, attr, &xbpf_ringbuf_ops);
	rb->page_size = page;
	rb->meta = (struct ringbuf_meta *)rb->area;
	rb->meta->rb = rb;
	rb->consumer_pos = (_Atomic uint64_t *)(rb->area + page);
	rb->producer_pos = (_Atomic uint64_t *)(rb->area + 2 * page);
	rb->data = rb->area + 3 * page;
	rb->mask = size - 1;
	xbpf_lock_init(&rb->producer_lock);
	*out = &rb->map;
	return 0;
}

static void ringbuf_free(struct xbpf_map *map)
{
	struct ringbuf *rb = ringbuf_of(map);
	munmap(rb->area, rb->area_size);
	close(rb->event_fd);
	free(rb);
}

const struct xbpf_map_ops xbpf_ringbuf_ops = {
	.alloc = ringbuf_alloc,
	.free = ringbuf_free,
};

void *xbpf_ringbuf_reserve(struct xbpf_map *map, uint64_t size, uint64_t flags)
{
	if (map->type != XBPF_MAP_TYPE_RINGBUF || flags || size > RINGBUF_MAX_RECORD)
		return NULL;
	struct ringbuf *rb = ringbuf_of(map);
	uint64_t len = xbpf_round8(size + XBPF_RINGBUF_HDR_SZ);
	if (len > rb->mask + 1)
		return NULL;

	uint64_t cons = atomic_load_explicit(rb->consumer_pos, memory_order_acquire);
	xbpf_lock(&rb->producer_lock);
	uint64_t prod = atomic_load_explicit(rb->producer_pos, memory_order_relaxed);
	/* The producer may run at most the ring's size ahead. */
	if (prod + len - cons > rb->mask) {
		xbpf_unlock(&rb->producer_lock);
		return NULL;
	}
	struct ringbuf_hdr *hdr = (struct ringbuf_hdr *)(rb->data + (prod & rb->mask));
	hdr->pg_off = (uint32_t)(((char *)hdr - rb->area) / rb->page_size);
	atomic_store_explicit(&hdr->len, (uint32_t)size | XBPF_RINGBUF_BUSY_BIT,
			      memory_order_relaxed);
	atomic_store_explicit(rb->producer_pos, prod + len, memory_order_release);
	xbpf_unlock(&rb->producer_lock);
	return hdr + 1;
}

static void wake_consumer(struct ringbuf *rb)
{
	uint64_t one = 1;
	/* Only fails when the counter is saturated: already readable. */
	if (write(rb->event_fd, &one, sizeof(one)) < 0)
		return;
}

static void commit(void *sample, uint64_t flags, bool discard)
{
	struct ringbuf_hdr *hdr = (struct ringbuf_hdr *)sample - 1;
	uintptr_t page = (uintptr_t)hdr & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);
	struct ringbuf_meta *meta =
		(struct ringbuf_meta *)(page - (uintptr_t)hdr->pg_off * (uintptr_t)sysconf(_SC_PAGESIZE));
	struct ringbuf *rb = meta->rb;

	uint32_t len = atomic_load_explicit(&hdr->len, memory_order_relaxed) & ~XBPF_RINGBUF_BUSY_BIT;
	if (discard)
		len |= XBPF_RINGBUF_DISCARD_BIT;
	/* Sequentially consistent, with the consumer's fence before it sleeps:
	 * either it sees the record or we see it has caught up. */
	atomic_exchange(&hdr->len, len);

	uint64_t rec_pos = (uint64_t)((char *)hdr - rb->data);
	uint64_t cons = atomic_load(rb->consumer_pos) & rb->mask;
	if ((flags & XBPF_RB_FORCE_WAKEUP) ||
	    (cons == rec_pos && !(flags & XBPF_RB_NO_WAKEUP)))
		wake_consumer(rb);
}

void xbpf_ringbuf_submit(void *sample, uint64_t flags)
{
	commit(sample, flags, false);
}

void xbpf_ringbuf_discard(void *sample, uint64_t flags)
{
	commit(sample, flags, true);
}

long xbpf_ringbuf_output(struct xbpf_map *map, const void *data, uint64_t size, uint64_t flags)
{
	if (flags & ~(uint64_t)(XBPF_RB_NO_WAKEUP | XBPF_RB_FORCE_WAKEUP))
		return -EINVAL;
	void *rec = xbpf_ringbuf_reserve(map, size, 0);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, data, size);
	xbpf_ringbuf_submit(rec, flags);
	return 0;
}

uint64_t xbpf_ringbuf_query(struct xbpf_map *map, uint64_t flags)
{
	if (map->type != XBPF_MAP_TYPE_RINGBUF)
		return 0;
	struct ringbuf *rb = ringbuf_of(map);
	uint64_t cons = atomic_load_explicit(rb->consumer_pos, memory_order_acquire);
	uint64_t prod = atomic_load_explicit(rb->producer_pos, memory_order_acquire);
	switch (flags) {
	case XBPF_RB_AVAIL_DATA:
		return prod - cons;
	case XBPF_RB_RING_SIZE:
		return rb->mask + 1;
	case XBPF_RB_CONS_POS:
		return cons;
	case XBPF_RB_PROD_POS:
		return prod;
	default:
		return 0;
	}
}
