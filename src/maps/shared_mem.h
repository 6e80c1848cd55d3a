/* SPDX-License-Identifier: MIT */
/*
 * Copies to and from map memory that other threads may be writing.
 *
 * Map values and hash keys are read without locks while writers change
 * them (Linux gives the same guarantee: a value read during an update may
 * be torn). To keep that well defined in C, and quiet under
 * ThreadSanitizer, shared memory is accessed in atomic 8-byte words (bytes
 * for a tail): stores release, loads acquire, so that a reader who sees
 * any word of new data also sees what the writer did before writing it
 * (hash elements rely on this to validate their sequence count without
 * fences). On x86-64 these are plain loads and stores. The shared side
 * must be 8-byte aligned; the private side may be anything.
 */
#ifndef XBPF_MAPS_SHARED_MEM_H
#define XBPF_MAPS_SHARED_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void xbpf_shared_read(void *dst, const void *shared, size_t n)
{
	const uint64_t *s = shared;
	unsigned char *d = dst;
	for (; n >= 8; n -= 8, s++, d += 8) {
		uint64_t w = __atomic_load_n(s, __ATOMIC_ACQUIRE);
		memcpy(d, &w, 8);
	}
	const unsigned char *sb = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++)
		d[i] = __atomic_load_n(&sb[i], __ATOMIC_ACQUIRE);
}

static inline void xbpf_shared_write(void *shared, const void *src, size_t n)
{
	uint64_t *d = shared;
	const unsigned char *s = src;
	for (; n >= 8; n -= 8, d++, s += 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		__atomic_store_n(d, w, __ATOMIC_RELEASE);
	}
	unsigned char *db = (unsigned char *)d;
	for (size_t i = 0; i < n; i++)
		__atomic_store_n(&db[i], s[i], __ATOMIC_RELEASE);
}

static inline void xbpf_shared_zero(void *shared, size_t n)
{
	uint64_t *d = shared;
	for (; n >= 8; n -= 8, d++)
		__atomic_store_n(d, 0, __ATOMIC_RELEASE);
	unsigned char *db = (unsigned char *)d;
	for (size_t i = 0; i < n; i++)
		__atomic_store_n(&db[i], 0, __ATOMIC_RELEASE);
}

/* Copy between two shared areas (both 8-byte aligned). */
static inline void xbpf_shared_copy(void *dst, const void *src, size_t n)
{
	const uint64_t *s = src;
	uint64_t *d = dst;
	for (; n >= 8; n -= 8, d++, s++)
		__atomic_store_n(d, __atomic_load_n(s, __ATOMIC_ACQUIRE), __ATOMIC_RELAXED);
	const unsigned char *sb = (const unsigned char *)s;
	unsigned char *db = (unsigned char *)d;
	for (size_t i = 0; i < n; i++)
		__atomic_store_n(&db[i], __atomic_load_n(&sb[i], __ATOMIC_ACQUIRE), __ATOMIC_RELAXED);
}

static inline bool xbpf_shared_equal(const void *shared, const void *priv, size_t n)
{
	const uint64_t *s = shared;
	const unsigned char *p = priv;
	for (; n >= 8; n -= 8, s++, p += 8) {
		uint64_t w, v = __atomic_load_n(s, __ATOMIC_ACQUIRE);
		memcpy(&w, p, 8);
		if (v != w)
			return false;
	}
	const unsigned char *sb = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++)
		if (__atomic_load_n(&sb[i], __ATOMIC_ACQUIRE) != p[i])
			return false;
	return true;
}

#endif /* XBPF_MAPS_SHARED_MEM_H */
