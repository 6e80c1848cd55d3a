/* SPDX-License-Identifier: MIT */
/*
 * bpf_redirect_map and bpf_redirect against the kernel: the programs of
 * redirect_maps.bpf.c, loaded into the kernel with libbpf and into xbpf
 * with the xdp extension, give the same verdict for the same frames
 * (BPF_PROG_TEST_RUN), with the same DEVMAP entries (index 0: lo) and an
 * empty XSKMAP. Frames pick the entry (byte 14) and the flags (byte 15).
 * Skipped (77) where the kernel refuses the programs or test runs.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <xbpf/xbpf.h>

static char object_path[512];
static char skip_reason[1024];

static const char *const programs[] = {"to_device", "to_socket", "to_ifindex", "with_flags",
				       "lookups"};
#define N_PROGRAMS (sizeof(programs) / sizeof(programs[0]))
/* Entries (and ifindexes for to_ifindex) and flags the frames carry
 * (8: BPF_F_BROADCAST, 16: BPF_F_EXCLUDE_INGRESS). */
static const uint8_t entries[] = {0, 1, 3, 4, 9, 255};
static const uint8_t flags[] = {0, 1, 2, 3, 4, 8, 9, 16, 17, 24, 26, 32};

struct verdicts {
	uint32_t v[N_PROGRAMS][sizeof(entries)][sizeof(flags)];
};

static void frame_for(uint8_t *frame, uint8_t entry, uint8_t flag)
{
	static const uint8_t head[] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
	memset(frame, 0, 64);
	memcpy(frame, head, sizeof(head));
	frame[14] = entry;
	frame[15] = flag;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* 0, or -1 with skip_reason set. */
static int kernel_verdicts(struct verdicts *out, uint32_t lo)
{
	libbpf_set_print(quiet);
	struct bpf_object *obj = bpf_object__open_file(object_path, NULL);
	if (!obj) {
		snprintf(skip_reason, sizeof(skip_reason), "libbpf cannot open %s", object_path);
		return -1;
	}
	int err = bpf_object__load(obj);
	if (err) {
		snprintf(skip_reason, sizeof(skip_reason), "the kernel refuses the programs: %s",
			 strerror(-err));
		bpf_object__close(obj);
		return -1;
	}
	uint32_t key = 0;
	err = bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "devs")), &key, &lo,
				  BPF_ANY);
	for (size_t p = 0; p < N_PROGRAMS && !err; p++) {
		int fd = bpf_program__fd(bpf_object__find_program_by_name(obj, programs[p]));
		for (size_t e = 0; e < sizeof(entries) && !err; e++)
			for (size_t f = 0; f < sizeof(flags) && !err; f++) {
				uint8_t frame[64];
				frame_for(frame, entries[e], flags[f]);
				LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
					    .data_size_in = sizeof(frame));
				err = bpf_prog_test_run_opts(fd, &opts);
				out->v[p][e][f] = opts.retval;
			}
	}
	if (err)
		snprintf(skip_reason, sizeof(skip_reason), "the kernel refuses: %s", strerror(errno));
	bpf_object__close(obj);
	return err ? -1 : 0;
}

static void xbpf_verdicts(struct verdicts *out, uint32_t lo)
{
	struct xbpf_runtime *rt;
	struct xbpf_extension *ext;
	struct xbpf_object *obj;
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	assert_int_equal(xbpf_extension_load(rt, "xdp", &ext), 0);
	assert_int_equal(xbpf_object_open_file(rt, object_path, NULL, &obj), 0);
	assert_int_equal(xbpf_object_load(obj, NULL), 0);
	uint32_t key = 0;
	assert_int_equal(xbpf_map_update_elem(xbpf_object_find_map(obj, "devs"), &key, &lo, BPF_ANY), 0);
	for (size_t p = 0; p < N_PROGRAMS; p++) {
		struct xbpf_program *prog = xbpf_object_find_program(obj, programs[p]);
		assert_non_null(prog);
		for (size_t e = 0; e < sizeof(entries); e++)
			for (size_t f = 0; f < sizeof(flags); f++) {
				uint8_t frame[64];
				frame_for(frame, entries[e], flags[f]);
				struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .data_in = frame,
								  .data_size_in = sizeof(frame)};
				assert_int_equal(xbpf_program_test_run(prog, &opts), 0);
				out->v[p][e][f] = opts.retval;
			}
	}
	xbpf_object_close(obj);
	xbpf_runtime_free(rt);
}

static struct verdicts kernel;

static void same_verdicts_as_the_kernel(void **state)
{
	static struct verdicts ours;
	uint32_t lo = if_nametoindex("lo");
	xbpf_verdicts(&ours, lo);
	size_t redirects = 0;
	for (size_t p = 0; p < N_PROGRAMS; p++)
		for (size_t e = 0; e < sizeof(entries); e++)
			for (size_t f = 0; f < sizeof(flags); f++) {
				if (ours.v[p][e][f] != kernel.v[p][e][f])
					fail_msg("%s, entry %u, flags %u: xbpf says %u, the kernel %u",
						 programs[p], entries[e], flags[f], ours.v[p][e][f],
						 kernel.v[p][e][f]);
				redirects += ours.v[p][e][f] == 4 /* XDP_REDIRECT */;
			}
	/* Both ways of failing and of succeeding were seen. */
	assert_true(redirects > 10);
	assert_int_equal(ours.v[3][0][4], 0);  /* with_flags, flags 4: XDP_ABORTED */
	assert_int_equal(ours.v[3][1][5], 4);  /* broadcast: XDP_REDIRECT whatever the key */
	assert_int_equal(ours.v[3][1][2], 2);  /* a missing entry, flags XDP_PASS */
	assert_int_equal(ours.v[4][0][0], lo << 8);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s REDIRECT_MAPS_BPF_O\n", argv[0]);
		return 2;
	}
	snprintf(object_path, sizeof(object_path), "%s", argv[1]);
	if (kernel_verdicts(&kernel, if_nametoindex("lo")) < 0) {
		printf("skipped: %s\n", skip_reason);
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_verdicts_as_the_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
