/* SPDX-License-Identifier: MIT */
/* The state of one program load, shared by the steps in load.c and imports.c. */
#ifndef XBPF_PROGRAM_LOAD_H
#define XBPF_PROGRAM_LOAD_H

#include "program/program.h"

struct xbpf_load {
	struct xbpf_runtime *rt;
	const struct xbpf_program_spec *spec;
	const struct xbpf_program_load_opts *opts;
	struct xbpf_program *prog;
	struct xbpf_provider *type; /* held busy for the whole load */
	struct xbpf_insn *insns;    /* being resolved and converted */
	size_t n_insns;
	uint32_t *func_starts;
	size_t n_funcs;
	int32_t *slot_of_pc; /* import slot of each call instruction, else -1 */
	/* The import table being built; the program's once complete. */
	struct xbpf_import *imports;
	struct xbpf_import_desc *import_desc;
	size_t n_imports;
};

/* Appends an unbound slot to the table being built. */
struct xbpf_import_desc *xbpf_load_new_import(struct xbpf_load *ld);

/* Logs an error about instruction pc of the program being loaded, with its
 * source line when known, and returns err. */
int xbpf_load_error(struct xbpf_load *ld, int err, size_t pc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Logs an error about the program being loaded, and returns err. */
int xbpf_load_fail(struct xbpf_load *ld, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Named helper imports (named.c): resolve each import of the spec to a
 * provider and helper, checking the prototype, and give it a slot
 * (slot_of_import), for those the program uses; registrar lock held. */
int xbpf_named_imports_resolve(struct xbpf_load *ld, const bool *used, uint32_t *slot_of_import);

#endif /* XBPF_PROGRAM_LOAD_H */
