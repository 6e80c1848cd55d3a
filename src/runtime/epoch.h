/* SPDX-License-Identifier: MIT */
/*
 * Epochs (RCU): readers run lock-free inside an epoch; memory they may
 * still see is freed only after every epoch that was open at the time has
 * ended (a grace period).
 *
 * A thin layer over liburcu's urcu-memb flavour. Any thread may call any of
 * these at any time: a thread is registered with liburcu the first time it
 * needs to be and unregistered when it exits.
 *
 * Rules (liburcu's): epochs nest; xbpf_epoch_synchronize and
 * xbpf_epoch_barrier must not be called inside an epoch nor from an epoch
 * callback.
 */
#ifndef XBPF_RUNTIME_EPOCH_H
#define XBPF_RUNTIME_EPOCH_H

#include <stddef.h>

#include <urcu/urcu-memb.h>

struct xbpf_epoch_head;

/* ThreadSanitizer cannot see the ordering liburcu provides (it is not
 * instrumented): a grace period orders every reader's accesses before the
 * callbacks and synchronize calls that follow. We tell it so with one
 * synchronization object that epoch exits, xbpf_epoch_call and finished
 * callbacks release, and that callbacks, xbpf_epoch_synchronize and
 * xbpf_epoch_barrier acquire. */
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
extern char xbpf_epoch_tsan_sync;
#define XBPF_EPOCH_TSAN_RELEASE() __tsan_release(&xbpf_epoch_tsan_sync)
#define XBPF_EPOCH_TSAN_ACQUIRE() __tsan_acquire(&xbpf_epoch_tsan_sync)
#else
#define XBPF_EPOCH_TSAN_RELEASE() ((void)0)
#define XBPF_EPOCH_TSAN_ACQUIRE() ((void)0)
#endif

/* Embed one in an object to free it after a grace period without
 * allocating. */
typedef void (*xbpf_epoch_fn)(struct xbpf_epoch_head *head);

struct xbpf_epoch_head {
	struct rcu_head rcu;
	xbpf_epoch_fn fn;
};

void xbpf_epoch_register_slow(void);

extern __thread int xbpf_epoch_registered;

static inline void xbpf_epoch_register(void)
{
	if (__builtin_expect(!xbpf_epoch_registered, 0))
		xbpf_epoch_register_slow();
}

static inline void xbpf_epoch_enter(void)
{
	xbpf_epoch_register();
	urcu_memb_read_lock();
}

static inline void xbpf_epoch_exit(void)
{
	XBPF_EPOCH_TSAN_RELEASE();
	urcu_memb_read_unlock();
}

/* Is the calling thread inside an epoch? */
static inline int xbpf_epoch_inside(void)
{
	return xbpf_epoch_registered && urcu_memb_read_ongoing();
}

/* Call fn(head) after a grace period, on liburcu's callback thread. */
void xbpf_epoch_call(struct xbpf_epoch_head *head, xbpf_epoch_fn fn);

/* Memory that xbpf_epoch_defer_free can release: the allocation carries
 * its own epoch head, so deferring never allocates and never fails. */
void *xbpf_epoch_alloc(size_t size);
void *xbpf_epoch_zalloc(size_t size);
/* Free memory from xbpf_epoch_alloc after a grace period (NULL: no-op). */
void xbpf_epoch_defer_free(void *ptr);
/* Free memory from xbpf_epoch_alloc now (nobody else can see it). */
void xbpf_epoch_free_now(void *ptr);

/* Wait for a grace period. */
void xbpf_epoch_synchronize(void);
/* Wait until every callback queued so far has run. */
void xbpf_epoch_barrier(void);

#endif /* XBPF_RUNTIME_EPOCH_H */
