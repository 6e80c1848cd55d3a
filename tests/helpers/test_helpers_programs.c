/* SPDX-License-Identifier: MIT */
/*
 * The core helpers under a program built the way program authors build
 * them (clang -target bpf, libbpf's bpf_helpers.h, format strings and
 * constants in .rodata), loaded whole and run with test_run as an XDP
 * program: the loader, the program layer and the helpers agree.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "helper_test.h"

#define ALL_CHECKS 0x7f

static char log_text[4096];

static void log_fn(void *user, enum xbpf_log_level level, const char *msg)
{
	size_t len = strlen(log_text);

	snprintf(log_text + len, sizeof(log_text) - len, "%d:%s\n", level, msg);
}

static int on_sample(void *user, void *data, size_t size)
{
	*(uint64_t *)user = size == 8 ? *(uint64_t *)data : 0;
	return 0;
}

static void test_program_calls_helpers(void **state)
{
	static const uint8_t packet[64];
	struct xbpf_runtime *rt;
	struct xbpf_extension *xdp;
	struct xbpf_object *obj;
	struct xbpf_program *prog;
	struct xbpf_ringbuf_consumer *consumer;
	struct xbpf_program_load_opts load = {.sz = sizeof(load), .engine = XBPF_ENGINE_INTERPRETER};
	struct xbpf_test_run_opts run = {.sz = sizeof(run), .data_in = packet, .data_size_in = sizeof(packet)};
	struct {
		uint32_t lock;
		uint32_t pad;
		uint64_t count;
	} counted;
	uint64_t event = 0;
	char err[512] = "";
	struct xbpf_log_buf run_log = {.buf = err, .size = sizeof(err)};

	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, log_fn, NULL, XBPF_LOG_INFO);
	assert_int_equal(xbpf_extension_load(rt, XBPF_TEST_EXTENSION_DIR "/xdp.so", &xdp), 0);
	assert_int_equal(xbpf_object_open_file(rt, XBPF_TEST_BPF_OBJECT_DIR "/helpers_prog.bpf.o", NULL, &obj), 0);
	if (xbpf_object_load(obj, &load))
		fail_msg("load failed: %s", log_text);
	prog = xbpf_object_find_program(obj, "use_helpers");
	assert_non_null(prog);
	assert_int_equal(xbpf_ringbuf_consumer_create(xbpf_object_find_map(obj, "events"), on_sample, &event,
						      &consumer),
			 0);

	assert_int_equal(pthread_setname_np(pthread_self(), "xbpf-programs"), 0);
	log_text[0] = '\0';
	run.log = &run_log;
	if (xbpf_program_test_run(prog, &run))
		fail_msg("run failed: %s", err);
	if (run.retval != ALL_CHECKS)
		fail_msg("checks 0x%llx passed of 0x%x", (unsigned long long)run.retval, ALL_CHECKS);
	assert_non_null(strstr(log_text, "2:helpers say 42\n"));
	assert_int_equal(xbpf_ringbuf_consume(consumer), 1);
	assert_int_equal(event, 0xfeed);
	assert_int_equal(xbpf_map_lookup_elem(xbpf_object_find_map(obj, "counters"), &(uint32_t){0}, &counted), 0);
	assert_int_equal(counted.count, 1);
	assert_int_equal(counted.lock, 0);

	xbpf_ringbuf_consumer_free(consumer);
	xbpf_object_close(obj);
	assert_int_equal(xbpf_extension_unload(xdp), 0);
	xbpf_runtime_free(rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_calls_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
