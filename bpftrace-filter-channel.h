/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiled filters for a capture whose process has no privilege left
 * when it sets its filter (tcpdump drops to its own user between
 * pcap_activate() and pcap_setfilter(); a broker client never had any).
 * The process sends the classic program over a connection to whoever
 * holds the privilege and the capture's probes: the capture broker's
 * child serving it, or the capture's filter keeper (bpftrace-filter-
 * keeper.h).  That side validates and compiles it (bpftrace-filter-
 * compile.c), loads it, and swaps it into each tap's probe; the reply
 * says which taps now run it.
 *
 *   client -> server   struct filter_request_wire, then insn_count
 *                      classic instructions (struct filter_insn,
 *                      struct bpf_insn's layout)
 *   server -> client   struct filter_reply_wire
 *
 * One message each over a SOCK_SEQPACKET socket.  Parsing is pure and is
 * a fuzz target: the server is privileged, the client is not trusted.
 */
#ifndef BPFTRACE_FILTER_CHANNEL_H
#define BPFTRACE_FILTER_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include <stddef.h>

#include "bpf/filter_program.h"
#include "bpftrace-filter-target.h"

#define FILTER_CHANNEL_MAGIC	0x66747062u	/* "bptf" */
#define FILTER_CHANNEL_VERSION	1
#define FILTER_CHANNEL_MESSAGE_MAX	256

struct filter_request_wire {
	uint32_t magic;
	uint16_t version;
	uint16_t reserved;		/* 0 */
	uint32_t generation;		/* the slot's, even, not 0 */
	uint32_t insn_count;		/* 1 to FILTER_MAX_INSNS */
};

#define FILTER_REQUEST_MAX	(sizeof(struct filter_request_wire) + \
				 FILTER_MAX_INSNS * sizeof(struct filter_insn))

struct filter_reply_wire {
	uint32_t magic;
	uint16_t version;
	uint16_t reserved;
	uint32_t generation;		/* the request's */
	uint32_t compiled_taps;		/* bit i: tap i runs it compiled */
	char message[FILTER_CHANNEL_MESSAGE_MAX];	/* why not, if not all */
};

int	bpftrace_filter_request_is(const void *buf, size_t len);
int	bpftrace_filter_request_parse(const void *buf, size_t len,
	    struct filter_insn *insns, unsigned int *count, uint32_t *generation,
	    char *err, size_t errlen);

uint32_t bpftrace_filter_load_taps(const struct filter_target *targets,
	    int count, const struct filter_insn *insns, unsigned int len,
	    uint32_t generation, char *why, size_t whylen);
int	bpftrace_filter_channel_answer(int fd, const void *buf, size_t len,
	    const struct filter_target *targets, int count);
int	bpftrace_filter_channel_compile(int fd, const char *device,
	    const struct filter_insn *insns, unsigned int len, uint32_t generation,
	    uint32_t *compiled, char *why, size_t whylen);

#endif /* BPFTRACE_FILTER_CHANNEL_H */
