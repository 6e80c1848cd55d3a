/* SPDX-License-Identifier: MIT */
/*
 * The shared benchmark suite under `make bench`: each of the six programs of
 * SHARED_DIR/bench on every xbpf engine, in the Linux kernel (skipped with
 * the reason where it refuses) and as native C, in one process. Samples of
 * the contenders alternate (A B C D A B C D ...), so a machine whose speed
 * drifts slows them alike and the ratios stay meaningful. Every result is
 * checked against the suite's README; a wrong one makes the exit status 1.
 *
 * Usage: xbpf_bench_suite SHARED_DIR BPF_OBJECT_DIR [SAMPLES [MS_PER_SAMPLE]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suite.h"
#include "../bench_time.h"

#define MAX_RUNNERS (XBPF_ENGINE_COUNT + 3)
#define ALU_ITERS 1000 /* ALU_ITERS of progs/alu_loop.c */

enum { KERNEL = XBPF_ENGINE_COUNT, NATIVE_INLINE, NATIVE_CALLS };

struct contender {
	struct suite_runner r;
	int opened;      /* the current program is open */
	int usable;      /* opened, and no run failed */
	uint64_t runs;   /* runs of the current program */
	uint32_t batch;  /* runs per sample */
	double *samples; /* ns per run */
	double median;
	char why[SUITE_WHY];
};

static struct contender cs[MAX_RUNNERS];
static int n_samples = 7;
static double sample_ns = 20e6;

/* One batch of c's runs; ns per run, or < 0 after an error (in c->why). */
static double time_batch(struct contender *c, const struct suite_packet *pkt, uint32_t repeat,
			 struct suite_outcome *out)
{
	double start = bench_now_ns(), elapsed;
	int err = c->r.run(&c->r, pkt, repeat, out, c->why, sizeof(c->why));

	elapsed = bench_now_ns() - start;
	if (err)
		return -1;
	c->runs += repeat;
	return out->duration_ns > 0 ? out->duration_ns : elapsed / repeat;
}

/* Grows the batch until its runs take about a quarter of a sample. */
static int calibrate(struct contender *c, const struct suite_packet *pkt,
		     struct suite_outcome *out)
{
	uint64_t repeat = 1;

	for (;;) {
		double ns = time_batch(c, pkt, (uint32_t)repeat, out);

		if (ns < 0)
			return -1;
		if (ns * (double)repeat > sample_ns / 4 || repeat >= (1U << 28))
			break;
		repeat *= 2;
	}
	c->batch = (uint32_t)(repeat * 4);
	return 0;
}

static void print_ns(double ns, int usable)
{
	if (usable)
		printf(" %11.1f", ns);
	else
		printf(" %11s", "-");
}

static void print_ratio(double a, double b, int usable)
{
	if (usable)
		printf(" %9.2f", a / b);
	else
		printf(" %9s", "-");
}

static void print_header(void)
{
	printf("%-14s %-12s %11s %11s %11s %11s %9s %9s %9s\n", "program", "xbpf engine",
	       "xbpf", "kernel", "nat-inline", "nat-calls", "/n-inline", "/n-calls", "/kernel");
}

/* Runs program p on every contender; returns the number of failures. */
static int bench_prog(const struct suite_prog *p, const struct suite_packet *pkt,
		      const char *bpf_dir, size_t n)
{
	struct suite_outcome out;
	int failures = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct contender *c = &cs[i];

		c->runs = 0;
		c->opened = c->r.priv && !c->r.open(&c->r, p, c->why, sizeof(c->why));
		c->usable = c->opened && !calibrate(c, pkt, &out);
		if (!c->usable && c->r.priv && !c->r.skip_ok) {
			fprintf(stderr, "error: %s\n", c->why);
			failures++;
		} else if (!c->usable && c->r.skip_ok) {
			printf("# %s skipped for %s: %s\n", c->r.name, p->name, c->why);
		}
	}
	for (int s = 0; s < n_samples; s++)
		for (i = 0; i < n; i++) {
			struct contender *c = &cs[i];

			if (!c->usable)
				continue;
			c->samples[s] = time_batch(c, pkt, c->batch, &out);
			if (c->samples[s] < 0) {
				fprintf(stderr, "error: %s\n", c->why);
				failures++;
				c->usable = 0;
			}
		}
	for (i = 0; i < n; i++) {
		struct contender *c = &cs[i];

		if (!c->usable)
			continue;
		qsort(c->samples, (size_t)n_samples, sizeof(double), bench_cmp_double);
		c->median = n_samples % 2 ? c->samples[n_samples / 2]
					  : (c->samples[n_samples / 2 - 1] + c->samples[n_samples / 2]) / 2;
		/* the outcome of the last batch, and the counters after every run */
		if (time_batch(c, pkt, 1, &out) < 0 ||
		    suite_check(&c->r, p, &out, c->runs, c->why, sizeof(c->why))) {
			fprintf(stderr, "error: WRONG RESULT: %s\n", c->why);
			failures++;
			c->usable = 0;
		}
	}
	for (i = 0; i < XBPF_ENGINE_COUNT; i++) {
		const struct contender *c = &cs[i], *k = &cs[KERNEL];
		const struct contender *ni = &cs[NATIVE_INLINE], *nc = &cs[NATIVE_CALLS];

		printf("%-14s %-12s", p->name, c->r.priv ? c->r.name : xbpf_engine_name(i));
		print_ns(c->median, c->usable);
		print_ns(k->median, k->usable);
		print_ns(ni->median, ni->usable);
		print_ns(nc->median, nc->usable);
		print_ratio(c->median, ni->median, c->usable && ni->usable);
		print_ratio(c->median, nc->median, c->usable && nc->usable);
		print_ratio(c->median, k->median, c->usable && k->usable);
		printf("\n");
	}
	for (i = 0; i < n; i++)
		if (cs[i].opened)
			cs[i].r.close(&cs[i].r);
	return failures;
}

/* alu_loop's instructions per run, counted on the object's instructions. */
static uint64_t alu_loop_insns(const char *bpf_dir)
{
	struct xbpf_runtime *rt = NULL;
	struct xbpf_object *obj = NULL;
	struct xbpf_program *prog;
	char path[4096];
	uint64_t n = 0;

	snprintf(path, sizeof(path), "%s/alu_loop.bpf.o", bpf_dir);
	if (xbpf_runtime_create(&rt))
		return 0;
	xbpf_runtime_set_log(rt, NULL, NULL, XBPF_LOG_ERROR);
	if (!xbpf_object_open_file(rt, path, NULL, &obj)) {
		struct xbpf_extension *xdp = NULL;

		if (!xbpf_extension_load(rt, "xdp", &xdp) && !xbpf_object_load(obj, NULL) &&
		    (prog = xbpf_object_find_program(obj, "alu_loop"))) {
			size_t count;
			const struct xbpf_insn *insns = xbpf_program_insns(prog, &count);

			n = suite_count_loop_insns(insns, count, ALU_ITERS);
		}
		xbpf_object_close(obj);
		if (xdp)
			xbpf_extension_unload(xdp);
	}
	xbpf_runtime_free(rt);
	return n;
}

/* The fixed cost of one run, which every other row includes. */
static void print_empty(const double *ns, const int *ok)
{
	printf("empty run (the fixed cost of one run, part of every row):");
	for (int i = 0; i < MAX_RUNNERS; i++)
		if (ok[i])
			printf(" %s %.1f ns", cs[i].r.name, ns[i]);
	printf("\n");
}

static void print_ns_per_insn(uint64_t insns, const double *alu_ns, const int *alu_ok)
{
	if (!insns) {
		printf("alu_loop: instruction count unknown (the program's loop has an "
		       "unexpected shape), no ns per instruction\n");
		return;
	}
	printf("alu_loop executes %llu instructions per run; ns per instruction:",
	       (unsigned long long)insns);
	for (int i = 0; i < MAX_RUNNERS; i++)
		if (alu_ok[i])
			printf(" %s %.2f%s", cs[i].r.name, alu_ns[i] / (double)insns,
			       i < XBPF_ENGINE_COUNT ? " (aim < 4)" : "");
	printf("\n");
}

int main(int argc, char **argv)
{
	struct suite_packet pkt;
	double alu_ns[MAX_RUNNERS] = {0}, empty_ns[MAX_RUNNERS] = {0};
	int alu_ok[MAX_RUNNERS] = {0}, empty_ok[MAX_RUNNERS] = {0};
	char why[SUITE_WHY];
	const char *shared, *bpf_dir;
	int failures = 0;
	size_t i, p;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SHARED_DIR BPF_OBJECT_DIR [SAMPLES [MS_PER_SAMPLE]]\n",
			argv[0]);
		return 2;
	}
	shared = argv[1];
	bpf_dir = argv[2];
	if (argc > 3 && atoi(argv[3]) > 0)
		n_samples = atoi(argv[3]);
	if (argc > 4 && atof(argv[4]) > 0)
		sample_ns = atof(argv[4]) * 1e6;
	if (suite_read_packet(shared, &pkt, why, sizeof(why))) {
		fprintf(stderr, "error: %s\n", why);
		return 1;
	}
	for (i = 0; i < MAX_RUNNERS; i++) {
		struct contender *c = &cs[i];
		int err;

		if (i < XBPF_ENGINE_COUNT)
			err = suite_xbpf_runner(&c->r, bpf_dir, (enum xbpf_engine)i, c->why,
						sizeof(c->why));
		else if (i == KERNEL)
			err = suite_kernel_runner(&c->r, bpf_dir, c->why, sizeof(c->why));
		else
			err = suite_native_runner(&c->r, i == NATIVE_CALLS);
		c->samples = calloc((size_t)n_samples, sizeof(double));
		if (err || !c->samples) {
			fprintf(stderr, "error: %s\n", err ? c->why : "out of memory");
			return 1;
		}
	}

	printf("ns per run, median of %d samples of about %.0f ms each; the ratios are xbpf's time\n"
	       "over native C's (lookups inlined, or as calls) and over the kernel's JIT\n",
	       n_samples, sample_ns / 1e6);
	print_header();
	for (p = 0; p < SUITE_PROGS; p++) {
		failures += bench_prog(&suite_progs[p], &pkt, bpf_dir, MAX_RUNNERS);
		if (!strcmp(suite_progs[p].name, "alu_loop"))
			for (i = 0; i < MAX_RUNNERS; i++) {
				alu_ok[i] = cs[i].usable;
				alu_ns[i] = cs[i].median;
			}
		if (!strcmp(suite_progs[p].name, "empty"))
			for (i = 0; i < MAX_RUNNERS; i++) {
				empty_ok[i] = cs[i].usable;
				empty_ns[i] = cs[i].median;
			}
	}
	print_empty(empty_ns, empty_ok);
	print_ns_per_insn(alu_loop_insns(bpf_dir), alu_ns, alu_ok);
	printf("results: %s\n", failures ? "WRONG or FAILED, see the errors above"
					 : "all as documented in the suite's README");
	for (i = 0; i < MAX_RUNNERS; i++) {
		suite_runner_free(&cs[i].r);
		free(cs[i].samples);
	}
	return failures ? 1 : 0;
}
