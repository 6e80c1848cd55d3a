/* SPDX-License-Identifier: MIT */
/*
 * XDP programs that redirect frames into the xdp extension's XSKMAP and
 * DEVMAP. Byte 14 of a frame (the first after the Ethernet header) is the
 * index of the entry it goes to; a frame whose entry is missing is passed
 * (bpf_redirect_map's default action, from the low bits of its flags).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devs SEC(".maps");

static __always_inline int entry_of(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;

	if (data + 15 > data_end)
		return -1;
	return data[14];
}

SEC("xdp")
int to_socket(struct xdp_md *ctx)
{
	int key = entry_of(ctx);

	if (key < 0)
		return XDP_ABORTED;
	return bpf_redirect_map(&xsks, key, XDP_PASS);
}

SEC("xdp")
int to_device(struct xdp_md *ctx)
{
	int key = entry_of(ctx);

	if (key < 0)
		return XDP_ABORTED;
	return bpf_redirect_map(&devs, key, XDP_PASS);
}

/* bpf_redirect_map's flags from byte 15. */
SEC("xdp")
int with_flags(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;

	if (data + 16 > data_end)
		return XDP_ABORTED;
	return bpf_redirect_map(&devs, data[14], data[15]);
}

/* bpf_redirect without a map: byte 14 is the ifindex (0: none). */
SEC("xdp")
int to_ifindex(struct xdp_md *ctx)
{
	int ifindex = entry_of(ctx);

	if (ifindex < 0)
		return XDP_ABORTED;
	return bpf_redirect(ifindex, 0);
}

/* What programs see of entry 0 of each map: bit 0 is set when the XSKMAP
 * lookup found something, the bits from 8 hold the DEVMAP entry's ifindex. */
SEC("xdp")
int lookups(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u32 *ifindex = bpf_map_lookup_elem(&devs, &key);
	void *xsk = bpf_map_lookup_elem(&xsks, &key);

	return (xsk ? 1 : 0) | (ifindex ? *ifindex << 8 : 0);
}

/* As xdpsock and libxdp's default program: redirect to the socket only
 * when the entry is set (here the entry byte 14 picks, not the queue). */
SEC("xdp")
int xdpsock(struct xdp_md *ctx)
{
	int index = entry_of(ctx);

	if (index < 0)
		return XDP_ABORTED;
	if (bpf_map_lookup_elem(&xsks, &index))
		return bpf_redirect_map(&xsks, index, 0);
	return XDP_PASS;
}

/* Reads through what a lookup of XSKMAP entry 0 gives (Linux: the
 * socket's queue_id; xbpf has no socket object there: the run fails). */
SEC("xdp")
int xsk_read(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct bpf_xdp_sock *xsk = bpf_map_lookup_elem(&xsks, &key);

	return xsk ? 100 + xsk->queue_id : 1;
}

char LICENSE[] SEC("license") = "GPL";
