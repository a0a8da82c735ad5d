/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's side of the capture broker: a capture whose process lacks
 * the capabilities is activated by the broker, which hands back the grant
 * (bpftrace-grant.h).  The connection stays open while the capture lasts:
 * the broker keeps the probes' other references until it closes.
 */
#ifndef BPFTRACE_BROKER_CLIENT_H
#define BPFTRACE_BROKER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "bpftrace-grant.h"

#define BROKER_UNAVAILABLE	1	/* no broker listening: not an error */

int	bpftrace_broker_activate(const char *device, uint32_t snaplen,
	    uint64_t ring_bytes, struct capture_grant *grant, int *connection,
	    char *err, size_t errlen);
int	bpftrace_broker_attach(int connection, const char *device,
	    struct capture_grant *grant, char *err, size_t errlen);
const char *bpftrace_broker_socket_path(void);

#endif /* BPFTRACE_BROKER_CLIENT_H */
