#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The demonstration behind `make demo`: assemble a small eBPF program, look at
# its instructions, run it in user space and check what it answers.
#
# Usage: scripts/demo.sh BUILD_DIR
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
xbpf="$1/tools/xbpf/xbpf"
if [ ! -x "$xbpf" ]; then
	echo "demo: $xbpf not found; build first (make build)" >&2
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

program="$root/examples/checksum.s"
header="45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 c0 a8 00 c7"
checked="45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7"

echo "1. Assemble examples/checksum.s, the Internet checksum (RFC 1071) written in"
echo "   eBPF assembly, into raw eBPF instructions:"
"$xbpf" asm "$program" -o "$work/checksum.bin"
echo "   \$ xbpf asm examples/checksum.s -o checksum.bin"
echo "   $(($(wc -c <"$work/checksum.bin") / 8)) instructions, 8 bytes each."
echo
echo "2. Disassemble them, in the syntax of llvm-objdump and of the Linux verifier:"
echo "   \$ xbpf disasm checksum.bin"
"$xbpf" disasm "$work/checksum.bin" | sed 's/^/   /'
echo
echo "3. Run the program on an IPv4 header whose checksum field is still zero; the"
echo "   program gets the header in r1 and its length in r2, and returns the checksum:"
echo "   \$ od -An -v -tx1 checksum.bin | xbpf exec \"$header\""
sum=$(od -An -v -tx1 "$work/checksum.bin" | "$xbpf" exec "$header")
echo "   $sum"
echo
echo "4. With that checksum written into the header, the checksum of the whole header"
echo "   must come out as zero, which is how a receiver checks it:"
echo "   \$ od -An -v -tx1 checksum.bin | xbpf exec \"$checked\""
check=$(od -An -v -tx1 "$work/checksum.bin" | "$xbpf" exec "$checked")
echo "   $check"
echo
if [ "$sum" = 0xb861 ] && [ "$check" = 0x0 ]; then
	echo "The checksum is 0xb861 and the filled-in header checks out: the demo worked."
else
	echo "Unexpected results ($sum, $check): expected 0xb861 and 0x0." >&2
	exit 1
fi
