/* SPDX-License-Identifier: MIT */
/*
 * What the subcommands of the xbpf tool share: the command table, error
 * messages in one format ("xbpf: CMD: what"), reading files and hex text,
 * and loading a program from a file.
 */
#ifndef XBPF_TOOLS_CLI_H
#define XBPF_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "isa/insn.h"

/* Exit statuses of every subcommand. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* the input was wrong or the operation failed */
#define CLI_EXIT_USAGE 2 /* the command line was wrong */

struct cli_command {
	const char *name;
	const char *summary; /* one line for `xbpf --help` */
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
	void (*usage)(FILE *out);
};

extern const struct cli_command cli_cmd_asm;
extern const struct cli_command cli_cmd_disasm;
extern const struct cli_command cli_cmd_exec;
extern const struct cli_command cli_cmd_run;
extern const struct cli_command cli_cmd_prog;
extern const struct cli_command cli_cmd_map;
/* Subcommands of `xbpf prog` (cmd_prog.c holds the table). */
extern const struct cli_command cli_prog_list;
extern const struct cli_command cli_prog_imports;

/*
 * Commands with subcommands (`xbpf prog list`): runs the subcommand named
 * by argv[1] from table, whose entries are named "list", "imports"...; cmd
 * is "prog". Returns the exit status.
 */
int cli_run_subcommand(const char *cmd, const struct cli_command *const *table, size_t n,
		       int argc, char **argv);
/* Prints every subcommand's usage, for the command's --help. */
void cli_subcommand_usage(FILE *out, const char *cmd, const char *what,
			  const struct cli_command *const *table, size_t n);

/* Prints "xbpf: CMD: message" and a newline on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* For a wrong command line: the error, then a pointer to --help. Returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Is argument a request for help (-h, --help)? */
bool cli_is_help(const char *arg);

/* Reads a whole file ("-": standard input) into a malloc()ed buffer with a
 * NUL after the last byte. Returns 0 or -errno. */
int cli_read_file(const char *path, char **data, size_t *len);

/*
 * Hex text to bytes: whitespace-separated tokens, each an even number of hex
 * digits ("aa  bb  ", "aabb"). Returns 0, -EINVAL with err saying what is
 * wrong, or -ENOMEM. *bytes is NULL when there are none.
 */
int cli_parse_hex(const char *text, uint8_t **bytes, size_t *len, char *err, size_t err_size);

/*
 * Instructions from bytes in memory order (8 per slot). Returns 0, -EINVAL
 * when len is not a multiple of 8 or is 0, or -ENOMEM.
 */
int cli_insns_from_bytes(const uint8_t *bytes, size_t len, struct xbpf_insn **insns,
			 size_t *count);

/*
 * Loads the program of a file: raw instructions (8 bytes each, as
 * `xbpf asm` writes them); ELF objects are refused (they go through
 * cli_session_open). Reports any error itself, as cmd. Returns 0 or a
 * negative errno.
 */
int cli_load_program(const char *cmd, const char *path, struct xbpf_insn **insns, size_t *count);

#endif /* XBPF_TOOLS_CLI_H */
