/* SPDX-License-Identifier: MIT */
/* The ops tables of the built-in map types, one per Linux map type. */
#ifndef XBPF_MAPS_TYPES_H
#define XBPF_MAPS_TYPES_H

#include "maps/map.h"

extern const struct xbpf_map_ops xbpf_htab_ops;
extern const struct xbpf_map_ops xbpf_percpu_htab_ops;
extern const struct xbpf_map_ops xbpf_lru_htab_ops;
extern const struct xbpf_map_ops xbpf_lru_percpu_htab_ops;
extern const struct xbpf_map_ops xbpf_htab_of_maps_ops;
extern const struct xbpf_map_ops xbpf_array_ops;
extern const struct xbpf_map_ops xbpf_percpu_array_ops;
extern const struct xbpf_map_ops xbpf_prog_array_ops;
extern const struct xbpf_map_ops xbpf_array_of_maps_ops;
extern const struct xbpf_map_ops xbpf_lpm_trie_ops;
extern const struct xbpf_map_ops xbpf_queue_ops;
extern const struct xbpf_map_ops xbpf_stack_ops;
extern const struct xbpf_map_ops xbpf_ringbuf_ops;
extern const struct xbpf_map_ops xbpf_bloom_ops;

/* The ops of a map type, NULL when nobody provides it. */
const struct xbpf_map_ops *xbpf_map_type_ops(enum xbpf_map_type type);

/* Name of a map type for messages ("hash", "array", ...). */
const char *xbpf_map_type_name(enum xbpf_map_type type);

#endif /* XBPF_MAPS_TYPES_H */
