#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `xbpf ext list`, `xbpf ext info` and `xbpf attach`: what they print about
# the shipped extensions and a test extension of named helpers, the counters
# of a run over a generated capture, Ctrl-C, and their errors.
#
# Usage: ext_cli_test.sh XBPF PCAPGEN FIREWALL_OBJ TEST_MODULE_DIR
set -uo pipefail

xbpf=$1
pcapgen=$2
firewall=$3
modules=$4
source "$(dirname "$0")/expect.sh"

# --- xbpf ext ---------------------------------------------------------------
expect "--help lists ext and attach" 0 "Usage: xbpf COMMAND*ext *attach *" "" "$xbpf" --help
expect "ext --help" 0 "Usage: xbpf ext list*xbpf ext info NAME|PATH*XBPF_EXTENSION_PATH*" "" \
	"$xbpf" ext --help
expect "ext info --help" 0 "Usage: xbpf ext list*" "" "$xbpf" ext info --help
expect "ext without subcommand" 2 "" $'xbpf: ext: which subcommand? (list, info)\nTry \'xbpf ext --help\'.' \
	"$xbpf" ext
expect "ext unknown subcommand" 2 "" "xbpf: ext: unknown subcommand 'frob' (list, info)*" \
	"$xbpf" ext frob
expect "ext list stray argument" 2 "" "xbpf: ext: list: unexpected argument 'x'*" "$xbpf" ext list x

# The shipped extensions, one line per provider, and the search path.
expect "ext list" 0 "*
xdp  */xdp.so
  XDP programs (struct xdp_md) and hooks that run them over packets
  program type   xdp            sections xdp, xdp.frags, xdp/; 8 helpers
  attach type    xdp/pcap       runs xdp programs
  attach type    xdp/live       runs xdp programs
  map type       xskmap*
  map type       devmap*
*
Search path: *" "" "$xbpf" ext list
expect "ext list: sample and its v2 build" 0 "*sample  */sample.so
  A minimal example*
  program type   sample         sections sample; 2 helpers
  attach type    sample/manual  runs sample programs
  named helpers  sample         sample_add, sample_hash, sample_scale; for every program type
  map type       sample_counters*

sample_v2  */sample_v2.so (it calls itself 'sample')
*" "" "$xbpf" ext list

# XBPF_EXTENSION_PATH comes first; a named-helper provider is one line too.
mkdir -p "$work/exts" "$work/empty"
cp "$modules/named_test.so" "$work/exts/"
expect "ext list with XBPF_EXTENSION_PATH" 0 "named_test  $work/exts/named_test.so
  Named helpers for the introspection tests
  named helpers  textkit        text_hash, text_fill; for sample programs
  named helpers  anykit         any_answer; for every program type
*
Search path: $work/empty:$work/exts:*" "" \
	env XBPF_EXTENSION_PATH="$work/empty:$work/exts" "$xbpf" ext list
# A shared object that is not an extension: said, and the status is 1.
cp "$modules/abi_plain.so" "$work/exts/"
expect "ext list with a broken extension" 1 "abi_plain  $work/exts/abi_plain.so
  (cannot be loaded: see the error above)*" \
	"xbpf: ext: $work/exts/abi_plain.so: not an xbpf extension: it does not export 'xbpf_extension'" \
	env XBPF_EXTENSION_PATH="$work/exts" "$xbpf" ext list
rm "$work/exts/abi_plain.so"

expect "ext info xdp" 0 "extension xdp  */xdp.so
  XDP programs (struct xdp_md) and hooks that run them over packets

program type xdp (Linux program type 6)
  section prefixes: xdp, xdp.frags, xdp/
  context: 24 bytes as programs see it, * inside
    packet: programs may read \[data_meta, data_end)
    converted fields (offset+size as programs read them -> inside):
      0+4 -> *+8  (data)
      4+4 -> *+8  (data_end)
      8+4 -> *+8  (data_meta)
    writable: nothing
  core helpers: all
  helpers:
    \[44\] long bpf_xdp_adjust_head(void \*ctx, __u32 arg2)  /\* changes the packet \*/
*    \[189\] long bpf_xdp_load_bytes(void \*ctx, __u32 arg2, void \*buf, __u32 size)
*    \[23\] long bpf_redirect(__u32 arg1, __u64 arg2)
    \[51\] long bpf_redirect_map(void \*map, __u64 arg2, __u64 arg3)
  attach types: xdp/pcap, xdp/live

attach type xdp/pcap
  runs xdp programs (xbpf attach OBJ --hook xdp/pcap)

attach type xdp/live
  runs xdp programs (xbpf attach OBJ --hook xdp/live)

map type xskmap*

map type devmap*

map type xdp_if_counters
  type: 4608 (in a map definition: __uint(type, 4608))
  base storage: none (the extension keeps the entries itself)
  values: stored as callers write them
  programs may: none" "" "$xbpf" ext info xdp

expect "ext info sample: its context" 0 "*program type sample
  section prefixes: sample
  context: 16 bytes as programs see it, 32 inside
    packet: programs may read \[data, data_end)
    converted fields (offset+size as programs read them -> inside):
      8+4 -> 16+8  (data)
      12+4 -> 24+8  (data_end)
    writable: 4+4
  core helpers: all
  helpers:
    \[65536\] long sample_mix(__u64 arg1, __u64 arg2)
    \[65537\] long sample_sum(const void \*mem, __u32 size)
  attach types: sample/manual
*" "" "$xbpf" ext info sample

expect "ext info: named helpers as declarations with their provider" 0 \
	"extension named_test  $work/exts/named_test.so
  Named helpers for the introspection tests

named helpers of provider textkit, for sample programs
    extern long text_hash(const char \*str) __ksym;
    extern int text_fill(void \*buf /\* or NULL \*/, __u32 size, __u8 arg3) __ksym;
  (qualify with __attribute__((btf_decl_tag(\"xbpf:provider=textkit\"))) where another provider has the same name)

named helpers of provider anykit, for every program type
    extern long any_answer(void) __ksym;
  (qualify with *provider=anykit*" "" "$xbpf" ext info "$work/exts/named_test.so"
expect "ext info by name from XBPF_EXTENSION_PATH" 0 "extension named_test  $work/exts/named_test.so*" "" \
	env XBPF_EXTENSION_PATH="$work/exts" "$xbpf" ext info named_test

expect "ext info without name" 2 "" "xbpf: ext: info: which extension?*" "$xbpf" ext info
expect "ext info two names" 2 "" "xbpf: ext: info: unexpected argument 'sample'*" \
	"$xbpf" ext info xdp sample
expect "ext info unknown name names the search path" 1 "" \
	"xbpf: ext: no extension 'nope' in the search path $work/empty:*/extensions (see 'xbpf ext list'; set XBPF_EXTENSION_PATH or give a path)" \
	env XBPF_EXTENSION_PATH="$work/empty" "$xbpf" ext info nope
expect "ext info missing path" 1 "" "xbpf: ext: $work/none.so: No such file or directory" \
	"$xbpf" ext info "$work/none.so"
expect "ext info not an extension" 1 "" "xbpf: ext: */abi_plain.so: not an xbpf extension*" \
	"$xbpf" ext info "$modules/abi_plain.so"

# --- xbpf attach ------------------------------------------------------------
"$pcapgen" -v -n 500 -s 3 "$work/in.pcap" >"$work/kinds.txt" || exit 1
kind() { awk -v k="$1" '$1 == k { n = $2 } END { print n + 0 }' "$work/kinds.txt"; }
drop=$(($(kind scan) + $(kind ssh-outside) + $(kind bad-ihl) + $(kind short-ipv4) + \
	$(kind bad-total-length) + $(kind bad-tcp-offset) + $(kind short-tcp)))
error=$(($(kind runt) + $(kind jumbo)))
pass=$((500 - drop - error))

expect "attach --help" 0 "Usage: xbpf attach OBJ --hook TYPE*in=FILE*" "" "$xbpf" attach --help
expect "attach without object" 2 "" "xbpf: attach: no object file*" "$xbpf" attach --hook xdp/pcap
expect "attach without hook" 2 "" "xbpf: attach: --hook is required*" "$xbpf" attach "$firewall"
expect "attach bad param" 2 "" "xbpf: attach: --param in: expected KEY=VALUE*" \
	"$xbpf" attach "$firewall" --hook xdp/pcap --param in
expect "attach option without value" 2 "" "xbpf: attach: --map-update needs MAP KEY VALUE*" \
	"$xbpf" attach "$firewall" --hook xdp/pcap --map-update blocklist 00
expect "attach unknown option" 2 "" "xbpf: attach: unknown option '--frob'*" \
	"$xbpf" attach "$firewall" --frob
expect "attach missing object" 1 "" "xbpf: attach: $work/none.o: No such file or directory" \
	"$xbpf" attach "$work/none.o" --hook xdp/pcap
expect "attach unknown hook" 1 "" \
	"xbpf: attach: no hook 'xdp/nope' in the loaded extensions (their attach types: xdp/pcap, xdp/live); see 'xbpf ext list'" \
	"$xbpf" attach "$firewall" --hook xdp/nope
expect "attach hook of no extension" 1 "" "xbpf: attach: no extension 'frob' in the search path *" \
	"$xbpf" attach "$firewall" --hook frob/x
expect "attach unknown program" 1 "" "xbpf: attach: no program 'nope' in the object (its programs: firewall)" \
	"$xbpf" attach "$firewall" --program nope --hook xdp/pcap --param in="$work/in.pcap"
expect "attach without required param" 1 "" \
	"xbpf: attach: xdp: xdp/pcap: in=FILE, the capture to replay, is required
xbpf: attach: hook 'xdp/pcap' (xdp) refused program 'firewall': Invalid argument" \
	"$xbpf" attach "$firewall" --hook xdp/pcap --param out="$work/out.pcap"
expect "attach unknown map" 1 "" "xbpf: attach: no map 'nope' in the object (its maps: blocklist, actions*)" \
	"$xbpf" attach "$firewall" --hook xdp/pcap --param in="$work/in.pcap" --map-update nope 00 00
expect "attach wrong key size" 1 "" "xbpf: attach: --map-update: the key is 2 bytes; the map's are 4" \
	"$xbpf" attach "$firewall" --hook xdp/pcap --param in="$work/in.pcap" --map-update blocklist 0000 01
expect "attach bad hex" 1 "" "xbpf: attach: --map-update: value: 'zz' is not hex bytes*" \
	"$xbpf" attach "$firewall" --hook xdp/pcap --param in="$work/in.pcap" --map-update blocklist 00000000 zz

# A run over the capture: the counters the capture implies, the verdicts in
# the program's own map, the passed frames in the output file. The hook's
# warning about the short frame may come before the attach line.
expect "attach over a pcap" 0 "received   500
pass       $pass
drop       $drop
tx         0
redirect   0
aborted    0
error      $error
redirect_error 0
map actions:
  0: $pass
  1: $(kind scan)
  2: $(kind ssh-outside)
  3: $((drop - $(kind scan) - $(kind ssh-outside)))" \
	"*xbpf: attach: firewall attached to xdp/pcap (link *); Ctrl-C detaches*" \
	"$xbpf" attach "$firewall" --program firewall --hook xdp/pcap --param in="$work/in.pcap" \
	--param out="$work/out.pcap" --map-update blocklist c0000200 01 --show-map actions
expect "attach over what passed: all of it passes" 0 "received   $pass
pass       $pass
drop       0*error      0
redirect_error 0" "*" \
	"$xbpf" attach "$firewall" --hook xdp/pcap --ext xdp --param in="$work/out.pcap" \
	--map-update blocklist c0000200 01
# Without the blocklist the scans pass.
expect "attach without a blocklist" 0 "received   500
pass       $((pass + $(kind scan)))*" "*" \
	"$xbpf" attach "$firewall" --hook xdp/pcap --param in="$work/in.pcap"

# Ctrl-C detaches cleanly and still prints the counters.
checks=$((checks + 1))
"$xbpf" attach "$firewall" --hook xdp/pcap --param in="$work/in.pcap" --param repeat=1000000 \
	>"$work/int.out" 2>"$work/int.err" &
pid=$!
# Once it runs (and a little longer, for some frames to go through).
for _ in $(seq 100); do
	grep -q attached "$work/int.err" && break
	sleep 0.1
done
sleep 0.3
kill -INT "$pid"
wait "$pid"
rc=$?
received=$(awk '$1 == "received" { print $2 }' "$work/int.out")
if [[ $rc != 0 || $(head -1 "$work/int.out") != "interrupted: detached" || -z $received ||
	$received -le 0 || $received -ge 500000000 ]]; then
	failures=$((failures + 1))
	printf 'FAIL: attach Ctrl-C\n  status %s\n  stdout: %s\n  stderr: %s\n' "$rc" \
		"$(cat "$work/int.out")" "$(cat "$work/int.err")"
fi

finish_checks
