/* SPDX-License-Identifier: MIT */
/* bpf_strncmp: the kernel's strncmp, which answers -1, 0 or 1. */
#include "helpers/core.h"

/* s1 has s1_sz readable bytes (the gate checked); s2 is a constant string.
 * s2 is read only where the program may read it, in case the host
 * rewrote it since the gate found its NUL: it then ends there. */
static uint64_t strncmp_helper(uint64_t s1, uint64_t s1_sz, uint64_t s2, uint64_t r4, uint64_t r5,
			       struct xbpf_exec *exec)
{
	const unsigned char *a = (const unsigned char *)(uintptr_t)s1;
	const unsigned char *b = (const unsigned char *)(uintptr_t)s2;
	uint32_t n = (uint32_t)s1_sz;
	size_t readable = xbpf_exec_readable_span(exec, s2, n);
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c1 = a[i], c2 = i < readable ? b[i] : 0;

		if (c1 != c2)
			return XBPF_HELPER_ERR(c1 < c2 ? -1 : 1);
		if (!c1)
			break;
	}
	return 0;
}

const struct xbpf_helper xbpf_core_strncmp = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_strncmp",
	.id = BPF_FUNC_strncmp,
	.fn = strncmp_helper,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_PTR_TO_MEM, XBPF_ARG_CONST_SIZE, XBPF_ARG_PTR_TO_CONST_STR},
	.arg_width = {8, 4, 8},
};
