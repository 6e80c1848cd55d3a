/* SPDX-License-Identifier: MIT */
/*
 * The maps of a loaded object get the object's BTF (object_btf.h).
 *
 * clang leaves the size of each DATASEC and the offsets of its variables at
 * zero in object files; libbpf fills them in from the ELF sections and
 * symbols before giving the BTF to Linux. The same is done here on a copy,
 * from the data maps of the IR (value_size, and the variables with their
 * symbol offsets), so that a DATASEC describes its map's value exactly.
 */
#include "loader/object_btf.h"

#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "maps/map.h"
#include "maps/map_btf.h"
#include "runtime/log.h"

static bool is_data_map(const struct xbpf_elf_map *def)
{
	return def->kind == XBPF_ELF_MAP_DATA || def->kind == XBPF_ELF_MAP_RODATA ||
	       def->kind == XBPF_ELF_MAP_BSS;
}

static const struct xbpf_elf_var *find_var(const struct xbpf_elf_map *def, const char *name)
{
	for (size_t i = 0; i < def->n_vars; i++)
		if (strcmp(def->vars[i].name, name) == 0)
			return &def->vars[i];
	return NULL;
}

/* Sets the size of the data map's DATASEC and its variables' offsets in btf
 * (a private copy: libbpf hands out its types as const, but they live in
 * the copy's own buffer, which is what btf__raw_data returns). */
static void fix_datasec(struct btf *btf, const struct xbpf_elf_map *def)
{
	struct btf_type *t = (struct btf_type *)btf__type_by_id(btf, def->btf_value_type_id);
	struct btf_var_secinfo *vsi;

	if (!t || !btf_is_datasec(t))
		return;
	t->size = def->value_size;
	vsi = btf_var_secinfos(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		const char *name = var ? btf__name_by_offset(btf, var->name_off) : NULL;
		const struct xbpf_elf_var *v = name ? find_var(def, name) : NULL;

		if (v)
			vsi->offset = v->offset;
	}
}

/* The object's BTF with its DATASECs fixed, as a blob; NULL without BTF. */
static int fixed_blob(struct xbpf_runtime *rt, const struct xbpf_elf_obj *elf,
		      struct xbpf_btf_blob **out)
{
	uint32_t size;
	const void *raw = btf__raw_data(elf->btf, &size);
	struct btf *copy;
	int err;

	*out = NULL;
	if (!raw)
		return -ENOMEM;
	errno = 0;
	copy = btf__new(raw, size);
	if (!copy)
		return errno ? -errno : -EINVAL;
	for (size_t i = 0; i < elf->n_maps; i++)
		if (is_data_map(&elf->maps[i]) && elf->maps[i].btf_value_type_id)
			fix_datasec(copy, &elf->maps[i]);
	raw = btf__raw_data(copy, &size);
	err = raw ? xbpf_btf_blob_new(rt, raw, size, out) : -ENOMEM;
	btf__free(copy);
	return err;
}

void xbpf_object_attach_map_btf(struct xbpf_runtime *rt, const char *obj_name,
				const struct xbpf_elf_obj *elf, struct xbpf_map *const *maps)
{
	struct xbpf_btf_blob *blob;
	int err;

	if (!elf->btf)
		return;
	err = fixed_blob(rt, elf, &blob);
	if (err) {
		xbpf_log(rt, XBPF_LOG_WARN, "%s: its maps get no BTF: %s", obj_name, strerror(-err));
		return;
	}
	for (size_t i = 0; i < elf->n_maps; i++) {
		const struct xbpf_elf_map *def = &elf->maps[i];

		if (!maps[i] || (!def->btf_key_type_id && !def->btf_value_type_id))
			continue;
		err = xbpf_map_set_btf_blob(maps[i], blob, def->btf_key_type_id,
					    def->btf_value_type_id);
		if (err && err != -EEXIST)
			xbpf_log(rt, XBPF_LOG_WARN, "%s: map '%s' (section %s) gets no BTF: %s",
				 obj_name, def->name, def->section, strerror(-err));
	}
	xbpf_btf_blob_put(blob);
}
