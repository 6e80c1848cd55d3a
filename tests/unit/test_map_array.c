/* SPDX-License-Identifier: MIT */
/* Array map types: ARRAY, PERCPU_ARRAY, PROG_ARRAY, ARRAY_OF_MAPS. */
#include <errno.h>
#include <stdlib.h>

#include "map_test.h"
#include "maps/map.h"
#include "runtime/epoch.h"

static void array_create_checks(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	enum xbpf_map_type t = XBPF_MAP_TYPE_ARRAY;
	assert_int_equal(try_create(rt, t, 8, 8, 4, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 4, 0, 4, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 4, 8, 0, 0), -EINVAL);
	assert_int_equal(try_create(rt, t, 4, 8, 4, XBPF_F_NO_PREALLOC), -EINVAL);
	assert_int_equal(try_create(rt, t, 4, 8, 4, XBPF_F_MMAPABLE | XBPF_F_INNER_MAP), 0);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, XBPF_F_MMAPABLE),
			 -EINVAL);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_PERCPU_ARRAY, 4, 32769, 4, 0), -E2BIG);
	assert_int_equal(try_create(rt, t, 4, 0x80000000U, 4, 0), -E2BIG);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0), -EINVAL);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, XBPF_F_RDONLY_PROG),
			 -EINVAL);
	assert_int_equal(try_create(rt, XBPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, XBPF_F_MMAPABLE),
			 -EINVAL);
	xbpf_runtime_free(rt);
}

static void array_semantics(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 6, 3, 0);
	uint32_t key = 1;
	char value[6] = "abcde", out[6];

	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), 0);
	assert_memory_equal(out, "\0\0\0\0\0\0", 6);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_NOEXIST), -EEXIST);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, 3), -EINVAL);
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_EXIST), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), 0);
	assert_memory_equal(out, value, 6);
	key = 3;
	assert_int_equal(xbpf_map_update_elem(map, &key, value, XBPF_ANY), -E2BIG);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), -ENOENT);
	assert_int_equal(xbpf_map_delete_elem(map, &key), -EINVAL);
	key = 1;
	assert_int_equal(xbpf_map_delete_elem(map, &key), -EINVAL);
	assert_int_equal(xbpf_map_lookup_and_delete_elem(map, &key, out), -EOPNOTSUPP);

	uint32_t next;
	assert_int_equal(xbpf_map_get_next_key(map, NULL, &next), 0);
	assert_int_equal(next, 0);
	key = 1;
	assert_int_equal(xbpf_map_get_next_key(map, &key, &next), 0);
	assert_int_equal(next, 2);
	key = 2;
	assert_int_equal(xbpf_map_get_next_key(map, &key, &next), -ENOENT);
	key = 77;
	assert_int_equal(xbpf_map_get_next_key(map, &key, &next), 0);
	assert_int_equal(next, 0);

	struct xbpf_map_info info;
	xbpf_map_get_info(map, &info);
	assert_int_equal(info.entries, 3);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static long sum_cb(void *user, struct xbpf_map *map, const void *key, void *value)
{
	uint64_t *sum = user;
	uint64_t v;
	memcpy(&v, value, 8);
	*sum += v;
	return 0;
}

static void array_program_path_and_regions(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 12, 4, 0);
	uint32_t key = 2;
	xbpf_epoch_enter();
	char *v0 = xbpf_map_lookup_prog(map, &(uint32_t){ 0 }, 0);
	char *v2 = xbpf_map_lookup_prog(map, &key, 0);
	assert_non_null(v0);
	assert_int_equal(v2 - v0, 32); /* stride: 12 rounded up to 16 */
	assert_null(xbpf_map_lookup_prog(map, &(uint32_t){ 4 }, 0));
	struct xbpf_region r;
	assert_true(xbpf_map_value_region(map, (uintptr_t)v2 + 4, 8, &r));
	assert_int_equal(r.start, (uintptr_t)v2);
	assert_int_equal(r.end, (uintptr_t)v2 + 12);
	assert_false(xbpf_map_value_region(map, (uintptr_t)v2 + 8, 8, &r)); /* into padding */
	assert_false(xbpf_map_value_region(map, (uintptr_t)v0 + 64, 1, &r));
	uint64_t x[2] = { 5, 0 };
	assert_int_equal(xbpf_map_update_prog(map, &key, x, XBPF_ANY, 0), 0);
	uint64_t sum = 0;
	assert_int_equal(xbpf_map_for_each_prog(map, sum_cb, &sum, 0, 0), 4);
	assert_int_equal(sum, 5);
	xbpf_epoch_exit();
	xbpf_map_put(map);

	/* Global data: one value, read-only for programs, checked whole. */
	map = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 100, 1, XBPF_F_RDONLY_PROG | XBPF_F_MMAPABLE);
	char *data = xbpf_map_lookup_prog(map, &(uint32_t){ 0 }, 0);
	assert_true(xbpf_map_value_region(map, (uintptr_t)data + 99, 1, &r));
	assert_int_equal(r.end - r.start, 100);
	assert_int_equal(r.perm, XBPF_MEM_READ);
	assert_int_equal(xbpf_map_update_prog(map, &(uint32_t){ 0 }, data, XBPF_ANY, 0), -EPERM);
	assert_int_equal(xbpf_map_freeze(map), 0);
	assert_int_equal(xbpf_map_update_elem(map, &(uint32_t){ 0 }, data, XBPF_ANY), -EPERM);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

static void percpu_array_slots(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	unsigned ncpus = xbpf_num_possible_cpus();
	struct xbpf_map *map = make_map(rt, XBPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0);
	assert_int_equal(xbpf_map_host_value_size(map), 8 * ncpus);
	uint32_t *in = calloc(ncpus, 8), *out = calloc(ncpus, 8);
	for (unsigned c = 0; c < ncpus; c++)
		in[2 * c] = 10 + c;
	uint32_t key = 1;
	assert_int_equal(xbpf_map_update_elem(map, &key, in, XBPF_ANY), 0);
	xbpf_epoch_enter();
	for (unsigned c = 0; c < ncpus; c++) {
		uint32_t *p = xbpf_map_lookup_prog(map, &key, c);
		assert_int_equal(*p, 10 + c);
		*p += 1;
	}
	assert_null(xbpf_map_lookup_prog(map, &key, ncpus));
	uint32_t v = 99;
	assert_int_equal(xbpf_map_update_prog(map, &key, &v, XBPF_ANY, 0), 0);
	xbpf_epoch_exit();
	assert_int_equal(xbpf_map_lookup_elem(map, &key, out), 0);
	for (unsigned c = 0; c < ncpus; c++)
		assert_int_equal(out[2 * c], c == 0 ? 99 : 11 + c);
	free(in);
	free(out);
	xbpf_map_put(map);
	xbpf_runtime_free(rt);
}

/* ---- PROG_ARRAY with stand-in program objects ---- */

#include "runtime/object.h"

static int programs_freed;

static void fake_prog_free(struct xbpf_obj *obj)
{
	programs_freed++;
	free(obj);
}

static const struct xbpf_obj_ops fake_prog_ops = { .free = fake_prog_free };

static struct xbpf_obj *fake_prog(struct xbpf_runtime *rt, uint32_t type)
{
	struct xbpf_obj *obj = calloc(1, sizeof(*obj) + sizeof(uint32_t));
	assert_non_null(obj);
	xbpf_obj_init(obj, rt, XBPF_OBJ_PROGRAM, &fake_prog_ops, "prog");
	memcpy(obj + 1, &type, sizeof(type));
	assert_int_equal(xbpf_obj_publish(obj), 0);
	return obj;
}

/* The loader's hook: the first program claims the array for its type. */
static int same_type(struct xbpf_map *array, struct xbpf_prog_array_owner *owner,
		     struct xbpf_obj *prog)
{
	uint32_t type;
	memcpy(&type, prog + 1, sizeof(type));
	if (!owner->claimed) {
		owner->claimed = true;
		owner->prog_type = type;
		return 0;
	}
	return owner->prog_type == type ? 0 : -EINVAL;
}

static void prog_array_holds_programs(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *array = make_map(rt, XBPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
	struct xbpf_map *not_prog = make_map(rt, XBPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
	struct xbpf_obj *p1 = fake_prog(rt, 6), *p2 = fake_prog(rt, 6), *p3 = fake_prog(rt, 7);
	uint32_t key = 0, id1 = p1->id, id2 = p2->id, id3 = p3->id, map_id = xbpf_map_id(not_prog);
	uint32_t out, missing = 4242;
	programs_freed = 0;

	xbpf_prog_array_set_compat(same_type);
	assert_int_equal(xbpf_map_update_elem(array, &key, &map_id, XBPF_ANY), -EINVAL);
	assert_int_equal(xbpf_map_update_elem(array, &key, &missing, XBPF_ANY), -EBADF);
	assert_int_equal(xbpf_map_update_elem(array, &key, &id1, XBPF_NOEXIST), -EINVAL);
	assert_int_equal(xbpf_map_update_elem(array, &(uint32_t){ 4 }, &id1, XBPF_ANY), -E2BIG);
	assert_int_equal(xbpf_map_update_elem(array, &key, &id1, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_update_elem(array, &(uint32_t){ 1 }, &id2, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_update_elem(array, &(uint32_t){ 2 }, &id3, XBPF_ANY), -EINVAL);
	assert_int_equal(xbpf_map_lookup_elem(array, &key, &out), 0);
	assert_int_equal(out, id1);
	assert_int_equal(xbpf_map_lookup_elem(array, &(uint32_t){ 2 }, &out), -ENOENT);

	xbpf_epoch_enter();
	assert_ptr_equal(xbpf_prog_array_lookup(array, 1), p2);
	assert_null(xbpf_prog_array_lookup(array, 2));
	assert_null(xbpf_prog_array_lookup(array, 9));
	assert_null(xbpf_prog_array_lookup(not_prog, 0));
	assert_null(xbpf_map_lookup_prog(array, &key, 0));
	xbpf_epoch_exit();

	assert_int_equal(xbpf_map_delete_elem(array, &(uint32_t){ 1 }), 0);
	assert_int_equal(xbpf_map_delete_elem(array, &(uint32_t){ 1 }), -ENOENT);
	assert_int_equal(xbpf_map_delete_elem(array, &(uint32_t){ 7 }), -E2BIG);

	/* The array keeps p1 alive after its creator lets go. */
	xbpf_obj_put_user(p1);
	xbpf_obj_put_user(p2);
	xbpf_obj_put_user(p3);
	xbpf_epoch_barrier();
	assert_int_equal(programs_freed, 2);

	/* The last host-side holder of the array empties it (Linux's uref
	 * rule), which releases p1 even while the array itself lives on. */
	xbpf_map_ref(array);
	xbpf_map_put(array);
	xbpf_epoch_barrier();
	assert_int_equal(programs_freed, 3);
	xbpf_map_unref(array);
	xbpf_prog_array_set_compat(NULL);
	xbpf_map_put(not_prog);
	xbpf_runtime_free(rt);
}

static void array_of_maps(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct xbpf_map *tmpl = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 4, 8, 0);
	struct xbpf_map *inner = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 4, 8, 0);
	struct xbpf_map *other = make_map(rt, XBPF_MAP_TYPE_HASH, 4, 8, 8, 0);
	struct xbpf_map_create_opts opts = { .sz = sizeof(opts), .inner_map = tmpl };
	struct xbpf_map *outer;
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_ARRAY_OF_MAPS, "o", 4, 4, 2, &opts,
					 &outer),
			 0);
	uint32_t key = 1, id = xbpf_map_id(inner), other_id = xbpf_map_id(other), out;
	assert_int_equal(xbpf_map_update_elem(outer, &key, &other_id, XBPF_ANY), -EINVAL);
	assert_int_equal(xbpf_map_update_elem(outer, &key, &id, XBPF_ANY), 0);
	assert_int_equal(xbpf_map_lookup_elem(outer, &key, &out), 0);
	assert_int_equal(out, id);
	xbpf_epoch_enter();
	struct xbpf_map *found = xbpf_map_lookup_prog(outer, &key, 0);
	assert_ptr_equal(found, inner);
	assert_null(xbpf_map_lookup_prog(outer, &(uint32_t){ 0 }, 0));
	xbpf_epoch_exit();
	assert_int_equal(xbpf_map_lookup_elem(outer, &(uint32_t){ 0 }, &out), -ENOENT);

	/* Freeing the outer map releases the inner one. */
	xbpf_map_put(inner);
	xbpf_map_put(outer);
	xbpf_epoch_barrier();
	xbpf_epoch_barrier();
	struct xbpf_map *again;
	assert_int_equal(xbpf_map_get_by_id(rt, id, &again), -ENOENT);
	xbpf_map_put(other);
	xbpf_map_put(tmpl);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(array_create_checks),
		cmocka_unit_test(array_semantics),
		cmocka_unit_test(array_program_path_and_regions),
		cmocka_unit_test(percpu_array_slots),
		cmocka_unit_test(prog_array_holds_programs),
		cmocka_unit_test(array_of_maps),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	xbpf_epoch_barrier();
	return failed;
}
