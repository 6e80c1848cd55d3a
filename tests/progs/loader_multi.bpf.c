/* SPDX-License-Identifier: MIT */
/* Loader test object: several programs per section and per object,
 * subprograms (global and static, nested, and static in a program section),
 * a bpf_loop callback, global data of every kind, a string literal, and
 * named helpers (plain, __weak, and tagged with a provider). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

int answer = 42;                  /* .data */
static int bumps = 5;             /* .data, reached through the section symbol */
const volatile __u32 limit = 7;   /* .rodata */
__u64 hits;                       /* .bss */
__u64 seen[4];                    /* .bss */

extern int xbpf_test_plain(int x) __ksym;
extern int xbpf_test_weak(int x) __ksym __weak;
extern int xbpf_test_tagged(int x) __ksym __attribute__((btf_decl_tag("xbpf:provider=sample")));

static __noinline int leaf(int x)
{
	return x * (int)limit;
}

static __noinline int middle(int x)
{
	return leaf(x) + answer;
}

__noinline int global_sub(int x)
{
	return middle(x) + 1;
}

static long count_cb(__u32 index, void *ctx)
{
	hits += index;
	return 0;
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	return global_sub(ctx->ingress_ifindex) + xbpf_test_plain(1);
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 *value = bpf_map_lookup_elem(&counts, &key);

	if (value)
		*value += 1;
	bpf_loop(3, count_cb, 0, 0);
	seen[2] = hits;
	bumps++;
	return xbpf_test_weak ? xbpf_test_weak(2) : XDP_PASS;
}

static __noinline __attribute__((section("tc"))) int tc_local(int x)
{
	return x + 3;
}

SEC("tc")
int tc_main(struct __sk_buff *skb)
{
	return tc_local(skb->len) + xbpf_test_tagged(3);
}

SEC("socket")
int sock_literal(struct __sk_buff *skb)
{
	const char *s = "literal text";

	return s[skb->len & 7];
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
__u32 _version SEC("version") = 0x050a00;
