/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: bpf_xdp_adjust_tail. UDP frames to ports 5000
 * and 5001 grow by 16 and 64 bytes and get a trailer at their new end (the
 * rest of what grew must read as zeroes); UDP to port 9 loses its payload;
 * frames longer than 512 bytes are cut to 256. Requests the helper must
 * refuse (shrinking below an Ethernet header, growing past the buffer) are
 * made too. Every call's result is counted in a HASH keyed by operation and
 * return value.
 */
#include "pkt.h"

#define TRAILER_MAGIC 0x58425046 /* "XBPF" */

enum tail_op {
	OP_GROW_SMALL = 1,
	OP_GROW_LARGE,
	OP_STRIP_PAYLOAD,
	OP_CUT_LONG,
	OP_SHRINK_TOO_FAR,
	OP_GROW_TOO_FAR,
};

struct result_key {
	__u32 op;
	__s32 ret;
};

struct trailer {
	__be32 magic;
	__be32 old_len;
	__be32 ip_words; /* the first 4 bytes of the IP header */
	__be32 seq;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, struct result_key);
	__type(value, __u64);
} results SEC(".maps");

__u32 seq = 1;

static __always_inline long adjust(struct xdp_md *ctx, __u32 op, int delta)
{
	struct result_key key = {.op = op};
	__u64 one = 1, *n;
	long ret = bpf_xdp_adjust_tail(ctx, delta);

	key.ret = (__s32)ret;
	n = bpf_map_lookup_elem(&results, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&results, &key, &one, BPF_ANY);
	return ret;
}

static __always_inline int grow(struct xdp_md *ctx, __u32 op, int by, __be32 ip_words)
{
	__u32 old_len = ctx->data_end - ctx->data;
	__u64 off;
	struct trailer *t;
	void *data, *data_end;

	if (adjust(ctx, op, by))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	off = old_len + by - sizeof(*t);
	barrier_var(off);
	if (off > 4096)
		return XDP_ABORTED;
	t = data + off;
	/* Checks and writes must use the same register. */
	barrier_var(t);
	if ((void *)(t + 1) > data_end)
		return XDP_ABORTED;
	t->magic = bpf_htonl(TRAILER_MAGIC);
	t->old_len = bpf_htonl(old_len);
	t->ip_words = ip_words;
	t->seq = bpf_htonl(seq++);
	return XDP_TX;
}

SEC("xdp")
int xdp_tail(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	int proto, tags;

	if (len > 512) {
		adjust(ctx, OP_CUT_LONG, 256 - (int)len);
		return XDP_PASS;
	}
	if (len < 40) {
		/* Linux refuses to leave less than an Ethernet header. */
		adjust(ctx, OP_SHRINK_TOO_FAR, 10 - (int)len);
		return XDP_PASS;
	}
	cursor_init(&c, ctx);
	proto = parse_eth(&c, &eth, &tags);
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	proto = parse_ipv4(&c, &ip);
	if (proto == IPPROTO_TCP && len < 100) {
		/* Past the end of the page the frame lives in. */
		adjust(ctx, OP_GROW_TOO_FAR, 4000);
		return XDP_PASS;
	}
	if (proto != IPPROTO_UDP || parse_udp(&c, &udp) < 0)
		return XDP_PASS;
	switch (bpf_ntohs(udp->dest)) {
	case 5000:
		return grow(ctx, OP_GROW_SMALL, 16, *(__be32 *)ip);
	case 5001:
		return grow(ctx, OP_GROW_LARGE, 64, *(__be32 *)ip);
	case 9:
		/* Keep the headers only. */
		adjust(ctx, OP_STRIP_PAYLOAD, (int)c.off - (int)len);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
