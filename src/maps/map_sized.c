/* SPDX-License-Identifier: MIT */
/*
 * Lookups where the reader says how large a value it knows: the common
 * prefix of the map's value and the reader's is copied, the rest of the
 * reader's buffer is zeroed. So a reader built against an older, shorter
 * value layout and one built against a newer, longer layout both work
 * (control maps grow their values by appending fields).
 * xbpf_map_lookup_elem_sized (map_host.c) checks the caller and uses this
 * for maps whose type has no sized lookup of its own.
 */
#include "maps/map_sized.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int xbpf_map_lookup_copy(struct xbpf_map *map, const void *key, void *value, size_t value_size)
{
	size_t full = xbpf_map_host_value_size(map);
	char *buf = malloc(full);
	if (!buf)
		return -ENOMEM;
	int err = xbpf_map_lookup_elem(map, key, buf);
	if (!err) {
		size_t common = value_size < full ? value_size : full;
		memcpy(value, buf, common);
		memset((char *)value + common, 0, value_size - common);
	}
	free(buf);
	return err;
}
