/* SPDX-License-Identifier: MIT */
/*
 * The loader's back end: xbpf_object, the host's view of one ELF file.
 * Opening parses it (elf_obj.h); loading creates its maps (reusing pinned
 * ones where the object asks), loads every program through the program
 * layer, and fills the initial slots of PROG_ARRAY and map-in-map maps.
 * Either everything loads or nothing stays behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isa/insn.h"
#include "loader/elf_obj.h"
#include "loader/object_btf.h"
#include "maps/map.h"
#include "program/program.h"
#include "runtime/log.h"

struct xbpf_object {
	struct xbpf_runtime *rt;
	char *name;
	char *pin_root;
	struct xbpf_elf_obj *elf;
	struct xbpf_map **maps;         /* by IR index, after load */
	struct xbpf_program **progs;    /* by IR index, after load */
	bool loaded;
};

static void forward_diag(void *user, enum xbpf_log_level level, const char *msg)
{
	xbpf_log(user, level, "%s", msg);
}

int xbpf_object_open_mem(struct xbpf_runtime *rt, const void *data, size_t size,
			 const struct xbpf_object_open_opts *opts, struct xbpf_object **out)
{
	if (!rt || !data || !out)
		return -EINVAL;
	const char *name = opts && opts->object_name ? opts->object_name : "object";
	struct xbpf_log_capture cap;
	xbpf_log_capture_begin(&cap, opts ? opts->log : NULL, XBPF_LOG_INFO);
	struct xbpf_object *obj = calloc(1, sizeof(*obj));
	int err = -ENOMEM;
	if (!obj)
		goto out;
	obj->rt = rt;
	obj->name = strdup(name);
	obj->pin_root = strdup(opts && opts->pin_root ? opts->pin_root : "");
	if (!obj->name || !obj->pin_root)
		goto out;
	struct xbpf_diag diag = {.fn = forward_diag, .user = rt, .level = XBPF_LOG_WARN};
	err = xbpf_elf_parse(data, size, name, &obj->elf, &diag);
	if (err)
		goto out;
	obj->maps = calloc(obj->elf->n_maps + 1, sizeof(*obj->maps));
	obj->progs = calloc(obj->elf->n_progs + 1, sizeof(*obj->progs));
	if (!obj->maps || !obj->progs) {
		err = -ENOMEM;
		goto out;
	}
	*out = obj;
	obj = NULL;
out:
	xbpf_object_close(obj);
	xbpf_log_capture_end(&cap);
	return err;
}

int xbpf_object_open_file(struct xbpf_runtime *rt, const char *path,
			  const struct xbpf_object_open_opts *opts, struct xbpf_object **out)
{
	if (!rt || !path || !out)
		return -EINVAL;
	struct xbpf_log_capture cap;
	xbpf_log_capture_begin(&cap, opts ? opts->log : NULL, XBPF_LOG_INFO);
	int err = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		err = -EINVAL;
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: not a BPF object file (%s)", path,
			 S_ISREG(st.st_mode) ? "empty" : "not a regular file");
	}
	if (!err) {
		void *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (data == MAP_FAILED) {
			err = -errno;
			xbpf_log(rt, XBPF_LOG_ERROR, "%s: %s", path, strerror(errno));
		} else {
			struct xbpf_object_open_opts o = {.sz = sizeof(o)};
			if (opts)
				o = *opts;
			if (!o.object_name) {
				const char *slash = strrchr(path, '/');
				o.object_name = slash ? slash + 1 : path;
			}
			err = xbpf_object_open_mem(rt, data, (size_t)st.st_size, &o, out);
			munmap(data, (size_t)st.st_size);
		}
	}
	if (fd >= 0)
		close(fd);
	xbpf_log_capture_end(&cap);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Maps                                                                     */
/* ------------------------------------------------------------------------ */

static int create_map(struct xbpf_object *obj, const struct xbpf_elf_map *def, struct xbpf_map *inner,
		      struct xbpf_map **out)
{
	struct xbpf_map_create_opts opts = {
		.sz = sizeof(opts),
		.map_flags = def->map_flags,
		.numa_node = def->numa_node,
		.inner_map = inner,
		.map_extra = def->map_extra,
	};
	int err = xbpf_map_create(obj->rt, def->type, def->name, def->key_size, def->value_size,
				  def->max_entries, &opts, out);
	if (err)
		xbpf_log(obj->rt, XBPF_LOG_ERROR, "%s: map '%s' (section %s): cannot create it: %s", obj->name,
			 def->name, def->section, strerror(-err));
	return err;
}

/* Linux/libbpf's rule for reusing a pinned map: the same definition. */
static bool reusable(const struct xbpf_map *map, const struct xbpf_elf_map *def)
{
	return map->type == (enum xbpf_map_type)def->type && map->key_size == def->key_size &&
	       map->value_size == def->value_size && map->max_entries == def->max_entries &&
	       map->map_flags == def->map_flags;
}

static int pinned_or_created(struct xbpf_object *obj, const struct xbpf_elf_map *def, struct xbpf_map *inner,
			     struct xbpf_map **out)
{
	if (def->pinning != XBPF_ELF_PIN_BY_NAME)
		return create_map(obj, def, inner, out);
	char path[XBPF_PIN_PATH_LEN];
	int n = snprintf(path, sizeof(path), "%s%s%s", obj->pin_root, obj->pin_root[0] ? "/" : "", def->name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	int err = xbpf_map_get_pinned(obj->rt, path, out);
	if (!err) {
		if (reusable(*out, def))
			return 0;
		xbpf_log(obj->rt, XBPF_LOG_ERROR, "%s: map '%s': the map pinned at '%s' has another "
			 "definition (type, sizes, entries or flags)", obj->name, def->name, path);
		xbpf_map_put(*out);
		*out = NULL;
		return -EINVAL;
	}
	if ((err = create_map(obj, def, inner, out)))
		return err;
	if ((err = xbpf_map_pin(*out, path))) {
		xbpf_log(obj->rt, XBPF_LOG_ERROR, "%s: map '%s': cannot pin it at '%s': %s", obj->name,
			 def->name, path, strerror(-err));
		xbpf_map_put(*out);
		*out = NULL;
	}
	return err;
}

static int create_maps(struct xbpf_object *obj)
{
	for (size_t i = 0; i < obj->elf->n_maps; i++) {
		const struct xbpf_elf_map *def = &obj->elf->maps[i];
		struct xbpf_map *inner = NULL;
		int err = 0;
		if (def->inner && (err = create_map(obj, def->inner, NULL, &inner)))
			return err;
		err = pinned_or_created(obj, def, inner, &obj->maps[i]);
		xbpf_map_put(inner); /* the outer map keeps its own reference */
		if (err)
			return err;
		if (def->kind == XBPF_ELF_MAP_DATA || def->kind == XBPF_ELF_MAP_RODATA ||
		    def->kind == XBPF_ELF_MAP_BSS) {
			uint32_t zero = 0;
			if (def->data && (err = xbpf_map_update_elem(obj->maps[i], &zero, def->data, XBPF_ANY)))
				return err;
			if (def->frozen && (err = xbpf_map_freeze(obj->maps[i])))
				return err;
		}
	}
	return 0;
}

/* Initial values of PROG_ARRAY (programs) or map-in-map (maps) slots. */
static int fill_slots(struct xbpf_object *obj, bool programs)
{
	for (size_t i = 0; i < obj->elf->n_maps; i++) {
		const struct xbpf_elf_map *def = &obj->elf->maps[i];
		if ((def->type == XBPF_MAP_TYPE_PROG_ARRAY) != programs)
			continue;
		for (size_t s = 0; s < def->n_slots; s++) {
			uint32_t key = def->slots[s].slot, target = def->slots[s].target;
			uint32_t id = programs ? xbpf_program_id(obj->progs[target]) : xbpf_map_id(obj->maps[target]);
			int err = xbpf_map_update_elem(obj->maps[i], &key, &id, XBPF_ANY);
			if (err) {
				xbpf_log(obj->rt, XBPF_LOG_ERROR, "%s: map '%s': cannot fill slot %u: %s",
					 obj->name, def->name, key, strerror(-err));
				return err;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Programs                                                                 */
/* ------------------------------------------------------------------------ */

static const char *tagged_provider(const struct xbpf_elf_import *imp)
{
	static const char prefix[] = "xbpf:provider=";
	for (size_t i = 0; i < imp->n_decl_tags; i++)
		if (strncmp(imp->decl_tags[i], prefix, sizeof(prefix) - 1) == 0)
			return imp->decl_tags[i] + sizeof(prefix) - 1;
	return NULL;
}

static int load_program(struct xbpf_object *obj, size_t index, const struct xbpf_import_spec *imports,
			const struct xbpf_program_load_opts *opts)
{
	const struct xbpf_elf_prog *p = &obj->elf->progs[index];
	struct xbpf_source_line *lines = calloc(p->n_lines + 1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_lines; i++)
		lines[i] = (struct xbpf_source_line){p->lines[i].insn, p->lines[i].line, p->lines[i].file,
						     p->lines[i].text};
	struct xbpf_program_spec spec = {
		.name = p->name,
		.section = p->section,
		.insns = p->insns,
		.n_insns = p->n_insns,
		.maps = obj->maps,
		.n_maps = obj->elf->n_maps,
		.imports = imports,
		.n_imports = obj->elf->n_imports,
		.lines = lines,
		.n_lines = p->n_lines,
		.license = obj->elf->license,
		.object = obj->name,
	};
	int err = xbpf_program_load_spec(obj->rt, &spec, opts, &obj->progs[index]);
	free(lines);
	return err;
}

/* The import specs of the object's externs; NULL when out of memory. */
static struct xbpf_import_spec *import_specs(struct xbpf_object *obj)
{
	size_t n = obj->elf->n_imports;
	struct xbpf_import_spec *imports = calloc(n + 1, sizeof(*imports));
	if (!imports)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct xbpf_elf_import *imp = &obj->elf->imports[i];
		imports[i] = (struct xbpf_import_spec){
			.name = imp->name,
			.weak = imp->weak,
			.provider = tagged_provider(imp),
			.btf = obj->elf->btf,
			.btf_proto_id = imp->btf_proto_id,
		};
	}
	return imports;
}

static int load_programs(struct xbpf_object *obj, const struct xbpf_program_load_opts *opts)
{
	struct xbpf_import_spec *imports = import_specs(obj);
	if (!imports)
		return -ENOMEM;
	int err = 0;
	for (size_t i = 0; i < obj->elf->n_progs && !err; i++)
		err = load_program(obj, i, imports, opts);
	free(imports);
	return err;
}

/* Does program p refer to import i (a call, or bpf_ksym_exists)? */
static bool program_uses(const struct xbpf_elf_prog *p, size_t i)
{
	for (size_t pc = 0; pc < p->n_insns; pc++) {
		const struct xbpf_insn *insn = &p->insns[pc];
		if (((insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_KFUNC) ||
		     (xbpf_insn_is_lddw(insn) && insn->src == XBPF_PSEUDO_BTF_ID)) &&
		    (uint32_t)insn->imm == i)
			return true;
	}
	return false;
}

static int explain_program(struct xbpf_object *obj, const struct xbpf_elf_prog *p,
			   const struct xbpf_import_spec *imports,
			   const struct xbpf_program_load_opts *opts, xbpf_import_fn fn, void *user)
{
	struct xbpf_provider *type = NULL;
	char detail[1024];
	int ret = 0;
	xbpf_registrar_find_section(obj->rt, p->section, &type);
	for (size_t i = 0; i < obj->elf->n_imports && !ret; i++) {
		if (!program_uses(p, i))
			continue;
		struct xbpf_import_info info = {.program = p->name, .name = imports[i].name,
						.weak = imports[i].weak, .detail = detail};
		if (type) {
			xbpf_named_import_explain(obj->rt, type->u.prog_type.name, opts, &imports[i], &info,
						  detail, sizeof(detail));
		} else {
			info.status = XBPF_IMPORT_STATUS_MISSING;
			snprintf(detail, sizeof(detail), "no program type handles section '%s'", p->section);
		}
		info.program = p->name;
		ret = fn(user, &info);
	}
	if (type)
		xbpf_provider_release(type);
	return ret;
}

int xbpf_object_imports(struct xbpf_object *obj, const struct xbpf_program_load_opts *opts,
			xbpf_import_fn fn, void *user)
{
	if (!obj || !obj->elf || !fn)
		return -EINVAL;
	struct xbpf_import_spec *imports = import_specs(obj);
	if (!imports)
		return -ENOMEM;
	int ret = 0;
	for (size_t i = 0; i < obj->elf->n_progs && !ret; i++)
		ret = explain_program(obj, &obj->elf->progs[i], imports, opts, fn, user);
	free(imports);
	return ret;
}

static void release_loaded(struct xbpf_object *obj)
{
	for (size_t i = 0; obj->elf && i < obj->elf->n_progs; i++) {
		xbpf_program_put(obj->progs[i]);
		obj->progs[i] = NULL;
	}
	for (size_t i = 0; obj->elf && i < obj->elf->n_maps; i++) {
		xbpf_map_put(obj->maps[i]);
		obj->maps[i] = NULL;
	}
}

int xbpf_object_load(struct xbpf_object *obj, const struct xbpf_program_load_opts *opts)
{
	if (!obj)
		return -EINVAL;
	if (obj->loaded)
		return -EALREADY;
	struct xbpf_log_capture cap;
	xbpf_log_capture_begin(&cap, opts ? opts->log : NULL, XBPF_LOG_INFO);
	int err = create_maps(obj);
	if (!err)
		xbpf_object_attach_map_btf(obj->rt, obj->name, obj->elf, obj->maps);
	if (!err)
		err = fill_slots(obj, false);
	if (!err)
		err = load_programs(obj, opts);
	if (!err)
		err = fill_slots(obj, true);
	if (err)
		release_loaded(obj);
	else
		obj->loaded = true;
	xbpf_log_capture_end(&cap);
	return err;
}

void xbpf_object_close(struct xbpf_object *obj)
{
	if (!obj)
		return;
	release_loaded(obj);
	xbpf_elf_obj_free(obj->elf);
	free(obj->maps);
	free(obj->progs);
	free(obj->name);
	free(obj->pin_root);
	free(obj);
}

/* ------------------------------------------------------------------------ */
/* Lookups                                                                  */
/* ------------------------------------------------------------------------ */

const char *xbpf_object_name(const struct xbpf_object *obj)
{
	return obj->name;
}

struct xbpf_program *xbpf_object_find_program(const struct xbpf_object *obj, const char *name)
{
	int i = name ? xbpf_elf_find_prog(obj->elf, name) : -ENOENT;
	return i >= 0 ? obj->progs[i] : NULL;
}

struct xbpf_map *xbpf_object_find_map(const struct xbpf_object *obj, const char *name)
{
	int i = name ? xbpf_elf_find_map(obj->elf, name) : -ENOENT;
	return i >= 0 ? obj->maps[i] : NULL;
}

struct xbpf_program *xbpf_object_next_program(const struct xbpf_object *obj,
					      const struct xbpf_program *prev)
{
	size_t i = 0;
	if (prev)
		while (i < obj->elf->n_progs && obj->progs[i++] != prev)
			;
	return i < obj->elf->n_progs ? obj->progs[i] : NULL;
}

struct xbpf_map *xbpf_object_next_map(const struct xbpf_object *obj, const struct xbpf_map *prev)
{
	size_t i = 0;
	if (prev)
		while (i < obj->elf->n_maps && obj->maps[i++] != prev)
			;
	return i < obj->elf->n_maps ? obj->maps[i] : NULL;
}
