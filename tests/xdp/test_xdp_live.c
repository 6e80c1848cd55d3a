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
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_core.h"
#include "netlab.h"
#include "packet_build.h"
#include "packet_ring.h"
#include "pcap_files.h"
#include "test_prog.h"
#include "traffic.h"

#define WAIT_MS 10000 /* only guards against a hang */
#define QUIET_MS 200  /* after the last expected frame, for unexpected ones */
#define LAB_MTU 9000  /* on peer-in and lab-in: room for frames XDP cannot hold */

static struct netlab lab;

/* What a peer namespace has open: a ring capturing what arrives on its
 * interface and, on peer-in, a socket to send with. */
struct peer {
	const char *ifname;
	struct packet_ring capture;
	int send_fd;
};

static struct peer peers[NETLAB_PEERS] = {{.ifname = "peer-in"}, {.ifname = "peer-out"}};

static int open_peer(void *arg)
{
	struct peer *p = arg;
	const char *step;
	int ifindex = (int)if_nametoindex(p->ifname);
	if (ifindex == 0)
		return -ENODEV;
	int err = packet_ring_open(&p->capture, ifindex, &step);
	if (err)
		return err;
	p->send_fd = packet_tx_open(ifindex, &step);
	return p->send_fd < 0 ? p->send_fd : 0;
}

static void send_frame(const struct pcap_record *r)
{
	while (send(peers[0].send_fd, r->data, r->len, 0) < 0) {
		if (errno != ENOBUFS && errno != EAGAIN)
			fail_msg("sending a frame of %u bytes: %s", r->len, strerror(errno));
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
}

/* Takes every frame the ring holds. */
static void take_frames(struct packet_ring *ring, struct pcap_records *got)
{
	static uint8_t frame[16384];
	struct tpacket_block_desc *block;
	while ((block = packet_ring_block(ring))) {
		struct tpacket3_hdr *pkt = packet_ring_first(block);
		for (uint32_t i = 0; i < block->hdr.bh1.num_pkts; i++) {
			assert_true(packet_frame_whole(pkt));
			assert_true(packet_frame_len(pkt) <= sizeof(frame));
			packet_frame_copy(pkt, frame);
			records_add(got, frame, packet_frame_len(pkt), packet_frame_len(pkt));
			pkt = packet_ring_following(pkt);
		}
		packet_ring_release(ring, block);
	}
}

/* Captures until want frames have arrived, and then for QUIET_MS more. */
static void capture(struct peer *p, size_t want, struct pcap_records *got)
{
	struct pollfd pfd = {.fd = p->capture.fd, .events = POLLIN};
	int waited = 0, quiet = 0;
	while (quiet < QUIET_MS && waited < WAIT_MS) {
		take_frames(&p->capture, got);
		poll(&pfd, 1, 10);
		waited += 10;
		if (got->n >= want)
			quiet += 10;
	}
	take_frames(&p->capture, got);
}

static int compare_records(const void *a, const void *b)
{
	const struct pcap_record *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->data, y->data, x->len);
}

/* The same frames, whatever their order (two CPUs may deliver them). */
static void assert_same_frames(struct pcap_records *got, struct pcap_records *want,
			       const char *where)
{
	qsort(got->r, got->n, sizeof(*got->r), compare_records);
	qsort(want->r, want->n, sizeof(*want->r), compare_records);
	if (got->n != want->n)
		fail_msg("%s: %zu frames arrived, %zu expected", where, got->n, want->n);
	for (size_t i = 0; i < got->n; i++)
		if (compare_records(&got->r[i], &want->r[i]) != 0)
			fail_msg("%s: frame %zu (of %u bytes) is not one expected", where, i,
				 got->r[i].len);
}

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

/* The traffic mix, but what an Ethernet link of LAB_MTU cannot carry. */
static void plan_traffic(struct expectation *e, uint64_t seed, size_t n)
{
	static uint8_t frame[TRAFFIC_MAX_FRAME];
	struct traffic t;
	traffic_init(&t, seed);
	for (size_t i = 0; i < n; i++) {
		const char *kind;
		uint32_t len = (uint32_t)traffic_next(&t, frame, &kind);
		if (len >= PKT_ETH_HLEN && len <= LAB_MTU + PKT_ETH_HLEN)
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
		send_frame(&e->sent.r[i]);
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
		take_frames(&peers[i].capture, &left);
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
	bool all_run = fake_counter_wait(link, "received", e.sent.n, WAIT_MS);
	struct pcap_records forwarded = {0}, returned = {0};
	capture(&peers[1], e.passed.n, &forwarded);
	capture(&peers[0], e.transmitted.n, &returned);
	fake_detach(&xdp_live_hook, link, hook_state);

	assert_true(all_run);
	assert_counters(link, &e);
	assert_int_equal(fake_counter(link, "send_error"), 0);
	assert_int_equal(link->last_ifindex, if_nametoindex("lab-in"));
	assert_non_null(strstr(fake_log(), "bytes arrived; XDP frames have 14 to 3520"));
	assert_same_frames(&forwarded, &e.passed, "peer-out");
	assert_same_frames(&returned, &e.transmitted, "peer-in");
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
	bool all_run = fake_counter_wait(link, "received", e.sent.n, WAIT_MS);
	struct pcap_records forwarded = {0}, returned = {0};
	capture(&peers[0], e.transmitted.n, &returned);
	capture(&peers[1], 0, &forwarded);
	fake_detach(&xdp_live_hook, link, hook_state);
	assert_true(all_run);
	assert_counters(link, &e);
	assert_int_equal(forwarded.n, 0);
	assert_same_frames(&returned, &e.transmitted, "peer-in");
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
	bool all_run = fake_counter_wait(link, "received", e.sent.n, WAIT_MS);
	struct pcap_records forwarded = {0};
	capture(&peers[1], 1, &forwarded);
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
	assert_int_equal(fake_link_wait(link, WAIT_MS), -ENODEV);
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
	bool all_run = fake_counter_wait(link, "received", e.sent.n, WAIT_MS);
	struct pcap_records forwarded = {0};
	capture(&peers[1], e.passed.n, &forwarded);
	fake_detach(&xdp_live_hook, link, hook_state);
	assert_true(all_run);
	assert_int_equal(link->n_finished, 0);
	assert_same_frames(&forwarded, &e.passed, "peer-out");
	records_free(&forwarded);
	expectation_free(&e);
}

static int set_peer_mtu(void *ifname)
{
	return netlab_link_up(ifname, LAB_MTU);
}

int main(void)
{
	const char *why = netlab_create(&lab);
	if (why) {
		printf("skipped: %s\n", why);
		return 77;
	}
	if (netlab_link_up("lab-in", LAB_MTU) < 0 ||
	    netlab_in_peer(&lab, 0, set_peer_mtu, (void *)"peer-in") < 0) {
		printf("skipped: cannot set the MTU of the veth pair to %d\n", LAB_MTU);
		netlab_destroy(&lab);
		return 77;
	}
	for (int i = 0; i < NETLAB_PEERS; i++) {
		int err = netlab_in_peer(&lab, i, open_peer, &peers[i]);
		if (err) {
			printf("skipped: cannot open AF_PACKET sockets on %s (%s)\n",
			       peers[i].ifname, strerror(-err));
			netlab_destroy(&lab);
			return 77;
		}
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
	for (int i = 0; i < NETLAB_PEERS; i++) {
		packet_ring_close(&peers[i].capture);
		close(peers[i].send_fd);
	}
	netlab_destroy(&lab);
	return failed;
}
