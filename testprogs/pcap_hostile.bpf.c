// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * A hostile bpf_pcap() producer for the tests: for every packet at tc it
 * writes malformed records (wrong magic, a capture length beyond the
 * record, a packet length below the capture length, an unknown protocol,
 * a record shorter than the header, a raw IP record that is no IP) and
 * then one good record.  The capture must deliver exactly the good ones.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpf_pcap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} packets SEC(".maps");

struct record {
	struct bpf_pcap_hdr hdr;
	__u8 data[64];
};

static __always_inline void
emit(struct record *r, __u32 magic, __u32 protocol, __u32 tot_len,
    __u32 cap_len, __u32 size)
{
	r->hdr.magic = magic;
	r->hdr.protocol = protocol;
	r->hdr.flags = 0;
	r->hdr.ktime_ns = bpf_ktime_get_ns();
	r->hdr.tot_len = tot_len;
	r->hdr.cap_len = cap_len;
	bpf_ringbuf_output(&packets, r, size, 0);
}

SEC("tc")
int
pcap_hostile(struct __sk_buff *skb)
{
	struct record r = {};
	__u32 full = sizeof(r);

	if (bpf_skb_load_bytes(skb, 0, r.data, sizeof(r.data)) != 0)
		return -1;
	emit(&r, 0xdeadbeef, BPF_PCAP_ETHERNET, 64, 64, full);
	emit(&r, BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 100000, 100000, full);
	emit(&r, BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 10, 64, full);
	emit(&r, BPF_PCAP_MAGIC, 9999, 64, 64, full);
	emit(&r, BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 64, 64, 12);
	r.data[0] = 0;		/* IP version 0: no IP */
	emit(&r, BPF_PCAP_MAGIC, BPF_PCAP_RAW, 64, 64, full);
	bpf_pcap(skb, 64, &packets, BPF_PCAP_ETHERNET, 0);	/* the good one */
	return -1;
}
