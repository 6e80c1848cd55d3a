/* SPDX-License-Identifier: MIT */
/* One input of the loader fuzzers (see fuzz_loader.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_loader.h"
#include "isa/insn.h"
#include "loader/elf_obj.h"

static void broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void broken(const char *fmt, ...)
{
	va_list ap;

	fputs("loader fuzz: broken promise: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Where the bytes of data maps are read to, so that the sanitizers check
 * them. */
static volatile uint8_t data_sink;

/* Reads every byte of a string so that the sanitizers check it. */
static void touch(const char *s)
{
	if (!s)
		broken("NULL string in the IR");
	(void)strlen(s);
}

static const struct xbpf_elf_func *func_holding(const struct xbpf_elf_prog *p, size_t insn)
{
	size_t i;

	for (i = 0; i < p->n_funcs; i++) {
		if (insn - p->funcs[i].start < p->funcs[i].count)
			return &p->funcs[i];
	}
	return NULL;
}

static void check_code(const struct xbpf_elf_prog *p)
{
	size_t i;

	for (i = 0; i < p->n_insns; i++) {
		const struct xbpf_insn *insn = &p->insns[i];
		const struct xbpf_elf_func *f = func_holding(p, i), *t;
		int64_t target = xbpf_jump_target(insn, i);
		char src[128];

		(void)xbpf_elf_prog_source(p, i, src, sizeof(src));
		if (xbpf_insn_is_lddw(insn)) {
			if (i + 1 >= f->start + f->count)
				broken("%s: lddw at %zu without its second half", p->name, i);
			if (insn->src == XBPF_PSEUDO_FUNC &&
			    (target < 0 || (t = func_holding(p, (size_t)target)) == NULL ||
			     t->start != target))
				broken("%s: callback at %zu to %lld", p->name, i, (long long)target);
			i++;
			continue;
		}
		if (XBPF_CLASS(insn->opcode) != XBPF_CLASS_JMP &&
		    XBPF_CLASS(insn->opcode) != XBPF_CLASS_JMP32)
			continue;
		if (insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_LOCAL) {
			t = target >= 0 ? func_holding(p, (size_t)target) : NULL;
			if (!t || t->start != target)
				broken("%s: call at %zu to %lld", p->name, i, (long long)target);
		} else if (XBPF_OP(insn->opcode) != XBPF_JMP_CALL &&
			   XBPF_OP(insn->opcode) != XBPF_JMP_EXIT) {
			if (target < f->start || target >= (int64_t)f->start + f->count)
				broken("%s: jump at %zu leaves its function", p->name, i);
		}
	}
}

static void check_prog(const struct xbpf_elf_obj *obj, const struct xbpf_elf_prog *p)
{
	size_t i, next = 0;

	touch(p->name);
	touch(p->section);
	if (p->n_funcs == 0 || strcmp(p->funcs[0].name, p->name) != 0)
		broken("%s: funcs[0] is not the program", p->name);
	for (i = 0; i < p->n_funcs; i++) {
		touch(p->funcs[i].name);
		touch(p->funcs[i].section);
		if (p->funcs[i].start != next || p->funcs[i].count == 0)
			broken("%s: function %zu is not where the previous ended", p->name, i);
		next += p->funcs[i].count;
	}
	if (next != p->n_insns)
		broken("%s: functions do not cover the program", p->name);
	for (i = 0; i < p->n_relocs; i++) {
		const struct xbpf_elf_reloc *r = &p->relocs[i];
		size_t limit;

		if (r->insn >= p->n_insns || (i > 0 && r->insn <= p->relocs[i - 1].insn))
			broken("%s: relocation %zu at %u is out of order or range", p->name, i, r->insn);
		switch (r->kind) {
		case XBPF_ELF_RELOC_MAP:
		case XBPF_ELF_RELOC_MAP_VALUE:
			limit = obj->n_maps;
			break;
		case XBPF_ELF_RELOC_IMPORT_CALL:
		case XBPF_ELF_RELOC_IMPORT_ADDR:
			limit = obj->n_imports;
			break;
		case XBPF_ELF_RELOC_CALLBACK:
			limit = p->n_insns;
			break;
		default:
			broken("%s: relocation kind %d", p->name, r->kind);
		}
		if (r->target >= limit)
			broken("%s: relocation %zu targets %u of %zu", p->name, i, r->target, limit);
		if (r->kind == XBPF_ELF_RELOC_MAP_VALUE &&
		    r->offset >= obj->maps[r->target].value_size)
			broken("%s: value offset %u out of range", p->name, r->offset);
	}
	for (i = 0; i < p->n_lines; i++) {
		if (p->lines[i].insn >= p->n_insns || (i > 0 && p->lines[i].insn < p->lines[i - 1].insn))
			broken("%s: line %zu out of order or range", p->name, i);
		touch(p->lines[i].file);
		touch(p->lines[i].text);
	}
	check_code(p);
	if (xbpf_elf_find_prog(obj, p->name) < 0)
		broken("%s: not found by name", p->name);
}

static void check_map(const struct xbpf_elf_obj *obj, const struct xbpf_elf_map *m)
{
	size_t i, limit = m->type == XBPF_MAP_TYPE_PROG_ARRAY ? obj->n_progs : obj->n_maps;

	touch(m->name);
	touch(m->section);
	for (i = 0; i < m->n_slots; i++) {
		if (m->slots[i].target >= limit || m->slots[i].slot >= m->max_entries ||
		    (i > 0 && m->slots[i].slot <= m->slots[i - 1].slot))
			broken("map %s: bad slot %zu", m->name, i);
	}
	for (i = 0; i < m->n_vars; i++) {
		touch(m->vars[i].name);
		if (m->vars[i].offset > m->value_size || m->vars[i].size > m->value_size - m->vars[i].offset)
			broken("map %s: variable %s out of the value", m->name, m->vars[i].name);
	}
	for (i = 0; m->data && i < m->value_size; i++)
		data_sink ^= m->data[i];
	if (m->inner)
		check_map(obj, m->inner);
}

int xbpf_fuzz_loader_one(const uint8_t *data, size_t size)
{
	char text[2048];
	struct xbpf_log_buf log = {.buf = text, .size = sizeof(text)};
	struct xbpf_diag diag = {.log = &log};
	struct xbpf_elf_obj *obj = NULL;
	size_t i, j;
	int err = xbpf_elf_parse(data, size, "fuzz.o", &obj, &diag);

	if (err) {
		if (err > 0 || obj || diag.errors == 0 || log.len == 0)
			broken("a refusal (%d) without a message or with an object", err);
		return 1;
	}
	touch(obj->name);
	touch(obj->license);
	for (i = 0; i < obj->n_progs; i++)
		check_prog(obj, &obj->progs[i]);
	for (i = 0; i < obj->n_maps; i++)
		check_map(obj, &obj->maps[i]);
	for (i = 0; i < obj->n_imports; i++) {
		touch(obj->imports[i].name);
		for (j = 0; j < obj->imports[i].n_decl_tags; j++)
			touch(obj->imports[i].decl_tags[j]);
	}
	xbpf_elf_obj_free(obj);
	return 0;
}
