/* SPDX-License-Identifier: MIT */
/* Values as JSON through their BTF type (see btf_format.h). */
#include "btf_format.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <bpf/btf.h>

/* As deep as libbpf lets types nest. */
#define MAX_DEPTH 32

struct fmt {
	FILE *out;
	const struct btf *btf;
	const uint8_t *data;
	size_t size;
};

void cli_json_string(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* The type behind typedefs and const/volatile/restrict/type tags. */
static const struct btf_type *resolve(const struct btf *btf, uint32_t id, uint32_t *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	for (int i = 0; t && i < MAX_DEPTH; i++) {
		if (!btf_is_typedef(t) && !btf_is_mod(t)) {
			if (res_id)
				*res_id = id;
			return t;
		}
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return NULL;
}

/* Little-endian bits [bit_off, bit_off + nbits) of data, nbits <= 64. */
static uint64_t read_bits(const uint8_t *data, uint32_t bit_off, uint32_t nbits)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < nbits; i++) {
		uint32_t pos = bit_off + i;
		v |= (uint64_t)((data[pos / 8] >> (pos % 8)) & 1) << i;
	}
	return v;
}

static int64_t sign_extend(uint64_t v, uint32_t nbits)
{
	if (nbits == 0 || nbits >= 64)
		return (int64_t)v;
	uint64_t sign = (uint64_t)1 << (nbits - 1);
	return (int64_t)((v ^ sign) - sign);
}

static bool int_is_signed(const struct btf_type *t)
{
	return btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED);
}

static void print_int(struct fmt *f, const struct btf_type *t, uint64_t v, uint32_t nbits)
{
	if (btf_int_encoding(t) & BTF_INT_BOOL)
		fputs(v ? "true" : "false", f->out);
	else if (int_is_signed(t))
		fprintf(f->out, "%" PRId64, sign_extend(v, nbits));
	else
		fprintf(f->out, "%" PRIu64, v);
}

/* An enum's value by name when it has one, else the number. */
static void print_enum(struct fmt *f, const struct btf_type *t, uint64_t v, uint32_t nbits)
{
	bool is_signed = btf_kflag(t);
	int64_t sv = sign_extend(v, nbits);
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		uint64_t e;
		uint32_t name_off;
		if (btf_is_enum(t)) {
			const struct btf_enum *en = &btf_enum(t)[i];
			e = is_signed ? (uint64_t)(int64_t)en->val : (uint32_t)en->val;
			name_off = en->name_off;
		} else {
			const struct btf_enum64 *en = &btf_enum64(t)[i];
			e = btf_enum64_value(en);
			name_off = en->name_off;
		}
		if (e == (is_signed ? (uint64_t)sv : v)) {
			const char *name = btf__name_by_offset(f->btf, name_off);
			cli_json_string(f->out, name ? name : "", SIZE_MAX);
			return;
		}
	}
	if (is_signed)
		fprintf(f->out, "%" PRId64, sv);
	else
		fprintf(f->out, "%" PRIu64, v);
}

static int format(struct fmt *f, uint32_t id, size_t off, int depth);

/* A bitfield member: an int or an enum of nbits bits at bit_off. */
static int format_bits(struct fmt *f, uint32_t id, size_t bit_off, uint32_t nbits)
{
	const struct btf_type *t = resolve(f->btf, id, NULL);
	if (!t || nbits > 64 || (bit_off + nbits + 7) / 8 > f->size)
		return -EINVAL;
	uint64_t v = read_bits(f->data, (uint32_t)bit_off, nbits);
	if (btf_is_int(t))
		print_int(f, t, v, nbits);
	else if (btf_is_any_enum(t))
		print_enum(f, t, v, nbits);
	else
		return -EINVAL;
	return 0;
}

/* The members of a struct or union at off, without braces; anonymous
 * struct and union members are merged in. *n counts members printed. */
static int format_members(struct fmt *f, const struct btf_type *t, size_t off, int depth,
			  size_t *n)
{
	const struct btf_member *m = btf_members(t);
	for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(f->btf, m->name_off);
		uint32_t bit_off = btf_member_bit_offset(t, i);
		uint32_t bits = btf_member_bitfield_size(t, i);
		const struct btf_type *mt = resolve(f->btf, m->type, NULL);
		int err;
		if (!mt)
			return -EINVAL;
		if ((!name || !*name) && !bits && btf_is_composite(mt)) {
			if (depth >= MAX_DEPTH || bit_off % 8)
				return -EINVAL;
			if ((err = format_members(f, mt, off + bit_off / 8, depth + 1, n)))
				return err;
			continue;
		}
		fputs(*n ? ", " : "", f->out);
		cli_json_string(f->out, name ? name : "", SIZE_MAX);
		fputs(": ", f->out);
		(*n)++;
		if (bits)
			err = format_bits(f, m->type, off * 8 + bit_off, bits);
		else if (bit_off % 8)
			err = -EINVAL;
		else
			err = format(f, m->type, off + bit_off / 8, depth + 1);
		if (err)
			return err;
	}
	return 0;
}

/* Is this the element type of a C string (char, not a __u8 typedef)? */
static bool is_char(const struct btf *btf, uint32_t elem_id)
{
	const struct btf_type *t = btf__type_by_id(btf, elem_id);
	for (int i = 0; t && btf_is_mod(t) && i < MAX_DEPTH; i++)
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_int(t) || t->size != 1)
		return false;
	const char *name = btf__name_by_offset(btf, t->name_off);
	return (btf_int_encoding(t) & BTF_INT_CHAR) || (name && strstr(name, "char"));
}

/* Printable up to the first NUL (or the end)? */
static bool printable(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len && s[i]; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

static int format_array(struct fmt *f, const struct btf_type *t, size_t off, int depth)
{
	const struct btf_array *a = btf_array(t);
	long long esize = btf__resolve_size(f->btf, a->type);
	if (esize < 0 || (esize && a->nelems > (f->size - off) / (size_t)esize))
		return -EINVAL;
	if (esize == 0) { /* elements of no size: nothing to print */
		fputs("[]", f->out);
		return 0;
	}
	if (esize == 1 && is_char(f->btf, a->type) && printable(f->data + off, a->nelems)) {
		cli_json_string(f->out, (const char *)f->data + off, a->nelems);
		return 0;
	}
	fputc('[', f->out);
	for (uint32_t i = 0; i < a->nelems; i++) {
		fputs(i ? ", " : "", f->out);
		int err = format(f, a->type, off + i * (size_t)esize, depth + 1);
		if (err)
			return err;
	}
	fputc(']', f->out);
	return 0;
}

/* Global data: an object of the section's variables. */
static int format_datasec(struct fmt *f, const struct btf_type *t, size_t off, int depth)
{
	const struct btf_var_secinfo *v = btf_var_secinfos(t);
	fputc('{', f->out);
	for (uint16_t i = 0; i < btf_vlen(t); i++, v++) {
		const struct btf_type *var = btf__type_by_id(f->btf, v->type);
		if (!var || !btf_is_var(var) || v->offset > f->size - off ||
		    v->size > f->size - off - v->offset)
			return -EINVAL;
		const char *name = btf__name_by_offset(f->btf, var->name_off);
		fputs(i ? ", " : "", f->out);
		cli_json_string(f->out, name ? name : "", SIZE_MAX);
		fputs(": ", f->out);
		int err = format(f, var->type, off + v->offset, depth + 1);
		if (err)
			return err;
	}
	fputc('}', f->out);
	return 0;
}

static int format(struct fmt *f, uint32_t id, size_t off, int depth)
{
	uint32_t rid;
	const struct btf_type *t = resolve(f->btf, id, &rid);
	if (!t || depth > MAX_DEPTH || off > f->size)
		return -EINVAL;
	if (btf_is_datasec(t))
		return format_datasec(f, t, off, depth);
	if (btf_is_var(t))
		return format(f, t->type, off, depth + 1);
	long long size = btf__resolve_size(f->btf, rid);
	if (size < 0 || (size_t)size > f->size - off)
		return -EINVAL;
	const uint8_t *p = f->data + off;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		if (t->size > 8) { /* __int128: hex, most significant byte first */
			fputs("\"0x", f->out);
			for (size_t i = t->size; i-- > 0;)
				fprintf(f->out, "%02x", p[i]);
			fputc('"', f->out);
			return 0;
		}
		if (btf_int_bits(t) > 64 || btf_int_offset(t) + btf_int_bits(t) > t->size * 8)
			return -EINVAL;
		print_int(f, t, read_bits(p, btf_int_offset(t), btf_int_bits(t)), btf_int_bits(t));
		return 0;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (t->size > 8) /* crafted BTF: no 64-bit number holds it */
			return -EINVAL;
		print_enum(f, t, read_bits(p, 0, t->size * 8), t->size * 8);
		return 0;
	case BTF_KIND_PTR:
		/* libbpf sizes pointers from the BTF's own "long" (crafted BTF
		 * can make them 4 bytes): read what the bounds check allowed. */
		if (size != 4 && size != 8)
			return -EINVAL;
		fprintf(f->out, "\"0x%" PRIx64 "\"", read_bits(p, 0, (uint32_t)size * 8));
		return 0;
	case BTF_KIND_FLOAT: {
		double d;
		if (t->size == 4) {
			float x;
			memcpy(&x, p, 4);
			d = x;
		} else if (t->size == 8) {
			memcpy(&d, p, 8);
		} else {
			return -EINVAL;
		}
		if (isfinite(d))
			fprintf(f->out, "%.17g", d);
		else
			fputs("null", f->out); /* JSON has no inf or nan */
		return 0;
	}
	case BTF_KIND_ARRAY:
		return format_array(f, t, off, depth);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		size_t n = 0;
		fputc('{', f->out);
		int err = format_members(f, t, off, depth, &n);
		fputc('}', f->out);
		return err;
	}
	default:
		return -EINVAL;
	}
}

int cli_btf_format(FILE *out, const struct btf *btf, uint32_t type_id, const void *data,
		   size_t size)
{
	struct fmt f = {.out = out, .btf = btf, .data = data, .size = size};
	if (!btf || !data || type_id == 0)
		return -EINVAL;
	return format(&f, type_id, 0, 0);
}
