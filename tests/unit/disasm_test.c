/* SPDX-License-Identifier: MIT */
/* Unit tests of the disassembler (src/isa/disasm.c): the text of every
 * instruction family, lddw's two slots, and invalid encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "isa/asm.h"
#include "isa/disasm.h"

#define I(op, d, s, o, i) \
	{.opcode = (op), .dst = (d), .src = (s), .off = (o), .imm = (i)}

struct text_case {
	struct xbpf_insn insn;
	const char *text;
};

static void check_texts(const struct text_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char text[XBPF_DISASM_TEXT_SIZE];
		size_t slots = xbpf_disasm(&cases[i].insn, 1, 0, text, sizeof(text));
		if (slots != 1 || strcmp(text, cases[i].text) != 0) {
			print_error("opcode 0x%02x: got '%s' (%zu slots), expected '%s'\n",
				    cases[i].insn.opcode, text, slots, cases[i].text);
			fail();
		}
	}
}

#define CHECK(cases) check_texts(cases, sizeof(cases) / sizeof(cases[0]))

static void test_alu(void **state)
{
	static const struct text_case cases[] = {
		{I(0x0f, 1, 2, 0, 0), "r1 += r2"},
		{I(0x07, 1, 0, 0, -5), "r1 += -0x5"},
		{I(0x0c, 1, 2, 0, 0), "w1 += w2"},
		{I(0x04, 1, 0, 0, 0x10), "w1 += 0x10"},
		{I(0x1f, 3, 4, 0, 0), "r3 -= r4"},
		{I(0x27, 0, 0, 0, 3), "r0 *= 0x3"},
		{I(0x3f, 0, 1, 0, 0), "r0 /= r1"},
		{I(0x3f, 0, 1, 1, 0), "r0 s/= r1"},
		{I(0x34, 0, 0, 1, -2), "w0 s/= -0x2"},
		{I(0x47, 5, 0, 0, 16), "r5 |= 0x10"},
		{I(0x5c, 1, 2, 0, 0), "w1 &= w2"},
		{I(0x67, 1, 0, 0, 63), "r1 <<= 0x3f"},
		{I(0x7c, 1, 2, 0, 0), "w1 >>= w2"},
		{I(0x87, 7, 0, 0, 0), "r7 = -r7"},
		{I(0x84, 7, 0, 0, 0), "w7 = -w7"},
		{I(0x9f, 1, 2, 0, 0), "r1 %= r2"},
		{I(0x94, 1, 0, 1, 3), "w1 s%= 0x3"},
		{I(0xaf, 1, 2, 0, 0), "r1 ^= r2"},
		{I(0xbf, 0, 1, 0, 0), "r0 = r1"},
		{I(0xb7, 0, 0, 0, INT32_MIN), "r0 = -0x80000000"},
		{I(0xbc, 0, 1, 0, 0), "w0 = w1"},
		{I(0xb4, 0, 0, 0, -1), "w0 = -0x1"},
		{I(0xc7, 2, 0, 0, 4), "r2 s>>= 0x4"},
		{I(0xcc, 2, 3, 0, 0), "w2 s>>= w3"},
		{I(0xbf, 1, 2, 8, 0), "r1 = (s8)r2"},
		{I(0xbf, 1, 2, 16, 0), "r1 = (s16)r2"},
		{I(0xbf, 1, 2, 32, 0), "r1 = (s32)r2"},
		{I(0xbc, 1, 2, 8, 0), "w1 = (s8)w2"},
		{I(0xbc, 1, 2, 16, 0), "w1 = (s16)w2"},
		{I(0xd4, 1, 0, 0, 16), "r1 = le16 r1"},
		{I(0xd4, 1, 0, 0, 64), "r1 = le64 r1"},
		{I(0xdc, 2, 0, 0, 32), "r2 = be32 r2"},
		{I(0xd7, 3, 0, 0, 16), "r3 = bswap16 r3"},
		{I(0xd7, 3, 0, 0, 64), "r3 = bswap64 r3"},
		/* Fields that should be zero are not looked at. */
		{I(0x07, 0, 1, 1, 1), "r0 += 0x1"},
	};
	CHECK(cases);
}

static void test_jumps_and_calls(void **state)
{
	static const struct text_case cases[] = {
		{I(0x05, 0, 0, 3, 0), "goto +0x3"},
		{I(0x05, 0, 0, -1, 0), "goto -0x1"},
		{I(0x05, 0, 0, 0, 0), "goto +0x0"},
		{I(0x06, 0, 0, 0, 70000), "gotol +0x11170"},
		{I(0x06, 0, 0, 0, -2), "gotol -0x2"},
		{I(0x1d, 1, 2, 1, 0), "if r1 == r2 goto +0x1"},
		{I(0x15, 1, 0, 1, 5), "if r1 == 0x5 goto +0x1"},
		{I(0x25, 1, 0, 3, 5), "if r1 > 0x5 goto +0x3"},
		{I(0x3d, 1, 2, 1, 0), "if r1 >= r2 goto +0x1"},
		{I(0x45, 1, 0, -4, 8), "if r1 & 0x8 goto -0x4"},
		{I(0x5d, 1, 2, 0, 0), "if r1 != r2 goto +0x0"},
		{I(0x65, 1, 0, 2, -1), "if r1 s> -0x1 goto +0x2"},
		{I(0x7d, 1, 3, 2, 0), "if r1 s>= r3 goto +0x2"},
		{I(0xa5, 1, 0, 2, 1), "if r1 < 0x1 goto +0x2"},
		{I(0xbd, 1, 2, 2, 0), "if r1 <= r2 goto +0x2"},
		{I(0xc5, 1, 0, 2, 1), "if r1 s< 0x1 goto +0x2"},
		{I(0xdd, 1, 2, 2, 0), "if r1 s<= r2 goto +0x2"},
		{I(0x16, 1, 0, 1, 5), "if w1 == 0x5 goto +0x1"},
		{I(0x5e, 1, 2, 1, 0), "if w1 != w2 goto +0x1"},
		{I(0x4e, 1, 2, 1, 0), "if w1 & w2 goto +0x1"},
		{I(0xd6, 1, 0, -1, -7), "if w1 s<= -0x7 goto -0x1"},
		{I(0x85, 0, 0, 0, 1), "call 0x1"},
		{I(0x85, 0, 0, 0, -1), "call -0x1"},
		{I(0x85, 0, 1, 0, 12), "call pc+0xc"},
		{I(0x85, 0, 1, 0, -3), "call pc-0x3"},
		{I(0x85, 0, 2, 0, 7), "call kfunc 0x7"},
		{I(0x8d, 2, 0, 0, 0), "callx r2"},
		{I(0x95, 0, 0, 0, 0), "exit"},
	};
	CHECK(cases);
}

static void test_memory(void **state)
{
	static const struct text_case cases[] = {
		{I(0x61, 0, 1, 4, 0), "r0 = *(u32 *)(r1 + 0x4)"},
		{I(0x69, 0, 1, 0, 0), "r0 = *(u16 *)(r1 + 0x0)"},
		{I(0x71, 0, 1, -1, 0), "r0 = *(u8 *)(r1 - 0x1)"},
		{I(0x79, 0, 10, INT16_MIN, 0), "r0 = *(u64 *)(r10 - 0x8000)"},
		{I(0x91, 1, 2, 1, 0), "r1 = *(s8 *)(r2 + 0x1)"},
		{I(0x89, 1, 2, 2, 0), "r1 = *(s16 *)(r2 + 0x2)"},
		{I(0x81, 1, 2, 4, 0), "r1 = *(s32 *)(r2 + 0x4)"},
		{I(0x7b, 10, 1, -8, 0), "*(u64 *)(r10 - 0x8) = r1"},
		{I(0x63, 1, 2, 4, 0), "*(u32 *)(r1 + 0x4) = r2"},
		{I(0x6b, 1, 2, 2, 0), "*(u16 *)(r1 + 0x2) = r2"},
		{I(0x73, 1, 2, 1, 0), "*(u8 *)(r1 + 0x1) = r2"},
		{I(0x62, 10, 0, -4, 5), "*(u32 *)(r10 - 0x4) = 0x5"},
		{I(0x7a, 1, 0, 0, -1), "*(u64 *)(r1 + 0x0) = -0x1"},
		{I(0x72, 1, 0, 0, 0x11), "*(u8 *)(r1 + 0x0) = 0x11"},
		{I(0x6a, 1, 0, 2, 7), "*(u16 *)(r1 + 0x2) = 0x7"},
		{I(0x30, 0, 0, 0, 14), "r0 = *(u8 *)skb[0xe]"},
		{I(0x28, 0, 0, 0, 12), "r0 = *(u16 *)skb[0xc]"},
		{I(0x40, 0, 1, 0, 0), "r0 = *(u32 *)skb[r1]"},
	};
	CHECK(cases);
}

static void test_atomics(void **state)
{
	static const struct text_case cases[] = {
		{I(0xdb, 1, 2, 0, 0x00), "lock *(u64 *)(r1 + 0x0) += r2"},
		{I(0xdb, 1, 2, 8, 0x50), "lock *(u64 *)(r1 + 0x8) &= r2"},
		{I(0xdb, 1, 2, 0, 0x40), "lock *(u64 *)(r1 + 0x0) |= r2"},
		{I(0xdb, 1, 2, 0, 0xa0), "lock *(u64 *)(r1 + 0x0) ^= r2"},
		{I(0xc3, 10, 1, -4, 0x00), "lock *(u32 *)(r10 - 0x4) += w1"},
		{I(0xdb, 1, 2, 0, 0x01), "r2 = atomic_fetch_add((u64 *)(r1 + 0x0), r2)"},
		{I(0xdb, 1, 2, 0, 0x51), "r2 = atomic_fetch_and((u64 *)(r1 + 0x0), r2)"},
		{I(0xdb, 1, 2, 0, 0x41), "r2 = atomic_fetch_or((u64 *)(r1 + 0x0), r2)"},
		{I(0xc3, 1, 2, 0, 0xa1), "w2 = atomic_fetch_xor((u32 *)(r1 + 0x0), w2)"},
		{I(0xdb, 1, 2, 0, 0xe1), "r2 = xchg_64(r1 + 0x0, r2)"},
		{I(0xc3, 1, 2, 4, 0xe1), "w2 = xchg32_32(r1 + 0x4, w2)"},
		{I(0xdb, 1, 2, 0, 0xf1), "r0 = cmpxchg_64(r1 + 0x0, r0, r2)"},
		{I(0xc3, 1, 2, -8, 0xf1), "w0 = cmpxchg32_32(r1 - 0x8, w0, w2)"},
	};
	CHECK(cases);
}

/* Encodings that are no instruction print as the 64-bit word. */
static void test_invalid(void **state)
{
	static const struct text_case cases[] = {
		{I(0x00, 0, 0, 0, 0), ".insn 0x0000000000000000"},
		{I(0x8f, 1, 2, 0, 0), ".insn 0x000000000000218f"},  /* neg by register */
		{I(0x3f, 1, 2, 2, 0), ".insn 0x000000000002213f"},  /* div with offset 2 */
		{I(0xbc, 1, 2, 32, 0), ".insn 0x00000000002021bc"}, /* movsx3232 */
		{I(0xb7, 1, 0, 8, 0), ".insn 0x00000000000801b7"},  /* movsx from an immediate */
		{I(0xe7, 1, 0, 0, 0), ".insn 0x00000000000001e7"},  /* ALU op 0xe */
		{I(0xd4, 1, 0, 0, 8), ".insn 0x00000008000001d4"},  /* le8 */
		{I(0xdf, 1, 0, 0, 16), ".insn 0x00000010000001df"}, /* bswap with the X bit */
		{I(0x0d, 0, 0, 1, 0), ".insn 0x000000000001000d"},  /* ja by register */
		{I(0x86, 0, 0, 0, 1), ".insn 0x0000000100000086"},  /* call in JMP32 */
		{I(0x96, 0, 0, 0, 0), ".insn 0x0000000000000096"},  /* exit in JMP32 */
		{I(0x9d, 0, 0, 0, 0), ".insn 0x000000000000009d"},  /* exit by register */
		{I(0xe5, 1, 0, 1, 0), ".insn 0x00000000000101e5"},  /* jump op 0xe */
		{I(0x85, 0, 3, 0, 1), ".insn 0x0000000100003085"},  /* call with src 3 */
		{I(0x99, 0, 1, 0, 0), ".insn 0x0000000000001099"},  /* ldxsdw */
		{I(0xa1, 0, 1, 0, 0), ".insn 0x00000000000010a1"},  /* ldx mode 0xa0 */
		{I(0xc2, 0, 1, 0, 0), ".insn 0x00000000000010c2"},  /* st mode atomic */
		{I(0xd3, 1, 2, 0, 0), ".insn 0x00000000000021d3"},  /* 8-bit atomic */
		{I(0xdb, 1, 2, 0, 0x10), ".insn 0x00000010000021db"}, /* atomic op 0x10 */
		{I(0xdb, 1, 2, 0, 0xe0), ".insn 0x000000e0000021db"}, /* xchg without fetch */
		{I(0x38, 0, 0, 0, 0), ".insn 0x0000000000000038"},  /* ld abs dw */
		{I(0x60, 0, 0, 0, 0), ".insn 0x0000000000000060"},  /* ld mode mem */
		{I(0xff, 15, 15, -1, -1), ".insn 0xffffffffffffffff"},
	};
	CHECK(cases);
}

static void check_lddw(struct xbpf_insn first, int32_t high, const char *want)
{
	struct xbpf_insn insns[3] = {first, I(0, 0, 0, 0, high), I(0x95, 0, 0, 0, 0)};
	char text[XBPF_DISASM_TEXT_SIZE];
	assert_int_equal(xbpf_disasm(insns, 3, 0, text, sizeof(text)), 2);
	assert_string_equal(text, want);
}

static void test_lddw(void **state)
{
	check_lddw((struct xbpf_insn)I(0x18, 1, 0, 0, 0x55667788), 0x11223344,
		   "r1 = 0x1122334455667788 ll");
	check_lddw((struct xbpf_insn)I(0x18, 1, 0, 0, -1), -1, "r1 = -0x1 ll");
	check_lddw((struct xbpf_insn)I(0x18, 2, 0, 0, 0), INT32_MIN,
		   "r2 = -0x8000000000000000 ll");
	check_lddw((struct xbpf_insn)I(0x18, 1, 1, 0, 3), 0, "r1 = map[fd:0x3] ll");
	check_lddw((struct xbpf_insn)I(0x18, 1, 2, 0, 3), 8, "r1 = map[fd:0x3][0]+0x8 ll");
	check_lddw((struct xbpf_insn)I(0x18, 1, 3, 0, 77), 0, "r1 = btf_id[0x4d] ll");
	check_lddw((struct xbpf_insn)I(0x18, 1, 4, 0, 4), 0, "r1 = func pc+0x4 ll");
	check_lddw((struct xbpf_insn)I(0x18, 1, 5, 0, 0), 0, "r1 = map[idx:0x0] ll");
	check_lddw((struct xbpf_insn)I(0x18, 1, 6, 0, 1), 16, "r1 = map[idx:0x1][0]+0x10 ll");
	check_lddw((struct xbpf_insn)I(0x18, 10, 6, 0, -1), -1,
		   "r10 = map[idx:0xffffffff][0]+0xffffffff ll");

	/* A lddw in the last slot has no second half: one invalid slot. */
	struct xbpf_insn last[2] = {I(0x95, 0, 0, 0, 0), I(0x18, 1, 0, 0, 1)};
	char text[XBPF_DISASM_TEXT_SIZE];
	assert_int_equal(xbpf_disasm(last, 2, 1, text, sizeof(text)), 1);
	assert_string_equal(text, ".insn 0x0000000100000118");
	/* An unknown src. */
	struct xbpf_insn bad[2] = {I(0x18, 1, 7, 0, 1), I(0, 0, 0, 0, 0)};
	assert_int_equal(xbpf_disasm(bad, 2, 0, text, sizeof(text)), 1);
	assert_string_equal(text, ".insn 0x0000000100007118");
}

/* The text is cut to the buffer, never overrun. */
static void test_small_buffer(void **state)
{
	struct xbpf_insn insn = I(0xdb, 1, 2, 0, 0x01);
	char text[12];
	memset(text, 'x', sizeof(text));
	xbpf_disasm(&insn, 1, 0, text, 8);
	assert_string_equal(text, "r2 = at");
	assert_int_equal(text[8], 'x');
}

/* Every opcode with field values that select operations or stretch the
 * text: no text is ever cut by XBPF_DISASM_TEXT_SIZE. */
static void test_text_size(void **state)
{
	static const int16_t offs[] = {0, 1, 8, 16, 32, INT16_MIN, INT16_MAX};
	static const int32_t imms[] = {0, 1, 16, 32, 64, 0x41, 0xa1, 0xe1, 0xf1, -1, INT32_MIN};
	static const uint8_t regs[] = {0, 10, 15};
	size_t longest = 0;
	for (unsigned op = 0; op < 256; op++)
		for (unsigned src = 0; src < 16; src++)
			for (size_t d = 0; d < sizeof(regs); d++)
				for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++)
					for (size_t i = 0; i < sizeof(imms) / sizeof(imms[0]); i++) {
						struct xbpf_insn insns[2] = {
							I(op, regs[d], src, offs[o], imms[i]),
							I(0, 0, 0, 0, imms[i])};
						char text[XBPF_DISASM_TEXT_SIZE];
						size_t slots = xbpf_disasm(insns, 2, 0, text, sizeof(text));
						assert_true(slots == 1 || (slots == 2 && op == 0x18));
						size_t len = strlen(text);
						assert_true(len > 0);
						if (len > longest)
							longest = len;
					}
	assert_true(longest < XBPF_DISASM_TEXT_SIZE - 1);
}

/* Text the assembler reads, disassembled: one line of each family. */
static void test_from_assembler(void **state)
{
	static const char *const pairs[][2] = {
		{"mov32 %r0, 0xffffffff", "w0 = -0x1"},
		{"lock fetch add32 [%r10-4], %r1", "w1 = atomic_fetch_add((u32 *)(r10 - 0x4), w1)"},
		{"jsle32 %r1, %r2, -3", "if w1 s<= w2 goto -0x3"},
		{"call local +2", "call pc+0x2"},
		{"call %r5", "callx r5"},
		{"ldxsh %r2, [%r1+0xfffe]", "r2 = *(s16 *)(r1 - 0x2)"},
		{"stdw [%r10-8], 0x7fffffff", "*(u64 *)(r10 - 0x8) = 0x7fffffff"},
		{"swap32 %r4", "r4 = bswap32 r4"},
		{"movsx1632 %r1, %r2", "w1 = (s16)w2"},
		{"ja32 +1", "gotol +0x1"},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct xbpf_insn *insns;
		size_t count;
		char err[128], text[XBPF_DISASM_TEXT_SIZE];
		assert_int_equal(xbpf_asm(pairs[i][0], &insns, &count, err, sizeof(err)), 0);
		xbpf_disasm(insns, count, 0, text, sizeof(text));
		assert_string_equal(text, pairs[i][1]);
		free(insns);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alu),
		cmocka_unit_test(test_jumps_and_calls),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_atomics),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_lddw),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_text_size),
		cmocka_unit_test(test_from_assembler),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
