/* SPDX-License-Identifier: MIT */
/*
 * The output files of the xdp/pcap hook for frames redirected out of
 * other interfaces (DEVMAP entries, bpf_redirect): its parameter
 *   redirect=IFINDEX:FILE[,IFINDEX:FILE...]
 * gives one pcap file per interface index.
 */
#ifndef XBPF_EXT_XDP_PCAP_EGRESS_H
#define XBPF_EXT_XDP_PCAP_EGRESS_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xdp_ext.h"

struct pcap_egress_file {
	uint32_t ifindex;
	const char *path; /* in pcap_egress.paths */
	pcap_dumper_t *dump;
};

struct pcap_egress {
	struct pcap_egress_file *files;
	size_t n;
	char *paths;
};

/* Parses the value of redirect= (NULL: no files). -EINVAL when it is not
 * a list of IFINDEX:FILE with distinct interfaces and files, or names one
 * of the files in others (NULL-terminated); logged naming the hook. */
int pcap_egress_parse(struct pcap_egress *e, const struct xdp_hook_env *env, const char *hook,
		      const char *value, const char *const *others);
int pcap_egress_open(struct pcap_egress *e, const struct xdp_hook_env *env, const char *hook,
		     pcap_t *format);
/* Flushes and closes the files: -EIO (logged) when some write failed. */
int pcap_egress_close(struct pcap_egress *e, const struct xdp_hook_env *env, const char *hook);
void pcap_egress_free(struct pcap_egress *e);
/* The open file for ifindex, or NULL. */
pcap_dumper_t *pcap_egress_find(const struct pcap_egress *e, uint32_t ifindex);

/* Do the paths name one file (the same name, or the same inode)? */
bool pcap_same_file(const char *a, const char *b);

#endif /* XBPF_EXT_XDP_PCAP_EGRESS_H */
