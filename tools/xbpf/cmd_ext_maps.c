/* SPDX-License-Identifier: MIT */
/*
 * Map types in `xbpf ext list` and `xbpf ext info`: the type number maps
 * are created with, where the core keeps their entries (base storage), and
 * what the provider says about values and programs' accesses.
 */
#include <stdio.h>

#include <xbpf/extension.h>

#include "cmd_ext.h"

static const char *base_name(uint32_t base)
{
	switch (base) {
	case XBPF_MAP_BASE_HASH:
		return "hash";
	case XBPF_MAP_BASE_ARRAY:
		return "array";
	case XBPF_MAP_BASE_NONE:
		return "none";
	default:
		return "unknown";
	}
}

void ext_map_type_summary(const struct xbpf_provider_info *info, char *buf, size_t size)
{
	snprintf(buf, size, "map type       %-14s type %u, base %s%s", info->name, info->map_type,
		 base_name(info->map_base),
		 info->map_properties & XBPF_MAP_TRANSFORMS_VALUES ? ", transforms values" : "");
}

/* "lookup, update" from the XBPF_MAP_PROG_* properties; "none". */
static void program_access(uint32_t properties, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} access[] = {{XBPF_MAP_PROG_LOOKUP, "lookup"},
		      {XBPF_MAP_PROG_UPDATE, "update"},
		      {XBPF_MAP_PROG_DELETE, "delete"}};
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(access) / sizeof(access[0]) && len < size; i++)
		if (properties & access[i].bit)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
						access[i].name);
	if (!len)
		snprintf(buf, size, "none");
}

void ext_map_type_print(const struct xbpf_provider_info *info)
{
	static const char *const base_text[] = {
		[XBPF_MAP_BASE_HASH] = "the core keeps the entries in a hash table",
		[XBPF_MAP_BASE_ARRAY] = "the core keeps the entries in an array",
		[XBPF_MAP_BASE_NONE] = "the extension keeps the entries itself",
	};
	char access[64];
	printf("map type %s\n", info->name);
	printf("  type: %u (in a map definition: __uint(type, %u))\n", info->map_type,
	       info->map_type);
	printf("  base storage: %s", base_name(info->map_base));
	if (info->map_base >= XBPF_MAP_BASE_HASH && info->map_base <= XBPF_MAP_BASE_NONE)
		printf(" (%s)", base_text[info->map_base]);
	printf("\n");
	if (info->map_properties & XBPF_MAP_INDEXED)
		printf("  keys: indexes below max_entries, each one a key as in an array "
		       "(only set entries are stored)\n");
	printf("  values: %s\n", info->map_properties & XBPF_MAP_TRANSFORMS_VALUES
					  ? "transformed: the extension stores something else than "
					    "what callers write and read"
					  : "stored as callers write them");
	program_access(info->map_properties, access, sizeof(access));
	printf("  programs may: %s%s\n", access,
	       (info->map_properties & XBPF_MAP_TRANSFORMS_VALUES) &&
			       (info->map_properties & XBPF_MAP_PROG_LOOKUP)
		       ? " (a lookup tells whether the key is set; the value is not readable)"
		       : "");
}
