// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * A user's own XDP program, for the capture at it (bpf:xdp:IF attaches
 * fexit to it): it drops every third ICMP echo request, those whose
 * sequence number is a multiple of 3, and lets everything else pass, so
 * that a capture can be checked packet by packet: the verdict in each
 * record follows from the sequence number in it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP	0x0800
#define ICMP_ECHO	8

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int
drop_every_third(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmphdr *icmp;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_ICMP || ip->ihl < 5)
		return XDP_PASS;
	icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO)
		return XDP_PASS;
	if (bpf_ntohs(icmp->un.echo.sequence) % 3 == 0)
		return XDP_DROP;
	return XDP_PASS;
}
