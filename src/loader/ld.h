/* SPDX-License-Identifier: MIT */
/*
 * Internal state of one xbpf_elf_parse() call, shared by the loader's files.
 * Each stage reads what the previous ones built and adds its part:
 *
 *   elf.c        sections, symbols and code, every offset bounds-checked
 *   btf.c        the object's BTF (libbpf) and queries on it
 *   programs.c   functions (cut by FUNC symbols) and entry programs
 *   btf_ext.c    .BTF.ext func info and line info per code section
 *   map_table.c  obj->maps: adding, finding by definition offset
 *   map_defs.c   BTF-defined maps (.maps)
 *   legacy_maps.c  struct bpf_map_def maps (maps)
 *   data_maps.c  .data / .rodata / .bss as one-element array maps
 *   relocs.c     relocations of code sections and .maps `values`
 *   externs.c    named helper imports (extern functions)
 *   code.c       instruction checks and implicit (pc-relative) calls
 *   link.c       one final instruction array per entry program
 *   source.c     messages with their location, line info queries
 *   names.c      sorted name tables for lookups by name
 *
 * Nothing here is meant for the next stage: it reads elf_obj.h.
 */
#ifndef XBPF_LOADER_LD_H
#define XBPF_LOADER_LD_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/insn.h"
#include "loader/elf_obj.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

/* BPF relocation types (Linux's Documentation/bpf/llvm_reloc.rst). */
#define XBPF_R_BPF_NONE 0
#define XBPF_R_BPF_64_64 1       /* lddw: S + A */
#define XBPF_R_BPF_64_ABS64 2    /* 64-bit data: S + A */
#define XBPF_R_BPF_64_ABS32 3    /* 32-bit data: S + A */
#define XBPF_R_BPF_64_NODYLD32 4 /* .BTF / .BTF.ext data */
#define XBPF_R_BPF_64_32 10      /* call: (S + A) / 8 - 1 */

/* Longest linked program, as Linux's BPF_COMPLEXITY_LIMIT_INSNS. */
#define XBPF_LD_MAX_INSNS (1u << 20)

enum xbpf_ld_sec_kind {
	XBPF_LD_SEC_OTHER = 0, /* not used by the loader */
	XBPF_LD_SEC_CODE,
	XBPF_LD_SEC_DATA,
	XBPF_LD_SEC_RODATA,
	XBPF_LD_SEC_BSS,
	XBPF_LD_SEC_MAPS,        /* .maps */
	XBPF_LD_SEC_LEGACY_MAPS, /* maps */
	XBPF_LD_SEC_LICENSE,
	XBPF_LD_SEC_VERSION,
	XBPF_LD_SEC_BTF,
	XBPF_LD_SEC_BTF_EXT,
	XBPF_LD_SEC_SYMTAB,
	XBPF_LD_SEC_STRTAB,
	XBPF_LD_SEC_REL,
};

/* A reference from one instruction of a code section. */
enum xbpf_ld_ref_kind {
	XBPF_LD_REF_CALL,        /* target: function index */
	XBPF_LD_REF_CALLBACK,    /* target: function index */
	XBPF_LD_REF_MAP,         /* target: map index */
	XBPF_LD_REF_MAP_VALUE,   /* target: map index, offset */
	XBPF_LD_REF_IMPORT_CALL, /* target: import index */
	XBPF_LD_REF_IMPORT_ADDR, /* target: import index */
};

struct xbpf_ld_ref {
	uint32_t insn; /* index in the section */
	enum xbpf_ld_ref_kind kind;
	uint32_t target;
	uint32_t offset;
};

struct xbpf_ld_sec {
	const char *name;
	Elf64_Shdr shdr;
	enum xbpf_ld_sec_kind kind;
	const uint8_t *data; /* NULL for SHT_NOBITS */
	size_t size;

	/* Code sections. */
	struct xbpf_insn *insns;
	size_t n_insns;
	struct xbpf_ld_ref *refs; /* sorted by insn once code.c has run */
	size_t n_refs, refs_cap;
	struct xbpf_elf_line *lines; /* insn: index in the section */
	size_t n_lines;
	size_t first_func, n_funcs; /* range of xbpf_ld.funcs */

	/* Data sections: index of their map, -1 if none (empty section). */
	int map;
};

/* A function of a code section, cut by its FUNC symbol. */
struct xbpf_ld_func {
	const char *name;
	size_t sec;
	uint32_t start, count; /* instruction range in the section */
	bool entry;            /* a global function outside .text: a program */
	int prog;              /* index in obj->progs for entry programs, else -1 */
	uint32_t btf_func_id;  /* from .BTF.ext func info */
};

/* Where a BTF map definition lies in .maps, for its `values` relocations. */
struct xbpf_ld_btf_map {
	uint32_t extent;     /* bytes: the struct, plus initialised `values` slots */
	uint32_t values_off; /* byte offset of the `values` member */
	bool has_values;
};

/* A table of names to ids (section indexes, BTF type ids; never 0), sorted
 * by xbpf_ld_names_sort() for xbpf_ld_names_find(), which returns the
 * smallest id of that name, or 0. */
struct xbpf_ld_name {
	const char *name;
	uint32_t id;
};

struct xbpf_ld_names {
	struct xbpf_ld_name *v;
	size_t n;
};

void xbpf_ld_names_sort(struct xbpf_ld_names *t);
uint32_t xbpf_ld_names_find(const struct xbpf_ld_names *t, const char *name);
void xbpf_ld_names_free(struct xbpf_ld_names *t);

/* A BTF declaration tag on a whole declaration (not one of its members). */
struct xbpf_ld_decl_tag {
	uint32_t target; /* the tagged type */
	uint32_t id;     /* the DECL_TAG itself */
	const char *text;
};

/* Section, instruction and symbol that a message is about. */
struct xbpf_ld_where {
	size_t sec;      /* 0: none */
	int64_t insn;    /* index in the section, -1: none */
	const char *sym; /* NULL: none */
};

struct xbpf_ld {
	struct xbpf_diag *diag;
	const char *obj_name;
	const uint8_t *image; /* the object's bytes (our copy) */
	size_t size;

	struct xbpf_ld_sec *secs; /* indexed by ELF section index */
	size_t n_secs;
	Elf64_Sym *syms; /* copied out of .symtab */
	size_t n_syms;
	const char *strtab; /* NUL-terminated at strtab_size - 1 */
	size_t strtab_size;
	size_t symtab_sec, text_sec, maps_sec, legacy_maps_sec, btf_sec, btf_ext_sec; /* 0: none */
	size_t license_sec, version_sec;

	struct xbpf_ld_names sec_names; /* sections the loader reads by name */

	struct btf *btf;
	struct xbpf_ld_names btf_datasecs; /* DATASECs */
	struct xbpf_ld_names btf_externs;  /* FUNCs and VARs of extern linkage */
	struct xbpf_ld_decl_tag *decl_tags; /* by tagged type, made on first use */
	size_t n_decl_tags;
	bool decl_tags_indexed;

	struct xbpf_ld_func *funcs; /* sorted by (sec, start) */
	size_t n_funcs;

	/* Index ranges of obj->maps holding each definition section's maps,
	 * in offset order, and the extent of each BTF map definition. */
	size_t btf_maps_first, btf_maps_count;
	size_t legacy_maps_first, legacy_maps_count;
	struct xbpf_ld_btf_map *btf_maps;

	uint32_t *sym_import; /* per symbol: import index + 1, 0 if none yet */

	struct xbpf_elf_obj *obj; /* being built */
	size_t maps_cap, imports_cap;
};

/* Report an error about `where` and return err. The message starts with the
 * object name, then the section, instruction (with the function holding it
 * and its source line) or symbol. */
int xbpf_ld_error(struct xbpf_ld *ld, int err, struct xbpf_ld_where where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define XBPF_LD_NOWHERE ((struct xbpf_ld_where){.sec = 0, .insn = -1, .sym = NULL})
#define XBPF_LD_AT_SEC(s) ((struct xbpf_ld_where){.sec = (s), .insn = -1, .sym = NULL})
#define XBPF_LD_AT_INSN(s, i) ((struct xbpf_ld_where){.sec = (s), .insn = (int64_t)(i), .sym = NULL})
#define XBPF_LD_AT_SYM(s, n) ((struct xbpf_ld_where){.sec = (s), .insn = -1, .sym = (n)})

/* Grow *array (of elem-sized items, *cap of them) to hold at least n. */
int xbpf_ld_reserve(void **array, size_t *cap, size_t n, size_t elem);

/* Name of symbol i ("" when it has none). i must be < n_syms. */
const char *xbpf_ld_sym_name(const struct xbpf_ld *ld, size_t i);

/* The function of section sec that starts at insn, or that holds it. */
struct xbpf_ld_func *xbpf_ld_func_at(const struct xbpf_ld *ld, size_t sec, uint32_t insn);
struct xbpf_ld_func *xbpf_ld_func_holding(const struct xbpf_ld *ld, size_t sec, uint32_t insn);

/* The map whose definition starts at offset of a definition section. */
int xbpf_ld_map_at(const struct xbpf_ld *ld, size_t sec, uint64_t offset);

/* Append a zeroed map to obj->maps; returns its index (*out points to it
 * until the next map is added) or -ENOMEM. */
int xbpf_ld_add_map(struct xbpf_ld *ld, struct xbpf_elf_map **out);

/* The definition symbols (objects, not the section symbol) of section sec,
 * sorted by offset, in a new array (NULL when there are none). */
int xbpf_ld_def_syms(struct xbpf_ld *ld, size_t sec, Elf64_Sym **out, size_t *n_out);

/* Line info of instruction insn of a code section (the last entry at or
 * before it), NULL if none. */
const struct xbpf_elf_line *xbpf_ld_sec_line(const struct xbpf_ld_sec *sec, uint32_t insn);

/* Stages, in the order xbpf_elf_parse() runs them. Each returns 0 or a
 * negative errno after reporting why. */
int xbpf_ld_read_elf(struct xbpf_ld *ld);
int xbpf_ld_read_btf(struct xbpf_ld *ld);
int xbpf_ld_collect_funcs(struct xbpf_ld *ld);
int xbpf_ld_read_btf_ext(struct xbpf_ld *ld);
int xbpf_ld_collect_btf_maps(struct xbpf_ld *ld);
int xbpf_ld_collect_legacy_maps(struct xbpf_ld *ld);
int xbpf_ld_collect_data_maps(struct xbpf_ld *ld);
int xbpf_ld_collect_code_relocs(struct xbpf_ld *ld);
int xbpf_ld_check_code(struct xbpf_ld *ld);
int xbpf_ld_collect_map_slots(struct xbpf_ld *ld);
int xbpf_ld_link(struct xbpf_ld *ld);

/* Import index for the extern symbol sym (created on first use), used by
 * instruction insn of section sec as a call or as an lddw. */
int xbpf_ld_import(struct xbpf_ld *ld, size_t sym, bool is_call, size_t sec, uint32_t insn,
		   uint32_t *index);

/* BTF helpers: the type behind modifiers and typedefs (NULL if id is bad or
 * the chain is too long), and a type's name ("" when anonymous or bad). */
const struct btf_type *xbpf_ld_btf_skip_mods(const struct btf *btf, uint32_t id, uint32_t *res_id);
const char *xbpf_ld_btf_name(const struct btf *btf, uint32_t name_off);
/* The VARs (and FUNCs) of DATASEC datasec_id by name; empty when the id is
 * 0 or not a DATASEC. */
int xbpf_ld_btf_datasec_vars(const struct btf *btf, uint32_t datasec_id, struct xbpf_ld_names *out);

/* Little-endian reads from bytes that may be unaligned. */
static inline uint16_t xbpf_ld_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t xbpf_ld_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t xbpf_ld_le64(const uint8_t *p)
{
	return (uint64_t)xbpf_ld_le32(p) | (uint64_t)xbpf_ld_le32(p + 4) << 32;
}

#endif /* XBPF_LOADER_LD_H */
