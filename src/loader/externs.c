/* SPDX-License-Identifier: MIT */
/*
 * Named helper imports. A call to an undefined symbol is a call to a named
 * helper (`extern ... __ksym` function, kfunc style): its import keeps the
 * name, whether it is __weak, its BTF FUNC and FUNC_PROTO, and the
 * btf_decl_tag strings attached to it ("xbpf:provider=NAME"), so that the
 * next stage can bind it. An lddw of such a function asks whether it is
 * bound (bpf_ksym_exists). Extern variables (__kconfig, __ksym variables)
 * are not supported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "loader/ld.h"

/* The BTF FUNC or VAR of an extern named name, 0 if none. */
static uint32_t find_extern_btf(const struct btf *btf, const char *name)
{
	uint32_t n = btf__type_cnt(btf), id;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if ((btf_is_func(t) || btf_is_var(t)) &&
		    strcmp(xbpf_ld_btf_name(btf, t->name_off), name) == 0)
			return id;
	}
	return 0;
}

/* Name of the DATASEC holding the extern type id, "" if none. */
static const char *extern_datasec(const struct btf *btf, uint32_t type_id)
{
	uint32_t n = btf__type_cnt(btf), id, i;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vi;

		if (!btf_is_datasec(t))
			continue;
		vi = btf_var_secinfos(t);
		for (i = 0; i < btf_vlen(t); i++, vi++) {
			if (vi->type == type_id)
				return xbpf_ld_btf_name(btf, t->name_off);
		}
	}
	return "";
}

static int collect_decl_tags(const struct btf *btf, uint32_t func_id, struct xbpf_elf_import *imp)
{
	uint32_t n = btf__type_cnt(btf), id, count = 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		count += btf_is_decl_tag(t) && t->type == func_id && btf_decl_tag(t)->component_idx == -1;
	}
	if (count == 0)
		return 0;
	imp->decl_tags = calloc(count, sizeof(*imp->decl_tags));
	if (!imp->decl_tags)
		return -ENOMEM;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_decl_tag(t) && t->type == func_id && btf_decl_tag(t)->component_idx == -1)
			imp->decl_tags[imp->n_decl_tags++] = xbpf_ld_btf_name(btf, t->name_off);
	}
	return 0;
}

/* Fills the BTF part of imp, or explains why the extern cannot be one. */
static int describe_import(struct xbpf_ld *ld, struct xbpf_ld_where where, struct xbpf_elf_import *imp)
{
	const struct btf_type *t, *proto;
	uint32_t id;

	if (!ld->btf)
		return 0;
	id = find_extern_btf(ld->btf, imp->name);
	t = id ? btf__type_by_id(ld->btf, id) : NULL;
	if (!t)
		return xbpf_ld_error(ld, -EINVAL, where, "extern '%s' has no BTF description",
				     imp->name);
	if (btf_is_var(t)) {
		const char *sec = extern_datasec(ld->btf, id);

		if (strcmp(sec, ".kconfig") == 0)
			return xbpf_ld_error(ld, -EOPNOTSUPP, where,
					     "extern Kconfig variable '%s' (__kconfig) is not "
					     "supported",
					     imp->name);
		if (strcmp(sec, ".ksyms") == 0)
			return xbpf_ld_error(ld, -EOPNOTSUPP, where,
					     "extern kernel variable '%s' (__ksym) is not supported",
					     imp->name);
		return xbpf_ld_error(ld, -EOPNOTSUPP, where,
				     "extern variable '%s' is not supported", imp->name);
	}
	/* A FUNC keeps its linkage in the vlen bits. */
	if (btf_vlen(t) != BTF_FUNC_EXTERN)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "'%s' is undefined but its BTF FUNC is not extern", imp->name);
	proto = btf__type_by_id(ld->btf, t->type);
	if (!proto || !btf_is_func_proto(proto))
		return xbpf_ld_error(ld, -EINVAL, where,
				     "the BTF FUNC of extern '%s' has no FUNC_PROTO", imp->name);
	imp->btf_func_id = id;
	imp->btf_proto_id = t->type;
	return collect_decl_tags(ld->btf, id, imp);
}

int xbpf_ld_import(struct xbpf_ld *ld, size_t sym_idx, bool is_call, size_t sec, uint32_t insn,
		   uint32_t *index)
{
	struct xbpf_elf_obj *obj = ld->obj;
	const Elf64_Sym *sym = &ld->syms[sym_idx];
	struct xbpf_ld_where where = XBPF_LD_AT_INSN(sec, insn);
	struct xbpf_elf_import *imp;
	int bind = ELF64_ST_BIND(sym->st_info), err;

	if (ld->sym_import[sym_idx] == 0) {
		if (bind != STB_GLOBAL && bind != STB_WEAK)
			return xbpf_ld_error(ld, -EINVAL, where,
					     "reference to undefined local symbol %zu", sym_idx);
		if (ld->strtab[sym->st_name] == '\0')
			return xbpf_ld_error(ld, -EINVAL, where,
					     "reference to undefined symbol %zu, which has no name",
					     sym_idx);
		err = xbpf_ld_reserve((void **)&obj->imports, &ld->imports_cap, obj->n_imports + 1,
				      sizeof(*obj->imports));
		if (err)
			return err;
		imp = &obj->imports[obj->n_imports];
		memset(imp, 0, sizeof(*imp));
		imp->name = ld->strtab + sym->st_name;
		imp->weak = bind == STB_WEAK;
		/* Counted now so that obj_free releases what describe_import
		 * allocated, even when it fails. */
		obj->n_imports++;
		err = describe_import(ld, where, imp);
		if (err)
			return err;
		ld->sym_import[sym_idx] = (uint32_t)obj->n_imports;
	}
	imp = &obj->imports[ld->sym_import[sym_idx] - 1];
	if (!is_call && imp->btf_func_id == 0)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "lddw of extern '%s' needs BTF to tell a function from a "
				     "variable",
				     imp->name);
	*index = ld->sym_import[sym_idx] - 1;
	return 0;
}
