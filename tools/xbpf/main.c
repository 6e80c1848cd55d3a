/* SPDX-License-Identifier: MIT */
/*
 * xbpf: the command-line tool. main() finds the subcommand and hands it
 * the rest of the command line; each subcommand lives in its own cmd_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command *const commands[] = {
	&cli_cmd_asm,
	&cli_cmd_disasm,
	&cli_cmd_exec,
	&cli_cmd_prog_imports, /* temporary: becomes `xbpf prog imports` */
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "Usage: xbpf COMMAND [ARGS...]\n"
		     "       xbpf COMMAND --help\n"
		     "\n"
		     "Runs and inspects eBPF programs in user space.\n"
		     "\n"
		     "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\nOptions:\n"
		     "  -h, --help     show this help\n"
		     "  --version      show the version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("xbpf %s\n", XBPF_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i]->name) != 0)
			continue;
		for (int a = 2; a < argc; a++) {
			if (strcmp(argv[a], "--") == 0)
				break;
			if (cli_is_help(argv[a])) {
				commands[i]->usage(stdout);
				return CLI_EXIT_OK;
			}
		}
		return commands[i]->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "xbpf: unknown command '%s'\nTry 'xbpf --help'.\n", argv[1]);
	return CLI_EXIT_USAGE;
}
