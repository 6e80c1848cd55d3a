/* SPDX-License-Identifier: MIT */
/*
 * An XSKMAP without BTF types (key_size and value_size): `xbpf map dump`
 * prints its entries as hex bytes, and the values it cannot read as such.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 2);
	__uint(key_size, 4);
	__uint(value_size, 4);
} xsks_raw SEC(".maps");

SEC("xdp")
int to_socket(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xsks_raw, 0, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
