/* SPDX-License-Identifier: MIT */
/* Slow paths of the futex lock (see lock.h). */
#include "runtime/lock.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SPINS 100

void xbpf_lock_slow(xbpf_lock_t *lock)
{
	for (int i = 0; i < SPINS; i++) {
		if (atomic_load_explicit(&lock->state, memory_order_relaxed) == 0 &&
		    xbpf_trylock(lock))
			return;
		xbpf_cpu_relax();
	}
	/* Announce a sleeper (2) whenever we take or wait for the lock, so
	 * the holder knows to wake someone on unlock. */
	while (atomic_exchange_explicit(&lock->state, 2, memory_order_acquire) != 0)
		syscall(SYS_futex, &lock->state, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void xbpf_lock_wake(xbpf_lock_t *lock)
{
	syscall(SYS_futex, &lock->state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}
