/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From a parsed tap name to a resolved tap: each family has its resolver,
 * named in its row of bpftrace-tap-families.h.
 */
#include <bpf/btf.h>

#include "bpftrace-btf.h"
#include "bpftrace-function.h"
#include "bpftrace-interface.h"
#include "bpftrace-status.h"
#include "bpftrace-tap.h"
#include "bpftrace-tracepoint.h"
#include "bpftrace-user-program.h"

typedef int (*tap_resolver)(const char *device, const struct tap_spec *spec,
    struct btf *vmlinux, struct resolved_tap *tap, char *err, size_t errlen);

#define FAMILY_RESOLVER(id, name, class, parse, resolve, brokered, usage) \
	[TAP_FAMILY_##id] = resolve,
static const tap_resolver resolvers[TAP_FAMILY_COUNT] = {
	BPFTRACE_TAP_FAMILIES(FAMILY_RESOLVER)
};
#undef FAMILY_RESOLVER

/*
 * vmlinux is the kernel's BTF, loaded once by the caller for all the taps
 * of a capture (bpftrace_tap_btf_load()): it is megabytes to parse.
 */
int
bpftrace_tap_resolve(const char *device, const struct tap_spec *spec,
    struct btf *vmlinux, struct resolved_tap *tap, char *err, size_t errlen)
{
	if ((unsigned)spec->family >= TAP_FAMILY_COUNT ||
	    resolvers[spec->family] == NULL)
		return TAP_NO_SUCH_TAP;	/* a user program's own records */
	return resolvers[spec->family](device, spec, vmlinux, tap, err,
	    errlen);
}

/*
 * Every tap of this kernel, for pcap_findalldevs(): tracepoints, the usual
 * functions, tc and XDP per interface, and loaded programs that call
 * bpf_pcap().  All but the last need the kernel's BTF (the probe is
 * CO-RE), read once here; a kernel without it offers none, which is not
 * an error: the rest of the device list must still appear.
 */
int
bpftrace_tap_list_all(tap_list_fn fn, void *ctx)
{
	char err[256];
	struct btf *btf;
	int status;

	if (bpftrace_kernel_btf_load(&btf, err, sizeof(err)) != TAP_OK)
		return 0;
	status = bpftrace_tracepoint_list_taps(btf, fn, ctx);
	if (status == 0)
		status = bpftrace_function_list_taps(btf, fn, ctx);
	if (status == 0)
		status = bpftrace_interface_list_taps(fn, ctx);
	if (status == 0)
		status = bpftrace_user_program_list_taps(fn, ctx);
	btf__free(btf);
	return status;
}

const char *
bpftrace_probe_mechanism_name(enum probe_mechanism m)
{
	static const char *const names[] = {
		"tp_btf", "raw_tp", "fentry", "fexit", "kprobe", "tcx",
		"clsact", "xdp", "kprobe.multi"
	};

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}
