/* SPDX-License-Identifier: MIT */
/* The xdp extension: Linux's XDP program type and the hooks that run it. */
#include "xdp_ext.h"

/* What the hooks reach the core by. One per loaded module: a second
 * runtime loading the extension in the same process shares it (and its
 * log messages then go to the runtime that loaded it last). */
static struct xdp_hook_env hook_env;

const struct xbpf_core_services *xdp_core;

static int register_hook(struct xbpf_extension *ext, const struct xbpf_core_services *core,
			 const struct xbpf_hook_provider *hook)
{
	struct xbpf_hook_provider provider = *hook; /* the core keeps a copy */
	provider.ctx = &hook_env;
	return core->register_hook(ext, &provider, NULL);
}

static int xdp_init(struct xbpf_extension *ext, const struct xbpf_core_services *core)
{
	hook_env = (struct xdp_hook_env){.core = core, .ext = ext};
	xdp_core = core;
	int err = core->register_program_type(ext, &xdp_program_type, NULL);
	if (!err)
		err = register_hook(ext, core, &xdp_pcap_hook);
	if (!err)
		err = register_hook(ext, core, &xdp_live_hook);
	return err;
}

XBPF_EXTENSION("xdp", "XDP programs (struct xdp_md) and hooks that run them over packets",
	       xdp_init, NULL);
