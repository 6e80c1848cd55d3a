/* SPDX-License-Identifier: MIT */
/*
 * The xdp extension module as the core loads it, with the fake core: its
 * init registers the program type and both hooks, and a hook registered
 * that way (its ctx set by the module) replays a capture.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_core.h"
#include "pcap_files.h"
#include "test_prog.h"

static const struct xbpf_hook_provider *find_hook(const char *name)
{
	for (size_t i = 0; i < fake_n_hooks; i++)
		if (strcmp(fake_hooks[i].name, name) == 0)
			return &fake_hooks[i];
	return NULL;
}

static void test_module_registers_and_replays(void **state)
{
	void *module = dlopen(XDP_MODULE, RTLD_NOW | RTLD_LOCAL);
	if (!module)
		fail_msg("%s", dlerror());
	const struct xbpf_extension_def *def = dlsym(module, XBPF_EXTENSION_SYMBOL);
	assert_non_null(def);
	assert_string_equal(def->name, "xdp");
	assert_int_equal(def->init(fake_env.ext, fake_env.core), 0);

	assert_int_equal(fake_n_program_types, 1);
	assert_string_equal(fake_program_types[0], "xdp");
	const struct xbpf_hook_provider *pcap = find_hook("xdp/pcap");
	assert_non_null(pcap);
	assert_non_null(find_hook("xdp/live"));
	/* XSKMAP and DEVMAP, with their Linux numbers. */
	assert_int_equal(fake_n_map_types, 2);
	assert_int_equal(fake_map_types[0], 17);
	assert_int_equal(fake_map_types[1], 14);
	assert_string_equal(pcap->program_type, "xdp");
	assert_non_null(pcap->ctx);

	char dir[] = "/tmp/xbpf-module-test.XXXXXX", in[64], in_param[80], blob[80];
	assert_non_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/in.pcap", dir);
	int n = snprintf(in_param, sizeof(in_param), "in=%s", in);
	memcpy(blob, in_param, (size_t)n + 1);
	struct pcap_records input = {0};
	pcap_write_traffic(in, 8, 100, &input);

	struct xbpf_link link;
	void *link_state;
	fake_link_init(&link, test_prog);
	fake_log_clear();
	assert_int_equal(pcap->attach(pcap->ctx, &link, blob, (size_t)n + 1, &link_state), 0);
	assert_int_equal(fake_link_wait(&link, 30000), 0);
	pcap->detach(pcap->ctx, &link, link_state);
	assert_int_equal(fake_counter(&link, "received"), 100);
	assert_true(fake_counters_balance(&link));
	/* Messages reach the core's log through the module's environment. */
	fake_log_clear();
	assert_int_equal(pcap->attach(pcap->ctx, &link, "bad=1", 6, &link_state), -EINVAL);
	assert_non_null(strstr(fake_log(), "xdp/pcap: unknown parameter 'bad'"));

	fake_link_fini(&link);
	records_free(&input);
	unlink(in);
	rmdir(dir);
	dlclose(module);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_registers_and_replays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
