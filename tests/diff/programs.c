/* SPDX-License-Identifier: MIT */
/* The programs of the differential test and their set-up (see programs.h). */
#include <linux/bpf.h>

#include "programs.h"

#define V(action) (1u << (action))
#define INIT(map_name, k, v) \
	{.map = (map_name), .key = &(k), .key_size = sizeof(k), .value = &(v), .value_size = sizeof(v)}

/* Keys and values of lpm_fw.bpf.c's rule tries. */
struct lpm_v4_key {
	uint32_t prefixlen;
	uint8_t addr[4];
};

struct lpm_v6_key {
	uint32_t prefixlen;
	uint8_t addr[16];
};

struct rule {
	uint32_t action;
	uint32_t id;
	uint64_t hits;
};

static const struct lpm_v4_key net10 = {8, {10}}, net10_1 = {16, {10, 1}},
			       net10_1_2 = {24, {10, 1, 2}}, net192_168 = {16, {192, 168}},
			       net172_16 = {12, {172, 16}}, host8_8_8_8 = {32, {8, 8, 8, 8}};
static const struct lpm_v6_key doc = {32, {0x20, 0x01, 0x0d, 0xb8}},
			       doc1 = {48, {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01}},
			       link_local = {10, {0xfe, 0x80}};
#define RULE(verdict, rule_id) {.action = (verdict), .id = (rule_id)}
static const struct rule pass1 = RULE(XDP_PASS, 1), drop2 = RULE(XDP_DROP, 2),
			 pass3 = RULE(XDP_PASS, 3), tx4 = RULE(XDP_TX, 4), drop5 = RULE(XDP_DROP, 5),
			 abort6 = RULE(XDP_ABORTED, 6), drop10 = RULE(XDP_DROP, 10),
			 pass11 = RULE(XDP_PASS, 11), pass12 = RULE(XDP_PASS, 12);

static const struct diff_map_init firewall_rules[] = {
	INIT("rules_v4", net10, pass1),          INIT("rules_v4", net10_1, drop2),
	INIT("rules_v4", net10_1_2, pass3),      INIT("rules_v4", net192_168, tx4),
	INIT("rules_v4", net172_16, drop5),      INIT("rules_v4", host8_8_8_8, abort6),
	INIT("rules_v6", doc, drop10),           INIT("rules_v6", doc1, pass11),
	INIT("rules_v6", link_local, pass12),
};

const struct diff_program diff_programs[] = {
	{
		.object = "diff_parse",
		.name = "xdp_parse",
		.covers = "Ethernet/VLAN/IPv4/IPv6/TCP/UDP/ICMP parsing, ARRAY, HASH",
		.verdicts = V(XDP_PASS) | V(XDP_DROP),
	},
	{
		.object = "diff_reflect",
		.name = "xdp_reflect",
		.covers = "MAC/IP/port swap, ICMP checksum update, XDP_TX, .bss",
		.verdicts = V(XDP_PASS) | V(XDP_TX) | V(XDP_ABORTED),
	},
	{
		.object = "diff_ttl",
		.name = "xdp_ttl",
		.covers = "TTL/hop limit decrement, checksum, bpf_csum_diff, PERCPU_ARRAY",
		.verdicts = V(XDP_PASS) | V(XDP_DROP),
	},
	{
		.object = "diff_vlan",
		.name = "xdp_vlan",
		.covers = "VLAN push/pop with bpf_xdp_adjust_head",
		.verdicts = V(XDP_PASS) | V(XDP_TX) | V(XDP_DROP),
	},
	{
		.object = "diff_tail",
		.name = "xdp_tail",
		.covers = "bpf_xdp_adjust_tail grow/shrink/refused, HASH, atomics",
		.verdicts = V(XDP_PASS) | V(XDP_TX) | V(XDP_DROP),
	},
	{
		.object = "diff_meta",
		.name = "xdp_meta",
		.covers = "bpf_xdp_adjust_meta, metadata moved by adjust_head",
		.verdicts = V(XDP_PASS) | V(XDP_DROP),
	},
	{
		.object = "diff_lpm_fw",
		.name = "xdp_lpm_fw",
		.covers = "LPM_TRIE lookups and updates, host-written rules, atomics",
		.init = firewall_rules,
		.n_init = sizeof(firewall_rules) / sizeof(firewall_rules[0]),
		.verdicts = V(XDP_PASS) | V(XDP_DROP) | V(XDP_TX) | V(XDP_ABORTED),
	},
	{
		.object = "diff_tailcall",
		.name = "xdp_dispatch",
		.covers = "tail calls, PROG_ARRAY initialised by the object, tail call limit",
		.verdicts = V(XDP_PASS) | V(XDP_DROP) | V(XDP_TX),
	},
	{
		.object = "diff_loop",
		.name = "xdp_loop",
		.covers = "bpf_loop with a callback, bpf_xdp_load_bytes, PERCPU_ARRAY",
		.verdicts = V(XDP_PASS) | V(XDP_DROP),
	},
	{
		.object = "diff_globals",
		.name = "xdp_globals",
		.covers = ".data, .rodata, .bss, .data.stats",
		.verdicts = V(XDP_PASS) | V(XDP_DROP) | V(XDP_TX),
	},
	{
		.object = "diff_calls",
		.name = "xdp_calls",
		.covers = "bpf-to-bpf calls four levels deep, five arguments",
		.verdicts = V(XDP_PASS) | V(XDP_DROP) | V(XDP_TX) | V(XDP_ABORTED),
	},
	{
		.object = "diff_actions",
		.name = "xdp_actions",
		.covers = "every verdict, bpf_redirect, PERCPU_HASH",
		.verdicts = V(XDP_PASS) | V(XDP_DROP) | V(XDP_TX) | V(XDP_ABORTED) |
			    V(XDP_REDIRECT) | V(7),
	},
	{
		.object = "diff_history",
		.name = "xdp_history",
		.covers = "QUEUE, STACK (push, pop, peek), LRU_HASH",
		.verdicts = V(XDP_PASS) | V(XDP_DROP),
	},
};

const size_t diff_n_programs = sizeof(diff_programs) / sizeof(diff_programs[0]);
