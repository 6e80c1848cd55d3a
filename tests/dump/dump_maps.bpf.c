/* SPDX-License-Identifier: MIT */
/*
 * Maps whose BTF the map BTF and `xbpf map dump` tests print: a hash with a
 * struct key and a value with nested structs, a char array, an enum, an
 * array of ints and bitfields; a per-CPU array; maps without BTF types
 * (sizes only), one of them per-CPU and pinned by name; and global data
 * (.data, .rodata, .bss). The program fills them when it runs, except
 * raw_per_cpu, which the tests fill with --set.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum color { RED = 1, GREEN = 2, BLUE = 4 };

struct flow_key {
	__u32 addr;
	__u16 port;
	__u8 proto;
	__u8 pad;
};

struct point {
	__s16 x;
	__s16 y;
};

struct flow_value {
	char name[8];
	enum color color;
	struct point where;
	__u32 hist[3];
	unsigned int low : 4;
	unsigned int high : 12;
	__s64 delta;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_value);
	__uint(max_entries, 4);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
	__uint(max_entries, 2);
} raw SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(key_size, 2);
	__uint(value_size, 4);
	__uint(max_entries, 2);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} raw_per_cpu SEC(".maps");

int runs = 7;
const volatile char banner[6] = "hello";
struct point last;

SEC("xdp")
int fill(struct xdp_md *ctx)
{
	struct flow_key key = {.addr = 0x0a000001, .port = 80, .proto = 6};
	struct flow_value value = {
		.name = "web",
		.color = GREEN,
		.where = {.x = -3, .y = 4},
		.hist = {1, 2, 3},
		.low = 5,
		.high = 300,
		.delta = -42,
	};
	__u32 zero = 0, one = 1;
	__u64 *count;
	__u32 word = 0xdeadbeef;

	bpf_map_update_elem(&flows, &key, &value, BPF_ANY);
	count = bpf_map_lookup_elem(&per_cpu, &one);
	if (count)
		*count += 9;
	bpf_map_update_elem(&raw, &zero, &word, BPF_ANY);
	runs++;
	last.x = banner[1];
	last.y = -1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
