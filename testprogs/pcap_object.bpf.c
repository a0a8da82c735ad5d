// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * An object file for bpf:object:PATH[:SECTION]: two BTF tracing programs
 * that emit raw IP with bpf_pcap() (packets received, packets queued for
 * sending) and a raw tracepoint program beside them that emits nothing
 * (it counts transmissions, as a user's helper program would).  Each
 * program's SEC() name says where libbpf attaches it.
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

__u64 transmissions;

static __always_inline void
emit_ip(struct sk_buff *skb, __u64 id)
{
	if (skb->protocol == bpf_htons(0x0800) ||
	    skb->protocol == bpf_htons(0x86dd))
		bpf_pcap(skb, 0, &packets, BPF_PCAP_RAW, id);
}

SEC("tp_btf/netif_receive_skb")
int
BPF_PROG(pcap_received, struct sk_buff *skb)
{
	emit_ip(skb, 1);
	return 0;
}

SEC("tp_btf/net_dev_queue")
int
BPF_PROG(pcap_queued, struct sk_buff *skb)
{
	emit_ip(skb, 2);
	return 0;
}

SEC("raw_tp/net_dev_xmit")
int
count_xmit(void *ctx)
{
	__sync_fetch_and_add(&transmissions, 1);
	return 0;
}
