/* SPDX-License-Identifier: MIT */
/*
 * Assembler for the uBPF-style syntax of the bpf_conformance corpus (see
 * asm.h for the dialect). One pass reads the lines and emits instructions;
 * jumps and local calls to labels are recorded as fixups and resolved once
 * every label is known.
 */
#include "isa/asm.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest instruction, `lock fetch OP [mem], %src`, has 5 tokens. */
#define MAX_TOKENS 5

struct label {
	char *name;
	size_t slot;
	unsigned line;
};

/* A jump or local call whose target is a label. */
struct fixup {
	char *label;
	size_t slot;
	unsigned line;
	bool in_imm; /* ja32 and call local keep the target in imm, jumps in off */
};

struct assembler {
	struct xbpf_insn *insns;
	size_t count, cap;
	struct label *labels;
	size_t n_labels, cap_labels;
	struct fixup *fixups;
	size_t n_fixups, cap_fixups;
	bool have_first_exit;
	size_t first_exit; /* slot of the first exit: the implicit label `exit` */
	unsigned line;
	char *err;
	size_t err_size;
};

__attribute__((format(printf, 3, 4))) static int fail_at(struct assembler *a, unsigned line,
							  const char *fmt, ...)
{
	if (a->err_size) {
		int n = snprintf(a->err, a->err_size, "line %u: ", line);
		if (n >= 0 && (size_t)n < a->err_size) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(a->err + n, a->err_size - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

#define fail(a, ...) fail_at((a), (a)->line, __VA_ARGS__)

/* Room for `need` elements: the array, moved if it had to grow, or NULL
 * (the array unchanged) when memory is short. */
static void *reserve(void *array, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return array;
	size_t new_cap = *cap ? *cap : 64;
	while (new_cap < need)
		new_cap *= 2;
	if (new_cap > SIZE_MAX / elem_size)
		return NULL;
	void *p = realloc(array, new_cap * elem_size);
	if (p)
		*cap = new_cap;
	return p;
}

static int emit(struct assembler *a, uint8_t opcode, uint8_t dst, uint8_t src, int16_t off,
		int32_t imm)
{
	struct xbpf_insn *insns = reserve(a->insns, &a->cap, a->count + 1, sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	a->insns = insns;
	a->insns[a->count++] = xbpf_insn_make(opcode, dst, src, off, imm);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Operands                                                                 */
/* ------------------------------------------------------------------------ */

static bool is_label_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
			return false;
	return true;
}

static int parse_reg(struct assembler *a, const char *tok, uint8_t *reg)
{
	const char *d = tok + 2;
	if (tok[0] == '%' && tok[1] == 'r' && isdigit((unsigned char)d[0]) &&
	    (d[1] == '\0' || (d[0] != '0' && isdigit((unsigned char)d[1]) && d[2] == '\0'))) {
		unsigned n = (unsigned)strtoul(d, NULL, 10);
		if (n <= 15) {
			*reg = (uint8_t)n;
			return 0;
		}
	}
	return fail(a, "invalid register '%s' (expected %%r0..%%r10)", tok);
}

/* A number as written: sign, base and magnitude, before any range check. */
struct number {
	bool neg;
	bool hex;
	uint64_t mag;
};

enum scan_result { SCAN_OK, SCAN_BAD, SCAN_TOO_BIG };

/* [+|-] then decimal digits or 0x and hex digits, nothing else. */
static enum scan_result scan_number(const char *s, struct number *n)
{
	n->neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	n->hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (n->hex)
		s += 2;
	unsigned base = n->hex ? 16 : 10;
	if (!*s)
		return SCAN_BAD;
	n->mag = 0;
	for (; *s; s++) {
		unsigned digit;
		if (isdigit((unsigned char)*s))
			digit = (unsigned)(*s - '0');
		else if (n->hex && isxdigit((unsigned char)*s))
			digit = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return SCAN_BAD;
		if (n->mag > (UINT64_MAX - digit) / base)
			return SCAN_TOO_BIG;
		n->mag = n->mag * base + digit;
	}
	return SCAN_OK;
}

/*
 * Range rule of the dialect for a field of `bits` bits: hex numbers are bit
 * patterns (up to all ones), decimal numbers signed; a minus sign negates
 * either, down to the most negative value. Returns the two's complement bit
 * pattern, or false when the number does not fit.
 */
static bool fit_field(const struct number *n, unsigned bits, uint64_t *pattern)
{
	uint64_t half = 1ULL << (bits - 1);
	uint64_t all = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
	if (n->neg) {
		if (n->mag > half)
			return false;
		*pattern = (0 - n->mag) & all;
	} else {
		if (n->mag > (n->hex ? all : half - 1))
			return false;
		*pattern = n->mag;
	}
	return true;
}

/* kind names the field in messages; range says what fits. */
static int parse_field(struct assembler *a, const char *tok, unsigned bits, const char *kind,
		       const char *range, uint64_t *pattern)
{
	struct number n;
	enum scan_result r = scan_number(tok, &n);
	if (r == SCAN_BAD)
		return fail(a, "invalid %s '%s'", kind, tok);
	if (r == SCAN_TOO_BIG || !fit_field(&n, bits, pattern))
		return fail(a, "%s '%s' out of range (%s)", kind, tok, range);
	return 0;
}

#define IMM32_RANGE "-2147483648..2147483647, or 0x0..0xffffffff"
#define OFF16_RANGE "-32768..32767, or 0x0..0xffff"

static int parse_imm32(struct assembler *a, const char *tok, int32_t *imm)
{
	uint64_t v;
	int rc = parse_field(a, tok, 32, "immediate", IMM32_RANGE, &v);
	if (!rc)
		*imm = (int32_t)(uint32_t)v;
	return rc;
}

/* lddw: any 64-bit pattern, or a negative number down to INT64_MIN. */
static int parse_imm64(struct assembler *a, const char *tok, uint64_t *imm)
{
	struct number n;
	enum scan_result r = scan_number(tok, &n);
	if (r == SCAN_BAD)
		return fail(a, "invalid immediate '%s'", tok);
	if (r == SCAN_TOO_BIG || (n.neg && n.mag > 1ULL << 63))
		return fail(a, "immediate '%s' out of range (64 bits)", tok);
	*imm = n.neg ? 0 - n.mag : n.mag;
	return 0;
}

/* An offset written with its sign: "+4", "-0x8". */
static int parse_off16(struct assembler *a, const char *tok, int16_t *off)
{
	uint64_t v;
	int rc = parse_field(a, tok, 16, "offset", OFF16_RANGE, &v);
	if (!rc)
		*off = (int16_t)(uint16_t)v;
	return rc;
}

/* [%rN], [%rN+OFF] or [%rN-OFF]. */
static int parse_mem(struct assembler *a, const char *tok, uint8_t *reg, int16_t *off)
{
	size_t len = strlen(tok);
	char inner[64];
	if (len < 3 || tok[0] != '[' || tok[len - 1] != ']' || len - 2 >= sizeof(inner))
		return fail(a, "expected a memory operand [%%rN+OFFSET], got '%s'", tok);
	memcpy(inner, tok + 1, len - 2);
	inner[len - 2] = '\0';

	char *sign = strpbrk(inner, "+-");
	*off = 0;
	if (sign) {
		int rc = parse_off16(a, sign, off);
		if (rc)
			return rc;
		*sign = '\0';
	}
	return parse_reg(a, inner, reg);
}

static int add_fixup(struct assembler *a, const char *label, size_t slot, bool in_imm)
{
	struct fixup *fixups = reserve(a->fixups, &a->cap_fixups, a->n_fixups + 1, sizeof(*fixups));
	if (!fixups)
		return -ENOMEM;
	a->fixups = fixups;
	char *name = strdup(label);
	if (!name)
		return -ENOMEM;
	a->fixups[a->n_fixups++] = (struct fixup){
		.label = name, .slot = slot, .line = a->line, .in_imm = in_imm};
	return 0;
}

/*
 * The target of the jump or call about to be emitted at slot a->count: a
 * relative number written with its sign, or a label resolved later.
 */
static int parse_target(struct assembler *a, const char *tok, bool in_imm, int16_t *off,
			int32_t *imm)
{
	if (tok[0] == '+' || tok[0] == '-')
		return in_imm ? parse_imm32(a, tok, imm) : parse_off16(a, tok, off);
	if (!is_label_name(tok))
		return fail(a, "invalid jump target '%s' (expected a label, +N or -N)", tok);
	return add_fixup(a, tok, a->count, in_imm);
}

/* ------------------------------------------------------------------------ */
/* Mnemonics                                                                */
/* ------------------------------------------------------------------------ */

enum form {
	FORM_ALU,    /* dst, src|imm */
	FORM_NEG,    /* dst */
	FORM_MOVSX,  /* dst, %src */
	FORM_END,    /* dst */
	FORM_JCOND,  /* dst, src|imm, target */
	FORM_JA,     /* target, in off */
	FORM_JA32,   /* target, in imm */
	FORM_CALL,   /* see assemble_call */
	FORM_EXIT,   /* no operands */
	FORM_LDDW,   /* dst, imm64 */
	FORM_LDX,    /* dst, [src+off] */
	FORM_ST,     /* [dst+off], imm */
	FORM_STX,    /* [dst+off], %src */
	FORM_LOCK,   /* [fetch] op [dst+off], %src */
};

static const char *const usage[] = {
	[FORM_ALU] = "%rDST, %rSRC|IMM",
	[FORM_NEG] = "%rDST",
	[FORM_MOVSX] = "%rDST, %rSRC",
	[FORM_END] = "%rDST",
	[FORM_JCOND] = "%rDST, %rSRC|IMM, TARGET",
	[FORM_JA] = "TARGET",
	[FORM_JA32] = "TARGET",
	[FORM_CALL] = "IMM|%rN, helper IMM|%rN, local TARGET or runtime IMM",
	[FORM_EXIT] = "(no operands)",
	[FORM_LDDW] = "%rDST, IMM64",
	[FORM_LDX] = "%rDST, [%rSRC+OFF]",
	[FORM_ST] = "[%rDST+OFF], IMM",
	[FORM_STX] = "[%rDST+OFF], %rSRC",
	[FORM_LOCK] = "[fetch] add|and|or|xor|xchg|cmpxchg[32] [%rDST+OFF], %rSRC",
};

/* Operand count of each form, -1 when it varies. */
static const int operand_count[] = {
	[FORM_ALU] = 2, [FORM_NEG] = 1, [FORM_MOVSX] = 2, [FORM_END] = 1, [FORM_JCOND] = 3,
	[FORM_JA] = 1, [FORM_JA32] = 1, [FORM_CALL] = -1, [FORM_EXIT] = 0, [FORM_LDDW] = 2,
	[FORM_LDX] = 2, [FORM_ST] = 2, [FORM_STX] = 2, [FORM_LOCK] = -1,
};

struct mnemonic {
	const char *name;
	uint8_t form;
	uint8_t opcode; /* for the families with a 32 suffix: the operation only */
	int16_t off;
	int32_t imm;
};

/* Arithmetic and conditional jumps: NAME is the 64-bit form, NAME32 the
 * 32-bit one (classes ALU and JMP32). */
static const struct mnemonic families[] = {
	{"add", FORM_ALU, XBPF_ALU_ADD, 0, 0},
	{"sub", FORM_ALU, XBPF_ALU_SUB, 0, 0},
	{"mul", FORM_ALU, XBPF_ALU_MUL, 0, 0},
	{"div", FORM_ALU, XBPF_ALU_DIV, 0, 0},
	{"sdiv", FORM_ALU, XBPF_ALU_DIV, 1, 0},
	{"or", FORM_ALU, XBPF_ALU_OR, 0, 0},
	{"and", FORM_ALU, XBPF_ALU_AND, 0, 0},
	{"lsh", FORM_ALU, XBPF_ALU_LSH, 0, 0},
	{"rsh", FORM_ALU, XBPF_ALU_RSH, 0, 0},
	{"mod", FORM_ALU, XBPF_ALU_MOD, 0, 0},
	{"smod", FORM_ALU, XBPF_ALU_MOD, 1, 0},
	{"xor", FORM_ALU, XBPF_ALU_XOR, 0, 0},
	{"mov", FORM_ALU, XBPF_ALU_MOV, 0, 0},
	{"arsh", FORM_ALU, XBPF_ALU_ARSH, 0, 0},
	{"neg", FORM_NEG, XBPF_ALU_NEG, 0, 0},
	{"jeq", FORM_JCOND, XBPF_JMP_JEQ, 0, 0},
	{"jgt", FORM_JCOND, XBPF_JMP_JGT, 0, 0},
	{"jge", FORM_JCOND, XBPF_JMP_JGE, 0, 0},
	{"jset", FORM_JCOND, XBPF_JMP_JSET, 0, 0},
	{"jne", FORM_JCOND, XBPF_JMP_JNE, 0, 0},
	{"jsgt", FORM_JCOND, XBPF_JMP_JSGT, 0, 0},
	{"jsge", FORM_JCOND, XBPF_JMP_JSGE, 0, 0},
	{"jlt", FORM_JCOND, XBPF_JMP_JLT, 0, 0},
	{"jle", FORM_JCOND, XBPF_JMP_JLE, 0, 0},
	{"jslt", FORM_JCOND, XBPF_JMP_JSLT, 0, 0},
	{"jsle", FORM_JCOND, XBPF_JMP_JSLE, 0, 0},
};

#define LDX(size) (XBPF_CLASS_LDX | XBPF_MODE_MEM | (size))
#define LDXS(size) (XBPF_CLASS_LDX | XBPF_MODE_MEMSX | (size))
#define ST(size) (XBPF_CLASS_ST | XBPF_MODE_MEM | (size))
#define STX(size) (XBPF_CLASS_STX | XBPF_MODE_MEM | (size))
#define MOV64_X (XBPF_CLASS_ALU64 | XBPF_ALU_MOV | XBPF_SRC_X)
#define MOV32_X (XBPF_CLASS_ALU | XBPF_ALU_MOV | XBPF_SRC_X)
#define END_LE (XBPF_CLASS_ALU | XBPF_ALU_END | XBPF_END_TO_LE)
#define END_BE (XBPF_CLASS_ALU | XBPF_ALU_END | XBPF_END_TO_BE)
#define BSWAP (XBPF_CLASS_ALU64 | XBPF_ALU_END)

/* Everything else: complete opcodes. */
static const struct mnemonic fixed[] = {
	{"movsx864", FORM_MOVSX, MOV64_X, 8, 0},
	{"movsx1664", FORM_MOVSX, MOV64_X, 16, 0},
	{"movsx3264", FORM_MOVSX, MOV64_X, 32, 0},
	{"movsx832", FORM_MOVSX, MOV32_X, 8, 0},
	{"movsx1632", FORM_MOVSX, MOV32_X, 16, 0},
	{"le16", FORM_END, END_LE, 0, 16},
	{"le32", FORM_END, END_LE, 0, 32},
	{"le64", FORM_END, END_LE, 0, 64},
	{"be16", FORM_END, END_BE, 0, 16},
	{"be32", FORM_END, END_BE, 0, 32},
	{"be64", FORM_END, END_BE, 0, 64},
	{"bswap16", FORM_END, BSWAP, 0, 16},
	{"bswap32", FORM_END, BSWAP, 0, 32},
	{"bswap64", FORM_END, BSWAP, 0, 64},
	{"swap16", FORM_END, BSWAP, 0, 16},
	{"swap32", FORM_END, BSWAP, 0, 32},
	{"swap64", FORM_END, BSWAP, 0, 64},
	{"ja", FORM_JA, XBPF_OP_JA, 0, 0},
	{"ja32", FORM_JA32, XBPF_OP_JA32, 0, 0},
	{"call", FORM_CALL, XBPF_OP_CALL, 0, 0},
	{"exit", FORM_EXIT, XBPF_OP_EXIT, 0, 0},
	{"lddw", FORM_LDDW, XBPF_OP_LDDW, 0, 0},
	{"ldxb", FORM_LDX, LDX(XBPF_SIZE_B), 0, 0},
	{"ldxh", FORM_LDX, LDX(XBPF_SIZE_H), 0, 0},
	{"ldxw", FORM_LDX, LDX(XBPF_SIZE_W), 0, 0},
	{"ldxdw", FORM_LDX, LDX(XBPF_SIZE_DW), 0, 0},
	{"ldxsb", FORM_LDX, LDXS(XBPF_SIZE_B), 0, 0},
	{"ldxsh", FORM_LDX, LDXS(XBPF_SIZE_H), 0, 0},
	{"ldxsw", FORM_LDX, LDXS(XBPF_SIZE_W), 0, 0},
	{"stb", FORM_ST, ST(XBPF_SIZE_B), 0, 0},
	{"sth", FORM_ST, ST(XBPF_SIZE_H), 0, 0},
	{"stw", FORM_ST, ST(XBPF_SIZE_W), 0, 0},
	{"stdw", FORM_ST, ST(XBPF_SIZE_DW), 0, 0},
	{"stxb", FORM_STX, STX(XBPF_SIZE_B), 0, 0},
	{"stxh", FORM_STX, STX(XBPF_SIZE_H), 0, 0},
	{"stxw", FORM_STX, STX(XBPF_SIZE_W), 0, 0},
	{"stxdw", FORM_STX, STX(XBPF_SIZE_DW), 0, 0},
	{"lock", FORM_LOCK, 0, 0, 0},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Does `word` spell `base` or `base` followed by "32"? */
static bool match_suffix32(const char *word, const char *base, bool *is32)
{
	size_t len = strlen(base);
	if (strncmp(word, base, len) != 0)
		return false;
	*is32 = strcmp(word + len, "32") == 0;
	return word[len] == '\0' || *is32;
}

/* Resolves a mnemonic into *m with a complete opcode. */
static bool find_mnemonic(const char *word, struct mnemonic *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		if (strcmp(word, fixed[i].name) == 0) {
			*m = fixed[i];
			return true;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		bool is32;
		if (!match_suffix32(word, families[i].name, &is32))
			continue;
		*m = families[i];
		if (m->form == FORM_JCOND)
			m->opcode |= is32 ? XBPF_CLASS_JMP32 : XBPF_CLASS_JMP;
		else
			m->opcode |= is32 ? XBPF_CLASS_ALU : XBPF_CLASS_ALU64;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------------ */
/* Instructions                                                             */
/* ------------------------------------------------------------------------ */

/* A register (sets the source bit and *src) or an immediate. */
static int parse_src(struct assembler *a, const char *tok, uint8_t *opcode, uint8_t *src,
		     int32_t *imm)
{
	if (tok[0] == '%') {
		*opcode |= XBPF_SRC_X;
		return parse_reg(a, tok, src);
	}
	return parse_imm32(a, tok, imm);
}

static int usage_error(struct assembler *a, const char *name, enum form form)
{
	return fail(a, "wrong operands for '%s': expected '%s %s'", name, name, usage[form]);
}

/* call IMM | call %rN | call helper IMM|%rN | call local TARGET | call runtime IMM */
static int assemble_call(struct assembler *a, char **ops, int n)
{
	int16_t off = 0;
	int32_t imm = 0;
	uint8_t reg;
	int rc;

	/* The kind may be left out: `call N` is `call helper N`. */
	const char *kind = "helper";
	if (n > 0 && (strcmp(ops[0], "helper") == 0 || strcmp(ops[0], "local") == 0 ||
		      strcmp(ops[0], "runtime") == 0)) {
		kind = ops[0];
		ops++, n--;
	}
	if (n != 1)
		return usage_error(a, "call", FORM_CALL);
	if (strcmp(kind, "local") == 0) {
		rc = parse_target(a, ops[0], true, &off, &imm);
		return rc ? rc : emit(a, XBPF_OP_CALL, 0, XBPF_CALL_LOCAL, 0, imm);
	}
	if (strcmp(kind, "runtime") == 0) {
		rc = parse_imm32(a, ops[0], &imm);
		return rc ? rc : emit(a, XBPF_OP_CALL, 0, XBPF_CALL_KFUNC, 0, imm);
	}
	if (ops[0][0] == '%') {
		rc = parse_reg(a, ops[0], &reg);
		return rc ? rc : emit(a, XBPF_OP_CALLX, reg, 0, 0, 0);
	}
	rc = parse_imm32(a, ops[0], &imm);
	return rc ? rc : emit(a, XBPF_OP_CALL, 0, XBPF_CALL_HELPER, 0, imm);
}

/* lock [fetch] OP [%rDST+OFF], %rSRC */
static int assemble_lock(struct assembler *a, char **ops, int n)
{
	static const struct {
		const char *name;
		int32_t imm;
	} ops_table[] = {
		{"add", XBPF_ATOMIC_ADD}, {"and", XBPF_ATOMIC_AND},
		{"or", XBPF_ATOMIC_OR},   {"xor", XBPF_ATOMIC_XOR},
		{"xchg", XBPF_ATOMIC_XCHG}, {"cmpxchg", XBPF_ATOMIC_CMPXCHG},
	};
	bool fetch = n > 0 && strcmp(ops[0], "fetch") == 0;
	if (fetch)
		ops++, n--;
	if (n != 3)
		return usage_error(a, "lock", FORM_LOCK);

	int32_t imm = -1;
	bool is32 = false;
	for (size_t i = 0; i < ARRAY_SIZE(ops_table) && imm < 0; i++)
		if (match_suffix32(ops[0], ops_table[i].name, &is32))
			imm = ops_table[i].imm;
	if (imm < 0)
		return fail(a, "unknown atomic operation '%s' (expected add, and, or, xor, xchg or "
			       "cmpxchg, with 32 for the 32-bit form)", ops[0]);
	if (fetch)
		imm |= XBPF_ATOMIC_FETCH;

	uint8_t dst, src;
	int16_t off;
	int rc = parse_mem(a, ops[1], &dst, &off);
	if (!rc)
		rc = parse_reg(a, ops[2], &src);
	if (rc)
		return rc;
	uint8_t size = is32 ? XBPF_SIZE_W : XBPF_SIZE_DW;
	return emit(a, XBPF_CLASS_STX | XBPF_MODE_ATOMIC | size, dst, src, off, imm);
}

static int assemble(struct assembler *a, char **tok, int n_tok)
{
	struct mnemonic m;
	if (!find_mnemonic(tok[0], &m))
		return fail(a, "unknown mnemonic '%s'", tok[0]);

	char **ops = tok + 1;
	int n = n_tok - 1;
	if (operand_count[m.form] >= 0 && n != operand_count[m.form])
		return usage_error(a, tok[0], m.form);

	uint8_t opcode = m.opcode, dst = 0, src = 0;
	int16_t off = m.off;
	int32_t imm = m.imm;
	uint64_t imm64 = 0;
	int rc = 0;

	switch ((enum form)m.form) {
	case FORM_ALU:
		rc = parse_reg(a, ops[0], &dst);
		if (!rc)
			rc = parse_src(a, ops[1], &opcode, &src, &imm);
		break;
	case FORM_NEG:
	case FORM_END:
		rc = parse_reg(a, ops[0], &dst);
		break;
	case FORM_MOVSX:
		rc = parse_reg(a, ops[0], &dst);
		if (!rc)
			rc = parse_reg(a, ops[1], &src);
		break;
	case FORM_JCOND:
		rc = parse_reg(a, ops[0], &dst);
		if (!rc)
			rc = parse_src(a, ops[1], &opcode, &src, &imm);
		if (!rc)
			rc = parse_target(a, ops[2], false, &off, &imm);
		break;
	case FORM_JA:
		rc = parse_target(a, ops[0], false, &off, &imm);
		break;
	case FORM_JA32:
		rc = parse_target(a, ops[0], true, &off, &imm);
		break;
	case FORM_CALL:
		return assemble_call(a, ops, n);
	case FORM_LOCK:
		return assemble_lock(a, ops, n);
	case FORM_EXIT:
		if (!a->have_first_exit) {
			a->have_first_exit = true;
			a->first_exit = a->count;
		}
		break;
	case FORM_LDDW:
		rc = parse_reg(a, ops[0], &dst);
		if (!rc)
			rc = parse_imm64(a, ops[1], &imm64);
		if (!rc)
			rc = emit(a, opcode, dst, 0, 0, (int32_t)(uint32_t)imm64);
		return rc ? rc : emit(a, 0, 0, 0, 0, (int32_t)(uint32_t)(imm64 >> 32));
	case FORM_LDX:
		rc = parse_reg(a, ops[0], &dst);
		if (!rc)
			rc = parse_mem(a, ops[1], &src, &off);
		break;
	case FORM_ST:
		rc = parse_mem(a, ops[0], &dst, &off);
		if (!rc)
			rc = parse_imm32(a, ops[1], &imm);
		break;
	case FORM_STX:
		rc = parse_mem(a, ops[0], &dst, &off);
		if (!rc)
			rc = parse_reg(a, ops[1], &src);
		break;
	}
	return rc ? rc : emit(a, opcode, dst, src, off, imm);
}

/* ------------------------------------------------------------------------ */
/* Lines and labels                                                         */
/* ------------------------------------------------------------------------ */

static int define_label(struct assembler *a, char *name)
{
	if (!is_label_name(name))
		return fail(a, "invalid label name '%s:' (expected letters, digits, '_' or '.', "
			       "not starting with a digit)", name);
	struct label *labels = reserve(a->labels, &a->cap_labels, a->n_labels + 1, sizeof(*labels));
	if (!labels)
		return -ENOMEM;
	a->labels = labels;
	char *copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	a->labels[a->n_labels++] = (struct label){.name = copy, .slot = a->count, .line = a->line};
	return 0;
}

/* Splits a line (modified in place) into at most MAX_TOKENS tokens, with
 * the comment removed and one trailing comma taken off each operand. */
static int tokenize(struct assembler *a, char *line, char **tok, int *n)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	*n = 0;
	for (char *p = line;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		if (*n == MAX_TOKENS)
			return fail(a, "too many operands");
		char *start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
		size_t len = strlen(start);
		if (*n > 0 && start[len - 1] == ',') {
			if (len == 1)
				return fail(a, "stray ','");
			start[len - 1] = '\0';
		}
		tok[(*n)++] = start;
	}
}

static int assemble_line(struct assembler *a, char *line)
{
	char *tok[MAX_TOKENS];
	int n;
	int rc = tokenize(a, line, tok, &n);
	if (rc || n == 0)
		return rc;
	size_t len = strlen(tok[0]);
	if (tok[0][len - 1] == ':') {
		if (n > 1)
			return fail(a, "a label must stand alone on its line");
		tok[0][len - 1] = '\0';
		return define_label(a, tok[0]);
	}
	return assemble(a, tok, n);
}

static int compare_labels_by_name(const void *l, const void *r)
{
	const struct label *x = l, *y = r;
	return strcmp(x->name, y->name);
}

/* By name, then by line, so that a duplicate follows its first definition. */
static int compare_labels(const void *l, const void *r)
{
	const struct label *x = l, *y = r;
	int c = compare_labels_by_name(l, r);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int resolve_fixups(struct assembler *a)
{
	if (a->n_labels)
		qsort(a->labels, a->n_labels, sizeof(*a->labels), compare_labels);
	for (size_t i = 1; i < a->n_labels; i++)
		if (strcmp(a->labels[i - 1].name, a->labels[i].name) == 0)
			return fail_at(a, a->labels[i].line,
				       "duplicate label '%s' (first defined on line %u)",
				       a->labels[i].name, a->labels[i - 1].line);

	for (size_t i = 0; i < a->n_fixups; i++) {
		const struct fixup *f = &a->fixups[i];
		struct label key = {.name = f->label};
		const struct label *l = a->n_labels ? bsearch(&key, a->labels, a->n_labels,
							      sizeof(*a->labels),
							      compare_labels_by_name)
						    : NULL;
		size_t target;
		if (l)
			target = l->slot;
		else if (strcmp(f->label, "exit") == 0 && a->have_first_exit)
			target = a->first_exit;
		else
			return fail_at(a, f->line, "unknown label '%s'", f->label);

		int64_t delta = (int64_t)target - (int64_t)f->slot - 1;
		struct xbpf_insn *insn = &a->insns[f->slot];
		if (f->in_imm && delta >= INT32_MIN && delta <= INT32_MAX)
			insn->imm = (int32_t)delta;
		else if (!f->in_imm && delta >= INT16_MIN && delta <= INT16_MAX)
			insn->off = (int16_t)delta;
		else
			return fail_at(a, f->line, "label '%s' is too far away (%lld instructions)",
				       f->label, (long long)delta);
	}
	return 0;
}

static void release(struct assembler *a)
{
	for (size_t i = 0; i < a->n_labels; i++)
		free(a->labels[i].name);
	for (size_t i = 0; i < a->n_fixups; i++)
		free(a->fixups[i].label);
	free(a->labels);
	free(a->fixups);
}

int xbpf_asm(const char *text, struct xbpf_insn **out, size_t *count, char *err, size_t err_size)
{
	struct assembler a = {.err = err, .err_size = err_size};
	char *line = NULL;
	size_t line_cap = 0;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if (err_size)
		err[0] = '\0';

	for (const char *p = text; *p && !rc;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *bigger = reserve(line, &line_cap, len + 1, 1);
		if (!bigger) {
			rc = -ENOMEM;
			break;
		}
		line = bigger;
		memcpy(line, p, len);
		line[len] = '\0';
		a.line++;
		rc = assemble_line(&a, line);
		p += len + (end != NULL);
	}
	if (!rc)
		rc = resolve_fixups(&a);
	if (rc == -ENOMEM && err_size)
		snprintf(err, err_size, "out of memory");

	free(line);
	release(&a);
	if (rc) {
		free(a.insns);
		return rc;
	}
	*out = a.insns;
	*count = a.count;
	return 0;
}
