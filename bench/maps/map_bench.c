/* SPDX-License-Identifier: MIT */
/*
 * Host-side map benchmark: ns per lookup and per update for HASH (8-byte
 * keys, 1k and 1M entries), ARRAY, LRU_HASH and LPM_TRIE, on one thread
 * and on two, beside liburcu's cds_lfht measured in the same run with the
 * same keys, the same hash function and the same read-side epoch. Lookups
 * are measured through the host API (a copy of the value) and through the
 * program path (a pointer, inside an epoch taken per lookup as a program
 * run would).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include "maps/hash_fn.h"
#include "maps/map.h"
#include "runtime/epoch.h"
#include "../bench_time.h"

#define SEQ_LEN (1U << 20) /* random key order, shared by every contender */

static uint64_t *keys;    /* the map's keys */
static uint32_t *order;   /* SEQ_LEN indexes into keys */
static uint32_t n_keys;
static struct xbpf_runtime *rt;

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void make_keys(uint32_t n)
{
	n_keys = n;
	free(keys);
	keys = malloc(n * sizeof(*keys));
	for (uint32_t i = 0; i < n; i++)
		keys[i] = rnd() | 1; /* distinct with overwhelming odds; checked on insert */
	for (uint32_t i = 0; i < SEQ_LEN; i++)
		order[i] = (uint32_t)(rnd() % n);
}

/* ---- contenders: one operation over key index i ---- */

struct contender {
	const char *name;
	void (*op)(void *ctx, uint32_t i);
	void *ctx;
};

static volatile uint64_t sink;

static void xbpf_host_lookup(void *ctx, uint32_t i)
{
	uint64_t v;
	xbpf_map_lookup_elem(ctx, &keys[order[i]], &v);
	sink += v;
}

static void xbpf_prog_lookup(void *ctx, uint32_t i)
{
	xbpf_epoch_enter();
	const uint64_t *p = xbpf_map_lookup_prog(ctx, &keys[order[i]], 0);
	sink += p ? *p : 0;
	xbpf_epoch_exit();
}

static void xbpf_host_update(void *ctx, uint32_t i)
{
	uint64_t v = i;
	xbpf_map_update_elem(ctx, &keys[order[i]], &v, XBPF_ANY);
}

static void xbpf_array_lookup(void *ctx, uint32_t i)
{
	uint64_t v;
	uint32_t key = order[i];
	xbpf_map_lookup_elem(ctx, &key, &v);
	sink += v;
}

static void xbpf_array_prog_lookup(void *ctx, uint32_t i)
{
	uint32_t key = order[i];
	xbpf_epoch_enter();
	const uint64_t *p = xbpf_map_lookup_prog(ctx, &key, 0);
	sink += *p;
	xbpf_epoch_exit();
}

static void xbpf_array_update(void *ctx, uint32_t i)
{
	uint64_t v = i;
	uint32_t key = order[i];
	xbpf_map_update_elem(ctx, &key, &v, XBPF_ANY);
}

struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[4];
};
static struct lpm_key *lpm_keys;   /* stored prefixes */
static struct lpm_key *lpm_probes; /* /32 addresses under them */

static void lpm_lookup(void *ctx, uint32_t i)
{
	uint64_t v;
	xbpf_map_lookup_elem(ctx, &lpm_probes[order[i]], &v);
	sink += v;
}

static void lpm_update(void *ctx, uint32_t i)
{
	uint64_t v = i;
	xbpf_map_update_elem(ctx, &lpm_keys[order[i]], &v, XBPF_ANY);
}

/* cds_lfht with the same keys, hash function and epochs. */
struct lfht_node {
	struct cds_lfht_node node;
	uint64_t key;
	uint64_t value;
	struct rcu_head rcu;
};

static const uint32_t lfht_seed = 0x12345678;

static int lfht_match(struct cds_lfht_node *node, const void *key)
{
	return caa_container_of(node, struct lfht_node, node)->key == *(const uint64_t *)key;
}

static void lfht_lookup(void *ctx, uint32_t i)
{
	struct cds_lfht *ht = ctx;
	const uint64_t *key = &keys[order[i]];
	struct cds_lfht_iter iter;
	urcu_memb_read_lock();
	cds_lfht_lookup(ht, xbpf_hash(key, 8, lfht_seed), lfht_match, key, &iter);
	struct cds_lfht_node *node = cds_lfht_iter_get_node(&iter);
	if (node)
		sink += caa_container_of(node, struct lfht_node, node)->value;
	urcu_memb_read_unlock();
}

static void lfht_free_node(struct rcu_head *head)
{
	free(caa_container_of(head, struct lfht_node, rcu));
}

/* Replace the node of a key with a new one (values are whole, as with
 * xbpf's element swap); the old node is freed after a grace period. */
static void lfht_update(void *ctx, uint32_t i)
{
	struct cds_lfht *ht = ctx;
	struct lfht_node *n = malloc(sizeof(*n));
	n->key = keys[order[i]];
	n->value = i;
	cds_lfht_node_init(&n->node);
	urcu_memb_read_lock();
	struct cds_lfht_node *old = cds_lfht_add_replace(ht, xbpf_hash(&n->key, 8, lfht_seed),
							 lfht_match, &n->key, &n->node);
	urcu_memb_read_unlock();
	if (old)
		urcu_memb_call_rcu(&caa_container_of(old, struct lfht_node, node)->rcu,
				   lfht_free_node);
}

static struct cds_lfht *lfht_build(void)
{
	/* Sized for the keys up front, as xbpf's table is. */
	struct cds_lfht *ht = cds_lfht_new_flavor(n_keys, n_keys, n_keys, 0, &urcu_memb_flavor,
						  NULL);
	urcu_memb_read_lock();
	for (uint32_t i = 0; i < n_keys; i++) {
		struct lfht_node *n = calloc(1, sizeof(*n));
		n->key = keys[i];
		n->value = i;
		cds_lfht_node_init(&n->node);
		cds_lfht_add_unique(ht, xbpf_hash(&n->key, 8, lfht_seed), lfht_match, &n->key,
				    &n->node);
	}
	urcu_memb_read_unlock();
	return ht;
}

static void lfht_destroy(struct cds_lfht *ht)
{
	struct cds_lfht_iter iter;
	struct lfht_node *n;
	urcu_memb_read_lock();
	cds_lfht_for_each_entry(ht, &iter, n, node) {
		cds_lfht_del(ht, &n->node);
		urcu_memb_call_rcu(&n->rcu, lfht_free_node);
	}
	urcu_memb_read_unlock();
	urcu_memb_barrier();
	cds_lfht_destroy(ht, NULL);
}

/* ---- timing ---- */

struct run {
	const struct contender *c;
	uint32_t ops;
	uint32_t start;
	double ns;
	pthread_barrier_t *barrier;
};

static void *run_thread(void *arg)
{
	struct run *r = arg;
	xbpf_epoch_register();
	pthread_barrier_wait(r->barrier);
	double t0 = bench_now_ns();
	for (uint32_t i = 0; i < r->ops; i++)
		r->c->op(r->c->ctx, (r->start + i) & (SEQ_LEN - 1));
	r->ns = (bench_now_ns() - t0) / r->ops;
	return NULL;
}

/* ns per operation on each of `threads` threads running at once. */
static double measure_once(const struct contender *c, uint32_t ops, int threads)
{
	pthread_t t[2];
	struct run r[2];
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, (unsigned)threads);
	for (int i = 0; i < threads; i++) {
		r[i] = (struct run){ c, ops, (uint32_t)i * (SEQ_LEN / 2), 0, &barrier };
		pthread_create(&t[i], NULL, run_thread, &r[i]);
	}
	double sum = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		sum += r[i].ns;
	}
	pthread_barrier_destroy(&barrier);
	return sum / threads;
}

#define ROUNDS 3

/* Best of ROUNDS for each contender, taking turns so that a noisy moment
 * on a shared machine hits all of them alike. */
static void measure(const struct contender *cs, int n, uint32_t ops, int threads, double *best)
{
	for (int i = 0; i < n; i++)
		best[i] = 1e18;
	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < n; i++) {
			double ns = measure_once(&cs[i], ops, threads);
			if (ns < best[i])
				best[i] = ns;
		}
	}
}

/* The harness alone: fetching the next key index and an indirect call. */
static void empty_op(void *ctx, uint32_t i)
{
	sink += order[i];
}

/* Prints ns per operation net of the harness's own cost. */
static void report(const char *what, const struct contender *cs, int n, uint32_t ops)
{
	for (int threads = 1; threads <= 2; threads++) {
		struct contender all[4] = { { "harness", empty_op, NULL } };
		double ns[4];
		memcpy(&all[1], cs, (size_t)n * sizeof(*cs));
		measure(all, n + 1, ops, threads, ns);
		printf("%-26s %d thread%s", what, threads, threads > 1 ? "s" : " ");
		double base = ns[0];
		for (int i = 0; i < n; i++) {
			ns[i] = ns[i + 1] - base;
			printf("  %s %7.1f", cs[i].name, ns[i]);
		}
		if (n > 1 && strcmp(cs[n - 1].name, "cds_lfht") == 0)
			printf("  (xbpf host / cds_lfht %.2f)", ns[0] / ns[n - 1]);
		printf("\n");
		fflush(stdout);
	}
}

static struct xbpf_map *create(enum xbpf_map_type type, uint32_t key_size, uint32_t max,
			       uint32_t flags)
{
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	struct xbpf_map *map;
	if (xbpf_map_create(rt, type, "bench", key_size, 8, max, &opts, &map)) {
		fprintf(stderr, "map_bench: cannot create a map of type %d\n", type);
		exit(1);
	}
	return map;
}

static void bench_hash(enum xbpf_map_type type, const char *label, uint32_t n, uint32_t ops,
		       bool with_lfht)
{
	make_keys(n);
	struct xbpf_map *map = create(type, 8, n, 0);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v = i;
		if (xbpf_map_update_elem(map, &keys[i], &v, XBPF_NOEXIST))
			keys[i] = keys[i - 1]; /* a duplicate random key: reuse one present */
	}
	struct cds_lfht *ht = with_lfht ? lfht_build() : NULL;
	char what[64];

	struct contender lookups[] = {
		{ "xbpf host", xbpf_host_lookup, map },
		{ "xbpf prog", xbpf_prog_lookup, map },
		{ "cds_lfht", lfht_lookup, ht },
	};
	snprintf(what, sizeof(what), "%s lookup", label);
	report(what, lookups, with_lfht ? 3 : 2, ops);
	struct contender updates[] = {
		{ "xbpf host", xbpf_host_update, map },
		{ "cds_lfht", lfht_update, ht },
	};
	snprintf(what, sizeof(what), "%s update", label);
	report(what, updates, with_lfht ? 2 : 1, ops / 4);
	xbpf_map_put(map);
	if (ht)
		lfht_destroy(ht);
}

static void bench_array(uint32_t ops)
{
	make_keys(1024);
	struct xbpf_map *map = create(XBPF_MAP_TYPE_ARRAY, 4, 1024, 0);
	struct contender lookups[] = {
		{ "xbpf host", xbpf_array_lookup, map },
		{ "xbpf prog", xbpf_array_prog_lookup, map },
	};
	report("array 1k lookup", lookups, 2, ops);
	struct contender updates[] = { { "xbpf host", xbpf_array_update, map } };
	report("array 1k update", updates, 1, ops);
	xbpf_map_put(map);
}

static void bench_lpm(uint32_t n, uint32_t ops)
{
	make_keys(n);
	lpm_keys = calloc(n, sizeof(*lpm_keys));
	lpm_probes = calloc(n, sizeof(*lpm_probes));
	struct xbpf_map *map = create(XBPF_MAP_TYPE_LPM_TRIE, 8, n, XBPF_F_NO_PREALLOC);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t addr = (uint32_t)rnd(), len = 8 + (uint32_t)(rnd() % 25);
		uint32_t prefix = len == 32 ? addr : addr & ~(0xffffffffU >> len);
		lpm_keys[i].prefixlen = len;
		lpm_probes[i].prefixlen = 32;
		for (int b = 0; b < 4; b++) {
			lpm_keys[i].data[b] = (uint8_t)(prefix >> (24 - 8 * b));
			lpm_probes[i].data[b] = (uint8_t)(addr >> (24 - 8 * b));
		}
		uint64_t v = i;
		xbpf_map_update_elem(map, &lpm_keys[i], &v, XBPF_ANY);
	}
	struct contender lookups[] = { { "xbpf host", lpm_lookup, map } };
	report("lpm_trie 1k lookup (/32)", lookups, 1, ops);
	struct contender updates[] = { { "xbpf host", lpm_update, map } };
	report("lpm_trie 1k update", updates, 1, ops / 4);
	xbpf_map_put(map);
	free(lpm_keys);
	free(lpm_probes);
}

int main(int argc, char **argv)
{
	uint32_t ops = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	order = malloc(SEQ_LEN * sizeof(*order));
	if (xbpf_runtime_create(&rt))
		return 1;
	xbpf_epoch_register();

	printf("map benchmark: ns per operation (best of %d, net of the harness's own cost),\n"
	       "random keys, 8-byte values; 2 threads: per thread, both running at once\n",
	       ROUNDS);
	bench_hash(XBPF_MAP_TYPE_HASH, "hash 1k", 1024, ops, true);
	/* Cache misses dominate large maps: fewer operations say as much. */
	bench_hash(XBPF_MAP_TYPE_HASH, "hash 1M", 1U << 20, ops / 8, true);
	bench_array(ops);
	bench_hash(XBPF_MAP_TYPE_LRU_HASH, "lru_hash 1k", 1024, ops, false);
	bench_hash(XBPF_MAP_TYPE_LRU_HASH, "lru_hash 1M", 1U << 20, ops / 8, false);
	bench_lpm(1024, ops);

	xbpf_runtime_free(rt);
	xbpf_epoch_barrier();
	free(order);
	free(keys);
	return 0;
}
