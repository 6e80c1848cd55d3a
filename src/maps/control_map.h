/* SPDX-License-Identifier: MIT */
/*
 * Control maps: maps of a provider's base-none type that the provider
 * publishes under the pin path "ext/<extension>/<name>" (the core's own
 * under "ext/core/<name>"), so that users open them with no creation step.
 */
#ifndef XBPF_MAPS_CONTROL_MAP_H
#define XBPF_MAPS_CONTROL_MAP_H

#include <stdint.h>

struct xbpf_provider;

/* The core service publish_map (include/xbpf/extension.h). */
int xbpf_control_map_publish(struct xbpf_provider *provider, const char *name, uint32_t key_size,
			     uint32_t value_size, uint32_t max_entries);

#endif /* XBPF_MAPS_CONTROL_MAP_H */
