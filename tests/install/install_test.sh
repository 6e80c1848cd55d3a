#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the build into a temporary prefix and uses it as an extension
# author and a host would, with nothing of the source or build tree but the
# sample's own source and a compiled BPF program:
#   - the sample extension builds against the installed headers alone
#     (cc -shared -fPIC $(pkg-config --cflags xbpf));
#   - a host built with $(pkg-config --libs xbpf) loads it and runs a
#     program through its hook;
#   - the shipped xdp extension is found by name next to the installed
#     executable (prefix/lib/xbpf/extensions), and the installed tool runs.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR SAMPLE_PROG_BPF_O [SANITIZERS]
# SANITIZERS: those the build used (XBPF_SANITIZE), for the host and the
# extension too, as a sanitized libxbpf.so needs.
set -euo pipefail
build=$1 src=$2 prog=$3
sanitize=()
[ -n "${4:-}" ] && sanitize=(-fsanitize="$4" -fno-omit-frame-pointer)

tmp=$(mktemp -d /tmp/xbpf-install-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
unset XBPF_EXTENSION_PATH

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name xbpf.pc)")
pkg-config --exists xbpf || { echo "xbpf.pc not usable"; exit 1; }
for f in bin/xbpf include/xbpf/xbpf.h include/xbpf/extension.h lib/xbpf/extensions/xdp.so \
         lib/xbpf/extensions/sample.so; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done

# The extension, from a copy of its two files, against the installed headers.
mkdir "$tmp/sample"
cp "$src/extensions/sample/sample.c" "$src/extensions/sample/sample.h" "$tmp/sample/"
cc -std=gnu11 -Wall -Werror "${sanitize[@]}" -shared -fPIC -fvisibility=hidden $(pkg-config --cflags xbpf) \
  "$tmp/sample/sample.c" -o "$tmp/sample/sample.so" -lpthread

# A host against the installed library, placed in the prefix's bin/ like the tool.
cc -std=gnu11 -Wall -Werror "${sanitize[@]}" "$src/tests/install/host.c" -o "$prefix/bin/xbpf-test-host" \
  $(pkg-config --cflags --libs xbpf) -Wl,-rpath,"$(pkg-config --variable=libdir xbpf)"

out=$("$prefix/bin/xbpf-test-host" "$tmp/sample/sample.so" "$prog")
echo "$out"
# sample_mix(5, 1+2+...+8) = 5 * 31 + 36
grep -qx "fired 191" <<<"$out" || { echo "the program did not return 191"; exit 1; }
found=$(sed -n 's/^xdp //p' <<<"$out")
[ "$(realpath "$found")" = "$(realpath "$prefix/lib/xbpf/extensions/xdp.so")" ] ||
  { echo "xdp was found at $found, not in the installed tree"; exit 1; }

"$prefix/bin/xbpf" --version
echo "install test: ok"
