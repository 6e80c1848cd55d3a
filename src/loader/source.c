/* SPDX-License-Identifier: MIT */
/*
 * Where things are: line info lookups for a section's or a linked program's
 * instructions, and the loader's error messages, which start with the place
 * they are about:
 *
 *   prog.o: section 'xdp', insn 32 (prog1+26), prog.bpf.c:44 `return x + 1;`: ...
 *   prog.o: section '.maps', symbol 'counts': ...
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loader/ld.h"

/* Index of the last line with insn <= the given one, or n when none. */
static size_t line_before(const struct xbpf_elf_line *lines, size_t n, uint32_t insn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lines[mid].insn <= insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? n : lo - 1;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

const struct xbpf_elf_line *xbpf_ld_sec_line(const struct xbpf_ld_sec *sec, uint32_t insn)
{
	size_t i = line_before(sec->lines, sec->n_lines, insn);

	return i < sec->n_lines ? &sec->lines[i] : NULL;
}

const struct xbpf_elf_line *xbpf_elf_prog_line(const struct xbpf_elf_prog *prog, size_t insn)
{
	size_t lo = 0, hi, i;

	if (!prog || insn >= prog->n_insns)
		return NULL;
	/* The function holding insn: the last one starting at or before it
	 * (functions are laid out one after the other). */
	hi = prog->n_funcs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prog->funcs[mid].start <= insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = line_before(prog->lines, prog->n_lines, (uint32_t)insn);
	if (lo == 0 || i == prog->n_lines || prog->lines[i].insn < prog->funcs[lo - 1].start)
		return NULL;
	return &prog->lines[i];
}

int xbpf_elf_prog_source(const struct xbpf_elf_prog *prog, size_t insn, char *buf, size_t size)
{
	const struct xbpf_elf_line *line = xbpf_elf_prog_line(prog, insn);

	if (!line)
		return -ENOENT;
	return snprintf(buf, size, "%s:%" PRIu32 ": %s", line->file, line->line,
			skip_blanks(line->text));
}

const char *xbpf_ld_sym_name(const struct xbpf_ld *ld, size_t i)
{
	const Elf64_Sym *sym = &ld->syms[i];

	/* Section symbols are nameless: they stand for their section. */
	if (ELF64_ST_TYPE(sym->st_info) == STT_SECTION && sym->st_shndx < ld->n_secs)
		return ld->secs[sym->st_shndx].name;
	return ld->strtab + sym->st_name;
}

/* Appends the location of `where` to buf, e.g. "section 'xdp', insn 3
 * (prog+3), prog.bpf.c:12 `return 0;`". */
static void format_where(const struct xbpf_ld *ld, struct xbpf_ld_where where, char *buf,
			 size_t size)
{
	const struct xbpf_ld_sec *sec = where.sec < ld->n_secs ? &ld->secs[where.sec] : NULL;
	size_t len = 0;

	buf[0] = '\0';
	if (!sec || where.sec == 0) {
		if (where.sym)
			snprintf(buf, size, "symbol '%s'", where.sym);
		return;
	}
	len = (size_t)snprintf(buf, size, "section '%s'", sec->name);
	if (len < size && where.sym)
		len += (size_t)snprintf(buf + len, size - len, ", symbol '%s'", where.sym);
	if (len < size && where.insn >= 0 && (uint64_t)where.insn <= UINT32_MAX) {
		uint32_t insn = (uint32_t)where.insn;
		const struct xbpf_ld_func *f =
			sec->kind == XBPF_LD_SEC_CODE ? xbpf_ld_func_holding(ld, where.sec, insn) : NULL;
		const struct xbpf_elf_line *line = xbpf_ld_sec_line(sec, insn);

		len += (size_t)snprintf(buf + len, size - len, ", insn %" PRIu32, insn);
		if (len < size && f)
			len += (size_t)snprintf(buf + len, size - len, " (%s+%" PRIu32 ")", f->name,
						insn - f->start);
		if (line && f && line->insn < f->start)
			line = NULL;
		if (len < size && line)
			snprintf(buf + len, size - len, ", %s:%" PRIu32 " `%s`", line->file, line->line,
				 skip_blanks(line->text));
	}
}

int xbpf_ld_error(struct xbpf_ld *ld, int err, struct xbpf_ld_where where, const char *fmt, ...)
{
	char place[XBPF_DIAG_MSG_LEN / 2], msg[XBPF_DIAG_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	format_where(ld, where, place, sizeof(place));
	xbpf_diag_report(ld->diag, XBPF_LOG_ERROR, "%s: %s%s%s", ld->obj_name, place,
			 place[0] ? ": " : "", msg);
	return err;
}
