// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * An object file for bpf:object in the kernel matrix (the host refuses
 * BPF trampolines and has no kprobes): an fentry program that emits the
 * IP packets ip_rcv() receives with bpf_pcap(), and a kprobe program on
 * the same function that counts them and emits nothing (a kprobe sees
 * registers, not a BTF-typed skb).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_pcap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} packets SEC(".maps");

__u64 calls;

SEC("fentry/ip_rcv")
int
BPF_PROG(pcap_ip_rcv, struct sk_buff *skb)
{
	bpf_pcap(skb, 0, &packets, BPF_PCAP_RAW, 0);
	return 0;
}

SEC("kprobe/ip_rcv")
int
count_ip_rcv(void *ctx)
{
	__sync_fetch_and_add(&calls, 1);
	return 0;
}
