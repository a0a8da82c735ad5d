/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel introspection through BTF: which tracepoints exist, what their
 * arguments are, which of those is the packet (struct sk_buff *).
 */
#ifndef BPFTRACE_BTF_H
#define BPFTRACE_BTF_H

#include <stddef.h>

struct btf;

#define TRACEPOINT_MAX_ARGS	12

struct tracepoint_args {
	int count;			/* arguments, __data excluded */
	unsigned int skb_mask;		/* bit i: argument i is an skb */
	unsigned int type_ids[TRACEPOINT_MAX_ARGS];
};

int	kernel_btf_load(struct btf **btf, char *err, size_t errlen);
int	btf_tracepoint_args(const struct btf *btf, const char *name,
	    struct tracepoint_args *args);
void	btf_type_describe(const struct btf *btf, unsigned int type_id,
	    char *buf, size_t len);
int	btf_first_skb_arg(const struct tracepoint_args *args);
int	btf_skb_arg_count(const struct tracepoint_args *args);
void	btf_each_skb_tracepoint(const struct btf *btf,
	    void (*fn)(void *ctx, const char *name,
	    const struct tracepoint_args *args), void *ctx);
int	btf_nearest_skb_tracepoints(const struct btf *btf, const char *name,
	    const char **out, int max_out);

#endif /* BPFTRACE_BTF_H */
