/* SPDX-License-Identifier: MIT */
/*
 * The format engine of the printf-like helpers (bpf_trace_printk,
 * bpf_snprintf), with the kernel's rules: what bpf_bprintf_prepare accepts
 * and how bstr_printf then prints it.
 *
 * Conversions: %d %i %u %x %X with an optional l or ll, %c, %s, %p %pK %px
 * (the pointer value in hex, 16 digits unless a width is given), %pI4 %pi4
 * %pI6 %pi6 (an IPv4 or IPv6 address read from memory), and %%. Before the
 * conversion: any of the flags "0+- " and a width. Nothing else: no
 * precision, no '*', no other length modifiers.
 */
#ifndef XBPF_HELPERS_BPRINTF_H
#define XBPF_HELPERS_BPRINTF_H

#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

/* Most arguments a format may use (Linux's MAX_BPRINTF_VARARGS). */
#define XBPF_BPRINTF_MAX_ARGS 12
/* Room the arguments take once prepared (Linux's MAX_BPRINTF_BIN_ARGS):
 * 4 or 8 bytes per number, 1 per character, a string with its NUL (cut to
 * what is left), an address as text. */
#define XBPF_BPRINTF_ARG_ROOM 512

/*
 * Formats fmt[0, fmt_len) (a NUL-terminated format without its NUL; the
 * engine reads nothing beyond it) with n_args arguments. Memory that %s and
 * %pI read is what exec lets the program read: a string that is not
 * readable prints as "", an address as zeros, as in Linux.
 *
 * Writes at most out_size bytes to out, NUL-terminated when out_size > 0
 * (out may be NULL when out_size is 0). Returns the length of the whole
 * output without its NUL, or before writing anything -EINVAL (a character
 * that is neither printable nor white space, an unknown conversion, more
 * conversions than arguments) or -ENOSPC (arguments beyond
 * XBPF_BPRINTF_ARG_ROOM).
 */
int xbpf_bprintf(const struct xbpf_exec *exec, const char *fmt, size_t fmt_len, const uint64_t *args,
		 unsigned n_args, char *out, size_t out_size);

#endif /* XBPF_HELPERS_BPRINTF_H */
