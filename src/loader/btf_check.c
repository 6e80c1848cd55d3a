/* SPDX-License-Identifier: MIT */
/* Provider BTF: parse it (libbpf, as btf.c does for objects) and size the
 * key and value types. */
#include "loader/btf_check.h"

#include <errno.h>
#include <stdint.h>

#include <bpf/btf.h>

/* Sizes of a key or value type: a type that has a size (not void, a
 * function or a forward declaration), below 4 GiB. */
static int sized(const struct btf *btf, uint32_t id, uint32_t *size, const char **why)
{
	if (id == 0) {
		*why = "is 0 (void): a key or value needs a sized type";
		return -EINVAL;
	}
	if (id >= btf__type_cnt(btf)) {
		*why = "is not a type id of the BTF";
		return -EINVAL;
	}
	long long n = btf__resolve_size(btf, id);
	if (n <= 0 || n > UINT32_MAX) {
		*why = "names a type without a size (void, function, forward declaration)";
		return -EINVAL;
	}
	*size = (uint32_t)n;
	return 0;
}

int xbpf_btf_check_key_value(const void *data, size_t size, uint32_t key_id, uint32_t value_id,
			     uint32_t *key_size, uint32_t *value_size, const char **bad,
			     const char **why)
{
	if (!data || size == 0 || size > UINT32_MAX) {
		*bad = "btf";
		*why = "is NULL or empty while btf_size is not (or the reverse), or larger than 4 GiB";
		return -EINVAL;
	}
	struct btf *btf = btf__new(data, (uint32_t)size);
	if (!btf) {
		*bad = "btf";
		*why = "cannot be parsed as raw BTF (.BTF section bytes)";
		return -EINVAL;
	}
	btf__set_pointer_size(btf, 8);
	int err = sized(btf, key_id, key_size, why);
	if (err)
		*bad = "btf_key_type_id";
	else if ((err = sized(btf, value_id, value_size, why)))
		*bad = "btf_value_type_id";
	btf__free(btf);
	return err;
}
