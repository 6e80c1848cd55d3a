/* SPDX-License-Identifier: MIT */
/*
 * Structural validator: each rule refuses its case at the right instruction
 * with a reason, valid programs pass and give their function starts, and
 * every "unused field" program of the conformance corpus is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "insn_build.h"
#include "isa/validate.h"

struct reject_case {
	const char *name;
	struct xbpf_insn insns[8];
	size_t count;
	int expected_err;
	size_t expected_pc;
	const char *reason_part; /* must occur in the reason */
};

#define EXIT T_EXIT()
#define MOV0 T_MOV64_IMM(0, 0)

static const struct reject_case *reject_cases(size_t *n)
{
	static struct reject_case cases[128];
	static size_t count;
	size_t i = 0;

#define CASE(NAME, PC, PART, ...)                                                              \
	do {                                                                                   \
		struct xbpf_insn prog[] = {__VA_ARGS__};                                       \
		cases[i].name = NAME;                                                          \
		memcpy(cases[i].insns, prog, sizeof(prog));                                    \
		cases[i].count = T_COUNT(prog);                                                \
		cases[i].expected_err = -EINVAL;                                               \
		cases[i].expected_pc = PC;                                                     \
		cases[i].reason_part = PART;                                                   \
		i++;                                                                           \
	} while (0)

	if (count) {
		*n = count;
		return cases;
	}
	/* opcodes */
	CASE("unknown class-ALU op 0xe", 1, "unknown opcode", MOV0, T_INSN(0xe7, 0, 0, 0, 0), EXIT);
	CASE("ld_abs", 0, "legacy packet access is not supported", T_INSN(0x20, 0, 0, 0, 0), EXIT);
	CASE("ld_ind", 0, "legacy packet access is not supported", T_INSN(0x48, 0, 1, 0, 0), EXIT);
	CASE("ld other", 0, "unknown opcode", T_INSN(0x00, 0, 0, 0, 0), EXIT);
	CASE("neg reg form", 0, "unknown opcode", T_INSN(0x8f, 0, 0, 0, 0), EXIT);
	CASE("bswap reg form", 0, "unknown opcode", T_INSN(0xdf, 0, 0, 0, 16), EXIT);
	CASE("ldxsdw", 0, "unknown opcode", T_INSN(0x99, 0, 1, 0, 0), EXIT);
	CASE("st atomic mode", 0, "unknown opcode", T_INSN(0xc2, 1, 0, 0, 0), EXIT);
	CASE("atomic byte", 0, "unknown opcode", T_INSN(0xd3, 10, 1, -8, 0), EXIT);
	CASE("ja reg form", 0, "unknown opcode", T_INSN(0x0d, 0, 0, 0, 0), EXIT);
	CASE("call jmp32", 0, "unknown opcode", T_INSN(0x86, 0, 0, 0, 1), EXIT);
	CASE("exit jmp32", 0, "unknown opcode", T_INSN(0x96, 0, 0, 0, 0), EXIT);
	CASE("jmp op 0xe", 0, "unknown opcode", T_INSN(0xe5, 0, 0, 0, 0), EXIT);
	/* reserved fields of ALU */
	CASE("add imm with src", 1, "src must be 0", MOV0, T_INSN(0x07, 0, 1, 0, 1), EXIT);
	CASE("add reg with imm", 1, "imm must be 0", MOV0, T_INSN(0x0f, 0, 1, 0, 1), EXIT);
	CASE("add with off", 1, "offset 1", MOV0, T_INSN(0x07, 0, 0, 1, 1), EXIT);
	CASE("div with off 2", 1, "offset 2", MOV0, T_INSN(0x37, 0, 0, 2, 1), EXIT);
	CASE("movsx32 by 32", 1, "offset 32", MOV0, T_MOVSX32(0, 1, 32), EXIT);
	CASE("movsx64 by 4", 1, "offset 4", MOV0, T_MOVSX64(0, 1, 4), EXIT);
	CASE("mov imm with off 8", 1, "offset 8", MOV0, T_INSN(0xb7, 0, 0, 8, 1), EXIT);
	CASE("neg with imm", 1, "imm must be 0", MOV0, T_INSN(0x87, 0, 0, 0, 1), EXIT);
	CASE("neg with src", 1, "src must be 0", MOV0, T_INSN(0x84, 0, 2, 0, 0), EXIT);
	CASE("le with off", 1, "off must be 0", MOV0, T_INSN(0xd4, 0, 0, 1, 16), EXIT);
	CASE("be width 8", 1, "16, 32 or 64", MOV0, T_BE(0, 8), EXIT);
	CASE("bswap with src", 1, "src must be 0", MOV0, T_INSN(0xd7, 0, 1, 0, 32), EXIT);
	/* jumps and calls */
	CASE("ja with imm", 0, "imm must be 0", T_INSN(0x05, 0, 0, 0, 1), EXIT);
	CASE("ja32 with off", 0, "off must be 0", T_INSN(0x06, 0, 0, 1, 0), EXIT);
	CASE("ja32 with dst", 0, "dst must be 0", T_INSN(0x06, 1, 0, 0, 0), EXIT);
	CASE("jeq imm with src", 1, "src must be 0", MOV0, T_INSN(0x15, 0, 1, 0, 0), EXIT);
	CASE("jlt32 reg with imm", 1, "imm must be 0", MOV0, T_INSN(0xae, 0, 1, 0, 1), EXIT);
	CASE("call with dst", 0, "dst must be 0", T_INSN(0x85, 1, 0, 0, 1), EXIT);
	CASE("call with off", 0, "off must be 0", T_INSN(0x85, 0, 0, 1, 1), EXIT);
	CASE("call with src 3", 0, "src must be 0", T_INSN(0x85, 0, 3, 0, 1), EXIT);
	CASE("callx with imm", 0, "imm must be 0", T_INSN(0x8d, 1, 0, 0, 1), EXIT);
	CASE("callx with src", 0, "src must be 0", T_INSN(0x8d, 1, 2, 0, 0), EXIT);
	CASE("callx register 11", 0, "r11 does not exist", T_INSN(0x8d, 11, 0, 0, 0), EXIT);
	CASE("exit with imm", 1, "imm must be 0", MOV0, T_INSN(0x95, 0, 0, 0, 1));
	/* loads and stores */
	CASE("ldx with imm", 0, "imm must be 0", T_INSN(0x61, 0, 10, -4, 1), EXIT);
	CASE("st with src", 0, "src must be 0", T_INSN(0x62, 10, 1, -4, 0), EXIT);
	CASE("stx with imm", 0, "imm must be 0", T_INSN(0x63, 10, 1, -4, 1), EXIT);
	CASE("atomic sub", 0, "unknown atomic operation", T_ATOMIC(DW, 10, 1, -8, 0x10), EXIT);
	CASE("atomic xchg without fetch", 0, "unknown atomic operation", T_ATOMIC(DW, 10, 1, -8, 0xe0), EXIT);
	CASE("lddw with off", 0, "off must be 0", T_INSN(0x18, 0, 0, 1, 0), T_INSN(0, 0, 0, 0, 0), EXIT);
	CASE("lddw src 7", 0, "src must be 0..6", T_INSN(0x18, 0, 7, 0, 0), T_INSN(0, 0, 0, 0, 0), EXIT);
	CASE("lddw tail with opcode", 1, "second slot", T_INSN(0x18, 0, 0, 0, 0), T_INSN(0x95, 0, 0, 0, 0), EXIT);
	CASE("lddw tail with dst", 1, "second slot", T_INSN(0x18, 0, 0, 0, 0), T_INSN(0, 1, 0, 0, 0), EXIT);
	CASE("lddw incomplete", 1, "incomplete lddw", MOV0, T_INSN(0x18, 0, 0, 0, 0));
	/* registers */
	CASE("dst r11", 0, "r11 does not exist", T_INSN(0xb7, 11, 0, 0, 0), EXIT);
	CASE("src r15", 0, "r15 does not exist", T_INSN(0xbf, 0, 15, 0, 0), EXIT);
	CASE("jump on r12", 1, "r12 does not exist", MOV0, T_JMP_IMM(JEQ, 12, 0, 0), EXIT);
	CASE("store through r13", 0, "r13 does not exist", T_ST(W, 13, 0, 0), EXIT);
	CASE("alu writes r10", 0, "writes r10", T_ALU64_IMM(ADD, 10, 8), EXIT);
	CASE("ldx into r10", 0, "writes r10", T_LDX(DW, 10, 10, -8), EXIT);
	CASE("lddw into r10", 0, "writes r10", T_LDDW(10, 1), EXIT);
	CASE("fetch into r10", 0, "writes r10",
	     T_ATOMIC(DW, 1, 10, 0, XBPF_ATOMIC_ADD | XBPF_ATOMIC_FETCH), EXIT);
	CASE("xchg into r10", 0, "writes r10", T_ATOMIC(W, 1, 10, 0, XBPF_ATOMIC_XCHG), EXIT);
	/* control flow */
	CASE("jump past the end", 1, "out of range", MOV0, T_JA(5), EXIT);
	CASE("jump before the start", 1, "out of range", MOV0, T_JMP_IMM(JEQ, 0, 0, -3), EXIT);
	CASE("ja32 past the end", 1, "out of range", MOV0, T_JA32(2), EXIT);
	CASE("jump into lddw", 0, "second slot of a lddw", T_JA(1), T_LDDW(0, 1), EXIT);
	CASE("call out of range", 0, "out of range", T_CALL_LOCAL(7), EXIT);
	CASE("call into lddw", 1, "second slot of a lddw", MOV0, T_CALL_LOCAL(2), EXIT, T_LDDW(0, 1), EXIT);
	CASE("function reference out of range", 0, "out of range", T_LDDW_FUNC(1, -5), MOV0, EXIT);
	CASE("function reference into lddw", 0, "second slot of a lddw", T_LDDW_FUNC(1, 2), T_LDDW(0, 1),
	     EXIT);
	CASE("jump into another function", 2, "leaves the function", T_CALL_LOCAL(2), MOV0, T_JA(1), EXIT,
	     MOV0, EXIT);
	CASE("jump out of a callee", 3, "leaves the function", T_CALL_LOCAL(1), EXIT, MOV0, T_JA(-3));
	CASE("falls off the end", 1, "fall off", MOV0, MOV0);
	CASE("conditional jump last", 1, "fall off", MOV0, T_JMP_IMM(JEQ, 0, 0, -2));
	CASE("main falls into a function", 1, "fall off", T_CALL_LOCAL(1), MOV0, MOV0, EXIT);
	CASE("ends with lddw", 1, "fall off", MOV0, T_LDDW(0, 1));
#undef CASE
	count = i;
	*n = count;
	return cases;
}

static void test_rejections(void **state)
{
	size_t n, i;
	const struct reject_case *cases = reject_cases(&n);

	for (i = 0; i < n; i++) {
		struct xbpf_validate_error err = {0};
		int ret = xbpf_validate(cases[i].insns, cases[i].count, &err);

		if (ret != cases[i].expected_err || err.pc != cases[i].expected_pc ||
		    !strstr(err.reason, cases[i].reason_part))
			fail_msg("case '%s': got %d at insn %zu '%s', expected %d at insn %zu with '%s'", cases[i].name,
				 ret, err.pc, err.reason, cases[i].expected_err, cases[i].expected_pc,
				 cases[i].reason_part);
	}
}

static void test_empty_and_too_long(void **state)
{
	struct xbpf_validate_error err;
	struct xbpf_insn one = T_EXIT();
	const struct xbpf_insn exit_insn = T_EXIT();
	struct xbpf_insn *big;
	size_t i;

	assert_int_equal(xbpf_validate(&one, 0, &err), -EINVAL);
	assert_non_null(strstr(err.reason, "empty"));

	big = calloc(XBPF_MAX_INSNS + 1, sizeof(*big));
	assert_non_null(big);
	for (i = 0; i <= XBPF_MAX_INSNS; i++)
		big[i] = exit_insn;
	assert_int_equal(xbpf_validate(big, XBPF_MAX_INSNS, &err), 0);
	assert_int_equal(xbpf_validate(big, XBPF_MAX_INSNS + 1, &err), -E2BIG);
	assert_int_equal(err.pc, XBPF_MAX_INSNS);
	free(big);
}

static void test_valid_programs(void **state)
{
	/* Every kind of instruction in its valid form, including the ones
	 * whose fields are easy to get wrong. */
	struct xbpf_insn prog[] = {
		T_MOV64_IMM(0, 0),
		T_SALU64_IMM(DIV, 0, -1),
		T_SALU32_REG(MOD, 0, 1),
		T_MOVSX64(1, 2, 32),
		T_MOVSX32(1, 2, 16),
		T_NEG32(3),
		T_LE(3, 64),
		T_BSWAP(3, 16),
		T_LDDW_SRC(4, XBPF_PSEUDO_MAP_IDX_VALUE, 0x1234),
		T_ST(DW, 10, -8, 7),
		T_STX(B, 10, 10, -1),
		T_LDXS(H, 5, 10, -8),
		T_ATOMIC(W, 10, 1, -4, XBPF_ATOMIC_CMPXCHG),
		T_ATOMIC(DW, 10, 10, -8, XBPF_ATOMIC_CMPXCHG), /* writes r0, not src */
		T_ATOMIC(DW, 10, 10, -8, XBPF_ATOMIC_ADD),     /* reads src only */
		T_JMP32_REG(JSLE, 0, 1, 0),
		T_CALL(5),
		T_INSN(XBPF_OP_CALL, 0, XBPF_CALL_KFUNC, 0, 3),
		T_CALLX(2),
		T_JA32(0),
		T_EXIT(),
	};
	struct xbpf_validate_error err = {0};

	if (xbpf_validate(prog, T_COUNT(prog), &err))
		fail_msg("insn %zu: %s", err.pc, err.reason);
}

static void test_function_starts(void **state)
{
	struct xbpf_insn prog[] = {
		T_LDDW_FUNC(2, 6),  /* 0: function at 7 */
		T_CALL_LOCAL(3),    /* 2: function at 6 */
		T_CALL_LOCAL(2),    /* 3: same again */
		T_MOV64_IMM(0, 0),  /* 4 */
		T_EXIT(),           /* 5 */
		T_JA(-1),           /* 6: a function may end with ja */
		T_EXIT(),           /* 7 */
	};
	struct xbpf_func_list funcs;
	struct xbpf_validate_error err = {0};

	if (xbpf_validate_funcs(prog, T_COUNT(prog), &err, &funcs))
		fail_msg("insn %zu: %s", err.pc, err.reason);
	assert_int_equal(funcs.count, 3);
	assert_int_equal(funcs.starts[0], 0);
	assert_int_equal(funcs.starts[1], 6);
	assert_int_equal(funcs.starts[2], 7);
	assert_true(xbpf_func_starts_contain(funcs.starts, funcs.count, 7));
	assert_false(xbpf_func_starts_contain(funcs.starts, funcs.count, 5));
	assert_false(xbpf_func_starts_contain(funcs.starts, funcs.count, 1ULL << 40));
	xbpf_func_list_release(&funcs);
	assert_null(funcs.starts);
}

/* Reads the "-- raw" section of a negative conformance file: one instruction
 * per line as 8 hex bytes. Returns the number of instructions. */
static size_t read_raw_bytes(const char *path, struct xbpf_insn *out, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[256];
	bool in_raw = false;
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned b[8];
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		if (strstr(line, "--")) {
			in_raw = strstr(line, "raw") != NULL;
			continue;
		}
		if (in_raw && n < max &&
		    sscanf(line, "%x %x %x %x %x %x %x %x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6],
			   &b[7]) == 8) {
			uint8_t bytes[8];
			int k;

			for (k = 0; k < 8; k++)
				bytes[k] = (uint8_t)b[k];
			memcpy(&out[n++], bytes, sizeof(bytes));
		}
	}
	fclose(f);
	return n;
}

static void test_conformance_unused_fields(void **state)
{
	const char *dir_path = XBPF_CONFORMANCE_NEGATIVE_DIR;
	DIR *dir = opendir(dir_path);
	struct dirent *de;
	int files = 0;

	if (!dir) {
		print_message("no conformance corpus at %s\n", dir_path);
		skip();
	}
	while ((de = readdir(dir))) {
		char path[1024];
		struct xbpf_insn insns[16];
		struct xbpf_validate_error err = {0};
		size_t n;

		if (strncmp(de->d_name, "unused-", 7) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, de->d_name);
		n = read_raw_bytes(path, insns, 16);
		assert_int_equal(n, 2);
		if (xbpf_validate(insns, n, &err) != -EINVAL || err.pc != 0)
			fail_msg("%s was not refused at insn 0 (pc %zu, reason '%s')", de->d_name, err.pc, err.reason);
		files++;
	}
	closedir(dir);
	assert_int_equal(files, 45);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_empty_and_too_long),
		cmocka_unit_test(test_valid_programs),
		cmocka_unit_test(test_function_starts),
		cmocka_unit_test(test_conformance_unused_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
