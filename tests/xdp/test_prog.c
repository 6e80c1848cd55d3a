/* SPDX-License-Identifier: MIT */
/* The stand-in XDP program of the hook tests. */
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "test_prog.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void swap_macs(uint8_t *d)
{
	uint8_t tmp[6];
	memcpy(tmp, d, 6);
	memcpy(d, d + 6, 6);
	memcpy(d + 6, tmp, 6);
}

/* What bpf_xdp_adjust_head(ctx, -4) and a few stores do. */
static uint64_t push_vlan(struct xdp_internal_ctx *ctx, uint16_t vid)
{
	uint8_t *data = ctx->data - 4;
	if (data < ctx->hard_start + XDP_FRAME_RESERVED)
		return XDP_ABORTED;
	memmove(data, ctx->data, 12);
	data[12] = 0x81, data[13] = 0x00;
	data[14] = (uint8_t)(vid >> 8), data[15] = (uint8_t)vid;
	ctx->data = ctx->data_meta = data;
	return XDP_PASS;
}

/* What bpf_xdp_adjust_tail(ctx, 4) and a store do. */
static uint64_t append_mark(struct xdp_internal_ctx *ctx)
{
	if (ctx->data_end + 4 > ctx->hard_end)
		return XDP_ABORTED;
	memcpy(ctx->data_end, "XBPF", 4);
	ctx->data_end += 4;
	return XDP_PASS;
}

uint64_t test_prog(struct xdp_internal_ctx *ctx)
{
	uint8_t *d = ctx->data;
	const uint8_t *end = ctx->data_end;
	size_t l3 = 14;
	if (d + l3 > end)
		return XDP_ABORTED;
	uint16_t type = get16(d + 12);
	int tagged = type == 0x8100;
	if (tagged) {
		l3 += 4;
		if (d + l3 > end)
			return XDP_PASS;
		type = get16(d + 16);
	}
	if (type == TEST_ETH_P_ACTION) {
		if (d + l3 + 2 > end)
			return XDP_ABORTED;
		return d[l3] | (d[l3 + 1] == 1 ? 1ull << 32 : 0);
	}
	uint8_t proto;
	size_t l4;
	if (type == 0x0800) {
		if (d + l3 + 20 > end || (d[l3] & 15) < 5)
			return XDP_PASS;
		proto = d[l3 + 9];
		l4 = l3 + (size_t)(d[l3] & 15) * 4;
	} else if (type == 0x86dd) {
		if (d + l3 + 40 > end)
			return XDP_PASS;
		proto = d[l3 + 6];
		l4 = l3 + 40;
	} else {
		return XDP_PASS;
	}
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		swap_macs(d);
		return XDP_TX;
	}
	if (d + l4 + 4 > end)
		return XDP_PASS;
	uint16_t dport = get16(d + l4 + 2);
	if (proto == IPPROTO_UDP && dport == 53)
		return XDP_DROP;
	if (proto == IPPROTO_TCP && dport == 22 && !tagged)
		return push_vlan(ctx, 22);
	if (proto == IPPROTO_TCP && dport == 80)
		return append_mark(ctx);
	return XDP_PASS;
}

int64_t test_prog_run(const uint8_t *frame, uint32_t len, uint8_t *out, uint32_t *out_len)
{
	if (len < XDP_ETH_HLEN || len > XDP_FRAME_SIZE - XDP_HEADROOM - XDP_TAILROOM)
		return -1;
	uint8_t *buf = calloc(1, XDP_FRAME_SIZE);
	if (!buf)
		abort();
	struct xdp_internal_ctx ctx;
	xdp_ctx_init(&ctx, buf, XDP_FRAME_SIZE, len);
	memcpy(ctx.data, frame, len);
	uint64_t verdict = test_prog(&ctx);
	*out_len = (uint32_t)(ctx.data_end - ctx.data);
	memcpy(out, ctx.data, *out_len);
	free(buf);
	return (int64_t)verdict;
}
