/* SPDX-License-Identifier: MIT */
/*
 * The program object: its life as a runtime object and as a registrar
 * client, and the host API that reads it.
 */
#include "program/program.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maps/custom_map.h"
#include "maps/map.h"
#include "runtime/log.h"
#include "runtime/runtime.h"

static void program_free(struct xbpf_obj *obj)
{
	struct xbpf_program *prog = xbpf_program_from_obj(obj);

	xbpf_registrar_remove_client(obj->rt, &prog->client);
	if (prog->vm)
		prog->engine_ops->free(prog->vm);
	for (size_t i = 0; i < prog->n_maps; i++) {
		if (prog->maps_associated)
			xbpf_custom_map_disassociate(prog->maps[i], prog->type_name);
		xbpf_map_unref(prog->maps[i]);
	}
	free(prog->maps);
	free(prog->fixed);
	free(prog->imports);
	free(prog->import_desc);
	free(prog->stats);
	xbpf_arena_release(&prog->mem);
	free(prog);
}

static const struct xbpf_obj_ops program_obj_ops = {.free = program_free};

/* Registrar client steps: programs only bind and unbind pointers. */
static struct xbpf_program *of_client(struct xbpf_client *c)
{
	return (struct xbpf_program *)((char *)c - offsetof(struct xbpf_program, client));
}

static void client_added(struct xbpf_client *c, struct xbpf_provider *p)
{
	xbpf_program_provider_added(of_client(c), p);
}

static void client_removed(struct xbpf_client *c, struct xbpf_provider *p)
{
	xbpf_program_provider_removed(of_client(c), p);
}

static void client_get(struct xbpf_client *c)
{
	xbpf_obj_get(&of_client(c)->obj);
}

static void client_put(struct xbpf_client *c)
{
	xbpf_obj_put(&of_client(c)->obj);
}

static const struct xbpf_client_ops program_client_ops = {
	.added = client_added,
	.removed = client_removed,
	.get = client_get,
	.put = client_put,
};

int xbpf_program_alloc(struct xbpf_runtime *rt, const char *name, enum xbpf_engine engine,
		       struct xbpf_program **out)
{
	char obj_name[XBPF_OBJ_NAME_LEN] = "";
	xbpf_tail_calls_init();
	struct xbpf_program *prog = calloc(1, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	prog->stats = aligned_alloc(64, rt->n_cpus * sizeof(*prog->stats));
	if (!prog->stats) {
		free(prog);
		return -ENOMEM;
	}
	memset(prog->stats, 0, rt->n_cpus * sizeof(*prog->stats));
	/* Object names are shorter than function names may be: keep the
	 * start, as Linux keeps the first 15 characters. */
	if (name) {
		strncpy(obj_name, name, sizeof(obj_name) - 1);
		if (!xbpf_obj_name_valid(obj_name))
			obj_name[0] = '\0';
	}
	prog->engine = engine;
	prog->engine_ops = xbpf_engine_ops_get(engine);
	atomic_init(&prog->type, NULL);
	atomic_init(&prog->n_unbound, 0);
	prog->client.ops = &program_client_ops;
	prog->client.prev = prog->client.next = &prog->client;
	xbpf_obj_init(&prog->obj, rt, XBPF_OBJ_PROGRAM, &program_obj_ops, obj_name[0] ? obj_name : NULL);
	*out = prog;
	return 0;
}

void xbpf_program_client_join(struct xbpf_program *prog, struct xbpf_provider *type)
{
	struct xbpf_runtime *rt = prog->obj.rt;
	xbpf_registrar_add_client(rt, &prog->client);
	xbpf_registrar_lock(rt);
	atomic_store_explicit(&prog->type, type, memory_order_release);
	xbpf_registrar_unlock(rt);
}

void xbpf_program_client_loaded(struct xbpf_program *prog)
{
	prog->loaded = true;
}

/* ------------------------------------------------------------------------ */
/* Host API                                                                 */
/* ------------------------------------------------------------------------ */

void xbpf_program_get(struct xbpf_program *prog)
{
	if (prog)
		xbpf_obj_get_user(&prog->obj);
}

void xbpf_program_put(struct xbpf_program *prog)
{
	if (prog)
		xbpf_obj_put_user(&prog->obj);
}

uint32_t xbpf_program_id(const struct xbpf_program *prog)
{
	return prog->obj.id;
}

const char *xbpf_program_name(const struct xbpf_program *prog)
{
	return prog->obj.name;
}

const char *xbpf_program_section(const struct xbpf_program *prog)
{
	return prog->section;
}

const char *xbpf_program_type(const struct xbpf_program *prog)
{
	return prog->type_name;
}

const struct xbpf_insn *xbpf_program_insns(const struct xbpf_program *prog, size_t *count)
{
	*count = prog->n_orig;
	return prog->orig;
}

int xbpf_program_source_line(const struct xbpf_program *prog, size_t pc, char *buf, size_t size)
{
	xbpf_program_where(prog, pc, buf, size);
	return buf[0] ? 0 : -ENOENT;
}

int xbpf_program_get_info(const struct xbpf_program *prog, struct xbpf_program_info *info)
{
	if (!prog || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->id = prog->obj.id;
	strcpy(info->name, prog->obj.name);
	strncpy(info->type, prog->type_name, sizeof(info->type) - 1);
	info->engine = prog->engine;
	info->insn_count = (uint32_t)prog->n_orig;
	info->attached = atomic_load(&prog->type) != NULL;
	for (size_t i = 0; i < prog->n_imports && info->attached; i++)
		if (!prog->import_desc[i].weak && !atomic_load(&prog->imports[i].proto))
			info->attached = false;
	for (unsigned cpu = 0; cpu < prog->obj.rt->n_cpus; cpu++) {
		info->run_count += atomic_load_explicit(&prog->stats[cpu].runs, memory_order_relaxed);
		info->run_time_ns += atomic_load_explicit(&prog->stats[cpu].ns, memory_order_relaxed);
	}
	return 0;
}

int xbpf_program_pin(struct xbpf_program *prog, const char *path)
{
	return prog ? xbpf_obj_pin_by_host(&prog->obj, path) : -EINVAL;
}

int xbpf_program_get_pinned(struct xbpf_runtime *rt, const char *path, struct xbpf_program **out)
{
	struct xbpf_obj *obj = NULL;
	if (!rt || !out)
		return -EINVAL;
	int err = xbpf_obj_get_pinned(rt, path, XBPF_OBJ_PROGRAM, &obj);
	*out = err ? NULL : xbpf_program_from_obj(obj);
	return err;
}

int xbpf_program_get_by_id(struct xbpf_runtime *rt, uint32_t id, struct xbpf_program **out)
{
	struct xbpf_obj *obj = NULL;
	if (!rt || !out)
		return -EINVAL;
	int err = xbpf_obj_get_by_id(rt, id, XBPF_OBJ_PROGRAM, true, &obj);
	*out = err ? NULL : xbpf_program_from_obj(obj);
	return err;
}

int xbpf_program_get_next_id(struct xbpf_runtime *rt, uint32_t start_id, uint32_t *next_id)
{
	return rt && next_id ? xbpf_obj_next_id(rt, XBPF_OBJ_PROGRAM, start_id, next_id) : -EINVAL;
}
