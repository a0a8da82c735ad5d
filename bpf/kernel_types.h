/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel types the capture probe uses.  The program contexts of tc and
 * XDP (struct __sk_buff, struct xdp_md) and the map types are UAPI, from
 * <linux/bpf.h>.  The in-kernel structures are declared here with only
 * the fields read, marked preserve_access_index so that libbpf relocates
 * every access against the running kernel's BTF (CO-RE): their order and
 * offsets here do not matter.
 */
#ifndef BPFTRACE_KERNEL_TYPES_H
#define BPFTRACE_KERNEL_TYPES_H

#include <linux/types.h>
#include <linux/bpf.h>

struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct net {
	struct ns_common ns;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} __attribute__((preserve_access_index)) possible_net_t;

struct net_device {
	int ifindex;
	unsigned short type;
	possible_net_t nd_net;
} __attribute__((preserve_access_index));

typedef struct { unsigned int val; } kuid_t;
typedef struct { unsigned int val; } kgid_t;

struct cred {
	kuid_t fsuid;
	kgid_t fsgid;
} __attribute__((preserve_access_index));

struct file {
	const struct cred *f_cred;
} __attribute__((preserve_access_index));

struct socket {
	struct file *file;
} __attribute__((preserve_access_index));

struct sock;

struct sock_common {
	volatile unsigned char skc_state;
	possible_net_t skc_net;
	struct sock *skc_listener;	/* request sockets: their listener */
} __attribute__((preserve_access_index));

struct kernfs_node {
	__u64 id;
} __attribute__((preserve_access_index));

/* Only the levels counted from the root are read: ancestors[level]. */
struct cgroup {
	struct kernfs_node *kn;
	int level;
	struct cgroup *ancestors[];
} __attribute__((preserve_access_index));

/* The cgroup v2 cgroup of the process that created the socket. */
struct sock_cgroup_data {
	struct cgroup *cgroup;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	struct socket *sk_socket;
	struct sock_cgroup_data sk_cgrp_data;
} __attribute__((preserve_access_index));

struct task_struct {
	void *stack;
} __attribute__((preserve_access_index));

struct sk_buff {
	struct sk_buff *next;		/* GSO's list of segments */
	struct net_device *dev;
	struct sock *sk;
	__u32 mark;
	unsigned int len;
	unsigned int data_len;
	__u8 pkt_type:3;
	__u8 cloned:1;
	__be16 protocol;
	__u16 transport_header;
	__u16 network_header;
	__u16 mac_header;
	int skb_iif;
	unsigned char *head;
	unsigned char *data;
	/*
	 * A VLAN tag the device took out (or will put in): until 6.2 with
	 * its own flag, since then present when the two are not both 0.
	 */
	__u8 vlan_present:1;
	__be16 vlan_proto;
	__u16 vlan_tci;
	/*
	 * sk_buff_data_t: an offset from head on 64-bit kernels (the only
	 * ones the probe is built for), where skb_shared_info starts.
	 */
	unsigned int end;
} __attribute__((preserve_access_index));

/*
 * What an XDP program's struct xdp_md is at run time: fentry and fexit
 * on the user's XDP program read the frame through it.
 */
struct xdp_rxq_info {
	struct net_device *dev;
} __attribute__((preserve_access_index));

struct xdp_buff {
	void *data;
	void *data_end;
	struct xdp_rxq_info *rxq;
} __attribute__((preserve_access_index));

/* The data's shared part: dataref counts the skbs sharing head. */
struct skb_shared_info {
	struct {
		int counter;
	} dataref;			/* atomic_t */
} __attribute__((preserve_access_index));

/*
 * The architectures the probe is built for.  A kprobe's context is the
 * architecture's saved registers (struct pt_regs), which libbpf's
 * bpf_tracing.h names per architecture from __TARGET_ARCH_*; the Makefile
 * sets it from the target triple.  On any other architecture the probe
 * would read the wrong registers (and packet_meta.h's stack test the
 * wrong stack), so the build stops instead.
 */
#if !defined(__TARGET_ARCH_x86) && !defined(__TARGET_ARCH_arm64)
#error "capture probe: only x86-64 (__TARGET_ARCH_x86) and arm64 (__TARGET_ARCH_arm64) are supported; see bpf/kernel_types.h"
#endif

/*
 * The user-space view of the saved registers (x86-64's struct pt_regs,
 * arm64's user_pt_regs), which is the start of the kernel's own: the
 * layout bpf_tracing.h's PT_REGS_PARMn() read.
 */
#include <asm/ptrace.h>

/*
 * The sixth argument register; bpf_tracing.h names it from libbpf 1.2 on
 * (Debian 12 has 1.1).
 */
#ifndef PT_REGS_PARM6
#if defined(__TARGET_ARCH_x86)
#define PT_REGS_PARM6(x) (((struct pt_regs *)(x))->r9)
#else
#define PT_REGS_PARM6(x) (((const struct user_pt_regs *)(x))->regs[5])
#endif
#endif

#endif /* BPFTRACE_KERNEL_TYPES_H */
