/* SPDX-License-Identifier: MIT */
/*
 * The map types programs redirect frames into, and bpf_redirect_map:
 *   XSKMAP (17): index -> a socket the host gave; redirected frames are
 *                written to it (xskmap.c)
 *   DEVMAP (14): index -> an interface; redirected frames leave by it
 *                (devmap.c)
 * Both keep their entries in core hash storage keyed by index, indexes
 * checked against max_entries: Linux's array of optional entries, where an
 * entry can be deleted and a missing one is not found.
 */
#ifndef XBPF_EXT_XDP_REDIRECT_MAPS_H
#define XBPF_EXT_XDP_REDIRECT_MAPS_H

#include "redirect.h"
#include "xdp_ext.h"

extern const struct xbpf_map_type_provider xdp_xskmap_type;
extern const struct xbpf_map_type_provider xdp_devmap_type;

/* Registers both map types with ctx env (which must outlive them), so
 * that bpf_redirect_map finds their maps. */
int redirect_maps_register(struct xdp_hook_env *env, struct xbpf_provider *out[2]);
/* Unregisters what redirect_maps_register registered (NULLs are skipped). */
void redirect_maps_unregister(const struct xdp_hook_env *env, struct xbpf_provider *providers[2]);

/* Checks shared by both types: u32 keys, value_size among the allowed
 * ones (0-terminated); 0 or -EINVAL, logged. */
int redirect_map_check(const struct xdp_hook_env *env, const struct xbpf_map_params *params,
		       const uint32_t *value_sizes);
/* An update's index must be below max_entries: 0 or -E2BIG, as Linux. */
int redirect_map_check_index(const void *key, uint32_t max_entries);

/* The ifindexes of the first entries of a DEVMAP p serves (at most max);
 * 0 when p does not serve map. Inside an epoch. */
uint32_t devmap_ifindexes(struct xbpf_map *map, const struct xbpf_provider *p, uint32_t *out,
			  uint32_t max);

uint64_t xdp_redirect_map(uint64_t map, uint64_t key, uint64_t flags, uint64_t r4, uint64_t r5,
			  struct xbpf_exec *exec);

/* bpf_redirect_map(map, key, flags), overriding the core's helper 51 for
 * xdp programs; an element of the program type's helper table. */
#define XDP_REDIRECT_MAP_HELPER                                                               \
	{                                                                                     \
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper), .name = "bpf_redirect_map",       \
		.id = 51 /* BPF_FUNC_redirect_map */, .fn = xdp_redirect_map,                  \
		.ret = XBPF_RET_INTEGER,                                                      \
		.args = {XBPF_ARG_CONST_MAP_PTR, XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING},       \
		.arg_width = {8, 8, 8},                                                       \
	}

#endif /* XBPF_EXT_XDP_REDIRECT_MAPS_H */
