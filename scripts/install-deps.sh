#!/usr/bin/env bash
# Installs the Debian packages xbpf needs to build, test and benchmark, when
# some are missing. Safe to run again: it only calls apt-get for what is absent.
set -euo pipefail

packages=(
  cmake make gcc clang llvm pkg-config   # toolchain; clang builds the BPF test programs
  libelf-dev zlib1g-dev libbpf-dev        # ELF and BTF parsing; libbpf for kernel oracle tests
  liburcu-dev                             # epochs (RCU) and the cds_lfht benchmark anchor
  libpcap-dev                             # pcap hook of the xdp extension
  libcmocka-dev                           # unit tests
  bpftool iproute2                        # kernel oracle tests, benchmarks, live hook tests
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
