/* SPDX-License-Identifier: MIT */
/*
 * The registrar (see registrar.h): registering and unregistering providers,
 * and telling clients.
 *
 * Slow steps (those that call into an extension) are found one at a time:
 * under the lock, the first client that still has something to do with the
 * provider is taken, the lock is dropped, the step runs, and the search
 * starts again. A client's `pending` answers false once it has tried, so the
 * loop ends; nothing is allocated, so unregistering cannot fail half-way.
 */
#include "runtime/registrar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/epoch.h"
#include "runtime/extension.h"
#include "runtime/log.h"
#include "runtime/runtime.h"

static const char *const kind_names[] = {
	[XBPF_PROVIDER_PROGRAM_TYPE] = "program type",
	[XBPF_PROVIDER_HOOK] = "hook",
	[XBPF_PROVIDER_HELPERS] = "helper provider",
	[XBPF_PROVIDER_MAP_TYPE] = "map type",
};

void xbpf_registrar_init(struct xbpf_registrar *reg)
{
	pthread_mutex_init(&reg->lock, NULL);
	pthread_cond_init(&reg->idle, NULL);
	reg->providers = NULL;
	reg->clients.prev = reg->clients.next = &reg->clients;
	reg->serial = 0;
}

void xbpf_registrar_destroy(struct xbpf_registrar *reg)
{
	pthread_cond_destroy(&reg->idle);
	pthread_mutex_destroy(&reg->lock);
}

void xbpf_registrar_lock(struct xbpf_runtime *rt)
{
	pthread_mutex_lock(&rt->reg.lock);
}

void xbpf_registrar_unlock(struct xbpf_runtime *rt)
{
	pthread_mutex_unlock(&rt->reg.lock);
}

const char *xbpf_provider_name(const struct xbpf_provider *p)
{
	switch (p->kind) {
	case XBPF_PROVIDER_PROGRAM_TYPE:
		return p->u.prog_type.name;
	case XBPF_PROVIDER_HOOK:
		return p->u.hook.name;
	case XBPF_PROVIDER_HELPERS:
		return p->u.helpers.name;
	case XBPF_PROVIDER_MAP_TYPE:
		return p->u.map_type.name;
	default:
		return "?";
	}
}

const char *xbpf_provider_owner(const struct xbpf_provider *p)
{
	return p->ext ? xbpf_extension_name(p->ext) : "the core";
}

struct xbpf_provider *xbpf_registrar_next(struct xbpf_runtime *rt, enum xbpf_provider_kind kind,
					  struct xbpf_provider *prev)
{
	struct xbpf_provider *p = prev ? prev->next : rt->reg.providers;
	while (p && (p->kind != kind || p->leaving))
		p = p->next;
	return p;
}

static struct xbpf_provider *find_locked(struct xbpf_runtime *rt, enum xbpf_provider_kind kind,
					 const char *name)
{
	for (struct xbpf_provider *p = xbpf_registrar_next(rt, kind, NULL); p;
	     p = xbpf_registrar_next(rt, kind, p))
		if (strcmp(xbpf_provider_name(p), name) == 0)
			return p;
	return NULL;
}

/* Does section prefix `prefix` cover section? An exact match, or the
 * prefix followed by '/' (or ending with one), as libbpf reads SEC(). */
static bool prefix_covers(const char *prefix, const char *section)
{
	size_t n = strlen(prefix);
	if (strncmp(prefix, section, n) != 0)
		return false;
	return section[n] == '\0' || section[n] == '/' || prefix[n - 1] == '/';
}

/* A registered provider that p would clash with: over its name, over a
 * section prefix (then *prefix names it) or over a map type id (then
 * *type_clash is set). */
static struct xbpf_provider *clash(struct xbpf_runtime *rt, struct xbpf_provider *p,
				   const char **prefix, bool *type_clash)
{
	struct xbpf_provider *other = find_locked(rt, p->kind, xbpf_provider_name(p));
	*prefix = NULL;
	*type_clash = false;
	if (!other && p->kind == XBPF_PROVIDER_MAP_TYPE) {
		for (other = xbpf_registrar_next(rt, p->kind, NULL); other;
		     other = xbpf_registrar_next(rt, p->kind, other))
			if (other->u.map_type.type == p->u.map_type.type) {
				*type_clash = true;
				return other;
			}
	}
	if (other || p->kind != XBPF_PROVIDER_PROGRAM_TYPE)
		return other;
	for (other = xbpf_registrar_next(rt, p->kind, NULL); other;
	     other = xbpf_registrar_next(rt, p->kind, other))
		for (size_t i = 0; i < p->u.prog_type.n_prefixes; i++)
			for (size_t j = 0; j < other->u.prog_type.n_prefixes; j++)
				if (strcmp(p->u.prog_type.prefixes[i], other->u.prog_type.prefixes[j]) == 0) {
					*prefix = p->u.prog_type.prefixes[i];
					return other;
				}
	return NULL;
}

static void free_provider(struct xbpf_provider *p)
{
	xbpf_arena_release(&p->mem);
	free(p);
}

/* Runs the slow steps of every client that has one pending for p. */
static void run_slow_steps(struct xbpf_runtime *rt, struct xbpf_provider *p, bool adding)
{
	for (;;) {
		struct xbpf_client *found = NULL;
		pthread_mutex_lock(&rt->reg.lock);
		for (struct xbpf_client *c = rt->reg.clients.next; c != &rt->reg.clients; c = c->next)
			if (c->ops->pending && c->ops->pending(c, p, adding)) {
				found = c;
				c->ops->get(c);
				break;
			}
		pthread_mutex_unlock(&rt->reg.lock);
		if (!found)
			return;
		found->ops->slow(found, p, adding);
		found->ops->put(found);
	}
}

int xbpf_registrar_register(struct xbpf_runtime *rt, struct xbpf_extension *ext,
			    enum xbpf_provider_kind kind, const void *src, struct xbpf_provider **out)
{
	struct xbpf_provider *p = calloc(1, sizeof(*p));
	char field[96];
	const char *why;

	if (!p)
		return -ENOMEM;
	p->kind = kind;
	p->rt = rt;
	p->ext = ext;
	int err = xbpf_provider_copy(p, src, field, sizeof(field), &why);
	if (err) {
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: %s refused: %s %s",
			 ext ? xbpf_extension_name(ext) : "core", kind_names[kind], field, why);
		free_provider(p);
		return err;
	}

	pthread_mutex_lock(&rt->reg.lock);
	const char *prefix;
	bool type_clash;
	struct xbpf_provider *other = clash(rt, p, &prefix, &type_clash);
	if (other) {
		pthread_mutex_unlock(&rt->reg.lock);
		char what[96];
		if (type_clash)
			snprintf(what, sizeof(what), "map type %u", p->u.map_type.type);
		else if (prefix)
			snprintf(what, sizeof(what), "section prefix '%s'", prefix);
		else
			snprintf(what, sizeof(what), "the name");
		xbpf_log(rt, XBPF_LOG_ERROR, "%s: %s '%s' refused: %s is already registered by %s",
			 xbpf_provider_owner(p), kind_names[kind], xbpf_provider_name(p), what,
			 xbpf_provider_owner(other));
		free_provider(p);
		return -EEXIST;
	}
	struct xbpf_provider **tail = &rt->reg.providers;
	while (*tail)
		tail = &(*tail)->next;
	*tail = p;
	p->serial = ++rt->reg.serial;
	p->busy = 1;
	for (struct xbpf_client *c = rt->reg.clients.next; c != &rt->reg.clients; c = c->next)
		if (c->ops->added)
			c->ops->added(c, p);
	pthread_mutex_unlock(&rt->reg.lock);

	run_slow_steps(rt, p, true);
	xbpf_provider_release(p);
	xbpf_log(rt, XBPF_LOG_DEBUG, "%s: registered %s '%s'", xbpf_provider_owner(p), kind_names[kind],
		 xbpf_provider_name(p));
	if (out)
		*out = p;
	return 0;
}

/* The epoch calls queued to call into p run while its code is there. No
 * new one can be queued: the runs that could have are over. Polled, not
 * waited for with an epoch barrier: a barrier waits for every call queued
 * before it, among them those of another provider of the same map type
 * that adopted p's maps meanwhile and that its programs' writes keep
 * queueing; p's count only falls. */
static void wait_queued_calls(struct xbpf_provider *p)
{
	const struct timespec pause = {.tv_nsec = 200 * 1000};
	while (atomic_load_explicit(&p->queued, memory_order_acquire))
		nanosleep(&pause, NULL);
}

int xbpf_registrar_unregister(struct xbpf_provider *p)
{
	struct xbpf_runtime *rt = p->rt;

	/* Maps of this type already dropped are freed by deferred calls (a
	 * program's free can drop the last map reference, queueing one more):
	 * let them run while the provider can still release their values. */
	if (p->kind == XBPF_PROVIDER_MAP_TYPE && !p->leaving) {
		xbpf_epoch_barrier();
		xbpf_epoch_barrier();
	}
	pthread_mutex_lock(&rt->reg.lock);
	if (p->leaving) {
		pthread_mutex_unlock(&rt->reg.lock);
		return -EALREADY;
	}
	p->leaving = true;
	while (p->busy)
		pthread_cond_wait(&rt->reg.idle, &rt->reg.lock);
	struct xbpf_provider **link = &rt->reg.providers;
	while (*link != p)
		link = &(*link)->next;
	*link = p->next;
	for (struct xbpf_client *c = rt->reg.clients.next; c != &rt->reg.clients; c = c->next)
		if (c->ops->removed)
			c->ops->removed(c, p);
	pthread_mutex_unlock(&rt->reg.lock);

	/* Runs that began before the clients let go of p end before this
	 * returns; none can start after. */
	xbpf_epoch_synchronize();
	wait_queued_calls(p);
	run_slow_steps(rt, p, false);
	xbpf_log(rt, XBPF_LOG_DEBUG, "%s: unregistered %s '%s'", xbpf_provider_owner(p),
		 kind_names[p->kind], xbpf_provider_name(p));
	free_provider(p);
	return 0;
}

void xbpf_registrar_add_client(struct xbpf_runtime *rt, struct xbpf_client *client)
{
	pthread_mutex_lock(&rt->reg.lock);
	client->next = &rt->reg.clients;
	client->prev = rt->reg.clients.prev;
	client->prev->next = client;
	rt->reg.clients.prev = client;
	pthread_mutex_unlock(&rt->reg.lock);
}

void xbpf_registrar_remove_client(struct xbpf_runtime *rt, struct xbpf_client *client)
{
	pthread_mutex_lock(&rt->reg.lock);
	client->prev->next = client->next;
	client->next->prev = client->prev;
	client->prev = client->next = client;
	pthread_mutex_unlock(&rt->reg.lock);
}

static void hold(struct xbpf_provider *p, struct xbpf_provider **found)
{
	if (p)
		p->busy++;
	*found = p;
}

void xbpf_registrar_find(struct xbpf_runtime *rt, enum xbpf_provider_kind kind, const char *name,
			 struct xbpf_provider **found)
{
	pthread_mutex_lock(&rt->reg.lock);
	hold(find_locked(rt, kind, name), found);
	pthread_mutex_unlock(&rt->reg.lock);
}

void xbpf_registrar_find_section(struct xbpf_runtime *rt, const char *section,
				 struct xbpf_provider **found)
{
	struct xbpf_provider *best = NULL;
	size_t best_len = 0;

	pthread_mutex_lock(&rt->reg.lock);
	for (struct xbpf_provider *p = xbpf_registrar_next(rt, XBPF_PROVIDER_PROGRAM_TYPE, NULL); p;
	     p = xbpf_registrar_next(rt, XBPF_PROVIDER_PROGRAM_TYPE, p))
		for (size_t i = 0; i < p->u.prog_type.n_prefixes; i++) {
			const char *prefix = p->u.prog_type.prefixes[i];
			if (strlen(prefix) > best_len && prefix_covers(prefix, section)) {
				best = p;
				best_len = strlen(prefix);
			}
		}
	hold(best, found);
	pthread_mutex_unlock(&rt->reg.lock);
}

void xbpf_provider_release(struct xbpf_provider *p)
{
	struct xbpf_runtime *rt = p->rt;
	pthread_mutex_lock(&rt->reg.lock);
	if (--p->busy == 0)
		pthread_cond_broadcast(&rt->reg.idle);
	pthread_mutex_unlock(&rt->reg.lock);
}
