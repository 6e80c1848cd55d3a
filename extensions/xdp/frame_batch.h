/* SPDX-License-Identifier: MIT */
/*
 * A batch of frames the xdp hooks run through a program in one epoch: the
 * frame buffers (with XDP's geometry), their contexts, what became of each
 * frame, and the per-link counters every hook keeps.
 */
#ifndef XBPF_EXT_XDP_FRAME_BATCH_H
#define XBPF_EXT_XDP_FRAME_BATCH_H

#include <stdatomic.h>
#include <stdint.h>

#include "xdp_ext.h"

#define FRAME_BATCH_SIZE 64
/* The longest packet a frame holds: what its headroom and tailroom leave. */
#define FRAME_MAX_PACKET (XDP_FRAME_SIZE - XDP_HEADROOM - XDP_TAILROOM)
/* Interfaces one frame may leave by at once (a DEVMAP broadcast). */
#define FRAME_MAX_EGRESS 16

/* The counters, in the order they are registered with the link. */
enum frame_counter {
	FRAME_RECEIVED, /* frames the hook read */
	FRAME_PASS,
	FRAME_DROP,
	FRAME_TX,
	FRAME_REDIRECT, /* XDP_REDIRECT verdicts (redirect.h) */
	FRAME_ABORTED,  /* XDP_ABORTED, or an action XDP does not know */
	FRAME_ERROR,    /* not run: too long, too short, or the invocation failed */
	FRAME_REDIRECT_ERROR, /* redirected, but no target took the frame: dropped */
	FRAME_N_COUNTERS,
};
/* Their names, for hooks that count more than these. */
#define FRAME_COUNTER_NAMES "received", "pass", "drop", "tx", "redirect", "aborted", "error", \
			    "redirect_error"
extern const char *const frame_counter_names[FRAME_N_COUNTERS];

/* Where a frame goes after the program ran. */
enum frame_fate {
	FRAME_TO_NOWHERE,
	FRAME_TO_PASS, /* up the stack: the hook's output */
	FRAME_TO_TX,   /* back out of the interface it came in on */
	FRAME_TO_EGRESS, /* redirected out of the interfaces egress[i] */
};

struct frame_batch {
	uint8_t *frames; /* FRAME_BATCH_SIZE buffers of XDP_FRAME_SIZE bytes */
	_Atomic uint64_t *counters;
	uint32_t n;
	struct xdp_internal_ctx ctx[FRAME_BATCH_SIZE];
	enum frame_fate fate[FRAME_BATCH_SIZE];
	/* Set by a hook that can send redirected frames out of interfaces:
	 * may a frame leave by ifindex? Called inside the batch's epoch. A
	 * frame it accepts gets FRAME_TO_EGRESS and the ifindexes it leaves
	 * by (distinct) in egress. */
	bool (*can_egress)(void *arg, uint32_t ifindex);
	void *egress_arg;
	uint32_t egress[FRAME_BATCH_SIZE][FRAME_MAX_EGRESS];
	uint8_t n_egress[FRAME_BATCH_SIZE];
};

/* Allocates the frames; counters are the link's (FRAME_N_COUNTERS). */
int frame_batch_init(struct frame_batch *b, _Atomic uint64_t *counters);
void frame_batch_fini(struct frame_batch *b);

/* Adds one to a counter: an enum frame_counter, or one a hook adds after them. */
static inline void frame_count(struct frame_batch *b, unsigned int counter)
{
	atomic_fetch_add_explicit(&b->counters[counter], 1, memory_order_relaxed);
}

/* Counts a received frame of len bytes and returns where to copy it, its
 * context (ctx[n-1]) set up for ifindex; NULL (counted as an error) when
 * len is not a length an Ethernet frame in an XDP buffer can have. */
uint8_t *frame_batch_add(struct frame_batch *b, uint32_t len, uint32_t ifindex);

static inline bool frame_batch_full(const struct frame_batch *b)
{
	return b->n == FRAME_BATCH_SIZE;
}

/* Runs every frame through the link's program in one epoch, sets each fate
 * and counts the verdicts. The caller then acts on the fates and empties
 * the batch (n = 0). */
void frame_batch_run(struct frame_batch *b, const struct xdp_hook_env *env,
		     struct xbpf_link *link);

/* The fate of frame i, which the program redirected: delivered to a
 * socket already, or FRAME_TO_EGRESS, or dropped (redirect.c). */
enum frame_fate frame_redirect(struct frame_batch *b, uint32_t i);

#endif /* XBPF_EXT_XDP_FRAME_BATCH_H */
