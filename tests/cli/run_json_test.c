/* SPDX-License-Identifier: MIT */
/*
 * `xbpf run --json` against the kernel: for a few programs of the
 * differential test (tests/diff) with maps of several kinds, runs the CLI
 * as a subprocess over the differential frames (the host's initial map
 * elements given as --set options), reads its JSON output back into the
 * differential test's result form and compares it with what the kernel gave
 * for the same object, elements and frames: return values, output frames
 * and every map's entries.
 *
 * Usage: run_json_test XBPF OBJECT_DIR
 * Exit status: 0 when all agreed, 1 on a difference or an error, 77 when the
 * kernel cannot run XDP programs here or refused every program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compare.h"
#include "json.h"
#include "kernel_runner.h"
#include "packets.h"
#include "programs.h"
#include "result.h"

#define EXIT_SKIP 77
#define ETH_HLEN 14

/* The programs checked: LPM tries written with --set, per-CPU arrays, global
 * data, hash maps, queue and stack, LRU hash. (PROG_ARRAY values are ids,
 * which differ between runtimes: the tail call program is left to
 * tests/diff.) */
static const char *const checked[] = {"xdp_lpm_fw", "xdp_ttl", "xdp_globals", "xdp_parse",
				      "xdp_history"};

/* Linux's map type numbers of the CLI's type names. */
static const struct {
	const char *name;
	uint32_t type;
} types[] = {
	{"hash", 1},          {"array", 2},           {"prog_array", 3},  {"percpu_hash", 5},
	{"percpu_array", 6},  {"lru_hash", 9},        {"lru_percpu_hash", 10},
	{"lpm_trie", 11},     {"queue", 22},          {"stack", 23},      {"ringbuf", 27},
	{"bloom_filter", 30},
};

static const struct diff_program *find_program(const char *name)
{
	for (size_t i = 0; i < diff_n_programs; i++)
		if (strcmp(diff_programs[i].name, name) == 0)
			return &diff_programs[i];
	return NULL;
}

static void hex_of(char *out, const void *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", ((const uint8_t *)bytes)[i]);
}

/* Hex text into exactly n bytes; false when it is not that. */
static bool bytes_of(const char *hex, uint8_t *out, size_t n)
{
	if (strlen(hex) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned b;
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return false;
		out[i] = (uint8_t)b;
	}
	return true;
}

/* Runs argv with standard output into out_path; returns the exit status. */
static int run_cli(char **argv, const char *out_path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The CLI's JSON into a diff_result, with the map sizes the kernel's result
 * gives (the JSON has none). false with the reason printed. */
static bool from_json(const char *name, const struct json *j, const struct diff_result *kernel,
		      size_t n_frames, struct diff_result *out)
{
	const struct json *prog = json_member(j, "program"), *runs = json_member(j, "runs");
	const struct json *maps = json_member(j, "maps"), *engine = json_member(j, "engine");
	if (!prog || prog->kind != JSON_STRING || strcmp(prog->string, name) != 0 || !engine ||
	    engine->kind != JSON_STRING || strcmp(engine->string, "interpreter") != 0 || !runs ||
	    runs->kind != JSON_ARRAY || runs->n != n_frames || !maps || maps->kind != JSON_OBJECT) {
		printf("FAIL %s: the JSON lacks program, engine, %zu runs or maps\n", name, n_frames);
		return false;
	}
	static uint8_t frame[DIFF_PACKET_MAX + 4096];
	for (size_t i = 0; i < runs->n; i++) {
		const struct json *r = &runs->items[i];
		const struct json *retval = json_member(r, "retval"), *data = json_member(r, "data_out");
		const struct json *dur = json_member(r, "duration_ns");
		size_t len = data && data->kind == JSON_STRING ? strlen(data->string) / 2 : 0;
		if (!retval || retval->kind != JSON_NUMBER || !dur || dur->kind != JSON_NUMBER ||
		    !data || data->kind != JSON_STRING || len > sizeof(frame) ||
		    !bytes_of(data->string, frame, len)) {
			printf("FAIL %s: run %zu of the JSON is malformed\n", name, i);
			return false;
		}
		if (diff_result_add_run(out, 0, (uint32_t)retval->number, frame, (uint32_t)len, NULL))
			return false;
	}
	for (size_t i = 0; i < maps->n; i++) {
		const struct json *m = &maps->items[i], *type = json_member(m, "type");
		const struct json *entries = json_member(m, "entries");
		struct diff_map *dm = diff_result_add_map(out, maps->keys[i], 0, 0, 0, 0);
		if (!dm)
			return false;
		const struct diff_map *km = diff_result_find_map(kernel, dm->name);
		if (!km) {
			printf("FAIL %s: map %s is not the kernel's\n", name, dm->name);
			return false;
		}
		for (size_t t = 0; type && type->kind == JSON_STRING && t < sizeof(types) / sizeof(types[0]); t++)
			if (strcmp(types[t].name, type->string) == 0)
				dm->type = types[t].type;
		dm->key_size = km->key_size;
		dm->value_size = km->value_size;
		dm->max_entries = km->max_entries;
		bool keyless = dm->type == 22 || dm->type == 23 || dm->type == 27 || dm->type == 30;
		if (keyless != (entries == NULL)) {
			printf("FAIL %s: map %s (%s) %s entries\n", name, dm->name,
			       type && type->kind == JSON_STRING ? type->string : "?",
			       keyless ? "has" : "lacks");
			return false;
		}
		for (size_t e = 0; entries && e < entries->n; e++) {
			const struct json *key = json_member(&entries->items[e], "key");
			const struct json *value = json_member(&entries->items[e], "value");
			const struct json *values = json_member(&entries->items[e], "values");
			uint8_t k[256], v[4096] = {0};
			bool ok = key && key->kind == JSON_STRING && dm->key_size <= sizeof(k) &&
				  bytes_of(key->string, k, dm->key_size) && dm->value_size <= sizeof(v);
			if (ok && value && value->kind == JSON_STRING) {
				ok = bytes_of(value->string, v, dm->value_size);
			} else if (ok && values && values->kind == JSON_ARRAY && values->n) {
				/* One slot per CPU, each padded to 8 bytes as Linux's lookups give. */
				size_t slot = dm->value_size / values->n;
				size_t size = values->items[0].kind == JSON_STRING
						      ? strlen(values->items[0].string) / 2 : 0;
				for (size_t c = 0; ok && c < values->n; c++)
					ok = values->items[c].kind == JSON_STRING && size <= slot &&
					     bytes_of(values->items[c].string, v + c * slot, size);
			} else {
				ok = false;
			}
			if (!ok) {
				printf("FAIL %s: entry %zu of map %s is malformed\n", name, e, dm->name);
				return false;
			}
			if (diff_map_add_entry(dm, k, v))
				return false;
		}
	}
	return true;
}

enum outcome { AGREED, SKIPPED, FAILED };

static enum outcome check(const char *xbpf, const char *dir, const char *tmp,
			  const struct diff_program *prog, const struct diff_packet *pkts,
			  size_t n_pkts)
{
	struct diff_result kernel = {0}, cli = {0};
	char path[4096], why[4096], out_path[4096];
	enum outcome outcome = FAILED;
	struct json j = {0};
	char *text = NULL;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, prog->object);
	int err = diff_kernel_run(path, prog, pkts, n_pkts, &kernel, why, sizeof(why));
	if (err == DIFF_REFUSED) {
		printf("SKIP %s: %s\n", prog->name, why);
		outcome = SKIPPED;
		goto out;
	}
	if (err) {
		printf("FAIL %s: kernel: %s\n", prog->name, why);
		goto out;
	}
	for (size_t i = 0; i < kernel.n_runs; i++) {
		if (kernel.runs[i].err) {
			printf("SKIP %s: the kernel refused frame %zu (%s)\n", prog->name, i,
			       pkts[i].kind);
			outcome = SKIPPED;
			goto out;
		}
	}
	/* The CLI prints no elements for maps without keys. */
	for (size_t i = 0; i < kernel.n_maps; i++) {
		uint32_t t = kernel.maps[i].type;
		if (t == 22 || t == 23 || t == 27 || t == 30) {
			for (size_t e = 0; e < kernel.maps[i].n_entries; e++) {
				free(kernel.maps[i].entries[e].key);
				free(kernel.maps[i].entries[e].value);
			}
			kernel.maps[i].n_entries = 0;
		}
	}

	/* xbpf run OBJ --program NAME --json --set ...  --data ... */
	size_t argc = 0, max = 8 + 2 * prog->n_init + 2 * n_pkts;
	char **argv = calloc(max, sizeof(*argv));
	char **owned = calloc(prog->n_init, sizeof(*owned));
	if (!argv || !owned) {
		free(argv);
		free(owned);
		goto out;
	}
	argv[argc++] = (char *)xbpf;
	argv[argc++] = "run";
	argv[argc++] = path;
	argv[argc++] = "--program";
	argv[argc++] = (char *)prog->name;
	argv[argc++] = "--json";
	for (size_t i = 0; i < prog->n_init; i++) {
		const struct diff_map_init *in = &prog->init[i];
		owned[i] = malloc(strlen(in->map) + 2 * (in->key_size + in->value_size) + 3);
		if (!owned[i])
			break;
		char *p = owned[i] + sprintf(owned[i], "%s:", in->map);
		hex_of(p, in->key, in->key_size);
		p += 2 * in->key_size;
		*p++ = '=';
		hex_of(p, in->value, in->value_size);
		argv[argc++] = "--set";
		argv[argc++] = owned[i];
	}
	char (*frames)[32] = calloc(n_pkts, sizeof(*frames));
	for (size_t i = 0; frames && i < n_pkts; i++) {
		snprintf(frames[i], sizeof(frames[i]), "%s/%zu", tmp, i);
		argv[argc++] = "--data";
		argv[argc++] = frames[i];
	}
	snprintf(out_path, sizeof(out_path), "%s/out.json", tmp);
	int status = frames ? run_cli(argv, out_path) : -ENOMEM;
	for (size_t i = 0; i < prog->n_init; i++)
		free(owned[i]);
	free(owned);
	free(argv);
	free(frames);
	if (status != 0) {
		printf("FAIL %s: xbpf run exited with status %d\n", prog->name, status);
		goto out;
	}
	FILE *f = fopen(out_path, "r");
	size_t len = 0;
	if (f) {
		fseek(f, 0, SEEK_END);
		len = (size_t)ftell(f);
		rewind(f);
		text = calloc(1, len + 1);
		if (text && fread(text, 1, len, f) != len)
			len = 0;
		fclose(f);
	}
	if (!text) {
		printf("FAIL %s: cannot read the output of xbpf run\n", prog->name);
		goto out;
	}
	if (json_parse(text, &j, why, sizeof(why))) {
		printf("FAIL %s: the output of xbpf run --json is no JSON: %s\n", prog->name, why);
		goto out;
	}
	if (!from_json(prog->name, &j, &kernel, n_pkts, &cli))
		goto out;
	diff_result_sort(&kernel);
	diff_result_sort(&cli);
	size_t found = diff_compare(prog->name, (struct diff_side){"kernel", &kernel},
				    (struct diff_side){"xbpf run --json", &cli}, pkts, stdout);
	if (found) {
		printf("FAIL %s: %zu differences between the kernel and xbpf run --json\n",
		       prog->name, found);
		goto out;
	}
	printf("%-14s xbpf run --json gives the kernel's %zu runs and %zu maps\n", prog->name,
	       kernel.n_runs, kernel.n_maps);
	outcome = AGREED;
out:
	json_free(&j);
	free(text);
	diff_result_free(&kernel);
	diff_result_free(&cli);
	return outcome;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s XBPF OBJECT_DIR\n", argv[0]);
		return 2;
	}
	char why[1024];
	if (diff_kernel_usable(why, sizeof(why))) {
		printf("SKIP: %s\n", why);
		return EXIT_SKIP;
	}
	if (diff_pin_to_one_cpu()) {
		printf("FAIL: cannot pin to one CPU\n");
		return 1;
	}
	struct diff_packet *all;
	size_t n_all, n = 0;
	if (diff_packets_generate(&all, &n_all))
		return 1;
	/* BPF_PROG_TEST_RUN refuses frames shorter than an Ethernet header, and
	 * `xbpf run` stops at a refused run: give both only the others. */
	for (size_t i = 0; i < n_all; i++)
		if (all[i].len >= ETH_HLEN)
			all[n++] = all[i];
	char tmp[] = "/tmp/xbpf_run_json.XXXXXX";
	if (!mkdtemp(tmp)) {
		printf("FAIL: mkdtemp: %s\n", strerror(errno));
		free(all);
		return 1;
	}
	int failed = 0, agreed = 0;
	char path[64];
	for (size_t i = 0; i < n && !failed; i++) {
		snprintf(path, sizeof(path), "%s/%zu", tmp, i);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(all[i].data, 1, all[i].len, f) != all[i].len) {
			printf("FAIL: cannot write %s\n", path);
			failed++;
		}
		if (f)
			fclose(f);
	}
	for (size_t i = 0; !failed && i < sizeof(checked) / sizeof(checked[0]); i++) {
		const struct diff_program *prog = find_program(checked[i]);
		if (!prog) {
			printf("FAIL: tests/diff has no program %s\n", checked[i]);
			failed++;
			continue;
		}
		switch (check(argv[1], argv[2], tmp, prog, all, n)) {
		case AGREED:
			agreed++;
			break;
		case FAILED:
			failed++;
			break;
		case SKIPPED:
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%zu", tmp, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/out.json", tmp);
	unlink(path);
	rmdir(tmp);
	free(all);
	if (failed)
		return 1;
	if (!agreed) {
		printf("SKIP: the kernel refused every program\n");
		return EXIT_SKIP;
	}
	return 0;
}
