/* SPDX-License-Identifier: MIT */
/* An arena of separately allocated blocks freed together (see arena.h). */
#include "runtime/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct xbpf_arena_chunk {
	struct xbpf_arena_chunk *next;
	alignas(max_align_t) unsigned char data[];
};

void *xbpf_arena_alloc(struct xbpf_arena *arena, size_t size)
{
	if (size > SIZE_MAX - sizeof(struct xbpf_arena_chunk))
		return NULL;
	struct xbpf_arena_chunk *c = calloc(1, sizeof(*c) + size);
	if (!c)
		return NULL;
	c->next = arena->chunks;
	arena->chunks = c;
	return c->data;
}

void *xbpf_arena_memdup(struct xbpf_arena *arena, const void *p, size_t size)
{
	void *copy = xbpf_arena_alloc(arena, size);
	if (copy && size)
		memcpy(copy, p, size);
	return copy;
}

char *xbpf_arena_strdup(struct xbpf_arena *arena, const char *s)
{
	return s ? xbpf_arena_memdup(arena, s, strlen(s) + 1) : NULL;
}

void xbpf_arena_release(struct xbpf_arena *arena)
{
	while (arena->chunks) {
		struct xbpf_arena_chunk *next = arena->chunks->next;
		free(arena->chunks);
		arena->chunks = next;
	}
}
