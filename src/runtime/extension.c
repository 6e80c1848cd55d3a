/* SPDX-License-Identifier: MIT */
/*
 * Loading and unloading extensions.
 *
 * An extension is found by path, or by name in the extension folders
 * ($XBPF_EXTENSION_PATH, then next to the running program, then the build
 * tree). Unloading unregisters whatever it still has registered (which
 * detaches its clients and waits for their runs), then waits for pending
 * epoch callbacks, which may point into its code, and only then unmaps it.
 */
#include "runtime/extension.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/abi.h"
#include "runtime/epoch.h"
#include "runtime/log.h"
#include "runtime/registrar.h"
#include "runtime/runtime.h"

#ifndef XBPF_BUILD_EXTENSION_DIR
#define XBPF_BUILD_EXTENSION_DIR ""
#endif

/* The folder of the running executable, or "" */
static void exe_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		buf[0] = '\0';
}

int xbpf_extension_dirs(int (*fn)(void *user, const char *dir), void *user)
{
	const char *env = getenv("XBPF_EXTENSION_PATH");
	char dir[PATH_MAX], exe[PATH_MAX - 32];
	int ret;

	while (env && *env) {
		size_t n = strcspn(env, ":");
		if (n > 0 && n < sizeof(dir)) {
			memcpy(dir, env, n);
			dir[n] = '\0';
			if ((ret = fn(user, dir)))
				return ret;
		}
		env += n + (env[n] == ':');
	}
	exe_dir(exe, sizeof(exe));
	if (exe[0]) {
		snprintf(dir, sizeof(dir), "%s/extensions", exe);
		if ((ret = fn(user, dir)))
			return ret;
		snprintf(dir, sizeof(dir), "%s/../lib/xbpf/extensions", exe);
		if ((ret = fn(user, dir)))
			return ret;
	}
	if (XBPF_BUILD_EXTENSION_DIR[0])
		return fn(user, XBPF_BUILD_EXTENSION_DIR);
	return 0;
}

struct search {
	const char *name;
	char path[PATH_MAX];
};

static int try_dir(void *user, const char *dir)
{
	struct search *s = user;
	int n = snprintf(s->path, sizeof(s->path), "%s/%s.so", dir, s->name);
	return n > 0 && (size_t)n < sizeof(s->path) && access(s->path, R_OK) == 0;
}

/* A path for path_or_name: itself when it looks like a path. */
static int resolve(const char *path_or_name, char *out, size_t size)
{
	if (strchr(path_or_name, '/') || strstr(path_or_name, ".so")) {
		if (strlen(path_or_name) >= size)
			return -ENAMETOOLONG;
		strcpy(out, path_or_name);
		return 0;
	}
	struct search s = {.name = path_or_name};
	if (!xbpf_extension_dirs(try_dir, &s))
		return -ENOENT;
	strcpy(out, s.path);
	return 0;
}

const char *xbpf_extension_name(const struct xbpf_extension *ext)
{
	return ext->name;
}

const char *xbpf_extension_path(const struct xbpf_extension *ext)
{
	return ext->path;
}

void *xbpf_extension_symbol(const struct xbpf_extension *ext, const char *name)
{
	return ext && name ? dlsym(ext->handle, name) : NULL;
}

static void unlink_extension(struct xbpf_extension *ext)
{
	struct xbpf_runtime *rt = ext->rt;
	pthread_mutex_lock(&rt->ext_lock);
	for (struct xbpf_extension **e = &rt->extensions; *e; e = &(*e)->next)
		if (*e == ext) {
			*e = ext->next;
			break;
		}
	pthread_mutex_unlock(&rt->ext_lock);
}

/* Unregisters what ext still has, then unmaps it and frees it. */
static void teardown(struct xbpf_extension *ext)
{
	struct xbpf_runtime *rt = ext->rt;
	for (;;) {
		struct xbpf_provider *p = NULL;
		xbpf_registrar_lock(rt);
		for (struct xbpf_provider *q = rt->reg.providers; q; q = q->next)
			if (q->ext == ext && !q->leaving) {
				p = q;
				break;
			}
		xbpf_registrar_unlock(rt);
		if (!p)
			break;
		xbpf_registrar_unregister(p);
	}
	/* Callbacks the extension deferred may run its code. */
	xbpf_epoch_barrier();
	unlink_extension(ext);
	if (ext->handle)
		dlclose(ext->handle);
	free(ext->path);
	free(ext->description);
	free(ext);
	xbpf_runtime_put(rt);
}

/* Reads the extension's descriptor; 0 or an errno with the reason logged. */
static int read_definition(struct xbpf_extension *ext)
{
	struct xbpf_runtime *rt = ext->rt;
	const void *sym = dlsym(ext->handle, XBPF_EXTENSION_SYMBOL);
	const char *why;

	if (!sym) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: not an xbpf extension: it does not export '%s'", ext->path,
			 XBPF_EXTENSION_SYMBOL);
		return -ENOEXEC;
	}
	int err = XBPF_ABI_COPY(&ext->def, sym, &why);
	if (err) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: its %s %s", ext->path, XBPF_EXTENSION_SYMBOL, why);
		return err;
	}
	const char *name = ext->def.name;
	if (!name || !*name || strlen(name) >= sizeof(ext->name) || strchr(name, '/')) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: the extension's name must be 1 to 63 characters, no '/'",
			 ext->path);
		return -EINVAL;
	}
	if (!ext->def.init) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: the extension has no init function", ext->path);
		return -EINVAL;
	}
	strcpy(ext->name, name);
	ext->def.name = ext->name;
	ext->description = strdup(ext->def.description ? ext->def.description : "");
	ext->def.description = ext->description;
	return ext->description ? 0 : -ENOMEM;
}

/* Adds ext to the runtime unless one of that name is loaded. */
static int claim_name(struct xbpf_extension *ext)
{
	struct xbpf_runtime *rt = ext->rt;
	int err = 0;
	pthread_mutex_lock(&rt->ext_lock);
	for (struct xbpf_extension *e = rt->extensions; e; e = e->next)
		if (strcmp(e->name, ext->name) == 0) {
			xbpf_log(rt, XBPF_LOG_ERROR, "%s: an extension named '%s' is loaded already (%s)",
				 ext->path, ext->name, e->path);
			err = -EEXIST;
		}
	if (!err) {
		ext->next = rt->extensions;
		rt->extensions = ext;
	}
	pthread_mutex_unlock(&rt->ext_lock);
	return err;
}

int xbpf_extension_load(struct xbpf_runtime *rt, const char *path_or_name, struct xbpf_extension **out)
{
	char path[PATH_MAX];
	int err;

	if (!rt || !path_or_name || !out)
		return -EINVAL;
	if ((err = resolve(path_or_name, path, sizeof(path)))) {
		xbpf_log(rt, XBPF_LOG_ERROR, "extension '%s' not found (searched $XBPF_EXTENSION_PATH, "
			 "next to the program and the build tree)", path_or_name);
		return err;
	}
	struct xbpf_extension *ext = calloc(1, sizeof(*ext));
	if (!ext)
		return -ENOMEM;
	ext->rt = rt;
	xbpf_runtime_get(rt);
	if (!(ext->path = strdup(path))) {
		teardown(ext);
		return -ENOMEM;
	}
	ext->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!ext->handle) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: cannot load: %s", path, dlerror());
		teardown(ext);
		return -ENOEXEC;
	}
	if ((err = read_definition(ext)) || (err = claim_name(ext))) {
		teardown(ext);
		return err;
	}
	err = ext->def.init(ext, &xbpf_core_services_table);
	if (err) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: init failed: %s", ext->name, strerror(err < 0 ? -err : err));
		teardown(ext);
		return err < 0 ? err : -err;
	}
	xbpf_log(rt, XBPF_LOG_INFO, "loaded extension %s (%s)", ext->name, path);
	*out = ext;
	return 0;
}

int xbpf_extension_unload(struct xbpf_extension *ext)
{
	if (!ext)
		return -EINVAL;
	if (ext->def.fini)
		ext->def.fini(ext);
	xbpf_log(ext->rt, XBPF_LOG_INFO, "unloading extension %s", ext->name);
	teardown(ext);
	return 0;
}

void xbpf_extensions_unload_all(struct xbpf_runtime *rt)
{
	for (;;) {
		pthread_mutex_lock(&rt->ext_lock);
		struct xbpf_extension *ext = rt->extensions;
		pthread_mutex_unlock(&rt->ext_lock);
		if (!ext)
			return;
		xbpf_extension_unload(ext);
	}
}
