/* SPDX-License-Identifier: MIT */
/* The engines this build has, by their public number and name. */
#include <errno.h>
#include <string.h>

#include "vm/vm.h"

static const struct xbpf_engine_ops *const engines[XBPF_ENGINE_COUNT] = {
	[XBPF_ENGINE_INTERPRETER] = &xbpf_interpreter,
};

const struct xbpf_engine_ops *xbpf_engine_ops_get(enum xbpf_engine engine)
{
	return (unsigned)engine < XBPF_ENGINE_COUNT ? engines[engine] : NULL;
}

const char *xbpf_engine_name(enum xbpf_engine engine)
{
	const struct xbpf_engine_ops *ops = xbpf_engine_ops_get(engine);
	return ops ? ops->name : NULL;
}

int xbpf_engine_by_name(const char *name)
{
	for (int e = 0; e < XBPF_ENGINE_COUNT; e++)
		if (name && strcmp(engines[e]->name, name) == 0)
			return e;
	return -ENOENT;
}
