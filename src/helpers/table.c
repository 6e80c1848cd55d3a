/* SPDX-License-Identifier: MIT */
/* The core helpers by Linux id. */
#include "helpers/core.h"
#include "helpers/helpers.h"
#include "program/program.h"

static const struct xbpf_helper *const core_helpers[] = {
	[BPF_FUNC_map_lookup_elem] = &xbpf_core_map_lookup_elem,
	[BPF_FUNC_map_update_elem] = &xbpf_core_map_update_elem,
	[BPF_FUNC_map_delete_elem] = &xbpf_core_map_delete_elem,
	[BPF_FUNC_ktime_get_ns] = &xbpf_core_ktime_get_ns,
	[BPF_FUNC_trace_printk] = &xbpf_core_trace_printk,
	[BPF_FUNC_get_prandom_u32] = &xbpf_core_get_prandom_u32,
	[BPF_FUNC_tail_call] = &xbpf_helper_tail_call,
	[BPF_FUNC_csum_diff] = &xbpf_core_csum_diff,
	[BPF_FUNC_get_smp_processor_id] = &xbpf_core_get_smp_processor_id,
	[BPF_FUNC_get_current_pid_tgid] = &xbpf_core_get_current_pid_tgid,
	[BPF_FUNC_get_current_uid_gid] = &xbpf_core_get_current_uid_gid,
	[BPF_FUNC_get_current_comm] = &xbpf_core_get_current_comm,
	[BPF_FUNC_get_numa_node_id] = &xbpf_core_get_numa_node_id,
	[BPF_FUNC_map_push_elem] = &xbpf_core_map_push_elem,
	[BPF_FUNC_map_pop_elem] = &xbpf_core_map_pop_elem,
	[BPF_FUNC_map_peek_elem] = &xbpf_core_map_peek_elem,
	[BPF_FUNC_spin_lock] = &xbpf_core_spin_lock,
	[BPF_FUNC_spin_unlock] = &xbpf_core_spin_unlock,
	[BPF_FUNC_probe_read_user] = &xbpf_core_probe_read_user,
	[BPF_FUNC_probe_read_user_str] = &xbpf_core_probe_read_user_str,
	[BPF_FUNC_ktime_get_boot_ns] = &xbpf_core_ktime_get_boot_ns,
	[BPF_FUNC_ringbuf_output] = &xbpf_core_ringbuf_output,
	[BPF_FUNC_ringbuf_reserve] = &xbpf_core_ringbuf_reserve,
	[BPF_FUNC_ringbuf_submit] = &xbpf_core_ringbuf_submit,
	[BPF_FUNC_ringbuf_discard] = &xbpf_core_ringbuf_discard,
	[BPF_FUNC_ringbuf_query] = &xbpf_core_ringbuf_query,
	[BPF_FUNC_ktime_get_coarse_ns] = &xbpf_core_ktime_get_coarse_ns,
	[BPF_FUNC_for_each_map_elem] = &xbpf_core_for_each_map_elem,
	[BPF_FUNC_snprintf] = &xbpf_core_snprintf,
	[BPF_FUNC_loop] = &xbpf_core_loop,
	[BPF_FUNC_strncmp] = &xbpf_core_strncmp,
};

const struct xbpf_helper *xbpf_core_helper(uint32_t id)
{
	return id < sizeof(core_helpers) / sizeof(core_helpers[0]) ? core_helpers[id] : NULL;
}
