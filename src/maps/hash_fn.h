/* SPDX-License-Identifier: MIT */
/*
 * The hash function of hash maps: 8-byte words mixed with a 64-bit
 * multiply-xorshift, folded to 32 bits with well mixed low bits (buckets
 * use the low bits). Seeded per map.
 */
#ifndef XBPF_MAPS_HASH_FN_H
#define XBPF_MAPS_HASH_FN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t xbpf_hash_mix(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

static inline uint32_t xbpf_hash(const void *data, size_t n, uint32_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ ((uint64_t)n * 0x9e3779b97f4a7c15ULL);
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = xbpf_hash_mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = xbpf_hash_mix(h ^ w ^ ((uint64_t)n << 59));
	}
	return (uint32_t)h;
}

#endif /* XBPF_MAPS_HASH_FN_H */
