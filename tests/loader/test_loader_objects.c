/* SPDX-License-Identifier: MIT */
/* The loader's IR for objects compiled by clang from tests/progs: programs,
 * subprograms and their layout, relocations, imports, maps, global data and
 * line info. Expectations that depend on the compiler's output (function
 * sizes, instruction bytes, source lines) are read back from the ELF file and
 * the source itself rather than written down. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "isa/insn.h"
#include "loader_test.h"

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int setup_multi(void **state)
{
	*state = lt_parse_object("loader_multi");
	return 0;
}

static int setup_maps(void **state)
{
	*state = lt_parse_object("loader_maps");
	return 0;
}

static int teardown(void **state)
{
	xbpf_elf_obj_free(*state);
	return 0;
}

/* Number of instructions of the ELF function symbol name. */
static uint32_t elf_func_insns(const char *object, const char *name)
{
	struct lt_file f;
	uint32_t n;

	lt_read_object(object, &f);
	n = (uint32_t)(lt_symbol(&f, name)->st_size / 8);
	lt_free(&f);
	return n;
}

/* The relocation of prog at insn, NULL if none. */
static const struct xbpf_elf_reloc *reloc_at(const struct xbpf_elf_prog *prog, size_t insn)
{
	size_t i;

	for (i = 0; i < prog->n_relocs; i++) {
		if (prog->relocs[i].insn == insn)
			return &prog->relocs[i];
	}
	return NULL;
}

/* Counts prog's relocations of a kind whose target is target. */
static size_t count_relocs(const struct xbpf_elf_prog *prog, enum xbpf_elf_reloc_kind kind,
			   uint32_t target)
{
	size_t i, n = 0;

	for (i = 0; i < prog->n_relocs; i++)
		n += prog->relocs[i].kind == kind && prog->relocs[i].target == target;
	return n;
}

/* Checks what every linked program must satisfy, whatever the object. */
static void check_prog_invariants(const struct xbpf_elf_obj *obj, const struct xbpf_elf_prog *prog)
{
	size_t i, next = 0;

	assert_true(prog->n_funcs >= 1);
	assert_string_equal(prog->funcs[0].name, prog->name);
	for (i = 0; i < prog->n_funcs; i++) {
		assert_int_equal(prog->funcs[i].start, next);
		next += prog->funcs[i].count;
	}
	assert_int_equal(next, prog->n_insns);
	for (i = 0; i < prog->n_relocs; i++) {
		const struct xbpf_elf_reloc *r = &prog->relocs[i];
		const struct xbpf_insn *insn = &prog->insns[r->insn];

		assert_true(r->insn < prog->n_insns);
		if (i > 0)
			assert_true(r->insn > prog->relocs[i - 1].insn);
		switch (r->kind) {
		case XBPF_ELF_RELOC_MAP:
			assert_int_equal(insn->opcode, XBPF_OP_LDDW);
			assert_int_equal(insn->src, XBPF_PSEUDO_MAP_IDX);
			assert_int_equal(insn->imm, r->target);
			assert_true(r->target < obj->n_maps);
			break;
		case XBPF_ELF_RELOC_MAP_VALUE:
			assert_int_equal(insn->opcode, XBPF_OP_LDDW);
			assert_int_equal(insn->src, XBPF_PSEUDO_MAP_IDX_VALUE);
			assert_int_equal(insn->imm, r->target);
			assert_int_equal(insn[1].imm, r->offset);
			assert_true(r->offset < obj->maps[r->target].value_size);
			break;
		case XBPF_ELF_RELOC_CALLBACK:
			assert_int_equal(insn->opcode, XBPF_OP_LDDW);
			assert_int_equal(insn->src, XBPF_PSEUDO_FUNC);
			assert_int_equal(xbpf_jump_target(insn, r->insn), r->target);
			assert_non_null(lt_func_starting(prog, r->target));
			break;
		case XBPF_ELF_RELOC_IMPORT_CALL:
			assert_int_equal(insn->opcode, XBPF_OP_CALL);
			assert_int_equal(insn->src, XBPF_CALL_KFUNC);
			assert_int_equal(insn->imm, r->target);
			assert_true(r->target < obj->n_imports);
			break;
		case XBPF_ELF_RELOC_IMPORT_ADDR:
			assert_int_equal(insn->opcode, XBPF_OP_LDDW);
			assert_int_equal(insn->src, XBPF_PSEUDO_BTF_ID);
			assert_int_equal(insn->imm, r->target);
			assert_true(r->target < obj->n_imports);
			break;
		default:
			fail_msg("unknown relocation kind %d", r->kind);
		}
	}
	/* Every local call lands on the start of a placed function. */
	for (i = 0; i < prog->n_insns; i++) {
		const struct xbpf_insn *insn = &prog->insns[i];

		if (insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_LOCAL)
			assert_non_null(lt_func_starting(prog, (size_t)xbpf_jump_target(insn, i)));
	}
	for (i = 1; i < prog->n_lines; i++)
		assert_true(prog->lines[i].insn >= prog->lines[i - 1].insn);
}

static void test_multi_programs(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_prog *first = lt_prog(obj, "xdp_first");
	const struct xbpf_elf_prog *second = lt_prog(obj, "xdp_second");
	size_t i;

	assert_int_equal(obj->n_progs, 4);
	assert_string_equal(first->section, "xdp");
	assert_string_equal(second->section, "xdp");
	assert_string_equal(lt_prog(obj, "tc_main")->section, "tc");
	assert_string_equal(lt_prog(obj, "sock_literal")->section, "socket");
	/* Two programs of one section, cut by their symbols. */
	assert_int_equal(first->sec_insn, 0);
	assert_int_equal(second->sec_insn, elf_func_insns("loader_multi", "xdp_first"));
	assert_int_equal(first->funcs[0].count, elf_func_insns("loader_multi", "xdp_first"));
	assert_int_equal(second->funcs[0].count, elf_func_insns("loader_multi", "xdp_second"));
	/* Subprograms are never entry programs. */
	assert_int_equal(xbpf_elf_find_prog(obj, "global_sub"), -ENOENT);
	assert_int_equal(xbpf_elf_find_prog(obj, "tc_local"), -ENOENT);
	for (i = 0; i < obj->n_progs; i++)
		check_prog_invariants(obj, &obj->progs[i]);
	assert_string_equal(obj->license, "Dual MIT/GPL");
	assert_true(obj->has_kern_version);
	assert_int_equal(obj->kern_version, 0x050a00);
	assert_non_null(obj->btf);
}

/* The call at the first local call instruction of function `from` of prog
 * must reach function `to`. */
static void assert_calls(const struct xbpf_elf_prog *prog, const char *from, const char *to)
{
	const struct xbpf_elf_func *f = lt_func_named(prog, from);
	size_t i;

	for (i = f->start; i < f->start + f->count; i++) {
		const struct xbpf_insn *insn = &prog->insns[i];

		if (insn->opcode == XBPF_OP_CALL && insn->src == XBPF_CALL_LOCAL) {
			assert_ptr_equal(lt_func_starting(prog, (size_t)xbpf_jump_target(insn, i)),
					 lt_func_named(prog, to));
			return;
		}
	}
	fail_msg("%s has no local call", from);
}

static void test_multi_subprograms(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_prog *first = lt_prog(obj, "xdp_first");
	const struct xbpf_elf_prog *tc = lt_prog(obj, "tc_main");
	static const char *const order[] = {"xdp_first", "global_sub", "middle", "leaf"};
	struct lt_file f;
	Elf64_Shdr *text;
	size_t i, j;

	/* Nested calls: each subprogram placed once, in the order reached. */
	assert_int_equal(first->n_funcs, 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(first->funcs[i].name, order[i]);
		assert_int_equal(first->funcs[i].count, elf_func_insns("loader_multi", order[i]));
	}
	assert_string_equal(first->funcs[1].section, ".text");
	assert_calls(first, "xdp_first", "global_sub");
	assert_calls(first, "global_sub", "middle");
	assert_calls(first, "middle", "leaf");

	/* A static function inside the program's own section. */
	assert_int_equal(tc->n_funcs, 2);
	assert_string_equal(tc->funcs[1].name, "tc_local");
	assert_string_equal(tc->funcs[1].section, "tc");
	assert_calls(tc, "tc_main", "tc_local");

	/* The code of a subprogram is copied unchanged but for relocations. */
	lt_read_object("loader_multi", &f);
	text = lt_section(&f, ".text", NULL);
	for (i = 1; i < first->n_funcs; i++) {
		const struct xbpf_elf_func *fn = &first->funcs[i];

		for (j = 0; j < fn->count; j++) {
			const uint8_t *raw = f.data + text->sh_offset + (fn->sec_insn + j) * 8;
			const struct xbpf_insn *insn = &first->insns[fn->start + j];

			assert_int_equal(insn->opcode, raw[0]);
			assert_int_equal(insn->dst, raw[1] & 0xf);
			if (!reloc_at(first, fn->start + j) && insn->opcode != XBPF_OP_CALL &&
			    (j == 0 || first->insns[fn->start + j - 1].opcode != XBPF_OP_LDDW))
				assert_memory_equal(insn, raw, 8);
		}
	}
	lt_free(&f);

	/* BTF func info carried over to every placed function. */
	for (i = 0; i < first->n_funcs; i++) {
		const struct btf_type *t = btf__type_by_id(obj->btf, first->funcs[i].btf_func_id);

		assert_non_null(t);
		assert_true(btf_is_func(t));
		assert_string_equal(btf__name_by_offset(obj->btf, t->name_off), first->funcs[i].name);
	}
}

static void test_multi_callback(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_prog *second = lt_prog(obj, "xdp_second");
	const struct xbpf_elf_func *cb = lt_func_named(second, "count_cb");
	size_t i, found = 0;

	for (i = 0; i < second->n_relocs; i++) {
		const struct xbpf_elf_reloc *r = &second->relocs[i];

		if (r->kind != XBPF_ELF_RELOC_CALLBACK)
			continue;
		found++;
		assert_int_equal(r->target, cb->start);
		assert_int_equal(second->insns[r->insn].imm, (int32_t)cb->start - (int32_t)r->insn - 1);
	}
	assert_int_equal(found, 1);
	/* The callback is reached only through its reference. */
	assert_int_equal(second->n_funcs, 2);
}

static void test_multi_global_data_relocs(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_prog *first = lt_prog(obj, "xdp_first");
	const struct xbpf_elf_prog *second = lt_prog(obj, "xdp_second");
	const struct xbpf_elf_prog *sock = lt_prog(obj, "sock_literal");
	uint32_t counts = (uint32_t)lt_map_index(obj, "counts");
	uint32_t data = (uint32_t)lt_map_index(obj, ".data");
	uint32_t rodata = (uint32_t)lt_map_index(obj, ".rodata");
	uint32_t bss = (uint32_t)lt_map_index(obj, ".bss");
	uint32_t str = (uint32_t)lt_map_index(obj, ".rodata.str1.1");
	const struct xbpf_elf_map *bss_map = &obj->maps[bss];
	size_t i, seen_found = 0, bumps_found = 0;

	assert_int_equal(count_relocs(second, XBPF_ELF_RELOC_MAP, counts), 1);
	/* middle() reads answer (.data), leaf() reads limit (.rodata). */
	assert_int_equal(count_relocs(first, XBPF_ELF_RELOC_MAP_VALUE, data), 1);
	assert_int_equal(count_relocs(first, XBPF_ELF_RELOC_MAP_VALUE, rodata), 1);
	/* seen[2] = hits: the address of seen (the element is the store's
	 * offset); bumps++: a static reached through the section symbol, whose
	 * offset is the lddw's immediate. */
	assert_int_equal(bss_map->n_vars, 2);
	assert_string_equal(bss_map->vars[1].name, "seen");
	assert_string_equal(obj->maps[data].vars[1].name, "bumps");
	for (i = 0; i < second->n_relocs; i++) {
		const struct xbpf_elf_reloc *r = &second->relocs[i];

		if (r->kind != XBPF_ELF_RELOC_MAP_VALUE)
			continue;
		seen_found += r->target == bss && r->offset == bss_map->vars[1].offset;
		bumps_found += r->target == data && r->offset == obj->maps[data].vars[1].offset;
	}
	assert_int_equal(seen_found, 1);
	assert_int_equal(bumps_found, 1);
	assert_int_equal(obj->maps[data].vars[1].offset, 4);
	/* A string literal lives in its own read-only section. */
	assert_int_equal(count_relocs(sock, XBPF_ELF_RELOC_MAP_VALUE, str), 1);
	assert_non_null(obj->maps[str].data);
	assert_memory_equal(obj->maps[str].data, "literal text", sizeof("literal text"));
}

static void test_multi_data_maps(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_map *data = lt_map(obj, ".data");
	const struct xbpf_elf_map *rodata = lt_map(obj, ".rodata");
	const struct xbpf_elf_map *bss = lt_map(obj, ".bss");
	const struct xbpf_elf_map *str = lt_map(obj, ".rodata.str1.1");
	const uint8_t forty_two[4] = {42, 0, 0, 0}, seven[4] = {7, 0, 0, 0};
	const struct btf_type *t;

	assert_int_equal(data->kind, XBPF_ELF_MAP_DATA);
	assert_int_equal(data->type, XBPF_MAP_TYPE_ARRAY);
	assert_int_equal(data->key_size, 4);
	assert_int_equal(data->value_size, 8);
	assert_int_equal(data->max_entries, 1);
	assert_int_equal(data->map_flags, 0);
	assert_false(data->frozen);
	assert_memory_equal(data->data, forty_two, 4);

	assert_int_equal(rodata->kind, XBPF_ELF_MAP_RODATA);
	assert_int_equal(rodata->map_flags, XBPF_F_RDONLY_PROG);
	assert_true(rodata->frozen);
	assert_memory_equal(rodata->data, seven, 4);
	assert_int_equal(str->kind, XBPF_ELF_MAP_RODATA);
	assert_true(str->frozen);

	assert_int_equal(bss->kind, XBPF_ELF_MAP_BSS);
	assert_null(bss->data);
	assert_int_equal(bss->value_size, 8 + 4 * 8);
	assert_string_equal(bss->vars[0].name, "hits");
	assert_int_equal(bss->vars[0].size, 8);
	assert_int_equal(bss->vars[1].size, 32);

	/* BTF: the DATASEC of the section, the types of its variables. */
	t = btf__type_by_id(obj->btf, data->btf_value_type_id);
	assert_non_null(t);
	assert_true(btf_is_datasec(t));
	assert_string_equal(btf__name_by_offset(obj->btf, t->name_off), ".data");
	assert_int_equal(data->n_vars, 2);
	assert_string_equal(data->vars[0].name, "answer");
	t = btf__type_by_id(obj->btf, data->vars[0].btf_type_id);
	assert_true(btf_is_int(t));
}

static void test_multi_imports(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_prog *first = lt_prog(obj, "xdp_first");
	const struct xbpf_elf_prog *second = lt_prog(obj, "xdp_second");
	const struct xbpf_elf_prog *tc = lt_prog(obj, "tc_main");
	static const char *const names[] = {"xbpf_test_plain", "xbpf_test_weak", "xbpf_test_tagged"};
	uint32_t idx[3];
	size_t i, j;

	assert_int_equal(obj->n_imports, 3);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < obj->n_imports; j++) {
			if (strcmp(obj->imports[j].name, names[i]) == 0)
				idx[i] = (uint32_t)j;
		}
	}
	for (i = 0; i < 3; i++) {
		const struct xbpf_elf_import *imp = &obj->imports[idx[i]];
		const struct btf_type *func = btf__type_by_id(obj->btf, imp->btf_func_id);
		const struct btf_type *proto = btf__type_by_id(obj->btf, imp->btf_proto_id);

		assert_string_equal(imp->name, names[i]);
		assert_true(btf_is_func(func));
		assert_string_equal(btf__name_by_offset(obj->btf, func->name_off), names[i]);
		assert_int_equal(func->type, imp->btf_proto_id);
		assert_true(btf_is_func_proto(proto));
		assert_int_equal(btf_vlen(proto), 1);
	}
	assert_false(obj->imports[idx[0]].weak);
	assert_true(obj->imports[idx[1]].weak);
	assert_false(obj->imports[idx[2]].weak);
	assert_int_equal(obj->imports[idx[0]].n_decl_tags, 0);
	assert_int_equal(obj->imports[idx[2]].n_decl_tags, 1);
	assert_string_equal(obj->imports[idx[2]].decl_tags[0], "xbpf:provider=sample");

	assert_int_equal(count_relocs(first, XBPF_ELF_RELOC_IMPORT_CALL, idx[0]), 1);
	/* `xbpf_test_weak ? xbpf_test_weak(2) : ...`: an address test, then a call. */
	assert_int_equal(count_relocs(second, XBPF_ELF_RELOC_IMPORT_ADDR, idx[1]), 1);
	assert_int_equal(count_relocs(second, XBPF_ELF_RELOC_IMPORT_CALL, idx[1]), 1);
	assert_int_equal(count_relocs(tc, XBPF_ELF_RELOC_IMPORT_CALL, idx[2]), 1);
}

/* Line n (from 1) of the file at path, without its newline, in buf. */
static bool read_line(const char *path, uint32_t n, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	uint32_t i;
	bool ok = fp != NULL;

	for (i = 1; ok && i <= n; i++)
		ok = fgets(buf, (int)size, fp) != NULL;
	if (fp)
		fclose(fp);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static void test_multi_line_info(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_prog *first = lt_prog(obj, "xdp_first");
	const struct xbpf_elf_func *leaf = lt_func_named(first, "leaf");
	const struct xbpf_elf_reloc *call = NULL;
	char text[256], line[512];
	size_t i, p;

	/* Every line info names the line of the source that holds its text. */
	for (p = 0; p < obj->n_progs; p++) {
		const struct xbpf_elf_prog *prog = &obj->progs[p];

		assert_true(prog->n_lines > 0);
		for (i = 0; i < prog->n_lines; i++) {
			if (prog->lines[i].line == 0)
				continue; /* compiler-made code */
			assert_true(read_line(prog->lines[i].file, prog->lines[i].line, line,
					      sizeof(line)));
			assert_string_equal(line, prog->lines[i].text);
		}
	}
	/* The named helper call is on the program's return line. */
	for (i = 0; i < first->n_relocs; i++) {
		if (first->relocs[i].kind == XBPF_ELF_RELOC_IMPORT_CALL)
			call = &first->relocs[i];
	}
	assert_non_null(call);
	assert_true(xbpf_elf_prog_source(first, call->insn, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "loader_multi.bpf.c:"));
	assert_non_null(strstr(text, ": return global_sub(ctx->ingress_ifindex) + xbpf_test_plain(1);"));
	/* An instruction of a subprogram names the subprogram's source. */
	assert_true(xbpf_elf_prog_source(first, leaf->start + leaf->count - 1, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "return x * (int)limit;"));
	/* Cut to the buffer, but the full length is returned. */
	assert_true(xbpf_elf_prog_source(first, leaf->start + leaf->count - 1, text, 8) > 8);
	assert_int_equal(strlen(text), 7);
	assert_int_equal(xbpf_elf_prog_source(first, first->n_insns, text, sizeof(text)), -ENOENT);
	assert_null(xbpf_elf_prog_line(first, first->n_insns));
}

static void test_maps_definitions(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_map *flows = lt_map(obj, "flows");
	const struct xbpf_elf_map *sized = lt_map(obj, "sized");
	const struct xbpf_elf_map *percpu = lt_map(obj, "percpu");
	const struct xbpf_elf_map *pinned = lt_map(obj, "pinned");
	const struct xbpf_elf_map *events = lt_map(obj, "events");
	const struct xbpf_elf_map *bloom = lt_map(obj, "bloom");
	const struct btf_type *t;

	assert_int_equal(flows->kind, XBPF_ELF_MAP_BTF);
	assert_string_equal(flows->section, ".maps");
	assert_int_equal(flows->type, XBPF_MAP_TYPE_HASH);
	assert_int_equal(flows->key_size, 8); /* struct flow_key, padded */
	assert_int_equal(flows->value_size, 16);
	assert_int_equal(flows->max_entries, 1024);
	assert_int_equal(flows->map_flags, XBPF_F_NO_PREALLOC);
	assert_int_equal(flows->pinning, XBPF_ELF_PIN_NONE);
	t = btf__type_by_id(obj->btf, flows->btf_key_type_id);
	assert_true(btf_is_struct(t));
	assert_string_equal(btf__name_by_offset(obj->btf, t->name_off), "flow_key");
	t = btf__type_by_id(obj->btf, flows->btf_value_type_id);
	assert_string_equal(btf__name_by_offset(obj->btf, t->name_off), "flow_stats");
	t = btf__type_by_id(obj->btf, flows->btf_var_id);
	assert_true(btf_is_var(t));
	assert_string_equal(btf__name_by_offset(obj->btf, t->name_off), "flows");

	assert_int_equal(sized->type, XBPF_MAP_TYPE_ARRAY);
	assert_int_equal(sized->key_size, 4);
	assert_int_equal(sized->value_size, 24);
	assert_int_equal(sized->numa_node, 1);
	assert_int_equal(sized->btf_key_type_id, 0);
	assert_int_equal(sized->btf_value_type_id, 0);

	assert_int_equal(percpu->type, XBPF_MAP_TYPE_PERCPU_ARRAY);
	assert_int_equal(percpu->value_size, 8);
	assert_int_equal(pinned->type, XBPF_MAP_TYPE_LRU_HASH);
	assert_int_equal(pinned->pinning, XBPF_ELF_PIN_BY_NAME);
	assert_int_equal(events->type, XBPF_MAP_TYPE_RINGBUF);
	assert_int_equal(events->max_entries, 4096);
	assert_int_equal(events->key_size, 0);
	assert_int_equal(events->value_size, 0);
	assert_int_equal(bloom->type, XBPF_MAP_TYPE_BLOOM_FILTER);
	assert_int_equal(bloom->map_extra, 3);
	assert_int_equal(bloom->key_size, 0);
	assert_int_equal(bloom->value_size, 4);
	assert_null(flows->inner);
	assert_int_equal(flows->n_slots, 0);
	assert_int_equal(xbpf_elf_find_map(obj, "nothing"), -ENOENT);
}

static void test_maps_inner_and_slots(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_map *outer = lt_map(obj, "outer_array");
	const struct xbpf_elf_map *outer_hash = lt_map(obj, "outer_hash");
	const struct xbpf_elf_map *jumps = lt_map(obj, "jumps");

	assert_int_equal(outer->type, XBPF_MAP_TYPE_ARRAY_OF_MAPS);
	assert_int_equal(outer->key_size, 4);
	assert_int_equal(outer->value_size, 4);
	assert_non_null(outer->inner);
	assert_string_equal(outer->inner->name, "outer_array.inner");
	assert_int_equal(outer->inner->type, XBPF_MAP_TYPE_ARRAY);
	assert_int_equal(outer->inner->max_entries, 8);
	assert_int_equal(outer->inner->key_size, 4);
	assert_int_equal(outer->inner->value_size, 4);
	assert_int_equal(outer->n_slots, 2);
	assert_int_equal(outer->slots[0].slot, 0);
	assert_int_equal(outer->slots[0].target, lt_map_index(obj, "inner_a"));
	assert_int_equal(outer->slots[1].slot, 2);
	assert_int_equal(outer->slots[1].target, lt_map_index(obj, "inner_b"));

	assert_int_equal(outer_hash->type, XBPF_MAP_TYPE_HASH_OF_MAPS);
	assert_int_equal(outer_hash->inner->type, XBPF_MAP_TYPE_HASH);
	assert_int_equal(outer_hash->inner->value_size, 8);
	assert_int_equal(outer_hash->n_slots, 1);
	assert_int_equal(outer_hash->slots[0].slot, 1);
	assert_int_equal(outer_hash->slots[0].target, lt_map_index(obj, "inner_h"));

	assert_int_equal(jumps->type, XBPF_MAP_TYPE_PROG_ARRAY);
	assert_int_equal(jumps->value_size, 4);
	assert_null(jumps->inner);
	assert_int_equal(jumps->n_slots, 2);
	assert_int_equal(jumps->slots[0].slot, 0);
	assert_int_equal(jumps->slots[0].target, xbpf_elf_find_prog(obj, "tail_one"));
	assert_int_equal(jumps->slots[1].slot, 3);
	assert_int_equal(jumps->slots[1].target, xbpf_elf_find_prog(obj, "tail_two"));
}

static void test_maps_references(void **state)
{
	const struct xbpf_elf_obj *obj = *state;
	const struct xbpf_elf_prog *dispatch = lt_prog(obj, "dispatch");

	check_prog_invariants(obj, dispatch);
	assert_int_equal(count_relocs(dispatch, XBPF_ELF_RELOC_MAP, (uint32_t)lt_map_index(obj, "flows")), 1);
	assert_int_equal(count_relocs(dispatch, XBPF_ELF_RELOC_MAP, (uint32_t)lt_map_index(obj, "jumps")), 1);
	assert_int_equal(count_relocs(dispatch, XBPF_ELF_RELOC_MAP,
				      (uint32_t)lt_map_index(obj, "outer_array")),
			 1);
	/* A static map is referenced through its own symbol too. */
	assert_int_equal(count_relocs(dispatch, XBPF_ELF_RELOC_MAP, (uint32_t)lt_map_index(obj, "hidden")), 1);
}

static void check_legacy(const char *object)
{
	struct xbpf_elf_obj *obj = lt_parse_object(object);
	const struct xbpf_elf_map *hash = lt_map(obj, "old_hash");
	const struct xbpf_elf_map *array = lt_map(obj, "old_array");
	const struct xbpf_elf_prog *prog = lt_prog(obj, "legacy_prog");

	assert_int_equal(hash->kind, XBPF_ELF_MAP_LEGACY);
	assert_string_equal(hash->section, "maps");
	assert_int_equal(hash->type, XBPF_MAP_TYPE_HASH);
	assert_int_equal(hash->key_size, 4);
	assert_int_equal(hash->value_size, 8);
	assert_int_equal(hash->max_entries, 128);
	assert_int_equal(hash->map_flags, XBPF_F_NO_PREALLOC);
	assert_int_equal(array->type, XBPF_MAP_TYPE_ARRAY);
	assert_int_equal(array->value_size, 16);
	assert_int_equal(array->max_entries, 2);
	check_prog_invariants(obj, prog);
	assert_int_equal(count_relocs(prog, XBPF_ELF_RELOC_MAP, (uint32_t)lt_map_index(obj, "old_hash")), 1);
	assert_int_equal(count_relocs(prog, XBPF_ELF_RELOC_MAP, (uint32_t)lt_map_index(obj, "old_array")), 1);
	xbpf_elf_obj_free(obj);
}

static void test_legacy_maps(void **state)
{
	struct lt_file f;

	check_legacy("loader_legacy");
	/* A longer definition is accepted while its extra fields are zero. */
	check_legacy("loader_legacy_long");
	lt_read_object("loader_legacy_extra", &f);
	lt_expect_error(&f, -EOPNOTSUPP, "section 'maps': map 'old_array'",
			"beyond struct bpf_map_def and not zero", NULL);
	lt_free(&f);
}

static void test_without_btf(void **state)
{
	struct xbpf_elf_obj *obj = lt_parse_object("loader_legacy_nobtf");
	const struct xbpf_elf_prog *prog = lt_prog(obj, "legacy_prog");
	struct lt_file f;
	char text[64];

	/* Legacy maps need no BTF; there is no line info to show. */
	assert_null(obj->btf);
	assert_int_equal(obj->n_maps, 2);
	assert_int_equal(prog->n_lines, 0);
	assert_int_equal(prog->funcs[0].btf_func_id, 0);
	assert_int_equal(xbpf_elf_prog_source(prog, 0, text, sizeof(text)), -ENOENT);
	check_prog_invariants(obj, prog);
	xbpf_elf_obj_free(obj);
	/* .maps definitions do. */
	lt_read_object("loader_multi_nobtf", &f);
	lt_expect_error(&f, -EINVAL, "section '.maps': maps defined in '.maps' need the object's BTF",
			NULL);
	lt_free(&f);
}

static void test_diag_sink(void **state)
{
	struct lt_file f;
	struct xbpf_elf_obj *obj = NULL;
	char small[16];
	struct xbpf_log_buf log = {.buf = small, .size = sizeof(small)};
	struct xbpf_diag diag = {.log = &log};

	lt_read_object("loader_use_core", &f);
	/* A log too small for the message is cut and says so. */
	assert_int_equal(xbpf_elf_parse(f.data, f.size, "core.o", &obj, &diag), -EOPNOTSUPP);
	assert_true(log.truncated);
	assert_int_equal(log.len, sizeof(small) - 1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(diag.errors, 1);
	/* No sink at all. */
	assert_int_equal(xbpf_elf_parse(f.data, f.size, NULL, &obj, NULL), -EOPNOTSUPP);
	assert_null(obj);
	lt_free(&f);
}

static int last_level = -1;
static char last_msg[512];

static void record_msg(void *user, enum xbpf_log_level level, const char *msg)
{
	(*(int *)user)++;
	last_level = (int)level;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

static void test_diag_callback(void **state)
{
	static const uint8_t garbage[] = "definitely not an ELF object";
	struct xbpf_elf_obj *obj = NULL;
	int calls = 0;
	struct xbpf_diag diag = {.fn = record_msg, .user = &calls};

	assert_int_equal(xbpf_elf_parse(garbage, sizeof(garbage), "junk.o", &obj, &diag), -EINVAL);
	assert_int_equal(calls, 1);
	assert_int_equal(last_level, XBPF_LOG_ERROR);
	assert_string_equal(last_msg, "junk.o: not an ELF file (bad magic)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_multi_programs, setup_multi, teardown),
		cmocka_unit_test_setup_teardown(test_multi_subprograms, setup_multi, teardown),
		cmocka_unit_test_setup_teardown(test_multi_callback, setup_multi, teardown),
		cmocka_unit_test_setup_teardown(test_multi_global_data_relocs, setup_multi, teardown),
		cmocka_unit_test_setup_teardown(test_multi_data_maps, setup_multi, teardown),
		cmocka_unit_test_setup_teardown(test_multi_imports, setup_multi, teardown),
		cmocka_unit_test_setup_teardown(test_multi_line_info, setup_multi, teardown),
		cmocka_unit_test_setup_teardown(test_maps_definitions, setup_maps, teardown),
		cmocka_unit_test_setup_teardown(test_maps_inner_and_slots, setup_maps, teardown),
		cmocka_unit_test_setup_teardown(test_maps_references, setup_maps, teardown),
		cmocka_unit_test(test_legacy_maps),
		cmocka_unit_test(test_without_btf),
		cmocka_unit_test(test_diag_sink),
		cmocka_unit_test(test_diag_callback),
	};

	libbpf_set_print(silent);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
