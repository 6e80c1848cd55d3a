/* SPDX-License-Identifier: MIT */
/*
 * The program of the CLI tests (cli_test.sh): counts frames by their first
 * byte in a HASH, adds a per-CPU ARRAY element the host sets, queues the
 * frame lengths, increments the first byte (so that data_out differs from
 * the input) and drops frames that start with 0xff. A second program makes
 * --program necessary.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} bonus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 4);
} lengths SEC(".maps");

SEC("xdp")
int count_first(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 key, zero = 0, len = (__u32)(end - (void *)data);
	__u64 one = 1, *n;
	__u32 *b;

	if ((void *)(data + 1) > end)
		return XDP_ABORTED;
	key = data[0];
	n = bpf_map_lookup_elem(&counts, &key);
	b = bpf_map_lookup_elem(&bonus, &zero);
	if (n)
		*n += 1 + (b ? *b : 0);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
	bpf_map_push_elem(&lengths, &len, BPF_EXIST);
	data[0] += 1;
	return key == 0xff ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
