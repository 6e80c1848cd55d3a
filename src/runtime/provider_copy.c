/* SPDX-License-Identifier: MIT */
/*
 * Checking what an extension registers and copying it into core memory.
 * Every refusal names the field ("helpers[2].args[1]") and says why, so
 * that an extension author can fix the provider without reading the core.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loader/btf_check.h"
#include "maps/types.h"
#include "runtime/abi.h"
#include "runtime/registrar.h"

#define MAX_NAME 64
#define MAX_ITEMS 4096
#define MAX_CONTEXT (64 * 1024)
#define MAX_MAP_STATE (1024 * 1024)

struct checker {
	struct xbpf_arena *mem;
	char *field;
	size_t field_size;
	const char **why;
};

static int refuse(struct checker *c, int err, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct checker *c, int err, const char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->field, c->field_size, fmt, ap);
	va_end(ap);
	*c->why = why;
	return err;
}

static int nomem(struct checker *c)
{
	return refuse(c, -ENOMEM, "could not be copied: out of memory", "provider");
}

/* A name: printable, without spaces, shorter than MAX_NAME. */
static bool name_ok(const char *s)
{
	if (!s || !*s || strlen(s) >= MAX_NAME)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

static bool c_identifier(const char *s)
{
	if (!name_ok(s) || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool width_ok(uint8_t w)
{
	return w == 0 || w == 1 || w == 2 || w == 4 || w == 8;
}

static bool is_pointer_kind(unsigned kind)
{
	return kind >= XBPF_ARG_PTR_TO_CTX && kind != XBPF_ARG_CONST_SIZE &&
	       kind != XBPF_ARG_CONST_SIZE_OR_ZERO;
}

static bool is_size_kind(unsigned kind)
{
	return kind == XBPF_ARG_CONST_SIZE || kind == XBPF_ARG_CONST_SIZE_OR_ZERO;
}

/* A helper's prototype: what the call gate needs to make sense of it. */
static int check_prototype(struct checker *c, const struct xbpf_helper *h, const char *at)
{
	bool has_map = false, ended = false;

	for (int i = 0; i < 5; i++) {
		unsigned kind = h->args[i] & ~XBPF_ARG_MAYBE_NULL;
		if (kind > XBPF_ARG_PTR_TO_LONG)
			return refuse(c, -EINVAL, "is not an argument kind", "%s.args[%d]", at, i);
		if (!width_ok(h->arg_width[i]))
			return refuse(c, -EINVAL, "must be 0, 1, 2, 4 or 8", "%s.arg_width[%d]", at, i);
		if (kind == XBPF_ARG_NONE) {
			ended = true;
			continue;
		}
		if (ended)
			return refuse(c, -EINVAL, "follows XBPF_ARG_NONE, which ends the arguments",
				      "%s.args[%d]", at, i);
		if ((h->args[i] & XBPF_ARG_MAYBE_NULL) && !is_pointer_kind(kind))
			return refuse(c, -EINVAL, "is nullable but not a pointer", "%s.args[%d]", at, i);
		if (kind == XBPF_ARG_CONST_MAP_PTR)
			has_map = true;
		if ((kind == XBPF_ARG_PTR_TO_MAP_KEY || kind == XBPF_ARG_PTR_TO_MAP_VALUE) && !has_map)
			return refuse(c, -EINVAL, "needs a map argument before it", "%s.args[%d]", at, i);
		bool sized = kind == XBPF_ARG_PTR_TO_MEM || kind == XBPF_ARG_PTR_TO_UNINIT_MEM;
		if (sized && (i == 4 || !is_size_kind(h->args[i + 1] & ~XBPF_ARG_MAYBE_NULL)))
			return refuse(c, -EINVAL, "must be followed by its size (XBPF_ARG_CONST_SIZE*)",
				      "%s.args[%d]", at, i);
	}
	if (h->ret > XBPF_RET_PTR_TO_MEM_OR_NULL)
		return refuse(c, -EINVAL, "is not a return kind", "%s.ret", at);
	if (!width_ok(h->ret_width))
		return refuse(c, -EINVAL, "must be 0, 1, 2, 4 or 8", "%s.ret_width", at);
	if (h->ret == XBPF_RET_PTR_TO_MAP_VALUE_OR_NULL && !has_map)
		return refuse(c, -EINVAL, "returns a map value but takes no map", "%s.ret", at);
	if (h->flags & ~(uint32_t)(XBPF_HELPER_GPL_ONLY | XBPF_HELPER_CHANGES_PACKET))
		return refuse(c, -EINVAL, "has unknown bits", "%s.flags", at);
	return 0;
}

/* Copies an ABI array of helpers. named: the helpers of a named provider
 * (id 0, unique names) rather than of a program type (unique ids). */
static int copy_helpers(struct checker *c, const struct xbpf_helper *src, size_t n, bool named,
			const struct xbpf_helper **out)
{
	if (n > MAX_ITEMS)
		return refuse(c, -E2BIG, "is too large", "n_helpers");
	if (n && !src)
		return refuse(c, -EINVAL, "is NULL but n_helpers is not 0", "helpers");
	size_t stride = xbpf_abi_stride(src, n);
	struct xbpf_helper *copy = xbpf_arena_alloc(c->mem, n * sizeof(*copy) + 1);
	if (!copy)
		return nomem(c);
	for (size_t i = 0; i < n; i++) {
		const void *elem = (const char *)src + i * stride;
		char at[32];
		snprintf(at, sizeof(at), "helpers[%zu]", i);
		if (((const struct xbpf_abi_header *)elem)->size != stride)
			return refuse(c, -EINVAL, "has a size other than helpers[0]'s", "%s", at);
		const char *why;
		int err = xbpf_abi_copy(&copy[i], sizeof(copy[i]), elem, &why);
		if (err)
			return refuse(c, err, why, "%s", at);
		struct xbpf_helper *h = &copy[i];
		if (!c_identifier(h->name))
			return refuse(c, -EINVAL, "must be a C identifier shorter than 64 characters",
				      "%s.name", at);
		if (!h->fn)
			return refuse(c, -EINVAL, "is NULL", "%s.fn (%s)", at, h->name);
		if (named && h->id)
			return refuse(c, -EINVAL, "must be 0 for a named helper", "%s.id (%s)", at, h->name);
		if (!named && !h->id)
			return refuse(c, -EINVAL,
				      "must be a Linux helper id to override or an id from 65536",
				      "%s.id (%s)", at, h->name);
		err = check_prototype(c, h, at);
		if (err)
			return err;
		for (size_t j = 0; j < i; j++) {
			if (named && strcmp(copy[j].name, h->name) == 0)
				return refuse(c, -EEXIST, "is exported twice by this provider",
					      "%s.name (%s)", at, h->name);
			if (!named && copy[j].id == h->id)
				return refuse(c, -EEXIST, "is used twice by this program type",
					      "%s.id (%u)", at, h->id);
		}
		h->name = xbpf_arena_strdup(c->mem, h->name);
		if (!h->name)
			return nomem(c);
	}
	*out = copy;
	return 0;
}

/* A NULL-terminated list of names (section prefixes, program types). */
static int copy_names(struct checker *c, const char *const *src, const char *what,
		      const char ***out, size_t *n_out)
{
	size_t n = 0;
	while (src[n]) {
		if (!name_ok(src[n]))
			return refuse(c, -EINVAL, "must be a non-empty name shorter than 64 characters",
				      "%s[%zu]", what, n);
		if (++n > MAX_ITEMS)
			return refuse(c, -E2BIG, "has too many entries (or no NULL at its end)", "%s", what);
	}
	const char **copy = xbpf_arena_alloc(c->mem, (n + 1) * sizeof(*copy));
	if (!copy)
		return nomem(c);
	for (size_t i = 0; i < n; i++)
		if (!(copy[i] = xbpf_arena_strdup(c->mem, src[i])))
			return nomem(c);
	*out = copy;
	*n_out = n;
	return 0;
}

static bool ptr_offset_ok(int32_t off, uint32_t internal_size)
{
	return off == -1 || (off >= 0 && off % 8 == 0 && (uint32_t)off + 8 <= internal_size);
}

static int copy_context(struct checker *c, const struct xbpf_context_descriptor *src,
			struct xbpf_context_descriptor *d)
{
	const char *why;
	int err = xbpf_abi_copy(d, sizeof(*d), src, &why);
	if (err)
		return refuse(c, err, why, "context");
	if (d->size == 0 || d->size > MAX_CONTEXT)
		return refuse(c, -EINVAL, "must be between 1 and 65536", "context.size");
	if (d->internal_size < d->size || d->internal_size > MAX_CONTEXT)
		return refuse(c, -EINVAL, "must be at least context.size and at most 65536",
			      "context.internal_size");
	if (!ptr_offset_ok(d->data_offset, d->internal_size))
		return refuse(c, -EINVAL, "must be -1 or an 8-byte aligned pointer inside the context",
			      "context.data_offset");
	if (!ptr_offset_ok(d->data_end_offset, d->internal_size) ||
	    (d->data_end_offset == -1) != (d->data_offset == -1))
		return refuse(c, -EINVAL, "must be an aligned pointer inside the context, given "
			      "exactly when data_offset is", "context.data_end_offset");
	if (!ptr_offset_ok(d->data_meta_offset, d->internal_size) ||
	    (d->data_meta_offset != -1 && d->data_offset == -1))
		return refuse(c, -EINVAL, "must be -1, or an aligned pointer when data_offset is given",
			      "context.data_meta_offset");
	if (d->n_fields > MAX_ITEMS || (d->n_fields && !d->fields))
		return refuse(c, -EINVAL, "does not match n_fields", "context.fields");
	for (size_t i = 0; i < d->n_fields; i++) {
		const struct xbpf_ctx_field *f = &d->fields[i];
		if (!width_ok((uint8_t)f->size) || f->size == 0 || (uint64_t)f->offset + f->size > d->size)
			return refuse(c, -EINVAL, "must be 1, 2, 4 or 8 bytes inside the visible context",
				      "context.fields[%zu]", i);
		if (!width_ok((uint8_t)f->internal_size) || f->internal_size == 0 ||
		    (uint64_t)f->internal_offset + f->internal_size > d->internal_size)
			return refuse(c, -EINVAL, "must be 1, 2, 4 or 8 bytes inside the internal context",
				      "context.fields[%zu].internal_offset", i);
	}
	if (d->n_writable > MAX_ITEMS || (d->n_writable && !d->writable))
		return refuse(c, -EINVAL, "does not match n_writable", "context.writable");
	for (size_t i = 0; i < d->n_writable; i++)
		if (d->writable[i].size == 0 ||
		    (uint64_t)d->writable[i].offset + d->writable[i].size > d->size)
			return refuse(c, -EINVAL, "must be a non-empty range inside the visible context",
				      "context.writable[%zu]", i);
	d->fields = xbpf_arena_memdup(c->mem, d->fields, d->n_fields * sizeof(*d->fields));
	d->writable = xbpf_arena_memdup(c->mem, d->writable, d->n_writable * sizeof(*d->writable));
	if (!d->fields || !d->writable)
		return nomem(c);
	return 0;
}

static int copy_prog_type(struct checker *c, const void *src, struct xbpf_prog_type *t)
{
	struct xbpf_program_type_provider p;
	const char *why;
	int err = XBPF_ABI_COPY(&p, src, &why);
	if (err)
		return refuse(c, err, why, "program type provider");
	if (!name_ok(p.name))
		return refuse(c, -EINVAL, "must be a non-empty name shorter than 64 characters", "name");
	if (!p.section_prefixes || !p.section_prefixes[0])
		return refuse(c, -EINVAL, "must list at least one prefix", "section_prefixes");
	if (!p.context)
		return refuse(c, -EINVAL, "is NULL", "context");
	if (!p.test_run_create != !p.test_run_finish)
		return refuse(c, -EINVAL, "must be given together with test_run_finish",
			      "test_run_create");
	if (p.n_core_helpers > MAX_ITEMS || (p.n_core_helpers && !p.core_helpers))
		return refuse(c, -EINVAL, "does not match n_core_helpers", "core_helpers");

	t->name = xbpf_arena_strdup(c->mem, p.name);
	t->linux_prog_type = p.linux_prog_type;
	t->test_run_create = p.test_run_create;
	t->test_run_finish = p.test_run_finish;
	t->ctx = p.ctx;
	t->n_helpers = p.n_helpers;
	t->n_core_helpers = p.n_core_helpers;
	if (!t->name)
		return nomem(c);
	if (p.core_helpers) {
		uint32_t *ids = xbpf_arena_alloc(c->mem, p.n_core_helpers * sizeof(*ids) + 1);
		if (!ids)
			return nomem(c);
		memcpy(ids, p.core_helpers, p.n_core_helpers * sizeof(*ids));
		t->core_helpers = ids;
	}
	if ((err = copy_names(c, p.section_prefixes, "section_prefixes", &t->prefixes, &t->n_prefixes)) ||
	    (err = copy_context(c, p.context, &t->context)) ||
	    (err = copy_helpers(c, p.helpers, p.n_helpers, false, &t->helpers)))
		return err;
	return 0;
}

static int copy_hook(struct checker *c, const void *src, struct xbpf_hook_type *h)
{
	struct xbpf_hook_provider p;
	const char *why;
	int err = XBPF_ABI_COPY(&p, src, &why);
	if (err)
		return refuse(c, err, why, "hook provider");
	if (!name_ok(p.name))
		return refuse(c, -EINVAL, "must be a non-empty name shorter than 64 characters", "name");
	if (!name_ok(p.program_type))
		return refuse(c, -EINVAL, "must name a program type", "program_type");
	if (!p.attach)
		return refuse(c, -EINVAL, "is NULL", "attach");
	if (!p.detach)
		return refuse(c, -EINVAL, "is NULL", "detach");
	h->name = xbpf_arena_strdup(c->mem, p.name);
	h->program_type = xbpf_arena_strdup(c->mem, p.program_type);
	if (!h->name || !h->program_type)
		return nomem(c);
	h->attach = p.attach;
	h->detach = p.detach;
	h->ctx = p.ctx;
	return 0;
}

static int copy_helper_set(struct checker *c, const void *src, struct xbpf_helper_set *s)
{
	struct xbpf_helper_provider p;
	const char *why;
	int err = XBPF_ABI_COPY(&p, src, &why);
	if (err)
		return refuse(c, err, why, "helper provider");
	if (!name_ok(p.name))
		return refuse(c, -EINVAL, "must be a non-empty name shorter than 64 characters", "name");
	if (p.n_helpers == 0)
		return refuse(c, -EINVAL, "must be at least 1", "n_helpers");
	if (!(s->name = xbpf_arena_strdup(c->mem, p.name)))
		return nomem(c);
	s->n_helpers = p.n_helpers;
	if ((err = copy_helpers(c, p.helpers, p.n_helpers, true, &s->helpers)))
		return err;
	if (p.program_types)
		return copy_names(c, p.program_types, "program_types", &s->program_types,
				  &s->n_program_types);
	return 0;
}

#define MAP_PROG_ACCESS (XBPF_MAP_PROG_LOOKUP | XBPF_MAP_PROG_UPDATE | XBPF_MAP_PROG_DELETE)
#define MAP_PROPERTIES (XBPF_MAP_TRANSFORMS_VALUES | MAP_PROG_ACCESS | XBPF_MAP_INDEXED)

/* Callbacks of a core-stored (hash or array) map type. Programs read
 * values in place, without the provider, so after_find cannot serve their
 * lookups; their updates and deletes do call before_update and
 * after_delete (with XBPF_MAP_FROM_PROGRAM). */
static int check_stored_map_type(struct checker *c, const struct xbpf_map_type_provider *p)
{
	const char *none_only[] = {"lookup", "update", "delete_elem", "next_key"};
	const void *none_fns[] = {(const void *)p->lookup, (const void *)p->update,
				  (const void *)p->delete_elem, (const void *)p->next_key};
	for (size_t i = 0; i < 4; i++)
		if (none_fns[i])
			return refuse(c, -EINVAL, "is for XBPF_MAP_BASE_NONE only: leave it NULL", "%s",
				      none_only[i]);
	if (p->properties & XBPF_MAP_TRANSFORMS_VALUES) {
		if (!p->after_find)
			return refuse(c, -EINVAL, "is NULL: required with XBPF_MAP_TRANSFORMS_VALUES",
				      "after_find");
		if (!p->before_update)
			return refuse(c, -EINVAL, "is NULL: required with XBPF_MAP_TRANSFORMS_VALUES",
				      "before_update");
		/* Programs may test whether a key is present (an opaque
		 * pointer), never write what only the provider can make. */
		if (p->properties & (XBPF_MAP_PROG_UPDATE | XBPF_MAP_PROG_DELETE))
			return refuse(c, -EINVAL, "combine XBPF_MAP_PROG_UPDATE or _DELETE with "
				      "XBPF_MAP_TRANSFORMS_VALUES: programs cannot write transformed "
				      "values", "properties");
		return 0;
	}
	if ((p->properties & XBPF_MAP_PROG_LOOKUP) && p->after_find)
		return refuse(c, -EINVAL, "cannot be combined with XBPF_MAP_PROG_LOOKUP: programs "
			      "read values in place, without the provider", "after_find");
	return 0;
}

static int check_none_map_type(struct checker *c, const struct xbpf_map_type_provider *p)
{
	if (!p->lookup)
		return refuse(c, -EINVAL, "is NULL: required with XBPF_MAP_BASE_NONE", "lookup");
	if (!p->update)
		return refuse(c, -EINVAL, "is NULL: required with XBPF_MAP_BASE_NONE", "update");
	if (!p->delete_elem)
		return refuse(c, -EINVAL, "is NULL: required with XBPF_MAP_BASE_NONE", "delete_elem");
	if (!p->next_key)
		return refuse(c, -EINVAL, "is NULL: required with XBPF_MAP_BASE_NONE", "next_key");
	if (p->after_find || p->before_update || p->after_delete)
		return refuse(c, -EINVAL, "are for core-stored maps: XBPF_MAP_BASE_NONE takes lookup, "
			      "update, delete_elem and next_key", "after_find/before_update/after_delete");
	if (p->properties & XBPF_MAP_TRANSFORMS_VALUES)
		return refuse(c, -EINVAL, "XBPF_MAP_TRANSFORMS_VALUES is for core-stored maps",
			      "properties");
	/* The provider's values live where the core cannot point programs to
	 * them: programs may update and delete through the provider, not
	 * look up in place. */
	if (p->properties & XBPF_MAP_PROG_LOOKUP)
		return refuse(c, -EINVAL, "XBPF_MAP_PROG_LOOKUP is for core-stored maps: programs get "
			      "no pointers into a provider's storage", "properties");
	return 0;
}

/* The BTF of keys and values, when given: it must parse and both type ids
 * must name sized types. Whether those sizes fit a map's key and value
 * sizes is checked when a map is created (the sizes are the map's). The
 * bytes are copied: the provider need not keep them. */
static int copy_map_btf(struct checker *c, struct xbpf_map_type_provider *t)
{
	if (!t->btf && !t->btf_size && !t->btf_key_type_id && !t->btf_value_type_id)
		return 0;
	uint32_t key_size, value_size;
	const char *bad, *why;
	int err = xbpf_btf_check_key_value(t->btf, t->btf_size, t->btf_key_type_id,
					   t->btf_value_type_id, &key_size, &value_size, &bad, &why);
	if (err)
		return refuse(c, err, why, "%s", bad);
	if (!(t->btf = xbpf_arena_memdup(c->mem, t->btf, t->btf_size)))
		return nomem(c);
	return 0;
}

static int copy_map_type(struct checker *c, const void *src, struct xbpf_map_type_provider *t)
{
	const char *why;
	int err = XBPF_ABI_COPY(t, src, &why);
	if (err)
		return refuse(c, err, why, "map type provider");
	if (!name_ok(t->name))
		return refuse(c, -EINVAL, "must be a non-empty name shorter than 64 characters", "name");
	if (t->type == 0)
		return refuse(c, -EINVAL, "must be 4096 or more, or a Linux map type number the core "
			      "lacks", "type (0)");
	if (t->type < XBPF_MAP_TYPE_FIRST_EXTENSION && xbpf_map_type_ops(t->type))
		return refuse(c, -EEXIST, "is a map type built into the core", "type (%u)", t->type);
	if (t->base < XBPF_MAP_BASE_HASH || t->base > XBPF_MAP_BASE_NONE)
		return refuse(c, -EINVAL, "must be XBPF_MAP_BASE_HASH, _ARRAY or _NONE", "base");
	if (t->properties & ~(uint32_t)MAP_PROPERTIES)
		return refuse(c, -EINVAL, "has unknown bits", "properties");
	if ((t->properties & XBPF_MAP_INDEXED) && t->base != XBPF_MAP_BASE_HASH)
		return refuse(c, -EINVAL, "XBPF_MAP_INDEXED is for XBPF_MAP_BASE_HASH only (an array "
			      "has its indexes already)", "properties");
	if (t->state_size > MAX_MAP_STATE)
		return refuse(c, -E2BIG, "must be at most 1 MiB", "state_size");
	if (!t->create)
		return refuse(c, -EINVAL, "is NULL", "create");
	if (!t->destroy)
		return refuse(c, -EINVAL, "is NULL", "destroy");
	err = t->base == XBPF_MAP_BASE_NONE ? check_none_map_type(c, t) : check_stored_map_type(c, t);
	if (err || (err = copy_map_btf(c, t)))
		return err;
	if (!(t->name = xbpf_arena_strdup(c->mem, t->name)))
		return nomem(c);
	return 0;
}

int xbpf_provider_copy(struct xbpf_provider *p, const void *src, char *field, size_t field_size,
		       const char **why)
{
	struct checker c = {.mem = &p->mem, .field = field, .field_size = field_size, .why = why};

	field[0] = '\0';
	switch (p->kind) {
	case XBPF_PROVIDER_PROGRAM_TYPE:
		return copy_prog_type(&c, src, &p->u.prog_type);
	case XBPF_PROVIDER_HOOK:
		return copy_hook(&c, src, &p->u.hook);
	case XBPF_PROVIDER_HELPERS:
		return copy_helper_set(&c, src, &p->u.helpers);
	case XBPF_PROVIDER_MAP_TYPE:
		return copy_map_type(&c, src, &p->u.map_type);
	default:
		return refuse(&c, -EOPNOTSUPP, "is not a provider kind this core takes", "kind");
	}
}
