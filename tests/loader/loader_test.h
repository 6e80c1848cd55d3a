/* SPDX-License-Identifier: MIT */
/* Helpers of the loader tests: reading the compiled test objects, parsing
 * them with messages captured, and patching ELF fields of a copy to make
 * malformed objects. */
#ifndef XBPF_TESTS_LOADER_TEST_H
#define XBPF_TESTS_LOADER_TEST_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/elf_obj.h"

struct lt_file {
	uint8_t *data;
	size_t size;
};

/* Reads NAME.bpf.o from the build's test object folder (fails the test if
 * it cannot). */
void lt_read_object(const char *name, struct lt_file *f);
void lt_free(struct lt_file *f);

/* Parses data, returns the result and leaves the messages in log. */
int lt_parse(const void *data, size_t size, struct xbpf_elf_obj **obj, char *log, size_t log_size);
/* Parses a copy of NAME.bpf.o and asserts that it succeeds. */
struct xbpf_elf_obj *lt_parse_object(const char *name);
/* Asserts that parsing f fails with err and a message containing each of
 * the NULL-terminated strings. */
void lt_expect_error(const struct lt_file *f, int err, ...);

/* ELF views of a file (the test objects are little-endian like the host). */
Elf64_Ehdr *lt_ehdr(const struct lt_file *f);
Elf64_Shdr *lt_shdr(const struct lt_file *f, size_t index);
Elf64_Shdr *lt_section(const struct lt_file *f, const char *name, size_t *index);
Elf64_Sym *lt_symbol(const struct lt_file *f, const char *name);
/* Relocation i of the relocation section for section `target`. */
Elf64_Rel *lt_rel(const struct lt_file *f, const char *target, size_t i, size_t *count);

/* IR lookups that fail the test when absent. */
const struct xbpf_elf_prog *lt_prog(const struct xbpf_elf_obj *obj, const char *name);
const struct xbpf_elf_map *lt_map(const struct xbpf_elf_obj *obj, const char *name);
int lt_map_index(const struct xbpf_elf_obj *obj, const char *name);
/* The function of prog placed at instruction start, NULL if none. */
const struct xbpf_elf_func *lt_func_starting(const struct xbpf_elf_prog *prog, size_t start);
const struct xbpf_elf_func *lt_func_named(const struct xbpf_elf_prog *prog, const char *name);

#endif /* XBPF_TESTS_LOADER_TEST_H */
