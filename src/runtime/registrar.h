/* SPDX-License-Identifier: MIT */
/*
 * The registrar: providers (program types, hooks, named helpers, map types)
 * and their clients (programs, links, maps) find each other here, in either
 * order, and part again.
 *
 * A provider is the core's own deep copy of what an extension registered;
 * nothing in it points into the extension except its functions and ctx.
 *
 * Registering a provider tells every client about it; unregistering stops
 * new uses, waits for the uses in flight (calls into the provider counted in
 * `busy`, and program runs, which hold an epoch), detaches every client and
 * only then returns. The registrar's lock is never held while the core calls
 * into an extension: clients are told in two steps, a quick one under the
 * lock that may only update the client's own state (programs bind or unbind
 * their helpers), and one without the lock, while the provider is held busy,
 * that may call the extension (links attach to and detach from hooks).
 */
#ifndef XBPF_RUNTIME_REGISTRAR_H
#define XBPF_RUNTIME_REGISTRAR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xbpf/extension.h>

#include "runtime/arena.h"

struct xbpf_runtime;

enum xbpf_provider_kind {
	XBPF_PROVIDER_PROGRAM_TYPE,
	XBPF_PROVIDER_HOOK,
	XBPF_PROVIDER_HELPERS,
	XBPF_PROVIDER_MAP_TYPE,
};

/* A program type as the core keeps it. */
struct xbpf_prog_type {
	const char *name;
	uint32_t linux_prog_type;
	const char **prefixes; /* section prefixes */
	size_t n_prefixes;
	struct xbpf_context_descriptor context; /* fields, writable: copies */
	const struct xbpf_helper *helpers;      /* names: copies */
	size_t n_helpers;
	const uint32_t *core_helpers; /* NULL: every core helper */
	size_t n_core_helpers;
	int (*test_run_create)(void *ctx, const struct xbpf_test_run_io *io, void **run_ctx);
	int (*test_run_finish)(void *ctx, void *run_ctx, struct xbpf_test_run_io *io);
	void *ctx;
};

struct xbpf_hook_type {
	const char *name;
	const char *program_type;
	int (*attach)(void *ctx, struct xbpf_link *link, const void *params, size_t params_size,
		      void **link_state);
	void (*detach)(void *ctx, struct xbpf_link *link, void *link_state);
	void *ctx;
};

struct xbpf_helper_set {
	const char *name;
	const struct xbpf_helper *helpers;
	size_t n_helpers;
	const char **program_types; /* NULL: visible to every program type */
	size_t n_program_types;
};

struct xbpf_provider {
	enum xbpf_provider_kind kind;
	struct xbpf_runtime *rt;
	struct xbpf_extension *ext; /* the extension that registered it */
	struct xbpf_provider *next;
	uint64_t serial; /* registration number, never reused */
	/* Under the registrar's lock: */
	bool leaving;  /* unregister has begun: no new uses */
	unsigned busy; /* calls into the provider in progress */
	/* Atomic, without the lock: epoch calls queued that will call into the
	 * provider (a program's write on a custom map queues the release of
	 * what it displaced), waited for by its unregister. Counted on the
	 * provider they will call, not on the client, so that an unregister
	 * waits for its own and not for those of a provider that took its
	 * clients over meanwhile. Once the clients have let go of the provider
	 * and the runs that saw it have ended, it only falls. */
	_Atomic long queued;
	union {
		struct xbpf_prog_type prog_type;
		struct xbpf_hook_type hook;
		struct xbpf_helper_set helpers;
		struct xbpf_map_type_provider map_type; /* name: a copy */
	} u;
	struct xbpf_arena mem; /* everything the copies above point to */
};

/* What a client does when providers come and go. */
struct xbpf_client;
struct xbpf_client_ops {
	/* Under the registrar's lock; must not call into any extension. */
	void (*added)(struct xbpf_client *client, struct xbpf_provider *p);
	void (*removed)(struct xbpf_client *client, struct xbpf_provider *p);
	/* The slow step, which may call into the extension: is one still to
	 * be done for p (asked under the lock; must turn false once slow has
	 * run for p, whatever its outcome)? Then slow runs without the lock,
	 * p being held. Both NULL when the client has no slow steps. */
	bool (*pending)(struct xbpf_client *client, struct xbpf_provider *p, bool adding);
	void (*slow)(struct xbpf_client *client, struct xbpf_provider *p, bool adding);
	/* Keep the client alive across a slow step. */
	void (*get)(struct xbpf_client *client);
	void (*put)(struct xbpf_client *client);
};

struct xbpf_client {
	const struct xbpf_client_ops *ops;
	struct xbpf_client *prev, *next;
};

struct xbpf_registrar {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* a provider's busy count dropped */
	struct xbpf_provider *providers;
	struct xbpf_client clients; /* list head */
	uint64_t serial;            /* of the last registration */
};

void xbpf_registrar_init(struct xbpf_registrar *reg);
void xbpf_registrar_destroy(struct xbpf_registrar *reg);

/* Register what an extension offers: src is the ABI struct of that kind.
 * Errors: -EINVAL / -EOVERFLOW for provider data (logged with the field),
 * -EEXIST when the name is taken (logged with its owner), -ENOMEM. */
int xbpf_registrar_register(struct xbpf_runtime *rt, struct xbpf_extension *ext,
			    enum xbpf_provider_kind kind, const void *src,
			    struct xbpf_provider **out);
int xbpf_registrar_unregister(struct xbpf_provider *p);

/* Clients join before they look for providers, so that none is missed. */
void xbpf_registrar_add_client(struct xbpf_runtime *rt, struct xbpf_client *client);
void xbpf_registrar_remove_client(struct xbpf_runtime *rt, struct xbpf_client *client);

/* Finding providers: *found is held busy (release with
 * xbpf_provider_release), or NULL when there is none. */
void xbpf_registrar_find(struct xbpf_runtime *rt, enum xbpf_provider_kind kind, const char *name,
			 struct xbpf_provider **found);
/* The program type whose section prefix is the longest one starting
 * section. */
void xbpf_registrar_find_section(struct xbpf_runtime *rt, const char *section,
				 struct xbpf_provider **found);
void xbpf_provider_release(struct xbpf_provider *p);

/* Under the registrar's lock (for clients' quick steps and for walking
 * providers, e.g. to resolve named helpers). */
void xbpf_registrar_lock(struct xbpf_runtime *rt);
void xbpf_registrar_unlock(struct xbpf_runtime *rt);
/* The next provider of a kind after prev (NULL: the first), lock held. */
struct xbpf_provider *xbpf_registrar_next(struct xbpf_runtime *rt, enum xbpf_provider_kind kind,
					  struct xbpf_provider *prev);

/* The name of the extension behind a provider, for messages. */
const char *xbpf_provider_owner(const struct xbpf_provider *p);
const char *xbpf_provider_name(const struct xbpf_provider *p);

/* Checks the ABI struct src of p's kind and copies it into p (its arena).
 * On failure, field names the offending field and *why says what is wrong
 * with it. */
int xbpf_provider_copy(struct xbpf_provider *p, const void *src, char *field, size_t field_size,
		       const char **why);

#endif /* XBPF_RUNTIME_REGISTRAR_H */
