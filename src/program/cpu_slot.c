/* SPDX-License-Identifier: MIT */
/* Claiming and releasing CPU slots (see cpu_slot.h). */
#define _GNU_SOURCE
#include "program/cpu_slot.h"

#include <sched.h>

#include "runtime/lock.h"
#include "runtime/runtime.h"

/* The slot this thread holds, for nested runs. */
static __thread struct {
	struct xbpf_runtime *rt;
	unsigned cpu;
	unsigned depth;
} held;

static bool try_slot(struct xbpf_runtime *rt, unsigned cpu)
{
	return !atomic_load_explicit(&rt->cpu_busy[cpu], memory_order_relaxed) &&
	       !atomic_exchange_explicit(&rt->cpu_busy[cpu], 1, memory_order_acquire);
}

unsigned xbpf_cpu_slot_claim(struct xbpf_runtime *rt)
{
	if (held.depth && held.rt == rt) {
		held.depth++;
		return held.cpu;
	}
	int here = sched_getcpu();
	unsigned start = here >= 0 ? (unsigned)here % rt->n_cpus : 0;
	for (unsigned spins = 0;; spins++) {
		for (unsigned i = 0; i < rt->n_cpus; i++) {
			unsigned cpu = (start + i) % rt->n_cpus;
			if (try_slot(rt, cpu)) {
				if (!held.depth) {
					held.rt = rt;
					held.cpu = cpu;
					held.depth = 1;
				}
				return cpu;
			}
		}
		/* More runs than CPUs: wait for one to end. */
		if (spins < 64)
			xbpf_cpu_relax();
		else
			sched_yield();
	}
}

void xbpf_cpu_slot_release(struct xbpf_runtime *rt, unsigned cpu)
{
	if (held.depth && held.rt == rt && held.cpu == cpu && --held.depth > 0)
		return;
	atomic_store_explicit(&rt->cpu_busy[cpu], 0, memory_order_release);
}
