/* SPDX-License-Identifier: MIT */
/*
 * The format engine of bpf_trace_printk and bpf_snprintf (see bprintf.h).
 *
 * Like the kernel, it works in two passes. prepare() checks the whole
 * format and takes every argument it needs (numbers, and copies of the
 * strings and addresses in memory) into a struct prepared, within the
 * same room the kernel has; only then does output() print, so that an
 * invalid format prints nothing and a string that changes meanwhile
 * cannot change the output. Character classes are ASCII's, not the
 * locale's.
 */
#include "helpers/bprintf.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define F_LEFT 0x1  /* '-' */
#define F_PLUS 0x2  /* '+' */
#define F_SPACE 0x4 /* ' ' */
#define F_ZERO 0x8  /* '0' */

/* The kernel clamps field widths to 24 signed bits. */
#define WIDTH_MAX ((1u << 23) - 1)

enum conv_kind {
	CONV_NUMBER,  /* d i u x X */
	CONV_CHAR,    /* c */
	CONV_POINTER, /* p pK px */
	CONV_TEXT,    /* s, and pI4 pi4 pI6 pi6 as the text of the address */
};

struct conv {
	size_t start, end; /* fmt[start] is its '%'; the text after it starts at end */
	unsigned flags;
	unsigned width; /* 0: none given */
	enum conv_kind kind;
	char type;      /* CONV_NUMBER: d i u x X */
	bool wide;      /* CONV_NUMBER: l or ll, 64 bits */
	uint64_t value; /* number, character or pointer */
	size_t text, text_len; /* CONV_TEXT: where its text is in room */
};

struct prepared {
	struct conv convs[XBPF_BPRINTF_MAX_ARGS];
	unsigned n;
	char room[XBPF_BPRINTF_ARG_ROOM];
	size_t used;
};

static bool is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_print(int c)
{
	return c >= 0x20 && c < 0x7f;
}

static bool is_alnum(int c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool is_punct(int c)
{
	return c > 0x20 && c < 0x7f && !is_alnum(c);
}

/* The format's character at i, 0 at and beyond its end. */
static int at(const char *fmt, size_t len, size_t i)
{
	return i < len ? (unsigned char)fmt[i] : 0;
}

/* May the character after a conversion end it? (For %s and %p.) */
static bool ends_conversion(int c)
{
	return c == 0 || is_space(c) || is_punct(c);
}

/* Room for a number: 4-byte aligned, as the kernel packs them. */
static int take_number(struct prepared *p, size_t size)
{
	p->used = (p->used + 3) & ~(size_t)3;
	if (p->used > sizeof(p->room) || sizeof(p->room) - p->used < size)
		return -ENOSPC;
	p->used += size;
	return 0;
}

/* A copy of the string at addr, cut to the room left (Linux's
 * strncpy_from_kernel_nofault); "" where the program may not read it. */
static int take_string(const struct xbpf_exec *exec, struct prepared *p, struct conv *cv, uintptr_t addr)
{
	size_t left = sizeof(p->room) - p->used;
	size_t span, len;
	const char *nul;

	if (left == 0)
		return -ENOSPC;
	span = xbpf_exec_readable_span(exec, addr, left);
	nul = span ? memchr((const void *)addr, 0, span) : NULL;
	if (nul)
		len = (size_t)(nul - (const char *)addr);
	else if (span == left)
		len = left - 1;
	else
		len = 0;
	if (len)
		memcpy(p->room + p->used, (const void *)addr, len);
	p->room[p->used + len] = '\0';
	cv->kind = CONV_TEXT;
	cv->text = p->used;
	cv->text_len = len;
	p->used += len + 1;
	return 0;
}

/* The text of the IPv4 or IPv6 address at addr (zeros where the program
 * may not read), as the kernel prepares it for %pI4 %pi4 %pI6 %pi6. */
static int take_address(const struct xbpf_exec *exec, struct prepared *p, struct conv *cv, uintptr_t addr,
			char style, bool v6)
{
	size_t size = v6 ? 16 : 4;
	size_t left = sizeof(p->room) - p->used;
	uint8_t a[16] = {0};
	char text[48];
	size_t len = 0;
	int i;

	if (left < size)
		return -ENOSPC;
	if (xbpf_exec_may_access(exec, addr, size, XBPF_MEM_READ))
		memcpy(a, (const void *)addr, size);
	if (!v6)
		len = (size_t)snprintf(text, sizeof(text), style == 'I' ? "%u.%u.%u.%u" : "%03u.%03u.%03u.%03u",
				       a[0], a[1], a[2], a[3]);
	else
		for (i = 0; i < 16; i += 2)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%02x%02x",
						style == 'I' && i ? ":" : "", a[i], a[i + 1]);
	cv->kind = CONV_TEXT;
	cv->text = p->used;
	cv->text_len = len < left ? len : left - 1;
	memcpy(p->room + p->used, text, cv->text_len);
	p->room[p->used + cv->text_len] = '\0';
	p->used += cv->text_len + 1;
	return 0;
}

/* %p and its forms, with fmt[i] the 'p'. The kernel's printer skips the
 * letters and digits that follow a pointer conversion. */
static int prepare_pointer(const struct xbpf_exec *exec, const char *fmt, size_t len, size_t i, uint64_t arg,
			   struct prepared *p, struct conv *cv)
{
	int next = at(fmt, len, i + 1);
	int err;

	if (ends_conversion(next) || next == 'K' || next == 'x') {
		err = take_number(p, sizeof(uint64_t));
		cv->kind = CONV_POINTER;
		cv->value = arg;
	} else if ((next == 'I' || next == 'i') && (at(fmt, len, i + 2) == '4' || at(fmt, len, i + 2) == '6')) {
		err = take_address(exec, p, cv, arg, (char)next, at(fmt, len, i + 2) == '6');
	} else {
		return -EINVAL;
	}
	cv->end = i + 1;
	while (is_alnum(at(fmt, len, cv->end)))
		cv->end++;
	return err;
}

/* d i u x X with an optional l or ll, with fmt[i] the first character after the width. */
static int prepare_number(const char *fmt, size_t len, size_t i, uint64_t arg, struct prepared *p,
			  struct conv *cv)
{
	cv->wide = false;
	if (at(fmt, len, i) == 'l') {
		cv->wide = true;
		i++;
		if (at(fmt, len, i) == 'l')
			i++;
	}
	if (!memchr("iduxX", at(fmt, len, i), 5))
		return -EINVAL;
	cv->kind = CONV_NUMBER;
	cv->type = (char)fmt[i];
	cv->value = cv->wide ? arg : (uint32_t)arg;
	cv->end = i + 1;
	return take_number(p, cv->wide ? 8 : 4);
}

/* One conversion starting at fmt[i] == '%' (not "%%"). */
static int prepare_conversion(const struct xbpf_exec *exec, const char *fmt, size_t len, size_t i, uint64_t arg,
			      struct prepared *p, struct conv *cv)
{
	const char *flag;

	memset(cv, 0, sizeof(*cv));
	cv->start = i++;
	while ((flag = memchr("-+ 0", at(fmt, len, i), 4))) {
		cv->flags |= 1u << (flag - "-+ 0");
		i++;
	}
	if (at(fmt, len, i) >= '1' && at(fmt, len, i) <= '9') {
		while (at(fmt, len, i) >= '0' && at(fmt, len, i) <= '9') {
			cv->width = cv->width * 10 + (unsigned)(fmt[i] - '0');
			if (cv->width > WIDTH_MAX)
				cv->width = WIDTH_MAX;
			i++;
		}
	}
	switch (at(fmt, len, i)) {
	case 'p':
		return prepare_pointer(exec, fmt, len, i, arg, p, cv);
	case 's':
		if (!ends_conversion(at(fmt, len, i + 1)))
			return -EINVAL;
		cv->end = i + 1;
		return take_string(exec, p, cv, arg);
	case 'c':
		if (p->used >= sizeof(p->room))
			return -ENOSPC;
		p->used++;
		cv->kind = CONV_CHAR;
		cv->value = (uint8_t)arg;
		cv->end = i + 1;
		return 0;
	default:
		return prepare_number(fmt, len, i, arg, p, cv);
	}
}

static int prepare(const struct xbpf_exec *exec, const char *fmt, size_t len, const uint64_t *args,
		   unsigned n_args, struct prepared *p)
{
	size_t i;

	p->n = 0;
	p->used = 0;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)fmt[i];
		struct conv *cv;
		int err;

		if (!is_print(c) && !is_space(c))
			return -EINVAL;
		if (c != '%')
			continue;
		if (at(fmt, len, i + 1) == '%') {
			i++;
			continue;
		}
		if (p->n >= n_args || p->n >= XBPF_BPRINTF_MAX_ARGS)
			return -EINVAL;
		cv = &p->convs[p->n];
		err = prepare_conversion(exec, fmt, len, i, args[p->n], p, cv);
		if (err)
			return err;
		p->n++;
		i = cv->end - 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

/* Counts everything, keeps what fits (the last byte is for the NUL). */
struct sink {
	char *buf;
	size_t size;
	size_t len;
};

static void put_n(struct sink *s, char c, size_t n)
{
	if (s->len + 1 < s->size) {
		size_t fit = s->size - 1 - s->len;

		memset(s->buf + s->len, c, n < fit ? n : fit);
	}
	s->len += n;
}

static void put_text(struct sink *s, const char *text, size_t n)
{
	if (s->len + 1 < s->size) {
		size_t fit = s->size - 1 - s->len;

		memcpy(s->buf + s->len, text, n < fit ? n : fit);
	}
	s->len += n;
}

/* text of n bytes in a field of width, space-padded. */
static void put_field(struct sink *s, const struct conv *cv, const char *text, size_t n)
{
	size_t pad = cv->width > n ? cv->width - n : 0;

	if (!(cv->flags & F_LEFT))
		put_n(s, ' ', pad);
	put_text(s, text, n);
	if (cv->flags & F_LEFT)
		put_n(s, ' ', pad);
}

static void put_number(struct sink *s, uint64_t magnitude, char sign, unsigned base, bool upper, unsigned width,
		       unsigned flags)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char text[24];
	size_t n = sizeof(text), len, pad;

	do {
		text[--n] = digits[magnitude % base];
		magnitude /= base;
	} while (magnitude);
	if (sign)
		text[--n] = sign;
	len = sizeof(text) - n;
	pad = width > len ? width - len : 0;
	if (flags & F_LEFT) {
		put_text(s, text + n, len);
		put_n(s, ' ', pad);
	} else if (flags & F_ZERO) {
		if (sign)
			put_n(s, sign, 1);
		put_n(s, '0', pad);
		put_text(s, text + n + (sign != 0), len - (sign != 0));
	} else {
		put_n(s, ' ', pad);
		put_text(s, text + n, len);
	}
}

static void put_conversion(struct sink *s, const struct conv *cv, const struct prepared *p)
{
	char c;

	switch (cv->kind) {
	case CONV_NUMBER:
		if (cv->type == 'd' || cv->type == 'i') {
			int64_t v = cv->wide ? (int64_t)cv->value : (int64_t)(int32_t)cv->value;
			char sign = v < 0 ? '-' : cv->flags & F_PLUS ? '+' : cv->flags & F_SPACE ? ' ' : 0;

			put_number(s, v < 0 ? -(uint64_t)v : (uint64_t)v, sign, 10, false, cv->width, cv->flags);
		} else {
			put_number(s, cv->value, 0, cv->type == 'u' ? 10 : 16, cv->type == 'X', cv->width, cv->flags);
		}
		break;
	case CONV_POINTER:
		/* Without a width: all 16 digits. */
		put_number(s, cv->value, 0, 16, false, cv->width ? cv->width : 16,
			   cv->width ? cv->flags : cv->flags | F_ZERO);
		break;
	case CONV_CHAR:
		c = (char)cv->value;
		put_field(s, cv, &c, 1);
		break;
	case CONV_TEXT:
		put_field(s, cv, p->room + cv->text, cv->text_len);
		break;
	}
}

/* Literal text between conversions: "%%" prints one '%'. */
static void put_literal(struct sink *s, const char *fmt, size_t from, size_t to)
{
	while (from < to) {
		const char *pct = memchr(fmt + from, '%', to - from);
		size_t n = pct ? (size_t)(pct - fmt) - from : to - from;

		put_text(s, fmt + from, n);
		from += n;
		if (pct) {
			put_n(s, '%', 1);
			from += 2;
		}
	}
}

static size_t output(const struct prepared *p, const char *fmt, size_t len, char *out, size_t out_size)
{
	struct sink s = {out, out_size, 0};
	size_t pos = 0;
	unsigned k;

	for (k = 0; k < p->n; k++) {
		put_literal(&s, fmt, pos, p->convs[k].start);
		put_conversion(&s, &p->convs[k], p);
		pos = p->convs[k].end;
	}
	put_literal(&s, fmt, pos, len);
	if (out_size)
		out[s.len < out_size ? s.len : out_size - 1] = '\0';
	return s.len;
}

int xbpf_bprintf(const struct xbpf_exec *exec, const char *fmt, size_t fmt_len, const uint64_t *args,
		 unsigned n_args, char *out, size_t out_size)
{
	struct prepared p;
	size_t len;
	int err = prepare(exec, fmt, fmt_len, args, n_args, &p);

	if (err)
		return err;
	len = output(&p, fmt, fmt_len, out, out_size);
	return len > INT_MAX ? INT_MAX : (int)len;
}
