/* SPDX-License-Identifier: MIT */
/*
 * xbpf prog imports OBJ: per program of an object file, each named helper
 * (extern ... __ksym) it calls and the provider it binds to, or why it
 * does not: ambiguous, missing, weak and unbound, prototype mismatch. The
 * extensions to resolve against are loaded first (the shipped ones and
 * --ext); nothing of the object is loaded. The exit status says whether a load would succeed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xbpf/xbpf.h>

#include "cli.h"
#include "session.h"

#define CMD "prog imports"
#define MAX_BINDINGS 32

static void cmd_prog_imports_usage(FILE *out)
{
	fprintf(out,
		"Usage: xbpf prog imports OBJ [--ext PATH]... [--bind HELPER=PROVIDER]...\n"
		"\n"
		"Lists, per program of the ELF object OBJ, each named helper it calls\n"
		"(extern ... __ksym) and the provider it would bind to now, or why not:\n"
		"  bound to 'P'          binds to provider P; its prototype follows\n"
		"  weak, unbound         __weak and nobody exports it (bpf_ksym_exists is false)\n"
		"  missing               no provider offers it to the program's type\n"
		"  ambiguous             several providers export it; the candidates follow\n"
		"  prototype mismatch    the extern differs from the provider's prototype\n"
		"Nothing is loaded. Exit status 0 when every program would load, 1 when one\n"
		"would not.\n"
		"\n"
		"Options:\n"
		CLI_SESSION_OPTIONS_HELP
		"  --bind HELPER=PROVIDER    bind HELPER to PROVIDER, as the load option\n"
		"                            bindings do; repeatable\n"
		"  -h, --help                show this help\n");
}

static const char *status_text(enum xbpf_import_status s)
{
	switch (s) {
	case XBPF_IMPORT_STATUS_BOUND: return "bound";
	case XBPF_IMPORT_STATUS_WEAK_UNBOUND: return "weak, unbound";
	case XBPF_IMPORT_STATUS_MISSING: return "missing";
	case XBPF_IMPORT_STATUS_AMBIGUOUS: return "ambiguous";
	case XBPF_IMPORT_STATUS_MISMATCH: return "prototype mismatch";
	case XBPF_IMPORT_STATUS_DETACHED: return "detached";
	}
	return "?";
}

struct listing {
	char program[XBPF_OBJ_NAME_LEN + 64];
	size_t shown;
	bool would_fail;
};

static int show(void *user, const struct xbpf_import_info *info)
{
	struct listing *l = user;
	if (strcmp(l->program, info->program) != 0) {
		snprintf(l->program, sizeof(l->program), "%s", info->program);
		printf("%s:\n", info->program);
	}
	if (info->status == XBPF_IMPORT_STATUS_BOUND)
		printf("  %s: bound to '%s': %s\n", info->name, info->provider, info->detail);
	else
		printf("  %s: %s: %s\n", info->name, status_text(info->status), info->detail);
	l->would_fail |= info->status != XBPF_IMPORT_STATUS_BOUND &&
			 info->status != XBPF_IMPORT_STATUS_WEAK_UNBOUND;
	l->shown++;
	return 0;
}

static int cmd_prog_imports(int argc, char **argv)
{
	const char *obj_path = NULL;
	struct xbpf_helper_binding bindings[MAX_BINDINGS];
	size_t n_bindings = 0;
	struct cli_session s = {.cmd = CMD};

	for (int i = 1; i < argc; i++) {
		int taken = cli_session_option(&s, argc, argv, &i);
		if (taken < 0)
			return -taken;
		if (taken)
			continue;
		if (cli_is_help(argv[i])) {
			cmd_prog_imports_usage(stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(argv[i], "--bind") == 0) {
			if (++i == argc)
				return cli_usage_error(CMD, "--bind needs HELPER=PROVIDER");
			char *eq = strchr(argv[i], '=');
			if (!eq || eq == argv[i] || !eq[1])
				return cli_usage_error(CMD, "--bind '%s': expected HELPER=PROVIDER", argv[i]);
			if (n_bindings == MAX_BINDINGS)
				return cli_usage_error(CMD, "at most %d --bind", MAX_BINDINGS);
			*eq = '\0';
			bindings[n_bindings++] = (struct xbpf_helper_binding){argv[i], eq + 1};
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
		} else if (obj_path) {
			return cli_usage_error(CMD, "one object at a time ('%s' and '%s')", obj_path, argv[i]);
		} else {
			obj_path = argv[i];
		}
	}
	if (!obj_path)
		return cli_usage_error(CMD, "which object? (xbpf prog imports OBJ)");

	int status = CLI_EXIT_FAIL;
	if (cli_session_open_unloaded(&s, CMD, obj_path))
		goto out;
	struct xbpf_program_load_opts opts = {.sz = sizeof(opts), .bindings = bindings,
					      .n_bindings = n_bindings};
	struct listing l = {.program = ""};
	int err = xbpf_object_imports(s.obj, &opts, show, &l);
	if (err) {
		cli_error(CMD, "cannot list the imports of '%s': %s", obj_path, strerror(-err));
		goto out;
	}
	if (!l.shown)
		printf("no program of %s calls a named helper\n", obj_path);
	status = l.would_fail ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	cli_session_close(&s);
	return status;
}

const struct cli_command cli_prog_imports = {
	.name = "imports",
	.summary = "named helpers of an object's programs and what they bind to",
	.run = cmd_prog_imports,
	.usage = cmd_prog_imports_usage,
};
