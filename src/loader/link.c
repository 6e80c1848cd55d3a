/* SPDX-License-Identifier: MIT */
/*
 * Linking: the final instruction array of each entry program is its own
 * code followed by every function it reaches through calls and callback
 * references, transitively, each placed once in the order first referenced
 * (as libbpf appends subprograms). Calls and callbacks get pc-relative
 * immediates for that layout; maps, global data and imports are encoded the
 * Linux way and listed as relocations; func info and line info move along.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld.h"

#define NOT_PLACED UINT32_MAX

/* Instructions of all the linked programs of one object: each program gets
 * its own copy of the subprograms it reaches, and a hostile object must not
 * turn that into gigabytes. */
#define XBPF_LD_MAX_TOTAL_INSNS (8u << 20)

/* First reference of section sec at or after instruction insn. */
static size_t first_ref(const struct xbpf_ld_sec *sec, uint32_t insn)
{
	size_t lo = 0, hi = sec->n_refs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->refs[mid].insn < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t first_line(const struct xbpf_ld_sec *sec, uint32_t insn)
{
	size_t lo = 0, hi = sec->n_lines;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->lines[mid].insn < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool is_code_ref(enum xbpf_ld_ref_kind kind)
{
	return kind == XBPF_LD_REF_CALL || kind == XBPF_LD_REF_CALLBACK;
}

struct layout {
	uint32_t *order;  /* function indexes, in placement order */
	size_t n_order;
	uint32_t *at;     /* per function: its first final instruction, or NOT_PLACED */
	size_t n_insns, n_relocs, n_lines;
};

/* Places the entry function, then everything reachable from what is placed. */
static int lay_out(struct xbpf_ld *ld, uint32_t entry, struct layout *l)
{
	size_t q;

	l->order[0] = entry;
	l->n_order = 1;
	l->at[entry] = 0;
	l->n_insns = ld->funcs[entry].count;
	for (q = 0; q < l->n_order; q++) {
		const struct xbpf_ld_func *f = &ld->funcs[l->order[q]];
		const struct xbpf_ld_sec *sec = &ld->secs[f->sec];
		size_t r = first_ref(sec, f->start), ln;

		for (; r < sec->n_refs && sec->refs[r].insn < f->start + f->count; r++) {
			const struct xbpf_ld_ref *ref = &sec->refs[r];
			uint32_t t = ref->target;

			if (!is_code_ref(ref->kind)) {
				l->n_relocs++;
				continue;
			}
			l->n_relocs += ref->kind == XBPF_LD_REF_CALLBACK;
			if (l->at[t] != NOT_PLACED)
				continue;
			if (l->n_insns + ld->funcs[t].count > XBPF_LD_MAX_INSNS)
				return xbpf_ld_error(ld, -E2BIG, XBPF_LD_AT_SYM(ld->funcs[entry].sec,
										 ld->funcs[entry].name),
						     "program '%s' would exceed %u instructions "
						     "with its subprograms",
						     ld->funcs[entry].name, XBPF_LD_MAX_INSNS);
			l->at[t] = (uint32_t)l->n_insns;
			l->order[l->n_order++] = t;
			l->n_insns += ld->funcs[t].count;
		}
		for (ln = first_line(sec, f->start);
		     ln < sec->n_lines && sec->lines[ln].insn < f->start + f->count; ln++)
			l->n_lines++;
	}
	return 0;
}

/* Rewrites the instruction at pc of prog for ref and records it. */
static void apply_ref(const struct layout *l, struct xbpf_elf_prog *prog, uint32_t pc,
		      const struct xbpf_ld_ref *ref)
{
	struct xbpf_insn *insn = &prog->insns[pc];
	struct xbpf_elf_reloc rel = {.insn = pc, .target = ref->target};

	switch (ref->kind) {
	case XBPF_LD_REF_CALL:
		insn->imm = (int32_t)((int64_t)l->at[ref->target] - pc - 1);
		return;
	case XBPF_LD_REF_CALLBACK:
		insn[0].src = XBPF_PSEUDO_FUNC;
		insn[0].imm = (int32_t)((int64_t)l->at[ref->target] - pc - 1);
		insn[1].imm = 0;
		rel.kind = XBPF_ELF_RELOC_CALLBACK;
		rel.target = l->at[ref->target];
		break;
	case XBPF_LD_REF_MAP:
		insn[0].src = XBPF_PSEUDO_MAP_IDX;
		insn[0].imm = (int32_t)ref->target;
		insn[1].imm = 0;
		rel.kind = XBPF_ELF_RELOC_MAP;
		break;
	case XBPF_LD_REF_MAP_VALUE:
		insn[0].src = XBPF_PSEUDO_MAP_IDX_VALUE;
		insn[0].imm = (int32_t)ref->target;
		insn[1].imm = (int32_t)ref->offset;
		rel.kind = XBPF_ELF_RELOC_MAP_VALUE;
		rel.offset = ref->offset;
		break;
	case XBPF_LD_REF_IMPORT_CALL:
		insn->src = XBPF_CALL_KFUNC;
		insn->imm = (int32_t)ref->target;
		rel.kind = XBPF_ELF_RELOC_IMPORT_CALL;
		break;
	case XBPF_LD_REF_IMPORT_ADDR:
		insn[0].src = XBPF_PSEUDO_BTF_ID;
		insn[0].imm = (int32_t)ref->target;
		insn[1].imm = 0;
		rel.kind = XBPF_ELF_RELOC_IMPORT_ADDR;
		break;
	}
	prog->relocs[prog->n_relocs++] = rel;
}

static int emit(struct xbpf_ld *ld, const struct layout *l, struct xbpf_elf_prog *prog)
{
	size_t q;

	prog->insns = calloc(l->n_insns, sizeof(*prog->insns));
	prog->funcs = calloc(l->n_order, sizeof(*prog->funcs));
	prog->relocs = l->n_relocs ? calloc(l->n_relocs, sizeof(*prog->relocs)) : NULL;
	prog->lines = l->n_lines ? calloc(l->n_lines, sizeof(*prog->lines)) : NULL;
	if (!prog->insns || !prog->funcs || (l->n_relocs && !prog->relocs) ||
	    (l->n_lines && !prog->lines))
		return -ENOMEM;
	prog->n_insns = l->n_insns;

	for (q = 0; q < l->n_order; q++) {
		const struct xbpf_ld_func *f = &ld->funcs[l->order[q]];
		const struct xbpf_ld_sec *sec = &ld->secs[f->sec];
		uint32_t base = l->at[l->order[q]];
		size_t r = first_ref(sec, f->start), ln;

		memcpy(prog->insns + base, sec->insns + f->start, f->count * sizeof(*prog->insns));
		prog->funcs[prog->n_funcs++] = (struct xbpf_elf_func){
			.name = f->name,
			.section = sec->name,
			.start = base,
			.count = f->count,
			.sec_insn = f->start,
			.btf_func_id = f->btf_func_id,
		};
		for (; r < sec->n_refs && sec->refs[r].insn < f->start + f->count; r++)
			apply_ref(l, prog, base + sec->refs[r].insn - f->start, &sec->refs[r]);
		for (ln = first_line(sec, f->start);
		     ln < sec->n_lines && sec->lines[ln].insn < f->start + f->count; ln++) {
			struct xbpf_elf_line *line = &prog->lines[prog->n_lines++];

			*line = sec->lines[ln];
			line->insn = base + line->insn - f->start;
		}
	}
	return 0;
}

int xbpf_ld_link(struct xbpf_ld *ld)
{
	struct layout l = {0};
	size_t i, total = 0;
	int err = 0;

	if (ld->obj->n_progs == 0)
		return 0;
	l.order = calloc(ld->n_funcs, sizeof(*l.order));
	l.at = calloc(ld->n_funcs, sizeof(*l.at));
	if (!l.order || !l.at) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ld->n_funcs; i++)
		l.at[i] = NOT_PLACED;
	for (i = 0; i < ld->n_funcs && !err; i++) {
		size_t q;

		if (ld->funcs[i].prog < 0)
			continue;
		l.n_relocs = l.n_lines = 0;
		err = lay_out(ld, (uint32_t)i, &l);
		total += l.n_insns;
		if (!err && total > XBPF_LD_MAX_TOTAL_INSNS)
			err = xbpf_ld_error(ld, -E2BIG, XBPF_LD_NOWHERE,
					    "the linked programs would exceed %u instructions in "
					    "total",
					    XBPF_LD_MAX_TOTAL_INSNS);
		if (!err)
			err = emit(ld, &l, &ld->obj->progs[ld->funcs[i].prog]);
		for (q = 0; q < l.n_order; q++)
			l.at[l.order[q]] = NOT_PLACED;
	}
out:
	free(l.order);
	free(l.at);
	return err;
}
