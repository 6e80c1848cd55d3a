/* SPDX-License-Identifier: MIT */
/* xbpf map: subcommands about maps (map list, map dump). */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "cmd_map.h"
#include "session.h"

static void list_usage(FILE *out)
{
	fprintf(out, "Usage: xbpf map list OBJ [--ext PATH]...\n"
		     "\n"
		     "Loads the ELF object OBJ and prints one line per map, global data maps\n"
		     "(.data, .rodata, .bss) included: its name, type (Linux's name:\n"
		     "hash, array, percpu_array, lpm_trie...), key and value sizes in bytes,\n"
		     "max_entries and map_flags.\n"
		     "\n"
		     "Options:\n" CLI_SESSION_OPTIONS_HELP
		     "  -h, --help      show this help\n");
}

static int list_run(int argc, char **argv)
{
	static struct cli_session s;
	const char *object;
	int status = cli_parse_object_args("map list", argc, argv, &s, &object);
	if (status >= 0)
		return status;
	status = CLI_EXIT_FAIL;
	if (cli_session_open(&s, "map list", object) == 0) {
		status = CLI_EXIT_OK;
		printf("%-24s %-16s %8s %8s %11s %s\n", "NAME", "TYPE", "KEY", "VALUE",
		       "MAX_ENTRIES", "FLAGS");
		for (struct xbpf_map *m = xbpf_object_next_map(s.obj, NULL); m;
		     m = xbpf_object_next_map(s.obj, m)) {
			struct xbpf_map_info info;
			if (xbpf_map_get_info(m, &info)) {
				cli_error("map list", "map %s: no information", xbpf_map_name(m));
				status = CLI_EXIT_FAIL;
				continue;
			}
			const char *type = cli_map_type_name(info.type);
			char type_buf[32];
			if (!type) {
				snprintf(type_buf, sizeof(type_buf), "type_%u", info.type);
				type = type_buf;
			}
			printf("%-24s %-16s %8u %8u %11u 0x%x\n", info.name, type, info.key_size,
			       info.value_size, info.max_entries, info.map_flags);
		}
		if (fflush(stdout) != 0)
			status = CLI_EXIT_FAIL;
	}
	cli_session_close(&s);
	return status;
}

static const struct cli_command cli_map_list = {
	.name = "list",
	.summary = "list the maps of an ELF object",
	.run = list_run,
	.usage = list_usage,
};

static const struct cli_command cli_map_dump_cmd = {
	.name = "dump",
	.summary = "print the entries of maps, through their BTF",
	.run = cli_map_dump,
	.usage = cli_map_dump_usage,
};

static const struct cli_command *const subcommands[] = {
	&cli_map_list,
	&cli_map_dump_cmd,
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	cli_subcommand_usage(out, "map", "Inspects maps: those of an ELF object, and those extensions publish.", subcommands,
			     N_SUBCOMMANDS);
}

static int run(int argc, char **argv)
{
	return cli_run_subcommand("map", subcommands, N_SUBCOMMANDS, argc, argv);
}

const struct cli_command cli_cmd_map = {
	.name = "map",
	.summary = "inspect maps (map list, map dump)",
	.run = run,
	.usage = usage,
};
