/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel introspection through BTF: which tracepoints and functions exist,
 * what their arguments are, which of those is the packet
 * (struct sk_buff *).
 */
#ifndef BPFTRACE_BTF_H
#define BPFTRACE_BTF_H

#include <stddef.h>

struct btf;

#define TARGET_MAX_ARGS	12

/* What a tap attaches to. */
enum btf_target_kind {
	BTF_TARGET_TRACEPOINT,		/* typedef btf_trace_NAME */
	BTF_TARGET_FUNCTION		/* BTF_KIND_FUNC NAME */
};

struct target_args {
	int count;			/* arguments (a tracepoint's __data excluded) */
	unsigned int skb_mask;		/* bit i: argument i is an skb */
	unsigned int type_ids[TARGET_MAX_ARGS];
};

int	bpftrace_kernel_btf_load(struct btf **btf, char *err, size_t errlen);
int	bpftrace_tap_btf_load(const char *device, struct btf **btf, char *err,
	    size_t errlen);
int	bpftrace_btf_target_args(const struct btf *btf,
	    enum btf_target_kind kind,
	    const char *name, struct target_args *args);
int	bpftrace_btf_targets_args(const struct btf *btf,
	    enum btf_target_kind kind,
	    const char *const names[], size_t count, struct target_args args[],
	    int found[]);
int	bpftrace_btf_find_target(struct btf *vmlinux, enum btf_target_kind kind,
	    const char *name, struct target_args *args, struct btf **owner);
int	bpftrace_btf_args_are_ieee80211(const struct btf *btf,
	    const struct target_args *args);
void	bpftrace_btf_type_describe(const struct btf *btf, unsigned int type_id,
	    char *buf, size_t len);
int	bpftrace_btf_first_skb_arg(const struct target_args *args);
int	bpftrace_btf_reason_arg(const struct btf *btf,
	    const struct target_args *args,
	    char *enum_name, size_t len);
int	bpftrace_btf_skb_arg_count(const struct target_args *args);
void	bpftrace_btf_each_skb_target(const struct btf *btf,
	    enum btf_target_kind kind,
	    void (*fn)(void *ctx, unsigned int id, const char *name,
	    const struct target_args *args), void *ctx);
int	bpftrace_btf_nearest_skb_targets(const struct btf *btf,
	    enum btf_target_kind kind,
	    const char *name, const char **out, int max_out);

#endif /* BPFTRACE_BTF_H */
