/* SPDX-License-Identifier: MIT */
/* AF_PACKET receive rings (TPACKET_V3) and send sockets for the live hook. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "packet_ring.h"

/* 16 blocks of 64 KiB: room for several hundred full-size frames while the
 * worker runs a batch. A block goes to user space when full, or after
 * RETIRE_MS so that a quiet link does not hold frames back. */
#define BLOCK_SIZE (1u << 16)
#define N_BLOCKS 16
#define FRAME_SIZE 2048 /* TPACKET_V3 packs frames; this only satisfies the checks */
#define RETIRE_MS 1

#define VLAN_HLEN 4
#define MACS_LEN 12

static int fail(const char **step, const char *what)
{
	int err = -errno;
	*step = what;
	return err;
}

int packet_ring_open(struct packet_ring *r, int ifindex, const char **step)
{
	*r = (struct packet_ring){.fd = -1, .block_size = BLOCK_SIZE, .n_blocks = N_BLOCKS};
	int err;
	/* Protocol 0: nothing arrives before the ring is ready and bound. */
	r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return fail(step, "socket(AF_PACKET)");
	int version = TPACKET_V3, one = 1;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0) {
		err = fail(step, "PACKET_VERSION TPACKET_V3");
		goto out_close;
	}
	if (setsockopt(r->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0) {
		err = fail(step, "PACKET_IGNORE_OUTGOING");
		goto out_close;
	}
	struct tpacket_req3 req = {
		.tp_block_size = BLOCK_SIZE,
		.tp_block_nr = N_BLOCKS,
		.tp_frame_size = FRAME_SIZE,
		.tp_frame_nr = BLOCK_SIZE / FRAME_SIZE * N_BLOCKS,
		.tp_retire_blk_tov = RETIRE_MS,
	};
	if (setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0) {
		err = fail(step, "PACKET_RX_RING");
		goto out_close;
	}
	size_t size = (size_t)BLOCK_SIZE * N_BLOCKS;
	void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, r->fd, 0);
	if (map == MAP_FAILED) /* locking may exceed RLIMIT_MEMLOCK: fine without */
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (map == MAP_FAILED) {
		err = fail(step, "mmap of the ring");
		goto out_close;
	}
	r->map = map;
	struct packet_mreq promisc = {.mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC};
	if (setsockopt(r->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &promisc, sizeof(promisc)) < 0) {
		err = fail(step, "PACKET_ADD_MEMBERSHIP promiscuous");
		goto out_close;
	}
	struct sockaddr_ll addr = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	if (bind(r->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		err = fail(step, "bind");
		goto out_close;
	}
	return 0;
out_close:
	packet_ring_close(r);
	return err;
}

void packet_ring_close(struct packet_ring *r)
{
	if (r->map)
		munmap(r->map, r->block_size * r->n_blocks);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->fd = -1;
}

struct tpacket_block_desc *packet_ring_block(struct packet_ring *r)
{
	struct tpacket_block_desc *block =
		(struct tpacket_block_desc *)(r->map + (size_t)r->next * r->block_size);
	/* Acquire: the frames the kernel wrote are visible once we see the status. */
	if (!(__atomic_load_n(&block->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
		return NULL;
	return block;
}

void packet_ring_release(struct packet_ring *r, struct tpacket_block_desc *block)
{
	/* Release: we are done reading before the kernel may write again. */
	__atomic_store_n(&block->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	r->next = (r->next + 1) % r->n_blocks;
}

static bool has_vlan_tag(const struct tpacket3_hdr *pkt)
{
	return (pkt->tp_status & TP_STATUS_VLAN_VALID) != 0;
}

uint32_t packet_frame_len(const struct tpacket3_hdr *pkt)
{
	return pkt->tp_len + (has_vlan_tag(pkt) ? VLAN_HLEN : 0);
}

bool packet_frame_whole(const struct tpacket3_hdr *pkt)
{
	/* A tagged frame needs its MAC addresses to put the tag after. */
	return pkt->tp_snaplen == pkt->tp_len && (!has_vlan_tag(pkt) || pkt->tp_len >= MACS_LEN);
}

void packet_frame_copy(const struct tpacket3_hdr *pkt, uint8_t *dst)
{
	const uint8_t *src = (const uint8_t *)pkt + pkt->tp_mac;
	if (!has_vlan_tag(pkt)) {
		memcpy(dst, src, pkt->tp_snaplen);
		return;
	}
	/* The kernel moved the outer tag into the metadata; put it back where
	 * it was on the wire, after the MAC addresses. */
	uint16_t tpid = (pkt->tp_status & TP_STATUS_VLAN_TPID_VALID) ? pkt->hv1.tp_vlan_tpid
								      : ETH_P_8021Q;
	uint16_t tag[2] = {htons(tpid), htons((uint16_t)pkt->hv1.tp_vlan_tci)};
	memcpy(dst, src, MACS_LEN);
	memcpy(dst + MACS_LEN, tag, VLAN_HLEN);
	memcpy(dst + MACS_LEN + VLAN_HLEN, src + MACS_LEN, pkt->tp_snaplen - MACS_LEN);
}

int packet_tx_open(int ifindex, const char **step)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(step, "socket(AF_PACKET)");
	/* Protocol 0 again: bound for sending, receiving nothing. */
	struct sockaddr_ll addr = {.sll_family = AF_PACKET, .sll_ifindex = ifindex};
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = fail(step, "bind");
		close(fd);
		return err;
	}
	return fd;
}

int packet_socket_check(int fd)
{
	int soerr;
	socklen_t len = sizeof(soerr);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	struct sockaddr_ll addr;
	len = sizeof(addr);
	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		return -errno;
	/* The kernel unbinds (ifindex -1) when the interface is unregistered. */
	return addr.sll_ifindex > 0 ? 0 : -ENODEV;
}
