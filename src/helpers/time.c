/* SPDX-License-Identifier: MIT */
/* Clocks: bpf_ktime_get_ns, bpf_ktime_get_boot_ns, bpf_ktime_get_coarse_ns. */
#include <time.h>

#include "helpers/core.h"

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	/* These clocks exist on every Linux xbpf runs on: no error to report. */
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t ktime_get_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct xbpf_exec *exec)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t ktime_get_boot_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct xbpf_exec *exec)
{
	return clock_ns(CLOCK_BOOTTIME);
}

static uint64_t ktime_get_coarse_ns(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				    struct xbpf_exec *exec)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

const struct xbpf_helper xbpf_core_ktime_get_ns = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_ktime_get_ns",
	.id = BPF_FUNC_ktime_get_ns,
	.fn = ktime_get_ns,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
};

const struct xbpf_helper xbpf_core_ktime_get_boot_ns = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_ktime_get_boot_ns",
	.id = BPF_FUNC_ktime_get_boot_ns,
	.fn = ktime_get_boot_ns,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
};

const struct xbpf_helper xbpf_core_ktime_get_coarse_ns = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_ktime_get_coarse_ns",
	.id = BPF_FUNC_ktime_get_coarse_ns,
	.fn = ktime_get_coarse_ns,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
};
