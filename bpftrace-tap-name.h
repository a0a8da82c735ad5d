/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bpf: device-name grammar.  Pure string work: no kernel, no libpcap,
 * so it can be tested and fuzzed on its own.
 *
 *	bpf:tracepoint:[CATEGORY:]NAME[:argN]
 *					(of two parts: NAME:argN when the second
 *					is "arg" and digits, else CATEGORY:NAME)
 *	bpf:raw_tracepoint:NAME[:argN]
 *	bpf:kprobe:FUNCTION[:argN]	(function entry, cheapest mechanism)
 *	bpf:kprobe:PATTERN		(a shell glob, '*', '?' or [...]: every
 *					function it matches that takes a
 *					struct sk_buff *, e.g. bpf:kprobe:ip_*)
 *	bpf:fentry:FUNCTION[:argN]
 *	bpf:fexit:FUNCTION[:argN]
 *	bpf:tc:INTERFACE[:ingress|:egress][:before|:after]
 *					(before the hook's first program:
 *					what arrived; after its last, the
 *					default: what survived)
 *	bpf:tc:INTERFACE[:ingress|:egress][:prog=NAME|ID[:entry|:VERDICT...]]
 *					(prog=: at the user's tc program of
 *					that name or id, after it ran, with
 *					its verdict; VERDICT: ok, shot,
 *					redirect, ... as tc names them)
 *	bpf:xdp:INTERFACE[:generic|:native]
 *					(the attach mode; generic, which
 *					leaves the driver alone, unless
 *					native is asked for)
 *	bpf:xdp:INTERFACE[:entry|:VERDICT...]
 *					(on an interface with the user's XDP
 *					program: at that program, after it
 *					ran, with its verdict; :entry before
 *					it; VERDICT: aborted, drop, pass, tx,
 *					redirect: only packets it so decided)
 *	bpf:prog:ID			(a program that calls bpf_pcap())
 *	bpf:pinned:PATH			(its pinned output map or program)
 *	bpf:object:PATH[:SECTION]	(an object file with such programs,
 *					loaded and attached by the capture;
 *					SECTION: one program, by its SEC()
 *					name or its own name)
 *
 * An object's PATH ends at its first ':' (the SECTION may hold ':', as
 * libbpf's "uprobe/BINARY:FUNCTION" do): a path with ':' is refused, a
 * symbolic link without one names the same file.
 *
 * argN counts arguments from 1; struct tap_spec holds the 0-based index.
 *
 * One capture may join several taps with '+', each without its "bpf:":
 *	bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb
 *
 * Options of the whole capture follow the taps, each after a ',' (the
 * first ',' ends the taps, so interface names and pinned paths with a ','
 * cannot be named), in any order, each at most once:
 *	,netns=all|INODE|PATH|NAME	the network namespace whose packets
 *					are seen: every one, the one of that
 *					inode, of a namespace file (/proc/PID/
 *					ns/net, /run/netns/NAME) or of
 *					/run/netns/NAME
 *	,cgroup=ID|PATH			packets of sockets in that cgroup v2
 *					or below it: its id, or its directory
 *					(absolute, or under the cgroup2 mount)
 *	,dev=NAME  ,ifindex=N		packets on that interface of the
 *					capturing process's namespace
 *	,track  ,track=N		tracking: a packet that matched the
 *					filter at one tap is captured at
 *					every later tap until it is freed,
 *					N packets (default 65536) at once
 * e.g. bpf:tracepoint:skb:kfree_skb,netns=/run/netns/blue,cgroup=app.slice
 * Only captures whose taps are all tracing taps take options: an
 * interface tap is one namespace's and one interface's already.
 */
#ifndef BPFTRACE_TAP_NAME_H
#define BPFTRACE_TAP_NAME_H

#include <stddef.h>
#include <stdint.h>

#include "bpftrace-tap-families.h"

#define TAP_PREFIX		"bpf:"
#define TAP_NAME_MAX		128
#define TAP_MAX_ARGS		12	/* arg1 .. arg12 */
#define TAP_ARG_FROM_BTF	(-1)

#define TAP_FAMILY_ENUM(id, name, class, parse, resolve, brokered, usage) \
	TAP_FAMILY_##id,
enum tap_family {
	BPFTRACE_TAP_FAMILIES(TAP_FAMILY_ENUM)
	TAP_FAMILY_COUNT
};
#undef TAP_FAMILY_ENUM

/* What kind of tap a family is; see bpftrace-tap-families.h. */
enum tap_class {
	TAP_CLASS_TRACING,
	TAP_CLASS_INTERFACE,
	TAP_CLASS_USER_PROGRAM
};

/* tc: which hooks of the interface. */
enum tap_hooks {
	TAP_HOOKS_BOTH,
	TAP_HOOKS_INGRESS,
	TAP_HOOKS_EGRESS
};

/* tc: where among the hook's programs the capture runs. */
enum tap_tc_place {
	TAP_TC_AFTER,			/* after the last: what survived */
	TAP_TC_BEFORE			/* before the first: what arrived */
};

/* XDP: the attach mode (XDP_FLAGS_SKB_MODE or XDP_FLAGS_DRV_MODE). */
enum tap_xdp_mode {
	TAP_XDP_GENERIC,		/* in the stack: the driver untouched */
	TAP_XDP_NATIVE			/* in the driver: asked for by name */
};

/*
 * At the user's XDP or tc program: after it ran, with its verdict (fexit),
 * or as it received the packet (fentry).
 */
enum tap_program_side {
	TAP_PROGRAM_EXIT,
	TAP_PROGRAM_ENTRY
};

/* Verdicts are -1 (tc's unspec) .. TAP_VERDICT_MAX; bit (verdict + 1). */
#define TAP_VERDICT_MAX		30
#define TAP_VERDICT_BIT(v)	(1u << ((v) + 1))

struct tap_spec {
	enum tap_family family;
	char category[TAP_NAME_MAX];	/* tracepoint only; "" if left out */
	char name[TAP_NAME_MAX];	/* tracepoint, function, interface,
					   pinned or object path */
	char section[TAP_NAME_MAX];	/* object only: its program's SEC()
					   or own name; "": every program */
	unsigned int prog_id;		/* prog only */
	int skb_arg_index;		/* 0-based; TAP_ARG_FROM_BTF: find it */
	enum tap_hooks hooks;		/* tc only */
	enum tap_tc_place tc_place;	/* tc only */
	enum tap_xdp_mode xdp_mode;	/* XDP only */
	char program[TAP_NAME_MAX];	/* tc: prog=, the user's program's
					   name or id; "": none */
	enum tap_program_side program_side;	/* xdp, tc prog= */
	uint32_t verdicts;		/* xdp, tc prog=: TAP_VERDICT_BIT()s
					   of the verdicts kept; 0: all */
	int pattern;			/* kprobe only: name is a glob */
};

#define TAP_IFNAME_MAX		16	/* IFNAMSIZ,
	    the terminating NUL included */

#define TAPS_MAX		8	/* taps joined in one capture */
#define TAP_DEVICE_MAX		(3 * TAP_NAME_MAX)

#define SCOPE_PATH_MAX		256	/* a namespace or cgroup path */
#define SCOPE_SEPARATOR		','

/* The capture's scope as the name gives it; see the grammar above. */
enum scope_netns {
	SCOPE_NETNS_DEFAULT,		/* not given: see bpftrace-scope.h */
	SCOPE_NETNS_ALL,
	SCOPE_NETNS_INODE,
	SCOPE_NETNS_PATH,		/* absolute: a namespace file */
	SCOPE_NETNS_NAME		/* /run/netns/NAME */
};

enum scope_cgroup {
	SCOPE_CGROUP_NONE,
	SCOPE_CGROUP_ID,
	SCOPE_CGROUP_PATH		/* absolute, or under the cgroup2 mount */
};

enum scope_dev {
	SCOPE_DEV_NONE,
	SCOPE_DEV_INDEX,
	SCOPE_DEV_NAME
};

struct capture_scope {
	enum scope_netns netns;
	uint32_t netns_inode;		/* SCOPE_NETNS_INODE */
	char netns_path[SCOPE_PATH_MAX];	/* _PATH or _NAME */
	enum scope_cgroup cgroup;
	uint64_t cgroup_id;		/* SCOPE_CGROUP_ID */
	char cgroup_path[SCOPE_PATH_MAX];
	enum scope_dev dev;
	uint32_t ifindex;		/* SCOPE_DEV_INDEX */
	char dev_name[TAP_IFNAME_MAX];	/* SCOPE_DEV_NAME */
	uint32_t track_entries;		/* ,track: packets followed at once;
					   0: no tracking */
};

#define TRACK_ENTRIES_DEFAULT	65536
#define TRACK_ENTRIES_MAX	(1u << 20)

int	bpftrace_tap_name_is_ours(const char *device);
int	bpftrace_tap_specs_parse(const char *device, struct tap_spec *specs,
	    char devices[][TAP_DEVICE_MAX], int *count,
	    struct capture_scope *scope, char *err, size_t errlen);
int	bpftrace_capture_scope_given(const struct capture_scope *scope);
int	bpftrace_capture_scope_format(const struct capture_scope *scope,
	    char *buf, size_t len);
int	bpftrace_tap_spec_parse(const char *device, struct tap_spec *spec,
	    char *err, size_t errlen);
const char *bpftrace_tap_family_name(enum tap_family family);
enum tap_class bpftrace_tap_family_class(enum tap_family family);
int	bpftrace_tap_family_brokered(enum tap_family family);
int	bpftrace_tap_family_find(const char *name, enum tap_family *family);
const char *bpftrace_tap_verdict_name(enum tap_family family, int verdict);

#endif /* BPFTRACE_TAP_NAME_H */
