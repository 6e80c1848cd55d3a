/* SPDX-License-Identifier: MIT */
/* Log messages to the runtime's callback and the thread's capture buffer. */
#include "runtime/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"

static __thread struct xbpf_log_capture *current_capture;

void xbpf_log_capture_begin(struct xbpf_log_capture *cap, struct xbpf_log_buf *buf,
			    enum xbpf_log_level max_level)
{
	cap->buf = buf;
	cap->max_level = max_level;
	cap->outer = current_capture;
	current_capture = cap;
}

void xbpf_log_capture_end(struct xbpf_log_capture *cap)
{
	current_capture = cap->outer;
}

void xbpf_log_buf_append(struct xbpf_log_buf *buf, const char *msg)
{
	if (!buf)
		return;
	if (!buf->buf || buf->size == 0) {
		buf->truncated = true;
		return;
	}
	if (buf->len >= buf->size)
		buf->len = buf->size - 1;
	size_t room = buf->size - 1 - buf->len;
	size_t n = strlen(msg);
	size_t take = n < room ? n : room;
	memcpy(buf->buf + buf->len, msg, take);
	buf->len += take;
	if (take < n || buf->len == buf->size - 1) {
		/* No room for the newline either. */
		buf->truncated = true;
	} else {
		buf->buf[buf->len++] = '\n';
	}
	buf->buf[buf->len] = '\0';
}

void xbpf_vlog(struct xbpf_runtime *rt, enum xbpf_log_level level, const char *fmt, va_list ap)
{
	struct xbpf_log_capture *cap = current_capture;
	bool to_capture = cap && cap->buf && level <= cap->max_level;
	bool to_callback = rt && (int)level <= atomic_load_explicit(&rt->log_max, memory_order_relaxed);
	if (!to_capture && !to_callback)
		return;

	char small[512];
	char *msg = small;
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		char *big = malloc((size_t)n + 1);
		if (big) {
			vsnprintf(big, (size_t)n + 1, fmt, ap);
			msg = big;
		}
	}
	if (to_capture)
		xbpf_log_buf_append(cap->buf, msg);
	if (to_callback) {
		pthread_mutex_lock(&rt->log_lock);
		if ((int)level <= atomic_load_explicit(&rt->log_max, memory_order_relaxed))
			rt->log_fn(rt->log_user, level, msg);
		pthread_mutex_unlock(&rt->log_lock);
	}
	if (msg != small)
		free(msg);
}

void xbpf_log(struct xbpf_runtime *rt, enum xbpf_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	xbpf_vlog(rt, level, fmt, ap);
	va_end(ap);
}
