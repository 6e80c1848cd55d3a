/* SPDX-License-Identifier: MIT */
/*
 * The descriptors of the core helpers, one per Linux helper, defined by the
 * file of their family and gathered by table.c. Internal to src/helpers.
 *
 * Helpers take their scalar arguments as Linux declares them: a u32
 * argument is the low half of its register (BPF_CALL's casts), so each
 * helper casts what it receives.
 */
#ifndef XBPF_HELPERS_CORE_H
#define XBPF_HELPERS_CORE_H

#include <linux/bpf.h>

#include "vm/vm.h"

#define XBPF_CORE_HELPER_HDR XBPF_ABI_HEADER(struct xbpf_helper)

/* A helper's result for a negative errno. */
#define XBPF_HELPER_ERR(err) ((uint64_t)(int64_t)(err))

/* csum.c */
extern const struct xbpf_helper xbpf_core_csum_diff;
/* time.c */
extern const struct xbpf_helper xbpf_core_ktime_get_ns;
extern const struct xbpf_helper xbpf_core_ktime_get_boot_ns;
extern const struct xbpf_helper xbpf_core_ktime_get_coarse_ns;
/* random.c */
extern const struct xbpf_helper xbpf_core_get_prandom_u32;
/* cpu.c */
extern const struct xbpf_helper xbpf_core_get_smp_processor_id;
extern const struct xbpf_helper xbpf_core_get_numa_node_id;
/* process.c */
extern const struct xbpf_helper xbpf_core_get_current_pid_tgid;
extern const struct xbpf_helper xbpf_core_get_current_uid_gid;
extern const struct xbpf_helper xbpf_core_get_current_comm;
/* probe.c */
extern const struct xbpf_helper xbpf_core_probe_read_user;
extern const struct xbpf_helper xbpf_core_probe_read_user_str;
/* printf.c */
extern const struct xbpf_helper xbpf_core_trace_printk;
extern const struct xbpf_helper xbpf_core_snprintf;
/* strings.c */
extern const struct xbpf_helper xbpf_core_strncmp;
/* loop.c */
extern const struct xbpf_helper xbpf_core_loop;
/* spin_lock.c */
extern const struct xbpf_helper xbpf_core_spin_lock;
extern const struct xbpf_helper xbpf_core_spin_unlock;
/* maps.c */
extern const struct xbpf_helper xbpf_core_map_lookup_elem;
extern const struct xbpf_helper xbpf_core_map_update_elem;
extern const struct xbpf_helper xbpf_core_map_delete_elem;
extern const struct xbpf_helper xbpf_core_map_push_elem;
extern const struct xbpf_helper xbpf_core_map_pop_elem;
extern const struct xbpf_helper xbpf_core_map_peek_elem;
/* for_each.c */
extern const struct xbpf_helper xbpf_core_for_each_map_elem;
/* ringbuf.c */
extern const struct xbpf_helper xbpf_core_ringbuf_output;
extern const struct xbpf_helper xbpf_core_ringbuf_reserve;
extern const struct xbpf_helper xbpf_core_ringbuf_submit;
extern const struct xbpf_helper xbpf_core_ringbuf_discard;
extern const struct xbpf_helper xbpf_core_ringbuf_query;

#endif /* XBPF_HELPERS_CORE_H */
