/* SPDX-License-Identifier: MIT */
/* Diagnostics sink: formats a message and appends it to the log buffer and/or
 * hands it to the callback. */
#include <stdio.h>
#include <string.h>

#include "loader/diag.h"

static void log_append(struct xbpf_log_buf *log, const char *msg)
{
	size_t len = strlen(msg);
	size_t room;

	if (!log->buf || log->size == 0 || log->truncated)
		return;
	/* One byte for the newline, one for the NUL. */
	room = log->size - 1 - log->len;
	if (len + 1 > room) {
		memcpy(log->buf + log->len, msg, room);
		log->len += room;
		log->truncated = true;
	} else {
		memcpy(log->buf + log->len, msg, len);
		log->buf[log->len + len] = '\n';
		log->len += len + 1;
	}
	log->buf[log->len] = '\0';
}

void xbpf_diag_vreport(struct xbpf_diag *diag, enum xbpf_log_level level, const char *fmt,
		       va_list ap)
{
	char msg[XBPF_DIAG_MSG_LEN];

	if (!diag)
		return;
	if (level == XBPF_LOG_ERROR)
		diag->errors++;
	if (level > diag->level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (diag->log)
		log_append(diag->log, msg);
	if (diag->fn)
		diag->fn(diag->user, level, msg);
}

void xbpf_diag_report(struct xbpf_diag *diag, enum xbpf_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xbpf_diag_vreport(diag, level, fmt, ap);
	va_end(ap);
}
