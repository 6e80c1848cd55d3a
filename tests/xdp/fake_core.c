/* SPDX-License-Identifier: MIT */
/* The core services the xdp hooks use, faked for their tests. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_core.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[16384];

static void fake_log_message(struct xbpf_extension *ext, enum xbpf_log_level level, const char *fmt,
			     ...)
{
	va_list ap;
	pthread_mutex_lock(&log_lock);
	size_t n = strlen(log_text);
	va_start(ap, fmt);
	if (n < sizeof(log_text) - 1)
		vsnprintf(log_text + n, sizeof(log_text) - n - 1, fmt, ap);
	va_end(ap);
	strcat(log_text, "\n");
	pthread_mutex_unlock(&log_lock);
}

const char *fake_log(void)
{
	return log_text;
}

void fake_log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	log_text[0] = '\0';
	pthread_mutex_unlock(&log_lock);
}

static int invoke_batch_begin(struct xbpf_link *link)
{
	if (link->fail_begin)
		return -XBPF_EDETACHED;
	if (atomic_exchange(&link->in_batch, true))
		atomic_fetch_add(&link->misuse, 1);
	atomic_store(&link->batch_len, 0);
	return 0;
}

static int invoke_batch(struct xbpf_link *link, void *ctx, uint64_t *result)
{
	struct xdp_internal_ctx *xdp = ctx;
	if (!atomic_load(&link->in_batch))
		atomic_fetch_add(&link->misuse, 1);
	unsigned int len = atomic_fetch_add(&link->batch_len, 1) + 1;
	if (len > atomic_load(&link->max_batch_len))
		atomic_store(&link->max_batch_len, len);
	uint64_t n = atomic_fetch_add(&link->invocations, 1) + 1;
	if (link->fail_from && n >= link->fail_from)
		return -XBPF_EDETACHED;
	atomic_store(&link->last_ifindex, xdp->ingress_ifindex);
	*result = link->prog(xdp);
	return 0;
}

static void invoke_batch_end(struct xbpf_link *link)
{
	if (!atomic_exchange(&link->in_batch, false))
		atomic_fetch_add(&link->misuse, 1);
}

static void link_finished(struct xbpf_link *link, int status)
{
	pthread_mutex_lock(&link->lock);
	link->n_finished++;
	link->status = status;
	pthread_cond_broadcast(&link->cond);
	pthread_mutex_unlock(&link->lock);
}

/* As the core: the same names get the same array back. */
static _Atomic uint64_t *link_counters(struct xbpf_link *link, const char *const *names, size_t n)
{
	if (n > FAKE_MAX_COUNTERS || link->refuse_counters)
		return NULL;
	if (link->n_counters) {
		assert_int_equal(link->n_counters, n);
		for (size_t i = 0; i < n; i++)
			assert_string_equal(link->names[i], names[i]);
	}
	for (size_t i = 0; i < n; i++)
		link->names[i] = names[i];
	link->n_counters = n;
	return link->counters;
}

static const char *param(const void *params, size_t size, const char *key)
{
	size_t key_len = strlen(key);
	for (size_t at = 0; at < size;) {
		const char *entry = (const char *)params + at;
		size_t len = strnlen(entry, size - at);
		if (len > key_len && entry[key_len] == '=' && memcmp(entry, key, key_len) == 0 &&
		    at + len < size)
			return entry + key_len + 1;
		at += len + 1;
	}
	return NULL;
}

struct xbpf_hook_provider fake_hooks[FAKE_MAX_PROVIDERS];
size_t fake_n_hooks;
const char *fake_program_types[FAKE_MAX_PROVIDERS];
size_t fake_n_program_types;

static int register_program_type(struct xbpf_extension *ext,
				 const struct xbpf_program_type_provider *p,
				 struct xbpf_provider **out)
{
	assert_int_equal(p->hdr.size, sizeof(*p));
	assert_true(fake_n_program_types < FAKE_MAX_PROVIDERS);
	fake_program_types[fake_n_program_types++] = p->name;
	return 0;
}

static int register_hook(struct xbpf_extension *ext, const struct xbpf_hook_provider *p,
			 struct xbpf_provider **out)
{
	assert_int_equal(p->hdr.size, sizeof(*p));
	assert_true(fake_n_hooks < FAKE_MAX_PROVIDERS);
	fake_hooks[fake_n_hooks++] = *p;
	return 0;
}

uint32_t fake_map_types[FAKE_MAX_PROVIDERS];
size_t fake_n_map_types;

static int register_map_type(struct xbpf_extension *ext, const struct xbpf_map_type_provider *p,
			     struct xbpf_provider **out)
{
	assert_int_equal(p->hdr.size, sizeof(*p));
	assert_true(fake_n_map_types < FAKE_MAX_PROVIDERS);
	fake_map_types[fake_n_map_types++] = p->type;
	/* Any distinct pointer: the module keeps it for unregister. */
	*out = (struct xbpf_provider *)&fake_map_types[fake_n_map_types - 1];
	return 0;
}

static const struct xbpf_core_services core = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_core_services),
	.register_program_type = register_program_type,
	.register_hook = register_hook,
	.register_map_type = register_map_type,
	.log = fake_log_message,
	.invoke_batch_begin = invoke_batch_begin,
	.invoke_batch = invoke_batch,
	.invoke_batch_end = invoke_batch_end,
	.link_finished = link_finished,
	.link_counters = link_counters,
	.param = param,
};

const struct xdp_hook_env fake_env = {.core = &core, .ext = (struct xbpf_extension *)&core};

void fake_link_init(struct xbpf_link *link, fake_prog_fn prog)
{
	memset(link, 0, sizeof(*link));
	link->prog = prog;
	pthread_mutex_init(&link->lock, NULL);
	pthread_cond_init(&link->cond, NULL);
}

void fake_link_fini(struct xbpf_link *link)
{
	pthread_mutex_destroy(&link->lock);
	pthread_cond_destroy(&link->cond);
}

static struct timespec deadline(int timeout_ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += timeout_ms / 1000;
	t.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

int fake_link_wait(struct xbpf_link *link, int timeout_ms)
{
	struct timespec until = deadline(timeout_ms);
	int err = 0;
	pthread_mutex_lock(&link->lock);
	while (!link->n_finished && err == 0)
		err = pthread_cond_timedwait(&link->cond, &link->lock, &until);
	int status = link->n_finished ? link->status : -ETIMEDOUT;
	pthread_mutex_unlock(&link->lock);
	return status;
}

uint64_t fake_counter(struct xbpf_link *link, const char *name)
{
	for (size_t i = 0; i < link->n_counters; i++)
		if (strcmp(link->names[i], name) == 0)
			return atomic_load(&link->counters[i]);
	fail_msg("the hook has no counter '%s'", name);
	return 0;
}

bool fake_counters_balance(struct xbpf_link *link)
{
	static const char *const outcomes[] = {"pass", "drop", "tx", "redirect", "aborted", "error"};
	uint64_t sum = 0;
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		sum += fake_counter(link, outcomes[i]);
	return sum == fake_counter(link, "received");
}

bool fake_counter_wait(struct xbpf_link *link, const char *name, uint64_t value, int timeout_ms)
{
	const struct timespec pause = {.tv_nsec = 1000000};
	for (int waited = 0; fake_counter(link, name) < value; waited++) {
		if (waited >= timeout_ms)
			return false;
		nanosleep(&pause, NULL);
	}
	return true;
}

int fake_open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	assert_non_null(dir);
	int n = 0;
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

int fake_attach(const struct xbpf_hook_provider *hook, struct xbpf_link *link,
		const char *const *params, void **state)
{
	char blob[1024];
	size_t size = 0;
	for (size_t i = 0; params[i]; i++) {
		size_t len = strlen(params[i]) + 1;
		assert_true(size + len <= sizeof(blob));
		memcpy(blob + size, params[i], len);
		size += len;
	}
	return hook->attach((void *)&fake_env, link, blob, size, state);
}

void fake_detach(const struct xbpf_hook_provider *hook, struct xbpf_link *link, void *state)
{
	hook->detach((void *)&fake_env, link, state);
}
