/* SPDX-License-Identifier: MIT */
/* BPF program for the disassembler test: loads and stores of each size,
 * stack use, and the legacy packet loads. */
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

struct record {
	u64 total;
	u32 count;
	u16 flags;
	u8 kind;
	u8 pad;
	u64 words[4];
};

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

u64 copy(struct record *dst, const struct record *src)
{
	volatile u64 scratch[4];
	for (int i = 0; i < 4; i++)
		scratch[i] = src->words[i] ^ src->kind;
	dst->total = scratch[0] + scratch[3];
	dst->count = src->count + 1;
	dst->flags = src->flags | 0x80;
	dst->kind = src->kind;
	dst->pad = 0;
	return dst->total + dst->count;
}

u64 packet(void *skb, u64 off)
{
	return load_byte(skb, 14) + load_half(skb, 12) + load_word(skb, 26) +
	       load_byte(skb, off) + load_half(skb, off) + load_word(skb, off);
}
