/* SPDX-License-Identifier: MIT */
/* Utilities shared by the subcommands of the xbpf tool (see cli.h). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct xbpf_insn) == 8, "an instruction slot is 8 bytes");

static void vreport(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "xbpf: %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'xbpf %s --help'.\n", cmd);
	return CLI_EXIT_USAGE;
}

bool cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_read_file(const char *path, char **data, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return -errno;
	errno = 0;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int rc = buf ? 0 : -ENOMEM;
	while (!rc) {
		if (n + 1 == cap) {
			char *p = realloc(buf, cap * 2);
			if (!p) {
				rc = -ENOMEM;
				break;
			}
			buf = p;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				rc = errno ? -errno : -EIO;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int cli_parse_hex(const char *text, uint8_t **bytes, size_t *len, char *err, size_t err_size)
{
	*bytes = NULL;
	*len = 0;
	uint8_t *out = malloc(strlen(text) / 2 + 1);
	if (!out)
		return -ENOMEM;
	size_t n = 0;
	for (const char *p = text; *p;) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		const char *tok = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		size_t tok_len = (size_t)(p - tok);
		bool ok = tok_len % 2 == 0;
		for (size_t i = 0; ok && i < tok_len; i++)
			ok = hex_digit(tok[i]) >= 0;
		if (!ok) {
			snprintf(err, err_size, "'%.*s' is not hex bytes (two hex digits per byte)",
				 (int)(tok_len > 40 ? 40 : tok_len), tok);
			free(out);
			return -EINVAL;
		}
		for (size_t i = 0; i < tok_len; i += 2)
			out[n++] = (uint8_t)(hex_digit(tok[i]) << 4 | hex_digit(tok[i + 1]));
	}
	if (n == 0) {
		free(out);
		return 0;
	}
	*bytes = out;
	*len = n;
	return 0;
}

int cli_insns_from_bytes(const uint8_t *bytes, size_t len, struct xbpf_insn **insns,
			 size_t *count)
{
	if (len == 0 || len % sizeof(struct xbpf_insn))
		return -EINVAL;
	*insns = malloc(len);
	if (!*insns)
		return -ENOMEM;
	memcpy(*insns, bytes, len);
	*count = len / sizeof(struct xbpf_insn);
	return 0;
}

int cli_load_program(const char *cmd, const char *path, struct xbpf_insn **insns, size_t *count)
{
	char *data;
	size_t len;
	int rc = cli_read_file(path, &data, &len);
	if (rc) {
		cli_error(cmd, "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (len >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0) {
		/* ELF files are loaded by name (session.h); this reads raw ones. */
		cli_error(cmd, "%s: an ELF object here must be given by its file name, not "
			       "on standard input", path);
		rc = -ENOTSUP;
	} else if (len == 0) {
		cli_error(cmd, "%s: empty file: no instructions", path);
		rc = -EINVAL;
	} else {
		rc = cli_insns_from_bytes((const uint8_t *)data, len, insns, count);
		if (rc == -EINVAL)
			cli_error(cmd, "%s: size %zu is not a multiple of 8: not raw instructions",
				  path, len);
		else if (rc)
			cli_error(cmd, "%s: %s", path, strerror(-rc));
	}
	free(data);
	return rc;
}

int cli_run_subcommand(const char *cmd, const struct cli_command *const *table, size_t n,
		       int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(cmd, "no subcommand");
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], table[i]->name) == 0)
			return table[i]->run(argc - 1, argv + 1);
	return cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
}

void cli_subcommand_usage(FILE *out, const char *cmd, const char *what,
			  const struct cli_command *const *table, size_t n)
{
	fprintf(out, "Usage: xbpf %s SUBCOMMAND [ARGS...]\n\n%s\n\nSubcommands:\n", cmd, what);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-8s %s\n", table[i]->name, table[i]->summary);
	for (size_t i = 0; i < n; i++) {
		fputc('\n', out);
		table[i]->usage(out);
	}
}
