/* SPDX-License-Identifier: MIT */
/*
 * xbpf run: load an ELF object, write --set elements into its maps, test-run
 * one program over each --data file (as Linux's BPF_PROG_TEST_RUN, what
 * `bpftool prog run` uses) and print the results and every map's contents,
 * for people or (--json) as one JSON object.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "session.h"

/* Room past the input for programs that grow the packet (adjust_tail). */
#define DATA_OUT_SLACK 4096
/* No --data: one run over a zeroed minimum-size Ethernet frame (see usage). */
#define DEFAULT_PACKET_SIZE 64

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xbpf run OBJ [--program NAME] [--data FILE]... [--set MAP:KEY=VALUE]...\n"
		"                [--repeat N] [--engine NAME] [--json] [--ext PATH]...\n"
		"\n"
		"Loads the ELF object OBJ (as clang -target bpf writes it), applies the --set\n"
		"map updates in order, then test-runs one program once per --data file, in\n"
		"order, as Linux's BPF_PROG_TEST_RUN does: the file is the packet, the\n"
		"program's return value and output packet are printed. Maps keep their\n"
		"contents from one run to the next; after the last run every map of the\n"
		"object is printed.\n"
		"\n"
		"Options:\n"
		"  --program NAME  the program to run; needed when OBJ has more than one\n"
		"  --data FILE     a packet to run the program on (repeatable). Without\n"
		"                  --data the program runs once on %d zero bytes (a minimum\n"
		"                  Ethernet frame; bpftool would insist on data_in)\n"
		"  --set MAP:KEY=VALUE\n"
		"                  update an element of MAP before the first run; KEY and\n"
		"                  VALUE are hex bytes in memory order (01000000 is the\n"
		"                  32-bit 1 on little-endian hosts) of exactly the map's key\n"
		"                  and value sizes. In per-CPU maps VALUE is written to\n"
		"                  every CPU's slot (repeatable, applied in order)\n"
		"  --repeat N      run each packet N times; the duration is the average\n"
		"  --engine NAME   execution engine (interpreter)\n"
		"  --json          print exactly one JSON object (see docs/cli.md):\n"
		"                  {\"program\", \"engine\", \"runs\": [{\"data\", \"retval\",\n"
		"                  \"data_out\", \"duration_ns\"}], \"maps\": {NAME: {\"type\",\n"
		"                  \"entries\": [{\"key\", \"value\"}]}}}; per-CPU maps give\n"
		"                  \"values\" (one per possible CPU), maps without keys\n"
		"                  (queue, stack, ringbuf, bloom_filter) no \"entries\"\n"
		CLI_SESSION_OPTIONS_HELP
		"  -h, --help      show this help\n",
		DEFAULT_PACKET_SIZE);
}

struct run_args {
	const char *object;
	const char *program;
	const char **data;
	size_t n_data;
	const char **sets;
	size_t n_sets;
	uint32_t repeat;
	bool json;
};

/* Returns -1 when the command line is fine, else the exit status. */
static int parse_args(int argc, char **argv, struct run_args *a, struct cli_session *s)
{
	static const char *const with_value[] = {"--program", "--data", "--set", "--repeat",
						 "--engine", NULL};
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		int taken = cli_session_arg(s, argc, argv, &i, with_value);
		if (taken < 0)
			return -taken;
		if (taken)
			continue;
		if (strcmp(opt, "--program") == 0) {
			a->program = argv[++i];
		} else if (strcmp(opt, "--data") == 0) {
			a->data[a->n_data++] = argv[++i];
		} else if (strcmp(opt, "--set") == 0) {
			a->sets[a->n_sets++] = argv[++i];
		} else if (strcmp(opt, "--repeat") == 0) {
			char *end;
			const char *v = argv[++i];
			errno = 0;
			unsigned long n = strtoul(v, &end, 10);
			if (*v < '0' || *v > '9' || *end || errno || n == 0 || n > UINT32_MAX)
				return cli_usage_error("run", "--repeat '%s': not a count from 1 to %u",
						       v, UINT32_MAX);
			a->repeat = (uint32_t)n;
		} else if (strcmp(opt, "--engine") == 0) {
			int e = xbpf_engine_by_name(argv[++i]);
			if (e < 0) {
				cli_error("run", "no engine '%s' (engines: interpreter)", argv[i]);
				return CLI_EXIT_USAGE;
			}
			s->engine = (enum xbpf_engine)e;
		} else if (strcmp(opt, "--json") == 0) {
			a->json = true;
		} else if (opt[0] == '-' && opt[1] != '\0') {
			return cli_usage_error("run", "unknown option '%s'", opt);
		} else if (a->object) {
			return cli_usage_error("run", "more than one object file");
		} else {
			a->object = opt;
		}
	}
	if (!a->object)
		return cli_usage_error("run", "no object file");
	return -1;
}

/* The program to run: the named one, or the only one. */
static struct xbpf_program *pick_program(struct cli_session *s, const char *path, const char *name)
{
	struct xbpf_program *p;
	if (name) {
		p = xbpf_object_find_program(s->obj, name);
		if (!p)
			cli_error(s->cmd, "%s: no program '%s'", path, name);
		return p;
	}
	struct xbpf_program *first = xbpf_object_next_program(s->obj, NULL);
	if (!first) {
		cli_error(s->cmd, "%s: the object has no programs", path);
		return NULL;
	}
	if (!xbpf_object_next_program(s->obj, first))
		return first;
	char names[1024];
	size_t n = 0;
	for (p = first; p && n < sizeof(names); p = xbpf_object_next_program(s->obj, p))
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", p == first ? "" : ", ",
				      xbpf_program_name(p));
	cli_error(s->cmd, "%s: the object has several programs; choose one with --program (%s)",
		  path, names);
	return NULL;
}

static int parse_hex_exact(const char *cmd, const char *what, const char *text, size_t want,
			   uint8_t **out, const char *set)
{
	char err[128];
	size_t len;
	if (cli_parse_hex(text, out, &len, err, sizeof(err))) {
		cli_error(cmd, "--set %s: %s: %s", set, what, err);
		return -EINVAL;
	}
	if (len != want) {
		cli_error(cmd, "--set %s: %s has %zu bytes, the map's %ss have %zu", set, what,
			  len, what, want);
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

/* One --set MAP:KEY=VALUE (session.h). */
int cli_apply_set(struct cli_session *s, const char *set)
{
	const char *colon = strrchr(set, ':');
	const char *eq = colon ? strchr(colon, '=') : NULL;
	if (!colon || !eq || colon == set) {
		cli_error(s->cmd, "--set %s: not MAP:KEY=VALUE", set);
		return -EINVAL;
	}
	char name[XBPF_OBJ_NAME_LEN];
	snprintf(name, sizeof(name), "%.*s", (int)(colon - set), set);
	struct xbpf_map *map = xbpf_object_find_map(s->obj, name);
	if (!map) {
		cli_error(s->cmd, "--set %s: the object has no map '%s'", set, name);
		return -ENOENT;
	}
	struct xbpf_map_info info;
	int rc = xbpf_map_get_info(map, &info);
	if (rc) {
		cli_error(s->cmd, "--set %s: %s", set, strerror(-rc));
		return rc;
	}
	char key_text[1024];
	if ((size_t)(eq - colon - 1) >= sizeof(key_text)) {
		cli_error(s->cmd, "--set %s: key too long", set);
		return -EINVAL;
	}
	snprintf(key_text, sizeof(key_text), "%.*s", (int)(eq - colon - 1), colon + 1);
	uint8_t *key = NULL, *value = NULL, *host_value = NULL;
	rc = parse_hex_exact(s->cmd, "key", key_text, info.key_size, &key, set);
	if (!rc)
		rc = parse_hex_exact(s->cmd, "value", eq + 1, info.value_size, &value, set);
	if (rc)
		goto out;
	size_t host_size = xbpf_map_host_value_size(map);
	host_value = calloc(1, host_size ? host_size : 1);
	if (!host_value) {
		rc = -ENOMEM;
		cli_error(s->cmd, "--set %s: out of memory", set);
		goto out;
	}
	if (cli_map_type_is_percpu(info.type)) {
		size_t slot = (info.value_size + 7) / 8 * 8;
		for (size_t off = 0; off + info.value_size <= host_size; off += slot)
			memcpy(host_value + off, value, info.value_size);
	} else {
		memcpy(host_value, value, info.value_size);
	}
	rc = xbpf_map_update_elem(map, info.key_size ? key : NULL, host_value, XBPF_ANY);
	if (rc)
		cli_error(s->cmd, "--set %s: cannot update map '%s': %s", set, name, strerror(-rc));
out:
	free(key);
	free(value);
	free(host_value);
	return rc;
}

static void print_hex(FILE *o, const uint8_t *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(o, "%02x", bytes[i]);
}

static void print_json_string(FILE *o, const char *s)
{
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(o, "\\%c", *p);
		else if (*p == '\n')
			fprintf(o, "\\n");
		else if (*p == '\t')
			fprintf(o, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(o, "\\u%04x", *p);
		else
			fputc(*p, o);
	}
	fputc('"', o);
}

static const char *xdp_action(uint32_t retval)
{
	static const char *const names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					    "XDP_REDIRECT"};
	return retval < sizeof(names) / sizeof(names[0]) ? names[retval] : NULL;
}

/* Runs prog over one packet and prints the result. */
static int run_once(FILE *o, struct cli_session *s, struct xbpf_program *prog, const struct run_args *a,
		    const char *file, bool first)
{
	char *data = NULL;
	size_t len = DEFAULT_PACKET_SIZE;
	int rc;
	if (file) {
		rc = cli_read_file(file, &data, &len);
		if (rc) {
			cli_error("run", "%s: %s", file, strerror(-rc));
			return rc;
		}
		if (len > UINT32_MAX - DATA_OUT_SLACK) {
			cli_error("run", "%s: too big for a packet", file);
			free(data);
			return -E2BIG;
		}
	} else {
		data = calloc(1, len);
		if (!data)
			return -ENOMEM;
	}
	uint32_t cap = (uint32_t)len + DATA_OUT_SLACK;
	uint8_t *out = malloc(cap);
	rc = out ? 0 : -ENOMEM;
	struct xbpf_test_run_opts opts;
	for (int attempt = 0; !rc && attempt < 2; attempt++) {
		s->log = (struct xbpf_log_buf){.buf = s->log_text, .size = sizeof(s->log_text)};
		s->log_text[0] = '\0';
		opts = (struct xbpf_test_run_opts){
			.sz = sizeof(opts), .data_in = data, .data_size_in = (uint32_t)len,
			.data_out = out, .data_size_out = cap, .repeat = a->repeat, .log = &s->log};
		rc = xbpf_program_test_run(prog, &opts);
		if (rc != -ENOSPC || attempt)
			break;
		/* The packet grew past the slack: once more with room for it. */
		uint8_t *bigger = realloc(out, opts.data_size_out);
		rc = bigger ? 0 : -ENOMEM;
		if (bigger) {
			out = bigger;
			cap = opts.data_size_out;
		}
	}
	const char *label = file ? file : "(64 zero bytes)";
	if (rc) {
		size_t l = s->log.len;
		while (l && s->log_text[l - 1] == '\n')
			l--;
		cli_error("run", "%s: the test run failed: %s%s%.*s", label, strerror(-rc),
			  l ? ": " : "", (int)l, s->log_text);
	} else if (a->json) {
		fprintf(o, "%s{\"data\": ", first ? "" : ", ");
		if (file)
			print_json_string(o, file);
		else
			fprintf(o, "null");
		fprintf(o, ", \"retval\": %" PRIu32 ", \"data_out\": \"", (uint32_t)opts.retval);
		print_hex(o, out, opts.data_size_out);
		fprintf(o, "\", \"duration_ns\": %" PRIu64 "}", opts.duration_ns);
	} else {
		const char *action = strcmp(xbpf_program_type(prog), "xdp") == 0
					     ? xdp_action((uint32_t)opts.retval) : NULL;
		fprintf(o, "run %s: retval %" PRIu32 "%s%s%s, %" PRIu64 " ns\n", label,
		       (uint32_t)opts.retval, action ? " (" : "", action ? action : "",
		       action ? ")" : "", opts.duration_ns);
		fprintf(o, "  data_out (%" PRIu32 " bytes): ", opts.data_size_out);
		print_hex(o, out, opts.data_size_out);
		fputc('\n', o);
	}
	free(out);
	free(data);
	return rc;
}

/* Prints one value: all CPUs' slots of a per-CPU map, or the value. */
static void print_value(FILE *o, const struct xbpf_map_info *info, const uint8_t *value, size_t host_size,
			bool json)
{
	if (!cli_map_type_is_percpu(info->type)) {
		if (json)
			fprintf(o, "\"value\": \"");
		print_hex(o, value, info->value_size);
		if (json)
			fputc('"', o);
		return;
	}
	size_t slot = (info->value_size + 7) / 8 * 8;
	fprintf(o, json ? "\"values\": [" : "[");
	for (size_t off = 0; off + info->value_size <= host_size; off += slot) {
		fprintf(o, "%s%s", off ? (json ? ", " : " ") : "", json ? "\"" : "");
		print_hex(o, value + off, info->value_size);
		if (json)
			fputc('"', o);
	}
	fputc(']', o);
}

static int print_map(FILE *o, struct xbpf_map *map, bool json, bool first)
{
	struct xbpf_map_info info;
	int rc = xbpf_map_get_info(map, &info);
	if (rc) {
		cli_error("run", "map %s: %s", xbpf_map_name(map), strerror(-rc));
		return rc;
	}
	const char *type = cli_map_type_name(info.type);
	char type_buf[32];
	if (!type) {
		snprintf(type_buf, sizeof(type_buf), "type_%u", info.type);
		type = type_buf;
	}
	if (json) {
		fprintf(o, "%s", first ? "" : ", ");
		print_json_string(o, info.name);
		fprintf(o, ": {\"type\": \"%s\"", type);
	} else {
		fprintf(o, "map %s (%s):\n", info.name, type);
	}
	if (!cli_map_type_has_keys(info.type) || info.key_size == 0) {
		if (json)
			fputc('}', o);
		return 0;
	}
	size_t host_size = xbpf_map_host_value_size(map);
	uint8_t *key = malloc(info.key_size), *next = malloc(info.key_size);
	uint8_t *value = malloc(host_size ? host_size : 1);
	if (!key || !next || !value) {
		rc = -ENOMEM;
		goto out;
	}
	if (json)
		fprintf(o, ", \"entries\": [");
	bool have_key = false;
	size_t n = 0;
	while ((rc = xbpf_map_get_next_key(map, have_key ? key : NULL, next)) == 0) {
		memcpy(key, next, info.key_size);
		have_key = true;
		rc = xbpf_map_lookup_elem(map, key, value);
		if (rc == -ENOENT) /* empty slots of prog and map arrays */
			continue;
		if (rc)
			break;
		if (json) {
			fprintf(o, "%s{\"key\": \"", n ? ", " : "");
			print_hex(o, key, info.key_size);
			fprintf(o, "\", ");
			print_value(o, &info, value, host_size, true);
			fputc('}', o);
		} else {
			fprintf(o, "  ");
			print_hex(o, key, info.key_size);
			fprintf(o, " = ");
			print_value(o, &info, value, host_size, false);
			fputc('\n', o);
		}
		n++;
	}
	if (rc == -ENOENT)
		rc = 0;
	if (json)
		fprintf(o, "]}");
out:
	if (rc)
		cli_error("run", "map %s: cannot read its elements: %s", info.name, strerror(-rc));
	free(key);
	free(next);
	free(value);
	return rc;
}

static int run_all(struct cli_session *s, const struct run_args *a)
{
	struct xbpf_program *prog = pick_program(s, a->object, a->program);
	if (!prog)
		return -ENOENT;
	/* A missing packet file fails before anything is printed. */
	for (size_t i = 0; i < a->n_data; i++) {
		if (strcmp(a->data[i], "-") != 0 && access(a->data[i], R_OK) != 0) {
			cli_error("run", "%s: %s", a->data[i], strerror(errno));
			return -ENOENT;
		}
	}
	for (size_t i = 0; i < a->n_sets; i++) {
		int rc = cli_apply_set(s, a->sets[i]);
		if (rc)
			return rc;
	}
	/* In JSON mode nothing is printed until every run succeeded, so that a
	 * failure leaves no half object: the output is collected in memory. */
	char *buf = NULL;
	size_t buf_len = 0;
	FILE *o = a->json ? open_memstream(&buf, &buf_len) : stdout;
	if (!o)
		return -ENOMEM;
	if (a->json) {
		fprintf(o, "{\"program\": ");
		print_json_string(o, xbpf_program_name(prog));
		fprintf(o, ", \"engine\": \"%s\", \"runs\": [", xbpf_engine_name(s->engine));
	} else {
		fprintf(o, "program %s (%s, section %s), engine %s\n", xbpf_program_name(prog),
			xbpf_program_type(prog), xbpf_program_section(prog),
			xbpf_engine_name(s->engine));
	}
	int rc = 0;
	for (size_t i = 0; !rc && i < (a->n_data ? a->n_data : 1); i++)
		rc = run_once(o, s, prog, a, a->n_data ? a->data[i] : NULL, i == 0);
	if (a->json && !rc)
		fprintf(o, "], \"maps\": {");
	bool first = true;
	for (struct xbpf_map *m = xbpf_object_next_map(s->obj, NULL); !rc && m;
	     m = xbpf_object_next_map(s->obj, m), first = false)
		rc = print_map(o, m, a->json, first);
	if (a->json) {
		if (!rc)
			fprintf(o, "}}\n");
		if (fclose(o) && !rc)
			rc = -ENOMEM;
		if (!rc)
			fwrite(buf, 1, buf_len, stdout);
		free(buf);
	}
	return rc;
}

static int run(int argc, char **argv)
{
	/* Every --data and --set fits in argc slots. */
	const char **data = calloc((size_t)argc, sizeof(*data));
	const char **sets = calloc((size_t)argc, sizeof(*sets));
	struct cli_session *s = calloc(1, sizeof(*s));
	if (!data || !sets || !s) {
		free(data);
		free(sets);
		free(s);
		cli_error("run", "out of memory");
		return CLI_EXIT_FAIL;
	}
	struct run_args a = {.data = data, .sets = sets, .repeat = 1};
	s->cmd = "run";
	int status = parse_args(argc, argv, &a, s);
	if (status < 0) {
		status = CLI_EXIT_FAIL;
		if (cli_session_open(s, "run", a.object) == 0 && run_all(s, &a) == 0)
			status = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	}
	cli_session_close(s);
	free(s);
	free(data);
	free(sets);
	return status;
}

const struct cli_command cli_cmd_run = {
	.name = "run",
	.summary = "load an ELF object and test-run a program over packets",
	.run = run,
	.usage = usage,
};
