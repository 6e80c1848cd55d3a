/* SPDX-License-Identifier: MIT */
/* One input of the loader fuzzers: parse it and check what the IR promises
 * (or, on failure, that the loader said why). Aborts with a message when a
 * promise is broken; memory errors are the sanitizers' to find. */
#ifndef XBPF_TESTS_FUZZ_LOADER_H
#define XBPF_TESTS_FUZZ_LOADER_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 when the input was accepted, 1 when it was refused. */
int xbpf_fuzz_loader_one(const uint8_t *data, size_t size);

#endif /* XBPF_TESTS_FUZZ_LOADER_H */
