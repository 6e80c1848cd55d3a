/* SPDX-License-Identifier: MIT */
/*
 * What `xbpf ext` and `xbpf attach` share: a runtime whose log reads as the
 * tool's own errors, the extension search path as one line, and loading an
 * extension by name or path with an error that says where it was looked for.
 */
#ifndef XBPF_TOOLS_CMD_EXT_H
#define XBPF_TOOLS_CMD_EXT_H

#include <stddef.h>

#include <xbpf/xbpf.h>

#include "cli.h"

extern const struct cli_command cli_cmd_ext;
extern const struct cli_command cli_cmd_attach;

/* A runtime whose errors and warnings go to stderr as "xbpf: CMD: ...";
 * NULL (reported) when it cannot be created. */
struct xbpf_runtime *cli_ext_runtime(const char *cmd);

/* How many errors the runtimes of cli_ext_runtime have logged: a command
 * that failed says why itself only when the runtime did not. */
unsigned cli_ext_errors_logged(void);

/* The folders searched for extensions by name, joined by ':'. */
void cli_ext_search_path(char *buf, size_t size);

/* Is arg a path to a shared object rather than an extension's name? */
bool cli_ext_is_path(const char *arg);

/* Loads an extension by name (from the search path) or path; reports any
 * error as cmd. Returns 0 or a negative errno. */
int cli_ext_load(struct xbpf_runtime *rt, const char *cmd, const char *name_or_path,
		 struct xbpf_extension **out);

/* One line saying what a provider is ("hook  xdp/pcap  runs xdp programs"). */
void ext_provider_summary(const struct xbpf_provider_info *info, char *buf, size_t size);

/* Map types (cmd_ext_maps.c): the summary line, and the description of
 * `xbpf ext info`. */
void ext_map_type_summary(const struct xbpf_provider_info *info, char *buf, size_t size);
void ext_map_type_print(const struct xbpf_provider_info *info);

/* xbpf ext info (argv[0] is "info"). */
int ext_info(int argc, char **argv);

#endif /* XBPF_TOOLS_CMD_EXT_H */
