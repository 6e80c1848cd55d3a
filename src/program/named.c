/* SPDX-License-Identifier: MIT */
/*
 * Named helpers (kfunc style): a program calls `extern long foo(...) __ksym`
 * and the load binds foo to the one provider that exports it to programs of
 * its type. Names are not unique across providers: a program or the host
 * qualifies an ambiguous name, and an unqualified one is refused with every
 * candidate listed rather than silently bound to the first. The extern's BTF
 * prototype must match the provider's, in argument count, pointer versus
 * scalar, scalar widths and return type.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

/* Signatures in messages are cut to fit their buffers, on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include "program/load.h"
#include "runtime/log.h"

static bool visible_to(const struct xbpf_helper_set *s, const char *type)
{
	if (!s->program_types)
		return true;
	for (size_t i = 0; i < s->n_program_types; i++)
		if (strcmp(s->program_types[i], type) == 0)
			return true;
	return false;
}

static const struct xbpf_helper *exported(const struct xbpf_helper_set *s, const char *name)
{
	for (size_t i = 0; i < s->n_helpers; i++)
		if (strcmp(s->helpers[i].name, name) == 0)
			return &s->helpers[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Prototypes: BTF against the provider's                                   */
/* ------------------------------------------------------------------------ */

enum shape { SHAPE_VOID, SHAPE_SCALAR, SHAPE_POINTER, SHAPE_OTHER };

static const struct btf_type *skip_modifiers(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);
	for (int depth = 0; t && depth < 32; depth++) {
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			*id = t->type;
			t = btf__type_by_id(btf, *id);
			continue;
		default:
			return t;
		}
	}
	return NULL;
}

static enum shape btf_shape(const struct btf *btf, uint32_t id, uint32_t *width)
{
	*width = 0;
	if (id == 0)
		return SHAPE_VOID;
	const struct btf_type *t = skip_modifiers(btf, &id);
	if (!t)
		return SHAPE_OTHER;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		*width = t->size;
		return SHAPE_SCALAR;
	case BTF_KIND_PTR:
		return SHAPE_POINTER;
	default:
		return SHAPE_OTHER;
	}
}

static bool scalar_kind(uint8_t arg)
{
	unsigned kind = arg & ~XBPF_ARG_MAYBE_NULL;
	return kind == XBPF_ARG_ANYTHING || kind == XBPF_ARG_CONST_SIZE || kind == XBPF_ARG_CONST_SIZE_OR_ZERO;
}

static int n_args(const struct xbpf_helper *h)
{
	int n = 0;
	while (n < 5 && h->args[n] != XBPF_ARG_NONE)
		n++;
	return n;
}

static bool same_shape(enum shape shape, uint32_t width, bool helper_scalar, uint8_t helper_width)
{
	if (helper_scalar)
		return shape == SHAPE_SCALAR && width == (helper_width ? helper_width : 8u);
	return shape == SHAPE_POINTER;
}

/* Does the extern's prototype match the helper's? */
static bool prototypes_match(const struct btf *btf, uint32_t proto_id, const struct xbpf_helper *h)
{
	const struct btf_type *proto = btf__type_by_id(btf, proto_id);
	if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) != n_args(h))
		return false;
	const struct btf_param *params = btf_params(proto);
	uint32_t width;
	for (int i = 0; i < n_args(h); i++) {
		/* Two statements: the order in which a call's arguments are
		 * evaluated is unspecified, and width must be set first. */
		enum shape shape = btf_shape(btf, params[i].type, &width);
		if (!same_shape(shape, width, scalar_kind(h->args[i]), h->arg_width[i]))
			return false;
	}
	enum shape ret = btf_shape(btf, proto->type, &width);
	if (h->ret == XBPF_RET_VOID)
		return ret == SHAPE_VOID;
	return same_shape(ret, width, h->ret == XBPF_RET_INTEGER, h->ret_width);
}

/* C text of a BTF type, as a declaration would spell it. */
static void btf_type_text(const struct btf *btf, uint32_t id, char *buf, size_t size, int depth)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	if (!id) {
		snprintf(buf, size, "void");
		return;
	}
	if (!t || depth > 8) {
		snprintf(buf, size, "?");
		return;
	}
	const char *name = btf__name_by_offset(btf, t->name_off);
	char inner[128];
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		btf_type_text(btf, t->type, inner, sizeof(inner), depth + 1);
		snprintf(buf, size, "%s *", inner);
		break;
	case BTF_KIND_CONST:
		btf_type_text(btf, t->type, inner, sizeof(inner), depth + 1);
		snprintf(buf, size, "const %s", inner);
		break;
	case BTF_KIND_VOLATILE:
		btf_type_text(btf, t->type, inner, sizeof(inner), depth + 1);
		snprintf(buf, size, "volatile %s", inner);
		break;
	case BTF_KIND_STRUCT:
		snprintf(buf, size, "struct %s", name);
		break;
	case BTF_KIND_UNION:
		snprintf(buf, size, "union %s", name);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		snprintf(buf, size, "enum %s", name);
		break;
	default:
		snprintf(buf, size, "%s", name && *name ? name : "?");
	}
}

static void btf_signature(const struct btf *btf, uint32_t proto_id, const char *name, char *buf,
			  size_t size)
{
	const struct btf_type *proto = btf__type_by_id(btf, proto_id);
	char type[128];
	if (!proto || !btf_is_func_proto(proto)) {
		snprintf(buf, size, "%s (no prototype in BTF)", name);
		return;
	}
	btf_type_text(btf, proto->type, type, sizeof(type), 0);
	size_t n = (size_t)snprintf(buf, size, "%s %s(", type, name);
	const struct btf_param *params = btf_params(proto);
	for (int i = 0; i < btf_vlen(proto) && n < size; i++) {
		btf_type_text(btf, params[i].type, type, sizeof(type), 0);
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", type);
	}
	if (n < size)
		snprintf(buf + n, size - n, ")");
}

static const char *scalar_text(uint8_t width)
{
	switch (width) {
	case 1: return "__u8";
	case 2: return "__u16";
	case 4: return "__u32";
	default: return "__u64";
	}
}

static const char *arg_text(uint8_t arg, uint8_t width)
{
	switch (arg & ~XBPF_ARG_MAYBE_NULL) {
	case XBPF_ARG_ANYTHING:
	case XBPF_ARG_CONST_SIZE:
	case XBPF_ARG_CONST_SIZE_OR_ZERO:
		return scalar_text(width);
	case XBPF_ARG_PTR_TO_MEM:
	case XBPF_ARG_PTR_TO_MAP_KEY:
	case XBPF_ARG_PTR_TO_MAP_VALUE:
		return "const void *";
	case XBPF_ARG_PTR_TO_CONST_STR:
		return "const char *";
	case XBPF_ARG_PTR_TO_LONG:
		return "long *";
	default:
		return "void *";
	}
}

void xbpf_helper_signature(const struct xbpf_helper *h, char *buf, size_t size)
{
	const char *ret = h->ret == XBPF_RET_VOID      ? "void"
			  : h->ret == XBPF_RET_INTEGER ? scalar_text(h->ret_width)
						       : "void *";
	size_t n = (size_t)snprintf(buf, size, "%s %s(", ret, h->name);
	for (int i = 0; i < n_args(h) && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", arg_text(h->args[i], h->arg_width[i]));
	if (n < size)
		snprintf(buf + n, size - n, "%s)", n_args(h) ? "" : "void");
}

/* ------------------------------------------------------------------------ */
/* Resolution at load                                                       */
/* ------------------------------------------------------------------------ */

/* The provider a host binding or the program qualifies the name with. */
static const char *qualifier(const struct xbpf_program_load_opts *opts, const struct xbpf_import_spec *imp)
{
	for (size_t i = 0; opts && opts->bindings && i < opts->n_bindings; i++)
		if (opts->bindings[i].helper && strcmp(opts->bindings[i].helper, imp->name) == 0)
			return opts->bindings[i].provider;
	return imp->provider;
}

static size_t first_use(const struct xbpf_load *ld, size_t import)
{
	for (size_t pc = 0; pc < ld->n_insns; pc++) {
		const struct xbpf_insn *insn = &ld->insns[pc];
		bool refers = (insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_KFUNC) ||
			      (xbpf_insn_is_lddw(insn) && insn->src == XBPF_PSEUDO_BTF_ID);
		if (refers && (uint32_t)insn->imm == import)
			return pc;
	}
	return 0;
}

/* What resolving one import finds; registrar lock held. */
struct choice {
	const char *only; /* the qualifying provider, or NULL */
	struct xbpf_provider *found;
	const struct xbpf_helper *h;
	size_t candidates;
	bool mismatch;
};

static void choose(struct xbpf_runtime *rt, const char *type, const struct xbpf_program_load_opts *opts,
		   const struct xbpf_import_spec *imp, struct choice *c)
{
	*c = (struct choice){.only = qualifier(opts, imp)};
	for (struct xbpf_provider *p = xbpf_registrar_next(rt, XBPF_PROVIDER_HELPERS, NULL); p;
	     p = xbpf_registrar_next(rt, XBPF_PROVIDER_HELPERS, p)) {
		const struct xbpf_helper *e = exported(&p->u.helpers, imp->name);
		if (!e || !visible_to(&p->u.helpers, type) || (c->only && strcmp(c->only, p->u.helpers.name) != 0))
			continue;
		c->candidates++;
		c->found = p;
		c->h = e;
	}
	c->mismatch = c->candidates == 1 && imp->btf && imp->btf_proto_id &&
		      !prototypes_match(imp->btf, imp->btf_proto_id, c->h);
}

static void ambiguous_text(struct xbpf_runtime *rt, const char *type, const struct xbpf_import_spec *imp,
			   char *buf, size_t size)
{
	char list[512];
	size_t n = 0;
	list[0] = '\0';
	for (struct xbpf_provider *p = xbpf_registrar_next(rt, XBPF_PROVIDER_HELPERS, NULL); p;
	     p = xbpf_registrar_next(rt, XBPF_PROVIDER_HELPERS, p))
		if (visible_to(&p->u.helpers, type) && exported(&p->u.helpers, imp->name) && n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s'%s' (from %s)", n ? ", " : "",
					      p->u.helpers.name, xbpf_provider_owner(p));
	snprintf(buf, size, "named helper '%s' is exported by several providers: %s. Qualify it in "
		 "the program with __attribute__((btf_decl_tag(\"xbpf:provider=NAME\"))) on "
		 "its extern declaration, or bind it when loading (load option bindings, "
		 "or --bind %s=NAME of xbpf prog imports)", imp->name, list, imp->name);
}

static void missing_text(struct xbpf_runtime *rt, const char *type, const struct xbpf_import_spec *imp,
			 const char *only, char *buf, size_t size)
{
	/* Say why when it exists where the program cannot see it. */
	for (struct xbpf_provider *p = xbpf_registrar_next(rt, XBPF_PROVIDER_HELPERS, NULL); p;
	     p = xbpf_registrar_next(rt, XBPF_PROVIDER_HELPERS, p))
		if ((!only || strcmp(only, p->u.helpers.name) == 0) && exported(&p->u.helpers, imp->name)) {
			snprintf(buf, size, "named helper '%s' of provider '%s' is not offered to programs "
				 "of type '%s'", imp->name, p->u.helpers.name, type);
			return;
		}
	if (only)
		snprintf(buf, size, "named helper '%s': provider '%s' is not registered or does not "
			 "export it", imp->name, only);
	else
		snprintf(buf, size, "no provider exports named helper '%s' (declare it __weak to load "
			 "without it)", imp->name);
}

static void mismatch_text(const struct xbpf_import_spec *imp, const struct choice *c, char *buf, size_t size)
{
	char declared[256], offered[256];
	btf_signature(imp->btf, imp->btf_proto_id, imp->name, declared, sizeof(declared));
	xbpf_helper_signature(c->h, offered, sizeof(offered));
	snprintf(buf, size, "named helper '%s' does not match its provider: the program declares `%s`, "
		 "provider '%s' exports `%s`", imp->name, declared, c->found->u.helpers.name, offered);
}

static int bind_import(struct xbpf_load *ld, const struct xbpf_import_spec *imp, const struct choice *c,
		       uint32_t *slot)
{
	struct xbpf_import_desc *d = xbpf_load_new_import(ld);
	if (!d)
		return -ENOMEM;
	*slot = (uint32_t)(ld->n_imports - 1);
	d->kind = XBPF_IMPORT_NAMED;
	d->weak = imp->weak;
	d->name = xbpf_arena_strdup(&ld->prog->mem, imp->name);
	const char *provider = c->found ? c->found->u.helpers.name : c->only;
	d->provider = provider ? xbpf_arena_strdup(&ld->prog->mem, provider) : NULL;
	if (!d->name || (provider && !d->provider))
		return -ENOMEM;
	if (!c->h)
		return 0; /* a weak import nobody exports: stays unbound */
	d->proto = *c->h;
	d->proto.name = d->name;
	d->bound = c->found;
	atomic_store(&ld->imports[*slot].proto, c->h);
	return 0;
}

int xbpf_named_imports_resolve(struct xbpf_load *ld, const bool *used, uint32_t *slot_of_import)
{
	char why[1024];
	for (size_t i = 0; i < ld->spec->n_imports; i++) {
		const struct xbpf_import_spec *imp = &ld->spec->imports[i];
		if (!used[i])
			continue;
		struct choice c;
		size_t pc = first_use(ld, i);
		choose(ld->rt, ld->prog->type_name, ld->opts, imp, &c);
		if (c.candidates > 1) {
			ambiguous_text(ld->rt, ld->prog->type_name, imp, why, sizeof(why));
			return xbpf_load_error(ld, -ENOTUNIQ, pc, "%s", why);
		}
		if (c.candidates == 0 && !imp->weak) {
			missing_text(ld->rt, ld->prog->type_name, imp, c.only, why, sizeof(why));
			return xbpf_load_error(ld, -ENOENT, pc, "%s", why);
		}
		if (c.mismatch) {
			mismatch_text(imp, &c, why, sizeof(why));
			return xbpf_load_error(ld, -EINVAL, pc, "%s", why);
		}
		int err = bind_import(ld, imp, &c, &slot_of_import[i]);
		if (err)
			return err;
	}
	return 0;
}

void xbpf_named_import_explain(struct xbpf_runtime *rt, const char *type,
			       const struct xbpf_program_load_opts *opts, const struct xbpf_import_spec *imp,
			       struct xbpf_import_info *info, char *detail, size_t size)
{
	struct choice c;
	xbpf_registrar_lock(rt);
	choose(rt, type, opts, imp, &c);
	info->name = imp->name;
	info->weak = imp->weak;
	info->detail = detail;
	const char *provider = c.found && c.candidates == 1 ? c.found->u.helpers.name : c.only;
	snprintf(info->provider, sizeof(info->provider), "%s", provider ? provider : "");
	if (c.candidates > 1) {
		info->status = XBPF_IMPORT_STATUS_AMBIGUOUS;
		ambiguous_text(rt, type, imp, detail, size);
	} else if (c.candidates == 0 && imp->weak) {
		info->status = XBPF_IMPORT_STATUS_WEAK_UNBOUND;
		snprintf(detail, size, "__weak and no provider exports it: bpf_ksym_exists() is false");
	} else if (c.candidates == 0) {
		info->status = XBPF_IMPORT_STATUS_MISSING;
		missing_text(rt, type, imp, c.only, detail, size);
	} else if (c.mismatch) {
		info->status = XBPF_IMPORT_STATUS_MISMATCH;
		mismatch_text(imp, &c, detail, size);
	} else {
		info->status = XBPF_IMPORT_STATUS_BOUND;
		xbpf_helper_signature(c.h, detail, size);
	}
	xbpf_registrar_unlock(rt);
}

/* ------------------------------------------------------------------------ */
/* Binding again when a provider comes back                                 */
/* ------------------------------------------------------------------------ */

int xbpf_program_imports(const struct xbpf_program *prog, xbpf_import_fn fn, void *user)
{
	if (!prog || !fn)
		return -EINVAL;
	struct xbpf_runtime *rt = prog->obj.rt;
	int ret = 0;
	for (size_t i = 0; i < prog->n_imports && !ret; i++) {
		struct xbpf_import_info info = {.program = prog->obj.name};
		char detail[512];
		xbpf_registrar_lock(rt);
		const struct xbpf_import_desc *d = &prog->import_desc[i];
		if (d->kind != XBPF_IMPORT_NAMED) {
			xbpf_registrar_unlock(rt);
			continue;
		}
		info.name = d->name;
		info.weak = d->weak;
		snprintf(info.provider, sizeof(info.provider), "%s", d->provider ? d->provider : "");
		if (d->bound) {
			info.status = XBPF_IMPORT_STATUS_BOUND;
			xbpf_helper_signature(&d->proto, detail, sizeof(detail));
		} else if (!d->proto.fn) {
			info.status = XBPF_IMPORT_STATUS_WEAK_UNBOUND;
			snprintf(detail, sizeof(detail), "__weak and no provider exported it at load: "
				 "bpf_ksym_exists() is false");
		} else {
			info.status = XBPF_IMPORT_STATUS_DETACHED;
			snprintf(detail, sizeof(detail), "provider '%s' is not registered, or came back with "
				 "another prototype; runs fail with -XBPF_EDETACHED", info.provider);
		}
		xbpf_registrar_unlock(rt);
		info.detail = detail;
		ret = fn(user, &info);
	}
	return ret;
}

void xbpf_named_imports_rebind(struct xbpf_program *prog, struct xbpf_provider *p)
{
	const struct xbpf_helper_set *s = &p->u.helpers;
	for (size_t i = 0; i < prog->n_imports; i++) {
		struct xbpf_import_desc *d = &prog->import_desc[i];
		if (d->kind != XBPF_IMPORT_NAMED || d->bound || !d->provider || !d->proto.fn ||
		    strcmp(d->provider, s->name) != 0)
			continue;
		const struct xbpf_helper *h = exported(s, d->name);
		char why[64];
		const char *diff = !h ? "the provider no longer exports it"
			: !visible_to(s, prog->type_name) ? "the provider no longer offers it to this program type"
			: xbpf_helper_proto_diff(&d->proto, h, why, sizeof(why));
		if (diff) {
			xbpf_log(prog->obj.rt, XBPF_LOG_WARN, "program '%s': named helper '%s' stays unbound: "
				 "provider '%s' is back but %s", prog->obj.name, d->name, s->name, diff);
			continue;
		}
		d->bound = p;
		atomic_store_explicit(&prog->imports[i].proto, h, memory_order_release);
		if (!d->weak)
			atomic_fetch_sub_explicit(&prog->n_unbound, 1, memory_order_release);
		xbpf_log(prog->obj.rt, XBPF_LOG_INFO, "program '%s': named helper '%s' bound again to "
			 "provider '%s'", prog->obj.name, d->name, s->name);
	}
}
