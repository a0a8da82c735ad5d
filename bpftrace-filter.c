/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Puts a classic BPF program where the capture probe's interpreter
 * (bpf/packet_filter.h) runs it, following the two-slot protocol of
 * bpf/filter_program.h.  Only stores into memory the probe maps: this
 * runs after the application has dropped its privileges.
 */
#include <stdio.h>

#include "bpftrace-filter.h"
#include "bpftrace-filter-compile.h"

/*
 * Returns 1 when the probe can run the program, else 0 with the reason:
 * the caller then filters in user space instead.
 */
int
bpftrace_kernel_filter_supports(const struct bpf_insn *insns, u_int len,
    char *why,
    size_t whylen)
{
	u_int i;

	if (len == 0 || len > FILTER_MAX_INSNS) {
		snprintf(why, whylen,
		    "%u instructions (the probe runs 1 to %u)",
		    len, FILTER_MAX_INSNS);
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (!bpftrace_filter_code_known(insns[i].code)) {
			snprintf(why, whylen,
			    "instruction %u has code 0x%02x, unknown to the probe",
			    i, insns[i].code);
			return 0;
		}
	}
	return 1;
}

/*
 * Writes the program into the slot the probe is not running, then makes
 * that slot the active one.  len 0 installs no program: the probe passes
 * everything on unfiltered.  Returns the new generation, the stamp of
 * records that passed this program in the kernel (0 for no program).
 */
uint32_t
bpftrace_kernel_filter_install(struct capture_filter *area,
    const struct bpf_insn *insns, u_int len)
{
	uint32_t active = __atomic_load_n(&area->active, __ATOMIC_RELAXED) & 1;
	struct filter_slot *slot = &area->slots[active ^ 1];
	uint32_t generation = area->slots[active].generation + 2;
	u_int i;

	generation &= ~1u;
	if (generation == 0)
		generation = 2;		/* 0 means "not filtered" */
	/* Odd while written: a probe still running this slot voids its run. */
	__atomic_store_n(&slot->generation, generation - 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < len; i++) {
		slot->insns[i].code = insns[i].code;
		slot->insns[i].jt = insns[i].jt;
		slot->insns[i].jf = insns[i].jf;
		slot->insns[i].k = insns[i].k;
	}
	slot->len = len;
	__atomic_store_n(&slot->generation, generation, __ATOMIC_RELEASE);
	__atomic_store_n(&area->active, active ^ 1, __ATOMIC_RELEASE);
	return len > 0 ? generation : 0;
}
