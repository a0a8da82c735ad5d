// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * A user's own tc program, for the tests of bpf:tc:IF:before and :after:
 * it redirects one flow, ICMP echo requests with 100 bytes of data (ping
 * -s 100: IPv4 total length 128), back out of the interface they came in
 * by (bpf_redirect() to its egress: the sender, whose address they do not
 * bear and which does not forward, drops them), and lets every other
 * packet go on to the hook's next program (TC_ACT_UNSPEC, tcx's
 * TCX_NEXT), as a program sharing a hook should.  Pings, so that the
 * kernel matrix's busybox guests can send both flows.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define REDIRECTED_LENGTH	128
#define ICMP_ECHO	8

SEC("tc")
int
users_tc_redirect_flow(struct __sk_buff *skb)
{
	__u8 ip[20], icmp_type;
	__u32 offset;

	if (skb->protocol != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, ip, sizeof(ip)) != 0 ||
	    ip[9] != IPPROTO_ICMP ||
	    ((__u32)ip[2] << 8 | ip[3]) != REDIRECTED_LENGTH)
		return TC_ACT_UNSPEC;
	offset = ETH_HLEN + (__u32)(ip[0] & 0x0f) * 4;
	if (bpf_skb_load_bytes(skb, offset, &icmp_type, 1) != 0)
		return TC_ACT_UNSPEC;
	if (icmp_type != ICMP_ECHO)
		return TC_ACT_UNSPEC;
	return bpf_redirect(skb->ifindex, 0);	/* TC_ACT_REDIRECT */
}
