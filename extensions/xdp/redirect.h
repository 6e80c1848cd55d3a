/* SPDX-License-Identifier: MIT */
/*
 * Redirects: what bpf_redirect and bpf_redirect_map leave in the context of
 * a frame, and what the hooks make of it when the program returns
 * XDP_REDIRECT.
 *
 * bpf_redirect_map points ctx->redirect_target at the stored value of the
 * map entry (an XSKMAP or DEVMAP of this extension). That value stays valid
 * until the epoch the program ran in ends: the maps release what an entry
 * held (close a socket) only after a grace period. So the hooks act on a
 * redirect inside that epoch (frame_batch_run), reading the target afresh.
 */
#ifndef XBPF_EXT_XDP_REDIRECT_H
#define XBPF_EXT_XDP_REDIRECT_H

#include <stdint.h>

#include "xdp_ctx.h"

#define XDP_MAP_TYPE_DEVMAP 14 /* Linux's BPF_MAP_TYPE_DEVMAP */
#define XDP_MAP_TYPE_XSKMAP 17 /* Linux's BPF_MAP_TYPE_XSKMAP */

/* The stored value of an XSKMAP entry: the map's own duplicate of the
 * socket descriptor the host gave (closed when the entry goes). */
struct xskmap_entry {
	int32_t fd;
};

/* The stored value of a DEVMAP entry starts with the interface index
 * (value_size 4: just that; 8: Linux's struct bpf_devmap_val). */
struct devmap_entry {
	uint32_t ifindex;
};

/* A DEVMAP broadcast (BPF_F_BROADCAST): this bit or-ed into
 * redirect_map_type, redirect_target is the map, redirect_key the flags. */
#define XDP_REDIRECT_BROADCAST 0x80000000u

/* Set by the extension module: the ifindexes of a DEVMAP's entries, max at
 * most, inside the epoch. NULL (the hooks without the module): broadcasts
 * reach nothing. */
typedef uint32_t (*redirect_targets_fn)(void *map, uint32_t *ifindexes, uint32_t max);
extern redirect_targets_fn _Atomic redirect_broadcast_targets;

enum redirect_kind {
	REDIRECT_NONE,	  /* XDP_REDIRECT without a target: the frame is dropped */
	REDIRECT_SOCKET,  /* to an XSKMAP entry's socket */
	REDIRECT_IFINDEX, /* out of an interface (DEVMAP entry, or bpf_redirect) */
};

struct redirect_dest {
	enum redirect_kind kind;
	int fd;		  /* REDIRECT_SOCKET */
	uint32_t ifindex; /* REDIRECT_IFINDEX */
};

/* Where the frame of ctx goes. Inside the epoch the program ran in. */
struct redirect_dest redirect_dest_of(const struct xdp_internal_ctx *ctx);

/* Writes the frame of ctx to the socket as one message, without waiting;
 * 0 or a negative errno (the socket's buffer is full, the peer is gone). */
int redirect_to_socket(int fd, const struct xdp_internal_ctx *ctx);

#endif /* XBPF_EXT_XDP_REDIRECT_H */
