/* SPDX-License-Identifier: MIT */
/* Running batches of frames through an XDP program and counting verdicts. */
#include <errno.h>
#include <stdlib.h>

#include <linux/bpf.h>

#include "frame_batch.h"

const char *const frame_counter_names[FRAME_N_COUNTERS] = {FRAME_COUNTER_NAMES};

int frame_batch_init(struct frame_batch *b, _Atomic uint64_t *counters)
{
	*b = (struct frame_batch){.counters = counters};
	b->frames = aligned_alloc(XDP_FRAME_SIZE, (size_t)FRAME_BATCH_SIZE * XDP_FRAME_SIZE);
	return b->frames ? 0 : -ENOMEM;
}

void frame_batch_fini(struct frame_batch *b)
{
	free(b->frames);
	b->frames = NULL;
}

uint8_t *frame_batch_add(struct frame_batch *b, uint32_t len, uint32_t ifindex)
{
	frame_count(b, FRAME_RECEIVED);
	if (len < XDP_ETH_HLEN || len > FRAME_MAX_PACKET) {
		frame_count(b, FRAME_ERROR);
		return NULL;
	}
	struct xdp_internal_ctx *ctx = &b->ctx[b->n];
	xdp_ctx_init(ctx, b->frames + (size_t)b->n * XDP_FRAME_SIZE, XDP_FRAME_SIZE, len);
	ctx->ingress_ifindex = ifindex;
	b->n++;
	return ctx->data;
}

static enum frame_fate judge(struct frame_batch *b, uint32_t i, uint32_t action)
{
	switch (action) {
	case XDP_PASS:
		frame_count(b, FRAME_PASS);
		return FRAME_TO_PASS;
	case XDP_TX:
		frame_count(b, FRAME_TX);
		return FRAME_TO_TX;
	case XDP_DROP:
		frame_count(b, FRAME_DROP);
		return FRAME_TO_NOWHERE;
	case XDP_REDIRECT: /* inside the epoch, where the target is valid */
		frame_count(b, FRAME_REDIRECT);
		return frame_redirect(b, i);
	default: /* as Linux: an unknown action aborts */
		frame_count(b, FRAME_ABORTED);
		return FRAME_TO_NOWHERE;
	}
}

void frame_batch_run(struct frame_batch *b, const struct xdp_hook_env *env,
		     struct xbpf_link *link)
{
	const struct xbpf_core_services *core = env->core;
	if (b->n == 0)
		return;
	if (core->invoke_batch_begin(link) < 0) {
		for (uint32_t i = 0; i < b->n; i++) {
			b->fate[i] = FRAME_TO_NOWHERE;
			frame_count(b, FRAME_ERROR);
		}
		return;
	}
	for (uint32_t i = 0; i < b->n; i++) {
		uint64_t result;
		if (core->invoke_batch(link, &b->ctx[i], &result) < 0) {
			b->fate[i] = FRAME_TO_NOWHERE;
			frame_count(b, FRAME_ERROR);
		} else {
			/* Linux takes the action from the low 32 bits of r0. */
			b->fate[i] = judge(b, i, (uint32_t)result);
		}
	}
	core->invoke_batch_end(link);
}
