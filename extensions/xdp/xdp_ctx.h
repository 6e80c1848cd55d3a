/* SPDX-License-Identifier: MIT */
/*
 * The internal context of XDP programs, shared by the program type and the
 * hooks of the xdp extension.
 *
 * It starts with the fields of Linux's struct xdp_md that programs read in
 * place (ingress_ifindex, rx_queue_index, egress_ifindex); its 32-bit
 * data, data_end and data_meta are converted at load into loads of the real
 * pointers below.
 */
#ifndef XBPF_EXT_XDP_CTX_H
#define XBPF_EXT_XDP_CTX_H

#include <stdint.h>

/* Bytes before the packet a hook must provide (Linux's XDP_PACKET_HEADROOM). */
#define XDP_HEADROOM 256
/* Part of the headroom programs cannot claim: Linux keeps a struct xdp_frame
 * (40 bytes on 64-bit) there, so adjust_head stops 216 bytes before data. */
#define XDP_FRAME_RESERVED 40
/* Part of a 4096-byte frame after the packet that Linux keeps for
 * skb_shared_info; adjust_tail may grow the packet up to it. */
#define XDP_TAILROOM 320
#define XDP_FRAME_SIZE 4096
#define XDP_ETH_HLEN 14

struct xdp_internal_ctx {
	/* struct xdp_md as programs see it */
	uint32_t md_data;      /* converted */
	uint32_t md_data_end;  /* converted */
	uint32_t md_data_meta; /* converted */
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	uint32_t egress_ifindex;
	/* the packet, [data_meta, data_end) being what programs may touch */
	uint8_t *data;
	uint8_t *data_end;
	uint8_t *data_meta;
	uint8_t *hard_start; /* start of the frame buffer */
	uint8_t *hard_end;   /* how far data_end may grow */
	/* filled by bpf_redirect_map for the hook to act on */
	uint32_t redirect_map_type;
	uint32_t redirect_key;
	void *redirect_target;
};

/* Points ctx at a frame buffer of XDP_FRAME_SIZE bytes or more whose packet
 * of len bytes starts at XDP_HEADROOM. */
static inline void xdp_ctx_init(struct xdp_internal_ctx *ctx, uint8_t *frame, uint32_t frame_size,
				uint32_t len)
{
	*ctx = (struct xdp_internal_ctx){0};
	ctx->hard_start = frame;
	ctx->hard_end = frame + frame_size - XDP_TAILROOM;
	ctx->data = frame + XDP_HEADROOM;
	ctx->data_meta = ctx->data;
	ctx->data_end = ctx->data + len;
}

#endif /* XBPF_EXT_XDP_CTX_H */
