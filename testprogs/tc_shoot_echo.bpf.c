// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * A user's own tc program, for the capture at it (bpf:tc:IF:ingress:
 * prog=shoot_echo): it drops (TC_ACT_SHOT) one flow, the ICMP echo
 * requests, and lets everything else go on (TC_ACT_OK).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ICMP_ECHO	8
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int
shoot_echo(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmphdr *icmp;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_ICMP || ip->ihl != 5)
		return TC_ACT_OK;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO)
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}
