/* SPDX-License-Identifier: MIT */
/*
 * Context access conversion.
 *
 * Programs compiled for Linux read their context through a UAPI struct whose
 * layout differs from the one the runtime fills in: struct xdp_md carries
 * 32-bit data/data_end fields that programs turn into pointers. As the kernel
 * does, xbpf rewrites such loads at load time into loads of the real 64-bit
 * fields of the internal context.
 *
 * To know which loads read the context, a forward dataflow pass tracks where
 * the context pointer is held: registers, spilled stack slots, arguments of
 * bpf-to-bpf calls and the context argument of bpf_loop / for_each callbacks.
 * Accesses it cannot classify (the context on some paths only, or at a
 * variable offset) are refused, as the kernel's verifier refuses them.
 */
#ifndef XBPF_VERIFIER_CTX_ACCESS_H
#define XBPF_VERIFIER_CTX_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include <xbpf/extension.h>

/* The fields and ranges are those of the extension ABI: a struct
 * xbpf_ctx_field programs may only read whole, and lives elsewhere in the
 * internal context; a struct xbpf_ctx_range programs may write. */
struct xbpf_ctx_layout {
	uint32_t size; /* of the visible struct; fields outside any
			* conversion are read in place */
	const struct xbpf_ctx_field *converted;
	size_t n_converted;
	const struct xbpf_ctx_range *writable;
	size_t n_writable;
};

struct xbpf_ctx_error {
	size_t pc;
	char msg[160];
};

/* Rewrites the context accesses of a validated program in place. Returns 0,
 * or -EACCES with err describing the first access refused. */
int xbpf_ctx_convert(struct xbpf_insn *insns, size_t count, const struct xbpf_ctx_layout *layout,
		     struct xbpf_ctx_error *err);

#endif /* XBPF_VERIFIER_CTX_ACCESS_H */
