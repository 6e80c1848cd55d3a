/* SPDX-License-Identifier: MIT */
/* Helpers of the loader tests (see loader_test.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loader_test.h"

void lt_read_object(const char *name, struct lt_file *f)
{
	char path[1024];
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", XBPF_BPF_OBJECT_DIR, name);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	f->size = (size_t)n;
	f->data = malloc(f->size);
	assert_non_null(f->data);
	assert_int_equal(fread(f->data, 1, f->size, fp), f->size);
	fclose(fp);
}

void lt_free(struct lt_file *f)
{
	free(f->data);
	f->data = NULL;
}

int lt_parse(const void *data, size_t size, struct xbpf_elf_obj **obj, char *log, size_t log_size)
{
	struct xbpf_log_buf buf = {.buf = log, .size = log_size};
	struct xbpf_diag diag = {.log = &buf, .level = XBPF_LOG_DEBUG};

	log[0] = '\0';
	return xbpf_elf_parse(data, size, "test.o", obj, &diag);
}

struct xbpf_elf_obj *lt_parse_object(const char *name)
{
	struct xbpf_elf_obj *obj = NULL;
	struct lt_file f;
	char log[4096];
	int err;

	lt_read_object(name, &f);
	err = lt_parse(f.data, f.size, &obj, log, sizeof(log));
	lt_free(&f);
	if (err)
		fail_msg("parsing %s failed (%d): %s", name, err, log);
	return obj;
}

void lt_expect_error(const struct lt_file *f, int err, ...)
{
	struct xbpf_elf_obj *obj = (struct xbpf_elf_obj *)0x1;
	char log[4096];
	const char *want;
	va_list ap;
	int got = lt_parse(f->data, f->size, &obj, log, sizeof(log));

	if (got != err)
		fail_msg("expected %d, got %d: %s", err, got, log);
	assert_null(obj);
	va_start(ap, err);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (!strstr(log, want))
			fail_msg("message lacks \"%s\": %s", want, log);
	}
	va_end(ap);
}

Elf64_Ehdr *lt_ehdr(const struct lt_file *f)
{
	return (Elf64_Ehdr *)f->data;
}

Elf64_Shdr *lt_shdr(const struct lt_file *f, size_t index)
{
	Elf64_Ehdr *eh = lt_ehdr(f);

	assert_true(index < eh->e_shnum);
	return (Elf64_Shdr *)(f->data + eh->e_shoff) + index;
}

Elf64_Shdr *lt_section(const struct lt_file *f, const char *name, size_t *index)
{
	Elf64_Ehdr *eh = lt_ehdr(f);
	const char *names = (const char *)f->data + lt_shdr(f, eh->e_shstrndx)->sh_offset;
	size_t i;

	for (i = 1; i < eh->e_shnum; i++) {
		if (strcmp(names + lt_shdr(f, i)->sh_name, name) == 0) {
			if (index)
				*index = i;
			return lt_shdr(f, i);
		}
	}
	fail_msg("no section %s", name);
	return NULL;
}

Elf64_Sym *lt_symbol(const struct lt_file *f, const char *name)
{
	Elf64_Ehdr *eh = lt_ehdr(f);
	size_t i, j;

	for (i = 1; i < eh->e_shnum; i++) {
		Elf64_Shdr *sh = lt_shdr(f, i);
		Elf64_Sym *syms = (Elf64_Sym *)(f->data + sh->sh_offset);
		const char *strs;

		if (sh->sh_type != SHT_SYMTAB)
			continue;
		strs = (const char *)f->data + lt_shdr(f, sh->sh_link)->sh_offset;
		for (j = 0; j < sh->sh_size / sizeof(*syms); j++) {
			if (strcmp(strs + syms[j].st_name, name) == 0)
				return &syms[j];
		}
	}
	fail_msg("no symbol %s", name);
	return NULL;
}

Elf64_Rel *lt_rel(const struct lt_file *f, const char *target, size_t i, size_t *count)
{
	Elf64_Ehdr *eh = lt_ehdr(f);
	size_t t, r;

	lt_section(f, target, &t);
	for (r = 1; r < eh->e_shnum; r++) {
		Elf64_Shdr *sh = lt_shdr(f, r);

		if (sh->sh_type != SHT_REL || sh->sh_info != t)
			continue;
		if (count)
			*count = sh->sh_size / sizeof(Elf64_Rel);
		assert_true(i < sh->sh_size / sizeof(Elf64_Rel));
		return (Elf64_Rel *)(f->data + sh->sh_offset) + i;
	}
	fail_msg("no relocations for %s", target);
	return NULL;
}

const struct xbpf_elf_prog *lt_prog(const struct xbpf_elf_obj *obj, const char *name)
{
	int i = xbpf_elf_find_prog(obj, name);

	if (i < 0)
		fail_msg("no program %s", name);
	return &obj->progs[i];
}

int lt_map_index(const struct xbpf_elf_obj *obj, const char *name)
{
	int i = xbpf_elf_find_map(obj, name);

	if (i < 0)
		fail_msg("no map %s", name);
	return i;
}

const struct xbpf_elf_map *lt_map(const struct xbpf_elf_obj *obj, const char *name)
{
	return &obj->maps[lt_map_index(obj, name)];
}

const struct xbpf_elf_func *lt_func_starting(const struct xbpf_elf_prog *prog, size_t start)
{
	size_t i;

	for (i = 0; i < prog->n_funcs; i++) {
		if (prog->funcs[i].start == start)
			return &prog->funcs[i];
	}
	return NULL;
}

const struct xbpf_elf_func *lt_func_named(const struct xbpf_elf_prog *prog, const char *name)
{
	size_t i;

	for (i = 0; i < prog->n_funcs; i++) {
		if (strcmp(prog->funcs[i].name, name) == 0)
			return &prog->funcs[i];
	}
	fail_msg("program %s has no function %s", prog->name, name);
	return NULL;
}
