/* SPDX-License-Identifier: MIT */
/* Pins: paths ("a/b/c") that keep objects alive without a handle. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/log.h"
#include "runtime/object.h"
#include "runtime/runtime.h"

/* 0 or -EINVAL, logging what is wrong with the path. */
static int check_path(struct xbpf_runtime *rt, const char *path)
{
	const char *why = NULL;
	size_t len = path ? strnlen(path, XBPF_PIN_PATH_LEN) : 0;

	if (!path || len == 0)
		why = "is empty";
	else if (len == XBPF_PIN_PATH_LEN)
		why = "is too long";
	else {
		const char *comp = path;
		for (const char *p = path;; p++) {
			if (*p == '/' || *p == '\0') {
				size_t n = (size_t)(p - comp);
				if (n == 0)
					why = "has an empty component";
				else if ((n == 1 && comp[0] == '.') ||
					 (n == 2 && comp[0] == '.' && comp[1] == '.'))
					why = "has a '.' or '..' component";
				if (why || *p == '\0')
					break;
				comp = p + 1;
			} else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				why = "has a control character";
				break;
			}
		}
	}
	if (!why)
		return 0;
	xbpf_log(rt, XBPF_LOG_ERROR, "pin path '%.*s' %s (want \"a/b/c\", under %d bytes)",
		 path ? (int)len : 0, path ? path : "", why, XBPF_PIN_PATH_LEN);
	return -EINVAL;
}

/* Index of the first pin whose path is >= path. */
static size_t pin_lower_bound(const struct xbpf_runtime *rt, const char *path)
{
	size_t lo = 0, hi = rt->n_pins;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(rt->pins[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool pin_at(const struct xbpf_runtime *rt, size_t pos, const char *path)
{
	return pos < rt->n_pins && strcmp(rt->pins[pos].path, path) == 0;
}

/* Is some pin below path/ (path used as a directory)? */
static bool has_children(const struct xbpf_runtime *rt, const char *path)
{
	size_t len = strlen(path);
	size_t pos = pin_lower_bound(rt, path);
	for (; pos < rt->n_pins; pos++) {
		const char *p = rt->pins[pos].path;
		if (strncmp(p, path, len) != 0)
			return false;
		if (p[len] == '/')
			return true;
		/* Paths sharing the prefix but continuing with a byte below
		 * '/' sort between path and path/...: skip them. */
	}
	return false;
}

/* Is a proper directory prefix of path pinned itself (a file)? */
static bool parent_is_pinned(const struct xbpf_runtime *rt, const char *path)
{
	char buf[XBPF_PIN_PATH_LEN];
	strcpy(buf, path);
	for (char *slash = strchr(buf, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		bool pinned = pin_at(rt, pin_lower_bound(rt, buf), buf);
		*slash = '/';
		if (pinned)
			return true;
	}
	return false;
}

int xbpf_obj_pin(struct xbpf_obj *obj, const char *path)
{
	struct xbpf_runtime *rt = obj->rt;
	int err = check_path(rt, path);
	if (err)
		return err;

	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;

	pthread_mutex_lock(&rt->lock);
	size_t pos = pin_lower_bound(rt, path);
	if (pin_at(rt, pos, path)) {
		err = -EEXIST;
		xbpf_log(rt, XBPF_LOG_ERROR, "pin path '%s' is already pinned", path);
	} else if (has_children(rt, path)) {
		err = -EEXIST;
		xbpf_log(rt, XBPF_LOG_ERROR, "pin path '%s' is a directory of other pins", path);
	} else if (parent_is_pinned(rt, path)) {
		err = -ENOTDIR;
		xbpf_log(rt, XBPF_LOG_ERROR, "pin path '%s': a parent path is pinned itself", path);
	} else if (rt->n_pins == rt->cap_pins) {
		size_t cap = rt->cap_pins ? rt->cap_pins * 2 : 16;
		struct xbpf_pin *pins = realloc(rt->pins, cap * sizeof(*pins));
		if (pins) {
			rt->pins = pins;
			rt->cap_pins = cap;
		} else {
			err = -ENOMEM;
		}
	}
	if (!err) {
		memmove(&rt->pins[pos + 1], &rt->pins[pos], (rt->n_pins - pos) * sizeof(rt->pins[0]));
		rt->pins[pos] = (struct xbpf_pin){ .path = copy, .obj = obj };
		rt->n_pins++;
		xbpf_obj_get_user(obj);
	}
	pthread_mutex_unlock(&rt->lock);
	if (err)
		free(copy);
	return err;
}

int xbpf_obj_pin_by_host(struct xbpf_obj *obj, const char *path)
{
	if (path && strncmp(path, "ext", 3) == 0 && (path[3] == '\0' || path[3] == '/')) {
		xbpf_log(obj->rt, XBPF_LOG_ERROR,
			 "pin path '%s': paths under 'ext/' are reserved for the control maps "
			 "extensions publish", path);
		return -EPERM;
	}
	return xbpf_obj_pin(obj, path);
}

int xbpf_obj_get_pinned(struct xbpf_runtime *rt, const char *path, enum xbpf_object_kind kind,
			   struct xbpf_obj **out)
{
	int err = check_path(rt, path);
	if (err)
		return err;

	pthread_mutex_lock(&rt->lock);
	size_t pos = pin_lower_bound(rt, path);
	if (!pin_at(rt, pos, path)) {
		err = -ENOENT;
	} else if (kind && rt->pins[pos].obj->kind != kind) {
		err = -EINVAL;
	} else {
		/* The pin's reference keeps it alive while we hold the lock. */
		*out = rt->pins[pos].obj;
		xbpf_obj_get_user(*out);
	}
	pthread_mutex_unlock(&rt->lock);
	if (err == -EINVAL)
		xbpf_log(rt, XBPF_LOG_ERROR, "pin path '%s' holds an object of another kind", path);
	return err;
}

int xbpf_unpin(struct xbpf_runtime *rt, const char *path)
{
	int err = check_path(rt, path);
	if (err)
		return err;

	struct xbpf_pin pin = { 0 };
	pthread_mutex_lock(&rt->lock);
	size_t pos = pin_lower_bound(rt, path);
	if (pin_at(rt, pos, path)) {
		pin = rt->pins[pos];
		memmove(&rt->pins[pos], &rt->pins[pos + 1], (rt->n_pins - pos - 1) * sizeof(rt->pins[0]));
		rt->n_pins--;
	} else {
		err = -ENOENT;
	}
	pthread_mutex_unlock(&rt->lock);
	if (!err) {
		free(pin.path);
		xbpf_obj_put_user(pin.obj);
	}
	return err;
}

int xbpf_pinned_kind(struct xbpf_runtime *rt, const char *path)
{
	int err = check_path(rt, path);
	if (err)
		return err;

	pthread_mutex_lock(&rt->lock);
	size_t pos = pin_lower_bound(rt, path);
	int kind = pin_at(rt, pos, path) ? (int)rt->pins[pos].obj->kind : -ENOENT;
	pthread_mutex_unlock(&rt->lock);
	return kind;
}

/* Is path under prefix? "" holds everything; "a" holds "a" and "a/...";
 * a trailing '/' in prefix means the same as none. */
static bool under_prefix(const char *path, const char *prefix, size_t len)
{
	return len == 0 ||
	       (strncmp(path, prefix, len) == 0 && (path[len] == '\0' || path[len] == '/'));
}

int xbpf_pin_foreach(struct xbpf_runtime *rt, const char *prefix,
		     int (*fn)(void *user, const char *path, enum xbpf_object_kind kind, uint32_t id),
		     void *user)
{
	if (!prefix)
		prefix = "";
	size_t len = strnlen(prefix, XBPF_PIN_PATH_LEN);
	if (len == XBPF_PIN_PATH_LEN || !fn)
		return -EINVAL;
	while (len > 0 && prefix[len - 1] == '/')
		len--;

	/* Walk by path rather than by index: fn may pin and unpin, which
	 * shifts the array. Each step finds the first path after the last
	 * one seen. */
	char last[XBPF_PIN_PATH_LEN];
	bool started = false;
	for (;;) {
		char path[XBPF_PIN_PATH_LEN];
		enum xbpf_object_kind kind;
		uint32_t id;
		bool found = false;

		pthread_mutex_lock(&rt->lock);
		size_t pos = started ? pin_lower_bound(rt, last) : 0;
		if (started && pin_at(rt, pos, last))
			pos++;
		for (; pos < rt->n_pins; pos++) {
			if (under_prefix(rt->pins[pos].path, prefix, len)) {
				strcpy(path, rt->pins[pos].path);
				kind = rt->pins[pos].obj->kind;
				id = rt->pins[pos].obj->id;
				found = true;
				break;
			}
		}
		pthread_mutex_unlock(&rt->lock);
		if (!found)
			return 0;

		int ret = fn(user, path, kind, id);
		if (ret)
			return ret;
		strcpy(last, path);
		started = true;
	}
}

void xbpf_pins_release_all(struct xbpf_runtime *rt)
{
	pthread_mutex_lock(&rt->lock);
	struct xbpf_pin *pins = rt->pins;
	size_t n = rt->n_pins;
	rt->pins = NULL;
	rt->n_pins = rt->cap_pins = 0;
	pthread_mutex_unlock(&rt->lock);

	for (size_t i = 0; i < n; i++) {
		free(pins[i].path);
		xbpf_obj_put_user(pins[i].obj);
	}
	free(pins);
}
