/* SPDX-License-Identifier: MIT */
/* What the custom map tests share: the test map type modules and their
 * exported counters (see testmap_ext.c). */
#ifndef XBPF_TESTS_CUSTOMMAPS_TM_TEST_H
#define XBPF_TESTS_CUSTOMMAPS_TM_TEST_H

#include <stdint.h>
#include <stdio.h>

#include <xbpf/xbpf.h>

#define TM_PLAIN_HASH 4096
#define TM_XFORM_HASH 4097
#define TM_XFORM_ARRAY 4098
#define TM_PLAIN_ARRAY 4099
#define TM_CB_HASH 4104
#define TM_CB_ARRAY 4105
#define TM_INDEXED_HASH 4106 /* indexed (XBPF_MAP_INDEXED), programs may write */
#define TM_REFUSED_VALUE 0xbadULL

struct tm_stats {
	long created, released, replaced, undone, cleaned, destroyed, adopted, bad;
	long prog_created, prog_released, live_nonzero, over_released;
};

static inline const char *tm_path(const char *variant)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s.so", XBPF_TM_MODULE_DIR, variant);
	return path;
}

static inline struct tm_stats tm_stats_of(struct xbpf_extension *ext)
{
	struct tm_stats s = {0};
	void (*fn)(struct tm_stats *) = (void (*)(struct tm_stats *))xbpf_extension_symbol(ext, "tm_stats");
	if (fn)
		fn(&s);
	else
		s.bad = -1;
	return s;
}

#endif /* XBPF_TESTS_CUSTOMMAPS_TM_TEST_H */
