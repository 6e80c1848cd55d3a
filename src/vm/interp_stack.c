/* SPDX-License-Identifier: MIT */
/*
 * Stack areas of interpreter runs. Each thread keeps the areas its runs used
 * on a free list, so starting a run costs a list pop, not an allocation or a
 * memset. A nested run on the same thread (a helper that runs another
 * program) simply takes a second area. The list is freed when the thread
 * exits.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vm/interp.h"

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static __thread struct xbpf_interp_stack *free_list;
static __thread bool registered;

static void free_thread_stacks(void *list_head)
{
	struct xbpf_interp_stack **head = list_head;

	while (*head) {
		struct xbpf_interp_stack *st = *head;

		*head = st->next_free;
		free(st);
	}
}

static void create_key(void)
{
	/* Cannot fail short of PTHREAD_KEYS_MAX keys; then threads leak their areas at exit. */
	(void)pthread_key_create(&cache_key, free_thread_stacks);
}

struct xbpf_interp_stack *xbpf_interp_stack_acquire(void)
{
	struct xbpf_interp_stack *st = free_list;

	if (st) {
		free_list = st->next_free;
		return st;
	}
	if (!registered) {
		pthread_once(&cache_once, create_key);
		pthread_setspecific(cache_key, &free_list);
		registered = true;
	}
	st = aligned_alloc(_Alignof(struct xbpf_interp_stack), sizeof(*st));
	if (st)
		memset(st, 0, sizeof(*st));
	return st;
}

void xbpf_interp_stack_release(struct xbpf_interp_stack *st)
{
	st->next_free = free_list;
	free_list = st;
}
