/* SPDX-License-Identifier: MIT */
/*
 * The xdp extension: Linux's XDP program type and the hooks that run it.
 *
 * Several runtimes in one process may load the extension; the module is
 * then mapped once, so each load keeps its own instance (the environment
 * its hooks log and invoke through), found again by fini.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "redirect_maps.h"
#include "counters_map.h"
#include "xdp_ext.h"

struct xdp_instance {
	struct xdp_hook_env env;
	struct xbpf_provider *hooks[2];
	struct xbpf_provider *redirect_maps[2]; /* XSKMAP, DEVMAP */
	struct xdp_instance *next;
};

static pthread_mutex_t instances_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xdp_instance *instances;

const struct xbpf_core_services *xdp_core;

static int register_hook(struct xdp_instance *inst, const struct xbpf_hook_provider *hook,
			 struct xbpf_provider **out)
{
	struct xbpf_hook_provider provider = *hook; /* the core keeps a copy */
	provider.ctx = &inst->env;
	return inst->env.core->register_hook(inst->env.ext, &provider, out);
}

/* Unregisters the hooks (their detach uses inst->env) and frees inst. */
static void drop_instance(struct xdp_instance *inst)
{
	for (size_t i = 0; i < 2; i++)
		if (inst->hooks[i])
			inst->env.core->unregister(inst->hooks[i]);
	redirect_maps_unregister(&inst->env, inst->redirect_maps);
	xdp_counters_unpublish(&inst->env);
	free(inst);
}

static int xdp_init(struct xbpf_extension *ext, const struct xbpf_core_services *core)
{
	struct xdp_instance *inst = calloc(1, sizeof(*inst));
	if (!inst)
		return -ENOMEM;
	inst->env = (struct xdp_hook_env){.core = core, .ext = ext};
	xdp_core = core;
	int err = core->register_program_type(ext, &xdp_program_type, NULL);
	if (!err)
		err = register_hook(inst, &xdp_pcap_hook, &inst->hooks[0]);
	if (!err)
		err = register_hook(inst, &xdp_live_hook, &inst->hooks[1]);
	if (!err)
		err = redirect_maps_register(&inst->env, inst->redirect_maps);
	if (!err)
		err = xdp_counters_publish(&inst->env);
	if (err) {
		drop_instance(inst);
		return err;
	}
	pthread_mutex_lock(&instances_lock);
	inst->next = instances;
	instances = inst;
	pthread_mutex_unlock(&instances_lock);
	return 0;
}

static void xdp_fini(struct xbpf_extension *ext)
{
	pthread_mutex_lock(&instances_lock);
	struct xdp_instance **p = &instances;
	while (*p && (*p)->env.ext != ext)
		p = &(*p)->next;
	struct xdp_instance *inst = *p;
	if (inst)
		*p = inst->next;
	pthread_mutex_unlock(&instances_lock);
	if (inst)
		drop_instance(inst);
}

XBPF_EXTENSION("xdp", "XDP programs (struct xdp_md) and hooks that run them over packets",
	       xdp_init, xdp_fini);
