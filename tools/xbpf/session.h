/* SPDX-License-Identifier: MIT */
/*
 * What every subcommand that loads an ELF object shares: a runtime whose
 * log goes to standard error, the shipped extensions plus those named with
 * --ext, and the object opened and loaded through the public API. One place,
 * so that --ext means the same to every command.
 */
#ifndef XBPF_TOOLS_SESSION_H
#define XBPF_TOOLS_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include <xbpf/xbpf.h>

#define CLI_SESSION_MAX_EXT 16

struct cli_session {
	const char *cmd; /* for messages: "run" */
	struct xbpf_runtime *rt;
	struct xbpf_extension *exts[CLI_SESSION_MAX_EXT + 1];
	size_t n_exts;
	struct xbpf_object *obj;
	const char *ext_paths[CLI_SESSION_MAX_EXT];
	size_t n_ext_paths;
	enum xbpf_engine engine;
	char log_text[16384];
	struct xbpf_log_buf log;
};

/* The help text of the options cli_session_option takes. */
#define CLI_SESSION_OPTIONS_HELP \
	"  --ext PATH      load the extension at PATH too (repeatable); the shipped\n" \
	"                  extensions (xdp) are always loaded\n"

/*
 * If argv[*i] is an option of the session (--ext PATH), takes it (and its
 * value, advancing *i) and returns 1; returns 0 for other arguments, or
 * CLI_EXIT_USAGE as a negative number after reporting a bad one.
 */
int cli_session_option(struct cli_session *s, int argc, char **argv, int *i);

/*
 * The first step of a command's option loop, for argv[*i]: takes the
 * session's options (cli_session_option) and checks that an option named in
 * with_value (NULL-terminated; NULL for none) has a value after it
 * ("xbpf: CMD: --set needs a value", CMD from s->cmd). Returns 1 when it
 * took the argument, 0 when the command handles argv[*i] itself (its value,
 * if with_value names it, is argv[*i + 1]), or the exit status as a
 * negative number after reporting a bad command line.
 */
int cli_session_arg(struct cli_session *s, int argc, char **argv, int *i,
		    const char *const *with_value);

/* Creates the runtime, loads the extensions, opens and loads path. Reports
 * any error itself. 0 or a negative errno. */
int cli_session_open(struct cli_session *s, const char *cmd, const char *path);
/* Only the runtime and the extensions, no object (s->obj stays NULL). */
int cli_session_open_empty(struct cli_session *s, const char *cmd);
/* The same without loading the object (s->obj is opened only). */
int cli_session_open_unloaded(struct cli_session *s, const char *cmd, const char *path);

void cli_session_close(struct cli_session *s);

/* Parses "OBJ [--ext PATH]..." for cmd ("prog list"): -1 when fine, else
 * the exit status (after reporting the error). */
int cli_parse_object_args(const char *cmd, int argc, char **argv, struct cli_session *s,
			  const char **object);

/* Linux's (bpftool's) name of a map type ("percpu_array"), or NULL. */
const char *cli_map_type_name(unsigned type);

/* Does a map of this type have keys that get_next_key walks? */
bool cli_map_type_has_keys(unsigned type);

bool cli_map_type_is_percpu(unsigned type);

/* One `--set MAP:KEY=VALUE` (hex key and value) into a map of s->obj; per-CPU
 * maps get VALUE in every CPU's slot. Reports errors as s->cmd. 0 or a
 * negative errno. (cmd_run.c, shared by run and map dump.) */
int cli_apply_set(struct cli_session *s, const char *set);

#endif /* XBPF_TOOLS_SESSION_H */
