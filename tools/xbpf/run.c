/* SPDX-License-Identifier: MIT */
/* The execution environment of the bpf_conformance corpus (see run.h). */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/validate.h"

const struct xbpf_engine_ops *const cli_engines[] = {
	&xbpf_interpreter,
};
const size_t cli_n_engines = sizeof(cli_engines) / sizeof(cli_engines[0]);

const struct xbpf_engine_ops *cli_find_engine(const char *name)
{
	for (size_t i = 0; i < cli_n_engines; i++)
		if (strcmp(cli_engines[i]->name, name) == 0)
			return cli_engines[i];
	return NULL;
}

/* Helper 5 of the corpus: returns its first argument. */
static uint64_t helper_return_arg(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct xbpf_exec *exec)
{
	return r1;
}

#define CONFORMANCE_HELPER_ID 5

static const struct xbpf_helper helper_5 = {
	.name = "conformance_helper_5",
	.fn = helper_return_arg,
	.ret = XBPF_RET_INTEGER,
	.args = {XBPF_ARG_ANYTHING},
};

/* Calls bind to import slot 0, which holds helper 5. */
static int call_slot(void *ctx, size_t pc, const struct xbpf_insn *insn)
{
	return insn->src == XBPF_CALL_HELPER && insn->imm == CONFORMANCE_HELPER_ID ? 0 : -ENOSYS;
}

static const struct xbpf_helper *helper_by_id(const struct xbpf_exec *exec, uint64_t id)
{
	return id == CONFORMANCE_HELPER_ID ? &helper_5 : NULL;
}

static const struct xbpf_exec_env env = {.helper_by_id = helper_by_id};

static int fail(struct cli_run_result *result, int error, const char *what, const char *msg)
{
	result->outcome = CLI_RUN_FAILED;
	result->error = error;
	/* Cut msg so that what and msg together fit the message. */
	int room = (int)(sizeof(result->message) - strlen(what) - 1);
	snprintf(result->message, sizeof(result->message), "%s%.*s", what, room, msg);
	return error;
}

int cli_run_program(const struct xbpf_engine_ops *engine, const struct xbpf_insn *insns, size_t count,
		    uint8_t *mem, size_t mem_len, struct cli_run_result *result)
{
	memset(result, 0, sizeof(*result));

	struct xbpf_validate_error verr;
	int rc = xbpf_validate(insns, count, &verr);
	if (rc) {
		result->outcome = CLI_RUN_REJECTED;
		result->error = rc;
		if (rc == -ENOMEM)
			snprintf(result->message, sizeof(result->message), "out of memory");
		else
			snprintf(result->message, sizeof(result->message),
				 "invalid program: instruction %zu: %s", verr.pc, verr.reason);
		return rc;
	}
	struct xbpf_vm_code vm_code = {.insns = insns, .count = count, .call_slot = call_slot};
	struct xbpf_vm_prog *prog;
	char err[CLI_RUN_MESSAGE_SIZE];
	rc = engine->prepare(&vm_code, &prog, err, sizeof(err));
	if (rc)
		return fail(result, rc, "cannot prepare: ", err);

	struct xbpf_import imports[1];
	atomic_init(&imports[0].proto, &helper_5);
	struct xbpf_exec exec;
	xbpf_exec_init(&exec);
	uintptr_t start = (uintptr_t)(mem_len ? mem : NULL);
	exec.ctx = (struct xbpf_region){start, start + mem_len, XBPF_MEM_READ};
	exec.ctx_rw = (struct xbpf_region){start, start + mem_len, XBPF_MEM_RW};
	exec.imports = imports;
	exec.n_imports = 1;
	exec.env = &env;

	rc = engine->run(prog, &exec, (const uint64_t[5]){start, mem_len}, &result->r0);
	engine->free(prog);
	if (rc)
		return fail(result, rc, "run failed: ",
				    exec.fault_msg[0] ? exec.fault_msg : strerror(-rc));
	result->outcome = CLI_RUN_DONE;
	return 0;
}
