/* SPDX-License-Identifier: MIT */
/* Copying versioned ABI structs (see abi.h). */
#include "runtime/abi.h"

#include <errno.h>
#include <string.h>

int xbpf_abi_copy(void *dst, size_t dst_size, const void *src, const char **why)
{
	const struct xbpf_abi_header *hdr = src;

	memset(dst, 0, dst_size);
	if (!hdr) {
		*why = "is missing";
		return -EINVAL;
	}
	if (hdr->version == 0 || hdr->version > XBPF_ABI_VERSION) {
		*why = hdr->version ? "has an ABI version newer than this core's" : "has ABI version 0";
		return -EINVAL;
	}
	if (hdr->size < sizeof(*hdr)) {
		*why = "has a size smaller than its header";
		return -EINVAL;
	}
	if (hdr->size > dst_size) {
		*why = "is larger than this core knows: the extension needs a newer xbpf";
		return -EOVERFLOW;
	}
	memcpy(dst, src, hdr->size);
	return 0;
}

size_t xbpf_abi_stride(const void *array, size_t count)
{
	return array && count ? ((const struct xbpf_abi_header *)array)->size : 0;
}
