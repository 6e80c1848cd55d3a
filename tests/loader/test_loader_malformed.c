/* SPDX-License-Identifier: MIT */
/* Objects the loader must refuse, each with a message that says what and
 * where: truncated or damaged ELF, bad indexes and offsets, relocations on
 * the wrong instruction, broken BTF, and features xbpf does not support.
 * Damaged objects are made by patching a copy of a compiled test object.
 * Run under ASan/UBSan, these also check that nothing crashes or leaks. */
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

static int setup(void **state)
{
	struct lt_file *f = malloc(sizeof(*f));

	lt_read_object("loader_multi", f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	lt_free(*state);
	free(*state);
	return 0;
}

static void test_truncated(void **state)
{
	const struct lt_file *f = *state;
	struct xbpf_elf_obj *obj;
	char log[1024];
	size_t len;

	/* Every length up to 1 KiB, then a spread of lengths to the end. */
	for (len = 0; len < f->size; len += len < 1024 ? 1 : 13) {
		int err = lt_parse(f->data, len, &obj, log, sizeof(log));

		if (err != -EINVAL)
			fail_msg("length %zu: %d (%s)", len, err, log);
		assert_null(obj);
		assert_true(strncmp(log, "test.o: ", 8) == 0);
	}
	assert_int_equal(lt_parse(f->data, f->size, &obj, log, sizeof(log)), 0);
	xbpf_elf_obj_free(obj);
}

static void test_header(void **state)
{
	struct lt_file *f = *state;
	Elf64_Ehdr *eh = lt_ehdr(f), saved = *eh;

	eh->e_ident[EI_CLASS] = ELFCLASS32;
	lt_expect_error(f, -EINVAL, "test.o: ELF class 1 is not ELFCLASS64", NULL);
	*eh = saved;
	eh->e_ident[EI_DATA] = ELFDATA2MSB;
	lt_expect_error(f, -EINVAL, "not little-endian", NULL);
	*eh = saved;
	eh->e_machine = EM_X86_64;
	lt_expect_error(f, -EINVAL, "ELF machine 62 is not BPF (EM_BPF = 247)", NULL);
	*eh = saved;
	eh->e_type = ET_EXEC;
	lt_expect_error(f, -EINVAL, "ELF type 2 is not a relocatable object", NULL);
	*eh = saved;
	eh->e_ident[EI_MAG1] = 'X';
	lt_expect_error(f, -EINVAL, "not an ELF file", NULL);
	*eh = saved;
	eh->e_shoff = f->size - 64;
	lt_expect_error(f, -EINVAL, "test.o: section header table (", "lies outside the file", NULL);
	*eh = saved;
	eh->e_shstrndx = 999;
	lt_expect_error(f, -EINVAL, "test.o: section name table index 999 is out of range", NULL);
	*eh = saved;
	eh->e_shentsize = 10;
	lt_expect_error(f, -EINVAL, "test.o: section header size 10 is not 64", NULL);
	*eh = saved;
}

static void test_section_bounds(void **state)
{
	struct lt_file *f = *state;
	Elf64_Shdr *xdp = lt_section(f, "xdp", NULL), *data = lt_section(f, ".data", NULL);
	Elf64_Shdr saved_xdp = *xdp, saved_data = *data;

	xdp->sh_offset = f->size - 8;
	lt_expect_error(f, -EINVAL, "lies outside the file", NULL);
	*xdp = saved_xdp;
	xdp->sh_size = UINT64_MAX - 4;
	lt_expect_error(f, -EINVAL, "lies outside the file", NULL);
	*xdp = saved_xdp;
	data->sh_offset = xdp->sh_offset + 8;
	lt_expect_error(f, -EINVAL, "overlaps", NULL);
	*data = saved_data;
	xdp->sh_size -= 4;
	lt_expect_error(f, -EINVAL, "section 'xdp': code size", "is not a multiple of 8", NULL);
	*xdp = saved_xdp;
}

static void test_duplicate_section_name(void **state)
{
	struct lt_file *f = *state;
	Elf64_Shdr *tc = lt_section(f, "tc", NULL), saved = *tc;

	tc->sh_name = lt_section(f, "xdp", NULL)->sh_name;
	lt_expect_error(f, -EINVAL, "has the same name", NULL);
	*tc = saved;
}

static void test_bad_indexes(void **state)
{
	struct lt_file *f = *state;
	Elf64_Sym *sym = lt_symbol(f, "answer"), saved_sym = *sym;
	Elf64_Shdr *symtab = lt_section(f, ".symtab", NULL), saved_symtab = *symtab;
	Elf64_Shdr *rel = lt_section(f, ".relxdp", NULL), saved_rel = *rel;
	uint16_t n_secs = lt_ehdr(f)->e_shnum;

	sym->st_shndx = n_secs + 5;
	lt_expect_error(f, -EINVAL, "symbol 'answer'", "section index", "is out of range", NULL);
	*sym = saved_sym;
	/* An undefined object symbol is an extern variable, not a variable of
	 * whatever map happens to be first. */
	sym->st_shndx = SHN_UNDEF;
	lt_expect_error(f, -EINVAL, "(middle+", "extern 'answer' has no BTF FUNC or VAR of extern linkage",
			NULL);
	*sym = saved_sym;
	sym->st_name = 0x7fffffff;
	lt_expect_error(f, -EINVAL, "name offset 2147483647 is outside the string table", NULL);
	*sym = saved_sym;
	symtab->sh_link = 999;
	lt_expect_error(f, -EINVAL, "string table (section 999)", NULL);
	*symtab = saved_symtab;
	symtab->sh_size -= 3;
	lt_expect_error(f, -EINVAL, "is not an array of Elf64_Sym", NULL);
	*symtab = saved_symtab;
	rel->sh_info = 999;
	lt_expect_error(f, -EINVAL, "section '.relxdp': relocations for section 999", NULL);
	*rel = saved_rel;
	rel->sh_link = 1;
	lt_expect_error(f, -EINVAL, "relocations use section 1 as symbol table", NULL);
	*rel = saved_rel;
}

/* Index of the first instruction of section xdp that is neither an lddw
 * (or its second half) nor a call. */
static uint64_t plain_insn_offset(const struct lt_file *f)
{
	const Elf64_Shdr *xdp = lt_section(f, "xdp", NULL);
	const uint8_t *code = f->data + xdp->sh_offset;
	uint64_t off;

	for (off = 0; off < xdp->sh_size; off += 8) {
		if (code[off] == XBPF_OP_LDDW) {
			off += 8;
			continue;
		}
		if (code[off] != XBPF_OP_CALL)
			return off;
	}
	fail_msg("no plain instruction");
	return 0;
}

/* The relocation of xdp of the given type, first found. */
static Elf64_Rel *find_rel(const struct lt_file *f, uint32_t type)
{
	size_t i, n;

	lt_rel(f, "xdp", 0, &n);
	for (i = 0; i < n; i++) {
		Elf64_Rel *r = lt_rel(f, "xdp", i, NULL);

		if (ELF64_R_TYPE(r->r_info) == type)
			return r;
	}
	fail_msg("no relocation of type %u", type);
	return NULL;
}

static void test_bad_relocations(void **state)
{
	struct lt_file *f = *state;
	Elf64_Rel *lddw = find_rel(f, 1 /* R_BPF_64_64 */), saved_lddw = *lddw;
	Elf64_Rel *call = find_rel(f, 10 /* R_BPF_64_32 */), saved_call = *call;
	uint64_t size = lt_section(f, "xdp", NULL)->sh_size;

	lddw->r_offset = size + 8;
	lt_expect_error(f, -EINVAL, "section 'xdp': relocation", "is not an instruction", NULL);
	lddw->r_offset = saved_lddw.r_offset + 3;
	lt_expect_error(f, -EINVAL, "is not an instruction", NULL);
	*lddw = saved_lddw;
	lddw->r_info = ELF64_R_INFO(99999, ELF64_R_TYPE(saved_lddw.r_info));
	lt_expect_error(f, -EINVAL, "relocation against symbol 99999, out of range", NULL);
	*lddw = saved_lddw;
	lddw->r_info = ELF64_R_INFO(ELF64_R_SYM(saved_lddw.r_info), 7);
	lt_expect_error(f, -EOPNOTSUPP, "relocation type 7 (an unknown type)", "is not supported in code",
			NULL);
	*lddw = saved_lddw;
	lddw->r_info = ELF64_R_INFO(ELF64_R_SYM(saved_lddw.r_info), 3 /* R_BPF_64_ABS32 */);
	lt_expect_error(f, -EOPNOTSUPP, "relocation type 3 (R_BPF_64_ABS32)", NULL);
	*lddw = saved_lddw;
	/* Relocations on the wrong kind of instruction. */
	lddw->r_offset = plain_insn_offset(f);
	lt_expect_error(f, -EINVAL, "section 'xdp', insn", "R_BPF_64_64 relocation against",
			"on an instruction that is not lddw", NULL);
	*lddw = saved_lddw;
	call->r_offset = plain_insn_offset(f);
	lt_expect_error(f, -EINVAL, "R_BPF_64_32 relocation against",
			"on an instruction that is not a call", NULL);
	*call = saved_call;
	/* A call relocation and an lddw relocation on one instruction. */
	call->r_offset = saved_lddw.r_offset;
	call->r_info = saved_lddw.r_info;
	lt_expect_error(f, -EINVAL, "two relocations for one instruction", NULL);
	*call = saved_call;
}

/* Patches the first conditional jump of xdp_second to leave the function. */
static void test_jump_out_of_function(void **state)
{
	struct lt_file *f = *state;
	const Elf64_Sym *sym = lt_symbol(f, "xdp_second");
	uint8_t *code = f->data + lt_section(f, "xdp", NULL)->sh_offset;
	uint64_t off;

	for (off = sym->st_value; off < sym->st_value + sym->st_size; off += 8) {
		if (XBPF_CLASS(code[off]) == XBPF_CLASS_JMP && XBPF_OP(code[off]) != XBPF_JMP_CALL &&
		    XBPF_OP(code[off]) != XBPF_JMP_EXIT)
			break;
	}
	assert_true(off < sym->st_value + sym->st_size);
	code[off + 2] = 0x00;
	code[off + 3] = 0x10; /* off = 4096 */
	lt_expect_error(f, -EINVAL, "section 'xdp', insn", "(xdp_second+", "leaves function 'xdp_second'",
			NULL);
	/* The message carries the source line of the jump. */
	lt_expect_error(f, -EINVAL, "loader_multi.bpf.c:", NULL);
}

/* Makes the key type of map `counts` point at a type the BTF lacks. */
static void test_missing_btf_type(void **state)
{
	struct lt_file *f = *state;
	Elf64_Shdr *sh = lt_section(f, ".BTF", NULL);
	uint8_t *data = f->data + sh->sh_offset;
	struct btf *btf = btf__new(data, (uint32_t)sh->sh_size);
	const struct btf_type *var, *def;
	const struct btf_member *m;
	const void *raw;
	uint32_t raw_size, i, missing = 0x7ffff;
	int id;

	assert_non_null(btf);
	id = btf__find_by_name_kind(btf, "counts", BTF_KIND_VAR);
	assert_true(id > 0);
	var = btf__type_by_id(btf, (uint32_t)id);
	def = btf__type_by_id(btf, var->type);
	m = btf_members(def);
	for (i = 0; i < btf_vlen(def); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), "key") == 0)
			break;
	}
	assert_true(i < btf_vlen(def));
	/* The member is a PTR whose `type` (4 bytes after name and info) is the
	 * key type: libbpf's types point into its copy of the raw bytes. */
	raw = btf__raw_data(btf, &raw_size);
	memcpy(data + ((const uint8_t *)btf__type_by_id(btf, m->type) - (const uint8_t *)raw) + 8,
	       &missing, 4);
	btf__free(btf);
	lt_expect_error(f, -EINVAL, "section '.maps': map 'counts'",
			"the key type [524287] is missing from the BTF", NULL);
}

static void test_bad_btf(void **state)
{
	struct lt_file *f = *state;
	Elf64_Shdr *btf = lt_section(f, ".BTF", NULL), *ext = lt_section(f, ".BTF.ext", NULL);
	uint8_t *ext_data = f->data + ext->sh_offset;
	uint8_t saved[8];

	f->data[btf->sh_offset] ^= 0xff; /* magic */
	lt_expect_error(f, -EINVAL, "section '.BTF': libbpf cannot parse the BTF", NULL);
	f->data[btf->sh_offset] ^= 0xff;
	memcpy(saved, ext_data, sizeof(saved));
	ext_data[2] = 9;
	lt_expect_error(f, -EINVAL, "section '.BTF.ext': version 9 is not supported", NULL);
	memcpy(ext_data, saved, sizeof(saved));
	ext_data[4] = 0xff; /* hdr_len */
	ext_data[5] = 0xff;
	lt_expect_error(f, -EINVAL, "section '.BTF.ext': header length", NULL);
	memcpy(ext_data, saved, sizeof(saved));
}

static void expect_object_error(const char *object, int err, const char *a, const char *b,
				const char *c)
{
	struct lt_file f;

	lt_read_object(object, &f);
	lt_expect_error(&f, err, a, b, c, NULL);
	lt_free(&f);
}

static void test_unsupported_features(void **state)
{
	expect_object_error("loader_use_core", -EOPNOTSUPP, "section 'socket', insn ",
			    "loader_unsupported.bpf.c:", "CO-RE relocation (field_byte_offset of "
							  "type 'task_like', access \"0:1\") is "
							  "not supported");
	expect_object_error("loader_use_kconfig", -EOPNOTSUPP, "section 'socket', insn ",
			    "`r += CONFIG_HZ;`",
			    "extern Kconfig variable 'CONFIG_HZ' (__kconfig) is not supported");
	expect_object_error("loader_use_ksym_var", -EOPNOTSUPP, "(feature+",
			    "`r += some_kernel_counter;`",
			    "extern kernel variable 'some_kernel_counter' (__ksym) is not "
			    "supported");
	expect_object_error("loader_use_data_pointer", -EOPNOTSUPP, "section '.data'",
			    "pointers in initialised global data", "are not supported");
	expect_object_error("loader_use_ld_abs", -EOPNOTSUPP, "section 'socket', insn ",
			    "`r += load_byte(skb, 12);`", "legacy packet access (LD_ABS/LD_IND");
}

static void test_bad_map_definitions(void **state)
{
	expect_object_error("loader_bad_unknown_field", -EINVAL, "section '.maps': map 'table': unknown field 'colour'",
			    NULL, NULL);
	expect_object_error("loader_bad_key_size", -EINVAL, "section '.maps': map 'table'",
			    "key_size 8 conflicts with the key type, of size 4", NULL);
	expect_object_error("loader_bad_no_type", -EINVAL, "map 'table': missing type", NULL, NULL);
}

/* The .maps relocation that initialises slot `slot` of map `name`. */
static Elf64_Rel *slot_rel(const struct lt_file *f, const char *name, uint64_t slot)
{
	uint64_t at = lt_symbol(f, name)->st_value + 24 /* values, after 3 fields */ + slot * 8;
	size_t i, n;

	lt_rel(f, ".maps", 0, &n);
	for (i = 0; i < n; i++) {
		Elf64_Rel *r = lt_rel(f, ".maps", i, NULL);

		if (r->r_offset == at)
			return r;
	}
	fail_msg("no relocation for slot %llu of %s", (unsigned long long)slot, name);
	return NULL;
}

static void test_bad_map_slot(void **state)
{
	struct lt_file f;
	Elf64_Rel *rel, saved;

	lt_read_object("loader_maps", &f);
	rel = slot_rel(&f, "outer_array", 0);
	saved = *rel;
	rel->r_info = ELF64_R_INFO(ELF64_R_SYM(saved.r_info), 1 /* R_BPF_64_64 */);
	lt_expect_error(&f, -EOPNOTSUPP, "section '.maps': relocation", "only R_BPF_64_ABS64", NULL);
	*rel = saved;
	rel->r_offset = lt_symbol(&f, "flows")->st_value;
	lt_expect_error(&f, -EINVAL, "map 'flows': relocation at byte 0", "is not a slot of 'values'",
			NULL);
	*rel = saved;
	rel->r_offset += 2 * 8;
	lt_expect_error(&f, -EINVAL, "map 'outer_array': slot 2 is initialised twice", NULL);
	*rel = saved;
	rel->r_info = ELF64_R_INFO(ELF64_R_SYM(slot_rel(&f, "jumps", 0)->r_info), 2);
	lt_expect_error(&f, -EINVAL, "slot 0 of map-in-map 'outer_array' holds 'tail_one'", NULL);
	*rel = saved;
	rel = slot_rel(&f, "jumps", 3);
	saved = *rel;
	rel->r_info = ELF64_R_INFO(ELF64_R_SYM(slot_rel(&f, "outer_array", 2)->r_info), 2);
	lt_expect_error(&f, -EINVAL, "slot 3 of PROG_ARRAY 'jumps' holds 'inner_b'",
			"which is not an entry program", NULL);
	*rel = saved;
	lt_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_section_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_section_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_relocations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jump_out_of_function, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_btf_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_btf, setup, teardown),
		cmocka_unit_test(test_unsupported_features),
		cmocka_unit_test(test_bad_map_definitions),
		cmocka_unit_test(test_bad_map_slot),
	};

	libbpf_set_print(silent);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
