/* SPDX-License-Identifier: MIT */
/*
 * The core helpers: the helpers of Linux that xbpf implements, with
 * Linux's ids, prototypes and semantics, so that programs built for Linux
 * call them unchanged. Each is a struct xbpf_helper (extension.h) that the
 * call gate checks arguments against before the helper runs.
 *
 * bpf_tail_call (12) belongs to the program layer and is not among them.
 */
#ifndef XBPF_HELPERS_HELPERS_H
#define XBPF_HELPERS_HELPERS_H

#include <stdint.h>

#include <xbpf/extension.h>

/* The core helper with Linux id `id`, or NULL when xbpf has none. */
const struct xbpf_helper *xbpf_core_helper(uint32_t id);

/* Linux's name for helper id `id` ("bpf_map_lookup_elem" for 1), whether
 * xbpf implements it or not; NULL for ids Linux does not have. */
const char *xbpf_linux_helper_name(uint32_t id);

#endif /* XBPF_HELPERS_HELPERS_H */
