/* SPDX-License-Identifier: MIT */
/*
 * BLOOM_FILTER: keyless; push adds a value, peek answers "maybe present"
 * (0) or "absent" (-ENOENT). Sizing and hashing are Linux's (bits =
 * entries * hashes * 7 / 5, a power of two; jhash seeded with seed + i), so
 * with BPF_F_ZERO_SEED the answers, false positives included, are the
 * kernel's.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "maps/jhash.h"
#include "maps/types.h"
#include "runtime/log.h"

struct bloom {
	struct xbpf_map map;
	uint32_t mask; /* bits - 1 */
	uint32_t seed;
	uint32_t nr_hashes;
	_Atomic uint64_t bits[];
};

static struct bloom *bloom_of(const struct xbpf_map *map)
{
	return (struct bloom *)map;
}

static uint32_t bit_of(const struct bloom *b, const void *value, uint32_t i)
{
	uint32_t size = b->map.value_size;
	uint32_t h = size % 4 == 0 ? xbpf_jhash2(value, size / 4, b->seed + i)
				   : xbpf_jhash(value, size, b->seed + i);
	return h & b->mask;
}

static long bloom_push(struct xbpf_map *map, const void *value, uint64_t flags)
{
	struct bloom *b = bloom_of(map);
	if (flags != XBPF_ANY)
		return -EINVAL;
	for (uint32_t i = 0; i < b->nr_hashes; i++) {
		uint32_t bit = bit_of(b, value, i);
		atomic_fetch_or_explicit(&b->bits[bit / 64], 1ULL << (bit % 64),
					 memory_order_relaxed);
	}
	return 0;
}

static long bloom_peek(struct xbpf_map *map, void *value)
{
	struct bloom *b = bloom_of(map);
	for (uint32_t i = 0; i < b->nr_hashes; i++) {
		uint32_t bit = bit_of(b, value, i);
		if (!(atomic_load_explicit(&b->bits[bit / 64], memory_order_relaxed) &
		      (1ULL << (bit % 64))))
			return -ENOENT;
	}
	return 0;
}

#define BLOOM_CREATE_FLAGS (XBPF_F_NUMA_NODE | XBPF_F_ZERO_SEED | XBPF_F_ACCESS_MASK)

static int bloom_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
		       struct xbpf_map **out)
{
	if (attr->key_size != 0 || attr->value_size == 0 || attr->max_entries == 0 ||
	    (attr->map_flags & ~BLOOM_CREATE_FLAGS) || (attr->map_extra & ~0xfULL)) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "bloom_filter '%s': key_size %u (want 0), value_size %u and max_entries "
			 "%u (want non-zero), flags 0x%x, map_extra 0x%llx (want 0..15 hashes)",
			 attr->name ? attr->name : "", attr->key_size, attr->value_size,
			 attr->max_entries, attr->map_flags, (unsigned long long)attr->map_extra);
		return -EINVAL;
	}
	uint32_t nr_hashes = attr->map_extra ? (uint32_t)attr->map_extra : 5;

	/* n * k / ln(2) bits, with 7/5 for 1/ln(2), in 32-bit arithmetic. */
	uint64_t bits = (uint64_t)attr->max_entries * nr_hashes;
	uint32_t mask;
	if (bits > UINT32_MAX || (bits / 5) * 7 > (1ULL << 31)) {
		mask = UINT32_MAX;
	} else {
		bits = (bits / 5) * 7;
		uint64_t p = 64;
		while (p < bits)
			p <<= 1;
		mask = (uint32_t)(p - 1);
	}
	size_t words = ((size_t)mask + 1 + 63) / 64;
	struct bloom *b = calloc(1, sizeof(*b) + words * sizeof(b->bits[0]));
	if (!b) {
		xbpf_log(rt, XBPF_LOG_ERROR, "bloom_filter '%s': out of memory",
			 attr->name ? attr->name : "");
		return -ENOMEM;
	}
	xbpf_map_init(&b->map, attr, &xbpf_bloom_ops);
	b->mask = mask;
	b->nr_hashes = nr_hashes;
	if (!(attr->map_flags & XBPF_F_ZERO_SEED) &&
	    getrandom(&b->seed, sizeof(b->seed), 0) != sizeof(b->seed))
		b->seed = (uint32_t)(uintptr_t)b;
	*out = &b->map;
	return 0;
}

static void bloom_free(struct xbpf_map *map)
{
	free(bloom_of(map));
}

const struct xbpf_map_ops xbpf_bloom_ops = {
	.alloc = bloom_alloc,
	.free = bloom_free,
	.push = bloom_push,
	.peek = bloom_peek,
};
