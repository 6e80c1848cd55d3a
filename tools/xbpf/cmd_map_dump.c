/* SPDX-License-Identifier: MIT */
/*
 * xbpf map dump: the entries of maps, through their BTF when they have it
 * (btf_format.c), else as hex bytes, as `bpftool map dump` prints them.
 *
 * A CLI session is one runtime: the shipped extensions and --ext ones are
 * loaded (their control maps pinned at ext/<extension>/<name>), then the
 * object of --obj if any, then --set and --run fill its maps. A map is then
 * named by id, by pin path or by its name in the object.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf_format.h"
#include "cli.h"
#include "cmd_map.h"
#include "session.h"

#define CMD "map dump"

/* 64 zero bytes: the packet of --run, as `xbpf run` without --data. */
#define RUN_PACKET_SIZE 64

struct dump_args {
	const char *ref; /* id, pin or name; NULL: every map */
	const char *object;
	const char **sets;
	size_t n_sets;
	const char **runs;
	size_t n_runs;
	bool json;
};

void cli_map_dump_usage(FILE *out)
{
	fprintf(out,
		"Usage: xbpf map dump [ID|PIN|NAME] [--obj OBJ] [--set MAP:KEY=VALUE]...\n"
		"                     [--run PROGRAM]... [--json] [--ext PATH]...\n"
		"\n"
		"Prints every entry of a map: keys and values through the map's BTF when\n"
		"it has some ({\"key\": ..., \"value\": ...}, one entry a line), else as hex\n"
		"bytes; per-CPU maps give one value per CPU. The map is named by its id, by\n"
		"the path it is pinned at (extensions pin their control maps at\n"
		"ext/EXTENSION/NAME when they load) or by its name in OBJ. Without one,\n"
		"every map of OBJ, or without --obj every map there is.\n"
		"\n"
		"Options:\n"
		"  --obj OBJ       load the ELF object OBJ first (its maps get ids after\n"
		"                  those of the extensions)\n"
		"  --set MAP:KEY=VALUE\n"
		"                  write one element into a map of OBJ before dumping, as\n"
		"                  `xbpf run --set` (repeatable)\n"
		"  --run PROGRAM   test-run the program PROGRAM of OBJ once on 64 zero bytes\n"
		"                  before dumping (repeatable, after every --set)\n"
		"  --json          print one JSON object\n" CLI_SESSION_OPTIONS_HELP
		"  -h, --help      show this help\n");
}

/* Returns -1 when the command line is fine, else the exit status. */
static int parse_args(int argc, char **argv, struct dump_args *a, struct cli_session *s)
{
	static const char *const with_value[] = {"--obj", "--set", "--run", NULL};
	s->cmd = CMD;
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		int taken = cli_session_arg(s, argc, argv, &i, with_value);
		if (taken < 0)
			return -taken;
		if (taken)
			continue;
		if (strcmp(opt, "--obj") == 0) {
			if (a->object)
				return cli_usage_error(CMD, "more than one --obj");
			a->object = argv[++i];
		} else if (strcmp(opt, "--set") == 0) {
			a->sets[a->n_sets++] = argv[++i];
		} else if (strcmp(opt, "--run") == 0) {
			a->runs[a->n_runs++] = argv[++i];
		} else if (strcmp(opt, "--json") == 0) {
			a->json = true;
		} else if (opt[0] == '-' && opt[1] != '\0') {
			return cli_usage_error(CMD, "unknown option '%s'", opt);
		} else if (a->ref) {
			return cli_usage_error(CMD, "more than one map ('%s', '%s')", a->ref, opt);
		} else {
			a->ref = opt;
		}
	}
	if ((a->n_sets || a->n_runs) && !a->object)
		return cli_usage_error(CMD, "--%s needs --obj", a->n_sets ? "set" : "run");
	return -1;
}

static int run_program(struct cli_session *s, const char *name)
{
	struct xbpf_program *prog = xbpf_object_find_program(s->obj, name);
	if (!prog) {
		cli_error(CMD, "--run %s: the object has no program '%s'", name, name);
		return -ENOENT;
	}
	uint8_t packet[RUN_PACKET_SIZE] = {0};
	s->log = (struct xbpf_log_buf){.buf = s->log_text, .size = sizeof(s->log_text)};
	s->log_text[0] = '\0';
	struct xbpf_test_run_opts opts = {.sz = sizeof(opts), .data_in = packet,
					  .data_size_in = sizeof(packet), .log = &s->log};
	int rc = xbpf_program_test_run(prog, &opts);
	if (rc) {
		size_t l = s->log.len;
		while (l && s->log_text[l - 1] == '\n')
			l--;
		cli_error(CMD, "--run %s: the test run failed: %s%s%.*s", name, strerror(-rc),
			  l ? ": " : "", (int)l, s->log_text);
	}
	return rc;
}

/* ---- naming maps ---------------------------------------------------------- */

struct pin_search {
	uint32_t id;
	char path[XBPF_PIN_PATH_LEN];
};

static int match_pin(void *user, const char *path, enum xbpf_object_kind kind, uint32_t id)
{
	struct pin_search *p = user;
	if (kind != XBPF_OBJ_MAP || id != p->id)
		return 0;
	snprintf(p->path, sizeof(p->path), "%s", path);
	return 1;
}

/* The first path map id is pinned at, or "". */
static void pin_of(struct xbpf_runtime *rt, uint32_t id, char *path, size_t size)
{
	struct pin_search p = {.id = id};
	xbpf_pin_foreach(rt, "", match_pin, &p);
	snprintf(path, size, "%s", p.path);
}

struct pin_list {
	char text[512];
	size_t len;
};

static int list_pin(void *user, const char *path, enum xbpf_object_kind kind, uint32_t id)
{
	struct pin_list *l = user;
	(void)id;
	if (kind == XBPF_OBJ_MAP && l->len < sizeof(l->text))
		l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s%s",
					   l->len ? ", " : "", path);
	return 0;
}

static bool is_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The map ref names (a new reference), or NULL after saying why. */
static struct xbpf_map *find_map(struct cli_session *s, const char *ref)
{
	struct xbpf_map *map = NULL;
	if (is_id(ref)) {
		unsigned long id = strtoul(ref, NULL, 10);
		if (id > UINT32_MAX || xbpf_map_get_by_id(s->rt, (uint32_t)id, &map)) {
			cli_error(CMD, "no map has id %s", ref);
			return NULL;
		}
		return map;
	}
	/* The core publishes its control maps on first open: not listed before. */
	if ((xbpf_pinned_kind(s->rt, ref) == XBPF_OBJ_MAP || strcmp(ref, XBPF_CORE_PROGRAMS_MAP) == 0) &&
	    xbpf_map_get_pinned(s->rt, ref, &map) == 0)
		return map;
	if (s->obj && (map = xbpf_object_find_map(s->obj, ref))) {
		xbpf_map_get(map);
		return map;
	}
	struct pin_list pins = {0};
	xbpf_pin_foreach(s->rt, "", list_pin, &pins);
	cli_error(CMD, "no map '%s': not an id, a pinned map (%s)%s", ref,
		  pins.len ? pins.text : "none is pinned",
		  s->obj ? " or a map of the object" : ", and no --obj names an object");
	return NULL;
}

/* ---- printing --------------------------------------------------------------- */

/* The name of a map type: Linux's, or the name of the extension's map type
 * provider, or type_N. */
struct type_search {
	uint32_t type;
	char name[XBPF_OBJ_NAME_LEN];
};

static int match_type(void *user, const struct xbpf_provider_info *info)
{
	struct type_search *t = user;
	if (info->type != XBPF_PROVIDES_MAP_TYPE || info->map_type != t->type)
		return 0;
	snprintf(t->name, sizeof(t->name), "%s", info->name);
	return 1;
}

static void type_name(struct cli_session *s, uint32_t type, char *buf, size_t size)
{
	const char *name = cli_map_type_name(type);
	struct type_search t = {.type = type};
	if (!name && xbpf_provider_foreach(s->rt, NULL, match_type, &t) > 0)
		name = t.name;
	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "type_%" PRIu32, type);
}

struct map_view {
	struct xbpf_map_info info;
	const struct btf *btf; /* NULL: hex */
	uint32_t key_type, value_type;
	size_t host_size;
	size_t n_cpus; /* value slots of a host value */
	size_t slot;   /* bytes between them */
};

static void hex_spaced(FILE *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%s%02x", i ? " " : "", p[i]);
}

static void hex_packed(FILE *o, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%02x", p[i]);
}

/* The formatted part of a key or value: through its BTF type, or a hex
 * string when the type is missing or does not describe the bytes. */
static void formatted(FILE *o, const struct map_view *v, uint32_t type, const uint8_t *p,
		      size_t n)
{
	if (type) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		int rc = m ? cli_btf_format(m, v->btf, type, p, n) : -ENOMEM;
		if (m && fclose(m) == 0 && rc == 0) {
			fwrite(buf, 1, len, o);
			free(buf);
			return;
		}
		free(buf);
	}
	fputc('"', o);
	hex_packed(o, p, n);
	fputc('"', o);
}

/* The value of an entry the host cannot read: null, and why. */
static void unreadable_value(FILE *o, int err)
{
	fputs(", \"value\": null, \"error\": ", o);
	cli_json_string(o, strerror(-err), SIZE_MAX);
}

/* value NULL: the entry could not be read (err). */
static void print_btf_entry(FILE *o, const struct map_view *v, const uint8_t *key,
			    const uint8_t *value, int err)
{
	fputs("{\"key\": ", o);
	formatted(o, v, v->key_type, key, v->info.key_size);
	if (!value) {
		unreadable_value(o, err);
		fputc('}', o);
		return;
	}
	if (!v->n_cpus) {
		fputs(", \"value\": ", o);
		formatted(o, v, v->value_type, value, v->info.value_size);
		fputc('}', o);
		return;
	}
	fputs(", \"values\": [", o);
	for (size_t cpu = 0; cpu < v->n_cpus; cpu++) {
		fprintf(o, "%s{\"cpu\": %zu, \"value\": ", cpu ? ", " : "", cpu);
		formatted(o, v, v->value_type, value + cpu * v->slot, v->info.value_size);
		fputc('}', o);
	}
	fputs("]}", o);
}

static void print_hex_entry(FILE *o, const struct map_view *v, const uint8_t *key,
			    const uint8_t *value, int err)
{
	fputs("  key: ", o);
	hex_spaced(o, key, v->info.key_size);
	if (!value) {
		fprintf(o, "  value: <unreadable: %s>\n", strerror(-err));
		return;
	}
	if (!v->n_cpus) {
		fputs("  value: ", o);
		hex_spaced(o, value, v->info.value_size);
		fputc('\n', o);
		return;
	}
	fputc('\n', o);
	for (size_t cpu = 0; cpu < v->n_cpus; cpu++) {
		fprintf(o, "    value (CPU %02zu): ", cpu);
		hex_spaced(o, value + cpu * v->slot, v->info.value_size);
		fputc('\n', o);
	}
}

/* --json: the raw bytes as `xbpf run --json` has them, and the formatted
 * form when the map has BTF. */
static void print_json_entry(FILE *o, const struct map_view *v, const uint8_t *key,
			     const uint8_t *value, int err, bool first)
{
	fprintf(o, "%s{\"key\": \"", first ? "" : ", ");
	hex_packed(o, key, v->info.key_size);
	if (!value) {
		fputc('"', o);
		unreadable_value(o, err);
	} else if (!v->n_cpus) {
		fputs("\", \"value\": \"", o);
		hex_packed(o, value, v->info.value_size);
		fputc('"', o);
	} else {
		fputs("\", \"values\": [", o);
		for (size_t cpu = 0; cpu < v->n_cpus; cpu++) {
			fprintf(o, "%s\"", cpu ? ", " : "");
			hex_packed(o, value + cpu * v->slot, v->info.value_size);
			fputc('"', o);
		}
		fputc(']', o);
	}
	if (v->btf) {
		fputs(", \"formatted\": ", o);
		print_btf_entry(o, v, key, value, err);
	}
	fputc('}', o);
}

/* Describes the map's BTF types for the header: "struct flow_key". */
static void type_text(const struct btf *btf, uint32_t id, char *buf, size_t size)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	static const char *const kinds[] = {[BTF_KIND_STRUCT] = "struct ", [BTF_KIND_UNION] = "union ",
					    [BTF_KIND_ENUM] = "enum ", [BTF_KIND_ENUM64] = "enum "};
	const char *kind = t && btf_kind(t) < sizeof(kinds) / sizeof(kinds[0]) && kinds[btf_kind(t)]
				   ? kinds[btf_kind(t)] : "";
	if (!t)
		snprintf(buf, size, "-");
	else if (btf_is_datasec(t))
		snprintf(buf, size, "section %s", name ? name : "?");
	else if (name && *name)
		snprintf(buf, size, "%s%s", kind, name);
	else
		snprintf(buf, size, "%sanonymous", kind);
}

static void print_header(FILE *o, struct cli_session *s, const struct map_view *v, bool json,
			 bool first)
{
	char type[XBPF_OBJ_NAME_LEN + 8], pin[XBPF_PIN_PATH_LEN];
	type_name(s, v->info.type, type, sizeof(type));
	pin_of(s->rt, v->info.id, pin, sizeof(pin));
	if (json) {
		fprintf(o, "%s{\"name\": ", first ? "" : ", ");
		cli_json_string(o, v->info.name, SIZE_MAX);
		fprintf(o, ", \"id\": %" PRIu32 ", \"type\": ", v->info.id);
		cli_json_string(o, type, SIZE_MAX);
		if (*pin) {
			fputs(", \"pin\": ", o);
			cli_json_string(o, pin, SIZE_MAX);
		}
		fprintf(o, ", \"btf\": %s", v->btf ? "true" : "false");
		return;
	}
	fprintf(o, "map %s (%s), id %" PRIu32, v->info.name, type, v->info.id);
	if (*pin)
		fprintf(o, ", pinned at %s", pin);
	if (v->btf) {
		char key[96], value[96];
		type_text(v->btf, v->key_type, key, sizeof(key));
		type_text(v->btf, v->value_type, value, sizeof(value));
		fprintf(o, ", key %s, value %s\n", key, value);
	} else {
		fputs(", no BTF\n", o);
	}
}

/* Parses the map's BTF into *btf (freed by the caller), or leaves it NULL. */
static void view_of(struct xbpf_map *map, struct map_view *v, struct btf **btf)
{
	const void *raw;
	size_t size;
	*btf = NULL;
	v->btf = NULL;
	if (xbpf_map_btf(map, &raw, &size, &v->key_type, &v->value_type) == 0 &&
	    (v->key_type || v->value_type)) {
		*btf = btf__new(raw, (uint32_t)size);
		v->btf = *btf;
	}
	v->host_size = xbpf_map_host_value_size(map);
	v->n_cpus = 0;
	v->slot = v->info.value_size;
	if (cli_map_type_is_percpu(v->info.type) && v->info.value_size) {
		v->slot = (v->info.value_size + 7) / 8 * 8;
		v->n_cpus = v->host_size / v->slot;
	}
}

static int dump_map(FILE *o, struct cli_session *s, struct xbpf_map *map, bool json, bool first)
{
	struct map_view v;
	struct btf *btf;
	int rc = xbpf_map_get_info(map, &v.info);
	if (rc) {
		cli_error(CMD, "map %s: %s", xbpf_map_name(map), strerror(-rc));
		return rc;
	}
	view_of(map, &v, &btf);
	print_header(o, s, &v, json, first);
	if (!cli_map_type_has_keys(v.info.type) || v.info.key_size == 0) {
		/* Queues, stacks, ring buffers: reading would change them. */
		if (json)
			fputc('}', o);
		btf__free(btf);
		return 0;
	}
	uint8_t *key = malloc(v.info.key_size), *next = malloc(v.info.key_size);
	uint8_t *value = malloc(v.host_size ? v.host_size : 1);
	if (!key || !next || !value) {
		rc = -ENOMEM;
		goto out;
	}
	if (json)
		fputs(", \"entries\": [", o);
	bool have_key = false;
	size_t n = 0;
	while ((rc = xbpf_map_get_next_key(map, have_key ? key : NULL, next)) == 0) {
		memcpy(key, next, v.info.key_size);
		have_key = true;
		rc = xbpf_map_lookup_elem(map, key, value);
		if (rc == -ENOENT) /* empty slots of prog and map arrays */
			continue;
		/* Entries the host may not read (an XSKMAP's sockets, a provider
		 * that refuses): the key without a value, as bpftool, and on. */
		int err = rc;
		if (rc == -EOPNOTSUPP || rc == -EPERM)
			rc = 0;
		if (rc)
			break;
		const uint8_t *shown = err ? NULL : value;
		if (json) {
			print_json_entry(o, &v, key, shown, err, n == 0);
		} else if (v.btf) {
			fputs("  ", o);
			print_btf_entry(o, &v, key, shown, err);
			fputc('\n', o);
		} else {
			print_hex_entry(o, &v, key, shown, err);
		}
		n++;
	}
	if (rc == -ENOENT)
		rc = 0;
	if (json)
		fputs("]}", o);
out:
	if (rc)
		cli_error(CMD, "map %s: cannot read its elements: %s", v.info.name, strerror(-rc));
	free(key);
	free(next);
	free(value);
	btf__free(btf);
	return rc;
}

/* Every map: of the object, or of the runtime by id. */
static int dump_all(FILE *o, struct cli_session *s, bool json)
{
	int rc = 0;
	bool first = true;
	if (s->obj) {
		for (struct xbpf_map *m = xbpf_object_next_map(s->obj, NULL); m;
		     m = xbpf_object_next_map(s->obj, m), first = false)
			rc = dump_map(o, s, m, json, first) ? -1 : rc;
		return rc;
	}
	uint32_t id = 0;
	while (xbpf_map_get_next_id(s->rt, id, &id) == 0) {
		struct xbpf_map *m;
		if (xbpf_map_get_by_id(s->rt, id, &m))
			continue;
		rc = dump_map(o, s, m, json, first) ? -1 : rc;
		first = false;
		xbpf_map_put(m);
	}
	return rc;
}

static int dump(struct cli_session *s, const struct dump_args *a)
{
	for (size_t i = 0; i < a->n_sets; i++)
		if (cli_apply_set(s, a->sets[i]))
			return -1;
	for (size_t i = 0; i < a->n_runs; i++)
		if (run_program(s, a->runs[i]))
			return -1;
	struct xbpf_map *map = NULL;
	if (a->ref && !(map = find_map(s, a->ref)))
		return -1;
	/* JSON is printed whole or not at all. */
	char *buf = NULL;
	size_t len = 0;
	FILE *o = a->json ? open_memstream(&buf, &len) : stdout;
	if (!o) {
		xbpf_map_put(map);
		return -1;
	}
	if (a->json)
		fputs("{\"maps\": [", o);
	int rc = map ? dump_map(o, s, map, a->json, true) : dump_all(o, s, a->json);
	xbpf_map_put(map);
	if (a->json) {
		fputs("]}\n", o);
		if (fclose(o) && !rc)
			rc = -ENOMEM;
		if (!rc)
			fwrite(buf, 1, len, stdout);
		free(buf);
	}
	return rc;
}

int cli_map_dump(int argc, char **argv)
{
	static struct cli_session s;
	const char **lists = calloc(2 * (size_t)argc, sizeof(*lists));
	if (!lists) {
		cli_error(CMD, "out of memory");
		return CLI_EXIT_FAIL;
	}
	struct dump_args a = {.sets = lists, .runs = lists + argc};
	int status = parse_args(argc, argv, &a, &s);
	if (status < 0) {
		int rc = a.object ? cli_session_open(&s, CMD, a.object) : cli_session_open_empty(&s, CMD);
		status = CLI_EXIT_FAIL;
		if (!rc && dump(&s, &a) == 0 && fflush(stdout) == 0)
			status = CLI_EXIT_OK;
		cli_session_close(&s);
	}
	free(lists);
	return status;
}
