/* SPDX-License-Identifier: MIT */
/*
 * Instruction checks that linking relies on, function by function: an lddw
 * has its zero second half inside the function, a jump stays inside its
 * function and never lands on an lddw's second half, a pseudo lddw or a
 * named call has its relocation. Calls with src=1 and no relocation are
 * clang's pc-relative calls within one section; they become references like
 * the relocated ones. Other opcode checks are the ISA validator's job.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader/ld.h"

static int cmp_ref(const void *a, const void *b)
{
	const struct xbpf_ld_ref *x = a, *y = b;

	return x->insn < y->insn ? -1 : x->insn > y->insn;
}

static const struct xbpf_ld_ref *find_ref(const struct xbpf_ld_sec *sec, size_t n, uint32_t insn)
{
	const struct xbpf_ld_ref key = {.insn = insn};

	if (n == 0)
		return NULL;
	return bsearch(&key, sec->refs, n, sizeof(*sec->refs), cmp_ref);
}

/* Marks the second halves of the function's lddw instructions. */
static int mark_lddw(struct xbpf_ld *ld, size_t sec_idx, const struct xbpf_ld_func *f,
		     uint8_t *second)
{
	const struct xbpf_insn *insns = ld->secs[sec_idx].insns + f->start;
	uint32_t i;

	memset(second, 0, f->count);
	for (i = 0; i < f->count; i++) {
		const struct xbpf_insn *next = &insns[i + 1];

		if (!xbpf_insn_is_lddw(&insns[i]))
			continue;
		if (i + 1 >= f->count)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec_idx, f->start + i),
					     "lddw at the end of function '%s' has no second half",
					     f->name);
		if (next->opcode != 0 || next->dst != 0 || next->src != 0 || next->off != 0)
			return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec_idx, f->start + i + 1),
					     "the second half of an lddw has opcode 0x%02x, "
					     "registers or offset set",
					     next->opcode);
		second[++i] = 1;
	}
	return 0;
}

static int check_call(struct xbpf_ld *ld, size_t sec_idx, uint32_t pc)
{
	struct xbpf_ld_sec *sec = &ld->secs[sec_idx];
	const struct xbpf_insn *insn = &sec->insns[pc];
	int64_t target = (int64_t)pc + 1 + insn->imm;
	const struct xbpf_ld_func *callee;
	struct xbpf_ld_ref ref = {.insn = pc, .kind = XBPF_LD_REF_CALL};
	int err;

	if (insn->src == XBPF_CALL_KFUNC)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec_idx, pc),
				     "call with src=2 (named helper) has no relocation naming its "
				     "function");
	if (insn->src != XBPF_CALL_LOCAL)
		return 0;
	callee = target >= 0 && (uint64_t)target < sec->n_insns
			 ? xbpf_ld_func_at(ld, sec_idx, (uint32_t)target)
			 : NULL;
	if (!callee)
		return xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec_idx, pc),
				     "local call to insn %lld, which does not start a function",
				     (long long)target);
	ref.target = (uint32_t)(callee - ld->funcs);
	err = xbpf_ld_reserve((void **)&sec->refs, &sec->refs_cap, sec->n_refs + 1,
			      sizeof(*sec->refs));
	if (err)
		return err;
	sec->refs[sec->n_refs++] = ref;
	return 0;
}

static int check_func(struct xbpf_ld *ld, size_t sec_idx, const struct xbpf_ld_func *f,
		      size_t n_relocated, uint8_t *second)
{
	const struct xbpf_ld_sec *sec = &ld->secs[sec_idx];
	uint32_t i;
	int err = mark_lddw(ld, sec_idx, f, second);

	for (i = 0; i < f->count && !err; i++) {
		uint32_t pc = f->start + i;
		const struct xbpf_insn *insn = &sec->insns[pc];
		bool relocated = find_ref(sec, n_relocated, pc) != NULL;
		uint8_t mode = XBPF_MODE(insn->opcode);
		int64_t target;

		if (second[i])
			continue;
		switch (XBPF_CLASS(insn->opcode)) {
		case XBPF_CLASS_LD:
			if (xbpf_insn_is_lddw(insn) && !relocated && insn->src != XBPF_PSEUDO_NONE)
				err = xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec_idx, pc),
						    "lddw with src=%u has no relocation naming what "
						    "it loads",
						    insn->src);
			else if (mode == XBPF_MODE_ABS || mode == XBPF_MODE_IND)
				err = xbpf_ld_error(ld, -EOPNOTSUPP, XBPF_LD_AT_INSN(sec_idx, pc),
						    "legacy packet access (LD_ABS/LD_IND, opcode "
						    "0x%02x) is not supported",
						    insn->opcode);
			break;
		case XBPF_CLASS_JMP:
		case XBPF_CLASS_JMP32:
			if (insn->opcode == XBPF_OP_CALL) {
				if (!relocated)
					err = check_call(ld, sec_idx, pc);
				break;
			}
			if (XBPF_OP(insn->opcode) == XBPF_JMP_CALL ||
			    XBPF_OP(insn->opcode) == XBPF_JMP_EXIT)
				break;
			target = xbpf_jump_target(insn, pc);
			if (target < f->start || target >= (int64_t)f->start + f->count)
				err = xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec_idx, pc),
						    "jump to insn %lld leaves function '%s'",
						    (long long)target, f->name);
			else if (second[target - f->start])
				err = xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(sec_idx, pc),
						    "jump into the second half of the lddw at insn "
						    "%lld",
						    (long long)target - 1);
			break;
		default:
			break;
		}
	}
	return err;
}

int xbpf_ld_check_code(struct xbpf_ld *ld)
{
	size_t s, i, longest = 0;
	uint8_t *second;
	int err = 0;

	for (i = 0; i < ld->n_funcs; i++) {
		if (ld->funcs[i].count > longest)
			longest = ld->funcs[i].count;
	}
	second = malloc(longest + 1);
	if (!second)
		return -ENOMEM;
	for (s = 1; s < ld->n_secs && !err; s++) {
		struct xbpf_ld_sec *sec = &ld->secs[s];
		size_t n_relocated = sec->n_refs;

		if (sec->kind != XBPF_LD_SEC_CODE)
			continue;
		if (sec->n_refs > 1)
			qsort(sec->refs, sec->n_refs, sizeof(*sec->refs), cmp_ref);
		for (i = 1; i < sec->n_refs && !err; i++) {
			if (sec->refs[i].insn == sec->refs[i - 1].insn)
				err = xbpf_ld_error(ld, -EINVAL, XBPF_LD_AT_INSN(s, sec->refs[i].insn),
						    "two relocations for one instruction");
		}
		for (i = 0; i < sec->n_funcs && !err; i++)
			err = check_func(ld, s, &ld->funcs[sec->first_func + i], n_relocated, second);
		if (sec->n_refs > 1)
			qsort(sec->refs, sec->n_refs, sizeof(*sec->refs), cmp_ref);
	}
	free(second);
	return err;
}
