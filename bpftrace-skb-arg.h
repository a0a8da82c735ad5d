/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which argument of a tracepoint or function is the packet: the one the
 * user named (argN), else the only struct sk_buff * argument; with the
 * error a user needs when neither works.
 */
#ifndef BPFTRACE_SKB_ARG_H
#define BPFTRACE_SKB_ARG_H

#include <stddef.h>

#include "bpftrace-btf.h"
#include "bpftrace-resolved-tap.h"

int	bpftrace_skb_arg_choose(const struct btf *btf, const char *device,
	    const char *noun, const char *name, int requested,
	    const struct target_args *args, int *index, char *err,
	    size_t errlen);
int	bpftrace_tap_skb_arg_resolve(struct btf *vmlinux, struct btf *owner,
	    const char *device, const char *noun, const struct tap_spec *spec,
	    const struct target_args *args, struct resolved_tap *tap, char *err,
	    size_t errlen);

#endif /* BPFTRACE_SKB_ARG_H */
