/* SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0) */
/*
 * What NFLOG records carry besides the packet (struct ring_packet_meta):
 * interface, mark, protocol, the tap's reason argument, the socket's
 * owner and, when the tap runs in a process's context, the process.
 *
 * Included by capture.bpf.c.
 */
#ifndef BPFTRACE_PACKET_META_H
#define BPFTRACE_PACKET_META_H

/*
 * Whether the tap runs for a process: the program's context (the
 * tracepoint's argument array, the traced function's saved registers)
 * lies on the current task's own kernel stack.  Interrupts and softirqs
 * run on the CPU's interrupt stacks (x86-64 and arm64 alike), so a packet
 * received in a softirq is not put on whatever task it interrupted.
 * Per-CPU preempt counts would say it more directly, but their addresses
 * are not in every kernel's kallsyms, and a missing one fails the whole
 * program's load; the program's own stack may be a per-CPU one (6.13+).
 * Comparing an address with the context needs CAP_PERFMON, which tracing
 * taps need anyway.
 *
 * The stack's size (THREAD_SIZE) is in no BTF type, so it is the
 * architecture's usual one: 16 KiB on x86-64 and on arm64 with 4 KiB
 * pages.  Kernels with larger stacks (KASAN; arm64 with 64 KiB pages)
 * use the stack from its top down, so there the test errs towards "not a
 * process" (a record without pid), never towards a wrong process.
 */
#if defined(__TARGET_ARCH_x86) || defined(__TARGET_ARCH_arm64)
#define TASK_STACK_BYTES	16384
#else
#error "packet_meta.h: no task stack size for this architecture"
#endif

static __always_inline int
in_process_context(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 base = (__u64)BPF_CORE_READ(task, stack);
	__u64 at = (__u64)ctx;

	asm volatile("" : "+r"(base));
	if (base == 0 || at <= base)
		return 0;
	asm volatile("" : "+r"(base));
	return at < base + TASK_STACK_BYTES;
}

/* TCP_TIME_WAIT and TCP_NEW_SYN_RECV sockets are not full sockets. */
#define SK_STATE_TIME_WAIT	6
#define SK_STATE_NEW_SYN_RECV	12

/* The file credentials of the skb's socket, as NFLOG's uid and gid. */
static __always_inline void
socket_ids(struct sock *sk, struct ring_packet_meta *m)
{
	unsigned char state;
	const struct cred *cred;

	if (!sk)
		return;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state == SK_STATE_TIME_WAIT || state == SK_STATE_NEW_SYN_RECV)
		return;
	cred = BPF_CORE_READ(sk, sk_socket, file, f_cred);
	if (!cred)
		return;
	m->uid = BPF_CORE_READ(cred, fsuid.val);
	m->gid = BPF_CORE_READ(cred, fsgid.val);
	m->flags |= RING_META_HAS_SOCKET_IDS;
}

static __always_inline void
fill_packet_meta(int source, const struct packet_layout *pl,
    struct ring_packet_meta *m)
{
	__builtin_memset(m, 0, sizeof(*m));
	m->ifindex = (__u32)pl->ifindex;
	m->mark = pl->mark;
	m->hw_protocol = pl->protocol;
	m->packet_type = pl->packet_type;
	if (pl->reason >= 0) {
		m->reason = (__u32)pl->reason;
		m->flags |= RING_META_HAS_REASON;
	}
	if (source == SOURCE_KERNEL_SKB)
		socket_ids(pl->sk, m);
	if (track_packets && source == SOURCE_KERNEL_SKB) {
		m->track_id = pl->track_id;
		m->flags |= RING_META_TRACKED;
	}
	if (pl->has_verdict) {
		m->verdict = pl->verdict;
		m->flags |= RING_META_HAS_VERDICT;
	}
	if (pl->function_id) {
		m->function_id = pl->function_id;
		m->flags |= RING_META_FUNCTION;
	}
	if (pl->in_task) {
		m->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(m->comm, sizeof(m->comm));
		m->flags |= RING_META_IN_TASK;
	}
}

#endif /* BPFTRACE_PACKET_META_H */
