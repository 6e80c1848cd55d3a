#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `xbpf map dump` (maps with and without BTF, per-CPU maps, global data,
# maps of extension types, by name, id and pin, --json) and the map types of
# `xbpf ext info` / `xbpf ext list`.
#
# Usage: map_dump_cli_test.sh XBPF BPF_OBJECT_DIR TEST_MAP_MODULE_DIR WITH_DGRAM_SOCKET
set -uo pipefail

xbpf=$1
objs=$2
modules=$3
with_socket=$4
source "$(dirname "$0")/../cli/expect.sh"

obj=$objs/dump_maps.bpf.o

# --- command line -----------------------------------------------------------
expect "map --help lists dump" 0 "Usage: xbpf map SUBCOMMAND*dump *Usage: xbpf map dump \[ID|PIN|NAME\]*" \
	"" "$xbpf" map --help
expect "map dump --help" 0 "Usage: xbpf map SUBCOMMAND*Usage: xbpf map dump \[ID|PIN|NAME\]*--run PROGRAM*--json*--ext PATH*" "" \
	"$xbpf" map dump --help
expect "--set needs --obj" 2 "" $'xbpf: map dump: --set needs --obj\nTry \'xbpf map dump --help\'.' \
	"$xbpf" map dump --set flows:00=00
expect "--run needs --obj" 2 "" "xbpf: map dump: --run needs --obj*" "$xbpf" map dump --run fill
expect "--obj needs a value" 2 "" "xbpf: map dump: --obj needs a value*" "$xbpf" map dump --obj
expect "two maps" 2 "" "xbpf: map dump: more than one map ('a', 'b')*" "$xbpf" map dump a b
expect "unknown option" 2 "" "xbpf: map dump: unknown option '--frob'*" "$xbpf" map dump --frob

# --- maps of an object, through BTF -----------------------------------------
# After one run of `fill`: a struct key and value (nested struct, char
# array, enum by name, int array, bitfields, negative numbers), a per-CPU
# array (the run's CPU got 9), a map without BTF types in hex, global data
# as its DATASEC's variables.
expect "dump every map after --run" 0 "map flows (hash), id *, key struct flow_key, value struct flow_value
  {\"key\": {\"addr\": 167772161, \"port\": 80, \"proto\": 6, \"pad\": 0}, \"value\": {\"name\": \"web\", \"color\": \"GREEN\", \"where\": {\"x\": -3, \"y\": 4}, \"hist\": \[1, 2, 3\], \"low\": 5, \"high\": 300, \"delta\": -42}}
map per_cpu (percpu_array), id *, key __u32, value __u64
  {\"key\": 0, \"values\": \[{\"cpu\": 0, \"value\": 0}, *\]}
  {\"key\": 1, \"values\": \[{\"cpu\": 0, *\"value\": 9}*\]}
map raw (array), id *, no BTF
  key: 00 00 00 00  value: ef be ad de
  key: 01 00 00 00  value: 00 00 00 00
map raw_per_cpu (percpu_hash), id *, pinned at raw_per_cpu, no BTF
map .data (array), id *, key -, value section .data
  {\"key\": \"00000000\", \"value\": {\"runs\": 8}}
map .rodata (array), id *, key -, value section .rodata
  {\"key\": \"00000000\", \"value\": {\"banner\": \"hello\"}}
map .bss (array), id *, key -, value section .bss
  {\"key\": \"00000000\", \"value\": {\"last\": {\"x\": 101, \"y\": -1}}}" "" \
	"$xbpf" map dump --obj "$obj" --run fill

# Before any run: the initial values of global data, empty maps.
expect "dump .data as loaded" 0 "map .data (array), id *, key -, value section .data
  {\"key\": \"00000000\", \"value\": {\"runs\": 7}}" "" "$xbpf" map dump .data --obj "$obj"
expect "an empty hash" 0 "map flows (hash), id *, key struct flow_key, value struct flow_value" "" \
	"$xbpf" map dump flows --obj "$obj"

# Per-CPU values one per CPU: --set writes every CPU's slot.
expect "per-CPU with BTF and --set" 0 "map per_cpu (percpu_array), id *
  {\"key\": 0, \"values\": \[{\"cpu\": 0, \"value\": 0}*\]}
  {\"key\": 1, \"values\": \[{\"cpu\": 0, \"value\": 258}*\]}" "" \
	"$xbpf" map dump per_cpu --obj "$obj" --set per_cpu:01000000=0201000000000000
expect "per-CPU without BTF, by pin" 0 "map raw_per_cpu (percpu_hash), id *, pinned at raw_per_cpu, no BTF
  key: 01 00
    value (CPU 00): 05 00 00 00*" "" \
	"$xbpf" map dump raw_per_cpu --obj "$obj" --set raw_per_cpu:0100=05000000

# By id: the id the JSON output gives.
id=$("$xbpf" map dump flows --obj "$obj" --json | sed -n 's/.*"id": \([0-9]*\).*/\1/p')
expect "by id" 0 "map flows (hash), id $id, key struct flow_key, *" "" \
	"$xbpf" map dump "$id" --obj "$obj"

# --json: raw bytes as `xbpf run --json` has them, and the formatted entry.
expect "--json" 0 "{\"maps\": \[{\"name\": \"raw\", \"id\": *, \"type\": \"array\", \"btf\": false, \"entries\": \[{\"key\": \"00000000\", \"value\": \"efbeadde\"}, {\"key\": \"01000000\", \"value\": \"00000000\"}\]}\]}" "" \
	"$xbpf" map dump raw --obj "$obj" --run fill --json
expect "--json with BTF, per-CPU" 0 "{\"maps\": \[{\"name\": \"per_cpu\", \"id\": *, \"type\": \"percpu_array\", \"btf\": true, \"entries\": \[{\"key\": \"00000000\", *}, {\"key\": \"01000000\", \"values\": \[\"0300000000000000\"*\], \"formatted\": {\"key\": 1, \"values\": \[{\"cpu\": 0, \"value\": 3}*\]}}\]}\]}" "" \
	"$xbpf" map dump per_cpu --obj "$obj" --set per_cpu:01000000=0300000000000000 --json
expect "--json of a whole session" 0 "{\"maps\": \[*\]}" "" "$xbpf" map dump --json

# --- errors -------------------------------------------------------------------
expect "no such map" 1 "" "xbpf: map dump: no map 'nope': not an id, a pinned map (*raw_per_cpu*) or a map of the object" \
	"$xbpf" map dump nope --obj "$obj"
expect "no such map, no object" 1 "" "xbpf: map dump: no map 'flows': not an id, a pinned map (*), and no --obj names an object" \
	"$xbpf" map dump flows
expect "no such id" 1 "" "xbpf: map dump: no map has id 4000000" "$xbpf" map dump 4000000
expect "no such program" 1 "" "xbpf: map dump: --run nope: the object has no program 'nope'" \
	"$xbpf" map dump --obj "$obj" --run nope
expect "--set of a bad size" 1 "" "xbpf: map dump: --set raw:00000000=01: value has 1 bytes, the map's values have 4" \
	"$xbpf" map dump --obj "$obj" --set raw:00000000=01
expect "missing object" 1 "" "xbpf: map dump: $work/none.o: No such file or directory" \
	"$xbpf" map dump --obj "$work/none.o"

# --- maps of extension types ------------------------------------------------
expect "a provider's map through BTF" 0 "map tm (tm_plain_hash), id *, key __u32, value struct payload
  {\"key\": 1, \"value\": {\"lo\": 42, \"hi\": 7}}" "" \
	"$xbpf" map dump --obj "$objs/dump_custom_plain.bpf.o" --ext "$modules/tm_plain_hash.so" \
	--set tm:01000000=2a00000007000000
# The transforming provider stores something else; the dump reads what
# callers read.
expect "a transforming provider's map" 0 "map tm (tm_xform_hash), id *, key __u32, value struct payload
  {\"key\": 2, \"value\": {\"lo\": 1, \"hi\": 2}}" "" \
	"$xbpf" map dump tm --obj "$objs/dump_custom_xform.bpf.o" --ext "$modules/tm_xform_hash.so" \
	--set tm:02000000=0100000002000000
expect "without the provider" 1 "" "*map 'tm'*cannot create it: Operation not supported
xbpf: map dump: */dump_custom_xform.bpf.o: cannot load the object: Operation not supported" \
	"$xbpf" map dump --obj "$objs/dump_custom_xform.bpf.o"

# --- entries the host cannot read --------------------------------------------
# An XSKMAP's entries are sockets; host lookups of them fail (as on Linux:
# EOPNOTSUPP). The dump shows the key with no value and goes on, as bpftool.
# Descriptor 3 is a datagram socket (with_dgram_socket).
xsk_obj=$objs/redirect_maps.bpf.o
expect "an XSKMAP entry, among every map" 0 "map xsks (xskmap), id *, key __u32, value __u32
  {\"key\": 1, \"value\": null, \"error\": \"Operation not supported\"}
map devs (devmap), id *, key __u32, value __u32" "" \
	"$with_socket" "$xbpf" map dump --obj "$xsk_obj" --set xsks:01000000=03000000
expect "an XSKMAP entry, --json" 0 "{\"maps\": \[{\"name\": \"xsks\", \"id\": *, \"type\": \"xskmap\", \"btf\": true, \"entries\": \[{\"key\": \"01000000\", \"value\": null, \"error\": \"Operation not supported\", \"formatted\": {\"key\": 1, \"value\": null, \"error\": \"Operation not supported\"}}\]}\]}" "" \
	"$with_socket" "$xbpf" map dump xsks --obj "$xsk_obj" --set xsks:01000000=03000000 --json
# Two entries (in the map's order): both listed, the dump goes on past the first.
expect "two XSKMAP entries" 0 "map xsks (xskmap), id *
  {\"key\": [13], \"value\": null, *}
  {\"key\": [13], \"value\": null, *}" "" \
	"$with_socket" "$xbpf" map dump xsks --obj "$xsk_obj" --set xsks:01000000=03000000 \
	--set xsks:03000000=03000000

expect "an XSKMAP entry, no BTF" 0 "map xsks_raw (xskmap), id *, no BTF
  key: 00 00 00 00  value: <unreadable: Operation not supported>" "" \
	"$with_socket" "$xbpf" map dump xsks_raw --obj "$objs/dump_xsk_raw.bpf.o" --set xsks_raw:00000000=03000000
expect "an XSKMAP entry, no BTF, --json" 0 "{\"maps\": \[{\"name\": \"xsks_raw\", \"id\": *, \"type\": \"xskmap\", \"btf\": false, \"entries\": \[{\"key\": \"00000000\", \"value\": null, \"error\": \"Operation not supported\"}\]}\]}" "" \
	"$with_socket" "$xbpf" map dump xsks_raw --obj "$objs/dump_xsk_raw.bpf.o" --set xsks_raw:00000000=03000000 --json

# --- map types in xbpf ext info / list ---------------------------------------
expect "ext info: a map type on hash" 0 "extension tm_xform_hash  $modules/tm_xform_hash.so
  test map type

map type tm_xform_hash
  type: 4097 (in a map definition: __uint(type, 4097))
  base storage: hash (the core keeps the entries in a hash table)
  values: transformed: the extension stores something else than what callers write and read
  programs may: none

named helpers of provider tm_xform_hash, for every program type
    extern long tm_read(void *map, const void *key) __ksym;*" "" "$xbpf" ext info "$modules/tm_xform_hash.so"
expect "ext info: a map type on array" 0 "*map type tm_plain_array
  type: 4099 (in a map definition: __uint(type, 4099))
  base storage: array (the core keeps the entries in an array)
  values: stored as callers write them
  programs may: lookup, update, delete" "" "$xbpf" ext info "$modules/tm_plain_array.so"
expect "ext info: an indexed map type" 0 "*map type tm_indexed
  type: 4106 (in a map definition: __uint(type, 4106))
  base storage: hash (the core keeps the entries in a hash table)
  keys: indexes below max_entries, each one a key as in an array (only set entries are stored)
  values: stored as callers write them
  programs may: lookup, update, delete" "" "$xbpf" ext info "$modules/tm_indexed.so"
expect "ext info: programs test presence in XSKMAP" 0 "*map type xskmap
  type: 17 (in a map definition: __uint(type, 17))
  base storage: hash (the core keeps the entries in a hash table)
  keys: indexes below max_entries, each one a key as in an array (only set entries are stored)
  values: transformed: the extension stores something else than what callers write and read
  programs may: lookup (a lookup tells whether the key is set; the value is not readable)
*" "" "$xbpf" ext info xdp
mkdir -p "$work/exts"
cp "$modules/tm_plain_hash.so" "$modules/tm_xform_array.so" "$work/exts/"
expect "ext list: map types" 0 "tm_plain_hash  $work/exts/tm_plain_hash.so
  test map type
  map type       tm_plain_hash  type 4096, base hash

tm_xform_array  $work/exts/tm_xform_array.so
  test map type
  map type       tm_xform_array type 4098, base array, transforms values
*" "" env XBPF_EXTENSION_PATH="$work/exts" "$xbpf" ext list

finish_checks
