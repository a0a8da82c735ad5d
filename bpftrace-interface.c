/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interface taps.  tc prefers a tcx link and falls back to a clsact
 * filter on kernels without tcx (before 6.6); XDP always uses an XDP link.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpftrace-btf.h"
#include "bpftrace-interface.h"
#include "bpftrace-status.h"
#include "bpftrace-tc-guardian.h"
#include "bpftrace-tracepoint-notes.h"

#define ARPHRD_ETHER	1
#define ARPHRD_LOOPBACK	772
/* enum bpf_attach_type values of tcx (Linux 6.6), newer than some headers. */
#define ATTACH_TCX_INGRESS	46
#define ATTACH_TCX_EGRESS	47
/* Programs of one name told apart, at most. */
#define NAMESAKES_MAX		8
/*
 * The names bpf:xdp: captures give their own XDP programs (capture.bpf.c:
 * native and generic mode), as the kernel keeps them (15 characters).
 */
static const char *const own_xdp_programs[] = {
	"capture_xdp", "capture_xdp_lin"
};

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

/*
 * The XDP program attached at ifindex, in whichever mode (one at a time
 * is the rule; with several, the driver's, then the generic one); 0:
 * none.  Netlink, no privilege needed.
 */
static uint32_t
xdp_program(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q) != 0 || q.attach_mode == 0)
		return 0;
	if (q.prog_id != 0)
		return q.prog_id;
	if (q.drv_prog_id != 0)
		return q.drv_prog_id;
	return q.skb_prog_id != 0 ? q.skb_prog_id : q.hw_prog_id;
}

/* A loaded program's info by id; 0, or an errno. */
static int
program_info(uint32_t id, struct bpf_prog_info *info)
{
	uint32_t len = sizeof(*info);
	int fd = bpf_prog_get_fd_by_id(id), error = 0;

	if (fd < 0)
		return errno ? errno : ENOENT;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len) != 0)
		error = errno ? errno : EINVAL;
	close(fd);
	return error;
}

/*
 * Of the programs named alike, the one attached at the tap's tcx hook
 * (Linux 6.6; a cls_bpf filter is not asked for: an id tells it).  0:
 * none, or more than one.
 */
static uint32_t
attached_namesake(const struct resolved_tap *tap, const uint32_t *ids, int n)
{
	uint32_t attached[64], found = 0;
	int hook, i, j;

	for (hook = 0; hook < 2; hook++) {
		LIBBPF_OPTS(bpf_prog_query_opts, q);
		uint32_t count;

		if ((hook == 0 && tap->hooks == TAP_HOOKS_EGRESS) ||
		    (hook == 1 && tap->hooks == TAP_HOOKS_INGRESS))
			continue;
		q.prog_ids = attached;
		q.prog_cnt = 64;
		if (bpf_prog_query_opts(tap->ifindex, hook == 0 ?
		    ATTACH_TCX_INGRESS : ATTACH_TCX_EGRESS, &q) != 0)
			continue;
		count = q.prog_cnt < 64 ? q.prog_cnt : 64;
		for (i = 0; i < (int)count; i++)
			for (j = 0; j < n; j++)
				if (attached[i] == ids[j]) {
					if (found != 0 && found != ids[j])
						return 0;
					found = ids[j];
				}
	}
	return found;
}

/*
 * tc prog=NAME|ID: the user's tc program (cls_bpf or tcx: both are
 * BPF_PROG_TYPE_SCHED_CLS).  A name is looked for among every loaded
 * program, as bpftool shows them (the kernel keeps 15 characters of it);
 * of several, the one attached at the tap's tcx hook, else the ids are
 * listed for the user to pick one.
 */
static int
resolve_tc_program(const char *device, const struct tap_spec *spec,
    struct resolved_tap *tap, char *err, size_t errlen)
{
	struct bpf_prog_info info;
	uint32_t id = 0, ids[NAMESAKES_MAX];
	char *end, list[NAMESAKES_MAX * 12];
	unsigned long value;
	size_t used = 0;
	int n = 0, i, error;

	value = strtoul(spec->program, &end, 10);
	if (*end == '\0' && value > 0 && value <= UINT32_MAX) {
		if ((error = program_info((uint32_t)value, &info)) != 0) {
			snprintf(err, errlen, "%s: no program of id %lu: %s",
			    device, value, strerror(error));
			return error == EPERM ? TAP_PERMISSION : TAP_NO_SUCH_TAP;
		}
		if (info.type != BPF_PROG_TYPE_SCHED_CLS) {
			snprintf(err, errlen, "%s: program %lu is not a tc"
			    " program (its type is %u)", device, value,
			    info.type);
			return TAP_NOT_CAPTURABLE;
		}
		tap->program_id = (uint32_t)value;
		return TAP_OK;
	}
	while (bpf_prog_get_next_id(id, &id) == 0) {
		if (program_info(id, &info) != 0 ||
		    info.type != BPF_PROG_TYPE_SCHED_CLS ||
		    strncmp((const char *)info.name, spec->program,
		    sizeof(info.name) - 1) != 0)
			continue;
		if (n < NAMESAKES_MAX)
			ids[n] = id;
		n++;
	}
	if (errno == EPERM) {
		snprintf(err, errlen, "%s: listing programs: %s", device,
		    strerror(errno));
		return TAP_PERMISSION;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: no tc program named %s is loaded"
		    " (bpftool prog lists them)", device, spec->program);
		return TAP_NO_SUCH_TAP;
	}
	if (n == 1) {
		tap->program_id = ids[0];
		return TAP_OK;
	}
	if (n <= NAMESAKES_MAX &&
	    (tap->program_id = attached_namesake(tap, ids, n)) != 0)
		return TAP_OK;
	for (i = 0; i < n && i < NAMESAKES_MAX; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%s%u", i > 0 ? ", " : "", ids[i]);
	snprintf(err, errlen, "%s: %d tc programs are named %s (ids %s%s):"
	    " name one by its id, prog=ID", device, n, spec->program, list,
	    n > NAMESAKES_MAX ? ", ..." : "");
	return TAP_NO_SUCH_TAP;
}

/*
 * bpf:xdp:IF with an XDP program of the user's at IF: at that program
 * (fexit, with its verdict; fentry for :entry).  Without one, the
 * probe's own XDP program, for which :entry and verdicts mean nothing.
 * A bpf:xdp: capture's own program is no user's: the hook stays refused
 * (bpftrace-probe.c's check_xdp_free()).
 */
static int
resolve_xdp_program(const char *device, const struct tap_spec *spec,
    struct resolved_tap *tap, char *err, size_t errlen)
{
	struct bpf_prog_info info;
	uint32_t id = xdp_program(tap->ifindex);
	size_t i;

	if (id != 0 && program_info(id, &info) == 0)
		for (i = 0; i < sizeof(own_xdp_programs) /
		    sizeof(own_xdp_programs[0]); i++)
			if (strcmp((const char *)info.name,
			    own_xdp_programs[i]) == 0)
				id = 0;
	if (id == 0 && (spec->verdicts != 0 ||
	    spec->program_side == TAP_PROGRAM_ENTRY)) {
		snprintf(err, errlen, "%s: %s has no XDP program of its own,"
		    " whose entry or verdicts to capture: capture at"
		    " bpf:xdp:%s", device, spec->name, spec->name);
		return TAP_NOT_CAPTURABLE;
	}
	tap->program_id = id;
	return TAP_OK;
}

int
bpftrace_interface_resolve(const char *device, const struct tap_spec *spec,
    struct btf *vmlinux, struct resolved_tap *tap, char *err, size_t errlen)
{
	char names[256];
	int has_tcx, status;

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
		if ((status = resolve_xdp_program(device, spec, tap, err,
		    errlen)) != TAP_OK)
			return status;
	} else if (spec->program[0] != '\0') {
		if ((status = resolve_tc_program(device, spec, tap, err,
		    errlen)) != TAP_OK)
			return status;
		/* The program's context is the skb, its first argument. */
		tap->skb_arg_index = 0;
		tap->path = spec->hooks == TAP_HOOKS_INGRESS ?
		    TAP_PATH_RECEIVE : spec->hooks == TAP_HOOKS_EGRESS ?
		    TAP_PATH_TRANSMIT : TAP_PATH_ANY;
	}
	tap->program_side = spec->program_side;
	tap->verdicts = spec->verdicts;
	if (tap->program_id != 0)
		tap->mechanisms[tap->mechanism_count++] =
		    spec->program_side == TAP_PROGRAM_ENTRY ? PROBE_FENTRY :
		    PROBE_FEXIT;
	else if (spec->family == TAP_FAMILY_XDP)
		tap->mechanisms[tap->mechanism_count++] = PROBE_XDP;
	else {
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
	char device[64], description[192];
	uint32_t id;
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
		id = xdp_program((int)i->if_index);
		if (id != 0)
			snprintf(description, sizeof(description), "packets at"
			    " %s's XDP program (id %u), after it, with its"
			    " verdict (:drop, :pass... keep those; :entry:"
			    " before it)", i->if_name, id);
		else
			snprintf(description, sizeof(description),
			    "packets %s receives, at XDP in generic mode"
			    " (:native: in the driver, which may reset it)",
			    i->if_name);
		status = fn(ctx, device, description);
	}
	if (all != NULL)
		if_freenameindex(all);
	return status;
}
