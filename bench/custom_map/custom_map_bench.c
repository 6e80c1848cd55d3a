/* SPDX-License-Identifier: MIT */
/*
 * A lookup from a program in a custom map (the sample extension's
 * sample_counters: base hash, no callbacks) against one in a built-in
 * BPF_MAP_TYPE_HASH, measured in one run, with the kernel's HASH beside
 * them where the kernel runs the program.
 *
 * Both xbpf objects come from one source (lookups.bpf.c) and differ only in
 * the map type; both maps hold the same keys and values. Each contender
 * runs its program by test_run in batches of about 2 ms; the contenders
 * take turns, one batch each per round (forward in one round, backward in
 * the next), so that a machine whose speed drifts slows them alike; a
 * sample is ROUNDS_PER_SAMPLE rounds. xbpf's batches are timed in the
 * thread's CPU time, the kernel's by the kernel, which also stops its
 * clock while the thread is preempted: on a shared machine, waiting for a
 * CPU would otherwise swamp the difference measured. ns per lookup is
 * (lookups - loop_only) / lookups per run: the helper call and the lookup,
 * without the loop around them. The ratio custom / built-in is the median
 * over the rounds of that round's ratio; ns figures are medians too.
 *
 * Exit status 1 on a setup failure or a wrong result. The ratio is reported
 * against the aim (a custom map without callbacks costs within 10% of HASH)
 * but never fails the run: timings are measurements, not tests.
 *
 * Usage: xbpf_bench_custom_map [--check] SAMPLE_EXTENSION HASH_OBJECT CUSTOM_OBJECT [SAMPLES]
 * --check runs each contender once and checks its result, without timing
 * (the ctest bench_custom_map_results).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xbpf/xbpf.h>

#include "bench_time.h"
#include "libbpf_last.h"
#include "lookups.h"

#define MAX_SAMPLES 101
#define ROUNDS_PER_SAMPLE 5
#define MAX_ROUNDS (MAX_SAMPLES * ROUNDS_PER_SAMPLE)
#define BATCH_NS 2e6
#define AIM 1.10

enum contender { X_HASH, X_CUSTOM, X_LOOP, K_HASH, K_LOOP, N_CONTENDERS };

static const char *const labels[N_CONTENDERS] = {
	"xbpf HASH", "xbpf sample_counters", "xbpf loop only", "kernel HASH", "kernel loop only",
};

struct contender_run {
	struct xbpf_program *xprog; /* or */
	int kfd;
	bool lookups; /* the program sums values (else keys) */
	uint32_t repeat;
	double ns[MAX_ROUNDS]; /* per run */
};

static struct contender_run runs[N_CONTENDERS];
static uint8_t packet[CM_PACKET_LEN];

static uint64_t value_of(uint32_t key)
{
	return (uint64_t)key * key + 1;
}

static uint64_t expected_sum(bool lookups)
{
	uint32_t seed;
	uint64_t sum = 0;

	memcpy(&seed, packet, sizeof(seed));
	for (uint32_t i = 0; i < CM_LOOKUPS; i++) {
		uint32_t key = (seed + i * CM_STRIDE) & (CM_ENTRIES - 1);
		sum += lookups ? value_of(key) : key;
	}
	return sum;
}

/* One batch of c->repeat runs: ns per run, after checking the result. */
static int run_batch(enum contender c, double *ns)
{
	struct contender_run *r = &runs[c];
	uint8_t out[CM_PACKET_LEN];
	uint32_t retval, out_len;
	uint64_t sum;

	if (r->xprog) {
		struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .data_in = packet,
						  .data_size_in = sizeof(packet), .data_out = out,
						  .data_size_out = sizeof(out), .repeat = r->repeat};
		double start = bench_thread_cpu_ns();
		int err = xbpf_program_test_run(r->xprog, &opts);
		*ns = (bench_thread_cpu_ns() - start) / r->repeat;
		if (err) {
			fprintf(stderr, "custom_map: %s: test_run failed: %s\n", labels[c], strerror(-err));
			return err;
		}
		retval = opts.retval;
		out_len = opts.data_size_out;
	} else {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof(packet),
			    .data_out = out, .data_size_out = sizeof(out), .repeat = r->repeat);
		if (bpf_prog_test_run_opts(r->kfd, &opts)) {
			int err = -errno;
			fprintf(stderr, "custom_map: %s: test run failed: %s\n", labels[c], strerror(-err));
			return err;
		}
		/* The kernel's own average: each test-run system call also
		 * costs a fixed setup that is no part of a run. */
		*ns = opts.duration;
		retval = opts.retval;
		out_len = opts.data_size_out;
	}
	memcpy(&sum, out + CM_RESULT_OFF, sizeof(sum));
	if (retval != XDP_PASS || out_len != sizeof(packet) || sum != expected_sum(r->lookups)) {
		fprintf(stderr, "custom_map: %s: WRONG RESULT: return %u, sum %llu (want %d, %llu)\n",
			labels[c], retval, (unsigned long long)sum, XDP_PASS,
			(unsigned long long)expected_sum(r->lookups));
		return -EINVAL;
	}
	return 0;
}

/* Sizes c's batch to about BATCH_NS. */
static int calibrate(enum contender c)
{
	double ns;
	int err;

	runs[c].repeat = 64;
	if ((err = run_batch(c, &ns)))
		return err;
	double want = BATCH_NS / (ns > 1 ? ns : 1);
	runs[c].repeat = want < 64 ? 64 : want > 1e6 ? 1000000 : (uint32_t)want;
	return run_batch(c, &ns); /* and warm up at that size */
}

static int fill_xbpf(struct xbpf_object *obj)
{
	struct xbpf_map *map = xbpf_object_find_map(obj, "cm_map");
	int err = map ? 0 : -ENOENT;

	for (uint32_t key = 0; key < CM_ENTRIES && !err; key++) {
		uint64_t value = value_of(key);
		err = xbpf_map_update_elem(map, &key, &value, XBPF_NOEXIST);
	}
	return err;
}

static int open_xbpf(struct xbpf_runtime *rt, const char *path, struct xbpf_object **obj)
{
	int err = xbpf_object_open_file(rt, path, NULL, obj);

	if (!err && (err = xbpf_object_load(*obj, NULL)))
		xbpf_object_close(*obj);
	if (!err && (err = fill_xbpf(*obj)))
		xbpf_object_close(*obj);
	if (err)
		fprintf(stderr, "custom_map: %s: %s\n", path, strerror(-err));
	return err;
}

/* The HASH object in the kernel, or NULL with the reason printed. */
static struct bpf_object *open_kernel(const char *path)
{
	struct bpf_object *obj;
	int err;

	libbpf_set_print(libbpf_keep_last);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("# kernel skipped: libbpf cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	err = bpf_object__load(obj);
	struct bpf_map *map = err ? NULL : bpf_object__find_map_by_name(obj, "cm_map");
	for (uint32_t key = 0; map && key < CM_ENTRIES && !err; key++) {
		uint64_t value = value_of(key);
		err = bpf_map__update_elem(map, &key, sizeof(key), &value, sizeof(value), BPF_NOEXIST);
	}
	if (err) {
		libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
		printf("# kernel skipped: it refused the program (%s)%s: %s\n", strerror(-err),
		       geteuid() ? ", not root" : "", libbpf_last);
		bpf_object__close(obj);
		return NULL;
	}
	runs[K_HASH].kfd = bpf_program__fd(bpf_object__find_program_by_name(obj, "lookups"));
	runs[K_LOOP].kfd = bpf_program__fd(bpf_object__find_program_by_name(obj, "loop_only"));
	return obj;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), bench_cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	bool check_only = argc > 1 && strcmp(argv[1], "--check") == 0;
	if (check_only) {
		argv++;
		argc--;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: %s [--check] SAMPLE_EXTENSION HASH_OBJECT CUSTOM_OBJECT [SAMPLES]\n",
			argv[0]);
		return 2;
	}
	int samples = argc > 4 ? atoi(argv[4]) : 7;
	if (samples < 1 || samples > MAX_SAMPLES)
		samples = 7;
	uint32_t seed = 0x2545f491;
	memcpy(packet, &seed, sizeof(seed));

	struct xbpf_runtime *rt;
	struct xbpf_extension *xdp, *sample;
	struct xbpf_object *hash_obj, *custom_obj;
	int err;
	if ((err = xbpf_runtime_create(&rt)) || (err = xbpf_extension_load(rt, "xdp", &xdp)) ||
	    (err = xbpf_extension_load(rt, argv[1], &sample))) {
		fprintf(stderr, "custom_map: setup failed: %s\n", strerror(-err));
		return 1;
	}
	if (open_xbpf(rt, argv[2], &hash_obj))
		return 1;
	if (open_xbpf(rt, argv[3], &custom_obj))
		return 1;
	struct xbpf_map_info info;
	xbpf_map_get_info(xbpf_object_find_map(custom_obj, "cm_map"), &info);
	if (info.type == XBPF_MAP_TYPE_HASH) {
		fprintf(stderr, "custom_map: %s has a built-in HASH map, not a custom one\n", argv[3]);
		return 1;
	}
	runs[X_HASH] = (struct contender_run){.xprog = xbpf_object_find_program(hash_obj, "lookups"), .lookups = true};
	runs[X_CUSTOM] = (struct contender_run){.xprog = xbpf_object_find_program(custom_obj, "lookups"),
						.lookups = true};
	runs[X_LOOP] = (struct contender_run){.xprog = xbpf_object_find_program(hash_obj, "loop_only")};
	runs[K_HASH] = (struct contender_run){.lookups = true};
	runs[K_LOOP] = (struct contender_run){0};
	struct bpf_object *kobj = open_kernel(argv[2]);
	int n = kobj ? N_CONTENDERS : K_HASH;

	if (check_only) {
		double ns;
		for (int c = 0; c < n; c++) {
			runs[c].repeat = 1;
			if (run_batch(c, &ns))
				return 1;
		}
		printf("every result as expected (%d contenders)\n", n);
		err = 0;
		goto out;
	}
	for (int c = 0; c < n; c++)
		if (calibrate(c))
			return 1;
	int rounds = samples * ROUNDS_PER_SAMPLE;
	double ratio[MAX_ROUNDS];
	for (int s = 0; s < rounds; s++) {
		/* Forward, then backward: no contender always runs first. */
		for (int i = 0; i < n; i++) {
			int c = s % 2 ? n - 1 - i : i;
			if (run_batch(c, &runs[c].ns[s]))
				return 1;
		}
		ratio[s] = (runs[X_CUSTOM].ns[s] - runs[X_LOOP].ns[s]) /
			   (runs[X_HASH].ns[s] - runs[X_LOOP].ns[s]);
	}

	double med[N_CONTENDERS];
	for (int c = 0; c < n; c++)
		med[c] = median(runs[c].ns, rounds);
	printf("%u lookups per run in a map of %u entries (4-byte keys, 8-byte values)\n", CM_LOOKUPS,
	       CM_ENTRIES);
	printf("%-22s %10s %10s\n", "contender", "ns/run", "ns/lookup");
	for (int c = 0; c < N_CONTENDERS; c++) {
		if (c >= n) {
			printf("%-22s %10s %10s\n", labels[c], "-", "-");
			continue;
		}
		int loop = c < K_HASH ? X_LOOP : K_LOOP;
		if (runs[c].lookups)
			printf("%-22s %10.1f %10.2f\n", labels[c], med[c], (med[c] - med[loop]) / CM_LOOKUPS);
		else
			printf("%-22s %10.1f %10s\n", labels[c], med[c], "");
	}
	double r = median(ratio, rounds);
	printf("custom / built-in HASH, ns per lookup: %.3f (median over %d rounds; middle half %.3f to %.3f)\n",
	       r, rounds, ratio[rounds / 4], ratio[rounds - 1 - rounds / 4]);
	if (kobj) {
		double k = med[K_HASH] - med[K_LOOP];
		printf("xbpf / kernel, ns per lookup: HASH %.2f, sample_counters %.2f\n",
		       (med[X_HASH] - med[X_LOOP]) / k, (med[X_CUSTOM] - med[X_LOOP]) / k);
	}
	printf("a custom map lookup %s a HASH lookup in this run\n",
	       r <= AIM ? "costs within 10% of" : "costs more than 10% over");
	err = 0;
out:

	bpf_object__close(kobj);
	xbpf_object_close(custom_obj);
	xbpf_object_close(hash_obj);
	xbpf_extension_unload(sample);
	xbpf_extension_unload(xdp);
	xbpf_runtime_free(rt);
	return err;
}
