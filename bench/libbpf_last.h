/* SPDX-License-Identifier: MIT */
/* The last message libbpf printed, to say why the kernel refused a load.
 * libbpf's print callback has no user pointer, hence one buffer per
 * program: install with libbpf_set_print(libbpf_keep_last). */
#ifndef XBPF_BENCH_LIBBPF_LAST_H
#define XBPF_BENCH_LIBBPF_LAST_H

#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

static char libbpf_last[512];

static int libbpf_keep_last(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_DEBUG)
		vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, ap);
	return 0;
}

#endif /* XBPF_BENCH_LIBBPF_LAST_H */
