/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Function taps.  "kprobe" means function entry by the cheapest mechanism
 * the kernel allows: fentry (a BPF trampoline) where it loads, else a
 * kprobe; the probe loader finds out by trying, in that order.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/btf.h>

#include "bpftrace-btf.h"
#include "bpftrace-function.h"
#include "bpftrace-function-pattern.h"
#include "bpftrace-skb-arg.h"
#include "bpftrace-status.h"
#include "bpftrace-tracepoint-notes.h"

/* kprobes reach the arguments passed in registers only. */
#define KPROBE_MAX_ARGS		6

/*
 * Names people reach for that are inline wrappers in current kernels,
 * and the functions that do the work.  Only those present in the running
 * kernel's BTF are suggested.
 */
static const struct {
	const char *wrapper;
	const char *functions[3];
} inline_wrappers[] = {
	{ "kfree_skb", { "sk_skb_reason_drop", "kfree_skb_reason", NULL } },
	{ "dev_kfree_skb", { "consume_skb", "sk_skb_reason_drop", NULL } },
	{ "dev_kfree_skb_any", { "dev_kfree_skb_any_reason", NULL } },
	{ "netif_receive_skb_core", { "__netif_receive_skb_core", NULL } },
	{ "dev_queue_xmit", { "__dev_queue_xmit", NULL } },
};

/* Appends ", bpf:FAMILY:FUNCTION:argN" for a function with an skb. */
static void
append_function(const struct btf *btf, const char *family, const char *name,
    char *buf, size_t len)
{
	struct target_args args;
	size_t used = strlen(buf);

	if (used >= len || bpftrace_btf_target_args(btf, BTF_TARGET_FUNCTION,
	    name,
	    &args) != 0 || args.skb_mask == 0 || strstr(buf, name) != NULL)
		return;
	snprintf(buf + used, len - used, "%sbpf:%s:%s:arg%d",
	    used ? ", " : "", family, name,
	        bpftrace_btf_first_skb_arg(&args) + 1);
}

static int
report_missing(const struct btf *btf, const char *device, const char *family,
    const char *name, char *err, size_t errlen)
{
	char suggestions[512] = "", tracepoint[2 * TAP_NAME_MAX];
	struct target_args args;
	const char *near[2];
	size_t i;
	int n, j;

	/* A tracepoint of that name is usually what was meant. */
	if (bpftrace_btf_target_args(btf, BTF_TARGET_TRACEPOINT, name,
	    &args) == 0 &&
	    args.skb_mask != 0) {
		bpftrace_tracepoint_device_name(name, tracepoint,
		    sizeof(tracepoint));
		snprintf(suggestions, sizeof(suggestions), "%s", tracepoint);
	}
	for (i = 0; i < sizeof(inline_wrappers) / sizeof(inline_wrappers[0]); i++) {
		if (strcmp(inline_wrappers[i].wrapper, name) != 0)
			continue;
		for (j = 0; j < 3 && inline_wrappers[i].functions[j]; j++)
			append_function(btf, family,
			    inline_wrappers[i].functions[j], suggestions,
			    sizeof(suggestions));
	}
	n = bpftrace_btf_nearest_skb_targets(btf, BTF_TARGET_FUNCTION, name,
	    near, 2);
	for (j = 0; j < n; j++)
		if (!bpftrace_function_is_bpf_internal(near[j]))
			append_function(btf, family, near[j], suggestions,
			    sizeof(suggestions));
	snprintf(err, errlen, "%s: no function '%s' to probe in this kernel"
	    " (inlined or absent)%s%s", device, name,
	    suggestions[0] ? "; try " : "", suggestions);
	return TAP_NO_SUCH_TAP;
}

int
bpftrace_function_resolve(const char *device, const struct tap_spec *spec,
    struct btf *vmlinux, struct resolved_tap *tap, char *err, size_t errlen)
{
	const char *family = bpftrace_tap_family_name(spec->family);
	struct target_args args;
	struct btf *owner;
	int status;

	if (spec->pattern)
		return bpftrace_function_pattern_resolve(device, spec, vmlinux,
		    tap, err, errlen);
	memset(tap, 0, sizeof(*tap));
	if (bpftrace_btf_find_target(vmlinux, BTF_TARGET_FUNCTION, spec->name,
	    &args, &owner) != 0)
		return report_missing(vmlinux, device, family, spec->name, err,
		    errlen);
	status = bpftrace_tap_skb_arg_resolve(vmlinux, owner, device,
	    "function", spec, &args, tap, err, errlen);
	if (status != TAP_OK)
		return status;

	tap->family = spec->family;
	snprintf(tap->target, sizeof(tap->target), "%s", spec->name);
	switch (spec->family) {
	case TAP_FAMILY_FEXIT:
		tap->mechanisms[tap->mechanism_count++] = PROBE_FEXIT;
		break;
	case TAP_FAMILY_FENTRY:
		tap->mechanisms[tap->mechanism_count++] = PROBE_FENTRY;
		break;
	default:
		tap->mechanisms[tap->mechanism_count++] = PROBE_FENTRY;
		if (tap->skb_arg_index < KPROBE_MAX_ARGS)
			tap->mechanisms[tap->mechanism_count++] = PROBE_KPROBE;
		break;
	}
	return TAP_OK;
}

/* Functions worth offering in tcpdump -D, where this kernel has them. */
static const struct {
	const char *name;
	const char *description;
} listed_functions[] = {
	{ "ip_rcv", "IPv4 packets entering IP receive" },
	{ "ip_local_deliver", "IPv4 packets delivered to this host" },
	{ "ip_forward", "IPv4 packets being forwarded" },
	{ "ip_output", "IPv4 packets leaving IP output" },
	{ "ipv6_rcv", "IPv6 packets entering IPv6 receive" },
	{ "ip6_output", "IPv6 packets leaving IPv6 output" },
	{ "__dev_queue_xmit", "packets queued for transmit (dev_queue_xmit)" },
	{ "tcp_v4_rcv", "TCP segments received over IPv4" },
	{ "udp_rcv", "UDP datagrams received over IPv4" },
	{ "icmp_rcv", "ICMP messages received" },
	{ "sk_skb_reason_drop",
	    "packets dropped, as the function that frees them sees them" },
	{ "kfree_skb_reason",
	    "packets dropped, as the function that frees them sees them" },
};

#define LISTED_FUNCTIONS \
	(sizeof(listed_functions) / sizeof(listed_functions[0]))

/*
 * Whether this kernel can attach kprobes: the perf "kprobe" event source,
 * through which libbpf attaches them, exists with CONFIG_KPROBE_EVENTS
 * only.  A stat of a world-readable sysfs directory: the same answer for
 * every user, and no program is loaded to find out.
 */
static int
kernel_has_kprobes(void)
{
	struct stat st;

	return stat("/sys/bus/event_source/devices/kprobe", &st) == 0;
}

/*
 * bpf:kprobe:FUNCTION for the functions above that exist here with an skb,
 * on kernels with kprobes only.  bpf:kprobe: also attaches through a BPF
 * trampoline (fentry), but whether the kernel allows those can only be
 * learnt by loading one, which takes privileges and time: a list that
 * depended on it would differ between root and other users and cost a
 * program load.  So where kprobes are missing no function tap is listed,
 * even on the rare kernel whose trampolines work (the names still open).
 * Only functions whose skb a kprobe reaches (arg1 .. arg6) qualify.
 */
int
bpftrace_function_list_taps(const struct btf *btf, tap_list_fn fn, void *ctx)
{
	char device[2 * TAP_NAME_MAX], description[256];
	const char *names[LISTED_FUNCTIONS];
	struct target_args args[LISTED_FUNCTIONS];
	int found[LISTED_FUNCTIONS], skb_arg;
	size_t i;
	int status = 0;

	if (!kernel_has_kprobes())
		return 0;
	for (i = 0; i < LISTED_FUNCTIONS; i++)
		names[i] = listed_functions[i].name;
	bpftrace_btf_targets_args(btf, BTF_TARGET_FUNCTION, names,
	    LISTED_FUNCTIONS,
	    args, found);
	for (i = 0; i < LISTED_FUNCTIONS && status == 0; i++) {
		if (!found[i] || args[i].skb_mask == 0)
			continue;
		skb_arg = bpftrace_btf_first_skb_arg(&args[i]);
		if (skb_arg >= KPROBE_MAX_ARGS)
			continue;
		snprintf(device, sizeof(device), "bpf:kprobe:%s", names[i]);
		snprintf(description, sizeof(description), "%s (skb is arg%d)",
		    listed_functions[i].description, skb_arg + 1);
		status = fn(ctx, device, description);
	}
	return status;
}
