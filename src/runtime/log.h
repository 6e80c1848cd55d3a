/* SPDX-License-Identifier: MIT */
/*
 * Logging for every layer.
 *
 * xbpf_log() sends one message to the runtime's callback (see
 * xbpf_runtime_set_log) and, when the calling thread is inside a capture,
 * to the capture's buffer too: an operation that reports to a caller's
 * struct xbpf_log_buf (a load, say) opens a capture around its work, and
 * everything logged underneath it on that thread, by any layer, lands in
 * the buffer.
 */
#ifndef XBPF_RUNTIME_LOG_H
#define XBPF_RUNTIME_LOG_H

#include "xbpf/xbpf.h"

#include <stdarg.h>

/* rt may be NULL: then only the capture (if any) receives the message. */
void xbpf_log(struct xbpf_runtime *rt, enum xbpf_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xbpf_vlog(struct xbpf_runtime *rt, enum xbpf_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

struct xbpf_log_capture {
	struct xbpf_log_buf *buf;
	enum xbpf_log_level max_level;
	struct xbpf_log_capture *outer;
};

/* Collect this thread's messages at max_level and below into buf (which
 * may be NULL: nothing collected) until xbpf_log_capture_end. Captures
 * nest: the innermost one receives the messages. */
void xbpf_log_capture_begin(struct xbpf_log_capture *cap, struct xbpf_log_buf *buf,
			    enum xbpf_log_level max_level);
void xbpf_log_capture_end(struct xbpf_log_capture *cap);

/* Append one message and its newline to buf, cutting at the end when full. */
void xbpf_log_buf_append(struct xbpf_log_buf *buf, const char *msg);

#endif /* XBPF_RUNTIME_LOG_H */
