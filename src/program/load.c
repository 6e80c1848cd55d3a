/* SPDX-License-Identifier: MIT */
/*
 * Loading a program: find its program type, resolve its map references,
 * validate it, build its import table, convert its context accesses, and
 * prepare it for its engine. Every refusal names the program, the
 * instruction and, where BTF line info exists, the source line.
 *
 * The program joins the registrar as a client before it looks for any
 * provider, so a provider that leaves while the load runs unbinds it like
 * any loaded program; the load then fails instead of publishing a program
 * bound to something gone.
 */
#include "program/load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/validate.h"
#include "maps/custom_map.h"
#include "maps/map.h"
#include "program/cpu_slot.h"
#include "runtime/log.h"
#include "runtime/runtime.h"
#include "verifier/ctx_access.h"

const char *xbpf_program_where(const struct xbpf_program *prog, size_t pc, char *buf, size_t size)
{
	const struct xbpf_source_line *best = NULL;
	for (size_t i = 0; i < prog->n_lines && prog->lines[i].insn <= pc; i++)
		best = &prog->lines[i];
	if (!best || size == 0)
		return size ? (buf[0] = '\0', buf) : "";
	const char *file = strrchr(best->file, '/');
	snprintf(buf, size, "%s:%u: %s", file ? file + 1 : best->file, best->line, best->text);
	return buf;
}

static void vreport(struct xbpf_load *ld, bool at_insn, size_t pc, const char *fmt, va_list ap)
{
	char msg[512], where[256], at[320] = "";
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (at_insn) {
		xbpf_program_where(ld->prog, pc, where, sizeof(where));
		snprintf(at, sizeof(at), ": instruction %zu%s%s%s", pc, where[0] ? " (" : "", where,
			 where[0] ? ")" : "");
	}
	xbpf_log(ld->rt, XBPF_LOG_ERROR, "%s%sprogram '%s'%s: %s", ld->spec->object ? ld->spec->object : "",
		 ld->spec->object ? ": " : "", ld->spec->name ? ld->spec->name : "(unnamed)", at, msg);
}

int xbpf_load_error(struct xbpf_load *ld, int err, size_t pc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(ld, true, pc, fmt, ap);
	va_end(ap);
	return err;
}

int xbpf_load_fail(struct xbpf_load *ld, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(ld, false, 0, fmt, ap);
	va_end(ap);
	return err;
}

uint32_t xbpf_type_hash(const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return h;
}

static bool license_is_gpl(const char *license)
{
	static const char *const gpl[] = {"GPL", "GPL v2", "GPL and additional rights",
					   "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"};
	for (size_t i = 0; license && i < sizeof(gpl) / sizeof(gpl[0]); i++)
		if (strcmp(license, gpl[i]) == 0)
			return true;
	return false;
}

static int find_type(struct xbpf_load *ld)
{
	const struct xbpf_program_spec *spec = ld->spec;
	if (spec->type)
		xbpf_registrar_find(ld->rt, XBPF_PROVIDER_PROGRAM_TYPE, spec->type, &ld->type);
	else if (spec->section)
		xbpf_registrar_find_section(ld->rt, spec->section, &ld->type);
	if (ld->type)
		return 0;
	if (spec->type)
		return xbpf_load_fail(ld, -ENOENT, "program type '%s' is not registered (is its "
				      "extension loaded?)", spec->type);
	return xbpf_load_fail(ld, -ENOENT, "no program type handles section '%s' (is the extension "
			      "that provides it loaded?)", spec->section ? spec->section : "");
}

/* Keeps the program's own copy of the context it is converted for. */
static int copy_context(struct xbpf_load *ld)
{
	struct xbpf_program *prog = ld->prog;
	const struct xbpf_prog_type *t = &ld->type->u.prog_type;
	struct xbpf_context_descriptor *c = &prog->context;

	*c = t->context;
	c->fields = xbpf_arena_memdup(&prog->mem, c->fields, c->n_fields * sizeof(*c->fields));
	c->writable = xbpf_arena_memdup(&prog->mem, c->writable, c->n_writable * sizeof(*c->writable));
	prog->type_name = xbpf_arena_strdup(&prog->mem, t->name);
	if (!c->fields || !c->writable || !prog->type_name)
		return -ENOMEM;
	prog->type_hash = xbpf_type_hash(t->name);
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t i = 0; i < c->n_writable; i++) {
		if (c->writable[i].offset < lo)
			lo = c->writable[i].offset;
		if (c->writable[i].offset + c->writable[i].size > hi)
			hi = c->writable[i].offset + c->writable[i].size;
	}
	prog->ctx_rw_span = (struct xbpf_region){lo < hi ? lo : 0, lo < hi ? hi : 0, XBPF_MEM_RW};
	return 0;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
	return x < y ? -1 : x > y;
}

/* Notes map as used by the program (once, with a reference). */
static int use_map(struct xbpf_program *prog, struct xbpf_map *map)
{
	for (size_t i = 0; i < prog->n_maps; i++)
		if (prog->maps[i] == map)
			return 0;
	struct xbpf_map **maps = realloc(prog->maps, (prog->n_maps + 1) * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	prog->maps = maps;
	xbpf_map_ref(map);
	maps[prog->n_maps++] = map;
	return 0;
}

static int add_fixed_region(struct xbpf_program *prog, const void *value, const struct xbpf_map *map)
{
	for (size_t i = 0; i < prog->n_fixed; i++)
		if (prog->fixed[i].start == (uintptr_t)value)
			return 0;
	struct xbpf_region *r = realloc(prog->fixed, (prog->n_fixed + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	prog->fixed = r;
	r[prog->n_fixed++] = (struct xbpf_region){(uintptr_t)value, (uintptr_t)value + map->value_size,
						  map->value_perm};
	return 0;
}

/* lddw of maps and map values: from indexes into spec->maps to addresses. */
static int resolve_maps(struct xbpf_load *ld)
{
	for (size_t pc = 0; pc < ld->n_insns; pc++) {
		struct xbpf_insn *insn = &ld->insns[pc];
		if (!xbpf_insn_is_lddw(insn))
			continue;
		if (pc + 1 >= ld->n_insns)
			return xbpf_load_error(ld, -EINVAL, pc, "incomplete lddw");
		uint8_t src = insn->src;
		if (src != XBPF_PSEUDO_MAP_IDX && src != XBPF_PSEUDO_MAP_IDX_VALUE) {
			if (src == XBPF_PSEUDO_MAP_FD || src == XBPF_PSEUDO_MAP_VALUE)
				return xbpf_load_error(ld, -EINVAL, pc, "lddw refers to a map by descriptor, "
						       "which xbpf programs do not have");
			pc++;
			continue;
		}
		uint32_t idx = (uint32_t)insn->imm;
		if (idx >= ld->spec->n_maps || !ld->spec->maps[idx])
			return xbpf_load_error(ld, -EINVAL, pc, "lddw refers to map %u, which does not exist", idx);
		struct xbpf_map *map = ld->spec->maps[idx];
		uint64_t addr = (uintptr_t)map;
		if (src == XBPF_PSEUDO_MAP_IDX_VALUE) {
			uint32_t off = (uint32_t)insn[1].imm, zero = 0;
			if (map->type != XBPF_MAP_TYPE_ARRAY)
				return xbpf_load_error(ld, -EINVAL, pc, "direct value access needs an array "
						       "map, and map '%s' is not one", map->obj.name);
			if (off >= map->value_size)
				return xbpf_load_error(ld, -EINVAL, pc, "offset %u is beyond the %u-byte value "
						       "of map '%s'", off, map->value_size, map->obj.name);
			void *value = xbpf_map_lookup_prog(map, &zero, 0);
			if (!value || add_fixed_region(ld->prog, value, map))
				return -ENOMEM;
			addr = (uintptr_t)value + off;
		}
		int err = use_map(ld->prog, map);
		if (err)
			return err;
		insn[0].src = XBPF_PSEUDO_NONE;
		insn[0].imm = (int32_t)(uint32_t)addr;
		insn[1].imm = (int32_t)(uint32_t)(addr >> 32);
		pc++;
	}
	/* Providers of extension map types may veto programs of this type. */
	for (size_t i = 0; i < ld->prog->n_maps; i++) {
		struct xbpf_map *map = ld->prog->maps[i];
		int err = xbpf_custom_map_associate(map, ld->prog->type_name);
		if (err) {
			while (i--)
				xbpf_custom_map_disassociate(ld->prog->maps[i], ld->prog->type_name);
			return xbpf_load_fail(ld, err, "map '%s' (type %u): its provider refuses programs "
					      "of type '%s'", map->obj.name, (unsigned)map->type,
					      ld->prog->type_name);
		}
	}
	ld->prog->maps_associated = true;
	if (ld->prog->n_maps)
		qsort(ld->prog->maps, ld->prog->n_maps, sizeof(*ld->prog->maps), cmp_ptr);
	return 0;
}

static int validate(struct xbpf_load *ld)
{
	struct xbpf_validate_error verr;
	struct xbpf_func_list funcs;
	int err = xbpf_validate_funcs(ld->insns, ld->n_insns, &verr, &funcs);
	if (err == -ENOMEM)
		return err;
	if (err)
		return xbpf_load_error(ld, err, verr.pc, "%s", verr.reason);
	ld->func_starts = funcs.starts;
	ld->n_funcs = funcs.count;
	return 0;
}

static int convert_context(struct xbpf_load *ld)
{
	const struct xbpf_context_descriptor *c = &ld->prog->context;
	struct xbpf_ctx_layout layout = {
		.size = c->size,
		.converted = c->fields,
		.n_converted = c->n_fields,
		.writable = c->writable,
		.n_writable = c->n_writable,
	};
	struct xbpf_ctx_error cerr;
	int err = xbpf_ctx_convert(ld->insns, ld->n_insns, &layout, &cerr);
	if (err == -ENOMEM)
		return err;
	return err ? xbpf_load_error(ld, err, cerr.pc, "%s", cerr.msg) : 0;
}

static int call_slot(void *ctx, size_t pc, const struct xbpf_insn *insn)
{
	const struct xbpf_load *ld = ctx;
	return pc < ld->n_insns && ld->slot_of_pc[pc] >= 0 ? ld->slot_of_pc[pc] : -ENOENT;
}

static int prepare_engine(struct xbpf_load *ld)
{
	struct xbpf_program *prog = ld->prog;
	struct xbpf_vm_code code = {
		.insns = ld->insns,
		.count = ld->n_insns,
		.func_starts = ld->func_starts,
		.n_funcs = ld->n_funcs,
		.call_slot = call_slot,
		.call_slot_ctx = ld,
	};
	char err_msg[256];
	int err = prog->engine_ops->prepare(&code, &prog->vm, err_msg, sizeof(err_msg));
	return err ? xbpf_load_fail(ld, err, "the %s cannot run it: %s", prog->engine_ops->name, err_msg) : 0;
}

static int copy_spec(struct xbpf_load *ld)
{
	const struct xbpf_program_spec *spec = ld->spec;
	struct xbpf_program *prog = ld->prog;
	struct xbpf_arena *mem = &prog->mem;

	prog->orig = xbpf_arena_memdup(mem, spec->insns, spec->n_insns * sizeof(*spec->insns));
	prog->n_orig = spec->n_insns;
	prog->section = xbpf_arena_strdup(mem, spec->section ? spec->section : "");
	struct xbpf_source_line *lines = xbpf_arena_alloc(mem, spec->n_lines * sizeof(*lines) + 1);
	if (!prog->orig || !prog->section || !lines)
		return -ENOMEM;
	for (size_t i = 0; i < spec->n_lines; i++) {
		lines[i] = spec->lines[i];
		lines[i].file = xbpf_arena_strdup(mem, lines[i].file ? lines[i].file : "");
		lines[i].text = xbpf_arena_strdup(mem, lines[i].text ? lines[i].text : "");
		if (!lines[i].file || !lines[i].text)
			return -ENOMEM;
	}
	prog->lines = lines;
	prog->n_lines = spec->n_lines;
	prog->gpl = license_is_gpl(spec->license);
	ld->insns = malloc(spec->n_insns * sizeof(*ld->insns) + 1);
	if (!ld->insns)
		return -ENOMEM;
	memcpy(ld->insns, spec->insns, spec->n_insns * sizeof(*ld->insns));
	ld->n_insns = spec->n_insns;
	return 0;
}

/* The last step: the program is complete, unless a provider it bound to
 * left while it loaded. */
static int finish(struct xbpf_load *ld)
{
	struct xbpf_program *prog = ld->prog;
	int err = 0;

	xbpf_registrar_lock(ld->rt);
	if (atomic_load(&prog->type) != ld->type)
		err = -XBPF_EDETACHED;
	for (size_t i = 0; i < prog->n_imports && !err; i++)
		if (!prog->import_desc[i].weak && !atomic_load(&prog->imports[i].proto))
			err = -XBPF_EDETACHED;
	if (!err)
		xbpf_program_client_loaded(prog);
	xbpf_registrar_unlock(ld->rt);
	if (err)
		return xbpf_load_fail(ld, err, "a provider it needs was unregistered while it loaded");
	return xbpf_obj_publish(&prog->obj);
}

int xbpf_program_load_spec(struct xbpf_runtime *rt, const struct xbpf_program_spec *spec,
			   const struct xbpf_program_load_opts *opts, struct xbpf_program **out)
{
	static const struct xbpf_program_load_opts no_opts = {.sz = sizeof(no_opts)};
	struct xbpf_load ld = {.rt = rt, .spec = spec, .opts = opts ? opts : &no_opts};
	struct xbpf_log_capture cap;
	int err;

	if (!rt || !spec || !out || !spec->insns || !spec->n_insns)
		return -EINVAL;
	if (!xbpf_engine_ops_get(ld.opts->engine))
		return -EINVAL;
	xbpf_log_capture_begin(&cap, ld.opts->log, XBPF_LOG_INFO);
	err = xbpf_program_alloc(rt, spec->name, ld.opts->engine, &ld.prog);
	if (err)
		goto out;
	if ((err = find_type(&ld)) || (err = copy_spec(&ld)) || (err = copy_context(&ld)))
		goto out;
	xbpf_program_client_join(ld.prog, ld.type);
	if ((err = resolve_maps(&ld)) || (err = validate(&ld)) || (err = xbpf_imports_build(&ld)) ||
	    (err = convert_context(&ld)) || (err = prepare_engine(&ld)) || (err = finish(&ld)))
		goto out;
	*out = ld.prog;
	ld.prog = NULL;
out:
	if (err == -ENOMEM)
		xbpf_load_fail(&ld, err, "out of memory");
	if (ld.type)
		xbpf_provider_release(ld.type);
	if (ld.prog)
		xbpf_program_put(ld.prog);
	free(ld.insns);
	free(ld.slot_of_pc);
	free(ld.imports);
	free(ld.import_desc);
	free(ld.func_starts);
	xbpf_log_capture_end(&cap);
	return err;
}

/* Raw loads name maps by id in lddw (src 1 and 2): turn them into indexes
 * into a list of the maps, which xbpf_program_load_spec takes. */
static int maps_by_id(struct xbpf_runtime *rt, struct xbpf_insn *insns, size_t count,
		      struct xbpf_map ***maps, size_t *n_maps)
{
	for (size_t pc = 0; pc + 1 < count; pc++) {
		struct xbpf_insn *insn = &insns[pc];
		if (!xbpf_insn_is_lddw(insn))
			continue;
		if (insn->src == XBPF_PSEUDO_MAP_FD || insn->src == XBPF_PSEUDO_MAP_VALUE) {
			uint32_t id = (uint32_t)insn->imm;
			size_t i = 0;
			while (i < *n_maps && xbpf_map_id((*maps)[i]) != id)
				i++;
			if (i == *n_maps) {
				struct xbpf_map **grown = realloc(*maps, (*n_maps + 1) * sizeof(**maps));
				if (!grown)
					return -ENOMEM;
				*maps = grown;
				int err = xbpf_map_get_by_id(rt, id, &grown[i]);
				if (err) {
					xbpf_log(rt, XBPF_LOG_ERROR, "instruction %zu: no map has id %u", pc, id);
					return err;
				}
				(*n_maps)++;
			}
			insn->src = insn->src == XBPF_PSEUDO_MAP_FD ? XBPF_PSEUDO_MAP_IDX : XBPF_PSEUDO_MAP_IDX_VALUE;
			insn->imm = (int32_t)i;
		}
		pc++;
	}
	return 0;
}

int xbpf_program_load(struct xbpf_runtime *rt, const char *type, const struct xbpf_insn *insns, size_t count,
		      const struct xbpf_program_load_opts *opts, struct xbpf_program **out)
{
	if (!rt || !type || !insns || !count || !out)
		return -EINVAL;
	struct xbpf_insn *copy = malloc(count * sizeof(*copy));
	struct xbpf_map **maps = NULL;
	size_t n_maps = 0;
	if (!copy)
		return -ENOMEM;
	memcpy(copy, insns, count * sizeof(*copy));
	struct xbpf_log_capture cap;
	xbpf_log_capture_begin(&cap, opts ? opts->log : NULL, XBPF_LOG_INFO);
	int err = maps_by_id(rt, copy, count, &maps, &n_maps);
	if (!err) {
		struct xbpf_program_spec spec = {
			.name = opts ? opts->name : NULL,
			.type = type,
			.insns = copy,
			.n_insns = count,
			.maps = maps,
			.n_maps = n_maps,
			.license = opts ? opts->license : NULL,
		};
		err = xbpf_program_load_spec(rt, &spec, opts, out);
	}
	for (size_t i = 0; i < n_maps; i++)
		xbpf_map_put(maps[i]);
	free(maps);
	free(copy);
	xbpf_log_capture_end(&cap);
	return err;
}
