/* SPDX-License-Identifier: MIT */
/*
 * bpf_trace_printk and bpf_snprintf, over the format engine of bprintf.c.
 *
 * bpf_trace_printk formats into a 1024-byte line (Linux's MAX_BPRINTF_BUF)
 * and sends it to the runtime's log at XBPF_LOG_INFO, where Linux writes
 * the trace pipe; it returns the length of the whole text, as the kernel
 * does, even when the line had to be cut.
 */
#include <errno.h>
#include <string.h>

#include "helpers/bprintf.h"
#include "helpers/core.h"
#include "runtime/log.h"

#define TRACE_PRINTK_LINE 1024
#define TRACE_PRINTK_ARGS 3

static uint64_t trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t arg1, uint64_t arg2, uint64_t arg3,
			     struct xbpf_exec *exec)
{
	const char *f = (const char *)(uintptr_t)fmt;
	const char *nul = memchr(f, 0, (uint32_t)fmt_size);
	const uint64_t args[TRACE_PRINTK_ARGS] = {arg1, arg2, arg3};
	char line[TRACE_PRINTK_LINE];
	size_t shown;
	int len;

	if (!nul)
		return XBPF_HELPER_ERR(-EINVAL);
	len = xbpf_bprintf(exec, f, (size_t)(nul - f), args, TRACE_PRINTK_ARGS, line, sizeof(line));
	if (len < 0)
		return XBPF_HELPER_ERR(len);
	/* Log messages come without their newline. */
	shown = strlen(line);
	if (shown && line[shown - 1] == '\n')
		shown--;
	xbpf_log(exec->rt, XBPF_LOG_INFO, "%.*s", (int)shown, line);
	return (uint64_t)len;
}

static uint64_t snprintf_helper(uint64_t str, uint64_t str_size, uint64_t fmt, uint64_t data, uint64_t data_len,
				struct xbpf_exec *exec)
{
	const char *f = (const char *)(uintptr_t)fmt;
	uint32_t size = (uint32_t)str_size, n_bytes = (uint32_t)data_len;
	uint64_t args[XBPF_BPRINTF_MAX_ARGS];
	const char *nul;
	size_t span;
	int len;

	if (n_bytes % 8 || n_bytes > sizeof(args) || (n_bytes && !data))
		return XBPF_HELPER_ERR(-EINVAL);
	/* The gate found a NUL; looking again within what is readable keeps
	 * us safe if the host rewrote the format meanwhile. */
	span = xbpf_exec_readable_span(exec, fmt, XBPF_CONST_STR_MAX);
	nul = span ? memchr(f, 0, span) : NULL;
	if (!nul)
		return XBPF_HELPER_ERR(-EINVAL);
	if (n_bytes)
		memcpy(args, (const void *)(uintptr_t)data, n_bytes);
	len = xbpf_bprintf(exec, f, (size_t)(nul - f), args, n_bytes / 8, (char *)(uintptr_t)str, size);
	if (len < 0)
		return XBPF_HELPER_ERR(len);
	return (uint64_t)len + 1;
}

/* The format must hold a NUL within fmt_size readable bytes. */
const struct xbpf_helper xbpf_core_trace_printk = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_trace_printk",
	.id = BPF_FUNC_trace_printk,
	.flags = XBPF_HELPER_GPL_ONLY,
	.fn = trace_printk,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_PTR_TO_MEM, XBPF_ARG_CONST_SIZE, XBPF_ARG_ANYTHING, XBPF_ARG_ANYTHING,
		 XBPF_ARG_ANYTHING},
	.arg_width = {8, 4, 8, 8, 8},
};

/* str may be NULL with str_size 0 (only the length is wanted); the
 * format is a constant string; data holds data_len / 8 u64 arguments. */
const struct xbpf_helper xbpf_core_snprintf = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_snprintf",
	.id = BPF_FUNC_snprintf,
	.flags = XBPF_HELPER_GPL_ONLY,
	.fn = snprintf_helper,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_PTR_TO_UNINIT_MEM | XBPF_ARG_MAYBE_NULL, XBPF_ARG_CONST_SIZE_OR_ZERO,
		 XBPF_ARG_PTR_TO_CONST_STR, XBPF_ARG_PTR_TO_MEM | XBPF_ARG_MAYBE_NULL, XBPF_ARG_CONST_SIZE_OR_ZERO},
	.arg_width = {8, 4, 8, 8, 4},
};
