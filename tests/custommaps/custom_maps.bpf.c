/* SPDX-License-Identifier: MIT */
/*
 * Custom map types declared in a BPF object: maps whose type is an
 * extension's id (the test map types of testmap_ext.c), used by programs
 * of the sample program type next to a built-in hash of the same shape.
 * With -DMISSING_TYPE the object also declares a map of a type nobody
 * provides, so that its load fails.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TM_PLAIN_HASH 4096
#define TM_XFORM_HASH 4097
#define TM_PLAIN_ARRAY 4099

struct {
	__uint(type, TM_PLAIN_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} plain SEC(".maps");

struct {
	__uint(type, TM_XFORM_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} xform SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} builtin SEC(".maps");

struct {
	__uint(type, TM_PLAIN_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} plain_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} builtin_array SEC(".maps");

#ifdef MISSING_TYPE
struct {
	__uint(type, 4200);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} nobody SEC(".maps");
#endif

struct sum {
	__u64 values;
	__u64 keys;
};

static long add_entry(void *map, __u32 *key, __u64 *value, struct sum *sum)
{
	sum->values += *value;
	sum->keys += *key;
	*value += 1; /* values are lent writable, in place */
	return 0;
}

/* Sum of values * 1000 + sum of keys, or the helper's error. */
#define SUM_PROGRAM(name, map)                                           \
	SEC("sample") long name(void *ctx)                               \
	{                                                                \
		struct sum sum = {0, 0};                                 \
		long n = bpf_for_each_map_elem(&map, add_entry, &sum, 0); \
		if (n < 0)                                               \
			return n;                                        \
		return (long)(sum.values * 1000 + sum.keys);             \
	}
SUM_PROGRAM(sum_plain, plain)
SUM_PROGRAM(sum_xform, xform)
SUM_PROGRAM(sum_builtin, builtin)

/* Key 1 incremented in place: its new value, or -1 when not found. */
#define INCREMENT_PROGRAM(name, map)                            \
	SEC("sample") long name(void *ctx)                      \
	{                                                       \
		__u32 key = 1;                                  \
		__u64 *value = bpf_map_lookup_elem(&map, &key); \
		if (!value)                                     \
			return -1;                              \
		return (long)++*value;                          \
	}
INCREMENT_PROGRAM(increment_plain, plain)
INCREMENT_PROGRAM(increment_xform, xform)

/* Queue helpers on hash and array maps: the same answer for custom and
 * built-in. */
#define QUEUE_PROGRAMS(map)                                       \
	SEC("sample") long push_##map(void *ctx)                  \
	{                                                         \
		__u64 value = 7;                                  \
		return bpf_map_push_elem(&map, &value, 0);        \
	}                                                         \
	SEC("sample") long pop_##map(void *ctx)                   \
	{                                                         \
		__u64 value = 0;                                  \
		return bpf_map_pop_elem(&map, &value);            \
	}                                                         \
	SEC("sample") long peek_##map(void *ctx)                  \
	{                                                         \
		__u64 value = 0;                                  \
		return bpf_map_peek_elem(&map, &value);           \
	}
QUEUE_PROGRAMS(plain)
QUEUE_PROGRAMS(builtin)
QUEUE_PROGRAMS(plain_array)
QUEUE_PROGRAMS(builtin_array)

/* The transforming provider's helper reads its own maps (the caller's
 * value of key 1), and refuses a built-in one (-EINVAL). */
extern __u64 tm_read(void *map, const void *key) __ksym;

SEC("sample") long raw_read_xform(void *ctx)
{
	__u32 key = 1;
	return (long)tm_read(&xform, &key);
}

SEC("sample") long raw_read_builtin(void *ctx)
{
	__u32 key = 1;
	return (long)tm_read(&builtin, &key);
}

#ifdef MISSING_TYPE
SEC("sample") long use_nobody(void *ctx)
{
	__u32 key = 0;
	return bpf_map_lookup_elem(&nobody, &key) != 0;
}
#endif

char LICENSE[] SEC("license") = "GPL";
