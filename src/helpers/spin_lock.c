/* SPDX-License-Identifier: MIT */
/*
 * bpf_spin_lock and bpf_spin_unlock on the 4-byte struct bpf_spin_lock in
 * a map value: 0 is unlocked, 1 locked. Programs never sleep on it: a
 * waiter spins with the CPU's pause hint and, when the holder seems to
 * have been preempted, yields its time slice between attempts.
 *
 * What Linux's verifier guarantees we check as the program runs: a run
 * holds one lock at a time and unlocks only what it locked, and a lock
 * still held when the run ends (it faulted, or forgot) is unlocked then
 * (the run's holds, see vm.h).
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>

#include "helpers/core.h"
#include "runtime/lock.h"

/* Attempts before the waiter starts yielding. */
#define SPINS_BEFORE_YIELD 1024

static void unlock_word(void *lock)
{
	atomic_store_explicit((_Atomic uint32_t *)lock, 0, memory_order_release);
}

static void lock_word(_Atomic uint32_t *lock)
{
	unsigned spins = 0;

	for (;;) {
		uint32_t unlocked = 0;

		if (atomic_load_explicit(lock, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_weak_explicit(lock, &unlocked, 1, memory_order_acquire,
							  memory_order_relaxed))
			return;
		if (spins < SPINS_BEFORE_YIELD) {
			spins++;
			xbpf_cpu_relax();
		} else {
			sched_yield();
		}
	}
}

static uint64_t spin_lock(uint64_t lock, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			  struct xbpf_exec *exec)
{
	if (xbpf_exec_find_hold(exec, NULL, unlock_word)) {
		xbpf_exec_fault(exec, -EINVAL, exec->call_pc,
				"bpf_spin_lock: the program already holds a spin lock (one at a time)");
		return 0;
	}
	if (exec->n_holds >= XBPF_EXEC_HOLDS) {
		xbpf_exec_fault(exec, -EINVAL, exec->call_pc,
				"bpf_spin_lock: the run already holds %d records and locks", XBPF_EXEC_HOLDS);
		return 0;
	}
	lock_word((_Atomic uint32_t *)(uintptr_t)lock);
	xbpf_exec_hold(exec, (const void *)(uintptr_t)lock, unlock_word, NULL, 0, 0);
	return 0;
}

static uint64_t spin_unlock(uint64_t lock, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct xbpf_exec *exec)
{
	if (!xbpf_exec_unhold(exec, (const void *)(uintptr_t)lock, unlock_word)) {
		xbpf_exec_fault(exec, -EINVAL, exec->call_pc,
				"bpf_spin_unlock: the program does not hold the lock at 0x%llx",
				(unsigned long long)lock);
		return 0;
	}
	unlock_word((void *)(uintptr_t)lock);
	return 0;
}

const struct xbpf_helper xbpf_core_spin_lock = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_spin_lock",
	.id = BPF_FUNC_spin_lock,
	.fn = spin_lock,
	.ret = XBPF_RET_VOID,
	.args = {XBPF_ARG_PTR_TO_SPIN_LOCK},
	.arg_width = {8},
};

const struct xbpf_helper xbpf_core_spin_unlock = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_spin_unlock",
	.id = BPF_FUNC_spin_unlock,
	.fn = spin_unlock,
	.ret = XBPF_RET_VOID,
	.args = {XBPF_ARG_PTR_TO_SPIN_LOCK},
	.arg_width = {8},
};
