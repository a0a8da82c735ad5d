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

#include "bpftrace-activation.h"
#include "bpftrace-probe.h"
#include "bpftrace-status.h"
#include "bpftrace-tap.h"

struct capture_holding {
	int count;
	struct capture_probe *probes[TAPS_MAX];
	char devices[TAPS_MAX][TAP_DEVICE_MAX];	/* for messages */
};

void
capture_holding_release(struct capture_holding *h)
{
	int i;

	if (h == NULL)
		return;
	for (i = 0; i < h->count; i++)
		capture_probe_close(h->probes[i]);
	free(h);
}

static int
is_ethernet_interface(const struct resolved_tap *tap)
{
	return (tap->family == TAP_FAMILY_TC || tap->family == TAP_FAMILY_XDP) &&
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

/* Tap i's probe, writing into tap 0's ring, and its part of the grant. */
static int
open_probe(const struct capture_request *req, const char *device,
    const struct resolved_tap *tap, int i, struct capture_grant *grant,
    struct capture_holding *h, char *err, size_t errlen)
{
	struct capture_probe_request pr;
	struct tap_grant *g = &grant->taps[i];
	int status;

	memset(&pr, 0, sizeof(pr));
	pr.device = device;
	pr.tap = tap;
	pr.snaplen = req->snaplen;
	pr.ring_bytes = req->ring_bytes > 0 ? (size_t)req->ring_bytes :
	    CAPTURE_DEFAULT_RING_BYTES;
	pr.link_type = grant->link_type;
	pr.tap_index = (uint16_t)i;
	pr.shared_ring_fd = i == 0 ? -1 : capture_probe_ring_fd(h->probes[0]);
	pr.netns_inode = req->netns_inode;
	status = capture_probe_open(&pr, &h->probes[i], err, errlen);
	if (status != TAP_OK)
		return status;
	h->count = i + 1;
	snprintf(h->devices[i], sizeof(h->devices[i]), "%s", device);
	if (capture_probe_export(h->probes[i], g) != 0) {
		snprintf(err, errlen, "%s: out of descriptors handing over the"
		    " probe", device);
		return TAP_NO_MEMORY;
	}
	g->ethernet_interface = (uint32_t)is_ethernet_interface(tap);
	g->ieee80211 = (uint32_t)tap->ieee80211;
	g->reason_arg_index = tap->reason_arg_index;
	snprintf(g->reason_enum, sizeof(g->reason_enum), "%s",
	    tap->reason_enum);
	return TAP_OK;
}

static int
family_refused(const struct capture_request *req, const char *device,
    enum tap_family family, char *err, size_t errlen)
{
	if (req->families_allowed & (1u << family))
		return 0;
	snprintf(err, errlen, "%s: the capture broker's policy does not let"
	    " you capture at bpf:%s: taps (families in its"
	    " broker.conf)", device,
	    tap_family_name(family));
	return 1;
}

int
capture_activate(const struct capture_request *req,
    struct capture_grant *grant, struct capture_holding **holdingp,
    char *err, size_t errlen)
{
	struct tap_spec specs[TAPS_MAX];
	char devices[TAPS_MAX][TAP_DEVICE_MAX];
	struct resolved_tap taps[TAPS_MAX];
	struct capture_holding *h;
	int count = 0, i, status;

	capture_grant_init(grant);
	*holdingp = NULL;
	status = tap_specs_parse(req->device, specs, devices, &count, err,
	    errlen);
	if (status != TAP_OK)
		return status;
	for (i = 0; i < count; i++) {
		if (specs[i].family == TAP_FAMILY_PROG ||
		    specs[i].family == TAP_FAMILY_PINNED) {
			snprintf(err, errlen, "%s: bpf:%s: captures read the"
			    " program's own map and are opened by the"
			    " capturing process itself", req->device,
			    tap_family_name(specs[i].family));
			return TAP_NOT_CAPTURABLE;
		}
		if (family_refused(req, req->device, specs[i].family, err,
		    errlen))
			return TAP_PERMISSION;
		status = tap_resolve(devices[i], &specs[i], &taps[i], err,
		    errlen);
		if (status != TAP_OK)
			return status;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", req->device);
		return TAP_NO_MEMORY;
	}
	grant->link_type = default_link_type(taps, count);
	for (i = 0; i < count; i++) {
		status = open_probe(req, devices[i], &taps[i], i, grant, h, err,
		    errlen);
		if (status != TAP_OK)
			goto fail;
	}
	grant->tap_count = (uint32_t)count;
	grant->ring_bytes = capture_probe_ring_bytes(h->probes[0]);
	grant->ring_fd = fcntl(capture_probe_ring_fd(h->probes[0]),
	    F_DUPFD_CLOEXEC, 0);
	if (grant->ring_fd < 0) {
		snprintf(err, errlen, "%s: out of descriptors handing over the"
		    " ring", req->device);
		status = TAP_NO_MEMORY;
		goto fail;
	}
	*holdingp = h;
	return TAP_OK;
fail:
	capture_grant_close(grant);
	capture_holding_release(h);
	return status;
}

/*
 * Attaches every tap's loaded probe (activation only loads them: merely
 * opening a device, to list its link types or read its statistics, must
 * not change the system) and grants the attachments: links and clsact
 * guardians, in a grant of their own.
 */
int
capture_attach(struct capture_holding *h, struct capture_grant *links,
    char *err, size_t errlen)
{
	int i, status;

	capture_grant_init(links);
	links->tap_count = (uint32_t)h->count;
	for (i = 0; i < h->count; i++) {
		status = capture_probe_attach(h->probes[i], h->devices[i], err,
		    errlen);
		if (status != TAP_OK) {
			capture_grant_close(links);
			return status;
		}
		if (capture_probe_export_links(h->probes[i],
		    &links->taps[i]) != 0) {
			snprintf(err, errlen, "%s: out of descriptors handing"
			    " over the attachment", h->devices[i]);
			capture_grant_close(links);
			return TAP_NO_MEMORY;
		}
	}
	return TAP_OK;
}
