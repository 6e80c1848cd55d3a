/* SPDX-License-Identifier: MIT */
/*
 * Where a run is: bpf_get_smp_processor_id gives the CPU slot the run
 * holds (exec->cpu, the index of its per-CPU map values), and
 * bpf_get_numa_node_id the NUMA node of the CPU the thread is on.
 */
#define _GNU_SOURCE /* getcpu */
#include <sched.h>

#include "helpers/core.h"

static uint64_t get_smp_processor_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				     struct xbpf_exec *exec)
{
	return exec->cpu;
}

static uint64_t get_numa_node_id(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				 struct xbpf_exec *exec)
{
	unsigned cpu, node;

	/* getcpu only fails where the kernel lacks it: one node then. */
	if (getcpu(&cpu, &node))
		return 0;
	return node;
}

const struct xbpf_helper xbpf_core_get_smp_processor_id = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_get_smp_processor_id",
	.id = BPF_FUNC_get_smp_processor_id,
	.fn = get_smp_processor_id,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 4,
};

const struct xbpf_helper xbpf_core_get_numa_node_id = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_get_numa_node_id",
	.id = BPF_FUNC_get_numa_node_id,
	.fn = get_numa_node_id,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
};
