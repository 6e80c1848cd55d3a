/* SPDX-License-Identifier: MIT */
/*
 * Relocations, as Linux's libbpf reads them. In code sections:
 *   R_BPF_64_64 on an lddw: the address of a map (.maps, maps), of global
 *     data (.data*, .rodata*, .bss*: symbol value + the lddw's imm), of a
 *     function (a callback, symbol value + imm bytes), or of an extern
 *     function (is the named helper bound?);
 *   R_BPF_64_32 on a call with src=1: a bpf-to-bpf call (target instruction
 *     symbol value / 8 + imm + 1) or a call to an extern: a named helper.
 * In .maps: R_BPF_64_ABS64 in the `values` of a PROG_ARRAY (a program) or
 * of a map-in-map (a map). Relocations of non-allocated sections (debug
 * info, .BTF, .BTF.ext) only matter to dynamic linkers and are skipped.
 * Everything else is refused, naming the section and instruction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld.h"

static const char *rel_type_name(uint32_t type)
{
	switch (type) {
	case XBPF_R_BPF_NONE:
		return "R_BPF_NONE";
	case XBPF_R_BPF_64_64:
		return "R_BPF_64_64";
	case XBPF_R_BPF_64_ABS64:
		return "R_BPF_64_ABS64";
	case XBPF_R_BPF_64_ABS32:
		return "R_BPF_64_ABS32";
	case XBPF_R_BPF_64_NODYLD32:
		return "R_BPF_64_NODYLD32";
	case XBPF_R_BPF_64_32:
		return "R_BPF_64_32";
	default:
		return "an unknown type";
	}
}

/* Returns 1 (with *target) when relocation section r applies to an
 * allocated section, 0 when it can be skipped, or a negative errno. */
static int rel_target(struct xbpf_ld *ld, size_t r, size_t *target)
{
	const struct xbpf_ld_sec *rel = &ld->secs[r];
	uint32_t t = rel->shdr.sh_info;

	if (t == 0 || t >= ld->n_secs)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(r),
				     "relocations for section %u, which does not exist", t);
	if (!(ld->secs[t].shdr.sh_flags & SHF_ALLOC))
		return 0;
	if (rel->shdr.sh_type != SHT_REL)
		return xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_SEC(r),
				     "RELA relocations are not supported (BPF objects use REL)");
	if (rel->shdr.sh_entsize != sizeof(Elf64_Rel) || rel->size % sizeof(Elf64_Rel) != 0)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(r),
				     "%zu bytes with entries of %llu bytes is not an array of "
				     "Elf64_Rel (%zu bytes)",
				     rel->size, (unsigned long long)rel->shdr.sh_entsize,
				     sizeof(Elf64_Rel));
	if (rel->shdr.sh_link != ld->symtab_sec)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(r),
				     "relocations use section %u as symbol table, not %zu",
				     rel->shdr.sh_link, ld->symtab_sec);
	*target = t;
	return 1;
}

static int add_ref(struct xbpf_ld_sec *sec, struct xbpf_ld_ref ref)
{
	int err = xbpf_ld_reserve((void **)&sec->refs, &sec->refs_cap, sec->n_refs + 1,
				  sizeof(*sec->refs));

	if (err)
		return err;
	sec->refs[sec->n_refs++] = ref;
	return 0;
}

/* A call or lddw against a function: the function must start where the
 * relocation points. */
static int code_target(struct xbpf_ld *ld, size_t sec, uint32_t insn, const Elf64_Sym *sym,
		       const char *name, bool is_call, struct xbpf_ld_ref *ref)
{
	const struct xbpf_insn *in = &ld->secs[sec].insns[insn];
	const struct xbpf_ld_sec *tsec = &ld->secs[sym->st_shndx];
	int64_t byte = (int64_t)sym->st_value;
	struct xbpf_ld_func *f;

	byte += is_call ? ((int64_t)in->imm + 1) * 8 : in->imm;
	f = byte >= 0 && byte % 8 == 0 && (uint64_t)byte < tsec->size
		    ? xbpf_ld_func_at(ld, sym->st_shndx, (uint32_t)(byte / 8))
		    : NULL;
	if (!f)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
				     "%s '%s'%+lld bytes, which is not the start of a function in "
				     "section '%s'",
				     is_call ? "call to" : "address of", name,
				     (long long)(byte - (int64_t)sym->st_value), tsec->name);
	ref->kind = is_call ? XBPF_LD_REF_CALL : XBPF_LD_REF_CALLBACK;
	ref->target = (uint32_t)(f - ld->funcs);
	return 0;
}

static int data_target(struct xbpf_ld *ld, size_t sec, uint32_t insn, const Elf64_Sym *sym,
		       const char *name, struct xbpf_ld_ref *ref)
{
	const struct xbpf_ld_sec *tsec = &ld->secs[sym->st_shndx];
	int64_t off = (int64_t)sym->st_value + ld->secs[sec].insns[insn].imm;

	if (tsec->map < 0 || off < 0 || (uint64_t)off >= tsec->size)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
				     "address of '%s'%+d is outside section '%s' (%zu bytes)", name,
				     ld->secs[sec].insns[insn].imm, tsec->name, tsec->size);
	ref->kind = XBPF_LD_REF_MAP_VALUE;
	ref->target = (uint32_t)tsec->map;
	ref->offset = (uint32_t)off;
	return 0;
}

static int code_reloc(struct xbpf_ld *ld, size_t sec, size_t n, const uint8_t *rel)
{
	struct xbpf_ld_sec *s = &ld->secs[sec];
	uint64_t offset = xbpf_ld_le64(rel), info = xbpf_ld_le64(rel + 8);
	uint32_t type = (uint32_t)ELF64_R_TYPE(info);
	uint64_t sym_idx = ELF64_R_SYM(info);
	const struct xbpf_insn *in;
	const Elf64_Sym *sym;
	const char *name;
	struct xbpf_ld_ref ref = {0};
	uint32_t insn;
	bool is_call;
	int err;

	if (offset % 8 != 0 || offset / 8 >= s->n_insns)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(sec),
				     "relocation %zu: offset %llu is not an instruction of the "
				     "section (%zu bytes)",
				     n, (unsigned long long)offset, s->size);
	insn = (uint32_t)(offset / 8);
	in = &s->insns[insn];
	if (sym_idx == 0 || sym_idx >= ld->n_syms)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
				     "relocation against symbol %llu, out of range (%zu symbols)",
				     (unsigned long long)sym_idx, ld->n_syms);
	sym = &ld->syms[sym_idx];
	name = xbpf_ld_sym_name(ld, sym_idx);

	switch (type) {
	case XBPF_R_BPF_64_64:
		if (!xbpf_insn_is_lddw(in))
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
					     "R_BPF_64_64 relocation against '%s' on an instruction "
					     "that is not lddw (opcode 0x%02x)",
					     name, in->opcode);
		is_call = false;
		break;
	case XBPF_R_BPF_64_32:
		if (in->opcode != XBPF_OP_CALL || in->src != XBPF_CALL_LOCAL)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
					     "R_BPF_64_32 relocation against '%s' on an instruction "
					     "that is not a call with src=1 (opcode 0x%02x, src %u)",
					     name, in->opcode, in->src);
		is_call = true;
		break;
	default:
		return xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_INSN(sec, insn),
				     "relocation type %u (%s) against '%s' is not supported in code",
				     type, rel_type_name(type), name);
	}

	ref.insn = insn;
	if (sym->st_shndx == SHN_UNDEF) {
		ref.kind = is_call ? XBPF_LD_REF_IMPORT_CALL : XBPF_LD_REF_IMPORT_ADDR;
		err = xbpf_ld_import(ld, sym_idx, is_call, sec, insn, &ref.target);
		return err ? err : add_ref(s, ref);
	}
	if (sym->st_shndx >= SHN_LORESERVE)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
				     "relocation against '%s' in special section 0x%x (an "
				     "uninitialised or common global variable?)",
				     name, sym->st_shndx);
	if (sym->st_value > ld->secs[sym->st_shndx].size)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
				     "symbol '%s' lies past the end of its section '%s'", name,
				     ld->secs[sym->st_shndx].name);

	switch (ld->secs[sym->st_shndx].kind) {
	case XBPF_LD_SEC_CODE:
		err = code_target(ld, sec, insn, sym, name, is_call, &ref);
		break;
	case XBPF_LD_SEC_MAPS:
	case XBPF_LD_SEC_LEGACY_MAPS: {
		int map = xbpf_ld_map_at(ld, sym->st_shndx, sym->st_value + (int64_t)in->imm);

		if (is_call || map < 0)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
					     "%s '%s'%+d: no map definition starts there",
					     is_call ? "call to" : "address of", name, in->imm);
		ref.kind = XBPF_LD_REF_MAP;
		ref.target = (uint32_t)map;
		err = 0;
		break;
	}
	case XBPF_LD_SEC_DATA:
	case XBPF_LD_SEC_RODATA:
	case XBPF_LD_SEC_BSS:
		if (is_call)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
					     "call to '%s', which is global data", name);
		err = data_target(ld, sec, insn, sym, name, &ref);
		break;
	default:
		return xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_INSN(sec, insn),
				     "reference to '%s' in section '%s', which holds no code, "
				     "maps or global data",
				     name, ld->secs[sym->st_shndx].name);
	}
	return err ? err : add_ref(s, ref);
}

int xbpf_ld_collect_code_relocs(struct xbpf_ld *ld)
{
	size_t r, i, target;
	int err;

	for (r = 1; r < ld->n_secs; r++) {
		const struct xbpf_ld_sec *rel = &ld->secs[r];

		if (rel->kind != XBPF_LD_SEC_REL)
			continue;
		err = rel_target(ld, r, &target);
		if (err <= 0) {
			if (err < 0)
				return err;
			continue;
		}
		if (ld->secs[target].kind == XBPF_LD_SEC_MAPS)
			continue; /* xbpf_ld_collect_map_slots() */
		if (ld->secs[target].kind != XBPF_LD_SEC_CODE)
			return xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_SEC(target),
					     "relocations in this section (such as pointers in "
					     "initialised global data) are not supported");
		for (i = 0; i < rel->size / sizeof(Elf64_Rel); i++) {
			err = code_reloc(ld, target, i, rel->data + i * sizeof(Elf64_Rel));
			if (err)
				return err;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* .maps: initial values of PROG_ARRAY and map-in-map slots                */
/* ------------------------------------------------------------------------ */

/* The BTF map whose definition (with its initialised slots) holds offset. */
static int btf_map_holding(const struct xbpf_ld *ld, uint64_t offset)
{
	size_t lo = 0, hi = ld->btf_maps_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ld->obj->maps[ld->btf_maps_first + mid].sec_offset <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || offset - ld->obj->maps[ld->btf_maps_first + lo - 1].sec_offset >=
			       ld->btf_maps[lo - 1].extent)
		return -ENOENT;
	return (int)(lo - 1);
}

static int slot_target(struct xbpf_ld *ld, const struct xbpf_elf_map *map, uint32_t slot,
		       size_t sym_idx, uint32_t *target)
{
	const Elf64_Sym *sym = &ld->syms[sym_idx];
	const char *name = xbpf_ld_sym_name(ld, sym_idx);
	struct xbpf_ld_where where = XBPF_LD_AT_SEC(ld->maps_sec);
	bool in_section = sym->st_shndx != SHN_UNDEF && sym->st_shndx < ld->n_secs;
	const struct xbpf_ld_func *f = NULL;
	int m = -ENOENT;

	if (map->type == XBPF_MAP_TYPE_PROG_ARRAY) {
		if (in_section && ld->secs[sym->st_shndx].kind == XBPF_LD_SEC_CODE &&
		    sym->st_value % 8 == 0 && sym->st_value / 8 <= UINT32_MAX)
			f = xbpf_ld_func_at(ld, sym->st_shndx, (uint32_t)(sym->st_value / 8));
		if (!f || f->prog < 0)
			return xbpf_ld_error(ld, -EINVAL, where,
					     "slot %u of PROG_ARRAY '%s' holds '%s', which is not "
					     "an entry program",
					     slot, map->name, name);
		*target = (uint32_t)f->prog;
		return 0;
	}
	if (in_section && sym->st_shndx == ld->maps_sec)
		m = xbpf_ld_map_at(ld, ld->maps_sec, sym->st_value);
	if (m < 0 || &ld->obj->maps[m] == map)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "slot %u of map-in-map '%s' holds '%s', which is not another "
				     "map of '.maps'",
				     slot, map->name, name);
	*target = (uint32_t)m;
	return 0;
}

/* A slot initialiser read from .rel.maps, before it is given to its map. */
struct pending_slot {
	uint32_t map; /* index into obj->maps */
	struct xbpf_elf_slot slot;
};

static int cmp_pending(const void *a, const void *b)
{
	const struct pending_slot *x = a, *y = b;

	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	return x->slot.slot < y->slot.slot ? -1 : x->slot.slot > y->slot.slot;
}

static int map_slot_reloc(struct xbpf_ld *ld, size_t n, const uint8_t *rel, struct pending_slot *out)
{
	const struct xbpf_ld_sec *sec = &ld->secs[ld->maps_sec];
	struct xbpf_ld_where where = XBPF_LD_AT_SEC(ld->maps_sec);
	uint64_t offset = xbpf_ld_le64(rel), info = xbpf_ld_le64(rel + 8);
	uint32_t type = (uint32_t)ELF64_R_TYPE(info), slot;
	uint64_t sym_idx = ELF64_R_SYM(info), rel_off;
	const struct xbpf_ld_btf_map *def;
	const struct xbpf_elf_map *map;
	int idx;

	if (type != XBPF_R_BPF_64_ABS64)
		return xbpf_ld_error(ld, -EOPNOTSUPP, where,
				     "relocation %zu is of type %u (%s): only R_BPF_64_ABS64 "
				     "(values initialisers) is expected in .maps",
				     n, type, rel_type_name(type));
	if (offset > sec->size || sec->size - offset < 8)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "relocation %zu: offset %llu is outside the section", n,
				     (unsigned long long)offset);
	if (sym_idx == 0 || sym_idx >= ld->n_syms)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "relocation %zu against symbol %llu, out of range (%zu "
				     "symbols)",
				     n, (unsigned long long)sym_idx, ld->n_syms);
	idx = btf_map_holding(ld, offset);
	if (idx < 0)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "relocation %zu at offset %llu is in no map definition", n,
				     (unsigned long long)offset);
	def = &ld->btf_maps[idx];
	map = &ld->obj->maps[ld->btf_maps_first + (size_t)idx];
	rel_off = offset - map->sec_offset;
	if (!def->has_values || rel_off < def->values_off || (rel_off - def->values_off) % 8 != 0)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "map '%s': relocation at byte %llu of the definition is not "
				     "a slot of 'values'",
				     map->name, (unsigned long long)rel_off);
	if ((rel_off - def->values_off) / 8 >= map->max_entries)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "map '%s': initialised slot %llu is beyond max_entries %u",
				     map->name, (unsigned long long)(rel_off - def->values_off) / 8,
				     map->max_entries);
	slot = (uint32_t)((rel_off - def->values_off) / 8);
	if (xbpf_ld_le64(sec->data + offset) != 0)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "map '%s': slot %u points inside its target (non-zero addend)",
				     map->name, slot);
	out->map = (uint32_t)(ld->btf_maps_first + (size_t)idx);
	out->slot.slot = slot;
	return slot_target(ld, map, slot, sym_idx, &out->slot.target);
}

/* Sorts the initialisers by map and slot, refuses a slot given twice and
 * hands each map its own. */
static int distribute_slots(struct xbpf_ld *ld, struct pending_slot *p, size_t n)
{
	size_t i, j;

	if (n == 0)
		return 0;
	qsort(p, n, sizeof(*p), cmp_pending);
	for (i = 0; i < n; i = j) {
		struct xbpf_elf_map *map = &ld->obj->maps[p[i].map];

		for (j = i; j < n && p[j].map == p[i].map; j++) {
			if (j > i && p[j].slot.slot == p[j - 1].slot.slot)
				return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(ld->maps_sec),
						     "map '%s': slot %u is initialised twice",
						     map->name, p[j].slot.slot);
		}
		map->slots = calloc(j - i, sizeof(*map->slots));
		if (!map->slots)
			return -ENOMEM;
		for (map->n_slots = 0; map->n_slots < j - i; map->n_slots++)
			map->slots[map->n_slots] = p[i + map->n_slots].slot;
	}
	return 0;
}

int xbpf_ld_collect_map_slots(struct xbpf_ld *ld)
{
	struct pending_slot *pending = NULL;
	size_t r, i, target, n = 0, cap = 0;
	int err = 0;

	if (!ld->maps_sec)
		return 0;
	for (r = 1; r < ld->n_secs; r++) {
		const struct xbpf_ld_sec *rel = &ld->secs[r];
		size_t count = rel->size / sizeof(Elf64_Rel);

		if (rel->kind != XBPF_LD_SEC_REL)
			continue;
		err = rel_target(ld, r, &target);
		if (err < 0)
			break;
		if (err == 0 || target != ld->maps_sec) {
			err = 0;
			continue;
		}
		err = xbpf_ld_reserve((void **)&pending, &cap, n + count, sizeof(*pending));
		for (i = 0; i < count && !err; i++)
			err = map_slot_reloc(ld, i, rel->data + i * sizeof(Elf64_Rel), &pending[n++]);
		if (err)
			break;
	}
	if (!err)
		err = distribute_slots(ld, pending, n);
	free(pending);
	return err;
}
