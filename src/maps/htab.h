/* SPDX-License-Identifier: MIT */
/*
 * The hash table behind HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and
 * HASH_OF_MAPS.
 *
 * Readers walk bucket chains without locks inside an epoch; writers take
 * the bucket's lock. Preallocated maps (the default) take elements from a
 * pool and reuse a deleted element at once, as Linux does, so that an
 * insert right after a delete in a full map succeeds and the program path
 * never allocates. A reader may therefore be standing on an element that
 * is deleted and reinserted elsewhere under its feet; two guards make that
 * safe:
 *  - chains end in a "nulls" marker naming their bucket (Linux's
 *    hlist_nulls): a reader that ends in another bucket's chain restarts;
 *  - each element has a sequence count, odd while it is free or being
 *    refilled: a key match counts only if the count was even and unchanged
 *    across the comparison, so a lookup never returns another key's
 *    element;
 *  - each bucket counts the changes of its chain: a walk that found
 *    nothing while the chain changed (a recycled element's new next
 *    pointer may have led past the key) walks again, and after a few such
 *    walks looks under the bucket's lock. A present key is never missed.
 * A replaced key's new element takes the old one's place in the chain
 * with one store, so a reader finds the old or the new value, never
 * neither. Host lookups also check the count around the copy of the value
 * (htab_read_consistent); a program's value pointer into a preallocated
 * map may, as in Linux, see the element reused for another key.
 * With BPF_F_NO_PREALLOC elements are malloc'ed and freed after a grace
 * period instead.
 *
 * Capacity: `count` live entries at most max_entries (reserved before an
 * element is taken). Replacing a key's value swaps in a new element so that
 * readers see the old or the new value whole; the pool has a few spare
 * elements for that (`spares`), and when all are in flight the value is
 * written in place instead.
 *
 * LRU maps keep their live elements on one list, most recent first, and
 * evict from the tail when full, giving recently looked-up elements
 * (reference bit) a second chance. Lock order: bucket, then the LRU lock,
 * then (trylock only) the bucket of an eviction victim.
 */
#ifndef XBPF_MAPS_HTAB_H
#define XBPF_MAPS_HTAB_H

#include "maps/hash_fn.h"
#include "maps/map.h"
#include "maps/shared_mem.h"
#include "runtime/lock.h"

#define HTAB_NIL UINT32_MAX

struct htab_elem {
	/* Next element, or nulls marker (bucket << 1 | 1). */
	_Atomic uintptr_t next;
	_Atomic uint32_t hash;
	_Atomic uint32_t seq;
	union {
		struct {
			_Atomic uint32_t free_next; /* pool free list */
			uint32_t lru_prev, lru_next; /* LRU list, under lru_lock */
			_Atomic uint8_t lru_ref;
		};
		struct xbpf_epoch_head free_head; /* BPF_F_NO_PREALLOC */
	};
	/* Key, then the value at key_round (per-CPU: one slot per CPU). */
	uint64_t data[];
};

struct htab_bucket {
	_Atomic uintptr_t first; /* 0: never used (empty) */
	xbpf_lock_t lock;
	/* Odd while a writer changes the chain: a reader whose walk found
	 * nothing looks again when it changed meanwhile (htab_lookup_elem). */
	_Atomic uint32_t changes;
};

/* Writers (bucket locked) bracket every store that changes the chain. The
 * chain store in between is a release store, so a reader who sees it also
 * sees the odd count (no fence: ThreadSanitizer does not model them). */
static inline void htab_bucket_change_begin(struct htab_bucket *b)
{
	uint32_t c = atomic_load_explicit(&b->changes, memory_order_relaxed);
	atomic_store_explicit(&b->changes, c + 1, memory_order_relaxed);
}

static inline void htab_bucket_change_end(struct htab_bucket *b)
{
	uint32_t c = atomic_load_explicit(&b->changes, memory_order_relaxed);
	atomic_store_explicit(&b->changes, c + 1, memory_order_release);
}

struct htab {
	struct xbpf_map map;
	struct htab_bucket *buckets;
	uint32_t mask; /* buckets - 1 */
	uint32_t seed;
	uint32_t key_round;  /* key_size rounded up to 8 */
	uint32_t value_slot; /* bytes of one stored value (per-CPU: one slot) */
	uint32_t value_area; /* all slots */
	uint32_t elem_size;
	unsigned ncpus;      /* per-CPU slots */
	bool prealloc, lru, of_maps;

	_Atomic uint32_t count;  /* live entries, reserved before insertion */
	_Atomic uint32_t spares; /* spare elements in flight */
	uint32_t max_spares;

	/* Preallocated elements: a free list (index | tag << 32, against ABA),
	 * and elements never used yet taken from `unused` upwards. */
	char *pool;
	uint32_t pool_size;
	_Atomic uint64_t free_head;
	_Atomic uint32_t unused;

	/* LRU list of live elements (indices), most recent at head. */
	xbpf_lock_t lru_lock;
	uint32_t lru_head, lru_tail;
};

static inline struct htab *htab_of(const struct xbpf_map *map)
{
	return (struct htab *)map;
}

static inline void *htab_key(struct htab_elem *e)
{
	return e->data;
}

static inline void *htab_value(const struct htab *h, struct htab_elem *e)
{
	return (char *)e->data + h->key_round;
}

static inline struct htab_elem *htab_pool_elem(const struct htab *h, uint32_t idx)
{
	return (struct htab_elem *)(h->pool + (size_t)idx * h->elem_size);
}

static inline uint32_t htab_pool_index(const struct htab *h, const struct htab_elem *e)
{
	return (uint32_t)(((const char *)e - h->pool) / h->elem_size);
}

static inline struct htab_bucket *htab_bucket_of(const struct htab *h, uint32_t hash)
{
	return &h->buckets[hash & h->mask];
}

static inline bool htab_is_nulls(uintptr_t p)
{
	return p & 1;
}

static inline uintptr_t htab_nulls_of(uint32_t bucket)
{
	return ((uintptr_t)bucket << 1) | 1;
}

static inline uint32_t htab_hash_key(const struct htab *h, const void *key)
{
	return xbpf_hash(key, h->map.key_size, h->seed);
}

/* Lock-free lookup inside an epoch (see the guards above); inline, since
 * it is the hot path of every hash map type. */
/* Walks before a reader that keeps meeting writers takes the bucket lock. */
#define HTAB_LOOKUP_RETRIES 4

struct htab_elem *htab_lookup_elem_locked(struct htab *h, struct htab_bucket *b, const void *key,
					  uint32_t hash);

static inline struct htab_elem *htab_lookup_elem(struct htab *h, const void *key)
{
	uint32_t hash = htab_hash_key(h, key);
	uint32_t bucket = hash & h->mask;
	struct htab_bucket *b = &h->buckets[bucket];
	unsigned walks = 0;
again:;
	uint32_t changes = atomic_load_explicit(&b->changes, memory_order_acquire);
	uintptr_t p = atomic_load_explicit(&b->first, memory_order_acquire);
	if (p == 0)
		return NULL;
	while (!htab_is_nulls(p)) {
		struct htab_elem *e = (struct htab_elem *)p;
		if (atomic_load_explicit(&e->hash, memory_order_relaxed) == hash) {
			uint32_t seq = atomic_load_explicit(&e->seq, memory_order_acquire);
			/* The key is read with acquire loads: the count read
			 * after it cannot be older than any key word seen. */
			if (!(seq & 1) && xbpf_shared_equal(htab_key(e), key, h->map.key_size)) {
				if (atomic_load_explicit(&e->seq, memory_order_relaxed) == seq)
					return e;
				goto again;
			}
		}
		p = atomic_load_explicit(&e->next, memory_order_acquire);
	}
	/* Ended in another bucket's chain: our element moved under us. */
	if (p != htab_nulls_of(bucket))
		goto again;
	/* Not found: true unless the chain changed during the walk (a
	 * recycled element's next pointer may have led past the key). The
	 * walk's loads acquire, so this count is read after them. */
	if (!(changes & 1) && atomic_load_explicit(&b->changes, memory_order_relaxed) == changes)
		return NULL;
	if (++walks < HTAB_LOOKUP_RETRIES)
		goto again;
	return htab_lookup_elem_locked(h, b, key, hash);
}

/* Inside an epoch: copy key's host value to out and return its element,
 * or NULL. Preallocated maps reuse a released element at once, so the copy
 * is checked against the element's sequence count and taken again when the
 * element was recycled meanwhile: a host never reads another key's value. */
struct htab_elem *htab_read_consistent(struct htab *h, const void *key, void *out);

/* LRU list (htab_lru.c); callers hold lru_lock. */
void htab_lru_push_head(struct htab *h, struct htab_elem *e);
void htab_lru_remove(struct htab *h, struct htab_elem *e);
/* Take a live element out of the map to reuse it: the least recently used
 * one whose bucket can be locked without waiting (held_bucket is already
 * ours). It comes back unlinked and killed; its entry stays counted. NULL
 * when every candidate's bucket was busy. */
struct htab_elem *htab_lru_evict(struct htab *h, struct htab_bucket *held_bucket);

/* Core (htab.c) */
/* Remove e from bucket b's chain (b locked). */
void htab_unlink(struct htab_bucket *b, struct htab_elem *e);
/* Mark e dead for readers (sequence count odd) before it is refilled. */
void htab_kill(struct htab_elem *e);

/* Operations the type tables (htab_types.c) build on. cpu: the CPU slot a
 * program writes, or HTAB_ALL_CPUS for a host value with every slot. */
#define HTAB_ALL_CPUS (-1)
int htab_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
	       const struct xbpf_map_ops *ops, struct xbpf_map **out);
void htab_free(struct xbpf_map *map);
long htab_update(struct htab *h, const void *key, const void *value, uint64_t flags, int cpu);
long htab_delete(struct xbpf_map *map, const void *key);
/* Copies the value out in host layout (per-CPU: all slots; map-in-map:
 * the inner map's id) and deletes. */
int htab_lookup_and_delete(struct xbpf_map *map, const void *key, void *value);
int htab_get_next_key(struct xbpf_map *map, const void *key, void *next_key);
long htab_for_each(struct xbpf_map *map, xbpf_map_foreach_fn fn, void *user, unsigned cpu);
bool htab_value_region(const struct xbpf_map *map, uintptr_t addr, size_t size,
		       struct xbpf_region *out);
int64_t htab_count(const struct xbpf_map *map);
/* Host-layout copy of e's value. */
void htab_read_host_value(const struct htab *h, struct htab_elem *e, void *out);

#endif /* XBPF_MAPS_HTAB_H */
