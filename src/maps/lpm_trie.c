/* SPDX-License-Identifier: MIT */
/*
 * LPM_TRIE: longest-prefix match over keys { u32 prefixlen; u8 data[] }
 * (data big-endian: bit 0 is the top bit of data[0]).
 *
 * A binary trie as in Linux: each node holds a prefix; a node's children
 * extend its prefix by the bit after it. Intermediate nodes (no value)
 * join two subtrees whose prefixes diverge. Readers walk without locks
 * inside an epoch; writers take the trie lock, never change a node a
 * reader may see except its child pointers and intermediate flag, and free
 * replaced nodes after a grace period. Iteration order is Linux's
 * postorder: more specific prefixes before the ones containing them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/shared_mem.h"
#include "maps/types.h"
#include "runtime/epoch.h"
#include "runtime/lock.h"
#include "runtime/log.h"

#define LPM_DATA_MIN 1
#define LPM_DATA_MAX 256
#define KMALLOC_MAX_SIZE (1U << 22)
#define LPM_NODE_HEADER 24 /* Linux's struct lpm_trie_node, for the value limit */
#define LPM_VALUE_MAX (KMALLOC_MAX_SIZE - LPM_DATA_MAX - LPM_NODE_HEADER)

#define NODE_INTERMEDIATE 1U

struct lpm_node {
	_Atomic(struct lpm_node *) child[2];
	uint32_t prefixlen;
	_Atomic uint32_t flags;
	/* data (data_size bytes, padded to 8), then the value */
	uint64_t bytes[];
};

struct lpm_trie {
	struct xbpf_map map;
	_Atomic(struct lpm_node *) root;
	xbpf_lock_t lock; /* writers */
	uint32_t data_size;
	uint32_t max_prefixlen;
	uint32_t value_off; /* data_size rounded up to 8 */
	uint32_t n_entries; /* under lock */
	_Atomic uint32_t n_entries_seen; /* for info, read without the lock */
};

static struct lpm_trie *trie_of(const struct xbpf_map *map)
{
	return (struct lpm_trie *)map;
}

static const uint8_t *node_data(const struct lpm_node *n)
{
	return (const uint8_t *)n->bytes;
}

static void *node_value(const struct lpm_trie *t, struct lpm_node *n)
{
	return (char *)n->bytes + t->value_off;
}

static uint32_t key_prefixlen(const void *key)
{
	uint32_t len;
	memcpy(&len, key, sizeof(len));
	return len;
}

static const uint8_t *key_data(const void *key)
{
	return (const uint8_t *)key + sizeof(uint32_t);
}

static int bit_at(const uint8_t *data, uint32_t index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

/* Leading bits node and key share, up to both prefix lengths. */
static uint32_t match_len(const struct lpm_trie *t, const struct lpm_node *n, const uint8_t *data,
			  uint32_t prefixlen)
{
	uint32_t limit = n->prefixlen < prefixlen ? n->prefixlen : prefixlen;
	const uint8_t *nd = node_data(n);
	for (uint32_t i = 0; i * 8 < limit && i < t->data_size; i++) {
		uint8_t diff = nd[i] ^ data[i];
		if (diff) {
			uint32_t len = i * 8 + (uint32_t)__builtin_clz(diff) - 24;
			return len < limit ? len : limit;
		}
	}
	return limit;
}

static struct lpm_node *load(_Atomic(struct lpm_node *) *slot)
{
	return atomic_load_explicit(slot, memory_order_acquire);
}

static bool intermediate(const struct lpm_node *n)
{
	return atomic_load_explicit(&n->flags, memory_order_relaxed) & NODE_INTERMEDIATE;
}

/* ---- lookup ---- */

static struct lpm_node *longest_match(struct lpm_trie *t, const void *key)
{
	uint32_t prefixlen = key_prefixlen(key);
	const uint8_t *data = key_data(key);
	struct lpm_node *found = NULL;

	if (prefixlen > t->max_prefixlen)
		return NULL;
	for (struct lpm_node *n = load(&t->root); n;) {
		uint32_t len = match_len(t, n, data, prefixlen);
		if (len == t->max_prefixlen) {
			found = n;
			break;
		}
		if (len < n->prefixlen)
			break;
		if (!intermediate(n))
			found = n;
		n = load(&n->child[bit_at(data, n->prefixlen)]);
	}
	return found;
}

static void *trie_lookup(struct xbpf_map *map, const void *key, unsigned cpu)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_node *n = longest_match(t, key);
	return n ? node_value(t, n) : NULL;
}

/* ---- update ---- */

static struct lpm_node *node_new(struct lpm_trie *t, const uint8_t *data, uint32_t prefixlen,
				 const void *value)
{
	struct lpm_node *n = xbpf_epoch_alloc(sizeof(*n) + t->value_off + t->map.value_size);
	if (!n)
		return NULL;
	atomic_init(&n->child[0], NULL);
	atomic_init(&n->child[1], NULL);
	n->prefixlen = prefixlen;
	atomic_init(&n->flags, value ? 0 : NODE_INTERMEDIATE);
	memcpy(n->bytes, data, t->data_size);
	if (value)
		xbpf_shared_write(node_value(t, n), value, t->map.value_size);
	return n;
}

static void set_entries(struct lpm_trie *t, uint32_t n)
{
	t->n_entries = n;
	atomic_store_explicit(&t->n_entries_seen, n, memory_order_relaxed);
}

/* Room for one more entry (lock held), Linux's order of checks. */
static int check_add(struct lpm_trie *t, uint64_t flags)
{
	if (flags == XBPF_EXIST)
		return -ENOENT;
	if (t->n_entries == t->map.max_entries)
		return -ENOSPC;
	return 0;
}

static long trie_update(struct xbpf_map *map, const void *key, const void *value, uint64_t flags,
			unsigned cpu)
{
	struct lpm_trie *t = trie_of(map);
	uint32_t prefixlen = key_prefixlen(key);
	const uint8_t *data = key_data(key);

	if (flags > XBPF_EXIST || prefixlen > t->max_prefixlen)
		return -EINVAL;

	/* Allocate before locking; an intermediate node may be needed too. */
	struct lpm_node *fresh = node_new(t, data, prefixlen, value);
	struct lpm_node *im = node_new(t, data, 0, NULL);
	struct lpm_node *replaced = NULL;
	int err = 0;
	if (!fresh || !im) {
		xbpf_epoch_free_now(fresh);
		xbpf_epoch_free_now(im);
		return -ENOMEM;
	}

	xbpf_lock(&t->lock);
	_Atomic(struct lpm_node *) *slot = &t->root;
	struct lpm_node *n;
	uint32_t len = 0;
	while ((n = atomic_load_explicit(slot, memory_order_relaxed))) {
		len = match_len(t, n, data, prefixlen);
		if (n->prefixlen != len || n->prefixlen == prefixlen)
			break;
		slot = &n->child[bit_at(data, n->prefixlen)];
	}

	if (!n) {
		/* An empty slot: the new node goes there. */
		err = check_add(t, flags);
		if (!err) {
			set_entries(t, t->n_entries + 1);
			atomic_store_explicit(slot, fresh, memory_order_release);
		}
	} else if (n->prefixlen == len) {
		/* Same prefix: the new node takes n's place. */
		if (!intermediate(n)) {
			if (flags == XBPF_NOEXIST)
				err = -EEXIST;
		} else {
			err = check_add(t, flags);
			if (!err)
				set_entries(t, t->n_entries + 1);
		}
		if (!err) {
			atomic_init(&fresh->child[0], load(&n->child[0]));
			atomic_init(&fresh->child[1], load(&n->child[1]));
			atomic_store_explicit(slot, fresh, memory_order_release);
			replaced = n;
		}
	} else if (!(err = check_add(t, flags))) {
		set_entries(t, t->n_entries + 1);
		if (len == prefixlen) {
			/* The new prefix contains n's: it becomes n's parent. */
			atomic_init(&fresh->child[bit_at(node_data(n), len)], n);
			atomic_store_explicit(slot, fresh, memory_order_release);
		} else {
			/* They diverge at bit len: join them under an
			 * intermediate node of that length. */
			im->prefixlen = len;
			memcpy(im->bytes, node_data(n), t->data_size);
			int bit = bit_at(data, len);
			atomic_init(&im->child[bit], fresh);
			atomic_init(&im->child[!bit], n);
			atomic_store_explicit(slot, im, memory_order_release);
			im = NULL;
		}
	}
	xbpf_unlock(&t->lock);

	xbpf_epoch_free_now(im);
	if (err)
		xbpf_epoch_free_now(fresh);
	xbpf_epoch_defer_free(replaced);
	return err;
}

/* ---- delete ---- */

static long trie_delete(struct xbpf_map *map, const void *key)
{
	struct lpm_trie *t = trie_of(map);
	uint32_t prefixlen = key_prefixlen(key);
	const uint8_t *data = key_data(key);
	struct lpm_node *free1 = NULL, *free2 = NULL;
	int err = 0;

	if (prefixlen > t->max_prefixlen)
		return -EINVAL;

	xbpf_lock(&t->lock);
	_Atomic(struct lpm_node *) *slot = &t->root, *parent_slot = &t->root;
	struct lpm_node *n, *parent = NULL;
	uint32_t len = 0;
	while ((n = atomic_load_explicit(slot, memory_order_relaxed))) {
		len = match_len(t, n, data, prefixlen);
		if (n->prefixlen != len || n->prefixlen == prefixlen)
			break;
		parent = n;
		parent_slot = slot;
		slot = &n->child[bit_at(data, n->prefixlen)];
	}
	if (!n || n->prefixlen != prefixlen || n->prefixlen != len || intermediate(n)) {
		err = -ENOENT;
		goto out;
	}
	set_entries(t, t->n_entries - 1);

	struct lpm_node *c0 = atomic_load_explicit(&n->child[0], memory_order_relaxed);
	struct lpm_node *c1 = atomic_load_explicit(&n->child[1], memory_order_relaxed);
	if (c0 && c1) {
		/* Still joins two subtrees: keep it as an intermediate node. */
		atomic_fetch_or_explicit(&n->flags, NODE_INTERMEDIATE, memory_order_relaxed);
		goto out;
	}
	if (parent && intermediate(parent) && !c0 && !c1) {
		/* A leaf under an intermediate node: the intermediate node
		 * is no longer needed; its other child takes its place. */
		struct lpm_node *p0 = atomic_load_explicit(&parent->child[0], memory_order_relaxed);
		struct lpm_node *p1 = atomic_load_explicit(&parent->child[1], memory_order_relaxed);
		atomic_store_explicit(parent_slot, p0 == n ? p1 : p0, memory_order_release);
		free1 = parent;
		free2 = n;
		goto out;
	}
	/* Zero or one child: the child (or nothing) takes n's place. */
	atomic_store_explicit(slot, c0 ? c0 : c1, memory_order_release);
	free1 = n;
out:
	xbpf_unlock(&t->lock);
	xbpf_epoch_defer_free(free1);
	xbpf_epoch_defer_free(free2);
	return err;
}

/* ---- iteration ---- */

static void copy_key(const struct lpm_trie *t, const struct lpm_node *n, void *out)
{
	memcpy(out, &n->prefixlen, sizeof(n->prefixlen));
	memcpy((char *)out + sizeof(uint32_t), node_data(n), t->data_size);
}

/* The first node in postorder of the subtree at n that holds a value. */
static struct lpm_node *leftmost(struct lpm_node *n)
{
	struct lpm_node *found = NULL;
	while (n) {
		if (intermediate(n)) {
			n = load(&n->child[0]);
		} else {
			found = n;
			struct lpm_node *next = load(&n->child[0]);
			n = next ? next : load(&n->child[1]);
		}
	}
	return found;
}

static int trie_get_next_key(struct xbpf_map *map, const void *key, void *next_key)
{
	struct lpm_trie *t = trie_of(map);
	struct lpm_node **stack = NULL;
	struct lpm_node *next = NULL;
	int err = 0;

	xbpf_lock(&t->lock);
	struct lpm_node *root = atomic_load_explicit(&t->root, memory_order_relaxed);
	if (!root) {
		err = -ENOENT;
		goto out;
	}
	if (!key || key_prefixlen(key) > t->max_prefixlen) {
		next = leftmost(root);
		goto out;
	}

	/* Path from the root to the node of key. */
	uint32_t prefixlen = key_prefixlen(key);
	const uint8_t *data = key_data(key);
	stack = malloc(((size_t)t->max_prefixlen + 1) * sizeof(*stack));
	if (!stack) {
		err = -ENOMEM;
		goto out;
	}
	int depth = -1;
	struct lpm_node *n = root;
	uint32_t len = 0;
	while (n) {
		stack[++depth] = n;
		len = match_len(t, n, data, prefixlen);
		if (n->prefixlen != len || n->prefixlen == prefixlen)
			break;
		n = load(&n->child[bit_at(data, n->prefixlen)]);
	}
	if (!n || n->prefixlen != prefixlen || n->prefixlen != len || intermediate(n)) {
		/* Not in the trie: start over. */
		next = leftmost(root);
		goto out;
	}
	/* Postorder successor: the leftmost of the right sibling subtree,
	 * else the first ancestor holding a value. */
	for (n = stack[depth]; depth > 0; depth--) {
		struct lpm_node *parent = stack[depth - 1];
		struct lpm_node *right = load(&parent->child[1]);
		if (load(&parent->child[0]) == n && right) {
			next = leftmost(right);
			goto out;
		}
		if (!intermediate(parent)) {
			next = parent;
			goto out;
		}
		n = parent;
	}
	err = -ENOENT;
out:
	if (next)
		copy_key(t, next, next_key);
	xbpf_unlock(&t->lock);
	free(stack);
	return err;
}

/* ---- creation ---- */

#define LPM_CREATE_FLAGS (XBPF_F_NO_PREALLOC | XBPF_F_NUMA_NODE | XBPF_F_ACCESS_MASK)

static int trie_alloc(struct xbpf_runtime *rt, const struct xbpf_map_attr *attr,
		      struct xbpf_map **out)
{
	if (attr->max_entries == 0 || !(attr->map_flags & XBPF_F_NO_PREALLOC) ||
	    (attr->map_flags & ~LPM_CREATE_FLAGS) ||
	    attr->key_size < sizeof(uint32_t) + LPM_DATA_MIN ||
	    attr->key_size > sizeof(uint32_t) + LPM_DATA_MAX || attr->value_size < 1 ||
	    attr->value_size > LPM_VALUE_MAX) {
		xbpf_log(rt, XBPF_LOG_ERROR,
			 "lpm_trie '%s': want BPF_F_NO_PREALLOC, key_size 5..260 (prefix length "
			 "and 1..256 bytes), value_size 1..%u, max_entries > 0; got flags 0x%x, "
			 "key_size %u, value_size %u, max_entries %u",
			 attr->name ? attr->name : "", LPM_VALUE_MAX, attr->map_flags,
			 attr->key_size, attr->value_size, attr->max_entries);
		return -EINVAL;
	}
	struct lpm_trie *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	xbpf_map_init(&t->map, attr, &xbpf_lpm_trie_ops);
	xbpf_lock_init(&t->lock);
	t->data_size = attr->key_size - (uint32_t)sizeof(uint32_t);
	t->max_prefixlen = t->data_size * 8;
	t->value_off = (uint32_t)xbpf_round8(t->data_size);
	*out = &t->map;
	return 0;
}

static void trie_free(struct xbpf_map *map)
{
	struct lpm_trie *t = trie_of(map);
	/* Nobody can see the trie any more: free depth-first by unhooking
	 * leaves. */
	for (;;) {
		_Atomic(struct lpm_node *) *slot = &t->root;
		struct lpm_node *n = atomic_load_explicit(slot, memory_order_relaxed);
		if (!n)
			break;
		for (;;) {
			struct lpm_node *c0 = atomic_load_explicit(&n->child[0], memory_order_relaxed);
			struct lpm_node *c1 = atomic_load_explicit(&n->child[1], memory_order_relaxed);
			if (!c0 && !c1)
				break;
			slot = &n->child[c0 ? 0 : 1];
			n = c0 ? c0 : c1;
		}
		atomic_store_explicit(slot, NULL, memory_order_relaxed);
		xbpf_epoch_free_now(n);
	}
	free(t);
}

static int64_t trie_count(const struct xbpf_map *map)
{
	return atomic_load_explicit(&trie_of(map)->n_entries_seen, memory_order_relaxed);
}

const struct xbpf_map_ops xbpf_lpm_trie_ops = {
	.alloc = trie_alloc,
	.free = trie_free,
	.lookup = trie_lookup,
	.update = trie_update,
	.delete = trie_delete,
	.get_next_key = trie_get_next_key,
	.count = trie_count,
};
