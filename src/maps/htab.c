/* SPDX-License-Identifier: MIT */
/* The hash table core shared by the hash map types (see htab.h). */
#include "maps/htab.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "maps/shared_mem.h"
#include "runtime/epoch.h"
#include "runtime/log.h"

/* Linux's limits, so that the same sizes are refused with the same codes. */
#define KMALLOC_MAX_SIZE (1U << 22)
#define LINUX_HTAB_ELEM 48
#define PCPU_MIN_UNIT_SIZE 32768
#define MAX_BUCKETS (1U << 28)

/* Eviction retries when every LRU candidate's bucket is busy. */
#define LRU_RETRIES 1000

/* ------------------------------------------------------------------------ */
/* Elements                                                                 */
/* ------------------------------------------------------------------------ */

static struct htab_elem *pool_pop(struct htab *h)
{
	uint64_t head = atomic_load_explicit(&h->free_head, memory_order_acquire);
	for (;;) {
		uint32_t idx = (uint32_t)head;
		if (idx == HTAB_NIL)
			break;
		struct htab_elem *e = htab_pool_elem(h, idx);
		uint32_t next = atomic_load_explicit(&e->free_next, memory_order_relaxed);
		uint64_t tagged = (((head >> 32) + 1) << 32) | next;
		if (atomic_compare_exchange_weak_explicit(&h->free_head, &head, tagged,
							  memory_order_acquire,
							  memory_order_acquire))
			return e;
	}
	/* Never used elements: the pool's tail. */
	uint32_t idx = atomic_fetch_add_explicit(&h->unused, 1, memory_order_relaxed);
	if (idx < h->pool_size)
		return htab_pool_elem(h, idx);
	atomic_fetch_sub_explicit(&h->unused, 1, memory_order_relaxed);
	return NULL;
}

static void pool_push(struct htab *h, struct htab_elem *e)
{
	uint32_t idx = htab_pool_index(h, e);
	uint64_t head = atomic_load_explicit(&h->free_head, memory_order_relaxed);
	uint64_t tagged;
	do {
		atomic_store_explicit(&e->free_next, (uint32_t)head, memory_order_relaxed);
		tagged = (((head >> 32) + 1) << 32) | idx;
	} while (!atomic_compare_exchange_weak_explicit(&h->free_head, &head, tagged,
							memory_order_release, memory_order_relaxed));
}

/* A fresh element, odd sequence (invisible to readers), or NULL. */
static struct htab_elem *elem_get(struct htab *h)
{
	struct htab_elem *e;
	if (h->prealloc) {
		e = pool_pop(h);
		if (!e)
			return NULL;
		uint32_t seq = atomic_load_explicit(&e->seq, memory_order_relaxed);
		if (!(seq & 1)) /* a never-used element */
			atomic_store_explicit(&e->seq, seq + 1, memory_order_relaxed);
	} else {
		e = malloc(h->elem_size);
		if (!e)
			return NULL;
		atomic_init(&e->next, 0);
		atomic_init(&e->hash, 0);
		atomic_init(&e->seq, 1);
	}
	return e;
}

void htab_kill(struct htab_elem *e)
{
	/* The refill that follows writes with release stores (shared_mem.h),
	 * so a reader who sees any refilled word also sees this odd count
	 * when it reads the count again: the writer half of a seqlock. */
	uint32_t seq = atomic_load_explicit(&e->seq, memory_order_relaxed);
	atomic_store_explicit(&e->seq, seq + 1, memory_order_relaxed);
}

/* Publish a filled element's content to readers (even count). */
static void elem_revive(struct htab_elem *e)
{
	uint32_t seq = atomic_load_explicit(&e->seq, memory_order_relaxed);
	atomic_store_explicit(&e->seq, seq + 1, memory_order_release);
}

static void free_elem_deferred(struct xbpf_epoch_head *head)
{
	free(caa_container_of(head, struct htab_elem, free_head));
}

/* Give back an element that is no longer reachable from the table. */
static void elem_release(struct htab *h, struct htab_elem *e)
{
	htab_kill(e);
	if (h->prealloc)
		pool_push(h, e);
	else
		xbpf_epoch_call(&e->free_head, free_elem_deferred);
}

static bool reserve(_Atomic uint32_t *counter, uint32_t limit)
{
	uint32_t c = atomic_load_explicit(counter, memory_order_relaxed);
	do {
		if (c >= limit)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(counter, &c, c + 1, memory_order_acq_rel,
							memory_order_relaxed));
	return true;
}

static void unreserve(_Atomic uint32_t *counter)
{
	atomic_fetch_sub_explicit(counter, 1, memory_order_acq_rel);
}

/* ------------------------------------------------------------------------ */
/* Values                                                                   */
/* ------------------------------------------------------------------------ */

static inline void *value_slot(const struct htab *h, struct htab_elem *e, unsigned cpu)
{
	return (char *)htab_value(h, e) + (size_t)cpu * h->value_slot;
}

/* Write a value given by a program (one CPU's slot) or by the host (every
 * slot, each 8-byte rounded). A fresh per-CPU element gets the other slots
 * zeroed, as Linux does. */
static void write_value(struct htab *h, struct htab_elem *e, const void *value, int cpu,
			bool fresh)
{
	if (!h->map.percpu) {
		xbpf_shared_write(htab_value(h, e), value, h->value_slot);
		return;
	}
	if (cpu == HTAB_ALL_CPUS) {
		xbpf_shared_write(htab_value(h, e), value, h->value_area);
		return;
	}
	if (fresh)
		xbpf_shared_zero(htab_value(h, e), h->value_area);
	xbpf_shared_write(value_slot(h, e, (unsigned)cpu), value, h->map.value_size);
}

void htab_read_host_value(const struct htab *h, struct htab_elem *e, void *out)
{
	if (h->of_maps) {
		struct xbpf_map *inner = (struct xbpf_map *)__atomic_load_n(
			(uintptr_t *)htab_value(h, e), __ATOMIC_ACQUIRE);
		uint32_t id = inner->obj.id;
		memcpy(out, &id, sizeof(id));
		return;
	}
	xbpf_shared_read(out, htab_value(h, e), h->map.percpu ? h->value_area : h->value_slot);
}

struct htab_elem *htab_read_consistent(struct htab *h, const void *key, void *out)
{
	for (;;) {
		struct htab_elem *e = htab_lookup_elem(h, key);
		if (!e)
			return NULL;
		uint32_t seq = atomic_load_explicit(&e->seq, memory_order_acquire);
		if ((seq & 1) || !xbpf_shared_equal(htab_key(e), key, h->map.key_size))
			continue;
		/* The value is read with acquire loads: the count read after
		 * it cannot be older than any value word seen. */
		htab_read_host_value(h, e, out);
		if (atomic_load_explicit(&e->seq, memory_order_relaxed) == seq)
			return e;
	}
}

static struct xbpf_map *inner_of(const struct htab *h, struct htab_elem *e)
{
	return (struct xbpf_map *)__atomic_load_n((uintptr_t *)htab_value(h, e), __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------------ */
/* Chains                                                                   */
/* ------------------------------------------------------------------------ */

/* Lookup with the bucket locked: the chain cannot change. */
static struct htab_elem *find_locked(struct htab *h, struct htab_bucket *b, const void *key,
				     uint32_t hash)
{
	uintptr_t p = atomic_load_explicit(&b->first, memory_order_relaxed);
	if (p == 0)
		return NULL;
	while (!htab_is_nulls(p)) {
		struct htab_elem *e = (struct htab_elem *)p;
		if (atomic_load_explicit(&e->hash, memory_order_relaxed) == hash &&
		    xbpf_shared_equal(htab_key(e), key, h->map.key_size))
			return e;
		p = atomic_load_explicit(&e->next, memory_order_relaxed);
	}
	return NULL;
}

struct htab_elem *htab_lookup_elem_locked(struct htab *h, struct htab_bucket *b, const void *key,
					  uint32_t hash)
{
	xbpf_lock(&b->lock);
	struct htab_elem *e = find_locked(h, b, key, hash);
	xbpf_unlock(&b->lock);
	return e;
}

/* Link a filled element at the head of b (b locked). */
static void link_head(struct htab *h, struct htab_bucket *b, struct htab_elem *e)
{
	uintptr_t first = atomic_load_explicit(&b->first, memory_order_relaxed);
	if (first == 0)
		first = htab_nulls_of((uint32_t)(b - h->buckets));
	/* e->next is written inside the change, releasing: a reader who
	 * stood on e in its former life and reads this pointer also sees the
	 * bucket's count move, and walks again if it found nothing. */
	htab_bucket_change_begin(b);
	atomic_store_explicit(&e->next, first, memory_order_release);
	atomic_store_explicit(&b->first, (uintptr_t)e, memory_order_release);
	htab_bucket_change_end(b);
}

/* The link that points to e in b's chain (b locked). */
static _Atomic uintptr_t *link_to(struct htab_bucket *b, struct htab_elem *e)
{
	_Atomic uintptr_t *slot = &b->first;
	uintptr_t p;
	while ((p = atomic_load_explicit(slot, memory_order_relaxed)) != (uintptr_t)e)
		slot = &((struct htab_elem *)p)->next;
	return slot;
}

void htab_unlink(struct htab_bucket *b, struct htab_elem *e)
{
	_Atomic uintptr_t *slot = link_to(b, e);
	htab_bucket_change_begin(b);
	atomic_store_explicit(slot, atomic_load_explicit(&e->next, memory_order_relaxed),
			      memory_order_release);
	htab_bucket_change_end(b);
}

/* Put e where old is in b's chain (b locked), with one store: a reader
 * sees old or e, never neither (linking e at the head and then unlinking
 * old would let a reader who passed the head miss the key). A reader
 * standing on old continues along old's successors. */
static void link_in_place_of(struct htab_bucket *b, struct htab_elem *old, struct htab_elem *e)
{
	_Atomic uintptr_t *slot = link_to(b, old);
	htab_bucket_change_begin(b); /* e->next too: see link_head */
	atomic_store_explicit(&e->next, atomic_load_explicit(&old->next, memory_order_relaxed),
			      memory_order_release);
	atomic_store_explicit(slot, (uintptr_t)e, memory_order_release);
	htab_bucket_change_end(b);
}

/* ------------------------------------------------------------------------ */
/* Update and delete                                                        */
/* ------------------------------------------------------------------------ */

static void fill(struct htab *h, struct htab_elem *e, const void *key, uint32_t hash,
		 const void *value, int cpu)
{
	xbpf_shared_write(htab_key(e), key, h->map.key_size);
	atomic_store_explicit(&e->hash, hash, memory_order_relaxed);
	if (h->lru)
		atomic_store_explicit(&e->lru_ref, 0, memory_order_relaxed);
	write_value(h, e, value, cpu, true);
	elem_revive(e);
}

/* A new key into locked bucket b. -EAGAIN: an LRU map found no victim it
 * could take without waiting. */
static long insert(struct htab *h, struct htab_bucket *b, const void *key, uint32_t hash,
		   const void *value, int cpu)
{
	struct htab_elem *e;
	if (reserve(&h->count, h->map.max_entries)) {
		e = elem_get(h);
		if (!e) {
			unreserve(&h->count);
			return -ENOMEM;
		}
	} else if (h->lru) {
		xbpf_lock(&h->lru_lock);
		e = htab_lru_evict(h, b);
		xbpf_unlock(&h->lru_lock);
		if (!e)
			return -EAGAIN;
	} else {
		return -E2BIG;
	}
	fill(h, e, key, hash, value, cpu);
	link_head(h, b, e);
	if (h->lru) {
		xbpf_lock(&h->lru_lock);
		htab_lru_push_head(h, e);
		xbpf_unlock(&h->lru_lock);
	}
	return 0;
}

/* A spare element to swap in for a replaced value, or NULL. */
static struct htab_elem *spare_get(struct htab *h)
{
	if (!h->prealloc)
		return elem_get(h);
	if (!reserve(&h->spares, h->max_spares))
		return NULL;
	/* Cannot fail: reservations never exceed the pool. */
	return elem_get(h);
}

/* New value for an existing element old of locked bucket b. */
static void replace(struct htab *h, struct htab_bucket *b, struct htab_elem *old, const void *key,
		    uint32_t hash, const void *value, int cpu)
{
	if (h->of_maps) {
		struct xbpf_map *inner = *(struct xbpf_map *const *)value;
		struct xbpf_map *prev = (struct xbpf_map *)__atomic_exchange_n(
			(uintptr_t *)htab_value(h, old), (uintptr_t)inner, __ATOMIC_ACQ_REL);
		xbpf_map_unref(prev);
		return;
	}
	struct htab_elem *e = h->map.percpu ? NULL : spare_get(h);
	if (!e) {
		/* Per-CPU values are updated in place (as Linux does); others
		 * only when every spare element is in flight. */
		write_value(h, old, value, cpu, false);
		if (h->lru)
			atomic_store_explicit(&old->lru_ref, 1, memory_order_relaxed);
		return;
	}
	fill(h, e, key, hash, value, cpu);
	link_in_place_of(b, old, e);
	if (h->lru) {
		xbpf_lock(&h->lru_lock);
		htab_lru_remove(h, old);
		htab_lru_push_head(h, e);
		xbpf_unlock(&h->lru_lock);
	}
	elem_release(h, old);
	if (h->prealloc)
		unreserve(&h->spares);
}

long htab_update(struct htab *h, const void *key, const void *value, uint64_t flags, int cpu)
{
	if (flags > XBPF_EXIST)
		return -EINVAL;
	if (cpu != HTAB_ALL_CPUS && h->map.percpu && (unsigned)cpu >= h->ncpus)
		return -EINVAL;

	uint32_t hash = htab_hash_key(h, key);
	struct htab_bucket *b = htab_bucket_of(h, hash);
	for (unsigned attempt = 0;; attempt++) {
		long ret = 0;
		xbpf_lock(&b->lock);
		struct htab_elem *old = find_locked(h, b, key, hash);
		if (old && flags == XBPF_NOEXIST)
			ret = -EEXIST;
		else if (!old && flags == XBPF_EXIST)
			ret = -ENOENT;
		else if (old)
			replace(h, b, old, key, hash, value, cpu);
		else
			ret = insert(h, b, key, hash, value, cpu);
		xbpf_unlock(&b->lock);
		if (ret != -EAGAIN)
			return ret;
		/* Let the holders of the busy buckets finish. */
		if (attempt == LRU_RETRIES)
			return -EBUSY;
		sched_yield();
	}
}

/* Remove the element of key, copying its value out first when out is set. */
static long remove_key(struct htab *h, const void *key, void *out)
{
	uint32_t hash = htab_hash_key(h, key);
	struct htab_bucket *b = htab_bucket_of(h, hash);

	xbpf_lock(&b->lock);
	struct htab_elem *e = find_locked(h, b, key, hash);
	if (!e) {
		xbpf_unlock(&b->lock);
		return -ENOENT;
	}
	if (out)
		htab_read_host_value(h, e, out);
	struct xbpf_map *inner = h->of_maps ? inner_of(h, e) : NULL;
	htab_unlink(b, e);
	if (h->lru) {
		xbpf_lock(&h->lru_lock);
		htab_lru_remove(h, e);
		xbpf_unlock(&h->lru_lock);
	}
	elem_release(h, e);
	unreserve(&h->count);
	xbpf_unlock(&b->lock);
	xbpf_map_unref(inner);
	return 0;
}

long htab_delete(struct xbpf_map *map, const void *key)
{
	return remove_key(htab_of(map), key, NULL);
}

int htab_lookup_and_delete(struct xbpf_map *map, const void *key, void *value)
{
	return (int)remove_key(htab_of(map), key, value);
}

/* ------------------------------------------------------------------------ */
/* Iteration                                                                */
/* ------------------------------------------------------------------------ */

int htab_get_next_key(struct xbpf_map *map, const void *key, void *next_key)
{
	struct htab *h = htab_of(map);
	uint32_t start = 0;

	if (key) {
		uint32_t hash = htab_hash_key(h, key);
		struct htab_bucket *b = htab_bucket_of(h, hash);
		xbpf_lock(&b->lock);
		struct htab_elem *e = find_locked(h, b, key, hash);
		if (e) {
			uintptr_t next = atomic_load_explicit(&e->next, memory_order_relaxed);
			if (!htab_is_nulls(next)) {
				xbpf_shared_read(next_key, htab_key((struct htab_elem *)next),
						 map->key_size);
				xbpf_unlock(&b->lock);
				return 0;
			}
			start = (hash & h->mask) + 1;
		}
		/* A key not in the map starts over from the first. */
		xbpf_unlock(&b->lock);
	}
	for (uint64_t i = start; i <= h->mask; i++) {
		struct htab_bucket *b = &h->buckets[i];
		uintptr_t p = atomic_load_explicit(&b->first, memory_order_relaxed);
		if (p == 0 || htab_is_nulls(p))
			continue;
		xbpf_lock(&b->lock);
		p = atomic_load_explicit(&b->first, memory_order_relaxed);
		if (!htab_is_nulls(p)) {
			xbpf_shared_read(next_key, htab_key((struct htab_elem *)p), map->key_size);
			xbpf_unlock(&b->lock);
			return 0;
		}
		xbpf_unlock(&b->lock);
	}
	return -ENOENT;
}

long htab_for_each(struct xbpf_map *map, xbpf_map_foreach_fn fn, void *user, unsigned cpu)
{
	struct htab *h = htab_of(map);
	long n = 0;

	if (map->percpu && cpu >= h->ncpus)
		return -EINVAL;
	for (uint64_t i = 0; i <= h->mask; i++) {
		uintptr_t p = atomic_load_explicit(&h->buckets[i].first, memory_order_acquire);
		if (p == 0)
			continue;
		while (!htab_is_nulls(p)) {
			struct htab_elem *e = (struct htab_elem *)p;
			if (!(atomic_load_explicit(&e->seq, memory_order_acquire) & 1)) {
				n++;
				void *value = map->percpu ? value_slot(h, e, cpu) : htab_value(h, e);
				if (fn(user, map, htab_key(e), value))
					return n;
			}
			p = atomic_load_explicit(&e->next, memory_order_acquire);
		}
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Engine checks and info                                                   */
/* ------------------------------------------------------------------------ */

bool htab_value_region(const struct xbpf_map *map, uintptr_t addr, size_t size,
		       struct xbpf_region *out)
{
	const struct htab *h = htab_of(map);
	uintptr_t base = (uintptr_t)h->pool;
	if (!h->prealloc || h->of_maps || addr < base ||
	    addr - base >= (uintptr_t)h->pool_size * h->elem_size)
		return false;
	uintptr_t off = (addr - base) % h->elem_size;
	uintptr_t value_off = offsetof(struct htab_elem, data) + h->key_round;
	if (off < value_off)
		return false;
	off -= value_off;
	uintptr_t slot = h->map.percpu ? off / h->value_slot : 0;
	uintptr_t within = off - slot * h->value_slot;
	if (slot >= (h->map.percpu ? h->ncpus : 1) || within + size > h->map.value_size ||
	    size > h->map.value_size)
		return false;
	out->start = addr - within;
	out->end = out->start + h->map.value_size;
	return true;
}

int64_t htab_count(const struct xbpf_map *map)
{
	return atomic_load_explicit(&htab_of(map)->count, memory_order_relaxed);
}

/* ------------------------------------------------------------------------ */
/* Creation                                                                 */
/* ------------------------------------------------------------------------ */

#define HTAB_CREATE_FLAGS \
	(XBPF_F_NO_PREALLOC | XBPF_F_NO_COMMON_LRU | XBPF_F_NUMA_NODE | XBPF_F_ACCESS_MASK | \
	 XBPF_F_ZERO_SEED)

static uint64_t roundup_pow2(uint64_t n)
{
	uint64_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

/* Linux's checks (htab_map_alloc_check, htab_map_alloc) in its order. */
static int check_attr(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr, bool percpu,
		      bool lru)
{
	const char *name = attr->name ? attr->name : "";
	uint32_t flags = attr->map_flags;

	if (flags & ~HTAB_CREATE_FLAGS) {
		xbpf_log(rt, XBPF_LOG_ERROR, "hash map '%s': unknown flags 0x%x", name,
			 flags & ~HTAB_CREATE_FLAGS);
		return -EINVAL;
	}
	if (!lru && (flags & XBPF_F_NO_COMMON_LRU)) {
		xbpf_log(rt, XBPF_LOG_ERROR, "hash map '%s': BPF_F_NO_COMMON_LRU is for LRU maps",
			 name);
		return -EINVAL;
	}
	if (lru && (flags & XBPF_F_NO_PREALLOC)) {
		xbpf_log(rt, XBPF_LOG_ERROR, "LRU map '%s': BPF_F_NO_PREALLOC is not supported",
			 name);
		return -EOPNOTSUPP;
	}
	if ((flags & XBPF_F_NUMA_NODE) && (percpu || (flags & XBPF_F_NO_COMMON_LRU))) {
		xbpf_log(rt, XBPF_LOG_ERROR, "hash map '%s': a NUMA node for per-CPU storage",
			 name);
		return -EINVAL;
	}
	if (attr->max_entries == 0 || attr->key_size == 0 || attr->value_size == 0) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "hash map '%s': key_size %u, value_size %u and max_entries %u must "
			 "all be non-zero",
			 name, attr->key_size, attr->value_size, attr->max_entries);
		return -EINVAL;
	}
	if ((uint64_t)attr->key_size + attr->value_size >= KMALLOC_MAX_SIZE - LINUX_HTAB_ELEM ||
	    (percpu && xbpf_round8(attr->value_size) > PCPU_MIN_UNIT_SIZE)) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "hash map '%s': key_size %u or value_size %u too large%s", name,
			 attr->key_size, attr->value_size,
			 percpu ? " (per-CPU values up to 32768 bytes)" : "");
		return -E2BIG;
	}
	if (roundup_pow2(attr->max_entries) > MAX_BUCKETS) {
		xbpf_log(rt, XBPF_LOG_ERROR, "hash map '%s': max_entries %u too large", name,
			 attr->max_entries);
		return -E2BIG;
	}
	return 0;
}

int htab_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
	       const struct xbpf_map_ops *ops, struct xbpf_map **out)
{
	bool percpu = attr->type == XBPF_MAP_TYPE_PERCPU_HASH ||
		      attr->type == XBPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool lru = attr->type == XBPF_MAP_TYPE_LRU_HASH ||
		   attr->type == XBPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool of_maps = attr->type == XBPF_MAP_TYPE_HASH_OF_MAPS;
	int err = check_attr(rt, attr, percpu, lru);
	if (err)
		return err;

	struct htab *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	xbpf_map_init(&h->map, attr, ops);
	h->map.percpu = percpu;
	h->prealloc = !(attr->map_flags & XBPF_F_NO_PREALLOC);
	h->lru = lru;
	h->of_maps = of_maps;
	h->ncpus = percpu ? xbpf_num_possible_cpus() : 1;
	h->key_round = (uint32_t)xbpf_round8(attr->key_size);
	if (percpu)
		h->value_slot = (uint32_t)xbpf_round8(attr->value_size);
	else
		h->value_slot = of_maps ? sizeof(void *) : attr->value_size;
	h->value_area = percpu ? h->value_slot * h->ncpus : (uint32_t)xbpf_round8(h->value_slot);
	h->elem_size = (uint32_t)(sizeof(struct htab_elem) + h->key_round + h->value_area);
	h->mask = (uint32_t)(roundup_pow2(attr->max_entries) - 1);
	if (!(attr->map_flags & XBPF_F_ZERO_SEED) &&
	    getrandom(&h->seed, sizeof(h->seed), 0) != sizeof(h->seed))
		h->seed = (uint32_t)(uintptr_t)h ^ 0x5bd1e995U;
	h->max_spares = xbpf_num_possible_cpus();
	atomic_init(&h->free_head, HTAB_NIL);
	xbpf_lock_init(&h->lru_lock);
	h->lru_head = h->lru_tail = HTAB_NIL;

	h->buckets = calloc((size_t)h->mask + 1, sizeof(*h->buckets));
	if (!h->buckets)
		goto nomem;
	if (h->prealloc) {
		/* Zeroed, untouched memory: pages arrive as elements are first
		 * used, so a large preallocated map costs what it holds. */
		h->pool_size = attr->max_entries + h->max_spares;
		h->pool = calloc(h->pool_size, h->elem_size);
		if (!h->pool)
			goto nomem;
	}
	*out = &h->map;
	return 0;
nomem:
	xbpf_log(rt, XBPF_LOG_ERROR, "hash map '%s': out of memory for %u entries",
		 attr->name ? attr->name : "", attr->max_entries);
	free(h->buckets);
	free(h);
	return -ENOMEM;
}

void htab_free(struct xbpf_map *map)
{
	struct htab *h = htab_of(map);

	/* Runs after a grace period with no holder left: plain walks. */
	for (uint64_t i = 0; i <= h->mask; i++) {
		uintptr_t p = atomic_load_explicit(&h->buckets[i].first, memory_order_relaxed);
		if (p == 0)
			continue;
		while (!htab_is_nulls(p)) {
			struct htab_elem *e = (struct htab_elem *)p;
			p = atomic_load_explicit(&e->next, memory_order_relaxed);
			if (h->of_maps)
				xbpf_map_unref(inner_of(h, e));
			if (!h->prealloc)
				free(e);
		}
	}
	free(h->pool);
	free(h->buckets);
	free(h);
}
