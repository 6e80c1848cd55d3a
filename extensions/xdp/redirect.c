/* SPDX-License-Identifier: MIT */
/* Carrying out XDP_REDIRECT verdicts in the hooks (see redirect.h). */
#include "redirect.h"

#include <errno.h>
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

/* Called by frame_batch_run for an XDP_REDIRECT verdict (counted), inside
 * the batch's epoch. A redirect that no target takes is dropped and
 * counted as a "redirect_error". */
enum frame_fate frame_redirect(struct frame_batch *b, uint32_t i)
{
	struct redirect_dest d = redirect_dest_of(&b->ctx[i]);
	switch (d.kind) {
	case REDIRECT_SOCKET:
		if (redirect_to_socket(d.fd, &b->ctx[i]) == 0)
			return FRAME_TO_NOWHERE;
		break;
	case REDIRECT_IFINDEX:
		if (b->can_egress && b->can_egress(b->egress_arg, d.ifindex)) {
			b->egress[i] = d.ifindex;
			return FRAME_TO_EGRESS;
		}
		break;
	case REDIRECT_NONE:
		break;
	}
	frame_count(b, FRAME_REDIRECT_ERROR);
	return FRAME_TO_NOWHERE;
}
