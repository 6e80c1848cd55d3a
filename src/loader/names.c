/* SPDX-License-Identifier: MIT */
/* Sorted name tables. The loader looks sections, BTF types and variables up
 * by name through them, in O(log n), so that an object with very many of
 * them cannot make parsing quadratic. */
#include <stdlib.h>
#include <string.h>

#include "loader/ld.h"

static int cmp_name(const void *a, const void *b)
{
	const struct xbpf_ld_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

void xbpf_ld_names_sort(struct xbpf_ld_names *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp_name);
}

uint32_t xbpf_ld_names_find(const struct xbpf_ld_names *t, const char *name)
{
	size_t lo = 0, hi = t->n;

	/* The first entry not below name. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && strcmp(t->v[lo].name, name) == 0 ? t->v[lo].id : 0;
}

void xbpf_ld_names_free(struct xbpf_ld_names *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
