/* SPDX-License-Identifier: MIT */
/*
 * Differential test against the Linux kernel: the same operation sequences
 * (deterministic seed) go to a kernel map through libbpf's low-level calls
 * and to an xbpf map; return codes, values and iteration results must be
 * identical. Create-time validation is compared too. Skips (exit 77) when
 * the kernel refuses to create BPF maps here.
 *
 * The kernel's internal ENOTSUPP (524), which leaks to user space for a few
 * map operations, is xbpf's -EOPNOTSUPP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "xbpf/xbpf.h"

#define KERNEL_ENOTSUPP 524

static struct xbpf_runtime *rt;
static int failures;
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static int norm(int err)
{
	return err == -KERNEL_ENOTSUPP ? -EOPNOTSUPP : err;
}

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			failures++;                                         \
			if (failures < 30) {                                \
				fprintf(stderr, "MISMATCH %s:%d: ", __func__, \
					__LINE__);                          \
				fprintf(stderr, __VA_ARGS__);               \
				fputc('\n', stderr);                        \
			}                                                   \
		}                                                           \
	} while (0)

struct pair {
	const char *what;
	int fd;
	struct xbpf_map *map;
	uint32_t key_size, value_size; /* value_size: host buffer size */
};

static int pair_create(struct pair *p, const char *what, enum bpf_map_type type,
		       uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		       uint32_t flags, uint64_t map_extra)
{
	LIBBPF_OPTS(bpf_map_create_opts, kopts, .map_flags = flags, .map_extra = map_extra);
	struct xbpf_map_create_opts xopts = { .sz = sizeof(xopts), .map_flags = flags,
					      .map_extra = map_extra };
	p->what = what;
	p->fd = bpf_map_create(type, NULL, key_size, value_size, max_entries, &kopts);
	int kerr = p->fd < 0 ? norm(p->fd) : 0;
	int xerr = xbpf_map_create(rt, (enum xbpf_map_type)type, NULL, key_size, value_size,
				   max_entries, &xopts, &p->map);
	CHECK(kerr == xerr, "%s: create: kernel %d, xbpf %d", what, kerr, xerr);
	if (kerr || xerr) {
		if (!kerr)
			close(p->fd);
		if (!xerr)
			xbpf_map_put(p->map);
		return -1;
	}
	p->key_size = key_size;
	p->value_size = (uint32_t)xbpf_map_host_value_size(p->map);
	return 0;
}

static void pair_close(struct pair *p)
{
	close(p->fd);
	xbpf_map_put(p->map);
}

static void op_update(struct pair *p, const void *key, const void *value, uint64_t flags)
{
	int k = norm(bpf_map_update_elem(p->fd, key, value, flags));
	int x = xbpf_map_update_elem(p->map, key, value, flags);
	CHECK(k == x, "%s: update flags %llu: kernel %d, xbpf %d", p->what,
	      (unsigned long long)flags, k, x);
}

static void op_lookup(struct pair *p, const void *key)
{
	char kv[4096], xv[4096];
	memset(kv, 0xaa, p->value_size);
	memset(xv, 0xaa, p->value_size);
	int k = norm(bpf_map_lookup_elem(p->fd, key, kv));
	int x = xbpf_map_lookup_elem(p->map, key, xv);
	CHECK(k == x, "%s: lookup: kernel %d, xbpf %d", p->what, k, x);
	if (k == 0 && x == 0)
		CHECK(memcmp(kv, xv, p->value_size) == 0, "%s: lookup: values differ", p->what);
}

static void op_delete(struct pair *p, const void *key)
{
	int k = norm(bpf_map_delete_elem(p->fd, key));
	int x = xbpf_map_delete_elem(p->map, key);
	CHECK(k == x, "%s: delete: kernel %d, xbpf %d", p->what, k, x);
}

static void op_lookup_and_delete(struct pair *p, const void *key)
{
	char kv[4096], xv[4096];
	int k = norm(bpf_map_lookup_and_delete_elem(p->fd, key, kv));
	int x = xbpf_map_lookup_and_delete_elem(p->map, key, xv);
	CHECK(k == x, "%s: lookup_and_delete: kernel %d, xbpf %d", p->what, k, x);
	if (k == 0 && x == 0)
		CHECK(memcmp(kv, xv, p->value_size) == 0, "%s: lookup_and_delete: values differ",
		      p->what);
}

/* Walk every key of both maps. ordered: the walks must agree step by step
 * (arrays, LPM tries); else as sets, with equal values per key. */
static void compare_keys(struct pair *p, bool ordered)
{
	enum { MAX = 4096 };
	static char kkeys[MAX][64], xkeys[MAX][64];
	int kn = 0, xn = 0, err;
	char key[64], next[64];

	for (err = bpf_map_get_next_key(p->fd, NULL, next); !err && kn < MAX;
	     err = bpf_map_get_next_key(p->fd, key, next)) {
		memcpy(kkeys[kn++], next, p->key_size);
		memcpy(key, next, p->key_size);
	}
	CHECK(norm(err) == -ENOENT, "%s: kernel walk ended with %d", p->what, err);
	for (err = xbpf_map_get_next_key(p->map, NULL, next); !err && xn < MAX;
	     err = xbpf_map_get_next_key(p->map, key, next)) {
		memcpy(xkeys[xn++], next, p->key_size);
		memcpy(key, next, p->key_size);
	}
	CHECK(err == -ENOENT, "%s: xbpf walk ended with %d", p->what, err);
	CHECK(kn == xn, "%s: kernel has %d keys, xbpf %d", p->what, kn, xn);
	if (kn != xn)
		return;
	for (int i = 0; i < kn; i++) {
		bool found = false;
		if (ordered) {
			found = memcmp(kkeys[i], xkeys[i], p->key_size) == 0;
		} else {
			for (int j = 0; j < xn && !found; j++)
				found = memcmp(kkeys[i], xkeys[j], p->key_size) == 0;
		}
		CHECK(found, "%s: key %d of the kernel's walk %s", p->what, i,
		      ordered ? "differs" : "missing in xbpf");
		op_lookup(p, kkeys[i]);
	}
}

/* ---- per type ---- */

static void fill_value(char *v, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		v[i] = (char)rnd();
}

static const uint64_t update_flags[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, 3, BPF_F_LOCK };

static void run_hash(enum bpf_map_type type, uint32_t flags, const char *what)
{
	struct pair p;
	if (pair_create(&p, what, type, 8, 12, 64, flags, 0))
		return;
	for (int i = 0; i < 4000; i++) {
		uint64_t key = below(100);
		char value[4096];
		fill_value(value, p.value_size);
		switch (below(10)) {
		case 0 ... 3:
			op_update(&p, &key, value, update_flags[below(5)]);
			break;
		case 4 ... 6:
			op_lookup(&p, &key);
			break;
		case 7 ... 8:
			op_delete(&p, &key);
			break;
		default:
			op_lookup_and_delete(&p, &key);
			break;
		}
		if (i % 500 == 499)
			compare_keys(&p, false);
	}
	compare_keys(&p, false);
	pair_close(&p);
}

static void run_array(enum bpf_map_type type, const char *what)
{
	struct pair p;
	if (pair_create(&p, what, type, 4, 12, 16, 0, 0))
		return;
	for (int i = 0; i < 2000; i++) {
		uint32_t key = below(20);
		char value[4096];
		fill_value(value, p.value_size);
		switch (below(6)) {
		case 0 ... 2:
			op_update(&p, &key, value, update_flags[below(5)]);
			break;
		case 3 ... 4:
			op_lookup(&p, &key);
			break;
		default: {
			op_delete(&p, &key);
			uint32_t kn, xn;
			int k = bpf_map_get_next_key(p.fd, &key, &kn);
			int x = xbpf_map_get_next_key(p.map, &key, &xn);
			CHECK(k == x && (k || kn == xn), "%s: get_next_key(%u): kernel %d/%u, xbpf %d/%u",
			      what, key, k, kn, x, xn);
			break;
		}
		}
	}
	compare_keys(&p, true);
	pair_close(&p);
}

struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[4];
};

static struct lpm_key random_prefix(void)
{
	/* Few distinct top bits, so that prefixes nest and diverge a lot. */
	struct lpm_key k = { .prefixlen = below(34) };
	uint32_t addr = (uint32_t)((below(4) << 30) | (below(4) << 22) | (below(4) << 8) | below(3));
	k.data[0] = addr >> 24;
	k.data[1] = addr >> 16;
	k.data[2] = addr >> 8;
	k.data[3] = addr;
	return k;
}

static void run_lpm(void)
{
	struct pair p;
	if (pair_create(&p, "lpm_trie", BPF_MAP_TYPE_LPM_TRIE, 8, 4, 40, BPF_F_NO_PREALLOC, 0))
		return;
	for (int i = 0; i < 6000; i++) {
		struct lpm_key key = random_prefix();
		uint32_t value = (uint32_t)rnd();
		switch (below(10)) {
		case 0 ... 3:
			op_update(&p, &key, &value, update_flags[below(4)]);
			break;
		case 4 ... 7:
			op_lookup(&p, &key);
			break;
		default:
			op_delete(&p, &key);
			break;
		}
		if (i % 500 == 499)
			compare_keys(&p, true);
	}
	compare_keys(&p, true);
	pair_close(&p);
}

static void run_queue_stack(enum bpf_map_type type, const char *what)
{
	struct pair p;
	if (pair_create(&p, what, type, 0, 4, 8, 0, 0))
		return;
	static const uint64_t push_flags[] = { BPF_ANY, BPF_EXIST, BPF_NOEXIST, 4 };
	for (int i = 0; i < 3000; i++) {
		uint32_t value = (uint32_t)rnd();
		switch (below(5)) {
		case 0 ... 1:
			op_update(&p, NULL, &value, push_flags[below(4)]);
			break;
		case 2:
			op_lookup(&p, NULL);
			break;
		default:
			op_lookup_and_delete(&p, NULL);
			break;
		}
	}
	op_delete(&p, NULL);
	pair_close(&p);
}

static void run_bloom(uint32_t value_size, uint64_t hashes, const char *what)
{
	struct pair p;
	/* A small filter, so that false positives happen and must match. */
	if (pair_create(&p, what, BPF_MAP_TYPE_BLOOM_FILTER, 0, value_size, 20, BPF_F_ZERO_SEED,
			hashes))
		return;
	for (int i = 0; i < 3000; i++) {
		char value[16] = { 0 };
		uint32_t v = below(400);
		memcpy(value, &v, sizeof(v));
		if (below(4) == 0)
			op_update(&p, NULL, value, below(8) ? BPF_ANY : BPF_EXIST);
		else
			op_lookup(&p, NULL);
	}
	op_delete(&p, NULL);
	op_lookup_and_delete(&p, NULL);
	pair_close(&p);
}

/* LRU: the kernel's eviction order differs in detail (per-CPU free lists);
 * both must stay within max_entries and keep the keys used last. */
static void run_lru(enum bpf_map_type type, const char *what)
{
	struct pair p;
	const uint32_t max = 512;
	if (pair_create(&p, what, type, 8, 8, max, 0, 0))
		return;
	char value[4096] = { 0 };
	for (uint64_t key = 0; key < 4 * max; key++)
		op_update(&p, &key, value, BPF_ANY);
	int kn = 0, xn = 0;
	uint64_t key, next;
	for (int err = bpf_map_get_next_key(p.fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(p.fd, &key, &next), kn++)
		key = next;
	for (int err = xbpf_map_get_next_key(p.map, NULL, &next); !err;
	     err = xbpf_map_get_next_key(p.map, &key, &next), xn++)
		key = next;
	CHECK(kn <= (int)max && xn <= (int)max && xn > 0 && kn > 0,
	      "%s: kernel holds %d keys, xbpf %d, max %u", what, kn, xn, max);
	for (key = 4 * max - 32; key < 4 * max; key++)
		op_lookup(&p, &key);
	pair_close(&p);
}

/* Create-time validation: the same codes for the same bad attributes. */
static void run_create_checks(void)
{
	static const struct {
		enum bpf_map_type type;
		uint32_t key, value, max, flags;
		uint64_t extra;
	} cases[] = {
		{ BPF_MAP_TYPE_HASH, 0, 8, 4, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 8, 0, 4, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 8, 8, 0, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 513, 8, 4, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 8, (1U << 22) - 60, 4, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 8, (1U << 22) - 52, 4, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 8, (1U << 22) - 56, 4, 0, 0 },
		{ BPF_MAP_TYPE_HASH, 8, 8, 4, BPF_F_MMAPABLE, 0 },
		{ BPF_MAP_TYPE_HASH, 8, 8, 4, BPF_F_NO_COMMON_LRU, 0 },
		{ BPF_MAP_TYPE_HASH, 8, 8, 4, BPF_F_RDONLY | BPF_F_WRONLY, 0 },
		{ BPF_MAP_TYPE_HASH, 8, 8, 4, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 0 },
		{ BPF_MAP_TYPE_HASH, 8, 8, 4, 0, 3 },
		{ BPF_MAP_TYPE_LRU_HASH, 8, 8, 4, BPF_F_NO_PREALLOC, 0 },
		{ BPF_MAP_TYPE_PERCPU_HASH, 8, 32769, 4, 0, 0 },
		{ BPF_MAP_TYPE_ARRAY, 8, 8, 4, 0, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 0, 4, 0, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 8, 0, 0, 0 },
		{ BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_NO_PREALLOC, 0 },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, BPF_F_MMAPABLE, 0 },
		{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 4, 0, 0 },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0, 0 },
		{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPF_F_RDONLY_PROG, 0 },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, 0, 0 },
		{ BPF_MAP_TYPE_LPM_TRIE, 4, 4, 4, BPF_F_NO_PREALLOC, 0 },
		{ BPF_MAP_TYPE_LPM_TRIE, 261, 4, 4, BPF_F_NO_PREALLOC, 0 },
		{ BPF_MAP_TYPE_LPM_TRIE, 8, 0, 4, BPF_F_NO_PREALLOC, 0 },
		{ BPF_MAP_TYPE_QUEUE, 4, 4, 4, 0, 0 },
		{ BPF_MAP_TYPE_QUEUE, 0, 0, 4, 0, 0 },
		{ BPF_MAP_TYPE_STACK, 0, 4, 0, 0, 0 },
		{ BPF_MAP_TYPE_STACK, 0, 4, 4, BPF_F_NO_PREALLOC, 0 },
		{ BPF_MAP_TYPE_STACK, 0, (1U << 22) + 1, 4, 0, 0 },
		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096 * 3, 0, 0 },
		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 2048, 0, 0 },
		{ BPF_MAP_TYPE_RINGBUF, 4, 0, 4096, 0, 0 },
		{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, BPF_F_RDONLY_PROG, 0 },
		{ BPF_MAP_TYPE_BLOOM_FILTER, 4, 4, 4, 0, 0 },
		{ BPF_MAP_TYPE_BLOOM_FILTER, 0, 0, 4, 0, 0 },
		{ BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 4, 0, 16 },
		{ BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 4, BPF_F_NO_PREALLOC, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[64];
		struct pair p;
		snprintf(what, sizeof(what), "create case %zu", i);
		if (pair_create(&p, what, cases[i].type, cases[i].key, cases[i].value,
				cases[i].max, cases[i].flags, cases[i].extra) == 0)
			pair_close(&p);
	}
}

int main(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 4, 1, NULL);
	if (fd < 0) {
		printf("SKIP: the kernel refuses to create BPF maps here (%s)\n", strerror(-fd));
		return 77;
	}
	close(fd);
	if (xbpf_runtime_create(&rt))
		return 1;
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_ERROR);

	run_create_checks();
	run_hash(BPF_MAP_TYPE_HASH, 0, "hash");
	run_hash(BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, "hash/no_prealloc");
	run_hash(BPF_MAP_TYPE_PERCPU_HASH, 0, "percpu_hash");
	run_array(BPF_MAP_TYPE_ARRAY, "array");
	run_array(BPF_MAP_TYPE_PERCPU_ARRAY, "percpu_array");
	run_lpm();
	run_queue_stack(BPF_MAP_TYPE_QUEUE, "queue");
	run_queue_stack(BPF_MAP_TYPE_STACK, "stack");
	run_bloom(4, 3, "bloom/u32");
	run_bloom(7, 0, "bloom/7-byte");
	run_lru(BPF_MAP_TYPE_LRU_HASH, "lru_hash");
	run_lru(BPF_MAP_TYPE_LRU_PERCPU_HASH, "lru_percpu_hash");

	xbpf_runtime_free(rt);
	printf("differential test against the kernel: %d mismatches\n", failures);
	return failures ? 1 : 0;
}
