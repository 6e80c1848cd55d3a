/* SPDX-License-Identifier: MIT */
/*
 * Programs inside xbpf: a loaded program, what it was loaded against, and
 * how it runs.
 *
 * A program is a runtime object and a client of the registrar: it needs its
 * program type provider (for the context layout and program-type helpers)
 * and the providers of the named helpers it imports. While any of them is
 * away the program stays loaded but detached: invocations fail fast with
 * -XBPF_EDETACHED. It keeps a copy of what it was loaded against (the
 * context descriptor and every helper prototype it calls), and attaches
 * again only to a provider that offers exactly that.
 */
#ifndef XBPF_PROGRAM_PROGRAM_H
#define XBPF_PROGRAM_PROGRAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbpf/extension.h>
#include <xbpf/xbpf.h>

#include "runtime/arena.h"
#include "runtime/object.h"
#include "runtime/registrar.h"
#include "vm/vm.h"

enum xbpf_import_kind {
	XBPF_IMPORT_CORE,  /* a core helper: always there */
	XBPF_IMPORT_TYPE,  /* a helper (or override) of the program type */
	XBPF_IMPORT_NAMED, /* a named helper of a helper provider */
};

/* What one slot of the import table stands for. */
struct xbpf_import_desc {
	enum xbpf_import_kind kind;
	uint32_t id;          /* helper id (core and type imports) */
	const char *name;     /* the helper's name */
	const char *provider; /* named imports: the provider it binds to */
	bool weak;            /* named imports: may stay unbound */
	size_t first_pc;      /* first call, for messages */
	struct xbpf_helper proto;      /* the prototype the program was loaded with */
	struct xbpf_provider *bound;   /* provider behind the slot now (registrar lock) */
};

/* One line of BTF line info: instructions from `insn` on come from it. */
struct xbpf_source_line {
	uint32_t insn;
	uint32_t line;
	const char *file;
	const char *text;
};

/* A run's time and count, per CPU slot (only the slot's holder writes). */
struct xbpf_prog_stats {
	_Atomic uint64_t runs;
	_Atomic uint64_t ns;
} __attribute__((aligned(64)));

struct xbpf_program {
	struct xbpf_obj obj;
	struct xbpf_client client;
	struct xbpf_arena mem; /* strings and copies below */

	const char *section;
	const char *type_name;
	uint32_t type_hash; /* identifies the type for PROG_ARRAY compatibility */
	bool gpl;           /* license lets it call GPL-only helpers */
	enum xbpf_engine engine;
	const struct xbpf_engine_ops *engine_ops;

	const struct xbpf_insn *orig; /* as the object had them */
	size_t n_orig;
	struct xbpf_vm_prog *vm;

	struct xbpf_import *imports;
	struct xbpf_import_desc *import_desc;
	size_t n_imports;
	/* Named imports (not weak) whose provider is away: runs fail fast
	 * while it is not 0. Changed under the registrar's lock. */
	_Atomic uint32_t n_unbound;

	struct xbpf_map **maps; /* referenced maps, sorted by address, one reference each */
	size_t n_maps;
	bool maps_associated; /* custom maps count the program among their users */
	struct xbpf_region *fixed; /* global data values */
	size_t n_fixed;

	/* The context the program was converted for. */
	struct xbpf_context_descriptor context;
	struct xbpf_region ctx_rw_span; /* offsets covering the writable ranges */

	bool loaded; /* complete: the registrar may bind it again (its lock) */

	/* Its program type, NULL while that is away. Runs read it inside an
	 * epoch; the registrar changes it under its lock. */
	_Atomic(struct xbpf_provider *) type;

	const struct xbpf_source_line *lines;
	size_t n_lines;

	struct xbpf_prog_stats *stats; /* one per CPU slot */
};

static inline struct xbpf_program *xbpf_program_from_obj(struct xbpf_obj *obj)
{
	return (struct xbpf_program *)obj;
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */
/* ------------------------------------------------------------------------ */

/* A named helper the program imports (an extern __ksym function). */
struct xbpf_import_spec {
	const char *name;
	bool weak;
	const char *provider;  /* from a btf_decl_tag("xbpf:provider=NAME"), or NULL */
	/* The extern's prototype as BTF describes it, if the object has BTF. */
	const struct btf *btf;
	uint32_t btf_proto_id;
};

/* Everything a program is loaded from. Instructions refer to maps by index
 * into maps[] (lddw src XBPF_PSEUDO_MAP_IDX / _IDX_VALUE) and to named
 * helpers by index into imports[] (call src XBPF_CALL_KFUNC, lddw src
 * XBPF_PSEUDO_BTF_ID for bpf_ksym_exists). */
struct xbpf_program_spec {
	const char *name;
	const char *section; /* the program type is found from it ... */
	const char *type;    /* ... unless it is given */
	const struct xbpf_insn *insns;
	size_t n_insns;
	struct xbpf_map *const *maps;
	size_t n_maps;
	const struct xbpf_import_spec *imports;
	size_t n_imports;
	const struct xbpf_source_line *lines;
	size_t n_lines;
	const char *license;
	const char *object; /* for messages: "prog.o" */
};

/* A program object not yet loaded: name (cut to an object name), engine. */
int xbpf_program_alloc(struct xbpf_runtime *rt, const char *name, enum xbpf_engine engine,
		       struct xbpf_program **out);
/* Join the registrar as a client, bound to its program type. */
void xbpf_program_client_join(struct xbpf_program *prog, struct xbpf_provider *type);
/* The load is complete: the registrar may bind it again from now on
 * (registrar lock held). */
void xbpf_program_client_loaded(struct xbpf_program *prog);

/* Loads a program; messages go to the runtime's log (and to the caller's
 * capture). */
int xbpf_program_load_spec(struct xbpf_runtime *rt, const struct xbpf_program_spec *spec,
			   const struct xbpf_program_load_opts *opts, struct xbpf_program **out);

/* "file:line: text" of instruction pc, or "" when unknown. */
const char *xbpf_program_where(const struct xbpf_program *prog, size_t pc, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Imports and binding (imports.c)                                          */
/* ------------------------------------------------------------------------ */

struct xbpf_load;
/* Builds the import table for the program's calls. */
int xbpf_imports_build(struct xbpf_load *ld);
/* Registrar client steps: bind to a provider that came, unbind from one
 * that leaves (registrar lock held). */
void xbpf_program_provider_added(struct xbpf_program *prog, struct xbpf_provider *p);
void xbpf_program_provider_removed(struct xbpf_program *prog, struct xbpf_provider *p);
/* A provider of named helpers came: bind the imports waiting for it
 * (registrar lock held). */
void xbpf_named_imports_rebind(struct xbpf_program *prog, struct xbpf_provider *p);
/* Why a helper's prototype differs from the one a program was loaded
 * with, or NULL when it does not. */
const char *xbpf_helper_proto_diff(const struct xbpf_helper *was, const struct xbpf_helper *now,
				   char *buf, size_t size);
/* The helper's prototype in C, as messages and `xbpf ext info` show it. */
void xbpf_helper_signature(const struct xbpf_helper *h, char *buf, size_t size);
/* How import imp of a program of that type would resolve now, for
 * xbpf_object_imports (detail: a buffer for the words). */
void xbpf_named_import_explain(struct xbpf_runtime *rt, const char *type,
			       const struct xbpf_program_load_opts *opts, const struct xbpf_import_spec *imp,
			       struct xbpf_import_info *info, char *detail, size_t size);
/* Helper a callx names, with the program type's rules. */
const struct xbpf_helper *xbpf_program_helper_by_id(const struct xbpf_program *prog, uint64_t id);

/* ------------------------------------------------------------------------ */
/* Running                                                                  */
/* ------------------------------------------------------------------------ */

/* Runs the program on an internal context of its type. 0 with *r0 set, or
 * a negative errno (-XBPF_EDETACHED while something it needs is away; run
 * errors with a message in *msg when msg is not NULL). */
int xbpf_program_run(struct xbpf_program *prog, void *ctx, uint64_t *r0, char *msg, size_t msg_size);

/* The environment callbacks every run of a loaded program uses. */
extern const struct xbpf_exec_env xbpf_program_env;

/* Hash of a program type name, for PROG_ARRAY compatibility. */
uint32_t xbpf_type_hash(const char *name);

/* bpf_tail_call (tail_call.c), and the PROG_ARRAY rule it relies on
 * (installed once, before the first program exists). */
extern const struct xbpf_helper xbpf_helper_tail_call;
void xbpf_tail_calls_init(void);

#endif /* XBPF_PROGRAM_PROGRAM_H */
