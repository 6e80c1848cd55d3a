/* SPDX-License-Identifier: MIT */
/* Runtime, extensions and object of a subcommand (see session.h). */
#include "session.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Shipped with xbpf and loaded by every session: program types real objects
 * need (the "xdp" section prefix lives in the xdp extension). */
static const char *const shipped_extensions[] = {"xdp"};

int cli_session_option(struct cli_session *s, int argc, char **argv, int *i)
{
	if (strcmp(argv[*i], "--ext") != 0)
		return 0;
	if (*i + 1 == argc)
		return -cli_usage_error(s->cmd, "--ext needs a path to an extension");
	if (s->n_ext_paths == CLI_SESSION_MAX_EXT)
		return -cli_usage_error(s->cmd, "more than %d --ext options", CLI_SESSION_MAX_EXT);
	s->ext_paths[s->n_ext_paths++] = argv[++*i];
	return 1;
}

int cli_session_arg(struct cli_session *s, int argc, char **argv, int *i,
		    const char *const *with_value)
{
	int taken = cli_session_option(s, argc, argv, i);
	if (taken)
		return taken;
	for (; with_value && *with_value; with_value++)
		if (strcmp(argv[*i], *with_value) == 0 && *i + 1 == argc)
			return -cli_usage_error(s->cmd, "%s needs a value", argv[*i]);
	return 0;
}

/* The log buffer ends with a newline; messages are one line each. */
static void report_log(struct cli_session *s)
{
	size_t len = s->log.len;
	while (len && s->log_text[len - 1] == '\n')
		len--;
	if (len)
		fprintf(stderr, "%.*s\n", (int)len, s->log_text);
}

static void clear_log(struct cli_session *s)
{
	s->log = (struct xbpf_log_buf){.buf = s->log_text, .size = sizeof(s->log_text)};
	s->log_text[0] = '\0';
}

static int load_extension(struct cli_session *s, const char *name)
{
	/* A path that is not there: say so, not what dlopen makes of it. */
	if (strchr(name, '/') && access(name, R_OK) != 0) {
		cli_error(s->cmd, "--ext %s: %s", name, strerror(errno));
		return -errno;
	}
	int rc = xbpf_extension_load(s->rt, name, &s->exts[s->n_exts]);
	if (rc) {
		cli_error(s->cmd, "cannot load extension '%s': %s", name, strerror(-rc));
		return rc;
	}
	s->n_exts++;
	return 0;
}

int cli_session_open_empty(struct cli_session *s, const char *cmd)
{
	s->cmd = cmd;
	clear_log(s);
	int rc = xbpf_runtime_create(&s->rt);
	if (rc) {
		cli_error(cmd, "cannot create a runtime: %s", strerror(-rc));
		return rc;
	}
	/* Errors reach the user through the log buffers, in order. */
	xbpf_runtime_set_log(s->rt, NULL, NULL, XBPF_LOG_ERROR);
	for (size_t i = 0; i < sizeof(shipped_extensions) / sizeof(shipped_extensions[0]); i++) {
		rc = load_extension(s, shipped_extensions[i]);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < s->n_ext_paths; i++) {
		rc = load_extension(s, s->ext_paths[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int cli_session_open_unloaded(struct cli_session *s, const char *cmd, const char *path)
{
	s->cmd = cmd;
	clear_log(s);
	FILE *f = fopen(path, "rb");
	if (!f) {
		int rc = -errno;
		cli_error(cmd, "%s: %s", path, strerror(errno));
		return rc;
	}
	fclose(f);
	int rc = cli_session_open_empty(s, cmd);
	if (rc)
		return rc;
	struct xbpf_object_open_opts open_opts = {.sz = sizeof(open_opts), .log = &s->log};
	rc = xbpf_object_open_file(s->rt, path, &open_opts, &s->obj);
	if (rc) {
		report_log(s);
		cli_error(cmd, "%s: cannot open the object: %s", path, strerror(-rc));
		return rc;
	}
	clear_log(s);
	return 0;
}

int cli_session_open(struct cli_session *s, const char *cmd, const char *path)
{
	int rc = cli_session_open_unloaded(s, cmd, path);
	if (rc)
		return rc;
	struct xbpf_program_load_opts load_opts = {
		.sz = sizeof(load_opts), .engine = s->engine, .log = &s->log};
	rc = xbpf_object_load(s->obj, &load_opts);
	if (rc) {
		report_log(s);
		cli_error(cmd, "%s: cannot load the object: %s", path, strerror(-rc));
		return rc;
	}
	clear_log(s);
	return 0;
}

/* Parses "OBJ [--ext PATH]..." for cmd; -1 when fine, else the exit status. */
int cli_parse_object_args(const char *cmd, int argc, char **argv, struct cli_session *s,
			  const char **object)
{
	s->cmd = cmd;
	*object = NULL;
	for (int i = 1; i < argc; i++) {
		int taken = cli_session_option(s, argc, argv, &i);
		if (taken < 0)
			return -taken;
		if (taken)
			continue;
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
		if (*object)
			return cli_usage_error(cmd, "more than one object file");
		*object = argv[i];
	}
	if (!*object)
		return cli_usage_error(cmd, "no object file");
	return -1;
}

void cli_session_close(struct cli_session *s)
{
	if (s->obj)
		xbpf_object_close(s->obj);
	s->obj = NULL;
	while (s->n_exts)
		xbpf_extension_unload(s->exts[--s->n_exts]);
	if (s->rt)
		xbpf_runtime_free(s->rt);
	s->rt = NULL;
}

static const struct {
	unsigned type;
	const char *name;
	bool keyless;
} map_types[] = {
	{XBPF_MAP_TYPE_UNSPEC, "unspec", false},
	{XBPF_MAP_TYPE_HASH, "hash", false},
	{XBPF_MAP_TYPE_ARRAY, "array", false},
	{XBPF_MAP_TYPE_PROG_ARRAY, "prog_array", false},
	{XBPF_MAP_TYPE_PERCPU_HASH, "percpu_hash", false},
	{XBPF_MAP_TYPE_PERCPU_ARRAY, "percpu_array", false},
	{XBPF_MAP_TYPE_LRU_HASH, "lru_hash", false},
	{XBPF_MAP_TYPE_LRU_PERCPU_HASH, "lru_percpu_hash", false},
	{XBPF_MAP_TYPE_LPM_TRIE, "lpm_trie", false},
	{XBPF_MAP_TYPE_ARRAY_OF_MAPS, "array_of_maps", false},
	{XBPF_MAP_TYPE_HASH_OF_MAPS, "hash_of_maps", false},
	{XBPF_MAP_TYPE_DEVMAP, "devmap", false},
	{XBPF_MAP_TYPE_XSKMAP, "xskmap", false},
	{XBPF_MAP_TYPE_QUEUE, "queue", true},
	{XBPF_MAP_TYPE_STACK, "stack", true},
	{XBPF_MAP_TYPE_RINGBUF, "ringbuf", true},
	{XBPF_MAP_TYPE_BLOOM_FILTER, "bloom_filter", true},
};

const char *cli_map_type_name(unsigned type)
{
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (map_types[i].type == type)
			return map_types[i].name;
	return NULL;
}

bool cli_map_type_has_keys(unsigned type)
{
	for (size_t i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
		if (map_types[i].type == type)
			return !map_types[i].keyless;
	return true;
}

bool cli_map_type_is_percpu(unsigned type)
{
	return type == XBPF_MAP_TYPE_PERCPU_HASH || type == XBPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == XBPF_MAP_TYPE_LRU_PERCPU_HASH;
}
