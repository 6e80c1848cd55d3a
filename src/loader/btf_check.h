/* SPDX-License-Identifier: MIT */
/*
 * Checking BTF that does not come from an object file: the key and value
 * descriptions map type providers give (extension.h, btf/btf_key_type_id/
 * btf_value_type_id), parsed with the same parser as objects' BTF.
 */
#ifndef XBPF_LOADER_BTF_CHECK_H
#define XBPF_LOADER_BTF_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Parses data (raw .BTF bytes) and resolves the sizes of the types key_id
 * and value_id. 0, or -EINVAL with *bad naming what is wrong ("btf",
 * "btf_key_type_id", "btf_value_type_id") and *why saying why. */
int xbpf_btf_check_key_value(const void *data, size_t size, uint32_t key_id, uint32_t value_id,
			     uint32_t *key_size, uint32_t *value_size, const char **bad,
			     const char **why);

#endif /* XBPF_LOADER_BTF_CHECK_H */
