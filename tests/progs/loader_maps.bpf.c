/* SPDX-License-Identifier: MIT */
/* Loader test object: BTF-defined maps of several types, with key/value
 * types or sizes, flags, pinning, map_extra, inner maps and `values`
 * initialisers for PROG_ARRAY, ARRAY_OF_MAPS and HASH_OF_MAPS. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
	__u32 addr;
	__u16 port; /* padded: the type is 8 bytes */
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__uint(key_size, 4);
	__uint(value_size, 24);
	__uint(numa_node, 1);
} sized SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100);
	__type(value, __u32);
	__uint(map_extra, 3);
} bloom SEC(".maps");

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer_array SEC(".maps") = {
	.values = {[0] = &inner_a, [2] = &inner_b},
};

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} inner_h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_hash);
} outer_hash SEC(".maps") = {
	.values = {[1] = &inner_h},
};

int tail_one(struct __sk_buff *skb);
int tail_two(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(struct __sk_buff *));
} jumps SEC(".maps") = {
	.values = {[0] = (void *)&tail_one, [3] = (void *)&tail_two},
};

static struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} hidden SEC(".maps");

SEC("tc")
int tail_one(struct __sk_buff *skb)
{
	return 1;
}

SEC("tc")
int tail_two(struct __sk_buff *skb)
{
	return 2;
}

SEC("tc")
int dispatch(struct __sk_buff *skb)
{
	struct flow_key key = {.addr = skb->remote_ip4, .port = 80};
	struct flow_stats *st = bpf_map_lookup_elem(&flows, &key);
	__u32 zero = 0, *h = bpf_map_lookup_elem(&hidden, &zero);
	void *inner = bpf_map_lookup_elem(&outer_array, &zero);

	if (st)
		st->packets++;
	if (h)
		*h += 1;
	if (inner)
		bpf_map_lookup_elem(inner, &zero);
	bpf_tail_call(skb, &jumps, skb->mark & 3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
