#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The demonstration behind `make demo`: the extension model end to end. The
# xdp extension brings the XDP program type and the xdp/pcap hook; an XDP
# firewall written for Linux (examples/firewall.bpf.c, built with clang
# -target bpf) is attached to that hook, which replays a generated capture
# through it. The demo prints what passed and what was dropped, and checks
# the numbers against what the generator says it wrote (exit 1 otherwise).
#
# Usage: scripts/demo.sh BUILD_DIR
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
xbpf="$build/tools/xbpf/xbpf"
pcapgen="$build/tools/pcapgen/pcapgen"
firewall="$build/examples/firewall.bpf.o"
for f in "$xbpf" "$pcapgen" "$firewall"; do
	if [ ! -e "$f" ]; then
		echo "demo: $f not found; build first (make build)" >&2
		exit 1
	fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
frames=1000
seed=7

echo "1. The xdp extension: a shared object that registers the XDP program type"
echo "   (with its context and helpers) and hooks, the attach types programs run on."
echo "   \$ xbpf ext info xdp"
"$xbpf" ext info xdp | sed -e 's/^/   /' -e "s|$build/||"
echo

echo "2. Generate $frames frames of traffic arriving at a small site: web, DNS, SSH,"
echo "   pings, ARP, port scans from 192.0.2.0/24, malformed and jumbo frames."
echo "   \$ pcapgen -v -n $frames -s $seed traffic.pcap"
"$pcapgen" -v -n "$frames" -s "$seed" "$work/traffic.pcap" >"$work/kinds.txt"
sed -e 's/^/   /' -e "s|$work/||" "$work/kinds.txt"
echo

echo "3. Attach the firewall (examples/firewall.bpf.c, an XDP program written for"
echo "   Linux) to xdp/pcap, which replays the capture through it and writes what it"
echo "   passes to passed.pcap; block the scanners' network 192.0.2.0/24 first:"
echo "   \$ xbpf attach firewall.bpf.o --program firewall --hook xdp/pcap \\"
echo "         --param in=traffic.pcap --param out=passed.pcap \\"
echo "         --map-update blocklist c0000200 01 --show-map actions"
"$xbpf" attach "$firewall" --program firewall --hook xdp/pcap \
	--param in="$work/traffic.pcap" --param out="$work/passed.pcap" \
	--map-update blocklist c0000200 01 --show-map actions \
	>"$work/run.txt" 2>"$work/run.err" || {
	cat "$work/run.err" >&2
	echo "demo: xbpf attach failed" >&2
	exit 1
}
sed 's/^/   /' "$work/run.txt"
echo "   (actions: 0 pass, 1 blocklist, 2 port, 3 malformed)"
echo

# What the generator wrote, by kind.
kind() { awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "$work/kinds.txt"; }
value() { awk -v k="$1" '$1 == k { print $2 }' "$work/run.txt"; }
action() { awk -v k="$1:" '$1 == k { print $2 }' "$work/run.txt"; }

want_blocklist=$(kind scan)
want_port=$(kind ssh-outside)
want_malformed=$(($(kind bad-ihl) + $(kind short-ipv4) + $(kind bad-total-length) + \
	$(kind bad-tcp-offset) + $(kind short-tcp)))
want_error=$(($(kind runt) + $(kind jumbo))) # not even an Ethernet header; too big for XDP
want_drop=$((want_blocklist + want_port + want_malformed))
want_pass=$((frames - want_drop - want_error))

echo "4. Replay what passed through the firewall once more: all of it must pass again."
"$xbpf" attach "$firewall" --program firewall --hook xdp/pcap --param in="$work/passed.pcap" \
	--map-update blocklist c0000200 01 >"$work/again.txt" 2>"$work/again.err" || {
	cat "$work/again.err" >&2
	echo "demo: replaying passed.pcap failed" >&2
	exit 1
}
again_received=$(awk '$1 == "received" { print $2 }' "$work/again.txt")
again_pass=$(awk '$1 == "pass" { print $2 }' "$work/again.txt")
echo "   passed.pcap holds $again_received frames; $again_pass of them pass again."
echo

failed=0
check() { # WHAT GOT WANT
	if [ "$2" = "$3" ]; then
		printf '   %-34s %6s  ok\n' "$1" "$2"
	else
		printf '   %-34s %6s  WRONG: the capture implies %s\n' "$1" "$2" "$3"
		failed=1
	fi
}
echo "5. Check against what pcapgen wrote:"
check "frames received" "$(value received)" "$frames"
check "passed" "$(value pass)" "$want_pass"
check "dropped" "$(value drop)" "$want_drop"
check "  blocklisted (scan)" "$(action 1)" "$want_blocklist"
check "  SSH from outside (ssh-outside)" "$(action 2)" "$want_port"
check "  malformed IPv4/TCP" "$(action 3)" "$want_malformed"
check "not run (runt, jumbo)" "$(value error)" "$want_error"
check "frames in passed.pcap" "$again_received" "$want_pass"
check "passing again" "$again_pass" "$want_pass"
echo
if [ "$failed" = 0 ]; then
	echo "The firewall passed $want_pass frames and dropped $want_drop, as the capture implies:"
	echo "the demo worked."
else
	echo "demo: the numbers differ from what the capture implies" >&2
	exit 1
fi
