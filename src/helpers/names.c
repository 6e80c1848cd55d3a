/* SPDX-License-Identifier: MIT */
/*
 * Linux's helper names by id, built from the helper list of the system's
 * <linux/bpf.h> (__BPF_FUNC_MAPPER), so that messages can name any helper
 * a program calls, implemented or not.
 */
#include <linux/bpf.h>

#include "helpers/helpers.h"

/* Every generation of the header calls FN(name) once per helper, in id
 * order, with commas between; the enum gives the id. */
#define HELPER_NAME(name) [BPF_FUNC_##name] = "bpf_" #name

static const char *const linux_names[] = {__BPF_FUNC_MAPPER(HELPER_NAME)};

#undef HELPER_NAME

const char *xbpf_linux_helper_name(uint32_t id)
{
	if (id == BPF_FUNC_unspec || id >= sizeof(linux_names) / sizeof(linux_names[0]))
		return NULL;
	return linux_names[id];
}
