/* SPDX-License-Identifier: MIT */
/* BPF program for the disassembler test: atomic operations of each kind,
 * 32 and 64 bits, with and without fetch. 32-bit atomics need -mcpu=v3. */
/* cpus: v3 */
typedef unsigned long long u64;
typedef unsigned int u32;

struct record {
	u64 total;
	u32 count;
	u32 pad;
	u64 words[4];
};

u64 atomics(struct record *r, u64 v, u32 w)
{
	u64 acc = 0;
	__sync_fetch_and_add(&r->total, v);
	__sync_fetch_and_and(&r->total, v);
	__sync_fetch_and_or(&r->total, v);
	__sync_fetch_and_xor(&r->total, v);
	__sync_fetch_and_add(&r->count, w);
	__sync_fetch_and_and(&r->count, w);
	__sync_fetch_and_or(&r->count, w);
	__sync_fetch_and_xor(&r->count, w);
	acc += __sync_fetch_and_add(&r->words[0], v);
	acc += __sync_fetch_and_and(&r->words[1], v);
	acc += __sync_fetch_and_or(&r->words[2], v);
	acc += __sync_fetch_and_xor(&r->words[3], v);
	acc += __sync_fetch_and_add(&r->count, w);
	acc += __sync_fetch_and_and(&r->count, w);
	acc += __sync_fetch_and_or(&r->count, w);
	acc += __sync_fetch_and_xor(&r->count, w);
	acc += __sync_lock_test_and_set(&r->total, acc);
	acc += __sync_lock_test_and_set(&r->count, w);
	acc += __sync_val_compare_and_swap(&r->total, acc, v);
	acc += __sync_val_compare_and_swap(&r->count, w, 7);
	return acc;
}
