#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compares `xbpf disasm` with llvm-objdump, instruction by instruction, on
# BPF C programs compiled by clang (tests/isa/bpf/*.c, at -mcpu v1, v2 and v3
# unless the file says otherwise with a "/* cpus: ... */" line) and on every
# program of the conformance corpus, assembled by xbpf's assembler. What is
# normalised, and why, is explained in compare_llvm.awk.
#
# Usage: llvm_disasm_test.sh XBPF CORPUS_PROGRAMS BPF_SOURCE_DIR CONFORMANCE_DIR
# (CORPUS_PROGRAMS: the helper that writes the corpus's programs as raw code)
# $XBPF_CONFORMANCE_DIR, when set, replaces CONFORMANCE_DIR. The corpus part
# is left out when that folder does not exist.
set -euo pipefail

xbpf=$1
corpus_programs=$2
sources=$3
corpus=${XBPF_CONFORMANCE_DIR:-$4}
here=$(cd "$(dirname "$0")" && pwd)

for tool in clang llvm-objdump llvm-objcopy llvm-mc; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed (Debian packages clang and llvm)"
		exit 77
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

objects=()
for c in "$sources"/*.c; do
	cpus=$(sed -n 's|^/\* cpus: \(.*\) \*/$|\1|p' "$c")
	for cpu in ${cpus:-v1 v2 v3}; do
		o="$work/$(basename "$c" .c)-$cpu.o"
		clang -O2 -target bpf -mcpu="$cpu" -c "$c" -o "$o"
		objects+=("$o")
	done
done

# The corpus programs, one after the other in the .text of a single object
# (their jumps stay inside each program).
if [ -d "$corpus" ]; then
	"$corpus_programs" "$corpus" "$work/corpus.bin"
	{
		echo .text
		od -An -v -tx1 "$work/corpus.bin" | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g; s/,$//; s/^/.byte /'
	} >"$work/corpus.s"
	llvm-mc -triple bpfel -filetype=obj "$work/corpus.s" -o "$work/corpus.o"
	objects+=("$work/corpus.o")
else
	echo "note: $corpus not found, comparing the C programs only"
fi

status=0
for o in "${objects[@]}"; do
	llvm-objcopy -O binary --only-section=.text "$o" "$o.bin"
	"$xbpf" disasm "$o.bin" >"$o.xbpf"
	llvm-objdump -d --print-imm-hex "$o" >"$o.plain"
	llvm-objdump -d --print-imm-hex --mattr=+alu32 "$o" >"$o.alu32"
	awk -v name="$(basename "$o" .o)" -f "$here/compare_llvm.awk" \
		"$o.plain" "$o.alu32" "$o.xbpf" || status=1
done
exit $status
