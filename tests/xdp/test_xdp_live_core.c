/* SPDX-License-Identifier: MIT */
/*
 * The live bridge for real: the xdp extension loaded by the real core,
 * verdict_mix (progs/) attached to xdp/live with xbpf_program_attach, and
 * real frames between network namespaces (netlab.h, live_peers.h). Frames
 * sent from peer-in reach the hook on lab-in; those the program passes must
 * come out of peer-out, those it transmits back out of peer-in (with their
 * MAC addresses swapped), the rest nowhere, and the link's counters must
 * say so. Then the extension is unloaded and loaded again: the link comes
 * back by itself and bridges the next frames. What the program does with
 * each frame is what xbpf_program_test_run says it does. Skipped (77) where
 * network namespaces or veth pairs cannot be made.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <xbpf/xbpf.h>

#include "frame_batch.h"
#include "link_counter.h"
#include "live_peers.h"
#include "netlab.h"
#include "pcap_files.h"
#include "traffic.h"

static struct netlab lab;
static char object_path[512];

enum { C_RECEIVED, C_PASS, C_DROP, C_TX, C_ABORTED, C_ERROR, C_N };
static const char *const counter_names[C_N] = {"received", "pass", "drop", "tx", "aborted", "error"};

struct expectation {
	struct pcap_records sent, passed, transmitted;
	uint64_t count[C_N];
};

static struct xbpf_program *prog;

/* What the program does with a frame, by a test run of it. */
static void send_expecting(struct expectation *e, const uint8_t *frame, uint32_t len)
{
	static uint8_t out[16384];
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts),
					  .data_in = frame,
					  .data_size_in = len,
					  .data_out = out,
					  .data_size_out = sizeof(out)};
	records_add(&e->sent, frame, len, len);
	e->count[C_RECEIVED]++;
	/* Longer than one XDP buffer: the hook counts it and runs nothing
	 * (test runs take such frames, as the kernel's do, multi-buffer). */
	if (len > FRAME_MAX_PACKET) {
		e->count[C_ERROR]++;
		return;
	}
	assert_int_equal(xbpf_program_test_run(prog, &opts), 0);
	switch (opts.retval) {
	case XDP_PASS:
		e->count[C_PASS]++;
		records_add(&e->passed, out, opts.data_size_out, opts.data_size_out);
		break;
	case XDP_TX:
		e->count[C_TX]++;
		records_add(&e->transmitted, out, opts.data_size_out, opts.data_size_out);
		break;
	case XDP_DROP:
		e->count[C_DROP]++;
		break;
	default:
		e->count[C_ABORTED]++;
		break;
	}
}

/* The traffic mix, but what an Ethernet link of LIVE_LAB_MTU cannot carry. */
static void plan_traffic(struct expectation *e, uint64_t seed, size_t n)
{
	static uint8_t frame[TRAFFIC_MAX_FRAME];
	struct traffic t;
	traffic_init(&t, seed);
	for (size_t i = 0; i < n; i++) {
		const char *kind;
		uint32_t len = (uint32_t)traffic_next(&t, frame, &kind);
		if (len >= 14 && len <= LIVE_LAB_MTU + 14)
			send_expecting(e, frame, len);
	}
}

static void expectation_free(struct expectation *e)
{
	records_free(&e->sent);
	records_free(&e->passed);
	records_free(&e->transmitted);
}

static bool wait_received(struct xbpf_link *link, uint64_t n)
{
	for (int waited = 0; waited < LIVE_WAIT_MS; waited += 10) {
		if (link_counter_value(link, "received") >= n)
			return true;
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	}
	return false;
}

/* Sends e's frames and checks where they went; total: the counts so far,
 * e's included (the link's counters live across reloads). */
static void bridge(struct xbpf_link *link, struct expectation *e, const uint64_t *total)
{
	for (size_t i = 0; i < e->sent.n; i++)
		live_send(&e->sent.r[i]);
	bool all_run = wait_received(link, total[C_RECEIVED]);
	struct pcap_records forwarded = {0}, returned = {0};
	live_capture(&live_peers[1], e->passed.n, &forwarded);
	live_capture(&live_peers[0], e->transmitted.n, &returned);
	assert_true(all_run);
	for (int c = 0; c < C_N; c++) {
		uint64_t got = link_counter_value(link, counter_names[c]);
		if (got != total[c])
			fail_msg("the link counted %llu '%s', %llu expected", (unsigned long long)got,
				 counter_names[c], (unsigned long long)total[c]);
	}
	assert_int_equal(link_counter_value(link, "send_error"), 0);
	live_assert_same_frames(&forwarded, &e->passed, "peer-out");
	live_assert_same_frames(&returned, &e->transmitted, "peer-in");
	records_free(&forwarded);
	records_free(&returned);
}

static void log_to_stderr(void *user, enum xbpf_log_level level, const char *msg)
{
	if (level <= XBPF_LOG_WARN)
		fprintf(stderr, "xbpf: %s\n", msg);
}

static void bridge_with_the_real_core(void **state)
{
	struct xbpf_runtime *rt;
	struct xbpf_extension *ext;
	struct xbpf_object *obj;
	struct xbpf_link *link;
	assert_int_equal(xbpf_runtime_create(&rt), 0);
	xbpf_runtime_set_log(rt, log_to_stderr, NULL, XBPF_LOG_WARN);
	assert_int_equal(xbpf_extension_load(rt, "xdp", &ext), 0);
	assert_int_equal(xbpf_object_open_file(rt, object_path, NULL, &obj), 0);
	assert_int_equal(xbpf_object_load(obj, NULL), 0);
	prog = xbpf_object_find_program(obj, "verdict_mix");
	assert_non_null(prog);

	struct expectation first = {0}, second = {0};
	uint64_t total[C_N] = {0};
	plan_traffic(&first, 21, 400);
	/* A frame a veth carries but no XDP buffer holds: counted, not run. */
	static uint8_t jumbo[4000] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
	send_expecting(&first, jumbo, sizeof(jumbo));
	plan_traffic(&second, 22, 200);
	print_message("first: %llu pass, %llu tx, %llu drop, %llu aborted, %llu too long\n",
		      (unsigned long long)first.count[C_PASS], (unsigned long long)first.count[C_TX],
		      (unsigned long long)first.count[C_DROP], (unsigned long long)first.count[C_ABORTED],
		      (unsigned long long)first.count[C_ERROR]);
	/* Every fate, and a frame the bridge cannot take. */
	assert_true(first.count[C_PASS] > 50 && first.count[C_TX] > 5 && first.count[C_DROP] > 10 &&
		    first.count[C_ABORTED] > 0 && first.count[C_ERROR] > 0);

	static const char params[] = "in=lab-in\0out=lab-out";
	assert_int_equal(xbpf_program_attach(prog, "xdp/live", params, sizeof(params), &link), 0);
	assert_true(xbpf_link_attached(link));
	for (int c = 0; c < C_N; c++)
		total[c] += first.count[c];
	bridge(link, &first, total);

	/* The extension goes and comes back: the link re-attaches with its
	 * parameters, and its counters carry on. */
	assert_int_equal(xbpf_extension_unload(ext), 0);
	assert_false(xbpf_link_attached(link));
	assert_int_equal(xbpf_extension_load(rt, "xdp", &ext), 0);
	assert_true(xbpf_link_attached(link));
	for (int c = 0; c < C_N; c++)
		total[c] += second.count[c];
	bridge(link, &second, total);

	assert_int_equal(xbpf_link_detach(link), 0);
	xbpf_object_close(obj);
	xbpf_runtime_free(rt);
	expectation_free(&first);
	expectation_free(&second);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s VERDICT_MIX_BPF_O\n", argv[0]);
		return 2;
	}
	snprintf(object_path, sizeof(object_path), "%s", argv[1]);
	const char *why = live_lab_up(&lab);
	if (why) {
		printf("skipped: %s\n", why);
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bridge_with_the_real_core),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	live_lab_down(&lab);
	return failed;
}
