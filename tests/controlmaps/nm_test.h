/* SPDX-License-Identifier: MIT */
/* What the control map tests share with the test module nonemap_ext.c: its
 * map type, value layout and the paths of its variants. */
#ifndef XBPF_TESTS_CONTROLMAPS_NM_TEST_H
#define XBPF_TESTS_CONTROLMAPS_NM_TEST_H

#include <stdint.h>
#include <stdio.h>

#define NM_TYPE 4250
#define NM_MAX_ENTRIES 8
/* An update with this value.a is refused by the provider with -EBADMSG. */
#define NM_REFUSED 0xbadULL
/* The published control map: "ext/nm_none/table". */
#define NM_PIN "ext/nm_none/table"

struct nm_value {
	uint64_t a, b;
};

#ifdef XBPF_NM_MODULE_DIR
static inline const char *nm_path(const char *variant)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s.so", XBPF_NM_MODULE_DIR, variant);
	return path;
}
#endif

#endif /* XBPF_TESTS_CONTROLMAPS_NM_TEST_H */
