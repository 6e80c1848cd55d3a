/* SPDX-License-Identifier: MIT */
/*
 * A small JSON reader for what `xbpf run --json` prints: the whole text
 * becomes a tree of values. Strict RFC 8259 syntax; strings may hold \u
 * escapes below 0x80 only (the CLI prints nothing else).
 */
#ifndef XBPF_TESTS_DIFF_JSON_H
#define XBPF_TESTS_DIFF_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_kind {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_kind kind;
	double number;
	char *string;       /* JSON_STRING */
	size_t n;           /* items of an array or members of an object */
	struct json *items;
	char **keys;        /* JSON_OBJECT: the member names */
};

/* Parses text. Returns 0, -EINVAL with the offset and the reason in why, or
 * -ENOMEM. */
int json_parse(const char *text, struct json *out, char *why, size_t why_size);

/* The member of an object called key, or NULL (also when obj is no object
 * or NULL). */
const struct json *json_member(const struct json *obj, const char *key);

void json_free(struct json *j);

#endif /* XBPF_TESTS_DIFF_JSON_H */
