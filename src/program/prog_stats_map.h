/* SPDX-License-Identifier: MIT */
/*
 * The core's control map "ext/core/programs": run counts and run time of
 * every program, by program id, served by a map type the core provides
 * itself (base none, like an extension's control map).
 */
#ifndef XBPF_PROGRAM_PROG_STATS_MAP_H
#define XBPF_PROGRAM_PROG_STATS_MAP_H

#include <stdint.h>

struct xbpf_runtime;

#define XBPF_CORE_PROGRAMS_PIN "ext/core/programs"
/* The map type number the core uses for it: the top of the core's range,
 * which Linux does not use. */
#define XBPF_MAP_TYPE_CORE_PROGRAMS 4095

/* Path is XBPF_CORE_PROGRAMS_PIN and nothing is pinned there: publish the
 * map (registering the core's map type on first use). 0, -ENOENT for any
 * other path, or the error. */
int xbpf_core_control_map_open(struct xbpf_runtime *rt, const char *path);

/* Unregister the core's map type (runtime release). */
void xbpf_core_control_maps_release(struct xbpf_runtime *rt);

#endif /* XBPF_PROGRAM_PROG_STATS_MAP_H */
