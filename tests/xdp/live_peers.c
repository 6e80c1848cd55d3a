/* SPDX-License-Identifier: MIT */
/* The peers of the live hook tests (live_peers.h). */
#include "live_peers.h"

#include <errno.h>
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

struct live_peer live_peers[NETLAB_PEERS] = {{.ifname = "peer-in"}, {.ifname = "peer-out"}};

static int open_peer(void *arg)
{
	struct live_peer *p = arg;
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

static int set_peer_mtu(void *ifname)
{
	return netlab_link_up(ifname, LIVE_LAB_MTU);
}

const char *live_lab_up(struct netlab *lab)
{
	static char why[128];
	const char *reason = netlab_create(lab);
	if (reason)
		return reason;
	if (netlab_link_up("lab-in", LIVE_LAB_MTU) < 0 ||
	    netlab_in_peer(lab, 0, set_peer_mtu, (void *)"peer-in") < 0) {
		snprintf(why, sizeof(why), "cannot set the MTU of the veth pair to %d", LIVE_LAB_MTU);
		netlab_destroy(lab);
		return why;
	}
	for (int i = 0; i < NETLAB_PEERS; i++) {
		int err = netlab_in_peer(lab, i, open_peer, &live_peers[i]);
		if (err) {
			snprintf(why, sizeof(why), "cannot open AF_PACKET sockets on %s (%s)",
				 live_peers[i].ifname, strerror(-err));
			netlab_destroy(lab);
			return why;
		}
	}
	return NULL;
}

void live_lab_down(struct netlab *lab)
{
	for (int i = 0; i < NETLAB_PEERS; i++) {
		packet_ring_close(&live_peers[i].capture);
		close(live_peers[i].send_fd);
	}
	netlab_destroy(lab);
}

void live_send(const struct pcap_record *r)
{
	while (send(live_peers[0].send_fd, r->data, r->len, 0) < 0) {
		if (errno != ENOBUFS && errno != EAGAIN)
			fail_msg("sending a frame of %u bytes: %s", r->len, strerror(errno));
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
}

void live_take_frames(struct live_peer *p, struct pcap_records *got)
{
	static uint8_t frame[16384];
	struct tpacket_block_desc *block;
	while ((block = packet_ring_block(&p->capture))) {
		struct tpacket3_hdr *pkt = packet_ring_first(block);
		for (uint32_t i = 0; i < block->hdr.bh1.num_pkts; i++) {
			assert_true(packet_frame_whole(pkt));
			assert_true(packet_frame_len(pkt) <= sizeof(frame));
			packet_frame_copy(pkt, frame);
			records_add(got, frame, packet_frame_len(pkt), packet_frame_len(pkt));
			pkt = packet_ring_following(pkt);
		}
		packet_ring_release(&p->capture, block);
	}
}

void live_capture(struct live_peer *p, size_t want, struct pcap_records *got)
{
	struct pollfd pfd = {.fd = p->capture.fd, .events = POLLIN};
	int waited = 0, quiet = 0;
	while (quiet < LIVE_QUIET_MS && waited < LIVE_WAIT_MS) {
		live_take_frames(p, got);
		poll(&pfd, 1, 10);
		waited += 10;
		if (got->n >= want)
			quiet += 10;
	}
	live_take_frames(p, got);
}

static int compare_records(const void *a, const void *b)
{
	const struct pcap_record *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->data, y->data, x->len);
}

void live_assert_same_frames(struct pcap_records *got, struct pcap_records *want, const char *where)
{
	if (got->n)
		qsort(got->r, got->n, sizeof(*got->r), compare_records);
	if (want->n)
		qsort(want->r, want->n, sizeof(*want->r), compare_records);
	if (got->n != want->n)
		fail_msg("%s: %zu frames arrived, %zu expected", where, got->n, want->n);
	for (size_t i = 0; i < got->n; i++)
		if (compare_records(&got->r[i], &want->r[i]) != 0)
			fail_msg("%s: frame %zu (of %u bytes) is not one expected", where, i, got->r[i].len);
}
