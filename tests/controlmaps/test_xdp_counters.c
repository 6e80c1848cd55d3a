/* SPDX-License-Identifier: MIT */
/*
 * The xdp extension's control map "ext/xdp/interfaces": after pcap replays
 * through verdict_mix, the counters per interface (ifindex) match the
 * verdicts the hooks counted per link, and readers of older and newer
 * value layouts get what they know.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <cmocka.h>

#include <xbpf/xbpf.h>

#include "counters_map.h"
#include "link_counter.h"
#include "pcap_files.h"

#define FRAMES 300
#define WAIT_MS 60000 /* only guards against a hang */

static const char *object_path;
static char dir[] = "/tmp/xbpf-xdp-counters.XXXXXX", in_path[64];

/* Replays the capture through prog as interface ifindex; adds the link's
 * counts to want. */
static void replay(struct xbpf_program *prog, uint32_t ifindex, struct xdp_if_counters *want)
{
	char params[160];
	int n = snprintf(params, sizeof(params), "in=%s%cifindex=%u", in_path, '\0', ifindex);
	struct xbpf_link *link;
	assert_int_equal(xbpf_program_attach(prog, "xdp/pcap", params, (size_t)n + 1, &link), 0);
	assert_int_equal(xbpf_link_wait(link, WAIT_MS), 0);
	want->received += link_counter_value(link, "received");
	want->passed += link_counter_value(link, "pass");
	want->dropped += link_counter_value(link, "drop");
	want->transmitted += link_counter_value(link, "tx");
	want->redirected += link_counter_value(link, "redirect");
	want->aborted += link_counter_value(link, "aborted");
	want->errors += link_counter_value(link, "error");
	assert_int_equal(xbpf_link_detach(link), 0);
}

static void counters_match_the_verdicts(void **state)
{
	struct xbpf_runtime *rt;
	struct xbpf_extension *ext;
	struct xbpf_object *obj;
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	assert_int_equal(xbpf_extension_load(rt, "xdp", &ext), 0);
	assert_int_equal(xbpf_object_open_file(rt, object_path, NULL, &obj), 0);
	assert_int_equal(xbpf_object_load(obj, NULL), 0);
	struct xbpf_program *prog = xbpf_object_find_program(obj, "verdict_mix");
	assert_non_null(prog);

	/* Published when the extension loaded: no creation step. */
	struct xbpf_map *map;
	assert_int_equal(xbpf_map_get_pinned(rt, XDP_COUNTERS_PIN, &map), 0);
	uint32_t key;
	assert_int_equal(xbpf_map_get_next_key(map, NULL, &key), -ENOENT);

	struct xdp_if_counters want3 = {0}, want5 = {0}, got;
	replay(prog, 3, &want3);
	replay(prog, 3, &want3); /* a second link on the same interface adds up */
	replay(prog, 5, &want5);
	assert_int_equal(want3.received, 2 * FRAMES);
	/* The capture gets several verdicts, or the test proves little. */
	assert_true(want3.passed > 0 && want3.dropped > 0 && want3.transmitted > 0 &&
		    want3.aborted > 0);

	key = 3;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_memory_equal(&got, &want3, sizeof(got));
	key = 5;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), 0);
	assert_memory_equal(&got, &want5, sizeof(got));
	key = 4;
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), -ENOENT);

	/* Interfaces in ifindex order. */
	assert_int_equal(xbpf_map_get_next_key(map, NULL, &key), 0);
	assert_int_equal(key, 3);
	assert_int_equal(xbpf_map_get_next_key(map, &key, &key), 0);
	assert_int_equal(key, 5);
	assert_int_equal(xbpf_map_get_next_key(map, &key, &key), -ENOENT);

	/* An older reader, built when the value had six fields; and a newer
	 * one that knows a field this extension does not have. */
	key = 3;
	uint64_t older[6], newer[9];
	memset(newer, 0xff, sizeof(newer));
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, older, sizeof(older)), 0);
	assert_memory_equal(older, &want3, sizeof(older));
	assert_int_equal(xbpf_map_lookup_elem_sized(map, &key, newer, sizeof(newer)), 0);
	assert_memory_equal(newer, &want3, sizeof(want3));
	assert_int_equal(newer[7], 0);
	assert_int_equal(newer[8], 0);
	/* BTF names the fields, in the order of struct xdp_if_counters. */
	const void *raw;
	size_t size;
	uint32_t key_id, value_id;
	assert_int_equal(xbpf_map_btf(map, &raw, &size, &key_id, &value_id), 0);
	struct btf *btf = btf__new(raw, (uint32_t)size);
	assert_non_null(btf);
	assert_int_equal(btf__resolve_size(btf, key_id), 4);
	const struct btf_type *t = btf__type_by_id(btf, value_id);
	static const char *const fields[] = {"received", "passed", "dropped", "transmitted",
					     "redirected", "aborted", "errors"};
	assert_int_equal(btf_vlen(t), 7);
	for (int i = 0; i < 7; i++) {
		assert_string_equal(btf__name_by_offset(btf, btf_members(t)[i].name_off), fields[i]);
		assert_int_equal(btf_members(t)[i].offset, i * 64);
	}
	btf__free(btf);
	/* Read-only. */
	assert_int_equal(xbpf_map_update_elem(map, &key, &got, XBPF_ANY), -EPERM);

	/* The extension leaves: the map stays pinned, orphaned; it comes back
	 * and serves the map again, counting from its load. */
	xbpf_object_close(obj);
	assert_int_equal(xbpf_extension_unload(ext), 0);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), -XBPF_EDETACHED);
	assert_int_equal(xbpf_extension_load(rt, "xdp", &ext), 0);
	struct xbpf_map *again;
	assert_int_equal(xbpf_map_get_pinned(rt, XDP_COUNTERS_PIN, &again), 0);
	assert_ptr_equal(again, map);
	xbpf_map_put(again);
	assert_int_equal(xbpf_map_lookup_elem(map, &key, &got), -ENOENT);

	xbpf_map_put(map);
	assert_int_equal(xbpf_extension_unload(ext), 0);
	xbpf_runtime_free(rt);
}

/* "ext/" belongs to the extensions' control maps: a host cannot pin there
 * (so it cannot squat a path an extension publishes), and the extension
 * loads and publishes whatever the host tried. */
static void hosts_cannot_pin_under_ext(void **state)
{
	(void)state;
	struct xbpf_runtime *rt;
	struct xbpf_map *map, *pinned;
	struct xbpf_extension *ext;
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_ERROR);
	assert_int_equal(xbpf_map_create(rt, XBPF_MAP_TYPE_ARRAY, "squat", 4, 8, 1, NULL, &map), 0);
	assert_int_equal(xbpf_map_pin(map, XDP_COUNTERS_PIN), -EPERM);
	assert_int_equal(xbpf_map_pin(map, "ext/other/name"), -EPERM);
	assert_int_equal(xbpf_map_pin(map, "ext"), -EPERM);
	assert_int_equal(xbpf_map_pin(map, "extra/name"), 0);
	xbpf_map_put(map);
	assert_int_equal(xbpf_extension_load(rt, "xdp", &ext), 0);
	assert_int_equal(xbpf_map_get_pinned(rt, XDP_COUNTERS_PIN, &pinned), 0);
	assert_int_equal(xbpf_map_host_value_size(pinned), sizeof(struct xdp_if_counters));
	xbpf_map_put(pinned);
	xbpf_runtime_free(rt);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s verdict_mix.bpf.o\n", argv[0]);
		return 2;
	}
	object_path = argv[1];
	if (!mkdtemp(dir))
		return 1;
	snprintf(in_path, sizeof(in_path), "%s/in.pcap", dir);
	struct pcap_records input = {0};
	pcap_write_traffic(in_path, 5, FRAMES, &input);
	records_free(&input);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_match_the_verdicts),
		cmocka_unit_test(hosts_cannot_pin_under_ext),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(in_path);
	rmdir(dir);
	return failed;
}
