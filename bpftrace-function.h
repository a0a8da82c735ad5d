/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Function taps (kprobe, fentry, fexit): the kernel function and its skb
 * argument, found through BTF, with suggestions when the name is wrong.
 */
#ifndef BPFTRACE_FUNCTION_H
#define BPFTRACE_FUNCTION_H

#include <stddef.h>

#include "bpftrace-resolved-tap.h"
#include "bpftrace-tracepoint.h"

struct btf;

int	bpftrace_function_resolve(const char *device,
	    const struct tap_spec *spec, struct btf *vmlinux,
	    struct resolved_tap *tap, char *err, size_t errlen);
int	bpftrace_function_list_taps(const struct btf *btf, tap_list_fn fn,
	    void *ctx);

#endif /* BPFTRACE_FUNCTION_H */
