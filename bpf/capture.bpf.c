// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * The capture probe: runs at a kernel tap (tracepoint, function entry or
 * exit, tc, XDP), finds the packet, decides whether to keep it, and
 * hands what it keeps to user space through a ring buffer.  User space
 * loads only the programs its tap needs.
 *
 * Decide before copying, copy once.  The entry program renders the
 * link-layer header and copies only the first packet bytes after it
 * (the window) into this CPU's decision (filter_decision.h); the filter
 * reads the window and, past it, the packet itself.  A rejected packet
 * thus costs the same whatever its size.  An accepted one is copied once,
 * from the decision and the packet straight into ring space reserved at
 * its exact size.  The filter is a compiled program reached by a tail
 * call when one is installed, else the interpreter (packet_filter.h);
 * delivery is the same code after either (deliver()).
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "ring_record.h"
#include "filter_program.h"
#include "filter_decision.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load; frozen, so the verifier sees constants. */
const volatile __u32 skb_arg_index = 0;
/* The tracepoint's or function's drop/reset reason argument; -1: none. */
const volatile __s32 reason_arg_index = -1;
/* A kprobe pattern's probe: the function and skb come in the cookie. */
const volatile __u32 function_pattern = 0;
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
 * The capture's scope (bpftrace-scope.h; 0: not scoped so): the network
 * namespace (inode), the cgroup v2 of the packet's socket (or one above
 * it), the interface (index in the scope's namespace).  Packets out of
 * scope are not the capture's: skipped before anything is copied or
 * counted.
 */
const volatile __u32 scope_netns = 0;
const volatile __u64 scope_cgroup_id = 0;
const volatile __u32 scope_ifindex = 0;
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
 * 1: copy accepted packets through per-CPU scratch and bpf_ringbuf_output
 * (kernels before 5.19, without ring-buffer dynptrs); 0: straight into a
 * reserved record.  User space tries 0 first.
 */
const volatile __u32 ring_copy_scratch = 0;
/*
 * 1: loaded able to deliver kernel skbs whole, paged data included,
 * through bpf_skb_output() into the perf event array packets (tp_btf,
 * fentry and fexit programs have the helper from Linux 5.5; the kernel
 * copies the fragments).  Used where no skb dynptr reads the paged data
 * (skb_paged), for packets that have paged data the record reaches into,
 * once user space reads the array (settings.skb_output).  User space
 * loads again without it where the kernel refuses.
 */
const volatile __u32 skb_output = 0;
/*
 * ,track (packet_track.h): follow accepted packets through the taps;
 * this tap is one where the kernel frees skbs (skb:kfree_skb,
 * skb:consume_skb), whose entries go once the packet is captured.
 */
const volatile __u32 track_packets = 0;
const volatile __u32 track_free_tap = 0;
/*
 * At the user's XDP or tc program (fexit): the context word that holds
 * what it returned (its one argument's successor), -1 elsewhere; and the
 * verdicts kept, bit (verdict + 1) each, 0 for all.
 */
const volatile __s32 verdict_arg_index = -1;
const volatile __u32 verdict_mask = 0;
#define VERDICT_MAX	30	/* bpftrace-tap-name.h's TAP_VERDICT_MAX */

/*
 * ,track: the segmenting function's arguments (track_gso): its return
 * value is the fexit context's word after them.
 */
const volatile __u32 track_gso_ret_index = 3;

/*
 * Written by user space at any time through the memory-mapped .data;
 * the counters are read through the memory-mapped .bss.
 */
struct capture_settings settings = {
	RING_DLT_LINUX_SLL, RING_DIRECTION_INOUT, 0, 0, 0, 0, 0
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

/* skb_output: one perf ring per CPU (libbpf sizes it to the CPUs). */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} packets SEC(".maps");

/*
 * This CPU's decision (filter_decision.h), then what this probe alone
 * uses: the record header delivery writes, the interpreter's registers.
 * The window is followed by the rest of the value, so a load of up to 4
 * bytes starting anywhere in the window stays inside it: the verifier
 * needs only the start bounded.  A program does not re-enter itself on
 * one CPU, and the delivery program runs inside the entry's run (a tail
 * call), so one value per CPU is never shared by two runs at once.
 */
struct decision_record {
	struct capture_decision d;
	/* skb_output: the sample's start, right before the header */
	struct skb_output_prefix prefix;
	struct ring_record header;	/* of the record being delivered */
	/*
	 * The window again, right after the header: a record that lies in
	 * the window whole goes into the ring with one helper call.
	 */
	__u8 body[RING_LINK_HEADER_MAX + DECISION_WINDOW];
	struct filter_state filter;	/* the interpreter's registers */
	/* ,track: the packet delivery begins to follow (packet_track.h) */
	__u64 track_skb;
	__u64 track_head;
	__u32 track_count;		/* packets this CPU began to follow */
	__u32 track_pending;		/* follow this one if accepted */
};
_Static_assert(__builtin_offsetof(struct decision_record, d.window) + 0xff +
    4 <= sizeof(struct decision_record), "the window's slack");
_Static_assert(__builtin_offsetof(struct decision_record, header) ==
    __builtin_offsetof(struct decision_record, prefix) +
    sizeof(struct skb_output_prefix), "a sample's meta is one block");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct decision_record);
} decision SEC(".maps");

/*
 * ,track: the packets followed, shared by the capture's taps (tap 0's;
 * max_entries set by user space).  An LRU hash: packets whose free the
 * probe misses must not fill it for good.
 */
struct track_entry {
	__u32	id;		/* the packet's identity (packet_track.h) */
	__u32	generation;	/* the filter it matched; 0: none */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, struct track_entry);
} tracked SEC(".maps");

/* FILTER_SLOT_COMPILED: the compiled filter; FILTER_SLOT_DELIVER: delivery. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FILTER_SLOTS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} filter_programs SEC(".maps");

/*
 * Kernels without ring-buffer dynptrs (ring_copy_scratch): one record per
 * CPU, assembled here and then copied into the ring.  value_size and
 * max_entries are set by user space before load (record header + link
 * header and window + snaplen; possible CPUs), so the value has no BTF
 * type that would pin its size; otherwise the map is one tiny unused
 * entry.
 */
struct scratch_record {
	struct ring_record header;
	__u8 bytes[RING_LINK_HEADER_MAX + DECISION_WINDOW];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct ring_record));
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

#include "packet_track.h"

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
 * The record's length: the rendered header and the packet bytes the
 * source has (whole_len: filter_len, or more where bpf_skb_output()
 * delivers the paged data), cut to the snap length (the header is never
 * cut: user space trims it), and to what the filter kept.
 */
static __always_inline __u32
record_length(const struct capture_decision *d, __u32 snap)
{
	__u32 header_len = d->header_len;
	__u32 available = d->whole_len - header_len;
	__u32 room = snaplen > header_len ? snaplen - header_len : 0;
	__u32 len = header_len + (available < room ? available : room);

	return snap < len ? snap : len;
}

/*
 * Largest copy delivery makes with one helper call; bigger packets take
 * several, the last one overlapping the one before.
 */
#define COPY_CHUNK		4096
/* Chunks of the largest record: snaplen is at most 262144 (libpcap's). */
#define COPY_CHUNKS_MAX		\
	((RING_LINK_HEADER_MAX + 262144) / COPY_CHUNK + 1)

/*
 * Copies len bytes of the packet at source offset from into the record
 * at offset at: straight into the ring, through slices of constant size
 * (the verifier wants the size of a slice constant).  Below COPY_CHUNK,
 * one copy into a slice of the record's padded room (padded_rest());
 * above it, whole chunks and a last one ending at len.  0, or -1 when a
 * copy failed.
 */
static __always_inline int
copy_slice(int source, void *ctx, const unsigned char *head,
    struct bpf_dynptr *record, __u32 at, __u32 from, __u32 size)
{
	void *slice;

	/* size is a constant wherever this is inlined. */
	slice = bpf_dynptr_data(record, at, size);
	if (!slice)
		return -1;
	return copy_packet_bytes(source, ctx, head, from, slice, size) ? -1 : 0;
}

/*
 * Below COPY_CHUNK the record is reserved with its packet part rounded up
 * to COPY_STEP (ring_room()), so that one slice of constant size holds
 * the whole rest and one helper call fills it: the bytes past
 * captured_len are the ring's own, which the reader skips.  Cheaper than
 * slices that fit exactly (two overlapping copies of a power of two, up
 * to twice the bytes, and twice the helper calls) at a cost of less than
 * COPY_STEP bytes of ring space per record.
 */
#define COPY_STEP		256

static __always_inline __u64
padded_rest(__u64 rest)
{
	if (rest == 0 || rest >= COPY_CHUNK)
		return rest;
	return (rest + COPY_STEP - 1) & ~(__u64)(COPY_STEP - 1);
}

/* len bytes, 1 <= len <= size, into one slice of size bytes at at. */
static __always_inline int
copy_into_slice(int source, void *ctx, const unsigned char *head,
    struct bpf_dynptr *record, __u32 at, __u32 from, __u32 len, __u32 size)
{
	__u64 last = len - 1;
	void *slice;

	/* size is a constant wherever this is inlined. */
	slice = bpf_dynptr_data(record, at, size);
	if (!slice)
		return -1;
	/* As in output_through_scratch(): the bound in the register used. */
	asm volatile("" : "+r"(last));
	if (last >= size)
		return -1;
	return copy_packet_bytes(source, ctx, head, from, slice, last + 1) ?
	    -1 : 0;
}

#define COPY_UP_TO(size)						\
	if (len <= (size))						\
		return copy_into_slice(source, ctx, head, record, at, from, \
		    len, (size))

static __always_inline int
fill_from_packet(int source, void *ctx, const unsigned char *head,
    struct bpf_dynptr *record, __u32 at, __u32 from, __u32 len)
{
	__u32 done = 0, i;

	if (len == 0)
		return 0;
	if (len >= COPY_CHUNK) {
		for (i = 0; i < COPY_CHUNKS_MAX; i++) {
			if (done + COPY_CHUNK > len)
				break;
			if (copy_slice(source, ctx, head, record, at + done,
			    from + done, COPY_CHUNK))
				return -1;
			done += COPY_CHUNK;
		}
		if (done == len)
			return 0;
		if (len - done > COPY_CHUNK)	/* a snap length above 262144 */
			return -1;
		return copy_slice(source, ctx, head, record,
		    at + len - COPY_CHUNK, from + len - COPY_CHUNK, COPY_CHUNK);
	}
	/* The record has room up to the next COPY_STEP (padded_rest()). */
	COPY_UP_TO(256);
	COPY_UP_TO(512);
	COPY_UP_TO(768);
	COPY_UP_TO(1024);
	COPY_UP_TO(1280);
	COPY_UP_TO(1536);
	COPY_UP_TO(1792);
	COPY_UP_TO(2048);
	COPY_UP_TO(2304);
	COPY_UP_TO(2560);
	COPY_UP_TO(2816);
	COPY_UP_TO(3072);
	COPY_UP_TO(3328);
	COPY_UP_TO(3584);
	COPY_UP_TO(3840);
	COPY_UP_TO(4096);
	return -1;
}

/*
 * Kernels without ring-buffer dynptrs: the record is assembled in this
 * CPU's scratch and copied into the ring.  0, or -1 when it could not be
 * written.
 */
static __always_inline int
output_through_scratch(int source, void *ctx, struct decision_record *r,
    __u64 in_window, __u64 rest, __u32 from, __u64 wakeup)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch_record *rec = bpf_map_lookup_elem(&scratch, &cpu);
	__u64 total;

	if (!rec)
		return -1;
	__builtin_memcpy(&rec->header, &r->header, sizeof(rec->header));
	bpf_probe_read_kernel(rec->bytes, in_window, r->d.window);
	if (rest > 0) {
		/*
		 * The verifier must see 1 <= length <= snaplen in the very
		 * register passed (older ones want a non-zero length for
		 * bpf_skb_load_bytes): bound last = length - 1 as well.
		 */
		__u64 last = rest - 1;

		asm volatile("" : "+r"(last));
		if (last >= snaplen)
			return -1;
		if (copy_packet_bytes(source, ctx, (void *)r->d.head, from,
		    rec->bytes + in_window, last + 1) != 0)
			return -1;
	}
	/*
	 * The record's bytes bounded as one value: the verifier bounds a
	 * sum by its parts' bounds, which together exceed the scratch value
	 * (measured on 5.10).
	 */
	total = in_window + rest;
	asm volatile("" : "+r"(total));
	if (total > RING_LINK_HEADER_MAX + snaplen)
		return -1;
	return bpf_ringbuf_output(&ring, &rec->header, sizeof(rec->header) +
	    total, wakeup) != 0 ? -1 : 0;
}

/*
 * Largest raw part of a perf sample: the sample's size is 16 bits (its
 * header, the raw size word and the raw bytes rounded up to 8).
 */
#define PERF_RAW_MAX	(65535 - 8 - 4 - 7)

/*
 * skb_output: the record of a packet whose bytes reach into its paged
 * data, as a perf sample (struct skb_output_prefix): the kernel copies
 * the skb from skb->data, fragments included (skb_copy_bits), after the
 * prefix, header and meta bytes from the decision.  0, or -1 when it
 * could not be written (the perf ring full: a drop).
 */
static __always_inline int
output_whole_skb(void *ctx, struct decision_record *r, __u64 record_len)
{
	struct capture_decision *d = &r->d;
	struct sk_buff *skb = (struct sk_buff *)tracing_argument(ctx,
	    skb_arg_index);
	__u64 before = 0, skip = 0, meta_len, bytes, size;

	if (!skb)
		return -1;
	if (d->data_offset > d->copy_from)
		before = d->data_offset - d->copy_from;
	else
		skip = d->copy_from - d->data_offset;
	meta_len = d->header_len + before;
	if (meta_len > d->window_len || record_len <= meta_len ||
	    skip > 0xffff)
		return -1;
	/* A packet near 64 KiB (a large GSO one) is cut to what fits. */
	if (sizeof(r->prefix) + sizeof(r->header) + skip + record_len >
	    PERF_RAW_MAX) {
		record_len = PERF_RAW_MAX - sizeof(r->prefix) -
		    sizeof(r->header) - skip;
		if (record_len <= meta_len)
			return -1;
		r->header.captured_len = record_len;
	}
	bytes = skip + record_len - meta_len;
	r->prefix.meta_len = meta_len;
	r->prefix.skip = skip;
	__builtin_memcpy(r->body, d->window, sizeof(r->body));
	/* The bound in the register passed, as in output_through_scratch(). */
	size = sizeof(r->prefix) + sizeof(r->header) + meta_len;
	asm volatile("" : "+r"(size));
	if (size > sizeof(r->prefix) + sizeof(r->header) + sizeof(r->body))
		return -1;
	return bpf_skb_output(skb, &packets,
	    BPF_F_CURRENT_CPU | ((bytes & 0xfffff) << 32), &r->prefix,
	    size) == 0 ? 0 : -1;
}

/*
 * Hands the packet the filter accepted (snap bytes of it, stamped with
 * the generation of the program that decided) to user space: reserves
 * a record of its exact size and fills it from the decision (the header
 * and the window) and from the packet.  Inlined after the interpreter,
 * and the body of the delivery programs a compiled filter tail-calls.
 */
static __always_inline void
deliver(int source, void *ctx, struct decision_record *r, __u32 snap,
    __u32 generation)
{
	struct capture_counters *c = counter_slot(bpf_get_smp_processor_id());
	struct capture_decision *d = &r->d;
	__u64 record_len, in_window, rest, wakeup, now;
	__u32 from;

	if (d->header_len > RING_LINK_HEADER_MAX ||
	    d->filter_len < d->header_len || d->window_len < d->header_len)
		return;
	record_len = record_length(d, snap);
	in_window = record_len < d->window_len ? record_len : d->window_len;
	/* The bounds again, in the registers the verifier sees. */
	asm volatile("" : "+r"(record_len), "+r"(in_window));
	if (record_len == 0 || record_len > RING_LINK_HEADER_MAX + snaplen ||
	    in_window > sizeof(d->window) || in_window > record_len)
		return;
	rest = record_len - in_window;
	from = d->copy_from + (__u32)in_window - d->header_len;
	if (track_packets)
		track_begin(r, generation);

	now = bpf_ktime_get_ns();
	r->header.timestamp_ns = now;
	r->header.captured_len = record_len;
	r->header.filter_generation = generation;
	if (skb_output && source == SOURCE_KERNEL_SKB &&
	    record_len > d->filter_len) {
		/* Paged data in the record: the kernel copies it. */
		__sync_fetch_and_add(&c->received, 1);
		if (output_whole_skb(ctx, r, record_len) != 0)
			__sync_fetch_and_add(&c->dropped, 1);
		return;
	}
	wakeup = wakeup_flags(now, sizeof(r->header) + record_len);
	__sync_fetch_and_add(&c->received, 1);

	/*
	 * Older verifiers lose the bound of a value clang kept on the
	 * stack: bound the length where it is used, in a way clang cannot
	 * drop (the asm hides that it is bounded already).  The window is
	 * followed by the rest of the value, so 0xff stays inside it.
	 */
	asm volatile("" : "+r"(in_window));
	in_window &= 0xff;
	if (ring_copy_scratch) {
		if (output_through_scratch(source, ctx, r, in_window, rest,
		    from, wakeup) != 0) {
			__sync_fetch_and_add(&c->dropped, 1);
			return;
		}
	} else if (rest == 0) {
		/*
		 * All in the window (small packets): header and window made
		 * one block (a copy of constant size, no helper), and that
		 * copied into the ring.
		 */
		__builtin_memcpy(r->body, d->window, sizeof(r->body));
		if (bpf_ringbuf_output(&ring, &r->header, sizeof(r->header) +
		    in_window, wakeup) != 0) {
			__sync_fetch_and_add(&c->dropped, 1);
			return;
		}
	} else {
		struct bpf_dynptr record;

		__builtin_memcpy(r->body, d->window, sizeof(r->body));
		/* A full ring refuses here, before anything is copied. */
		if (bpf_ringbuf_reserve_dynptr(&ring, sizeof(r->header) +
		    in_window + padded_rest(rest), 0, &record) != 0 ||
		    bpf_dynptr_write(&record, 0, &r->header,
		    sizeof(r->header) + in_window, 0) != 0 ||
		    (fill_from_packet(source, ctx,
		    (void *)d->head, &record, sizeof(r->header) + in_window,
		    from, rest) != 0)) {
			bpf_ringbuf_discard_dynptr(&record, 0);
			__sync_fetch_and_add(&c->dropped, 1);
			return;
		}
		bpf_ringbuf_submit_dynptr(&record, wakeup);
	}
	if (wakeup == BPF_RB_NO_WAKEUP)
		wake_idle_reader(&r->header);
}

/*
 * A window that starts before skb->data (a received frame's link-layer
 * header) and ends past the linear part: the bytes before skb->data from
 * head, the rest from the dynptr (read_paged_skb() reads one side only).
 * Every later read starts within the window's last 4 bytes or past it,
 * so at or after skb->data: capture_packet() keeps a packet linear where
 * it would not.  The
 * window is followed by the rest of the decision, so lengths bounded by
 * the window stay inside the value.
 */
static __always_inline int
paged_window(void *ctx, const struct packet_layout *pl, __u32 copy_from,
    __u32 window, __u64 header_len, __u8 *out)
{
	__u64 before = pl->data_offset - copy_from, after;

	asm volatile("" : "+r"(before));
	if (before == 0 || before >= window || before > DECISION_WINDOW - 1 ||
	    header_len > RING_LINK_HEADER_MAX)
		return -1;
	after = window - before;
	asm volatile("" : "+r"(after));
	if (after == 0 || after > DECISION_WINDOW)
		return -1;
	if (bpf_probe_read_kernel(out + header_len, before,
	    pl->head + copy_from) != 0)
		return -1;
	return read_paged_skb(ctx, pl->head, pl->data_offset,
	    out + header_len + before, after) != 0 ? -1 : 0;
}

/*
 * Decides about the packet described by pl: renders its link header and
 * the window into this CPU's decision, runs the filter (the compiled one
 * by a tail call that does not return, else the interpreter) and delivers
 * what it keeps.
 */
static __always_inline void
capture_packet(int source, void *ctx, struct packet_layout *pl)
{
	struct decision_record *r;
	struct capture_decision *d;
	__u32 zero = 0, link_type = settings.link_type;
	__u32 copy_from, available, window, slot = 0, len = 0, generation;
	__u32 end;
	__u64 header_len;	/* 64-bit: no truncation the verifier loses */
	int rendered, bypass;

	if (!direction_wanted(pl->packet_type))
		return;
	r = bpf_map_lookup_elem(&decision, &zero);
	if (!r)
		return;
	d = &r->d;
	generation = filter_active(&r->filter, &slot, &len);
	/*
	 * ,track: a packet followed since it matched this filter bypasses
	 * it; any other may begin to be followed if the filter accepts it.
	 */
	bypass = pl->tracked && pl->track_generation == generation;
	r->track_pending = 0;
	if (track_packets && source == SOURCE_KERNEL_SKB && !bypass)
		track_propose(r, pl);
	rendered = render_link_header(source, ctx, pl, link_type, d->window,
	    &copy_from);
	if (rendered < 0)
		return;
	header_len = rendered;
	if (header_len > RING_LINK_HEADER_MAX)
		return;

	end = pl->end;
	if (source == SOURCE_KERNEL_SKB && skb_paged &&
	    pl->data_offset > copy_from + DECISION_WINDOW - 4)
		end = pl->linear_end;	/* see paged_window() */
	available = end > copy_from ? end - copy_from : 0;
	window = available < DECISION_WINDOW ? available : DECISION_WINDOW;
	if (window > 0 && (source != SOURCE_KERNEL_SKB || !skb_paged ||
	    copy_from >= pl->data_offset ||
	    copy_from + window <= pl->linear_end)) {
		/* As in output_through_scratch(): 1 <= length, bounded. */
		__u64 last = window - 1;

		asm volatile("" : "+r"(last));
		if (last >= DECISION_WINDOW)
			return;
		if (copy_packet_bytes(source, ctx, pl->head, copy_from,
		    d->window + header_len, last + 1) != 0)
			return;
	} else if (window > 0) {
		if (paged_window(ctx, pl, copy_from, window, header_len,
		    d->window) != 0)
			return;
	}
	d->head = (__u64)pl->head;
	d->copy_from = copy_from;
	d->header_len = header_len;
	d->window_len = header_len + window;
	d->filter_len = header_len + available;
	d->whole_len = d->filter_len;
	/*
	 * skb_output, once user space reads the perf array: the paged data
	 * too, if the bytes before skb->data (a received frame's MAC header,
	 * which the kernel's copy does not start at) are in the window.
	 */
	if (source == SOURCE_KERNEL_SKB && skb_output && settings.skb_output &&
	    pl->whole_end > end && copy_from <= end &&
	    (copy_from >= pl->data_offset ||
	    pl->data_offset - copy_from <= window))
		d->whole_len = header_len + (pl->whole_end - copy_from);
	d->wire_len = pl->wire_len_from_network +
	    (pl->network_offset - copy_from) + header_len;
	d->snap = 0;
	d->generation = 0;
	d->data_offset = pl->data_offset;
	d->linear_end = pl->linear_end;
	r->header.packet_len = d->wire_len;
	r->header.link_type = link_type;
	r->header.tap_index = tap_index;

	struct filter_verdict verdict = { record_length(d, ~0U), 0 };

	if (generation != 0 && !bypass) {
		if (FILTER_READ(filter.compiled_generation) ==
		    generation)
			bpf_tail_call(ctx, &filter_programs,
			    FILTER_SLOT_COMPILED);
		/* No compiled filter in the slot: interpret. */
		verdict = filter_packet(source, ctx, r, verdict.snap, slot,
		    len, generation);
		if (verdict.snap == 0) {
			__sync_fetch_and_add(&counter_slot(
			    bpf_get_smp_processor_id())->rejected, 1);
			return;
		}
	}
	if (bypass)
		verdict.generation = generation;
	deliver(source, ctx, r, verdict.snap, verdict.generation);
}

/* pl: zeroed, or with the verdict_kept() of the user's program. */
static __always_inline void
capture_kernel_skb(void *ctx, struct sk_buff *skb, __s64 reason,
    struct packet_layout *pl)
{
	pl->reason = reason;
	/* Only NFLOG shows the process: spare the others the lookup. */
	if (settings.link_type == RING_DLT_NFLOG)
		pl->in_task = in_process_context(ctx);
	if (track_packets && skb) {
		track_lookup(skb, pl);
		/* Before the filter, which may not return (a tail call). */
		if (track_free_tap)
			track_forget(skb);
	}
	if (skb && kernel_skb_layout(skb, pl))
		capture_packet(SOURCE_KERNEL_SKB, ctx, pl);
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
 * At the user's program, after it ran: notes its verdict in pl, and says
 * whether the capture keeps packets so decided.  Decided before anything
 * is read or copied.  Elsewhere (verdict_arg_index -1, a frozen
 * constant) nothing.
 */
static __always_inline int
verdict_kept(__u64 *ctx, struct packet_layout *pl)
{
	__s32 verdict;

	if (verdict_arg_index < 0)
		return 1;
	verdict = (__s32)tracing_argument(ctx, (__u32)verdict_arg_index);
	pl->verdict = verdict;
	pl->has_verdict = 1;
	if (verdict_mask == 0)
		return 1;
	if (verdict < -1 || verdict > VERDICT_MAX)
		return 0;
	return (verdict_mask >> (verdict + 1)) & 1;
}

/*
 * The tracing programs: tp_btf, raw_tp (kernels without tp_btf, and
 * raw_tracepoint: taps), fentry and fexit (the packet as the function left
 * it; at the user's tc program, with its verdict).  One body, one section
 * each; user space sets the attach targets.
 */
#define TRACING_PROGRAM(section, name)					\
SEC(section)								\
int									\
name(__u64 *ctx)							\
{									\
	struct packet_layout pl = {};					\
									\
	if (!verdict_kept(ctx, &pl))					\
		return 0;						\
	capture_kernel_skb(ctx, (struct sk_buff *)tracing_argument(ctx,	\
	    skb_arg_index), REASON_ARGUMENT(tracing_argument, ctx), &pl); \
	return 0;							\
}

TRACING_PROGRAM("tp_btf", capture_tp_btf)
TRACING_PROGRAM("raw_tp", capture_raw_tp)
TRACING_PROGRAM("fentry", capture_fentry)
TRACING_PROGRAM("fexit", capture_fexit)

/*
 * At the user's XDP program, as xdpdump attaches: fentry (frames as they
 * arrived) and fexit (as the program left them, with its verdict).  The
 * program's argument is the struct xdp_buff behind its struct xdp_md.
 * The frame is read as a kernel object (xdp_buff_layout()), so these
 * share the fentry and fexit delivery programs.
 */
#define XDP_PROGRAM_TAP(section, name)					\
SEC(section)								\
int									\
name(__u64 *ctx)							\
{									\
	struct packet_layout pl = {};					\
									\
	pl.reason = -1;							\
	if (verdict_kept(ctx, &pl) &&					\
	    xdp_buff_layout((struct xdp_buff *)CONTEXT_WORD(ctx, 0), &pl)) \
		capture_packet(SOURCE_KERNEL_SKB, ctx, &pl);		\
	return 0;							\
}

XDP_PROGRAM_TAP("fentry", capture_xdp_entry)
XDP_PROGRAM_TAP("fexit", capture_xdp_exit)

/*
 * A kprobe pattern's function (bpf:kprobe:ip_*): one program for all of
 * them, each attachment's cookie saying which function it is and which
 * register holds its skb (FUNCTION_COOKIE()).  No reason argument: it
 * differs from function to function.
 */
static __always_inline void
capture_function(void *regs)
{
	__u64 cookie = bpf_get_attach_cookie(regs);
	struct packet_layout pl = {};

	pl.function_id = FUNCTION_COOKIE_BTF_ID(cookie);
	capture_kernel_skb(regs, (struct sk_buff *)register_argument(regs,
	    FUNCTION_COOKIE_SKB_ARG(cookie)), -1, &pl);
}

/*
 * Function entry where the kernel has no BPF trampoline; a pattern's
 * functions where it has no kprobe.multi (a kprobe each, same cookies).
 */
SEC("kprobe")
int
capture_kprobe(void *regs)
{
	struct packet_layout pl = {};

	if (function_pattern) {
		capture_function(regs);
		return 0;
	}
	capture_kernel_skb(regs, (struct sk_buff *)register_argument(regs,
	    skb_arg_index), REASON_ARGUMENT(register_argument, regs), &pl);
	return 0;
}

/* A pattern's functions through one kprobe.multi link (Linux 5.18). */
SEC("kprobe.multi")
int
capture_kprobe_multi(void *regs)
{
	capture_function(regs);
	return 0;
}

/*
 * ,track: where the kernel frees skbs, the entries of the packets
 * followed go (loaded for the tracepoints that are not taps of the
 * capture; the probe at a tap there forgets them itself).
 */
#define UNTRACK_PROGRAM(section, name)					\
SEC(section)								\
int									\
name(__u64 *ctx)							\
{									\
	struct sk_buff *skb = (struct sk_buff *)CONTEXT_WORD(ctx, 0);	\
									\
	if (skb)							\
		track_forget(skb);					\
	return 0;							\
}

UNTRACK_PROGRAM("tp_btf/kfree_skb", untrack_kfree_skb)
UNTRACK_PROGRAM("tp_btf/consume_skb", untrack_consume_skb)

/*
 * ,track: where GSO splits an skb (__skb_gso_segment(), or what the
 * kernel has instead; user space sets the target), the segments of a
 * packet followed are followed too.  fexit: the original is the first
 * argument, the list of segments the return value.
 */
SEC("fexit")
int
track_gso(__u64 *ctx)
{
	track_segments((struct sk_buff *)CONTEXT_WORD(ctx, 0),
	    (struct sk_buff *)tracing_argument(ctx, track_gso_ret_index));
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

static __always_inline int
capture_xdp_frame(struct xdp_md *ctx)
{
	struct packet_layout pl = {};

	pl.reason = -1;
	if (xdp_layout(ctx, &pl))
		capture_packet(SOURCE_XDP, ctx, &pl);
	return XDP_PASS;
}

/* "xdp.frags": the kernel hands multi-buffer frames to the program too. */
SEC("xdp.frags")
int
capture_xdp(struct xdp_md *ctx)
{
	return capture_xdp_frame(ctx);
}

/*
 * The same without "frags", for generic XDP: there the kernel makes each
 * packet linear for it (see attach_xdp() in bpftrace-probe.c for why).
 */
SEC("xdp")
int
capture_xdp_linear(struct xdp_md *ctx)
{
	return capture_xdp_frame(ctx);
}

/*
 * The delivery programs: what a compiled filter tail-calls when it
 * accepts (filter_decision.h), one per program type, loaded beside the
 * entry program with its type and attach target (the kernel tail-calls
 * only between programs that agree on them) and put in
 * filter_programs[FILTER_SLOT_DELIVER] by user space.
 */
static __always_inline void
deliver_decided(int source, void *ctx)
{
	__u32 zero = 0;
	struct decision_record *r = bpf_map_lookup_elem(&decision, &zero);

	if (r && r->d.snap != 0)
		deliver(source, ctx, r, r->d.snap, r->d.generation);
}

#define TRACING_DELIVERY(section, name)					\
SEC(section)								\
int									\
name(__u64 *ctx)							\
{									\
	deliver_decided(SOURCE_KERNEL_SKB, ctx);			\
	return 0;							\
}

TRACING_DELIVERY("tp_btf", deliver_tp_btf)
TRACING_DELIVERY("raw_tp", deliver_raw_tp)
TRACING_DELIVERY("fentry", deliver_fentry)
TRACING_DELIVERY("fexit", deliver_fexit)

SEC("kprobe")
int
deliver_kprobe(void *regs)
{
	deliver_decided(SOURCE_KERNEL_SKB, regs);
	return 0;
}

SEC("kprobe.multi")
int
deliver_kprobe_multi(void *regs)
{
	deliver_decided(SOURCE_KERNEL_SKB, regs);
	return 0;
}

SEC("tc")
int
deliver_tc(struct __sk_buff *skb)
{
	deliver_decided(SOURCE_TC, skb);
	return TC_NEXT;
}

SEC("xdp.frags")
int
deliver_xdp(struct xdp_md *ctx)
{
	deliver_decided(SOURCE_XDP, ctx);
	return XDP_PASS;
}

/* A tail call keeps to programs that agree on "frags". */
SEC("xdp")
int
deliver_xdp_linear(struct xdp_md *ctx)
{
	deliver_decided(SOURCE_XDP, ctx);
	return XDP_PASS;
}
