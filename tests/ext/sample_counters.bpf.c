/* SPDX-License-Identifier: MIT */
/* Programs using a map of the sample extension's map type, declared in the
 * object like any other map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sample.h"

struct {
	__uint(type, SAMPLE_MAP_TYPE_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 64);
} event_counts SEC(".maps");

/* Counts events per id in place; returns the id's new count, or -1 when
 * the map refused the first insert. */
SEC("sample")
int count_event(struct sample_ctx *ctx)
{
	__u32 id = ctx->id;
	__u64 one = 1;
	__u64 *n = bpf_map_lookup_elem(&event_counts, &id);

	if (n)
		return (int)++*n;
	if (bpf_map_update_elem(&event_counts, &id, &one, BPF_NOEXIST))
		return -1;
	return 1;
}

/* Forgets an id: bpf_map_delete_elem's result. */
SEC("sample")
int forget_event(struct sample_ctx *ctx)
{
	__u32 id = ctx->id;

	return (int)bpf_map_delete_elem(&event_counts, &id);
}

char LICENSE[] SEC("license") = "GPL";
