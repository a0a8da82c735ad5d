// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * Example: a BTF tracing program that hands received packets to the
 * capture as raw IP (from the network header) with bpf_pcap().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "bpf_pcap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} packets SEC(".maps");

SEC("tp_btf/netif_receive_skb")
int
BPF_PROG(pcap_tp, struct sk_buff *skb)
{
	if (skb->protocol == bpf_htons(0x0800) || skb->protocol == bpf_htons(0x86dd))
		bpf_pcap(skb, 0, &packets, BPF_PCAP_RAW, 0x1234);
	return 0;
}
