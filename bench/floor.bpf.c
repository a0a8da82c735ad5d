// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * The benchmark's floor: programs that do nothing, one per hook the probe
 * uses (tc, XDP, the netif_receive_skb tracepoint).  What bpf_stats says
 * one of them costs per run is what any program at that hook costs (the
 * dispatch, the context, the statistics themselves); the probe's cost is
 * read against it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int
floor_tc(struct __sk_buff *skb)
{
	(void)skb;
	return -1;	/* TCX_NEXT: as if there were no program */
}

/* "xdp.frags": the benchmark's veth has a jumbo MTU, as the probe's does. */
SEC("xdp.frags")
int
floor_xdp(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("tp_btf/netif_receive_skb")
int
floor_tp(__u64 *ctx)
{
	(void)ctx;
	return 0;
}
