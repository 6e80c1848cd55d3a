/* SPDX-License-Identifier: MIT */
/*
 * The calling thread and its process: bpf_get_current_pid_tgid,
 * bpf_get_current_uid_gid, bpf_get_current_comm.
 *
 * Linux's "pid" is our thread id and its "tgid" our process id. Both are
 * kept per thread after the first call (tracing programs ask on every
 * event); a fork forgets them in the child, the only thread there.
 */
#define _GNU_SOURCE /* gettid */
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helpers/core.h"

/* Linux's TASK_COMM_LEN: thread names are at most 15 bytes and a NUL. */
#define COMM_LEN 16

static __thread uint64_t pid_tgid;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_ids(void)
{
	pid_tgid = 0;
}

static void register_atfork(void)
{
	/* Only fails without memory: then the child keeps stale ids. */
	(void)pthread_atfork(NULL, NULL, forget_ids);
}

static uint64_t get_current_pid_tgid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				     struct xbpf_exec *exec)
{
	if (__builtin_expect(!pid_tgid, 0)) {
		pthread_once(&atfork_once, register_atfork);
		pid_tgid = (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)gettid();
	}
	return pid_tgid;
}

static uint64_t get_current_uid_gid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				    struct xbpf_exec *exec)
{
	return (uint64_t)(uint32_t)getgid() << 32 | (uint32_t)getuid();
}

/* The thread's name into buf, truncated and NUL-terminated, the rest of buf
 * zeroed (Linux's strscpy_pad). */
static uint64_t get_current_comm(uint64_t buf, uint64_t size_of_buf, uint64_t r3, uint64_t r4, uint64_t r5,
				 struct xbpf_exec *exec)
{
	char *out = (char *)(uintptr_t)buf;
	uint32_t size = (uint32_t)size_of_buf;
	char comm[COMM_LEN] = "";
	size_t len;

	/* PR_GET_NAME cannot fail for the calling thread. */
	(void)prctl(PR_GET_NAME, comm);
	len = strnlen(comm, sizeof(comm) - 1);
	if (len > size - 1)
		len = size - 1;
	memcpy(out, comm, len);
	memset(out + len, 0, size - len);
	return 0;
}

const struct xbpf_helper xbpf_core_get_current_pid_tgid = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_get_current_pid_tgid",
	.id = BPF_FUNC_get_current_pid_tgid,
	.fn = get_current_pid_tgid,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
};

const struct xbpf_helper xbpf_core_get_current_uid_gid = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_get_current_uid_gid",
	.id = BPF_FUNC_get_current_uid_gid,
	.fn = get_current_uid_gid,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
};

/* The gate guarantees size > 0 writable bytes (ARG_CONST_SIZE). */
const struct xbpf_helper xbpf_core_get_current_comm = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_get_current_comm",
	.id = BPF_FUNC_get_current_comm,
	.fn = get_current_comm,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_PTR_TO_UNINIT_MEM, XBPF_ARG_CONST_SIZE},
	.arg_width = {8, 4},
};
