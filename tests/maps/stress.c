/* SPDX-License-Identifier: MIT */
/*
 * Concurrency stress: readers and writers on several threads for a bounded
 * time per map type (XBPF_STRESS_MS, default 1000), through the host API
 * and the program path. Writers own disjoint keys and remember what they
 * did, so that the final contents can be checked exactly; ring buffer
 * producers number their records and the consumer checks that none is
 * lost, duplicated or out of order. Built to run under ThreadSanitizer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "maps/map.h"
#include "maps/ringbuf.h"
#include "maps/shared_mem.h"
#include "runtime/epoch.h"

#define WRITERS 2
#define READERS 2
#define KEYS 2048

static struct xbpf_runtime *rt;
static int failures;
static long duration_ms = 1000;
static atomic_bool stop;

#define FAIL(...)                                                 \
	do {                                                      \
		failures++;                                       \
		fprintf(stderr, "FAIL %s: ", __func__);           \
		fprintf(stderr, __VA_ARGS__);                     \
		fputc('\n', stderr);                              \
	} while (0)

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void run_for_duration(void *(*writer)(void *), void *(*reader)(void *), void *ctx[],
			     int writers, int readers)
{
	pthread_t threads[16];
	atomic_store(&stop, false);
	for (int i = 0; i < writers; i++)
		pthread_create(&threads[i], NULL, writer, ctx[i]);
	for (int i = 0; i < readers; i++)
		pthread_create(&threads[writers + i], NULL, reader, ctx[writers + i]);
	struct timespec ts = { duration_ms / 1000, (duration_ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < writers + readers; i++)
		pthread_join(threads[i], NULL);
}

/* ---- hash and LRU hash ---- */

struct hash_value {
	uint64_t key;
	uint64_t version;
};

struct hash_ctx {
	struct xbpf_map *map;
	int id;
	bool lru;
	uint64_t ops;
	/* Writers: the version last stored per owned key, 0 when absent. */
	uint64_t shadow[KEYS];
};

static void *hash_writer(void *arg)
{
	struct hash_ctx *c = arg;
	uint64_t rng = 0x1234567 + (uint64_t)c->id, version = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t key = (next_rand(&rng) % (KEYS / WRITERS)) * WRITERS + (uint64_t)c->id;
		struct hash_value v = { key, ++version };
		bool program = next_rand(&rng) & 1;
		int op = (int)(next_rand(&rng) % 3), err;
		if (op < 2) {
			if (program) {
				xbpf_epoch_enter();
				err = (int)xbpf_map_update_prog(c->map, &key, &v, XBPF_ANY, 0);
				xbpf_epoch_exit();
			} else {
				err = xbpf_map_update_elem(c->map, &key, &v, XBPF_ANY);
			}
			if (err == 0)
				c->shadow[key] = v.version;
			else if (err != -E2BIG || c->lru)
				FAIL("update %llu: %d", (unsigned long long)key, err);
		} else {
			if (program) {
				xbpf_epoch_enter();
				err = (int)xbpf_map_delete_prog(c->map, &key);
				xbpf_epoch_exit();
			} else {
				err = xbpf_map_delete_elem(c->map, &key);
			}
			/* LRU maps may have evicted the key. */
			if (err == 0 || (err == -ENOENT && (c->lru || !c->shadow[key])))
				c->shadow[key] = 0;
			else
				FAIL("delete %llu: %d (shadow %llu)", (unsigned long long)key, err,
				     (unsigned long long)c->shadow[key]);
		}
		c->ops++;
	}
	return NULL;
}

static void *hash_reader(void *arg)
{
	struct hash_ctx *c = arg;
	uint64_t rng = 0xabcdef + (uint64_t)c->id;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t key = next_rand(&rng) % KEYS, next;
		struct hash_value v;
		switch (next_rand(&rng) % 3) {
		case 0: {
			int err = xbpf_map_lookup_elem(c->map, &key, &v);
			if (err && err != -ENOENT)
				FAIL("lookup: %d", err);
			break;
		}
		case 1: {
			xbpf_epoch_enter();
			const struct hash_value *p = xbpf_map_lookup_prog(c->map, &key, 0);
			if (p)
				xbpf_shared_read(&v, p, sizeof(v));
			xbpf_epoch_exit();
			break;
		}
		default: {
			int err = xbpf_map_get_next_key(c->map, &key, &next);
			if (err && err != -ENOENT)
				FAIL("get_next_key: %d", err);
			break;
		}
		}
		c->ops++;
	}
	return NULL;
}

static void check_hash_contents(struct xbpf_map *map, struct hash_ctx *writers[], bool lru)
{
	int present = 0;
	for (uint64_t key = 0; key < KEYS; key++) {
		uint64_t expect = writers[key % WRITERS]->shadow[key];
		struct hash_value v;
		int err = xbpf_map_lookup_elem(map, &key, &v);
		if (err == 0) {
			present++;
			if (v.key != key || v.version != expect)
				FAIL("key %llu holds {%llu, %llu}, want version %llu",
				     (unsigned long long)key, (unsigned long long)v.key,
				     (unsigned long long)v.version, (unsigned long long)expect);
		} else if (err != -ENOENT || (expect && !lru)) {
			FAIL("key %llu: lookup %d, want version %llu", (unsigned long long)key, err,
			     (unsigned long long)expect);
		}
	}
	struct xbpf_map_info info;
	xbpf_map_get_info(map, &info);
	if (info.entries != present || present > (int)info.max_entries)
		FAIL("%d keys present, map counts %lld, max %u", present, (long long)info.entries,
		     info.max_entries);
}

static void stress_hash(enum xbpf_map_type type, uint32_t flags, const char *what)
{
	struct hash_ctx *ctx[WRITERS + READERS];
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	struct xbpf_map *map;
	bool lru = type == XBPF_MAP_TYPE_LRU_HASH;
	if (xbpf_map_create(rt, type, "stress", 8, sizeof(struct hash_value), KEYS / 2, &opts,
			    &map)) {
		FAIL("create %s", what);
		return;
	}
	for (int i = 0; i < WRITERS + READERS; i++) {
		ctx[i] = calloc(1, sizeof(*ctx[i]));
		ctx[i]->map = map;
		ctx[i]->id = i < WRITERS ? i : i - WRITERS;
		ctx[i]->lru = lru;
	}
	run_for_duration(hash_writer, hash_reader, (void **)ctx, WRITERS, READERS);
	check_hash_contents(map, ctx, lru);
	uint64_t ops = 0;
	for (int i = 0; i < WRITERS + READERS; i++) {
		ops += ctx[i]->ops;
		free(ctx[i]);
	}
	printf("%-16s %10llu operations\n", what, (unsigned long long)ops);
	xbpf_map_put(map);
}

/* ---- replacing never hides a key ---- */

/* Every key stays present while writers replace its value: a reader must
 * find each one every time (Linux links the new element before unlinking
 * the old, and so must we; a reader standing on the old element when it is
 * released has to look again, not skip it). */
#define STEADY_KEYS 8

struct steady_ctx {
	struct xbpf_map *map;
	bool prealloc;
	int id;
	uint64_t ops, misses;
};

static void *steady_writer(void *arg)
{
	struct steady_ctx *c = arg;
	uint64_t version = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t key = c->ops % STEADY_KEYS;
		struct hash_value v = { key, ++version };
		int err = xbpf_map_update_elem(c->map, &key, &v, XBPF_EXIST);
		if (err)
			FAIL("replace %llu: %d", (unsigned long long)key, err);
		c->ops++;
	}
	return NULL;
}

static void *steady_reader(void *arg)
{
	struct steady_ctx *c = arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t key = c->ops % STEADY_KEYS;
		struct hash_value v;
		bool found;
		if (c->ops & 1) {
			found = xbpf_map_lookup_elem(c->map, &key, &v) == 0;
		} else {
			xbpf_epoch_enter();
			const struct hash_value *p = xbpf_map_lookup_prog(c->map, &key, 0);
			if (p)
				xbpf_shared_read(&v, p, sizeof(v));
			xbpf_epoch_exit();
			found = p != NULL;
		}
		/* A program's pointer into a preallocated map may see the
		 * element reused for another key, as in Linux; a host copy
		 * never may, nor may a program reading a map without
		 * preallocation (elements are freed after a grace period). */
		bool must_match = (c->ops & 1) || !c->prealloc;
		if (!found)
			c->misses++;
		else if (v.key != key && must_match)
			FAIL("key %llu read the value of key %llu (%s)", (unsigned long long)key,
			     (unsigned long long)v.key, c->ops & 1 ? "host" : "program");
		c->ops++;
	}
	return NULL;
}

static void stress_steady_keys(uint32_t flags, const char *what)
{
	struct steady_ctx ctx[WRITERS + READERS] = { 0 };
	void *args[WRITERS + READERS];
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	struct xbpf_map *map;
	if (xbpf_map_create(rt, XBPF_MAP_TYPE_HASH, "steady", 8, sizeof(struct hash_value),
			    STEADY_KEYS, &opts, &map)) {
		FAIL("create %s", what);
		return;
	}
	for (uint64_t key = 0; key < STEADY_KEYS; key++) {
		struct hash_value v = { key, 0 };
		xbpf_map_update_elem(map, &key, &v, XBPF_NOEXIST);
	}
	for (int i = 0; i < WRITERS + READERS; i++) {
		ctx[i].map = map;
		ctx[i].prealloc = !(flags & XBPF_F_NO_PREALLOC);
		ctx[i].id = i;
		args[i] = &ctx[i];
	}
	run_for_duration(steady_writer, steady_reader, args, WRITERS, READERS);
	uint64_t ops = 0, misses = 0;
	for (int i = 0; i < WRITERS + READERS; i++) {
		ops += ctx[i].ops;
		misses += ctx[i].misses;
	}
	if (misses)
		FAIL("%s: %llu lookups of always-present keys missed", what,
		     (unsigned long long)misses);
	printf("%-16s %10llu operations\n", what, (unsigned long long)ops);
	xbpf_map_put(map);
}

/* ---- LPM trie ---- */

struct lpm_key {
	uint32_t prefixlen;
	uint8_t data[4];
};

#define LPM_SLOTS 512

struct lpm_ctx {
	struct xbpf_map *map;
	int id;
	uint64_t ops;
	uint32_t shadow[LPM_SLOTS]; /* value last stored, 0: absent */
};

/* Slot s of writer w: a prefix whose first byte is the writer's. */
static struct lpm_key lpm_slot_key(int w, unsigned s)
{
	struct lpm_key k = { .prefixlen = 8 + s % 25 };
	k.data[0] = (uint8_t)(10 + w);
	k.data[1] = (uint8_t)(s * 37);
	k.data[2] = (uint8_t)(s * 11);
	k.data[3] = 0;
	/* Zero the bits beyond the prefix so that each slot is one key. */
	for (unsigned bit = k.prefixlen; bit < 32; bit++)
		k.data[bit / 8] &= (uint8_t)~(0x80U >> (bit % 8));
	return k;
}

static void *lpm_writer(void *arg)
{
	struct lpm_ctx *c = arg;
	uint64_t rng = 0x777 + (uint64_t)c->id;
	uint32_t version = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		unsigned s = (unsigned)(next_rand(&rng) % LPM_SLOTS);
		struct lpm_key k = lpm_slot_key(c->id, s);
		/* Distinct slots may name the same prefix: write them all. */
		if (next_rand(&rng) % 3) {
			uint32_t v = ++version;
			if (xbpf_map_update_elem(c->map, &k, &v, XBPF_ANY) == 0) {
				for (unsigned t = 0; t < LPM_SLOTS; t++) {
					struct lpm_key o = lpm_slot_key(c->id, t);
					if (!memcmp(&o, &k, sizeof(k)))
						c->shadow[t] = v;
				}
			} else {
				FAIL("update");
			}
		} else {
			xbpf_epoch_enter();
			int err = (int)xbpf_map_delete_prog(c->map, &k);
			xbpf_epoch_exit();
			if (err && err != -ENOENT)
				FAIL("delete: %d", err);
			for (unsigned t = 0; t < LPM_SLOTS; t++) {
				struct lpm_key o = lpm_slot_key(c->id, t);
				if (!memcmp(&o, &k, sizeof(k)))
					c->shadow[t] = 0;
			}
		}
		c->ops++;
	}
	return NULL;
}

static void *lpm_reader(void *arg)
{
	struct lpm_ctx *c = arg;
	uint64_t rng = 0x999 + (uint64_t)c->id;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		struct lpm_key k = { 32, { (uint8_t)(10 + next_rand(&rng) % WRITERS),
					  (uint8_t)next_rand(&rng), (uint8_t)next_rand(&rng),
					  (uint8_t)next_rand(&rng) } };
		uint32_t v;
		if (next_rand(&rng) & 1) {
			int err = xbpf_map_lookup_elem(c->map, &k, &v);
			if (err && err != -ENOENT)
				FAIL("lookup: %d", err);
		} else {
			xbpf_epoch_enter();
			const uint32_t *p = xbpf_map_lookup_prog(c->map, &k, 0);
			if (p)
				xbpf_shared_read(&v, p, sizeof(v));
			xbpf_epoch_exit();
		}
		c->ops++;
	}
	return NULL;
}

static void stress_lpm(void)
{
	struct lpm_ctx *ctx[WRITERS + READERS];
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = XBPF_F_NO_PREALLOC };
	struct xbpf_map *map;
	if (xbpf_map_create(rt, XBPF_MAP_TYPE_LPM_TRIE, "stress", 8, 4, WRITERS * LPM_SLOTS, &opts,
			    &map)) {
		FAIL("create");
		return;
	}
	for (int i = 0; i < WRITERS + READERS; i++) {
		ctx[i] = calloc(1, sizeof(*ctx[i]));
		ctx[i]->map = map;
		ctx[i]->id = i < WRITERS ? i : i - WRITERS;
	}
	run_for_duration(lpm_writer, lpm_reader, (void **)ctx, WRITERS, READERS);
	for (int w = 0; w < WRITERS; w++) {
		for (unsigned s = 0; s < LPM_SLOTS; s++) {
			struct lpm_key k = lpm_slot_key(w, s), next;
			uint32_t v;
			int err = xbpf_map_get_next_key(map, &k, &next);
			/* Exact-key presence: get_next_key restarts for absent keys,
			 * so test with a lookup of the prefix itself instead. */
			(void)err;
			err = xbpf_map_lookup_elem(map, &k, &v);
			uint32_t expect = ctx[w]->shadow[s];
			if (expect && (err || v != expect))
				FAIL("writer %d slot %u: lookup %d value %u, want %u", w, s, err, v,
				     expect);
		}
	}
	uint64_t ops = 0;
	for (int i = 0; i < WRITERS + READERS; i++) {
		ops += ctx[i]->ops;
		free(ctx[i]);
	}
	printf("%-16s %10llu operations\n", "lpm_trie", (unsigned long long)ops);
	xbpf_map_put(map);
}

/* ---- ring buffer ---- */

#define PRODUCERS 3

struct record {
	uint32_t producer;
	uint32_t pad;
	uint64_t seq;
};

struct rb_ctx {
	struct xbpf_map *map;
	int id;
	uint64_t sent;
};

struct consumed {
	uint64_t next_seq[PRODUCERS];
	uint64_t records;
	int errors;
};

static int on_record(void *user, void *data, size_t size)
{
	struct consumed *c = user;
	struct record r;
	if (size != sizeof(r) && size != sizeof(r) + 24) {
		c->errors++;
		return 0;
	}
	memcpy(&r, data, sizeof(r));
	if (r.producer >= PRODUCERS || r.seq != c->next_seq[r.producer]) {
		c->errors++;
		return 0;
	}
	c->next_seq[r.producer]++;
	c->records++;
	return 0;
}

static void *rb_producer(void *arg)
{
	struct rb_ctx *c = arg;
	uint64_t rng = 0x4242 + (uint64_t)c->id;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		struct record r = { .producer = (uint32_t)c->id, .seq = c->sent };
		xbpf_epoch_enter();
		int way = (int)(next_rand(&rng) % 3);
		if (way == 0) {
			if (xbpf_ringbuf_output(c->map, &r, sizeof(r), 0) == 0)
				c->sent++;
		} else {
			/* Reserve more than needed now and then: records of
			 * several sizes wrap differently. */
			size_t size = way == 1 ? sizeof(r) : sizeof(r) + 24;
			char *rec = xbpf_ringbuf_reserve(c->map, size, 0);
			if (rec) {
				memcpy(rec, &r, sizeof(r));
				xbpf_ringbuf_submit(rec, 0);
				c->sent++;
				/* A discarded record in between must be skipped. */
				char *junk = xbpf_ringbuf_reserve(c->map, 8, 0);
				if (junk)
					xbpf_ringbuf_discard(junk, 0);
			}
		}
		xbpf_epoch_exit();
	}
	return NULL;
}

static void *rb_consumer(void *arg)
{
	struct xbpf_ringbuf_consumer *consumer = arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		if (xbpf_ringbuf_poll(consumer, 10) < 0)
			break;
	return NULL;
}

static void stress_ringbuf(void)
{
	struct xbpf_map *map;
	struct xbpf_ringbuf_consumer *consumer;
	struct consumed got = { 0 };
	if (xbpf_map_create(rt, XBPF_MAP_TYPE_RINGBUF, "stress", 0, 0, 16384, NULL, &map) ||
	    xbpf_ringbuf_consumer_create(map, on_record, &got, &consumer)) {
		FAIL("create");
		return;
	}
	struct rb_ctx *ctx[PRODUCERS];
	void *args[PRODUCERS + 1];
	for (int i = 0; i < PRODUCERS; i++) {
		ctx[i] = calloc(1, sizeof(*ctx[i]));
		ctx[i]->map = map;
		ctx[i]->id = i;
		args[i] = ctx[i];
	}
	args[PRODUCERS] = consumer;
	run_for_duration(rb_producer, rb_consumer, args, PRODUCERS, 1);
	/* Everything submitted is there: drain it. */
	while (xbpf_ringbuf_consume(consumer) > 0)
		;
	uint64_t sent = 0;
	for (int i = 0; i < PRODUCERS; i++) {
		if (got.next_seq[i] != ctx[i]->sent)
			FAIL("producer %d sent %llu records, consumer got %llu", i,
			     (unsigned long long)ctx[i]->sent, (unsigned long long)got.next_seq[i]);
		sent += ctx[i]->sent;
		free(ctx[i]);
	}
	if (got.errors)
		FAIL("%d records lost, duplicated or out of order", got.errors);
	if (xbpf_ringbuf_query(map, XBPF_RB_AVAIL_DATA) != 0)
		FAIL("data left in the ring");
	printf("%-16s %10llu records\n", "ringbuf", (unsigned long long)sent);
	xbpf_ringbuf_consumer_free(consumer);
	xbpf_map_put(map);
}

int main(void)
{
	const char *ms = getenv("XBPF_STRESS_MS");
	if (ms)
		duration_ms = strtol(ms, NULL, 10);
	if (xbpf_runtime_create(&rt))
		return 1;
	stress_hash(XBPF_MAP_TYPE_HASH, 0, "hash");
	stress_hash(XBPF_MAP_TYPE_HASH, XBPF_F_NO_PREALLOC, "hash/no_prealloc");
	stress_hash(XBPF_MAP_TYPE_LRU_HASH, 0, "lru_hash");
	stress_steady_keys(0, "hash/replace");
	stress_steady_keys(XBPF_F_NO_PREALLOC, "hash/replace/np");
	stress_lpm();
	stress_ringbuf();
	xbpf_runtime_free(rt);
	xbpf_epoch_barrier();
	printf("stress: %d failures\n", failures);
	return failures ? 1 : 0;
}
