/* SPDX-License-Identifier: MIT */
/* Runs the suite's programs on an xbpf engine through the public API, as a
 * host would: open the object clang built, load it, fill its maps, test_run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite.h"

struct xbpf_state {
	const char *bpf_dir;
	enum xbpf_engine engine;
	char name[64];
	struct xbpf_runtime *rt;
	struct xbpf_extension *xdp;
	struct xbpf_object *obj;
	struct xbpf_program *prog;
	char log_text[4096];
	struct xbpf_log_buf log;
};

static void clear_log(struct xbpf_state *s)
{
	s->log = (struct xbpf_log_buf){.buf = s->log_text, .size = sizeof(s->log_text)};
	s->log_text[0] = '\0';
}

static int update(void *user, const char *name, uint32_t key, uint64_t value)
{
	struct xbpf_map *map = xbpf_object_find_map(user, name);

	return map ? xbpf_map_update_elem(map, &key, &value, XBPF_ANY) : -ENOENT;
}

static int xbpf_lookup(struct suite_runner *r, const char *name, uint32_t key, uint64_t *value)
{
	struct xbpf_state *s = r->priv;
	struct xbpf_map *map = s->obj ? xbpf_object_find_map(s->obj, name) : NULL;

	return map ? xbpf_map_lookup_elem(map, &key, value) : -ENOENT;
}

static void xbpf_close(struct suite_runner *r)
{
	struct xbpf_state *s = r->priv;

	if (s->obj)
		xbpf_object_close(s->obj);
	s->obj = NULL;
	s->prog = NULL;
}

static int xbpf_open(struct suite_runner *r, const struct suite_prog *p, char *why, size_t size)
{
	struct xbpf_state *s = r->priv;
	struct xbpf_object_open_opts open_opts = {.sz = sizeof(open_opts), .log = &s->log};
	struct xbpf_program_load_opts load_opts = {
		.sz = sizeof(load_opts),
		.engine = s->engine,
		.log = &s->log,
	};
	char path[4096];
	int err;

	clear_log(s);
	snprintf(path, sizeof(path), "%s/%s.bpf.o", s->bpf_dir, p->name);
	err = xbpf_object_open_file(s->rt, path, &open_opts, &s->obj);
	if (!err)
		err = xbpf_object_load(s->obj, &load_opts);
	if (err) {
		snprintf(why, size, "%s refused %s: %s; %s", r->name, path, strerror(-err),
			 s->log_text);
		xbpf_close(r);
		return err;
	}
	s->prog = xbpf_object_find_program(s->obj, p->name);
	err = s->prog ? suite_fill_maps(p, update, s->obj) : -ENOENT;
	if (err) {
		snprintf(why, size, "%s: cannot prepare %s: %s", r->name, p->name, strerror(-err));
		xbpf_close(r);
	}
	return err;
}

static int xbpf_run(struct suite_runner *r, const struct suite_packet *pkt, uint32_t repeat,
		    struct suite_outcome *out, char *why, size_t size)
{
	struct xbpf_state *s = r->priv;
	struct xbpf_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = pkt->data,
		.data_size_in = pkt->len,
		.data_out = out->packet,
		.data_size_out = sizeof(out->packet),
		.repeat = repeat,
		.log = &s->log,
	};
	int err;

	clear_log(s);
	err = xbpf_program_test_run(s->prog, &opts);
	if (err) {
		snprintf(why, size, "%s: test_run failed: %s; %s", r->name, strerror(-err),
			 s->log_text);
		return err;
	}
	out->retval = opts.retval;
	out->len = opts.data_size_out;
	out->duration_ns = 0; /* the caller's clock: finer than whole ns */
	return 0;
}

static void xbpf_free(struct xbpf_state *s)
{
	if (!s)
		return;
	if (s->xdp)
		xbpf_extension_unload(s->xdp);
	if (s->rt)
		xbpf_runtime_free(s->rt);
	free(s);
}

static void xbpf_destroy(struct suite_runner *r)
{
	xbpf_free(r->priv);
}

int suite_xbpf_runner(struct suite_runner *r, const char *bpf_dir, enum xbpf_engine engine,
		      char *why, size_t size)
{
	struct xbpf_state *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->bpf_dir = bpf_dir;
	s->engine = engine;
	snprintf(s->name, sizeof(s->name), "%s", xbpf_engine_name(engine));
	err = xbpf_runtime_create(&s->rt);
	if (err) {
		snprintf(why, size, "cannot create an xbpf runtime: %s", strerror(-err));
		xbpf_free(s);
		return err;
	}
	/* the reasons reach us through the log buffers */
	xbpf_runtime_set_log(s->rt, NULL, NULL, XBPF_LOG_ERROR);
	err = xbpf_extension_load(s->rt, "xdp", &s->xdp);
	if (err) {
		snprintf(why, size, "cannot load the xdp extension: %s", strerror(-err));
		xbpf_free(s);
		return err;
	}
	*r = (struct suite_runner){
		.name = s->name,
		.open = xbpf_open,
		.run = xbpf_run,
		.lookup = xbpf_lookup,
		.close = xbpf_close,
		.destroy = xbpf_destroy,
		.priv = s,
	};
	return 0;
}
