/* SPDX-License-Identifier: MIT */
/*
 * Reader of bpf_conformance test files (.data): the sections asm, raw, mem,
 * result and error, as the corpus README (section 1) specifies them.
 */
#ifndef XBPF_TESTS_CONFORMANCE_DATA_FILE_H
#define XBPF_TESTS_CONFORMANCE_DATA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa/insn.h"

struct data_file {
	/* The asm section, with every line of the file that is not part of it
	 * left blank, so that assembler messages name lines of the file. */
	char *asm_text;
	bool has_asm; /* there is an asm section (it may be empty) */
	/* The raw section, in either spelling (64-bit words, or 8 hex bytes a line). */
	struct xbpf_insn *raw;
	size_t raw_count;
	uint8_t *mem;
	size_t mem_len;
	bool has_result; /* the result section has a value: its last line */
	uint64_t result;
	bool has_error; /* there is an error section (it may be empty) */
	char *error;    /* its last line; "" when it is empty */
};

/* Parses text (NUL-terminated). Returns 0, -EINVAL with err saying which
 * line is wrong (including an unknown directive, upon which upstream skips
 * the file), or -ENOMEM. */
int data_file_parse(const char *text, struct data_file *df, char *err, size_t err_size);

void data_file_free(struct data_file *df);

#endif /* XBPF_TESTS_CONFORMANCE_DATA_FILE_H */
