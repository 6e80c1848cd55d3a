/* SPDX-License-Identifier: MIT */
/*
 * An XDP program as a program author writes it for Linux, calling the core
 * helpers through libbpf's bpf_helpers.h: each check that passes sets one
 * bit of the result, so the test can say which failed.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counted {
	struct bpf_spin_lock lock;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counted);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static long add_index(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

static long add_value(void *map, __u32 *key, __u64 *value, void *ctx)
{
	*(__u64 *)ctx += *value;
	return 0;
}

SEC("xdp")
int use_helpers(struct xdp_md *xdp)
{
	__u32 zero = 0, key;
	__u64 sum = 0, one = 1, two = 2;
	__u64 args[2] = {7, 8};
	char text[16];
	char comm[16];
	struct counted *c;
	__u64 *record;
	int result = 0;

	bpf_printk("helpers say %d", 42);

	c = bpf_map_lookup_elem(&counters, &zero);
	if (c) {
		bpf_spin_lock(&c->lock);
		c->count++;
		bpf_spin_unlock(&c->lock);
		result |= 1 << 0;
	}

	if (bpf_loop(5, add_index, &sum, 0) == 5 && sum == 0 + 1 + 2 + 3 + 4)
		result |= 1 << 1;

	if (bpf_snprintf(text, sizeof(text), "%d+%d", args, sizeof(args)) == 4 &&
	    bpf_strncmp(text, sizeof(text), "7+8") == 0)
		result |= 1 << 2;

	record = bpf_ringbuf_reserve(&events, sizeof(*record), 0);
	if (record) {
		*record = 0xfeed;
		bpf_ringbuf_submit(record, 0);
		result |= 1 << 3;
	}

	key = 1;
	bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
	key = 2;
	bpf_map_update_elem(&seen, &key, &two, BPF_NOEXIST);
	sum = 0;
	if (bpf_for_each_map_elem(&seen, add_value, &sum, 0) == 2 && sum == 3)
		result |= 1 << 4;

	if (bpf_get_current_comm(comm, sizeof(comm)) == 0 && bpf_strncmp(comm, 5, "xbpf-") == 0)
		result |= 1 << 5;

	if (bpf_ktime_get_ns() != 0 && (bpf_get_current_pid_tgid() >> 32) != 0)
		result |= 1 << 6;

	return result;
}

char LICENSE[] SEC("license") = "GPL";
