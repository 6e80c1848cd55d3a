/* SPDX-License-Identifier: MIT */
/*
 * XSKMAP (Linux map type 17): index -> socket. The host stores a socket
 * descriptor of its process; the map keeps a duplicate of it (so the host
 * may close its own), and a frame a program redirects to the entry
 * (bpf_redirect_map) is written to that socket as one message. Sockets
 * that keep message boundaries fit: datagram, seqpacket or raw ones (an
 * AF_UNIX socketpair end, an AF_PACKET socket); stream sockets are
 * refused, since frames would run together.
 *
 * The map transforms values. A program's lookup of a set entry gives a
 * pointer it may test but not read (Linux gives a struct xdp_sock whose
 * queue_id it may read; xbpf has no such object: a read fails the run),
 * so "if (bpf_map_lookup_elem(&xsks, &i)) return bpf_redirect_map(...)"
 * works as in Linux. The host cannot look entries up (as Linux:
 * -EOPNOTSUPP). Updates and deletes are the host's. Keys are indexes
 * (XBPF_MAP_INDEXED): deletes and iteration are Linux's.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hook_params.h"
#include "redirect_maps.h"

struct xskmap_state {
	uint32_t max_entries;
};

static int xsk_create(void *ctx, struct xbpf_map *map, const struct xbpf_map_params *params,
		      void *state, uint32_t *stored_value_size)
{
	static const uint32_t value_sizes[] = {sizeof(int32_t), 0};
	int err = redirect_map_check(ctx, params, value_sizes);
	if (err)
		return err;
	((struct xskmap_state *)state)->max_entries = params->max_entries;
	*stored_value_size = sizeof(struct xskmap_entry);
	return 0;
}

static void xsk_destroy(void *ctx, struct xbpf_map *map, void *state)
{
}

static int xsk_after_find(void *ctx, struct xbpf_map *map, void *state, const void *key,
			  const void *stored, void *value, uint32_t flags)
{
	return -EOPNOTSUPP; /* the map's descriptor means nothing to the caller */
}

/* Is fd a socket that keeps frames apart? 0, or why not (logged). */
static int check_socket(const struct xdp_hook_env *env, int fd, uint32_t index)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int err = -errno;
		hook_log(env, XBPF_LOG_ERROR, "xskmap: entry %u: descriptor %d: %s", index, fd,
			 strerror(-err));
		return err;
	}
	if (!S_ISSOCK(st.st_mode)) {
		hook_log(env, XBPF_LOG_ERROR, "xskmap: entry %u: descriptor %d is not a socket", index,
			 fd);
		return -ENOTSOCK;
	}
	int type;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	if (type == SOCK_STREAM) {
		hook_log(env, XBPF_LOG_ERROR,
			 "xskmap: entry %u: descriptor %d is a stream socket, where frames would run "
			 "together; give a datagram, seqpacket or raw socket",
			 index, fd);
		return -EPROTOTYPE;
	}
	return 0;
}

/* From the host: the caller's descriptor becomes the map's own duplicate. */
static int xsk_before_update(void *ctx, struct xbpf_map *map, void *state, const void *key,
			     const void *value, void *stored, uint32_t flags)
{
	const struct xskmap_state *s = state;
	int err = redirect_map_check_index(key, s->max_entries);
	if (err || !(flags & XBPF_MAP_FROM_HOST))
		return err ? err : -EOPNOTSUPP;
	int32_t fd;
	uint32_t index;
	memcpy(&fd, value, sizeof(fd));
	memcpy(&index, key, sizeof(index));
	if (fd < 0) {
		hook_log((const struct xdp_hook_env *)ctx, XBPF_LOG_ERROR,
			 "xskmap: entry %u: descriptor %d: %s", index, fd, strerror(EBADF));
		return -EBADF;
	}
	err = check_socket(ctx, fd, index);
	if (err)
		return err;
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup < 0)
		return -errno;
	struct xskmap_entry entry = {.fd = dup};
	memcpy(stored, &entry, sizeof(entry));
	return 0;
}

/* The entry left (deleted, replaced, the update undone, the map freed):
 * its duplicate is closed. The core calls this after a grace period, so no
 * hook is still writing to it. */
static void xsk_after_delete(void *ctx, struct xbpf_map *map, void *state, const void *key,
			     void *stored, uint32_t flags)
{
	struct xskmap_entry entry;
	memcpy(&entry, stored, sizeof(entry));
	if (entry.fd >= 0)
		close(entry.fd);
}

const struct xbpf_map_type_provider xdp_xskmap_type = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_map_type_provider),
	.type = XDP_MAP_TYPE_XSKMAP,
	.name = "xskmap",
	.base = XBPF_MAP_BASE_HASH,
	.properties = XBPF_MAP_TRANSFORMS_VALUES | XBPF_MAP_PROG_LOOKUP | XBPF_MAP_INDEXED,
	.state_size = sizeof(struct xskmap_state),
	.create = xsk_create,
	.destroy = xsk_destroy,
	.after_find = xsk_after_find,
	.before_update = xsk_before_update,
	.after_delete = xsk_after_delete,
};
