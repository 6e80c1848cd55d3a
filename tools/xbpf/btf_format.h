/* SPDX-License-Identifier: MIT */
/*
 * Values as JSON through their BTF type, as `bpftool map dump` prints
 * them: structs and unions as objects with their field names (anonymous
 * members merged into the parent, as C sees them), integers as numbers,
 * char arrays as strings, other arrays as lists, enums by the name of
 * their value, bitfields as numbers, pointers as hex strings, a DATASEC
 * (global data) as an object of its variables.
 */
#ifndef XBPF_TOOLS_BTF_FORMAT_H
#define XBPF_TOOLS_BTF_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct btf; /* libbpf */

/*
 * Writes the value at data (size bytes) of BTF type type_id to out as one
 * line of JSON. Returns 0, or -EINVAL when type_id is not a type with a
 * size, or its size is more than size, or the types nest deeper than 32;
 * out may then hold part of a value.
 */
int cli_btf_format(FILE *out, const struct btf *btf, uint32_t type_id, const void *data,
		   size_t size);

/* Writes s (len bytes, or up to the first NUL) as a JSON string. */
void cli_json_string(FILE *out, const char *s, size_t len);

#endif /* XBPF_TOOLS_BTF_FORMAT_H */
