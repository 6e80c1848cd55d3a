/* SPDX-License-Identifier: MIT */
/*
 * xbpf host API.
 *
 * A host application creates a runtime, creates maps and loads programs into
 * it, and runs them. Every function returns 0 or a negative errno; the reason
 * a person needs (which section, which instruction, which extension) goes to
 * the runtime's log callback and, for loads, to the caller's log buffer.
 *
 * Handles are opaque and reference counted: each function that hands one out
 * gives the caller one reference, which the matching *_put (or *_close)
 * releases. Objects also have runtime-wide numeric ids and may be pinned
 * under a path, which keeps them alive without a handle.
 *
 * Numbering follows Linux's UAPI (map types, flags, helper ids), so values
 * from <linux/bpf.h> can be passed as they are. No name here clashes with
 * libbpf's, so a process may use both.
 */
#ifndef XBPF_XBPF_H
#define XBPF_XBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XBPF_API __attribute__((visibility("default")))

/* ------------------------------------------------------------------------ */
/* Instructions                                                             */
/* ------------------------------------------------------------------------ */

/* One eBPF instruction slot, laid out as in RFC 9669 (little-endian hosts). */
struct xbpf_insn {
	uint8_t opcode;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
};

/* ------------------------------------------------------------------------ */
/* Runtime and logging                                                      */
/* ------------------------------------------------------------------------ */

struct xbpf_runtime;

enum xbpf_log_level {
	XBPF_LOG_ERROR = 0,
	XBPF_LOG_WARN = 1,
	XBPF_LOG_INFO = 2,
	XBPF_LOG_DEBUG = 3,
};

/* Receives one complete message (no trailing newline) at a time. May be
 * called from any thread that uses the runtime. */
typedef void (*xbpf_log_fn)(void *user, enum xbpf_log_level level, const char *msg);

/* A caller-owned buffer that collects the messages of one operation (a load,
 * say), each ended by a newline, like the kernel's verifier log. When it
 * fills up, the text is cut at its end and `truncated` is set. */
struct xbpf_log_buf {
	char *buf;
	size_t size;
	size_t len;     /* bytes written, excluding the terminating NUL */
	bool truncated;
};

/* Create a runtime. With no log callback set, errors and warnings go to
 * stderr. */
XBPF_API int xbpf_runtime_create(struct xbpf_runtime **out);
/* Drop the host's reference: objects still held or pinned stay valid until
 * released; the runtime goes away with the last of them. */
XBPF_API void xbpf_runtime_free(struct xbpf_runtime *rt);
/* Messages at `max_level` and below go to fn. fn == NULL silences the log. */
XBPF_API void xbpf_runtime_set_log(struct xbpf_runtime *rt, xbpf_log_fn fn, void *user,
				   enum xbpf_log_level max_level);

/* Number of per-CPU value slots of per-CPU maps (Linux's possible CPUs). */
XBPF_API unsigned xbpf_num_possible_cpus(void);


/* ------------------------------------------------------------------------ */
/* Objects: ids, references and pins                                        */
/* ------------------------------------------------------------------------ */

/* Longest object name, terminating NUL included. Longer names are refused. */
#define XBPF_OBJ_NAME_LEN 64
/* Longest pin path ("a/b/c"), terminating NUL included. Paths under "ext/"
 * belong to the control maps extensions publish: hosts pinning there get
 * -EPERM (they may open and unpin them). */
#define XBPF_PIN_PATH_LEN 256

enum xbpf_object_kind {
	XBPF_OBJ_MAP = 1,
	XBPF_OBJ_PROGRAM = 2,
	XBPF_OBJ_LINK = 3,
};

/* Unpin whatever is pinned at path (the object lives on while held). */
XBPF_API int xbpf_unpin(struct xbpf_runtime *rt, const char *path);
/* Kind of the object pinned at path, or a negative errno (-ENOENT). */
XBPF_API int xbpf_pinned_kind(struct xbpf_runtime *rt, const char *path);
/* Pins under a prefix, in path order: calls fn for each until it returns
 * non-zero, which is then returned. "" lists all pins; "a" (or "a/") lists
 * "a" itself and the pins below "a/", not "ab". Pinning a path below a
 * pinned path fails with -ENOTDIR, pinning a path that has pins below it
 * with -EEXIST (pins are files, their prefixes directories, as in bpffs). */
XBPF_API int xbpf_pin_foreach(struct xbpf_runtime *rt, const char *prefix,
			      int (*fn)(void *user, const char *path, enum xbpf_object_kind kind,
					uint32_t id),
			      void *user);

/* ------------------------------------------------------------------------ */
/* Maps                                                                     */
/* ------------------------------------------------------------------------ */

struct xbpf_map;

/* Map types: Linux's numbers. 1..4095 is the Linux/core namespace; types
 * from 4096 are defined by extensions. */
enum xbpf_map_type {
	XBPF_MAP_TYPE_UNSPEC = 0,
	XBPF_MAP_TYPE_HASH = 1,
	XBPF_MAP_TYPE_ARRAY = 2,
	XBPF_MAP_TYPE_PROG_ARRAY = 3,
	XBPF_MAP_TYPE_PERCPU_HASH = 5,
	XBPF_MAP_TYPE_PERCPU_ARRAY = 6,
	XBPF_MAP_TYPE_LRU_HASH = 9,
	XBPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	XBPF_MAP_TYPE_LPM_TRIE = 11,
	XBPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	XBPF_MAP_TYPE_HASH_OF_MAPS = 13,
	XBPF_MAP_TYPE_DEVMAP = 14,
	XBPF_MAP_TYPE_XSKMAP = 17,
	XBPF_MAP_TYPE_QUEUE = 22,
	XBPF_MAP_TYPE_STACK = 23,
	XBPF_MAP_TYPE_RINGBUF = 27,
	XBPF_MAP_TYPE_BLOOM_FILTER = 30,
	XBPF_MAP_TYPE_FIRST_EXTENSION = 4096,
};

/* Update flags (Linux's values). */
#define XBPF_ANY 0
#define XBPF_NOEXIST 1
#define XBPF_EXIST 2
#define XBPF_F_LOCK 4

/* Map creation flags (Linux's values). */
#define XBPF_F_NO_PREALLOC (1U << 0)
#define XBPF_F_NO_COMMON_LRU (1U << 1)
#define XBPF_F_NUMA_NODE (1U << 2)
#define XBPF_F_RDONLY (1U << 3)      /* host may not write */
#define XBPF_F_WRONLY (1U << 4)      /* host may not read */
#define XBPF_F_ZERO_SEED (1U << 6)
#define XBPF_F_RDONLY_PROG (1U << 7) /* programs may not write */
#define XBPF_F_WRONLY_PROG (1U << 8) /* programs may not read */
#define XBPF_F_MMAPABLE (1U << 10)
#define XBPF_F_INNER_MAP (1U << 12)

struct xbpf_map_create_opts {
	size_t sz; /* sizeof(struct xbpf_map_create_opts) */
	uint32_t map_flags;
	uint32_t numa_node;
	/* Map-in-map: a map whose type and sizes every inner map must match. */
	struct xbpf_map *inner_map;
	/* BLOOM_FILTER: number of hash functions (1..15; 0 means 5), as
	 * Linux's map_extra. */
	uint64_t map_extra;
};

/* Create a map and return one reference to it. The name may be NULL.
 * Errors (with the reason logged): -EINVAL for sizes, flags or a name
 * the type does not accept, -E2BIG for sizes beyond the type's limits,
 * -ENOMEM, -EOPNOTSUPP for a type nobody provides. */
XBPF_API int xbpf_map_create(struct xbpf_runtime *rt, enum xbpf_map_type type, const char *name,
			     uint32_t key_size, uint32_t value_size, uint32_t max_entries,
			     const struct xbpf_map_create_opts *opts, struct xbpf_map **out);
XBPF_API void xbpf_map_get(struct xbpf_map *map);
XBPF_API void xbpf_map_put(struct xbpf_map *map);

struct xbpf_map_info {
	uint32_t id;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size; /* per CPU for per-CPU maps */
	uint32_t max_entries;
	uint32_t map_flags;
	uint64_t map_extra;
	uint32_t inner_map_id; /* map-in-map: the current inner map template's id, else 0 */
	bool frozen;
	/* Number of entries, where cheap to know (hash maps, queues); else -1. */
	int64_t entries;
	char name[XBPF_OBJ_NAME_LEN];
};
XBPF_API int xbpf_map_get_info(const struct xbpf_map *map, struct xbpf_map_info *info);
XBPF_API uint32_t xbpf_map_id(const struct xbpf_map *map);
XBPF_API const char *xbpf_map_name(const struct xbpf_map *map);

/* Size of the buffer a host lookup needs: value_size, or for per-CPU maps
 * xbpf_num_possible_cpus() slots of value_size rounded up to 8 bytes. */
XBPF_API size_t xbpf_map_host_value_size(const struct xbpf_map *map);

/* Element operations from the host. Values are copied in and out; per-CPU
 * maps take and give every CPU's slot. Errors follow Linux: -ENOENT (no such
 * key, or iteration ended), -EEXIST (NOEXIST on an existing key), -E2BIG
 * (map full), -EINVAL (bad flags, array delete), -EPERM (RDONLY/WRONLY or
 * frozen), -EOPNOTSUPP (operation the type lacks). */
XBPF_API int xbpf_map_lookup_elem(struct xbpf_map *map, const void *key, void *value);
XBPF_API int xbpf_map_lookup_elem_flags(struct xbpf_map *map, const void *key, void *value,
					uint64_t flags);
XBPF_API int xbpf_map_update_elem(struct xbpf_map *map, const void *key, const void *value,
				  uint64_t flags);
XBPF_API int xbpf_map_delete_elem(struct xbpf_map *map, const void *key);
/* Also pop (queue, stack: key must be NULL). */
XBPF_API int xbpf_map_lookup_and_delete_elem(struct xbpf_map *map, const void *key, void *value);
/* key NULL, or a key not in the map: the first key. */
XBPF_API int xbpf_map_get_next_key(struct xbpf_map *map, const void *key, void *next_key);
/* After freezing, the host may no longer write (programs still may). */
XBPF_API int xbpf_map_freeze(struct xbpf_map *map);
/* A lookup for readers that know a value layout of value_size bytes, which
 * may be shorter or longer than the map's (xbpf_map_host_value_size): the
 * common prefix is copied and the rest of value is zeroed. Control maps
 * (docs/extensions.md) grow their values by appending fields, so a reader
 * built against an older layout reads the fields it knows and a newer
 * reader sees zeros for fields the provider does not have yet. For maps
 * whose provider implements the storage, the provider gets value_size
 * (and the core zeroes what it leaves). Errors as xbpf_map_lookup_elem;
 * -EINVAL for a value_size of 0. */
XBPF_API int xbpf_map_lookup_elem_sized(struct xbpf_map *map, const void *key, void *value,
					size_t value_size);

/* Map-in-map and PROG_ARRAY values are object ids (uint32_t) from the host,
 * on update and on lookup: the id of the inner map or of the program. An id
 * naming no live object gives -EBADF (Linux's answer to a bad descriptor);
 * an object of the wrong kind, or an inner map that does not match the
 * template, -EINVAL. */

/* Batch operations, as Linux's BPF_MAP_*_BATCH: *count is in the number of
 * elements offered, out the number done. in_batch NULL starts from the
 * beginning; out_batch receives the position to resume from (key_size bytes
 * for hash maps, 4 for arrays). Returns -ENOENT when the map is exhausted
 * (with *count possibly > 0). */
struct xbpf_map_batch_opts {
	size_t sz;
	uint64_t elem_flags;
	uint64_t flags;
};
XBPF_API int xbpf_map_lookup_batch(struct xbpf_map *map, void *in_batch, void *out_batch,
				   void *keys, void *values, uint32_t *count,
				   const struct xbpf_map_batch_opts *opts);
XBPF_API int xbpf_map_lookup_and_delete_batch(struct xbpf_map *map, void *in_batch,
					      void *out_batch, void *keys, void *values,
					      uint32_t *count,
					      const struct xbpf_map_batch_opts *opts);
XBPF_API int xbpf_map_update_batch(struct xbpf_map *map, const void *keys, const void *values,
				   uint32_t *count, const struct xbpf_map_batch_opts *opts);
XBPF_API int xbpf_map_delete_batch(struct xbpf_map *map, const void *keys, uint32_t *count,
				   const struct xbpf_map_batch_opts *opts);

/* Ids and pins. get_* functions return a new reference. */
XBPF_API int xbpf_map_get_by_id(struct xbpf_runtime *rt, uint32_t id, struct xbpf_map **out);
/* Next map id after start_id (0: the first); -ENOENT at the end. */
XBPF_API int xbpf_map_get_next_id(struct xbpf_runtime *rt, uint32_t start_id, uint32_t *next_id);
XBPF_API int xbpf_map_pin(struct xbpf_map *map, const char *path);
XBPF_API int xbpf_map_get_pinned(struct xbpf_runtime *rt, const char *path, struct xbpf_map **out);

/* The BTF describing the map's keys and values, as Linux's btf,
 * btf_key_type_id and btf_value_type_id: raw .BTF bytes (valid while the
 * caller holds the map) and the ids of the key and value types in them (0:
 * not described, such as the key of a global data map, whose value is its
 * DATASEC). The loader gives it to the maps of objects compiled with BTF
 * (SEC(".maps") definitions with __type(key/value), .data/.rodata/.bss);
 * extensions give it to the maps they publish. -ENOENT when the map has
 * none. Any output pointer may be NULL. */
XBPF_API int xbpf_map_btf(const struct xbpf_map *map, const void **btf, size_t *btf_size,
			  uint32_t *key_type_id, uint32_t *value_type_id);

/* Ring buffer consumer (BPF_MAP_TYPE_RINGBUF), as libbpf's ring_buffer:
 * calls fn once per submitted record in order, skipping discarded ones. A
 * non-zero return from fn stops consumption and is returned. */
struct xbpf_ringbuf_consumer;
typedef int (*xbpf_ringbuf_sample_fn)(void *user, void *data, size_t size);
XBPF_API int xbpf_ringbuf_consumer_create(struct xbpf_map *map, xbpf_ringbuf_sample_fn fn,
					  void *user, struct xbpf_ringbuf_consumer **out);
/* Consume what is available now; returns the number of records or -errno. */
XBPF_API int xbpf_ringbuf_consume(struct xbpf_ringbuf_consumer *c);
/* Wait up to timeout_ms (-1: forever) for records, then consume them. */
XBPF_API int xbpf_ringbuf_poll(struct xbpf_ringbuf_consumer *c, int timeout_ms);
/* A descriptor that becomes readable (epoll/poll) when records are waiting. */
XBPF_API int xbpf_ringbuf_fd(const struct xbpf_ringbuf_consumer *c);
XBPF_API void xbpf_ringbuf_consumer_free(struct xbpf_ringbuf_consumer *c);


/* ------------------------------------------------------------------------ */
/* Programs                                                                 */
/* ------------------------------------------------------------------------ */

struct xbpf_program;

/* Execution engines. */
enum xbpf_engine {
	XBPF_ENGINE_INTERPRETER = 0,
	XBPF_ENGINE_COUNT,
};
/* "interpreter", ...; NULL for an unknown engine. */
XBPF_API const char *xbpf_engine_name(enum xbpf_engine engine);
/* The engine of that name, or -ENOENT. */
XBPF_API int xbpf_engine_by_name(const char *name);

/* Named helper bindings chosen by the host: calls to `helper` bind to the
 * provider called `provider`, whatever the program says. */
struct xbpf_helper_binding {
	const char *helper;
	const char *provider;
};

struct xbpf_program_load_opts {
	size_t sz;
	enum xbpf_engine engine;
	struct xbpf_log_buf *log; /* why a load failed, with source lines */
	const struct xbpf_helper_binding *bindings;
	size_t n_bindings;
	const char *license; /* raw loads: "GPL" and friends unlock GPL-only helpers */
	const char *name;    /* raw loads: the program's name */
};

/* Load raw instructions as a program of the named type ("xdp"). A lddw of a
 * map (src 1) or of a map value (src 2) names the map by its id in imm. */
XBPF_API int xbpf_program_load(struct xbpf_runtime *rt, const char *type,
			       const struct xbpf_insn *insns, size_t count,
			       const struct xbpf_program_load_opts *opts, struct xbpf_program **out);
XBPF_API void xbpf_program_get(struct xbpf_program *prog);
XBPF_API void xbpf_program_put(struct xbpf_program *prog);

XBPF_API uint32_t xbpf_program_id(const struct xbpf_program *prog);
XBPF_API const char *xbpf_program_name(const struct xbpf_program *prog);
XBPF_API const char *xbpf_program_section(const struct xbpf_program *prog);
XBPF_API const char *xbpf_program_type(const struct xbpf_program *prog);
/* The instructions as the object file had them (before the loader resolved
 * maps and converted context accesses). */
XBPF_API const struct xbpf_insn *xbpf_program_insns(const struct xbpf_program *prog,
						    size_t *count);
/* "file:line: source" of instruction pc (from BTF line info) into buf;
 * -ENOENT when there is none. */
XBPF_API int xbpf_program_source_line(const struct xbpf_program *prog, size_t pc, char *buf,
				      size_t size);

struct xbpf_program_info {
	uint32_t id;
	char name[XBPF_OBJ_NAME_LEN];
	char type[XBPF_OBJ_NAME_LEN];
	enum xbpf_engine engine;
	uint32_t insn_count;
	bool attached;     /* false while something it needs is unregistered */
	uint64_t run_count;
	uint64_t run_time_ns;
};
XBPF_API int xbpf_program_get_info(const struct xbpf_program *prog, struct xbpf_program_info *info);

/* Time every run (run_time_ns of program info and of the control map
 * below): two clock reads per run, so off by default, as Linux's
 * kernel.bpf_stats_enabled. Run counts are always kept. Returns the
 * previous setting. */
XBPF_API bool xbpf_runtime_enable_stats(struct xbpf_runtime *rt, bool enable);

/* The core's control map of program statistics, opened with
 * xbpf_map_get_pinned(rt, XBPF_CORE_PROGRAMS_MAP, &map) with no creation
 * step: keys are program ids (uint32_t, iterated in id order), values this
 * struct, read with xbpf_map_lookup_elem_sized(map, &id, &stats,
 * sizeof(stats)) so that a reader built against an older or newer xbpf
 * gets the fields both know (fields are only appended). Read-only. */
#define XBPF_CORE_PROGRAMS_MAP "ext/core/programs"
struct xbpf_prog_run_stats {
	uint64_t run_cnt;     /* runs, from hooks and test_run */
	uint64_t run_time_ns; /* while xbpf_runtime_enable_stats is on */
};

/* As Linux's BPF_PROG_TEST_RUN. */
struct xbpf_test_run_opts {
	size_t sz;
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;         /* may be NULL */
	uint32_t data_size_out; /* in: capacity of data_out; out: the packet's size */
	const void *ctx_in;     /* the program-visible context (struct xdp_md), or NULL */
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;
	uint32_t repeat;        /* runs (0 counts as 1), on the same context */
	uint64_t retval;        /* out: r0 of the last run */
	uint64_t duration_ns;   /* out: average time of one run */
	struct xbpf_log_buf *log; /* why a run failed */
};
/* Errors: those of the program type's test_run (-EINVAL for a bad context
 * or packet), -ENOSPC when data_out was too small (data_size_out says how
 * big it had to be), a run error (-EFAULT, -E2BIG, -XBPF_EDETACHED...) with
 * its message in the log. */
XBPF_API int xbpf_program_test_run(struct xbpf_program *prog, struct xbpf_test_run_opts *opts);

XBPF_API int xbpf_program_pin(struct xbpf_program *prog, const char *path);
XBPF_API int xbpf_program_get_pinned(struct xbpf_runtime *rt, const char *path,
				     struct xbpf_program **out);
XBPF_API int xbpf_program_get_by_id(struct xbpf_runtime *rt, uint32_t id,
				    struct xbpf_program **out);
XBPF_API int xbpf_program_get_next_id(struct xbpf_runtime *rt, uint32_t start_id,
				      uint32_t *next_id);

/* ------------------------------------------------------------------------ */
/* Objects: the programs and maps of one ELF file                           */
/* ------------------------------------------------------------------------ */

struct xbpf_object;

struct xbpf_object_open_opts {
	size_t sz;
	const char *object_name; /* in messages; default: the file's name */
	/* Maps with pinning "by name" are pinned at "<pin_root>/<map name>"
	 * ("" or NULL: at "<map name>") and reused when a compatible map is
	 * pinned there already. */
	const char *pin_root;
	struct xbpf_log_buf *log;
};

/* Parse an ELF object written by clang -target bpf; nothing is created
 * until xbpf_object_load. */
XBPF_API int xbpf_object_open_file(struct xbpf_runtime *rt, const char *path,
				   const struct xbpf_object_open_opts *opts, struct xbpf_object **out);
XBPF_API int xbpf_object_open_mem(struct xbpf_runtime *rt, const void *data, size_t size,
				  const struct xbpf_object_open_opts *opts, struct xbpf_object **out);
/* Create the maps, then load every program (opts->log gets the reasons). */
XBPF_API int xbpf_object_load(struct xbpf_object *obj, const struct xbpf_program_load_opts *opts);
/* Drops the object's references to its programs and maps: those pinned,
 * attached or held elsewhere live on. */
XBPF_API void xbpf_object_close(struct xbpf_object *obj);

XBPF_API const char *xbpf_object_name(const struct xbpf_object *obj);
/* Programs and maps of the object, owned by it (take a reference with
 * xbpf_program_get / xbpf_map_get to keep one beyond xbpf_object_close).
 * They exist once the object is loaded: before, these return NULL. */
XBPF_API struct xbpf_program *xbpf_object_find_program(const struct xbpf_object *obj,
						       const char *name);
XBPF_API struct xbpf_map *xbpf_object_find_map(const struct xbpf_object *obj, const char *name);
XBPF_API struct xbpf_program *xbpf_object_next_program(const struct xbpf_object *obj,
						       const struct xbpf_program *prev);
XBPF_API struct xbpf_map *xbpf_object_next_map(const struct xbpf_object *obj,
					       const struct xbpf_map *prev);

/* ------------------------------------------------------------------------ */
/* Links: programs attached to hooks                                        */
/* ------------------------------------------------------------------------ */

struct xbpf_link;

/* Attach prog to the hook of that attach type ("xdp/pcap"). params is
 * handed to the hook as it is; the CLI passes "key=value" strings, each
 * ended by a NUL. A link survives its hook going away and attaches again
 * when the hook comes back. */
XBPF_API int xbpf_program_attach(struct xbpf_program *prog, const char *attach_type,
				 const void *params, size_t params_size, struct xbpf_link **out);
/* Detach (waiting for invocations in flight) and drop the handle. */
XBPF_API int xbpf_link_detach(struct xbpf_link *link);
/* Wait until the hook says its input has ended (-ETIMEDOUT after
 * timeout_ms; -1 waits forever); returns the hook's status. */
XBPF_API int xbpf_link_wait(struct xbpf_link *link, int timeout_ms);
XBPF_API bool xbpf_link_attached(const struct xbpf_link *link);
/* The index-th counter the hook keeps for the link ("pass", "drop"...);
 * -ENOENT past the last. */
XBPF_API int xbpf_link_counter(const struct xbpf_link *link, size_t index, const char **name,
			       uint64_t *value);
XBPF_API uint32_t xbpf_link_id(const struct xbpf_link *link);

/* ------------------------------------------------------------------------ */
/* Extensions                                                               */
/* ------------------------------------------------------------------------ */

struct xbpf_extension;

/* Load an extension: a path to a shared object, or the name of one shipped
 * with xbpf ("xdp"), looked up in $XBPF_EXTENSION_PATH (colon-separated),
 * then next to the running executable, then in the build tree. */
XBPF_API int xbpf_extension_load(struct xbpf_runtime *rt, const char *path_or_name,
				 struct xbpf_extension **out);
/* Unregister whatever it still has registered (programs and links detach,
 * maps of its types are orphaned) and unmap it once nothing can reach its
 * code. */
XBPF_API int xbpf_extension_unload(struct xbpf_extension *ext);
XBPF_API const char *xbpf_extension_name(const struct xbpf_extension *ext);
XBPF_API const char *xbpf_extension_path(const struct xbpf_extension *ext);
/* An exported symbol of the extension (the functions an extension offers
 * hosts, such as the sample extension's sample_fire), or NULL. */
XBPF_API void *xbpf_extension_symbol(const struct xbpf_extension *ext, const char *name);

/* ------------------------------------------------------------------------ */
/* Extension introspection: what the loaded extensions provide              */
/* ------------------------------------------------------------------------ */

/* Calls fn for each folder searched for extensions by name, in search
 * order ($XBPF_EXTENSION_PATH, next to the program, the build tree), until
 * fn returns non-zero, which is then returned. */
XBPF_API int xbpf_extension_dir_foreach(int (*fn)(void *user, const char *dir), void *user);

/* A loaded extension, copied out. */
struct xbpf_extension_info {
	char name[XBPF_OBJ_NAME_LEN];
	char path[4096];
	char description[256]; /* cut when longer */
};
/* The index-th loaded extension (the most recently loaded first); -ENOENT
 * past the last. */
XBPF_API int xbpf_extension_get_info(struct xbpf_runtime *rt, size_t index,
				     struct xbpf_extension_info *info);

enum xbpf_provider_type {
	XBPF_PROVIDES_PROGRAM_TYPE = 1,
	XBPF_PROVIDES_HOOK = 2,        /* an attach type */
	XBPF_PROVIDES_HELPERS = 3,     /* named helpers */
	XBPF_PROVIDES_MAP_TYPE = 4,
};

/* Longest C prototype xbpf_helper_info holds, NUL included. */
#define XBPF_PROTOTYPE_LEN 256

/* A helper as a provider declares it. Kinds are those of
 * <xbpf/extension.h> (enum xbpf_arg_kind | XBPF_ARG_MAYBE_NULL, enum
 * xbpf_ret_kind). */
struct xbpf_helper_info {
	const char *name;
	uint32_t id;    /* program-type helpers: their id; named helpers: 0 */
	uint32_t flags; /* XBPF_HELPER_* */
	uint8_t ret, ret_width;
	uint8_t args[5], arg_width[5];
	uint32_t ret_size;
	/* As a program author would declare it:
	 * "long sample_sum(const void *mem, __u32 size)". */
	char prototype[XBPF_PROTOTYPE_LEN];
};

/* A context field whose loads the core converts (see struct xbpf_ctx_field
 * in <xbpf/extension.h>). */
struct xbpf_ctx_field_info {
	uint32_t offset, size;                   /* in the program-visible struct */
	uint32_t internal_offset, internal_size; /* in the internal context */
};

/* What one provider offers. Pointers are valid during the callback only. */
struct xbpf_provider_info {
	enum xbpf_provider_type type;
	const char *name;      /* "xdp", "xdp/pcap", the helper namespace... */
	const char *extension; /* the extension that registered it; NULL: the core */

	/* XBPF_PROVIDES_PROGRAM_TYPE */
	uint32_t linux_prog_type; /* BPF_PROG_TYPE_*, or 0 */
	const char *const *section_prefixes;
	size_t n_section_prefixes;
	uint32_t ctx_size;          /* of the program-visible context */
	uint32_t ctx_internal_size;
	int32_t ctx_data_offset;     /* internal offsets of packet pointers, or -1 */
	int32_t ctx_data_end_offset;
	int32_t ctx_data_meta_offset;
	const struct xbpf_ctx_field_info *ctx_fields;
	size_t n_ctx_fields;
	const struct xbpf_ctx_field_info *ctx_writable; /* offset and size used only */
	size_t n_ctx_writable;
	/* Linux ids of the core helpers its programs may call; NULL: all. */
	const uint32_t *core_helpers;
	size_t n_core_helpers;

	/* XBPF_PROVIDES_PROGRAM_TYPE (its helpers by id) and
	 * XBPF_PROVIDES_HELPERS (named helpers). */
	const struct xbpf_helper_info *helpers;
	size_t n_helpers;

	/* XBPF_PROVIDES_HOOK: the program type it runs.
	 * XBPF_PROVIDES_HELPERS: the program types that see the helpers
	 * (program_types, n_program_types; NULL: every type). */
	const char *program_type;
	const char *const *program_types;
	size_t n_program_types;

	/* XBPF_PROVIDES_MAP_TYPE: the type number maps are created with, where
	 * the core keeps entries (XBPF_MAP_BASE_* of <xbpf/extension.h>: 1
	 * hash, 2 array, 3 none: the provider does) and the XBPF_MAP_*
	 * properties (transforms values, accesses programs may make). */
	uint32_t map_type;
	uint32_t map_base;
	uint32_t map_properties;
};

/* Calls fn for every registered provider, in registration order (of the
 * extension ext only, unless ext is NULL), until fn returns non-zero, which
 * is then returned. Providers may register and unregister meanwhile: each
 * one is held while fn looks at it (its unregistering waits), so fn must not
 * unload extensions or unregister providers. -ENOMEM when a provider cannot
 * be described. */
XBPF_API int xbpf_provider_foreach(struct xbpf_runtime *rt, const struct xbpf_extension *ext,
				   int (*fn)(void *user, const struct xbpf_provider_info *info),
				   void *user);

/* Writes the C declaration of a helper with that prototype (kinds and
 * widths of struct xbpf_helper_info) into buf; returns the length it
 * needed, as snprintf. */
XBPF_API int xbpf_helper_prototype(const struct xbpf_helper_info *helper, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Named helper imports                                                     */
/* ------------------------------------------------------------------------ */

/* What a program's named helper (extern ... __ksym) binds to, or why not. */
enum xbpf_import_status {
	XBPF_IMPORT_STATUS_BOUND = 0,    /* bound to `provider`; detail: its prototype */
	XBPF_IMPORT_STATUS_WEAK_UNBOUND, /* __weak, nobody exports it: bpf_ksym_exists() is false */
	XBPF_IMPORT_STATUS_MISSING,      /* no provider offers it to the program's type */
	XBPF_IMPORT_STATUS_AMBIGUOUS,    /* several providers export it: detail lists them */
	XBPF_IMPORT_STATUS_MISMATCH,     /* the prototypes differ: detail shows both */
	XBPF_IMPORT_STATUS_DETACHED,     /* loaded program: its provider is away (or changed) */
};

/* Valid during the callback only. */
struct xbpf_import_info {
	const char *program;
	const char *name;
	char provider[XBPF_OBJ_NAME_LEN]; /* bound, chosen or qualifying provider; "" if none */
	enum xbpf_import_status status;
	bool weak;
	const char *detail; /* the prototype, or the reason in words */
};
typedef int (*xbpf_import_fn)(void *user, const struct xbpf_import_info *info);

/* For each program of an opened object, each named helper it calls, as
 * loading it now with opts (their bindings) would resolve it. Nothing is
 * loaded. A non-zero return from fn stops and is returned. */
XBPF_API int xbpf_object_imports(struct xbpf_object *obj, const struct xbpf_program_load_opts *opts,
				 xbpf_import_fn fn, void *user);
/* The named helpers a loaded program imports, and what they are bound to now. */
XBPF_API int xbpf_program_imports(const struct xbpf_program *prog, xbpf_import_fn fn, void *user);

#ifdef __cplusplus
}
#endif

#endif /* XBPF_XBPF_H */
