/* SPDX-License-Identifier: MIT */
/*
 * Reader of bpf_conformance .data files: a line-by-line state machine over
 * section headers, as in section 1 of the corpus README.
 */
#include "data_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum section { SEC_NONE, SEC_ASM, SEC_RESULT, SEC_MEM, SEC_RAW, SEC_ERROR, SEC_IGNORED };

/* Growable text buffer. */
struct text {
	char *buf;
	size_t len, cap;
};

static int text_append(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *p = realloc(t->buf, cap);
		if (!p)
			return -ENOMEM;
		t->buf = p;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
	return 0;
}

struct parser {
	struct data_file *df;
	struct text asm_text, raw_text, mem_text;
	char *last_result; /* last non-blank line of the section, or NULL */
	char *last_error;
	unsigned line;
	char *err;
	size_t err_size;
};

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
	if (p->err_size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err, p->err_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static enum section header_section(const char *line)
{
	if (strstr(line, "asm"))
		return SEC_ASM;
	if (strstr(line, "result"))
		return SEC_RESULT;
	if (strstr(line, "mem"))
		return SEC_MEM;
	if (strstr(line, "raw"))
		return SEC_RAW;
	if (strstr(line, "no register offset") || strstr(line, " c"))
		return SEC_IGNORED;
	if (strstr(line, "error"))
		return SEC_ERROR;
	return SEC_NONE;
}

static char *trimmed_copy(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

/* Strict unsigned parse of a whole string in the given base. */
static bool parse_u64(const char *s, int base, uint64_t *v)
{
	if (!isxdigit((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	*v = strtoull(s, &end, base);
	return errno == 0 && *end == '\0';
}

static int store_last_line(struct parser *p, char **slot, const char *s, size_t n)
{
	char *copy = trimmed_copy(s, n);
	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

static int parse_lines(struct parser *p, const char *text)
{
	enum section sec = SEC_NONE;
	for (const char *s = text; *s;) {
		const char *end = strchr(s, '\n');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		const char *next = s + n + (end != NULL);
		p->line++;

		const char *hash = memchr(s, '#', n);
		if (hash)
			n = (size_t)(hash - s);
		if (n && s[n - 1] == '\r')
			n--;

		int rc = 0;
		char *line = strndup(s, n);
		if (!line)
			return -ENOMEM;
		if (strstr(line, "--")) {
			sec = header_section(line);
			if (sec == SEC_NONE)
				rc = fail(p, "line %u: unknown directive '%s'", p->line, line);
		} else if (!is_blank(s, n)) {
			switch (sec) {
			case SEC_ASM:
				rc = text_append(&p->asm_text, s, n);
				break;
			case SEC_RAW:
				rc = text_append(&p->raw_text, s, n);
				if (!rc)
					rc = text_append(&p->raw_text, "\n", 1);
				break;
			case SEC_MEM:
				rc = text_append(&p->mem_text, s, n);
				if (!rc)
					rc = text_append(&p->mem_text, " ", 1);
				break;
			case SEC_RESULT:
				rc = store_last_line(p, &p->last_result, s, n);
				break;
			case SEC_ERROR:
				rc = store_last_line(p, &p->last_error, s, n);
				break;
			case SEC_NONE:
			case SEC_IGNORED:
				break;
			}
		}
		if (sec == SEC_ERROR)
			p->df->has_error = true;
		if (sec == SEC_ASM)
			p->df->has_asm = true;
		/* Keep line numbers: every line of the file is a line of asm_text. */
		if (!rc)
			rc = text_append(&p->asm_text, "\n", 1);
		free(line);
		if (rc)
			return rc;
		s = next;
	}
	return 0;
}

static bool is_hex_byte(const char *tok)
{
	size_t n = strlen(tok);
	return n >= 1 && n <= 2 && isxdigit((unsigned char)tok[0]) &&
	       (n == 1 || isxdigit((unsigned char)tok[1]));
}

static int parse_mem(struct parser *p)
{
	if (!p->mem_text.buf)
		return 0;
	p->df->mem = malloc(p->mem_text.len / 2 + 1);
	if (!p->df->mem)
		return -ENOMEM;
	char *save;
	for (char *tok = strtok_r(p->mem_text.buf, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (!is_hex_byte(tok))
			return fail(p, "mem: '%s' is not a hex byte", tok);
		p->df->mem[p->df->mem_len++] = (uint8_t)strtoul(tok, NULL, 16);
	}
	return 0;
}

static struct xbpf_insn insn_from_word(uint64_t w)
{
	return xbpf_insn_make((uint8_t)w, (uint8_t)(w >> 8) & 0xf, (uint8_t)(w >> 12) & 0xf,
			      (int16_t)(uint16_t)(w >> 16), (int32_t)(uint32_t)(w >> 32));
}

/* Next whitespace-separated token of *s: 0 when there is none. */
static size_t next_token(const char **s, const char **tok)
{
	while (isspace((unsigned char)**s))
		(*s)++;
	*tok = *s;
	while (**s && !isspace((unsigned char)**s))
		(*s)++;
	return (size_t)(*s - *tok);
}

/* One raw line: 8 two-digit hex bytes, or 64-bit words (0x hex or decimal). */
static int parse_raw_line(struct parser *p, const char *line, struct xbpf_insn *out,
			  size_t *count)
{
	const char *s = line, *tok;
	size_t len, n = 0, n_bytes = 0;
	while ((len = next_token(&s, &tok)) != 0) {
		n++;
		n_bytes += len == 2 && isxdigit((unsigned char)tok[0]) &&
			   isxdigit((unsigned char)tok[1]);
	}
	if (n == 8 && n_bytes == 8) {
		uint64_t w = 0;
		for (unsigned i = 0; i < 8; i++) {
			next_token(&line, &tok);
			w |= (uint64_t)strtoul((char[3]){tok[0], tok[1], 0}, NULL, 16) << (8 * i);
		}
		out[(*count)++] = insn_from_word(w);
		return 0;
	}
	for (s = line; (len = next_token(&s, &tok)) != 0;) {
		char word[32];
		uint64_t w;
		if (len >= sizeof(word))
			return fail(p, "raw: '%.*s' is not a 64-bit instruction word", (int)len, tok);
		memcpy(word, tok, len);
		word[len] = '\0';
		bool ok = (word[0] == '0' && (word[1] == 'x' || word[1] == 'X'))
				  ? parse_u64(word + 2, 16, &w)
				  : parse_u64(word, 10, &w);
		if (!ok)
			return fail(p, "raw: '%s' is not a 64-bit instruction word", word);
		out[(*count)++] = insn_from_word(w);
	}
	return 0;
}

static int parse_raw(struct parser *p)
{
	if (!p->raw_text.buf)
		return 0;
	/* Each word takes at least two characters with its separator. */
	p->df->raw = calloc(p->raw_text.len / 2 + 1, sizeof(*p->df->raw));
	if (!p->df->raw)
		return -ENOMEM;
	char *save;
	for (char *line = strtok_r(p->raw_text.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int rc = parse_raw_line(p, line, p->df->raw, &p->df->raw_count);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_result(struct parser *p)
{
	if (!p->last_result)
		return 0;
	p->df->has_result = true;
	const char *hex = strstr(p->last_result, "0x");
	bool ok = hex ? hex == p->last_result && parse_u64(hex + 2, 16, &p->df->result)
		      : parse_u64(p->last_result, 10, &p->df->result);
	if (!ok)
		return fail(p, "result: '%s' is not a 64-bit number", p->last_result);
	return 0;
}

int data_file_parse(const char *text, struct data_file *df, char *err, size_t err_size)
{
	memset(df, 0, sizeof(*df));
	struct parser p = {.df = df, .err = err, .err_size = err_size};
	if (err_size)
		err[0] = '\0';
	int rc = parse_lines(&p, text);
	if (!rc)
		rc = parse_mem(&p);
	if (!rc)
		rc = parse_raw(&p);
	if (!rc)
		rc = parse_result(&p);
	if (!rc && df->has_error) {
		df->error = p.last_error ? p.last_error : strdup("");
		p.last_error = NULL;
		if (!df->error)
			rc = -ENOMEM;
	}
	if (!rc) {
		df->asm_text = p.asm_text.buf;
		p.asm_text.buf = NULL;
	}
	free(p.asm_text.buf);
	free(p.raw_text.buf);
	free(p.mem_text.buf);
	free(p.last_result);
	free(p.last_error);
	if (rc == -ENOMEM && err_size)
		snprintf(err, err_size, "out of memory");
	if (rc)
		data_file_free(df);
	return rc;
}

void data_file_free(struct data_file *df)
{
	free(df->asm_text);
	free(df->raw);
	free(df->mem);
	free(df->error);
	memset(df, 0, sizeof(*df));
}
