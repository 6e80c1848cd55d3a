/* SPDX-License-Identifier: MIT */
/*
 * xdp_differential: runs every program of programs.c over the frames of
 * packets.c in the Linux kernel (twice: the oracle must repeat itself) and
 * on xbpf, and requires the same return values, output frames and map
 * contents. It also checks that the frames draw the verdicts the program
 * table promises, so that the comparison cannot become vacuous.
 *
 * Usage: xdp_differential [-v] OBJECT_DIR
 *   -v  print every map's contents after the run
 * Exit status: 0 when everything ran and agreed, 1 on a difference or an
 * error, 77 (a skip for ctest) when the kernel cannot run XDP programs here
 * or refused every program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "kernel_runner.h"
#include "packets.h"
#include "programs.h"
#include "result.h"
#include "xbpf_runner.h"

#define EXIT_SKIP 77

static void print_verdicts(const struct diff_result *r)
{
	size_t i, refused = 0, counts[8] = {0}, other = 0;
	uint32_t v;

	for (i = 0; i < r->n_runs; i++) {
		if (r->runs[i].err)
			refused++;
		else if (r->runs[i].retval < 8)
			counts[r->runs[i].retval]++;
		else
			other++;
	}
	printf("%zu frames:", r->n_runs);
	if (refused)
		printf(" %zu refused by test_run,", refused);
	for (v = 0; v < 8; v++) {
		const char *name = diff_action_name(v);

		if (!counts[v])
			continue;
		if (name)
			printf(" %s %zu", name + 4, counts[v]);
		else
			printf(" retval %u: %zu", v, counts[v]);
	}
	if (other)
		printf(" other %zu", other);
	putchar('\n');
}

static void print_maps(const struct diff_result *r, bool verbose)
{
	size_t i, j, k;

	printf("    maps:");
	for (i = 0; i < r->n_maps; i++)
		printf(" %s(%zu)", r->maps[i].name, r->maps[i].n_entries);
	putchar('\n');
	if (!verbose)
		return;
	for (i = 0; i < r->n_maps; i++) {
		const struct diff_map *m = &r->maps[i];

		for (j = 0; j < m->n_entries; j++) {
			printf("      %s ", m->name);
			for (k = 0; m->entries[j].key && k < m->key_size; k++)
				printf("%02x", m->entries[j].key[k]);
			printf(" = ");
			for (k = 0; k < m->value_size; k++)
				printf("%02x", m->entries[j].value[k]);
			putchar('\n');
		}
	}
}

/* The verdicts the table promises must all come up. */
static bool check_verdicts(const struct diff_program *prog, const struct diff_result *r)
{
	uint32_t seen = 0, missing;
	size_t i;

	for (i = 0; i < r->n_runs; i++) {
		if (!r->runs[i].err && r->runs[i].retval < 32)
			seen |= 1u << r->runs[i].retval;
	}
	missing = prog->verdicts & ~seen;
	if (missing)
		printf("FAIL %s: the frames never drew verdict(s) 0x%x from the kernel\n",
		       prog->name, missing);
	return !missing;
}

/* A second kernel run must give the same results, or differences from
 * xbpf would mean nothing. */
static bool oracle_repeats(const char *path, const struct diff_program *prog,
			   const struct diff_packet *pkts, size_t n_pkts,
			   const struct diff_result *first)
{
	struct diff_result again = {0};
	char why[2048];
	size_t found;
	int err = diff_kernel_run(path, prog, pkts, n_pkts, &again, why, sizeof(why));

	if (err) {
		printf("FAIL %s: second kernel run: %s\n", prog->name, why);
		diff_result_free(&again);
		return false;
	}
	found = diff_compare(prog->name, (struct diff_side){"kernel", first},
			     (struct diff_side){"kernel again", &again}, pkts, stdout);
	diff_result_free(&again);
	if (found)
		printf("FAIL %s: the kernel does not repeat its own results\n", prog->name);
	return found == 0;
}

enum outcome {
	PROGRAM_AGREED,
	PROGRAM_SKIPPED,
	PROGRAM_FAILED,
};

/* Runs one program on both sides and compares. */
static enum outcome run_program(const char *dir, const struct diff_program *prog,
				const struct diff_packet *pkts, size_t n_pkts, bool verbose)
{
	struct diff_result kernel = {0}, xbpf = {0};
	enum outcome outcome = PROGRAM_FAILED;
	char path[4096], why[4096];
	size_t found;
	int err;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, prog->object);
	err = diff_kernel_run(path, prog, pkts, n_pkts, &kernel, why, sizeof(why));
	if (err == DIFF_REFUSED) {
		printf("SKIP %s: %s\n", prog->name, why);
		outcome = PROGRAM_SKIPPED;
		goto out;
	}
	if (err) {
		printf("FAIL %s: kernel: %s\n", prog->name, why);
		goto out;
	}
	printf("%-14s kernel: ", prog->name);
	print_verdicts(&kernel);
	print_maps(&kernel, verbose);
	if (!check_verdicts(prog, &kernel) || !oracle_repeats(path, prog, pkts, n_pkts, &kernel))
		goto out;
	err = diff_xbpf_run(path, prog, pkts, n_pkts, &xbpf, why, sizeof(why));
	if (err) {
		printf("FAIL %s: xbpf: %s\n", prog->name, why);
		goto out;
	}
	found = diff_compare(prog->name, (struct diff_side){"kernel", &kernel},
			     (struct diff_side){"xbpf", &xbpf}, pkts, stdout);
	if (found) {
		printf("FAIL %s: %zu differences between the kernel and xbpf\n", prog->name, found);
		goto out;
	}
	printf("%-14s xbpf:   the same return values, frames and maps\n", "");
	if (verbose)
		print_maps(&xbpf, verbose);
	outcome = PROGRAM_AGREED;
out:
	diff_result_free(&kernel);
	diff_result_free(&xbpf);
	return outcome;
}

int main(int argc, char **argv)
{
	size_t n_pkts, i, agreed = 0, failed = 0;
	struct diff_packet *pkts;
	bool verbose = false;
	const char *dir;
	char why[1024];
	int err;

	if (argc == 3 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s [-v] OBJECT_DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	if (diff_kernel_usable(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	err = diff_pin_to_one_cpu();
	if (err) {
		printf("FAIL: cannot pin to one CPU: %s\n", strerror(-err));
		return 1;
	}
	if (diff_packets_generate(&pkts, &n_pkts)) {
		printf("FAIL: out of memory\n");
		return 1;
	}
	for (i = 0; i < diff_n_programs; i++) {
		switch (run_program(dir, &diff_programs[i], pkts, n_pkts, verbose)) {
		case PROGRAM_AGREED:
			agreed++;
			break;
		case PROGRAM_FAILED:
			failed++;
			break;
		case PROGRAM_SKIPPED:
			break;
		}
	}
	free(pkts);
	if (failed) {
		printf("%zu of %zu programs failed\n", failed, diff_n_programs);
		return 1;
	}
	if (agreed == 0) {
		printf("SKIP: the kernel refused every program\n");
		return EXIT_SKIP;
	}
	printf("%zu of %zu programs give the kernel's results on xbpf\n", agreed, diff_n_programs);
	return 0;
}
