/* SPDX-License-Identifier: MIT */
/*
 * The import table of a program: one slot per distinct helper it calls.
 *
 * A call by helper id binds to the program type's helper of that id (an
 * override or a program-type helper from 65536), else to the core helper,
 * if the program type offers it. A call of a named helper binds to the
 * provider named.c chose. The slots of provider helpers are unbound (NULL)
 * when the provider leaves and bound again when a provider offering the
 * same prototypes comes back; calls through an unbound slot fail fast.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/helpers.h"
#include "program/load.h"
#include "runtime/log.h"
#include "runtime/runtime.h"

static const char *helper_label(uint32_t id, char *buf, size_t size)
{
	const char *name = xbpf_linux_helper_name(id);
	if (name)
		snprintf(buf, size, "%s (id %u)", name, id);
	else
		snprintf(buf, size, "helper %u", id);
	return buf;
}

static const struct xbpf_helper *type_helper(const struct xbpf_prog_type *t, uint32_t id)
{
	for (size_t i = 0; i < t->n_helpers; i++)
		if (t->helpers[i].id == id)
			return &t->helpers[i];
	return NULL;
}

static bool type_offers_core(const struct xbpf_prog_type *t, uint32_t id)
{
	if (!t->core_helpers)
		return true;
	for (size_t i = 0; i < t->n_core_helpers; i++)
		if (t->core_helpers[i] == id)
			return true;
	return false;
}

const struct xbpf_helper *xbpf_program_helper_by_id(const struct xbpf_program *prog, uint64_t id)
{
	struct xbpf_provider *p = atomic_load_explicit(&prog->type, memory_order_acquire);
	if (!p || id > UINT32_MAX)
		return NULL;
	const struct xbpf_helper *h = type_helper(&p->u.prog_type, (uint32_t)id);
	if (h)
		return h;
	h = xbpf_core_helper((uint32_t)id);
	if (!h || !type_offers_core(&p->u.prog_type, (uint32_t)id) ||
	    ((h->flags & XBPF_HELPER_GPL_ONLY) && !prog->gpl))
		return NULL;
	return h;
}

/* A new, unbound slot in the table being built; NULL when out of memory. */
struct xbpf_import_desc *xbpf_load_new_import(struct xbpf_load *ld)
{
	size_t n = ld->n_imports + 1;
	struct xbpf_import *imports = realloc(ld->imports, n * sizeof(*imports));
	if (!imports)
		return NULL;
	ld->imports = imports;
	struct xbpf_import_desc *desc = realloc(ld->import_desc, n * sizeof(*desc));
	if (!desc)
		return NULL;
	ld->import_desc = desc;
	atomic_init(&imports[n - 1].proto, NULL);
	memset(&desc[n - 1], 0, sizeof(desc[n - 1]));
	ld->n_imports = n;
	return &desc[n - 1];
}

/* The slot of a call by helper id, made when first seen. */
static int slot_for_id(struct xbpf_load *ld, size_t pc, uint32_t id)
{
	struct xbpf_program *prog = ld->prog;
	for (size_t i = 0; i < ld->n_imports; i++)
		if (ld->import_desc[i].kind != XBPF_IMPORT_NAMED && ld->import_desc[i].id == id)
			return (int)i;

	char label[96];
	const struct xbpf_prog_type *t = &ld->type->u.prog_type;
	const struct xbpf_helper *h = type_helper(t, id);
	enum xbpf_import_kind kind = XBPF_IMPORT_TYPE;
	if (!h) {
		kind = XBPF_IMPORT_CORE;
		h = type_offers_core(t, id) ? xbpf_core_helper(id) : NULL;
	}
	if (!h)
		return xbpf_load_error(ld, -EINVAL, pc, "calls %s, which programs of type '%s' cannot call",
				       helper_label(id, label, sizeof(label)), t->name);
	if ((h->flags & XBPF_HELPER_GPL_ONLY) && !prog->gpl)
		return xbpf_load_error(ld, -EINVAL, pc, "calls %s, which is only for programs with a "
				       "GPL-compatible license", h->name);
	struct xbpf_import_desc *d = xbpf_load_new_import(ld);
	if (!d)
		return -ENOMEM;
	d->kind = kind;
	d->id = id;
	d->first_pc = pc;
	d->proto = *h;
	d->name = d->proto.name = xbpf_arena_strdup(&prog->mem, h->name);
	if (!d->name)
		return -ENOMEM;
	d->bound = kind == XBPF_IMPORT_TYPE ? ld->type : NULL;
	atomic_store(&ld->imports[ld->n_imports - 1].proto, h);
	return (int)ld->n_imports - 1;
}

int xbpf_imports_build(struct xbpf_load *ld)
{
	size_t n_named = ld->spec->n_imports;
	uint32_t *slot_of_import = calloc(n_named + 1, sizeof(*slot_of_import));
	/* The object's externs are every program's; a program imports those
	 * it refers to. */
	bool *used = calloc(n_named + 1, sizeof(*used));
	int err = 0;

	ld->slot_of_pc = malloc(ld->n_insns * sizeof(*ld->slot_of_pc) + 1);
	if (!slot_of_import || !used || !ld->slot_of_pc) {
		free(slot_of_import);
		free(used);
		return -ENOMEM;
	}
	for (size_t pc = 0; pc < ld->n_insns; pc++) {
		const struct xbpf_insn *insn = &ld->insns[pc];
		ld->slot_of_pc[pc] = -1;
		if (insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_HELPER) {
			int slot = slot_for_id(ld, pc, (uint32_t)insn->imm);
			if (slot < 0) {
				err = slot;
				goto out;
			}
			ld->slot_of_pc[pc] = slot;
		} else if ((insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_KFUNC) ||
			   (xbpf_insn_is_lddw(insn) && insn->src == XBPF_PSEUDO_BTF_ID)) {
			if ((uint32_t)insn->imm >= n_named) {
				err = xbpf_load_error(ld, -EINVAL, pc, "refers to named helper %u, which the "
						      "program does not import", (uint32_t)insn->imm);
				goto out;
			}
			used[insn->imm] = true;
		}
	}

	/* Named imports bind, and the table becomes the program's, under the
	 * registrar's lock: no provider can leave unnoticed in between, and
	 * clients' steps only ever see a complete table. */
	xbpf_registrar_lock(ld->rt);
	err = xbpf_named_imports_resolve(ld, used, slot_of_import);
	if (!err) {
		ld->prog->imports = ld->imports;
		ld->prog->import_desc = ld->import_desc;
		ld->prog->n_imports = ld->n_imports;
		ld->imports = NULL;
		ld->import_desc = NULL;
	}
	xbpf_registrar_unlock(ld->rt);
	if (err)
		goto out;

	for (size_t pc = 0; pc < ld->n_insns; pc++) {
		struct xbpf_insn *insn = &ld->insns[pc];
		if (insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_KFUNC) {
			ld->slot_of_pc[pc] = (int32_t)slot_of_import[insn->imm];
		} else if (xbpf_insn_is_lddw(insn) && insn->src == XBPF_PSEUDO_BTF_ID) {
			/* bpf_ksym_exists(): whether the import is bound now. */
			uint32_t slot = slot_of_import[insn->imm];
			insn->src = XBPF_PSEUDO_NONE;
			insn->imm = atomic_load(&ld->prog->imports[slot].proto) != NULL;
			insn[1].imm = 0;
			pc++;
		}
	}
out:
	free(slot_of_import);
	free(used);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Binding again                                                            */
/* ------------------------------------------------------------------------ */

/* Why a helper's prototype differs from the one a program was loaded
 * with, or NULL when it does not. */
const char *xbpf_helper_proto_diff(const struct xbpf_helper *was, const struct xbpf_helper *now, char *buf,
				   size_t size)
{
	if (was->ret != now->ret || (was->ret_width ? was->ret_width : 8) != (now->ret_width ? now->ret_width : 8) ||
	    was->ret_size != now->ret_size) {
		snprintf(buf, size, "its return type changed");
		return buf;
	}
	/* A width of 0 means 8 bytes. */
	for (int i = 0; i < 5; i++)
		if (was->args[i] != now->args[i] ||
		    (was->arg_width[i] ? was->arg_width[i] : 8) != (now->arg_width[i] ? now->arg_width[i] : 8)) {
			snprintf(buf, size, "its argument %d changed", i + 1);
			return buf;
		}
	if (was->flags != now->flags) {
		snprintf(buf, size, "its flags changed");
		return buf;
	}
	return NULL;
}

/* Why the context differs from the one the program was converted for. */
static const char *context_diff(const struct xbpf_context_descriptor *was,
				const struct xbpf_context_descriptor *now, char *buf, size_t size)
{
	if (was->size != now->size || was->internal_size != now->internal_size)
		snprintf(buf, size, "the context size changed");
	else if (was->data_offset != now->data_offset || was->data_end_offset != now->data_end_offset ||
		 was->data_meta_offset != now->data_meta_offset)
		snprintf(buf, size, "the packet pointers of the context moved");
	else if (was->n_fields != now->n_fields ||
		 memcmp(was->fields, now->fields, was->n_fields * sizeof(*was->fields)))
		snprintf(buf, size, "the converted context fields changed");
	else if (was->n_writable != now->n_writable ||
		 memcmp(was->writable, now->writable, was->n_writable * sizeof(*was->writable)))
		snprintf(buf, size, "the writable part of the context changed");
	else
		return NULL;
	return buf;
}

static void rebind_type(struct xbpf_program *prog, struct xbpf_provider *p)
{
	const struct xbpf_prog_type *t = &p->u.prog_type;
	char why[128];
	const char *diff = context_diff(&prog->context, &t->context, why, sizeof(why));

	for (size_t i = 0; i < prog->n_imports && !diff; i++) {
		const struct xbpf_import_desc *d = &prog->import_desc[i];
		if (d->kind != XBPF_IMPORT_TYPE)
			continue;
		const struct xbpf_helper *h = type_helper(t, d->id);
		char hwhy[64];
		const char *hdiff = h ? xbpf_helper_proto_diff(&d->proto, h, hwhy, sizeof(hwhy))
				      : "the program type no longer has it";
		if (hdiff) {
			snprintf(why, sizeof(why), "helper %s (id %u): %s", d->name, d->id, hdiff);
			diff = why;
		}
	}
	if (diff) {
		xbpf_log(prog->obj.rt, XBPF_LOG_WARN,
			 "program '%s' stays detached: program type '%s' from %s differs from the one it "
			 "was loaded with: %s", prog->obj.name, t->name, xbpf_provider_owner(p), diff);
		return;
	}
	for (size_t i = 0; i < prog->n_imports; i++) {
		struct xbpf_import_desc *d = &prog->import_desc[i];
		if (d->kind != XBPF_IMPORT_TYPE)
			continue;
		d->bound = p;
		atomic_store_explicit(&prog->imports[i].proto, type_helper(t, d->id), memory_order_release);
	}
	atomic_store_explicit(&prog->type, p, memory_order_release);
	xbpf_log(prog->obj.rt, XBPF_LOG_INFO, "program '%s' attached again to program type '%s'",
		 prog->obj.name, t->name);
}

void xbpf_program_provider_added(struct xbpf_program *prog, struct xbpf_provider *p)
{
	if (!prog->loaded)
		return;
	if (p->kind == XBPF_PROVIDER_PROGRAM_TYPE && !atomic_load(&prog->type) &&
	    strcmp(p->u.prog_type.name, prog->type_name) == 0)
		rebind_type(prog, p);
	else if (p->kind == XBPF_PROVIDER_HELPERS)
		xbpf_named_imports_rebind(prog, p);
}

void xbpf_program_provider_removed(struct xbpf_program *prog, struct xbpf_provider *p)
{
	if (atomic_load(&prog->type) == p)
		atomic_store_explicit(&prog->type, NULL, memory_order_release);
	for (size_t i = 0; i < prog->n_imports; i++)
		if (prog->import_desc[i].bound == p) {
			prog->import_desc[i].bound = NULL;
			if (prog->import_desc[i].kind == XBPF_IMPORT_NAMED && !prog->import_desc[i].weak)
				atomic_fetch_add_explicit(&prog->n_unbound, 1, memory_order_release);
			atomic_store_explicit(&prog->imports[i].proto, NULL, memory_order_release);
		}
}
