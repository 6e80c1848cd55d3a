/* SPDX-License-Identifier: MIT */
/*
 * The shared benchmark suite (XBPF_SHARED_DIR/bench): its six XDP programs,
 * their documented results, and the runners that execute them on an xbpf
 * engine, in the Linux kernel, and as native C.
 *
 * A runner opens one program at a time (loads it, fills its maps as the
 * suite's README says), runs it a given number of times on the test packet,
 * and reads a map counter back, so one check serves every runner.
 */
#ifndef XBPF_BENCH_SUITE_H
#define XBPF_BENCH_SUITE_H

#include <stddef.h>
#include <stdint.h>

#include <xbpf/xbpf.h>

#define SUITE_PROGS 6
#define SUITE_RESULT_OFF 48 /* BENCH_RESULT_OFF of progs/bench_common.h */
#define SUITE_XDP_PASS 2
#define SUITE_PKT_MAX 256
#define SUITE_WHY 512

struct suite_prog {
	const char *name;
	/* u64 the program stores at SUITE_RESULT_OFF; 0: it stores none */
	uint64_t expected;
	/* map counting the runs (packet_parse's UDP class), else NULL */
	const char *count_map;
	uint32_t count_key;
};

extern const struct suite_prog suite_progs[SUITE_PROGS];

/* The test packet, data/udp64.bin. */
struct suite_packet {
	uint8_t data[SUITE_PKT_MAX];
	uint32_t len;
};
int suite_read_packet(const char *shared_dir, struct suite_packet *pkt, char *why, size_t size);

/* Calls update(user, map, key, value) for each element the suite's README
 * puts in the program's maps before the runs; stops at the first error. */
int suite_fill_maps(const struct suite_prog *p,
		    int (*update)(void *user, const char *map, uint32_t key, uint64_t value),
		    void *user);

/* What the last of a batch of runs left. */
struct suite_outcome {
	uint64_t retval;
	uint8_t packet[SUITE_PKT_MAX];
	uint32_t len;
	/* ns per run as the runner measured it, or 0: the caller's clock then
	 * times the whole batch. */
	double duration_ns;
};

struct suite_runner {
	const char *name;
	/* Load p and fill its maps. A runner with skip_ok set may refuse (the
	 * kernel without privileges, say): why says so and the caller skips it;
	 * for the others a failure is an error. */
	int (*open)(struct suite_runner *r, const struct suite_prog *p, char *why, size_t size);
	/* Run the open program `repeat` times on the packet. */
	int (*run)(struct suite_runner *r, const struct suite_packet *pkt, uint32_t repeat,
		   struct suite_outcome *out, char *why, size_t size);
	/* Value of element key of the open program's map (u32 key, u64 value). */
	int (*lookup)(struct suite_runner *r, const char *map, uint32_t key, uint64_t *value);
	void (*close)(struct suite_runner *r);
	/* Frees priv (suite_runner_free calls close first). */
	void (*destroy)(struct suite_runner *r);
	int skip_ok;
	void *priv;
};

/* The runners; each returns 0 or a negative errno with why set. */
int suite_xbpf_runner(struct suite_runner *r, const char *bpf_dir, enum xbpf_engine engine,
		      char *why, size_t size);
int suite_kernel_runner(struct suite_runner *r, const char *bpf_dir, char *why, size_t size);
/* Native C: lookups inlined (calls == 0) or as out-of-line calls. */
int suite_native_runner(struct suite_runner *r, int calls);
/* Closes and frees any runner; does nothing to one freed already. */
void suite_runner_free(struct suite_runner *r);

/* Checks what the runs of p gave against the suite's README: return value,
 * stored result, and the run counter after `runs` runs in all. 0 when right;
 * else -EDOM with why describing the difference. */
int suite_check(struct suite_runner *r, const struct suite_prog *p,
		const struct suite_outcome *out, uint64_t runs, char *why, size_t size);

/* Instructions one run of a program executes, for a program whose only
 * loop is counted down `iters` times and whose forward branches outside
 * the loop fall through (alu_loop on the test packet); 0 when the program
 * does not have that shape. lddw counts as one instruction. */
uint64_t suite_count_loop_insns(const struct xbpf_insn *insns, size_t count, uint64_t iters);

#endif /* XBPF_BENCH_SUITE_H */
