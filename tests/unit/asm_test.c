/* SPDX-License-Identifier: MIT */
/* Unit tests of the assembler (src/isa/asm.c): encodings of every mnemonic
 * family, number forms, labels, and every error it reports. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "isa/asm.h"

#define I(op, d, s, o, i) \
	{.opcode = (op), .dst = (d), .src = (s), .off = (o), .imm = (i)}

struct encoding {
	const char *text;
	struct xbpf_insn insn;
};

static void check_encodings(const struct encoding *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct xbpf_insn *out;
		size_t count;
		char err[256];
		int rc = xbpf_asm(cases[i].text, &out, &count, err, sizeof(err));
		if (rc) {
			print_error("'%s': %s\n", cases[i].text, err);
			fail();
		}
		if (count != 1 || memcmp(out, &cases[i].insn, sizeof(*out)) != 0) {
			print_error("'%s': got %zu slots, first %02x %x %x %d %d\n", cases[i].text,
				    count, out[0].opcode, out[0].dst, out[0].src, out[0].off, out[0].imm);
			fail();
		}
		free(out);
	}
}

#define CHECK(cases) check_encodings(cases, sizeof(cases) / sizeof(cases[0]))

static void test_alu(void **state)
{
	static const struct encoding cases[] = {
		{"add %r1, %r2", I(0x0f, 1, 2, 0, 0)},
		{"add %r1, 5", I(0x07, 1, 0, 0, 5)},
		{"add32 %r1, %r2", I(0x0c, 1, 2, 0, 0)},
		{"add32 %r1, -5", I(0x04, 1, 0, 0, -5)},
		{"sub %r3, %r4", I(0x1f, 3, 4, 0, 0)},
		{"sub32 %r3, 7", I(0x14, 3, 0, 0, 7)},
		{"mul %r0, 3", I(0x27, 0, 0, 0, 3)},
		{"mul32 %r0, %r9", I(0x2c, 0, 9, 0, 0)},
		{"div %r0, %r1", I(0x3f, 0, 1, 0, 0)},
		{"div32 %r0, 2", I(0x34, 0, 0, 0, 2)},
		{"sdiv %r0, %r1", I(0x3f, 0, 1, 1, 0)},
		{"sdiv32 %r0, -2", I(0x34, 0, 0, 1, -2)},
		{"or %r5, 0x10", I(0x47, 5, 0, 0, 16)},
		{"or32 %r5, %r6", I(0x4c, 5, 6, 0, 0)},
		{"and %r1, %r10", I(0x5f, 1, 10, 0, 0)},
		{"and32 %r1, 0xff", I(0x54, 1, 0, 0, 255)},
		{"lsh %r1, 63", I(0x67, 1, 0, 0, 63)},
		{"lsh32 %r1, %r2", I(0x6c, 1, 2, 0, 0)},
		{"rsh %r1, %r2", I(0x7f, 1, 2, 0, 0)},
		{"rsh32 %r1, 3", I(0x74, 1, 0, 0, 3)},
		{"neg %r7", I(0x87, 7, 0, 0, 0)},
		{"neg32 %r7", I(0x84, 7, 0, 0, 0)},
		{"mod %r1, %r2", I(0x9f, 1, 2, 0, 0)},
		{"mod32 %r1, 10", I(0x94, 1, 0, 0, 10)},
		{"smod %r1, -3", I(0x97, 1, 0, 1, -3)},
		{"smod32 %r1, %r2", I(0x9c, 1, 2, 1, 0)},
		{"xor %r1, %r2", I(0xaf, 1, 2, 0, 0)},
		{"xor32 %r1, 1", I(0xa4, 1, 0, 0, 1)},
		{"mov %r0, %r1", I(0xbf, 0, 1, 0, 0)},
		{"mov %r0, -1", I(0xb7, 0, 0, 0, -1)},
		{"mov32 %r0, %r1", I(0xbc, 0, 1, 0, 0)},
		{"mov32 %r0, 0xffffffff", I(0xb4, 0, 0, 0, -1)},
		{"arsh %r2, 4", I(0xc7, 2, 0, 0, 4)},
		{"arsh32 %r2, %r3", I(0xcc, 2, 3, 0, 0)},
		{"movsx864 %r1, %r2", I(0xbf, 1, 2, 8, 0)},
		{"movsx1664 %r1, %r2", I(0xbf, 1, 2, 16, 0)},
		{"movsx3264 %r1, %r2", I(0xbf, 1, 2, 32, 0)},
		{"movsx832 %r1, %r2", I(0xbc, 1, 2, 8, 0)},
		{"movsx1632 %r1, %r2", I(0xbc, 1, 2, 16, 0)},
	};
	CHECK(cases);
}

static void test_byte_order(void **state)
{
	static const struct encoding cases[] = {
		{"le16 %r1", I(0xd4, 1, 0, 0, 16)},    {"le32 %r1", I(0xd4, 1, 0, 0, 32)},
		{"le64 %r1", I(0xd4, 1, 0, 0, 64)},    {"be16 %r2", I(0xdc, 2, 0, 0, 16)},
		{"be32 %r2", I(0xdc, 2, 0, 0, 32)},    {"be64 %r2", I(0xdc, 2, 0, 0, 64)},
		{"bswap16 %r3", I(0xd7, 3, 0, 0, 16)}, {"bswap32 %r3", I(0xd7, 3, 0, 0, 32)},
		{"bswap64 %r3", I(0xd7, 3, 0, 0, 64)}, {"swap16 %r4", I(0xd7, 4, 0, 0, 16)},
		{"swap32 %r4", I(0xd7, 4, 0, 0, 32)},  {"swap64 %r4", I(0xd7, 4, 0, 0, 64)},
	};
	CHECK(cases);
}

static void test_jumps_and_calls(void **state)
{
	static const struct encoding cases[] = {
		{"ja +3", I(0x05, 0, 0, 3, 0)},
		{"ja -1", I(0x05, 0, 0, -1, 0)},
		{"ja32 +70000", I(0x06, 0, 0, 0, 70000)},
		{"ja32 -2", I(0x06, 0, 0, 0, -2)},
		{"jeq %r1, %r2, +1", I(0x1d, 1, 2, 1, 0)},
		{"jeq %r1, 5, +1", I(0x15, 1, 0, 1, 5)},
		{"jgt %r1, %r2, +1", I(0x2d, 1, 2, 1, 0)},
		{"jge %r1, 0x7fffffff, +1", I(0x35, 1, 0, 1, 0x7fffffff)},
		{"jset %r1, 8, -4", I(0x45, 1, 0, -4, 8)},
		{"jne %r1, %r2, +0", I(0x5d, 1, 2, 0, 0)},
		{"jsgt %r1, -1, +2", I(0x65, 1, 0, 2, -1)},
		{"jsge %r1, %r3, +2", I(0x7d, 1, 3, 2, 0)},
		{"jlt %r1, 1, +2", I(0xa5, 1, 0, 2, 1)},
		{"jle %r1, %r2, +2", I(0xbd, 1, 2, 2, 0)},
		{"jslt %r1, 1, +2", I(0xc5, 1, 0, 2, 1)},
		{"jsle %r1, %r2, +2", I(0xdd, 1, 2, 2, 0)},
		{"jeq32 %r1, 5, +1", I(0x16, 1, 0, 1, 5)},
		{"jne32 %r1, %r2, +1", I(0x5e, 1, 2, 1, 0)},
		{"jsle32 %r1, -7, +1", I(0xd6, 1, 0, 1, -7)},
		{"jset32 %r1, %r2, +1", I(0x4e, 1, 2, 1, 0)},
		{"call 5", I(0x85, 0, 0, 0, 5)},
		{"call helper 1", I(0x85, 0, 0, 0, 1)},
		{"call %r2", I(0x8d, 2, 0, 0, 0)},
		{"call helper %r3", I(0x8d, 3, 0, 0, 0)},
		{"call local +4", I(0x85, 0, 1, 0, 4)},
		{"call runtime 7", I(0x85, 0, 2, 0, 7)},
		{"exit", I(0x95, 0, 0, 0, 0)},
	};
	CHECK(cases);
}

static void test_memory(void **state)
{
	static const struct encoding cases[] = {
		{"ldxb %r0, [%r1]", I(0x71, 0, 1, 0, 0)},
		{"ldxh %r0, [%r1+2]", I(0x69, 0, 1, 2, 0)},
		{"ldxw %r0, [%r1+0x10]", I(0x61, 0, 1, 16, 0)},
		{"ldxdw %r0, [%r10-8]", I(0x79, 0, 10, -8, 0)},
		{"ldxsb %r2, [%r1+1]", I(0x91, 2, 1, 1, 0)},
		{"ldxsh %r2, [%r1+2]", I(0x89, 2, 1, 2, 0)},
		{"ldxsw %r2, [%r1+4]", I(0x81, 2, 1, 4, 0)},
		{"stb [%r10-1], 0x11", I(0x72, 10, 0, -1, 0x11)},
		{"sth [%r10-2], -1", I(0x6a, 10, 0, -2, -1)},
		{"stw [%r1+4], 0x80000000", I(0x62, 1, 0, 4, INT32_MIN)},
		{"stdw [%r1], 9", I(0x7a, 1, 0, 0, 9)},
		{"stxb [%r1+1], %r2", I(0x73, 1, 2, 1, 0)},
		{"stxh [%r1+2], %r2", I(0x6b, 1, 2, 2, 0)},
		{"stxw [%r1+4], %r2", I(0x63, 1, 2, 4, 0)},
		{"stxdw [%r10-16], %r2", I(0x7b, 10, 2, -16, 0)},
		{"lock add [%r1+8], %r2", I(0xdb, 1, 2, 8, 0x00)},
		{"lock fetch add [%r1], %r2", I(0xdb, 1, 2, 0, 0x01)},
		{"lock and32 [%r1], %r2", I(0xc3, 1, 2, 0, 0x50)},
		{"lock fetch and [%r1], %r2", I(0xdb, 1, 2, 0, 0x51)},
		{"lock or [%r1], %r2", I(0xdb, 1, 2, 0, 0x40)},
		{"lock fetch or32 [%r1], %r2", I(0xc3, 1, 2, 0, 0x41)},
		{"lock xor [%r1], %r2", I(0xdb, 1, 2, 0, 0xa0)},
		{"lock fetch xor32 [%r10-4], %r1", I(0xc3, 10, 1, -4, 0xa1)},
		{"lock xchg [%r1], %r2", I(0xdb, 1, 2, 0, 0xe1)},
		{"lock fetch xchg32 [%r1], %r2", I(0xc3, 1, 2, 0, 0xe1)},
		{"lock cmpxchg [%r1], %r2", I(0xdb, 1, 2, 0, 0xf1)},
		{"lock cmpxchg32 [%r1-2], %r2", I(0xc3, 1, 2, -2, 0xf1)},
	};
	CHECK(cases);
}

/* Hex numbers are bit patterns of the field, decimal numbers signed. */
static void test_number_forms(void **state)
{
	static const struct encoding cases[] = {
		{"mov %r0, 2147483647", I(0xb7, 0, 0, 0, INT32_MAX)},
		{"mov %r0, -2147483648", I(0xb7, 0, 0, 0, INT32_MIN)},
		{"mov %r0, 0xFFFFFF80", I(0xb7, 0, 0, 0, -128)},
		{"mov %r0, -0x80000000", I(0xb7, 0, 0, 0, INT32_MIN)},
		{"mov %r0, 0X1f", I(0xb7, 0, 0, 0, 31)},
		{"ldxb %r0, [%r1+0xffff]", I(0x71, 0, 1, -1, 0)},
		{"ldxb %r0, [%r1-0x8000]", I(0x71, 0, 1, INT16_MIN, 0)},
		{"ldxb %r0, [%r1+32767]", I(0x71, 0, 1, INT16_MAX, 0)},
		{"ldxb %r0, [%r1-32768]", I(0x71, 0, 1, INT16_MIN, 0)},
		{"ja +0xffff", I(0x05, 0, 0, -1, 0)},
		{"ja -32768", I(0x05, 0, 0, INT16_MIN, 0)},
		{"mov %r11, 1", I(0xb7, 11, 0, 0, 1)},
		{"mov %r15, %r12", I(0xbf, 15, 12, 0, 0)},
	};
	CHECK(cases);
}

static void assemble_ok(const char *text, struct xbpf_insn **out, size_t *count)
{
	char err[256];
	int rc = xbpf_asm(text, out, count, err, sizeof(err));
	if (rc) {
		print_error("%s\n", err);
		fail();
	}
}

static void test_lddw(void **state)
{
	struct xbpf_insn *out;
	size_t count;

	assemble_ok("lddw %r1, 0x1122334455667788", &out, &count);
	assert_int_equal(count, 2);
	struct xbpf_insn want[2] = {I(0x18, 1, 0, 0, 0x55667788), I(0, 0, 0, 0, 0x11223344)};
	assert_memory_equal(out, want, sizeof(want));
	free(out);

	assemble_ok("lddw %r2, -1", &out, &count);
	assert_int_equal(out[0].imm, -1);
	assert_int_equal(out[1].imm, -1);
	free(out);

	assemble_ok("lddw %r2, 18446744073709551615", &out, &count);
	assert_int_equal(out[0].imm, -1);
	assert_int_equal(out[1].imm, -1);
	free(out);

	assemble_ok("lddw %r2, -0x8000000000000000", &out, &count);
	assert_int_equal(out[0].imm, 0);
	assert_int_equal(out[1].imm, INT32_MIN);
	free(out);

	assemble_ok("lddw %r3, 2147483648", &out, &count);
	assert_int_equal(out[0].imm, INT32_MIN);
	assert_int_equal(out[1].imm, 0);
	free(out);
}

/* Labels count slots, so a lddw between a jump and its label counts twice. */
static void test_labels(void **state)
{
	struct xbpf_insn *out;
	size_t count;

	assemble_ok("  ja skip\n"
		    "  lddw %r0, 1\n"
		    "  mov %r0, 2\n"
		    "skip:\n"
		    "  exit\n",
		    &out, &count);
	assert_int_equal(count, 5);
	assert_int_equal(out[0].off, 3);
	free(out);

	assemble_ok("top:\n"
		    "  lddw %r0, 1\n"
		    "  jne %r0, 0, top\n"
		    "  ja32 top\n"
		    "  call local top\n"
		    "  exit\n",
		    &out, &count);
	assert_int_equal(out[2].off, -3);
	assert_int_equal(out[3].imm, -4);
	assert_int_equal(out[4].imm, -5);
	assert_int_equal(out[4].src, XBPF_CALL_LOCAL);
	free(out);

	/* The first exit is the implicit label `exit`. */
	assemble_ok("jeq %r1, 0, exit\n"
		    "mov %r0, 1\n"
		    "exit\n"
		    "exit\n",
		    &out, &count);
	assert_int_equal(out[0].off, 1);
	free(out);

	/* A label named exit takes precedence over the implicit one. */
	assemble_ok("ja exit\n"
		    "exit\n"
		    "exit:\n"
		    "exit\n",
		    &out, &count);
	assert_int_equal(out[0].off, 1);
	free(out);

	/* A label at the very end (after the last instruction). */
	assemble_ok("ja end\nexit\nend:\n", &out, &count);
	assert_int_equal(out[0].off, 1);
	free(out);
}

static void test_layout(void **state)
{
	struct xbpf_insn *out;
	size_t count;

	/* Comments, blank lines, CR LF, tabs, no spaces after commas are not needed. */
	assemble_ok("# a program\r\n"
		    "\r\n"
		    "\tmov\t%r0,\t1   # one\r\n"
		    "exit", &out, &count);
	assert_int_equal(count, 2);
	assert_int_equal(out[0].imm, 1);
	free(out);

	assemble_ok("", &out, &count);
	assert_int_equal(count, 0);
	assert_null(out);

	assemble_ok("# nothing\n\n", &out, &count);
	assert_int_equal(count, 0);
}

struct error_case {
	const char *text;
	const char *message;
};

static const struct error_case errors[] = {
	{"ldxq %r0, %r1", "line 1: unknown mnemonic 'ldxq'"},
	{"add64 %r0, 1", "line 1: unknown mnemonic 'add64'"},
	{"or %r0, %r50", "line 1: invalid register '%r50' (expected %r0..%r10)"},
	{"mov %r16, 1", "line 1: invalid register '%r16' (expected %r0..%r10)"},
	{"mov %r01, 1", "line 1: invalid register '%r01' (expected %r0..%r10)"},
	{"mov r1, 1", "line 1: invalid register 'r1' (expected %r0..%r10)"},
	{"ldxb %r0, %r1", "line 1: expected a memory operand [%rN+OFFSET], got '%r1'"},
	{"ldxb %r0, [%r1+0x10000]",
	 "line 1: offset '+0x10000' out of range (-32768..32767, or 0x0..0xffff)"},
	{"ldxb %r0, [%r1+32768]",
	 "line 1: offset '+32768' out of range (-32768..32767, or 0x0..0xffff)"},
	{"ldxb %r0, [%r1-0x8001]",
	 "line 1: offset '-0x8001' out of range (-32768..32767, or 0x0..0xffff)"},
	{"ldxb %r0, [%r1+x]", "line 1: invalid offset '+x'"},
	{"ldxb %r0, [%r1+]", "line 1: invalid offset '+'"},
	{"stb [%r50+1], 1", "line 1: invalid register '%r50' (expected %r0..%r10)"},
	{"mov32 %r0, 2147483648",
	 "line 1: immediate '2147483648' out of range (-2147483648..2147483647, or 0x0..0xffffffff)"},
	{"mov32 %r0, 0x100000000",
	 "line 1: immediate '0x100000000' out of range (-2147483648..2147483647, or 0x0..0xffffffff)"},
	{"mov32 %r0, -2147483649",
	 "line 1: immediate '-2147483649' out of range (-2147483648..2147483647, or 0x0..0xffffffff)"},
	{"mov %r0, 99999999999999999999999",
	 "line 1: immediate '99999999999999999999999' out of range (-2147483648..2147483647, or "
	 "0x0..0xffffffff)"},
	{"mov %r0, 12ab", "line 1: invalid immediate '12ab'"},
	{"mov %r0, 0x", "line 1: invalid immediate '0x'"},
	{"lddw %r0, 0x10000000000000000", "line 1: immediate '0x10000000000000000' out of range (64 bits)"},
	{"lddw %r0, -0x8000000000000001", "line 1: immediate '-0x8000000000000001' out of range (64 bits)"},
	{"lddw %r0, 1.5", "line 1: invalid immediate '1.5'"},
	{"ja NOT_A_LABEL\nexit", "line 1: unknown label 'NOT_A_LABEL'"},
	{"exit\nja +1x", "line 2: invalid offset '+1x'"},
	{"ja 3", "line 1: invalid jump target '3' (expected a label, +N or -N)"},
	{"ja32 +0x100000000",
	 "line 1: immediate '+0x100000000' out of range (-2147483648..2147483647, or 0x0..0xffffffff)"},
	{"lddw %r0", "line 1: wrong operands for 'lddw': expected 'lddw %rDST, IMM64'"},
	{"exit %r0", "line 1: wrong operands for 'exit': expected 'exit (no operands)'"},
	{"add %r0, 1, 2", "line 1: wrong operands for 'add': expected 'add %rDST, %rSRC|IMM'"},
	{"jeq %r0, 1", "line 1: wrong operands for 'jeq': expected 'jeq %rDST, %rSRC|IMM, TARGET'"},
	{"neg32", "line 1: wrong operands for 'neg32': expected 'neg32 %rDST'"},
	{"movsx864 %r1, 5", "line 1: invalid register '5' (expected %r0..%r10)"},
	{"call", "line 1: wrong operands for 'call': expected 'call IMM|%rN, helper IMM|%rN, "
		 "local TARGET or runtime IMM'"},
	{"call local", "line 1: wrong operands for 'call': expected 'call IMM|%rN, helper IMM|%rN, "
		       "local TARGET or runtime IMM'"},
	{"call local nowhere", "line 1: unknown label 'nowhere'"},
	{"call %r99", "line 1: invalid register '%r99' (expected %r0..%r10)"},
	{"lock or [%r10-8]", "line 1: wrong operands for 'lock': expected 'lock [fetch] "
			     "add|and|or|xor|xchg|cmpxchg[32] [%rDST+OFF], %rSRC'"},
	{"lock", "line 1: wrong operands for 'lock': expected 'lock [fetch] "
		 "add|and|or|xor|xchg|cmpxchg[32] [%rDST+OFF], %rSRC'"},
	{"lock fetch", "line 1: wrong operands for 'lock': expected 'lock [fetch] "
		       "add|and|or|xor|xchg|cmpxchg[32] [%rDST+OFF], %rSRC'"},
	{"lock sub [%r1], %r2", "line 1: unknown atomic operation 'sub' (expected add, and, or, "
				"xor, xchg or cmpxchg, with 32 for the 32-bit form)"},
	{"lock add64 [%r1], %r2", "line 1: unknown atomic operation 'add64' (expected add, and, or, "
				  "xor, xchg or cmpxchg, with 32 for the 32-bit form)"},
	{"lock add %r1, %r2", "line 1: expected a memory operand [%rN+OFFSET], got '%r1'"},
	{"a:\nexit\na:\n", "line 3: duplicate label 'a' (first defined on line 1)"},
	{"a: exit", "line 1: a label must stand alone on its line"},
	{"1a:\nexit", "line 1: invalid label name '1a:' (expected letters, digits, '_' or '.', not "
		      "starting with a digit)"},
	{":\nexit", "line 1: invalid label name ':' (expected letters, digits, '_' or '.', not "
		    "starting with a digit)"},
	{"mov %r0 , 1", "line 1: stray ','"},
	{"lock fetch add [%r1], %r2 %r3 %r4", "line 1: too many operands"},
	{"mov %r0, 1\n\n# comment\nbad", "line 4: unknown mnemonic 'bad'"},
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct xbpf_insn *out = (struct xbpf_insn *)&out;
		size_t count = 99;
		char err[256];
		int rc = xbpf_asm(errors[i].text, &out, &count, err, sizeof(err));
		if (rc != -EINVAL || strcmp(err, errors[i].message) != 0) {
			print_error("'%s': rc %d, message '%s'\n  expected '%s'\n", errors[i].text, rc,
				    err, errors[i].message);
			fail();
		}
		assert_null(out);
		assert_int_equal(count, 0);
	}
}

/* `FIRST` then 40000 instructions, then the label `far`. */
static char *far_program(const char *first)
{
	size_t n = 40000;
	char *text = malloc(strlen(first) + n * 11 + 16);
	assert_non_null(text);
	char *p = text + sprintf(text, "%s\n", first);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "mov %%r0, 1\n");
	sprintf(p, "far:\nexit\n");
	return text;
}

/* A jump farther than 16 bits can reach is an error; ja32 reaches it. */
static void test_far_jump(void **state)
{
	struct xbpf_insn *out;
	size_t count;
	char err[256];
	char *text = far_program("ja far");
	assert_int_equal(xbpf_asm(text, &out, &count, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 1: label 'far' is too far away (40000 instructions)");
	free(text);

	text = far_program("ja32 far");
	assemble_ok(text, &out, &count);
	assert_int_equal(out[0].imm, 40000);
	free(out);
	free(text);
}

/* Random lines from pieces of the syntax: every outcome is a program or a
 * "line N: ..." error, never a crash (the sanitized build checks memory). */
static void test_random_text(void **state)
{
	static const char *const pieces[] = {
		"mov", "add32", "lddw", "ldxw", "stxdw", "stb", "jeq", "jne32", "ja", "ja32",
		"call", "local", "helper", "exit", "lock", "fetch", "xchg32", "cmpxchg", "neg",
		"be16", "movsx832", "%r0", "%r1,", "%r10", "%r16", "[%r1+4],", "[%r10-0x8]", "[%r2]",
		"[", "]", "0x10", "-5,", "2147483648", "0xffffffffffffffff", "+3", "-1", "top",
		"top:", "exit:", ",", "#", ":", "\t", "+0x8000",
	};
	const size_t n_pieces = sizeof(pieces) / sizeof(pieces[0]);
	uint32_t seed = 12345;
	char text[512];
	for (int round = 0; round < 3000; round++) {
		size_t len = 0;
		int lines = 1 + round % 6;
		for (int l = 0; l < lines; l++) {
			int words = (int)(seed % 5);
			for (int w = 0; w < words; w++) {
				seed = seed * 1103515245 + 12345;
				len += (size_t)snprintf(text + len, sizeof(text) - len, "%s ",
							pieces[(seed >> 8) % n_pieces]);
			}
			len += (size_t)snprintf(text + len, sizeof(text) - len, "\n");
		}
		struct xbpf_insn *out;
		size_t count;
		char err[256];
		int rc = xbpf_asm(text, &out, &count, err, sizeof(err));
		if (rc == 0) {
			free(out);
		} else if (rc != -EINVAL || strncmp(err, "line ", 5) != 0) {
			print_error("'%s': rc %d, '%s'\n", text, rc, err);
			fail();
		}
	}
}

/* A small error buffer cuts the message; none at all is allowed. */
static void test_error_buffer(void **state)
{
	struct xbpf_insn *out;
	size_t count;
	char err[8];
	assert_int_equal(xbpf_asm("bad", &out, &count, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 1:");
	assert_int_equal(xbpf_asm("bad", &out, &count, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alu),
		cmocka_unit_test(test_byte_order),
		cmocka_unit_test(test_jumps_and_calls),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_number_forms),
		cmocka_unit_test(test_lddw),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_far_jump),
		cmocka_unit_test(test_random_text),
		cmocka_unit_test(test_error_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
