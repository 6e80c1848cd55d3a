/* SPDX-License-Identifier: MIT */
/*
 * xbpf extension ABI: the one header an extension author needs.
 *
 * An extension is a shared object that exports one symbol, `xbpf_extension`
 * (define it with XBPF_EXTENSION). When the core loads it, it calls `init`
 * with a table of core services; the extension registers providers through
 * that table: program types, hooks (attach types), named helpers and map
 * types. It may register and unregister providers later too (a hook for an
 * interface that disappears). Whatever it still has registered when it is
 * unloaded is unregistered by the core.
 *
 * Versioning: every struct crossing the ABI starts with struct xbpf_abi_header
 * {version, size}. Structs only grow, by appending fields. The core copies
 * min(its size, your size) bytes into a zeroed copy of its own, so an
 * extension built against an older header keeps working; a struct larger than
 * the core knows is refused (the extension needs a newer core). Arrays of
 * structs are read with the size of their first element as the stride.
 *
 * Nothing internal is exposed: the extension sees opaque handles only, and
 * the core copies provider data at registration, so it need not outlive the
 * register call (except the functions it points to, and `ctx`).
 */
#ifndef XBPF_EXTENSION_H
#define XBPF_EXTENSION_H

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <xbpf/xbpf.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XBPF_ABI_VERSION 1

struct xbpf_abi_header {
	uint32_t version; /* XBPF_ABI_VERSION the extension was built with */
	uint32_t size;    /* sizeof the struct as the extension knows it */
};
#define XBPF_ABI_HEADER(type) {.version = XBPF_ABI_VERSION, .size = sizeof(type)}

/* Opaque handles. */
struct xbpf_extension;      /* a loaded extension, as the core knows it */
struct xbpf_provider; /* one registration */
struct xbpf_exec;     /* one running program invocation */
struct xbpf_link;     /* a program attached to a hook */
struct xbpf_map;      /* a map */

/* The error an invocation returns while something the program needs (its
 * program type, a helper, a map type) is not registered. */
#define XBPF_EDETACHED ENOLINK

/* ------------------------------------------------------------------------ */
/* Helper prototypes                                                        */
/* ------------------------------------------------------------------------ */

/* What an argument must be. The core checks pointer arguments against the
 * memory of the running program before the helper is called, so a helper
 * may trust them. */
enum xbpf_arg_kind {
	XBPF_ARG_NONE = 0,           /* ends the argument list */
	XBPF_ARG_ANYTHING,           /* any scalar (arg_size gives its width) */
	XBPF_ARG_CONST_SIZE,         /* size (> 0) of the preceding memory argument */
	XBPF_ARG_CONST_SIZE_OR_ZERO, /* size (>= 0) of the preceding memory argument */
	XBPF_ARG_PTR_TO_CTX,         /* the program's context */
	XBPF_ARG_CONST_MAP_PTR,      /* a map */
	XBPF_ARG_PTR_TO_MAP_KEY,     /* key_size readable bytes, for the map argument */
	XBPF_ARG_PTR_TO_MAP_VALUE,   /* value_size readable bytes, for the map argument */
	XBPF_ARG_PTR_TO_MEM,         /* readable memory; its size is the next argument */
	XBPF_ARG_PTR_TO_UNINIT_MEM,  /* writable memory; its size is the next argument */
	XBPF_ARG_PTR_TO_CONST_STR,   /* NUL-terminated string in read-only memory */
	XBPF_ARG_PTR_TO_FUNC,        /* a callback function of the program */
	XBPF_ARG_PTR_TO_ALLOC_MEM,   /* a ring buffer record the program reserved */
	XBPF_ARG_PTR_TO_SPIN_LOCK,   /* a struct bpf_spin_lock inside a map value */
	XBPF_ARG_PTR_TO_LONG,        /* 8 writable bytes */
	XBPF_ARG_PTR_TO_UNINIT_MAP_VALUE, /* value_size writable bytes, for the map argument */
};
/* Or-ed into a pointer kind: NULL is accepted as well. */
#define XBPF_ARG_MAYBE_NULL 0x80

enum xbpf_ret_kind {
	XBPF_RET_INTEGER = 0,              /* a scalar (ret_width gives its width) */
	XBPF_RET_VOID,                     /* nothing */
	XBPF_RET_PTR_TO_MAP_VALUE_OR_NULL, /* a value of the map argument, or NULL */
	XBPF_RET_PTR_TO_MEM_OR_NULL,       /* ret_size bytes, or as many as the size argument */
};

/* Helper flags. */
#define XBPF_HELPER_GPL_ONLY 0x1       /* for programs with a GPL-compatible license */
#define XBPF_HELPER_CHANGES_PACKET 0x2 /* moves packet bounds (adjust_head and the like) */

/* A helper receives r1..r5 and the invocation that called it (for
 * xbpf_core_services.exec_context and friends). */
typedef uint64_t (*xbpf_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				   uint64_t r5, struct xbpf_exec *exec);

struct xbpf_helper {
	struct xbpf_abi_header hdr;
	const char *name;    /* C name, e.g. "bpf_xdp_adjust_head" */
	uint32_t id;         /* program-type helpers: >= 65536, or the Linux id it
			      * overrides; named helpers: 0 */
	uint32_t flags;      /* XBPF_HELPER_* */
	xbpf_helper_fn fn;
	uint8_t ret;         /* enum xbpf_ret_kind */
	uint8_t ret_width;   /* bytes of an integer result: 1, 2, 4 or 8 (0: 8) */
	uint8_t args[5];     /* enum xbpf_arg_kind, optionally | XBPF_ARG_MAYBE_NULL */
	uint8_t arg_width[5]; /* bytes of scalar arguments: 1, 2, 4 or 8 (0: 8) */
	uint32_t ret_size;   /* XBPF_RET_PTR_TO_MEM_OR_NULL: fixed size, 0 = size argument */
};

/* ------------------------------------------------------------------------ */
/* Program types                                                            */
/* ------------------------------------------------------------------------ */

/* A field of the context struct programs see (the UAPI one, e.g. struct
 * xdp_md) that lives at another offset and width in the internal context
 * the core and hooks use. Programs must read it whole; the core rewrites
 * those loads when the program loads. */
struct xbpf_ctx_field {
	uint32_t offset;          /* in the program-visible struct */
	uint32_t size;            /* bytes programs read */
	uint32_t internal_offset; /* in the internal context */
	uint32_t internal_size;   /* 1, 2, 4 or 8 */
};

/* A byte range of the program-visible context that programs may write. */
struct xbpf_ctx_range {
	uint32_t offset;
	uint32_t size;
};

struct xbpf_context_descriptor {
	struct xbpf_abi_header hdr;
	uint32_t size;          /* of the program-visible struct */
	uint32_t internal_size; /* of the internal context; starts with the
				 * program-visible fields that are not converted */
	/* Internal offsets of pointer fields to packet data, or -1. Programs
	 * may access [data_meta or data, data_end). */
	int32_t data_offset;
	int32_t data_end_offset;
	int32_t data_meta_offset;
	const struct xbpf_ctx_field *fields; /* converted fields */
	size_t n_fields;
	const struct xbpf_ctx_range *writable;
	size_t n_writable;
};

/* What the host passed to test_run, and what it gets back. */
struct xbpf_test_run_io {
	struct xbpf_abi_header hdr;
	const void *data_in;
	uint32_t data_size_in;
	const void *ctx_in; /* program-visible context, or NULL */
	uint32_t ctx_size_in;
	void *data_out;     /* may be NULL */
	uint32_t data_size_out; /* in: capacity; out: bytes the packet has */
	void *ctx_out;      /* may be NULL */
	uint32_t ctx_size_out;
};

struct xbpf_program_type_provider {
	struct xbpf_abi_header hdr;
	const char *name;            /* e.g. "xdp" */
	uint32_t linux_prog_type;    /* BPF_PROG_TYPE_* when Linux has one, else 0 */
	const char *const *section_prefixes; /* NULL-terminated; the longest match wins */
	const struct xbpf_context_descriptor *context;
	const struct xbpf_helper *helpers; /* program-type helpers and overrides */
	size_t n_helpers;
	/* Linux ids of the core helpers programs of this type may call, or
	 * NULL for all of them. */
	const uint32_t *core_helpers;
	size_t n_core_helpers;
	/* test_run: build an internal context (and packet) from io, and
	 * afterwards write data_out/ctx_out and free it. */
	int (*test_run_create)(void *ctx, const struct xbpf_test_run_io *io, void **run_ctx);
	int (*test_run_finish)(void *ctx, void *run_ctx, struct xbpf_test_run_io *io);
	void *ctx;
};

/* ------------------------------------------------------------------------ */
/* Hooks and links                                                          */
/* ------------------------------------------------------------------------ */

struct xbpf_hook_provider {
	struct xbpf_abi_header hdr;
	const char *name;         /* attach type, e.g. "xdp/pcap" */
	const char *program_type; /* programs of this type only */
	/* A link attached, or came back after the hook was away. params is the
	 * blob the host gave (from the CLI: "key=value" strings, each ended by
	 * a NUL; see xbpf_core_services.param). Store per-link state in
	 * *link_state. An error refuses the attach (with a message logged). */
	int (*attach)(void *ctx, struct xbpf_link *link, const void *params, size_t params_size,
		      void **link_state);
	/* The link is going (detached by the host, or the hook unregisters).
	 * After this returns the hook must not invoke it again. */
	void (*detach)(void *ctx, struct xbpf_link *link, void *link_state);
	void *ctx;
};

/* ------------------------------------------------------------------------ */
/* Named helpers                                                            */
/* ------------------------------------------------------------------------ */

struct xbpf_helper_provider {
	struct xbpf_abi_header hdr;
	const char *name; /* the namespace programs qualify with */
	const struct xbpf_helper *helpers;
	size_t n_helpers;
	/* Program type names that may see these helpers; NULL for all. */
	const char *const *program_types;
};

/* ------------------------------------------------------------------------ */
/* Map types                                                                */
/* ------------------------------------------------------------------------ */

enum xbpf_map_base {
	XBPF_MAP_BASE_HASH = 1,  /* the core stores entries in a hash table */
	XBPF_MAP_BASE_ARRAY = 2, /* the core stores entries in an array */
	XBPF_MAP_BASE_NONE = 3,  /* the provider implements the operations */
};

/* Properties of a map type. */
#define XBPF_MAP_TRANSFORMS_VALUES 0x1 /* stored values differ from callers' values */
#define XBPF_MAP_PROG_LOOKUP 0x2       /* programs may look up and iterate, in place
					* (then not with after_find); with
					* TRANSFORMS, lookups only: a present key
					* gives an opaque pointer programs may test,
					* not read */
#define XBPF_MAP_PROG_UPDATE 0x4       /* programs may update (before_update and
					* after_delete are called) */
#define XBPF_MAP_PROG_DELETE 0x8       /* programs may delete (after_delete is called) */
#define XBPF_MAP_INDEXED 0x10          /* keys are __u32 indexes below max_entries,
					* stored sparsely (base hash only; key_size
					* 4): Linux's DEVMAP/XSKMAP/CPUMAP semantics */

/* Flags a map callback receives. From a program, before_update runs in
 * the program's call and after_delete of a replaced or deleted value later,
 * after a grace period, on the core's epoch thread; an undo runs at once. */
#define XBPF_MAP_FROM_PROGRAM 0x1 /* must not block (nor wait for a grace period) */
#define XBPF_MAP_FROM_HOST 0x2    /* may block; the caller's process context */
#define XBPF_MAP_REPLACED 0x4     /* after_delete of a value an update displaced */
#define XBPF_MAP_UNDO 0x8         /* after_delete undoing a before_update */
#define XBPF_MAP_CLEANUP 0x10     /* after_delete while the whole map goes away */

struct xbpf_map_params {
	struct xbpf_abi_header hdr;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	const char *name;
};

struct xbpf_map_type_provider {
	struct xbpf_abi_header hdr;
	uint32_t type;      /* 4096 and up, or a Linux number the core lacks */
	const char *name;
	uint32_t base;      /* enum xbpf_map_base */
	uint32_t properties;
	size_t state_size;  /* per-map state the core allocates (zeroed) */

	/* Validate params; for TRANSFORMS_VALUES choose *stored_value_size. */
	int (*create)(void *ctx, struct xbpf_map *map, const struct xbpf_map_params *params,
		      void *state, uint32_t *stored_value_size);
	void (*destroy)(void *ctx, struct xbpf_map *map, void *state);
	/* A map of this type was orphaned and this provider takes it over.
	 * (A map freed while orphaned is not adopted: this provider gets
	 * after_delete with XBPF_MAP_CLEANUP for its entries, then destroy.) */
	void (*adopt)(void *ctx, struct xbpf_map *map, void *state);
	/* Veto a program of this type using the map: non-zero refuses. Asked
	 * when such a program loads, and, for the type of every program using
	 * the map, before this provider adopts an orphaned map. */
	int (*associate)(void *ctx, struct xbpf_map *map, void *state, const char *program_type);

	/* Base hash or array. */
	int (*after_find)(void *ctx, struct xbpf_map *map, void *state, const void *key,
			  const void *stored, void *value, uint32_t flags);
	int (*before_update)(void *ctx, struct xbpf_map *map, void *state, const void *key,
			     const void *value, void *stored, uint32_t flags);
	void (*after_delete)(void *ctx, struct xbpf_map *map, void *state, const void *key,
			     void *stored, uint32_t flags);

	/* Base none. value_size is the caller's idea of the size: the core
	 * zero-fills beyond what the provider writes. */
	int (*lookup)(void *ctx, struct xbpf_map *map, void *state, const void *key, void *value,
		      uint32_t value_size, uint32_t flags);
	int (*update)(void *ctx, struct xbpf_map *map, void *state, const void *key,
		      const void *value, uint32_t value_size, uint64_t map_flags, uint32_t flags);
	int (*delete_elem)(void *ctx, struct xbpf_map *map, void *state, const void *key,
			   uint32_t flags);
	int (*next_key)(void *ctx, struct xbpf_map *map, void *state, const void *key,
			void *next_key, uint32_t flags);
	/* BTF describing key and value (raw .BTF bytes), for dumps. */
	const void *btf;
	size_t btf_size;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	void *ctx;
};

/* ------------------------------------------------------------------------ */
/* Core services                                                            */
/* ------------------------------------------------------------------------ */

struct xbpf_core_services {
	struct xbpf_abi_header hdr;

	/* Register a provider; *out identifies it for unregister. Errors:
	 * -EINVAL (bad provider data; the log names the field), -EEXIST (the
	 * name or type is taken; the log names the owner), -EOVERFLOW (the
	 * struct is newer than the core). */
	int (*register_program_type)(struct xbpf_extension *ext, const struct xbpf_program_type_provider *p,
				     struct xbpf_provider **out);
	int (*register_hook)(struct xbpf_extension *ext, const struct xbpf_hook_provider *p,
			     struct xbpf_provider **out);
	int (*register_helpers)(struct xbpf_extension *ext, const struct xbpf_helper_provider *p,
				struct xbpf_provider **out);
	int (*register_map_type)(struct xbpf_extension *ext, const struct xbpf_map_type_provider *p,
				 struct xbpf_provider **out);
	/* Stops new uses, waits for uses in flight, detaches every client and
	 * only then returns. Must not be called from a helper or a callback. */
	int (*unregister)(struct xbpf_provider *provider);

	/* Epochs: memory a reader may still see is freed after a grace period. */
	void (*epoch_enter)(void);
	void (*epoch_exit)(void);
	void (*epoch_defer)(void (*fn)(void *arg), void *arg);

	void (*log)(struct xbpf_extension *ext, enum xbpf_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* Invoking the programs of links (hook side). The context is the
	 * internal context of the program type. Returns 0 with the program's
	 * r0 in *result, or a negative errno (-XBPF_EDETACHED while something
	 * the program needs is away). Batch: one epoch around many
	 * invocations. */
	int (*invoke)(struct xbpf_link *link, void *ctx, uint64_t *result);
	int (*invoke_batch_begin)(struct xbpf_link *link);
	int (*invoke_batch)(struct xbpf_link *link, void *ctx, uint64_t *result);
	void (*invoke_batch_end)(struct xbpf_link *link);
	/* A hook whose input has ended (a replayed file) says so; the host's
	 * xbpf_link_wait returns. */
	void (*link_finished)(struct xbpf_link *link, int status);
	/* Counters the host can read per link (xbpf_link_counter): the hook
	 * names them when it attaches and increments the returned array
	 * (atomically if several threads count). The array belongs to the
	 * link and keeps its values across a detach and re-attach with the
	 * same names. NULL when out of memory. */
	_Atomic uint64_t *(*link_counters)(struct xbpf_link *link, const char *const *names, size_t n);
	/* Value of "key" in a "key=value\0..." parameter blob, or NULL. */
	const char *(*param)(const void *params, size_t params_size, const char *key);

	/* Helpers: the internal context of the running invocation. */
	void *(*exec_context)(struct xbpf_exec *exec);

	/* Custom maps. */
	void *(*map_state)(struct xbpf_map *map, const struct xbpf_provider *provider);
	const void *(*map_raw_lookup)(struct xbpf_map *map, const struct xbpf_provider *provider,
				      const void *key);
	uint32_t (*map_type)(const struct xbpf_map *map);

	/* Control maps: creates a map of provider's type (which must be
	 * XBPF_MAP_BASE_NONE) and pins it at "ext/<extension name>/<name>"
	 * (name: letters, digits, '_' or '.'), so that hosts open it with
	 * xbpf_map_get_pinned and no creation step. The pin holds the map:
	 * when the provider leaves, the map stays pinned, orphaned (its
	 * operations fail with -XBPF_EDETACHED); when the provider registers
	 * again, it adopts the map, and publishing the same name again keeps
	 * it (0). An orphaned map of the type with other sizes is replaced by
	 * a new one; anything else at the path is -EEXIST. Other errors:
	 * -EINVAL (not a base-none map type, bad name) and the map type's
	 * create errors. Must not be called from a helper or a callback. */
	int (*publish_map)(struct xbpf_provider *provider, const char *name, uint32_t key_size,
			   uint32_t value_size, uint32_t max_entries);
};

/* ------------------------------------------------------------------------ */
/* The extension itself                                                     */
/* ------------------------------------------------------------------------ */

struct xbpf_extension_def {
	struct xbpf_abi_header hdr;
	const char *name;        /* e.g. "xdp"; pins go under ext/<name>/ */
	const char *description;
	/* Register providers. A non-zero result refuses the load (whatever was
	 * registered is unregistered). */
	int (*init)(struct xbpf_extension *ext, const struct xbpf_core_services *core);
	/* Optional: called before the core unregisters what is left. */
	void (*fini)(struct xbpf_extension *ext);
};

#define XBPF_EXTENSION_SYMBOL "xbpf_extension"

/* Defines the exported extension descriptor. */
#define XBPF_EXTENSION(ext_name, ext_description, init_fn, fini_fn)                          \
	__attribute__((visibility("default"))) const struct xbpf_extension_def xbpf_extension = { \
		.hdr = XBPF_ABI_HEADER(struct xbpf_extension_def),                                \
		.name = (ext_name),                                                               \
		.description = (ext_description),                                                 \
		.init = (init_fn),                                                                \
		.fini = (fini_fn),                                                                \
	}

#ifdef __cplusplus
}
#endif

#endif /* XBPF_EXTENSION_H */
