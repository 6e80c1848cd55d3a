/* SPDX-License-Identifier: MIT */
/* libFuzzer entry of the loader's parser (built with clang only). */
#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

#include "fuzz_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	libbpf_set_print(silent);
	xbpf_fuzz_loader_one(data, size);
	return 0;
}
