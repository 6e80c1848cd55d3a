/* SPDX-License-Identifier: MIT */
/*
 * The program the xdp hook tests run, written in C: a small firewall that
 * exercises every verdict and both ways of moving the packet bounds.
 */
#ifndef XBPF_TESTS_XDP_TEST_PROG_H
#define XBPF_TESTS_XDP_TEST_PROG_H

#include <stdint.h>

#include "xdp_ctx.h"

/* A frame of this ethertype asks for the action in its first payload byte;
 * a second byte of 1 sets bit 32 of the result as well (the hooks must act
 * on the low 32 bits, as Linux does). */
#define TEST_ETH_P_ACTION 0x88b5

/*
 *   UDP to port 53 (IPv4 or IPv6)     XDP_DROP
 *   ICMP or ICMPv6                     MAC addresses swapped, XDP_TX
 *   untagged TCP to port 22            an 802.1Q tag (VLAN 22) pushed in the
 *                                      headroom (adjust_head), XDP_PASS
 *   TCP to port 80                     "XBPF" appended (adjust_tail), XDP_PASS
 *   anything else                      XDP_PASS
 * Frames may carry one 802.1Q tag.
 */
uint64_t test_prog(struct xdp_internal_ctx *ctx);

/* Runs test_prog on a copy of frame in a buffer of XDP's geometry; returns
 * the verdict and, unless it is an error (the frame does not fit: -1), the
 * frame as the program left it in out (out_len bytes). */
int64_t test_prog_run(const uint8_t *frame, uint32_t len, uint8_t *out, uint32_t *out_len);

#endif /* XBPF_TESTS_XDP_TEST_PROG_H */
