/* SPDX-License-Identifier: MIT */
/*
 * The interpreter fuzz target (fuzz_interp.c), shared by the libFuzzer build
 * and the smoke driver that runs in every test suite.
 */
#ifndef XBPF_TESTS_FUZZ_INTERP_H
#define XBPF_TESTS_FUZZ_INTERP_H

#include <stddef.h>
#include <stdint.h>

/* Import slots of the stub helpers; a call's slot is its imm modulo this,
 * and the last slot is never bound. */
#define FUZZ_SLOTS 8
/* The one map the stub environment knows. */
#define FUZZ_MAP_ID 0x4d4150

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs that validated and were run, so a driver can tell it reaches the
 * interpreter. */
extern unsigned long fuzz_programs_run;

#endif /* XBPF_TESTS_FUZZ_INTERP_H */
