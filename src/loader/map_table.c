/* SPDX-License-Identifier: MIT */
/* The object's map table (obj->maps): adding a map, listing the symbols of
 * a definition section, and finding the map defined at an offset. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld.h"

int xbpf_ld_add_map(struct xbpf_ld *ld, struct xbpf_elf_map **out)
{
	struct xbpf_elf_obj *obj = ld->obj;
	int err = xbpf_ld_reserve((void **)&obj->maps, &ld->maps_cap, obj->n_maps + 1,
				  sizeof(*obj->maps));

	if (err)
		return err;
	*out = &obj->maps[obj->n_maps];
	memset(*out, 0, sizeof(**out));
	return (int)obj->n_maps++;
}

static int cmp_sym_value(const void *a, const void *b)
{
	const Elf64_Sym *x = a, *y = b;

	return x->st_value < y->st_value ? -1 : x->st_value > y->st_value;
}

static bool is_def_sym(const Elf64_Sym *sym, size_t sec)
{
	int type = ELF64_ST_TYPE(sym->st_info);

	return sym->st_shndx == sec && (type == STT_OBJECT || type == STT_NOTYPE);
}

int xbpf_ld_def_syms(struct xbpf_ld *ld, size_t sec, Elf64_Sym **out, size_t *n_out)
{
	size_t i, n = 0;
	Elf64_Sym *syms;

	for (i = 0; i < ld->n_syms; i++)
		n += is_def_sym(&ld->syms[i], sec);
	*out = NULL;
	*n_out = 0;
	if (n == 0)
		return 0;
	syms = calloc(n, sizeof(*syms));
	if (!syms)
		return -ENOMEM;
	for (i = 0, n = 0; i < ld->n_syms; i++) {
		if (is_def_sym(&ld->syms[i], sec))
			syms[n++] = ld->syms[i];
	}
	qsort(syms, n, sizeof(*syms), cmp_sym_value);
	*out = syms;
	*n_out = n;
	return 0;
}

int xbpf_ld_map_at(const struct xbpf_ld *ld, size_t sec, uint64_t offset)
{
	size_t first, count, lo = 0, hi;

	if (sec == ld->maps_sec) {
		first = ld->btf_maps_first;
		count = ld->btf_maps_count;
	} else if (sec == ld->legacy_maps_sec) {
		first = ld->legacy_maps_first;
		count = ld->legacy_maps_count;
	} else {
		return -ENOENT;
	}
	hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t at = ld->obj->maps[first + mid].sec_offset;

		if (at == offset)
			return (int)(first + mid);
		if (at < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ENOENT;
}
