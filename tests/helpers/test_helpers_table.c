/* SPDX-License-Identifier: MIT */
/*
 * The core helper table: Linux ids and names, GPL-only flags as Linux
 * sets them (bpf_tail_call, from the program layer, among them), and prototypes the
 * call gate can use.
 */
#include <linux/bpf.h>

#include "helper_test.h"

static void test_ids_and_names(void **state)
{
	uint32_t id, count = 0;

	assert_string_equal(xbpf_linux_helper_name(BPF_FUNC_map_lookup_elem), "bpf_map_lookup_elem");
	assert_string_equal(xbpf_linux_helper_name(BPF_FUNC_tail_call), "bpf_tail_call");
	assert_string_equal(xbpf_linux_helper_name(BPF_FUNC_strncmp), "bpf_strncmp");
	assert_null(xbpf_linux_helper_name(0));
	assert_null(xbpf_linux_helper_name(__BPF_FUNC_MAX_ID));
	assert_null(xbpf_linux_helper_name(UINT32_MAX));

	for (id = 0; id < 1024; id++) {
		const struct xbpf_helper *h = xbpf_core_helper(id);

		if (!h)
			continue;
		count++;
		assert_int_equal(h->id, id);
		assert_non_null(xbpf_linux_helper_name(id));
		assert_string_equal(h->name, xbpf_linux_helper_name(id));
		assert_int_equal(h->hdr.version, XBPF_ABI_VERSION);
		assert_int_equal(h->hdr.size, sizeof(struct xbpf_helper));
		assert_non_null(h->fn);
	}
	assert_int_equal(count, 31);
	assert_string_equal(xbpf_core_helper(BPF_FUNC_tail_call)->name, "bpf_tail_call");
	assert_null(xbpf_core_helper(0));
	assert_null(xbpf_core_helper(UINT32_MAX));
}

static void test_gpl_only(void **state)
{
	const uint32_t gpl[] = {BPF_FUNC_trace_printk, BPF_FUNC_snprintf, BPF_FUNC_probe_read_user,
				BPF_FUNC_probe_read_user_str};
	uint32_t id;
	size_t i;

	for (id = 0; id < 1024; id++) {
		const struct xbpf_helper *h = xbpf_core_helper(id);
		bool want = false;

		if (!h)
			continue;
		for (i = 0; i < sizeof(gpl) / sizeof(gpl[0]); i++)
			want |= gpl[i] == id;
		if (want != !!(h->flags & XBPF_HELPER_GPL_ONLY))
			fail_msg("%s: GPL-only should be %d", h->name, want);
		assert_false(h->flags & XBPF_HELPER_CHANGES_PACKET);
	}
}

/* Memory arguments come with their size right after them, and every map
 * key or value follows a map: what the gate needs to check them. */
static void test_prototypes_are_checkable(void **state)
{
	uint32_t id;
	int i;

	for (id = 0; id < 1024; id++) {
		const struct xbpf_helper *h = xbpf_core_helper(id);
		bool map = false;

		if (!h)
			continue;
		for (i = 0; i < 5 && h->args[i]; i++) {
			enum xbpf_arg_kind k = XBPF_ARG_KIND(h->args[i]);

			if (k == XBPF_ARG_PTR_TO_MEM || k == XBPF_ARG_PTR_TO_UNINIT_MEM) {
				assert_true(i + 1 < 5);
				assert_true(XBPF_ARG_KIND(h->args[i + 1]) == XBPF_ARG_CONST_SIZE ||
					    XBPF_ARG_KIND(h->args[i + 1]) == XBPF_ARG_CONST_SIZE_OR_ZERO);
			}
			if (k == XBPF_ARG_PTR_TO_MAP_KEY || k == XBPF_ARG_PTR_TO_MAP_VALUE ||
			    k == XBPF_ARG_PTR_TO_UNINIT_MAP_VALUE)
				assert_true(map);
			map |= k == XBPF_ARG_CONST_MAP_PTR;
			/* widths as Linux declares them: u32 or 64 bits */
			assert_true(h->arg_width[i] == 4 || h->arg_width[i] == 8);
		}
		for (; i < 5; i++)
			assert_int_equal(h->args[i], XBPF_ARG_NONE);
		if (h->ret == XBPF_RET_INTEGER)
			assert_true(h->ret_width == 4 || h->ret_width == 8);
	}
	assert_int_equal(xbpf_core_helper(BPF_FUNC_loop)->arg_width[0], 4);             /* __u32 nr_loops */
	assert_int_equal(xbpf_core_helper(BPF_FUNC_trace_printk)->arg_width[1], 4);     /* __u32 fmt_size */
	assert_int_equal(xbpf_core_helper(BPF_FUNC_snprintf)->arg_width[4], 4);         /* __u32 data_len */
	assert_int_equal(xbpf_core_helper(BPF_FUNC_get_prandom_u32)->ret_width, 4);     /* __u32 */
	assert_int_equal(xbpf_core_helper(BPF_FUNC_ringbuf_reserve)->arg_width[1], 8);  /* __u64 size */
	assert_int_equal(xbpf_core_helper(BPF_FUNC_spin_lock)->ret, XBPF_RET_VOID);
	assert_int_equal(xbpf_core_helper(BPF_FUNC_map_pop_elem)->args[1], XBPF_ARG_PTR_TO_UNINIT_MAP_VALUE);
	assert_int_equal(xbpf_core_helper(BPF_FUNC_snprintf)->args[0],
			 XBPF_ARG_PTR_TO_UNINIT_MEM | XBPF_ARG_MAYBE_NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_and_names),
		cmocka_unit_test(test_gpl_only),
		cmocka_unit_test(test_prototypes_are_checkable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
