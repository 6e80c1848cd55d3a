/* SPDX-License-Identifier: MIT */
/*
 * The xdp/pcap hook with a fake core: parameter checking, verdicts and the
 * frames written out for a generated capture, repeat, XDP_TX to its own
 * file, frame lengths, failing invocations, read and write errors, and
 * detaching at any moment.
 */
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_core.h"
#include "pcap_files.h"
#include "test_prog.h"

#define WAIT_MS 30000 /* only guards against a hang */

struct fixture {
	char dir[64];
	char in[96], out[96], tx[96];
	char in_param[128], out_param[128], tx_param[128];
	struct xbpf_link link;
	struct pcap_records input;
	int open_fds;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/xbpf-pcap-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->in, sizeof(f->in), "%s/in.pcap", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out.pcap", f->dir);
	snprintf(f->tx, sizeof(f->tx), "%s/tx.pcap", f->dir);
	snprintf(f->in_param, sizeof(f->in_param), "in=%s", f->in);
	snprintf(f->out_param, sizeof(f->out_param), "out=%s", f->out);
	snprintf(f->tx_param, sizeof(f->tx_param), "tx=%s", f->tx);
	fake_link_init(&f->link, test_prog);
	fake_log_clear();
	f->open_fds = fake_open_fds();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(fake_open_fds(), f->open_fds);
	unlink(f->in);
	unlink(f->out);
	unlink(f->tx);
	rmdir(f->dir);
	records_free(&f->input);
	fake_link_fini(&f->link);
	free(f);
	return 0;
}

/* Attaches, waits for the end of the input, detaches; returns the status. */
static int replay(struct fixture *f, const char *const *params)
{
	void *state;
	int err = fake_attach(&xdp_pcap_hook, &f->link, params, &state);
	if (err)
		fail_msg("attach: %d; log: %s", err, fake_log());
	int status = fake_link_wait(&f->link, WAIT_MS);
	fake_detach(&xdp_pcap_hook, &f->link, state);
	assert_int_not_equal(status, -ETIMEDOUT);
	assert_int_equal(f->link.n_finished, 1);
	assert_int_equal(f->link.misuse, 0);
	assert_true(fake_counters_balance(&f->link));
	return status;
}

/* What the hook must have written: every frame the program passes or
 * transmits, as the program left it, with the input's timestamp. */
struct expectation {
	uint64_t pass, tx, drop, aborted, error;
	struct pcap_records passed, transmitted;
	struct pcap_records both; /* passed and transmitted, in input order */
};

static void add_expected(struct pcap_records *to, const uint8_t *frame, uint32_t len,
			 struct timeval ts)
{
	records_add(to, frame, len, len);
	to->r[to->n - 1].ts = ts;
}

static void expect(const struct pcap_records *input, unsigned repeat, struct expectation *e)
{
	static uint8_t frame[XDP_FRAME_SIZE];
	*e = (struct expectation){0};
	for (unsigned pass = 0; pass < repeat; pass++) {
		for (size_t i = 0; i < input->n; i++) {
			uint32_t len;
			int64_t verdict = test_prog_run(input->r[i].data, input->r[i].len, frame, &len);
			struct pcap_records *to = NULL;
			if (verdict == XDP_PASS)
				e->pass++, to = &e->passed;
			else if (verdict == XDP_TX)
				e->tx++, to = &e->transmitted;
			else if (verdict == XDP_DROP)
				e->drop++;
			else if (verdict == XDP_ABORTED)
				e->aborted++;
			else
				e->error++;
			if (to) {
				add_expected(to, frame, len, input->r[i].ts);
				add_expected(&e->both, frame, len, input->r[i].ts);
			}
		}
	}
}

static void expect_free(struct expectation *e)
{
	records_free(&e->passed);
	records_free(&e->transmitted);
	records_free(&e->both);
}

static void assert_same_records(const struct pcap_records *got, const struct pcap_records *want)
{
	assert_int_equal(got->n, want->n);
	for (size_t i = 0; i < got->n; i++) {
		if (got->r[i].len != want->r[i].len ||
		    memcmp(got->r[i].data, want->r[i].data, got->r[i].len) != 0)
			fail_msg("frame %zu: %u bytes written, %u expected, or other bytes", i,
				 got->r[i].len, want->r[i].len);
		assert_int_equal(got->r[i].orig_len, got->r[i].len);
		assert_int_equal(got->r[i].ts.tv_sec, want->r[i].ts.tv_sec);
		assert_int_equal(got->r[i].ts.tv_usec, want->r[i].ts.tv_usec);
	}
}

/* ---- parameters ---------------------------------------------------------- */

static void assert_refused(struct fixture *f, const char *const *params, int err,
			   const char *message)
{
	void *state = NULL;
	fake_log_clear();
	assert_int_equal(fake_attach(&xdp_pcap_hook, &f->link, params, &state), err);
	if (!strstr(fake_log(), message))
		fail_msg("the log should say \"%s\"; it says: %s", message, fake_log());
	assert_int_equal(f->link.invocations, 0);
}

static void test_parameter_errors(void **state)
{
	struct fixture *f = *state;
	pcap_write_traffic(f->in, 1, 10, &f->input);
	char missing[160], not_pcap[160], no_dir[160], same[160];
	snprintf(missing, sizeof(missing), "in=%s/absent.pcap", f->dir);
	snprintf(not_pcap, sizeof(not_pcap), "in=%s", f->out);
	FILE *text = fopen(f->out, "w");
	assert_non_null(text);
	fputs("not a capture\n", text);
	fclose(text);
	snprintf(no_dir, sizeof(no_dir), "out=%s/absent/out.pcap", f->dir);
	snprintf(same, sizeof(same), "out=%s/../%s/in.pcap", f->dir, strrchr(f->dir, '/') + 1);

	assert_refused(f, (const char *const[]){NULL}, -EINVAL, "in=FILE");
	assert_refused(f, (const char *const[]){f->out_param, NULL}, -EINVAL, "in=FILE");
	assert_refused(f, (const char *const[]){f->in_param, "inn=x", NULL}, -EINVAL,
		       "unknown parameter 'inn' (it takes in, out, tx, ifindex, repeat, redirect)");
	assert_refused(f, (const char *const[]){f->in_param, "repeat", NULL}, -EINVAL,
		       "parameter 'repeat' is not key=value");
	assert_refused(f, (const char *const[]){f->in_param, "out=", NULL}, -EINVAL,
		       "parameter 'out=' is not key=value");
	assert_refused(f, (const char *const[]){f->in_param, f->in_param, NULL}, -EINVAL,
		       "parameter 'in' is given twice");
	assert_refused(f, (const char *const[]){f->in_param, "repeat=0", NULL}, -EINVAL,
		       "repeat=0: expected a number from 1 to 4294967295");
	assert_refused(f, (const char *const[]){f->in_param, "ifindex=-1", NULL}, -EINVAL,
		       "ifindex=-1: expected a number");
	assert_refused(f, (const char *const[]){f->in_param, "ifindex=4294967296", NULL}, -EINVAL,
		       "ifindex=4294967296");
	assert_refused(f, (const char *const[]){f->in_param, "ifindex=7x", NULL}, -EINVAL,
		       "ifindex=7x");
	assert_refused(f, (const char *const[]){missing, NULL}, -ENOENT, "absent.pcap: No such file");
	assert_refused(f, (const char *const[]){not_pcap, NULL}, -EINVAL, not_pcap);
	assert_refused(f, (const char *const[]){f->in_param, no_dir, NULL}, -ENOENT, no_dir);
	assert_refused(f, (const char *const[]){f->in_param, same, NULL}, -EINVAL,
		       "out= and in= name the same file");
	char tx_as_out[128];
	snprintf(tx_as_out, sizeof(tx_as_out), "tx=%s", f->out);
	assert_refused(f, (const char *const[]){f->in_param, f->out_param, tx_as_out, NULL}, -EINVAL,
		       "tx= and out= name the same file");
}

/* The last step of attaching fails: everything opened before is closed. */
static void test_no_counters(void **state)
{
	struct fixture *f = *state;
	pcap_write_traffic(f->in, 1, 10, &f->input);
	f->link.refuse_counters = true;
	assert_refused(f, (const char *const[]){f->in_param, f->out_param, f->tx_param, NULL},
		       -ENOMEM, "cannot start the replay");
}

static void test_blob_without_final_nul(void **state)
{
	struct fixture *f = *state;
	pcap_write_traffic(f->in, 1, 10, &f->input);
	void *link_state;
	fake_log_clear();
	int err = xdp_pcap_hook.attach((void *)&fake_env, &f->link, f->in_param,
				       strlen(f->in_param), &link_state);
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(fake_log(), "is not ended by a NUL byte"));
}

static void test_not_ethernet(void **state)
{
	struct fixture *f = *state;
	static const uint8_t ip[20] = {0x45};
	records_add(&f->input, ip, sizeof(ip), sizeof(ip));
	pcap_write(f->in, "RAW", &f->input);
	assert_refused(f, (const char *const[]){f->in_param, NULL}, -EINVAL,
		       "XDP programs take Ethernet");
}

/* ---- replays ------------------------------------------------------------- */

static void test_generated_traffic(void **state)
{
	struct fixture *f = *state;
	struct expectation e;
	struct pcap_records out = {0};
	pcap_write_traffic(f->in, 42, 1000, &f->input);
	expect(&f->input, 1, &e);
	/* The program's every branch is taken. */
	assert_true(e.pass > 100 && e.tx > 10 && e.drop > 10 && e.error > 0);

	assert_int_equal(replay(f, (const char *const[]){f->in_param, f->out_param, NULL}), 0);
	assert_int_equal(fake_counter(&f->link, "received"), 1000);
	assert_int_equal(fake_counter(&f->link, "pass"), e.pass);
	assert_int_equal(fake_counter(&f->link, "tx"), e.tx);
	assert_int_equal(fake_counter(&f->link, "drop"), e.drop);
	assert_int_equal(fake_counter(&f->link, "aborted"), e.aborted);
	assert_int_equal(fake_counter(&f->link, "error"), e.error);
	assert_int_equal(fake_counter(&f->link, "redirect"), 0);
	assert_int_equal(f->link.invocations, 1000 - e.error);
	assert_int_equal(f->link.last_ifindex, 1);
	assert_int_equal(f->link.max_batch_len, 64);

	/* out has the passed and transmitted frames, in input order. */
	pcap_read(f->out, &out);
	assert_same_records(&out, &e.both);
	records_free(&out);
	expect_free(&e);
}

static void test_tx_file_and_ifindex(void **state)
{
	struct fixture *f = *state;
	struct expectation e;
	struct pcap_records out = {0}, tx = {0};
	pcap_write_traffic(f->in, 7, 300, &f->input);
	expect(&f->input, 1, &e);
	const char *const params[] = {f->in_param, f->out_param, f->tx_param, "ifindex=7", NULL};
	assert_int_equal(replay(f, params), 0);
	assert_int_equal(f->link.last_ifindex, 7);
	pcap_read(f->out, &out);
	pcap_read(f->tx, &tx);
	assert_same_records(&out, &e.passed);
	assert_same_records(&tx, &e.transmitted);
	records_free(&out);
	records_free(&tx);
	expect_free(&e);
}

static void test_repeat(void **state)
{
	struct fixture *f = *state;
	struct expectation e;
	struct pcap_records tx = {0};
	pcap_write_traffic(f->in, 3, 100, &f->input);
	expect(&f->input, 3, &e);
	const char *const params[] = {f->in_param, f->tx_param, "repeat=3", NULL};
	assert_int_equal(replay(f, params), 0);
	assert_int_equal(fake_counter(&f->link, "received"), 300);
	assert_int_equal(fake_counter(&f->link, "pass"), e.pass);
	pcap_read(f->tx, &tx);
	assert_same_records(&tx, &e.transmitted);
	records_free(&tx);
	expect_free(&e);
}

/* Without out= or tx= the frames are only counted. */
static void test_without_outputs(void **state)
{
	struct fixture *f = *state;
	pcap_write_traffic(f->in, 5, 200, &f->input);
	assert_int_equal(replay(f, (const char *const[]){f->in_param, NULL}), 0);
	assert_int_equal(fake_counter(&f->link, "received"), 200);
	assert_int_equal(access(f->out, F_OK), -1);
}

static void add_action_frame(struct pcap_records *recs, uint8_t action, uint8_t high)
{
	uint8_t frame[60] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5, action, high};
	frame[20] = (uint8_t)recs->n; /* tells the frames apart */
	records_add(recs, frame, sizeof(frame), sizeof(frame));
}

static void test_every_action(void **state)
{
	struct fixture *f = *state;
	struct pcap_records out = {0};
	add_action_frame(&f->input, XDP_ABORTED, 0);
	add_action_frame(&f->input, XDP_DROP, 0);
	add_action_frame(&f->input, XDP_PASS, 0);
	add_action_frame(&f->input, XDP_TX, 0);
	add_action_frame(&f->input, XDP_REDIRECT, 0);
	add_action_frame(&f->input, 7, 0);	  /* no such action: aborted */
	add_action_frame(&f->input, XDP_PASS, 1); /* bit 32 set: still a pass */
	add_action_frame(&f->input, 0xff, 0);
	pcap_write(f->in, "EN10MB", &f->input);
	assert_int_equal(replay(f, (const char *const[]){f->in_param, f->out_param, NULL}), 0);
	assert_int_equal(fake_counter(&f->link, "aborted"), 3);
	assert_int_equal(fake_counter(&f->link, "drop"), 1);
	assert_int_equal(fake_counter(&f->link, "pass"), 2);
	assert_int_equal(fake_counter(&f->link, "tx"), 1);
	assert_int_equal(fake_counter(&f->link, "redirect"), 1);
	assert_int_equal(fake_counter(&f->link, "error"), 0);
	pcap_read(f->out, &out);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.r[0].data[20], 2);
	assert_int_equal(out.r[1].data[20], 3);
	assert_int_equal(out.r[2].data[20], 6);
	records_free(&out);
}

static void test_frame_lengths(void **state)
{
	struct fixture *f = *state;
	struct pcap_records out = {0};
	static uint8_t frame[9000] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5, XDP_PASS};
	const uint32_t lengths[] = {13, 14 + 2, 3520, 3521, 9000, 60};
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
		records_add(&f->input, frame, lengths[i], lengths[i]);
	/* A frame the capture cut short keeps the length it had. */
	f->input.r[5].orig_len = 1514;
	pcap_write(f->in, "EN10MB", &f->input);
	assert_int_equal(replay(f, (const char *const[]){f->in_param, f->out_param, NULL}), 0);
	assert_int_equal(fake_counter(&f->link, "received"), 6);
	assert_int_equal(fake_counter(&f->link, "error"), 3);
	assert_int_equal(fake_counter(&f->link, "pass"), 3);
	assert_non_null(strstr(fake_log(), "frame 1 has 13 bytes; XDP frames have 14 to 3520"));
	/* One message, not one per frame. */
	assert_null(strstr(strstr(fake_log(), "frame 1 has") + 1, "frame 4 has"));
	pcap_read(f->out, &out);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.r[0].len, 16);
	assert_int_equal(out.r[1].len, 3520);
	assert_int_equal(out.r[2].len, 60);
	assert_int_equal(out.r[2].orig_len, 1514);
	records_free(&out);
}

/* Frames whose invocation fails (the program type went away, say) are
 * counted as errors and go nowhere. */
static void test_failing_invocations(void **state)
{
	struct fixture *f = *state;
	struct expectation e;
	struct pcap_records out = {0};
	pcap_write_traffic(f->in, 9, 200, &f->input);
	/* Invocation 100 and all after it fail. Frames too short or too long
	 * for XDP are never invoked. */
	f->link.fail_from = 100;
	assert_int_equal(replay(f, (const char *const[]){f->in_param, f->out_param, NULL}), 0);
	uint64_t invoked = f->link.invocations;
	uint64_t not_run = 200 - invoked;
	assert_int_equal(fake_counter(&f->link, "error"), not_run + invoked - 99);
	pcap_read(f->out, &out);
	assert_int_equal(out.n, fake_counter(&f->link, "pass") + fake_counter(&f->link, "tx"));
	/* The frames written are those of the first 99 invocations. */
	struct pcap_records first = {0};
	size_t ran = 0;
	for (size_t i = 0; i < f->input.n && ran < 99; i++) {
		if (f->input.r[i].len < 14 || f->input.r[i].len > 3520)
			continue;
		records_add(&first, f->input.r[i].data, f->input.r[i].len, f->input.r[i].len);
		first.r[first.n - 1].ts = f->input.r[i].ts;
		ran++;
	}
	expect(&first, 1, &e);
	assert_same_records(&out, &e.both);
	records_free(&first);
	records_free(&out);
	expect_free(&e);
}

static void test_failing_batches(void **state)
{
	struct fixture *f = *state;
	pcap_write_traffic(f->in, 9, 150, &f->input);
	f->link.fail_begin = true;
	assert_int_equal(replay(f, (const char *const[]){f->in_param, f->out_param, NULL}), 0);
	assert_int_equal(fake_counter(&f->link, "error"), 150);
	assert_int_equal(f->link.invocations, 0);
}

/* A capture whose last record is cut off: what came before is replayed, and
 * the link finishes with -EIO. */
static void test_truncated_input(void **state)
{
	struct fixture *f = *state;
	struct pcap_records out = {0};
	pcap_write_traffic(f->in, 2, 100, &f->input);
	FILE *in = fopen(f->in, "r+");
	assert_non_null(in);
	assert_int_equal(fseek(in, 0, SEEK_END), 0);
	assert_int_equal(ftruncate(fileno(in), ftell(in) - 5), 0);
	fclose(in);
	assert_int_equal(replay(f, (const char *const[]){f->in_param, f->out_param, NULL}), -EIO);
	assert_int_equal(fake_counter(&f->link, "received"), 99);
	assert_non_null(strstr(fake_log(), "after frame 99"));
	pcap_read(f->out, &out);
	assert_int_equal(out.n, fake_counter(&f->link, "pass") + fake_counter(&f->link, "tx"));
	records_free(&out);
}

static void test_write_error(void **state)
{
	struct fixture *f = *state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	pcap_write_traffic(f->in, 2, 100, &f->input);
	assert_int_equal(replay(f, (const char *const[]){f->in_param, "out=/dev/full", NULL}), -EIO);
	assert_non_null(strstr(fake_log(), "out=/dev/full: writing failed"));
}

/* ---- detaching ----------------------------------------------------------- */

static void test_detach_mid_replay(void **state)
{
	struct fixture *f = *state;
	struct pcap_records out = {0};
	pcap_write_traffic(f->in, 4, 500, &f->input);
	void *link_state;
	const char *const params[] = {f->in_param, f->out_param, "repeat=4294967295", NULL};
	assert_int_equal(fake_attach(&xdp_pcap_hook, &f->link, params, &link_state), 0);
	assert_true(fake_counter_wait(&f->link, "received", 2000, WAIT_MS));
	fake_detach(&xdp_pcap_hook, &f->link, link_state);
	uint64_t invoked = f->link.invocations;
	assert_int_equal(f->link.n_finished, 0);
	assert_int_equal(f->link.misuse, 0);
	assert_false(f->link.in_batch);
	assert_true(fake_counters_balance(&f->link));
	/* Nothing runs once detach has returned. */
	nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
	assert_int_equal(f->link.invocations, invoked);
	/* What was written is a complete capture. */
	pcap_read(f->out, &out);
	assert_int_equal(out.n, fake_counter(&f->link, "pass") + fake_counter(&f->link, "tx"));
	records_free(&out);
}

static void test_detach_at_once(void **state)
{
	struct fixture *f = *state;
	pcap_write_traffic(f->in, 4, 500, &f->input);
	for (int i = 0; i < 20; i++) {
		void *link_state;
		const char *const params[] = {f->in_param, f->out_param, "repeat=100", NULL};
		assert_int_equal(fake_attach(&xdp_pcap_hook, &f->link, params, &link_state), 0);
		fake_detach(&xdp_pcap_hook, &f->link, link_state);
		assert_true(fake_counters_balance(&f->link));
	}
	/* The counters carry on across attachments of the same link. */
	assert_int_equal(f->link.n_counters, 8);
}

static void test_detach_after_the_end(void **state)
{
	struct fixture *f = *state;
	pcap_write_traffic(f->in, 4, 100, &f->input);
	void *link_state;
	assert_int_equal(
		fake_attach(&xdp_pcap_hook, &f->link, (const char *const[]){f->in_param, NULL},
			    &link_state),
		0);
	assert_int_equal(fake_link_wait(&f->link, WAIT_MS), 0);
	nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	fake_detach(&xdp_pcap_hook, &f->link, link_state);
	assert_int_equal(f->link.n_finished, 1);
	assert_int_equal(fake_counter(&f->link, "received"), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parameter_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_without_final_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ethernet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generated_traffic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_file_and_ifindex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_outputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_action, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_invocations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_mid_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_after_the_end, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
