/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How the parts of the bpf: capture source report failure to the libpcap
 * glue, which turns each status into its PCAP_ERROR_* code.  The parts
 * below the glue do not include libpcap headers (their libbpf headers
 * define a conflicting struct bpf_insn), hence this small shared enum.
 */
#ifndef BPFTRACE_STATUS_H
#define BPFTRACE_STATUS_H

enum tap_status {
	TAP_OK = 0,
	TAP_NO_SUCH_TAP = -1,		/* name malformed or target absent */
	TAP_NOT_CAPTURABLE = -2,	/* target exists but has no packet */
	TAP_PERMISSION = -3,		/* kernel refused for lack of privilege */
	TAP_KERNEL_REFUSED = -4,	/* kernel lacks a feature, or other errno */
	TAP_NO_MEMORY = -5
};

#endif /* BPFTRACE_STATUS_H */
