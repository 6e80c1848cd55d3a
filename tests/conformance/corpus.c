/* SPDX-License-Identifier: MIT */
/* Locating and reading the bpf_conformance corpus (see corpus.h). */
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "isa/asm.h"

const char *corpus_dir(void)
{
	const char *env = getenv("XBPF_CONFORMANCE_DIR");
	return env && *env ? env : XBPF_CONFORMANCE_DEFAULT_DIR;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int corpus_list(const char *dir, char ***paths, size_t *count)
{
	*paths = NULL;
	*count = 0;
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	char **list = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".data") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 512;
			char **p = realloc(list, cap * sizeof(*list));
			if (!p) {
				rc = -ENOMEM;
				break;
			}
			list = p;
		}
		size_t size = strlen(dir) + len + 2;
		list[n] = malloc(size);
		if (!list[n]) {
			rc = -ENOMEM;
			break;
		}
		snprintf(list[n++], size, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (rc) {
		corpus_list_free(list, n);
		return rc;
	}
	if (n)
		qsort(list, n, sizeof(*list), compare_paths);
	*paths = list;
	*count = n;
	return 0;
}

void corpus_list_free(char **paths, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(paths[i]);
	free(paths);
}

const char *corpus_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Do the assembled instructions equal the raw section? */
static bool same_code(const struct test_case *tc, char *why, size_t size)
{
	if (tc->count != tc->df.raw_count) {
		snprintf(why, size, "%zu slots assembled, %zu raw", tc->count, tc->df.raw_count);
		return false;
	}
	for (size_t i = 0; i < tc->count; i++) {
		if (memcmp(&tc->insns[i], &tc->df.raw[i], sizeof(tc->insns[i])) != 0) {
			snprintf(why, size, "slot %zu", i);
			return false;
		}
	}
	return true;
}

enum case_status test_case_load(const char *path, struct test_case *tc)
{
	memset(tc, 0, sizeof(*tc));
	char *text;
	size_t len;
	int rc = cli_read_file(path, &text, &len);
	if (rc) {
		snprintf(tc->why, sizeof(tc->why), "%s", strerror(-rc));
		return CASE_BAD_FILE;
	}
	char err[200];
	rc = data_file_parse(text, &tc->df, err, sizeof(err));
	free(text);
	if (rc) {
		snprintf(tc->why, sizeof(tc->why), "%s", err);
		return CASE_BAD_FILE;
	}
	if (!tc->df.has_result && !tc->df.has_error) {
		snprintf(tc->why, sizeof(tc->why), "no result and no error to expect");
		return CASE_SKIP;
	}
	if (tc->df.has_asm) {
		rc = xbpf_asm(tc->df.asm_text, &tc->insns, &tc->count, err, sizeof(err));
		if (rc) {
			snprintf(tc->why, sizeof(tc->why), "asm: %s", err);
			return CASE_BAD_ASM;
		}
	}
	if (tc->df.raw_count) {
		/* The raw section is the program; an asm section must say the same. */
		if (tc->df.has_asm && !same_code(tc, err, sizeof(err))) {
			snprintf(tc->why, sizeof(tc->why), "asm and raw sections differ: %s", err);
			return CASE_BAD_ASM;
		}
		free(tc->insns);
		tc->insns = tc->df.raw;
		tc->count = tc->df.raw_count;
		tc->df.raw = NULL;
	}
	if (tc->count == 0) {
		snprintf(tc->why, sizeof(tc->why), "no instructions");
		return CASE_SKIP;
	}
	return CASE_READY;
}

void test_case_free(struct test_case *tc)
{
	data_file_free(&tc->df);
	free(tc->insns);
	memset(tc, 0, sizeof(*tc));
}
