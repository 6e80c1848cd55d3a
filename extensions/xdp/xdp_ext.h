/* SPDX-License-Identifier: MIT */
/* What the parts of the xdp extension share. */
#ifndef XBPF_EXT_XDP_EXT_H
#define XBPF_EXT_XDP_EXT_H

#include <xbpf/extension.h>

#include "xdp_ctx.h"

extern const struct xbpf_program_type_provider xdp_program_type;
/* The core services, for helpers that need the running invocation's
 * context (set by init before anything is registered). */
extern const struct xbpf_core_services *xdp_core;

/*
 * What the hooks need from the core. The extension's init fills one, and
 * registers copies of the hook providers below whose ctx points at it; it
 * must stay valid until the hooks are unregistered (their detach uses it).
 */
struct xdp_hook_env {
	const struct xbpf_core_services *core;
	struct xbpf_extension *ext;
	struct xdp_counters *counters; /* per-interface counters (counters_map.h), or NULL */
};

/* "xdp/pcap": replays a pcap file through the program, writing the frames
 * it passes or transmits to pcap files. ctx: a struct xdp_hook_env. */
extern const struct xbpf_hook_provider xdp_pcap_hook;
/* "xdp/live": a user-space XDP bridge between network interfaces, over
 * AF_PACKET sockets. ctx: a struct xdp_hook_env. */
extern const struct xbpf_hook_provider xdp_live_hook;

#endif /* XBPF_EXT_XDP_EXT_H */
