/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few kernel types the capture probe reads, declared with
 * preserve_access_index so that libbpf relocates every field access
 * against the running kernel's BTF (CO-RE).  Only the fields used are
 * listed; their order and offsets here do not matter.
 */
#ifndef BPFTRACE_KERNEL_TYPES_H
#define BPFTRACE_KERNEL_TYPES_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed int __s32;
typedef signed long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

enum bpf_map_type {
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_RINGBUF = 27,
};

struct net_device {
	int ifindex;
	unsigned short type;
} __attribute__((preserve_access_index));

struct sk_buff {
	struct net_device *dev;
	unsigned int len;
	unsigned int data_len;
	__u8 pkt_type:3;
	__be16 protocol;
	__u16 transport_header;
	__u16 network_header;
	__u16 mac_header;
	int skb_iif;
	unsigned char *head;
	unsigned char *data;
} __attribute__((preserve_access_index));

#endif /* BPFTRACE_KERNEL_TYPES_H */
