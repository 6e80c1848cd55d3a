/* SPDX-License-Identifier: MIT */
/* Runs a differential test program on xbpf (see xbpf_runner.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <xbpf/xbpf.h>

#include "dump.h"
#include "xbpf_runner.h"

/* As the kernel runner: room for any frame after the program. */
#define OUT_CAPACITY 4096

struct run {
	struct xbpf_runtime *rt;
	struct xbpf_extension *xdp;
	struct xbpf_object *obj;
	char log_text[8192];
	struct xbpf_log_buf log;
	char *why;
	size_t why_size;
};

/* Sets why to the message and what xbpf logged; returns err. */
static int fail(struct run *r, int err, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	va_start(ap, fmt);
	used = (size_t)vsnprintf(r->why, r->why_size, fmt, ap);
	va_end(ap);
	if (used < r->why_size && r->log.len)
		snprintf(r->why + used, r->why_size - used, " (%s); xbpf said: %s", strerror(-err),
			 r->log_text);
	else if (used < r->why_size)
		snprintf(r->why + used, r->why_size - used, " (%s)", strerror(-err));
	return err;
}

static void clear_log(struct run *r)
{
	r->log = (struct xbpf_log_buf){.buf = r->log_text, .size = sizeof(r->log_text)};
	r->log_text[0] = '\0';
}

static int open_and_load(struct run *r, const char *path)
{
	struct xbpf_object_open_opts open_opts = {.sz = sizeof(open_opts), .log = &r->log};
	struct xbpf_program_load_opts load_opts = {
		.sz = sizeof(load_opts),
		.engine = XBPF_ENGINE_INTERPRETER,
		.log = &r->log,
	};
	int err;

	clear_log(r);
	err = xbpf_runtime_create(&r->rt);
	if (err)
		return fail(r, err, "cannot create a runtime");
	xbpf_runtime_set_log(r->rt, NULL, NULL, XBPF_LOG_ERROR);
	err = xbpf_extension_load(r->rt, "xdp", &r->xdp);
	if (err)
		return fail(r, err, "cannot load the xdp extension");
	err = xbpf_object_open_file(r->rt, path, &open_opts, &r->obj);
	if (err)
		return fail(r, err, "cannot open %s", path);
	err = xbpf_object_load(r->obj, &load_opts);
	if (err)
		return fail(r, err, "xbpf refused %s, which the kernel loaded", path);
	return 0;
}

static int apply_init(struct run *r, const struct diff_program *prog)
{
	size_t i;

	for (i = 0; i < prog->n_init; i++) {
		const struct diff_map_init *in = &prog->init[i];
		struct xbpf_map *map = xbpf_object_find_map(r->obj, in->map);
		struct xbpf_map_info info;
		int err;

		if (!map)
			return fail(r, -ENOENT, "no map %s to initialise", in->map);
		err = xbpf_map_get_info(map, &info);
		if (err)
			return fail(r, err, "no information on map %s", in->map);
		if (info.key_size != in->key_size || info.value_size != in->value_size)
			return fail(r, -EINVAL,
				    "map %s has %u-byte keys and %u-byte values, its initial "
				    "element %zu has %u and %u",
				    in->map, info.key_size, info.value_size, i, in->key_size,
				    in->value_size);
		err = xbpf_map_update_elem(map, in->key, in->value, XBPF_ANY);
		if (err)
			return fail(r, err, "initial element %zu of map %s", i, in->map);
	}
	return 0;
}

static int run_frames(struct run *r, struct xbpf_program *p, const struct diff_packet *pkts,
		      size_t n, struct diff_result *out)
{
	static uint8_t data_out[OUT_CAPACITY];
	size_t i;

	for (i = 0; i < n; i++) {
		struct xbpf_test_run_opts opts = {
			.sz = sizeof(opts),
			.data_in = pkts[i].data,
			.data_size_in = pkts[i].len,
			.data_out = data_out,
			.data_size_out = sizeof(data_out),
			.repeat = 1,
			.log = &r->log,
		};
		int err;

		clear_log(r);
		err = xbpf_program_test_run(p, &opts);
		if (err == -ENOSPC)
			return fail(r, err, "frame %zu grew past %d bytes", i, OUT_CAPACITY);
		err = diff_result_add_run(out, err, err ? 0 : (uint32_t)opts.retval, data_out,
					  err ? 0 : opts.data_size_out, err ? r->log_text : NULL);
		if (err)
			return fail(r, err, "out of memory");
	}
	return 0;
}

/* What the element operations below need of a map. */
struct runtime_map {
	struct xbpf_runtime *rt;
	struct xbpf_map *map;
};

static int runtime_next_key(void *map, const void *key, void *next)
{
	return xbpf_map_get_next_key(((struct runtime_map *)map)->map, key, next);
}

static int runtime_lookup(void *map, const void *key, void *value)
{
	return xbpf_map_lookup_elem(((struct runtime_map *)map)->map, key, value);
}

static int runtime_pop(void *map, void *value)
{
	return xbpf_map_lookup_and_delete_elem(((struct runtime_map *)map)->map, NULL, value);
}

static int runtime_program_name(void *map, uint32_t id, char name[DIFF_PROG_NAME_LEN])
{
	struct xbpf_program *p;
	int err = xbpf_program_get_by_id(((struct runtime_map *)map)->rt, id, &p);

	if (err)
		return err;
	snprintf(name, DIFF_PROG_NAME_LEN, "%s", xbpf_program_name(p));
	xbpf_program_put(p);
	return 0;
}

static int dump_map(struct run *r, struct xbpf_map *map, struct diff_result *out)
{
	struct runtime_map rm = {.rt = r->rt, .map = map};
	struct diff_map_reader reader = {
		.map = &rm,
		.next_key = runtime_next_key,
		.lookup = runtime_lookup,
		.pop = runtime_pop,
		.program_name = runtime_program_name,
	};
	struct xbpf_map_info info;
	struct diff_map *m;
	uint32_t value_size;
	int err = xbpf_map_get_info(map, &info);

	if (err)
		return fail(r, err, "no information on map %s", xbpf_map_name(map));
	value_size = info.type == XBPF_MAP_TYPE_PROG_ARRAY ? DIFF_PROG_NAME_LEN
							   : (uint32_t)xbpf_map_host_value_size(map);
	m = diff_result_add_map(out, info.name, info.type, info.key_size, value_size,
				info.max_entries);
	err = m ? diff_map_dump(m, &reader) : -ENOMEM;
	if (err)
		return fail(r, err, "dumping map %s", info.name);
	return 0;
}

int diff_xbpf_run(const char *object_path, const struct diff_program *prog,
		  const struct diff_packet *pkts, size_t n_pkts, struct diff_result *out, char *why,
		  size_t why_size)
{
	struct run r = {.why = why, .why_size = why_size};
	struct xbpf_program *p;
	struct xbpf_map *map;
	int err = open_and_load(&r, object_path);

	if (err)
		goto out;
	p = xbpf_object_find_program(r.obj, prog->name);
	if (!p) {
		err = fail(&r, -ENOENT, "%s has no program %s", object_path, prog->name);
		goto out;
	}
	err = apply_init(&r, prog);
	if (err)
		goto out;
	err = run_frames(&r, p, pkts, n_pkts, out);
	if (err)
		goto out;
	for (map = xbpf_object_next_map(r.obj, NULL); map; map = xbpf_object_next_map(r.obj, map)) {
		err = dump_map(&r, map, out);
		if (err)
			goto out;
	}
	diff_result_sort(out);
out:
	if (r.obj)
		xbpf_object_close(r.obj);
	if (r.xdp)
		xbpf_extension_unload(r.xdp);
	if (r.rt)
		xbpf_runtime_free(r.rt);
	return err;
}
