/* SPDX-License-Identifier: MIT */
/* Links between programs and hooks (see link.h). */
#include "program/link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/epoch.h"
#include "runtime/log.h"
#include "runtime/runtime.h"

static struct xbpf_link *of_client(struct xbpf_client *c)
{
	return (struct xbpf_link *)((char *)c - offsetof(struct xbpf_link, client));
}

static void link_free(struct xbpf_obj *obj)
{
	struct xbpf_link *link = (struct xbpf_link *)obj;
	xbpf_registrar_remove_client(obj->rt, &link->client);
	while (link->counters) {
		struct xbpf_link_counters *next = link->counters->next;
		free(link->counters->values);
		free(link->counters->names);
		free(link->counters);
		link->counters = next;
	}
	xbpf_obj_put(&link->prog->obj);
	pthread_mutex_destroy(&link->lock);
	pthread_mutex_destroy(&link->wait_lock);
	pthread_cond_destroy(&link->wait_cond);
	free(link->hook_name);
	free(link->params);
	free(link);
}

static const struct xbpf_obj_ops link_obj_ops = {.free = link_free};

/* Attach to hook p, unless attached, closing, or p is not its hook. Link
 * lock held. */
static void attach_locked(struct xbpf_link *link, struct xbpf_provider *p)
{
	const struct xbpf_hook_type *h = &p->u.hook;
	struct xbpf_runtime *rt = link->obj.rt;

	link->tried_serial = p->serial;
	if (link->closing || atomic_load(&link->hook) || strcmp(h->name, link->hook_name) != 0)
		return;
	if (strcmp(h->program_type, link->prog->type_name) != 0) {
		xbpf_log(rt, XBPF_LOG_ERROR, "link of program '%s' to hook '%s': the hook runs programs of "
			 "type '%s', and the program is of type '%s'", link->prog->obj.name, h->name,
			 h->program_type, link->prog->type_name);
		return;
	}
	void *state = NULL;
	int err = h->attach(h->ctx, link, link->params, link->params_size, &state);
	if (err) {
		xbpf_log(rt, XBPF_LOG_ERROR, "hook '%s' (%s) refused program '%s': %s", h->name,
			 xbpf_provider_owner(p), link->prog->obj.name, strerror(err < 0 ? -err : err));
		return;
	}
	link->hook_state = state;
	atomic_store_explicit(&link->hook, p, memory_order_release);
	xbpf_log(rt, XBPF_LOG_INFO, "program '%s' attached to hook '%s'", link->prog->obj.name, h->name);
}

/* Detach from p if attached to it. Link lock held. */
static void detach_locked(struct xbpf_link *link, struct xbpf_provider *p)
{
	if (atomic_load(&link->hook) != p)
		return;
	p->u.hook.detach(p->u.hook.ctx, link, link->hook_state);
	atomic_store_explicit(&link->hook, NULL, memory_order_release);
	link->hook_state = NULL;
}

static bool client_pending(struct xbpf_client *c, struct xbpf_provider *p, bool adding)
{
	struct xbpf_link *link = of_client(c);
	if (p->kind != XBPF_PROVIDER_HOOK)
		return false;
	if (!adding)
		return atomic_load(&link->hook) == p;
	return !link->closing && !atomic_load(&link->hook) && link->tried_serial != p->serial &&
	       strcmp(p->u.hook.name, link->hook_name) == 0;
}

static void client_slow(struct xbpf_client *c, struct xbpf_provider *p, bool adding)
{
	struct xbpf_link *link = of_client(c);
	pthread_mutex_lock(&link->lock);
	if (adding)
		attach_locked(link, p);
	else
		detach_locked(link, p);
	pthread_mutex_unlock(&link->lock);
}

static void client_get(struct xbpf_client *c)
{
	xbpf_obj_get(&of_client(c)->obj);
}

static void client_put(struct xbpf_client *c)
{
	xbpf_obj_put(&of_client(c)->obj);
}

static const struct xbpf_client_ops link_client_ops = {
	.pending = client_pending,
	.slow = client_slow,
	.get = client_get,
	.put = client_put,
};

int xbpf_program_attach(struct xbpf_program *prog, const char *attach_type, const void *params,
			size_t params_size, struct xbpf_link **out)
{
	if (!prog || !attach_type || !*attach_type || !out || (params_size && !params))
		return -EINVAL;
	struct xbpf_runtime *rt = prog->obj.rt;
	struct xbpf_link *link = calloc(1, sizeof(*link));
	if (!link)
		return -ENOMEM;
	link->hook_name = strdup(attach_type);
	link->params = malloc(params_size + 1);
	if (!link->hook_name || !link->params) {
		free(link->hook_name);
		free(link->params);
		free(link);
		return -ENOMEM;
	}
	if (params_size)
		memcpy(link->params, params, params_size);
	link->params_size = params_size;
	pthread_mutex_init(&link->lock, NULL);
	pthread_mutex_init(&link->wait_lock, NULL);
	pthread_cond_init(&link->wait_cond, NULL);
	atomic_init(&link->hook, NULL);
	xbpf_obj_get(&prog->obj);
	link->prog = prog;
	link->client.ops = &link_client_ops;
	xbpf_obj_init(&link->obj, rt, XBPF_OBJ_LINK, &link_obj_ops, prog->obj.name[0] ? prog->obj.name : NULL);
	xbpf_registrar_add_client(rt, &link->client);

	struct xbpf_provider *hook;
	xbpf_registrar_find(rt, XBPF_PROVIDER_HOOK, attach_type, &hook);
	if (hook) {
		client_slow(&link->client, hook, true);
		xbpf_provider_release(hook);
		if (!atomic_load(&link->hook)) {
			/* The hook is there and refused: say so rather than wait. */
			xbpf_obj_put_user(&link->obj);
			return -EINVAL;
		}
	} else {
		xbpf_log(rt, XBPF_LOG_INFO, "program '%s' waits for hook '%s' to be registered",
			 prog->obj.name, attach_type);
	}
	int err = xbpf_obj_publish(&link->obj);
	if (err) {
		xbpf_link_detach(link);
		return err;
	}
	*out = link;
	return 0;
}

int xbpf_link_detach(struct xbpf_link *link)
{
	if (!link)
		return -EINVAL;
	pthread_mutex_lock(&link->lock);
	link->closing = true;
	struct xbpf_provider *p = atomic_load(&link->hook);
	if (p)
		detach_locked(link, p);
	pthread_mutex_unlock(&link->lock);
	/* Invocations in flight end before this returns. */
	xbpf_epoch_synchronize();
	xbpf_obj_put_user(&link->obj);
	return 0;
}

bool xbpf_link_attached(const struct xbpf_link *link)
{
	return atomic_load(&((struct xbpf_link *)link)->hook) != NULL;
}

uint32_t xbpf_link_id(const struct xbpf_link *link)
{
	return link->obj.id;
}

int xbpf_link_wait(struct xbpf_link *link, int timeout_ms)
{
	struct timespec deadline;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	if (timeout_ms >= 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&link->wait_lock);
	while (!link->finished && !err)
		err = timeout_ms < 0 ? pthread_cond_wait(&link->wait_cond, &link->wait_lock)
				     : pthread_cond_timedwait(&link->wait_cond, &link->wait_lock, &deadline);
	int status = link->finished ? link->status : -ETIMEDOUT;
	pthread_mutex_unlock(&link->wait_lock);
	return status;
}

int xbpf_link_counter(const struct xbpf_link *link, size_t index, const char **name, uint64_t *value)
{
	struct xbpf_link *l = (struct xbpf_link *)link;
	int err = -ENOENT;
	pthread_mutex_lock(&l->lock);
	if (l->counters && index < l->counters->n) {
		*name = l->counters->names[index];
		*value = atomic_load_explicit(&l->counters->values[index], memory_order_relaxed);
		err = 0;
	}
	pthread_mutex_unlock(&l->lock);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Core services for hooks                                                  */
/* ------------------------------------------------------------------------ */

int xbpf_link_invoke(struct xbpf_link *link, void *ctx, uint64_t *result)
{
	return xbpf_program_run(link->prog, ctx, result, NULL, 0);
}

int xbpf_link_batch_begin(struct xbpf_link *link)
{
	xbpf_epoch_enter();
	return 0;
}

int xbpf_link_batch_invoke(struct xbpf_link *link, void *ctx, uint64_t *result)
{
	return xbpf_program_run(link->prog, ctx, result, NULL, 0);
}

void xbpf_link_batch_end(struct xbpf_link *link)
{
	xbpf_epoch_exit();
}

void xbpf_link_finished(struct xbpf_link *link, int status)
{
	pthread_mutex_lock(&link->wait_lock);
	link->finished = true;
	link->status = status;
	pthread_cond_broadcast(&link->wait_cond);
	pthread_mutex_unlock(&link->wait_lock);
}

static bool same_names(const struct xbpf_link_counters *c, const char *const *names, size_t n)
{
	if (c->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(c->names[i], names[i]) != 0)
			return false;
	return true;
}

/* Called by hooks from attach, which the link lock already covers. */
_Atomic uint64_t *xbpf_link_counters_declare(struct xbpf_link *link, const char *const *names, size_t n)
{
	if (link->counters && same_names(link->counters, names, n))
		return link->counters->values;
	size_t text = 0;
	for (size_t i = 0; i < n; i++)
		text += strlen(names[i]) + 1;
	struct xbpf_link_counters *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->values = calloc(n + 1, sizeof(*c->values));
	c->names = malloc(n * sizeof(*c->names) + text + 1);
	if (!c->values || !c->names) {
		free(c->values);
		free(c->names);
		free(c);
		return NULL;
	}
	char *p = (char *)(c->names + n);
	for (size_t i = 0; i < n; i++) {
		c->names[i] = strcpy(p, names[i]);
		p += strlen(names[i]) + 1;
	}
	c->n = n;
	c->next = link->counters;
	link->counters = c;
	return c->values;
}
