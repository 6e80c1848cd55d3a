/* SPDX-License-Identifier: MIT */
/*
 * bpf_csum_diff: the Internet checksum (one's complement sum) of the bytes
 * pushed (`to`) minus those pulled (`from`), starting from seed, folded to
 * 16 bits, as Linux computes it since 6.13 (checked against the kernel on
 * sizes that are and are not multiples of 4).
 */
#include <stdint.h>

#include "helpers/core.h"

/* One's complement sum of the bytes as little-endian 16-bit words, added to
 * sum, kept in 32 bits with end-around carries. */
static uint32_t partial(const uint8_t *p, uint32_t size, uint32_t sum)
{
	uint64_t s = sum;
	for (uint32_t i = 0; i + 1 < size; i += 2)
		s += (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
	if (size & 1)
		s += p[size - 1];
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

static uint32_t add32(uint32_t a, uint32_t b)
{
	uint64_t s = (uint64_t)a + b;
	return (uint32_t)((s & 0xffffffff) + (s >> 32));
}

static uint64_t csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size, uint64_t seed,
			  struct xbpf_exec *exec)
{
	const uint8_t *f = (const uint8_t *)(uintptr_t)from, *t = (const uint8_t *)(uintptr_t)to;
	uint32_t fs = (uint32_t)from_size, ts = (uint32_t)to_size, sum;

	if (fs && ts)
		sum = add32(partial(t, ts, (uint32_t)seed), ~partial(f, fs, 0));
	else if (ts)
		sum = partial(t, ts, (uint32_t)seed);
	else if (fs)
		sum = ~partial(f, fs, ~(uint32_t)seed);
	else
		sum = (uint32_t)seed;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

const struct xbpf_helper xbpf_core_csum_diff = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_csum_diff",
	.id = BPF_FUNC_csum_diff,
	.fn = csum_diff,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8, /* s64 */
	.args = {XBPF_ARG_PTR_TO_MEM | XBPF_ARG_MAYBE_NULL, XBPF_ARG_CONST_SIZE_OR_ZERO,
		 XBPF_ARG_PTR_TO_MEM | XBPF_ARG_MAYBE_NULL, XBPF_ARG_CONST_SIZE_OR_ZERO, XBPF_ARG_ANYTHING},
	.arg_width = {8, 4, 8, 4, 4},
};
