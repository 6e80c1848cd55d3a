/* SPDX-License-Identifier: MIT */
/* What the extension tests share: a runtime whose log they can read, and
 * the paths of what the build made. */
#ifndef XBPF_TESTS_EXT_TEST_H
#define XBPF_TESTS_EXT_TEST_H

#include <stdio.h>
#include <string.h>

#include <xbpf/xbpf.h>

/* Everything the runtime logged since the last ext_log_clear(). */
static char ext_log_text[1 << 16];

static inline void ext_log_fn(void *user, enum xbpf_log_level level, const char *msg)
{
	size_t len = strlen(ext_log_text);
	snprintf(ext_log_text + len, sizeof(ext_log_text) - len, "%s\n", msg);
}

static inline void ext_log_clear(void)
{
	ext_log_text[0] = '\0';
}

static inline struct xbpf_runtime *ext_runtime(void)
{
	struct xbpf_runtime *rt;
	if (xbpf_runtime_create(&rt))
		return NULL;
	xbpf_runtime_set_log(rt, ext_log_fn, NULL, XBPF_LOG_INFO);
	ext_log_clear();
	return rt;
}

/* Path of an extension the build made: "<dir>/name.so". */
static inline const char *ext_path(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s.so", XBPF_TEST_EXTENSION_DIR, name);
	return path;
}

static inline const char *bpf_object_path(const char *name)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s.bpf.o", XBPF_TEST_BPF_OBJECT_DIR, name);
	return path;
}

#endif /* XBPF_TESTS_EXT_TEST_H */
