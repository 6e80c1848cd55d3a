#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command-line behaviour of the xbpf tool: help, exit statuses and the exact
# error lines of each subcommand, on good and bad input.
#
# Usage: cli_test.sh XBPF OBJECT
# OBJECT is progs/cli_count.bpf.o compiled (the ELF commands load it).
set -uo pipefail

xbpf=$1
obj=$2
source "$(dirname "$0")/expect.sh"

hex() { od -An -v -tx1 "$1"; }

# --- xbpf -------------------------------------------------------------------
expect "no command" 2 "" "Usage: xbpf COMMAND*" "$xbpf"
expect "--help" 0 "Usage: xbpf COMMAND*asm*disasm*exec*run*prog*map*" "" "$xbpf" --help
expect "--version" 0 "xbpf [0-9]*.[0-9]*.[0-9]*" "" "$xbpf" --version
expect "unknown command" 2 "" $'xbpf: unknown command \'frob\'\nTry \'xbpf --help\'.' "$xbpf" frob

# --- xbpf asm ---------------------------------------------------------------
printf 'mov %%r0, 1\nadd %%r0, 2\nexit\n' >"$work/good.s"
printf '# comment\nmov %%r0, 1\nldxq %%r0, %%r1\nexit\n' >"$work/bad.s"
printf '# nothing\n' >"$work/empty.s"

expect "asm --help" 0 "Usage: xbpf asm FILE*" "" "$xbpf" asm --help
expect "asm without file" 2 "" $'xbpf: asm: no input file\nTry \'xbpf asm --help\'.' "$xbpf" asm
expect "asm unknown option" 2 "" $'xbpf: asm: unknown option \'-x\'\nTry \'xbpf asm --help\'.' \
	"$xbpf" asm -x "$work/good.s"
expect "asm two files" 2 "" "xbpf: asm: more than one input file*" "$xbpf" asm "$work/good.s" "$work/good.s"
expect "asm -o without name" 2 "" "xbpf: asm: -o needs a file name*" "$xbpf" asm "$work/good.s" -o
expect "asm missing file" 1 "" "xbpf: asm: $work/none.s: No such file or directory" "$xbpf" asm "$work/none.s"
expect "asm syntax error" 1 "" "xbpf: asm: line 3: unknown mnemonic 'ldxq'" \
	"$xbpf" asm "$work/bad.s" -o "$work/bad.bin"
expect "asm no instructions" 1 "" "xbpf: asm: $work/empty.s: no instructions" \
	"$xbpf" asm "$work/empty.s" -o "$work/empty.bin"
expect "asm unwritable output" 1 "" "xbpf: asm: $work/no/dir.bin: No such file or directory" \
	"$xbpf" asm "$work/good.s" -o "$work/no/dir.bin"
expect "asm -o" 0 "" "" "$xbpf" asm "$work/good.s" -o "$work/good.bin"
want=$' b7 00 00 00 01 00 00 00 07 00 00 00 02 00 00 00\n 95 00 00 00 00 00 00 00'
expect "asm output bytes" 0 "$want" "" hex "$work/good.bin"
"$xbpf" asm "$work/good.s" >"$work/stdout.bin"
expect "asm to stdout" 0 "" "" cmp "$work/good.bin" "$work/stdout.bin"
input=$(cat "$work/good.s")
expect "asm from stdin" 0 "" "" "$xbpf" asm - -o "$work/stdin.bin"
input=
expect "asm from stdin, same bytes" 0 "" "" cmp "$work/good.bin" "$work/stdin.bin"
if command -v script >/dev/null; then
	# script(1) gives the command a terminal as its standard output.
	expect "asm refuses a terminal" 2 \
		"*xbpf: asm: refusing to write binary instructions to a terminal*" "" \
		script -qec "$xbpf asm $work/good.s" /dev/null
fi

# --- xbpf disasm ------------------------------------------------------------
printf 'lddw %%r1, 0x1122334455667788\nldxw %%r0, [%%r1+4]\njgt %%r0, 5, +1\nexit\n' >"$work/dis.s"
"$xbpf" asm "$work/dis.s" -o "$work/dis.bin"
printf '\x07\x00\x00\x00\x01\x00\x00' >"$work/odd.bin"
printf '\x7fELF\x02\x01\x01\x00' >"$work/elf.o"
printf '\xff\x00\x00\x00\x00\x00\x00\x00' >"$work/invalid.bin"
: >"$work/zero.bin"

expect "disasm --help" 0 "Usage: xbpf disasm FILE*" "" "$xbpf" disasm --help
expect "disasm without file" 2 "" "xbpf: disasm: no input file*" "$xbpf" disasm
expect "disasm two files" 2 "" "xbpf: disasm: more than one input file*" "$xbpf" disasm a b
expect "disasm missing file" 1 "" "xbpf: disasm: $work/none.bin: No such file or directory" \
	"$xbpf" disasm "$work/none.bin"
expect "disasm odd size" 1 "" \
	"xbpf: disasm: $work/odd.bin: size 7 is not a multiple of 8: not raw instructions" \
	"$xbpf" disasm "$work/odd.bin"
expect "disasm empty file" 1 "" "xbpf: disasm: $work/zero.bin: empty file: no instructions" \
	"$xbpf" disasm "$work/zero.bin"
expect "disasm truncated ELF" 1 "" \
	"*truncated ELF header*"$'\n'"xbpf: disasm: $work/elf.o: cannot open the object: Invalid argument" \
	"$xbpf" disasm "$work/elf.o"
want=$'    0: r1 = 0x1122334455667788 ll\n    2: r0 = *(u32 *)(r1 + 0x4)\n    3: if r0 > 0x5 goto +0x1\n    4: exit'
want=$(literal "$want")
expect "disasm" 0 "$want" "" "$xbpf" disasm "$work/dis.bin"
expect "disasm ELF on standard input" 1 "" \
	"xbpf: disasm: -: an ELF object here must be given by its file name, not on standard input" \
	sh -c "\"$xbpf\" disasm - <\"$obj\""
expect "disasm invalid opcode" 0 "    0: .insn 0x00000000000000ff" "" "$xbpf" disasm "$work/invalid.bin"
expect "disasm from stdin" 0 "$want" "" sh -c "\"$xbpf\" disasm - <\"$work/dis.bin\""

# --- xbpf exec --------------------------------------------------------------
printf 'ldxb %%r0, [%%r1+1]\nadd %%r0, %%r2\nexit\n' >"$work/mem.s"
"$xbpf" asm "$work/mem.s" -o "$work/mem.bin"
printf 'mov %%r1, 7\ncall 5\nmov %%r6, %%r0\nmov %%r1, 8\nmov %%r2, 5\ncall %%r2\nadd %%r0, %%r6\nexit\n' \
	>"$work/helper.s"
"$xbpf" asm "$work/helper.s" -o "$work/helper.bin"
printf 'ldxdw %%r0, [%%r1+8]\nexit\n' >"$work/oob.s"
"$xbpf" asm "$work/oob.s" -o "$work/oob.bin"

expect "exec --help" 0 "Usage: xbpf exec*" "" "$xbpf" exec --help
input=$(hex "$work/mem.bin")
expect "exec with memory" 0 "0xbe" "" "$xbpf" exec "aa  bb  cc  "
expect "exec, memory in one token" 0 "0xbe" "" "$xbpf" exec "aabbcc"
expect "exec --interpret" 0 "0xbe" "" "$xbpf" exec "aa  bb  cc  " --interpret
expect "exec --engine interpreter" 0 "0xbe" "" "$xbpf" exec "aa  bb  cc  " --engine interpreter
expect "exec ignores plugin options" 0 "0xbe" \
	$'xbpf: exec: note: ignoring option --profile safe\nxbpf: exec: note: ignoring option --debug' \
	"$xbpf" exec "aa  bb  cc  " --profile safe --debug
expect "exec --elf" 2 "" \
	"xbpf: exec: --elf: ELF programs are not supported yet; send the raw instructions as hex" \
	"$xbpf" exec "aa  bb  cc  " --elf
expect "exec --jit" 2 "" "xbpf: exec: --jit: there is no JIT engine yet (engines: interpreter)" \
	"$xbpf" exec --jit
expect "exec unknown engine" 2 "" "xbpf: exec: no engine 'jit' (engines: interpreter)" \
	"$xbpf" exec --engine jit
expect "exec --engine without name" 2 "" "xbpf: exec: --engine needs a name (interpreter)*" \
	"$xbpf" exec --engine
expect "exec stray argument" 2 "" \
	"xbpf: exec: unexpected argument 'cc' (the memory must come first)*" \
	"$xbpf" exec "aa" --interpret cc
expect "exec bad memory" 1 "" "xbpf: exec: memory: 'xyz' is not hex bytes (two hex digits per byte)" \
	"$xbpf" exec "aa xyz"
input=$(hex "$work/oob.bin")
expect "exec out of bounds" 1 "" "xbpf: exec: run failed: instruction 0: *" \
	"$xbpf" exec "01  02  03  04"
input=$(hex "$work/helper.bin")
expect "exec helper 5 by call and callx" 0 "0xf" "" "$xbpf" exec
input="87 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00"
expect "exec invalid program" 1 "" "xbpf: exec: invalid program: instruction 0: *" "$xbpf" exec
input="b7 00 00 00 01 00 00 00 85 00 00 00 06 00 00 00 95 00 00 00 00 00 00 00"
expect "exec unknown helper" 1 "" "xbpf: exec: cannot prepare: instruction 1: *helper 6*" "$xbpf" exec
input="b7 00 00 00 01 00 00"
expect "exec partial instruction" 1 "" \
	"xbpf: exec: program: 7 bytes is not a whole number of instructions (8 bytes each)" "$xbpf" exec
input="b7 0g"
expect "exec bad program hex" 1 "" "xbpf: exec: program: '0g' is not hex bytes*" "$xbpf" exec
expect "exec NUL in program" 1 "" "xbpf: exec: program: a NUL byte in the hex text" \
	sh -c "printf 'b7 00\\000 00' | \"$xbpf\" exec"
input=""
expect "exec no program" 1 "" "xbpf: exec: no program on standard input (hex text expected)" "$xbpf" exec

# --- ELF objects: xbpf run, prog list, map list, disasm ---------------------
printf '\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12' >"$work/a.bin"
printf '\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e' >"$work/b.bin"
run=("$xbpf" run "$obj" --program count_first)

expect "run --help" 0 "Usage: xbpf run OBJ*--set MAP:KEY=VALUE*every CPU's slot*--json*--ext PATH*" "" \
	"$xbpf" run --help
expect "prog --help" 0 "Usage: xbpf prog SUBCOMMAND*Usage: xbpf prog list OBJ*" "" "$xbpf" prog --help
expect "prog list --help" 0 "Usage: xbpf prog SUBCOMMAND*list*" "" "$xbpf" prog list --help
expect "map --help" 0 "Usage: xbpf map SUBCOMMAND*Usage: xbpf map list OBJ*" "" "$xbpf" map --help
expect "disasm --help mentions ELF" 0 "*ELF object*--program NAME*--ext PATH*" "" "$xbpf" disasm --help

# The hash counts frames by first byte (plus the per-CPU bonus from the
# second frame on); the program increments the first byte; 0xff drops.
want='{"program": "count_first", "engine": "interpreter", "runs": [{"data": "'$work'/a.bin", "retval": 2, "data_out": "06060708090a0b0c0d0e0f101112", "duration_ns": '
want=$(literal "$want")'[0-9]*'
want+=$(literal '}, {"data": "'$work'/a.bin", "retval": 2, "data_out": "06060708090a0b0c0d0e0f101112", "duration_ns": ')'[0-9]*'
want+=$(literal '}, {"data": "'$work'/b.bin", "retval": 1, "data_out": "000102030405060708090a0b0c0d0e", "duration_ns": ')'[0-9]*'
# Hash maps list their keys in an order of their own: either is fine.
e05=$(literal '{"key": "05000000", "value": "0700000000000000"}')
eff=$(literal '{"key": "ff000000", "value": "0f00000000000000"}')
want+=$(literal '}], "maps": {"counts": {"type": "hash", "entries": [')"@($e05, $eff|$eff, $e05)"
want+=$(literal ']}, "bonus": {"type": "percpu_array", "entries": [{"key": "00000000", "values": ["05000000"')
want+='*'$(literal ']}]}, "lengths": {"type": "queue"}}}')
expect "run --json" 0 "$want" "" "${run[@]}" --data "$work/a.bin" --data "$work/a.bin" \
	--data "$work/b.bin" --set bonus:00000000=05000000 --set counts:ff000000=0900000000000000 --json
# Every possible CPU's slot gets the --set value.
cpus=$("${run[@]}" --set bonus:00000000=05000000 --json | grep -o '"05000000"' | wc -l)
possible=$(awk -F'[-,]' '{print $NF + 1}' /sys/devices/system/cpu/possible 2>/dev/null || echo "$cpus")
expect "run --set on every CPU" 0 "$possible" "" echo "$cpus"
want='{"program": "count_first", "engine": "interpreter", "runs": [{"data": null, "retval": 2, "data_out": "01'
expect "run without --data: 64 zero bytes" 0 "$(literal "$want")"'0000*"duration_ns"*' "" "${run[@]}" --json
want=$'program count_first (xdp, section xdp), engine interpreter\nrun '"$work"$'/a.bin: retval 2 (XDP_PASS), *ns\n  data_out (14 bytes): 06060708090a0b0c0d0e0f101112\nmap counts (hash):\n  05000000 = 0100000000000000\nmap bonus (percpu_array):\n  00000000 = \[00000000*\]\nmap lengths (queue):'
expect "run, for people" 0 "$want" "" "${run[@]}" --data "$work/a.bin"
expect "run --repeat" 0 "*retval 2 (XDP_PASS)*" "" "${run[@]}" --data "$work/a.bin" --repeat 3

expect "run without object" 2 "" "xbpf: run: no object file*" "$xbpf" run
expect "run missing object" 1 "" "xbpf: run: $work/none.o: No such file or directory" \
	"$xbpf" run "$work/none.o"
expect "run two programs" 1 "" \
	"xbpf: run: $obj: the object has several programs; choose one with --program (count_first, pass_all)" \
	"$xbpf" run "$obj"
expect "run unknown program" 1 "" "xbpf: run: $obj: no program 'nope'" "$xbpf" run "$obj" --program nope
expect "run missing data" 1 "" "xbpf: run: $work/none.bin: No such file or directory" \
	"${run[@]}" --data "$work/none.bin"
expect "run --data without file" 2 "" "xbpf: run: --data needs a value*" "${run[@]}" --data
expect "run bad --repeat" 2 "" "xbpf: run: --repeat 'x': not a count from 1 to 4294967295*" \
	"${run[@]}" --repeat x
expect "run unknown engine" 2 "" "xbpf: run: no engine 'jit' (engines: interpreter)" \
	"${run[@]}" --engine jit
expect "run unknown option" 2 "" "xbpf: run: unknown option '--frob'*" "${run[@]}" --frob
expect "run --set not MAP:KEY=VALUE" 1 "" "xbpf: run: --set counts: not MAP:KEY=VALUE" \
	"${run[@]}" --set counts
expect "run --set unknown map" 1 "" "xbpf: run: --set nomap:00=00: the object has no map 'nomap'" \
	"${run[@]}" --set nomap:00=00
expect "run --set bad hex" 1 "" \
	"xbpf: run: --set counts:0g000000=00: key: '0g000000' is not hex bytes (two hex digits per byte)" \
	"${run[@]}" --set counts:0g000000=00
expect "run --set wrong key size" 1 "" \
	"xbpf: run: --set counts:00=0100000000000000: key has 1 bytes, the map's keys have 4" \
	"${run[@]}" --set counts:00=0100000000000000
expect "run --set wrong value size" 1 "" \
	"xbpf: run: --set counts:00000000=01: value has 1 bytes, the map's values have 8" \
	"${run[@]}" --set counts:00000000=01
expect "run --set refused" 1 "" \
	"xbpf: run: --set bonus:01000000=01000000: cannot update map 'bonus': *" \
	"${run[@]}" --set bonus:01000000=01000000
# Maps without keys take an empty KEY: each --set pushes; the fifth finds
# the 4-element queue full.
expect "run --set pushes on a queue" 0 "*\"lengths\": {\"type\": \"queue\"}}}" "" \
	"${run[@]}" --json --set lengths:=01000000 --set lengths:=02000000 --set lengths:=03000000 \
	--set lengths:=04000000
expect "run --set on a full queue" 1 "" \
	"xbpf: run: --set lengths:=05000000: cannot update map 'lengths': Argument list too long" \
	"${run[@]}" --json --set lengths:=01000000 --set lengths:=02000000 --set lengths:=03000000 \
	--set lengths:=04000000 --set lengths:=05000000
expect "run --ext missing" 1 "" "xbpf: run: --ext $work/none.so: No such file or directory" \
	"${run[@]}" --ext "$work/none.so"
expect "run --ext without path" 2 "" "xbpf: run: --ext needs a path to an extension*" \
	"${run[@]}" --ext
expect "run raw instructions" 1 "" "*xbpf: run: $work/dis.bin: cannot open the object: *" \
	"$xbpf" run "$work/dis.bin"

want=$'NAME                     SECTION                  TYPE         INSNS\ncount_first              xdp                      xdp          [0-9]*\npass_all                 xdp                      xdp          2'
expect "prog list" 0 "$want" "" "$xbpf" prog list "$obj"
expect "prog without subcommand" 2 "" "xbpf: prog: no subcommand*" "$xbpf" prog
expect "prog unknown subcommand" 2 "" "xbpf: prog: unknown subcommand 'frob'*" "$xbpf" prog frob
expect "prog list without object" 2 "" "xbpf: prog list: no object file*" "$xbpf" prog list
expect "prog list two objects" 2 "" "xbpf: prog list: more than one object file*" \
	"$xbpf" prog list "$obj" "$obj"
expect "prog list missing object" 1 "" "xbpf: prog list: $work/none.o: No such file or directory" \
	"$xbpf" prog list "$work/none.o"
want=$'NAME                     TYPE                  KEY    VALUE MAX_ENTRIES FLAGS\ncounts                   hash                    4        8           8 0x0\nbonus                    percpu_array            4        4           1 0x0\nlengths                  queue                   0        4           4 0x0'
expect "map list" 0 "$(literal "$want")" "" "$xbpf" map list "$obj"
expect "map list unknown option" 2 "" "xbpf: map list: unknown option '-x'*" "$xbpf" map list -x "$obj"

want=$'pass_all (section xdp):\n; cli_count.bpf.c:58: \treturn XDP_PASS;\n    0: r0 = 0x2\n    1: exit'
expect "disasm --program with source lines" 0 "$(literal "$want")" "" \
	"$xbpf" disasm "$obj" --program pass_all
expect "disasm every program" 0 \
	"count_first (section xdp):"$'\n'"; cli_count.bpf.c:*    0: r2 = \*(u32 \*)(r1 + 0x4)*bpf_map_lookup_elem(&counts, &key);*call 0x1*"$'\n\n'"pass_all (section xdp):*" \
	"" "$xbpf" disasm "$obj"
expect "disasm unknown program" 1 "" "xbpf: disasm: $obj: no program 'nope'" \
	"$xbpf" disasm "$obj" --program nope
expect "disasm --program on raw instructions" 2 "" \
	"xbpf: disasm: --program: $work/dis.bin is raw instructions, not an ELF object*" \
	"$xbpf" disasm "$work/dis.bin" --program x

finish_checks
