/* SPDX-License-Identifier: MIT */
/*
 * The "xdp" program type: Linux's struct xdp_md context, the packet helpers
 * that move its bounds, and test_run with Linux's buffer geometry (256 bytes
 * of headroom of which 216 are usable, a 4096-byte frame less 320 bytes of
 * tailroom), so that programs see the same limits as in the kernel.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "redirect_maps.h"
#include "xdp_ext.h"

#define CTX_FIELD(visible, internal)                                                      \
	{                                                                                 \
		.offset = offsetof(struct xdp_md, visible), .size = sizeof(uint32_t),     \
		.internal_offset = offsetof(struct xdp_internal_ctx, internal),           \
		.internal_size = sizeof(void *),                                          \
	}

static const struct xbpf_ctx_field xdp_converted_fields[] = {
	CTX_FIELD(data, data),
	CTX_FIELD(data_end, data_end),
	CTX_FIELD(data_meta, data_meta),
};

static const struct xbpf_context_descriptor xdp_context = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_context_descriptor),
	.size = sizeof(struct xdp_md),
	.internal_size = sizeof(struct xdp_internal_ctx),
	.data_offset = offsetof(struct xdp_internal_ctx, data),
	.data_end_offset = offsetof(struct xdp_internal_ctx, data_end),
	.data_meta_offset = offsetof(struct xdp_internal_ctx, data_meta),
	.fields = xdp_converted_fields,
	.n_fields = sizeof(xdp_converted_fields) / sizeof(xdp_converted_fields[0]),
};

static uint8_t *frame_floor(const struct xdp_internal_ctx *ctx)
{
	return ctx->hard_start + XDP_FRAME_RESERVED;
}

/* bpf_xdp_adjust_head(ctx, delta): move the packet start, keeping any
 * metadata just before it. */
static uint64_t xdp_adjust_head(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	struct xdp_internal_ctx *ctx = (struct xdp_internal_ctx *)(uintptr_t)r1;
	int32_t delta = (int32_t)r2;
	size_t metalen = (size_t)(ctx->data - ctx->data_meta);
	uint8_t *data = ctx->data + delta;

	if (data < frame_floor(ctx) + metalen || data > ctx->data_end - XDP_ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (metalen)
		memmove(ctx->data_meta + delta, ctx->data_meta, metalen);
	ctx->data_meta += delta;
	ctx->data = data;
	return 0;
}

/* bpf_xdp_adjust_meta(ctx, delta): grow or shrink the metadata area in front
 * of the packet (a multiple of 4 bytes). */
static uint64_t xdp_adjust_meta(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	struct xdp_internal_ctx *ctx = (struct xdp_internal_ctx *)(uintptr_t)r1;
	uint8_t *meta = ctx->data_meta + (int32_t)r2;

	if (meta < frame_floor(ctx) || meta > ctx->data)
		return (uint64_t)-EINVAL;
	if ((size_t)(ctx->data - meta) & 3)
		return (uint64_t)-EACCES;
	ctx->data_meta = meta;
	return 0;
}

/* bpf_xdp_adjust_tail(ctx, delta): move the packet end; grown bytes are
 * zeroed so the program never sees stale memory. */
static uint64_t xdp_adjust_tail(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	struct xdp_internal_ctx *ctx = (struct xdp_internal_ctx *)(uintptr_t)r1;
	int32_t delta = (int32_t)r2;
	uint8_t *end = ctx->data_end + delta;

	if (end > ctx->hard_end || end < ctx->data + XDP_ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (delta > 0)
		memset(ctx->data_end, 0, (size_t)delta);
	ctx->data_end = end;
	return 0;
}

/* bpf_xdp_get_buff_len(ctx): the packet's length (no fragments here). */
static uint64_t xdp_get_buff_len(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				 struct xbpf_exec *exec)
{
	const struct xdp_internal_ctx *ctx = (const struct xdp_internal_ctx *)(uintptr_t)r1;
	return (uint64_t)(ctx->data_end - ctx->data);
}

/* Where [offset, offset+len) of the packet is, or NULL with *err set as
 * Linux's bpf_xdp_load_bytes/store_bytes answer. */
static uint8_t *packet_span(const struct xdp_internal_ctx *ctx, uint32_t offset, uint32_t len, int *err)
{
	if (offset > 0xffff || len > 0xffff) {
		*err = -EFAULT;
		return NULL;
	}
	if ((uint64_t)offset + len > (uint64_t)(ctx->data_end - ctx->data)) {
		*err = -EINVAL;
		return NULL;
	}
	return ctx->data + offset;
}

/* bpf_xdp_load_bytes(ctx, offset, buf, len) */
static uint64_t xdp_load_bytes(uint64_t r1, uint64_t offset, uint64_t buf, uint64_t len, uint64_t r5,
			       struct xbpf_exec *exec)
{
	int err = 0;
	const uint8_t *p = packet_span((const struct xdp_internal_ctx *)(uintptr_t)r1, (uint32_t)offset,
				       (uint32_t)len, &err);
	if (p)
		memcpy((void *)(uintptr_t)buf, p, (uint32_t)len);
	return (uint64_t)(int64_t)err;
}

/* bpf_xdp_store_bytes(ctx, offset, buf, len) */
static uint64_t xdp_store_bytes(uint64_t r1, uint64_t offset, uint64_t buf, uint64_t len, uint64_t r5,
				struct xbpf_exec *exec)
{
	int err = 0;
	uint8_t *p = packet_span((const struct xdp_internal_ctx *)(uintptr_t)r1, (uint32_t)offset,
				 (uint32_t)len, &err);
	if (p)
		memmove(p, (const void *)(uintptr_t)buf, (uint32_t)len);
	return (uint64_t)(int64_t)err;
}

/* bpf_redirect(ifindex, flags): the verdict XDP_REDIRECT to an interface,
 * which the hook carries out; any flag makes it XDP_ABORTED, as in Linux. */
static uint64_t xdp_redirect(uint64_t ifindex, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct xbpf_exec *exec)
{
	struct xdp_internal_ctx *ctx = xdp_core->exec_context(exec);
	if (flags)
		return XDP_ABORTED;
	ctx->redirect_map_type = 0;
	ctx->redirect_key = (uint32_t)ifindex;
	ctx->redirect_target = NULL;
	return XDP_REDIRECT;
}

#define PACKET_HELPER(helper_id, helper_name, function)                                       \
	{                                                                                      \
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper), .name = helper_name,               \
		.id = helper_id, .flags = XBPF_HELPER_CHANGES_PACKET, .fn = function,          \
		.ret = XBPF_RET_INTEGER, .args = {XBPF_ARG_PTR_TO_CTX, XBPF_ARG_ANYTHING},     \
		.arg_width = {8, 4},                                                           \
	}

static const struct xbpf_helper xdp_helpers[] = {
	PACKET_HELPER(BPF_FUNC_xdp_adjust_head, "bpf_xdp_adjust_head", xdp_adjust_head),
	PACKET_HELPER(BPF_FUNC_xdp_adjust_meta, "bpf_xdp_adjust_meta", xdp_adjust_meta),
	PACKET_HELPER(BPF_FUNC_xdp_adjust_tail, "bpf_xdp_adjust_tail", xdp_adjust_tail),
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper), .name = "bpf_xdp_get_buff_len",
		.id = BPF_FUNC_xdp_get_buff_len, .fn = xdp_get_buff_len, .ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_PTR_TO_CTX},
	},
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper), .name = "bpf_xdp_load_bytes",
		.id = BPF_FUNC_xdp_load_bytes, .fn = xdp_load_bytes, .ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_PTR_TO_CTX, XBPF_ARG_ANYTHING, XBPF_ARG_PTR_TO_UNINIT_MEM, XBPF_ARG_CONST_SIZE},
		.arg_width = {8, 4, 8, 4},
	},
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper), .name = "bpf_xdp_store_bytes",
		.id = BPF_FUNC_xdp_store_bytes, .fn = xdp_store_bytes, .ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_PTR_TO_CTX, XBPF_ARG_ANYTHING, XBPF_ARG_PTR_TO_MEM, XBPF_ARG_CONST_SIZE},
		.arg_width = {8, 4, 8, 4},
	},
	{
		.hdr = XBPF_ABI_HEADER(struct xbpf_helper), .name = "bpf_redirect",
		.id = BPF_FUNC_redirect, .fn = xdp_redirect, .ret = XBPF_RET_INTEGER,
		.args = {XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING}, .arg_width = {4, 8},
	},
	XDP_REDIRECT_MAP_HELPER,
};

/* A test_run frame: the internal context followed by the packet buffer. */
struct xdp_test_frame {
	struct xdp_internal_ctx ctx;
	uint32_t size;
	uint8_t buf[];
};

static int xdp_test_run_create(void *unused, const struct xbpf_test_run_io *io, void **run_ctx)
{
	const struct xdp_md *md = io->ctx_in;
	uint32_t metalen = 0;

	if (io->data_size_in < XDP_ETH_HLEN)
		return -EINVAL;
	if (md) {
		if (io->ctx_size_in > sizeof(*md))
			return -E2BIG;
		/* As Linux: no bytes before the metadata, data_end the
		 * packet's length, and only an ingress device can have a queue. */
		if (md->data_meta || md->data_end != io->data_size_in || md->data > md->data_end ||
		    (md->data & 3) || md->data > XDP_HEADROOM - XDP_FRAME_RESERVED ||
		    md->egress_ifindex || (!md->ingress_ifindex && md->rx_queue_index))
			return -EINVAL;
		metalen = md->data;
	}
	uint32_t size = XDP_HEADROOM + io->data_size_in + XDP_TAILROOM;
	if (size < XDP_FRAME_SIZE)
		size = XDP_FRAME_SIZE;
	struct xdp_test_frame *f = calloc(1, sizeof(*f) + size);
	if (!f)
		return -ENOMEM;
	f->size = size;
	/* As in Linux, the packet starts at the headroom, with the metadata
	 * just before it. */
	xdp_ctx_init(&f->ctx, f->buf, size, io->data_size_in - metalen);
	f->ctx.data_meta -= metalen;
	memcpy(f->ctx.data_meta, io->data_in, io->data_size_in);
	if (md) {
		f->ctx.ingress_ifindex = md->ingress_ifindex;
		f->ctx.rx_queue_index = md->rx_queue_index;
	}
	*run_ctx = &f->ctx;
	return 0;
}

static int xdp_test_run_finish(void *unused, void *run_ctx, struct xbpf_test_run_io *io)
{
	struct xdp_test_frame *f = (struct xdp_test_frame *)run_ctx;
	uint32_t len = (uint32_t)(f->ctx.data_end - f->ctx.data_meta);
	int err = 0;

	if (io->data_out) {
		uint32_t n = len < io->data_size_out ? len : io->data_size_out;
		memcpy(io->data_out, f->ctx.data_meta, n);
		if (n < len)
			err = -ENOSPC;
	}
	io->data_size_out = len;
	if (io->ctx_out) {
		struct xdp_md md = {
			.data = (uint32_t)(f->ctx.data - f->ctx.data_meta),
			.data_end = len,
			.ingress_ifindex = f->ctx.ingress_ifindex,
			.rx_queue_index = f->ctx.rx_queue_index,
		};
		uint32_t n = io->ctx_size_out < sizeof(md) ? io->ctx_size_out : sizeof(md);
		memcpy(io->ctx_out, &md, n);
		io->ctx_size_out = n;
	}
	free(f);
	return err;
}

static const char *const xdp_sections[] = {"xdp", "xdp.frags", "xdp/", NULL};

const struct xbpf_program_type_provider xdp_program_type = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_program_type_provider),
	.name = "xdp",
	.linux_prog_type = BPF_PROG_TYPE_XDP,
	.section_prefixes = xdp_sections,
	.context = &xdp_context,
	.helpers = xdp_helpers,
	.n_helpers = sizeof(xdp_helpers) / sizeof(xdp_helpers[0]),
	.test_run_create = xdp_test_run_create,
	.test_run_finish = xdp_test_run_finish,
};
