/* SPDX-License-Identifier: MIT */
/*
 * A map of a type an extension provides (the test map types of
 * tests/custommaps: TM_TYPE 4096 stores values as they are, 4097 transforms
 * them), for `xbpf map dump --ext`. Its BTF describes the caller's value.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef TM_TYPE
#define TM_TYPE 4096
#endif

struct payload {
	__u32 lo;
	__u32 hi;
};

struct {
	__uint(type, TM_TYPE);
	__type(key, __u32);
	__type(value, struct payload);
	__uint(max_entries, 4);
} tm SEC(".maps");

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
