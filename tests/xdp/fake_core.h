/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the core, enough to run the xdp hooks without it: links
 * whose "program" is a C function, batch invocation that checks it is used
 * in pairs, counters, the finished signal, parameters and a captured log.
 */
#ifndef XBPF_TESTS_XDP_FAKE_CORE_H
#define XBPF_TESTS_XDP_FAKE_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "xdp_ext.h"

/* A program: returns what would be in r0. */
typedef uint64_t (*fake_prog_fn)(struct xdp_internal_ctx *ctx);

#define FAKE_MAX_COUNTERS 16

struct xbpf_link {
	fake_prog_fn prog;
	uint64_t fail_from;    /* invocations from this one on fail (-XBPF_EDETACHED); 0: none */
	bool fail_begin;       /* invoke_batch_begin fails */
	bool refuse_counters;  /* link_counters returns NULL, as when out of memory */
	atomic_uint_fast64_t invocations;
	atomic_uint last_ifindex; /* ingress_ifindex of the last frame run */
	atomic_bool in_batch;
	atomic_uint batch_len;	/* invocations in the current batch */
	atomic_uint max_batch_len;
	atomic_uint misuse;	/* invoke_batch outside a batch, nested begin, end without begin */
	const char *names[FAKE_MAX_COUNTERS];
	size_t n_counters;
	_Atomic uint64_t counters[FAKE_MAX_COUNTERS];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int n_finished;
	int status;
};

extern const struct xdp_hook_env fake_env;

/* What an extension registered through fake_env.core (copies, as the core
 * keeps them). */
#define FAKE_MAX_PROVIDERS 8
extern struct xbpf_hook_provider fake_hooks[FAKE_MAX_PROVIDERS];
extern size_t fake_n_hooks;
extern const char *fake_program_types[FAKE_MAX_PROVIDERS];
extern size_t fake_n_program_types;
extern uint32_t fake_map_types[FAKE_MAX_PROVIDERS]; /* type ids registered */
extern size_t fake_n_map_types;

void fake_link_init(struct xbpf_link *link, fake_prog_fn prog);
void fake_link_fini(struct xbpf_link *link);
/* The link_finished status, or -ETIMEDOUT after timeout_ms. */
int fake_link_wait(struct xbpf_link *link, int timeout_ms);
/* The counter of that name; the test fails if the hook has none. */
uint64_t fake_counter(struct xbpf_link *link, const char *name);
/* received == the sum of every verdict and error. */
bool fake_counters_balance(struct xbpf_link *link);
/* Waits until the counter reaches at least value; false after timeout_ms. */
bool fake_counter_wait(struct xbpf_link *link, const char *name, uint64_t value, int timeout_ms);

/* Attaches through the hook (its ctx being fake_env) with a blob made of
 * the NULL-terminated "key=value" strings; detaches. */
int fake_attach(const struct xbpf_hook_provider *hook, struct xbpf_link *link,
		const char *const *params, void **state);
void fake_detach(const struct xbpf_hook_provider *hook, struct xbpf_link *link, void *state);

/* How many file descriptors the process has open: the hooks must close
 * every one they opened once detached, or when attaching fails. */
int fake_open_fds(void);

/* Everything logged since the last fake_log_clear, one message a line. */
const char *fake_log(void);
void fake_log_clear(void);

#endif /* XBPF_TESTS_XDP_FAKE_CORE_H */
