/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names of drop and reset reasons, from the running kernel's BTF (enum
 * skb_drop_reason, enum sk_rst_reason): what NFLOG prefixes show.
 */
#ifndef BPFTRACE_REASON_H
#define BPFTRACE_REASON_H

#include <stdint.h>

struct reason_names;

struct reason_names *bpftrace_reason_names_load(const char *enum_name);
const char *bpftrace_reason_name(const struct reason_names *names,
	    uint32_t value);
void	bpftrace_reason_names_free(struct reason_names *names);

#endif /* BPFTRACE_REASON_H */
