/* SPDX-License-Identifier: MIT */
/* Checking and reading the parameter blobs of the xdp hooks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook_params.h"

static void list_known(const char *const *known, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; known[i] && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", known[i]);
}

static int check_entry(const struct hook_params *p, const char *entry, size_t len,
		       const char *const *known)
{
	const char *eq = memchr(entry, '=', len);
	if (!eq || eq == entry || eq + 1 == entry + len) {
		hook_log(p->env, XBPF_LOG_ERROR, "%s: parameter '%.*s' is not key=value", p->hook,
			 (int)len, entry);
		return -EINVAL;
	}
	size_t key_len = (size_t)(eq - entry);
	for (size_t i = 0; known[i]; i++)
		if (strlen(known[i]) == key_len && memcmp(known[i], entry, key_len) == 0)
			return 0;
	char names[128];
	list_known(known, names, sizeof(names));
	hook_log(p->env, XBPF_LOG_ERROR, "%s: unknown parameter '%.*s' (it takes %s)", p->hook,
		 (int)key_len, entry, names);
	return -EINVAL;
}

/* True when an entry before offset `end` has the same key as entry. */
static bool given_before(const struct hook_params *p, size_t end, const char *entry)
{
	const char *blob = p->blob;
	size_t key_len = (size_t)(strchr(entry, '=') - entry);
	for (size_t at = 0; at < end;) {
		const char *other = blob + at;
		size_t len = strnlen(other, end - at);
		if (len > key_len && other[key_len] == '=' && memcmp(other, entry, key_len) == 0)
			return true;
		at += len + 1;
	}
	return false;
}

int hook_params_check(const struct hook_params *p, const char *const *known)
{
	const char *blob = p->blob;
	for (size_t at = 0; at < p->size;) {
		const char *entry = blob + at;
		size_t len = strnlen(entry, p->size - at);
		if (len == 0) {
			at++;
			continue;
		}
		if (at + len == p->size) {
			hook_log(p->env, XBPF_LOG_ERROR,
				 "%s: parameter '%.*s' is not ended by a NUL byte", p->hook, (int)len,
				 entry);
			return -EINVAL;
		}
		int err = check_entry(p, entry, len, known);
		if (err)
			return err;
		if (given_before(p, at, entry)) {
			hook_log(p->env, XBPF_LOG_ERROR, "%s: parameter '%.*s' is given twice",
				 p->hook, (int)(strchr(entry, '=') - entry), entry);
			return -EINVAL;
		}
		at += len + 1;
	}
	return 0;
}

const char *hook_param(const struct hook_params *p, const char *key)
{
	return p->env->core->param(p->blob, p->size, key);
}

int hook_param_u32(const struct hook_params *p, const char *key, uint32_t min, uint32_t max,
		   uint32_t *value)
{
	const char *text = hook_param(p, key);
	if (!text)
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (*text < '0' || *text > '9' || *end || errno || v < min || v > max) {
		hook_log(p->env, XBPF_LOG_ERROR, "%s: %s=%s: expected a number from %u to %u",
			 p->hook, key, text, min, max);
		return -EINVAL;
	}
	*value = (uint32_t)v;
	return 0;
}
