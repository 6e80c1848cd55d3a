/* SPDX-License-Identifier: MIT */
/* The xdp extension: Linux's XDP program type and the hooks that run it. */
#include "xdp_ext.h"

static int xdp_init(struct xbpf_extension *ext, const struct xbpf_core_services *core)
{
	return core->register_program_type(ext, &xdp_program_type, NULL);
}

XBPF_EXTENSION("xdp", "XDP programs (struct xdp_md) and hooks that run them over packets",
	       xdp_init, NULL);
