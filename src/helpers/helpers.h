/* SPDX-License-Identifier: MIT */
/* The core helpers, with Linux ids and semantics. */
#ifndef XBPF_HELPERS_HELPERS_H
#define XBPF_HELPERS_HELPERS_H

#include <stdint.h>

#include <xbpf/extension.h>

/* The core helper with Linux id `id`, or NULL. */
const struct xbpf_helper *xbpf_core_helper(uint32_t id);
/* Linux's name for helper id ("bpf_map_lookup_elem"), or NULL. */
const char *xbpf_linux_helper_name(uint32_t id);

#endif /* XBPF_HELPERS_HELPERS_H */
