/* SPDX-License-Identifier: MIT */
/*
 * bpf_redirect_map and bpf_redirect against the kernel: the programs of
 * redirect_maps.bpf.c, loaded into the kernel with libbpf and into xbpf
 * with the xdp extension, give the same verdict for the same frames
 * (BPF_PROG_TEST_RUN), with the same DEVMAP entries (index 0: lo) and an
 * empty XSKMAP. Frames pick the entry (byte 14) and the flags (byte 15).
 * The host's deletes, walks and out-of-range updates of DEVMAP and XSKMAP
 * give the kernel's results too. Skipped (77) where the kernel refuses
 * the programs or test runs.
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
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <xbpf/xbpf.h>

static char object_path[512];
static char skip_reason[1024];

static const char *const programs[] = {"to_device", "to_socket", "to_ifindex", "with_flags",
				       "lookups", "xdpsock"};
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

/* One host operation on an index map (max_entries 4): delete, get the
 * next key (key NULL when has_key is 0) or update. */
enum op_kind { DELETE, NEXT_KEY, UPDATE };
struct host_op {
	enum op_kind kind;
	int has_key;
	uint32_t key;
};

static const struct host_op host_ops[] = {
	{NEXT_KEY, 0, 0}, {NEXT_KEY, 1, 0}, {NEXT_KEY, 1, 1}, {NEXT_KEY, 1, 2},
	{NEXT_KEY, 1, 3}, {NEXT_KEY, 1, 4}, {NEXT_KEY, 1, UINT32_MAX},
	{DELETE, 1, 0},   {DELETE, 1, 3},   {DELETE, 1, 4},   {DELETE, 1, UINT32_MAX},
	{UPDATE, 1, 4},   {UPDATE, 1, UINT32_MAX},
};
#define N_HOST_OPS (sizeof(host_ops) / sizeof(host_ops[0]))

struct host_result {
	int err;
	uint32_t next;
};

/* value: what an update stores (an ifindex, a socket descriptor). */
static void kernel_host_ops(int fd, uint32_t value, struct host_result *out)
{
	for (size_t i = 0; i < N_HOST_OPS; i++) {
		const struct host_op *op = &host_ops[i];
		uint32_t next = 99;
		int err = op->kind == DELETE ? bpf_map_delete_elem(fd, &op->key)
			: op->kind == UPDATE ? bpf_map_update_elem(fd, &op->key, &value, BPF_ANY)
					     : bpf_map_get_next_key(fd, op->has_key ? &op->key : NULL,
								    &next);
		out[i] = (struct host_result){err < 0 ? -errno : 0, err < 0 ? 99 : next};
	}
}

static void xbpf_host_ops(struct xbpf_map *map, uint32_t value, struct host_result *out)
{
	for (size_t i = 0; i < N_HOST_OPS; i++) {
		const struct host_op *op = &host_ops[i];
		uint32_t next = 99;
		int err = op->kind == DELETE ? xbpf_map_delete_elem(map, &op->key)
			: op->kind == UPDATE ? xbpf_map_update_elem(map, &op->key, &value, BPF_ANY)
					     : xbpf_map_get_next_key(map, op->has_key ? &op->key : NULL,
								     &next);
		out[i] = (struct host_result){err, err ? 99 : next};
	}
}

/* Both on maps with entry 1 set where the type allows it without an
 * AF_XDP socket (DEVMAP), empty otherwise (XSKMAP). */
static void same_host_results_as_the_kernel(void **state)
{
	static const struct {
		uint32_t type;
		const char *name;
	} types[] = {{BPF_MAP_TYPE_DEVMAP, "devmap"}, {BPF_MAP_TYPE_XSKMAP, "xskmap"}};
	uint32_t lo = if_nametoindex("lo");
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	struct xbpf_runtime *rt;
	struct xbpf_extension *ext;
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	assert_int_equal(xbpf_extension_load(rt, "xdp", &ext), 0);
	size_t compared = 0;
	for (size_t t = 0; t < 2; t++) {
		int fd = bpf_map_create(types[t].type, types[t].name, 4, 4, 4, NULL);
		if (fd < 0) {
			printf("the kernel refuses a %s: %s; not compared\n", types[t].name,
			       strerror(errno));
			continue;
		}
		struct xbpf_map *map;
		assert_int_equal(xbpf_map_create(rt, types[t].type, types[t].name, 4, 4, 4, NULL, &map),
				 0);
		uint32_t key = 1;
		bool dev = types[t].type == BPF_MAP_TYPE_DEVMAP;
		if (dev) {
			assert_int_equal(bpf_map_update_elem(fd, &key, &lo, BPF_ANY), 0);
			assert_int_equal(xbpf_map_update_elem(map, &key, &lo, BPF_ANY), 0);
		}
		struct host_result theirs[N_HOST_OPS], ours[N_HOST_OPS];
		kernel_host_ops(fd, dev ? lo : (uint32_t)sv[0], theirs);
		xbpf_host_ops(map, dev ? lo : (uint32_t)sv[0], ours);
		for (size_t i = 0; i < N_HOST_OPS; i++)
			if (ours[i].err != theirs[i].err || ours[i].next != theirs[i].next)
				fail_msg("%s: op %zu (kind %d, key %u): xbpf %d (next %u), the kernel %d "
					 "(next %u)", types[t].name, i, host_ops[i].kind, host_ops[i].key,
					 ours[i].err, ours[i].next, theirs[i].err, theirs[i].next);
		compared++;
		xbpf_map_put(map);
		close(fd);
	}
	xbpf_runtime_free(rt);
	close(sv[0]);
	close(sv[1]);
	if (!compared)
		skip();
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
		cmocka_unit_test(same_host_results_as_the_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
