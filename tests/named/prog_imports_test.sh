#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# xbpf prog imports: what each named helper of an object binds to, or why
# not, and the exit status that says whether a load would succeed.
# Usage: prog_imports_test.sh XBPF OBJECT_DIR OTHER_EXTENSION
set -u
xbpf=$1 objs=$2 other=$3
cmd=("$xbpf" prog imports)
failures=0

# check NAME EXPECTED_STATUS EXPECTED_TEXT... -- ARGS...
check() {
	local name=$1 want=$2
	shift 2
	local texts=()
	while [ "$1" != -- ]; do texts+=("$1"); shift; done
	shift
	local out status
	out=$("${cmd[@]}" "$@" 2>&1)
	status=$?
	if [ "$status" -ne "$want" ]; then
		echo "FAIL $name: exit status $status, expected $want"; echo "$out"
		failures=$((failures + 1)); return
	fi
	for t in "${texts[@]}"; do
		if ! grep -qF -- "$t" <<<"$out"; then
			echo "FAIL $name: expected '$t' in:"; echo "$out"
			failures=$((failures + 1)); return
		fi
	done
	echo "ok $name"
}

both=(--ext sample --ext "$other")
check bound 0 "add:" "  sample_add: bound to 'sample': __u64 sample_add(__u64, __u64)" \
	"  sample_hash: bound to 'sample': __u64 sample_hash(const void *, __u32)" \
	-- "$objs/named_unique.bpf.o" "${both[@]}"
check ambiguous 1 "  sample_scale: ambiguous: " "'sample' (from sample)" "'other' (from other)" \
	"btf_decl_tag(\"xbpf:provider=NAME\")" "--bind sample_scale=NAME" \
	-- "$objs/named_ambiguous.bpf.o" "${both[@]}"
check bind 0 "  sample_scale: bound to 'other': __u64 sample_scale(__u64)" \
	-- "$objs/named_ambiguous.bpf.o" "${both[@]}" --bind sample_scale=other
check tagged 0 "  sample_scale: bound to 'other'" -- "$objs/named_tagged.bpf.o" "${both[@]}"
check weak 0 "  nobody_exports_this: weak, unbound: " "  sample_add: bound to 'sample'" \
	-- "$objs/named_weak.bpf.o" --ext sample
check missing 1 "  nobody_exports_this: missing: no provider exports named helper" \
	-- "$objs/named_missing.bpf.o" --ext sample
check mismatch 1 "  sample_add: prototype mismatch: " "\`__u32 sample_add(__u64, const void *)\`" \
	"\`__u64 sample_add(__u64, __u64)\`" -- "$objs/named_mismatch.bpf.o" --ext sample
check restricted 1 "  other_xdp_only: missing: named helper 'other_xdp_only' of provider 'other_xdp' is not offered to programs of type 'sample'" \
	-- "$objs/named_restricted.bpf.o" "${both[@]}"
check no-type 1 "  sample_add: missing: no program type handles section 'sample'" \
	-- "$objs/named_unique.bpf.o"
check help 0 "Usage: xbpf prog imports OBJ" -- --help
check no-object 2 "which object?" --
check bad-bind 2 "expected HELPER=PROVIDER" -- "$objs/named_unique.bpf.o" --bind sample_add
check bad-ext 1 "--ext no/such.so: No such file or directory" -- "$objs/named_unique.bpf.o" --ext no/such.so

[ "$failures" -eq 0 ] || { echo "$failures failed"; exit 1; }
