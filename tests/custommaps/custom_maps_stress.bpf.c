/* SPDX-License-Identifier: MIT */
/*
 * Programs racing host threads on a custom map whose provider has
 * before_update and after_delete (tm_cb_hash, type 4104). Values are
 * self-checking: the high half is r, the low half ~r.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TM_CB_HASH 4104
#define KEYS 8

struct {
	__uint(type, TM_CB_HASH);
	__uint(max_entries, KEYS);
	/* Elements are not reused before a grace period: in-place reads
	 * racing an update stay whole. */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u64);
} cb SEC(".maps");

/* Replaces (7 in 8) or deletes a random key; the helper's answer. */
SEC("sample") long write_random(void *ctx)
{
	__u32 r = bpf_get_prandom_u32();
	__u32 key = r % KEYS;
	if ((r >> 8) % 8 == 0)
		return bpf_map_delete_elem(&cb, &key);
	__u32 x = bpf_get_prandom_u32();
	__u64 value = ((__u64)x << 32) | (__u32)~x;
	return bpf_map_update_elem(&cb, &key, &value, BPF_ANY);
}

/* 0: absent, 1: a value some writer wrote, -1000: anything else. */
SEC("sample") long read_check(void *ctx)
{
	__u32 key = bpf_get_prandom_u32() % KEYS;
	__u64 *value = bpf_map_lookup_elem(&cb, &key);
	if (!value)
		return 0;
	__u64 v = *value;
	return (__u32)v == (__u32)~(__u32)(v >> 32) ? 1 : -1000;
}

char LICENSE[] SEC("license") = "GPL";
