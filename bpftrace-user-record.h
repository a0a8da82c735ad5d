/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Records written by users' programs with bpf_pcap() (bpf/bpf_pcap.h),
 * checked and turned into packets of the handle's link type.  They are
 * untrusted input: every length is checked against the record before a
 * byte is read.  Pure code: no kernel, no libpcap, tested on its own.
 */
#ifndef BPFTRACE_USER_RECORD_H
#define BPFTRACE_USER_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "bpf/ring_record.h"

enum user_record_status {
	USER_RECORD_OK,
	USER_RECORD_MALFORMED,		/* magic, lengths or protocol wrong */
	USER_RECORD_UNCONVERTIBLE	/* fine, but not exactly renderable
					   in the handle's link type */
};

struct user_packet {
	const unsigned char *bytes;	/* in the record or in the scratch */
	uint32_t caplen;
	uint32_t len;
	uint64_t ktime_ns;
	uint64_t id;			/* the 48-bit id of bpf_pcap()'s flags */
	int nflog;			/* link type NFLOG: bytes are the payload
					   from the network header, meta the
					   rest; the caller renders NFLOG */
	struct ring_packet_meta meta;
};

/* Room the caller gives for a converted packet: snaplen + this. */
#define USER_RECORD_HEADER_ROOM	32

int	bpftrace_user_record_render(const void *rec, size_t rec_len,
	    int link_type,
	    uint32_t snaplen, unsigned char *scratch, struct user_packet *out);

#endif /* BPFTRACE_USER_RECORD_H */
