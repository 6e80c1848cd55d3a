/* SPDX-License-Identifier: MIT */
/* Loader test object: legacy map definitions in SEC("maps"). With
 * LEGACY_LONG, each definition has two more (zero) u32s, as some loaders
 * used; with LEGACY_EXTRA one of those is not zero, which xbpf refuses. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
#if defined(LEGACY_LONG) || defined(LEGACY_EXTRA)
	unsigned int id;
	unsigned int pinning;
#endif
};

struct legacy_map_def SEC("maps") old_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 128,
	.map_flags = BPF_F_NO_PREALLOC,
};

struct legacy_map_def SEC("maps") old_array = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = 4,
	.value_size = 16,
	.max_entries = 2,
#ifdef LEGACY_EXTRA
	.pinning = 2,
#endif
};

SEC("socket")
int legacy_prog(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&old_hash, &key);
	void *a = bpf_map_lookup_elem(&old_array, &key);

	return (v ? 1 : 0) + (a ? 2 : 0);
}

char LICENSE[] SEC("license") = "GPL";
