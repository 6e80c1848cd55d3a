/* SPDX-License-Identifier: MIT */
/*
 * The core services table that every extension's init receives: the
 * extension ABI's way into the core (see include/xbpf/extension.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/control_map.h"
#include "maps/custom_map.h"
#include "program/link.h"
#include "runtime/epoch.h"
#include "runtime/extension.h"
#include "runtime/log.h"
#include "runtime/registrar.h"
#include "vm/vm.h"

static int register_program_type(struct xbpf_extension *ext, const struct xbpf_program_type_provider *p,
				 struct xbpf_provider **out)
{
	return xbpf_registrar_register(ext->rt, ext, XBPF_PROVIDER_PROGRAM_TYPE, p, out);
}

static int register_hook(struct xbpf_extension *ext, const struct xbpf_hook_provider *p,
			 struct xbpf_provider **out)
{
	return xbpf_registrar_register(ext->rt, ext, XBPF_PROVIDER_HOOK, p, out);
}

static int register_helpers(struct xbpf_extension *ext, const struct xbpf_helper_provider *p,
			    struct xbpf_provider **out)
{
	return xbpf_registrar_register(ext->rt, ext, XBPF_PROVIDER_HELPERS, p, out);
}

static int register_map_type(struct xbpf_extension *ext, const struct xbpf_map_type_provider *p,
			     struct xbpf_provider **out)
{
	return xbpf_registrar_register(ext->rt, ext, XBPF_PROVIDER_MAP_TYPE, p, out);
}

static int unregister(struct xbpf_provider *provider)
{
	return provider ? xbpf_registrar_unregister(provider) : -EINVAL;
}

static void epoch_enter(void)
{
	xbpf_epoch_enter();
}

static void epoch_exit(void)
{
	xbpf_epoch_exit();
}

struct deferred_call {
	struct xbpf_epoch_head head;
	void (*fn)(void *arg);
	void *arg;
};

static void run_deferred(struct xbpf_epoch_head *head)
{
	struct deferred_call *d = (struct deferred_call *)head;
	d->fn(d->arg);
	free(d);
}

static void epoch_defer(void (*fn)(void *arg), void *arg)
{
	struct deferred_call *d = malloc(sizeof(*d));
	if (!d) {
		/* Out of memory: wait for the grace period here instead. */
		xbpf_epoch_synchronize();
		fn(arg);
		return;
	}
	d->fn = fn;
	d->arg = arg;
	xbpf_epoch_call(&d->head, run_deferred);
}

static void ext_log(struct xbpf_extension *ext, enum xbpf_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xbpf_log(ext->rt, level, "%s: %s", ext->name, msg);
}

static const char *param(const void *params, size_t params_size, const char *key)
{
	const char *p = params, *end = p ? p + params_size : NULL;
	size_t key_len = strlen(key);

	while (p && p < end) {
		size_t len = strnlen(p, (size_t)(end - p));
		if (len > key_len && p[key_len] == '=' && memcmp(p, key, key_len) == 0 && p + len < end)
			return p + key_len + 1;
		p += len + 1;
	}
	return NULL;
}

static void *exec_context(struct xbpf_exec *exec)
{
	return (void *)exec->ctx.start;
}

const struct xbpf_core_services xbpf_core_services_table = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_core_services),
	.register_program_type = register_program_type,
	.register_hook = register_hook,
	.register_helpers = register_helpers,
	.register_map_type = register_map_type,
	.unregister = unregister,
	.epoch_enter = epoch_enter,
	.epoch_exit = epoch_exit,
	.epoch_defer = epoch_defer,
	.log = ext_log,
	.invoke = xbpf_link_invoke,
	.invoke_batch_begin = xbpf_link_batch_begin,
	.invoke_batch = xbpf_link_batch_invoke,
	.invoke_batch_end = xbpf_link_batch_end,
	.link_finished = xbpf_link_finished,
	.link_counters = xbpf_link_counters_declare,
	.param = param,
	.exec_context = exec_context,
	.map_state = xbpf_custom_map_state,
	.map_raw_lookup = xbpf_custom_map_raw_lookup,
	.map_type = xbpf_custom_map_type,
	.publish_map = xbpf_control_map_publish,
};
