/* SPDX-License-Identifier: MIT */
/* Runs the suite's programs in the Linux kernel through libbpf
 * (BPF_PROG_TEST_RUN, as `bpftool prog run` does). The kernel may refuse
 * (no privileges, no BPF): the runner then says why and is skipped. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../libbpf_last.h"
#include "suite.h"

struct kernel_state {
	const char *bpf_dir;
	struct bpf_object *obj;
	int prog_fd;
};

static int update(void *user, const char *name, uint32_t key, uint64_t value)
{
	struct bpf_map *map = bpf_object__find_map_by_name(user, name);

	if (!map)
		return -ENOENT;
	return bpf_map__update_elem(map, &key, sizeof(key), &value, sizeof(value), BPF_ANY);
}

static int kernel_lookup(struct suite_runner *r, const char *name, uint32_t key, uint64_t *value)
{
	struct kernel_state *s = r->priv;
	struct bpf_map *map = s->obj ? bpf_object__find_map_by_name(s->obj, name) : NULL;

	if (!map)
		return -ENOENT;
	return bpf_map__lookup_elem(map, &key, sizeof(key), value, sizeof(*value), 0);
}

static void kernel_close(struct suite_runner *r)
{
	struct kernel_state *s = r->priv;

	bpf_object__close(s->obj);
	s->obj = NULL;
	s->prog_fd = -1;
}

static int kernel_open(struct suite_runner *r, const struct suite_prog *p, char *why, size_t size)
{
	struct kernel_state *s = r->priv;
	struct bpf_program *prog;
	char path[4096];
	int err;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", s->bpf_dir, p->name);
	libbpf_last[0] = '\0';
	s->obj = bpf_object__open_file(path, NULL);
	if (!s->obj) {
		err = -errno;
		snprintf(why, size, "libbpf cannot open %s: %s", path, strerror(-err));
		return err;
	}
	err = bpf_object__load(s->obj);
	if (err) {
		snprintf(why, size, "the kernel refused %s (%s)%s%s", p->name, strerror(-err),
			 geteuid() ? ", not root" : "", libbpf_last[0] ? ": " : "");
		/* libbpf's last line says what the kernel objected to */
		strncat(why, libbpf_last, size - strlen(why) - 1);
		why[strcspn(why, "\n")] = '\0';
		kernel_close(r);
		return err;
	}
	prog = bpf_object__find_program_by_name(s->obj, p->name);
	err = prog ? suite_fill_maps(p, update, s->obj) : -ENOENT;
	if (err) {
		snprintf(why, size, "kernel: cannot prepare %s: %s", p->name, strerror(-err));
		kernel_close(r);
		return err;
	}
	s->prog_fd = bpf_program__fd(prog);
	return 0;
}

static int kernel_run(struct suite_runner *r, const struct suite_packet *pkt, uint32_t repeat,
		      struct suite_outcome *out, char *why, size_t size)
{
	struct kernel_state *s = r->priv;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt->data, .data_size_in = pkt->len,
		    .data_out = out->packet, .data_size_out = sizeof(out->packet),
		    .repeat = repeat);
	int err = bpf_prog_test_run_opts(s->prog_fd, &opts);

	if (err) {
		err = -errno;
		snprintf(why, size, "kernel: test run failed: %s", strerror(-err));
		return err;
	}
	out->retval = opts.retval;
	out->len = opts.data_size_out;
	/* The kernel's own average, as `bpftool prog run` prints: each test
	 * run system call also costs a fixed ~1 ms (setting up and tearing
	 * down its XDP environment) that is no part of a run. */
	out->duration_ns = opts.duration;
	return 0;
}

static void kernel_destroy(struct suite_runner *r)
{
	free(r->priv);
}

int suite_kernel_runner(struct suite_runner *r, const char *bpf_dir, char *why, size_t size)
{
	struct kernel_state *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(why, size, "out of memory");
		return -ENOMEM;
	}
	libbpf_set_print(libbpf_keep_last);
	s->bpf_dir = bpf_dir;
	s->prog_fd = -1;
	*r = (struct suite_runner){
		.name = "kernel",
		.open = kernel_open,
		.run = kernel_run,
		.lookup = kernel_lookup,
		.close = kernel_close,
		.destroy = kernel_destroy,
		.skip_ok = 1,
		.priv = s,
	};
	return 0;
}
