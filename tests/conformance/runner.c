/* SPDX-License-Identifier: MIT */
/*
 * Conformance runner: every test of the bpf_conformance corpus on every
 * engine of the build, in process, through the code `xbpf exec` runs
 * programs with (tools/xbpf/run.c: validation, preparation, r1/r2 and
 * helper 5). One line per test and engine, PASS / FAIL / ERROR / SKIP, then
 * "Passed X out of Y tests."; the exit status is non-zero unless X == Y.
 *
 * Then self-checks on the corpus's negative/ folder, which upstream uses to
 * test its own runner and assembler (README, section 7): each one asserts
 * that this runner, the assembler or the validator behaves as it must. They
 * are reported apart and do not count as tests.
 *
 * Usage: conformance_runner [DIR]  (default: corpus_dir()).
 * Exit status 77 (skip) when the corpus is not there.
 *
 * Each engine's result is compared with the expected value; engines that
 * all match it agree with each other, so no separate agreement check.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "run.h"

enum verdict { PASS, FAIL, ERROR, SKIP };

static const char *const verdict_names[] = {"PASS", "FAIL", "ERROR", "SKIP"};

/* Runs the case on engine with a private copy of its memory. */
static void run_case(const struct test_case *tc, const struct xbpf_engine_ops *engine,
		     struct cli_run_result *result)
{
	uint8_t *mem = NULL;
	if (tc->df.mem_len) {
		mem = malloc(tc->df.mem_len);
		if (!mem) {
			*result = (struct cli_run_result){.outcome = CLI_RUN_FAILED, .error = -ENOMEM};
			snprintf(result->message, sizeof(result->message), "out of memory");
			return;
		}
		memcpy(mem, tc->df.mem, tc->df.mem_len);
	}
	cli_run_program(engine, tc->insns, tc->count, mem, tc->df.mem_len, result);
	free(mem);
}

/* What a run means for a test: an expected error wants any failure, an
 * expected result the same 64-bit r0. */
static enum verdict judge(const struct test_case *tc, const struct cli_run_result *result,
			  char *why, size_t size)
{
	if (tc->df.has_error) {
		if (result->outcome != CLI_RUN_DONE) {
			snprintf(why, size, "failed as expected: %s", result->message);
			return PASS;
		}
		snprintf(why, size, "expected a failure, got r0 = 0x%" PRIx64, result->r0);
		return FAIL;
	}
	if (result->outcome != CLI_RUN_DONE) {
		snprintf(why, size, "%s", result->message);
		return ERROR;
	}
	if (result->r0 != tc->df.result) {
		snprintf(why, size, "expected 0x%" PRIx64 ", got 0x%" PRIx64, tc->df.result,
			 result->r0);
		return FAIL;
	}
	why[0] = '\0';
	return PASS;
}

static void report(enum verdict v, const char *name, const char *engine, const char *why)
{
	printf("%s: %s", verdict_names[v], name);
	if (engine)
		printf(" [%s]", engine);
	if (why && *why)
		printf(": %s", why);
	putchar('\n');
}

struct tally {
	size_t passed, counted;
};

static void run_file(const char *path, struct tally *t)
{
	const char *name = corpus_base_name(path);
	struct test_case tc;
	switch (test_case_load(path, &tc)) {
	case CASE_READY:
		break;
	case CASE_SKIP:
		report(SKIP, name, NULL, tc.why);
		test_case_free(&tc);
		return;
	case CASE_BAD_FILE:
	case CASE_BAD_ASM:
		report(ERROR, name, NULL, tc.why);
		t->counted++;
		test_case_free(&tc);
		return;
	}
	for (size_t e = 0; e < cli_n_engines; e++) {
		struct cli_run_result result;
		char why[CLI_RUN_MESSAGE_SIZE + 64];
		run_case(&tc, cli_engines[e], &result);
		enum verdict v = judge(&tc, &result, why, sizeof(why));
		report(v, name, cli_engines[e]->name, why);
		t->counted++;
		t->passed += v == PASS;
	}
	test_case_free(&tc);
}

/* ------------------------------------------------------------------------ */
/* Self-checks on negative/                                                 */
/* ------------------------------------------------------------------------ */

enum check { CHECK_OK, CHECK_FAILED, CHECK_NOT_CHECKED };

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* unused-*: one reserved field set; the validator must refuse the program. */
static enum check check_rejected(const struct test_case *tc, char *why, size_t size)
{
	struct cli_run_result result;
	run_case(tc, cli_engines[0], &result);
	if (result.outcome == CLI_RUN_REJECTED) {
		snprintf(why, size, "refused: %s", result.message);
		return CHECK_OK;
	}
	snprintf(why, size, "the validator accepted it (%s)",
		 result.outcome == CLI_RUN_DONE ? "it ran" : result.message);
	return CHECK_FAILED;
}

/* incorrect_return_value_high_bits: the expected value is wrong in its high
 * 32 bits only, so the comparison must report FAIL on every engine. */
static enum check check_judged_fail(const struct test_case *tc, char *why, size_t size)
{
	for (size_t e = 0; e < cli_n_engines; e++) {
		struct cli_run_result result;
		char verdict_why[CLI_RUN_MESSAGE_SIZE + 64];
		run_case(tc, cli_engines[e], &result);
		enum verdict v = judge(tc, &result, verdict_why, sizeof(verdict_why));
		if (v != FAIL) {
			snprintf(why, size, "[%s] judged %s instead of FAIL (%s)", cli_engines[e]->name,
				 verdict_names[v], verdict_why);
			return CHECK_FAILED;
		}
		snprintf(why, size, "judged FAIL: %s", verdict_why);
	}
	return CHECK_OK;
}

/* error.data reads r0 before writing it: only a verifier can refuse that. */
static enum check check_refused_by_verifier(const struct test_case *tc, char *why, size_t size)
{
	struct cli_run_result result;
	run_case(tc, cli_engines[0], &result);
	if (result.outcome != CLI_RUN_DONE) {
		snprintf(why, size, "refused: %s", result.message);
		return CHECK_OK;
	}
	snprintf(why, size, "it reads r0 before writing it, which the structural validator "
			    "does not look at; a verifier must refuse it");
	return CHECK_NOT_CHECKED;
}

static enum check self_check(const char *path, char *why, size_t size)
{
	const char *name = corpus_base_name(path);
	struct test_case tc;
	enum case_status status = test_case_load(path, &tc);
	enum check c = CHECK_FAILED;

	if (has_prefix(name, "invalid_")) {
		/* Assembler error cases; one is an unknown directive of the file. */
		if (status == CASE_BAD_ASM || status == CASE_BAD_FILE) {
			snprintf(why, size, "refused: %s", tc.why);
			c = CHECK_OK;
		} else {
			snprintf(why, size, "it assembled");
		}
	} else if (has_prefix(name, "empty")) {
		if (status == CASE_SKIP) {
			snprintf(why, size, "skipped: %s", tc.why);
			c = CHECK_OK;
		} else {
			snprintf(why, size, "not skipped");
		}
	} else if (status != CASE_READY) {
		snprintf(why, size, "cannot load: %s", tc.why);
	} else if (has_prefix(name, "unused-")) {
		c = check_rejected(&tc, why, size);
	} else if (strcmp(name, "incorrect_return_value_high_bits.data") == 0) {
		c = check_judged_fail(&tc, why, size);
	} else if (strcmp(name, "error.data") == 0) {
		c = check_refused_by_verifier(&tc, why, size);
	} else {
		snprintf(why, size, "no self-check knows this file");
	}
	test_case_free(&tc);
	return c;
}

/* Returns the number of failed self-checks. */
static size_t self_checks(const char *dir)
{
	char **paths;
	size_t n;
	int rc = corpus_list(dir, &paths, &n);
	if (rc) {
		printf("Self-checks: none (%s: %s)\n", dir, strerror(-rc));
		return 0;
	}
	static const char *const labels[] = {"ok", "FAILED", "not checked"};
	size_t counts[3] = {0};
	for (size_t i = 0; i < n; i++) {
		char why[CLI_RUN_MESSAGE_SIZE + 128];
		enum check c = self_check(paths[i], why, sizeof(why));
		counts[c]++;
		printf("SELF-CHECK %s: negative/%s: %s\n", labels[c], corpus_base_name(paths[i]), why);
	}
	corpus_list_free(paths, n);
	printf("Self-checks: %zu ok, %zu failed, %zu not checked.\n", counts[CHECK_OK],
	       counts[CHECK_FAILED], counts[CHECK_NOT_CHECKED]);
	return counts[CHECK_FAILED];
}

int main(int argc, char **argv)
{
	if (argc > 2) {
		fprintf(stderr, "usage: %s [CORPUS_DIR]\n", argv[0]);
		return 2;
	}
	const char *dir = argc == 2 ? argv[1] : corpus_dir();
	char **paths;
	size_t n;
	int rc = corpus_list(dir, &paths, &n);
	if (rc == -ENOENT) {
		printf("SKIP: no conformance corpus at %s (set XBPF_CONFORMANCE_DIR to its "
		       "bpf_conformance folder)\n", dir);
		return CORPUS_EXIT_SKIP;
	}
	if (rc) {
		printf("ERROR: %s: %s\n", dir, strerror(-rc));
		return 1;
	}

	struct tally t = {0};
	for (size_t i = 0; i < n; i++)
		run_file(paths[i], &t);
	corpus_list_free(paths, n);
	printf("Passed %zu out of %zu tests.\n", t.passed, t.counted);

	size_t negative_len = strlen(dir) + sizeof("/negative");
	char *negative = malloc(negative_len);
	if (!negative)
		return 1;
	snprintf(negative, negative_len, "%s/negative", dir);
	size_t failed_checks = self_checks(negative);
	free(negative);

	return t.passed == t.counted && t.counted > 0 && failed_checks == 0 ? 0 : 1;
}
