/* SPDX-License-Identifier: MIT */
/* The object's BTF (parsed by libbpf) and the small queries the other stages
 * make on it. libbpf does not check type references when it parses, so every
 * id read from BTF goes through btf__type_by_id(), which does. */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "loader/ld.h"

/* Deeper chains of typedefs and modifiers than this are refused, as libbpf
 * refuses them. */
#define BTF_MAX_MODS 32

int xbpf_ld_read_btf(struct xbpf_ld *ld)
{
	const struct xbpf_ld_sec *sec;

	if (!ld->btf_sec) {
		if (ld->btf_ext_sec)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(ld->btf_ext_sec),
					     "the object has .BTF.ext but no .BTF");
		return 0;
	}
	sec = &ld->secs[ld->btf_sec];
	if (sec->size > UINT32_MAX)
		return xbpf_ld_error(ld, -E2BIG, XBPF_LD_AT_SEC(ld->btf_sec), "BTF larger than 4 GiB");
	errno = 0;
	ld->btf = btf__new(sec->data, (uint32_t)sec->size);
	if (!ld->btf) {
		int err = errno ? -errno : -EINVAL;

		return xbpf_ld_error(ld, err == -ENOMEM ? err : -EINVAL, XBPF_LD_AT_SEC(ld->btf_sec),
				     "libbpf cannot parse the BTF: %s", strerror(-err));
	}
	btf__set_pointer_size(ld->btf, 8);
	return 0;
}

const struct btf_type *xbpf_ld_btf_skip_mods(const struct btf *btf, uint32_t id, uint32_t *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int depth;

	for (depth = 0; t && depth < BTF_MAX_MODS; depth++) {
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			t = btf__type_by_id(btf, id);
			break;
		default:
			if (res_id)
				*res_id = id;
			return t;
		}
	}
	return NULL;
}

const char *xbpf_ld_btf_name(const struct btf *btf, uint32_t name_off)
{
	const char *name = btf__name_by_offset(btf, name_off);

	return name ? name : "";
}

uint32_t xbpf_ld_btf_datasec(const struct btf *btf, const char *name)
{
	int id;

	if (!btf)
		return 0;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_DATASEC);
	return id > 0 ? (uint32_t)id : 0;
}

uint32_t xbpf_ld_btf_datasec_var(const struct btf *btf, uint32_t datasec_id, const char *name)
{
	const struct btf_type *sec = btf ? btf__type_by_id(btf, datasec_id) : NULL;
	const struct btf_var_secinfo *vi;
	unsigned i;

	if (!sec || !btf_is_datasec(sec))
		return 0;
	vi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *var = btf__type_by_id(btf, vi->type);

		if (var && strcmp(xbpf_ld_btf_name(btf, var->name_off), name) == 0)
			return vi->type;
	}
	return 0;
}
