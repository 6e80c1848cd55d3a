/* SPDX-License-Identifier: MIT */
/*
 * xbpf ext list: the extensions found in the search path, each with what it
 * registers (one line per provider), as loading it shows. xbpf ext info is
 * in cmd_ext_info.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_ext.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xbpf ext list\n"
		"       xbpf ext info NAME|PATH\n"
		"\n"
		"Extensions add program types, hooks (attach types), named helpers and map\n"
		"types to xbpf. They are shared objects, found by NAME in the search path:\n"
		"the folders of $XBPF_EXTENSION_PATH (colon-separated), then 'extensions'\n"
		"next to the xbpf program and ../lib/xbpf/extensions, then the build tree.\n"
		"\n"
		"  list       loads each extension of the search path (the first NAME.so of\n"
		"             each name) and prints one line per thing it registers\n"
		"  info NAME  loads one extension, by name or path, and describes what it\n"
		"             registers: program types with their section prefixes, context\n"
		"             layout and helpers (as C prototypes, with ids), the attach\n"
		"             types of hooks, and named helpers as C declarations with\n"
		"             their provider\n"
		"\n"
		"Options:\n"
		"  -h, --help  show this help\n");
}

/* ---- the search path ------------------------------------------------------ */

struct found {
	char *name; /* file name without ".so": what --ext NAME loads */
	char *path;
};

struct scan {
	struct found *items;
	size_t n, cap;
	int err;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->name, ((const struct found *)b)->name);
}

static bool seen(const struct scan *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i].name, name) == 0)
			return true;
	return false;
}

static int add_found(struct scan *s, const char *dir, const char *file)
{
	size_t len = strlen(file);
	if (len <= 3 || strcmp(file + len - 3, ".so") != 0)
		return 0;
	char *name = strndup(file, len - 3);
	if (!name)
		return -ENOMEM;
	/* A name found in an earlier folder shadows this one, as for loading. */
	if (seen(s, name)) {
		free(name);
		return 0;
	}
	char *path = malloc(strlen(dir) + len + 2);
	if (!path || (s->n == s->cap && !(s->items = reallocarray(s->items, s->cap = s->cap * 2 + 8,
								    sizeof(*s->items))))) {
		free(name);
		free(path);
		return -ENOMEM;
	}
	sprintf(path, "%s/%s", dir, file);
	s->items[s->n++] = (struct found){name, path};
	return 0;
}

static int scan_dir(void *user, const char *dir)
{
	struct scan *s = user;
	DIR *d = opendir(dir);
	if (!d)
		return 0; /* a folder of the path that does not exist holds nothing */
	size_t first = s->n;
	struct dirent *e;
	while (!s->err && (e = readdir(d)))
		s->err = add_found(s, dir, e->d_name);
	closedir(d);
	if (s->n > first)
		qsort(s->items + first, s->n - first, sizeof(*s->items), by_name);
	return s->err;
}

static void free_scan(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].name);
		free(s->items[i].path);
	}
	free(s->items);
}

/* ---- list ----------------------------------------------------------------- */

static int print_provider_line(void *user, const struct xbpf_provider_info *info)
{
	char line[1024];
	ext_provider_summary(info, line, sizeof(line));
	printf("  %s\n", line);
	return 0;
}

/* Loads one extension and prints it; false when it cannot be loaded. */
static bool list_one(struct xbpf_runtime *rt, const struct found *f)
{
	struct xbpf_extension *ext;
	if (xbpf_extension_load(rt, f->path, &ext)) {
		printf("%s  %s\n  (cannot be loaded: see the error above)\n", f->name, f->path);
		return false;
	}
	const char *name = xbpf_extension_name(ext);
	struct xbpf_extension_info info;
	const char *description = xbpf_extension_get_info(rt, 0, &info) == 0 ? info.description : "";
	if (strcmp(name, f->name) == 0)
		printf("%s  %s\n", f->name, f->path);
	else
		printf("%s  %s (it calls itself '%s')\n", f->name, f->path, name);
	if (*description)
		printf("  %s\n", description);
	xbpf_provider_foreach(rt, ext, print_provider_line, NULL);
	xbpf_extension_unload(ext);
	return true;
}

static int run_list(int argc, char **argv)
{
	if (argc > 1)
		return cli_usage_error("ext", "list: unexpected argument '%s'", argv[1]);
	struct scan s = {0};
	char dirs[4096];
	cli_ext_search_path(dirs, sizeof(dirs));
	if (xbpf_extension_dir_foreach(scan_dir, &s) || s.err) {
		cli_error("ext", "list: out of memory");
		free_scan(&s);
		return CLI_EXIT_FAIL;
	}
	if (s.n == 0) {
		printf("No extensions in the search path %s\n", dirs);
		free_scan(&s);
		return CLI_EXIT_OK;
	}
	struct xbpf_runtime *rt = cli_ext_runtime("ext");
	if (!rt) {
		free_scan(&s);
		return CLI_EXIT_FAIL;
	}
	bool ok = true;
	for (size_t i = 0; i < s.n; i++) {
		if (i)
			putchar('\n');
		/* Each alone: two builds of one extension cannot be loaded together. */
		ok = list_one(rt, &s.items[i]) && ok;
		fflush(stdout);
	}
	printf("\nSearch path: %s\n", dirs);
	xbpf_runtime_free(rt);
	free_scan(&s);
	return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

static int run(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("ext", "which subcommand? (list, info)");
	if (strcmp(argv[1], "list") == 0)
		return run_list(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") == 0)
		return ext_info(argc - 1, argv + 1);
	return cli_usage_error("ext", "unknown subcommand '%s' (list, info)", argv[1]);
}

const struct cli_command cli_cmd_ext = {
	.name = "ext",
	.summary = "list the extensions, or describe what one provides",
	.run = run,
	.usage = usage,
};
