/* SPDX-License-Identifier: MIT */
/*
 * CPU slots. A program run holds one of the runtime's slots (one per
 * possible CPU) from start to end, as a kernel program runs with migration
 * disabled: per-CPU map values and bpf_get_smp_processor_id() then mean what
 * they mean in Linux, and no two runs ever share a per-CPU value at once. A
 * run prefers the slot of the CPU it is on; nested runs on a thread (a hook
 * invoked from inside a helper) keep the slot they already hold.
 */
#ifndef XBPF_PROGRAM_CPU_SLOT_H
#define XBPF_PROGRAM_CPU_SLOT_H

struct xbpf_runtime;

unsigned xbpf_cpu_slot_claim(struct xbpf_runtime *rt);
void xbpf_cpu_slot_release(struct xbpf_runtime *rt, unsigned cpu);

#endif /* XBPF_PROGRAM_CPU_SLOT_H */
