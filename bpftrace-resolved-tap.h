/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tap resolved against the running kernel: what the probe attaches to,
 * where the packet is, and the mechanisms to try, cheapest first.  Types
 * only, shared by the resolvers, the loader and the dispatcher above them
 * (bpftrace-tap.h), so that no resolver includes its dispatcher.
 */
#ifndef BPFTRACE_RESOLVED_TAP_H
#define BPFTRACE_RESOLVED_TAP_H

#include "bpftrace-tap-name.h"

struct function_set;

enum probe_mechanism {
	PROBE_TP_BTF,
	PROBE_RAW_TP,
	PROBE_FENTRY,
	PROBE_FEXIT,
	PROBE_KPROBE,
	PROBE_TCX,
	PROBE_CLSACT,
	PROBE_XDP,
	PROBE_KPROBE_MULTI		/* function patterns: one link for all */
};

#define TAP_MAX_MECHANISMS	2

struct resolved_tap {
	enum tap_family family;
	char target[TAP_NAME_MAX];	/* tracepoint, function or interface */
	int skb_arg_index;		/* tracing taps */
	int path;			/* enum tap_path */
	enum tap_hooks hooks;		/* tc */
	enum tap_tc_place tc_place;	/* tc: before or after the hook's
					   programs */
	enum tap_xdp_mode xdp_mode;	/* XDP: generic or native */
	int ifindex;			/* tc, XDP */
	unsigned short arphrd;		/* tc, XDP: the device's type */
	int has_ethernet;		/* tc, XDP: frames start with one */
	unsigned char mac[6];		/* XDP: the device's address */
	int ieee80211;			/* tracing taps on 802.11 frames */
	int reason_arg_index;		/* tracing taps: why dropped; -1 none */
	char reason_enum[32];		/* its enum: skb_drop_reason... */
	uint32_t program_id;		/* XDP, tc prog=: at the user's
					   program of this id; 0: none */
	enum tap_program_side program_side;
	uint32_t verdicts;		/* TAP_VERDICT_BIT()s kept; 0: all */
	enum probe_mechanism mechanisms[TAP_MAX_MECHANISMS];
	int mechanism_count;
	struct function_set *functions;	/* a kprobe pattern's functions
					   (bpftrace-function-pattern.h);
					   freed with the tap */
};

typedef int (*tap_list_fn)(void *ctx, const char *device,
	    const char *description);

#endif /* BPFTRACE_RESOLVED_TAP_H */
