/* SPDX-License-Identifier: BSD-3-Clause */
/* provisional: replaced by the compiler's own header at merge */
#ifndef BPFTRACE_FILTER_LOAD_H
#define BPFTRACE_FILTER_LOAD_H
#include <stddef.h>
#include "bpftrace-filter-target.h"
int	bpftrace_filter_load(const struct filter_target *t,
	    const struct filter_insn *insns, unsigned int len, uint32_t generation,
	    char *why, size_t whylen);
#endif
