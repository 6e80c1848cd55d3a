/* SPDX-License-Identifier: MIT */
/* xbpf asm: assemble the uBPF-style text syntax into raw instruction bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "isa/asm.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xbpf asm FILE [-o OUT]\n"
		"\n"
		"Assembles FILE ('-': standard input), written in the syntax of the\n"
		"bpf_conformance corpus (mov %%r0, 1 / ldxw %%r2, [%%r1+4] / jne %%r0, 0, label\n"
		"/ exit), into raw instructions: 8 little-endian bytes each.\n"
		"\n"
		"Options:\n"
		"  -o OUT      write to OUT (default: standard output, unless it is a terminal)\n"
		"  -h, --help  show this help\n");
}

static int write_output(const char *path, const struct xbpf_insn *insns, size_t count)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	if (!f) {
		cli_error("asm", "%s: %s", path, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	bool ok = fwrite(insns, sizeof(*insns), count, f) == count;
	ok = (path ? fclose(f) : fflush(f)) == 0 && ok;
	if (!ok) {
		cli_error("asm", "%s: write failed: %s", path ? path : "standard output",
			  strerror(errno));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static int run(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0) {
			if (++i == argc)
				return cli_usage_error("asm", "-o needs a file name");
			out = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cli_usage_error("asm", "unknown option '%s'", argv[i]);
		} else if (in) {
			return cli_usage_error("asm", "more than one input file");
		} else {
			in = argv[i];
		}
	}
	if (!in)
		return cli_usage_error("asm", "no input file");
	if (!out && isatty(STDOUT_FILENO)) {
		cli_error("asm", "refusing to write binary instructions to a terminal; "
				 "use -o OUT or redirect the output");
		return CLI_EXIT_USAGE;
	}

	char *text;
	size_t len;
	int rc = cli_read_file(in, &text, &len);
	if (rc) {
		cli_error("asm", "%s: %s", in, strerror(-rc));
		return CLI_EXIT_FAIL;
	}
	if (strlen(text) != len) {
		cli_error("asm", "%s: contains a NUL byte: not assembly text", in);
		free(text);
		return CLI_EXIT_FAIL;
	}

	struct xbpf_insn *insns;
	size_t count;
	char err[256];
	rc = xbpf_asm(text, &insns, &count, err, sizeof(err));
	free(text);
	if (rc) {
		cli_error("asm", "%s", err);
		return CLI_EXIT_FAIL;
	}
	if (count == 0) {
		cli_error("asm", "%s: no instructions", in);
		return CLI_EXIT_FAIL;
	}
	int status = write_output(out, insns, count);
	free(insns);
	return status;
}

const struct cli_command cli_cmd_asm = {
	.name = "asm",
	.summary = "assemble text (conformance-corpus syntax) into raw instructions",
	.run = run,
	.usage = usage,
};
