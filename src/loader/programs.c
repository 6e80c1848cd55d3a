/* SPDX-License-Identifier: MIT */
/*
 * Functions and programs. Each code section is cut into functions by its
 * FUNC symbols (value and size). A global function outside `.text` is an
 * entry program, named by its symbol and typed later by its section name;
 * every other function (all of `.text`, static functions elsewhere) is a
 * subprogram, linked into the programs that reach it.
 */
#include <errno.h>
#include <stdlib.h>

#include "loader/ld.h"

static int cmp_func(const void *a, const void *b)
{
	const struct xbpf_ld_func *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int add_func(struct xbpf_ld *ld, size_t i)
{
	const Elf64_Sym *sym = &ld->syms[i];
	const char *name = xbpf_ld_sym_name(ld, i);
	struct xbpf_ld_sec *sec = &ld->secs[sym->st_shndx];
	struct xbpf_ld_func *f = &ld->funcs[ld->n_funcs];
	struct xbpf_ld_where where = XBPF_LD_AT_SYM(sym->st_shndx, name);

	if (sec->kind != XBPF_LD_SEC_CODE)
		return xbpf_ld_error(ld, -EINVAL, where, "function symbol in a section without code");
	if (name[0] == '\0')
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(sym->st_shndx),
				     "function symbol %zu has no name", i);
	if (sym->st_value % 8 != 0 || sym->st_size % 8 != 0 || sym->st_size == 0)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "function at byte %llu of %llu bytes is not a whole number of "
				     "instructions",
				     (unsigned long long)sym->st_value,
				     (unsigned long long)sym->st_size);
	if (sym->st_value > sec->size || sym->st_size > sec->size - sym->st_value)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "function at byte %llu of %llu bytes runs past the end of "
				     "the section (%zu bytes)",
				     (unsigned long long)sym->st_value,
				     (unsigned long long)sym->st_size, sec->size);
	f->name = name;
	f->sec = sym->st_shndx;
	f->start = (uint32_t)(sym->st_value / 8);
	f->count = (uint32_t)(sym->st_size / 8);
	f->entry = sym->st_shndx != ld->text_sec && ELF64_ST_BIND(sym->st_info) != STB_LOCAL;
	f->prog = -1;
	ld->n_funcs++;
	return 0;
}

static bool is_defined_func(const Elf64_Sym *sym)
{
	return ELF64_ST_TYPE(sym->st_info) == STT_FUNC && sym->st_shndx != SHN_UNDEF &&
	       sym->st_shndx < SHN_LORESERVE;
}

static int add_programs(struct xbpf_ld *ld)
{
	struct xbpf_elf_obj *obj = ld->obj;
	size_t i, n = 0;

	for (i = 0; i < ld->n_funcs; i++)
		n += ld->funcs[i].entry;
	if (n == 0)
		return 0;
	obj->progs = calloc(n, sizeof(*obj->progs));
	if (!obj->progs)
		return -ENOMEM;
	for (i = 0; i < ld->n_funcs; i++) {
		struct xbpf_ld_func *f = &ld->funcs[i];
		struct xbpf_elf_prog *prog;

		if (!f->entry)
			continue;
		f->prog = (int)obj->n_progs;
		prog = &obj->progs[obj->n_progs++];
		prog->name = f->name;
		prog->section = ld->secs[f->sec].name;
		prog->sec_insn = f->start;
	}
	return 0;
}

int xbpf_ld_collect_funcs(struct xbpf_ld *ld)
{
	size_t i, n = 0;
	int err;

	for (i = 0; i < ld->n_syms; i++)
		n += is_defined_func(&ld->syms[i]);
	if (n == 0)
		return 0;
	ld->funcs = calloc(n, sizeof(*ld->funcs));
	if (!ld->funcs)
		return -ENOMEM;
	for (i = 0; i < ld->n_syms; i++) {
		if (!is_defined_func(&ld->syms[i]))
			continue;
		err = add_func(ld, i);
		if (err)
			return err;
	}
	qsort(ld->funcs, ld->n_funcs, sizeof(*ld->funcs), cmp_func);

	for (i = 0; i < ld->n_funcs; i++) {
		const struct xbpf_ld_func *f = &ld->funcs[i];
		struct xbpf_ld_sec *sec = &ld->secs[f->sec];

		if (sec->n_funcs == 0)
			sec->first_func = i;
		sec->n_funcs++;
		if (i > 0 && ld->funcs[i - 1].sec == f->sec &&
		    ld->funcs[i - 1].start + ld->funcs[i - 1].count > f->start)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SYM(f->sec, f->name),
					     "function overlaps '%s'", ld->funcs[i - 1].name);
	}
	return add_programs(ld);
}

struct xbpf_ld_func *xbpf_ld_func_holding(const struct xbpf_ld *ld, size_t sec, uint32_t insn)
{
	const struct xbpf_ld_sec *s = &ld->secs[sec];
	struct xbpf_ld_func *f;
	size_t lo = 0, hi = s->n_funcs;

	/* The last function starting at or before insn. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ld->funcs[s->first_func + mid].start <= insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	f = &ld->funcs[s->first_func + lo - 1];
	return insn - f->start < f->count ? f : NULL;
}

struct xbpf_ld_func *xbpf_ld_func_at(const struct xbpf_ld *ld, size_t sec, uint32_t insn)
{
	struct xbpf_ld_func *f = xbpf_ld_func_holding(ld, sec, insn);

	return f && f->start == insn ? f : NULL;
}
