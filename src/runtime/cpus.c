/* SPDX-License-Identifier: MIT */
/*
 * Possible CPUs, as Linux counts them for per-CPU maps: the number of CPUs
 * in /sys/devices/system/cpu/possible ("0-3,8-11"), so that per-CPU values
 * have the same shape as the kernel's.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "xbpf/xbpf.h"

/* Number of CPUs in a list like "0-3,5"; 0 when it does not parse. */
static unsigned count_cpu_list(const char *s)
{
	unsigned count = 0;
	while (*s && *s != '\n') {
		char *end;
		unsigned long first = strtoul(s, &end, 10), last = first;
		if (end == s)
			return 0;
		s = end;
		if (*s == '-') {
			last = strtoul(s + 1, &end, 10);
			if (end == s + 1 || last < first)
				return 0;
			s = end;
		}
		count += (unsigned)(last - first + 1);
		if (*s == ',')
			s++;
		else if (*s && *s != '\n' && !isspace((unsigned char)*s))
			return 0;
	}
	return count;
}

static unsigned possible_cpus;
static pthread_once_t possible_once = PTHREAD_ONCE_INIT;

static void read_possible(void)
{
	char buf[4096];
	unsigned n = 0;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			n = count_cpu_list(buf);
		fclose(f);
	}
	if (n == 0) {
		long conf = sysconf(_SC_NPROCESSORS_CONF);
		n = conf > 0 ? (unsigned)conf : 1;
	}
	possible_cpus = n;
}

unsigned xbpf_num_possible_cpus(void)
{
	pthread_once(&possible_once, read_possible);
	return possible_cpus;
}
