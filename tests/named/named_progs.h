/* SPDX-License-Identifier: MIT */
/* What the named helper test programs share: the context of the sample
 * program type and, for libbpf releases before 1.2, bpf_ksym_exists(). */
#ifndef XBPF_TESTS_NAMED_PROGS_H
#define XBPF_TESTS_NAMED_PROGS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "sample.h"

#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) (!!(sym))
#endif

#define XBPF_PROVIDER(name) __attribute__((btf_decl_tag("xbpf:provider=" name)))

#endif
