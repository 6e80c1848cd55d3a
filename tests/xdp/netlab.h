/* SPDX-License-Identifier: MIT */
/*
 * A private network for the live hook tests. The test process moves into a
 * network namespace of its own, where two veth pairs lead to two peer
 * namespaces:
 *
 *     lab-in   <->  peer-in   (peer 0)
 *     lab-out  <->  peer-out  (peer 1)
 *
 * The peer namespaces are held by child processes that die with the test,
 * so that everything disappears when the test ends, however it ends.
 */
#ifndef XBPF_TESTS_XDP_NETLAB_H
#define XBPF_TESTS_XDP_NETLAB_H

#include <sys/types.h>

#define NETLAB_PEERS 2

struct netlab {
	pid_t holder[NETLAB_PEERS];
	int ns[NETLAB_PEERS]; /* the peers' network namespaces */
	int hold_fd;	      /* the holders exit when this pipe closes */
};

/* NULL once the lab is up; else why it cannot be (the test is skipped). */
const char *netlab_create(struct netlab *lab);
void netlab_destroy(struct netlab *lab);

/* Runs `ip ARGS...` (NULL-terminated) in the test's namespace; its exit status. */
int netlab_ip(const char *const *args);
/* Runs fn(arg) on a thread inside the peer's namespace; returns its result. */
int netlab_in_peer(const struct netlab *lab, int peer, int (*fn)(void *arg), void *arg);
/* Sets the interface up (and its MTU, unless 0) in the caller's namespace. */
int netlab_link_up(const char *ifname, int mtu);

#endif /* XBPF_TESTS_XDP_NETLAB_H */
