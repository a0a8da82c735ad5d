/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interface taps (tc, XDP): the interface's index, type and address, and
 * the interfaces this host has, for pcap_findalldevs().
 */
#ifndef BPFTRACE_INTERFACE_H
#define BPFTRACE_INTERFACE_H

#include <stddef.h>

#include "bpftrace-resolved-tap.h"
#include "bpftrace-tracepoint.h"

struct btf;

int	bpftrace_interface_resolve(const char *device,
	    const struct tap_spec *spec, struct btf *vmlinux,
	    struct resolved_tap *tap, char *err, size_t errlen);
int	bpftrace_interface_list_taps(tap_list_fn fn, void *ctx);

#endif /* BPFTRACE_INTERFACE_H */
