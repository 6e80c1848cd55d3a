/* SPDX-License-Identifier: MIT */
/*
 * Writes the programs of every conformance test, assembled as the runner
 * assembles them, one after the other as raw instructions, so that the
 * disassembler test can hand them all to llvm-objdump at once (jumps stay
 * inside each program).
 *
 * Usage: corpus_programs DIR OUT. Exit status 77 when DIR does not exist.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "corpus.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CORPUS_DIR OUT\n", argv[0]);
		return 2;
	}
	char **paths;
	size_t n;
	int rc = corpus_list(argv[1], &paths, &n);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-rc));
		return rc == -ENOENT ? CORPUS_EXIT_SKIP : 1;
	}
	FILE *out = fopen(argv[2], "wb");
	if (!out) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
		corpus_list_free(paths, n);
		return 1;
	}
	int status = 0;
	for (size_t i = 0; i < n && status == 0; i++) {
		struct test_case tc;
		enum case_status cs = test_case_load(paths[i], &tc);
		if (cs == CASE_READY) {
			if (fwrite(tc.insns, sizeof(*tc.insns), tc.count, out) != tc.count)
				status = 1;
		} else if (cs != CASE_SKIP) {
			fprintf(stderr, "%s: %s\n", paths[i], tc.why);
			status = 1;
		}
		test_case_free(&tc);
	}
	if (fclose(out) != 0)
		status = 1;
	corpus_list_free(paths, n);
	return status;
}
