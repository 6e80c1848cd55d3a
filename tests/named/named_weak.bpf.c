/* SPDX-License-Identifier: MIT */
/* Weak externs: one nobody exports (stays unbound, bpf_ksym_exists is
 * false) and one that exists. Returns 1 + 2 * exists(present) + 4 *
 * exists(absent). */
#include "named_progs.h"

extern __u64 nobody_exports_this(__u64 a) __ksym __weak;
extern __u64 sample_add(__u64 a, __u64 b) __ksym __weak;

SEC("sample")
int weak(struct sample_ctx *ctx)
{
	int r = 1;

	if (bpf_ksym_exists(sample_add))
		r += 2 * (int)sample_add(0, 1);
	if (bpf_ksym_exists(nobody_exports_this))
		r += 4 * (int)nobody_exports_this(1);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
