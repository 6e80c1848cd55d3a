/* SPDX-License-Identifier: MIT */
/* The shared suite's programs and what its README documents of them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "suite.h"

/* The table of XBPF_SHARED_DIR/bench/README.md. */
const struct suite_prog suite_progs[SUITE_PROGS] = {
	{"empty", 0, NULL, 0},
	{"alu_loop", 14366732176559172539ULL, NULL, 0},
	{"hash_lookup", 19560096ULL, NULL, 0},
	{"array_sum", 229248ULL, NULL, 0},
	{"packet_parse", 0, "pp_counters", 3 /* UDP */},
	{"subprog_calls", 7296134135394303263ULL, NULL, 0},
};

int suite_read_packet(const char *shared_dir, struct suite_packet *pkt, char *why, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench/data/udp64.bin", shared_dir);
	f = fopen(path, "rb");
	if (!f) {
		int err = -errno;

		snprintf(why, size, "cannot open %s: %s", path, strerror(errno));
		return err;
	}
	pkt->len = (uint32_t)fread(pkt->data, 1, sizeof(pkt->data), f);
	fclose(f);
	if (pkt->len < SUITE_RESULT_OFF + 8) {
		snprintf(why, size, "%s holds %u bytes, the suite needs %d", path, pkt->len,
			 SUITE_RESULT_OFF + 8);
		return -EINVAL;
	}
	return 0;
}

int suite_fill_maps(const struct suite_prog *p,
		    int (*update)(void *user, const char *map, uint32_t key, uint64_t value),
		    void *user)
{
	int err = 0;

	if (!strcmp(p->name, "hash_lookup")) {
		for (uint32_t k = 0; k < 1024 && !err; k++)
			err = update(user, "hl_map", k, (uint64_t)k * k + 1);
	} else if (!strcmp(p->name, "array_sum")) {
		for (uint32_t k = 0; k < 256 && !err; k++)
			err = update(user, "as_map", k, 7ULL * k + 3);
	}
	return err;
}

int suite_check(struct suite_runner *r, const struct suite_prog *p,
		const struct suite_outcome *out, uint64_t runs, char *why, size_t size)
{
	if (out->retval != SUITE_XDP_PASS) {
		snprintf(why, size, "%s on %s returned %" PRIu64 ", expected %d (XDP_PASS)", p->name,
			 r->name, out->retval, SUITE_XDP_PASS);
		return -EDOM;
	}
	if (p->expected) {
		uint64_t got;

		if (out->len < SUITE_RESULT_OFF + 8) {
			snprintf(why, size, "%s on %s left a %u-byte packet", p->name, r->name,
				 out->len);
			return -EDOM;
		}
		memcpy(&got, out->packet + SUITE_RESULT_OFF, sizeof(got));
		if (got != p->expected) {
			snprintf(why, size, "%s on %s stored %" PRIu64 ", expected %" PRIu64,
				 p->name, r->name, got, p->expected);
			return -EDOM;
		}
	}
	if (p->count_map) {
		uint64_t got = 0;
		int err = r->lookup(r, p->count_map, p->count_key, &got);

		if (err || got != runs) {
			snprintf(why, size, "%s on %s: %s[%u] is %" PRIu64 "%s after %" PRIu64 " runs",
				 p->name, r->name, p->count_map, p->count_key, got,
				 err ? " (lookup failed)" : "", runs);
			return -EDOM;
		}
	}
	return 0;
}

void suite_runner_free(struct suite_runner *r)
{
	if (!r->priv)
		return;
	r->close(r);
	r->destroy(r);
	r->priv = NULL;
}

#define OP_CLASS(op) ((op) & 0x07)
#define CLASS_JMP 0x05
#define CLASS_JMP32 0x06
#define JOP(op) ((op) & 0xf0)
#define JOP_JA 0x00
#define JOP_CALL 0x80
#define JOP_EXIT 0x90
#define OP_LDDW 0x18

static int is_jump(uint8_t op)
{
	return (OP_CLASS(op) == CLASS_JMP || OP_CLASS(op) == CLASS_JMP32) && JOP(op) != JOP_CALL &&
	       JOP(op) != JOP_EXIT;
}

static int64_t jump_target(const struct xbpf_insn *in, size_t pc)
{
	/* ja32 (JMP32 class JA) takes its offset from imm */
	if (OP_CLASS(in->opcode) == CLASS_JMP32 && JOP(in->opcode) == JOP_JA)
		return (int64_t)pc + 1 + in->imm;
	return (int64_t)pc + 1 + in->off;
}

/*
 * Walks the program's path: the loop [top, back] is entered `iters` times;
 * its back jump is taken until the last iteration, a branch leaving it from
 * inside is taken on the last iteration only, and every other conditional
 * branch falls through (the bounds checks pass on the test packet). A
 * static count would do for one compiler's layout; the walk follows any.
 */
uint64_t suite_count_loop_insns(const struct xbpf_insn *insns, size_t count, uint64_t iters)
{
	int64_t top = -1, back = -1, pc = 0;
	uint64_t executed = 0, iteration = 0, limit = iters * 1000 + 100000;

	for (size_t i = 0; i < count; i++) {
		if (insns[i].opcode == OP_LDDW) {
			i++;
			continue;
		}
		if (OP_CLASS(insns[i].opcode) >= CLASS_JMP && JOP(insns[i].opcode) == JOP_CALL)
			return 0;
		if (is_jump(insns[i].opcode) && jump_target(&insns[i], i) <= (int64_t)i) {
			if (back >= 0)
				return 0; /* more than one loop */
			back = (int64_t)i;
			top = jump_target(&insns[i], i);
		}
	}
	if (back < 0 || top < 0)
		return 0;
	while (pc >= 0 && (size_t)pc < count && executed < limit) {
		const struct xbpf_insn *in = &insns[pc];
		int taken;

		if (pc == top)
			iteration++;
		executed++;
		if (in->opcode == OP_LDDW) {
			pc += 2;
			continue;
		}
		if (OP_CLASS(in->opcode) >= CLASS_JMP && JOP(in->opcode) == JOP_EXIT)
			return executed;
		if (!is_jump(in->opcode)) {
			pc++;
			continue;
		}
		int64_t target = jump_target(in, (size_t)pc);

		if (JOP(in->opcode) == JOP_JA)
			taken = 1;
		else if (pc == back)
			taken = iteration < iters;
		else if (pc >= top && pc <= back && (target < top || target > back))
			taken = iteration == iters;
		else
			taken = 0;
		pc = taken ? target : pc + 1;
	}
	return 0;
}
