/* SPDX-License-Identifier: MIT */
/*
 * DEVMAP (Linux map type 14): index -> network interface. Values are a
 * __u32 ifindex (value_size 4) or Linux's struct bpf_devmap_val (8: the
 * ifindex, then a program descriptor, which must be 0 or negative: devmap
 * programs are not supported). The host's updates must name an interface
 * that exists (-ENODEV otherwise). A frame a program redirects to an entry
 * leaves by that interface: on xdp/live through an AF_PACKET socket, on
 * xdp/pcap into the output file given for the ifindex. A broadcast
 * (bpf_redirect_map with BPF_F_BROADCAST) leaves by the interfaces of all
 * entries (devmap_ifindexes).
 *
 * Values are not transformed, so programs may look entries up, as in
 * Linux; they cannot update or delete them (the core refuses, as Linux).
 * Keys are indexes (XBPF_MAP_INDEXED): deletes, iteration and the bound
 * on updates are Linux's.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "hook_params.h"
#include "redirect_maps.h"

struct devmap_state {
	uint32_t max_entries;
	uint32_t value_size;
};

static int dev_create(void *ctx, struct xbpf_map *map, const struct xbpf_map_params *params,
		      void *state, uint32_t *stored_value_size)
{
	static const uint32_t value_sizes[] = {4, 8, 0};
	int err = redirect_map_check(ctx, params, value_sizes);
	if (err)
		return err;
	((struct devmap_state *)state)->max_entries = params->max_entries;
	((struct devmap_state *)state)->value_size = params->value_size;
	return 0;
}

static void dev_destroy(void *ctx, struct xbpf_map *map, void *state)
{
}

static int dev_before_update(void *ctx, struct xbpf_map *map, void *state, const void *key,
			     const void *value, void *stored, uint32_t flags)
{
	const struct devmap_state *s = state;
	int err = redirect_map_check_index(key, s->max_entries);
	if (err)
		return err;
	uint32_t index, ifindex;
	memcpy(&index, key, sizeof(index));
	memcpy(&ifindex, value, sizeof(ifindex));
	char name[IF_NAMESIZE];
	if (ifindex == 0 || !if_indextoname(ifindex, name)) {
		hook_log((const struct xdp_hook_env *)ctx, XBPF_LOG_ERROR, "devmap: entry %u: no network interface has ifindex %u",
			 index, ifindex);
		return -ENODEV;
	}
	if (s->value_size == 8) {
		int32_t prog_fd;
		memcpy(&prog_fd, (const char *)value + 4, sizeof(prog_fd));
		if (prog_fd > 0) {
			hook_log((const struct xdp_hook_env *)ctx, XBPF_LOG_ERROR,
				 "devmap: entry %u: bpf_prog.fd %d: devmap programs are not supported",
				 index, prog_fd);
			return -EOPNOTSUPP;
		}
		/* Read back as Linux does: no program, id 0. */
		memset((char *)stored + 4, 0, 4);
	}
	return 0;
}

uint32_t devmap_ifindexes(struct xbpf_map *map, const struct xbpf_provider *p, uint32_t *out,
			  uint32_t max)
{
	const struct devmap_state *s = xdp_core->map_state(map, p);
	uint32_t n = 0;
	for (uint32_t key = 0; s && key < s->max_entries && n < max; key++) {
		const struct devmap_entry *e = xdp_core->map_raw_lookup(map, p, &key);
		if (e)
			out[n++] = __atomic_load_n(&e->ifindex, __ATOMIC_RELAXED);
	}
	return n;
}

const struct xbpf_map_type_provider xdp_devmap_type = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_map_type_provider),
	.type = XDP_MAP_TYPE_DEVMAP,
	.name = "devmap",
	.base = XBPF_MAP_BASE_HASH,
	.properties = XBPF_MAP_PROG_LOOKUP | XBPF_MAP_INDEXED,
	.state_size = sizeof(struct devmap_state),
	.create = dev_create,
	.destroy = dev_destroy,
	.before_update = dev_before_update,
};
