/* SPDX-License-Identifier: MIT */
/*
 * An arena: many small allocations freed together. The core keeps its deep
 * copies of provider data in one, so that nothing it holds points into an
 * extension's memory.
 */
#ifndef XBPF_RUNTIME_ARENA_H
#define XBPF_RUNTIME_ARENA_H

#include <stddef.h>

struct xbpf_arena_chunk;

struct xbpf_arena {
	struct xbpf_arena_chunk *chunks;
};

/* Zeroed memory, aligned for any type; NULL when out of memory. */
void *xbpf_arena_alloc(struct xbpf_arena *arena, size_t size);
/* Copies of s (NULL stays NULL) and of size bytes at p. */
char *xbpf_arena_strdup(struct xbpf_arena *arena, const char *s);
void *xbpf_arena_memdup(struct xbpf_arena *arena, const void *p, size_t size);
void xbpf_arena_release(struct xbpf_arena *arena);

#endif /* XBPF_RUNTIME_ARENA_H */
