/* SPDX-License-Identifier: MIT */
/* BPF program for the disassembler test: 32- and 64-bit arithmetic, shifts,
 * byte swaps and 64-bit constants, as clang chooses to encode them. */
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef int s32;

u64 alu64(u64 *p)
{
	u64 a = p[0], b = p[1];
	s64 s = (s64)p[2];
	u64 r = a + b;
	r -= b * 7;
	r ^= a / b;
	r |= a % 13;
	r &= ~b;
	r += a << (b & 63);
	r += a >> 5;
	r += (u64)(s >> (b & 63));
	r += (u64)(s >> 9);
	r += a * b + a / 7 - (a % b);
	r += (u64)-(s64)a;
	r += 0x1122334455667788ULL;
	r += __builtin_bswap16((unsigned short)a) + __builtin_bswap32((u32)b) + __builtin_bswap64(r);
	return r;
}

u32 alu32(u32 *p)
{
	u32 a = p[0], b = p[1];
	s32 s = (s32)p[2];
	u32 r = a + b;
	r -= b * 7;
	r ^= a / b;
	r |= a % 13;
	r &= ~b;
	r += a << (b & 31);
	r += a >> 5;
	r += (u32)(s >> (b & 31));
	r += (u32)(s >> 9);
	r += a * b + a / 7 - (a % b);
	r += (u32)-(s32)a;
	r += 0x7fffffff;
	return r;
}
