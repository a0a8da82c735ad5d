/* SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0) */
/*
 * Tracking (,track): a packet the filter accepted at one tap of the
 * capture is captured at every later tap until the kernel frees it, even
 * when it no longer matches (NAT rewrote it, a tunnel wrapped it, GSO
 * split it).
 *
 * The packets followed are entries of an LRU hash shared by every tap of
 * the capture, keyed by the skb's address, the value the packet's
 * identity and the filter generation it matched under.  An entry is made
 * when delivery hands an accepted packet to user space (after the
 * interpreter, or in the delivery program a compiled filter tail-calls),
 * looked up before the filter at every tap (a packet followed bypasses
 * the filter: the entry decides before any tail call), and removed where
 * the kernel frees the skb (the skb:kfree_skb and skb:consume_skb
 * tracepoints: the probe at such a tap, else hidden programs there).
 *
 * Clones (skb_clone(): tcpdump's own AF_PACKET copy, TCP's retransmit
 * queue, bridges, multicast) are other skbs sharing the data (skb->head):
 * each entry also records the head, under its address with the low bit
 * set (a key no skb address can be), and a cloned skb not followed
 * itself is looked up by its head, then followed under its own address.
 * Only a cloned skb is looked up so: a head address reused by a fresh
 * buffer after a free the probe did not see would otherwise be taken for
 * a packet followed.  GSO segments are new skbs with new data: where the
 * kernel splits a packet followed (__skb_gso_segment()), a hidden fexit
 * program (track_gso) enters each segment under the packet's identity
 * (track_segments()); kernels without BPF trampolines load none, and do
 * not follow segments.  Limits: GRO-merged or copied packets (skb_copy,
 * pskb_copy) are not followed; skbs the kernel frees without those
 * tracepoints (kfree_skb_partial() of GRO-merged skbs, TCP's receive
 * path, some drivers' recycling) leave an entry that the LRU evicts in
 * time, and that a new skb at the same address would inherit meanwhile.
 *
 * The identity is the CPU and this CPU's count of packets it began to
 * follow: (count << 8) | cpu, unique per capture while no CPU begins to
 * follow 2^24 packets and the CPUs number at most 256.
 */
#ifndef BPFTRACE_PACKET_TRACK_H
#define BPFTRACE_PACKET_TRACK_H

/* Keys of heads: an skb's address is never odd. */
#define TRACK_HEAD_KEY(head)	((__u64)(head) | 1)

/*
 * Looks the skb up; on a hit fills pl's track_* (a clone found by its
 * head is then followed under its own address too).
 */
static __always_inline void
track_lookup(struct sk_buff *skb, struct packet_layout *pl)
{
	struct track_entry *e, copy;
	__u64 key = (__u64)skb;

	pl->skb = key;
	e = bpf_map_lookup_elem(&tracked, &key);
	if (e == NULL && BPF_CORE_READ_BITFIELD_PROBED(skb, cloned)) {
		key = TRACK_HEAD_KEY(BPF_CORE_READ(skb, head));
		e = bpf_map_lookup_elem(&tracked, &key);
		if (e == NULL)
			return;
		copy = *e;
		key = (__u64)skb;
		if (bpf_map_update_elem(&tracked, &key, &copy, BPF_ANY) == 0)
			__sync_fetch_and_add(&counter_slot(
			    bpf_get_smp_processor_id())->tracked, 1);
		e = &copy;
	}
	if (e == NULL)
		return;
	pl->tracked = 1;
	pl->track_id = e->id;
	pl->track_generation = e->generation;
}

/*
 * Whether the skb being freed is the last one holding its data (then the
 * data go with it): not cloned, or the last of its clones (dataref's low
 * 16 bits count the skbs holding the data; skb_release_data()).  A clone
 * freed before the original leaves the head's entry to the others.
 */
static __always_inline int
track_last_holder(struct sk_buff *skb, unsigned char *head)
{
	struct skb_shared_info *shinfo;
	int dataref;

	if (!BPF_CORE_READ_BITFIELD_PROBED(skb, cloned))
		return 1;
	shinfo = (struct skb_shared_info *)(head + BPF_CORE_READ(skb, end));
	dataref = BPF_CORE_READ(shinfo, dataref.counter);
	return (dataref & 0xffff) <= 1;
}

/*
 * The kernel frees the skb: its entry goes, and its head's when no other
 * skb shares the head.
 */
static __always_inline void
track_forget(struct sk_buff *skb)
{
	struct capture_counters *c = counter_slot(bpf_get_smp_processor_id());
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u64 key = (__u64)skb;

	if (bpf_map_delete_elem(&tracked, &key) == 0)
		__sync_fetch_and_add(&c->untracked, 1);
	if (!track_last_holder(skb, head))
		return;
	key = TRACK_HEAD_KEY(head);
	bpf_map_delete_elem(&tracked, &key);
}

/*
 * Before the filter: the identity this packet gets if it is accepted now
 * (rendered into its record before the verdict), and what delivery needs
 * to begin following it.
 */
static __always_inline void
track_propose(struct decision_record *r, struct packet_layout *pl)
{
	r->track_pending = 1;
	r->track_skb = pl->skb;
	r->track_head = (__u64)pl->head;
	pl->track_id = (r->track_count + 1) << 8 |
	    (bpf_get_smp_processor_id() & 0xff);
}

/*
 * Delivery of an accepted packet: follow it from now on (not at a tap
 * where it is being freed: the entry would outlive the skb).
 */
static __always_inline void
track_begin(struct decision_record *r, __u32 generation)
{
	struct track_entry e;
	__u64 key;

	if (!r->track_pending || track_free_tap)
		return;
	r->track_pending = 0;
	r->track_count++;
	e.id = r->track_count << 8 | (bpf_get_smp_processor_id() & 0xff);
	e.generation = generation;
	key = r->track_skb;
	if (bpf_map_update_elem(&tracked, &key, &e, BPF_ANY) != 0)
		return;
	__sync_fetch_and_add(&counter_slot(
	    bpf_get_smp_processor_id())->tracked, 1);
	key = TRACK_HEAD_KEY(r->track_head);
	bpf_map_update_elem(&tracked, &key, &e, BPF_ANY);
}

/* GSO segments of one packet followed; past them, only counted. */
#define TRACK_SEGMENTS_MAX	128
/* How far the segments past TRACK_SEGMENTS_MAX are counted. */
#define TRACK_SEGMENTS_COUNTED	1024

/*
 * GSO split skb into the list segs (the segmenting function's return: a
 * list linked by ->next, NULL when nothing was split, or an ERR_PTR):
 * when skb is followed, each segment is followed under the same identity
 * (and its head, for the clones the taps meet later).  The original goes
 * at its free as usual.  Segments past the bound, or refused by a full
 * map, are counted as not followed.
 */
static __always_inline void
track_segments(struct sk_buff *skb, struct sk_buff *segs)
{
	struct capture_counters *c;
	struct track_entry *e, copy;
	__u64 key = (__u64)skb;
	int i;

	if (segs == NULL || (__u64)segs >= (__u64)-4095 /* ERR_PTR */)
		return;
	e = bpf_map_lookup_elem(&tracked, &key);
	if (e == NULL)
		return;
	copy = *e;
	c = counter_slot(bpf_get_smp_processor_id());
	/*
	 * Counted as they go, not summed in variables: the verifier walks
	 * every turn of a bounded loop, and sums that differ by the path
	 * taken would keep it from merging the paths (2^128 of them).
	 */
	for (i = 0; i < TRACK_SEGMENTS_MAX && segs != NULL; i++) {
		key = (__u64)segs;
		if (key != (__u64)skb) {	/* fraglist GSO keeps skb first */
			if (bpf_map_update_elem(&tracked, &key, &copy,
			    BPF_ANY) == 0) {
				__sync_fetch_and_add(&c->tracked, 1);
				__sync_fetch_and_add(&c->segments, 1);
			} else
				__sync_fetch_and_add(&c->segments_missed, 1);
			key = TRACK_HEAD_KEY(BPF_CORE_READ(segs, head));
			bpf_map_update_elem(&tracked, &key, &copy, BPF_ANY);
		}
		segs = BPF_CORE_READ(segs, next);
	}
	for (i = 0; i < TRACK_SEGMENTS_COUNTED && segs != NULL; i++) {
		__sync_fetch_and_add(&c->segments_missed, 1);
		segs = BPF_CORE_READ(segs, next);
	}
}

#endif /* BPFTRACE_PACKET_TRACK_H */
