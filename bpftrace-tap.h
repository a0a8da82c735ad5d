/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From a parsed tap name to a resolved tap (bpftrace-resolved-tap.h): the
 * dispatch to each family's resolver, and the device list of every family.
 */
#ifndef BPFTRACE_TAP_H
#define BPFTRACE_TAP_H

#include <stddef.h>

#include "bpftrace-resolved-tap.h"

struct btf;

int	bpftrace_tap_resolve(const char *device, const struct tap_spec *spec,
	    struct btf *vmlinux, struct resolved_tap *tap, char *err,
	    size_t errlen);
int	bpftrace_tap_list_all(tap_list_fn fn, void *ctx);
const char *bpftrace_probe_mechanism_name(enum probe_mechanism m);

#endif /* BPFTRACE_TAP_H */
