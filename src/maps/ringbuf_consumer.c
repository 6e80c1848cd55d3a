/* SPDX-License-Identifier: MIT */
/*
 * The host's ring buffer consumer (xbpf_ringbuf_consumer_*): hands each
 * submitted record to a callback in order, skips discarded ones, stops at
 * a record still being written, and frees the space as it goes. One
 * consumer per ring at a time.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "maps/ringbuf_impl.h"
#include "runtime/log.h"

struct xbpf_ringbuf_consumer {
	struct ringbuf *rb;
	xbpf_ringbuf_sample_fn fn;
	void *user;
};

int xbpf_ringbuf_consumer_create(struct xbpf_map *map, xbpf_ringbuf_sample_fn fn, void *user,
				 struct xbpf_ringbuf_consumer **out)
{
	if (!map || !fn || !out)
		return -EINVAL;
	if (map->type != XBPF_MAP_TYPE_RINGBUF) {
		xbpf_map_log(map, XBPF_LOG_ERROR, "map '%s' is not a ring buffer", map->obj.name);
		return -EINVAL;
	}
	struct ringbuf *rb = ringbuf_of(map);
	struct xbpf_ringbuf_consumer *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (atomic_exchange(&rb->has_consumer, true)) {
		xbpf_map_log(map, XBPF_LOG_ERROR, "ring buffer '%s' already has a consumer",
			     map->obj.name);
		free(c);
		return -EBUSY;
	}
	xbpf_map_get(map);
	c->rb = rb;
	c->fn = fn;
	c->user = user;
	*out = c;
	return 0;
}

void xbpf_ringbuf_consumer_free(struct xbpf_ringbuf_consumer *c)
{
	if (!c)
		return;
	atomic_store(&c->rb->has_consumer, false);
	xbpf_map_put(&c->rb->map);
	free(c);
}

int xbpf_ringbuf_fd(const struct xbpf_ringbuf_consumer *c)
{
	return c ? c->rb->event_fd : -EINVAL;
}

static void drain_event(struct ringbuf *rb)
{
	uint64_t count;
	if (read(rb->event_fd, &count, sizeof(count)) < 0)
		return; /* EAGAIN: nothing signalled */
}

int xbpf_ringbuf_consume(struct xbpf_ringbuf_consumer *c)
{
	if (!c)
		return -EINVAL;
	struct ringbuf *rb = c->rb;
	uint64_t cons = atomic_load_explicit(rb->consumer_pos, memory_order_relaxed);
	int64_t count = 0;

	/* Reset the descriptor first: a record committed from now on wakes
	 * it again. */
	drain_event(rb);
	for (;;) {
		uint64_t prod = atomic_load_explicit(rb->producer_pos, memory_order_acquire);
		if (cons == prod)
			break;
		while (cons < prod) {
			struct ringbuf_hdr *hdr = (struct ringbuf_hdr *)(rb->data + (cons & rb->mask));
			uint32_t len = atomic_load_explicit(&hdr->len, memory_order_acquire);
			if (len & XBPF_RINGBUF_BUSY_BIT)
				goto done;
			uint32_t size = len & ~XBPF_RINGBUF_DISCARD_BIT;
			cons += xbpf_round8((uint64_t)size + XBPF_RINGBUF_HDR_SZ);
			if (!(len & XBPF_RINGBUF_DISCARD_BIT)) {
				int ret = c->fn(c->user, hdr + 1, size);
				count++;
				if (ret) {
					atomic_store_explicit(rb->consumer_pos, cons,
							      memory_order_release);
					return ret;
				}
			}
			atomic_store_explicit(rb->consumer_pos, cons, memory_order_release);
		}
	}
done:
	return count > INT32_MAX ? INT32_MAX : (int)count;
}

/* Is a committed record waiting? Sequentially consistent with the
 * producers' commit, so that a record committed after this says no was
 * committed by a producer that saw our position and wakes us. */
static bool record_ready(struct ringbuf *rb)
{
	uint64_t cons = atomic_load_explicit(rb->consumer_pos, memory_order_relaxed);
	/* Publish our position again, sequentially consistent, before
	 * looking (the store-buffering pattern with commit()). */
	atomic_store(rb->consumer_pos, cons);
	if (cons == atomic_load(rb->producer_pos))
		return false;
	struct ringbuf_hdr *hdr = (struct ringbuf_hdr *)(rb->data + (cons & rb->mask));
	return !(atomic_load(&hdr->len) & XBPF_RINGBUF_BUSY_BIT);
}

int xbpf_ringbuf_poll(struct xbpf_ringbuf_consumer *c, int timeout_ms)
{
	if (!c)
		return -EINVAL;
	int n = xbpf_ringbuf_consume(c);
	if (n != 0 || record_ready(c->rb))
		return n != 0 ? n : xbpf_ringbuf_consume(c);
	struct pollfd pfd = { .fd = c->rb->event_fd, .events = POLLIN };
	int ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	if (ret == 0)
		return 0;
	return xbpf_ringbuf_consume(c);
}
