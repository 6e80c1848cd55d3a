/* SPDX-License-Identifier: MIT */
/*
 * AF_PACKET sockets for the live hook: a TPACKET_V3 receive ring on one
 * interface, sockets that send out of an interface, and the frames of a
 * ring as they were on the wire (with the VLAN tag the kernel strips put
 * back).
 */
#ifndef XBPF_EXT_XDP_PACKET_RING_H
#define XBPF_EXT_XDP_PACKET_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/if_packet.h>

struct packet_ring {
	int fd;
	uint8_t *map;
	size_t block_size;
	uint32_t n_blocks;
	uint32_t next; /* the block the kernel fills next */
};

/* Opens a socket receiving every frame that arrives on ifindex, none that
 * leave it, into a ring; the interface is made promiscuous while the socket
 * lives. On error, *step names the call that failed. */
int packet_ring_open(struct packet_ring *r, int ifindex, const char **step);
void packet_ring_close(struct packet_ring *r);

/* The next block the kernel has handed over, or NULL. */
struct tpacket_block_desc *packet_ring_block(struct packet_ring *r);
/* Gives the block back to the kernel and moves on to the next one. */
void packet_ring_release(struct packet_ring *r, struct tpacket_block_desc *block);

static inline struct tpacket3_hdr *packet_ring_first(struct tpacket_block_desc *block)
{
	return (struct tpacket3_hdr *)((uint8_t *)block + block->hdr.bh1.offset_to_first_pkt);
}

static inline struct tpacket3_hdr *packet_ring_following(struct tpacket3_hdr *pkt)
{
	return (struct tpacket3_hdr *)((uint8_t *)pkt + pkt->tp_next_offset);
}

/* Length of the frame as it was on the wire (larger than the ring holds
 * when the kernel truncated it). */
uint32_t packet_frame_len(const struct tpacket3_hdr *pkt);
/* Copies the frame, VLAN tag included, to dst (packet_frame_len bytes;
 * only call it when the ring holds the whole frame: packet_frame_whole). */
void packet_frame_copy(const struct tpacket3_hdr *pkt, uint8_t *dst);
bool packet_frame_whole(const struct tpacket3_hdr *pkt);

/* Opens a socket that sends frames out of ifindex and receives none; returns
 * its descriptor, or a negative errno with *step naming the failed call. */
int packet_tx_open(int ifindex, const char **step);

/* -ENODEV when the interface the socket was bound to is gone (unregistered,
 * or moved to another namespace), 0 while it exists. Clears the socket's
 * pending error (ENETDOWN when the interface went down). */
int packet_socket_check(int fd);

#endif /* XBPF_EXT_XDP_PACKET_RING_H */
