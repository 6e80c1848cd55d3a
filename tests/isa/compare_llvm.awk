# SPDX-License-Identifier: MIT
# Compares `xbpf disasm` output with llvm-objdump's, instruction by
# instruction. Input files, in this order: llvm-objdump -d --print-imm-hex,
# the same with --mattr=+alu32, then xbpf disasm of the same bytes.
#
# What is normalised, and why (see src/isa/disasm.h):
#   - llvm's jump-target labels (" <LBB0_2>") are dropped;
#   - llvm prints a bpf-to-bpf call like a helper call ("call 0x3"); xbpf
#     prints "call pc+0x3", so llvm's text is rewritten for src == 1;
#   - 32-bit atomics (opcode 0xc3) compare with the alu32 text, the only one in
#     which llvm 14 decodes them all (w registers); other instructions compare
#     with the plain text (r registers for 8/16/32-bit loads and stores);
#   - instructions llvm 14 does not know (ISA v4, mod, jset, store-immediate...)
#     are not compared: llvm 14 prints "<unknown>" for most and, for sdiv/smod
#     and movsx, the older instruction whose offset field it ignores;
#   - nor is callx: llvm before 19 reads its register from imm, while xbpf,
#     like LLVM 19+, gcc, the corpus and RFC 9669, reads it from dst.
#     These are counted and reported.
FNR == 1 { file++ }

file <= 2 && /^ *[0-9]+:\t/ {
	split($0, part, "\t")
	pc = part[1]; sub(/:$/, "", pc); pc += 0
	text = part[3]; sub(/ <[^ <>]*>$/, "", text)
	if (file == 1) {
		split(part[2], byte, " ")
		plain[pc] = text
		opcode[pc] = byte[1]
		regs[pc] = byte[2]
		offset[pc] = byte[3] byte[4]
	} else {
		alu32[pc] = text
	}
	next
}

# Instructions llvm 14 decodes as something else than they are today.
function misread_by_llvm14(pc,    op) {
	op = opcode[pc]
	if (op ~ /^(3f|37|3c|34|9f|97|9c|94|bf|bc)$/ && offset[pc] != "0000")
		return 1 # sdiv/smod (offset 1), movsx (offset 8/16/32)
	return op == "8d" # callx
}

file == 3 {
	pc = $1; sub(/:$/, "", pc); pc += 0
	mine = $0; sub(/^ *[0-9]+: /, "", mine)
	seen[pc] = 1
	if (!(pc in plain)) {
		printf "instruction %d: xbpf prints '%s', llvm-objdump has no instruction there\n", pc, mine
		bad++
		next
	}
	want = opcode[pc] == "c3" ? alu32[pc] : plain[pc]
	if (want == "<unknown>" || misread_by_llvm14(pc)) {
		newer++
		next
	}
	if (opcode[pc] == "85" && substr(regs[pc], 1, 1) == "1") {
		sub(/^call /, "", want)
		want = "call pc" (want ~ /^-/ ? want : "+" want)
	}
	if (mine == want) {
		ok++
	} else {
		printf "instruction %d (opcode 0x%s): xbpf '%s', llvm-objdump '%s'\n", pc, opcode[pc], mine, want
		bad++
	}
}

END {
	for (pc in plain) {
		if (!(pc in seen)) {
			printf "instruction %d: llvm-objdump prints '%s', xbpf has no instruction there\n", pc, plain[pc]
			bad++
		}
	}
	printf "%s: %d instructions identical, %d unknown to llvm 14 or read differently (not compared), %d different\n", name, ok, newer, bad
	exit bad > 0
}
