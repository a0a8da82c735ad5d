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

int	skb_arg_choose(const struct btf *btf, const char *device,
	    const char *noun, const char *name, int requested,
	    const struct target_args *args, int *index, char *err,
	    size_t errlen);
void	skb_arg_list(const struct target_args *args, char *buf, size_t len);

#endif /* BPFTRACE_SKB_ARG_H */
