/* SPDX-License-Identifier: MIT */
/* What the parts of the xdp extension share. */
#ifndef XBPF_EXT_XDP_EXT_H
#define XBPF_EXT_XDP_EXT_H

#include <xbpf/extension.h>

#include "xdp_ctx.h"

extern const struct xbpf_program_type_provider xdp_program_type;

#endif /* XBPF_EXT_XDP_EXT_H */
