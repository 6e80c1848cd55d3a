/* SPDX-License-Identifier: MIT */
/*
 * xbpf disasm: print a program one instruction a line, llvm-objdump style.
 * Raw instruction files are printed as they are; ELF objects are loaded and
 * each program printed with its source lines (from BTF line info)
 * interleaved as "; " comments, as `bpftool prog dump xlated linum` and
 * `llvm-objdump -S` do.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "isa/disasm.h"
#include "session.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: xbpf disasm FILE [--program NAME] [--ext PATH]...\n"
		     "\n"
		     "Prints the instructions of FILE ('-': standard input), one a line with its\n"
		     "index, in the syntax of llvm-objdump and the kernel\n"
		     "(r0 = *(u32 *)(r1 + 0x4)). FILE is either raw instructions of 8 bytes\n"
		     "each, as 'xbpf asm' writes them, or an ELF object (clang -target bpf),\n"
		     "whose programs are loaded and printed one after the other, each under a\n"
		     "'NAME (section SECTION):' heading, with the source line of the\n"
		     "instructions that follow as a '; file.c:LINE: text' comment wherever\n"
		     "the object has BTF line info (compile with -g).\n"
		     "\n"
		     "Options:\n"
		     "  --program NAME  ELF objects: only the program NAME\n" CLI_SESSION_OPTIONS_HELP
		     "  -h, --help      show this help\n");
}

/* Line 0 is the compiler's "no particular line": llvm-objdump prints none. */
static bool is_line_zero(const char *line)
{
	const char *colon = strchr(line, ':');
	return colon && strncmp(colon, ":0:", 3) == 0;
}

static void print_insns(const struct xbpf_program *prog, const struct xbpf_insn *insns,
			size_t count)
{
	char text[XBPF_DISASM_TEXT_SIZE], line[512], last[512] = "";
	for (size_t pc = 0; pc < count;) {
		if (prog && xbpf_program_source_line(prog, pc, line, sizeof(line)) == 0 &&
		    !is_line_zero(line) && strcmp(line, last) != 0) {
			printf("; %s\n", line);
			strcpy(last, line);
		}
		size_t slots = xbpf_disasm(insns, count, pc, text, sizeof(text));
		printf("%5zu: %s\n", pc, text);
		pc += slots;
	}
}

static int disasm_object(struct cli_session *s, const char *path, const char *name)
{
	if (cli_session_open(s, "disasm", path))
		return CLI_EXIT_FAIL;
	if (name && !xbpf_object_find_program(s->obj, name)) {
		cli_error("disasm", "%s: no program '%s'", path, name);
		return CLI_EXIT_FAIL;
	}
	bool first = true;
	for (struct xbpf_program *p = xbpf_object_next_program(s->obj, NULL); p;
	     p = xbpf_object_next_program(s->obj, p)) {
		if (name && strcmp(name, xbpf_program_name(p)) != 0)
			continue;
		size_t count;
		const struct xbpf_insn *insns = xbpf_program_insns(p, &count);
		printf("%s%s (section %s):\n", first ? "" : "\n", xbpf_program_name(p),
		       xbpf_program_section(p));
		print_insns(p, insns, count);
		first = false;
	}
	return CLI_EXIT_OK;
}

static bool is_elf(const char *path)
{
	char magic[4];
	FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");
	bool elf = f && fread(magic, 1, 4, f) == 4 && memcmp(magic, "\x7f" "ELF", 4) == 0;
	if (f)
		fclose(f);
	return elf;
}

static int run(int argc, char **argv)
{
	static struct cli_session s;
	const char *file = NULL, *program = NULL;
	s.cmd = "disasm";
	for (int i = 1; i < argc; i++) {
		int taken = cli_session_option(&s, argc, argv, &i);
		if (taken < 0)
			return -taken;
		if (taken)
			continue;
		if (strcmp(argv[i], "--program") == 0) {
			if (++i == argc)
				return cli_usage_error("disasm", "--program needs a name");
			program = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cli_usage_error("disasm", "unknown option '%s'", argv[i]);
		} else if (file) {
			return cli_usage_error("disasm", "more than one input file");
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return cli_usage_error("disasm", "no input file");

	int status;
	if (is_elf(file)) {
		status = disasm_object(&s, file, program);
		cli_session_close(&s);
	} else if (program) {
		return cli_usage_error("disasm", "--program: %s is raw instructions, not an ELF "
						 "object", file);
	} else {
		struct xbpf_insn *insns;
		size_t count;
		if (cli_load_program("disasm", file, &insns, &count))
			return CLI_EXIT_FAIL;
		print_insns(NULL, insns, count);
		free(insns);
		status = CLI_EXIT_OK;
	}
	if (fflush(stdout) != 0) {
		cli_error("disasm", "write failed");
		return CLI_EXIT_FAIL;
	}
	return status;
}

const struct cli_command cli_cmd_disasm = {
	.name = "disasm",
	.summary = "print a program's instructions as text, with source lines for ELF objects",
	.run = run,
	.usage = usage,
};
