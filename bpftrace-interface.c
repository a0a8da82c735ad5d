/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interface taps.  tc prefers a tcx link and falls back to a clsact
 * filter on kernels without tcx (before 6.6); XDP always uses an XDP link.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "bpftrace-btf.h"
#include "bpftrace-interface.h"
#include "bpftrace-status.h"
#include "bpftrace-tc-guardian.h"

#define ARPHRD_ETHER	1
#define ARPHRD_LOOPBACK	772
/* enum bpf_attach_type values of tcx (Linux 6.6), newer than some headers. */
#define ATTACH_TCX_INGRESS	46
#define ATTACH_TCX_EGRESS	47

/*
 * The interface's hardware type (ARPHRD_*) and address, asked of a socket
 * in this network namespace: /sys/class/net shows the namespace sysfs was
 * mounted in, which is not this one in a broker serving a client of
 * another namespace.
 */
static int
hardware_address(const char *iface, unsigned short *arphrd,
    unsigned char mac[6])
{
	struct ifreq ifr;
	int sock, rc;

	if ((sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	rc = ioctl(sock, SIOCGIFHWADDR, &ifr);
	close(sock);
	if (rc != 0)
		return -1;
	*arphrd = ifr.ifr_hwaddr.sa_family;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
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
	char names[256];
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
	tap->tc_place = spec->tc_place;
	tap->xdp_mode = spec->xdp_mode;
	if (hardware_address(spec->name, &tap->arphrd, tap->mac) != 0) {
		snprintf(err, errlen, "%s: cannot read the hardware address of"
		    " '%s': %s", device, spec->name, strerror(errno));
		return TAP_NO_SUCH_TAP;
	}
	tap->has_ethernet = tap->arphrd == ARPHRD_ETHER ||
	    tap->arphrd == ARPHRD_LOOPBACK;
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

/*
 * Whether a tc hook runs programs (tcx links, clsact filters of any
 * kind): then where the capture sits among them matters.  Asking about
 * tcx takes CAP_NET_ADMIN; without it only clsact filters are seen.
 */
static int
hook_has_programs(unsigned int ifindex, int egress)
{
	uint32_t count = 0, lowest, highest;

	if (bpf_prog_query((int)ifindex, egress ? ATTACH_TCX_EGRESS :
	    ATTACH_TCX_INGRESS, 0, NULL, NULL, &count) == 0 && count > 0)
		return 1;
	return bpftrace_tc_clsact_priorities((int)ifindex, egress, &lowest,
	    &highest) > 0;
}

/* bpf:tc:IFACE:HOOK:before and :after, for a hook with programs. */
static int
list_places(tap_list_fn fn, void *ctx, const char *ifname, const char *hook)
{
	char device[64], description[128];
	int status;

	snprintf(device, sizeof(device), "bpf:tc:%s:%s:before", ifname, hook);
	snprintf(description, sizeof(description), "%s's tc %s, before its"
	    " first tc program: what arrived", ifname, hook);
	if ((status = fn(ctx, device, description)) != 0)
		return status;
	snprintf(device, sizeof(device), "bpf:tc:%s:%s:after", ifname, hook);
	snprintf(description, sizeof(description), "%s's tc %s, after its"
	    " last tc program: what survived", ifname, hook);
	return fn(ctx, device, description);
}

/*
 * bpf:tc:IFACE and bpf:xdp:IFACE for every interface of this namespace,
 * and where a tc hook runs programs, the places before and after them.
 */
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
		    " hooks, both directions (:ingress, :egress for one),"
		    " after their programs", i->if_name);
		status = fn(ctx, device, description);
		if (status == 0 && hook_has_programs(i->if_index, 0))
			status = list_places(fn, ctx, i->if_name, "ingress");
		if (status == 0 && hook_has_programs(i->if_index, 1))
			status = list_places(fn, ctx, i->if_name, "egress");
		if (status != 0)
			break;
		snprintf(device, sizeof(device), "bpf:xdp:%s", i->if_name);
		snprintf(description, sizeof(description),
		    "packets %s receives, at XDP in generic mode (:native: in"
		    " the driver, which may reset it)", i->if_name);
		status = fn(ctx, device, description);
	}
	if (all != NULL)
		if_freenameindex(all);
	return status;
}
