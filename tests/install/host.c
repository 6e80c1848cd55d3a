/* SPDX-License-Identifier: MIT */
/*
 * A host built against an installed xbpf alone (pkg-config xbpf): it loads
 * an extension by path and runs a program of its type through the
 * extension's hook, then loads the shipped "xdp" extension by name and
 * prints where it was found.
 *
 *   host EXTENSION.so SAMPLE_PROG.bpf.o
 * Prints "fired R0" and "xdp PATH"; exits non-zero with a message on error.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <xbpf/xbpf.h>

typedef int (*fire_fn)(uint32_t id, void *data, uint32_t len, uint64_t *results, uint32_t max);

static void log_stderr(void *user, enum xbpf_log_level level, const char *msg)
{
	fprintf(stderr, "xbpf: %s\n", msg);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "host: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

int main(int argc, char **argv)
{
	struct xbpf_runtime *rt;
	struct xbpf_extension *sample, *xdp;
	struct xbpf_object *obj;
	struct xbpf_link *link;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: host EXTENSION.so SAMPLE_PROG.bpf.o\n");
		return 2;
	}
	if ((err = xbpf_runtime_create(&rt)))
		return fail("runtime", err);
	xbpf_runtime_set_log(rt, log_stderr, NULL, XBPF_LOG_WARN);
	if ((err = xbpf_extension_load(rt, argv[1], &sample)))
		return fail(argv[1], err);
	if ((err = xbpf_object_open_file(rt, argv[2], NULL, &obj)) || (err = xbpf_object_load(obj, NULL)))
		return fail(argv[2], err);
	struct xbpf_program *prog = xbpf_object_find_program(obj, "mix_event");
	if (!prog)
		return fail("mix_event", -2);
	if ((err = xbpf_program_attach(prog, "sample/manual", NULL, 0, &link)))
		return fail("attach", err);
	fire_fn fire = (fire_fn)xbpf_extension_symbol(sample, "sample_fire");
	if (!fire)
		return fail("sample_fire", -2);
	uint8_t event[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint64_t r0 = 0;
	if ((err = fire(5, event, sizeof(event), &r0, 1)) != 1)
		return fail("fire", err < 0 ? err : -5);
	printf("fired %llu\n", (unsigned long long)r0);

	if ((err = xbpf_extension_load(rt, "xdp", &xdp)))
		return fail("xdp", err);
	printf("xdp %s\n", xbpf_extension_path(xdp));

	xbpf_link_detach(link);
	xbpf_object_close(obj);
	xbpf_runtime_free(rt);
	return 0;
}
