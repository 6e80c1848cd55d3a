/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: bpf_loop with a callback. Up to 64 bytes that
 * follow the Ethernet header are copied (bpf_xdp_load_bytes) into a
 * PERCPU_ARRAY window; bpf_loop runs a callback over them that computes an
 * FNV-1a hash and stops early at the third zero byte. The hash picks the
 * verdict and a bucket of a HASH map. Calls bpf_loop must refuse (too many
 * iterations, flags) are made too, and their results kept in .data.
 */
#include "pkt.h"

#define WINDOW 64
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

struct window {
	__u8 bytes[WINDOW];
};

struct loop_ctx {
	struct window *w;
	__u32 hash;
	__u32 zeros;
};

struct bucket {
	__u64 frames;
	__u64 iterations;
	__u32 last_hash;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct window);
} windows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct bucket);
} buckets SEC(".maps");

/* Results of the calls that must fail; set so that a call not made shows. */
long too_many_ret = 1;
long bad_flags_ret = 1;
long zero_loops_ret = 1;

static long hash_byte(__u32 i, void *data)
{
	struct loop_ctx *lc = data;
	__u8 b;

	if (i >= WINDOW)
		return 1;
	b = lc->w->bytes[i];
	lc->hash = (lc->hash ^ b) * FNV_PRIME;
	if (b == 0 && ++lc->zeros == 3)
		return 1;
	return 0;
}

static long never_called(__u32 i, void *data)
{
	return 1;
}

SEC("xdp")
int xdp_loop(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, zero = 0, key;
	struct loop_ctx lc = {.hash = FNV_OFFSET};
	struct bucket *b, fresh = {};
	long iterations;
	__u64 n;

	if (len <= ETH_HLEN)
		return XDP_DROP;
	n = len - ETH_HLEN;
	if (n > WINDOW)
		n = WINDOW;
	/* The helper must see the clamped register, not a copy of it. */
	barrier_var(n);
	if (n < 1 || n > WINDOW)
		return XDP_ABORTED;
	lc.w = bpf_map_lookup_elem(&windows, &zero);
	if (!lc.w)
		return XDP_ABORTED;
	if (bpf_xdp_load_bytes(ctx, ETH_HLEN, lc.w->bytes, n))
		return XDP_ABORTED;
	iterations = bpf_loop(n, hash_byte, &lc, 0);
	if (iterations < 0)
		return XDP_ABORTED;

	too_many_ret = bpf_loop(1 << 24, never_called, NULL, 0);
	bad_flags_ret = bpf_loop(1, never_called, NULL, 1);
	zero_loops_ret = bpf_loop(0, never_called, NULL, 0);

	key = lc.hash & 0xf;
	b = bpf_map_lookup_elem(&buckets, &key);
	if (!b) {
		bpf_map_update_elem(&buckets, &key, &fresh, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&buckets, &key);
		if (!b)
			return XDP_ABORTED;
	}
	b->frames++;
	b->iterations += iterations;
	b->last_hash = lc.hash;
	return lc.hash % 3 == 0 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
