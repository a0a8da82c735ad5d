// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * An object file the kernel's verifier refuses, for the error test of
 * bpf:object: its program copies a packet into a small buffer with a
 * length it never bounds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_pcap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} packets SEC(".maps");

SEC("tp_btf/netif_receive_skb")
int
BPF_PROG(pcap_unbounded, struct sk_buff *skb)
{
	char head[16];

	bpf_probe_read_kernel(head, skb->len, skb->data);
	if (head[0] != 0)
		bpf_pcap(skb, 0, &packets, BPF_PCAP_RAW, 0);
	return 0;
}
