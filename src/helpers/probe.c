/* SPDX-License-Identifier: MIT */
/*
 * bpf_probe_read_user and bpf_probe_read_user_str: read any address of the
 * process ("user memory") without faulting. The kernel copies from the
 * address space for us (process_vm_readv on our own pid), which fails
 * with EFAULT instead of a signal where nothing is mapped. As in Linux, a
 * failed read zeroes the whole destination and returns -EFAULT.
 */
#define _GNU_SOURCE /* process_vm_readv */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "helpers/core.h"

/* Strings are read in pieces that never cross a page (a readable string
 * may end just before an unmapped page) and never reach past a piece's
 * NUL into the destination. */
#define STR_PIECE 256

static bool read_user(void *dst, uintptr_t src, size_t size)
{
	struct iovec local = {dst, size};
	struct iovec remote = {(void *)src, size};

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)size;
}

static uint64_t probe_read_user(uint64_t dst, uint64_t size, uint64_t unsafe_ptr, uint64_t r4, uint64_t r5,
				struct xbpf_exec *exec)
{
	void *out = (void *)(uintptr_t)dst;
	uint32_t n = (uint32_t)size;

	if (n == 0 || read_user(out, unsafe_ptr, n))
		return 0;
	memset(out, 0, n);
	return XBPF_HELPER_ERR(-EFAULT);
}

/* Copies the string at unsafe_ptr with its NUL, at most size bytes (then
 * the last is made a NUL); returns the bytes written, NUL included (Linux's
 * strncpy_from_user_nofault). Bytes after the NUL stay as they were. */
static uint64_t probe_read_user_str(uint64_t dst, uint64_t size, uint64_t unsafe_ptr, uint64_t r4, uint64_t r5,
				    struct xbpf_exec *exec)
{
	char *out = (char *)(uintptr_t)dst;
	uint32_t n = (uint32_t)size;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t done = 0;

	while (done < n) {
		char piece[STR_PIECE];
		uintptr_t src = (uintptr_t)unsafe_ptr + done;
		size_t len = n - done;
		const char *nul;

		if (len > sizeof(piece))
			len = sizeof(piece);
		if (len > page - src % page)
			len = page - src % page;
		if (src < (uintptr_t)unsafe_ptr || !read_user(piece, src, len)) {
			memset(out, 0, n);
			return XBPF_HELPER_ERR(-EFAULT);
		}
		nul = memchr(piece, 0, len);
		if (nul) {
			memcpy(out + done, piece, (size_t)(nul - piece) + 1);
			return done + (size_t)(nul - piece) + 1;
		}
		memcpy(out + done, piece, len);
		done += len;
	}
	if (n)
		out[n - 1] = '\0';
	return n;
}

const struct xbpf_helper xbpf_core_probe_read_user = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_probe_read_user",
	.id = BPF_FUNC_probe_read_user,
	.flags = XBPF_HELPER_GPL_ONLY,
	.fn = probe_read_user,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_PTR_TO_UNINIT_MEM, XBPF_ARG_CONST_SIZE_OR_ZERO, XBPF_ARG_ANYTHING},
	.arg_width = {8, 4, 8},
};

const struct xbpf_helper xbpf_core_probe_read_user_str = {
	.hdr = XBPF_CORE_HELPER_HDR,
	.name = "bpf_probe_read_user_str",
	.id = BPF_FUNC_probe_read_user_str,
	.flags = XBPF_HELPER_GPL_ONLY,
	.fn = probe_read_user_str,
	.ret = XBPF_RET_INTEGER,
	.ret_width = 8,
	.args = {XBPF_ARG_PTR_TO_UNINIT_MEM, XBPF_ARG_CONST_SIZE_OR_ZERO, XBPF_ARG_ANYTHING},
	.arg_width = {8, 4, 8},
};
