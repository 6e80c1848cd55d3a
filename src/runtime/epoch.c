/* SPDX-License-Identifier: MIT */
/* Epochs over liburcu's urcu-memb flavour, with lazy thread registration. */
#include "runtime/epoch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

__thread int xbpf_epoch_registered;

#if defined(__SANITIZE_THREAD__)
char xbpf_epoch_tsan_sync;
#endif

static pthread_key_t unregister_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* Runs at exit of threads we registered. */
static void unregister_thread(void *unused)
{
	(void)unused;
	urcu_memb_unregister_thread();
	xbpf_epoch_registered = 0;
}

static void make_key(void)
{
	/* Fails only when the process is out of thread keys. */
	if (pthread_key_create(&unregister_key, unregister_thread) != 0)
		abort();
}

void xbpf_epoch_register_slow(void)
{
	pthread_once(&key_once, make_key);
	urcu_memb_register_thread();
	xbpf_epoch_registered = 1;
	/* Any non-NULL value arms the destructor. */
	pthread_setspecific(unregister_key, &xbpf_epoch_registered);
}

/* Callbacks run on liburcu's callback thread, which liburcu registered
 * itself: mark it so that a callback using epochs (an object destructor
 * dropping other objects, say) does not register it a second time. */
static void run_callback(struct rcu_head *rcu)
{
	struct xbpf_epoch_head *head = caa_container_of(rcu, struct xbpf_epoch_head, rcu);

	xbpf_epoch_registered = 1;
	XBPF_EPOCH_TSAN_ACQUIRE();
	head->fn(head);
	XBPF_EPOCH_TSAN_RELEASE(); /* for xbpf_epoch_barrier */
}

void xbpf_epoch_call(struct xbpf_epoch_head *head, xbpf_epoch_fn fn)
{
	xbpf_epoch_register();
	head->fn = fn;
	XBPF_EPOCH_TSAN_RELEASE();
	urcu_memb_call_rcu(&head->rcu, run_callback);
}

/* Header in front of xbpf_epoch_alloc memory, sized to keep the payload
 * 16-byte aligned like malloc's. */
union alloc_header {
	struct xbpf_epoch_head head;
	max_align_t align;
	char pad[32];
};

void *xbpf_epoch_alloc(size_t size)
{
	if (size > SIZE_MAX - sizeof(union alloc_header))
		return NULL;
	union alloc_header *h = malloc(sizeof(*h) + size);
	return h ? h + 1 : NULL;
}

void *xbpf_epoch_zalloc(size_t size)
{
	void *p = xbpf_epoch_alloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

static void free_alloc(struct xbpf_epoch_head *head)
{
	free(caa_container_of(head, union alloc_header, head));
}

void xbpf_epoch_defer_free(void *ptr)
{
	if (ptr)
		xbpf_epoch_call(&((union alloc_header *)ptr - 1)->head, free_alloc);
}

void xbpf_epoch_free_now(void *ptr)
{
	if (ptr)
		free((union alloc_header *)ptr - 1);
}

void xbpf_epoch_synchronize(void)
{
	xbpf_epoch_register();
	XBPF_EPOCH_TSAN_RELEASE();
	urcu_memb_synchronize_rcu();
	XBPF_EPOCH_TSAN_ACQUIRE();
}

void xbpf_epoch_barrier(void)
{
	xbpf_epoch_register();
	XBPF_EPOCH_TSAN_RELEASE();
	urcu_memb_barrier();
	XBPF_EPOCH_TSAN_ACQUIRE();
}
