/* SPDX-License-Identifier: MIT */
/*
 * .BTF.ext: func info (the BTF FUNC of each function) and line info (file,
 * line, column and source text of instructions), read by our own code since
 * libbpf does not expose them. Offsets in an object file are in bytes from
 * the start of the code section the record names. CO-RE relocations are
 * refused: xbpf has no kernel BTF to relocate against.
 *
 * Layout: a header {u16 magic 0xeB9F, u8 version 1, u8 flags, u32 hdr_len,
 * u32 func_info_off, func_info_len, line_info_off, line_info_len, and since
 * hdr_len 32: core_relo_off, core_relo_len}, offsets relative to the end of
 * the header. Each part is {u32 record size, then per section: u32 section
 * name (BTF string), u32 record count, records}.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "loader/ld.h"

#define BTF_EXT_MAGIC 0xeB9F
#define BTF_EXT_HDR_MIN 24
#define BTF_EXT_HDR_CORE 32

#define FUNC_INFO_MIN 8  /* insn_off, type_id */
#define LINE_INFO_MIN 16 /* insn_off, file_name_off, line_off, line_col */
#define CORE_RELO_MIN 16 /* insn_off, type_id, access_str_off, kind */

struct ext_part {
	const char *what;
	const uint8_t *data;
	uint32_t len;
	uint32_t min_rec;
	int (*record)(struct xbpf_ld *ld, size_t sec, const uint8_t *rec);
};

/* Checks a record's instruction offset and returns its index. */
static int record_insn(struct xbpf_ld *ld, size_t sec, const uint8_t *rec, const char *what,
		       uint32_t *insn)
{
	uint32_t off = xbpf_ld_le32(rec);

	if (off % 8 != 0 || off / 8 >= ld->secs[sec].n_insns)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(sec),
				     ".BTF.ext %s at byte %u is not an instruction of the section",
				     what, off);
	*insn = off / 8;
	return 0;
}

static int func_info_record(struct xbpf_ld *ld, size_t sec, const uint8_t *rec)
{
	uint32_t type_id = xbpf_ld_le32(rec + 4), insn;
	const struct btf_type *t = btf__type_by_id(ld->btf, type_id);
	struct xbpf_ld_func *f;
	int err = record_insn(ld, sec, rec, "func info", &insn);

	if (err)
		return err;
	f = xbpf_ld_func_at(ld, sec, insn);
	if (!f)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
				     ".BTF.ext func info for an instruction that starts no function");
	if (!t || !btf_is_func(t))
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
				     ".BTF.ext func info names BTF type %u, which is not a FUNC",
				     type_id);
	if (f->btf_func_id)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec, insn),
				     "a second .BTF.ext func info for function '%s'", f->name);
	f->btf_func_id = type_id;
	return 0;
}

static int line_info_record(struct xbpf_ld *ld, size_t sec, const uint8_t *rec)
{
	struct xbpf_ld_sec *s = &ld->secs[sec];
	const char *file = btf__name_by_offset(ld->btf, xbpf_ld_le32(rec + 4));
	const char *text = btf__name_by_offset(ld->btf, xbpf_ld_le32(rec + 8));
	uint32_t line_col = xbpf_ld_le32(rec + 12), insn;
	int err = record_insn(ld, sec, rec, "line info", &insn);

	if (err)
		return err;
	if (!file || !text)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(sec),
				     ".BTF.ext line info for instruction %u names a string outside "
				     "the BTF string table",
				     insn);
	if (s->n_lines > 0 && s->lines[s->n_lines - 1].insn > insn)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_SEC(sec),
				     ".BTF.ext line info is not sorted by instruction (%u after %u)",
				     insn, s->lines[s->n_lines - 1].insn);
	s->lines[s->n_lines++] = (struct xbpf_elf_line){
		.insn = insn, .file = file, .text = text, .line = line_col >> 10, .col = line_col & 0x3ff};
	return 0;
}

static const char *const core_kind_names[] = {
	"field_byte_offset", "field_byte_size", "field_exists",  "field_signed",
	"field_lshift_u64",  "field_rshift_u64", "type_id_local", "type_id_target",
	"type_exists",       "type_size",        "enumval_exists", "enumval_value",
	"type_matches",
};

static int core_relo_record(struct xbpf_ld *ld, size_t sec, const uint8_t *rec)
{
	uint32_t type_id = xbpf_ld_le32(rec + 4), kind = xbpf_ld_le32(rec + 12), insn;
	const struct btf_type *t = btf__type_by_id(ld->btf, type_id);
	const char *access = btf__name_by_offset(ld->btf, xbpf_ld_le32(rec + 8));
	int err = record_insn(ld, sec, rec, "CO-RE relocation", &insn);

	if (err)
		return err;
	return xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_INSN(sec, insn),
			     "CO-RE relocation (%s of type '%s', access \"%s\") is not supported: "
			     "xbpf has no kernel BTF to relocate against",
			     kind < sizeof(core_kind_names) / sizeof(core_kind_names[0])
				     ? core_kind_names[kind]
				     : "unknown kind",
			     t ? xbpf_ld_btf_name(ld->btf, t->name_off) : "?", access ? access : "?");
}

static size_t code_section_named(const struct xbpf_ld *ld, const char *name)
{
	uint32_t sec = xbpf_ld_names_find(&ld->sec_names, name);

	return sec && ld->secs[sec].kind == XBPF_LD_SEC_CODE ? sec : 0;
}

static int read_part(struct xbpf_ld *ld, const struct ext_part *part)
{
	struct xbpf_ld_where where = XBPF_LD_AT_SEC(ld->btf_ext_sec);
	const uint8_t *p = part->data;
	uint32_t left = part->len, rec_size;

	if (left == 0)
		return 0;
	if (left < 4)
		return xbpf_ld_error(ld, -EINVAL, where, "%s: %u bytes cannot hold a record size",
				     part->what, left);
	rec_size = xbpf_ld_le32(p);
	if (rec_size < part->min_rec || rec_size % 4 != 0)
		return xbpf_ld_error(ld, -EINVAL, where, "%s: record size %u is invalid", part->what,
				     rec_size);
	p += 4;
	left -= 4;
	while (left > 0) {
		const char *name;
		uint32_t count, i;
		size_t sec;
		int err;

		if (left < 8)
			return xbpf_ld_error(ld, -EINVAL, where, "%s: truncated section header",
					     part->what);
		name = btf__name_by_offset(ld->btf, xbpf_ld_le32(p));
		count = xbpf_ld_le32(p + 4);
		p += 8;
		left -= 8;
		if (count == 0 || count > left / rec_size)
			return xbpf_ld_error(ld, -EINVAL, where,
					     "%s: %u records of %u bytes do not fit in the %u bytes "
					     "left",
					     part->what, count, rec_size, left);
		sec = name ? code_section_named(ld, name) : 0;
		if (!sec)
			return xbpf_ld_error(ld, -EINVAL, where, "%s for '%s', which is no code section",
					     part->what, name ? name : "<bad string offset>");
		if (part->record == line_info_record) {
			struct xbpf_ld_sec *s = &ld->secs[sec];
			struct xbpf_elf_line *lines = realloc(s->lines, (s->n_lines + count) * sizeof(*lines));

			if (!lines)
				return -ENOMEM;
			s->lines = lines;
		}
		for (i = 0; i < count; i++) {
			err = part->record(ld, sec, p + (size_t)i * rec_size);
			if (err)
				return err;
		}
		p += (size_t)count * rec_size;
		left -= count * rec_size;
	}
	return 0;
}

int xbpf_ld_read_btf_ext(struct xbpf_ld *ld)
{
	const struct xbpf_ld_sec *sec;
	struct xbpf_ld_where where = XBPF_LD_AT_SEC(ld->btf_ext_sec);
	struct ext_part parts[3] = {
		{.what = "func info", .min_rec = FUNC_INFO_MIN, .record = func_info_record},
		{.what = "line info", .min_rec = LINE_INFO_MIN, .record = line_info_record},
		{.what = "CO-RE relocations", .min_rec = CORE_RELO_MIN, .record = core_relo_record},
	};
	uint32_t hdr_len;
	size_t i, n_parts = 2;
	int err;

	if (!ld->btf_ext_sec)
		return 0;
	sec = &ld->secs[ld->btf_ext_sec];
	if (sec->size < 8)
		return xbpf_ld_error(ld, -EINVAL, where, "truncated header (%zu bytes)", sec->size);
	if (xbpf_ld_le16(sec->data) != BTF_EXT_MAGIC)
		return xbpf_ld_error(ld, -EINVAL, where, "bad magic 0x%04x",
				     xbpf_ld_le16(sec->data));
	if (sec->data[2] != 1)
		return xbpf_ld_error(ld, -EINVAL, where, "version %u is not supported (only 1)",
				     sec->data[2]);
	hdr_len = xbpf_ld_le32(sec->data + 4);
	if (hdr_len < BTF_EXT_HDR_MIN || hdr_len > sec->size)
		return xbpf_ld_error(ld, -EINVAL, where,
				     "header length %u is outside %u..%zu (the section size)",
				     hdr_len, BTF_EXT_HDR_MIN, sec->size);
	if (hdr_len >= BTF_EXT_HDR_CORE)
		n_parts = 3;
	for (i = 0; i < n_parts; i++) {
		uint32_t off = xbpf_ld_le32(sec->data + 8 + 8 * i);
		uint32_t len = xbpf_ld_le32(sec->data + 12 + 8 * i);

		if ((uint64_t)hdr_len + off + len > sec->size)
			return xbpf_ld_error(ld, -EINVAL, where,
					     "%s (%u bytes at offset %u) lies outside the section",
					     parts[i].what, len, off);
		parts[i].data = sec->data + hdr_len + off;
		parts[i].len = len;
	}
	for (i = 0; i < n_parts; i++) {
		err = read_part(ld, &parts[i]);
		if (err)
			return err;
	}
	return 0;
}
