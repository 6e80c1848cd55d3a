/* SPDX-License-Identifier: MIT */
/* Runtime, search path and extension loading for `xbpf ext` and `xbpf attach`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd_ext.h"

static unsigned errors_logged;

unsigned cli_ext_errors_logged(void)
{
	return __atomic_load_n(&errors_logged, __ATOMIC_RELAXED);
}

static void log_to_stderr(void *user, enum xbpf_log_level level, const char *msg)
{
	if (level == XBPF_LOG_ERROR)
		__atomic_fetch_add(&errors_logged, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "xbpf: %s: %s%s\n", (const char *)user,
		level == XBPF_LOG_WARN ? "warning: " : "", msg);
}

struct xbpf_runtime *cli_ext_runtime(const char *cmd)
{
	struct xbpf_runtime *rt;
	int err = xbpf_runtime_create(&rt);
	if (err) {
		cli_error(cmd, "cannot create a runtime: %s", strerror(-err));
		return NULL;
	}
	xbpf_runtime_set_log(rt, log_to_stderr, (void *)cmd, XBPF_LOG_WARN);
	return rt;
}

struct joined {
	char *buf;
	size_t size, len;
};

static int join_dir(void *user, const char *dir)
{
	struct joined *j = user;
	int n = snprintf(j->buf + j->len, j->size - j->len, "%s%s", j->len ? ":" : "", dir);
	if (n > 0 && (size_t)n < j->size - j->len)
		j->len += (size_t)n;
	return 0;
}

void cli_ext_search_path(char *buf, size_t size)
{
	struct joined j = {buf, size, 0};
	buf[0] = '\0';
	xbpf_extension_dir_foreach(join_dir, &j);
}

bool cli_ext_is_path(const char *arg)
{
	return strchr(arg, '/') || strstr(arg, ".so");
}

static int find_in_dir(void *user, const char *dir)
{
	const char *name = user;
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s.so", dir, name);
	return n > 0 && (size_t)n < sizeof(path) && access(path, R_OK) == 0;
}

int cli_ext_load(struct xbpf_runtime *rt, const char *cmd, const char *name_or_path,
		 struct xbpf_extension **out)
{
	if (cli_ext_is_path(name_or_path)) {
		if (access(name_or_path, R_OK) != 0) {
			int err = -errno;
			cli_error(cmd, "%s: %s", name_or_path, strerror(-err));
			return err;
		}
	} else if (!xbpf_extension_dir_foreach(find_in_dir, (void *)name_or_path)) {
		char dirs[4096];
		cli_ext_search_path(dirs, sizeof(dirs));
		cli_error(cmd, "no extension '%s' in the search path %s (see 'xbpf ext list'; set "
			       "XBPF_EXTENSION_PATH or give a path)", name_or_path, dirs);
		return -ENOENT;
	}
	/* The runtime's log says why a load failed. */
	return xbpf_extension_load(rt, name_or_path, out);
}
