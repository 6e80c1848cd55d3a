/* SPDX-License-Identifier: MIT */
/* What the custom map benchmark's program and its host share. */
#ifndef XBPF_BENCH_CUSTOM_MAP_LOOKUPS_H
#define XBPF_BENCH_CUSTOM_MAP_LOOKUPS_H

#define CM_ENTRIES 1024  /* keys 0..CM_ENTRIES-1, a power of two */
#define CM_LOOKUPS 256   /* lookups per run */
#define CM_STRIDE 37     /* key i = (seed + i * CM_STRIDE) mod CM_ENTRIES: distinct */
#define CM_RESULT_OFF 8  /* packet offset of the u64 sum */
#define CM_PACKET_LEN 64

#endif /* XBPF_BENCH_CUSTOM_MAP_LOOKUPS_H */
