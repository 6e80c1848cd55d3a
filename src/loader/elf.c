/* SPDX-License-Identifier: MIT */
/*
 * ELF reading: checks the header, reads the section table through libelf,
 * copies the symbol table out, decodes code sections, and reads the license
 * and version sections. Every index, offset and size taken from the file is
 * checked here before any other stage uses it; headers are copied out of
 * the image so that a misaligned table in a hostile file is never
 * dereferenced in place.
 */
#include <errno.h>
#include <libelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld.h"

static int check_header(struct xbpf_ld *ld, Elf64_Ehdr *ehdr)
{
	const uint8_t *id = ld->image;

	if (ld->size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE, "not an ELF file (bad magic)");
	if (ld->size < EI_NIDENT)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "truncated ELF header (%zu bytes)", ld->size);
	if (id[EI_CLASS] != ELFCLASS64)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "ELF class %u is not ELFCLASS64: BPF objects are 64-bit ELF",
				     id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "ELF data encoding %u is not little-endian (ELFDATA2LSB)",
				     id[EI_DATA]);
	if (ld->size < sizeof(*ehdr))
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "truncated ELF header (%zu bytes of %zu)", ld->size,
				     sizeof(*ehdr));
	memcpy(ehdr, ld->image, sizeof(*ehdr));
	if (ehdr->e_type != ET_REL)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "ELF type %u is not a relocatable object (ET_REL, what "
				     "clang -c writes)",
				     ehdr->e_type);
	if (ehdr->e_machine != EM_BPF)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "ELF machine %u is not BPF (EM_BPF = %u)", ehdr->e_machine,
				     EM_BPF);
	if (ehdr->e_shentsize != sizeof(Elf64_Shdr))
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "section header size %u is not %zu", ehdr->e_shentsize,
				     sizeof(Elf64_Shdr));
	/* With e_shnum 0 the count is in section 0 (or there are no sections):
	 * read_section_headers() checks the table once libelf has the count. */
	if (ehdr->e_shnum != 0 && (ehdr->e_shoff > ld->size ||
				   ehdr->e_shnum > (ld->size - ehdr->e_shoff) / sizeof(Elf64_Shdr)))
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "section header table (%u entries at offset %llu) lies "
				     "outside the file (%zu bytes)",
				     ehdr->e_shnum, (unsigned long long)ehdr->e_shoff, ld->size);
	return 0;
}

/* Copies the section headers and checks that each section's bytes lie in
 * the file. */
static int read_section_headers(struct xbpf_ld *ld, Elf *elf, const Elf64_Ehdr *ehdr)
{
	size_t n, i;

	if (elf_getshdrnum(elf, &n) != 0)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "cannot read the section count: %s", elf_errmsg(-1));
	if (n == 0)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE, "the object has no sections");
	if (ehdr->e_shoff > ld->size || n > (ld->size - ehdr->e_shoff) / sizeof(Elf64_Shdr))
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "section header table (%zu entries at offset %llu) lies "
				     "outside the file (%zu bytes)",
				     n, (unsigned long long)ehdr->e_shoff, ld->size);
	ld->secs = calloc(n, sizeof(*ld->secs));
	if (!ld->secs)
		return -ENOMEM;
	ld->n_secs = n;
	ld->secs[0].map = -1;

	for (i = 1; i < n; i++) {
		struct xbpf_ld_sec *sec = &ld->secs[i];
		Elf_Scn *scn = elf_getscn(elf, i);
		const Elf64_Shdr *sh = scn ? elf64_getshdr(scn) : NULL;

		sec->map = -1;
		if (!sh)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
					     "cannot read the header of section %zu: %s", i,
					     elf_errmsg(-1));
		memcpy(&sec->shdr, sh, sizeof(sec->shdr));
		sec->size = sec->shdr.sh_size;
		if (sec->shdr.sh_type == SHT_NOBITS)
			continue;
		if (sec->shdr.sh_offset > ld->size || sec->size > ld->size - sec->shdr.sh_offset)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
					     "section %zu (%llu bytes at offset %llu) lies outside "
					     "the file (%zu bytes)",
					     i, (unsigned long long)sec->size,
					     (unsigned long long)sec->shdr.sh_offset, ld->size);
		sec->data = ld->image + sec->shdr.sh_offset;
	}
	return 0;
}

/* A string table is usable when it is non-empty and ends with a NUL: then
 * every offset inside it starts a terminated string. */
static bool strtab_ok(const struct xbpf_ld_sec *sec)
{
	return sec->shdr.sh_type == SHT_STRTAB && sec->data && sec->size > 0 &&
	       sec->data[sec->size - 1] == '\0';
}

static int name_sections(struct xbpf_ld *ld, Elf *elf)
{
	const struct xbpf_ld_sec *strs;
	size_t shstrndx, i;

	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "cannot find the section name table: %s", elf_errmsg(-1));
	if (shstrndx == 0 || shstrndx >= ld->n_secs)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "section name table index %zu is out of range (%zu sections)",
				     shstrndx, ld->n_secs);
	strs = &ld->secs[shstrndx];
	if (!strtab_ok(strs))
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
				     "section %zu is not a usable section name table", shstrndx);
	ld->secs[0].name = "";
	for (i = 1; i < ld->n_secs; i++) {
		if (ld->secs[i].shdr.sh_name >= strs->size)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
					     "section %zu: name offset %u is outside the name "
					     "table (%zu bytes)",
					     i, ld->secs[i].shdr.sh_name, strs->size);
		ld->secs[i].name = (const char *)strs->data + ld->secs[i].shdr.sh_name;
	}
	return 0;
}

struct byte_range {
	uint64_t start, end;
	size_t sec; /* 0: the ELF header or the section header table */
};

static int cmp_range(const void *a, const void *b)
{
	const struct byte_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static const char *range_name(const struct xbpf_ld *ld, const struct byte_range *r)
{
	return r->sec ? ld->secs[r->sec].name : r->start == 0 ? "<ELF header>"
							      : "<section headers>";
}

/* Sections must not overlap each other, the ELF header or the section
 * header table: a hostile file could otherwise make one section's bytes
 * mean two things. */
static int check_overlaps(struct xbpf_ld *ld, const Elf64_Ehdr *ehdr)
{
	struct byte_range *r = calloc(ld->n_secs + 2, sizeof(*r));
	size_t n = 0, i;
	int err = 0;

	if (!r)
		return -ENOMEM;
	r[n++] = (struct byte_range){0, sizeof(Elf64_Ehdr), 0};
	r[n++] = (struct byte_range){ehdr->e_shoff,
				     ehdr->e_shoff + ld->n_secs * sizeof(Elf64_Shdr), 0};
	for (i = 1; i < ld->n_secs; i++) {
		const struct xbpf_ld_sec *sec = &ld->secs[i];

		if (sec->data && sec->size > 0)
			r[n++] = (struct byte_range){sec->shdr.sh_offset,
						     sec->shdr.sh_offset + sec->size, i};
	}
	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 1; i < n && !err; i++) {
		if (r[i].start < r[i - 1].end)
			err = xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE,
					    "section '%s' overlaps '%s' in the file",
					    range_name(ld, &r[i]), range_name(ld, &r[i - 1]));
	}
	free(r);
	return err;
}

static bool has_prefix_or_is(const char *name, const char *base)
{
	size_t len = strlen(base);

	return strncmp(name, base, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

static enum xbpf_ld_sec_kind classify(const struct xbpf_ld_sec *sec)
{
	const char *name = sec->name;

	switch (sec->shdr.sh_type) {
	case SHT_SYMTAB:
		return XBPF_LD_SEC_SYMTAB;
	case SHT_STRTAB:
		return XBPF_LD_SEC_STRTAB;
	case SHT_REL:
	case SHT_RELA:
		return XBPF_LD_SEC_REL;
	case SHT_PROGBITS:
	case SHT_NOBITS:
		break;
	default:
		return XBPF_LD_SEC_OTHER;
	}
	if (sec->shdr.sh_type == SHT_PROGBITS && (sec->shdr.sh_flags & SHF_EXECINSTR))
		return XBPF_LD_SEC_CODE;
	if (strcmp(name, ".maps") == 0)
		return XBPF_LD_SEC_MAPS;
	if (strcmp(name, "maps") == 0)
		return XBPF_LD_SEC_LEGACY_MAPS;
	if (strcmp(name, "license") == 0)
		return XBPF_LD_SEC_LICENSE;
	if (strcmp(name, "version") == 0)
		return XBPF_LD_SEC_VERSION;
	if (strcmp(name, ".BTF") == 0)
		return XBPF_LD_SEC_BTF;
	if (strcmp(name, ".BTF.ext") == 0)
		return XBPF_LD_SEC_BTF_EXT;
	if (has_prefix_or_is(name, ".data"))
		return XBPF_LD_SEC_DATA;
	if (has_prefix_or_is(name, ".rodata"))
		return XBPF_LD_SEC_RODATA;
	if (has_prefix_or_is(name, ".bss"))
		return XBPF_LD_SEC_BSS;
	return XBPF_LD_SEC_OTHER;
}

/* Sections the loader reads by name must be unique, and must hold bytes. */
static bool is_named_kind(enum xbpf_ld_sec_kind kind)
{
	return kind != XBPF_LD_SEC_OTHER && kind != XBPF_LD_SEC_STRTAB && kind != XBPF_LD_SEC_REL &&
	       kind != XBPF_LD_SEC_SYMTAB;
}

/* Lists the sections read by name in ld->sec_names, refusing two of one
 * name. */
static int index_section_names(struct xbpf_ld *ld)
{
	struct xbpf_ld_names *t = &ld->sec_names;
	size_t i;

	t->v = calloc(ld->n_secs, sizeof(*t->v));
	if (!t->v)
		return -ENOMEM;
	for (i = 1; i < ld->n_secs; i++) {
		if (is_named_kind(ld->secs[i].kind))
			t->v[t->n++] = (struct xbpf_ld_name){ld->secs[i].name, (uint32_t)i};
	}
	xbpf_ld_names_sort(t);
	for (i = 1; i < t->n; i++) {
		if (strcmp(t->v[i].name, t->v[i - 1].name) == 0)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(t->v[i].id),
					     "another section (%u) has the same name", t->v[i - 1].id);
	}
	return 0;
}

static int classify_sections(struct xbpf_ld *ld)
{
	size_t i;
	int err;

	for (i = 1; i < ld->n_secs; i++) {
		struct xbpf_ld_sec *sec = &ld->secs[i];
		size_t *single = NULL;

		sec->kind = classify(sec);
		if (strcmp(sec->name, ".struct_ops") == 0 || strcmp(sec->name, ".struct_ops.link") == 0)
			return xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_SEC(i),
					     "struct_ops maps are not supported");
		if (sec->kind == XBPF_LD_SEC_OTHER || sec->kind == XBPF_LD_SEC_STRTAB)
			continue;
		if (sec->shdr.sh_flags & SHF_COMPRESSED)
			return xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_SEC(i),
					     "compressed sections are not supported");
		if (!sec->data && sec->kind != XBPF_LD_SEC_BSS && sec->kind != XBPF_LD_SEC_DATA &&
		    sec->kind != XBPF_LD_SEC_RODATA)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(i),
					     "section has no bytes in the file (SHT_NOBITS)");
		switch (sec->kind) {
		case XBPF_LD_SEC_CODE:
			if (strcmp(sec->name, ".text") == 0)
				single = &ld->text_sec;
			break;
		case XBPF_LD_SEC_MAPS:
			single = &ld->maps_sec;
			break;
		case XBPF_LD_SEC_LEGACY_MAPS:
			single = &ld->legacy_maps_sec;
			break;
		case XBPF_LD_SEC_LICENSE:
			single = &ld->license_sec;
			break;
		case XBPF_LD_SEC_VERSION:
			single = &ld->version_sec;
			break;
		case XBPF_LD_SEC_BTF:
			single = &ld->btf_sec;
			break;
		case XBPF_LD_SEC_BTF_EXT:
			single = &ld->btf_ext_sec;
			break;
		default:
			break;
		}
		if (single)
			*single = i;
	}
	err = index_section_names(ld);
	if (err)
		return err;
	/* A nameless code section could not be told apart in .BTF.ext. */
	for (i = 1; i < ld->n_secs; i++) {
		if (ld->secs[i].kind == XBPF_LD_SEC_CODE && ld->secs[i].name[0] == '\0')
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(i),
					     "code section %zu has no name", i);
	}
	return 0;
}

static int read_symbols(struct xbpf_ld *ld)
{
	const struct xbpf_ld_sec *symtab = NULL, *strs;
	size_t i, symtab_idx = 0;

	for (i = 1; i < ld->n_secs; i++) {
		if (ld->secs[i].kind != XBPF_LD_SEC_SYMTAB)
			continue;
		if (symtab)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(i),
					     "a second symbol table (the first is section %zu)",
					     symtab_idx);
		symtab = &ld->secs[i];
		symtab_idx = i;
	}
	if (!symtab)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE, "the object has no symbol table");
	if (symtab->shdr.sh_entsize != sizeof(Elf64_Sym) || symtab->size % sizeof(Elf64_Sym) != 0 ||
	    symtab->size == 0)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(symtab_idx),
				     "symbol table of %llu bytes with entries of %llu bytes is not "
				     "an array of Elf64_Sym (%zu bytes)",
				     (unsigned long long)symtab->size,
				     (unsigned long long)symtab->shdr.sh_entsize, sizeof(Elf64_Sym));
	if (symtab->shdr.sh_link == 0 || symtab->shdr.sh_link >= ld->n_secs ||
	    !strtab_ok(&ld->secs[symtab->shdr.sh_link]))
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(symtab_idx),
				     "the symbol table's string table (section %u) is missing or "
				     "not a NUL-terminated SHT_STRTAB",
				     symtab->shdr.sh_link);
	ld->symtab_sec = symtab_idx;
	strs = &ld->secs[symtab->shdr.sh_link];
	ld->strtab = (const char *)strs->data;
	ld->strtab_size = strs->size;

	ld->n_syms = symtab->size / sizeof(Elf64_Sym);
	ld->syms = malloc(symtab->size);
	ld->sym_import = calloc(ld->n_syms, sizeof(*ld->sym_import));
	if (!ld->syms || !ld->sym_import)
		return -ENOMEM;
	memcpy(ld->syms, symtab->data, symtab->size);

	for (i = 0; i < ld->n_syms; i++) {
		const Elf64_Sym *sym = &ld->syms[i];

		if (sym->st_name >= ld->strtab_size)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(symtab_idx),
					     "symbol %zu: name offset %u is outside the string "
					     "table (%zu bytes)",
					     i, sym->st_name, ld->strtab_size);
		if (sym->st_shndx == SHN_XINDEX)
			return xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_SYM(0, xbpf_ld_sym_name(ld, i)),
					     "extended section indexes (SHN_XINDEX) are not "
					     "supported");
		if (sym->st_shndx < SHN_LORESERVE && sym->st_shndx >= ld->n_secs)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SYM(0, xbpf_ld_sym_name(ld, i)),
					     "section index %u is out of range (%zu sections)",
					     sym->st_shndx, ld->n_secs);
	}
	return 0;
}

static int decode_code(struct xbpf_ld *ld)
{
	size_t i, j;

	for (i = 1; i < ld->n_secs; i++) {
		struct xbpf_ld_sec *sec = &ld->secs[i];

		if (sec->kind != XBPF_LD_SEC_CODE)
			continue;
		if (sec->size % 8 != 0)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(i),
					     "code size %zu is not a multiple of 8 (the size of an "
					     "instruction)",
					     sec->size);
		sec->n_insns = sec->size / 8;
		if (sec->n_insns == 0)
			continue;
		sec->insns = calloc(sec->n_insns, sizeof(*sec->insns));
		if (!sec->insns)
			return -ENOMEM;
		for (j = 0; j < sec->n_insns; j++) {
			const uint8_t *b = sec->data + j * 8;

			sec->insns[j] = xbpf_insn_make(b[0], b[1] & 0xf, b[1] >> 4,
						       (int16_t)xbpf_ld_le16(b + 2),
						       (int32_t)xbpf_ld_le32(b + 4));
		}
	}
	return 0;
}

static int read_license_version(struct xbpf_ld *ld)
{
	struct xbpf_elf_obj *obj = ld->obj;

	if (ld->license_sec) {
		const struct xbpf_ld_sec *sec = &ld->secs[ld->license_sec];
		size_t len = strnlen((const char *)sec->data, sec->size);

		if (len >= sizeof(obj->license))
			len = sizeof(obj->license) - 1;
		memcpy(obj->license, sec->data, len);
		obj->license[len] = '\0';
	}
	if (ld->version_sec) {
		const struct xbpf_ld_sec *sec = &ld->secs[ld->version_sec];

		if (sec->size != 4)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(ld->version_sec),
					     "size %zu is not 4 (a u32 kernel version)", sec->size);
		obj->has_kern_version = true;
		obj->kern_version = xbpf_ld_le32(sec->data);
	}
	return 0;
}

static bool libelf_usable;

static void init_libelf(void)
{
	libelf_usable = elf_version(EV_CURRENT) != EV_NONE;
}

int xbpf_ld_read_elf(struct xbpf_ld *ld)
{
	static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;
	Elf64_Ehdr ehdr;
	Elf *elf;
	int err;

	err = check_header(ld, &ehdr);
	if (err)
		return err;
	pthread_once(&libelf_once, init_libelf);
	if (!libelf_usable)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE, "libelf is unusable: %s",
				     elf_errmsg(-1));
	/* libelf only reads the image (ELF_C_READ_MMAP semantics). */
	elf = elf_memory((char *)ld->image, ld->size);
	if (!elf)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_NOWHERE, "libelf cannot read it: %s",
				     elf_errmsg(-1));
	err = read_section_headers(ld, elf, &ehdr);
	err = err ? err : name_sections(ld, elf);
	elf_end(elf);
	err = err ? err : check_overlaps(ld, &ehdr);
	err = err ? err : classify_sections(ld);
	err = err ? err : read_symbols(ld);
	err = err ? err : decode_code(ld);
	err = err ? err : read_license_version(ld);
	return err;
}
