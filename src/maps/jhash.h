/* SPDX-License-Identifier: MIT */
/*
 * Bob Jenkins' lookup3 hash (public domain), in the two forms Linux's bloom
 * filter uses (jhash over bytes, jhash2 over 32-bit words), so that a
 * bloom filter created with BPF_F_ZERO_SEED answers exactly as the
 * kernel's does.
 */
#ifndef XBPF_MAPS_JHASH_H
#define XBPF_MAPS_JHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define XBPF_JHASH_INIT 0xdeadbeefU

static inline uint32_t xbpf_rol32(uint32_t x, unsigned r)
{
	return (x << r) | (x >> (32 - r));
}

#define XBPF_JHASH_MIX(a, b, c)                                  \
	do {                                                     \
		a -= c; a ^= xbpf_rol32(c, 4); c += b;           \
		b -= a; b ^= xbpf_rol32(a, 6); a += c;           \
		c -= b; c ^= xbpf_rol32(b, 8); b += a;           \
		a -= c; a ^= xbpf_rol32(c, 16); c += b;          \
		b -= a; b ^= xbpf_rol32(a, 19); a += c;          \
		c -= b; c ^= xbpf_rol32(b, 4); b += a;           \
	} while (0)

#define XBPF_JHASH_FINAL(a, b, c)                                \
	do {                                                     \
		c ^= b; c -= xbpf_rol32(b, 14);                  \
		a ^= c; a -= xbpf_rol32(c, 11);                  \
		b ^= a; b -= xbpf_rol32(a, 25);                  \
		c ^= b; c -= xbpf_rol32(b, 16);                  \
		a ^= c; a -= xbpf_rol32(c, 4);                   \
		b ^= a; b -= xbpf_rol32(a, 14);                  \
		c ^= b; c -= xbpf_rol32(b, 24);                  \
	} while (0)

static inline uint32_t xbpf_jhash(const void *key, uint32_t length, uint32_t initval)
{
	const uint8_t *k = key;
	uint32_t a, b, c;
	a = b = c = XBPF_JHASH_INIT + length + initval;
	for (; length > 12; length -= 12, k += 12) {
		uint32_t w[3];
		memcpy(w, k, sizeof(w));
		a += w[0];
		b += w[1];
		c += w[2];
		XBPF_JHASH_MIX(a, b, c);
	}
	if (length == 0)
		return c;
	/* The last 1..12 bytes, little-endian within each word. */
	uint8_t tail[12] = { 0 };
	memcpy(tail, k, length);
	a += (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
	     (uint32_t)tail[3] << 24;
	b += (uint32_t)tail[4] | (uint32_t)tail[5] << 8 | (uint32_t)tail[6] << 16 |
	     (uint32_t)tail[7] << 24;
	c += (uint32_t)tail[8] | (uint32_t)tail[9] << 8 | (uint32_t)tail[10] << 16 |
	     (uint32_t)tail[11] << 24;
	XBPF_JHASH_FINAL(a, b, c);
	return c;
}

/* words: the number of 32-bit words at key. */
static inline uint32_t xbpf_jhash2(const void *key, uint32_t words, uint32_t initval)
{
	const uint8_t *k = key;
	uint32_t a, b, c, w[3];
	a = b = c = XBPF_JHASH_INIT + (words << 2) + initval;
	for (; words > 3; words -= 3, k += 12) {
		memcpy(w, k, sizeof(w));
		a += w[0];
		b += w[1];
		c += w[2];
		XBPF_JHASH_MIX(a, b, c);
	}
	if (words == 0)
		return c;
	w[0] = w[1] = w[2] = 0;
	memcpy(w, k, words * 4);
	a += w[0];
	b += w[1];
	c += w[2];
	XBPF_JHASH_FINAL(a, b, c);
	return c;
}

#endif /* XBPF_MAPS_JHASH_H */
