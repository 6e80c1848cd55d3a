/* SPDX-License-Identifier: MIT */
/* LPM_TRIE, QUEUE, STACK, BLOOM_FILTER and RINGBUF. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "map_test.h"
#include "maps/map.h"
#include "maps/ringbuf.h"
#include "runtime/epoch.h"

struct lpm_key4 {
	uint32_t prefixlen;
	uint8_t addr[4];
};

static struct lpm_key4 k4(uint32_t len, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (struct lpm_key4){ len, { a, b, c, d } };
}

static void lpm_create_checks(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	enum xbpf_map_type t = XBPF_MAP_TYPE_LPM_TRIE;
	assert_int_equal(try_create(rt, t, 8, 4, 16, 0), -EINVAL); /* needs NO_PREALLOC */
	assert_int_equal(try_create(rt, t, 4, 4, 16, XBPF_F_NO_PREALLOC), -EINVAL);
	assert_int_equal(try_create(rt, t, 261, 4, 16, XBPF_F_NO_PREALLOC), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 0, 16, XBPF_F_NO_PREALLOC), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 4, 0, XBPF_F_NO_PREALLOC), -EINVAL);
	assert_int_equal(try_create(rt, t, 8, 4, 16, XBPF_F_NO_PREALLOC | XBPF_F_ZERO_SEED),
			 -EINVAL);
	assert_int_equal(try_create(rt, t, 260, 4, 16, XBPF_F_NO_PREALLOC), 0);
	assert_int_equal(try_create(rt, t, 5, 1, 1, XBPF_F_NO_PREALLOC), 0);
	xbpf_runtime_free(rt);
}

static void lpm_longest_prefix_match(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_LPM_TRIE, 8, 4, 5, XBPF_F_NO_PREALLOC);
	struct lpm_key4 k;
	uint32_t v, out;

	k = k4(16, 192, 168, 0, 0), v = 1;
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_ANY), 0);
	k = k4(24, 192, 168, 0, 0), v = 2;
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_NOEXIST), 0);
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_NOEXIST), -EEXIST);
	k = k4(24, 192, 168, 128, 0), v = 3;
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_ANY), 0);
	k = k4(24, 192, 168, 1, 0), v = 5; /* needs an intermediate node */
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_ANY), 0);
	k = k4(8, 10, 0, 0, 0), v = 6;
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_EXIST), -ENOENT);
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_ANY), 0);
	k = k4(8, 11, 0, 0, 0);
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_ANY), -ENOSPC);
	k = k4(8, 10, 0, 0, 0), v = 7; /* replacing in a full trie works */
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_EXIST), 0);
	k = k4(33, 1, 2, 3, 4);
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, XBPF_ANY), -EINVAL);
	assert_int_equal(xbpf_map_update_elem(map, &k, &v, 4), -EINVAL);

	struct {
		struct lpm_key4 key;
		int expect;
	} probes[] = {
		{ k4(32, 192, 168, 0, 7), 2 },   { k4(32, 192, 168, 1, 9), 5 },
		{ k4(32, 192, 168, 128, 1), 3 }, { k4(32, 192, 168, 200, 1), 1 },
		{ k4(32, 10, 9, 9, 9), 7 },      { k4(32, 11, 0, 0, 1), -ENOENT },
		{ k4(16, 192, 168, 0, 7), 1 },   { k4(8, 192, 168, 0, 7), -ENOENT },
		{ k4(33, 192, 168, 0, 7), -ENOENT },
	};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		int err = xbpf_map_lookup_elem(map, &probes[i].key, &out);
		if (probes[i].expect < 0) {
			assert_int_equal(err, probes[i].expect);
		} else {
			assert_int_equal(err, 0);
			assert_int_equal(out, probes[i].expect);
		}
	}

	/* Postorder iteration: specific prefixes before their containers. */
	struct lpm_key4 order[5], key, next;
	int n = 0;
	for (int err = xbpf_map_get_next_key(map, NULL, &next); !err;
	     err = xbpf_map_get_next_key(map, &key, &next)) {
		assert_true(n < 5);
		order[n++] = next;
		key = next;
	}
	assert_int_equal(n, 5);
	struct lpm_key4 expect[5] = { k4(8, 10, 0, 0, 0), k4(24, 192, 168, 0, 0),
				      k4(24, 192, 168, 1, 0), k4(24, 192, 168, 128, 0),
				      k4(16, 192, 168, 0, 0) };
	assert_memory_equal(order, expect, sizeof(expect));
	key = k4(20, 1, 1, 1, 1); /* absent: starts over */
	assert_int_equal(xbpf_map_get_next_key(map, &key, &next), 0);
	assert_memory_equal(&next, &expect[0], sizeof(next));

	k = k4(16, 192, 168, 0, 0); /* two children: stays as intermediate */
	assert_int_equal(xbpf_map_delete_elem(map, &k), 0);
	assert_int_equal(xbpf_map_delete_elem(map, &k), -ENOENT);
	k = k4(32, 192, 168, 200, 1);
	assert_int_equal(xbpf_map_lookup_elem(map, &k, &out), -ENOENT);
	k = k4(24, 192, 168, 1, 0); /* a leaf under an intermediate node */
	assert_int_equal(xbpf_map_delete_elem(map, &k), 0);
	k = k4(32, 192, 168, 0, 1);
	assert_int_equal(xbpf_map_lookup_elem(map, &k, &out), 0);
	assert_int_equal(out, 2);
	k = k4(23, 192, 168, 0, 0);
	assert_int_equal(xbpf_map_delete_elem(map, &k), -ENOENT);
	k = k4(40, 0, 0, 0, 0);
	assert_int_equal(xbpf_map_delete_elem(map, &k), -EINVAL);
	struct xbpf_map_info info;
	xbpf_map_get_info(map, &info);
	assert_int_equal(info.entries, 3);

	xbpf_epoch_enter();
	k = k4(32, 10, 1, 2, 3);
	uint32_t *p = xbpf_map_lookup_prog(map, &k, 0);
	assert_non_null(p);
	assert_int_equal(*p, 7);
	xbpf_epoch_exit();
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void queue_and_stack(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_QUEUE, 4, 4, 4, 0), -EINVAL);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_QUEUE, 0, 0, 4, 0), -EINVAL);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_QUEUE, 0, 4, 0, 0), -EINVAL);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_STACK, 0, 4, 4, XBPF_F_NO_PREALLOC), -EINVAL);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_STACK, 0, (1U << 22) + 1, 4, 0), -E2BIG);

	struct xbpf_map *q = make_map(rt, XBPF_MAP_TYPE_QUEUE, 0, 4, 3, 0);
	struct xbpf_map *s = make_map(rt, XBPF_MAP_TYPE_STACK, 0, 4, 3, 0);
	uint32_t v, out;
	for (v = 1; v <= 3; v++) {
		assert_int_equal(xbpf_map_update_elem(q, NULL, &v, XBPF_ANY), 0);
		assert_int_equal(xbpf_map_update_elem(s, NULL, &v, XBPF_ANY), 0);
	}
	assert_int_equal(xbpf_map_update_elem(q, NULL, &v, XBPF_ANY), -E2BIG);
	assert_int_equal(xbpf_map_update_elem(q, NULL, &v, XBPF_NOEXIST), -EINVAL);
	assert_int_equal(xbpf_map_update_elem(q, NULL, &v, 3), -EINVAL);
	/* BPF_EXIST drops the oldest. */
	assert_int_equal(xbpf_map_update_elem(q, NULL, &v, XBPF_EXIST), 0);
	assert_int_equal(xbpf_map_update_elem(s, NULL, &v, XBPF_EXIST), 0);
	struct xbpf_map_info info;
	xbpf_map_get_info(q, &info);
	assert_int_equal(info.entries, 3);

	assert_int_equal(xbpf_map_lookup_elem(q, NULL, &out), 0);
	assert_int_equal(out, 2);
	assert_int_equal(xbpf_map_lookup_elem(s, NULL, &out), 0);
	assert_int_equal(out, 4);
	uint32_t q_expect[] = { 2, 3, 4 }, s_expect[] = { 4, 3, 2 };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(xbpf_map_lookup_and_delete_elem(q, NULL, &out), 0);
		assert_int_equal(out, q_expect[i]);
		assert_int_equal(xbpf_map_lookup_and_delete_elem(s, NULL, &out), 0);
		assert_int_equal(out, s_expect[i]);
	}
	assert_int_equal(xbpf_map_lookup_and_delete_elem(q, NULL, &out), -ENOENT);
	assert_int_equal(xbpf_map_lookup_elem(s, NULL, &out), -ENOENT);
	assert_int_equal(xbpf_map_delete_elem(q, NULL), -EINVAL);
	assert_int_equal(xbpf_map_get_next_key(q, NULL, &out), -EINVAL);

	/* Many laps around the ring. */
	for (v = 0; v < 100; v++) {
		assert_int_equal(xbpf_map_update_elem(q, NULL, &v, XBPF_ANY), 0);
		assert_int_equal(xbpf_map_lookup_and_delete_elem(q, NULL, &out), 0);
		assert_int_equal(out, v);
	}

	xbpf_epoch_enter();
	v = 8;
	assert_int_equal(xbpf_map_push_prog(s, &v, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_peek_prog(s, &out), 0);
	assert_int_equal(out, 8);
	assert_int_equal(xbpf_map_pop_prog(s, &out), 0);
	assert_int_equal(xbpf_map_pop_prog(s, &out), -ENOENT);
	assert_null(xbpf_map_lookup_prog(s, NULL, 0));
	assert_int_equal(xbpf_map_update_prog(s, NULL, &v, 0, 0), -EOPNOTSUPP);
	xbpf_epoch_exit();
	xbpf_map_put(q);
	xbpf_map_put(s);

	/* WRONLY_PROG: programs may push but not read back. */
	q = make_map(rt, XBPF_MAP_TYPE_QUEUE, 0, 4, 3, XBPF_F_WRONLY_PROG);
	xbpf_epoch_enter();
	assert_int_equal(xbpf_map_push_prog(q, &v, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_peek_prog(q, &out), -EPERM);
	assert_int_equal(xbpf_map_pop_prog(q, &out), -EPERM);
	xbpf_epoch_exit();
	xbpf_map_put(q);
	xbpf_runtime_free(rt);
}

static void bloom_filter(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .map_extra = 16 };
	struct xbpf_map *map;
	enum xbpf_map_type t = XBPF_MAP_TYPE_BLOOM_FILTER;
	assert_int_equal(xbpf_map_create(rt, t, "b", 0, 4, 100, &opts, &map), -EINVAL);
	assert_int_equal(try_create(rt, t, 4, 4, 100, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 0, 0, 100, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 0, 4, 0, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 0, 4, 100, XBPF_F_NO_PREALLOC), -EINVAL);
	opts.map_extra = 3;
	assert_int_equal(xbpf_map_create(rt, t, "b", 0, 7, 1000, &opts, &map), 0);

	char v[7] = "value0";
	for (char c = '0'; c <= '9'; c++) {
		v[5] = c;
		assert_int_equal(xbpf_map_update_elem(map, NULL, v, XBPF_ANY), 0);
	}
	assert_int_equal(xbpf_map_update_elem(map, NULL, v, XBPF_EXIST), -EINVAL);
	for (char c = '0'; c <= '9'; c++) {
		v[5] = c;
		assert_int_equal(xbpf_map_lookup_elem(map, NULL, v), 0);
	}
	int absent = 0;
	for (char c = 'a'; c <= 'z'; c++) {
		v[5] = c;
		absent += xbpf_map_lookup_elem(map, NULL, v) == -ENOENT;
	}
	assert_true(absent >= 20); /* ~0.1% false positives at this size */
	assert_int_equal(xbpf_map_delete_elem(map, NULL), -EOPNOTSUPP);
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, NULL, v), -EOPNOTSUPP);
	assert_int_equal(xbpf_map_get_next_key(map, NULL, v), -EOPNOTSUPP);
	xbpf_epoch_enter();
	v[5] = '3';
	assert_int_equal(xbpf_map_peek_prog(map, v), 0);
	v[5] = '!';
	assert_int_equal(xbpf_map_push_prog(map, v, 0), 0);
	assert_int_equal(xbpf_map_peek_prog(map, v), 0);
	xbpf_epoch_exit();
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

/* ---- ring buffer ---- */

struct records {
	int n;
	uint32_t sizes[16];
	uint64_t first_word[16];
	int stop_at;
};

static int on_record(void *user, void *data, size_t size)
{
	struct records *r = user;
	r->sizes[r->n] = (uint32_t)size;
	memcpy(&r->first_word[r->n], data, size < 8 ? size : 8);
	r->n++;
	return r->n == r->stop_at ? -77 : 0;
}

static void ringbuf_create_checks(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	enum xbpf_map_type t = XBPF_MAP_TYPE_RINGBUF;
	assert_int_equal(try_create(rt, t, 0, 0, 4096 * 3, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 0, 0, 2048, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 4, 0, 4096, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 0, 4, 4096, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 0, 0, 4096, XBPF_F_RDONLY_PROG), -EINVAL);
	assert_int_equal(try_create(rt, t, 0, 0, 4096, 0), 0);
	xbpf_runtime_free(rt);
}

static void ringbuf_records_in_order(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *rb = make_map(rt, XBPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	struct xbpf_map *not_rb = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
	struct xbpf_ringbuf_consumer *c, *c2;
	struct records got = { .stop_at = -1 };
	assert_int_equal(xbpf_ringbuf_consumer_create(not_rb, on_record, &got, &c), -EINVAL);
	assert_int_equal(xbpf_ringbuf_consumer_create(rb, on_record, &got, &c), 0);
	assert_int_equal(xbpf_ringbuf_consumer_create(rb, on_record, &got, &c2), -EBUSY);
	assert_true(xbpf_ringbuf_fd(c) >= 0);

	/* Host element operations do not apply. */
	uint32_t k = 0;
	assert_int_equal(xbpf_map_lookup_elem(rb, &k, &k), -EOPNOTSUPP);
	assert_int_equal(xbpf_map_update_elem(rb, &k, &k, 0), -EOPNOTSUPP);

	xbpf_epoch_enter();
	assert_null(xbpf_ringbuf_reserve(not_rb, 8, 0));
	assert_null(xbpf_ringbuf_reserve(rb, 8, 1));
	assert_null(xbpf_ringbuf_reserve(rb, 4096, 0));
	uint64_t *a = xbpf_ringbuf_reserve(rb, 8, 0);
	uint64_t *b = xbpf_ringbuf_reserve(rb, 3, 0);
	uint64_t *d = xbpf_ringbuf_reserve(rb, 16, 0);
	assert_non_null(a);
	/* Linux's layout: 8-byte header, records 8-byte aligned. */
	uint32_t hdr_len;
	memcpy(&hdr_len, (char *)a - 8, 4);
	assert_int_equal(hdr_len, 8 | XBPF_RINGBUF_BUSY_BIT);
	assert_int_equal((char *)b - (char *)a, 16);
	assert_int_equal((char *)d - (char *)b, 16);
	assert_int_equal(xbpf_ringbuf_query(rb, XBPF_RB_AVAIL_DATA), 16 + 16 + 24);
	assert_int_equal(xbpf_ringbuf_query(rb, XBPF_RB_RING_SIZE), 4096);
	assert_int_equal(xbpf_ringbuf_query(rb, XBPF_RB_PROD_POS), 56);
	assert_int_equal(xbpf_ringbuf_query(rb, 99), 0);
	*a = 1;
	*d = 3;
	xbpf_ringbuf_submit(d, 0); /* c is not consumable before a and b */
	xbpf_epoch_exit();
	assert_int_equal(xbpf_ringbuf_consume(c), 0);
	xbpf_epoch_enter();
	xbpf_ringbuf_submit(a, XBPF_RB_NO_WAKEUP);
	xbpf_epoch_exit();
	assert_int_equal(xbpf_ringbuf_consume(c), 1);
	xbpf_epoch_enter();
	xbpf_ringbuf_discard(b, 0);
	assert_int_equal(xbpf_ringbuf_output(rb, &(uint64_t){ 4 }, 8, 4), -EINVAL);
	assert_int_equal(xbpf_ringbuf_output(rb, &(uint64_t){ 4 }, 8, 0), 0);
	xbpf_epoch_exit();
	assert_int_equal(xbpf_ringbuf_poll(c, 0), 2);
	assert_int_equal(got.n, 3);
	assert_int_equal(got.sizes[0], 8);
	assert_int_equal(got.first_word[0], 1);
	assert_int_equal(got.sizes[1], 16);
	assert_int_equal(got.first_word[1], 3);
	assert_int_equal(got.first_word[2], 4);
	assert_int_equal(xbpf_ringbuf_query(rb, XBPF_RB_AVAIL_DATA), 0);
	assert_int_equal(xbpf_ringbuf_query(rb, XBPF_RB_CONS_POS), 72);
	assert_int_equal(xbpf_ringbuf_poll(c, 10), 0);

	/* Fill it up, wrap around, and stop at the callback's request. */
	int produced = 0;
	char record[1000] = { 0 };
	xbpf_epoch_enter();
	while (xbpf_ringbuf_output(rb, record, sizeof(record), 0) == 0)
		record[0] = (char)++produced;
	xbpf_epoch_exit();
	assert_int_equal(produced, 4); /* 4 x 1008 bytes; the ring keeps one slot short */
	got = (struct records){ .stop_at = 2 };
	assert_int_equal(xbpf_ringbuf_consume(c), -77);
	assert_int_equal(xbpf_ringbuf_consume(c), 2);
	for (int i = 0; i < 4; i++)
		assert_int_equal((int)got.first_word[i] & 0xff, i);

	/* The eventfd signals a record the consumer was waiting for. */
	struct pollfd pfd = { .fd = xbpf_ringbuf_fd(c), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0);
	xbpf_epoch_enter();
	assert_int_equal(xbpf_ringbuf_output(rb, record, 8, 0), 0);
	xbpf_epoch_exit();
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(xbpf_ringbuf_poll(c, 100), 1);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	/* NO_WAKEUP stays quiet; FORCE_WAKEUP always signals. */
	xbpf_epoch_enter();
	assert_int_equal(xbpf_ringbuf_output(rb, record, 8, XBPF_RB_NO_WAKEUP), 0);
	xbpf_epoch_exit();
	assert_int_equal(poll(&pfd, 1, 0), 0);
	xbpf_epoch_enter();
	assert_int_equal(xbpf_ringbuf_output(rb, record, 8, XBPF_RB_FORCE_WAKEUP), 0);
	xbpf_epoch_exit();
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(xbpf_ringbuf_consume(c), 2);

	xbpf_ringbuf_consumer_free(c);
	assert_int_equal(xbpf_ringbuf_consumer_create(rb, on_record, &got, &c2), 0);
	xbpf_ringbuf_consumer_free(c2);
	xbpf_map_put(rb);
	xbpf_map_put(not_rb);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lpm_create_checks),
		cmocka_unit_test(lpm_longest_prefix_match),
		cmocka_unit_test(queue_and_stack),
		cmocka_unit_test(bloom_filter),
		cmocka_unit_test(ringbuf_create_checks),
		cmocka_unit_test(ringbuf_records_in_order),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	xbpf_epoch_barrier();
	return failed;
}
