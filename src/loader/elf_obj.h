/* SPDX-License-Identifier: MIT */
/*
 * The loader's front end: a pure function from the bytes of a relocatable
 * EM_BPF ELF object (what `clang -target bpf -c` writes) to a checked and
 * linked description of it, the IR below. Nothing here creates a map, binds
 * a helper or runs anything: that is the next stage, which reads the IR.
 *
 * How the next stage uses it
 * --------------------------
 *   struct xbpf_elf_obj *obj;
 *   err = xbpf_elf_parse(bytes, size, "prog.o", &obj, &diag);
 *
 *   1. Maps: create obj->maps[i] for every i, in order (an index in the
 *      instructions and relocations is an index into this array). For
 *      map-in-map, map->inner describes the inner map template. Data maps
 *      (.data, .rodata, .bss, string literals) are one-element ARRAY maps:
 *      write map->data (value_size bytes; NULL means zeroes) at key 0, then
 *      freeze the map if map->frozen. When every map exists, fill the
 *      initial slots (map->slots) of PROG_ARRAY maps (target: a program
 *      index) and map-in-map maps (target: a map index).
 *   2. Imports: bind obj->imports[i] (a named helper: name, weak, BTF
 *      prototype, declaration tags such as "xbpf:provider=NAME").
 *   3. Programs: obj->progs[i].insns is the final instruction array of one
 *      entry program: its own code followed by every subprogram it reaches.
 *      Bpf-to-bpf calls and callback references are already resolved; each
 *      instruction that still needs the outside world is listed in
 *      prog->relocs (sorted by instruction index) and is also encoded the
 *      way Linux encodes it after libbpf, so a verifier can read the
 *      instructions alone:
 *
 *        relocation                  instruction
 *        XBPF_ELF_RELOC_MAP          lddw src=XBPF_PSEUDO_MAP_IDX, imm = map index
 *        XBPF_ELF_RELOC_MAP_VALUE    lddw src=XBPF_PSEUDO_MAP_IDX_VALUE,
 *                                    imm = map index, next imm = byte offset
 *        XBPF_ELF_RELOC_CALLBACK     lddw src=XBPF_PSEUDO_FUNC, imm = pc-relative
 *                                    offset of the function (target = pc + 1 + imm)
 *        XBPF_ELF_RELOC_IMPORT_CALL  call src=XBPF_CALL_KFUNC, imm = import index
 *        XBPF_ELF_RELOC_IMPORT_ADDR  lddw src=XBPF_PSEUDO_BTF_ID, imm = import
 *                                    index: the named helper's address, or 0 when
 *                                    a weak import is unbound (bpf_ksym_exists)
 *
 *      Local calls are `call src=XBPF_CALL_LOCAL` with a pc-relative imm, and
 *      calls with src=0 are helper ids, untouched. prog->funcs tells which
 *      function occupies which instruction range (funcs[0] is the program).
 *      The program type is found from prog->section by the next stage.
 *   4. Diagnostics: xbpf_elf_prog_source() turns an instruction index of a
 *      program into "file:line: source text" when the object has BTF line
 *      info, for the verifier's and the runtime's messages.
 *
 *   xbpf_elf_obj_free(obj) releases everything, including obj->btf.
 *
 * Every string and data pointer in the IR stays valid until then.
 */
#ifndef XBPF_LOADER_ELF_OBJ_H
#define XBPF_LOADER_ELF_OBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbpf/xbpf.h>

#include "loader/diag.h"

struct btf; /* libbpf's BTF object (<bpf/btf.h>) */

/* ------------------------------------------------------------------------ */
/* Maps                                                                     */
/* ------------------------------------------------------------------------ */

enum xbpf_elf_map_kind {
	XBPF_ELF_MAP_BTF = 1, /* a definition in SEC(".maps") */
	XBPF_ELF_MAP_LEGACY,  /* a struct bpf_map_def in SEC("maps") */
	XBPF_ELF_MAP_DATA,    /* .data*: writable global variables */
	XBPF_ELF_MAP_RODATA,  /* .rodata*, string literals: read-only for programs */
	XBPF_ELF_MAP_BSS,     /* .bss*: zero-initialised global variables */
};

/* libbpf's LIBBPF_PIN_* values. */
enum xbpf_elf_pinning {
	XBPF_ELF_PIN_NONE = 0,
	XBPF_ELF_PIN_BY_NAME = 1, /* pinned under the map's name */
};

/* One initial slot of a PROG_ARRAY (target: index into obj->progs) or of an
 * ARRAY_OF_MAPS / HASH_OF_MAPS (target: index into obj->maps; for a hash of
 * maps the key is the slot as a u32). */
struct xbpf_elf_slot {
	uint32_t slot;
	uint32_t target;
};

/* A global variable inside a data map. Offsets come from the ELF symbols:
 * clang leaves the offsets of the BTF DATASEC at zero in object files. */
struct xbpf_elf_var {
	const char *name;
	uint32_t offset;
	uint32_t size;
	uint32_t btf_type_id; /* the variable's type; 0 without BTF */
};

struct xbpf_elf_map {
	const char *name;    /* symbol name; for data maps the section name */
	const char *section; /* ELF section holding the definition or data */
	enum xbpf_elf_map_kind kind;
	uint32_t sec_offset; /* byte offset of the definition in its section */

	/* Linux's numbering (enum xbpf_map_type, XBPF_F_*). Sizes come from
	 * key_size/value_size or from the size of the BTF key/value types.
	 * Whether they suit the map type is for the map layer to decide. */
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	enum xbpf_elf_pinning pinning;

	/* BTF ids for pretty-printing, 0 when unknown. A .maps definition
	 * has its VAR; a data map has its DATASEC as btf_value_type_id. */
	uint32_t btf_var_id;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;

	/* Map-in-map: the inner map definition (named "<outer>.inner", not in
	 * obj->maps), else NULL. */
	struct xbpf_elf_map *inner;

	/* Initial values of PROG_ARRAY and map-in-map slots, by slot. */
	struct xbpf_elf_slot *slots;
	size_t n_slots;

	/* Data maps: the initial value (value_size bytes), NULL for .bss; the
	 * variables it holds; frozen: freeze after writing the value
	 * (.rodata*, whose map_flags also have XBPF_F_RDONLY_PROG). */
	const uint8_t *data;
	bool frozen;
	struct xbpf_elf_var *vars;
	size_t n_vars;
};

/* ------------------------------------------------------------------------ */
/* Named helper imports (extern __ksym functions)                           */
/* ------------------------------------------------------------------------ */

struct xbpf_elf_import {
	const char *name;
	bool weak;                /* __weak: may stay unbound */
	uint32_t btf_func_id;     /* BTF FUNC of extern linkage; 0 without BTF */
	uint32_t btf_proto_id;    /* its FUNC_PROTO; 0 without BTF */
	const char **decl_tags;   /* btf_decl_tag strings of the extern, in BTF order */
	size_t n_decl_tags;
};

/* ------------------------------------------------------------------------ */
/* Programs                                                                 */
/* ------------------------------------------------------------------------ */

enum xbpf_elf_reloc_kind {
	XBPF_ELF_RELOC_MAP = 1,     /* target: map index */
	XBPF_ELF_RELOC_MAP_VALUE,   /* target: map index; offset: byte in its value */
	XBPF_ELF_RELOC_CALLBACK,    /* target: instruction index of the function */
	XBPF_ELF_RELOC_IMPORT_CALL, /* target: import index */
	XBPF_ELF_RELOC_IMPORT_ADDR, /* target: import index */
};

/* An instruction of a linked program that refers to something outside it
 * (see the table at the top of this file for how it is encoded). */
struct xbpf_elf_reloc {
	uint32_t insn; /* index in the program's final instructions */
	enum xbpf_elf_reloc_kind kind;
	uint32_t target;
	uint32_t offset;
};

/* A function placed in a linked program. */
struct xbpf_elf_func {
	const char *name;
	const char *section;
	uint32_t start;       /* first instruction in the program */
	uint32_t count;       /* number of instructions */
	uint32_t sec_insn;    /* index of its first instruction in its section */
	uint32_t btf_func_id; /* BTF FUNC from .BTF.ext func info, 0 without */
};

/* BTF line info of one instruction and those after it, up to the next. */
struct xbpf_elf_line {
	uint32_t insn;    /* index in the program's final instructions */
	const char *file; /* as the compiler recorded it */
	const char *text; /* the source line */
	uint32_t line;
	uint32_t col;
};

struct xbpf_elf_prog {
	const char *name;    /* the program's function symbol */
	const char *section; /* its ELF section: the program type is found from it */
	uint32_t sec_insn;   /* index of its first instruction in that section */

	struct xbpf_insn *insns;
	size_t n_insns;

	struct xbpf_elf_func *funcs; /* funcs[0] is the program's own code */
	size_t n_funcs;

	struct xbpf_elf_reloc *relocs; /* sorted by insn */
	size_t n_relocs;

	struct xbpf_elf_line *lines; /* sorted by insn; may be empty */
	size_t n_lines;
};

/* ------------------------------------------------------------------------ */
/* The object                                                               */
/* ------------------------------------------------------------------------ */

/* Longest license string kept, terminating NUL included (as libbpf). */
#define XBPF_ELF_LICENSE_LEN 64

struct xbpf_elf_obj {
	const char *name;                    /* obj_name given to xbpf_elf_parse */
	char license[XBPF_ELF_LICENSE_LEN];  /* SEC("license"), "" if absent */
	bool has_kern_version;               /* SEC("version") present */
	uint32_t kern_version;

	struct btf *btf; /* the object's BTF (libbpf), NULL if it has none */

	struct xbpf_elf_prog *progs; /* entry programs, in section then address order */
	size_t n_progs;
	struct xbpf_elf_map *maps;   /* .maps, then legacy maps, then data sections */
	size_t n_maps;
	struct xbpf_elf_import *imports;
	size_t n_imports;

	void *priv; /* memory the strings and data above point into */
};

/* Parse an object. obj_name names it in messages ("prog.o"). On success
 * *out holds the IR; on failure *out is NULL, the result is a negative
 * errno (-EINVAL: malformed, -EOPNOTSUPP: a feature xbpf does not support,
 * -E2BIG: too large, -ENOMEM) and diag has received an error naming the
 * section, symbol, instruction and source line concerned. diag may be NULL. */
int xbpf_elf_parse(const void *data, size_t size, const char *obj_name, struct xbpf_elf_obj **out,
		   struct xbpf_diag *diag);

void xbpf_elf_obj_free(struct xbpf_elf_obj *obj);

/* Line info of instruction insn of prog: the entry at or before insn in
 * the same function. NULL when there is none. */
const struct xbpf_elf_line *xbpf_elf_prog_line(const struct xbpf_elf_prog *prog, size_t insn);

/* Writes "file:line: source text" for instruction insn of prog into buf
 * (cut to size). Returns the length of the full text, or -ENOENT when the
 * instruction has no line info. */
int xbpf_elf_prog_source(const struct xbpf_elf_prog *prog, size_t insn, char *buf, size_t size);

/* Index into obj->progs / obj->maps of the program / map of that name, or
 * -ENOENT. */
int xbpf_elf_find_prog(const struct xbpf_elf_obj *obj, const char *name);
int xbpf_elf_find_map(const struct xbpf_elf_obj *obj, const char *name);

#endif /* XBPF_LOADER_ELF_OBJ_H */
