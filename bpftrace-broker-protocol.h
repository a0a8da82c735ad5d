/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture broker's wire format.  One request, one reply, over a
 * SOCK_SEQPACKET Unix socket (message boundaries kept); the connection
 * then stays open for the capture's life.
 *
 *   client -> broker   struct broker_request_wire, then the device name
 *                      (device_len bytes, no NUL); SCM_RIGHTS: one
 *                      descriptor of the client's network namespace
 *                      (/proc/self/ns/net), so that the broker learns it
 *                      from the kernel, not from the client's word
 *   broker -> client   struct broker_reply_wire: a status and its line,
 *                      or the capture's description (its grant with no
 *                      descriptor: link type, taps): nothing is loaded
 *
 * and when the capture is first used:
 *
 *   client -> broker   struct broker_attach_wire
 *   broker -> client   struct broker_reply_wire with the whole grant;
 *                      SCM_RIGHTS: its descriptors (ring, maps, links,
 *                      clsact guardian pipes), which it names by index
 *
 * Both sides are built together; the version changes with the layout.
 * Parsing is pure (no system calls) and is the broker's fuzz target.
 */
#ifndef BPFTRACE_BROKER_PROTOCOL_H
#define BPFTRACE_BROKER_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "bpftrace-grant.h"

#define BROKER_MAGIC		0x62747062u	/* "bptb" */
#define BROKER_VERSION		2	/* 2: grants carry the programs */
#define BROKER_DEVICE_MAX	1024
#define BROKER_SNAPLEN_MAX	262144
#define BROKER_RING_BYTES_MAX	((uint64_t)1 << 30)
#define BROKER_MESSAGE_MAX	256
/* Every descriptor a grant can hold: the ring, six per tap. */
#define BROKER_FDS_MAX		(1 + TAPS_MAX * GRANT_TAP_FDS)
#define BROKER_SOCKET_DEFAULT	"/run/pcap-bpftrace/broker.sock"

struct broker_request_wire {
	uint32_t magic;
	uint16_t version;
	uint16_t device_len;
	uint32_t snaplen;
	uint32_t reserved;		/* 0 */
	uint64_t ring_bytes;		/* 0: the default */
};

#define BROKER_ATTACH_MAGIC	0x61747062u	/* "bpta" */

struct broker_attach_wire {
	uint32_t magic;
	uint16_t version;
	uint16_t reserved;		/* 0 */
};

struct broker_request {
	char device[BROKER_DEVICE_MAX + 1];
	uint32_t snaplen;
	uint64_t ring_bytes;
};

/*
 * The reply: a status (enum tap_status) with a one-line message, and on
 * success the grant, whose descriptor fields hold indexes into the
 * SCM_RIGHTS array (-1: none).
 */
struct broker_reply_wire {
	uint32_t magic;
	uint16_t version;
	uint16_t fd_count;
	int32_t status;
	char message[BROKER_MESSAGE_MAX];
	struct capture_grant grant;
};

size_t	bpftrace_broker_request_encode(const struct broker_request *req,
	    void *buf,
	    size_t len);
int	bpftrace_broker_request_parse(const void *buf, size_t len,
	    struct broker_request *req, char *err, size_t errlen);

size_t	bpftrace_broker_grant_to_indexes(struct capture_grant *grant, int *fds,
	    size_t max);
int	bpftrace_broker_grant_from_indexes(struct capture_grant *grant,
	    const int *fds,
	    size_t fd_count, char *err, size_t errlen);
int	bpftrace_broker_description_check(struct capture_grant *description,
	    char *err, size_t errlen);
int	bpftrace_broker_attach_parse(const void *buf, size_t len);

#endif /* BPFTRACE_BROKER_PROTOCOL_H */
