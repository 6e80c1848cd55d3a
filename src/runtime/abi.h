/* SPDX-License-Identifier: MIT */
/*
 * Reading structs that cross the extension ABI (see the versioning rules in
 * include/xbpf/extension.h): every struct starts with {version, size}; the
 * core copies min(its size, the extension's size) into a zeroed struct of
 * its own, and refuses a struct larger than it knows.
 */
#ifndef XBPF_RUNTIME_ABI_H
#define XBPF_RUNTIME_ABI_H

#include <stddef.h>

#include <xbpf/extension.h>

/* Copies the struct at src into dst of dst_size bytes. Returns 0, -EINVAL
 * (NULL, version 0 or newer than the core's ABI, size smaller than the
 * header) or -EOVERFLOW (larger than the core knows: the extension needs a
 * newer core); *why then says which, as the end of a sentence. */
int xbpf_abi_copy(void *dst, size_t dst_size, const void *src, const char **why);

#define XBPF_ABI_COPY(dst, src, why) xbpf_abi_copy((dst), sizeof(*(dst)), (src), (why))

/* The size of the first element of an ABI array (its stride), or 0. */
size_t xbpf_abi_stride(const void *array, size_t count);

#endif /* XBPF_RUNTIME_ABI_H */
