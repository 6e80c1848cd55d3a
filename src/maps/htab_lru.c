/* SPDX-License-Identifier: MIT */
/*
 * LRU order of LRU hash maps: one list of live elements, most recently
 * inserted first. Eviction works from the tail with a second chance for
 * elements looked up since they were last considered (their reference bit,
 * set by lookups without any lock), which approximates least-recently-used
 * order as Linux's LRU lists do.
 */
#include "maps/htab.h"

static struct htab_elem *at(struct htab *h, uint32_t idx)
{
	return htab_pool_elem(h, idx);
}

void htab_lru_push_head(struct htab *h, struct htab_elem *e)
{
	uint32_t idx = htab_pool_index(h, e);
	e->lru_prev = HTAB_NIL;
	e->lru_next = h->lru_head;
	if (h->lru_head != HTAB_NIL)
		at(h, h->lru_head)->lru_prev = idx;
	else
		h->lru_tail = idx;
	h->lru_head = idx;
}

void htab_lru_remove(struct htab *h, struct htab_elem *e)
{
	if (e->lru_prev != HTAB_NIL)
		at(h, e->lru_prev)->lru_next = e->lru_next;
	else
		h->lru_head = e->lru_next;
	if (e->lru_next != HTAB_NIL)
		at(h, e->lru_next)->lru_prev = e->lru_prev;
	else
		h->lru_tail = e->lru_prev;
}

struct htab_elem *htab_lru_evict(struct htab *h, struct htab_bucket *held_bucket)
{
	/* Two passes over the list at most: the first may only clear
	 * reference bits. */
	uint64_t budget = 2 * (uint64_t)h->map.max_entries + 2;
	uint32_t idx = h->lru_tail;

	while (idx != HTAB_NIL && budget--) {
		struct htab_elem *e = at(h, idx);
		uint32_t prev = e->lru_prev;

		if (atomic_load_explicit(&e->lru_ref, memory_order_relaxed)) {
			atomic_store_explicit(&e->lru_ref, 0, memory_order_relaxed);
			htab_lru_remove(h, e);
			htab_lru_push_head(h, e);
			idx = prev != HTAB_NIL ? prev : h->lru_tail;
			continue;
		}
		/* Live elements leave the list only under their bucket's lock
		 * and ours, so e is still in its chain. */
		uint32_t hash = atomic_load_explicit(&e->hash, memory_order_relaxed);
		struct htab_bucket *b = htab_bucket_of(h, hash);
		if (b == held_bucket || xbpf_trylock(&b->lock)) {
			htab_unlink(b, e);
			htab_lru_remove(h, e);
			htab_kill(e);
			if (b != held_bucket)
				xbpf_unlock(&b->lock);
			return e;
		}
		idx = prev;
	}
	return NULL;
}
