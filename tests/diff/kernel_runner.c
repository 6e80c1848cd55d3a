/* SPDX-License-Identifier: MIT */
/* Runs a differential test program in the Linux kernel (see kernel_runner.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dump.h"
#include "kernel_runner.h"

/* Room for any frame after the program: Linux's test runs use one page. */
#define OUT_CAPACITY 4096
/* Lines of libbpf's log quoted when the kernel refuses an object. */
#define REASON_LINES 6

/* libbpf's messages of the current load, kept to explain a refusal (the
 * print callback has no user pointer). */
static char libbpf_log[16384];
static size_t libbpf_log_len;

static int capture_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (level == LIBBPF_DEBUG)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n <= 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* Keep the end: that is where the verifier says what it refused. */
	if (libbpf_log_len + (size_t)n >= sizeof(libbpf_log)) {
		size_t drop = libbpf_log_len + (size_t)n - sizeof(libbpf_log) + 1;

		memmove(libbpf_log, libbpf_log + drop, libbpf_log_len - drop);
		libbpf_log_len -= drop;
	}
	memcpy(libbpf_log + libbpf_log_len, line, (size_t)n);
	libbpf_log_len += (size_t)n;
	libbpf_log[libbpf_log_len] = '\0';
	return 0;
}

/* why = what, then the last REASON_LINES lines of libbpf's log joined
 * with " | ". */
static void quote_log(char *why, size_t size, const char *what)
{
	const char *end = libbpf_log + libbpf_log_len, *start;
	size_t used;
	int lines = 0;

	while (end > libbpf_log && end[-1] == '\n')
		end--;
	start = end;
	while (start > libbpf_log && !(start[-1] == '\n' && ++lines == REASON_LINES))
		start--;
	used = (size_t)snprintf(why, size, "%s: ", what);
	for (; start < end && used + 4 < size; start++) {
		if (*start == '\n') {
			memcpy(why + used, " | ", 3);
			used += 3;
		} else {
			why[used++] = *start;
		}
	}
	if (used < size)
		why[used] = '\0';
}

int diff_kernel_usable(char *why, size_t why_size)
{
	int ret;

	libbpf_set_print(capture_libbpf);
	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	if (ret == 1)
		return 0;
	/* The probe says 0 for any refusal, lack of privilege included. */
	snprintf(why, why_size, "the kernel does not let this process load XDP programs (%s)",
		 ret < 0      ? strerror(-ret)
		 : geteuid()  ? "not root"
			      : "BPF or XDP unavailable");
	return DIFF_REFUSED;
}

static int fail(int err, char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return err;
}

static int apply_init(struct bpf_object *obj, const struct diff_program *prog, char *why,
		      size_t size)
{
	size_t i;

	for (i = 0; i < prog->n_init; i++) {
		const struct diff_map_init *in = &prog->init[i];
		struct bpf_map *map = bpf_object__find_map_by_name(obj, in->map);
		int err;

		if (!map)
			return fail(-ENOENT, why, size, "no map %s to initialise", in->map);
		if (bpf_map__key_size(map) != in->key_size ||
		    bpf_map__value_size(map) != in->value_size)
			return fail(-EINVAL, why, size,
				    "map %s has %u-byte keys and %u-byte values, its initial "
				    "element %zu has %u and %u",
				    in->map, bpf_map__key_size(map), bpf_map__value_size(map), i,
				    in->key_size, in->value_size);
		err = bpf_map_update_elem(bpf_map__fd(map), in->key, in->value, BPF_ANY);
		if (err)
			return fail(err, why, size, "initial element %zu of map %s: %s", i, in->map,
				    strerror(-err));
	}
	return 0;
}

static int run_frames(struct bpf_program *p, const struct diff_packet *pkts, size_t n,
		      struct diff_result *out, char *why, size_t size)
{
	static uint8_t data_out[OUT_CAPACITY];
	size_t i;

	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkts[i].data,
			    .data_size_in = pkts[i].len, .data_out = data_out,
			    .data_size_out = sizeof(data_out), .repeat = 1);
		int err = bpf_prog_test_run_opts(bpf_program__fd(p), &opts);

		if (err == -ENOSPC)
			return fail(err, why, size, "frame %zu grew past %d bytes", i, OUT_CAPACITY);
		err = diff_result_add_run(out, err, err ? 0 : opts.retval, data_out,
					  err ? 0 : opts.data_size_out, NULL);
		if (err)
			return fail(err, why, size, "out of memory");
	}
	return 0;
}

/* What the element operations below need of a map. */
struct kernel_map {
	struct bpf_object *obj;
	int fd;
};

static int kernel_next_key(void *map, const void *key, void *next)
{
	return bpf_map_get_next_key(((struct kernel_map *)map)->fd, key, next);
}

static int kernel_lookup(void *map, const void *key, void *value)
{
	return bpf_map_lookup_elem(((struct kernel_map *)map)->fd, key, value);
}

static int kernel_pop(void *map, void *value)
{
	return bpf_map_lookup_and_delete_elem(((struct kernel_map *)map)->fd, NULL, value);
}

/* The name of the object's program whose id is id. */
static int kernel_program_name(void *map, uint32_t id, char name[DIFF_PROG_NAME_LEN])
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, ((struct kernel_map *)map)->obj) {
		struct bpf_prog_info info = {0};
		uint32_t len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) == 0 && info.id == id) {
			snprintf(name, DIFF_PROG_NAME_LEN, "%s", bpf_program__name(p));
			return 0;
		}
	}
	return -ENOENT;
}

static bool is_percpu(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static int dump_map(struct bpf_object *obj, struct bpf_map *map, struct diff_result *out,
		    char *why, size_t size)
{
	enum bpf_map_type type = bpf_map__type(map);
	uint32_t value_size = bpf_map__value_size(map);
	struct kernel_map km = {.obj = obj, .fd = bpf_map__fd(map)};
	struct diff_map_reader reader = {
		.map = &km,
		.next_key = kernel_next_key,
		.lookup = kernel_lookup,
		.pop = kernel_pop,
		.program_name = kernel_program_name,
	};
	struct diff_map *m;
	int err;

	if (type == BPF_MAP_TYPE_PROG_ARRAY)
		value_size = DIFF_PROG_NAME_LEN;
	else if (is_percpu(type))
		value_size = (uint32_t)libbpf_num_possible_cpus() * ((value_size + 7) & ~7u);
	m = diff_result_add_map(out, bpf_map__name(map), type, bpf_map__key_size(map), value_size,
				bpf_map__max_entries(map));
	err = m ? diff_map_dump(m, &reader) : -ENOMEM;
	if (err)
		return fail(err, why, size, "dumping map %s: %s", bpf_map__name(map), strerror(-err));
	return 0;
}

int diff_kernel_run(const char *object_path, const struct diff_program *prog,
		    const struct diff_packet *pkts, size_t n_pkts, struct diff_result *out,
		    char *why, size_t why_size)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *map;
	int err;

	libbpf_set_print(capture_libbpf);
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';
	obj = bpf_object__open_file(object_path, NULL);
	if (!obj)
		return fail(-errno, why, why_size, "cannot open %s: %s", object_path,
			    strerror(errno));
	p = bpf_object__find_program_by_name(obj, prog->name);
	if (!p) {
		err = fail(-ENOENT, why, why_size, "%s has no program %s", object_path, prog->name);
		goto out;
	}
	err = bpf_object__load(obj);
	if (err) {
		quote_log(why, why_size, "the kernel refused the object");
		err = DIFF_REFUSED;
		goto out;
	}
	err = apply_init(obj, prog, why, why_size);
	if (err)
		goto out;
	err = run_frames(p, pkts, n_pkts, out, why, why_size);
	if (err)
		goto out;
	bpf_object__for_each_map(map, obj) {
		err = dump_map(obj, map, out, why, why_size);
		if (err)
			goto out;
	}
	diff_result_sort(out);
out:
	bpf_object__close(obj);
	return err;
}

int diff_pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); cpu++)
		;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}
