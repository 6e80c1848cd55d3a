/* SPDX-License-Identifier: MIT */
/*
 * xbpf prog: subcommands about the programs of an ELF object. Each
 * subcommand is a struct cli_command of its own; adding one is one line in
 * the table below (and its declaration).
 */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "session.h"

static void list_usage(FILE *out)
{
	fprintf(out, "Usage: xbpf prog list OBJ [--ext PATH]...\n"
		     "\n"
		     "Loads the ELF object OBJ and prints one line per program: its name,\n"
		     "section, program type and number of instruction slots.\n"
		     "\n"
		     "Options:\n" CLI_SESSION_OPTIONS_HELP
		     "  -h, --help      show this help\n");
}

static int list_run(int argc, char **argv)
{
	static struct cli_session s;
	const char *object;
	int status = cli_parse_object_args("prog list", argc, argv, &s, &object);
	if (status >= 0)
		return status;
	status = CLI_EXIT_FAIL;
	if (cli_session_open(&s, "prog list", object) == 0) {
		printf("%-24s %-24s %-12s %s\n", "NAME", "SECTION", "TYPE", "INSNS");
		for (struct xbpf_program *p = xbpf_object_next_program(s.obj, NULL); p;
		     p = xbpf_object_next_program(s.obj, p)) {
			size_t count = 0;
			xbpf_program_insns(p, &count);
			printf("%-24s %-24s %-12s %zu\n", xbpf_program_name(p),
			       xbpf_program_section(p), xbpf_program_type(p), count);
		}
		status = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	}
	cli_session_close(&s);
	return status;
}

const struct cli_command cli_prog_list = {
	.name = "list",
	.summary = "list the programs of an ELF object",
	.run = list_run,
	.usage = list_usage,
};

static const struct cli_command *const subcommands[] = {
	&cli_prog_list,
	&cli_prog_imports,
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *out)
{
	cli_subcommand_usage(out, "prog", "Inspects the programs of an ELF object.", subcommands,
			     N_SUBCOMMANDS);
}

static int run(int argc, char **argv)
{
	return cli_run_subcommand("prog", subcommands, N_SUBCOMMANDS, argc, argv);
}

const struct cli_command cli_cmd_prog = {
	.name = "prog",
	.summary = "inspect the programs of an ELF object (prog list, prog imports)",
	.run = run,
	.usage = usage,
};
