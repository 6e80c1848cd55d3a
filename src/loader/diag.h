/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics sink: where the messages of one operation (parsing an object,
 * say) go. A sink collects them into a caller's struct xbpf_log_buf (each
 * message ended by a newline, cut with `truncated` set when the buffer is
 * full) and/or hands each to a callback, as the runtime's log does.
 *
 *   char text[4096];
 *   struct xbpf_log_buf log = {.buf = text, .size = sizeof(text)};
 *   struct xbpf_diag diag = {.log = &log, .level = XBPF_LOG_WARN};
 *
 * A NULL sink is allowed everywhere and drops messages.
 */
#ifndef XBPF_LOADER_DIAG_H
#define XBPF_LOADER_DIAG_H

#include <stdarg.h>

#include <xbpf/xbpf.h>

/* Longest message kept, terminating NUL included; longer ones are cut. */
#define XBPF_DIAG_MSG_LEN 1024

struct xbpf_diag {
	struct xbpf_log_buf *log; /* may be NULL */
	xbpf_log_fn fn;           /* may be NULL */
	void *user;               /* passed to fn */
	/* Messages above this level are dropped. Zero-initialised, only
	 * errors are kept. */
	enum xbpf_log_level level;
	unsigned errors; /* error messages reported so far */
};

void xbpf_diag_report(struct xbpf_diag *diag, enum xbpf_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xbpf_diag_vreport(struct xbpf_diag *diag, enum xbpf_log_level level, const char *fmt,
		       va_list ap) __attribute__((format(printf, 3, 0)));

#endif /* XBPF_LOADER_DIAG_H */
