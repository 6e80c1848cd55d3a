/* SPDX-License-Identifier: MIT */
/*
 * The "xdp/live" hook: a user-space XDP bridge. Frames arriving on one
 * network interface run through the program on a thread of its own;
 * XDP_PASS frames leave by a second interface, XDP_TX frames go back out of
 * the first, redirected frames out of the interface of their DEVMAP entry
 * (or bpf_redirect's ifindex; up to LIVE_MAX_EGRESS interfaces besides in
 * and out) or into their XSKMAP entry's socket, the rest are dropped.
 *
 * Parameters:
 *   in=IFNAME   the interface frames arrive on; required
 *   out=IFNAME  where XDP_PASS frames go; without it they are only counted
 *
 * Frames arrive through an AF_PACKET TPACKET_V3 ring (the interface is
 * promiscuous meanwhile; frames the host itself sends out of it are not
 * seen) and are copied into XDP-shaped buffers. The kernel still delivers
 * the frames to its own stack too: this hook cannot take them away from
 * it. Besides the counters of every xdp hook it counts "send_error":
 * frames the program passed or transmitted that the kernel would not send
 * (too long for the interface, interface down, queue full). If the in
 * interface disappears the link finishes with -ENODEV.
 */
#define _GNU_SOURCE /* sendmmsg */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "counters_map.h"
#include "frame_batch.h"
#include "hook_params.h"
#include "hook_thread.h"
#include "packet_ring.h"

#define HOOK "xdp/live"

enum { LIVE_SEND_ERROR = FRAME_N_COUNTERS, LIVE_N_COUNTERS };
static const char *const live_counter_names[LIVE_N_COUNTERS] = {FRAME_COUNTER_NAMES,
								 "send_error"};

/* Frames to send out of one interface, gathered from a batch. */
struct send_queue {
	int fd;
	uint32_t n;
	struct mmsghdr msgs[FRAME_BATCH_SIZE];
	struct iovec iov[FRAME_BATCH_SIZE];
};

/* Interfaces redirected frames leave by, besides in and out: each gets a
 * socket the first time a frame goes there. */
#define LIVE_MAX_EGRESS 8

struct live_bridge {
	const struct xdp_hook_env *env;
	struct xbpf_link *link;
	char in_name[IF_NAMESIZE];
	int in_ifindex;
	struct packet_ring ring;
	struct send_queue back;	   /* XDP_TX: out of in */
	struct send_queue forward; /* XDP_PASS: out of out, if given (fd -1 if not) */
	int out_ifindex;
	struct send_queue egress[LIVE_MAX_EGRESS]; /* redirects elsewhere */
	uint32_t egress_ifindex[LIVE_MAX_EGRESS];
	uint32_t n_egress;
	bool egress_logged;
	struct frame_batch batch;
	bool bad_length_logged;
	int wake_fd; /* an eventfd detach writes to */
	atomic_bool stop;
	pthread_t worker;
};

static bool stopping(struct live_bridge *l)
{
	return atomic_load_explicit(&l->stop, memory_order_relaxed);
}

/* ---- the bridge -------------------------------------------------------- */

static void add_frame(struct live_bridge *l, const struct tpacket3_hdr *pkt)
{
	uint32_t len = packet_frame_len(pkt);
	uint8_t *dst = frame_batch_add(&l->batch, packet_frame_whole(pkt) ? len : UINT32_MAX,
				       (uint32_t)l->in_ifindex);
	if (!dst) {
		if (!l->bad_length_logged)
			hook_log(l->env, XBPF_LOG_WARN,
				 HOOK ": in=%s: a frame of %u bytes arrived; XDP frames have %d to "
				 "%d: counted as an error (further ones are only counted)",
				 l->in_name, len, XDP_ETH_HLEN, FRAME_MAX_PACKET);
		l->bad_length_logged = true;
		return;
	}
	packet_frame_copy(pkt, dst);
}

static void queue_frame(struct send_queue *q, const struct xdp_internal_ctx *ctx)
{
	if (q->fd < 0)
		return;
	q->iov[q->n] = (struct iovec){.iov_base = ctx->data,
				      .iov_len = (size_t)(ctx->data_end - ctx->data)};
	q->msgs[q->n] = (struct mmsghdr){.msg_hdr = {.msg_iov = &q->iov[q->n], .msg_iovlen = 1}};
	q->n++;
}

/* Sends without waiting: a frame the kernel has no room for is lost, as
 * on a full transmit ring. */
static void send_queued(struct live_bridge *l, struct send_queue *q)
{
	for (uint32_t i = 0; i < q->n;) {
		int sent = sendmmsg(q->fd, q->msgs + i, q->n - i, MSG_DONTWAIT);
		if (sent > 0) {
			i += (uint32_t)sent;
		} else if (errno != EINTR) {
			frame_count(&l->batch, LIVE_SEND_ERROR);
			i++;
		}
	}
	q->n = 0;
}

/* The queue of frames redirected out of ifindex, or NULL. */
static struct send_queue *egress_queue(struct live_bridge *l, uint32_t ifindex)
{
	if (ifindex == (uint32_t)l->in_ifindex)
		return &l->back;
	if (l->forward.fd >= 0 && ifindex == (uint32_t)l->out_ifindex)
		return &l->forward;
	for (uint32_t i = 0; i < l->n_egress; i++)
		if (l->egress_ifindex[i] == ifindex)
			return &l->egress[i];
	return NULL;
}

/* May a redirected frame leave by ifindex? Opens its socket the first time. */
static bool can_egress(void *arg, uint32_t ifindex)
{
	struct live_bridge *l = arg;
	if (egress_queue(l, ifindex))
		return true;
	const char *step = NULL;
	int fd = l->n_egress < LIVE_MAX_EGRESS && ifindex <= INT32_MAX
			 ? packet_tx_open((int)ifindex, &step)
			 : -ENOSPC;
	if (fd < 0) {
		if (!l->egress_logged && step)
			hook_log(l->env, XBPF_LOG_WARN,
				 HOOK ": in=%s: frames redirected to ifindex %u are dropped: %s: %s "
				 "(further ones are only counted)",
				 l->in_name, ifindex, step, strerror(-fd));
		else if (!l->egress_logged)
			hook_log(l->env, XBPF_LOG_WARN,
				 HOOK ": in=%s: frames redirected to ifindex %u are dropped: the hook "
				 "sends out of %d interfaces at most besides in and out (further ones "
				 "are only counted)",
				 l->in_name, ifindex, LIVE_MAX_EGRESS);
		l->egress_logged = true;
		return false;
	}
	l->egress[l->n_egress] = (struct send_queue){.fd = fd};
	l->egress_ifindex[l->n_egress++] = ifindex;
	return true;
}

static void run_batch(struct live_bridge *l)
{
	struct frame_batch *b = &l->batch;
	frame_batch_run(b, l->env, l->link);
	for (uint32_t i = 0; i < b->n; i++) {
		if (b->fate[i] == FRAME_TO_PASS)
			queue_frame(&l->forward, &b->ctx[i]);
		else if (b->fate[i] == FRAME_TO_TX)
			queue_frame(&l->back, &b->ctx[i]);
		else if (b->fate[i] == FRAME_TO_EGRESS) /* each queue once */
			for (uint32_t k = 0; k < b->n_egress[i]; k++)
				queue_frame(egress_queue(l, b->egress[i][k]), &b->ctx[i]);
	}
	send_queued(l, &l->forward);
	send_queued(l, &l->back);
	for (uint32_t i = 0; i < l->n_egress; i++)
		send_queued(l, &l->egress[i]);
	b->n = 0;
}

/* Runs every frame the ring holds, batch by batch. */
static void drain_ring(struct live_bridge *l)
{
	struct tpacket_block_desc *block;
	while (!stopping(l) && (block = packet_ring_block(&l->ring))) {
		struct tpacket3_hdr *pkt = packet_ring_first(block);
		for (uint32_t i = 0; i < block->hdr.bh1.num_pkts; i++) {
			add_frame(l, pkt);
			if (frame_batch_full(&l->batch))
				run_batch(l);
			pkt = packet_ring_following(pkt);
		}
		/* The batch holds copies: the block can go back already. */
		packet_ring_release(&l->ring, block);
	}
	run_batch(l);
}

/* While the in interface is down, how often to look whether it is gone for
 * good: its removal then wakes nobody up. */
#define DOWN_CHECK_MS 200

static void *live_worker(void *arg)
{
	struct live_bridge *l = arg;
	struct pollfd fds[2] = {
		{.fd = l->ring.fd, .events = POLLIN},
		{.fd = l->wake_fd, .events = POLLIN},
	};
	int err = 0, timeout = -1;
	while (!stopping(l)) {
		drain_ring(l);
		int ready = poll(fds, 2, timeout);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			hook_log(l->env, XBPF_LOG_ERROR, HOOK ": in=%s: poll: %s", l->in_name,
				 strerror(errno));
			break;
		}
		if (fds[0].revents & POLLIN)
			timeout = -1;
		/* POLLERR: the interface went down, and may go away. */
		if (ready == 0 || (fds[0].revents & POLLERR)) {
			err = packet_socket_check(l->ring.fd);
			if (err) {
				hook_log(l->env, XBPF_LOG_ERROR,
					 HOOK ": in=%s: the interface is gone", l->in_name);
				break;
			}
			timeout = DOWN_CHECK_MS;
		}
	}
	if (!stopping(l))
		l->env->core->link_finished(l->link, err);
	return NULL;
}

/* ---- attach and detach ------------------------------------------------- */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void bridge_free(struct live_bridge *l)
{
	packet_ring_close(&l->ring);
	close_fd(&l->back.fd);
	close_fd(&l->forward.fd);
	for (uint32_t i = 0; i < l->n_egress; i++)
		close_fd(&l->egress[i].fd);
	close_fd(&l->wake_fd);
	frame_batch_fini(&l->batch);
	free(l);
}

static int find_interface(const struct live_bridge *l, const char *key, const char *name)
{
	unsigned int ifindex = strlen(name) < IF_NAMESIZE ? if_nametoindex(name) : 0;
	if (ifindex == 0 || ifindex > INT32_MAX) {
		hook_log(l->env, XBPF_LOG_ERROR, HOOK ": %s=%s: no such network interface", key,
			 name);
		return -ENODEV;
	}
	return (int)ifindex;
}

static int socket_failed(const struct live_bridge *l, const char *key, const char *name,
			 const char *step, int err)
{
	hook_log(l->env, XBPF_LOG_ERROR, HOOK ": %s=%s: %s: %s%s", key, name, step, strerror(-err),
		 err == -EPERM ? " (AF_PACKET sockets need CAP_NET_RAW)" : "");
	return err;
}

static int open_sockets(struct live_bridge *l, const char *out)
{
	const char *step;
	int err = packet_ring_open(&l->ring, l->in_ifindex, &step);
	if (err)
		return socket_failed(l, "in", l->in_name, step, err);
	l->back.fd = packet_tx_open(l->in_ifindex, &step);
	if (l->back.fd < 0)
		return socket_failed(l, "in", l->in_name, step, l->back.fd);
	if (!out)
		return 0;
	int out_ifindex = find_interface(l, "out", out);
	if (out_ifindex < 0)
		return out_ifindex;
	l->out_ifindex = out_ifindex;
	l->forward.fd = packet_tx_open(out_ifindex, &step);
	if (l->forward.fd < 0)
		return socket_failed(l, "out", out, step, l->forward.fd);
	return 0;
}

static int configure(struct live_bridge *l, const struct hook_params *p)
{
	static const char *const known[] = {"in", "out", NULL};
	int err = hook_params_check(p, known);
	if (err)
		return err;
	const char *in = hook_param(p, "in");
	if (!in) {
		hook_log(l->env, XBPF_LOG_ERROR,
			 HOOK ": in=IFNAME, the interface frames arrive on, is required");
		return -EINVAL;
	}
	l->in_ifindex = find_interface(l, "in", in);
	if (l->in_ifindex < 0)
		return l->in_ifindex;
	strcpy(l->in_name, in); /* find_interface checked its length */
	err = open_sockets(l, hook_param(p, "out"));
	if (err)
		return err;
	l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wake_fd < 0) {
		err = -errno;
		hook_log(l->env, XBPF_LOG_ERROR, HOOK ": eventfd: %s", strerror(errno));
	}
	return err;
}

static int live_attach(void *ctx, struct xbpf_link *link, const void *params, size_t params_size,
		       void **link_state)
{
	const struct xdp_hook_env *env = ctx;
	struct hook_params p = {.env = env, .hook = HOOK, .blob = params, .size = params_size};
	struct live_bridge *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	*l = (struct live_bridge){
		.env = env,
		.link = link,
		.ring = {.fd = -1},
		.back = {.fd = -1},
		.forward = {.fd = -1},
		.wake_fd = -1,
	};
	int err = configure(l, &p);
	if (err)
		goto fail;
	_Atomic uint64_t *counters = env->core->link_counters(link, live_counter_names,
							     LIVE_N_COUNTERS);
	err = counters ? frame_batch_init(&l->batch, counters) : -ENOMEM;
	l->batch.can_egress = can_egress;
	l->batch.egress_arg = l;
	if (!err) /* before the worker counts */
		xdp_counters_track(env, link, (uint32_t)l->in_ifindex, counters);
	if (!err)
		err = hook_thread_start(&l->worker, live_worker, l);
	if (err) {
		hook_log(env, XBPF_LOG_ERROR, HOOK ": cannot start the bridge: %s", strerror(-err));
		goto fail;
	}
	*link_state = l;
	return 0;
fail:
	xdp_counters_untrack(env, link);
	bridge_free(l);
	return err;
}

static void live_detach(void *ctx, struct xbpf_link *link, void *link_state)
{
	struct live_bridge *l = link_state;
	atomic_store(&l->stop, true);
	uint64_t one = 1;
	/* Cannot fail: the counter is far from overflowing. */
	(void)!write(l->wake_fd, &one, sizeof(one));
	pthread_join(l->worker, NULL);
	xdp_counters_untrack(ctx, link);
	bridge_free(l);
}

const struct xbpf_hook_provider xdp_live_hook = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_hook_provider),
	.name = HOOK,
	.program_type = "xdp",
	.attach = live_attach,
	.detach = live_detach,
};
