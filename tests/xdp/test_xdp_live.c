/* SPDX-License-Identifier: MIT */
/*
 * The xdp/live hook on real interfaces, with a fake core: in a private
 * network (netlab.h) frames sent from peer-in reach the hook on lab-in;
 * XDP_PASS frames must come out of peer-out, XDP_TX frames back out of
 * peer-in, and dropped ones nowhere. Also: parameters, detaching, frames
 * the kernel will not send, and the in interface disappearing. Skipped
 * (exit 77) where network namespaces cannot be made.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_core.h"
#include "live_peers.h"
#include "netlab.h"
#include "packet_build.h"
#include "packet_ring.h"
#include "pcap_files.h"
#include "test_prog.h"
#include "traffic.h"

static struct netlab lab;

/* ---- the frames sent ----------------------------------------------------- */

struct expectation {
	struct pcap_records sent, passed, transmitted;
	uint64_t pass, tx, drop, aborted, redirect, error;
};

static void send_expecting(struct expectation *e, const uint8_t *frame, uint32_t len)
{
	static uint8_t out[XDP_FRAME_SIZE];
	uint32_t out_len;
	records_add(&e->sent, frame, len, len);
	int64_t verdict = test_prog_run(frame, len, out, &out_len);
	switch (verdict) {
	case XDP_PASS:
		e->pass++;
		records_add(&e->passed, out, out_len, out_len);
		break;
	case XDP_TX:
		e->tx++;
		records_add(&e->transmitted, out, out_len, out_len);
		break;
	case XDP_DROP:
		e->drop++;
		break;
	case XDP_REDIRECT:
		e->redirect++;
		break;
	case -1:
		e->error++;
		break;
	default:
		e->aborted++;
		break;
	}
}

static void expectation_free(struct expectation *e)
{
	records_free(&e->sent);
	records_free(&e->passed);
	records_free(&e->transmitted);
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
		if (len >= PKT_ETH_HLEN && len <= LIVE_LAB_MTU + PKT_ETH_HLEN)
			send_expecting(e, frame, len);
	}
}

/* Tagged frames: the kernel takes the tag off on arrival, and the hook must
 * put it back for the program to see (test_prog pushes no second tag) and
 * for the frame to leave as it came. */
static void plan_vlan_frames(struct expectation *e)
{
	uint8_t frame[128];
	const uint16_t ports[] = {22, 443};
	for (size_t i = 0; i < 2; i++) {
		struct pkt_spec s = {
			.dst_mac = {0x02, 0, 0, 0, 0xfe, 0x01},
			.src_mac = {0x02, 0, 0, 0, 0, 0x01},
			.vlan = 10,
			.family = 4,
			.src_ip = {10, 1, 0, 7},
			.dst_ip = {10, 0, 0, 22},
			.proto = IPPROTO_TCP,
			.sport = 40000,
			.dport = ports[i],
			.tcp_flags = 0x02,
		};
		send_expecting(e, frame, (uint32_t)pkt_build(&s, frame, sizeof(frame), NULL));
	}
}

static void plan_action(struct expectation *e, uint8_t action, uint32_t len)
{
	static uint8_t frame[4096] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
	frame[14] = action;
	send_expecting(e, frame, len);
}

static void send_all(const struct expectation *e)
{
	for (size_t i = 0; i < e->sent.n; i++)
		live_send(&e->sent.r[i]);
}

/* ---- tests --------------------------------------------------------------- */

static int open_fds;

static int setup(void **state)
{
	open_fds = fake_open_fds();
	struct xbpf_link *link = calloc(1, sizeof(*link));
	assert_non_null(link);
	fake_link_init(link, test_prog);
	fake_log_clear();
	*state = link;
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(fake_open_fds(), open_fds);
	fake_link_fini(*state);
	free(*state);
	/* Whatever a failed test left in the captures. */
	struct pcap_records left = {0};
	for (int i = 0; i < NETLAB_PEERS; i++)
		live_take_frames(&live_peers[i], &left);
	records_free(&left);
	return 0;
}

static void assert_counters(struct xbpf_link *link, const struct expectation *e)
{
	assert_int_equal(fake_counter(link, "received"), e->sent.n);
	assert_int_equal(fake_counter(link, "pass"), e->pass);
	assert_int_equal(fake_counter(link, "tx"), e->tx);
	assert_int_equal(fake_counter(link, "drop"), e->drop);
	assert_int_equal(fake_counter(link, "aborted"), e->aborted);
	assert_int_equal(fake_counter(link, "redirect"), e->redirect);
	assert_int_equal(fake_counter(link, "error"), e->error);
	assert_true(fake_counters_balance(link));
	assert_int_equal(link->misuse, 0);
}

static void test_bridge(void **state)
{
	struct xbpf_link *link = *state;
	struct expectation e = {0};
	plan_traffic(&e, 11, 400);
	plan_vlan_frames(&e);
	plan_action(&e, XDP_ABORTED, 60);
	plan_action(&e, XDP_REDIRECT, 60);
	plan_action(&e, 9, 60);
	plan_action(&e, XDP_PASS, 3521); /* too long for an XDP frame */
	assert_true(e.pass > 50 && e.tx > 10 && e.drop > 10);

	void *hook_state;
	const char *const params[] = {"in=lab-in", "out=lab-out", NULL};
	int err = fake_attach(&xdp_live_hook, link, params, &hook_state);
	if (err)
		fail_msg("attach: %d; log: %s", err, fake_log());
	send_all(&e);
	bool all_run = fake_counter_wait(link, "received", e.sent.n, LIVE_WAIT_MS);
	struct pcap_records forwarded = {0}, returned = {0};
	live_capture(&live_peers[1], e.passed.n, &forwarded);
	live_capture(&live_peers[0], e.transmitted.n, &returned);
	fake_detach(&xdp_live_hook, link, hook_state);

	assert_true(all_run);
	assert_counters(link, &e);
	assert_int_equal(fake_counter(link, "send_error"), 0);
	assert_int_equal(link->last_ifindex, if_nametoindex("lab-in"));
	assert_non_null(strstr(fake_log(), "bytes arrived; XDP frames have 14 to 3520"));
	live_assert_same_frames(&forwarded, &e.passed, "peer-out");
	live_assert_same_frames(&returned, &e.transmitted, "peer-in");
	records_free(&forwarded);
	records_free(&returned);
	expectation_free(&e);
}

/* Without out= passed frames are counted and go nowhere; XDP_TX still works. */
static void test_without_out(void **state)
{
	struct xbpf_link *link = *state;
	struct expectation e = {0};
	plan_traffic(&e, 12, 100);
	void *hook_state;
	assert_int_equal(fake_attach(&xdp_live_hook, link,
				     (const char *const[]){"in=lab-in", NULL}, &hook_state),
			 0);
	send_all(&e);
	bool all_run = fake_counter_wait(link, "received", e.sent.n, LIVE_WAIT_MS);
	struct pcap_records forwarded = {0}, returned = {0};
	live_capture(&live_peers[0], e.transmitted.n, &returned);
	live_capture(&live_peers[1], 0, &forwarded);
	fake_detach(&xdp_live_hook, link, hook_state);
	assert_true(all_run);
	assert_counters(link, &e);
	assert_int_equal(forwarded.n, 0);
	live_assert_same_frames(&returned, &e.transmitted, "peer-in");
	records_free(&forwarded);
	records_free(&returned);
	expectation_free(&e);
}

/* A frame the program passes but lab-out's MTU cannot carry. */
static void test_send_error(void **state)
{
	struct xbpf_link *link = *state;
	struct expectation e = {0};
	plan_action(&e, XDP_PASS, 2000);
	plan_action(&e, XDP_PASS, 1000);
	void *hook_state;
	assert_int_equal(fake_attach(&xdp_live_hook, link,
				     (const char *const[]){"in=lab-in", "out=lab-out", NULL},
				     &hook_state),
			 0);
	send_all(&e);
	bool all_run = fake_counter_wait(link, "received", e.sent.n, LIVE_WAIT_MS);
	struct pcap_records forwarded = {0};
	live_capture(&live_peers[1], 1, &forwarded);
	fake_detach(&xdp_live_hook, link, hook_state);
	assert_true(all_run);
	assert_counters(link, &e);
	assert_int_equal(fake_counter(link, "send_error"), 1);
	assert_int_equal(forwarded.n, 1);
	assert_int_equal(forwarded.r[0].len, 1000);
	records_free(&forwarded);
	expectation_free(&e);
}

static void assert_refused(struct xbpf_link *link, const char *const *params, int err,
			   const char *message)
{
	void *hook_state = NULL;
	fake_log_clear();
	assert_int_equal(fake_attach(&xdp_live_hook, link, params, &hook_state), err);
	if (!strstr(fake_log(), message))
		fail_msg("the log should say \"%s\"; it says: %s", message, fake_log());
}

static void test_parameter_errors(void **state)
{
	struct xbpf_link *link = *state;
	assert_refused(link, (const char *const[]){"out=lab-out", NULL}, -EINVAL, "in=IFNAME");
	assert_refused(link, (const char *const[]){"in=nosuch0", NULL}, -ENODEV,
		       "in=nosuch0: no such network interface");
	assert_refused(link, (const char *const[]){"in=lab-in", "out=nosuch1", NULL}, -ENODEV,
		       "out=nosuch1: no such network interface");
	assert_refused(link, (const char *const[]){"in=a-name-longer-than-ifnamsiz", NULL}, -ENODEV,
		       "no such network interface");
	assert_refused(link, (const char *const[]){"in=lab-in", "queue=1", NULL}, -EINVAL,
		       "unknown parameter 'queue' (it takes in, out)");
	/* The last step fails: the sockets opened before are closed. */
	link->refuse_counters = true;
	assert_refused(link, (const char *const[]){"in=lab-in", "out=lab-out", NULL}, -ENOMEM,
		       "cannot start the bridge");
}

/* Detach returns promptly whether the bridge is idle or busy, and nothing
 * runs after it. */
static void test_detach(void **state)
{
	struct xbpf_link *link = *state;
	struct expectation e = {0};
	void *hook_state;
	const char *const params[] = {"in=lab-in", "out=lab-out", NULL};
	assert_int_equal(fake_attach(&xdp_live_hook, link, params, &hook_state), 0);
	fake_detach(&xdp_live_hook, link, hook_state);

	plan_traffic(&e, 13, 300);
	assert_int_equal(fake_attach(&xdp_live_hook, link, params, &hook_state), 0);
	send_all(&e);
	fake_detach(&xdp_live_hook, link, hook_state);
	uint64_t invoked = link->invocations;
	assert_true(fake_counters_balance(link));
	assert_int_equal(link->misuse, 0);
	assert_int_equal(link->n_finished, 0);
	send_all(&e);
	nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
	assert_int_equal(link->invocations, invoked);
	expectation_free(&e);
}

/* The link finishes with -ENODEV when its in interface is deleted. */
static void test_interface_removed(void **state)
{
	struct xbpf_link *link = *state;
	const char *const add[] = {"link", "add", "name", "lab-gone", "type", "veth", "peer",
				   "name", "peer-gone", NULL};
	const char *const del[] = {"link", "del", "lab-gone", NULL};
	assert_int_equal(netlab_ip(add), 0);
	assert_int_equal(netlab_link_up("lab-gone", 0), 0);
	void *hook_state;
	assert_int_equal(fake_attach(&xdp_live_hook, link,
				     (const char *const[]){"in=lab-gone", NULL}, &hook_state),
			 0);
	assert_int_equal(netlab_ip(del), 0);
	assert_int_equal(fake_link_wait(link, LIVE_WAIT_MS), -ENODEV);
	assert_non_null(strstr(fake_log(), "in=lab-gone: the interface is gone"));
	fake_detach(&xdp_live_hook, link, hook_state);
}

/* Going down and up again is no reason to stop. */
static void test_interface_down_and_up(void **state)
{
	struct xbpf_link *link = *state;
	struct expectation e = {0};
	plan_traffic(&e, 14, 50);
	void *hook_state;
	const char *const params[] = {"in=lab-in", "out=lab-out", NULL};
	const char *const down[] = {"link", "set", "lab-in", "down", NULL};
	assert_int_equal(fake_attach(&xdp_live_hook, link, params, &hook_state), 0);
	assert_int_equal(netlab_ip(down), 0);
	assert_int_equal(netlab_link_up("lab-in", 0), 0);
	send_all(&e);
	bool all_run = fake_counter_wait(link, "received", e.sent.n, LIVE_WAIT_MS);
	struct pcap_records forwarded = {0};
	live_capture(&live_peers[1], e.passed.n, &forwarded);
	fake_detach(&xdp_live_hook, link, hook_state);
	assert_true(all_run);
	assert_int_equal(link->n_finished, 0);
	live_assert_same_frames(&forwarded, &e.passed, "peer-out");
	records_free(&forwarded);
	expectation_free(&e);
}

int main(void)
{
	const char *why = live_lab_up(&lab);
	if (why) {
		printf("skipped: %s\n", why);
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parameter_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interface_down_and_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interface_removed, setup, teardown),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	live_lab_down(&lab);
	return failed;
}
