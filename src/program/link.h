/* SPDX-License-Identifier: MIT */
/*
 * Links: a program attached to a hook. A link is a client of the registrar:
 * it attaches to its hook when the hook provider registers (before or after
 * the link was made), detaches when the hook leaves, and attaches again by
 * itself when the hook returns. Hooks invoke the program through the
 * functions below, which are also the core services table's.
 */
#ifndef XBPF_PROGRAM_LINK_H
#define XBPF_PROGRAM_LINK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <xbpf/extension.h>

#include "program/program.h"

struct xbpf_link_counters {
	struct xbpf_link_counters *next; /* older sets, kept until the link goes */
	size_t n;
	const char **names;
	_Atomic uint64_t *values;
};

struct xbpf_link {
	struct xbpf_obj obj;
	struct xbpf_client client;
	struct xbpf_program *prog; /* a reference */
	char *hook_name;
	void *params;
	size_t params_size;

	/* Attaching and detaching, one at a time. */
	pthread_mutex_t lock;
	_Atomic(struct xbpf_provider *) hook; /* NULL while not attached */
	void *hook_state;
	uint64_t tried_serial; /* the last hook registration tried */
	bool closing;          /* the host detached it: never again */
	struct xbpf_link_counters *counters;

	/* The hook's input ended (xbpf_link_wait). */
	pthread_mutex_t wait_lock;
	pthread_cond_t wait_cond;
	bool finished;
	int status;
};

int xbpf_link_invoke(struct xbpf_link *link, void *ctx, uint64_t *result);
int xbpf_link_batch_begin(struct xbpf_link *link);
int xbpf_link_batch_invoke(struct xbpf_link *link, void *ctx, uint64_t *result);
void xbpf_link_batch_end(struct xbpf_link *link);
void xbpf_link_finished(struct xbpf_link *link, int status);
_Atomic uint64_t *xbpf_link_counters_declare(struct xbpf_link *link, const char *const *names, size_t n);

#endif /* XBPF_PROGRAM_LINK_H */
