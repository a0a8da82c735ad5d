/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets as NFLOG (DLT_NFLOG, 239): the header and TLVs that Wireshark,
 * tshark and tcpdump dissect, built from a packet's metadata.  Pure code,
 * tested on its own.
 */
#ifndef BPFTRACE_NFLOG_H
#define BPFTRACE_NFLOG_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "bpf/ring_record.h"

/* Room an NFLOG rendering needs beyond the payload and the prefix. */
#define NFLOG_OVERHEAD		72
#define NFLOG_PREFIX_MAX	128

uint32_t bpftrace_nflog_render(const struct ring_packet_meta *meta,
	    const char *prefix,
	    const unsigned char *payload, uint32_t payload_caplen,
	    uint32_t payload_len, uint32_t snaplen, unsigned char *out,
	    uint32_t *wire_len);
void	bpftrace_nflog_set_resource_id(unsigned char *out, uint16_t id);

#endif /* BPFTRACE_NFLOG_H */
