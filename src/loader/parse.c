/* SPDX-License-Identifier: MIT */
/* xbpf_elf_parse(): runs the loader's stages in order over a private copy of
 * the object, and hands the IR over or frees everything; plus the IR's
 * lookups by name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "loader/ld.h"

/* What obj->priv holds: the copy of the object that names and data point
 * into. */
struct parse_keep {
	uint8_t *image;
	char name[];
};

int xbpf_ld_reserve(void **array, size_t *cap, size_t n, size_t elem)
{
	size_t new_cap;
	void *p;

	if (n <= *cap)
		return 0;
	new_cap = *cap ? *cap * 2 : 8;
	if (new_cap < n)
		new_cap = n;
	if (new_cap > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*array, new_cap * elem);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = new_cap;
	return 0;
}

static void free_map_parts(struct xbpf_elf_map *map)
{
	if (map->inner) {
		free_map_parts(map->inner);
		free(map->inner);
	}
	free(map->slots);
	free(map->vars);
}

void xbpf_elf_obj_free(struct xbpf_elf_obj *obj)
{
	struct parse_keep *keep;
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->n_progs; i++) {
		free(obj->progs[i].insns);
		free(obj->progs[i].funcs);
		free(obj->progs[i].relocs);
		free(obj->progs[i].lines);
	}
	free(obj->progs);
	for (i = 0; i < obj->n_maps; i++)
		free_map_parts(&obj->maps[i]);
	free(obj->maps);
	for (i = 0; i < obj->n_imports; i++)
		free(obj->imports[i].decl_tags);
	free(obj->imports);
	btf__free(obj->btf);
	keep = obj->priv;
	if (keep)
		free(keep->image);
	free(keep);
	free(obj);
}

static void free_ld(struct xbpf_ld *ld)
{
	size_t i;

	for (i = 0; i < ld->n_secs; i++) {
		free(ld->secs[i].insns);
		free(ld->secs[i].refs);
		free(ld->secs[i].lines);
	}
	free(ld->secs);
	free(ld->syms);
	free(ld->sym_import);
	free(ld->funcs);
	free(ld->btf_maps);
	xbpf_ld_names_free(&ld->sec_names);
	xbpf_ld_names_free(&ld->btf_datasecs);
	xbpf_ld_names_free(&ld->btf_externs);
	free(ld->decl_tags);
}

static int run_stages(struct xbpf_ld *ld)
{
	int err;

	err = xbpf_ld_read_elf(ld);
	err = err ? err : xbpf_ld_read_btf(ld);
	err = err ? err : xbpf_ld_collect_funcs(ld);
	err = err ? err : xbpf_ld_read_btf_ext(ld);
	err = err ? err : xbpf_ld_collect_btf_maps(ld);
	err = err ? err : xbpf_ld_collect_legacy_maps(ld);
	err = err ? err : xbpf_ld_collect_data_maps(ld);
	err = err ? err : xbpf_ld_collect_code_relocs(ld);
	err = err ? err : xbpf_ld_check_code(ld);
	err = err ? err : xbpf_ld_collect_map_slots(ld);
	err = err ? err : xbpf_ld_link(ld);
	return err;
}

int xbpf_elf_parse(const void *data, size_t size, const char *obj_name, struct xbpf_elf_obj **out,
		   struct xbpf_diag *diag)
{
	struct xbpf_ld ld = {.diag = diag};
	struct xbpf_elf_obj *obj;
	struct parse_keep *keep;
	unsigned errors = diag ? diag->errors : 0;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!obj_name)
		obj_name = "<object>";
	if (!data && size) {
		xbpf_diag_report(diag, XBPF_LOG_ERROR, "%s: no data", obj_name);
		return -EINVAL;
	}
	obj = calloc(1, sizeof(*obj));
	keep = calloc(1, sizeof(*keep) + strlen(obj_name) + 1);
	if (keep)
		keep->image = malloc(size ? size : 1);
	if (!obj || !keep || !keep->image) {
		if (keep)
			free(keep->image);
		free(keep);
		free(obj);
		xbpf_diag_report(diag, XBPF_LOG_ERROR, "%s: out of memory", obj_name);
		return -ENOMEM;
	}
	strcpy(keep->name, obj_name);
	if (size)
		memcpy(keep->image, data, size);
	obj->priv = keep;
	obj->name = keep->name;

	ld.obj_name = obj->name;
	ld.image = keep->image;
	ld.size = size;
	ld.obj = obj;
	err = run_stages(&ld);
	free_ld(&ld);
	if (err) {
		/* Every failure says why, including those that only ran out of
		 * memory deep inside a stage. */
		if (!diag || diag->errors == errors)
			xbpf_diag_report(diag, XBPF_LOG_ERROR, "%s: %s", obj_name, strerror(-err));
		xbpf_elf_obj_free(obj);
		return err;
	}
	*out = obj;
	return 0;
}

int xbpf_elf_find_prog(const struct xbpf_elf_obj *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->n_progs; i++) {
		if (strcmp(obj->progs[i].name, name) == 0)
			return (int)i;
	}
	return -ENOENT;
}

int xbpf_elf_find_map(const struct xbpf_elf_obj *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->n_maps; i++) {
		if (strcmp(obj->maps[i].name, name) == 0)
			return (int)i;
	}
	return -ENOENT;
}
