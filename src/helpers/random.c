/* SPDX-License-Identifier: MIT */
/*
 * bpf_get_prandom_u32: a fast pseudo-random generator per thread
 * (SplitMix64, one word of state), seeded from getrandom() the first time
 * the thread asks. Not for secrets, as in Linux.
 */
#include <stdbool.h>
#include <sys/random.h>
#include <time.h>

#include "helpers/core.h"

static __thread uint64_t state;
static __thread bool seeded;

static void seed(void)
{
	struct timespec ts;

	if (getrandom(&state, sizeof(state), GRND_NONBLOCK) != (ssize_t)sizeof(state)) {
		/* No entropy yet (early boot): the clock and this thread's
		 * address still make threads differ. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		state = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 32 ^ (uint64_t)(uintptr_t)&state;
	}
	seeded = true;
}

static uint64_t get_prandom_u32(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	uint64_t z;

	if (__builtin_expect(!seeded, 0))
		seed();
	z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

const struct xbpf_helper xbpf_core_get_prandom_u32 = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_get_prandom_u32",
	.id = BPF_FUNC_get_prandom_u32,
	.fn = get_prandom_u32,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 4,
};
