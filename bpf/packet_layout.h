/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a packet lies and what is known about it, read from each kind of
 * tap: a kernel struct sk_buff (tracing taps), a tc program's
 * struct __sk_buff, an XDP program's struct xdp_md.  Offsets are in the
 * source's own coordinates: from skb->head for kernel skbs, from the first
 * byte of the frame for tc and XDP.
 *
 * Included by capture.bpf.c after its load-time constants.
 */
#ifndef BPFTRACE_PACKET_LAYOUT_H
#define BPFTRACE_PACKET_LAYOUT_H

enum packet_source {
	SOURCE_KERNEL_SKB,	/* bpf_probe_read_kernel from skb->head */
	SOURCE_TC,		/* bpf_skb_load_bytes: paged data too */
	SOURCE_XDP		/* bpf_xdp_load_bytes: fragments too */
};

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_HLEN	14
#define ARPHRD_ETHER	1
#define ARPHRD_LOOPBACK	772
#define ARPHRD_NONE	0xFFFE
#define PACKET_HOST	0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define PACKET_OUTGOING	4
#define HEADER_UNSET	0xFFFF

struct packet_layout {
	__u32	network_offset;
	__u32	mac_offset;		/* meaningful if ethernet */
	__u32	end;			/* end of the bytes that can be copied */
	__u32	linear_end;		/* kernel skbs: end of the linear part */
	__u32	whole_end;		/* kernel skbs: end of the paged data */
	__u32	wire_len_from_network;
	unsigned char *head;		/* SOURCE_KERNEL_SKB only */
	int	ethernet;		/* an Ethernet header at mac_offset */
	int	network_packet;		/* has a network protocol (else: 802.11...) */
	__u32	data_offset;		/* skb->data; where 802.11 frames start */
	int	ifindex;
	__be16	protocol;
	__u16	arphrd;
	__u8	packet_type;
	__u8	vlan_present;		/* a tag the device took out of the frame */
	__be16	vlan_proto;
	__u16	vlan_tci;
	__u32	mark;
	struct sock *sk;		/* SOURCE_KERNEL_SKB only */
	__s64	reason;			/* the tap's reason argument; -1: none */
	int	in_task;		/* the tap runs for a process */
	int	has_verdict;		/* at the user's XDP or tc program, */
	__s32	verdict;		/* after it: what it returned */
	/* ,track (packet_track.h); SOURCE_KERNEL_SKB only */
	__u64	skb;			/* the skb's address */
	int	tracked;		/* matched before: track_* hold its entry */
	__u32	track_id;		/* the packet's identity */
	__u32	track_generation;	/* the filter it matched */
	__u32	function_id;		/* a kprobe pattern's function (its
					   BTF id); 0: not a pattern */
};

static __always_inline __u16
swap16(__u16 v)
{
	return (__u16)((v >> 8) | (v << 8));
}

static __always_inline __u32
swap32(__u32 v)
{
	return ((v & 0xff) << 24) | ((v & 0xff00) << 8) |
	    ((v >> 8) & 0xff00) | (v >> 24);
}

/*
 * 1: a kernel skb's paged data (GSO/TSO packets, fragments) is read too,
 * through an skb dynptr: bpf_dynptr_from_skb() takes the trusted skb of
 * tp_btf programs from Linux 6.12 on (not fentry/fexit, whose arguments
 * are not trusted, nor kprobes or raw_tp).  User space sets it for tp_btf
 * and loads again without it where the kernel refuses.  0: the linear
 * part only, read from skb->head.
 */
const volatile __u32 skb_paged = 0;

/* Weak: resolved only where the kernel has it, and called only then. */
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags,
    struct bpf_dynptr *ptr__uninit) __ksym __weak;

static __always_inline __u64 tracing_argument(void *ctx, __u32 index);

/*
 * A kernel skb's bytes at head offset from, paged data included
 * (skb_paged).  Bytes before skb->data (a received frame's link-layer
 * header) lie in the linear part, read from head; the dynptr starts at
 * skb->data.  A range that starts before skb->data and ends past the
 * linear part is the caller's to split (capture_packet()'s window).
 */
static __always_inline long
read_paged_skb(void *ctx, const unsigned char *head, __u32 from, void *dst,
    __u32 len)
{
	struct sk_buff *skb = (struct sk_buff *)tracing_argument(ctx,
	    skb_arg_index);
	struct bpf_dynptr packet;
	__u32 data_offset, linear_end;

	if (!skb)
		return -1;
	data_offset = (__u32)(skb->data - skb->head);
	linear_end = data_offset + skb->len - skb->data_len;
	if (from + len <= linear_end)
		return bpf_probe_read_kernel(dst, len, head + from);
	if (from < data_offset ||
	    bpf_dynptr_from_skb((struct __sk_buff *)skb, 0, &packet) != 0)
		return -1;
	return bpf_dynptr_read(dst, len, &packet, from - data_offset, 0);
}

/*
 * Copies len bytes of the packet at source offset from: tc and XDP
 * through their context, kernel skbs from head (and their paged data
 * through a dynptr, where the kernel lets tp_btf programs have one).
 */
static __always_inline long
copy_packet_bytes(int source, void *ctx, const unsigned char *head,
    __u32 from, void *dst, __u32 len)
{
	if (source == SOURCE_TC)
		return bpf_skb_load_bytes(ctx, from, dst, len);
	if (source == SOURCE_XDP)
		return bpf_xdp_load_bytes(ctx, from, dst, len);
	if (skb_paged)
		return read_paged_skb(ctx, head, from, dst, len);
	return bpf_probe_read_kernel(dst, len, head + from);
}

/*
 * A kernel skb at a tracing tap.  Decides which header offsets are valid.
 * An skb without a network protocol (an 802.11 management frame; netlink
 * and unix-socket data too) is marked so: only link types that start at
 * skb->data (IEEE802_11) show it.
 */
/*
 * Whether a network namespace is the capturing process's, whose interface
 * indexes the reader resolves; kernels without namespaces have only one.
 */
static __always_inline int
in_capture_netns(struct net *net)
{
	if (capture_netns == 0 ||
	    !bpf_core_field_exists(((struct net_device *)0)->nd_net.net))
		return 1;
	return net != NULL && BPF_CORE_READ(net, ns.inum) == capture_netns;
}

/* As in packet_meta.h: the sockets that are not full sockets. */
#define SK_STATE_TIME_WAIT	6
#define SK_STATE_NEW_SYN_RECV	12

/*
 * Whether the packet's socket is in the scope's cgroup or below it: the
 * cgroup (v2) the socket was created in, as cgroup BPF programs and
 * iptables' cgroup match see it.  The task the tap runs for would say
 * nothing of received packets, handled in softirqs for whichever task
 * was interrupted.  A request socket's packets (SYN-ACK) are its
 * listener's; time-wait sockets keep no cgroup, nor do packets without a
 * socket (forwarded, or received before socket lookup): out of scope.
 */
/*
 * Older layouts, for CO-RE: before 5.15 the socket's cgroup is a word
 * that holds net_prio or net_cls data instead when its low bits are set
 * (the socket is then in the root cgroup, out of any narrower scope);
 * before 6.1 a cgroup lists its ancestors' ids, not the ancestors.
 */
struct sock_cgroup_data___word {
	__u64 val;
};

struct sock___word {
	struct sock_cgroup_data___word sk_cgrp_data;
};

struct cgroup___ids {
	int level;
	__u64 ancestor_ids[];
};

static __always_inline struct cgroup *
socket_cgroup(struct sock *sk)
{
	__u64 word;

	if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup))
		return BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
	if (!bpf_core_field_exists(((struct sock___word *)sk)->sk_cgrp_data.val))
		return 0;
	word = BPF_CORE_READ((struct sock___word *)sk, sk_cgrp_data.val);
	return word & 3 ? 0 : (struct cgroup *)word;
}

static __always_inline int
socket_in_scope_cgroup(struct sock *sk)
{
	struct cgroup *cgroup, *above;
	unsigned char state;
	__u64 ancestors;
	int level, i;

	if (!sk)
		return 0;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state == SK_STATE_TIME_WAIT)
		return 0;
	if (state == SK_STATE_NEW_SYN_RECV)
		sk = BPF_CORE_READ(sk, __sk_common.skc_listener);
	if (!sk || !bpf_core_field_exists(sk->sk_cgrp_data))
		return 0;
	cgroup = socket_cgroup(sk);
	if (!cgroup)
		return 0;
	if (!bpf_core_field_exists(cgroup->ancestors) &&
	    bpf_core_field_exists(((struct cgroup___ids *)cgroup)->ancestor_ids)) {
		__u64 id;

		level = BPF_CORE_READ(cgroup, level);
		ancestors = (__u64)cgroup + bpf_core_field_offset(
		    struct cgroup___ids, ancestor_ids);
		for (i = 0; i < SCOPE_CGROUP_LEVELS && i <= level; i++) {
			id = 0;
			bpf_probe_read_kernel(&id, sizeof(id),
			    (void *)(ancestors + i * sizeof(id)));
			if (id == scope_cgroup_id)
				return 1;
		}
		return 0;
	}
	if (!bpf_core_field_exists(cgroup->ancestors))
		return BPF_CORE_READ(cgroup, kn, id) == scope_cgroup_id;
	/* ancestors[i] is the cgroup's ancestor at level i, itself at its own. */
	level = BPF_CORE_READ(cgroup, level);
	ancestors = (__u64)cgroup + bpf_core_field_offset(struct cgroup,
	    ancestors);
	for (i = 0; i < SCOPE_CGROUP_LEVELS && i <= level; i++) {
		above = 0;
		bpf_probe_read_kernel(&above, sizeof(above),
		    (void *)(ancestors + i * sizeof(above)));
		if (above && BPF_CORE_READ(above, kn, id) == scope_cgroup_id)
			return 1;
	}
	return 0;
}

/*
 * Whether a packet is in the capture's scope.  Its namespace is its
 * device's, else its socket's; a packet with neither belongs to no
 * namespace that can be told, and is out of any namespace scope (a
 * container's capture must not see it).  Its interface is its device,
 * else the one it came in on.  Kernels without network namespaces have
 * one, which every packet is in.
 */
static __always_inline int
skb_in_scope(struct sk_buff *skb, struct net_device *dev, struct sock *sk)
{
	struct net *net = NULL;
	int ifindex = 0;

	if (scope_netns != 0 &&
	    bpf_core_field_exists(((struct net_device *)0)->nd_net.net)) {
		if (dev)
			net = BPF_CORE_READ(dev, nd_net.net);
		else if (sk)
			net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
		if (!net || BPF_CORE_READ(net, ns.inum) != scope_netns)
			return 0;
	}
	if (scope_ifindex != 0) {
		if (dev)
			ifindex = BPF_CORE_READ(dev, ifindex);
		else if (sk)
			ifindex = BPF_CORE_READ(skb, skb_iif);
		if ((__u32)ifindex != scope_ifindex)
			return 0;
	}
	if (scope_cgroup_id != 0 && !socket_in_scope_cgroup(sk))
		return 0;
	return 1;
}

static __always_inline int
kernel_skb_layout(struct sk_buff *skb, struct packet_layout *pl)
{
	unsigned char *data = BPF_CORE_READ(skb, data);
	__u32 len = BPF_CORE_READ(skb, len);
	__u32 data_len = BPF_CORE_READ(skb, data_len);
	__u16 network = BPF_CORE_READ(skb, network_header);
	__u16 mac = BPF_CORE_READ(skb, mac_header);
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	__u32 data_offset;
	__u8 version = 0;

	pl->sk = BPF_CORE_READ(skb, sk);
	/* Not the capture's packet: skipped before anything is copied. */
	if (!skb_in_scope(skb, dev, pl->sk))
		return 0;
	pl->head = BPF_CORE_READ(skb, head);
	if (!pl->head || !data || data_len > len)
		return 0;
	pl->mark = BPF_CORE_READ(skb, mark);
	data_offset = (__u32)(data - pl->head);
	pl->data_offset = data_offset;
	pl->network_packet = 1;
	pl->linear_end = data_offset + (len - data_len);
	pl->whole_end = data_offset + len;
	/* The paged data too where it can be read (skb_paged). */
	pl->end = skb_paged ? data_offset + len : pl->linear_end;
	pl->protocol = BPF_CORE_READ(skb, protocol);

	/*
	 * A network header offset of 0 (or ~0) was never set: the head
	 * always has headroom in front of a real network header.
	 */
	if (network != 0 && network != HEADER_UNSET && network < pl->linear_end)
		pl->network_offset = network;
	else
		pl->network_offset = data_offset;
	if (pl->protocol == 0) {
		if (network != 0 && network != HEADER_UNSET)
			bpf_probe_read_kernel(&version, 1, pl->head + network);
		if ((version >> 4) == 4)
			pl->protocol = swap16(ETH_P_IP);
		else if ((version >> 4) == 6)
			pl->protocol = swap16(ETH_P_IPV6);
		else
			pl->network_packet = 0;
	}
	/* len counts from skb->data; the network header may lie on either side. */
	pl->wire_len_from_network = len + data_offset - pl->network_offset;

	if (dev) {
		pl->ifindex = in_capture_netns(BPF_CORE_READ(dev, nd_net.net)) ?
		    BPF_CORE_READ(dev, ifindex) : 0;
		pl->arphrd = BPF_CORE_READ(dev, type);
	} else {
		/* The device it came in on, in its socket's namespace. */
		struct sock *sk = pl->sk;

		pl->ifindex = sk != NULL && in_capture_netns(BPF_CORE_READ(sk,
		    __sk_common.skc_net.net)) ? BPF_CORE_READ(skb, skb_iif) : 0;
		pl->arphrd = ARPHRD_NONE;
	}
	pl->mac_offset = mac;
	pl->ethernet = mac != HEADER_UNSET &&
	    pl->network_offset >= mac + ETH_HLEN &&
	    (pl->arphrd == ARPHRD_ETHER || pl->arphrd == ARPHRD_LOOPBACK);
	/* A tag the device took out, or will put in: shown as tc shows it. */
	pl->vlan_proto = BPF_CORE_READ(skb, vlan_proto);
	pl->vlan_tci = BPF_CORE_READ(skb, vlan_tci);
	if (bpf_core_field_exists(skb->vlan_present))
		pl->vlan_present = BPF_CORE_READ_BITFIELD_PROBED(skb,
		    vlan_present);
	else
		pl->vlan_present = pl->vlan_proto != 0 || pl->vlan_tci != 0;

	/*
	 * Direction.  Taps on a transmit or receive path say so.  Elsewhere
	 * (kfree_skb, say) a received packet is one whose MAC header was set
	 * and then pulled by the driver (eth_type_trans); a packet on its way
	 * out has no MAC header yet, or skb->data still points at it.
	 */
	if (tap_direction == RING_DIRECTION_OUT)
		pl->packet_type = PACKET_OUTGOING;
	else if (tap_direction != RING_DIRECTION_IN &&
	    (mac == HEADER_UNSET || data_offset <= mac))
		pl->packet_type = PACKET_OUTGOING;
	else
		pl->packet_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	return 1;
}

/*
 * A tc program's packet: the frame starts at offset 0 with the device's
 * link-layer header (if it has one), in both directions.
 */
static __always_inline int
tc_layout(struct __sk_buff *skb, int egress, struct packet_layout *pl)
{
	pl->ethernet = device_has_ethernet;
	pl->network_packet = 1;
	pl->mac_offset = 0;
	pl->network_offset = device_has_ethernet ? ETH_HLEN : 0;
	pl->end = skb->len;
	if (pl->end < pl->network_offset)
		return 0;
	pl->wire_len_from_network = skb->len - pl->network_offset;
	pl->protocol = (__be16)skb->protocol;
	pl->ifindex = skb->ifindex;
	pl->mark = skb->mark;
	pl->arphrd = device_arphrd;
	pl->packet_type = egress ? PACKET_OUTGOING : skb->pkt_type;
	pl->vlan_present = skb->vlan_present;
	pl->vlan_proto = (__be16)skb->vlan_proto;
	pl->vlan_tci = (__u16)skb->vlan_tci;
	return 1;
}

/*
 * A received frame's packet type from its destination address, as
 * eth_type_trans() decides it.
 */
static __always_inline __u8
received_packet_type(const __u8 dst[6])
{
	int i, ours = 1;

	if (dst[0] & 1)
		return (dst[0] & dst[1] & dst[2] & dst[3] & dst[4] &
		    dst[5]) == 0xff ? PACKET_BROADCAST : PACKET_MULTICAST;
	for (i = 0; i < 6; i++)
		if (dst[i] != device_mac[i])
			ours = 0;
	return ours ? PACKET_HOST : PACKET_OTHERHOST;
}

/*
 * An XDP frame: Ethernet, received.  The packet type follows from the
 * destination address, as eth_type_trans() would decide it.
 */
static __always_inline int
xdp_layout(struct xdp_md *ctx, struct packet_layout *pl)
{
	__u8 dst[6];
	__u32 len = bpf_xdp_get_buff_len(ctx);

	if (len < ETH_HLEN || bpf_xdp_load_bytes(ctx, 0, dst, 6) != 0 ||
	    bpf_xdp_load_bytes(ctx, 12, &pl->protocol, 2) != 0)
		return 0;
	pl->ethernet = 1;
	pl->network_packet = 1;
	pl->mac_offset = 0;
	pl->network_offset = ETH_HLEN;
	pl->end = len;
	pl->wire_len_from_network = len - ETH_HLEN;
	pl->ifindex = ctx->ingress_ifindex;
	pl->arphrd = device_arphrd;
	pl->packet_type = received_packet_type(dst);
	return 1;
}

/*
 * An XDP frame at the user's XDP program (fentry, fexit: its argument,
 * the struct xdp_buff behind its struct xdp_md), read as a kernel skb's
 * linear part is: from head = data, with bpf_probe_read_kernel (the
 * program's context is not ours, so no XDP helper reaches it).  Frames of
 * several buffers show their first.  A program on several interfaces
 * serves only the tap's (scope_ifindex, in the capture's namespace).
 */
static __always_inline int
xdp_buff_layout(struct xdp_buff *xdp, struct packet_layout *pl)
{
	unsigned char *data = BPF_CORE_READ(xdp, data);
	unsigned char *data_end = BPF_CORE_READ(xdp, data_end);
	struct net_device *dev = BPF_CORE_READ(xdp, rxq, dev);
	__u8 dst[6];
	__u32 len;

	if (!data || !dev || data_end < data + ETH_HLEN ||
	    data_end - data > 0xffff)
		return 0;
	pl->ifindex = BPF_CORE_READ(dev, ifindex);
	if (!in_capture_netns(BPF_CORE_READ(dev, nd_net.net)) ||
	    (scope_ifindex != 0 && (__u32)pl->ifindex != scope_ifindex))
		return 0;
	len = (__u32)(data_end - data);
	if (bpf_probe_read_kernel(dst, 6, data) != 0 ||
	    bpf_probe_read_kernel(&pl->protocol, 2, data + 12) != 0)
		return 0;
	pl->head = data;
	pl->data_offset = 0;
	pl->ethernet = 1;
	pl->network_packet = 1;
	pl->mac_offset = 0;
	pl->network_offset = ETH_HLEN;
	pl->end = len;
	pl->linear_end = len;
	pl->wire_len_from_network = len - ETH_HLEN;
	pl->arphrd = device_arphrd;
	pl->packet_type = received_packet_type(dst);
	return 1;
}

#endif /* BPFTRACE_PACKET_LAYOUT_H */
