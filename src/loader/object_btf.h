/* SPDX-License-Identifier: MIT */
/* Giving the maps of a loaded object their BTF (see object_btf.c). */
#ifndef XBPF_LOADER_OBJECT_BTF_H
#define XBPF_LOADER_OBJECT_BTF_H

#include "loader/elf_obj.h"

struct xbpf_map;

/*
 * Attaches the object's BTF to maps[i] (the map created for elf->maps[i])
 * with the key and value types of its definition: SEC(".maps") maps get
 * their __type(key) and __type(value), data maps their DATASEC as the value
 * (key 0), as libbpf gives them to Linux. A map that already has BTF (a
 * reused pin) keeps it. BTF is for printing only, so what cannot be attached
 * is a warning naming the map, never an error: returns nothing.
 */
void xbpf_object_attach_map_btf(struct xbpf_runtime *rt, const char *obj_name,
				const struct xbpf_elf_obj *elf, struct xbpf_map *const *maps);

#endif /* XBPF_LOADER_OBJECT_BTF_H */
