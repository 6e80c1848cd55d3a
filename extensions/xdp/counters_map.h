/* SPDX-License-Identifier: MIT */
/*
 * The xdp extension's control map "ext/xdp/interfaces": per-interface
 * counters of what the hooks did with frames, keyed by ifindex (the
 * ingress_ifindex programs see: the live hook's in= interface, the pcap
 * hook's ifindex= parameter).
 *
 * The hooks keep their counters per link (link_counters); this map adds up
 * the links of each interface: a hook tracks a link when it attaches and
 * untracks it when it detaches, and what the link counted while it was
 * attached stays in the interface's totals. Counts start when the extension
 * loads.
 */
#ifndef XBPF_EXT_XDP_COUNTERS_MAP_H
#define XBPF_EXT_XDP_COUNTERS_MAP_H

#include <stdatomic.h>
#include <stdint.h>

#include "xdp_ext.h"

/* The control map's map type and value (its BTF describes the same). Fields
 * are only ever appended: readers use xbpf_map_lookup_elem_sized. */
#define XDP_MAP_TYPE_IF_COUNTERS 4608
#define XDP_COUNTERS_PIN "ext/xdp/interfaces"
struct xdp_if_counters {
	uint64_t received;
	uint64_t passed;
	uint64_t dropped;
	uint64_t transmitted;
	uint64_t redirected;
	uint64_t aborted;
	uint64_t errors; /* not run: bad length, or the invocation failed */
};

struct xdp_counters;

/* Registers the map type and publishes the map for one extension instance
 * (env->counters is set). 0 or a negative errno. */
int xdp_counters_publish(struct xdp_hook_env *env);
/* Unregisters the map type (the map stays, orphaned) and frees the table;
 * after the hooks are gone. */
void xdp_counters_unpublish(struct xdp_hook_env *env);

/* A link of interface ifindex whose link counters (in the order of
 * enum frame_counter) count from now on; no-op without env->counters. */
void xdp_counters_track(const struct xdp_hook_env *env, struct xbpf_link *link, uint32_t ifindex,
			_Atomic uint64_t *link_counters);
void xdp_counters_untrack(const struct xdp_hook_env *env, struct xbpf_link *link);

#endif /* XBPF_EXT_XDP_COUNTERS_MAP_H */
