/* SPDX-License-Identifier: MIT */
/*
 * The two ends of the private network (netlab.h) that the live hook tests
 * send from and capture on: peer-in sends frames to lab-in, where the hook
 * listens; what the hook passes should come out of peer-out, what it
 * transmits back out of peer-in.
 */
#ifndef XBPF_TESTS_XDP_LIVE_PEERS_H
#define XBPF_TESTS_XDP_LIVE_PEERS_H

#include <stddef.h>

#include "netlab.h"
#include "packet_ring.h"
#include "pcap_files.h"

#define LIVE_WAIT_MS 10000 /* only guards against a hang */
#define LIVE_QUIET_MS 200  /* after the last expected frame, for unexpected ones */
#define LIVE_LAB_MTU 9000  /* on peer-in and lab-in: room for frames XDP cannot hold */

/* What a peer namespace has open: a ring capturing what arrives on its
 * interface and, on peer-in, a socket to send with. */
struct live_peer {
	const char *ifname;
	struct packet_ring capture;
	int send_fd;
};

extern struct live_peer live_peers[NETLAB_PEERS]; /* peer-in, peer-out */

/* Makes the lab, sets the MTUs and opens the peers' sockets; NULL, or why
 * that is not possible here (the test is skipped). */
const char *live_lab_up(struct netlab *lab);
void live_lab_down(struct netlab *lab);

/* Sends a frame from peer-in (to lab-in). */
void live_send(const struct pcap_record *r);
/* Takes every frame the peer's ring holds. */
void live_take_frames(struct live_peer *p, struct pcap_records *got);
/* Captures until want frames have arrived, and then for LIVE_QUIET_MS more. */
void live_capture(struct live_peer *p, size_t want, struct pcap_records *got);
/* The same frames, whatever their order (two CPUs may deliver them). */
void live_assert_same_frames(struct pcap_records *got, struct pcap_records *want, const char *where);

#endif /* XBPF_TESTS_XDP_LIVE_PEERS_H */
