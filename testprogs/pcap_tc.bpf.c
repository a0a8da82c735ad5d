// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * Example: a tc program that hands the frames it sees to the capture with
 * bpf_pcap(), through a ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_pcap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} packets SEC(".maps");

SEC("tc")
int
pcap_tc(struct __sk_buff *skb)
{
	bpf_pcap(skb, 0, &packets, BPF_PCAP_ETHERNET,
	    skb->ifindex | BPF_PCAP_F_ID_IS_IFINDEX);
	return -1;	/* TC_ACT_UNSPEC: carry on */
}
