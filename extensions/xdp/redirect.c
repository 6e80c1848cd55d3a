/* SPDX-License-Identifier: MIT */
/* Carrying out XDP_REDIRECT verdicts in the hooks (see redirect.h). */
#include "redirect.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "frame_batch.h"

struct redirect_dest redirect_dest_of(const struct xdp_internal_ctx *ctx)
{
	struct redirect_dest d = {.kind = REDIRECT_NONE, .fd = -1};
	/* Entries may be rewritten in place meanwhile: one whole read. */
	switch (ctx->redirect_map_type) {
	case 0: /* bpf_redirect(ifindex, 0); no call at all leaves ifindex 0 */
		if (ctx->redirect_key) {
			d.kind = REDIRECT_IFINDEX;
			d.ifindex = ctx->redirect_key;
		}
		break;
	case XDP_MAP_TYPE_XSKMAP:
		if (ctx->redirect_target) {
			d.kind = REDIRECT_SOCKET;
			d.fd = __atomic_load_n(&((const struct xskmap_entry *)ctx->redirect_target)->fd,
					       __ATOMIC_RELAXED);
		}
		break;
	case XDP_MAP_TYPE_DEVMAP:
		if (ctx->redirect_target) {
			d.kind = REDIRECT_IFINDEX;
			d.ifindex = __atomic_load_n(
				&((const struct devmap_entry *)ctx->redirect_target)->ifindex,
				__ATOMIC_RELAXED);
		}
		break;
	default:
		break;
	}
	if (d.kind == REDIRECT_IFINDEX && d.ifindex == 0)
		d.kind = REDIRECT_NONE;
	return d;
}

int redirect_to_socket(int fd, const struct xdp_internal_ctx *ctx)
{
	size_t len = (size_t)(ctx->data_end - ctx->data);
	for (;;) {
		ssize_t n = send(fd, ctx->data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			return (size_t)n == len ? 0 : -EMSGSIZE;
		if (errno != EINTR)
			return -errno;
	}
}

redirect_targets_fn _Atomic redirect_broadcast_targets;

/* Adds ifindex to the interfaces frame i leaves by, if the hook can send
 * there and it is not there already. */
static bool add_egress(struct frame_batch *b, uint32_t i, uint32_t ifindex)
{
	for (uint32_t k = 0; k < b->n_egress[i]; k++)
		if (b->egress[i][k] == ifindex)
			return true;
	if (b->n_egress[i] == FRAME_MAX_EGRESS || !b->can_egress ||
	    !b->can_egress(b->egress_arg, ifindex))
		return false;
	b->egress[i][b->n_egress[i]++] = ifindex;
	return true;
}

/* Out of every interface of the DEVMAP's entries (each once), but the
 * ingress one with BPF_F_EXCLUDE_INGRESS. An error when there were
 * interfaces and none could take the frame. */
static enum frame_fate broadcast(struct frame_batch *b, uint32_t i)
{
	const struct xdp_internal_ctx *ctx = &b->ctx[i];
	uint32_t targets[FRAME_MAX_EGRESS];
	redirect_targets_fn fn = atomic_load_explicit(&redirect_broadcast_targets,
						      memory_order_relaxed);
	uint32_t n = fn ? fn(ctx->redirect_target, targets, FRAME_MAX_EGRESS) : 0;
	bool tried = false;
	for (uint32_t k = 0; k < n; k++) {
		if ((ctx->redirect_key & BPF_F_EXCLUDE_INGRESS) && targets[k] == ctx->ingress_ifindex)
			continue;
		tried = true;
		add_egress(b, i, targets[k]);
	}
	if (b->n_egress[i])
		return FRAME_TO_EGRESS;
	if (tried)
		frame_count(b, FRAME_REDIRECT_ERROR);
	return FRAME_TO_NOWHERE;
}

/* Called by frame_batch_run for an XDP_REDIRECT verdict (counted), inside
 * the batch's epoch. A redirect that no target takes is dropped and
 * counted as a "redirect_error". */
enum frame_fate frame_redirect(struct frame_batch *b, uint32_t i)
{
	b->n_egress[i] = 0;
	if (b->ctx[i].redirect_map_type == (XDP_MAP_TYPE_DEVMAP | XDP_REDIRECT_BROADCAST))
		return broadcast(b, i);
	struct redirect_dest d = redirect_dest_of(&b->ctx[i]);
	switch (d.kind) {
	case REDIRECT_SOCKET:
		if (redirect_to_socket(d.fd, &b->ctx[i]) == 0)
			return FRAME_TO_NOWHERE;
		break;
	case REDIRECT_IFINDEX:
		if (add_egress(b, i, d.ifindex))
			return FRAME_TO_EGRESS;
		break;
	case REDIRECT_NONE:
		break;
	}
	frame_count(b, FRAME_REDIRECT_ERROR);
	return FRAME_TO_NOWHERE;
}
