/* SPDX-License-Identifier: MIT */
/* The worker threads of the xdp hooks. */
#ifndef XBPF_EXT_XDP_HOOK_THREAD_H
#define XBPF_EXT_XDP_HOOK_THREAD_H

#include <pthread.h>

/* Starts fn(arg) on a new thread with every signal blocked, so that the
 * host's signals (Ctrl-C in the CLI) go to the host's own threads. */
int hook_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif /* XBPF_EXT_XDP_HOOK_THREAD_H */
