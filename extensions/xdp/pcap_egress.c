/* SPDX-License-Identifier: MIT */
/* The xdp/pcap hook's per-interface output files (see pcap_egress.h). */
#include "pcap_egress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hook_params.h"

static int bad(const struct xdp_hook_env *env, const char *hook, const char *entry, size_t len,
	       const char *why)
{
	hook_log(env, XBPF_LOG_ERROR, "%s: redirect=: '%.*s': %s", hook, (int)len, entry, why);
	return -EINVAL;
}

/* One "IFINDEX:FILE" entry of len bytes into f (path copied to *dst). */
static int parse_entry(struct pcap_egress_file *f, char **dst, const struct xdp_hook_env *env,
		       const char *hook, const char *entry, size_t len)
{
	const char *colon = memchr(entry, ':', len);
	if (!colon || colon == entry || colon + 1 == entry + len)
		return bad(env, hook, entry, len, "want IFINDEX:FILE");
	uint64_t ifindex = 0;
	for (const char *c = entry; c < colon; c++) {
		if (*c < '0' || *c > '9' || ifindex > UINT32_MAX)
			return bad(env, hook, entry, len, "the interface index is not a number");
		ifindex = ifindex * 10 + (uint64_t)(*c - '0');
	}
	if (ifindex == 0 || ifindex > UINT32_MAX)
		return bad(env, hook, entry, len, "interface indexes go from 1 to 4294967295");
	size_t n = (size_t)(entry + len - colon - 1);
	f->ifindex = (uint32_t)ifindex;
	f->path = memcpy(*dst, colon + 1, n);
	(*dst)[n] = '\0';
	*dst += n + 1;
	return 0;
}

static int check_distinct(const struct pcap_egress *e, const struct xdp_hook_env *env,
			  const char *hook, const char *const *others)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct pcap_egress_file *f = &e->files[i];
		for (size_t j = 0; j < i; j++) {
			if (e->files[j].ifindex == f->ifindex) {
				hook_log(env, XBPF_LOG_ERROR, "%s: redirect=: ifindex %u is given twice",
					 hook, f->ifindex);
				return -EINVAL;
			}
			if (pcap_same_file(e->files[j].path, f->path)) {
				hook_log(env, XBPF_LOG_ERROR, "%s: redirect=: %s is given twice", hook,
					 f->path);
				return -EINVAL;
			}
		}
		for (size_t j = 0; others[j]; j++)
			if (pcap_same_file(others[j], f->path)) {
				hook_log(env, XBPF_LOG_ERROR,
					 "%s: redirect=: %s is also another file of the hook", hook,
					 f->path);
				return -EINVAL;
			}
	}
	return 0;
}

int pcap_egress_parse(struct pcap_egress *e, const struct xdp_hook_env *env, const char *hook,
		      const char *value, const char *const *others)
{
	*e = (struct pcap_egress){0};
	if (!value)
		return 0;
	size_t n = 1;
	for (const char *c = value; *c; c++)
		n += *c == ',';
	e->files = calloc(n, sizeof(*e->files));
	e->paths = malloc(strlen(value) + 1);
	if (!e->files || !e->paths)
		return -ENOMEM;
	char *dst = e->paths;
	for (const char *entry = value;; e->n++) {
		const char *comma = strchr(entry, ',');
		size_t len = comma ? (size_t)(comma - entry) : strlen(entry);
		int err = parse_entry(&e->files[e->n], &dst, env, hook, entry, len);
		if (err)
			return err;
		if (!comma) {
			e->n++;
			break;
		}
		entry = comma + 1;
	}
	return check_distinct(e, env, hook, others);
}

int pcap_egress_open(struct pcap_egress *e, const struct xdp_hook_env *env, const char *hook,
		     pcap_t *format)
{
	for (size_t i = 0; i < e->n; i++) {
		struct pcap_egress_file *f = &e->files[i];
		errno = 0;
		f->dump = pcap_dump_open(format, f->path);
		if (!f->dump) {
			int err = errno ? -errno : -EIO;
			hook_log(env, XBPF_LOG_ERROR, "%s: redirect=%u:%s: %s", hook, f->ifindex,
				 f->path, pcap_geterr(format));
			return err;
		}
	}
	return 0;
}

int pcap_egress_close(struct pcap_egress *e, const struct xdp_hook_env *env, const char *hook)
{
	int err = 0;
	for (size_t i = 0; i < e->n; i++) {
		struct pcap_egress_file *f = &e->files[i];
		if (!f->dump)
			continue;
		errno = 0;
		if (pcap_dump_flush(f->dump) < 0 || ferror(pcap_dump_file(f->dump))) {
			hook_log(env, XBPF_LOG_ERROR, "%s: redirect=%u:%s: writing failed: %s", hook,
				 f->ifindex, f->path, errno ? strerror(errno) : "I/O error");
			err = -EIO;
		}
		pcap_dump_close(f->dump);
		f->dump = NULL;
	}
	return err;
}

void pcap_egress_free(struct pcap_egress *e)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->files[i].dump)
			pcap_dump_close(e->files[i].dump);
	free(e->files);
	free(e->paths);
	*e = (struct pcap_egress){0};
}

pcap_dumper_t *pcap_egress_find(const struct pcap_egress *e, uint32_t ifindex)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->files[i].ifindex == ifindex)
			return e->files[i].dump;
	return NULL;
}
