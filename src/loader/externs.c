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

static int cmp_tag(const void *a, const void *b)
{
	const struct xbpf_ld_decl_tag *x = a, *y = b;

	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Indexes the declaration tags of whole declarations by the type they tag,
 * once per object. */
static int index_decl_tags(struct xbpf_ld *ld)
{
	uint32_t n = btf__type_cnt(ld->btf), id;

	ld->decl_tags = calloc(n, sizeof(*ld->decl_tags));
	if (!ld->decl_tags)
		return -ENOMEM;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(ld->btf, id);

		if (btf_is_decl_tag(t) && btf_decl_tag(t)->component_idx == -1)
			ld->decl_tags[ld->n_decl_tags++] = (struct xbpf_ld_decl_tag){
				t->type, id, xbpf_ld_btf_name(ld->btf, t->name_off)};
	}
	if (ld->n_decl_tags > 1)
		qsort(ld->decl_tags, ld->n_decl_tags, sizeof(*ld->decl_tags), cmp_tag);
	ld->decl_tags_indexed = true;
	return 0;
}

/* The tags of func_id, in BTF order. */
static int collect_decl_tags(struct xbpf_ld *ld, uint32_t func_id, struct xbpf_elf_import *imp)
{
	size_t lo = 0, hi, i;
	int err = ld->decl_tags_indexed ? 0 : index_decl_tags(ld);

	if (err)
		return err;
	hi = ld->n_decl_tags;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ld->decl_tags[mid].target < func_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < ld->n_decl_tags && ld->decl_tags[i].target == func_id; i++)
		;
	if (i == lo)
		return 0;
	imp->decl_tags = calloc(i - lo, sizeof(*imp->decl_tags));
	if (!imp->decl_tags)
		return -ENOMEM;
	for (; lo < i; lo++)
		imp->decl_tags[imp->n_decl_tags++] = ld->decl_tags[lo].text;
	return 0;
}

/* Fills the BTF part of imp, or explains why the extern cannot be one. */
static int describe_import(struct xbpf_ld *ld, struct xbpf_ld_where where, struct xbpf_elf_import *imp)
{
	const struct btf_type *t, *proto;
	uint32_t id;

	if (!ld->btf)
		return 0;
	id = xbpf_ld_names_find(&ld->btf_externs, imp->name);
	t = id ? btf__type_by_id(ld->btf, id) : NULL;
	if (!t)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "extern '%s' has no BTF FUNC or VAR of extern linkage",
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
	proto = btf__type_by_id(ld->btf, t->type);
	if (!proto || !btf_is_func_proto(proto))
		return xbpf_ld_error(ld, -EINVAL, where,
				     "the BTF FUNC of extern '%s' has no FUNC_PROTO", imp->name);
	imp->btf_func_id = id;
	imp->btf_proto_id = t->type;
	return collect_decl_tags(ld, id, imp);
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
