/* SPDX-License-Identifier: MIT */
/* Subcommands of `xbpf map` in files of their own. */
#ifndef XBPF_TOOLS_CMD_MAP_H
#define XBPF_TOOLS_CMD_MAP_H

#include <stdio.h>

/* xbpf map dump (cmd_map_dump.c). */
int cli_map_dump(int argc, char **argv);
void cli_map_dump_usage(FILE *out);

#endif /* XBPF_TOOLS_CMD_MAP_H */
