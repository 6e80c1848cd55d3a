/* SPDX-License-Identifier: MIT */
/*
 * DEVMAP and XSKMAP on the live hook with the real core, between network
 * namespaces (netlab.h, live_peers.h): redirect_maps.bpf.c attached to
 * xdp/live on lab-in, with no out= interface. Frames sent from peer-in
 * whose DEVMAP entry names lab-out must come out of peer-out, the others
 * (missing entries: passed, with nowhere to go) nowhere; with to_socket,
 * frames for the XSKMAP entry come out of a socketpair end. Skipped (77)
 * where network namespaces or veth pairs cannot be made.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <xbpf/xbpf.h>

#include "link_counter.h"
#include "live_peers.h"
#include "netlab.h"
#include "pcap_files.h"

static struct netlab lab;
static char object_path[512];

static void log_to_stderr(void *user, enum xbpf_log_level level, const char *msg)
{
	if (level <= XBPF_LOG_WARN)
		fprintf(stderr, "xbpf: %s\n", msg);
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

/* n frames, entry 0 for every one but each third (entry 1, missing). */
static void plan(struct pcap_records *all, struct pcap_records *to_entry, size_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t frame[600] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
		uint32_t len = 60 + (i * 37) % 500;
		frame[14] = i % 3 == 2 ? 1 : 0;
		memcpy(frame + 16, &i, sizeof(i));
		for (uint32_t j = 20; j < len; j++)
			frame[j] = (uint8_t)(j + i);
		records_add(all, frame, len, len);
		if (frame[14] == 0)
			records_add(to_entry, frame, len, len);
	}
}

struct lab_object {
	struct xbpf_runtime *rt;
	struct xbpf_extension *ext;
	struct xbpf_object *obj;
};

static void open_object(struct lab_object *o)
{
	assert_int_equal(xbpf_runtime_create(&o->rt), 0);
	xbpf_runtime_set_log(o->rt, log_to_stderr, NULL, XBPF_LOG_WARN);
	assert_int_equal(xbpf_extension_load(o->rt, "xdp", &o->ext), 0);
	assert_int_equal(xbpf_object_open_file(o->rt, object_path, NULL, &o->obj), 0);
	assert_int_equal(xbpf_object_load(o->obj, NULL), 0);
}

static void close_object(struct lab_object *o)
{
	xbpf_object_close(o->obj);
	xbpf_runtime_free(o->rt);
}

static struct xbpf_link *attach(struct lab_object *o, const char *prog_name)
{
	static const char params[] = "in=lab-in";
	struct xbpf_link *link;
	struct xbpf_program *prog = xbpf_object_find_program(o->obj, prog_name);
	assert_non_null(prog);
	assert_int_equal(xbpf_program_attach(prog, "xdp/live", params, sizeof(params), &link), 0);
	return link;
}

static void devmap_to_second_interface(void **state)
{
	struct lab_object o;
	open_object(&o);
	uint32_t key = 0, lab_out = if_nametoindex("lab-out");
	assert_true(lab_out > 0);
	struct xbpf_map *devs = xbpf_object_find_map(o.obj, "devs");
	assert_int_equal(xbpf_map_update_elem(devs, &key, &lab_out, BPF_ANY), 0);

	struct pcap_records all = {0}, redirected = {0}, got = {0}, back = {0};
	plan(&all, &redirected, 90);
	struct xbpf_link *link = attach(&o, "to_device");
	for (size_t i = 0; i < all.n; i++)
		live_send(&all.r[i]);
	assert_true(wait_received(link, all.n));
	live_capture(&live_peers[1], redirected.n, &got);
	live_take_frames(&live_peers[0], &back);
	assert_int_equal(link_counter_value(link, "redirect"), redirected.n);
	assert_int_equal(link_counter_value(link, "pass"), all.n - redirected.n);
	assert_int_equal(link_counter_value(link, "redirect_error"), 0);
	assert_int_equal(link_counter_value(link, "send_error"), 0);
	live_assert_same_frames(&got, &redirected, "peer-out");
	assert_int_equal(back.n, 0);
	assert_int_equal(xbpf_link_detach(link), 0);
	records_free(&all);
	records_free(&redirected);
	records_free(&got);
	records_free(&back);
	close_object(&o);
}

/* A broadcast to lab-out and lab-in: every frame comes out of peer-out,
 * and goes back to peer-in unless BPF_F_EXCLUDE_INGRESS. */
static void devmap_broadcast(void **state)
{
	struct lab_object o;
	open_object(&o);
	uint32_t key = 0, lab_out = if_nametoindex("lab-out"), lab_in = if_nametoindex("lab-in");
	struct xbpf_map *devs = xbpf_object_find_map(o.obj, "devs");
	assert_int_equal(xbpf_map_update_elem(devs, &key, &lab_out, BPF_ANY), 0);
	key = 1;
	assert_int_equal(xbpf_map_update_elem(devs, &key, &lab_in, BPF_ANY), 0);

	struct pcap_records all = {0}, unused = {0}, back = {0}, got_out = {0}, got_back = {0};
	plan(&all, &unused, 40);
	for (size_t i = 0; i < all.n; i++) {
		all.r[i].data[15] = i % 2 ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : BPF_F_BROADCAST;
		if (i % 2 == 0)
			records_add(&back, all.r[i].data, all.r[i].len, all.r[i].len);
	}
	struct xbpf_link *link = attach(&o, "with_flags");
	for (size_t i = 0; i < all.n; i++)
		live_send(&all.r[i]);
	assert_true(wait_received(link, all.n));
	live_capture(&live_peers[1], all.n, &got_out);
	live_capture(&live_peers[0], back.n, &got_back);
	assert_int_equal(link_counter_value(link, "redirect"), all.n);
	assert_int_equal(link_counter_value(link, "redirect_error"), 0);
	assert_int_equal(link_counter_value(link, "send_error"), 0);
	live_assert_same_frames(&got_out, &all, "peer-out");
	live_assert_same_frames(&got_back, &back, "peer-in");
	assert_int_equal(xbpf_link_detach(link), 0);
	records_free(&all);
	records_free(&unused);
	records_free(&back);
	records_free(&got_out);
	records_free(&got_back);
	close_object(&o);
}

static void xskmap_to_socket(void **state)
{
	struct lab_object o;
	open_object(&o);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	uint32_t key = 0, fd = (uint32_t)sv[0];
	struct xbpf_map *xsks = xbpf_object_find_map(o.obj, "xsks");
	assert_int_equal(xbpf_map_update_elem(xsks, &key, &fd, BPF_ANY), 0);
	close(sv[0]);

	struct pcap_records all = {0}, redirected = {0}, got = {0}, out = {0};
	plan(&all, &redirected, 60);
	struct xbpf_link *link = attach(&o, "to_socket");
	for (size_t i = 0; i < all.n; i++)
		live_send(&all.r[i]);
	assert_true(wait_received(link, all.n));
	static uint8_t buf[2048];
	for (size_t i = 0; i < redirected.n; i++) {
		struct pollfd p = {.fd = sv[1], .events = POLLIN};
		assert_int_equal(poll(&p, 1, LIVE_WAIT_MS), 1);
		ssize_t n = recv(sv[1], buf, sizeof(buf), 0);
		assert_true(n > 0);
		records_add(&got, buf, (uint32_t)n, (uint32_t)n);
	}
	assert_int_equal(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(link_counter_value(link, "redirect"), redirected.n);
	assert_int_equal(link_counter_value(link, "redirect_error"), 0);
	live_assert_same_frames(&got, &redirected, "the socket");
	live_take_frames(&live_peers[1], &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(xbpf_link_detach(link), 0);
	close(sv[1]);
	records_free(&all);
	records_free(&redirected);
	records_free(&got);
	records_free(&out);
	close_object(&o);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s REDIRECT_MAPS_BPF_O\n", argv[0]);
		return 2;
	}
	snprintf(object_path, sizeof(object_path), "%s", argv[1]);
	const char *why = live_lab_up(&lab);
	if (why) {
		printf("skipped: %s\n", why);
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(devmap_to_second_interface),
		cmocka_unit_test(devmap_broadcast),
		cmocka_unit_test(xskmap_to_socket),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	live_lab_down(&lab);
	return failed;
}
