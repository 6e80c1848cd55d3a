/* SPDX-License-Identifier: MIT */
/* A small JSON reader (see json.h): recursive descent over the text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Deeper nesting than the CLI's output is refused rather than recursed. */
#define MAX_DEPTH 32

struct parser {
	const char *text;
	const char *p;
	char *why;
	size_t why_size;
};

static int error(struct parser *ps, const char *fmt, ...)
{
	int used = snprintf(ps->why, ps->why_size, "offset %zu: ", (size_t)(ps->p - ps->text));
	va_list ap;

	if (used >= 0 && (size_t)used < ps->why_size) {
		va_start(ap, fmt);
		vsnprintf(ps->why + used, ps->why_size - (size_t)used, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void skip_space(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static int parse_value(struct parser *ps, struct json *out, int depth);

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string at ps->p (on its opening quote) into a new buffer. */
static int parse_string(struct parser *ps, char **out)
{
	const char *start = ++ps->p;
	size_t cap = 16, len = 0;
	char *s = malloc(cap);

	if (!s)
		return -ENOMEM;
	while (*ps->p != '"') {
		char c = *ps->p;

		if (c == '\0' || (unsigned char)c < 0x20) {
			free(s);
			return error(ps, "unterminated string started at offset %zu",
				     (size_t)(start - ps->text));
		}
		if (c == '\\') {
			static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
			const char *e;

			c = *++ps->p;
			if (c == 'u') {
				int v = 0, i;

				for (i = 1; i <= 4; i++) {
					int d = hex_digit(ps->p[i]);

					if (d < 0) {
						free(s);
						return error(ps, "bad \\u escape");
					}
					v = v << 4 | d;
				}
				if (v == 0 || v >= 0x80) {
					free(s);
					return error(ps, "\\u%04x is not supported", v);
				}
				ps->p += 4;
				c = (char)v;
			} else {
				for (e = escapes; *e && *e != c; e += 2)
					;
				if (!*e) {
					free(s);
					return error(ps, "bad escape \\%c", c);
				}
				c = e[1];
			}
		}
		if (len + 2 > cap) {
			char *bigger = realloc(s, cap *= 2);

			if (!bigger) {
				free(s);
				return -ENOMEM;
			}
			s = bigger;
		}
		s[len++] = c;
		ps->p++;
	}
	ps->p++;
	s[len] = '\0';
	*out = s;
	return 0;
}

static const char *skip_digits(const char *p)
{
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int parse_number(struct parser *ps, struct json *out)
{
	const char *q = ps->p;
	char copy[64];

	if (*q == '-')
		q++;
	if (*q < '0' || *q > '9')
		return error(ps, "unexpected character '%c'", *ps->p);
	q = *q == '0' ? q + 1 : skip_digits(q);
	if (*q == '.') {
		if (q[1] < '0' || q[1] > '9')
			return error(ps, "a digit must follow the decimal point");
		q = skip_digits(q + 1);
	}
	if (*q == 'e' || *q == 'E') {
		q += q[1] == '+' || q[1] == '-' ? 2 : 1;
		if (*q < '0' || *q > '9')
			return error(ps, "a digit must follow the exponent");
		q = skip_digits(q);
	}
	if ((size_t)(q - ps->p) >= sizeof(copy))
		return error(ps, "number too long");
	/* strtod alone would also take hexadecimal and "inf". */
	memcpy(copy, ps->p, (size_t)(q - ps->p));
	copy[q - ps->p] = '\0';
	out->kind = JSON_NUMBER;
	out->number = strtod(copy, NULL);
	ps->p = q;
	return 0;
}

/* Items of an array or members of an object, until the closing bracket. */
static int parse_items(struct parser *ps, struct json *out, char close, int depth)
{
	bool object = close == '}';
	size_t cap = 0;
	int err;

	out->kind = object ? JSON_OBJECT : JSON_ARRAY;
	ps->p++;
	skip_space(ps);
	if (*ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (out->n == cap) {
			struct json *items = realloc(out->items, (cap = cap ? 2 * cap : 4) * sizeof(*items));
			char **keys = object ? realloc(out->keys, cap * sizeof(*keys)) : NULL;

			if (items)
				out->items = items;
			if (keys)
				out->keys = keys;
			if (!items || (object && !keys))
				return -ENOMEM;
		}
		skip_space(ps);
		if (object) {
			if (*ps->p != '"')
				return error(ps, "expected a member name");
			err = parse_string(ps, &out->keys[out->n]);
			if (err)
				return err;
			skip_space(ps);
			if (*ps->p != ':') {
				free(out->keys[out->n]);
				return error(ps, "expected ':'");
			}
			ps->p++;
		}
		memset(&out->items[out->n], 0, sizeof(out->items[0]));
		err = parse_value(ps, &out->items[out->n], depth + 1);
		out->n++; /* freed with the rest even when incomplete */
		if (err)
			return err;
		skip_space(ps);
		if (*ps->p == close) {
			ps->p++;
			return 0;
		}
		if (*ps->p != ',')
			return error(ps, "expected ',' or '%c'", close);
		ps->p++;
	}
}

static int parse_literal(struct parser *ps, struct json *out, const char *word,
			 enum json_kind kind)
{
	size_t len = strlen(word);

	if (strncmp(ps->p, word, len) != 0)
		return error(ps, "unexpected character '%c'", *ps->p);
	ps->p += len;
	out->kind = kind;
	return 0;
}

static int parse_value(struct parser *ps, struct json *out, int depth)
{
	if (depth > MAX_DEPTH)
		return error(ps, "nested more than %d deep", MAX_DEPTH);
	skip_space(ps);
	switch (*ps->p) {
	case '{':
		return parse_items(ps, out, '}', depth);
	case '[':
		return parse_items(ps, out, ']', depth);
	case '"':
		out->kind = JSON_STRING;
		return parse_string(ps, &out->string);
	case 't':
		return parse_literal(ps, out, "true", JSON_TRUE);
	case 'f':
		return parse_literal(ps, out, "false", JSON_FALSE);
	case 'n':
		return parse_literal(ps, out, "null", JSON_NULL);
	case '\0':
		return error(ps, "unexpected end of the text");
	default:
		return parse_number(ps, out);
	}
}

int json_parse(const char *text, struct json *out, char *why, size_t why_size)
{
	struct parser ps = {.text = text, .p = text, .why = why, .why_size = why_size};
	int err;

	memset(out, 0, sizeof(*out));
	err = parse_value(&ps, out, 0);
	if (!err) {
		skip_space(&ps);
		if (*ps.p)
			err = error(&ps, "text after the value");
	}
	if (err)
		json_free(out);
	return err;
}

const struct json *json_member(const struct json *obj, const char *key)
{
	size_t i;

	if (!obj || obj->kind != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->n; i++) {
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	}
	return NULL;
}

void json_free(struct json *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		json_free(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->string);
	memset(j, 0, sizeof(*j));
}
