/* SPDX-License-Identifier: MIT */
/*
 * A four-byte mutex for per-bucket and per-map locks.
 *
 * pthread mutexes are 40 bytes, too big for one per hash bucket, and spin
 * locks burn a core when the holder is preempted (hosts often run more
 * threads than cores). This lock spins briefly, then sleeps on a futex:
 * 0 = unlocked, 1 = locked, 2 = locked with sleepers.
 */
#ifndef XBPF_RUNTIME_LOCK_H
#define XBPF_RUNTIME_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
	_Atomic uint32_t state;
} xbpf_lock_t;

#define XBPF_LOCK_INIT { 0 }

/* Hint to the CPU that we are spinning. */
static inline void xbpf_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

void xbpf_lock_slow(xbpf_lock_t *lock);
void xbpf_lock_wake(xbpf_lock_t *lock);

static inline void xbpf_lock_init(xbpf_lock_t *lock)
{
	atomic_init(&lock->state, 0);
}

static inline bool xbpf_trylock(xbpf_lock_t *lock)
{
	uint32_t unlocked = 0;
	return atomic_compare_exchange_strong_explicit(&lock->state, &unlocked, 1,
						       memory_order_acquire, memory_order_relaxed);
}

static inline void xbpf_lock(xbpf_lock_t *lock)
{
	if (!xbpf_trylock(lock))
		xbpf_lock_slow(lock);
}

static inline void xbpf_unlock(xbpf_lock_t *lock)
{
	if (atomic_exchange_explicit(&lock->state, 0, memory_order_release) == 2)
		xbpf_lock_wake(lock);
}

#endif /* XBPF_RUNTIME_LOCK_H */
