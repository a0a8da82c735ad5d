// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * A tc egress program for the VLAN test (tests/t-vlan-tags.sh): gives
 * every IPv4 packet VLAN 10, priority 3, as a VLAN device on a card with
 * transmit tag offload does: bpf_skb_vlan_push() puts the tag in the
 * skb's metadata (vlan_tci), not in the frame, so the taps after tc see a
 * frame without the tag and the tag beside it.  For kernels without
 * VLAN devices (CONFIG_VLAN_8021Q off).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define VLAN_TCI	((3 << 13) | 10)	/* PCP 3, VID 10 */

SEC("tc")
int
vlan_push(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(ETH_P_IP) && skb->vlan_present == 0)
		bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), VLAN_TCI);
	return TC_ACT_OK;
}
