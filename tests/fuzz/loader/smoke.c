/* SPDX-License-Identifier: MIT */
/*
 * Smoke fuzzer of the loader, run by ctest: mutates the compiled test
 * objects given on the command line (bit flips, interesting values written
 * over ELF headers, section headers, symbols, relocations, BTF and code,
 * truncations, byte insertions) and parses each mutant, for a bounded time
 * and number of inputs. Run under ASan/UBSan in CI.
 *
 *   smoke [-s SECONDS] [-n MAX_INPUTS] [-r SEED] object.o...
 *
 * Deterministic for a seed, bar the time bound. When an input crashes the
 * process, it is written to loader-fuzz-crash.o in the working directory
 * first, so that it can be replayed with the libFuzzer target or a test.
 */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "fuzz_loader.h"

struct seed {
	uint8_t *data;
	size_t size;
	/* Byte ranges worth mutating: the headers, then each section. */
	struct {
		size_t start, len;
	} regions[256];
	size_t n_regions;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: quick, and reproducible from the seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

/* The input being parsed, for the crash handler. */
static const uint8_t *current;
static size_t current_size;

static void save_crash(int sig)
{
	int fd = open("loader-fuzz-crash.o", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		ssize_t ignored = write(fd, current, current_size);

		(void)ignored;
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_region(struct seed *s, uint64_t start, uint64_t len)
{
	if (s->n_regions < sizeof(s->regions) / sizeof(s->regions[0]) && start < s->size && len > 0) {
		s->regions[s->n_regions].start = (size_t)start;
		s->regions[s->n_regions].len =
			(size_t)(len < s->size - start ? len : s->size - start);
		s->n_regions++;
	}
}

static int load_seed(const char *path, struct seed *s)
{
	FILE *fp = fopen(path, "rb");
	const Elf64_Ehdr *eh;
	long n;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!fp || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) <= (long)sizeof(*eh)) {
		fprintf(stderr, "smoke: cannot read %s\n", path);
		if (fp)
			fclose(fp);
		return -1;
	}
	rewind(fp);
	s->size = (size_t)n;
	s->data = malloc(s->size);
	if (!s->data || fread(s->data, 1, s->size, fp) != s->size) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	eh = (const Elf64_Ehdr *)s->data;
	add_region(s, 0, sizeof(*eh));
	add_region(s, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr));
	for (i = 1; i < eh->e_shnum && eh->e_shoff + (i + 1) * sizeof(Elf64_Shdr) <= s->size; i++) {
		const Elf64_Shdr *sh = (const Elf64_Shdr *)(s->data + eh->e_shoff) + i;

		if (sh->sh_type != SHT_NOBITS)
			add_region(s, sh->sh_offset, sh->sh_size);
	}
	return 0;
}

static const uint32_t interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 10, 16, 24, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffe, 0xffffffff,
};

/* Applies one mutation to buf (of *size bytes, room for cap). */
static void mutate(const struct seed *s, uint8_t *buf, size_t *size, size_t cap)
{
	size_t r = below(s->n_regions);
	size_t at = s->regions[r].start + below(s->regions[r].len);
	uint32_t v = interesting[below(sizeof(interesting) / sizeof(interesting[0]))];
	size_t n;

	if (at >= *size)
		at = below(*size);
	switch (below(7)) {
	case 0: /* flip a bit */
		buf[at] ^= (uint8_t)(1u << below(8));
		break;
	case 1: /* an interesting byte */
		buf[at] = (uint8_t)v;
		break;
	case 2: /* an interesting 16-bit or 32-bit value, at an aligned spot */
		at &= ~(size_t)1;
		n = below(2) ? 4 : 2;
		if (at + n <= *size)
			memcpy(buf + at, &v, n);
		break;
	case 3: /* a small change of a 32-bit field (an index, an offset) */
		at &= ~(size_t)3;
		if (at + 4 <= *size) {
			uint32_t x;

			memcpy(&x, buf + at, 4);
			x += (uint32_t)below(33) - 16;
			memcpy(buf + at, &x, 4);
		}
		break;
	case 4: /* truncate */
		*size = below(*size + 1);
		break;
	case 5: /* insert bytes */
		n = 1 + below(16);
		if (*size + n <= cap && at <= *size) {
			memmove(buf + at + n, buf + at, *size - at);
			for (size_t i = 0; i < n; i++)
				buf[at + i] = (uint8_t)rng();
			*size += n;
		}
		break;
	default: /* random bytes */
		n = 1 + below(8);
		for (size_t i = 0; i < n && at + i < *size; i++)
			buf[at + i] = (uint8_t)rng();
		break;
	}
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = 3, start;
	unsigned long max_inputs = 200000, inputs = 0, accepted = 0;
	uint64_t seed_value = 0x5eedf00dULL;
	struct seed seeds[16];
	size_t n_seeds = 0, cap = 0, i;
	uint8_t *buf;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:r:")) != -1) {
		switch (opt) {
		case 's':
			seconds = atof(optarg);
			break;
		case 'n':
			max_inputs = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			seed_value = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-s SECONDS] [-n MAX_INPUTS] [-r SEED] object.o...\n",
				argv[0]);
			return 2;
		}
	}
	for (; optind < argc && n_seeds < sizeof(seeds) / sizeof(seeds[0]); optind++) {
		if (load_seed(argv[optind], &seeds[n_seeds]) != 0)
			return 1;
		if (seeds[n_seeds].size + 256 > cap)
			cap = seeds[n_seeds].size + 256;
		n_seeds++;
	}
	if (n_seeds == 0) {
		fprintf(stderr, "smoke: no seed objects given\n");
		return 2;
	}
	buf = malloc(cap);
	if (!buf)
		return 1;
	libbpf_set_print(silent);
	signal(SIGABRT, save_crash);
	signal(SIGSEGV, save_crash);
	rng_state = seed_value ? seed_value : 1;

	/* The seeds themselves must be accepted. */
	for (i = 0; i < n_seeds; i++) {
		current = seeds[i].data;
		current_size = seeds[i].size;
		if (xbpf_fuzz_loader_one(seeds[i].data, seeds[i].size) != 0) {
			fprintf(stderr, "smoke: seed %zu is refused\n", i);
			return 1;
		}
	}
	start = now();
	while (inputs < max_inputs && (inputs % 64 != 0 || now() - start < seconds)) {
		const struct seed *s = &seeds[below(n_seeds)];
		size_t size = s->size, k, n = 1 + below(4);

		memcpy(buf, s->data, size);
		for (k = 0; k < n; k++)
			mutate(s, buf, &size, cap);
		current = buf;
		current_size = size;
		accepted += xbpf_fuzz_loader_one(buf, size) == 0;
		inputs++;
	}
	printf("loader fuzz smoke: %lu inputs from %zu objects in %.1f s (seed 0x%llx): %lu "
	       "accepted, %lu refused with a message\n",
	       inputs, n_seeds, now() - start, (unsigned long long)seed_value, accepted,
	       inputs - accepted);
	for (i = 0; i < n_seeds; i++)
		free(seeds[i].data);
	free(buf);
	return 0;
}
