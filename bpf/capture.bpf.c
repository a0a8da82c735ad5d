// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * The capture probe: runs at a kernel tap (tracepoint, function entry or
 * exit, tc, XDP), finds the packet, renders it in the handle's link type
 * into a per-CPU scratch record and hands the record to user space through
 * a ring buffer.  User space loads only the one program its tap needs.
 *
 * Rendering into scratch first, rather than reserving ring space up front,
 * is deliberate: the record size follows the packet (the ring holds many
 * small packets even with tcpdump's 256 KiB snaplen), and the in-kernel
 * filter (packet_filter.h) runs on the rendered bytes before any ring
 * space is used.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "ring_record.h"
#include "filter_program.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load; frozen, so the verifier sees constants. */
const volatile __u32 skb_arg_index = 0;
/* The tracepoint's or function's drop/reset reason argument; -1: none. */
const volatile __s32 reason_arg_index = -1;
/* Which tap of the capture this probe is (several may share one ring). */
const volatile __u16 tap_index = 0;
const volatile __u32 snaplen = 262144;
const volatile __u32 tap_direction = RING_DIRECTION_INOUT;	/* known by tap */
/*
 * The capturing process's network namespace (its inode number; 0: do not
 * check).  Interface indexes are per namespace: one from another would
 * name an unrelated interface of the reader's, so it is left out.
 */
const volatile __u32 capture_netns = 0;
/*
 * Both tc hooks of a loopback device: every packet passes egress, then
 * comes back in at ingress.  Shown once, as AF_PACKET shows it (the
 * incoming copy), unless outgoing packets alone are asked for.
 */
const volatile __u32 loopback_both_hooks = 0;
/* tc and XDP: the device's type, whether it has an Ethernet header, its MAC. */
const volatile __u16 device_arphrd = 1;
const volatile __u32 device_has_ethernet = 1;
const volatile __u8 device_mac[6];

/*
 * Written by user space at any time through the memory-mapped .data;
 * the counters are read through the memory-mapped .bss.
 */
struct capture_settings settings = {
	RING_DLT_LINUX_SLL, RING_DIRECTION_INOUT, 0, 0, 0
};
struct capture_counters counters[CAPTURE_COUNTER_SLOTS];
/* When a record last woke the reader (any CPU; a race costs one wakeup). */
__u64 last_wakeup_ns;
/* The pcap_setfilter() program, written through the mapped .bss. */
struct capture_filter filter;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 21);	/* resized from the buffer size */
} ring SEC(".maps");

/*
 * One scratch record per CPU.  value_size and max_entries are set by user
 * space before load (record header + link header room + snaplen; number
 * of possible CPUs), so the value has no BTF type that would pin its
 * size.  A program does not re-enter itself on one CPU, so a slot is
 * never shared by two runs at once.
 */
struct scratch_record {
	struct filter_state filter;	/* the filter's registers */
	struct ring_record header;	/* the record starts here */
	__u8 bytes[RING_LINK_HEADER_MAX + 64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct scratch_record));
} scratch SEC(".maps");

#include "packet_layout.h"
#include "packet_meta.h"
#include "link_header.h"
#include "packet_filter.h"

static __always_inline struct capture_counters *
counter_slot(__u32 cpu)
{
	return &counters[cpu % CAPTURE_COUNTER_SLOTS];
}

static __always_inline int
direction_wanted(__u8 packet_type)
{
	__u32 wanted = settings.direction;

	if (wanted == RING_DIRECTION_IN)
		return packet_type != PACKET_OUTGOING;
	if (wanted == RING_DIRECTION_OUT)
		return packet_type == PACKET_OUTGOING;
	return !(loopback_both_hooks && packet_type == PACKET_OUTGOING);
}

/*
 * Whether this record wakes the reader.  In immediate mode every record
 * may (the kernel wakes a reader that has caught up).  Otherwise a record
 * wakes it when it makes the waiting data cross wakeup_bytes, or when
 * wakeup_interval_ns have passed since the last wakeup: a lone packet is
 * seen at once, a flood costs one wakeup per interval or batch instead of
 * one per packet (a wakeup costs the probe more than the rest of its
 * work).  Only the crossing wakes: a reader behind the threshold is awake
 * and reading already.  While the reader reads, it looks again shortly
 * after each batch for records that came without a wakeup.
 *
 * Once it stops looking (it waits without a time limit, or it has
 * returned to the application, which may poll the ring's descriptor with
 * none), the reader sets reader_idle, and then every record wakes it: a
 * record that came within the interval would otherwise wait for the
 * next packet, for ever if none comes.  See also wake_idle_reader().
 */
static __always_inline __u64
wakeup_flags(__u64 now, __u64 record_bytes)
{
	__u32 threshold = settings.wakeup_bytes;
	__u64 waiting;

	if (threshold == 0)
		return 0;
	waiting = bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA);
	if (settings.reader_idle ||
	    now - last_wakeup_ns >= settings.wakeup_interval_ns ||
	    (waiting < threshold && waiting + record_bytes >= threshold)) {
		last_wakeup_ns = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

/*
 * The reader may have gone idle between wakeup_flags() and the record's
 * commit: it saw no record, then set reader_idle, after this probe had
 * read it clear.  Read again after the commit (the commit is a full
 * barrier, and the reader fences between setting the flag and looking at
 * the ring): either the reader saw this record, or this sees the flag
 * and wakes it with a record of a header alone.  Rare: the window is the
 * few instructions between the two reads.
 */
static __always_inline void
wake_idle_reader(struct ring_record *header)
{
	if (*(volatile __u32 *)&settings.reader_idle == 0)
		return;
	header->captured_len = 0;
	header->link_type = RING_WAKEUP_ONLY;
	bpf_ringbuf_output(&ring, header, sizeof(*header),
	    BPF_RB_FORCE_WAKEUP);
}

/*
 * Renders the packet described by pl into this CPU's scratch record and
 * copies the record into the ring.
 */
static __always_inline void
capture_packet(int source, void *ctx, const struct packet_layout *pl)
{
	struct scratch_record *rec;
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 link_type = settings.link_type;
	__u32 copy_from, available, wire_len;
	__u64 header_len, copy_len;	/* 64-bit: no truncation the verifier loses */
	int rendered;

	if (!direction_wanted(pl->packet_type))
		return;
	rec = bpf_map_lookup_elem(&scratch, &cpu);
	if (!rec)
		return;
	rendered = render_link_header(source, ctx, pl, link_type, rec->bytes,
	    &copy_from);
	if (rendered < 0)
		return;
	header_len = rendered;

	available = pl->end > copy_from ? pl->end - copy_from : 0;
	wire_len = pl->wire_len_from_network + (pl->network_offset - copy_from) +
	    header_len;
	copy_len = available;
	if (copy_len + header_len > snaplen)
		copy_len = snaplen > header_len ? snaplen - header_len : 0;
	/*
	 * Keep the bounds checks in the code the verifier sees: clang would
	 * otherwise fold them into the one above.
	 */
	asm volatile("" : "+r"(copy_len));
	if (copy_len > snaplen)
		return;
	if (header_len > RING_LINK_HEADER_MAX)
		return;
	if (copy_len > 0) {
		/*
		 * The verifier must see 1 <= length <= snaplen in the very
		 * register passed (older ones want a non-zero length for
		 * bpf_skb_load_bytes): bound last = length - 1 as well.
		 */
		__u64 last = copy_len - 1;

		asm volatile("" : "+r"(last));
		if (last >= snaplen)
			return;
		if (copy_packet_bytes(source, ctx, pl, copy_from,
		    rec->bytes + header_len, last + 1) != 0)
			return;
	}

	struct capture_counters *c = counter_slot(cpu);
	struct filter_verdict verdict = filter_packet(cpu, rec,
	    header_len + copy_len, wire_len);
	__u64 record_len = verdict.snap;

	if (record_len == 0) {
		__sync_fetch_and_add(&c->rejected, 1);
		return;
	}
	/* Never more than was rendered; said again for the verifier. */
	asm volatile("" : "+r"(record_len));
	if (record_len > RING_LINK_HEADER_MAX + snaplen)
		return;
	__u64 now = bpf_ktime_get_ns();

	rec->header.timestamp_ns = now;
	rec->header.packet_len = wire_len;
	rec->header.captured_len = record_len;
	rec->header.link_type = link_type;
	rec->header.tap_index = tap_index;
	rec->header.filter_generation = verdict.generation;

	__u64 wakeup = wakeup_flags(now, sizeof(rec->header) + record_len);

	__sync_fetch_and_add(&c->received, 1);
	if (bpf_ringbuf_output(&ring, &rec->header,
	    sizeof(rec->header) + record_len, wakeup) != 0)
		__sync_fetch_and_add(&c->dropped, 1);
	else if (wakeup == BPF_RB_NO_WAKEUP)
		wake_idle_reader(&rec->header);
}

static __always_inline void
capture_kernel_skb(void *ctx, struct sk_buff *skb, __s64 reason)
{
	struct packet_layout pl = {};

	pl.reason = reason;
	/* Only NFLOG shows the process: spare the others the lookup. */
	if (settings.link_type == RING_DLT_NFLOG)
		pl.in_task = in_process_context(ctx);
	if (skb && kernel_skb_layout(skb, &pl))
		capture_packet(SOURCE_KERNEL_SKB, 0, &pl);
}

/*
 * Loads the 64-bit context word at a constant byte offset.  Written in
 * assembly because the verifier only accepts context loads whose offset
 * is part of the load instruction, and clang may otherwise add the offset
 * to the pointer first.  (Two levels, so that a macro offset is expanded
 * before it is turned into text.)
 */
#define CONTEXT_WORD(ctx, offset) CONTEXT_WORD_AT(ctx, offset)
#define CONTEXT_WORD_AT(ctx, offset) ({					\
	__u64 word_;							\
	asm volatile("%0 = *(u64 *)(%1 + " #offset ")"		\
	    : "=r"(word_) : "r"(ctx));					\
	word_; })

/*
 * Reads argument index of the tracepoint or traced function.  The index
 * is a frozen constant, so the verifier walks only the one case that
 * applies.
 */
static __always_inline __u64
tracing_argument(void *ctx, __u32 index)
{
	__u64 word = 0;

	switch (index) {
	case 0: word = CONTEXT_WORD(ctx, 0); break;
	case 1: word = CONTEXT_WORD(ctx, 8); break;
	case 2: word = CONTEXT_WORD(ctx, 16); break;
	case 3: word = CONTEXT_WORD(ctx, 24); break;
	case 4: word = CONTEXT_WORD(ctx, 32); break;
	case 5: word = CONTEXT_WORD(ctx, 40); break;
	case 6: word = CONTEXT_WORD(ctx, 48); break;
	case 7: word = CONTEXT_WORD(ctx, 56); break;
	case 8: word = CONTEXT_WORD(ctx, 64); break;
	case 9: word = CONTEXT_WORD(ctx, 72); break;
	case 10: word = CONTEXT_WORD(ctx, 80); break;
	case 11: word = CONTEXT_WORD(ctx, 88); break;
	}
	return word;
}

/*
 * The byte offset of an argument register in the saved registers, from
 * bpf_tracing.h's accessor for the target architecture, and the load of
 * that word with the offset in the instruction (as CONTEXT_WORD, for the
 * same reason; "i" makes the compiler fold the offset to a constant).
 */
#define REGISTER_OFFSET(parm) ((unsigned long)&parm((struct pt_regs *)0))
#define REGISTER_WORD(regs, parm) ({					\
	__u64 word_;							\
	asm volatile("%0 = *(u64 *)(%1 + %2)"				\
	    : "=r"(word_) : "r"(regs), "i"(REGISTER_OFFSET(parm)));	\
	word_; })

/*
 * A kprobe's argument, from the argument registers.  kprobes reach the
 * first six arguments only; user space refuses others.
 */
static __always_inline __u64
register_argument(void *regs, __u32 index)
{
	__u64 word = 0;

	switch (index) {
	case 0: word = REGISTER_WORD(regs, PT_REGS_PARM1); break;
	case 1: word = REGISTER_WORD(regs, PT_REGS_PARM2); break;
	case 2: word = REGISTER_WORD(regs, PT_REGS_PARM3); break;
	case 3: word = REGISTER_WORD(regs, PT_REGS_PARM4); break;
	case 4: word = REGISTER_WORD(regs, PT_REGS_PARM5); break;
	case 5: word = REGISTER_WORD(regs, PT_REGS_PARM6); break;
	}
	return word;
}

/* The reason argument, an enum: its low 32 bits. */
#define REASON_ARGUMENT(read, ctx)					\
	(reason_arg_index >= 0 ?					\
	    (__s64)(__u32)read(ctx, (__u32)reason_arg_index) : -1)

/*
 * The tracing programs: tp_btf, raw_tp (kernels without tp_btf, and
 * raw_tracepoint: taps), fentry and fexit (the packet as the function left
 * it).  One body, one section each; user space sets the attach targets.
 */
#define TRACING_PROGRAM(section, name)					\
SEC(section)								\
int									\
name(__u64 *ctx)							\
{									\
	capture_kernel_skb(ctx, (struct sk_buff *)tracing_argument(ctx,	\
	    skb_arg_index), REASON_ARGUMENT(tracing_argument, ctx));	\
	return 0;							\
}

TRACING_PROGRAM("tp_btf", capture_tp_btf)
TRACING_PROGRAM("raw_tp", capture_raw_tp)
TRACING_PROGRAM("fentry", capture_fentry)
TRACING_PROGRAM("fexit", capture_fexit)

/* Function entry where the kernel has no BPF trampoline. */
SEC("kprobe")
int
capture_kprobe(void *regs)
{
	capture_kernel_skb(regs, (struct sk_buff *)register_argument(regs,
	    skb_arg_index), REASON_ARGUMENT(register_argument, regs));
	return 0;
}

#define TC_NEXT		(-1)	/* TCX_NEXT, TC_ACT_UNSPEC: go on as without us */

static __always_inline int
capture_tc(struct __sk_buff *skb, int egress)
{
	struct packet_layout pl = {};

	pl.reason = -1;
	if (tc_layout(skb, egress, &pl))
		capture_packet(SOURCE_TC, skb, &pl);
	return TC_NEXT;
}

SEC("tc")
int
capture_tc_ingress(struct __sk_buff *skb)
{
	return capture_tc(skb, 0);
}

SEC("tc")
int
capture_tc_egress(struct __sk_buff *skb)
{
	return capture_tc(skb, 1);
}

/* "xdp.frags": the kernel hands multi-buffer frames to the program too. */
SEC("xdp.frags")
int
capture_xdp(struct xdp_md *ctx)
{
	struct packet_layout pl = {};

	pl.reason = -1;
	if (xdp_layout(ctx, &pl))
		capture_packet(SOURCE_XDP, ctx, &pl);
	return XDP_PASS;
}
