/* SPDX-License-Identifier: MIT */
/*
 * bpf_loop: runs a function of the program nr_loops times as
 * callback(index, ctx) through the running engine. A non-zero result
 * stops it (Linux's verifier only lets callbacks answer 0 or 1). When a
 * callback run fails, its fault is in the exec and the engine ends the
 * whole run with it as soon as bpf_loop returns.
 */
#include <errno.h>

#include "helpers/core.h"

/* Linux's BPF_MAX_LOOPS. */
#define MAX_LOOPS (1u << 23)

static uint64_t loop(uint64_t nr_loops, uint64_t callback_fn, uint64_t callback_ctx, uint64_t flags, uint64_t r5,
		     struct xbpf_exec *exec)
{
	uint32_t n = (uint32_t)nr_loops, i;

	if (flags)
		return XBPF_HELPER_ERR(-EINVAL);
	/* Linux inlines bpf_loop when flags are 0, and its inlined code sets
	 * -E2BIG as a 32-bit move: the program sees 0x00000000fffffff9. */
	if (n > MAX_LOOPS)
		return (uint32_t)-E2BIG;
	for (i = 0; i < n; i++) {
		const uint64_t args[5] = {i, callback_ctx};
		uint64_t r0;
		int err = exec->running->engine->call_function(exec, callback_fn, args, &r0);

		if (err)
			return XBPF_HELPER_ERR(xbpf_exec_fault(exec, err, exec->call_pc,
							       "bpf_loop: callback %u failed", i));
		if (r0)
			return i + 1;
	}
	return i;
}

/* callback_ctx is passed on to the callback as it is. */
const struct xbpf_helper xbpf_core_loop = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_loop",
	.id = BPF_FUNC_loop,
	.fn = loop,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_ANYTHING, XBPF_ARG_PTR_TO_FUNC, XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING},
	.arg_width = {4, 8, 8, 8},
};
