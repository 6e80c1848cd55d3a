/* SPDX-License-Identifier: MIT */
/*
 * Linux's helper names by id, built from the helper list of the system's
 * <linux/bpf.h> (__BPF_FUNC_MAPPER), so that messages can name any helper
 * a program calls, implemented or not.
 */
#include <linux/bpf.h>

#include "helpers/helpers.h"

/* Older headers separate FN(name) entries with commas; newer ones (which
 * define ___BPF_FUNC_MAPPER) list FN(name, id) with none. Either way the
 * enum gives the id. */
#ifdef ___BPF_FUNC_MAPPER
#define HELPER_NAME(name, ...) [BPF_FUNC_##name] = "bpf_" #name,
#else
#define HELPER_NAME(name) [BPF_FUNC_##name] = "bpf_" #name
#endif

static const char *const linux_names[] = {__BPF_FUNC_MAPPER(HELPER_NAME)};

#undef HELPER_NAME

const char *xbpf_linux_helper_name(uint32_t id)
{
	if (id == BPF_FUNC_unspec || id >= sizeof(linux_names) / sizeof(linux_names[0]))
		return NULL;
	return linux_names[id];
}
