/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Function patterns, bpf:kprobe:PATTERN: the kernel functions whose names
 * a shell glob matches, that take a struct sk_buff * and that the kernel
 * lets be probed, in the shape the attach wants (symbols, and per symbol
 * a cookie saying which function it is and where its skb is).
 */
#ifndef BPFTRACE_FUNCTION_PATTERN_H
#define BPFTRACE_FUNCTION_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "bpftrace-resolved-tap.h"

struct btf;

/*
 * How many functions one pattern may attach to: through one kprobe.multi
 * link, and as separate kprobes (each a perf event and a kprobe of its
 * own, registered one by one); PCAP_BPF_FUNCTIONS_MAX overrides both.
 * Measured in qemu without KVM (the kernel matrix), Linux 6.12: all 1583
 * functions with an skb ('*') in 324 ms with kprobe.multi, so the limit
 * leaves '*' room on kernels with more; Linux 6.1 without kprobe.multi:
 * 57 kprobes ('ip_*') in 1263 ms, so 64 keep the start near a second.
 * Every attached function costs every packet that passes it a run.
 */
#define FUNCTIONS_MAX_MULTI		4096
#define FUNCTIONS_MAX_ONE_BY_ONE	64
#define FUNCTIONS_MAX_ENV		"PCAP_BPF_FUNCTIONS_MAX"

struct function_set {
	size_t count;
	char **symbols;			/* sorted by name */
	uint64_t *cookies;		/* FUNCTION_COOKIE(): bpf/ring_record.h */
};

int	bpftrace_function_pattern_resolve(const char *device,
	    const struct tap_spec *spec, struct btf *vmlinux,
	    struct resolved_tap *tap, char *err, size_t errlen);
size_t	bpftrace_function_limit(int one_by_one);
int	bpftrace_function_limit_check(const char *device, const char *pattern,
	    size_t count, int one_by_one, char *err, size_t errlen);
void	bpftrace_function_set_free(struct function_set *set);

/* The reading side: a record's function (its BTF id) by name. */
struct function_names;

struct function_names *bpftrace_function_names_load(void);
const char *bpftrace_function_name(const struct function_names *names,
	    uint32_t btf_id);
void	bpftrace_function_names_free(struct function_names *names);
int	bpftrace_function_is_bpf_internal(const char *name);

#endif /* BPFTRACE_FUNCTION_PATTERN_H */
