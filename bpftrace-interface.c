/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interface taps.  tc prefers a tcx link and falls back to a clsact
 * filter on kernels without tcx (before 6.6); XDP always uses an XDP link.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpftrace-btf.h"
#include "bpftrace-interface.h"
#include "bpftrace-status.h"

#define ARPHRD_ETHER	1
#define ARPHRD_LOOPBACK	772

/* Reads the first line of /sys/class/net/IFACE/ATTRIBUTE. */
static int
read_sysfs_attribute(const char *iface, const char *attribute, char *buf,
    size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", iface, attribute);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, (int)len, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void
interface_names(char *buf, size_t len)
{
	struct if_nameindex *all = if_nameindex(), *i;
	size_t used = 0;

	buf[0] = '\0';
	for (i = all; i != NULL && i->if_index != 0 && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s",
		    used ? ", " : "", i->if_name);
	if (all != NULL)
		if_freenameindex(all);
}

int
bpftrace_interface_resolve(const char *device, const struct tap_spec *spec,
    struct btf *vmlinux, struct resolved_tap *tap, char *err, size_t errlen)
{
	char value[64], names[256];
	unsigned int m[6];
	int has_tcx;

	memset(tap, 0, sizeof(*tap));
	tap->reason_arg_index = -1;
	/*
	 * tcx (Linux 6.6) is known from the kernel's types, without
	 * attaching anything: the attachment waits until the capture is
	 * used (see bpftrace-probe.c).
	 */
	has_tcx = btf__find_by_name_kind(vmlinux, "tcx_link",
	    BTF_KIND_STRUCT) >= 0;
	tap->family = spec->family;
	tap->ifindex = (int)if_nametoindex(spec->name);
	if (tap->ifindex == 0) {
		interface_names(names, sizeof(names));
		snprintf(err, errlen, "%s: no interface '%s' here; interfaces:"
		    " %s", device, spec->name, names);
		return TAP_NO_SUCH_TAP;
	}
	snprintf(tap->target, sizeof(tap->target), "%s", spec->name);
	tap->hooks = spec->hooks;
	tap->arphrd = ARPHRD_ETHER;
	if (read_sysfs_attribute(spec->name, "type", value, sizeof(value)) == 0)
		sscanf(value, "%hu", &tap->arphrd);
	tap->has_ethernet = tap->arphrd == ARPHRD_ETHER ||
	    tap->arphrd == ARPHRD_LOOPBACK;
	if (read_sysfs_attribute(spec->name, "address", value,
	    sizeof(value)) == 0 &&
	    sscanf(value, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
	    &m[4], &m[5]) == 6) {
		int i;

		for (i = 0; i < 6; i++)
			tap->mac[i] = (unsigned char)m[i];
	}
	if (spec->family == TAP_FAMILY_XDP) {
		if (!tap->has_ethernet) {
			snprintf(err, errlen, "%s: XDP taps need an Ethernet"
			    " interface; '%s' is of type %u: use bpf:tc:%s",
			    device, spec->name, tap->arphrd, spec->name);
			return TAP_NOT_CAPTURABLE;
		}
		tap->mechanisms[tap->mechanism_count++] = PROBE_XDP;
	} else {
		if (has_tcx)
			tap->mechanisms[tap->mechanism_count++] = PROBE_TCX;
		tap->mechanisms[tap->mechanism_count++] = PROBE_CLSACT;
	}
	return TAP_OK;
}

/* bpf:tc:IFACE and bpf:xdp:IFACE for every interface of this namespace. */
int
bpftrace_interface_list_taps(tap_list_fn fn, void *ctx)
{
	struct if_nameindex *all, *i;
	char device[64], description[128];
	int status = 0;

	all = if_nameindex();
	for (i = all; i != NULL && i->if_index != 0 && status == 0; i++) {
		snprintf(device, sizeof(device), "bpf:tc:%s", i->if_name);
		snprintf(description, sizeof(description), "packets at %s's tc"
		    " hooks, both directions (:ingress, :egress for one)",
		    i->if_name);
		status = fn(ctx, device, description);
		if (status != 0)
			break;
		snprintf(device, sizeof(device), "bpf:xdp:%s", i->if_name);
		snprintf(description, sizeof(description),
		    "packets %s receives,"
		    " at XDP, before the stack sees them", i->if_name);
		status = fn(ctx, device, description);
	}
	if (all != NULL)
		if_freenameindex(all);
	return status;
}
