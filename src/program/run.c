/* SPDX-License-Identifier: MIT */
/*
 * Running loaded programs: the per-run state the engine and helpers share,
 * the environment callbacks that tell the engine's memory checks about the
 * program's maps, and test_run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "maps/map.h"
#include "program/cpu_slot.h"
#include "program/program.h"
#include "runtime/epoch.h"
#include "runtime/log.h"
#include "runtime/runtime.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* What a run may touch besides its stack, context and packet                */
/* ------------------------------------------------------------------------ */

static struct xbpf_map *program_map(const struct xbpf_program *prog, uint64_t ptr)
{
	size_t lo = 0, hi = prog->n_maps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uintptr_t m = (uintptr_t)prog->maps[mid];
		if (m == ptr)
			return prog->maps[mid];
		if (m < ptr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One of the program's maps, or an inner map a lookup handed it this run. */
static struct xbpf_map *known_map(const struct xbpf_exec *exec, uint64_t ptr)
{
	struct xbpf_map *map = program_map(exec->program, ptr);
	for (unsigned i = 0; !map && ptr && i < XBPF_EXEC_RECENT; i++)
		if ((uintptr_t)exec->maps[i] == ptr)
			map = (struct xbpf_map *)(uintptr_t)ptr;
	return map;
}

static bool covered_by_map(const struct xbpf_map *map, uintptr_t addr, size_t size, uint32_t perm)
{
	struct xbpf_region r;
	return xbpf_map_value_region(map, addr, size, &r) && (r.perm & perm) == perm;
}

static bool env_may_access(const struct xbpf_exec *exec, uintptr_t addr, size_t size, uint32_t perm)
{
	const struct xbpf_program *prog = exec->program;
	for (size_t i = 0; i < prog->n_maps; i++)
		if (covered_by_map(prog->maps[i], addr, size, perm))
			return true;
	for (unsigned i = 0; i < XBPF_EXEC_RECENT; i++)
		if (exec->maps[i] && covered_by_map(exec->maps[i], addr, size, perm))
			return true;
	return false;
}

static bool env_map_shape(const struct xbpf_exec *exec, uint64_t ptr, struct xbpf_map_shape *shape)
{
	struct xbpf_map *map = known_map(exec, ptr);
	if (map)
		xbpf_map_shape_of(map, shape);
	return map != NULL;
}

static const struct xbpf_helper *env_helper_by_id(const struct xbpf_exec *exec, uint64_t id)
{
	return xbpf_program_helper_by_id(exec->program, id);
}

const struct xbpf_exec_env xbpf_program_env = {
	.may_access = env_may_access,
	.map_shape = env_map_shape,
	.helper_by_id = env_helper_by_id,
};

/* ------------------------------------------------------------------------ */
/* Runs                                                                     */
/* ------------------------------------------------------------------------ */

static void setup_exec(struct xbpf_exec *exec, struct xbpf_program *prog, void *ctx, unsigned cpu)
{
	const struct xbpf_context_descriptor *c = &prog->context;
	uintptr_t base = (uintptr_t)ctx;

	xbpf_exec_init(exec);
	exec->rt = prog->obj.rt;
	exec->program = prog;
	exec->cpu = cpu;
	exec->ctx = (struct xbpf_region){base, base + c->internal_size, XBPF_MEM_READ};
	if (prog->ctx_rw_span.end)
		exec->ctx_rw = (struct xbpf_region){base + prog->ctx_rw_span.start,
						    base + prog->ctx_rw_span.end, XBPF_MEM_RW};
	exec->ctx_data_off = c->data_offset;
	exec->ctx_data_end_off = c->data_end_offset;
	exec->ctx_data_meta_off = c->data_meta_offset;
	xbpf_exec_load_packet(exec);
	exec->fixed = prog->fixed;
	exec->n_fixed = prog->n_fixed;
	exec->imports = prog->imports;
	exec->n_imports = prog->n_imports;
	exec->env = &xbpf_program_env;
}

/* "program 'x': instruction 3 (x.c:12: ...): <what the engine said>" */
static void describe_failure(const struct xbpf_exec *exec, int err, char *msg, size_t size)
{
	const struct xbpf_program *prog = exec->program;
	char where[256];
	if (!exec->fault_msg[0]) {
		snprintf(msg, size, "program '%s': %s", prog->obj.name, strerror(-err));
		return;
	}
	xbpf_program_where(prog, exec->fault_pc, where, sizeof(where));
	snprintf(msg, size, "program '%s': %s%s%s%s", prog->obj.name, exec->fault_msg, where[0] ? " (" : "",
		 where, where[0] ? ")" : "");
}

/* "program 'x': named helper 'y' of provider 'z' is not registered" */
static void describe_unbound(const struct xbpf_program *prog, char *msg, size_t size)
{
	snprintf(msg, size, "program '%s': a named helper it calls is not registered", prog->obj.name);
	for (size_t i = 0; i < prog->n_imports; i++) {
		const struct xbpf_import_desc *d = &prog->import_desc[i];
		if (d->kind == XBPF_IMPORT_NAMED && !d->weak &&
		    !atomic_load_explicit(&prog->imports[i].proto, memory_order_acquire)) {
			snprintf(msg, size, "program '%s': named helper '%s' of provider '%s' is not "
				 "registered (or came back with another prototype)", prog->obj.name, d->name,
				 d->provider ? d->provider : "?");
			return;
		}
	}
}

int xbpf_program_run(struct xbpf_program *prog, void *ctx, uint64_t *r0, char *msg, size_t msg_size)
{
	struct xbpf_runtime *rt = prog->obj.rt;
	int ret;

	xbpf_epoch_enter();
	if (!atomic_load_explicit(&prog->type, memory_order_acquire)) {
		ret = -XBPF_EDETACHED;
		if (msg)
			snprintf(msg, msg_size, "program '%s': its program type '%s' is not registered",
				 prog->obj.name, prog->type_name);
		goto out;
	}
	if (atomic_load_explicit(&prog->n_unbound, memory_order_acquire)) {
		ret = -XBPF_EDETACHED;
		if (msg)
			describe_unbound(prog, msg, msg_size);
		goto out;
	}
	unsigned cpu = xbpf_cpu_slot_claim(rt);
	struct xbpf_exec exec;
	setup_exec(&exec, prog, ctx, cpu);
	bool timed = atomic_load_explicit(&rt->stats_enabled, memory_order_relaxed);
	uint64_t start = timed ? now_ns() : 0;

	ret = prog->engine_ops->run(prog->vm, &exec, (const uint64_t[5]){(uintptr_t)ctx}, r0);

	struct xbpf_prog_stats *s = &prog->stats[cpu];
	atomic_store_explicit(&s->runs, atomic_load_explicit(&s->runs, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	if (timed)
		atomic_store_explicit(&s->ns, atomic_load_explicit(&s->ns, memory_order_relaxed) +
					      now_ns() - start, memory_order_relaxed);
	xbpf_cpu_slot_release(rt, cpu);
	if (ret && msg)
		describe_failure(&exec, ret, msg, msg_size);
out:
	xbpf_epoch_exit();
	return ret;
}

/* ------------------------------------------------------------------------ */
/* test_run                                                                 */
/* ------------------------------------------------------------------------ */

static int test_run_loop(struct xbpf_program *prog, void *ctx, struct xbpf_test_run_opts *opts)
{
	uint32_t repeat = opts->repeat ? opts->repeat : 1;
	char msg[512];
	uint64_t start = now_ns();
	int err = 0;

	for (uint32_t i = 0; i < repeat && !err; i++)
		err = xbpf_program_run(prog, ctx, &opts->retval, msg, sizeof(msg));
	opts->duration_ns = (now_ns() - start) / repeat;
	if (err)
		xbpf_log(prog->obj.rt, XBPF_LOG_ERROR, "test_run: %s", msg);
	return err;
}

int xbpf_program_test_run(struct xbpf_program *prog, struct xbpf_test_run_opts *opts)
{
	if (!prog || !opts || opts->sz < sizeof(*opts))
		return -EINVAL;
	struct xbpf_runtime *rt = prog->obj.rt;
	struct xbpf_log_capture cap;
	struct xbpf_provider *type = NULL;
	int err;

	xbpf_log_capture_begin(&cap, opts->log, XBPF_LOG_INFO);
	xbpf_registrar_find(rt, XBPF_PROVIDER_PROGRAM_TYPE, prog->type_name, &type);
	if (!type || type != atomic_load(&prog->type)) {
		xbpf_log(rt, XBPF_LOG_ERROR, "test_run: program '%s' is detached: program type '%s' is "
			 "not registered, or not the one it was loaded with", prog->obj.name, prog->type_name);
		err = -XBPF_EDETACHED;
		goto out;
	}
	const struct xbpf_prog_type *t = &type->u.prog_type;
	if (!t->test_run_create) {
		xbpf_log(rt, XBPF_LOG_ERROR, "test_run: program type '%s' does not support test runs", t->name);
		err = -EOPNOTSUPP;
		goto out;
	}
	struct xbpf_test_run_io io = {
		.hdr = XBPF_ABI_HEADER(struct xbpf_test_run_io),
		.data_in = opts->data_in,
		.data_size_in = opts->data_size_in,
		.ctx_in = opts->ctx_in,
		.ctx_size_in = opts->ctx_size_in,
		.data_out = opts->data_out,
		.data_size_out = opts->data_size_out,
		.ctx_out = opts->ctx_out,
		.ctx_size_out = opts->ctx_size_out,
	};
	void *ctx = NULL;
	err = t->test_run_create(t->ctx, &io, &ctx);
	if (err) {
		xbpf_log(rt, XBPF_LOG_ERROR, "test_run: program type '%s' refused the input: %s", t->name,
			 strerror(-err));
		goto out;
	}
	err = test_run_loop(prog, ctx, opts);
	int finish_err = t->test_run_finish(t->ctx, ctx, &io);
	opts->data_size_out = io.data_size_out;
	opts->ctx_size_out = io.ctx_size_out;
	if (!err && finish_err) {
		err = finish_err;
		xbpf_log(rt, XBPF_LOG_ERROR, "test_run: %s", finish_err == -ENOSPC
			 ? "data_out is too small for the packet" : strerror(-finish_err));
	}
out:
	if (type)
		xbpf_provider_release(type);
	xbpf_log_capture_end(&cap);
	return err;
}
