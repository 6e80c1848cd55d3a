/* SPDX-License-Identifier: MIT */
/*
 * The bpf_conformance corpus as the conformance tests see it: where it is,
 * its test files in order, and each file turned into a program to run with
 * what it expects (corpus README, sections 1 and 5).
 */
#ifndef XBPF_TESTS_CONFORMANCE_CORPUS_H
#define XBPF_TESTS_CONFORMANCE_CORPUS_H

#include <stddef.h>

#include "data_file.h"
#include "isa/insn.h"

/* Exit status of a test that cannot run here (ctest's SKIP_RETURN_CODE). */
#define CORPUS_EXIT_SKIP 77

/* $XBPF_CONFORMANCE_DIR, else the folder the build was configured with. */
const char *corpus_dir(void);

/* The *.data files directly in dir, as malloc()ed paths sorted by name.
 * Returns 0 or -errno (-ENOENT when dir does not exist). */
int corpus_list(const char *dir, char ***paths, size_t *count);
void corpus_list_free(char **paths, size_t count);

/* The file name of a path. */
const char *corpus_base_name(const char *path);

/*
 * A file with an error section expects the program to be refused or to fail,
 * whatever the message (ours differ from upstream's), even when the section
 * is empty: that is how negative/unused-*.data say "reject this" (README,
 * section 7), where upstream would skip them.
 */
enum case_status {
	CASE_READY,   /* a program to run, and a result or an error to expect */
	CASE_SKIP,    /* nothing to check: no result and no error, or no code */
	CASE_BAD_FILE, /* the file cannot be read or parsed */
	CASE_BAD_ASM, /* its asm section does not assemble */
};

struct test_case {
	struct data_file df;
	struct xbpf_insn *insns; /* from the raw section if it has one, else assembled */
	size_t count;
	char why[256]; /* what is wrong, or why the case is skipped */
};

enum case_status test_case_load(const char *path, struct test_case *tc);
void test_case_free(struct test_case *tc);

#endif /* XBPF_TESTS_CONFORMANCE_CORPUS_H */
