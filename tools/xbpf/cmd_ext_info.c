/* SPDX-License-Identifier: MIT */
/*
 * xbpf ext info NAME|PATH: loads one extension and describes what it
 * registers, for program authors: section prefixes, the context layout,
 * helpers as C prototypes, attach types, named helpers as C declarations
 * with their provider. Also the one-line summaries of `xbpf ext list`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <xbpf/extension.h>

#include "cmd_ext.h"

/* Appends to a line, cutting at its end. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	if (*len >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

static void join_names(char *buf, size_t size, size_t *len, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		append(buf, size, len, "%s%s", i ? ", " : "", names[i]);
}

static void visibility(char *buf, size_t size, size_t *len, const struct xbpf_provider_info *info)
{
	if (!info->program_types) {
		append(buf, size, len, "every program type");
		return;
	}
	join_names(buf, size, len, info->program_types, info->n_program_types);
	append(buf, size, len, " programs");
}

void ext_provider_summary(const struct xbpf_provider_info *info, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	switch (info->type) {
	case XBPF_PROVIDES_PROGRAM_TYPE:
		append(buf, size, &len, "program type   %-14s sections ", info->name);
		join_names(buf, size, &len, info->section_prefixes, info->n_section_prefixes);
		append(buf, size, &len, "; %zu helper%s", info->n_helpers, info->n_helpers == 1 ? "" : "s");
		break;
	case XBPF_PROVIDES_HOOK:
		append(buf, size, &len, "attach type    %-14s runs %s programs", info->name,
		       info->program_type);
		break;
	case XBPF_PROVIDES_HELPERS:
		append(buf, size, &len, "named helpers  %-14s ", info->name);
		for (size_t i = 0; i < info->n_helpers; i++)
			append(buf, size, &len, "%s%s", i ? ", " : "", info->helpers[i].name);
		append(buf, size, &len, "; for ");
		visibility(buf, size, &len, info);
		break;
	case XBPF_PROVIDES_MAP_TYPE:
		ext_map_type_summary(info, buf, size);
		break;
	default:
		append(buf, size, &len, "map type       %s", info->name);
		break;
	}
}

/* ---- info ----------------------------------------------------------------- */

/* Attach types seen in a first pass, to list under their program type. */
struct hooks {
	char **names, **types;
	size_t n, cap;
	bool nomem;
};

static int collect_hook(void *user, const struct xbpf_provider_info *info)
{
	struct hooks *h = user;
	if (info->type != XBPF_PROVIDES_HOOK)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap * 2 + 4;
		char **names = reallocarray(h->names, cap, sizeof(*names));
		if (names)
			h->names = names;
		char **types = names ? reallocarray(h->types, cap, sizeof(*types)) : NULL;
		if (types)
			h->types = types;
		if (!names || !types) {
			h->nomem = true;
			return -ENOMEM;
		}
		h->cap = cap;
	}
	h->names[h->n] = strdup(info->name);
	h->types[h->n] = strdup(info->program_type);
	h->n++;
	if (!h->names[h->n - 1] || !h->types[h->n - 1]) {
		h->nomem = true;
		return -ENOMEM;
	}
	return 0;
}

static void free_hooks(struct hooks *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->names[i]);
		free(h->types[i]);
	}
	free(h->names);
	free(h->types);
}

static void print_helper(const struct xbpf_helper_info *h, bool named)
{
	char flags[64] = "";
	if (h->flags & XBPF_HELPER_GPL_ONLY)
		strcat(flags, ", GPL only");
	if (h->flags & XBPF_HELPER_CHANGES_PACKET)
		strcat(flags, ", changes the packet");
	if (named)
		printf("    extern %s __ksym;%s%s%s\n", h->prototype, flags[0] ? " /* " : "",
		       flags[0] ? flags + 2 : "", flags[0] ? " */" : "");
	else
		printf("    [%u] %s%s%s%s\n", h->id, h->prototype, flags[0] ? "  /* " : "",
		       flags[0] ? flags + 2 : "", flags[0] ? " */" : "");
}

static void print_context(const struct xbpf_provider_info *info)
{
	printf("  context: %u bytes as programs see it, %u inside\n", info->ctx_size,
	       info->ctx_internal_size);
	if (info->ctx_data_offset >= 0)
		printf("    packet: programs may read [%s, data_end)\n",
		       info->ctx_data_meta_offset >= 0 ? "data_meta" : "data");
	if (info->n_ctx_fields)
		printf("    converted fields (offset+size as programs read them -> inside):\n");
	for (size_t i = 0; i < info->n_ctx_fields; i++) {
		const struct xbpf_ctx_field_info *f = &info->ctx_fields[i];
		const char *what = "";
		if ((int64_t)f->internal_offset == info->ctx_data_offset)
			what = "  (data)";
		else if ((int64_t)f->internal_offset == info->ctx_data_end_offset)
			what = "  (data_end)";
		else if ((int64_t)f->internal_offset == info->ctx_data_meta_offset)
			what = "  (data_meta)";
		printf("      %u+%u -> %u+%u%s\n", f->offset, f->size, f->internal_offset,
		       f->internal_size, what);
	}
	printf("    writable:");
	for (size_t i = 0; i < info->n_ctx_writable; i++)
		printf("%s %u+%u", i ? "," : "", info->ctx_writable[i].offset,
		       info->ctx_writable[i].size);
	printf("%s\n", info->n_ctx_writable ? "" : " nothing");
}

static int print_provider(void *user, const struct xbpf_provider_info *info)
{
	const struct hooks *hooks = user;
	char line[1024];
	size_t len = 0;

	putchar('\n');
	switch (info->type) {
	case XBPF_PROVIDES_PROGRAM_TYPE:
		printf("program type %s", info->name);
		if (info->linux_prog_type)
			printf(" (Linux program type %u)", info->linux_prog_type);
		join_names(line, sizeof(line), &len, info->section_prefixes, info->n_section_prefixes);
		printf("\n  section prefixes: %s\n", line);
		print_context(info);
		if (!info->core_helpers) {
			printf("  core helpers: all\n");
		} else {
			printf("  core helpers (Linux ids):");
			for (size_t i = 0; i < info->n_core_helpers; i++)
				printf("%s %u", i ? "," : "", info->core_helpers[i]);
			printf("%s\n", info->n_core_helpers ? "" : " none");
		}
		printf("  helpers:%s\n", info->n_helpers ? "" : " none of its own");
		for (size_t i = 0; i < info->n_helpers; i++)
			print_helper(&info->helpers[i], false);
		printf("  attach types:");
		size_t n = 0;
		for (size_t i = 0; i < hooks->n; i++)
			if (strcmp(hooks->types[i], info->name) == 0)
				printf("%s %s", n++ ? "," : "", hooks->names[i]);
		printf("%s\n", n ? "" : " none");
		break;
	case XBPF_PROVIDES_HOOK:
		printf("attach type %s\n  runs %s programs (xbpf attach OBJ --hook %s)\n", info->name,
		       info->program_type, info->name);
		break;
	case XBPF_PROVIDES_HELPERS:
		visibility(line, sizeof(line), &len, info);
		printf("named helpers of provider %s, for %s\n", info->name, line);
		for (size_t i = 0; i < info->n_helpers; i++)
			print_helper(&info->helpers[i], true);
		printf("  (qualify with __attribute__((btf_decl_tag(\"xbpf:provider=%s\"))) where "
		       "another provider has the same name)\n", info->name);
		break;
	case XBPF_PROVIDES_MAP_TYPE:
		ext_map_type_print(info);
		break;
	default:
		printf("map type %s\n", info->name);
		break;
	}
	return 0;
}

int ext_info(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("ext", "info: which extension? (a NAME from 'xbpf ext list', "
					      "or a PATH)");
	if (argc > 2)
		return cli_usage_error("ext", "info: unexpected argument '%s'", argv[2]);
	struct xbpf_runtime *rt = cli_ext_runtime("ext");
	if (!rt)
		return CLI_EXIT_FAIL;
	struct xbpf_extension *ext;
	if (cli_ext_load(rt, "ext", argv[1], &ext)) {
		xbpf_runtime_free(rt);
		return CLI_EXIT_FAIL;
	}
	struct xbpf_extension_info info;
	if (xbpf_extension_get_info(rt, 0, &info) == 0) {
		printf("extension %s  %s\n", info.name, info.path);
		if (info.description[0])
			printf("  %s\n", info.description);
	}
	struct hooks hooks = {0};
	int err = xbpf_provider_foreach(rt, ext, collect_hook, &hooks);
	if (!err)
		err = xbpf_provider_foreach(rt, ext, print_provider, &hooks);
	free_hooks(&hooks);
	xbpf_extension_unload(ext);
	xbpf_runtime_free(rt);
	if (err) {
		cli_error("ext", "info: %s", strerror(-err));
		return CLI_EXIT_FAIL;
	}
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
