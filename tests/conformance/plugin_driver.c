/* SPDX-License-Identifier: MIT */
/*
 * Drives `xbpf exec` as the upstream bpf_conformance runner drives a plugin
 * (corpus README, section 3): for every test, the program as hex text on
 * standard input, the memory as the first argument in upstream's exact
 * format ("aa  bb  "), then the answer judged as upstream judges it: exit
 * status, stdout parsed with strtoull(..., 16), compared as 64 bits.
 *
 * Stricter than upstream where upstream is lax: on success stdout must hold
 * the value and nothing else; a test that expects an error (the
 * negative/unused-*.data files, whose error sections are empty) must exit
 * non-zero with one line on stderr and nothing on stdout.
 *
 * Usage: conformance_plugin_driver XBPF [CORPUS_DIR]
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "corpus.h"

/* Bytes as upstream writes them: two lower-case hex digits and two spaces each. */
static char *hex_text(const uint8_t *bytes, size_t n, bool newline)
{
	char *s = malloc(n * 4 + 2);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		snprintf(s + i * 4, 5, "%02x  ", bytes[i]);
	strcpy(s + n * 4, newline ? "\n" : "");
	return s;
}

struct buffer {
	char *data;
	size_t len, cap;
};

static int buffer_read(struct buffer *b, int fd)
{
	if (b->cap - b->len < 4096) {
		size_t cap = b->cap ? b->cap * 2 : 8192;
		char *p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	b->len += (size_t)n;
	b->data[b->len] = '\0';
	return n == 0 ? 1 : 0; /* 1: end of file */
}

struct answer {
	int status; /* exit status, or -1 when it did not exit normally */
	struct buffer out, err;
};

/* Runs argv with input on stdin; collects stdout, stderr and the status. */
static int run_plugin(char *const argv[], const char *input, struct answer *a)
{
	int in[2], out[2], err[2];
	memset(a, 0, sizeof(*a));
	if (pipe(in) || pipe(out) || pipe(err))
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]), close(out[1]), close(err[1]);

	size_t to_write = strlen(input);
	struct pollfd fds[3] = {{.fd = in[1], .events = POLLOUT},
				{.fd = out[0], .events = POLLIN},
				{.fd = err[0], .events = POLLIN}};
	int rc = 0;
	if (to_write == 0) {
		close(in[1]);
		fds[0].fd = -1;
	}
	while (rc == 0 && (fds[0].fd >= 0 || fds[1].fd >= 0 || fds[2].fd >= 0)) {
		if (poll(fds, 3, -1) < 0) {
			rc = errno == EINTR ? 0 : -errno;
			continue;
		}
		if (fds[0].fd >= 0 && fds[0].revents) {
			ssize_t n = (fds[0].revents & POLLOUT) ? write(in[1], input, to_write) : -1;
			if (n > 0) {
				input += n;
				to_write -= (size_t)n;
			}
			if (n < 0 || to_write == 0) {
				close(in[1]);
				fds[0].fd = -1;
			}
		}
		for (int i = 1; i < 3 && rc >= 0; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			rc = buffer_read(i == 1 ? &a->out : &a->err, fds[i].fd);
			if (rc == 1) {
				close(fds[i].fd);
				fds[i].fd = -1;
				rc = 0;
			}
		}
	}
	for (int i = 0; i < 3; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	int wstatus;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	a->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	return rc;
}

static void answer_free(struct answer *a)
{
	free(a->out.data);
	free(a->err.data);
}

static const char *text_of(const struct buffer *b)
{
	return b->data ? b->data : "";
}

/* Upstream removes one trailing newline from each stream. */
static void chomp(struct buffer *b)
{
	if (b->len && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
}

enum verdict { PASS, FAIL, ERROR };

static enum verdict judge(const struct test_case *tc, struct answer *a, char *why, size_t size)
{
	chomp(&a->out);
	chomp(&a->err);
	const char *out = text_of(&a->out), *err = text_of(&a->err);
	if (tc->df.has_error) {
		if (a->status == 0) {
			snprintf(why, size, "expected a failure, got exit 0 and '%s'", out);
			return FAIL;
		}
		if (*out || !*err || strchr(err, '\n')) {
			snprintf(why, size, "a failure must be one line on stderr only; stdout '%s', "
					    "stderr '%s'", out, err);
			return FAIL;
		}
		snprintf(why, size, "failed as expected: %s", err);
		return PASS;
	}
	if (a->status != 0) {
		snprintf(why, size, "plugin returned error code %d and output '%s'", a->status,
			 *out ? out : err);
		return ERROR;
	}
	char *end;
	errno = 0;
	uint64_t r0 = strtoull(out, &end, 16);
	if (end == out || errno) {
		snprintf(why, size, "no hex number in the output '%s'", out);
		return ERROR;
	}
	if (*end != '\0') {
		snprintf(why, size, "output '%s' has more than the value", out);
		return FAIL;
	}
	if (r0 != tc->df.result) {
		snprintf(why, size, "expected 0x%" PRIx64 ", got 0x%" PRIx64, tc->df.result, r0);
		return FAIL;
	}
	why[0] = '\0';
	return PASS;
}

static enum verdict run_test(const char *xbpf, const struct test_case *tc, char *why, size_t size)
{
	char *program = hex_text((const uint8_t *)tc->insns, tc->count * sizeof(*tc->insns), true);
	char *memory = tc->df.mem_len ? hex_text(tc->df.mem, tc->df.mem_len, false) : NULL;
	if (!program || (tc->df.mem_len && !memory)) {
		free(program);
		free(memory);
		snprintf(why, size, "out of memory");
		return ERROR;
	}
	char *argv[] = {(char *)xbpf, "exec", memory, NULL};
	struct answer a;
	int rc = run_plugin(argv, program, &a);
	enum verdict v;
	if (rc) {
		snprintf(why, size, "cannot run %s: %s", xbpf, strerror(-rc));
		v = ERROR;
	} else {
		v = judge(tc, &a, why, size);
	}
	answer_free(&a);
	free(program);
	free(memory);
	return v;
}

/* Runs the tests of dir; only_prefix, when set, limits them to files whose
 * name starts with it. Adds to *passed and *counted. */
static int run_dir(const char *xbpf, const char *dir, const char *label, const char *only_prefix,
		   size_t *passed, size_t *counted)
{
	static const char *const names[] = {"PASS", "FAIL", "ERROR"};
	char **paths;
	size_t n;
	int rc = corpus_list(dir, &paths, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *name = corpus_base_name(paths[i]);
		if (only_prefix && strncmp(name, only_prefix, strlen(only_prefix)) != 0)
			continue;
		struct test_case tc;
		char why[512];
		enum case_status status = test_case_load(paths[i], &tc);
		if (status == CASE_SKIP) {
			printf("SKIP: %s%s: %s\n", label, name, tc.why);
			test_case_free(&tc);
			continue;
		}
		enum verdict v = ERROR;
		if (status == CASE_READY)
			v = run_test(xbpf, &tc, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "%s", tc.why);
		printf("%s: %s%s%s%s\n", names[v], label, name, *why ? ": " : "", why);
		*passed += v == PASS;
		(*counted)++;
		test_case_free(&tc);
	}
	corpus_list_free(paths, n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s XBPF [CORPUS_DIR]\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* a plugin that exits early must not kill the driver */
	const char *dir = argc == 3 ? argv[2] : corpus_dir();
	size_t passed = 0, counted = 0;
	int rc = run_dir(argv[1], dir, "", NULL, &passed, &counted);
	if (rc == -ENOENT) {
		printf("SKIP: no conformance corpus at %s (set XBPF_CONFORMANCE_DIR to its "
		       "bpf_conformance folder)\n", dir);
		return CORPUS_EXIT_SKIP;
	}
	if (rc) {
		printf("ERROR: %s: %s\n", dir, strerror(-rc));
		return 1;
	}
	size_t main_passed = passed, main_counted = counted;
	char negative[4096];
	snprintf(negative, sizeof(negative), "%s/negative", dir);
	rc = run_dir(argv[1], negative, "negative/", "unused-", &passed, &counted);
	if (rc && rc != -ENOENT) {
		printf("ERROR: %s: %s\n", negative, strerror(-rc));
		return 1;
	}
	printf("Passed %zu out of %zu tests (corpus: %zu of %zu; negative/unused-*: %zu of %zu).\n",
	       passed, counted, main_passed, main_counted, passed - main_passed,
	       counted - main_counted);
	return passed == counted && main_counted > 0 ? 0 : 1;
}
