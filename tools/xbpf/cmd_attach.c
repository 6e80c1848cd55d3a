/* SPDX-License-Identifier: MIT */
/*
 * xbpf attach OBJ --program NAME --hook TYPE --param KEY=VALUE...: loads an
 * object, attaches one of its programs to a hook of an extension, runs until
 * the hook's input ends or Ctrl-C, and prints the link's counters (and, on
 * request, maps of the object).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_ext.h"

#define MAX_EXTS 16
#define MAX_COUNTERS 64

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xbpf attach OBJ --hook TYPE [--program NAME] [--param KEY=VALUE]...\n"
		"                       [--ext NAME|PATH]... [--map-update MAP KEY VALUE]...\n"
		"                       [--show-map MAP]... [--engine NAME]\n"
		"\n"
		"Loads the ELF object OBJ (as clang -target bpf writes it), attaches a program\n"
		"to the hook of attach type TYPE, lets the hook run it until the hook's input\n"
		"ends or Ctrl-C (which detaches cleanly), and prints the link's counters.\n"
		"\n"
		"Options:\n"
		"  --hook TYPE         the attach type, e.g. xdp/pcap ('xbpf ext info' lists them)\n"
		"  --program NAME      the program (function name) to attach; may be left out\n"
		"                      when OBJ has one program\n"
		"  --param KEY=VALUE   a parameter of the hook, repeatable; xdp/pcap takes\n"
		"                      in=FILE (required), out=FILE, tx=FILE, ifindex=N, repeat=N\n"
		"  --ext NAME|PATH     load this extension first, repeatable; without it, the\n"
		"                      extension named like the hook's first part (xdp for\n"
		"                      xdp/pcap) is loaded from the search path\n"
		"  --map-update MAP KEY VALUE\n"
		"                      before attaching, set an element of the object's map\n"
		"                      MAP; KEY and VALUE are hex bytes in memory order\n"
		"                      (\"c0000200\" is 192.0.2.0 as a network-order __u32)\n"
		"  --show-map MAP      after the run, print the map's elements (numbers for\n"
		"                      keys and values of up to 8 bytes, per-CPU values summed)\n"
		"  --engine NAME       run on engine NAME (default interpreter)\n"
		"  -h, --help          show this help\n"
		"\n"
		"Exit status: 0 when the hook's input ended without error or on Ctrl-C,\n"
		"1 when something failed, 2 for a wrong command line.\n");
}

struct map_update {
	const char *map, *key, *value;
};

struct attach_args {
	const char *object, *program, *hook, *engine;
	const char *exts[MAX_EXTS];
	size_t n_exts;
	const char *show[MAX_EXTS];
	size_t n_show;
	struct map_update updates[MAX_EXTS];
	size_t n_updates;
	char *params; /* "key=value\0..." */
	size_t params_size;
};

static int add_param(struct attach_args *a, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return cli_usage_error("attach", "--param %s: expected KEY=VALUE", kv);
	size_t n = strlen(kv) + 1;
	char *p = realloc(a->params, a->params_size + n);
	if (!p) {
		cli_error("attach", "out of memory");
		return CLI_EXIT_FAIL;
	}
	memcpy(p + a->params_size, kv, n);
	a->params = p;
	a->params_size += n;
	return -1;
}

/* Returns -1 when the command line is fine, else the exit status. */
static int parse_args(int argc, char **argv, struct attach_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		int values = strcmp(opt, "--map-update") == 0 ? 3 : 1;
		bool known = strcmp(opt, "--program") == 0 || strcmp(opt, "--hook") == 0 ||
			     strcmp(opt, "--param") == 0 || strcmp(opt, "--ext") == 0 ||
			     strcmp(opt, "--show-map") == 0 || strcmp(opt, "--engine") == 0 ||
			     values == 3;
		if (!known) {
			if (opt[0] == '-' && opt[1])
				return cli_usage_error("attach", "unknown option '%s'", opt);
			if (a->object)
				return cli_usage_error("attach", "more than one object ('%s', '%s')",
						       a->object, opt);
			a->object = opt;
			continue;
		}
		if (i + values >= argc)
			return cli_usage_error("attach", "%s needs %s", opt,
					       values == 3 ? "MAP KEY VALUE" : "a value");
		const char *v = argv[++i];
		if (strcmp(opt, "--program") == 0) {
			a->program = v;
		} else if (strcmp(opt, "--hook") == 0) {
			a->hook = v;
		} else if (strcmp(opt, "--engine") == 0) {
			a->engine = v;
		} else if (strcmp(opt, "--param") == 0) {
			int status = add_param(a, v);
			if (status >= 0)
				return status;
		} else if (strcmp(opt, "--ext") == 0 || strcmp(opt, "--show-map") == 0) {
			bool ext = strcmp(opt, "--ext") == 0;
			size_t *n = ext ? &a->n_exts : &a->n_show;
			if (*n == MAX_EXTS)
				return cli_usage_error("attach", "more than %d %s options", MAX_EXTS, opt);
			(ext ? a->exts : a->show)[(*n)++] = v;
		} else {
			if (a->n_updates == MAX_EXTS)
				return cli_usage_error("attach", "more than %d --map-update options",
						       MAX_EXTS);
			a->updates[a->n_updates++] = (struct map_update){v, argv[i + 1], argv[i + 2]};
			i += 2;
		}
	}
	if (!a->object)
		return cli_usage_error("attach", "no object file");
	if (!a->hook)
		return cli_usage_error("attach", "--hook is required (an attach type, e.g. xdp/pcap)");
	return -1;
}

/* ---- extensions ------------------------------------------------------------ */

static int is_hook(void *user, const struct xbpf_provider_info *info)
{
	return info->type == XBPF_PROVIDES_HOOK && strcmp(info->name, user) == 0;
}

static int list_hook(void *user, const struct xbpf_provider_info *info)
{
	if (info->type == XBPF_PROVIDES_HOOK)
		fprintf(stderr, "%s%s", (*(int *)user)++ ? ", " : "", info->name);
	return 0;
}

/* Loads the --ext extensions, then the hook's namesake when the hook is
 * still missing. */
static int load_extensions(struct xbpf_runtime *rt, const struct attach_args *a,
			   struct xbpf_extension **exts, size_t *n)
{
	for (size_t i = 0; i < a->n_exts; i++) {
		if (cli_ext_load(rt, "attach", a->exts[i], &exts[*n]))
			return -1;
		(*n)++;
	}
	if (xbpf_provider_foreach(rt, NULL, is_hook, (void *)a->hook))
		return 0;
	char name[XBPF_OBJ_NAME_LEN];
	size_t len = strcspn(a->hook, "/");
	if (a->n_exts == 0 && len < sizeof(name)) {
		memcpy(name, a->hook, len);
		name[len] = '\0';
		if (len && cli_ext_load(rt, "attach", name, &exts[*n]) == 0)
			(*n)++;
		else
			return -1;
	}
	if (xbpf_provider_foreach(rt, NULL, is_hook, (void *)a->hook))
		return 0;
	int count = 0;
	fprintf(stderr, "xbpf: attach: no hook '%s' in the loaded extensions (their attach types: ",
		a->hook);
	xbpf_provider_foreach(rt, NULL, list_hook, &count);
	fprintf(stderr, "%s); see 'xbpf ext list'\n", count ? "" : "none");
	return -1;
}

/* ---- maps ------------------------------------------------------------------ */

static bool percpu(uint32_t type)
{
	return type == XBPF_MAP_TYPE_PERCPU_ARRAY || type == XBPF_MAP_TYPE_PERCPU_HASH ||
	       type == XBPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static struct xbpf_map *find_map(struct xbpf_object *obj, const char *name)
{
	struct xbpf_map *map = xbpf_object_find_map(obj, name);
	if (map)
		return map;
	fprintf(stderr, "xbpf: attach: no map '%s' in the object (its maps:", name);
	int n = 0;
	for (struct xbpf_map *m = xbpf_object_next_map(obj, NULL); m; m = xbpf_object_next_map(obj, m))
		fprintf(stderr, "%s %s", n++ ? "," : "", xbpf_map_name(m));
	fprintf(stderr, "%s)\n", n ? "" : " none");
	return NULL;
}

static int parse_exact(const char *what, const char *text, uint32_t size, uint8_t **out)
{
	char err[128];
	size_t len;
	if (cli_parse_hex(text, out, &len, err, sizeof(err))) {
		cli_error("attach", "--map-update: %s: %s", what, err);
		return -1;
	}
	if (len != size) {
		cli_error("attach", "--map-update: the %s is %zu bytes; the map's are %u", what, len, size);
		free(*out);
		return -1;
	}
	return 0;
}

static int update_map(struct xbpf_object *obj, const struct map_update *u)
{
	struct xbpf_map *map = find_map(obj, u->map);
	struct xbpf_map_info info;
	uint8_t *key = NULL, *value = NULL;
	if (!map || xbpf_map_get_info(map, &info))
		return -1;
	if (parse_exact("key", u->key, info.key_size, &key))
		return -1;
	if (parse_exact("value", u->value, info.value_size, &value)) {
		free(key);
		return -1;
	}
	/* Per-CPU maps take every CPU's slot from the host: the same in each. */
	size_t size = xbpf_map_host_value_size(map);
	uint8_t *slots = calloc(1, size);
	int err = -ENOMEM;
	if (slots) {
		size_t stride = percpu(info.type) ? (info.value_size + 7) / 8 * 8 : size;
		for (size_t off = 0; off + info.value_size <= size; off += stride)
			memcpy(slots + off, value, info.value_size);
		err = xbpf_map_update_elem(map, key, slots, XBPF_ANY);
	}
	if (err)
		cli_error("attach", "--map-update %s: %s", u->map, strerror(-err));
	free(slots);
	free(key);
	free(value);
	return err ? -1 : 0;
}

static void print_bytes(const uint8_t *p, uint32_t size)
{
	if (size <= 8) {
		uint64_t v = 0;
		memcpy(&v, p, size); /* little-endian hosts */
		printf("%" PRIu64, v);
		return;
	}
	for (uint32_t i = 0; i < size; i++)
		printf("%02x", p[i]);
}

static int show_map(struct xbpf_object *obj, const char *name)
{
	struct xbpf_map *map = find_map(obj, name);
	struct xbpf_map_info info;
	if (!map || xbpf_map_get_info(map, &info))
		return -1;
	size_t size = xbpf_map_host_value_size(map);
	uint8_t *key = calloc(1, info.key_size + 1), *next = calloc(1, info.key_size + 1);
	uint8_t *value = calloc(1, size), *sum = calloc(1, info.value_size + 8);
	int err = key && next && value && sum ? 0 : -ENOMEM;
	printf("map %s:\n", name);
	for (bool first = true; !err; first = false) {
		err = xbpf_map_get_next_key(map, first ? NULL : key, next);
		if (err)
			break;
		memcpy(key, next, info.key_size);
		if ((err = xbpf_map_lookup_elem(map, key, value)) == -ENOENT) {
			err = 0; /* deleted meanwhile */
			continue;
		}
		if (err)
			break;
		const uint8_t *shown = value;
		if (percpu(info.type) && info.value_size <= 8) {
			uint64_t total = 0, v;
			for (size_t off = 0; off < size; off += (info.value_size + 7) / 8 * 8) {
				v = 0;
				memcpy(&v, value + off, info.value_size);
				total += v;
			}
			memcpy(sum, &total, sizeof(total));
			shown = sum;
		}
		printf("  ");
		print_bytes(key, info.key_size);
		printf(": ");
		print_bytes(shown, info.value_size);
		putchar('\n');
	}
	free(key);
	free(next);
	free(value);
	free(sum);
	if (err != -ENOENT) {
		cli_error("attach", "--show-map %s: %s", name, strerror(-err));
		return -1;
	}
	return 0;
}

/* ---- the run --------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

static struct xbpf_program *pick_program(struct xbpf_object *obj, const char *name)
{
	struct xbpf_program *prog = NULL;
	if (name)
		prog = xbpf_object_find_program(obj, name);
	else if ((prog = xbpf_object_next_program(obj, NULL)) && xbpf_object_next_program(obj, prog))
		prog = NULL;
	if (prog)
		return prog;
	if (!xbpf_object_next_program(obj, NULL)) {
		cli_error("attach", "the object has no programs");
		return NULL;
	}
	fprintf(stderr, "xbpf: attach: %s%s%s (its programs:", name ? "no program '" : "",
		name ? name : "--program is required: the object has several programs",
		name ? "' in the object" : "");
	int n = 0;
	for (struct xbpf_program *p = xbpf_object_next_program(obj, NULL); p;
	     p = xbpf_object_next_program(obj, p))
		fprintf(stderr, "%s %s", n++ ? "," : "", xbpf_program_name(p));
	fprintf(stderr, "%s)\n", n ? "" : " none");
	return NULL;
}

static struct xbpf_object *load_object(struct xbpf_runtime *rt, const struct attach_args *a)
{
	struct xbpf_program_load_opts opts = {.sz = sizeof(opts)};
	if (a->engine) {
		int engine = xbpf_engine_by_name(a->engine);
		if (engine < 0) {
			cli_error("attach", "--engine %s: no such engine", a->engine);
			return NULL;
		}
		opts.engine = (enum xbpf_engine)engine;
	}
	char text[16384];
	struct xbpf_log_buf log = {.buf = text, .size = sizeof(text)};
	struct xbpf_object_open_opts open_opts = {.sz = sizeof(open_opts), .log = &log};
	struct xbpf_object *obj;
	text[0] = '\0';
	opts.log = &log;
	int err = xbpf_object_open_file(rt, a->object, &open_opts, &obj);
	if (!err && (err = xbpf_object_load(obj, &opts)))
		xbpf_object_close(obj);
	if (!err)
		return obj;
	/* What the loader logged went to stderr already (the runtime's log);
	 * the buffer only tells whether there was any. */
	if (log.len == 0)
		cli_error("attach", "%s: cannot load: %s", a->object, strerror(-err));
	return NULL;
}

struct counter {
	const char *name;
	uint64_t value;
};

/* Runs the attached link until its input ends or a signal; returns the
 * hook's status, or 1 when interrupted. */
static int wait_link(struct xbpf_link *link)
{
	int status = -ETIMEDOUT;
	while (!interrupted && status == -ETIMEDOUT)
		status = xbpf_link_wait(link, 100);
	return status == -ETIMEDOUT ? 1 : status;
}

static int attach_and_run(struct xbpf_program *prog, const struct attach_args *a)
{
	/* Caught from before the attach: a Ctrl-C at any point detaches. */
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct xbpf_link *link;
	unsigned logged = cli_ext_errors_logged();
	int err = xbpf_program_attach(prog, a->hook, a->params, a->params_size, &link);
	if (err) {
		if (cli_ext_errors_logged() == logged)
			cli_error("attach", "cannot attach '%s' to %s: %s", xbpf_program_name(prog),
				  a->hook, strerror(-err));
		return CLI_EXIT_FAIL;
	}
	fprintf(stderr, "xbpf: attach: %s attached to %s (link %u); Ctrl-C detaches\n",
		xbpf_program_name(prog), a->hook, xbpf_link_id(link));
	int status = wait_link(link);
	/* Counters belong to the link: read them before it goes. */
	struct counter counters[MAX_COUNTERS];
	size_t n = 0;
	char names[MAX_COUNTERS][XBPF_OBJ_NAME_LEN];
	for (const char *name; n < MAX_COUNTERS &&
			       xbpf_link_counter(link, n, &name, &counters[n].value) == 0; n++) {
		snprintf(names[n], sizeof(names[n]), "%s", name);
		counters[n].name = names[n];
	}
	xbpf_link_detach(link);
	if (status == 1)
		printf("interrupted: detached\n");
	for (size_t i = 0; i < n; i++)
		printf("%-10s %" PRIu64 "\n", counters[i].name, counters[i].value);
	if (status < 0) {
		cli_error("attach", "%s ended with an error: %s", a->hook, strerror(-status));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct attach_args a = {0};
	int status = parse_args(argc, argv, &a);
	if (status >= 0) {
		free(a.params);
		return status;
	}
	struct xbpf_runtime *rt = cli_ext_runtime("attach");
	struct xbpf_extension *exts[MAX_EXTS + 1];
	size_t n_exts = 0;
	struct xbpf_object *obj = NULL;
	status = CLI_EXIT_FAIL;
	if (rt && load_extensions(rt, &a, exts, &n_exts) == 0 && (obj = load_object(rt, &a))) {
		struct xbpf_program *prog = pick_program(obj, a.program);
		bool ok = prog != NULL;
		for (size_t i = 0; ok && i < a.n_updates; i++)
			ok = update_map(obj, &a.updates[i]) == 0;
		if (ok)
			status = attach_and_run(prog, &a);
		for (size_t i = 0; status == CLI_EXIT_OK && i < a.n_show; i++)
			if (show_map(obj, a.show[i]))
				status = CLI_EXIT_FAIL;
	}
	if (obj)
		xbpf_object_close(obj);
	while (n_exts)
		xbpf_extension_unload(exts[--n_exts]);
	if (rt)
		xbpf_runtime_free(rt);
	free(a.params);
	if (fflush(stdout) != 0)
		status = CLI_EXIT_FAIL;
	return status;
}

const struct cli_command cli_cmd_attach = {
	.name = "attach",
	.summary = "attach a program of an object to a hook and run it until its input ends",
	.run = run,
	.usage = usage,
};
