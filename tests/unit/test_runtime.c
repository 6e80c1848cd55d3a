/* SPDX-License-Identifier: MIT */
/* Runtime: logging, object ids and references, pins, epochs, CPU count. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/epoch.h"
#include "runtime/log.h"
#include "runtime/object.h"
#include "runtime/runtime.h"

/* ---- a test object ---- */

struct test_obj {
	struct xbpf_obj obj;
	int *freed;
	int *released;
};

static void test_obj_free(struct xbpf_obj *obj)
{
	struct test_obj *t = (struct test_obj *)obj;
	if (t->freed)
		(*t->freed)++;
	free(t);
}

static void test_obj_release_uref(struct xbpf_obj *obj)
{
	struct test_obj *t = (struct test_obj *)obj;
	if (t->released)
		(*t->released)++;
}

static const struct xbpf_obj_ops test_obj_ops = {
	.free = test_obj_free,
	.release_uref = test_obj_release_uref,
};

static struct test_obj *new_obj(struct xbpf_runtime *rt, enum xbpf_object_kind kind, int *freed,
				int *released)
{
	struct test_obj *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->freed = freed;
	t->released = released;
	xbpf_obj_init(&t->obj, rt, kind, &test_obj_ops, "obj");
	assert_int_equal(xbpf_obj_publish(&t->obj), 0);
	return t;
}

static struct xbpf_runtime *quiet_runtime(void)
{
	struct xbpf_runtime *rt;
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_ERROR);
	return rt;
}

/* ---- logging ---- */

struct collected {
	char text[1024];
	int calls;
	enum xbpf_log_level last_level;
};

static void collect(void *user, enum xbpf_log_level level, const char *msg)
{
	struct collected *c = user;
	c->calls++;
	c->last_level = level;
	strncat(c->text, msg, sizeof(c->text) - strlen(c->text) - 1);
	strncat(c->text, "|", sizeof(c->text) - strlen(c->text) - 1);
}

static void log_callback_filters_by_level(void **state)
{
	struct xbpf_runtime *rt;
	struct collected c = { 0 };
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, collect, &c, XBPF_LOG_INFO);
	xbpf_log(rt, XBPF_LOG_ERROR, "bad %d", 1);
	xbpf_log(rt, XBPF_LOG_DEBUG, "hidden");
	xbpf_log(rt, XBPF_LOG_INFO, "note");
	assert_string_equal(c.text, "bad 1|note|");
	assert_int_equal(c.last_level, XBPF_LOG_INFO);
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_DEBUG);
	xbpf_log(rt, XBPF_LOG_ERROR, "silenced");
	assert_int_equal(c.calls, 2);
	xbpf_runtime_free(rt);
}

static void log_long_message_is_whole(void **state)
{
	struct xbpf_runtime *rt;
	struct collected c = { 0 };
	char big[700];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, collect, &c, XBPF_LOG_DEBUG);
	xbpf_log(rt, XBPF_LOG_ERROR, "%s", big);
	assert_int_equal(strlen(c.text), sizeof(big)); /* 699 x and '|' */
	xbpf_runtime_free(rt);
}

static void log_capture_collects_and_truncates(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	char text[16];
	struct xbpf_log_buf buf = { .buf = text, .size = sizeof(text) };
	struct xbpf_log_capture cap;

	xbpf_log(rt, XBPF_LOG_ERROR, "before");
	xbpf_log_capture_begin(&cap, &buf, XBPF_LOG_INFO);
	xbpf_log(rt, XBPF_LOG_ERROR, "one");
	xbpf_log(NULL, XBPF_LOG_WARN, "two");
	xbpf_log(rt, XBPF_LOG_DEBUG, "not at this level");
	xbpf_log_capture_end(&cap);
	xbpf_log(rt, XBPF_LOG_ERROR, "after");
	assert_string_equal(text, "one\ntwo\n");
	assert_false(buf.truncated);

	xbpf_log_capture_begin(&cap, &buf, XBPF_LOG_INFO);
	xbpf_log(rt, XBPF_LOG_ERROR, "overflowing");
	xbpf_log_capture_end(&cap);
	assert_true(buf.truncated);
	assert_int_equal(buf.len, sizeof(text) - 1);
	assert_string_equal(text, "one\ntwo\noverflo");
	xbpf_runtime_free(rt);
}

static void log_capture_nests(void **state)
{
	char outer_text[64] = "", inner_text[64] = "";
	struct xbpf_log_buf outer = { .buf = outer_text, .size = sizeof(outer_text) };
	struct xbpf_log_buf inner = { .buf = inner_text, .size = sizeof(inner_text) };
	struct xbpf_log_capture c1, c2;

	xbpf_log_capture_begin(&c1, &outer, XBPF_LOG_DEBUG);
	xbpf_log(NULL, XBPF_LOG_ERROR, "a");
	xbpf_log_capture_begin(&c2, &inner, XBPF_LOG_DEBUG);
	xbpf_log(NULL, XBPF_LOG_ERROR, "b");
	xbpf_log_capture_end(&c2);
	xbpf_log(NULL, XBPF_LOG_ERROR, "c");
	xbpf_log_capture_end(&c1);
	assert_string_equal(outer_text, "a\nc\n");
	assert_string_equal(inner_text, "b\n");
}

/* ---- objects and ids ---- */

static void ids_are_unique_and_not_reused(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	int freed = 0;
	struct test_obj *a = new_obj(rt, XBPF_OBJ_MAP, &freed, NULL);
	struct test_obj *b = new_obj(rt, XBPF_OBJ_PROGRAM, &freed, NULL);
	uint32_t ida = a->obj.id, idb = b->obj.id;
	assert_true(ida > 0);
	assert_true(idb > ida);

	xbpf_obj_put_user(&a->obj);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 1);
	struct test_obj *c = new_obj(rt, XBPF_OBJ_MAP, &freed, NULL);
	assert_true(c->obj.id > idb);

	struct xbpf_obj *found;
	assert_int_equal(xbpf_obj_get_by_id(rt, ida, 0, false, &found), -ENOENT);
	assert_int_equal(xbpf_obj_get_by_id(rt, idb, XBPF_OBJ_MAP, false, &found), -EINVAL);
	assert_int_equal(xbpf_obj_get_by_id(rt, idb, XBPF_OBJ_PROGRAM, true, &found), 0);
	assert_ptr_equal(found, &b->obj);
	xbpf_obj_put_user(found);

	uint32_t next;
	assert_int_equal(xbpf_obj_next_id(rt, 0, 0, &next), 0);
	assert_int_equal(next, idb);
	assert_int_equal(xbpf_obj_next_id(rt, XBPF_OBJ_MAP, 0, &next), 0);
	assert_int_equal(next, c->obj.id);
	assert_int_equal(xbpf_obj_next_id(rt, 0, c->obj.id, &next), -ENOENT);

	xbpf_obj_put_user(&b->obj);
	xbpf_obj_put_user(&c->obj);
	xbpf_runtime_free(rt);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 3);
}

static void user_refs_release_once(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	int freed = 0, released = 0;
	struct test_obj *a = new_obj(rt, XBPF_OBJ_MAP, &freed, &released);

	xbpf_obj_get(&a->obj);      /* an internal holder */
	xbpf_obj_get_user(&a->obj); /* a second handle */
	xbpf_obj_put_user(&a->obj);
	assert_int_equal(released, 0);
	xbpf_obj_put_user(&a->obj);
	assert_int_equal(released, 1);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 0); /* still held internally */

	/* Found again by id: a host-side holder once more. */
	struct xbpf_obj *found;
	assert_int_equal(xbpf_obj_get_by_id(rt, a->obj.id, 0, true, &found), 0);
	xbpf_obj_put_user(found);
	assert_int_equal(released, 2);
	xbpf_obj_put(&a->obj);
	xbpf_runtime_free(rt);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 1);
}

static void object_names_are_checked(void **state)
{
	char longest[XBPF_OBJ_NAME_LEN];
	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	assert_true(xbpf_obj_name_valid(NULL));
	assert_true(xbpf_obj_name_valid("my_map.v2"));
	assert_true(xbpf_obj_name_valid(longest));
	longest[sizeof(longest) - 1] = 'n';
	char too_long[XBPF_OBJ_NAME_LEN + 1];
	memcpy(too_long, longest, XBPF_OBJ_NAME_LEN);
	too_long[XBPF_OBJ_NAME_LEN] = '\0';
	assert_false(xbpf_obj_name_valid(too_long));
	assert_false(xbpf_obj_name_valid("with space"));
	assert_false(xbpf_obj_name_valid("slash/"));
}

/* ---- pins ---- */

struct seen {
	char paths[8][XBPF_PIN_PATH_LEN];
	int n;
	int stop_after;
};

static int record_pin(void *user, const char *path, enum xbpf_object_kind kind, uint32_t id)
{
	struct seen *s = user;
	strcpy(s->paths[s->n++], path);
	return s->n == s->stop_after ? 42 : 0;
}

static void pins_hold_objects_and_list_in_order(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	int freed = 0;
	struct test_obj *a = new_obj(rt, XBPF_OBJ_MAP, &freed, NULL);
	struct test_obj *b = new_obj(rt, XBPF_OBJ_PROGRAM, &freed, NULL);

	assert_int_equal(xbpf_obj_pin(&a->obj, "net/maps/a"), 0);
	assert_int_equal(xbpf_obj_pin(&b->obj, "net/progs/b"), 0);
	assert_int_equal(xbpf_obj_pin(&a->obj, "other"), 0);
	assert_int_equal(xbpf_obj_pin(&b->obj, "net-x"), 0);
	assert_int_equal(xbpf_obj_pin(&b->obj, "net/maps/a"), -EEXIST);
	assert_int_equal(xbpf_obj_pin(&b->obj, "net/maps"), -EEXIST);
	assert_int_equal(xbpf_obj_pin(&b->obj, "other/below"), -ENOTDIR);
	xbpf_obj_put_user(&a->obj);
	xbpf_obj_put_user(&b->obj);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 0);

	assert_int_equal(xbpf_pinned_kind(rt, "net/progs/b"), XBPF_OBJ_PROGRAM);
	assert_int_equal(xbpf_pinned_kind(rt, "net/progs"), -ENOENT);

	struct seen s = { .stop_after = -1 };
	assert_int_equal(xbpf_pin_foreach(rt, "net", record_pin, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.paths[0], "net/maps/a");
	assert_string_equal(s.paths[1], "net/progs/b");
	s = (struct seen){ .stop_after = 2 };
	assert_int_equal(xbpf_pin_foreach(rt, "", record_pin, &s), 42);
	assert_string_equal(s.paths[0], "net-x");
	assert_string_equal(s.paths[1], "net/maps/a");
	s = (struct seen){ .stop_after = -1 };
	assert_int_equal(xbpf_pin_foreach(rt, "net/maps/", record_pin, &s), 0);
	assert_int_equal(s.n, 1);

	struct xbpf_obj *found;
	assert_int_equal(xbpf_obj_get_pinned(rt, "other", XBPF_OBJ_MAP, &found), 0);
	assert_ptr_equal(found, &a->obj);
	xbpf_obj_put_user(found);
	assert_int_equal(xbpf_obj_get_pinned(rt, "other", XBPF_OBJ_PROGRAM, &found), -EINVAL);

	assert_int_equal(xbpf_unpin(rt, "net/maps/a"), 0);
	assert_int_equal(xbpf_unpin(rt, "net/maps/a"), -ENOENT);
	assert_int_equal(xbpf_unpin(rt, "other"), 0);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 1); /* a had no pin or handle left */

	/* Freeing the runtime drops the remaining pins. */
	xbpf_runtime_free(rt);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 2);
}

static void pin_paths_are_validated(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	struct test_obj *a = new_obj(rt, XBPF_OBJ_MAP, NULL, NULL);
	char too_long[XBPF_PIN_PATH_LEN + 1];
	memset(too_long, 'p', XBPF_PIN_PATH_LEN);
	too_long[XBPF_PIN_PATH_LEN] = '\0';
	const char *bad[] = { "", "/abs", "a//b", "a/", "./a", "a/../b", "a/.", "ctl\x01",
			      too_long };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(xbpf_obj_pin(&a->obj, bad[i]), -EINVAL);
	assert_int_equal(xbpf_obj_pin(&a->obj, NULL), -EINVAL);
	assert_int_equal(xbpf_unpin(rt, "a/../b"), -EINVAL);
	assert_int_equal(xbpf_obj_pin(&a->obj, "a.b/..c/d..e"), 0);
	xbpf_obj_put_user(&a->obj);
	xbpf_runtime_free(rt);
}

/* An object held by a handle outlives the runtime's host reference. */
static void objects_outlive_runtime_free(void **state)
{
	struct xbpf_runtime *rt = quiet_runtime();
	int freed = 0;
	struct test_obj *a = new_obj(rt, XBPF_OBJ_MAP, &freed, NULL);
	assert_int_equal(xbpf_obj_pin(&a->obj, "p"), 0);
	xbpf_runtime_free(rt);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 0);
	assert_int_equal(a->obj.name[0], 'o');
	xbpf_obj_put_user(&a->obj);
	xbpf_epoch_barrier();
	assert_int_equal(freed, 1);
}

/* ---- epochs ---- */

static int deferred_runs;

static void count_deferred(struct xbpf_epoch_head *head)
{
	(void)head;
	deferred_runs++;
}

static void *reader_thread(void *arg)
{
	_Atomic int *phase = arg;
	xbpf_epoch_enter();
	atomic_store(phase, 1);
	while (atomic_load(phase) != 2)
		;
	xbpf_epoch_exit();
	return NULL;
}

static void *defer_from_thread(void *arg)
{
	/* A fresh thread registers itself lazily. */
	void *p = xbpf_epoch_alloc(32);
	xbpf_epoch_defer_free(p);
	(void)arg;
	return NULL;
}

static void epoch_defers_until_readers_leave(void **state)
{
	_Atomic int phase = 0;
	pthread_t t;
	struct xbpf_epoch_head head;

	deferred_runs = 0;
	assert_int_equal(pthread_create(&t, NULL, reader_thread, &phase), 0);
	while (atomic_load(&phase) != 1)
		;
	xbpf_epoch_call(&head, count_deferred);
	/* The reader is still inside its epoch: the callback must wait. */
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	assert_int_equal(deferred_runs, 0);
	atomic_store(&phase, 2);
	pthread_join(t, NULL);
	xbpf_epoch_barrier();
	assert_int_equal(deferred_runs, 1);

	assert_false(xbpf_epoch_inside());
	xbpf_epoch_enter();
	xbpf_epoch_enter();
	assert_true(xbpf_epoch_inside());
	xbpf_epoch_exit();
	xbpf_epoch_exit();
	assert_false(xbpf_epoch_inside());

	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_create(&t, NULL, defer_from_thread, NULL), 0);
		pthread_join(t, NULL);
	}
	xbpf_epoch_synchronize();
	xbpf_epoch_barrier();
}

static void possible_cpus_matches_sysfs(void **state)
{
	unsigned n = xbpf_num_possible_cpus();
	assert_true(n >= 1);
	assert_int_equal(n, xbpf_num_possible_cpus());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(log_callback_filters_by_level),
		cmocka_unit_test(log_long_message_is_whole),
		cmocka_unit_test(log_capture_collects_and_truncates),
		cmocka_unit_test(log_capture_nests),
		cmocka_unit_test(ids_are_unique_and_not_reused),
		cmocka_unit_test(user_refs_release_once),
		cmocka_unit_test(object_names_are_checked),
		cmocka_unit_test(pins_hold_objects_and_list_in_order),
		cmocka_unit_test(pin_paths_are_validated),
		cmocka_unit_test(objects_outlive_runtime_free),
		cmocka_unit_test(epoch_defers_until_readers_leave),
		cmocka_unit_test(possible_cpus_matches_sysfs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
