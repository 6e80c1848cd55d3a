/* SPDX-License-Identifier: MIT */
/* The object's BTF (parsed by libbpf) and the small queries the other stages
 * make on it. libbpf does not check type references when it parses, so every
 * id read from BTF goes through btf__type_by_id(), which does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "loader/ld.h"

/* Deeper chains of typedefs and modifiers than this are refused, as libbpf
 * refuses them. */
#define BTF_MAX_MODS 32

/* Indexes the DATASECs, and the FUNCs and VARs of extern linkage, by name. */
static int index_btf(struct xbpf_ld *ld)
{
	uint32_t n = btf__type_cnt(ld->btf), id;

	ld->btf_datasecs.v = calloc(n, sizeof(*ld->btf_datasecs.v));
	ld->btf_externs.v = calloc(n, sizeof(*ld->btf_externs.v));
	if (!ld->btf_datasecs.v || !ld->btf_externs.v)
		return -ENOMEM;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(ld->btf, id);
		struct xbpf_ld_name entry = {xbpf_ld_btf_name(ld->btf, t->name_off), id};

		/* A FUNC keeps its linkage in the vlen bits. */
		if (btf_is_datasec(t))
			ld->btf_datasecs.v[ld->btf_datasecs.n++] = entry;
		else if ((btf_is_func(t) && btf_vlen(t) == BTF_FUNC_EXTERN) ||
			 (btf_is_var(t) && btf_var(t)->linkage == BTF_VAR_GLOBAL_EXTERN))
			ld->btf_externs.v[ld->btf_externs.n++] = entry;
	}
	xbpf_ld_names_sort(&ld->btf_datasecs);
	xbpf_ld_names_sort(&ld->btf_externs);
	return 0;
}

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
	ld->obj->btf = ld->btf; /* from now on freed with the object */
	btf__set_pointer_size(ld->btf, 8);
	return index_btf(ld);
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

int xbpf_ld_btf_datasec_vars(const struct btf *btf, uint32_t datasec_id, struct xbpf_ld_names *out)
{
	const struct btf_type *sec = btf && datasec_id ? btf__type_by_id(btf, datasec_id) : NULL;
	const struct btf_var_secinfo *vi;
	unsigned i;

	out->v = NULL;
	out->n = 0;
	if (!sec || !btf_is_datasec(sec) || btf_vlen(sec) == 0)
		return 0;
	out->v = calloc(btf_vlen(sec), sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	vi = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vi++) {
		const struct btf_type *var = btf__type_by_id(btf, vi->type);

		if (var && vi->type != 0)
			out->v[out->n++] = (struct xbpf_ld_name){
				xbpf_ld_btf_name(btf, var->name_off), vi->type};
	}
	xbpf_ld_names_sort(out);
	return 0;
}
