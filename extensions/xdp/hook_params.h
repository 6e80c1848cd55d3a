/* SPDX-License-Identifier: MIT */
/*
 * Reading the parameters of the xdp hooks: the "key=value\0..." blob a link
 * is attached with. Every problem is logged naming the hook and the key.
 */
#ifndef XBPF_EXT_XDP_HOOK_PARAMS_H
#define XBPF_EXT_XDP_HOOK_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "xdp_ext.h"

#define hook_log(env, level, ...) (env)->core->log((env)->ext, (level), __VA_ARGS__)

struct hook_params {
	const struct xdp_hook_env *env;
	const char *hook; /* "xdp/pcap", for messages */
	const void *blob;
	size_t size;
};

/* Every entry must be key=value with a non-empty value, its key one of
 * known (NULL-terminated), given once. -EINVAL otherwise. */
int hook_params_check(const struct hook_params *p, const char *const *known);
/* The value of key, or NULL when absent. */
const char *hook_param(const struct hook_params *p, const char *key);
/* key as a decimal number in [min, max]; *value is left alone when key is
 * absent. -EINVAL when it is not such a number. */
int hook_param_u32(const struct hook_params *p, const char *key, uint32_t min, uint32_t max,
		   uint32_t *value);

#endif /* XBPF_EXT_XDP_HOOK_PARAMS_H */
