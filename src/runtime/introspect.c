/* SPDX-License-Identifier: MIT */
/*
 * Extension introspection (xbpf.h): the loaded extensions and what their
 * providers offer, described from the registrar's copies.
 *
 * A provider is held busy while the host's callback looks at it, as a
 * client's use would be, so that its copy cannot be freed underneath: its
 * unregistering waits. The registrar's lock is not held across the
 * callback, which may call back into the runtime.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/extension.h"
#include "runtime/registrar.h"
#include "runtime/runtime.h"

int xbpf_extension_dir_foreach(int (*fn)(void *user, const char *dir), void *user)
{
	return fn ? xbpf_extension_dirs(fn, user) : -EINVAL;
}

static void copy_cut(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int xbpf_extension_get_info(struct xbpf_runtime *rt, size_t index, struct xbpf_extension_info *info)
{
	int err = -ENOENT;

	if (!rt || !info)
		return -EINVAL;
	pthread_mutex_lock(&rt->ext_lock);
	struct xbpf_extension *ext = rt->extensions;
	while (ext && index--)
		ext = ext->next;
	if (ext) {
		copy_cut(info->name, sizeof(info->name), ext->name);
		copy_cut(info->path, sizeof(info->path), ext->path);
		copy_cut(info->description, sizeof(info->description), ext->description);
		err = 0;
	}
	pthread_mutex_unlock(&rt->ext_lock);
	return err;
}

/* ------------------------------------------------------------------------ */
/* C prototypes                                                             */
/* ------------------------------------------------------------------------ */

/* Appends to a buffer, counting what did not fit, as snprintf. */
struct text {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->len < t->size ? t->buf + t->len : NULL,
			  t->len < t->size ? t->size - t->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}

static const char *scalar_type(uint8_t width)
{
	switch (width) {
	case 1:
		return "__u8";
	case 2:
		return "__u16";
	case 4:
		return "__u32";
	default:
		return "__u64";
	}
}

/* Type and parameter name a program author would use for an argument. */
static void arg_decl(uint8_t kind, uint8_t width, const char **type, const char **name)
{
	*type = "void *";
	switch (kind) {
	case XBPF_ARG_ANYTHING:
		*type = scalar_type(width);
		*name = "arg";
		break;
	case XBPF_ARG_CONST_SIZE:
	case XBPF_ARG_CONST_SIZE_OR_ZERO:
		*type = scalar_type(width ? width : 4);
		*name = "size";
		break;
	case XBPF_ARG_PTR_TO_CTX:
		*name = "ctx";
		break;
	case XBPF_ARG_CONST_MAP_PTR:
		*name = "map";
		break;
	case XBPF_ARG_PTR_TO_MAP_KEY:
		*type = "const void *";
		*name = "key";
		break;
	case XBPF_ARG_PTR_TO_MAP_VALUE:
		*type = "const void *";
		*name = "value";
		break;
	case XBPF_ARG_PTR_TO_MEM:
		*type = "const void *";
		*name = "mem";
		break;
	case XBPF_ARG_PTR_TO_UNINIT_MEM:
		*name = "buf";
		break;
	case XBPF_ARG_PTR_TO_CONST_STR:
		*type = "const char *";
		*name = "str";
		break;
	case XBPF_ARG_PTR_TO_FUNC:
		*name = "callback_fn";
		break;
	case XBPF_ARG_PTR_TO_ALLOC_MEM:
		*name = "data";
		break;
	case XBPF_ARG_PTR_TO_SPIN_LOCK:
		*type = "struct bpf_spin_lock *";
		*name = "lock";
		break;
	case XBPF_ARG_PTR_TO_LONG:
		*type = "long *";
		*name = "res";
		break;
	case XBPF_ARG_PTR_TO_UNINIT_MAP_VALUE:
		*name = "value";
		break;
	default:
		*type = "__u64 ";
		*name = "unknown";
		break;
	}
}

static const char *ret_type(const struct xbpf_helper_info *h)
{
	switch (h->ret) {
	case XBPF_RET_VOID:
		return "void ";
	case XBPF_RET_PTR_TO_MAP_VALUE_OR_NULL:
	case XBPF_RET_PTR_TO_MEM_OR_NULL:
		return "void *";
	default:
		switch (h->ret_width) {
		case 1:
			return "__u8 ";
		case 2:
			return "__u16 ";
		case 4:
			return "int ";
		default:
			return "long ";
		}
	}
}

int xbpf_helper_prototype(const struct xbpf_helper_info *h, char *buf, size_t size)
{
	struct text t = {buf, size, 0};
	const char *used[5];
	int n = 0;

	if (size)
		buf[0] = '\0';
	put(&t, "%s%s(", ret_type(h), h->name ? h->name : "?");
	for (int i = 0; i < 5 && (h->args[i] & ~XBPF_ARG_MAYBE_NULL) != XBPF_ARG_NONE; i++) {
		const char *type, *name;
		arg_decl(h->args[i] & ~XBPF_ARG_MAYBE_NULL, h->arg_width[i], &type, &name);
		/* Scalars are arg1, arg2...; a second key or mem is mem2. */
		int same = 0;
		for (int j = 0; j < n; j++)
			same += strcmp(used[j], name) == 0;
		used[n++] = name;
		bool numbered = strcmp(name, "arg") == 0;
		put(&t, "%s%s%s%s", i ? ", " : "", type, type[strlen(type) - 1] == '*' ? "" : " ", name);
		if (numbered || same)
			put(&t, "%d", numbered ? i + 1 : same + 1);
		if (h->args[i] & XBPF_ARG_MAYBE_NULL)
			put(&t, " /* or NULL */");
	}
	put(&t, "%s)", n ? "" : "void");
	return (int)t.len;
}

/* ------------------------------------------------------------------------ */
/* Providers                                                                */
/* ------------------------------------------------------------------------ */

static const enum xbpf_provider_type public_type[] = {
	[XBPF_PROVIDER_PROGRAM_TYPE] = XBPF_PROVIDES_PROGRAM_TYPE,
	[XBPF_PROVIDER_HOOK] = XBPF_PROVIDES_HOOK,
	[XBPF_PROVIDER_HELPERS] = XBPF_PROVIDES_HELPERS,
	[XBPF_PROVIDER_MAP_TYPE] = XBPF_PROVIDES_MAP_TYPE,
};

static struct xbpf_helper_info *describe_helpers(const struct xbpf_helper *src, size_t n)
{
	struct xbpf_helper_info *out = calloc(n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct xbpf_helper_info *h = &out[i];
		h->name = src[i].name;
		h->id = src[i].id;
		h->flags = src[i].flags;
		h->ret = src[i].ret;
		h->ret_width = src[i].ret_width;
		memcpy(h->args, src[i].args, sizeof(h->args));
		memcpy(h->arg_width, src[i].arg_width, sizeof(h->arg_width));
		h->ret_size = src[i].ret_size;
		xbpf_helper_prototype(h, h->prototype, sizeof(h->prototype));
	}
	return out;
}

static struct xbpf_ctx_field_info *describe_fields(const struct xbpf_context_descriptor *c)
{
	struct xbpf_ctx_field_info *out = calloc(c->n_fields + c->n_writable + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < c->n_fields; i++)
		out[i] = (struct xbpf_ctx_field_info){c->fields[i].offset, c->fields[i].size,
						      c->fields[i].internal_offset,
						      c->fields[i].internal_size};
	for (size_t i = 0; i < c->n_writable; i++)
		out[c->n_fields + i] = (struct xbpf_ctx_field_info){
			.offset = c->writable[i].offset, .size = c->writable[i].size};
	return out;
}

/* Fills info from p, which is held; *scratch is what to free afterwards. */
static int describe(const struct xbpf_provider *p, struct xbpf_provider_info *info, void **scratch)
{
	void *fields = NULL;
	struct xbpf_helper_info *helpers = NULL;

	memset(info, 0, sizeof(*info));
	*scratch = NULL;
	info->type = public_type[p->kind];
	info->name = xbpf_provider_name(p);
	info->extension = p->ext ? xbpf_extension_name(p->ext) : NULL;
	switch (p->kind) {
	case XBPF_PROVIDER_PROGRAM_TYPE: {
		const struct xbpf_prog_type *t = &p->u.prog_type;
		const struct xbpf_context_descriptor *c = &t->context;
		if (!(fields = describe_fields(c)) || !(helpers = describe_helpers(t->helpers, t->n_helpers)))
			break;
		info->linux_prog_type = t->linux_prog_type;
		info->section_prefixes = t->prefixes;
		info->n_section_prefixes = t->n_prefixes;
		info->ctx_size = c->size;
		info->ctx_internal_size = c->internal_size;
		info->ctx_data_offset = c->data_offset;
		info->ctx_data_end_offset = c->data_end_offset;
		info->ctx_data_meta_offset = c->data_meta_offset;
		info->ctx_fields = fields;
		info->n_ctx_fields = c->n_fields;
		info->ctx_writable = (struct xbpf_ctx_field_info *)fields + c->n_fields;
		info->n_ctx_writable = c->n_writable;
		info->core_helpers = t->core_helpers;
		info->n_core_helpers = t->n_core_helpers;
		info->helpers = helpers;
		info->n_helpers = t->n_helpers;
		*scratch = fields; /* the caller frees it, and helpers via info */
		return 0;
	}
	case XBPF_PROVIDER_HOOK:
		info->program_type = p->u.hook.program_type;
		return 0;
	case XBPF_PROVIDER_HELPERS:
		if (!(helpers = describe_helpers(p->u.helpers.helpers, p->u.helpers.n_helpers)))
			break;
		info->helpers = helpers;
		info->n_helpers = p->u.helpers.n_helpers;
		info->program_types = p->u.helpers.program_types;
		info->n_program_types = p->u.helpers.n_program_types;
		return 0;
	case XBPF_PROVIDER_MAP_TYPE:
		info->map_type = p->u.map_type.type;
		info->map_base = p->u.map_type.base;
		info->map_properties = p->u.map_type.properties;
		return 0;
	default:
		return 0;
	}
	free(fields);
	free(helpers);
	return -ENOMEM;
}

/* The next provider after prev (NULL: the first) of ext (NULL: any) that
 * is not leaving, held; prev is released. */
static struct xbpf_provider *hold_next(struct xbpf_runtime *rt, const struct xbpf_extension *ext,
				       struct xbpf_provider *prev)
{
	pthread_mutex_lock(&rt->reg.lock);
	/* prev is still listed: unregistering waits for it to be released. */
	struct xbpf_provider *p = prev ? prev->next : rt->reg.providers;
	while (p && (p->leaving || (ext && p->ext != ext)))
		p = p->next;
	if (p)
		p->busy++;
	if (prev && --prev->busy == 0)
		pthread_cond_broadcast(&rt->reg.idle);
	pthread_mutex_unlock(&rt->reg.lock);
	return p;
}

int xbpf_provider_foreach(struct xbpf_runtime *rt, const struct xbpf_extension *ext,
			  int (*fn)(void *user, const struct xbpf_provider_info *info), void *user)
{
	int ret = 0;

	if (!rt || !fn)
		return -EINVAL;
	for (struct xbpf_provider *p = hold_next(rt, ext, NULL); p; p = hold_next(rt, ext, p)) {
		struct xbpf_provider_info info;
		void *scratch;
		ret = describe(p, &info, &scratch);
		if (!ret)
			ret = fn(user, &info);
		free(scratch);
		free((void *)info.helpers);
		if (ret) {
			xbpf_provider_release(p);
			break;
		}
	}
	return ret;
}
