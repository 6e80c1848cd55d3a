/* SPDX-License-Identifier: MIT */
/* Diagnostics sink: formats a message and appends it to the log buffer and/or
 * hands it to the callback. */
#include <stdio.h>
#include <string.h>

#include "loader/diag.h"
#include "runtime/log.h"

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
		xbpf_log_buf_append(diag->log, msg);
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
