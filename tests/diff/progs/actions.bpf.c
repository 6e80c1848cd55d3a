/* SPDX-License-Identifier: MIT */
/*
 * Differential test program: one verdict per frame, chosen by the frame's
 * last byte: XDP_PASS, XDP_DROP, XDP_TX, XDP_ABORTED, bpf_redirect's result
 * (XDP_REDIRECT, or XDP_ABORTED for flags it refuses), or a value that is no
 * XDP action at all (test runs report it as it is). A PERCPU_HASH counts
 * the verdicts.
 */
#include "pkt.h"

#define NOT_AN_ACTION 7

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

static __always_inline int verdict(__u32 action)
{
	__u64 one = 1, *n = bpf_map_lookup_elem(&verdicts, &action);

	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&verdicts, &action, &one, BPF_NOEXIST);
	return action;
}

SEC("xdp")
int xdp_actions(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 off = ctx->data_end - ctx->data;
	__u8 *last;

	/* Keeps clang from folding the - 1 into pointer arithmetic. */
	barrier_var(off);
	off -= 1;
	if (off > 4096)
		return verdict(XDP_ABORTED);
	last = data + off;
	/* Checks and reads must use the same register. */
	barrier_var(last);
	if ((void *)(last + 1) > data_end)
		return verdict(XDP_ABORTED);
	switch (*last & 7) {
	case 0:
	case 1:
		return verdict(XDP_PASS);
	case 2:
		return verdict(XDP_DROP);
	case 3:
		return verdict(XDP_TX);
	case 4:
		return verdict(XDP_ABORTED);
	case 5:
		return verdict(bpf_redirect(1, 0));
	case 6:
		return verdict(bpf_redirect(1, 0xff));
	}
	return verdict(NOT_AN_ACTION);
}

char LICENSE[] SEC("license") = "GPL";
