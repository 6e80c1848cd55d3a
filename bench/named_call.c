/* SPDX-License-Identifier: MIT */
/*
 * The cost of a call to a named helper against a call to a numeric helper,
 * on the interpreter, measured in one run: the same program with one call
 * each (and without, as the baseline), run by test_run many times per
 * sample, samples interleaved; prints the median ns per run of each and
 * whether the named call costs more than the numeric one beyond the noise
 * allowance (5% of a run, at least 2 ns). Timings are reported, never a
 * failure: exit status 1 only when setup or a run fails.
 *
 * Usage: xbpf_bench_named_call SAMPLE_EXTENSION OBJECT [SAMPLES]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xbpf/xbpf.h>

#include "sample.h"
#include "bench_time.h"

#define REPEAT 200000
#define MAX_SAMPLES 101

static const char *const names[] = {"baseline", "numeric", "named"};
#define N_PROGS 3

static int sample_once(struct xbpf_program *prog, double *ns)
{
	static const uint8_t data[4];
	struct sample_ctx ctx = {.id = 4};
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .data_in = data, .data_size_in = sizeof(data),
					  .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = REPEAT};
	int err = xbpf_program_test_run(prog, &opts);
	*ns = (double)opts.duration_ns;
	return err;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s SAMPLE_EXTENSION OBJECT [SAMPLES]\n", argv[0]);
		return 2;
	}
	int samples = argc > 3 ? atoi(argv[3]) : 7;
	if (samples < 1 || samples > MAX_SAMPLES)
		samples = 7;

	struct xbpf_runtime *rt;
	struct xbpf_extension *ext;
	struct xbpf_object *obj;
	struct xbpf_program *progs[N_PROGS];
	static double ns[N_PROGS][MAX_SAMPLES];
	int err;
	if ((err = xbpf_runtime_create(&rt)) || (err = xbpf_extension_load(rt, argv[1], &ext)) ||
	    (err = xbpf_object_open_file(rt, argv[2], NULL, &obj)) || (err = xbpf_object_load(obj, NULL))) {
		fprintf(stderr, "named_call: setup failed: %s\n", strerror(-err));
		return 1;
	}
	for (int p = 0; p < N_PROGS; p++)
		progs[p] = xbpf_object_find_program(obj, names[p]);

	/* Warm up, then interleave the programs so drift hits all alike. */
	double warm;
	for (int p = 0; p < N_PROGS; p++)
		sample_once(progs[p], &warm);
	for (int s = 0; s < samples; s++)
		for (int p = 0; p < N_PROGS; p++)
			if ((err = sample_once(progs[p], &ns[p][s]))) {
				fprintf(stderr, "named_call: %s: run failed: %s\n", names[p], strerror(-err));
				return 1;
			}

	double median[N_PROGS];
	for (int p = 0; p < N_PROGS; p++) {
		qsort(ns[p], (size_t)samples, sizeof(double), bench_cmp_double);
		median[p] = ns[p][samples / 2];
	}
	printf("%-10s %10s %14s\n", "program", "ns/run", "call (ns)");
	for (int p = 0; p < N_PROGS; p++)
		printf("%-10s %10.1f %14.1f\n", names[p], median[p], median[p] - median[0]);
	double allowance = median[1] * 0.05 > 2.0 ? median[1] * 0.05 : 2.0;
	bool ok = median[2] <= median[1] + allowance;
	printf("named call %s numeric call (%.1f vs %.1f ns per run, noise allowance %.1f ns)\n",
	       ok ? "costs no more than a" : "costs more than a", median[2], median[1], allowance);

	xbpf_object_close(obj);
	xbpf_extension_unload(ext);
	xbpf_runtime_free(rt);
	return 0;
}
