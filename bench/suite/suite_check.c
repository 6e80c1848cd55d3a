/* SPDX-License-Identifier: MIT */
/*
 * ctest: the six programs of the shared benchmark suite give the results
 * its README documents on every xbpf engine (a few runs each, no timing).
 * Exits 77 (skipped) when the shared folder is absent.
 *
 * Usage: xbpf_suite_check SHARED_DIR BPF_OBJECT_DIR
 */
#include <stdio.h>
#include <sys/stat.h>

#include "suite.h"

#define CHECK_REPEAT 3

/* Opens p on r, runs it CHECK_REPEAT times then once more (so counters see
 * two test runs), and checks what it left. */
static int check_prog(struct suite_runner *r, const struct suite_prog *p,
		      const struct suite_packet *pkt)
{
	struct suite_outcome out;
	char why[SUITE_WHY];
	int err;

	err = r->open(r, p, why, sizeof(why));
	if (!err)
		err = r->run(r, pkt, CHECK_REPEAT, &out, why, sizeof(why));
	if (!err)
		err = r->run(r, pkt, 1, &out, why, sizeof(why));
	if (!err)
		err = suite_check(r, p, &out, CHECK_REPEAT + 1, why, sizeof(why));
	r->close(r);
	if (err)
		printf("FAIL %s on %s: %s\n", p->name, r->name, why);
	else
		printf("PASS %s on %s\n", p->name, r->name);
	return err;
}

int main(int argc, char **argv)
{
	struct suite_packet pkt;
	char why[SUITE_WHY];
	struct stat st;
	int failed = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SHARED_DIR BPF_OBJECT_DIR\n", argv[0]);
		return 2;
	}
	if (stat(argv[1], &st) || !S_ISDIR(st.st_mode)) {
		printf("SKIP: the shared benchmark folder %s is absent\n", argv[1]);
		return 77;
	}
	if (suite_read_packet(argv[1], &pkt, why, sizeof(why))) {
		printf("FAIL: %s\n", why);
		return 1;
	}
	for (int e = 0; e < XBPF_ENGINE_COUNT; e++) {
		struct suite_runner r;

		if (suite_xbpf_runner(&r, argv[2], (enum xbpf_engine)e, why, sizeof(why))) {
			printf("FAIL: %s\n", why);
			return 1;
		}
		for (int p = 0; p < SUITE_PROGS; p++)
			failed += check_prog(&r, &suite_progs[p], &pkt) != 0;
		suite_runner_free(&r);
	}
	printf("%d of %d failed\n", failed, SUITE_PROGS * XBPF_ENGINE_COUNT);
	return failed ? 1 : 0;
}
