/* SPDX-License-Identifier: MIT */
/* A hook's per-link counter by name, for cmocka tests of the xdp hooks. */
#ifndef XBPF_TESTS_XDP_LINK_COUNTER_H
#define XBPF_TESTS_XDP_LINK_COUNTER_H

#include <stdint.h>
#include <string.h>

#include <xbpf/xbpf.h>

/* Include after <cmocka.h>: a counter the hook does not keep fails the test. */
static inline uint64_t link_counter_value(struct xbpf_link *link, const char *want)
{
	const char *name;
	uint64_t value;
	for (size_t i = 0; xbpf_link_counter(link, i, &name, &value) == 0; i++)
		if (strcmp(name, want) == 0)
			return value;
	fail_msg("the hook keeps no counter '%s'", want);
	return 0;
}

#endif /* XBPF_TESTS_XDP_LINK_COUNTER_H */
