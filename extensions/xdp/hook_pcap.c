/* SPDX-License-Identifier: MIT */
/*
 * The "xdp/pcap" hook: replays the frames of a pcap file through an XDP
 * program, on a thread of its own, and writes the frames the program passes
 * or transmits (as the program left them) to pcap files.
 *
 * Parameters:
 *   in=FILE     the capture to replay (Ethernet frames); required
 *   out=FILE    receives XDP_PASS frames, and XDP_TX ones unless tx= is given
 *   tx=FILE     receives XDP_TX frames
 *   ifindex=N   the ingress_ifindex programs see (default 1)
 *   repeat=N    replay the file N times (default 1)
 *   redirect=IFINDEX:FILE[,IFINDEX:FILE...]
 *               receive frames redirected out of those interfaces (DEVMAP
 *               entries, bpf_redirect); frames redirected to the ingress
 *               ifindex go where XDP_TX frames go, to other interfaces
 *               nowhere (counted as redirect_error)
 * When the input ends the files are closed and the link is told it has
 * finished (status 0, or -EIO after a read or write error).
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "counters_map.h"
#include "frame_batch.h"
#include "hook_params.h"
#include "hook_thread.h"
#include "pcap_egress.h"

#define HOOK "xdp/pcap"
#define OUTPUT_SNAPLEN 65535

struct pcap_replay {
	const struct xdp_hook_env *env;
	struct xbpf_link *link;
	const char *in_path, *out_path, *tx_path; /* copies, kept in paths */
	char *paths;
	uint32_t ifindex;
	uint32_t repeat;
	pcap_t *in;
	pcap_t *format;		    /* what the output files are (Ethernet) */
	pcap_dumper_t *out, *tx;
	struct pcap_egress egress; /* redirect= */
	struct frame_batch batch;
	struct pcap_pkthdr hdr[FRAME_BATCH_SIZE]; /* of the frames in the batch, as read */
	uint64_t frame_no;			   /* in the current pass, for messages */
	bool bad_length_logged;
	atomic_bool stop;
	pthread_t worker;
};

static bool stopping(struct pcap_replay *r)
{
	return atomic_load_explicit(&r->stop, memory_order_relaxed);
}

/* ---- files ------------------------------------------------------------- */

static int open_input(struct pcap_replay *r)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *f = fopen(r->in_path, "rb");
	if (!f) {
		int err = -errno;
		hook_log(r->env, XBPF_LOG_ERROR, HOOK ": in=%s: %s", r->in_path, strerror(-err));
		return err;
	}
	r->in = pcap_fopen_offline(f, errbuf);
	if (!r->in) {
		fclose(f);
		hook_log(r->env, XBPF_LOG_ERROR, HOOK ": in=%s: %s", r->in_path, errbuf);
		return -EINVAL;
	}
	int link_type = pcap_datalink(r->in);
	if (link_type != DLT_EN10MB) {
		hook_log(r->env, XBPF_LOG_ERROR,
			 HOOK ": in=%s: the capture holds %s frames; XDP programs take Ethernet",
			 r->in_path, pcap_datalink_val_to_description_or_dlt(link_type));
		return -EINVAL;
	}
	return 0;
}

static void close_input(struct pcap_replay *r)
{
	if (r->in)
		pcap_close(r->in);
	r->in = NULL;
}

static int open_output(struct pcap_replay *r, const char *key, const char *path,
		       pcap_dumper_t **out)
{
	if (!path)
		return 0;
	errno = 0;
	*out = pcap_dump_open(r->format, path);
	if (!*out) {
		int err = errno ? -errno : -EIO;
		hook_log(r->env, XBPF_LOG_ERROR, HOOK ": %s=%s: %s", key, path,
			 pcap_geterr(r->format));
		return err;
	}
	return 0;
}

/* Flushes and closes; -EIO (logged) when some write failed. */
static int close_output(struct pcap_replay *r, const char *key, const char *path,
			pcap_dumper_t **out)
{
	int err = 0;
	if (!*out)
		return 0;
	errno = 0;
	if (pcap_dump_flush(*out) < 0 || ferror(pcap_dump_file(*out))) {
		hook_log(r->env, XBPF_LOG_ERROR, HOOK ": %s=%s: writing failed: %s", key, path,
			 errno ? strerror(errno) : "I/O error");
		err = -EIO;
	}
	pcap_dump_close(*out);
	*out = NULL;
	return err;
}

static int close_files(struct pcap_replay *r)
{
	close_input(r);
	int err = close_output(r, "out", r->out_path, &r->out);
	int tx_err = close_output(r, "tx", r->tx_path, &r->tx);
	int egress_err = pcap_egress_close(&r->egress, r->env, HOOK);
	return err ? err : tx_err ? tx_err : egress_err;
}

/* ---- the replay -------------------------------------------------------- */

static void add_frame(struct pcap_replay *r, const struct pcap_pkthdr *h, const uint8_t *data)
{
	r->frame_no++;
	uint8_t *dst = frame_batch_add(&r->batch, h->caplen, r->ifindex);
	if (!dst) {
		if (!r->bad_length_logged)
			hook_log(r->env, XBPF_LOG_WARN,
				 HOOK ": in=%s: frame %llu has %u bytes; XDP frames have %d to %d: "
				 "counted as an error (further ones are only counted)",
				 r->in_path, (unsigned long long)r->frame_no, h->caplen,
				 XDP_ETH_HLEN, FRAME_MAX_PACKET);
		r->bad_length_logged = true;
		return;
	}
	memcpy(dst, data, h->caplen);
	r->hdr[r->batch.n - 1] = *h;
}

static void write_frame(struct pcap_replay *r, pcap_dumper_t *to, uint32_t i)
{
	const struct xdp_internal_ctx *ctx = &r->batch.ctx[i];
	uint32_t len = (uint32_t)(ctx->data_end - ctx->data);
	/* What the capture had cut off the original frame stays cut off. */
	uint32_t cut = r->hdr[i].len > r->hdr[i].caplen ? r->hdr[i].len - r->hdr[i].caplen : 0;
	struct pcap_pkthdr h = {.ts = r->hdr[i].ts, .caplen = len, .len = len + cut};
	if (to)
		pcap_dump((u_char *)to, &h, ctx->data);
}

/* Where frames redirected out of ifindex go: out of the interface they
 * came in on, as XDP_TX frames; else to the redirect= file, if any. */
static pcap_dumper_t *egress_file(struct pcap_replay *r, uint32_t ifindex)
{
	if (ifindex == r->ifindex)
		return r->tx ? r->tx : r->out;
	return pcap_egress_find(&r->egress, ifindex);
}

static void run_batch(struct pcap_replay *r)
{
	frame_batch_run(&r->batch, r->env, r->link);
	for (uint32_t i = 0; i < r->batch.n; i++) {
		if (r->batch.fate[i] == FRAME_TO_PASS)
			write_frame(r, r->out, i);
		else if (r->batch.fate[i] == FRAME_TO_TX)
			write_frame(r, r->tx ? r->tx : r->out, i);
		else if (r->batch.fate[i] == FRAME_TO_EGRESS)
			for (uint32_t k = 0; k < r->batch.n_egress[i]; k++)
				write_frame(r, egress_file(r, r->batch.egress[i][k]), i);
	}
	r->batch.n = 0;
}

/* Runs the frames of the open input until its end, or until detached. */
static int replay_input(struct pcap_replay *r)
{
	int err = 0;
	r->frame_no = 0;
	while (!stopping(r)) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int got = pcap_next_ex(r->in, &h, &data);
		if (got == PCAP_ERROR_BREAK) /* the end of the file */
			break;
		if (got < 0) {
			hook_log(r->env, XBPF_LOG_ERROR, HOOK ": in=%s: after frame %llu: %s",
				 r->in_path, (unsigned long long)r->frame_no, pcap_geterr(r->in));
			err = -EIO;
			break;
		}
		add_frame(r, h, data);
		if (frame_batch_full(&r->batch))
			run_batch(r);
	}
	/* Also when detached: every frame counted as received gets a verdict. */
	run_batch(r);
	return err;
}

static void *replay_worker(void *arg)
{
	struct pcap_replay *r = arg;
	int err = 0;
	for (uint32_t pass = 0; pass < r->repeat && !err && !stopping(r); pass++) {
		if (pass > 0) {
			close_input(r);
			err = open_input(r);
		}
		if (!err)
			err = replay_input(r);
	}
	int close_err = close_files(r);
	if (!err)
		err = close_err;
	/* A detach that interrupted the replay ends the link itself. */
	if (!stopping(r))
		r->env->core->link_finished(r->link, err);
	return NULL;
}

/* May a redirected frame leave by ifindex? (redirect= above) */
static bool can_egress(void *arg, uint32_t ifindex)
{
	struct pcap_replay *r = arg;
	return ifindex == r->ifindex || pcap_egress_find(&r->egress, ifindex);
}

/* ---- attach and detach ------------------------------------------------- */

bool pcap_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Writing a file we read, or writing one file twice, would garble it. */
static int check_paths(struct pcap_replay *r)
{
	const char *clash = NULL, *with = NULL;
	if (r->out_path && pcap_same_file(r->out_path, r->in_path))
		clash = "out", with = "in";
	else if (r->tx_path && pcap_same_file(r->tx_path, r->in_path))
		clash = "tx", with = "in";
	else if (r->tx_path && r->out_path && pcap_same_file(r->tx_path, r->out_path))
		clash = "tx", with = "out";
	if (!clash)
		return 0;
	hook_log(r->env, XBPF_LOG_ERROR, HOOK ": %s= and %s= name the same file", clash, with);
	return -EINVAL;
}

/* Copies the paths, so that they need not outlive the attach call. */
static int keep_paths(struct pcap_replay *r, const char *in, const char *out, const char *tx)
{
	size_t n_in = strlen(in) + 1, n_out = out ? strlen(out) + 1 : 0;
	size_t n_tx = tx ? strlen(tx) + 1 : 0;
	r->paths = malloc(n_in + n_out + n_tx);
	if (!r->paths)
		return -ENOMEM;
	r->in_path = memcpy(r->paths, in, n_in);
	if (out)
		r->out_path = memcpy(r->paths + n_in, out, n_out);
	if (tx)
		r->tx_path = memcpy(r->paths + n_in + n_out, tx, n_tx);
	return 0;
}

static void replay_free(struct pcap_replay *r)
{
	close_input(r);
	if (r->out)
		pcap_dump_close(r->out);
	if (r->tx)
		pcap_dump_close(r->tx);
	if (r->format)
		pcap_close(r->format);
	frame_batch_fini(&r->batch);
	pcap_egress_free(&r->egress);
	free(r->paths);
	free(r);
}

static int configure(struct pcap_replay *r, const struct hook_params *p)
{
	static const char *const known[] = {"in", "out", "tx", "ifindex", "repeat", "redirect", NULL};
	int err = hook_params_check(p, known);
	if (err)
		return err;
	const char *in = hook_param(p, "in");
	if (!in) {
		hook_log(r->env, XBPF_LOG_ERROR, HOOK ": in=FILE, the capture to replay, is required");
		return -EINVAL;
	}
	r->ifindex = 1;
	r->repeat = 1;
	err = hook_param_u32(p, "ifindex", 1, UINT32_MAX, &r->ifindex);
	if (!err)
		err = hook_param_u32(p, "repeat", 1, UINT32_MAX, &r->repeat);
	if (!err)
		err = keep_paths(r, in, hook_param(p, "out"), hook_param(p, "tx"));
	if (!err)
		err = check_paths(r);
	const char *others[] = {r->in_path, r->out_path ? r->out_path : r->in_path,
				r->tx_path ? r->tx_path : r->in_path, NULL};
	if (!err)
		err = pcap_egress_parse(&r->egress, r->env, HOOK, hook_param(p, "redirect"), others);
	return err;
}

static int open_files(struct pcap_replay *r)
{
	int err = open_input(r);
	if (err)
		return err;
	r->format = pcap_open_dead(DLT_EN10MB, OUTPUT_SNAPLEN);
	if (!r->format)
		return -ENOMEM;
	err = open_output(r, "out", r->out_path, &r->out);
	if (!err)
		err = open_output(r, "tx", r->tx_path, &r->tx);
	if (!err)
		err = pcap_egress_open(&r->egress, r->env, HOOK, r->format);
	return err;
}

static int pcap_attach(void *ctx, struct xbpf_link *link, const void *params, size_t params_size,
		       void **link_state)
{
	const struct xdp_hook_env *env = ctx;
	struct hook_params p = {.env = env, .hook = HOOK, .blob = params, .size = params_size};
	struct pcap_replay *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->env = env;
	r->link = link;
	int err = configure(r, &p);
	if (!err)
		err = open_files(r);
	if (err)
		goto fail;
	_Atomic uint64_t *counters =
		env->core->link_counters(link, frame_counter_names, FRAME_N_COUNTERS);
	err = counters ? frame_batch_init(&r->batch, counters) : -ENOMEM;
	r->batch.can_egress = can_egress;
	r->batch.egress_arg = r;
	if (!err) /* before the worker counts */
		xdp_counters_track(env, link, r->ifindex, counters);
	if (!err)
		err = hook_thread_start(&r->worker, replay_worker, r);
	if (err) {
		hook_log(env, XBPF_LOG_ERROR, HOOK ": cannot start the replay: %s", strerror(-err));
		goto fail;
	}
	*link_state = r;
	return 0;
fail:
	xdp_counters_untrack(env, link);
	replay_free(r);
	return err;
}

static void pcap_detach(void *ctx, struct xbpf_link *link, void *link_state)
{
	struct pcap_replay *r = link_state;
	atomic_store(&r->stop, true);
	pthread_join(r->worker, NULL);
	xdp_counters_untrack(ctx, link);
	replay_free(r);
}

const struct xbpf_hook_provider xdp_pcap_hook = {
	.hdr = XBPF_ABI_HEADER(struct xbpf_hook_provider),
	.name = HOOK,
	.program_type = "xdp",
	.attach = pcap_attach,
	.detach = pcap_detach,
};
