/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The privileged half: from a device name to attached probes and the
 * grant of their descriptors; see the header.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "bpftrace-activation.h"
#include "bpftrace-btf.h"
#include "bpftrace-function-pattern.h"
#include "bpftrace-probe.h"
#include "bpftrace-scope.h"
#include "bpftrace-status.h"
#include "bpftrace-tap.h"

struct capture_holding {
	char device[CAPTURE_DEVICE_MAX + 1];	/* the whole name */
	struct capture_request req;		/* req.device points above */
	int tap_count;
	struct resolved_tap taps[TAPS_MAX];
	char devices[TAPS_MAX][TAP_DEVICE_MAX];	/* each tap's own name */
	struct probe_scope scope;		/* what every probe may see */
	uint32_t link_type;
	int count;				/* probes loaded */
	struct capture_probe *probes[TAPS_MAX];
};

static void
release_probes(struct capture_holding *h)
{
	int i;

	for (i = 0; i < h->count; i++)
		bpftrace_capture_probe_close(h->probes[i]);
	h->count = 0;
}

void
bpftrace_capture_holding_release(struct capture_holding *h)
{
	int i;

	if (h == NULL)
		return;
	release_probes(h);
	for (i = 0; i < TAPS_MAX; i++)
		bpftrace_function_set_free(h->taps[i].functions);
	free(h);
}

static int
is_ethernet_interface(const struct resolved_tap *tap)
{
	return bpftrace_tap_family_class(tap->family) == TAP_CLASS_INTERFACE &&
	    tap->has_ethernet;
}

/*
 * The default link type is what AF_PACKET gives at the nearest place:
 * EN10MB at the tc and XDP taps of Ethernet interfaces (as on the
 * interface itself), LINUX_SLL elsewhere (as on libpcap's "any").
 */
static uint32_t
default_link_type(const struct resolved_tap *taps, int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (!is_ethernet_interface(&taps[i]))
			return RING_DLT_LINUX_SLL;
	return RING_DLT_EN10MB;
}

/* What the reading side knows before any probe exists. */
static void
describe(const struct capture_holding *h, struct capture_grant *grant)
{
	int i;

	grant->tap_count = (uint32_t)h->tap_count;
	grant->link_type = h->link_type;
	for (i = 0; i < h->tap_count; i++) {
		struct tap_grant *g = &grant->taps[i];
		const struct resolved_tap *tap = &h->taps[i];

		g->ethernet_interface = (uint32_t)is_ethernet_interface(tap);
		g->ieee80211 = (uint32_t)tap->ieee80211;
		g->reason_arg_index = tap->reason_arg_index;
		snprintf(g->reason_enum, sizeof(g->reason_enum), "%s",
		    tap->reason_enum);
	}
}

static int
family_refused(const struct capture_request *req, enum tap_family family,
    char *err, size_t errlen)
{
	if (req->families_allowed & (1u << family))
		return 0;
	snprintf(err, errlen, "%s: the capture broker's policy does not let"
	    " you capture at bpf:%s: taps (families in its broker.conf)",
	    req->device, bpftrace_tap_family_name(family));
	return 1;
}

/*
 * The name parsed, each tap resolved against this kernel and checked as
 * far as can be without loading anything (an XDP hook already taken); the
 * grant holds what the reading side needs to know, and no descriptor.
 */
int
bpftrace_capture_prepare(const struct capture_request *req,
    struct capture_grant *grant, struct capture_holding **holdingp,
    char *err, size_t errlen)
{
	struct tap_spec specs[TAPS_MAX];
	struct capture_scope scope;
	struct capture_holding *h;
	struct btf *vmlinux = NULL;
	int i, status;

	bpftrace_capture_grant_init(grant);
	*holdingp = NULL;
	if (strlen(req->device) > CAPTURE_DEVICE_MAX) {
		snprintf(err, errlen, "device name longer than %d bytes",
		    CAPTURE_DEVICE_MAX);
		return TAP_NO_SUCH_TAP;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", req->device);
		return TAP_NO_MEMORY;
	}
	snprintf(h->device, sizeof(h->device), "%s", req->device);
	h->req = *req;
	h->req.device = h->device;
	status = bpftrace_tap_specs_parse(req->device, specs, h->devices,
	    &h->tap_count, &scope, err, errlen);
	/* Before anything else: a scope refused is refused at once. */
	if (status == TAP_OK)
		status = bpftrace_scope_decide(req->device, &scope,
		    req->netns_inode, bpftrace_netns_initial_inode(), &h->scope,
		    err, errlen);
	/* Every probe of ours is CO-RE: the kernel's BTF, parsed once. */
	if (status == TAP_OK)
		status = bpftrace_tap_btf_load(req->device, &vmlinux, err,
		    errlen);
	for (i = 0; status == TAP_OK && i < h->tap_count; i++) {
		if (bpftrace_tap_family_class(specs[i].family) ==
		    TAP_CLASS_USER_PROGRAM) {
			snprintf(err, errlen, "%s: bpf:%s: captures read the"
			    " program's own map and are opened by the"
			    " capturing process itself", req->device,
			    bpftrace_tap_family_name(specs[i].family));
			status = TAP_NOT_CAPTURABLE;
		} else if (family_refused(req, specs[i].family, err, errlen)) {
			status = TAP_PERMISSION;
		} else {
			status = bpftrace_tap_resolve(h->devices[i], &specs[i],
			    vmlinux, &h->taps[i], err, errlen);
			if (status == TAP_OK)
				status = bpftrace_capture_probe_preflight(&h->taps[i],
				    h->devices[i], err, errlen);
		}
	}
	btf__free(vmlinux);
	if (status != TAP_OK) {
		bpftrace_capture_holding_release(h);
		return status;
	}
	h->link_type = default_link_type(h->taps, h->tap_count);
	describe(h, grant);
	*holdingp = h;
	return TAP_OK;
}

/* Whether tap is the tracepoint name (where the kernel frees skbs). */
static int
is_tracepoint(const struct resolved_tap *tap, const char *name)
{
	return (tap->family == TAP_FAMILY_TRACEPOINT ||
	    tap->family == TAP_FAMILY_RAW_TRACEPOINT) &&
	    strcmp(tap->target, name) == 0;
}

/*
 * ,track: tap i's part.  Every tap follows packets in tap 0's map; the
 * entries go where skbs are freed: at skb:kfree_skb and skb:consume_skb,
 * by the probe of a tap there, else by tap 0's hidden programs.
 */
static void
track_request(const struct capture_holding *h, int i,
    struct capture_probe_request *pr)
{
	int j, kfree = 0, consume = 0;

	pr->shared_track_fd = i == 0 ? -1 :
	    bpftrace_capture_probe_track_fd(h->probes[0]);
	if (h->scope.track_entries == 0)
		return;
	pr->track_free_tap = is_tracepoint(&h->taps[i], "kfree_skb") ||
	    is_tracepoint(&h->taps[i], "consume_skb");
	if (i != 0)
		return;
	for (j = 0; j < h->tap_count; j++) {
		kfree |= is_tracepoint(&h->taps[j], "kfree_skb");
		consume |= is_tracepoint(&h->taps[j], "consume_skb");
	}
	pr->untrack_kfree_skb = !kfree;
	pr->untrack_consume_skb = !consume;
	pr->track_segments = 1;
}

/* Tap i's probe, writing into tap 0's ring, loaded and attached. */
static int
start_probe(struct capture_holding *h, int i, struct tap_grant *g, char *err,
    size_t errlen)
{
	struct capture_probe_request pr;
	int status;

	memset(&pr, 0, sizeof(pr));
	pr.device = h->devices[i];
	pr.tap = &h->taps[i];
	pr.snaplen = h->req.snaplen;
	pr.ring_bytes = h->req.ring_bytes > 0 ? (size_t)h->req.ring_bytes :
	    CAPTURE_DEFAULT_RING_BYTES;
	pr.link_type = h->link_type;
	pr.tap_index = (uint16_t)i;
	pr.shared_ring_fd = i == 0 ? -1 : bpftrace_capture_probe_ring_fd(h->probes[0]);
	pr.shared_perf_fd = i == 0 ? -1 : bpftrace_capture_probe_perf_fd(h->probes[0]);
	pr.netns_inode = h->req.netns_inode;
	pr.scope = h->scope;
	track_request(h, i, &pr);
	status = bpftrace_capture_probe_open(&pr, &h->probes[i], err, errlen);
	if (status != TAP_OK)
		return status;
	h->count = i + 1;
	if (bpftrace_capture_probe_export(h->probes[i], g) != 0) {
		snprintf(err, errlen, "%s: out of descriptors handing over the"
		    " probe", h->devices[i]);
		return TAP_NO_MEMORY;
	}
	return TAP_OK;
}

/*
 * What a filter compiler needs of each started probe (their descriptors
 * stay the probes').  Returns how many were filled: all taps, or 0 when
 * one of them cannot run a compiled filter (the interpreter then runs
 * everywhere).
 */
int
bpftrace_capture_filter_targets(const struct capture_holding *h,
    struct filter_target *targets, int max)
{
	int i;

	if (h == NULL || h->count != h->tap_count || h->count > max)
		return 0;
	for (i = 0; i < h->count; i++)
		if (bpftrace_capture_probe_filter_target(h->probes[i],
		    &targets[i]) != 0)
			return 0;
	return h->count;
}

/*
 * Loads and attaches every tap's probe of a prepared capture, and grants
 * all of it: the ring, each probe's mapped knobs, the attachments (links,
 * clsact guardians).  In process this follows bpftrace_capture_prepare() at once;
 * the broker waits until the client first uses the capture, so that
 * merely opening a device (to list its link types, or read its
 * statistics, as Wireshark's interface list does for every device)
 * loads, attaches and copies nothing.
 */
int
bpftrace_capture_start(struct capture_holding *h, struct capture_grant *grant,
    char *err, size_t errlen)
{
	int i, status = TAP_OK;

	bpftrace_capture_grant_init(grant);
	describe(h, grant);
	for (i = 0; i < h->tap_count && status == TAP_OK; i++)
		status = start_probe(h, i, &grant->taps[i], err, errlen);
	if (status == TAP_OK) {
		grant->ring_bytes = bpftrace_capture_probe_ring_bytes(h->probes[0]);
		grant->ring_fd = fcntl(bpftrace_capture_probe_ring_fd(h->probes[0]),
		    F_DUPFD_CLOEXEC, 0);
		if (grant->ring_fd < 0) {
			snprintf(err, errlen, "%s: out of descriptors handing"
			    " over the ring", h->device);
			status = TAP_NO_MEMORY;
		}
	}
	/*
	 * The perf array of probes that deliver paged data through it, for
	 * a reader in this process (the broker does not hand it over: its
	 * clients could not open the perf events the array needs).
	 */
	for (i = 0; i < h->count && status == TAP_OK && h->req.perf_reader;
	    i++) {
		if (!bpftrace_capture_probe_skb_output(h->probes[i]))
			continue;
		grant->perf_fd = fcntl(bpftrace_capture_probe_perf_fd(
		    h->probes[0]), F_DUPFD_CLOEXEC, 0);
		break;
	}
	if (status != TAP_OK) {
		bpftrace_capture_grant_close(grant);
		release_probes(h);
	}
	return status;
}
