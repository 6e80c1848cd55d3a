/* SPDX-License-Identifier: MIT */
/* Loader test object, compiled once per feature the loader must refuse
 * with a message: -DUSE_CORE (a CO-RE relocation), -DUSE_KCONFIG (an extern
 * __kconfig variable), -DUSE_KSYM_VAR (an extern __ksym variable),
 * -DUSE_DATA_POINTER (a pointer in initialised global data), -DUSE_LD_ABS
 * (legacy packet access), and definitions of .maps that are wrong:
 * -DBAD_UNKNOWN_FIELD, -DBAD_KEY_SIZE (key_size conflicting with the key
 * type), -DBAD_NO_TYPE. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifdef USE_CORE
struct task_like {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));
#endif

#ifdef USE_KCONFIG
extern unsigned int CONFIG_HZ __kconfig;
#endif

#ifdef USE_KSYM_VAR
extern const int some_kernel_counter __ksym;
#endif

#ifdef USE_DATA_POINTER
static const char greeting[] = "hello";
const char *greeting_ptr = greeting;
#endif

#ifdef USE_LD_ABS
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
#endif

struct {
#ifndef BAD_NO_TYPE
	__uint(type, BPF_MAP_TYPE_HASH);
#endif
	__uint(max_entries, 8);
	__type(key, __u32);
#ifdef BAD_KEY_SIZE
	__uint(key_size, 8);
#endif
	__type(value, __u32);
#ifdef BAD_UNKNOWN_FIELD
	__uint(colour, 3);
#endif
} table SEC(".maps");

SEC("socket")
int feature(struct __sk_buff *skb)
{
	__u32 key = 0, *v = bpf_map_lookup_elem(&table, &key);
	int r = v ? (int)*v : 0;

#ifdef USE_CORE
	r += ((struct task_like *)(long)skb->data)->tgid;
#endif
#ifdef USE_KCONFIG
	r += CONFIG_HZ;
#endif
#ifdef USE_KSYM_VAR
	r += some_kernel_counter;
#endif
#ifdef USE_DATA_POINTER
	r += greeting_ptr[0];
#endif
#ifdef USE_LD_ABS
	r += load_byte(skb, 12);
#endif
	return r;
}

char LICENSE[] SEC("license") = "GPL";
