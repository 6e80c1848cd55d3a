/* SPDX-License-Identifier: MIT */
/* BPF program for the disassembler test: conditional jumps of every kind on
 * registers and constants, helper calls and bpf-to-bpf calls. */
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef int s32;

static long (*const helper_one)(u64 a) = (void *)1;
static long (*const helper_six)(u64 a, u64 b) = (void *)6;

__attribute__((noinline)) static u64 count_below(u64 a, u64 b)
{
	u64 n = 0;
	n += a == b;
	n += a != 5;
	n += a > b;
	n += a >= 100;
	n += a < b;
	n += a <= 7;
	n += (s64)a > (s64)b;
	n += (s64)a >= -9;
	n += (s64)a < (s64)b;
	n += (s64)a <= 3;
	return n;
}

__attribute__((noinline)) u64 branches(u64 *p)
{
	u64 a = p[0], b = p[1], r = 0;
	if (a == b) r += 1;
	if (a != 17) r += 2;
	if (a > b) r += 3;
	if (a >= 40) r += 4;
	if (a < b) r *= 5;
	if (a <= 60) r ^= 6;
	if ((s64)a > (s64)b) r += 7;
	if ((s64)a >= -8) r |= 8;
	if ((s64)a < (s64)b) r += 9;
	if ((s64)a <= -10) r -= 10;
	if ((u32)a == (u32)b) r += 11;
	if ((u32)a != 12) r += 12;
	if ((u32)a > (u32)b) r += 13;
	if ((s32)a < -14) r += 14;
	if ((s32)a <= (s32)b) r += 15;
	if ((u32)a <= 16) r += 16;
	while (a > 1) {
		a = a & 1 ? 3 * a + 1 : a / 2;
		r++;
	}
	return r;
}

u64 calls(u64 *p)
{
	u64 r = branches(p);
	r += count_below(p[0], p[1]);
	r += (u64)helper_one(r);
	r += (u64)helper_six(r, p[2]);
	return r;
}
