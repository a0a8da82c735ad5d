/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracepoint taps: from a parsed tap name to the kernel tracepoint and
 * its skb argument (with the errors a user needs when that fails), and the
 * list of packet tracepoints this kernel has, for pcap_findalldevs().
 */
#ifndef BPFTRACE_TRACEPOINT_H
#define BPFTRACE_TRACEPOINT_H

#include <stddef.h>

#include "bpftrace-resolved-tap.h"

struct btf;

int	bpftrace_tracepoint_resolve(const char *device,
	    const struct tap_spec *spec, struct btf *vmlinux,
	    struct resolved_tap *tap, char *err, size_t errlen);


int	bpftrace_tracepoint_list_taps(const struct btf *btf, tap_list_fn fn,
	    void *ctx);

#endif /* BPFTRACE_TRACEPOINT_H */
