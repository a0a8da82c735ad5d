// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * Example: an XDP program that hands every frame it sees to the capture
 * with bpf_pcap(), through a perf event array (the seed's proposal).
 * The id is the receiving interface, so LINUX_SLL2 shows it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_pcap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} packets SEC(".maps");

SEC("xdp")
int
pcap_xdp(struct xdp_md *ctx)
{
	bpf_pcap(ctx, 0, &packets, BPF_PCAP_ETHERNET,
	    ctx->ingress_ifindex | BPF_PCAP_F_ID_IS_IFINDEX);
	return XDP_PASS;
}
