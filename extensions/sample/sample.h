/* SPDX-License-Identifier: MIT */
/*
 * The sample extension's interface: the context its programs see, the ids of
 * its program-type helpers, and the function a host calls to fire its hook.
 * Program authors include it next to <bpf/bpf_helpers.h>.
 */
#ifndef XBPF_SAMPLE_H
#define XBPF_SAMPLE_H

#include <linux/types.h>

/* The context of "sample" programs (SEC("sample")): an event with an id
 * and some bytes, and a result the program may set. */
struct sample_ctx {
	__u32 id;
	__u32 result;   /* programs may write it */
	__u32 data;     /* start of the event's bytes: (void *)(long)ctx->data */
	__u32 data_end; /* end of the event's bytes */
};

/* Program-type helpers (ids from 65536), callable as in:
 *   static __u64 (*sample_mix)(__u64 a, __u64 b) = (void *)SAMPLE_HELPER_MIX; */
#define SAMPLE_HELPER_MIX 65536 /* a * 31 + b */
#define SAMPLE_HELPER_SUM 65537 /* sum of size bytes at mem */

/* Named helpers of provider "sample", callable from programs of any type:
 *   extern __u64 sample_add(__u64 a, __u64 b) __ksym;            a + b
 *   extern __u64 sample_hash(const void *mem, __u32 size) __ksym; FNV-1a
 *   extern __u64 sample_scale(__u64 a) __ksym;                    a * 10
 * (the "other" test extension exports a sample_scale too). */

/* The map type "sample_counters": a hash map of __u64 counters (value_size a
 * multiple of 8, key_size at most SAMPLE_COUNTERS_MAX_KEY) that programs look
 * up, update and delete in place, declared in a BPF object as
 *   __uint(type, SAMPLE_MAP_TYPE_COUNTERS);
 * or created by a host with xbpf_map_create(rt, SAMPLE_MAP_TYPE_COUNTERS, ...). */
#define SAMPLE_MAP_TYPE_COUNTERS 4352
#define SAMPLE_COUNTERS_MAX_KEY 64

/* The hook "sample/manual" runs its programs when the host calls this
 * (find it with xbpf_extension_symbol(ext, "sample_fire")): each attached
 * program runs on the event; results[i] receives program i's r0. Returns how
 * many ran, or the negative errno of the first that failed. */
typedef int (*sample_fire_fn)(__u32 id, void *data, __u32 len, __u64 *results, __u32 max_results);
#ifndef __bpf__
int sample_fire(__u32 id, void *data, __u32 len, __u64 *results, __u32 max_results);
#endif

#endif /* XBPF_SAMPLE_H */
