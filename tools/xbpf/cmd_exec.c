/* SPDX-License-Identifier: MIT */
/*
 * xbpf exec: the bpf_conformance plugin protocol (corpus README, section 3).
 * The program arrives on standard input as hex text, the memory as an
 * optional first argument in the same form; r0 is printed in hex. Any
 * failure is one line on standard error and a non-zero exit status.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xbpf exec [MEMORY] [--engine NAME] [OPTIONS...] < PROGRAM\n"
		"\n"
		"Runs a program the way the bpf_conformance runner drives a plugin: the\n"
		"program's bytes come on standard input as hex text (\"b7  00  00  00 ...\"),\n"
		"8 bytes per instruction; MEMORY, when given first, is the data buffer in the\n"
		"same form, passed in r1 with its length in r2. Helper 5 returns its first\n"
		"argument. On success r0 is printed in hex; on failure one line says why.\n"
		"\n"
		"Options:\n"
		"  --engine NAME  run on engine NAME (interpreter)\n"
		"  --interpret    the same as --engine interpreter\n"
		"  --jit          ask for a JIT engine (there is none yet: an error)\n"
		"  --elf          the program is an ELF object (not supported yet: an error)\n"
		"  -h, --help     show this help\n"
		"Other options of bpf_conformance plugins (--debug, --profile NAME, ...) are\n"
		"accepted and ignored, with a note on standard error.\n");
}

static const char *engine_names(void)
{
	static char names[128];
	size_t n = 0;
	for (size_t i = 0; i < cli_n_engines && n < sizeof(names); i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      cli_engines[i]->name);
	return names;
}

struct exec_args {
	const char *memory;
	const struct xbpf_engine_ops *engine;
};

/* Returns -1 when the command line is fine, else the exit status. */
static int parse_args(int argc, char **argv, struct exec_args *args)
{
	int i = 1;
	args->engine = cli_engines[0];
	if (i < argc && strncmp(argv[i], "--", 2) != 0)
		args->memory = argv[i++];
	for (; i < argc; i++) {
		const char *opt = argv[i];
		bool has_value = i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0;
		if (strcmp(opt, "--engine") == 0) {
			if (!has_value)
				return cli_usage_error("exec", "--engine needs a name (%s)",
						       engine_names());
			const char *name = argv[++i];
			args->engine = cli_find_engine(name);
			if (!args->engine) {
				cli_error("exec", "no engine '%s' (engines: %s)", name, engine_names());
				return CLI_EXIT_USAGE;
			}
		} else if (strcmp(opt, "--interpret") == 0) {
			args->engine = cli_find_engine("interpreter");
		} else if (strcmp(opt, "--jit") == 0) {
			cli_error("exec", "--jit: there is no JIT engine yet (engines: %s)",
				  engine_names());
			return CLI_EXIT_USAGE;
		} else if (strcmp(opt, "--elf") == 0) {
			cli_error("exec", "--elf: ELF programs are not supported yet; send the raw "
					  "instructions as hex");
			return CLI_EXIT_USAGE;
		} else if (strncmp(opt, "--", 2) == 0) {
			fprintf(stderr, "xbpf: exec: note: ignoring option %s%s%s\n", opt,
				has_value ? " " : "", has_value ? argv[i + 1] : "");
			i += has_value;
		} else {
			return cli_usage_error("exec", "unexpected argument '%s' (the memory must come "
						       "first)", opt);
		}
	}
	return -1;
}

static int run(int argc, char **argv)
{
	struct exec_args args = {0};
	int status = parse_args(argc, argv, &args);
	if (status >= 0)
		return status;

	char err[128];
	uint8_t *mem = NULL;
	size_t mem_len = 0;
	if (args.memory && cli_parse_hex(args.memory, &mem, &mem_len, err, sizeof(err))) {
		cli_error("exec", "memory: %s", err);
		return CLI_EXIT_FAIL;
	}

	char *text = NULL;
	size_t text_len;
	uint8_t *bytes = NULL;
	size_t n_bytes = 0;
	struct xbpf_insn *insns = NULL;
	size_t count = 0;
	int rc = cli_read_file("-", &text, &text_len);
	status = CLI_EXIT_FAIL;
	if (rc) {
		cli_error("exec", "reading the program: %s", strerror(-rc));
	} else if (strlen(text) != text_len) {
		cli_error("exec", "program: a NUL byte in the hex text");
	} else if (cli_parse_hex(text, &bytes, &n_bytes, err, sizeof(err))) {
		cli_error("exec", "program: %s", err);
	} else if (n_bytes == 0) {
		cli_error("exec", "no program on standard input (hex text expected)");
	} else if (cli_insns_from_bytes(bytes, n_bytes, &insns, &count)) {
		cli_error("exec", "program: %zu bytes is not a whole number of instructions "
				  "(8 bytes each)", n_bytes);
	} else {
		struct cli_run_result result;
		if (cli_run_program(args.engine, insns, count, mem, mem_len, &result) == 0) {
			printf("0x%" PRIx64 "\n", result.r0);
			status = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		} else {
			cli_error("exec", "%s", result.message);
		}
	}
	free(insns);
	free(bytes);
	free(text);
	free(mem);
	return status;
}

const struct cli_command cli_cmd_exec = {
	.name = "exec",
	.summary = "run a program given as hex text (bpf_conformance plugin protocol)",
	.run = run,
	.usage = usage,
};
