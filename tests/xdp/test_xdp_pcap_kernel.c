/* SPDX-License-Identifier: MIT */
/*
 * The xdp/pcap hook against the kernel: a capture of pcapgen's traffic mix
 * is replayed through verdict_mix (progs/) attached to xdp/pcap with the real
 * core, and the same frames are run one by one in the kernel with
 * BPF_PROG_TEST_RUN (what `bpftool prog run` does). The hook's counters must
 * equal the kernel's verdicts, and the frames it wrote out (passed ones to
 * out=, transmitted ones to tx=) must be the kernel's output frames, in
 * order. Frames the kernel refuses to run (runts) and those it runs as
 * multi-buffer XDP (jumbo frames, see MAX_LINEAR) are the hook's "error"
 * count. Skipped (77) where the kernel refuses the program.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xbpf/xbpf.h>

#include "link_counter.h"
#include "pcap_files.h"

#define FRAMES 2000
#define SEED 5
#define WAIT_MS 60000 /* only guards against a hang */
/* The longest frame one buffer holds: a 4 KiB page less the headroom (256)
 * and the tailroom (320), in the kernel and in the xdp extension alike. The
 * kernel's test run takes longer frames as multi-buffer XDP (the rest in
 * fragments), which the extension's hooks do not do: they count them as
 * errors, as a driver without multi-buffer support would drop them. */
#define MAX_LINEAR 3520

enum verdict { V_PASS, V_DROP, V_TX, V_ABORTED, V_ERROR, V_N };
static const char *const verdict_names[V_N] = {"pass", "drop", "tx", "aborted", "error"};

struct expected {
	uint64_t count[V_N];
	struct pcap_records pass, tx; /* output frames, in order */
	uint64_t multi_buffer; /* frames the kernel ran that one buffer cannot hold */
};

static char object_path[512];
static char skip_reason[1024];

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0; /* the verifier's log is long; the skip reason says enough */
}

/* The kernel's verdict for every frame; -1 with skip_reason when it
 * refuses the program. */
static int kernel_verdicts(const struct pcap_records *in, struct expected *e)
{
	static uint8_t out[16384];
	libbpf_set_print(print_libbpf);
	struct bpf_object *obj = bpf_object__open_file(object_path, NULL);
	if (!obj) {
		snprintf(skip_reason, sizeof(skip_reason), "libbpf cannot open %s: %s", object_path,
			 strerror(errno));
		return -1;
	}
	int err = bpf_object__load(obj);
	if (err) {
		snprintf(skip_reason, sizeof(skip_reason), "the kernel refuses to load the XDP program: %s",
			 strerror(-err));
		bpf_object__close(obj);
		return -1;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "verdict_mix");
	assert_non_null(prog);
	int fd = bpf_program__fd(prog);

	for (size_t i = 0; i < in->n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->r[i].data, .data_size_in = in->r[i].len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
		err = bpf_prog_test_run_opts(fd, &opts);
		if (err && i == 0 && (errno == EPERM || errno == 524 /* the kernel's ENOTSUPP */ || errno == EOPNOTSUPP)) {
			snprintf(skip_reason, sizeof(skip_reason), "the kernel refuses test runs: %s",
				 strerror(errno));
			bpf_object__close(obj);
			return -1;
		}
		if (err || in->r[i].len > MAX_LINEAR) {
			/* Runts: refused by both. */
			e->count[V_ERROR]++;
			e->multi_buffer += !err;
			continue;
		}
		switch (opts.retval) {
		case XDP_PASS:
			e->count[V_PASS]++;
			records_add(&e->pass, out, opts.data_size_out, opts.data_size_out);
			break;
		case XDP_DROP:
			e->count[V_DROP]++;
			break;
		case XDP_TX:
			e->count[V_TX]++;
			records_add(&e->tx, out, opts.data_size_out, opts.data_size_out);
			break;
		case XDP_ABORTED:
			e->count[V_ABORTED]++;
			break;
		default:
			fail_msg("frame %zu: the kernel returned %u, which verdict_mix never does", i, opts.retval);
		}
	}
	bpf_object__close(obj);
	return 0;
}

static void same_frames(const char *what, const struct pcap_records *got, const struct pcap_records *want)
{
	assert_int_equal(got->n, want->n);
	for (size_t i = 0; i < got->n; i++) {
		if (got->r[i].len != want->r[i].len || memcmp(got->r[i].data, want->r[i].data, got->r[i].len))
			fail_msg("%s frame %zu differs from the kernel's (%u and %u bytes)", what, i,
				 got->r[i].len, want->r[i].len);
	}
}

static void log_to_stderr(void *user, enum xbpf_log_level level, const char *msg)
{
	if (level <= XBPF_LOG_WARN)
		fprintf(stderr, "xbpf: %s\n", msg);
}

static void verdicts_equal_the_kernels(void **state)
{
	char dir[] = "/tmp/xbpf-pcap-kernel.XXXXXX", in_path[64], out_path[64], tx_path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(in_path, sizeof(in_path), "%s/in.pcap", dir);
	snprintf(out_path, sizeof(out_path), "%s/out.pcap", dir);
	snprintf(tx_path, sizeof(tx_path), "%s/tx.pcap", dir);

	struct pcap_records input = {0};
	pcap_write_traffic(in_path, SEED, FRAMES, &input);

	struct expected e = {0};
	if (kernel_verdicts(&input, &e)) {
		unlink(in_path);
		rmdir(dir);
		records_free(&input);
		print_message("SKIP: %s\n", skip_reason);
		exit(77);
	}
	/* The capture really gets every action. */
	for (int v = V_PASS; v <= V_ABORTED; v++)
		if (e.count[v] == 0)
			fail_msg("the kernel gave no frame '%s': the test lost its point", verdict_names[v]);

	/* The same frames through the hook, with the real core. */
	struct xbpf_runtime *rt;
	struct xbpf_extension *ext;
	struct xbpf_object *obj;
	struct xbpf_link *link;
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, log_to_stderr, NULL, XBPF_LOG_WARN);
	assert_int_equal(xbpf_extension_load(rt, "xdp", &ext), 0);
	assert_int_equal(xbpf_object_open_file(rt, object_path, NULL, &obj), 0);
	assert_int_equal(xbpf_object_load(obj, NULL), 0);
	struct xbpf_program *prog = xbpf_object_find_program(obj, "verdict_mix");
	assert_non_null(prog);

	char params[256];
	int n = snprintf(params, sizeof(params), "in=%s%cout=%s%ctx=%s", in_path, '\0', out_path, '\0',
			 tx_path);
	assert_int_equal(xbpf_program_attach(prog, "xdp/pcap", params, (size_t)n + 1, &link), 0);
	assert_int_equal(xbpf_link_wait(link, WAIT_MS), 0);

	print_message("kernel: %llu pass, %llu drop, %llu tx, %llu aborted, %llu not run "
		      "(%llu of them multi-buffer)\n",
		      (unsigned long long)e.count[V_PASS], (unsigned long long)e.count[V_DROP],
		      (unsigned long long)e.count[V_TX], (unsigned long long)e.count[V_ABORTED],
		      (unsigned long long)e.count[V_ERROR], (unsigned long long)e.multi_buffer);
	assert_int_equal(link_counter_value(link, "received"), FRAMES);
	for (int v = 0; v < V_N; v++) {
		uint64_t got = link_counter_value(link, verdict_names[v]);
		if (got != e.count[v])
			fail_msg("hook counted %llu '%s', the kernel %llu", (unsigned long long)got,
				 verdict_names[v], (unsigned long long)e.count[v]);
	}
	assert_int_equal(link_counter_value(link, "redirect"), 0);

	struct pcap_records out = {0}, tx = {0};
	pcap_read(out_path, &out);
	pcap_read(tx_path, &tx);
	same_frames("passed", &out, &e.pass);
	same_frames("transmitted", &tx, &e.tx);

	assert_int_equal(xbpf_link_detach(link), 0);
	xbpf_object_close(obj);
	assert_int_equal(xbpf_extension_unload(ext), 0);
	xbpf_runtime_free(rt);
	records_free(&out);
	records_free(&tx);
	records_free(&e.pass);
	records_free(&e.tx);
	records_free(&input);
	unlink(in_path);
	unlink(out_path);
	unlink(tx_path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s VERDICT_MIX_BPF_O\n", argv[0]);
		return 2;
	}
	snprintf(object_path, sizeof(object_path), "%s", argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verdicts_equal_the_kernels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
