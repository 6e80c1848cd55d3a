/* SPDX-License-Identifier: MIT */
/* xbpf disasm: print a program one instruction a line, llvm-objdump style. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "isa/disasm.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: xbpf disasm FILE\n"
		     "\n"
		     "Prints the instructions of FILE ('-': standard input), raw instructions of\n"
		     "8 bytes each as 'xbpf asm' writes them, one a line with its index, in the\n"
		     "syntax of llvm-objdump and the kernel (r0 = *(u32 *)(r1 + 0x4)).\n"
		     "\n"
		     "Options:\n"
		     "  -h, --help  show this help\n");
}

static int run(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("disasm", "no input file");
	if (argc > 2)
		return cli_usage_error("disasm", "more than one input file");
	if (argv[1][0] == '-' && argv[1][1] != '\0')
		return cli_usage_error("disasm", "unknown option '%s'", argv[1]);

	struct xbpf_insn *insns;
	size_t count;
	if (cli_load_program("disasm", argv[1], &insns, &count))
		return CLI_EXIT_FAIL;
	char text[XBPF_DISASM_TEXT_SIZE];
	for (size_t pc = 0; pc < count;) {
		size_t slots = xbpf_disasm(insns, count, pc, text, sizeof(text));
		printf("%5zu: %s\n", pc, text);
		pc += slots;
	}
	free(insns);
	if (fflush(stdout) != 0) {
		cli_error("disasm", "write failed");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_disasm = {
	.name = "disasm",
	.summary = "print a program's instructions as text",
	.run = run,
	.usage = usage,
};
