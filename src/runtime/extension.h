/* SPDX-License-Identifier: MIT */
/*
 * Loaded extensions: shared objects that register providers through the
 * core services table (services.c).
 */
#ifndef XBPF_RUNTIME_EXTENSION_H
#define XBPF_RUNTIME_EXTENSION_H

#include <stdbool.h>

#include <xbpf/extension.h>

struct xbpf_extension {
	struct xbpf_runtime *rt;
	struct xbpf_extension *next; /* in the runtime's list */
	char *path;
	void *handle; /* from dlopen */
	struct xbpf_extension_def def; /* name and description point into the copy below */
	char name[64];
	char *description;
};

/* The table every extension's init receives. */
extern const struct xbpf_core_services xbpf_core_services_table;

/* Unload every extension of the runtime (when it is freed). */
void xbpf_extensions_unload_all(struct xbpf_runtime *rt);

/* Folders searched for extensions by name, in order; calls fn for each
 * until it returns non-zero. */
int xbpf_extension_dirs(int (*fn)(void *user, const char *dir), void *user);

#endif /* XBPF_RUNTIME_EXTENSION_H */
